using System.Text;
using System.Text.Json;
using FraudTf.Functions.Shared.Logging;
using FraudTf.Functions.Shared.Metrics;

namespace FraudTf.Local.Tests.Observability;

/// <summary>
/// Log lines as the functions write them (their own writers, <see cref="StructuredLog"/> and <see cref="EmfWriter"/>, on a
/// captured raw standard output), and the shapes the Lambda .NET runtime gives a line written through <c>Console</c>
/// (aws-semantics.md: Text prefix <c>time\trequestId\tinfo\tline</c>; JSON format escapes it into <c>message</c>).
/// </summary>
internal static class LogLines
{
    public static readonly DateTimeOffset Noon = new(2026, 12, 2, 12, 0, 0, TimeSpan.Zero);

    /// <summary>The stream processor's "transaction scored" line with the fields its Log method writes (functions/StreamProcessor/Function.cs).</summary>
    public static string Scored(string decision, DateTimeOffset? at = null) => Structured(LogLevels.Info, LogMessages.TransactionScored, at,
    [
        new(LogFields.SequenceNumber, "49590338271490256608559692538361571095921575989136588898"),
        new(LogFields.TransactionId, "t-1"),
        new(LogFields.UserId, "u-1"),
        new(LogFields.Decision, decision),
        new(LogFields.Score, 0.72),
        new(LogFields.Confidence, 0.9),
        new(LogFields.Rules, new[] { "HIGH_AMOUNT", "NEW_COUNTRY" }),
    ]);

    /// <summary>The stream processor's retry line (level WARN).</summary>
    public static string Retried(DateTimeOffset? at = null) => Structured(LogLevels.Warn, "record failed; it will be retried", at,
        [new(LogFields.SequenceNumber, "1"), new(LogFields.TransactionId, "t-2"), new(LogFields.Error, "ProvisionedThroughputExceededException"), new(LogFields.Detail, "Transient")]);

    /// <summary>One line written by <see cref="StructuredLog"/>.</summary>
    public static string Structured(string level, string message, DateTimeOffset? at, LogField[] fields)
    {
        using var stream = new MemoryStream();
        new StructuredLog(new StructuredOutput(stream), () => at ?? Noon).Write(level, message, fields);
        return Encoding.UTF8.GetString(stream.ToArray()).TrimEnd('\n');
    }

    /// <summary>One EMF document written by <see cref="EmfWriter"/>.</summary>
    public static string Emf(DateTimeOffset at, string environment, params MetricValue[] metrics)
    {
        using var stream = new MemoryStream();
        new EmfWriter(new StructuredOutput(stream), () => at).Emit(new Dictionary<string, string> { [PlatformMetrics.EnvironmentDimension] = environment }, metrics);
        return Encoding.UTF8.GetString(stream.ToArray()).TrimEnd('\n');
    }

    /// <summary>The line as the runtime stores it when written with Console.WriteLine under the Text log format.</summary>
    public static string TextPrefixed(string line) => $"2026-12-02T12:00:00.000Z\treq-1\tinfo\t{line}";

    /// <summary>The line as the runtime stores it when written with Console.WriteLine under the JSON log format.</summary>
    public static string JsonEscaped(string line) =>
        JsonSerializer.Serialize(new Dictionary<string, string> { ["timestamp"] = "2026-12-02T12:00:00.000Z", ["level"] = "Information", ["requestId"] = "req-1", ["message"] = line });
}
