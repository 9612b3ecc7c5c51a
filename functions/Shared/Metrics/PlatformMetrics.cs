namespace FraudTf.Functions.Shared.Metrics;

/// <summary>A custom metric a function emits in Embedded Metric Format: its name, unit and dimension keys.</summary>
/// <param name="Name">Metric name in <see cref="PlatformMetrics.Namespace"/>.</param>
/// <param name="Unit">CloudWatch unit.</param>
/// <param name="Dimensions">Dimension keys, sorted (CloudWatch keeps one metric per dimension set).</param>
public sealed record EmittedMetric(string Name, string Unit, IReadOnlyList<string> Dimensions);

// Alike on purpose: name catalogs, the shape of the others in functions/Shared (see PlatformEvents).
/// <summary>CloudWatch units the platform's metrics use.</summary>
public static class MetricUnits
{
    /// <summary>A count.</summary>
    public const string Count = "Count";

    /// <summary>A duration in milliseconds.</summary>
    public const string Milliseconds = "Milliseconds";

    /// <summary>No unit (a ratio, a score).</summary>
    public const string None = "None";
}

/// <summary>
/// The custom metrics of the platform, defined once: the functions emit them under these names, the monitoring module
/// alarms and charts them, and the synthesized functions declare them (<c>"//".emits_metrics</c>) so the offline gate can
/// check that every alarm's metric has a producer. Observability tests run the handlers under a console formatted as the
/// Lambda runtime formats it and check that CloudWatch would extract each metric the stack's alarms and dashboard read.
/// </summary>
public static class PlatformMetrics
{
    /// <summary>The metric namespace of the platform (EMF and the log metric filters).</summary>
    public const string Namespace = "FraudDetection";

    /// <summary>Dimension of every platform metric: the environment name.</summary>
    public const string EnvironmentDimension = "Environment";

    /// <summary>Dimension of the per-reason rejection count.</summary>
    public const string ReasonDimension = "Reason";

    /// <summary>Transactions scored and stored (Count, per batch).</summary>
    public const string TransactionsProcessed = "TransactionsProcessed";

    /// <summary>Transactions decided REVIEW or DECLINE (Count).</summary>
    public const string FraudDetected = "FraudDetected";

    /// <summary>Records already processed, skipped (Count).</summary>
    public const string DuplicatesSkipped = "DuplicatesSkipped";

    /// <summary>Records reported for retry (Count).</summary>
    public const string RecordsRetried = "RecordsRetried";

    /// <summary>Malformed records sent to the dead-letter queue (Count).</summary>
    public const string RecordsRejected = "RecordsRejected";

    /// <summary>Batch processing time (Milliseconds).</summary>
    public const string ProcessingLatency = "ProcessingLatency";

    /// <summary>Average decision confidence of a batch (None).</summary>
    public const string ConfidenceScore = "ConfidenceScore";

    /// <summary>FraudDetected events the alert handler handled: trail, audit record, profile flag (Count).</summary>
    public const string AlertsHandled = "AlertsHandled";

    /// <summary>FraudDetected events already handled (a re-delivery), skipped (Count).</summary>
    public const string AlertsDuplicate = "AlertsDuplicate";

    /// <summary>Malformed FraudDetected events sent to the dead-letter queue (Count).</summary>
    public const string AlertsRejected = "AlertsRejected";

    /// <summary>The metric of the fraud-events log metric filter (no dimensions: a filter's metric has none here).</summary>
    public const string FraudEventsLogged = "FraudEventsLogged";

    /// <summary>The metric of the processing-errors log metric filter.</summary>
    public const string ProcessingErrorsLogged = "ProcessingErrorsLogged";

    /// <summary>Stored rows read that were unusable and handled as data: a profile treated as new, a pattern skipped (Count).</summary>
    public const string CorruptStoredRows = "CorruptStoredRows";

    /// <summary>What the stream processor emits, per dimension set.</summary>
    public static IReadOnlyList<EmittedMetric> StreamProcessor { get; } =
    [
        new(TransactionsProcessed, MetricUnits.Count, [EnvironmentDimension]),
        new(FraudDetected, MetricUnits.Count, [EnvironmentDimension]),
        new(DuplicatesSkipped, MetricUnits.Count, [EnvironmentDimension]),
        new(RecordsRetried, MetricUnits.Count, [EnvironmentDimension]),
        new(RecordsRejected, MetricUnits.Count, [EnvironmentDimension]),
        new(ProcessingLatency, MetricUnits.Milliseconds, [EnvironmentDimension]),
        new(ConfidenceScore, MetricUnits.None, [EnvironmentDimension]),
        new(RecordsRejected, MetricUnits.Count, [EnvironmentDimension, ReasonDimension]),
        new(CorruptStoredRows, MetricUnits.Count, [EnvironmentDimension]),
    ];

    /// <summary>What the alert handler emits, per dimension set (one document per event).</summary>
    public static IReadOnlyList<EmittedMetric> AlertHandler { get; } =
    [
        new(AlertsHandled, MetricUnits.Count, [EnvironmentDimension]),
        new(AlertsDuplicate, MetricUnits.Count, [EnvironmentDimension]),
        new(AlertsRejected, MetricUnits.Count, [EnvironmentDimension]),
    ];
}
