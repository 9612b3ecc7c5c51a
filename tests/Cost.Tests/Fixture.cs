using System.Text.Json.Nodes;
using FraudTf.Config;
using FraudTf.Cost;
using FraudTf.Stacks;

namespace Cost.Tests;

/// <summary>
/// Hand-written stacks, profiles, prices and assumptions with round numbers, so every expected figure in the tests
/// can be computed by hand. Every price is $1 per unit unless a test says otherwise, so a line's USD equals its quantity.
/// </summary>
public static class Fixture
{
    public const double SecondsPerMonth = 730 * 3600; // 2,628,000
    public const double DaysPerMonth = 730 / 24.0;
    public const double Gb = 1024d * 1024 * 1024;

    public static readonly string[] PriceKeys =
    [
        "dynamodb.writeRequestUnits", "dynamodb.readRequestUnits", "dynamodb.storage", "dynamodb.pointInTimeRecovery", "dynamodb.streamReadRequestUnits",
        "kinesis.onDemandStreamHours", "kinesis.onDemandIngested", "kinesis.onDemandRetrieved", "kinesis.onDemandExtendedRetention", "kinesis.onDemandLongTermRetention",
        "lambda.requests", "lambda.durationX86", "lambda.durationArm",
        "s3.standard", "s3.standardIa", "s3.glacierFlexible", "s3.glacierInstant", "s3.deepArchive", "s3.putRequests", "s3.getRequests",
        "s3.transitionToStandardIa", "s3.transitionToGlacierFlexible", "s3.transitionToGlacierInstant", "s3.transitionToDeepArchive",
        "cloudwatch.standardAlarmMetric", "cloudwatch.highResolutionAlarmMetric", "cloudwatch.dashboard", "cloudwatch.customMetric",
        "cloudwatch.logsIngested", "cloudwatch.logsStored", "kms.customerManagedKey", "kms.requests", "sqs.standardRequests", "sns.publishes",
        "sns.emailDeliveries", "sns.httpDeliveries",
        "eventbridge.customEvents", "pipes.requests", "xray.tracesRecorded",
        "bedrock.model.us.anthropic.claude-sonnet-4-5-20250929-v1:0.input", "bedrock.model.us.anthropic.claude-sonnet-4-5-20250929-v1:0.output",
        "bedrock.model.amazon.titan-embed-text-v2:0.input", "bedrock.guardrail.contentFilters", "bedrock.guardrail.deniedTopics",
        "bedrock.guardrail.sensitiveInformation", "bedrock.guardrail.contextualGrounding",
        "opensearchServerless.ocuHours", "opensearchServerless.storage",
        "privatelink.interfaceEndpointAzHours", "privatelink.interfaceDataProcessed", "opensearchServerless.vpcEndpointAzHours",
        "opensearchServerless.vpcEndpointDataProcessed", "vpc.natGatewayHours", "vpc.natGatewayDataProcessed", "vpc.publicIpv4AddressHours",
    ];

    /// <summary>$1 per unit for every key, except <paramref name="overrides"/> (usd, per); <paramref name="without"/> left out.</summary>
    public static PriceBook Prices(IReadOnlyDictionary<string, (double Usd, double Per)>? overrides = null, string? without = null)
    {
        var prices = new JsonObject();
        foreach (var k in PriceKeys.Where(k => k != without))
        {
            var (usd, per) = overrides is not null && overrides.TryGetValue(k, out var o) ? o : (1, 1);
            prices[k] = new JsonObject { ["usd"] = usd, ["per"] = per, ["unit"] = "units" };
        }

        var root = new JsonObject { ["region"] = "us-east-1", ["readOn"] = "2026-11-25", ["source"] = "test", ["prices"] = prices };
        return PriceBook.Parse(root.ToJsonString(), "test-prices.json");
    }

    public static readonly IReadOnlyDictionary<string, double> AssumptionValues = new Dictionary<string, double>
    {
        ["month.hours"] = 730,
        ["lambda.batchMs.stream-processor.first"] = 10,
        ["lambda.batchMs.stream-processor.hundred"] = 109, // 1 ms per extra record
        ["lambda.msPerInvocation.alert-handler"] = 100,
        ["lambda.msPerInvocation.agent-tools"] = 200,
        ["lambda.logBytesPerInvocation"] = 100,
        ["lambda.logBytesPerRecord"] = 10,
        ["lambda.logBytesPerBatch"] = 50,
        ["lambda.logBytesPerEvent"] = 20,
        ["cloudwatch.logsCompression"] = 0.5,
        ["cloudwatch.emfDimensionValues.Reason"] = 4,
        ["dynamodb.transactions.itemOverheadBytes"] = 400,
        ["dynamodb.decisions.itemBytes"] = 500,
        ["dynamodb.user-profiles.itemBytes"] = 1000,
        ["dynamodb.patterns.items"] = 10,
        ["dynamodb.patterns.itemBytes"] = 100,
        ["dynamodb.velocityQueryReadUnits"] = 0.5,
        ["dynamodb.streamPollsPerShardPerSecond"] = 1,
        ["dynamodb.streamShardsPerTable"] = 2,
        ["dynamodb.newTableWriteUnitsPerSecond"] = 4000,
        ["dynamodb.newTableReadUnitsPerSecond"] = 12000,
        ["dynamodb.tableMaxUnitsPerSecond"] = 40000,
        ["dynamodb.partitionWriteUnitsPerSecond"] = 1000,
        ["dynamodb.partitionReadUnitsPerSecond"] = 3000,
        ["kinesis.onDemandInitialWriteBytesPerSecond"] = 4194304,
        ["kinesis.onDemandInitialWriteRecordsPerSecond"] = 4000,
        ["kinesis.onDemandInitialShards"] = 4,
        ["kinesis.shardWriteRecordsPerSecond"] = 1000,
        ["kinesis.shardWriteBytesPerSecond"] = 1048576,
        ["kinesis.onDemandMaxWriteBytesPerSecond"] = 209715200,
        ["kinesis.eventEnvelopeBytes"] = 400,
        ["lambda.accountConcurrency"] = 1000,
        ["s3.decision-trails.objectBytes"] = 2048,
        ["s3.audit-logs.objectBytes"] = 1024,
        ["s3.models.storedGigabytes"] = 2,
        ["s3.models.putsPerMonth"] = 10,
        ["s3.accessLogBytesPerRequest"] = 100,
        ["s3.accessLogObjectsPerHour"] = 1,
        ["s3.glacierOverheadBytes"] = 32768,
        ["s3.glacierStandardOverheadBytes"] = 8192,
        ["s3.minimumBillableBytesIa"] = 131072,
        ["kms.callsPerResourcePerMonth"] = 1000,
        ["kms.callersPerResource"] = 2,
        ["sqs.deadLetterShare"] = 0.01,
        ["sns.alarmNotificationsPerMonth"] = 7,
        ["bedrock.embeddingTokensPerQuery"] = 50,
        ["bedrock.bytesPerToken"] = 4,
        ["bedrock.reembeddingsPerMonth"] = 1,
        ["bedrock.guardrailTextUnitsPerTurn"] = 2,
        ["bedrock.requestsPerMinuteQuota"] = 100,
        ["bedrock.tokensPerMinuteQuota"] = 1_000_000,
        ["bedrock.modelCallsPerTurn"] = 2,
        ["bedrock.peakConcurrentSessionsShare"] = 0.1,
        ["opensearch.minimumOcusWithStandby"] = 2,
        ["opensearch.minimumOcusWithoutStandby"] = 1,
        ["opensearch.chunkTokens"] = 256,
        ["opensearch.indexOverhead"] = 1,
        ["network.requestOverheadBytes"] = 100,
        ["network.quarantineEnvelopeBytes"] = 100,
        ["network.xrayBytesPerTrace"] = 1000,
        ["network.onceCallBytesPerInvocation"] = 1000,
        ["network.natGigabytesPerMonth"] = 30,
    };

    public static AssumptionBook Assumptions(string? without = null, IReadOnlyDictionary<string, double>? overrides = null)
    {
        var values = new JsonObject();
        foreach (var (k, value) in AssumptionValues.Where(a => a.Key != without))
        {
            var v = overrides is not null && overrides.TryGetValue(k, out var o) ? o : value;
            values[k] = new JsonObject { ["value"] = v, ["unit"] = "u", ["source"] = "test" };
        }

        return AssumptionBook.Parse(new JsonObject { ["values"] = values }.ToJsonString(), "test-assumptions.json");
    }

    /// <summary>
    /// The dev environment with a traffic profile: 1 TPS average, 5 peak, 600 B records, fraud rate 0.1, 10 agent
    /// sessions a day of 2 turns (1000 tokens in, 100 out, 1 tool call, 1 retrieval), 1 MB of documents.
    /// </summary>
    public static EnvironmentConfig Environment(Action<JsonObject>? editTraffic = null)
    {
        var traffic = new JsonObject
        {
            ["averageTps"] = 1, ["peakTps"] = 5, ["recordSizeBytes"] = 600, ["fraudRate"] = 0.1, ["activeUsers"] = 1000,
            ["agentSessionsPerDay"] = 10, ["agentTurnsPerSession"] = 2, ["agentInputTokensPerTurn"] = 1000, ["agentOutputTokensPerTurn"] = 100,
            ["agentToolCallsPerTurn"] = 1, ["knowledgeBaseQueriesPerTurn"] = 1, ["knowledgeBaseMegabytes"] = 1,
        };
        editTraffic?.Invoke(traffic);
        var json = new JsonObject
        {
            ["tier"] = "development", ["accountId"] = "111111111111", ["region"] = "us-east-1", ["allowedAccountIds"] = new JsonArray("111111111111"),
            ["costCentre"] = "test", ["state"] = new JsonObject { ["bucket"] = "test-state-dev" }, ["traffic"] = traffic,
            ["notifications"] = new JsonObject
            {
                ["alarms"] = new JsonArray(new JsonObject { ["name"] = "oncall", ["protocol"] = "email", ["endpoint"] = "oncall@example.com" }),
                ["alerts"] = new JsonArray(new JsonObject { ["name"] = "case-intake", ["protocol"] = "sqs", ["endpoint"] = "arn:aws:sqs:us-east-1:111111111111:case-intake" }),
            },
            ["writers"] = new JsonObject
            {
                ["transactions"] = new JsonArray("arn:aws:iam::111111111111:role/producer"),
                ["knowledgeBase"] = new JsonArray("arn:aws:iam::111111111111:role/deployer"),
            },
        };
        var errors = new List<string>();
        return EnvironmentConfigLoader.Parse(json.ToJsonString(), "dev", "environments/dev.json", errors)
               ?? throw new InvalidOperationException(string.Join("\n", errors));
    }

    /// <summary>
    /// The smallest stack with a priced path: the transactions stream (24 h) read by the stream processor
    /// (1024 MB, reserved 3, TTL 10 days) through a mapping of batch 100, window 1 s, parallelization 2.
    /// </summary>
    public static JsonObject BaseStack() => new()
    {
        ["aws_kinesis_stream"] = new JsonObject
        {
            ["tx"] = new JsonObject { ["name"] = "fraud-detection-transactions-dev", ["retention_period"] = 24, ["stream_mode_details"] = new JsonObject { ["stream_mode"] = "ON_DEMAND" } },
        },
        ["aws_lambda_function"] = new JsonObject
        {
            ["sp"] = new JsonObject
            {
                ["function_name"] = "fraud-detection-stream-processor-dev", ["memory_size"] = 1024, ["architectures"] = new JsonArray("x86_64"),
                ["reserved_concurrent_executions"] = 3, ["tracing_config"] = new JsonObject { ["mode"] = "Active" },
                ["environment"] = new JsonObject { ["variables"] = new JsonObject { ["TRANSACTION_TTL_DAYS"] = "10", ["PATTERN_CACHE_SECONDS"] = "60" } },
                // Two metrics by Environment, one by Environment and Reason: 2 + 4 reasons = 6 custom metrics.
                ["//"] = JsonNode.Parse("""
                    {"emits_metrics": [
                      {"namespace": "FraudDetection", "name": "A", "dimensions": ["Environment"]},
                      {"namespace": "FraudDetection", "name": "B", "dimensions": ["Environment"]},
                      {"namespace": "FraudDetection", "name": "C", "dimensions": ["Environment", "Reason"]}]}
                    """),
            },
        },
        ["aws_lambda_event_source_mapping"] = new JsonObject
        {
            ["esm"] = new JsonObject
            {
                ["batch_size"] = 100, ["maximum_batching_window_in_seconds"] = 1, ["parallelization_factor"] = 2,
                ["event_source_arn"] = "${aws_kinesis_stream.tx.arn}", ["function_name"] = "${aws_lambda_function.sp.arn}",
            },
        },
    };

    /// <summary>Adds <paramref name="body"/> as resource <paramref name="type"/>.<paramref name="name"/>.</summary>
    public static JsonObject With(this JsonObject stack, string type, string name, string body)
    {
        if (stack[type] is not JsonObject byName)
        {
            byName = new JsonObject();
            stack[type] = byName;
        }

        byName[name] = JsonNode.Parse(body);
        return stack;
    }

    public static StackDocument Stack(JsonObject resources) =>
        CostStack.Parse(new JsonObject { ["resource"] = resources.DeepClone() }.ToJsonString(), "cdktf.out/stacks/fraud-detection-dev/cdk.tf.json");

    public static CostReport Report(JsonObject resources, EnvironmentConfig? env = null, PriceBook? prices = null, AssumptionBook? assumptions = null) =>
        CostApi.Report(Stack(resources), env ?? Environment(), prices ?? Prices(), assumptions ?? Assumptions());

    public static CostLine Line(this CostReport report, string address, string item) =>
        report.Resources.Single(r => r.Address == address).Lines.Single(l => l.Item == item);

    /// <summary>The repository root (the folder holding cdktf.json).</summary>
    public static string RepoRoot()
    {
        var dir = new DirectoryInfo(TestContext.CurrentContext.TestDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "cdktf.json")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("cdktf.json not found above the test directory");
    }
}
