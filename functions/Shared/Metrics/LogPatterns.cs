using FraudTf.Functions.Shared.Logging;

namespace FraudTf.Functions.Shared.Metrics;

/// <summary>
/// CloudWatch Logs metric-filter patterns over the functions' structured log lines (<see cref="StructuredLog"/>), built
/// from the same field names and values the code writes. A JSON filter reads the stored log event's own top-level
/// fields, so these patterns match only lines written to the raw standard output: a line written with
/// <c>Console.WriteLine</c> is escaped into the runtime's <c>message</c> (JSON log format, where <c>$.level</c> is the
/// runtime's "Information") or prefixed (Text format), and matches neither. The levels are Lambda's names ("WARN",
/// "ERROR"), never the runtime's ("Information", "Error"). The observability tests evaluate the synthesized stack's
/// patterns against the handlers' log events as CloudWatch stores them.
/// </summary>
public static class LogPatterns
{
    /// <summary>A scored transaction decided REVIEW or DECLINE (the stream processor's "transaction scored" line).</summary>
    public const string FraudEvent =
        "{ ($." + LogFields.Message + " = \"" + LogMessages.TransactionScored + "\") && " +
        "(($." + LogFields.Decision + " = \"" + DecisionValues.Review + "\") || ($." + LogFields.Decision + " = \"" + DecisionValues.Decline + "\")) }";

    /// <summary>A record retried or rejected, or an event dead-lettered (the functions' WARN or ERROR lines).</summary>
    public const string ProcessingError =
        "{ ($." + LogFields.Level + " = \"" + LogLevels.Warn + "\") || ($." + LogFields.Level + " = \"" + LogLevels.Error + "\") }";
}
