namespace FraudTf.Functions.Shared.Tables;

/// <summary>
/// Values of the decisions table's sort key (<see cref="DecisionAttributes.DecisionKey"/>): who wrote the row. The
/// decisions pipe raises alerts only for <see cref="Automated"/> rows; analyst rows and the alert handler's markers share
/// the table under their own prefixes and can never become alerts.
/// </summary>
public static class DecisionKeys
{
    /// <summary>The scorer's decision (written by the stream processor).</summary>
    public const string Automated = "AUTOMATED";

    /// <summary>Prefix of an analyst's decision (<c>ANALYST#&lt;timestamp&gt;</c>, written by the agent tools).</summary>
    public const string AnalystPrefix = "ANALYST#";

    /// <summary>Prefix of the alert handler's handled-decision marker (<c>ALERT#&lt;recordId&gt;</c>).</summary>
    public const string AlertMarkerPrefix = "ALERT#";
}
