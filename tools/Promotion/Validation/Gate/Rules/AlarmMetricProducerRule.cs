namespace FraudTf.Promotion.Validation.Gate.Rules;

/// <summary>
/// GATE-CW-001: every metric an alarm watches is produced by something in the stack. CloudWatch identifies a metric by
/// namespace, name and its whole set of dimensions; an alarm on a combination nobody publishes never gets a datapoint,
/// so it sits in INSUFFICIENT_DATA (or OK with treat_missing_data) forever and the failure it watches for goes unseen.
/// AWS namespaces: the resource named by the identifying dimension must exist in the stack (and, for Kinesis consumer
/// metrics, the stream must have a consumer). Custom namespaces: a log metric filter or a function's declared
/// embedded-metric-format metrics (<c>"//".emits_metrics</c>) must produce the same namespace, name and dimension keys.
/// Sources: Amazon CloudWatch User Guide, "Metrics concepts" (Dimensions: "CloudWatch treats each unique combination of
/// dimensions as a separate metric"), "Embedded metric format specification" (each DimensionSet is a metric),
/// "Creating metrics from log events using filters" (metric filter dimensions); the per-namespace sources are in the table.
/// </summary>
public sealed class AlarmMetricProducerRule : GateRule
{
    /// <summary>How an AWS namespace's identifying dimension names a resource of the stack.</summary>
    private sealed record Producer(string ResourceType, string NameArgument, string ArnMarker);

    // Alike on purpose: a data table, one entry per AWS namespace with the document it restates.
    /// <summary>AWS namespaces the rule knows: identifying dimension key -> producing resource, with the document listing the dimension.</summary>
    private static readonly IReadOnlyDictionary<string, (IReadOnlyDictionary<string, Producer> Dimensions, string Source)> AwsNamespaces =
        new Dictionary<string, (IReadOnlyDictionary<string, Producer>, string)>(StringComparer.Ordinal)
        {
            ["AWS/Lambda"] = (new Dictionary<string, Producer> { ["FunctionName"] = new("aws_lambda_function", "function_name", ":function:") },
                "AWS Lambda Developer Guide, \"Types of metrics for Lambda functions\" (dimension FunctionName)"),
            ["AWS/Kinesis"] = (new Dictionary<string, Producer> { ["StreamName"] = new("aws_kinesis_stream", "name", ":stream/") },
                "Amazon Kinesis Data Streams Developer Guide, \"Monitor the Amazon Kinesis Data Streams service with Amazon CloudWatch\" (stream-level metrics, dimension StreamName)"),
            ["AWS/DynamoDB"] = (new Dictionary<string, Producer> { ["TableName"] = new("aws_dynamodb_table", "name", ":table/") },
                "Amazon DynamoDB Developer Guide, \"DynamoDB Metrics and dimensions\" (dimension TableName)"),
            ["AWS/SQS"] = (new Dictionary<string, Producer> { ["QueueName"] = new("aws_sqs_queue", "name", ":") },
                "Amazon SQS Developer Guide, \"Available CloudWatch metrics for Amazon SQS\" (dimension QueueName)"),
            ["AWS/SNS"] = (new Dictionary<string, Producer> { ["TopicName"] = new("aws_sns_topic", "name", ":") },
                "Amazon SNS Developer Guide, \"Monitoring Amazon SNS topics using CloudWatch\" (dimension TopicName)"),
            ["AWS/EventBridge/Pipes"] = (new Dictionary<string, Producer> { ["PipeName"] = new("aws_pipes_pipe", "name", ":pipe/") },
                "Amazon EventBridge User Guide, \"Logging and monitoring Amazon EventBridge Pipes using Amazon CloudWatch Logs\" (CloudWatch metrics, dimension PipeName)"),
            ["AWS/Events"] = (new Dictionary<string, Producer>
                {
                    ["RuleName"] = new("aws_cloudwatch_event_rule", "name", "/"),
                    ["EventBusName"] = new("aws_cloudwatch_event_bus", "name", ":event-bus/"),
                },
                "Amazon EventBridge User Guide, \"Monitoring Amazon EventBridge\" (RuleName alone: default bus; EventBusName and RuleName: custom bus)"),
            ["AWS/S3"] = (new Dictionary<string, Producer> { ["BucketName"] = new("aws_s3_bucket", "bucket", ":::") },
                "Amazon S3 User Guide, \"Metrics and dimensions\" (daily storage metrics BucketSizeBytes and NumberOfObjects with BucketName and " +
                "StorageType; request metrics with BucketName and FilterId, published only for a metrics configuration of that id on the bucket)"),
        };

    /// <summary>The S3 daily storage metrics, which S3 publishes for every bucket; every other AWS/S3 metric is a request metric.</summary>
    private static readonly string[] S3StorageMetrics = ["BucketSizeBytes", "NumberOfObjects"];

    /// <summary>
    /// Kinesis stream metrics that only a reader produces (GetRecords.*, SubscribeToShard*, ReadProvisionedThroughputExceeded):
    /// Kinesis Data Streams Developer Guide, stream-level metrics table.
    /// </summary>
    private static bool IsKinesisConsumerMetric(string name) =>
        name.StartsWith("GetRecords.", StringComparison.Ordinal)
        || name.StartsWith("SubscribeToShard", StringComparison.Ordinal)
        || name == "ReadProvisionedThroughputExceeded";

    /// <inheritdoc />
    public override string Id => "GATE-CW-001";

    /// <inheritdoc />
    public override string Title => "Every alarm's metric (namespace, name, dimension set) is produced by a resource of the stack";

    /// <inheritdoc />
    public override string Source =>
        "Amazon CloudWatch User Guide, \"Metrics concepts\" (each unique combination of dimensions is a separate metric), " +
        "\"Specification: Embedded metric format\" (DimensionSets) and \"Creating metrics from log events using filters\"; " +
        "per-namespace dimension tables in the Lambda, Kinesis Data Streams, DynamoDB, SQS, SNS, EventBridge and S3 guides " +
        "(S3 request metrics: BucketName and FilterId of an aws_s3_bucket_metric)";

    /// <inheritdoc />
    public override string Limits =>
        "That a function really emits what its \"//\".emits_metrics declares is the function's own test's business; a filter's pattern must also match real log lines.";

    /// <inheritdoc />
    public override IEnumerable<GateFinding> Check(GateStack stack)
    {
        foreach (var alarm in stack.OfType("aws_cloudwatch_metric_alarm"))
        {
            foreach (var (ns, name, dimensions) in Metrics(alarm))
            {
                if (Problem(stack, ns, name, dimensions) is { } problem)
                {
                    yield return Finding(alarm, $"Alarm {alarm.Address} ({alarm.String("alarm_name") ?? alarm.ConstructPath ?? alarm.Address}) watches {ns}/{name} " +
                        $"with dimensions [{string.Join(", ", dimensions.Select(d => $"{d.Key}={d.Value}"))}]: {problem}");
                }
            }
        }
    }

    /// <summary>The metrics an alarm watches: its own namespace/metric_name/dimensions, or each metric of its metric_query.</summary>
    private static IEnumerable<(string Namespace, string Name, IReadOnlyList<KeyValuePair<string, JsonNode?>> Dimensions)> Metrics(StackResource alarm)
    {
        if (alarm.String("metric_name") is { } name)
        {
            yield return (alarm.String("namespace") ?? "", name, Dimensions(alarm.Body["dimensions"]));
        }

        foreach (var q in alarm.Body["metric_query"] as JsonArray ?? [])
        {
            var metric = GateStack.At(q, "metric");
            if (metric is null)
            {
                continue;
            }

            if (metric is JsonArray { Count: > 0 } a)
            {
                metric = a[0];
            }

            if (metric?["metric_name"]?.ToString() is { } mname)
            {
                yield return (metric["namespace"]?.ToString() ?? "", mname, Dimensions(metric["dimensions"]));
            }
        }
    }

    private static IReadOnlyList<KeyValuePair<string, JsonNode?>> Dimensions(JsonNode? node) =>
        node is JsonObject o ? o.OrderBy(p => p.Key, StringComparer.Ordinal).ToList() : [];

    /// <summary>Why nothing produces the metric, or null when something does.</summary>
    private static string? Problem(GateStack stack, string ns, string name, IReadOnlyList<KeyValuePair<string, JsonNode?>> dimensions)
    {
        if (ns.StartsWith("AWS/", StringComparison.Ordinal))
        {
            return AwsProblem(stack, ns, name, dimensions);
        }

        var keys = dimensions.Select(d => d.Key).ToList();
        if (Filters(stack).Any(f => f.Namespace == ns && f.Name == name && f.Keys.SequenceEqual(keys))
            || Emitted(stack).Any(e => e.Namespace == ns && e.Name == name && e.Keys.SequenceEqual(keys)))
        {
            return null;
        }

        var near = Filters(stack).Where(f => f.Namespace == ns && f.Name == name).Select(f => $"{f.Resource.Address} with dimension keys [{string.Join(", ", f.Keys)}]")
            .Concat(Emitted(stack).Where(e => e.Namespace == ns && e.Name == name).Select(e => $"{e.Resource.Address} (\"//\".emits_metrics) with dimension keys [{string.Join(", ", e.Keys)}]"))
            .ToList();
        var nearText = near.Count > 0
            ? $" The same name is produced with other dimensions by {string.Join("; ", near)}, which is a different metric."
            : "";
        return "nothing in the stack produces it: no aws_cloudwatch_log_metric_filter has metric_transformation " +
            $"{{namespace \"{ns}\", name \"{name}\", dimension keys [{string.Join(", ", keys)}]}} and no aws_lambda_function declares " +
            "it in \"//\".emits_metrics. CloudWatch treats each dimension set as a separate metric, so the alarm never gets a datapoint " +
            $"and never fires.{nearText} Fix: make the producer emit exactly these dimension keys (EMF DimensionSets / the filter's " +
            "dimensions) and declare it, or change the alarm to the metric that is produced.";
    }

    private static string? AwsProblem(GateStack stack, string ns, string name, IReadOnlyList<KeyValuePair<string, JsonNode?>> dimensions)
    {
        if (!AwsNamespaces.TryGetValue(ns, out var entry))
        {
            return $"GATE-CW-001 has no producer entry for namespace {ns}, so it cannot tell whether anything in the stack publishes it. " +
                "Fix: add the namespace to the rule's table (AlarmMetricProducerRule.AwsNamespaces) with its identifying dimension, " +
                "the resource type that produces it and the AWS document listing the dimension.";
        }

        var problems = new List<string>();
        foreach (var (key, value) in dimensions)
        {
            if (!entry.Dimensions.TryGetValue(key, out var producer))
            {
                continue;
            }

            var resource = stack.OfType(producer.ResourceType).FirstOrDefault(r => GateQueries.Designates(value, r, producer.NameArgument, producer.ArnMarker));
            if (resource is null)
            {
                problems.Add($"no {producer.ResourceType} in the stack has {producer.NameArgument} \"{value}\" (nor is it referenced), so nothing publishes " +
                    $"this metric ({entry.Source}). Fix: name an existing resource in dimension {key} (a reference such as " +
                    $"${{{producer.ResourceType}.<name>.{producer.NameArgument}}} keeps them in step), or remove the alarm.");
                continue;
            }

            if (ns == "AWS/Events" && key == "RuleName" && !dimensions.Any(d => d.Key == "EventBusName")
                && resource.Body["event_bus_name"] is { } bus && bus.ToString() is { Length: > 0 } busName && busName != "default")
            {
                problems.Add($"rule {resource.Address} is on event bus {busName}, and a metric with RuleName alone is the default bus's " +
                    $"({entry.Source}). Fix: add dimension EventBusName = the bus's name.");
            }

            if (ns == "AWS/S3" && key == "BucketName" && !S3StorageMetrics.Contains(name) && S3RequestMetricsProblem(stack, resource, dimensions) is { } s3)
            {
                problems.Add($"{s3} ({entry.Source}).");
            }

            if (ns == "AWS/Kinesis" && IsKinesisConsumerMetric(name) && !HasConsumer(stack, resource))
            {
                problems.Add($"{name} is published only when a consumer reads stream {resource.Address}, and nothing in the stack reads it " +
                    "(no aws_lambda_event_source_mapping event_source_arn, aws_pipes_pipe source or aws_kinesis_firehose_delivery_stream " +
                    $"kinesis_source_configuration refers to it) ({entry.Source}). Fix: alarm on a producer-side metric " +
                    "(IncomingRecords, WriteProvisionedThroughputExceeded), add the consumer, or remove the alarm.");
            }
        }

        return problems.Count == 0 ? null : string.Join(" ", problems);
    }

    /// <summary>
    /// Why no S3 request metric with these dimensions is published: request metrics exist only for a metrics configuration
    /// (<c>aws_s3_bucket_metric</c>) of the bucket whose name is the alarm's <c>FilterId</c>.
    /// </summary>
    private static string? S3RequestMetricsProblem(GateStack stack, StackResource bucket, IReadOnlyList<KeyValuePair<string, JsonNode?>> dimensions)
    {
        var configs = stack.OfType("aws_s3_bucket_metric").Where(m => GateQueries.Designates(m.Body["bucket"], bucket, "bucket", ":::")).ToList();
        var filter = dimensions.FirstOrDefault(d => d.Key == "FilterId").Value;
        if (filter is null)
        {
            return $"S3 request metrics are published per metrics configuration, with dimensions BucketName and FilterId; this alarm has no FilterId, so it never " +
                $"gets a datapoint. Fix: add dimension FilterId = the name of an aws_s3_bucket_metric of {bucket.Address}" +
                (configs.Count > 0 ? $" ({string.Join(", ", configs.Select(c => c.String("name")))})" : " (create one, e.g. filtered by prefix)");
        }

        if (configs.Any(c => c.IsReferencedBy(filter) || (filter is JsonValue v && v.TryGetValue<string>(out var id) && id == c.String("name"))))
        {
            return null;
        }

        return $"no aws_s3_bucket_metric of {bucket.Address} is named \"{filter}\", so S3 publishes no request metrics with FilterId \"{filter}\"" +
            (configs.Count > 0 ? $" (its metrics configurations: {string.Join(", ", configs.Select(c => c.String("name")))})" : " (it has no metrics configuration)") +
            ". Fix: create an aws_s3_bucket_metric on the bucket with that name (S3 request metrics), or use the name of an existing one";
    }

    private static bool HasConsumer(GateStack stack, StackResource stream)
    {
        bool Reads(JsonNode? value) =>
            GateQueries.Designates(value, stream, "name", ":stream/")
            || (GateQueries.ReferencedOfType(stack, value, "aws_kinesis_stream_consumer") is { } consumer
                && GateQueries.Designates(consumer.Body["stream_arn"], stream, "name", ":stream/"));

        return stack.OfType("aws_lambda_event_source_mapping").Any(m => Reads(m.Body["event_source_arn"]))
            || stack.OfType("aws_pipes_pipe").Any(p => Reads(p.Body["source"]))
            || stack.OfType("aws_kinesis_firehose_delivery_stream").Any(f => Reads(f.At("kinesis_source_configuration.kinesis_stream_arn")));
    }

    private static IEnumerable<(StackResource Resource, string Namespace, string Name, List<string> Keys)> Filters(GateStack stack) =>
        stack.OfType("aws_cloudwatch_log_metric_filter").Select(f => (
            f,
            f.At("metric_transformation.namespace")?.ToString() ?? "",
            f.At("metric_transformation.name")?.ToString() ?? "",
            (f.At("metric_transformation.dimensions") as JsonObject)?.Select(p => p.Key).Order(StringComparer.Ordinal).ToList() ?? []));

    private static IEnumerable<(StackResource Resource, string Namespace, string Name, List<string> Keys)> Emitted(GateStack stack) =>
        stack.OfType("aws_lambda_function").SelectMany(f => (f.Metadata("emits_metrics") as JsonArray ?? []).OfType<JsonObject>().Select(m => (
            f,
            m["namespace"]?.ToString() ?? "",
            m["name"]?.ToString() ?? "",
            GateStack.Strings(m["dimensions"]).Order(StringComparer.Ordinal).ToList())));
}
