using System.Text.Json.Nodes;
using FraudTf.Tests.Support;

namespace FraudTf.Tests.Monitoring;

/// <summary>Alarms, dashboard, metric filters and topic as synthesized.</summary>
[TestFixture]
public class MonitoringStackTests
{

    private static JsonObject Stack(string env) => Synth.Shared.Stack($"fraud-detection-{env}");

    private static string Ref(JsonObject stack, string type, string path, string attribute) => $"${{{stack.Address(type, path)}.{attribute}}}";

    /// <summary>The names of the resources a dimension may refer to, by dimension key.</summary>
    private static Dictionary<string, HashSet<string>> ResourcesByDimension(JsonObject stack, string env)
    {
        HashSet<string> Names(string type, string attribute) =>
            stack.Resources(type).Values.Select(r => r[attribute]!.GetValue<string>()).ToHashSet();
        return new Dictionary<string, HashSet<string>>
        {
            ["FunctionName"] = Names("aws_lambda_function", "function_name"),
            ["StreamName"] = Names("aws_kinesis_stream", "name"),
            ["TableName"] = Names("aws_dynamodb_table", "name"),
            ["QueueName"] = Names("aws_sqs_queue", "name"),
            ["PipeName"] = Names("aws_pipes_pipe", "name"),
            ["BucketName"] = Names("aws_s3_bucket", "bucket"),
            ["FilterId"] = Names("aws_s3_bucket_metric", "name"),
            ["Environment"] = [env],
        };
    }

    [TestCaseSource(typeof(TestEnvironments), nameof(TestEnvironments.All))]
    public void AlarmCount_IsWhatEachResourceKindGets_AndAtLeastFifteen(string env)
    {
        var stack = Stack(env);
        // 3 per function that runs with traffic (not the two apply-time setup functions), 2 per table, write throttles per
        // stream, iterator age per consumed stream, the DLQ, 2 pipes, 5 custom (one is corrupt stored rows).
        var expected = 3 * stack.Resources("aws_lambda_function").Count(f => f.Value["function_name"]!.GetValue<string>() is var n && !n.Contains("-setup-") && !n.Contains("-sync-"))
                       + 2 * stack.Resources("aws_dynamodb_table").Count + stack.Resources("aws_kinesis_stream").Count
                       + stack.Resources("aws_lambda_event_source_mapping").Count + 1 + stack.Resources("aws_pipes_pipe").Count + 5
                       + stack.Resources("aws_s3_bucket_metric").Count; // new objects in the failed-batches bucket
        Assert.That(stack.Resources("aws_cloudwatch_metric_alarm"), Has.Count.EqualTo(expected).And.Count.GreaterThanOrEqualTo(15));
    }

    [TestCaseSource(typeof(TestEnvironments), nameof(TestEnvironments.All))]
    public void IteratorAgeAlarm_OnlyOnStreamsThatHaveAConsumer(string env)
    {
        var stack = Stack(env);
        var ages = stack.Resources("aws_cloudwatch_metric_alarm").Select(a => a.Value)
            .Where(a => a["metric_name"]!.GetValue<string>() == "GetRecords.IteratorAgeMilliseconds")
            .Select(a => a["dimensions"]!["StreamName"]!.GetValue<string>()).ToList();

        // The events stream has no consumer in the stack: GetRecords.IteratorAgeMilliseconds would never have a data point.
        Assert.That(ages, Is.EqualTo(new[] { $"fraud-detection-transactions-{env}" }));
    }

    [TestCaseSource(typeof(TestEnvironments), nameof(TestEnvironments.All))]
    public void EveryAlarm_WatchesExactlyOneExistingResource(string env)
    {
        var stack = Stack(env);
        var known = ResourcesByDimension(stack, env);
        foreach (var (id, alarm) in stack.Resources("aws_cloudwatch_metric_alarm"))
        {
            var dims = alarm["dimensions"]!.AsObject();
            if (alarm["namespace"]!.GetValue<string>() == "AWS/S3")
            {
                // S3 request metrics: the bucket and the id of its metrics configuration (S3 user guide, "Metrics and dimensions").
                Assert.That(dims.Select(d => d.Key).Order(), Is.EqualTo(new[] { "BucketName", "FilterId" }), id);
                Assert.That(stack.Resources("aws_s3_bucket").Values.Select(b => b["bucket"]!.GetValue<string>()), Does.Contain(dims["BucketName"]!.GetValue<string>()), id);
                Assert.That(stack.Resources("aws_s3_bucket_metric").Values.Select(b => b["name"]!.GetValue<string>()), Does.Contain(dims["FilterId"]!.GetValue<string>()), id);
                continue;
            }

            Assert.That(dims, Has.Count.EqualTo(1), $"{id}: one dimension, one resource");
            foreach (var (key, value) in dims)
            {
                Assert.That(known.ContainsKey(key), Is.True, $"{id}: unknown dimension {key}");
                Assert.That(known[key], Does.Contain(value!.GetValue<string>()), $"{id}: {key} = {value} names no resource of this stack");
            }
        }
    }

    [TestCaseSource(typeof(TestEnvironments), nameof(TestEnvironments.All))]
    public void EveryAlarm_NotifiesTheEncryptedAlarmTopicOnAlarmAndOk(string env)
    {
        var stack = Stack(env);
        var topic = Ref(stack, "aws_sns_topic", "/monitoring/alarm-topic/this", "arn");
        foreach (var (id, a) in stack.Resources("aws_cloudwatch_metric_alarm"))
        {
            Assert.Multiple(() =>
            {
                Assert.That(a["actions_enabled"]!.GetValue<bool>(), Is.True, id);
                Assert.That(a["alarm_actions"]!.AsArray().Select(x => x!.GetValue<string>()), Is.EqualTo(new[] { topic }), id);
                Assert.That(a["ok_actions"]!.AsArray().Select(x => x!.GetValue<string>()), Is.EqualTo(new[] { topic }), id);
                Assert.That(a["treat_missing_data"]!.GetValue<string>(), Is.AnyOf("notBreaching", "breaching", "missing", "ignore"), id);
                Assert.That(a["alarm_description"]!.GetValue<string>(), Does.Contain("Check").Or.Contain("Read").Or.Contain("Compare"), id);
                Assert.That(a["alarm_name"]!.GetValue<string>(), Does.StartWith("fraud-detection-").And.EndWith($"-{env}"), id);
                Assert.That(a["statistic"] is null ^ a["extended_statistic"] is null, Is.True, $"{id}: statistic or percentile, not both");
            });
        }

        var topicResource = stack.Resource("aws_sns_topic", "/monitoring/alarm-topic/this");
        Assert.That(topicResource["name"]!.GetValue<string>(), Is.EqualTo($"fraud-detection-alarms-{env}"));
        Assert.That(topicResource["kms_master_key_id"]!.GetValue<string>(), Is.EqualTo(Ref(stack, "aws_kms_key", "/keys/messaging/this", "arn")));
        var policy = JsonNode.Parse(stack.Resource("aws_sns_topic_policy", "/monitoring/alarm-topic/policy")["policy"]!.GetValue<string>())!;
        var allow = policy["Statement"]!.AsArray().Single(s => s!["Sid"]!.GetValue<string>() == "AllowAlarms")!;
        Assert.That(allow["Principal"]!["Service"]!.GetValue<string>(), Is.EqualTo("cloudwatch.amazonaws.com"));
        Assert.That(allow["Condition"]!["ArnEquals"]!["aws:SourceArn"]!.AsArray(), Has.Count.EqualTo(stack.Resources("aws_cloudwatch_metric_alarm").Count));
    }

    [Test]
    public void Thresholds_ComeFromConfigPerEnvironment()
    {
        var dev = Stack("dev").Resource("aws_cloudwatch_metric_alarm", "/monitoring/transactions-stream-iterator-age");
        var prod = Stack("prod").Resource("aws_cloudwatch_metric_alarm", "/monitoring/transactions-stream-iterator-age");
        var p99 = Stack("dev").Resource("aws_cloudwatch_metric_alarm", "/monitoring/stream-processor-duration-p99");

        Assert.That(dev["threshold"]!.GetValue<double>(), Is.EqualTo(60000));
        Assert.That(prod["threshold"]!.GetValue<double>(), Is.EqualTo(30000));
        Assert.That(dev["dimensions"]!["StreamName"]!.GetValue<string>(), Is.EqualTo("fraud-detection-transactions-dev"));
        Assert.That(p99["extended_statistic"]!.GetValue<string>(), Is.EqualTo("p99"));
        Assert.That(p99["threshold"]!.GetValue<double>(), Is.EqualTo(48000), "0.8 of the 60 s timeout");
    }

    [Test]
    public void CustomMetricAlarms_UseTheFraudDetectionNamespaceAndTheEnvironmentDimension()
    {
        var stack = Stack("prod");
        foreach (var id in new[] { "fraud-spike", "processing-latency-p99", "rejected-records", "no-transactions-processed" })
        {
            var a = stack.Resource("aws_cloudwatch_metric_alarm", $"/monitoring/{id}");
            Assert.That(a["namespace"]!.GetValue<string>(), Is.EqualTo("FraudDetection"), id);
            Assert.That(a["dimensions"]!["Environment"]!.GetValue<string>(), Is.EqualTo("prod"), id);
        }

        Assert.That(stack.Resource("aws_cloudwatch_metric_alarm", "/monitoring/fraud-spike")["threshold"]!.GetValue<double>(), Is.EqualTo(500));
        Assert.That(stack.Resource("aws_cloudwatch_metric_alarm", "/monitoring/no-transactions-processed")["treat_missing_data"]!.GetValue<string>(),
            Is.EqualTo("breaching"), "in prod, silence is itself a problem");
    }

    [TestCaseSource(typeof(TestEnvironments), nameof(TestEnvironments.All))]
    public void Dashboard_ChartsIteratorAgeOnlyWhereAConsumerReads_AndTheFailedBatches(string env)
    {
        var stack = Stack(env);
        var body = JsonNode.Parse(stack.Resource("aws_cloudwatch_dashboard", "/monitoring/dashboard")["dashboard_body"]!.GetValue<string>())!;
        var lines = body["widgets"]!.AsArray().SelectMany(w => w!["properties"]!["metrics"]!.AsArray()).Select(l => l!.AsArray()).ToList();
        string? Dimension(JsonArray line, string key) =>
            Enumerable.Range(2, Math.Max(0, line.Count - 2)).Where(i => line[i] is JsonValue v && v.TryGetValue<string>(out var k) && k == key && i + 1 < line.Count)
                .Select(i => line[i + 1]!.GetValue<string>()).FirstOrDefault();

        var ages = lines.Where(l => l[1]!.GetValue<string>() == "GetRecords.IteratorAgeMilliseconds").Select(l => Dimension(l, "StreamName")).ToList();
        Assert.That(ages, Is.EqualTo(new[] { $"fraud-detection-transactions-{env}" }), "the events stream has no consumer: no data points");
        Assert.That(lines.Count(l => l[0]!.GetValue<string>() == "AWS/S3" && l[1]!.GetValue<string>() == "PutRequests"
                                     && Dimension(l, "BucketName") == $"fraud-detection-failed-batches-{env}"), Is.EqualTo(1));
    }

    [TestCaseSource(typeof(TestEnvironments), nameof(TestEnvironments.All))]
    public void Dashboard_HasTheSeedWidgetsAndEveryMetricRefersToAnExistingResource(string env)
    {
        var stack = Stack(env);
        var d = stack.Resource("aws_cloudwatch_dashboard", "/monitoring/dashboard");
        var body = JsonNode.Parse(d["dashboard_body"]!.GetValue<string>())!;
        var widgets = body["widgets"]!.AsArray();
        var known = ResourcesByDimension(stack, env);

        Assert.That(d["dashboard_name"]!.GetValue<string>(), Is.EqualTo($"fraud-detection-{env}"));
        Assert.That(widgets.Select(w => w!["properties"]!["title"]!.GetValue<string>()), Is.EqualTo(new[]
        {
            "Transaction processing", "Detection and confidence", "Processing latency", "Alerts", "Lambda errors and throttles",
            "Kinesis stream health", "DynamoDB capacity", "Dead-letter queue",
        }));
        foreach (var line in widgets.SelectMany(w => w!["properties"]!["metrics"]!.AsArray()))
        {
            var items = line!.AsArray();
            for (var i = 2; i + 1 < items.Count && items[i] is JsonValue; i += 2)
            {
                var key = items[i]!.GetValue<string>();
                Assert.That(known[key], Does.Contain(items[i + 1]!.GetValue<string>()), $"{line.ToJsonString()}");
            }
        }

        Assert.That(widgets.Single(w => w!["properties"]!["title"]!.GetValue<string>() == "DynamoDB capacity")!["properties"]!["metrics"]!.AsArray(),
            Has.Count.EqualTo(16), "4 metrics for each of the 4 tables");
    }

    [TestCaseSource(typeof(TestEnvironments), nameof(TestEnvironments.All))]
    public void MetricFilters_OnTheStreamProcessorsLogGroup(string env)
    {
        var stack = Stack(env);
        var logGroup = Ref(stack, "aws_cloudwatch_log_group", "/stream-processor/logs", "name");
        var fraud = stack.Resource("aws_cloudwatch_log_metric_filter", "/monitoring/fraud-events-filter");
        var errors = stack.Resource("aws_cloudwatch_log_metric_filter", "/monitoring/processing-errors-filter");

        Assert.That(fraud["log_group_name"]!.GetValue<string>(), Is.EqualTo(logGroup));
        Assert.That(fraud["pattern"]!.GetValue<string>(), Is.EqualTo(FraudTf.Functions.Shared.Metrics.LogPatterns.FraudEvent));
        Assert.That(fraud["metric_transformation"]!["namespace"]!.GetValue<string>(), Is.EqualTo("FraudDetection"));
        Assert.That(errors["pattern"]!.GetValue<string>(), Is.EqualTo(FraudTf.Functions.Shared.Metrics.LogPatterns.ProcessingError));
    }

    [TestCaseSource(typeof(TestEnvironments), nameof(TestEnvironments.All))]
    public void NoXRaySamplingRule_LambdaSamplesAtAFixedRate(string env)
    {
        // Lambda's active tracing ignores sampling rules (1 request per second and 5% of the rest, not configurable).
        Assert.That(Stack(env).Resources("aws_xray_sampling_rule"), Is.Empty);
        Assert.That(Stack(env).Resources("aws_lambda_function").Select(f => f.Value["tracing_config"]!["mode"]!.GetValue<string>()), Has.All.EqualTo("Active"));
    }

    [TestCaseSource(typeof(TestEnvironments), nameof(TestEnvironments.All))]
    public void StreamProcessor_DeclaresTheMetricsItsCodeEmits_AndEveryCustomAlarmUsesOne(string env)
    {
        var stack = Stack(env);
        var declared = stack.Resource("aws_lambda_function", "/stream-processor/this")["//"]!["emits_metrics"]!.AsArray()
            .Select(m => $"{m!["namespace"]}/{m["name"]}/{string.Join(",", m["dimensions"]!.AsArray().Select(d => d!.GetValue<string>()))}").ToHashSet();
        var custom = stack.Resources("aws_cloudwatch_metric_alarm").Select(a => a.Value).Where(a => a["namespace"]!.GetValue<string>() == "FraudDetection")
            .Select(a => $"FraudDetection/{a["metric_name"]}/{string.Join(",", a["dimensions"]!.AsObject().Select(d => d.Key).Order(StringComparer.Ordinal))}").ToList();

        Assert.That(custom, Is.Not.Empty);
        Assert.That(custom, Is.SubsetOf(declared));
    }

    [Test]
    public void MonitoringThreshold_OutOfRange_Fails()
    {
        var errors = ConfigFixture.Errors(ConfigFixture.Folder("dev", j => j["monitoring"] = new JsonObject { ["functionP99DurationOfTimeout"] = 2 }));

        Assert.That(errors.Single(), Does.StartWith("environments/dev.json: field 'monitoring.functionP99DurationOfTimeout' = 2: is out of range: must be between 0.1 and 1"));
    }
}
