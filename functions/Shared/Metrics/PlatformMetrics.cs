namespace FraudTf.Functions.Shared.Metrics;

/// <summary>A custom metric a function emits in Embedded Metric Format: its name, unit and dimension keys.</summary>
/// <param name="Name">Metric name in <see cref="EmfWriter.Namespace"/>.</param>
/// <param name="Unit">CloudWatch unit.</param>
/// <param name="Dimensions">Dimension keys, sorted (CloudWatch keeps one metric per dimension set).</param>
public sealed record EmittedMetric(string Name, string Unit, IReadOnlyList<string> Dimensions);

/// <summary>
/// The custom metrics of the platform, defined once: the stream processor emits them under these names, the
/// monitoring module alarms and charts them, and the synthesized function declares them
/// (<c>"//".emits_metrics</c>) so the offline gate can check that every alarm's metric has a producer.
/// </summary>
public static class PlatformMetrics
{
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

    /// <summary>Stored rows read that were unusable and handled as data: a profile treated as new, a pattern skipped (Count).</summary>
    public const string CorruptStoredRows = "CorruptStoredRows";

    /// <summary>What the stream processor emits, per dimension set.</summary>
    public static IReadOnlyList<EmittedMetric> StreamProcessor { get; } =
    [
        new(TransactionsProcessed, "Count", [EnvironmentDimension]),
        new(FraudDetected, "Count", [EnvironmentDimension]),
        new(DuplicatesSkipped, "Count", [EnvironmentDimension]),
        new(RecordsRetried, "Count", [EnvironmentDimension]),
        new(RecordsRejected, "Count", [EnvironmentDimension]),
        new(ProcessingLatency, "Milliseconds", [EnvironmentDimension]),
        new(ConfidenceScore, "None", [EnvironmentDimension]),
        new(RecordsRejected, "Count", [EnvironmentDimension, ReasonDimension]),
        new(CorruptStoredRows, "Count", [EnvironmentDimension]),
    ];
}
