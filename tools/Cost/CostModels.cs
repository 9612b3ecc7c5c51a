using System.Text.Json.Nodes;

namespace FraudTf.Cost;

/// <summary>
/// The cost model of every Terraform type the stacks use: a function from one resource to its monthly cost lines,
/// or an explicit "free" with the reason. A type in neither list fails the report, so a new resource is never
/// silently free.
/// </summary>
internal sealed partial class CostModels(Workload w, PriceBook prices)
{
    private const double Gb = 1024d * 1024 * 1024;
    private const double Million = 1_000_000;

    // Alike on purpose: a sorted name-to-text table, like SdkCallScanner's action table; the contents are unrelated.
    /// <summary>Types that cost nothing by themselves, with the reason shown in the report.</summary>
    public static readonly IReadOnlyDictionary<string, string> Free = new SortedDictionary<string, string>(StringComparer.Ordinal)
    {
        ["aws_iam_role"] = "IAM is free",
        ["aws_iam_role_policy"] = "IAM is free",
        ["aws_iam_policy"] = "IAM is free",
        ["aws_kms_alias"] = "aliases are free",
        ["aws_lambda_permission"] = "resource policies are free",
        ["aws_lambda_event_source_mapping"] = "polling Kinesis is free; priced as the function's invocations",
        ["aws_lambda_invocation"] = "priced as the invoked function's invocation",
        ["aws_s3_bucket_versioning"] = "priced with its bucket (objects are written once, no noncurrent versions)",
        ["aws_s3_bucket_server_side_encryption_configuration"] = "bucket keys: KMS requests priced with the key",
        ["aws_s3_bucket_public_access_block"] = "free setting",
        ["aws_s3_bucket_ownership_controls"] = "free setting",
        ["aws_s3_bucket_policy"] = "free setting",
        ["aws_s3_bucket_lifecycle_configuration"] = "priced with its bucket (storage classes over the lifecycle, transitions)",
        ["aws_s3_bucket_logging"] = "priced with the log bucket (log storage)",
        ["aws_s3_bucket_object_lock_configuration"] = "Object Lock is free; retention priced with its bucket",
        ["aws_s3_object"] = "priced with its bucket (knowledge-base documents: traffic.knowledgeBaseMegabytes)",
        ["aws_sqs_queue_policy"] = "free setting",
        ["aws_sns_topic_policy"] = "free setting",
        ["aws_dynamodb_resource_policy"] = "free setting",
        ["aws_kinesis_resource_policy"] = "free setting",
        ["aws_cloudwatch_event_bus_policy"] = "free setting",
        ["aws_lambda_function_event_invoke_config"] = "free setting",
        ["aws_xray_sampling_rule"] = "Lambda ignores sampling rules: traces are priced with each traced function (fixed rate)",
        ["aws_cloudwatch_event_rule"] = "rules on a custom bus are free; events priced on the bus",
        ["aws_cloudwatch_event_target"] = "delivery to AWS service targets is free",
        ["aws_bedrockagent_agent_action_group"] = "priced as the agent's tokens and the tools function",
        ["aws_bedrockagent_agent_alias"] = "free",
        ["aws_bedrockagent_agent_knowledge_base_association"] = "free",
        ["aws_bedrockagent_data_source"] = "ingestion priced as the knowledge base's embeddings",
        ["aws_bedrock_guardrail_version"] = "priced with the guardrail",
        ["aws_opensearchserverless_security_policy"] = "free",
        ["aws_opensearchserverless_access_policy"] = "free",
        // Private networking (docs/networking.md): the network's parts that AWS does not bill; the endpoints, NAT
        // gateways and their addresses are priced (CostModels.Network.cs).
        ["aws_vpc"] = "VPCs are free",
        ["aws_subnet"] = "subnets are free",
        ["aws_route_table"] = "route tables are free",
        ["aws_route_table_association"] = "free setting",
        ["aws_route"] = "routes are free",
        ["aws_internet_gateway"] = "internet gateways are free (their traffic is billed as data transfer)",
        ["aws_default_security_group"] = "security groups are free",
        ["aws_security_group"] = "security groups are free",
        ["aws_vpc_security_group_egress_rule"] = "free setting",
        ["aws_vpc_security_group_ingress_rule"] = "free setting",
    };

    /// <summary>The types with a cost model.</summary>
    public static readonly IReadOnlyList<string> Priced =
    [
        "aws_bedrock_guardrail", "aws_bedrockagent_agent", "aws_bedrockagent_knowledge_base", "aws_cloudwatch_dashboard",
        "aws_cloudwatch_event_bus", "aws_cloudwatch_log_group", "aws_cloudwatch_log_metric_filter", "aws_cloudwatch_metric_alarm",
        "aws_dynamodb_table", "aws_kinesis_stream", "aws_kms_key", "aws_lambda_function", "aws_opensearchserverless_collection",
        "aws_pipes_pipe", "aws_s3_bucket", "aws_s3_bucket_metric", "aws_sns_topic", "aws_sns_topic_subscription", "aws_sqs_queue",
        "aws_vpc_endpoint", "aws_opensearchserverless_vpc_endpoint", "aws_nat_gateway", "aws_eip",
    ];

    /// <summary>Findings worth a reviewer's attention, found while pricing (e.g. a lifecycle that costs more than it saves).</summary>
    public List<string> Findings { get; } = [];

    public IReadOnlyList<CostLine> For(StackResource r) => r.Type switch
    {
        "aws_dynamodb_table" => DynamoDbTable(r),
        "aws_kinesis_stream" => KinesisStream(r),
        "aws_lambda_function" => LambdaFunction(r),
        "aws_s3_bucket" => S3Bucket(r),
        "aws_cloudwatch_metric_alarm" => Alarm(r),
        "aws_cloudwatch_dashboard" => [Line(r, "dashboard", 1, "cloudwatch.dashboard", "one dashboard")],
        "aws_cloudwatch_log_group" => LogGroup(r),
        "aws_cloudwatch_log_metric_filter" => [Line(r, "custom metric", 1, "cloudwatch.customMetric", "the filter's metric, no dimensions")],
        "aws_s3_bucket_metric" => [Line(r, "request metrics", A("s3.requestMetricsPerFilter", r), "cloudwatch.customMetric",
            "S3 request metrics of one filter, billed as CloudWatch custom metrics (upper bound: every metric of the filter published all month)")],
        "aws_kms_key" => KmsKey(r),
        "aws_sqs_queue" => Queue(r),
        "aws_sns_topic" => Topic(r),
        "aws_sns_topic_subscription" => Subscription(r),
        "aws_cloudwatch_event_bus" => Bus(r),
        "aws_pipes_pipe" => Pipe(r),
        "aws_bedrockagent_agent" => Agent(r),
        "aws_bedrockagent_knowledge_base" => KnowledgeBase(r),
        "aws_bedrock_guardrail" => Guardrail(r),
        "aws_opensearchserverless_collection" => Collection(r),
        "aws_vpc_endpoint" => VpcEndpoint(r),
        "aws_opensearchserverless_vpc_endpoint" => CollectionEndpoint(r),
        "aws_nat_gateway" => NatGateway(r),
        "aws_eip" => ElasticIp(r),
        _ => throw new CostDataException($"{w.Stack.File}: resource type {r.Type} ({r.Address}) has no cost model and is not listed as free. " +
                                         "Fix: add a model to CostModels.For, or the type and the reason it is free to CostModels.Free (tools/Cost/CostModels.cs)."),
    };

    private CostLine Line(StackResource r, string item, double quantity, string priceKey, string basis) =>
        new(item, quantity, prices.Get(priceKey, r.Type), basis);

    private double A(string key, StackResource r) => w.A.Get(key, $"{r.Type} {r.Address}");

    private static string F(FormattableString s) => Workload.Fmt(s);

    // ---- DynamoDB -------------------------------------------------------------------------------------------

    /// <summary>Per-second request units and stored items of one table, from the function code's access pattern.</summary>
    private sealed record TableLoad(double ReadUnits, double WriteUnits, double Items, double ItemBytes, string Basis);

    private TableLoad TableWork(StackResource table)
    {
        var name = w.Logical(table.Str("name"));
        var gsis = table.Items("global_secondary_index").Count;
        var tx = w.Tps;
        var fraud = w.FraudPerSecond;
        double Wru(double bytes) => Math.Ceiling(bytes / 1024);
        switch (name)
        {
            case "transactions":
            {
                var bytes = w.Traffic.RecordSizeBytes + A("dynamodb.transactions.itemOverheadBytes", table);
                var velocity = A("dynamodb.velocityQueryReadUnits", table);
                var reads = tx * (1 + velocity) + fraud;
                var writes = tx * (2 * Wru(bytes) + gsis * Wru(bytes));
                var items = tx * 86400 * w.TransactionTtlDays(table.Address);
                return new TableLoad(reads, writes, items, bytes, F($"per transaction: 1 RRU id lookup + {velocity} RRU velocity query, transactional put {2 * Wru(bytes):0} WRU + {gsis} index write(s); per fraud event 1 RRU (alert handler); {bytes:0} B items kept {w.TransactionTtlDays(table.Address):0} days (TTL)"));
            }
            case "decisions":
            {
                var bytes = A("dynamodb.decisions.itemBytes", table);
                var reads = fraud;
                // The alert handler's marker is written in the same transaction as the profile flag: 2 WRU, plus its index write.
                var writes = tx * (2 * Wru(bytes) + gsis * Wru(bytes)) + fraud * (2 + gsis);
                var items = (tx + fraud) * 86400 * w.TransactionTtlDays(table.Address);
                return new TableLoad(reads, writes, items, bytes, F($"per transaction: transactional put {2 * Wru(bytes):0} WRU + {gsis} index write(s); per fraud event: 1 RRU marker check, transactional marker put 2 WRU + {gsis} index write(s); {bytes:0} B items kept {w.TransactionTtlDays(table.Address):0} days (TTL)"));
            }
            case "user-profiles":
            {
                var bytes = A("dynamodb.user-profiles.itemBytes", table);
                var reads = tx * Math.Ceiling(bytes / 4096);
                var writes = tx * 2 * Wru(bytes) + fraud * 2 * Wru(bytes);
                return new TableLoad(reads, writes, w.Traffic.ActiveUsers, bytes, F($"per transaction: 1 consistent read, transactional update {2 * Wru(bytes):0} WRU; per fraud event: transactional flag update {2 * Wru(bytes):0} WRU; {w.Traffic.ActiveUsers:#,0} profiles of {bytes:0} B"));
            }
            case "patterns":
            {
                var items = A("dynamodb.patterns.items", table);
                var bytes = A("dynamodb.patterns.itemBytes", table);
                var cache = w.Stack.OfType("aws_lambda_function").Select(f => f.Num("environment.variables.PATTERN_CACHE_SECONDS")).FirstOrDefault(d => d is not null) ?? 60;
                var instances = StreamProcessorLanes();
                var reads = instances / cache * Math.Max(0.5, Math.Ceiling(items * bytes / 4096) * 0.5);
                return new TableLoad(reads, 0, items, bytes, F($"{instances:0} stream-processor instances re-read the active patterns every {cache:0} s (PATTERN_CACHE_SECONDS); {items:0} versions of {bytes:0} B; writes by operators, negligible"));
            }
            default:
                throw new CostDataException($"{w.Stack.File}: table {table.Str("name")} ({table.Address}) has no workload model. " +
                                            "Fix: add its reads, writes and item count per transaction to CostModels.TableWork (tools/Cost/CostModels.cs).");
        }
    }

    /// <summary>Concurrent stream-processor instances: lanes of the mappings that feed functions.</summary>
    private double StreamProcessorLanes() => w.Stack.OfType("aws_lambda_event_source_mapping").Sum(m =>
    {
        var stream = w.Stack.Resolve(m.Str("event_source_arn"));
        return stream is null || stream.Type != "aws_kinesis_stream" ? 0 : w.Shards(stream) * (m.Num("parallelization_factor") ?? 1);
    });

    private IReadOnlyList<CostLine> DynamoDbTable(StackResource t)
    {
        if (t.Str("billing_mode") is { } mode && mode != "PAY_PER_REQUEST")
        {
            throw new CostDataException($"{w.Stack.File}: {t.Address} uses billing mode {mode}; only on-demand (PAY_PER_REQUEST) has a model. Fix: add a provisioned-capacity model to CostModels.");
        }

        var load = TableWork(t);
        var s = w.SecondsPerMonth;
        var indexShare = t.Items("global_secondary_index").Sum(g => g is JsonObject o && o.TryGetPropertyValue("projection_type", out var p) ? p?.GetValue<string>() switch
        {
            "ALL" => 1.0,
            "INCLUDE" => 0.7,
            _ => 0.2,
        } : 1.0);
        var gb = load.Items * (load.ItemBytes + 100) * (1 + indexShare) / Gb;
        var lines = new List<CostLine>
        {
            Line(t, "write request units", load.WriteUnits * s, "dynamodb.writeRequestUnits", load.Basis),
            Line(t, "read request units", load.ReadUnits * s, "dynamodb.readRequestUnits", load.Basis),
            Line(t, "storage", gb, "dynamodb.storage", F($"{load.Items:#,0} items x ({load.ItemBytes:0} B + 100 B overhead) x (1 + {indexShare:0.##} in indexes by projection)")),
        };
        if (t.Bool("point_in_time_recovery.enabled") == true)
        {
            lines.Add(Line(t, "point-in-time recovery", gb, "dynamodb.pointInTimeRecovery", "point_in_time_recovery.enabled = true, on the table size"));
        }

        var pipes = w.Stack.OfType("aws_pipes_pipe").Count(p => w.Stack.Resolve(p.Str("source")) == t);
        if (pipes > 0)
        {
            var polls = A("dynamodb.streamPollsPerShardPerSecond", t) * A("dynamodb.streamShardsPerTable", t) * pipes * s;
            lines.Add(Line(t, "stream reads by pipes", polls, "dynamodb.streamReadRequestUnits",
                F($"{pipes} pipe(s) polling {A("dynamodb.streamShardsPerTable", t):0} stream shards {A("dynamodb.streamPollsPerShardPerSecond", t):0} times a second")));
        }

        return lines;
    }

    // ---- Kinesis --------------------------------------------------------------------------------------------

    private IReadOnlyList<CostLine> KinesisStream(StackResource k)
    {
        if (k.Str("stream_mode_details.stream_mode") != "ON_DEMAND")
        {
            throw new CostDataException($"{w.Stack.File}: {k.Address} is not ON_DEMAND; only on-demand streams have a model. Fix: add a provisioned model to CostModels.");
        }

        var (rate, bytes, _) = w.StreamRecords(k);
        var billedKb = Math.Ceiling(bytes / 1024);
        var ingestedGb = rate * w.SecondsPerMonth * billedKb * 1024 / Gb;
        var consumers = w.Stack.OfType("aws_lambda_event_source_mapping").Count(m => w.Stack.Resolve(m.Str("event_source_arn")) == k);
        var retention = k.Num("retention_period") ?? 24;
        var perHourGb = rate * 3600 * bytes / Gb;
        var lines = new List<CostLine>
        {
            Line(k, "stream hours", w.HoursPerMonth, "kinesis.onDemandStreamHours", "on-demand stream, all month"),
            Line(k, "data ingested", ingestedGb, "kinesis.onDemandIngested", F($"{rate:#,0.###} records/s of {bytes:0} B, billed as {billedKb:0} KB each")),
            Line(k, "data retrieved", ingestedGb * consumers, "kinesis.onDemandRetrieved", F($"{consumers} shared-throughput consumer(s) (event source mappings) read every record")),
        };
        if (retention > 24)
        {
            lines.Add(Line(k, "extended retention", perHourGb * Math.Min(retention, 168) - perHourGb * 24, "kinesis.onDemandExtendedRetention",
                F($"retention_period {retention:0} h: the data of {Math.Min(retention, 168) - 24:0} h beyond 24 h")));
        }

        if (retention > 168)
        {
            lines.Add(Line(k, "long-term retention", perHourGb * (retention - 168), "kinesis.onDemandLongTermRetention", F($"the data of {retention - 168:0} h beyond 7 days")));
        }

        return lines;
    }

    // ---- Lambda ---------------------------------------------------------------------------------------------

    private IReadOnlyList<CostLine> LambdaFunction(StackResource f)
    {
        var load = w.Load(f);
        var memory = f.Num("memory_size") ?? 128;
        var arm = f.Items("architectures").Any(a => a is JsonValue v && v.GetValueKind() == JsonValueKind.String && v.GetValue<string>() == "arm64");
        var invocations = load.InvocationsPerSecond * w.SecondsPerMonth;
        var lines = new List<CostLine>
        {
            Line(f, "requests", invocations, "lambda.requests", load.Basis),
            Line(f, "duration", invocations * load.MsPerInvocation / 1000 * memory / 1024, arm ? "lambda.durationArm" : "lambda.durationX86",
                F($"{invocations:#,0} invocations x {load.MsPerInvocation:#,0.#} ms x {memory:0} MB (memory_size, {(arm ? "arm64" : "x86_64")})")),
        };
        if (f.Str("tracing_config.mode") == "Active")
        {
            // Lambda's active tracing samples at a fixed rate that no sampling rule changes: the first request each
            // second and 5% of the rest (Lambda developer guide, "Visualize Lambda function invocations using AWS X-Ray").
            var perSecond = load.InvocationsPerSecond;
            var traced = TracedPerSecond(perSecond);
            lines.Add(Line(f, "traces recorded", traced * w.SecondsPerMonth, "xray.tracesRecorded",
                F($"active tracing at Lambda's fixed rate: the first invocation each second + 5% of the rest ({perSecond:#,0.##} invocations/s)")));
        }

        return lines;
    }

    // ---- S3 -------------------------------------------------------------------------------------------------

    /// <summary>Objects a bucket receives per day and their size; or a fixed stored size.</summary>
    private (double ObjectsPerDay, double ObjectBytes, double FixedGb, double PutsPerMonth, string Basis) BucketWork(StackResource b)
    {
        var name = w.Logical(b.Str("bucket"));
        var fraudPerDay = w.FraudPerSecond * 86400;
        switch (name)
        {
            case "decision-trails":
            case "audit-logs":
            {
                var bytes = A($"s3.{name}.objectBytes", b);
                return (fraudPerDay, bytes, 0, fraudPerDay * w.DaysPerMonth, F($"one {bytes:0} B object per fraud event ({fraudPerDay:#,0.#}/day, alert handler)"));
            }
            case "models":
                return (0, 0, A("s3.models.storedGigabytes", b), A("s3.models.putsPerMonth", b), "model artifacts (assumed size)");
            case "quarantine":
            {
                // Only quarantined records too large for a queue message (over about 190 KiB of data) are written here.
                var share = A("sqs.deadLetterShare", b) * A("s3.quarantine.largeShare", b);
                var perDay = w.Tps * 86400 * share;
                var bytes = A("s3.quarantine.objectBytes", b);
                return (perDay, bytes, 0, perDay * w.DaysPerMonth, F($"{share:0.#######} of transactions quarantined with a record too large for a message ({perDay:#,0.##}/day, stream processor), {bytes:#,0} B each"));
            }
            case "access-logs":
            {
                var sources = w.Stack.OfType("aws_s3_bucket_logging").Where(l => w.Stack.Resolve(l.Str("target_bucket")) == b)
                    .Select(l => w.Stack.Resolve(l.Str("bucket"))).Where(s => s is not null && s != b).ToList();
                var requestsPerDay = sources.Sum(s => BucketWork(s!).PutsPerMonth) / w.DaysPerMonth;
                var perRequest = A("s3.accessLogBytesPerRequest", b);
                var objectsPerDay = sources.Count * A("s3.accessLogObjectsPerHour", b) * 24;
                var bytes = objectsPerDay > 0 ? requestsPerDay * perRequest / objectsPerDay : 0;
                return (objectsPerDay, bytes, 0, 0, F($"server access logs of {sources.Count} bucket(s): {requestsPerDay:#,0} requests/day x {perRequest:0} B, delivered as {objectsPerDay:#,0} objects/day (delivery is not billed as PUTs)"));
            }
            case "failed-batches":
            {
                // Invocation records of discarded batches: rare by design (only after every retry up to the record age).
                var perDay = A("s3.failed-batches.objectsPerDay", b);
                var mapping = w.Stack.OfType("aws_lambda_event_source_mapping").FirstOrDefault(m => m.Str("destination_config.on_failure.destination_arn") is { } d && w.Stack.Resolve(d) == b);
                var batch = mapping?.Num("batch_size") ?? 100;
                var bytes = batch * w.Traffic.RecordSizeBytes * 4 / 3 + A("s3.failed-batches.metadataBytes", b);
                return (perDay, bytes, 0, perDay * w.DaysPerMonth, F($"{perDay:0.#} discarded batch(es)/day (assumed), each {batch:0} records x {w.Traffic.RecordSizeBytes} B base64 in one invocation record"));
            }
            case "knowledge-base":
            case "kb-documents":
            case "knowledge-base-documents":
                return (0, 0, w.Traffic.KnowledgeBaseMegabytes / 1024, 0, F($"knowledge-base documents, {w.Traffic.KnowledgeBaseMegabytes} MB (traffic.knowledgeBaseMegabytes)"));
            default:
                throw new CostDataException($"{w.Stack.File}: bucket {b.Str("bucket")} ({b.Address}) has no workload model. " +
                                            "Fix: add what it receives per day to CostModels.BucketWork (tools/Cost/CostModels.cs).");
        }
    }

    private IReadOnlyList<CostLine> S3Bucket(StackResource b)
    {
        var work = BucketWork(b);
        var lines = new List<CostLine>();
        if (work.FixedGb > 0 || work.ObjectsPerDay <= 0)
        {
            lines.Add(Line(b, "Standard storage", work.FixedGb, "s3.standard", work.Basis));
            lines.Add(Line(b, "PUT requests", work.PutsPerMonth, "s3.putRequests", work.Basis));
            return lines;
        }

        // The lifecycle of current versions: transitions (day, class) and expiration, from the stack.
        var lifecycle = w.Stack.OfType("aws_s3_bucket_lifecycle_configuration").FirstOrDefault(l => w.Stack.Resolve(l.Str("bucket")) == b);
        var transitions = new List<(double Day, string Class)>();
        double? expiration = null;
        foreach (var rule in lifecycle?.Items("rule") ?? [])
        {
            if (rule is JsonObject o && o.TryGetPropertyValue("status", out var st) && st?.GetValue<string>() != "Enabled")
            {
                continue;
            }

            foreach (var t in Blocks(rule, "transition"))
            {
                transitions.Add((t!["days"]!.GetValue<double>(), t["storage_class"]!.GetValue<string>()));
            }

            foreach (var e in Blocks(rule, "expiration"))
            {
                if (e?["days"] is JsonValue d && d.GetValueKind() == JsonValueKind.Number)
                {
                    expiration = Math.Min(expiration ?? double.MaxValue, d.GetValue<double>());
                }
            }
        }

        var lockDays = w.Stack.OfType("aws_s3_bucket_object_lock_configuration").Where(l => w.Stack.Resolve(l.Str("bucket")) == b)
            .Select(l => l.Num("rule.default_retention.days")).FirstOrDefault(d => d is not null);
        string horizonNote;
        double end;
        if (expiration is { } exp)
        {
            end = Math.Max(exp, lockDays ?? 0);
            horizonNote = F($"expired after {end:0} days (lifecycle{(lockDays is { } ld ? F($", Object Lock {ld:0} days") : "")}); steady state once the first objects expire");
        }
        else
        {
            end = 365;
            horizonNote = "no expiration: storage after one year shown (it keeps growing)";
        }

        var stages = new List<(double From, double To, string Class)>();
        var start = 0d;
        var cls = "STANDARD";
        foreach (var (day, next) in transitions.OrderBy(t => t.Day))
        {
            if (day >= end)
            {
                break;
            }

            stages.Add((start, day, cls));
            lines.Add(Line(b, F($"transitions to {next}"), work.ObjectsPerDay * w.DaysPerMonth, TransitionKey(next, b),
                F($"every object moves to {next} on day {day:0}")));
            (start, cls) = (day, next);
        }

        stages.Add((start, end, cls));
        var size = work.ObjectBytes;
        var minIa = A("s3.minimumBillableBytesIa", b);
        foreach (var (from, to, c) in stages)
        {
            var objects = work.ObjectsPerDay * (to - from);
            var basis = F($"{work.Basis}; {objects:#,0} objects in {c} (days {from:0}-{to:0}); {horizonNote}");
            switch (c)
            {
                case "STANDARD":
                    lines.Add(Line(b, "Standard storage", objects * size / Gb, "s3.standard", basis));
                    break;
                case "STANDARD_IA":
                    lines.Add(Line(b, "Standard-IA storage", objects * Math.Max(size, minIa) / Gb, "s3.standardIa", basis + F($"; billed at least {minIa / 1024:0} KB per object")));
                    break;
                case "GLACIER_IR":
                    lines.Add(Line(b, "Glacier Instant Retrieval storage", objects * Math.Max(size, minIa) / Gb, "s3.glacierInstant", basis + F($"; billed at least {minIa / 1024:0} KB per object")));
                    break;
                case "GLACIER":
                case "DEEP_ARCHIVE":
                    var overhead = A("s3.glacierOverheadBytes", b);
                    var stdOverhead = A("s3.glacierStandardOverheadBytes", b);
                    lines.Add(Line(b, c == "GLACIER" ? "Glacier Flexible Retrieval storage" : "Deep Archive storage", objects * (size + overhead) / Gb,
                        c == "GLACIER" ? "s3.glacierFlexible" : "s3.deepArchive", basis + F($"; + {overhead / 1024:0} KB per object of index")));
                    lines.Add(Line(b, F($"{c} object metadata at Standard"), objects * stdOverhead / Gb, "s3.standard", F($"{stdOverhead / 1024:0} KB per archived object")));
                    break;
                default:
                    throw new CostDataException($"{w.Stack.File}: {lifecycle?.Address} moves objects to {c}, which has no price model. Fix: add it to CostModels.S3Bucket.");
            }
        }

        lines.Add(Line(b, "PUT requests", work.PutsPerMonth, "s3.putRequests", work.Basis));
        if (transitions.Count > 0)
        {
            // What the same objects would cost if they stayed in STANDARD until they expire.
            var standardOnly = work.ObjectsPerDay * end * size / Gb * prices.Get("s3.standard", b.Type).UnitUsd;
            var withLifecycle = lines.Where(l => l.Item != "PUT requests").Sum(l => l.MonthlyUsd);
            if (withLifecycle > 1.1 * standardOnly && withLifecycle - standardOnly >= 1)
            {
                Findings.Add(F($"{b.Str("bucket")}: the lifecycle transitions and archive classes cost ${withLifecycle:#,0.00}/month, keeping the {size:#,0} B objects in STANDARD until they expire would cost ${standardOnly:#,0.00}: small objects are billed at least {minIa / 1024:0} KB in STANDARD_IA, carry {(A("s3.glacierOverheadBytes", b) + A("s3.glacierStandardOverheadBytes", b)) / 1024:0} KB of overhead in GLACIER, and every transition is a request. Drop the transitions, or bundle the objects (e.g. daily archives) before they move."));
            }
        }

        return lines;
    }

    private static IEnumerable<JsonNode?> Blocks(JsonNode? e, string name) =>
        e is JsonObject o && o.TryGetPropertyValue(name, out var v) ? v is JsonArray a ? a : [v] : [];

    private static string TransitionKey(string storageClass, StackResource b) => storageClass switch
    {
        "STANDARD_IA" => "s3.transitionToStandardIa",
        "GLACIER" => "s3.transitionToGlacierFlexible",
        "GLACIER_IR" => "s3.transitionToGlacierInstant",
        "DEEP_ARCHIVE" => "s3.transitionToDeepArchive",
        _ => throw new CostDataException($"{b.Address}: lifecycle transition to {storageClass} has no price model. Fix: add it to CostModels.TransitionKey."),
    };

    // ---- CloudWatch, X-Ray ----------------------------------------------------------------------------------

    private IReadOnlyList<CostLine> Alarm(StackResource a)
    {
        var queries = a.Items("metric_query").Count(q => q is JsonObject o && o.ContainsKey("metric"));
        var metrics = Math.Max(1, queries);
        var highRes = (a.Num("period") ?? 60) < 60;
        return [Line(a, "alarm metrics", metrics, highRes ? "cloudwatch.highResolutionAlarmMetric" : "cloudwatch.standardAlarmMetric",
            F($"{metrics} metric(s), period {a.Num("period") ?? 60:0} s ({(highRes ? "high" : "standard")} resolution)"))];
    }

    private IReadOnlyList<CostLine> LogGroup(StackResource g)
    {
        var name = g.Str("name") ?? "";
        var function = w.Stack.OfType("aws_lambda_function").FirstOrDefault(f => name == "/aws/lambda/" + f.Str("function_name"))
            ?? throw new CostDataException($"{w.Stack.File}: log group {name} ({g.Address}) belongs to no function of the stack, so its volume is unknown. Fix: add its source to CostModels.LogGroup.");
        var load = w.Load(function);
        var logical = w.Logical(function.Str("function_name"));
        var perInvocation = A("lambda.logBytesPerInvocation", g);
        var isBatch = w.Stack.OfType("aws_lambda_event_source_mapping").Any(m => w.Stack.Resolve(m.Str("function_name")) == function);
        var perRecord = isBatch ? A("lambda.logBytesPerRecord", g) : A("lambda.logBytesPerEvent", g);
        var perBatch = isBatch ? A("lambda.logBytesPerBatch", g) : 0;
        var bytesPerSecond = load.InvocationsPerSecond * (perInvocation + perBatch) + load.RecordsPerSecond * perRecord;
        var ingestedGb = bytesPerSecond * w.SecondsPerMonth / Gb;
        var retentionDays = g.Num("retention_in_days") ?? 0;
        var keptMonths = retentionDays > 0 ? retentionDays / w.DaysPerMonth : 12;
        var compression = A("cloudwatch.logsCompression", g);
        var lines = new List<CostLine>
        {
            Line(g, "logs ingested", ingestedGb, "cloudwatch.logsIngested",
                F($"{logical}: {load.InvocationsPerSecond * w.SecondsPerMonth:#,0} invocations x {perInvocation + perBatch:0} B + {load.RecordsPerSecond * w.SecondsPerMonth:#,0} records/events x {perRecord:0} B")),
            Line(g, "logs stored", ingestedGb * keptMonths * compression, "cloudwatch.logsStored",
                retentionDays > 0 ? F($"retention_in_days {retentionDays:0}: {keptMonths:0.#} months of logs, stored at {compression:0.##} of their size")
                                  : F($"no retention: one year of logs shown, at {compression:0.##} of their size")),
        };
        // The metrics the function's code emits, as the stack declares them ("//".emits_metrics, from
        // functions/Shared/Metrics/PlatformMetrics.cs): one custom metric per name and dimension values; the Environment
        // dimension has one value per stack, any other dimension the number of values the assumptions give it.
        var emitted = function.Items("//.emits_metrics");
        if (emitted.Count > 0)
        {
            var count = 0.0;
            var other = new SortedSet<string>(StringComparer.Ordinal);
            foreach (var m in emitted)
            {
                var combinations = 1.0;
                foreach (var d in m!["dimensions"]!.AsArray().Select(x => x?.GetValue<string>()!).Where(d => d != "Environment"))
                {
                    combinations *= A($"cloudwatch.emfDimensionValues.{d}", g);
                    other.Add(d);
                }

                count += combinations;
            }

            lines.Add(Line(g, "EMF custom metrics", count, "cloudwatch.customMetric",
                F($"{count:0} metric x dimension combinations the function declares (\"//\".emits_metrics: {emitted.Count} metric(s){(other.Count > 0 ? ", values of " + string.Join(", ", other) + " from the assumptions" : "")})")));
        }

        return lines;
    }

    // ---- KMS, SQS, SNS, EventBridge, Pipes ------------------------------------------------------------------

    private IReadOnlyList<CostLine> KmsKey(StackResource k)
    {
        var users = w.Stack.Referencing(k).Count(r => r.Type is not ("aws_kms_alias" or "aws_iam_role_policy" or "aws_iam_policy" or "aws_iam_role"));
        var calls = A("kms.callsPerResourcePerMonth", k) * A("kms.callersPerResource", k);
        return
        [
            Line(k, "key", 1, "kms.customerManagedKey", k.Bool("enable_key_rotation") == true ? "customer-managed key, rotation on" : "customer-managed key"),
            Line(k, "requests", users * calls, "kms.requests", F($"{users} resources encrypt with it x {calls:#,0} requests a month (data keys cached 5 minutes, per caller)")),
        ];
    }

    private IReadOnlyList<CostLine> Queue(StackResource q)
    {
        var share = A("sqs.deadLetterShare", q);
        var messages = w.Tps * share * w.SecondsPerMonth;
        return [Line(q, "requests", messages, "sqs.standardRequests", F($"{share:0.####} of transactions dead-lettered (one SendMessage each); nothing polls the queue, the alarm reads CloudWatch"))];
    }

    private IReadOnlyList<CostLine> Topic(StackResource t)
    {
        var (fromRules, alarms) = TopicPublishes(t);
        return [Line(t, "publishes", fromRules + alarms, "sns.publishes",
            F($"{fromRules:#,0} events from rules + {alarms:0} alarm notifications; deliveries priced on each aws_sns_topic_subscription"))];
    }

    /// <summary>Messages published to a topic per month: events of the rules that target it, and alarm notifications.</summary>
    private (double FromRules, double Alarms) TopicPublishes(StackResource t)
    {
        var fromRules = w.Stack.OfType("aws_cloudwatch_event_target").Where(e => w.Stack.Resolve(e.Str("arn")) == t)
            .Sum(e => w.RuleRate(w.Stack.Resolve(e.Str("rule")) ?? throw w.Unresolved(e, "rule"))) * w.SecondsPerMonth;
        var alarms = w.Stack.OfType("aws_cloudwatch_metric_alarm").Any(a => a.ReferencesAddress(t.Address))
            ? A("sns.alarmNotificationsPerMonth", t) : 0;
        return (fromRules, alarms);
    }

    /// <summary>
    /// One delivery per message published to the subscribed topic (no filter policies). SNS bills e-mail and HTTP/S
    /// deliveries; deliveries to SQS and Lambda cost nothing on the SNS side (the queue or function bills its own requests,
    /// in the account that owns it).
    /// </summary>
    private IReadOnlyList<CostLine> Subscription(StackResource s)
    {
        var topic = w.Stack.Resolve(s.Str("topic_arn")) ?? throw w.Unresolved(s, "topic_arn");
        var (fromRules, alarms) = TopicPublishes(topic);
        var deliveries = fromRules + alarms;
        var basis = F($"one per message published to {topic.Str("name")} ({fromRules:#,0} events + {alarms:0} alarm notifications)");
        return s.Str("protocol") switch
        {
            "email" or "email-json" => [Line(s, "e-mail deliveries", deliveries, "sns.emailDeliveries", basis)],
            "http" or "https" => [Line(s, "HTTP/S deliveries", deliveries, "sns.httpDeliveries", basis)],
            var p => [new CostLine("deliveries", deliveries, new Price("sns.deliveriesToAwsServices", 0, 1, $"{p} deliveries (free on the SNS side)"),
                basis + "; the receiver bills its own requests")],
        };
    }

    private IReadOnlyList<CostLine> Bus(StackResource bus)
    {
        var pipes = w.Stack.OfType("aws_pipes_pipe").Where(p => w.Stack.Resolve(p.Str("target")) == bus).ToList();
        var events = pipes.Sum(w.PipeRate) * w.SecondsPerMonth;
        return [Line(bus, "custom events", events, "eventbridge.customEvents", F($"events put by {pipes.Count} pipe(s): TransactionReceived per transaction, FraudDetected per fraud event"))];
    }

    private IReadOnlyList<CostLine> Pipe(StackResource p)
    {
        var rate = w.PipeRate(p);
        return [Line(p, "requests", rate * w.SecondsPerMonth, "pipes.requests",
            F($"{rate:#,0.####} {p.Str("target_parameters.eventbridge_event_bus_parameters.detail_type")} events/s pass the filter (filtered-out records are not billed)"))];
    }

    // ---- Bedrock, OpenSearch Serverless ---------------------------------------------------------------------

    private IReadOnlyList<CostLine> Agent(StackResource a)
    {
        var model = a.Str("foundation_model") ?? throw new CostDataException($"{w.Stack.File}: {a.Address} has no foundation_model. Fix: set it.");
        var turns = w.AgentTurnsPerMonth;
        var t = w.Traffic;
        var basis = F($"{t.AgentSessionsPerDay} sessions/day x {t.AgentTurnsPerSession} turns x {w.DaysPerMonth:0.#} days");
        return
        [
            Line(a, "input tokens", turns * t.AgentInputTokensPerTurn, $"bedrock.model.{model}.input", basis + F($" x {t.AgentInputTokensPerTurn:#,0} tokens ({model})")),
            Line(a, "output tokens", turns * t.AgentOutputTokensPerTurn, $"bedrock.model.{model}.output", basis + F($" x {t.AgentOutputTokensPerTurn:#,0} tokens ({model})")),
        ];
    }

    private static string ModelId(string arnOrId) => arnOrId.Contains('/') ? arnOrId[(arnOrId.LastIndexOf('/') + 1)..] : arnOrId;

    private IReadOnlyList<CostLine> KnowledgeBase(StackResource kb)
    {
        var arn = kb.Str("knowledge_base_configuration.vector_knowledge_base_configuration.embedding_model_arn")
                  ?? throw new CostDataException($"{w.Stack.File}: {kb.Address} has no embedding_model_arn. Fix: set it.");
        var model = ModelId(arn);
        var queries = w.AgentTurnsPerMonth * w.Traffic.KnowledgeBaseQueriesPerTurn;
        var perQuery = A("bedrock.embeddingTokensPerQuery", kb);
        var documentTokens = w.Traffic.KnowledgeBaseMegabytes * 1024 * 1024 / A("bedrock.bytesPerToken", kb);
        var syncs = A("bedrock.reembeddingsPerMonth", kb);
        return
        [
            Line(kb, "query embeddings", queries * perQuery, $"bedrock.model.{model}.input", F($"{queries:#,0} retrievals a month x {perQuery:0} tokens ({model})")),
            Line(kb, "document embeddings", documentTokens * syncs, $"bedrock.model.{model}.input",
                F($"{w.Traffic.KnowledgeBaseMegabytes} MB of documents / {A("bedrock.bytesPerToken", kb):0} B per token, embedded {syncs:0} time(s) a month")),
        ];
    }

    private IReadOnlyList<CostLine> Guardrail(StackResource g)
    {
        var units = w.AgentTurnsPerMonth * A("bedrock.guardrailTextUnitsPerTurn", g);
        var basis = F($"{w.AgentTurnsPerMonth:#,0} turns a month x {A("bedrock.guardrailTextUnitsPerTurn", g):0} text units");
        var lines = new List<CostLine>();
        if (g.Items("content_policy_config").Count > 0)
        {
            lines.Add(Line(g, "content filters", units, "bedrock.guardrail.contentFilters", basis));
        }

        if (g.Items("topic_policy_config").Count > 0)
        {
            lines.Add(Line(g, "denied topics", units, "bedrock.guardrail.deniedTopics", basis));
        }

        if (g.Items("sensitive_information_policy_config").Any(s => s is JsonObject o && o.ContainsKey("pii_entities_config")))
        {
            lines.Add(Line(g, "sensitive-information filters", units, "bedrock.guardrail.sensitiveInformation", basis + " (PII entities; regexes are free)"));
        }

        if (g.Items("contextual_grounding_policy_config").Count > 0)
        {
            lines.Add(Line(g, "contextual grounding", units, "bedrock.guardrail.contextualGrounding", basis));
        }

        return lines;
    }

    private IReadOnlyList<CostLine> Collection(StackResource c)
    {
        var standby = c.Str("standby_replicas") != "DISABLED";
        var ocus = A(standby ? "opensearch.minimumOcusWithStandby" : "opensearch.minimumOcusWithoutStandby", c);
        var kb = w.Stack.OfType("aws_bedrockagent_knowledge_base").FirstOrDefault(k => k.ReferencesAddress(c.Address));
        var dims = kb?.Num("knowledge_base_configuration.vector_knowledge_base_configuration.embedding_model_configuration.bedrock_embedding_model_configuration.dimensions") ?? 1024;
        var chunkTokens = w.Stack.OfType("aws_bedrockagent_data_source")
            .Select(d => d.Num("vector_ingestion_configuration.chunking_configuration.fixed_size_chunking_configuration.max_tokens")).FirstOrDefault(n => n is not null)
            ?? A("opensearch.chunkTokens", c);
        var bytesPerToken = A("bedrock.bytesPerToken", c);
        var chunks = w.Traffic.KnowledgeBaseMegabytes * 1024 * 1024 / bytesPerToken / chunkTokens;
        var overhead = A("opensearch.indexOverhead", c);
        var gb = chunks * (dims * 4 + chunkTokens * bytesPerToken) * overhead / Gb;
        return
        [
            Line(c, "OCU hours", ocus * w.HoursPerMonth, "opensearchServerless.ocuHours",
                F($"standby_replicas {(standby ? "ENABLED" : "DISABLED")}: the minimum of {ocus:0.#} OCU (indexing and search), all month; more when the index outgrows it")),
            Line(c, "storage", gb, "opensearchServerless.storage", F($"{chunks:#,0} chunks of {chunkTokens:0} tokens x ({dims:0} float32 dimensions + text) x {overhead:0.#} for the index")),
        ];
    }
}
