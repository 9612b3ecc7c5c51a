namespace FraudTf.Functions.Shared.Logging;

// Alike on purpose: name catalogs, the shape of the others in functions/Shared (see PlatformEvents).
/// <summary>
/// Field names of the functions' structured log lines (<see cref="StructuredLog"/>), shared with the metric-filter patterns
/// (<see cref="Metrics.LogPatterns"/>) that read them.
/// </summary>
public static class LogFields
{
    /// <summary>RFC 3339 UTC time of the line (Lambda reads it under the JSON log format).</summary>
    public const string Timestamp = "timestamp";

    /// <summary>The line's level, one of <see cref="LogLevels"/> (Lambda's log-level filtering reads it).</summary>
    public const string Level = "level";

    /// <summary>What happened, a fixed text (<see cref="LogMessages"/> for the ones filters count).</summary>
    public const string Message = "message";

    /// <summary>A scoring decision (APPROVE, REVIEW, DECLINE).</summary>
    public const string Decision = "decision";

    /// <summary>Why a record was rejected or quarantined (a reason code).</summary>
    public const string Reason = "reason";

    /// <summary>An exception type or error code.</summary>
    public const string Error = "error";

    /// <summary>A short human detail (never record content).</summary>
    public const string Detail = "detail";

    /// <summary>A transaction id.</summary>
    public const string TransactionId = "transactionId";

    /// <summary>A user id.</summary>
    public const string UserId = "userId";

    /// <summary>A DynamoDB stream record's eventID (the decisions' idempotency key).</summary>
    public const string RecordId = "recordId";

    /// <summary>A Kinesis record's sequence number.</summary>
    public const string SequenceNumber = "sequenceNumber";

    /// <summary>Risk score.</summary>
    public const string Score = "score";

    /// <summary>Decision confidence.</summary>
    public const string Confidence = "confidence";

    /// <summary>The rules that contributed to a score.</summary>
    public const string Rules = "rules";

    /// <summary>The environment's name.</summary>
    public const string Environment = "environment";

    /// <summary>Duration in milliseconds.</summary>
    public const string DurationMs = "durationMs";
}

/// <summary>
/// Levels of the structured log lines: Lambda's own level names ("TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL"),
/// which its log-level filtering reads from a JSON line's <c>level</c> (Lambda developer guide, "Log-level filtering").
/// Not the .NET runtime's "Information"/"Error", which only lines written through <c>Console</c> get.
/// </summary>
public static class LogLevels
{
    /// <summary>Normal operation.</summary>
    public const string Info = "INFO";

    /// <summary>A record or event set aside or retried; the function goes on.</summary>
    public const string Warn = "WARN";

    /// <summary>A failure the function reports (the invocation may fail).</summary>
    public const string Error = "ERROR";
}

/// <summary>The log messages that metric filters count (fixed texts: a filter matches them exactly).</summary>
public static class LogMessages
{
    /// <summary>The stream processor stored a transaction with its decision (carries <see cref="LogFields.Decision"/>).</summary>
    public const string TransactionScored = "transaction scored";
}

/// <summary>The values of a scoring decision, as stored and logged.</summary>
public static class DecisionValues
{
    /// <summary>Approved.</summary>
    public const string Approve = "APPROVE";

    /// <summary>Sent to review (an alert).</summary>
    public const string Review = "REVIEW";

    /// <summary>Declined (an alert).</summary>
    public const string Decline = "DECLINE";
}
