using System.Globalization;
using Constructs;
using FraudTf.Functions.Shared.Metrics;

namespace FraudTf.Monitoring;

/// <summary>CloudWatch's comparison operators (the alarm's <c>comparison_operator</c>).</summary>
public enum AlarmComparison
{
    /// <summary>GreaterThanOrEqualToThreshold.</summary>
    GreaterThanOrEqualToThreshold,

    /// <summary>GreaterThanThreshold.</summary>
    GreaterThanThreshold,

    /// <summary>LessThanThreshold.</summary>
    LessThanThreshold,

    /// <summary>LessThanOrEqualToThreshold.</summary>
    LessThanOrEqualToThreshold,
}

/// <summary>How an alarm treats a period without data (the alarm's <c>treat_missing_data</c>).</summary>
public enum MissingData
{
    /// <summary>notBreaching: no data means nothing happened (event counts).</summary>
    NotBreaching,

    /// <summary>breaching: silence is itself the problem.</summary>
    Breaching,

    /// <summary>ignore: keep the current state.</summary>
    Ignore,

    /// <summary>missing: evaluate only the periods with data.</summary>
    Missing,
}

/// <summary>M out of N: how many breaching periods (<see cref="DatapointsToAlarm"/>) among the last <see cref="Periods"/> raise the alarm.</summary>
/// <param name="Periods">Periods evaluated (<c>evaluation_periods</c>).</param>
/// <param name="DatapointsToAlarm">Breaching periods among them that raise the alarm (<c>datapoints_to_alarm</c>).</param>
public sealed record AlarmEvaluation(int Periods, int DatapointsToAlarm)
{
    /// <summary>One breaching period raises it: for events that must never happen unseen.</summary>
    public static AlarmEvaluation Immediately { get; } = new(1, 1);

    /// <summary>2 of the last 3 periods: a short blip does not page anyone.</summary>
    public static AlarmEvaluation TwoOfThree { get; } = new(3, 2);

    /// <summary>3 of the last 3: a sustained condition.</summary>
    public static AlarmEvaluation ThreeOfThree { get; } = new(3, 3);

    /// <summary>3 of the last 5: a percentile that stays high.</summary>
    public static AlarmEvaluation ThreeOfFive { get; } = new(5, 3);
}

/// <summary>When to alarm on one metric (what is measured comes from the construct's metric helper).</summary>
public sealed record AlarmSpec
{
    /// <summary>Construct id and alarm-name stem, e.g. stream-processor-errors (the name is the environment's resource name of it).</summary>
    public required string Id { get; init; }

    /// <summary>The metric, with the dimension of exactly one resource.</summary>
    public required Metric Metric { get; init; }

    /// <summary>Threshold, in the metric's unit.</summary>
    public required double Threshold { get; init; }

    /// <summary>How the metric is compared with the threshold.</summary>
    public required AlarmComparison Comparison { get; init; }

    /// <summary>M out of N periods.</summary>
    public required AlarmEvaluation Evaluation { get; init; }

    /// <summary>What a period without data means. Default <see cref="MissingData.NotBreaching"/> (event counts: no data = nothing happened).</summary>
    public MissingData TreatMissingData { get; init; } = MissingData.NotBreaching;

    /// <summary>What is at risk and what to check first.</summary>
    public required string Description { get; init; }

    /// <summary>CloudWatch's spelling of <see cref="TreatMissingData"/>.</summary>
    public string MissingDataValue => TreatMissingData switch
    {
        MissingData.NotBreaching => "notBreaching",
        MissingData.Breaching => "breaching",
        MissingData.Ignore => "ignore",
        _ => "missing",
    };
}

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

// Alike on purpose: every construct of modules/ takes one settings record (required, then defaulted init properties,
// each documented) and exposes its Config, underlying resources and their ARNs the same way (issue 17's construct API).
/// <summary>What <see cref="FraudMonitoring"/> watches.</summary>
public sealed record FraudMonitoringConfig
{
    /// <summary>Names of the topic, alarms and dashboard (<c>&lt;prefix&gt;-&lt;name&gt;-&lt;env&gt;</c>), the account and the region.</summary>
    public required DeploymentTarget Target { get; init; }

    /// <summary>What the environment is for: only the production tier always has traffic, so only there missing data breaches.</summary>
    public required EnvironmentTier Tier { get; init; }

    /// <summary>The alarm thresholds (<c>monitoring</c>).</summary>
    public required MonitoringConfig Thresholds { get; init; }

    /// <summary>Who the alarm topic notifies (<c>notifications.alarms</c>).</summary>
    public required TopicNotifications AlarmNotifications { get; init; }

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
/// resource it watches and alarm and OK actions to the topic, the dashboard <c>&lt;prefix&gt;-&lt;env&gt;</c>, log metric
/// filters on the stream processor's logs. Thresholds come from the environment config.
/// No X-Ray sampling rule: Lambda's active tracing samples at a fixed rate (1 request per second and 5% of the rest)
/// that sampling rules do not change (Lambda developer guide, "Visualize Lambda function invocations using AWS X-Ray").
/// </summary>
public sealed class FraudMonitoring : Construct
{
    /// <summary>Creates topic, alarms, dashboard, filters and sampling rule.</summary>
    public FraudMonitoring(Construct scope, string id, FraudMonitoringConfig c) : base(scope, id)
    {
        var env = c.Target;
        var m = c.Thresholds;
        Topic = new EncryptedTopic(this, "alarm-topic", new EncryptedTopicConfig
        {
            TopicName = env.ResourceName("alarms"),
            Key = c.MessagingKey,
            AccountId = env.AccountId,
            Partition = env.Partition,
            Notifications = c.AlarmNotifications,
        });

        // Alike on purpose: one AlarmSpec initializer per alarm, every field named (threshold, comparison, evaluation, a
        // description saying what breaks and what to check), so each alarm reads on its own as cdk-monitoring-constructs'.
        var specs = new List<AlarmSpec>();
        foreach (var f in c.Functions)
        {
            var name = f.Node.Id;
            specs.Add(new AlarmSpec
            {
                Id = $"{name}-errors",
                Metric = f.MetricErrors(),
                Threshold = m.FunctionErrors,
                Comparison = AlarmComparison.GreaterThanOrEqualToThreshold,
                Evaluation = AlarmEvaluation.TwoOfThree,
                Description = $"{f.FunctionName} is failing invocations: transactions or alerts are not being processed. Check its log group for exceptions and the DLQ.",
            });
            specs.Add(new AlarmSpec
            {
                Id = $"{name}-duration-p99",
                Metric = f.MetricDurationP99(),
                Threshold = Math.Round(f.Config.Settings.TimeoutSeconds * 1000 * m.FunctionP99DurationOfTimeout),
                Comparison = AlarmComparison.GreaterThanThreshold,
                Evaluation = AlarmEvaluation.ThreeOfFive,
                Description = $"{f.FunctionName} p99 duration is near its {f.Config.Settings.TimeoutSeconds} s timeout: batches may time out and be retried. Check DynamoDB latency and throttles.",
            });
            specs.Add(new AlarmSpec
            {
                Id = $"{name}-throttles",
                Metric = f.MetricThrottles(),
                Threshold = m.FunctionThrottles,
                Comparison = AlarmComparison.GreaterThanOrEqualToThreshold,
                Evaluation = AlarmEvaluation.TwoOfThree,
                Description = $"{f.FunctionName} is throttled at its reserved concurrency ({f.Config.Settings.ReservedConcurrency}): processing falls behind. Check the concurrency setting and the stream's iterator age.",
            });
        }

        foreach (var s in c.Streams)
        {
            var name = s.Node.Id;
            if (c.ConsumedStreams.Contains(s))
            {
                specs.Add(new AlarmSpec
            {
                Id = $"{name}-iterator-age",
                Metric = s.MetricIteratorAgeMilliseconds(),
                Threshold = m.IteratorAgeMilliseconds,
                Comparison = AlarmComparison.GreaterThanThreshold,
                Evaluation = AlarmEvaluation.ThreeOfThree,
                Description = $"{s.Config.StreamName} consumers lag behind: fraud decisions are late and records near retention may be lost. Check the consumer function's errors, duration and throttles.",
            });
            }

            specs.Add(new AlarmSpec
            {
                Id = $"{name}-write-throttles",
                Metric = s.MetricWriteThrottles(),
                Threshold = m.Throttles,
                Comparison = AlarmComparison.GreaterThanOrEqualToThreshold,
                Evaluation = AlarmEvaluation.TwoOfThree,
                Description = $"{s.Config.StreamName} is refusing writes: producers must retry or drop transactions. Check the producers' rate against on-demand limits.",
            });
        }

        foreach (var t in c.Tables)
        {
            var name = t.Config.Schema.LogicalName;
            specs.Add(new AlarmSpec
            {
                Id = $"{name}-read-throttles",
                Metric = t.MetricReadThrottles(),
                Threshold = m.Throttles,
                Comparison = AlarmComparison.GreaterThanOrEqualToThreshold,
                Evaluation = AlarmEvaluation.TwoOfThree,
                Description = $"{t.Config.TableName} is throttling reads: scoring slows down and batches are retried. Check for a hot partition key.",
            });
            specs.Add(new AlarmSpec
            {
                Id = $"{name}-write-throttles",
                Metric = t.MetricWriteThrottles(),
                Threshold = m.Throttles,
                Comparison = AlarmComparison.GreaterThanOrEqualToThreshold,
                Evaluation = AlarmEvaluation.TwoOfThree,
                Description = $"{t.Config.TableName} is throttling writes: decisions are delayed and batches retried. Check for a hot partition key.",
            });
        }

        specs.Add(new AlarmSpec
            {
                Id = "dlq-messages",
                Metric = c.DeadLetterQueue.MetricVisibleMessages(),
                Threshold = m.DeadLetters,
                Comparison = AlarmComparison.GreaterThanOrEqualToThreshold,
                Evaluation = AlarmEvaluation.Immediately,
                Description = $"{c.DeadLetterQueue.Config.QueueName} holds records or events that could not be processed: they need a look before the 14-day retention ends. Read a message's 'reason'.",
            });
        if (c.FailedBatches is { } failed)
        {
            specs.Add(new AlarmSpec
            {
                Id = "failed-batches",
                Metric = failed.MetricPutRequests(),
                Threshold = 1,
                Comparison = AlarmComparison.GreaterThanOrEqualToThreshold,
                Evaluation = AlarmEvaluation.Immediately,
                Description = $"The stream processor's event source mapping discarded a batch to {failed.Bucket.Config.BucketName} after its retries or record age: " +
                "those transactions are not scored. Check the stream processor's errors and logs, fix the cause, then run make redrive ENV=<env> (README, operator guide).",
            });
        }

        foreach (var (pipeId, pipe) in c.Events.Pipes)
        {
            specs.Add(new AlarmSpec
            {
                Id = $"{pipeId}-pipe-failures",
                Metric = FraudEvents.MetricPipeFailures(pipe),
                Threshold = 1,
                Comparison = AlarmComparison.GreaterThanOrEqualToThreshold,
                Evaluation = AlarmEvaluation.TwoOfThree,
                Description = $"Pipe {pipe} fails to deliver table changes to the event bus: alerts are not raised. Check the pipe's role and the DLQ.",
            });
        }

        var dims = new Dictionary<string, string> { [PlatformMetrics.EnvironmentDimension] = env.Environment };
        specs.Add(new AlarmSpec
            {
                Id = "fraud-spike",
                Metric = new Metric(PlatformMetrics.Namespace, PlatformMetrics.FraudDetected, dims, "Sum", "fraud detected", 300),
                Threshold = m.FraudSpikePer5Minutes,
                Comparison = AlarmComparison.GreaterThanThreshold,
                Evaluation = AlarmEvaluation.Immediately,
                Description = "An unusual number of transactions was decided REVIEW or DECLINE: an attack, or a rule or pattern change gone wrong. Compare the reasons in recent decisions.",
            });
        specs.Add(new AlarmSpec
            {
                Id = "processing-latency-p99",
                Metric = new Metric(PlatformMetrics.Namespace, PlatformMetrics.ProcessingLatency, dims, "p99", "batch latency p99 (ms)"),
                Threshold = m.ProcessingLatencyP99Milliseconds,
                Comparison = AlarmComparison.GreaterThanThreshold,
                Evaluation = AlarmEvaluation.ThreeOfFive,
                Description = "Scoring batches are slow: decisions are late. Check DynamoDB throttles and the stream processor's duration.",
            });
        specs.Add(new AlarmSpec
            {
                Id = "rejected-records",
                Metric = new Metric(PlatformMetrics.Namespace, PlatformMetrics.RecordsRejected, dims, "Sum", "rejected records", 300),
                Threshold = m.RejectedRecordsPer5Minutes,
                Comparison = AlarmComparison.GreaterThanThreshold,
                Evaluation = AlarmEvaluation.Immediately,
                Description = "Many transaction records are malformed: a producer sends a broken schema. Read the reasons in the DLQ messages.",
            });
        // A corrupt stored row is handled as data (a profile treated as new, a pattern skipped), so scoring goes on, but
        // a weaker score for that user or a silently inactive pattern needs a person: any occurrence is worth a look.
        specs.Add(new AlarmSpec
            {
                Id = "corrupt-stored-rows",
                Metric = new Metric(PlatformMetrics.Namespace, PlatformMetrics.CorruptStoredRows, dims, "Sum", "corrupt stored rows", 300),
                Threshold = 0,
                Comparison = AlarmComparison.GreaterThanThreshold,
                Evaluation = AlarmEvaluation.Immediately,
                Description = "The stream processor read stored rows it could not use (a profile without counters, a pattern without a weight) and handled them as data: scores of those users or patterns are weaker. Check its WARN log lines 'corrupt stored row handled as data' for the table and key, then repair or delete the row.",
            });
        specs.Add(new AlarmSpec
            {
                Id = "no-transactions-processed",
                Metric = new Metric(PlatformMetrics.Namespace, PlatformMetrics.TransactionsProcessed, dims, "Sum", "transactions processed", 3600),
                Threshold = 0,
                Comparison = AlarmComparison.LessThanOrEqualToThreshold,
                Evaluation = AlarmEvaluation.Immediately,
                TreatMissingData = c.Tier == EnvironmentTier.Production ? MissingData.Breaching : MissingData.NotBreaching, // only production always has traffic
                Description = "No transaction was scored in an hour: the pipeline may be stalled. Check the event source mapping's state and the stream's incoming records.",
            });
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
            EvaluationPeriods = a.Evaluation.Periods,
            DatapointsToAlarm = a.Evaluation.DatapointsToAlarm,
            Threshold = a.Threshold,
            ComparisonOperator = a.Comparison.ToString(),
            TreatMissingData = a.MissingDataValue,
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
            DashboardName = env.StackName,
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
        var env = c.Target;
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
