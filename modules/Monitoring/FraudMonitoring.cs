using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Constructs;
using FraudTf.Compute;
using FraudTf.Config;
using FraudTf.Functions.Shared.Metrics;
using FraudTf.Security;
using FraudTf.Storage;
using FraudTf.Streaming;
using HashiCorp.Cdktf.Providers.Aws.CloudwatchDashboard;
using HashiCorp.Cdktf.Providers.Aws.CloudwatchLogMetricFilter;
using HashiCorp.Cdktf.Providers.Aws.CloudwatchMetricAlarm;

namespace FraudTf.Monitoring;

/// <summary>When to alarm on one metric (what is measured comes from the construct's metric helper).</summary>
/// <param name="Id">Construct id and alarm-name stem, e.g. stream-processor-errors.</param>
/// <param name="Metric">The metric, with the dimension of exactly one resource.</param>
/// <param name="Threshold">Threshold.</param>
/// <param name="Comparison">CloudWatch comparison operator.</param>
/// <param name="EvaluationPeriods">Periods evaluated.</param>
/// <param name="DatapointsToAlarm">Breaching periods among them that raise the alarm.</param>
/// <param name="TreatMissingData">notBreaching for event counts (no data = nothing happened), breaching where silence is itself bad.</param>
/// <param name="Description">What is at risk and what to check first.</param>
public sealed record AlarmSpec(string Id, Metric Metric, double Threshold, string Comparison, int EvaluationPeriods, int DatapointsToAlarm,
    string TreatMissingData, string Description);

/// <summary>
/// A bucket whose new objects under a prefix mean a failure: <paramref name="FilterId"/> is the name of its
/// <c>aws_s3_bucket_metric</c> (S3 request metrics, filtered by that prefix), the CloudWatch dimension <c>FilterId</c>.
/// </summary>
public sealed record FailedBatchesWatch(SecureBucket Bucket, string FilterId)
{
    /// <summary>S3 request metric <c>PutRequests</c> of the filter: objects written under its prefix (AWS/S3; BucketName, FilterId).</summary>
    public Metric MetricPutRequests(int periodSeconds = 300) => new("AWS/S3", "PutRequests",
        new Dictionary<string, string> { ["BucketName"] = Bucket.Config.BucketName, ["FilterId"] = FilterId }, "Sum",
        $"{Bucket.Config.BucketName} discarded batches", periodSeconds);
}

/// <summary>What <see cref="FraudMonitoring"/> watches.</summary>
public sealed record FraudMonitoringConfig
{
    /// <summary>The environment (names, thresholds, region).</summary>
    public required EnvironmentConfig Environment { get; init; }

    /// <summary>Key of the alarm topic.</summary>
    public required EncryptionKey MessagingKey { get; init; }

    /// <summary>The functions.</summary>
    public required IReadOnlyList<DotnetFunction> Functions { get; init; }

    /// <summary>The Kinesis streams (write throttles are watched on each).</summary>
    public required IReadOnlyList<DataStream> Streams { get; init; }

    /// <summary>
    /// The streams that have a consumer in the stack: only these get an iterator-age alarm, since
    /// <c>GetRecords.IteratorAgeMilliseconds</c> is published only while something reads the stream.
    /// </summary>
    public required IReadOnlyList<DataStream> ConsumedStreams { get; init; }

    /// <summary>The tables.</summary>
    public required IReadOnlyList<DataTable> Tables { get; init; }

    /// <summary>The dead-letter queue.</summary>
    public required EncryptedQueue DeadLetterQueue { get; init; }

    /// <summary>The event pipes.</summary>
    public required FraudEvents Events { get; init; }

    /// <summary>The function whose logs carry scoring decisions (metric filters).</summary>
    public required DotnetFunction StreamProcessor { get; init; }

    /// <summary>The stream mapping's on-failure bucket: an alarm on each discarded batch. Default: none.</summary>
    public FailedBatchesWatch? FailedBatches { get; init; }
}

/// <summary>
/// Monitoring of one environment: the alarm topic (KMS-encrypted), one alarm per risk with the dimension of the one
/// resource it watches and alarm and OK actions to the topic, the dashboard <c>fraud-detection-&lt;env&gt;</c>, log metric
/// filters on the stream processor's logs. Thresholds come from the environment config.
/// No X-Ray sampling rule: Lambda's active tracing samples at a fixed rate (1 request per second and 5% of the rest)
/// that sampling rules do not change (Lambda developer guide, "Visualize Lambda function invocations using AWS X-Ray").
/// </summary>
public sealed class FraudMonitoring : Construct
{
    /// <summary>Creates topic, alarms, dashboard, filters and sampling rule.</summary>
    public FraudMonitoring(Construct scope, string id, FraudMonitoringConfig c) : base(scope, id)
    {
        var env = c.Environment;
        var m = env.Monitoring;
        Topic = new EncryptedTopic(this, "alarm-topic", env.ResourceName("alarms"), c.MessagingKey, env.AccountRootArn, env.Notifications.Alarms);

        var specs = new List<AlarmSpec>();
        foreach (var f in c.Functions)
        {
            var name = f.Node.Id;
            specs.Add(new AlarmSpec($"{name}-errors", f.MetricErrors(), m.FunctionErrors, "GreaterThanOrEqualToThreshold", 3, 2, "notBreaching",
                $"{f.FunctionName} is failing invocations: transactions or alerts are not being processed. Check its log group for exceptions and the DLQ."));
            specs.Add(new AlarmSpec($"{name}-duration-p99", f.MetricDurationP99(), Math.Round(f.Config.Settings.TimeoutSeconds * 1000 * m.FunctionP99DurationOfTimeout),
                "GreaterThanThreshold", 5, 3, "notBreaching",
                $"{f.FunctionName} p99 duration is near its {f.Config.Settings.TimeoutSeconds} s timeout: batches may time out and be retried. Check DynamoDB latency and throttles."));
            specs.Add(new AlarmSpec($"{name}-throttles", f.MetricThrottles(), m.FunctionThrottles, "GreaterThanOrEqualToThreshold", 3, 2, "notBreaching",
                $"{f.FunctionName} is throttled at its reserved concurrency ({f.Config.Settings.ReservedConcurrency}): processing falls behind. Check the concurrency setting and the stream's iterator age."));
        }

        foreach (var s in c.Streams)
        {
            var name = s.Node.Id;
            if (c.ConsumedStreams.Contains(s))
            {
                specs.Add(new AlarmSpec($"{name}-iterator-age", s.MetricIteratorAgeMilliseconds(), m.IteratorAgeMilliseconds, "GreaterThanThreshold", 3, 3, "notBreaching",
                    $"{s.Config.StreamName} consumers lag behind: fraud decisions are late and records near retention may be lost. Check the consumer function's errors, duration and throttles."));
            }

            specs.Add(new AlarmSpec($"{name}-write-throttles", s.MetricWriteThrottles(), m.Throttles, "GreaterThanOrEqualToThreshold", 3, 2, "notBreaching",
                $"{s.Config.StreamName} is refusing writes: producers must retry or drop transactions. Check the producers' rate against on-demand limits."));
        }

        foreach (var t in c.Tables)
        {
            var name = t.Config.Schema.LogicalName;
            specs.Add(new AlarmSpec($"{name}-read-throttles", t.MetricReadThrottles(), m.Throttles, "GreaterThanOrEqualToThreshold", 3, 2, "notBreaching",
                $"{t.Config.TableName} is throttling reads: scoring slows down and batches are retried. Check for a hot partition key."));
            specs.Add(new AlarmSpec($"{name}-write-throttles", t.MetricWriteThrottles(), m.Throttles, "GreaterThanOrEqualToThreshold", 3, 2, "notBreaching",
                $"{t.Config.TableName} is throttling writes: decisions are delayed and batches retried. Check for a hot partition key."));
        }

        specs.Add(new AlarmSpec("dlq-messages", c.DeadLetterQueue.MetricVisibleMessages(), m.DeadLetters, "GreaterThanOrEqualToThreshold", 1, 1, "notBreaching",
            $"{c.DeadLetterQueue.Config.QueueName} holds records or events that could not be processed: they need a look before the 14-day retention ends. Read a message's 'reason'."));
        if (c.FailedBatches is { } failed)
        {
            specs.Add(new AlarmSpec("failed-batches", failed.MetricPutRequests(), 1, "GreaterThanOrEqualToThreshold", 1, 1, "notBreaching",
                $"The stream processor's event source mapping discarded a batch to {failed.Bucket.Config.BucketName} after its retries or record age: " +
                "those transactions are not scored. Check the stream processor's errors and logs, fix the cause, then run make redrive ENV=<env> (README, operator guide)."));
        }

        foreach (var (pipeId, pipe) in new[] { "transaction-received", "fraud-detected" }.Zip(c.Events.PipeNames))
        {
            specs.Add(new AlarmSpec($"{pipeId}-pipe-failures", FraudEvents.MetricPipeFailures(pipe), 1, "GreaterThanOrEqualToThreshold", 3, 2, "notBreaching",
                $"Pipe {pipe} fails to deliver table changes to the event bus: alerts are not raised. Check the pipe's role and the DLQ."));
        }

        var dims = new Dictionary<string, string> { [PlatformMetrics.EnvironmentDimension] = env.Environment };
        specs.Add(new AlarmSpec("fraud-spike", new Metric(PlatformMetrics.Namespace, PlatformMetrics.FraudDetected, dims, "Sum", "fraud detected", 300), m.FraudSpikePer5Minutes,
            "GreaterThanThreshold", 1, 1, "notBreaching",
            "An unusual number of transactions was decided REVIEW or DECLINE: an attack, or a rule or pattern change gone wrong. Compare the reasons in recent decisions."));
        specs.Add(new AlarmSpec("processing-latency-p99", new Metric(PlatformMetrics.Namespace, PlatformMetrics.ProcessingLatency, dims, "p99", "batch latency p99 (ms)"), m.ProcessingLatencyP99Milliseconds,
            "GreaterThanThreshold", 5, 3, "notBreaching",
            "Scoring batches are slow: decisions are late. Check DynamoDB throttles and the stream processor's duration."));
        specs.Add(new AlarmSpec("rejected-records", new Metric(PlatformMetrics.Namespace, PlatformMetrics.RecordsRejected, dims, "Sum", "rejected records", 300), m.RejectedRecordsPer5Minutes,
            "GreaterThanThreshold", 1, 1, "notBreaching",
            "Many transaction records are malformed: a producer sends a broken schema. Read the reasons in the DLQ messages."));
        // A corrupt stored row is handled as data (a profile treated as new, a pattern skipped), so scoring goes on, but
        // a weaker score for that user or a silently inactive pattern needs a person: any occurrence is worth a look.
        specs.Add(new AlarmSpec("corrupt-stored-rows", new Metric(PlatformMetrics.Namespace, PlatformMetrics.CorruptStoredRows, dims, "Sum", "corrupt stored rows", 300), 0,
            "GreaterThanThreshold", 1, 1, "notBreaching",
            "The stream processor read stored rows it could not use (a profile without counters, a pattern without a weight) and handled them as data: scores of those users or patterns are weaker. Check its WARN log lines 'corrupt stored row handled as data' for the table and key, then repair or delete the row."));
        // Only the production tier always has traffic: there, an hour without data means the pipeline stopped.
        specs.Add(new AlarmSpec("no-transactions-processed", new Metric(PlatformMetrics.Namespace, PlatformMetrics.TransactionsProcessed, dims, "Sum", "transactions processed", 3600), 0,
            "LessThanOrEqualToThreshold", 1, 1, env.Tier == EnvironmentTier.Production ? "breaching" : "notBreaching",
            "No transaction was scored in an hour: the pipeline may be stalled. Check the event source mapping's state and the stream's incoming records."));
        Specs = specs;

        Alarms = specs.Select(a => new CloudwatchMetricAlarm(this, a.Id, new CloudwatchMetricAlarmConfig
        {
            AlarmName = env.ResourceName(a.Id),
            AlarmDescription = a.Description,
            Namespace = a.Metric.Namespace,
            MetricName = a.Metric.MetricName,
            Dimensions = new Dictionary<string, string>(a.Metric.Dimensions),
            Statistic = a.Metric.IsPercentile ? null : a.Metric.Statistic,
            ExtendedStatistic = a.Metric.IsPercentile ? a.Metric.Statistic : null,
            Period = a.Metric.PeriodSeconds,
            EvaluationPeriods = a.EvaluationPeriods,
            DatapointsToAlarm = a.DatapointsToAlarm,
            Threshold = a.Threshold,
            ComparisonOperator = a.Comparison,
            TreatMissingData = a.TreatMissingData,
            ActionsEnabled = true,
            AlarmActions = [Topic.TopicArn],
            OkActions = [Topic.TopicArn],
        })).ToList();
        Topic.AllowPublishFrom("AllowAlarms", "cloudwatch.amazonaws.com", Alarms.Select(a => a.Arn).ToList());

        MetricFilters =
        [
            Filter("fraud-events-filter", "fraud-events", LogPatterns.FraudEvent, PlatformMetrics.FraudEventsLogged, c.StreamProcessor),
            Filter("processing-errors-filter", "processing-errors", LogPatterns.ProcessingError, PlatformMetrics.ProcessingErrorsLogged, c.StreamProcessor),
        ];

        DashboardBody = BuildDashboard(c);
        Dashboard = new CloudwatchDashboard(this, "dashboard", new CloudwatchDashboardConfig
        {
            DashboardName = $"{env.NamePrefix}-{env.Environment}",
            DashboardBody = DashboardBody,
        });
    }

    /// <summary>The alarm topic.</summary>
    public EncryptedTopic Topic { get; }

    /// <summary>What each alarm watches and when it fires.</summary>
    public IReadOnlyList<AlarmSpec> Specs { get; }

    /// <summary>The alarms, in the order of <see cref="Specs"/>.</summary>
    public IReadOnlyList<CloudwatchMetricAlarm> Alarms { get; }

    /// <summary>The log metric filters.</summary>
    public IReadOnlyList<CloudwatchLogMetricFilter> MetricFilters { get; }

    /// <summary>The dashboard.</summary>
    public CloudwatchDashboard Dashboard { get; }

    /// <summary>The dashboard body (JSON).</summary>
    public string DashboardBody { get; }

    private CloudwatchLogMetricFilter Filter(string id, string name, string pattern, string metric, DotnetFunction function) =>
        new(this, id, new CloudwatchLogMetricFilterConfig
        {
            Name = $"{function.FunctionName}-{name}",
            LogGroupName = function.LogGroup.Name,
            Pattern = pattern,
            MetricTransformation = new CloudwatchLogMetricFilterMetricTransformation
            {
                Name = metric,
                Namespace = PlatformMetrics.Namespace,
                Value = "1",
                DefaultValue = "0",
                Unit = MetricUnits.Count,
            },
        });

    private static string BuildDashboard(FraudMonitoringConfig c)
    {
        var env = c.Environment;
        var dims = new Dictionary<string, string> { [PlatformMetrics.EnvironmentDimension] = env.Environment };
        Metric Custom(string name, string stat, string label) => new(PlatformMetrics.Namespace, name, dims, stat, label);
        var widgets = new List<(string Title, IReadOnlyList<Metric> Metrics)>
        {
            ("Transaction processing", [Custom(PlatformMetrics.TransactionsProcessed, "Sum", "processed"), Custom(PlatformMetrics.DuplicatesSkipped, "Sum", "duplicates skipped"), Custom(PlatformMetrics.RecordsRejected, "Sum", "rejected"), Custom(PlatformMetrics.RecordsRetried, "Sum", "retried"), Custom(PlatformMetrics.CorruptStoredRows, "Sum", "corrupt stored rows")]),
            ("Detection and confidence", [Custom(PlatformMetrics.FraudDetected, "Sum", "fraud detected"), Custom(PlatformMetrics.ConfidenceScore, "Average", "average confidence")]),
            ("Processing latency", [Custom(PlatformMetrics.ProcessingLatency, "Average", "average (ms)"), Custom(PlatformMetrics.ProcessingLatency, "p99", "p99 (ms)")]),
            ("Alerts", [Custom(PlatformMetrics.AlertsHandled, "Sum", "handled"), Custom(PlatformMetrics.AlertsDuplicate, "Sum", "duplicates skipped"), Custom(PlatformMetrics.AlertsRejected, "Sum", "rejected")]),
            ("Lambda errors and throttles", c.Functions.SelectMany(f => new[] { f.MetricErrors(), f.MetricThrottles() }).ToList()),
            // Iterator age only where something in the stack reads the stream (it has no data points otherwise).
            ("Kinesis stream health", c.Streams.SelectMany(s => c.ConsumedStreams.Contains(s)
                ? new[] { s.MetricIncomingRecords(), s.MetricIteratorAgeMilliseconds(), s.MetricWriteThrottles() }
                : new[] { s.MetricIncomingRecords(), s.MetricWriteThrottles() }).ToList()),
            ("DynamoDB capacity", c.Tables.SelectMany(t => new[] { t.MetricConsumedReadCapacity(), t.MetricConsumedWriteCapacity(), t.MetricReadThrottles(), t.MetricWriteThrottles() }).ToList()),
            // The two places a record waits for a person: the queue (quarantine, dead-lettered events) and the failed batches.
            ("Dead-letter queue", c.FailedBatches is { } failedBatches
                ? [c.DeadLetterQueue.MetricVisibleMessages(), c.DeadLetterQueue.MetricOldestMessageAgeSeconds(), failedBatches.MetricPutRequests()]
                : [c.DeadLetterQueue.MetricVisibleMessages(), c.DeadLetterQueue.MetricOldestMessageAgeSeconds()]),
        };

        var array = new JsonArray();
        for (var i = 0; i < widgets.Count; i++)
        {
            var (title, metrics) = widgets[i];
            var lines = new JsonArray();
            foreach (var metric in metrics)
            {
                var line = new JsonArray(metric.Namespace, metric.MetricName);
                foreach (var (k, v) in metric.Dimensions.OrderBy(d => d.Key, StringComparer.Ordinal))
                {
                    line.Add(k);
                    line.Add(v);
                }

                line.Add(new JsonObject { ["stat"] = metric.Statistic, ["label"] = metric.Label, ["period"] = metric.PeriodSeconds });
                lines.Add(line);
            }

            array.Add(new JsonObject
            {
                ["type"] = "metric",
                ["x"] = i % 2 * 12,
                ["y"] = i / 2 * 6,
                ["width"] = 12,
                ["height"] = 6,
                ["properties"] = new JsonObject
                {
                    ["title"] = title,
                    ["region"] = env.Region,
                    ["view"] = "timeSeries",
                    ["stacked"] = false,
                    ["metrics"] = lines,
                },
            });
        }

        return new JsonObject { ["widgets"] = array }.ToJsonString();
    }
}
