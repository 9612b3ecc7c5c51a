namespace FraudTf.Functions.Shared.Metrics;

/// <summary>
/// CloudWatch Logs metric-filter patterns over the functions' JSON log lines. Kept next to the code that writes those
/// lines; the monitoring module installs them and the function tests match them against real log output.
/// </summary>
public static class LogPatterns
{
    /// <summary>A scored transaction decided REVIEW or DECLINE (the stream processor's "transaction scored" line).</summary>
    public const string FraudEvent = "{ ($.message = \"transaction scored\") && (($.decision = \"REVIEW\") || ($.decision = \"DECLINE\")) }";

    /// <summary>A record retried or rejected, or an event dead-lettered (warn or error lines).</summary>
    public const string ProcessingError = "{ ($.level = \"warn\") || ($.level = \"error\") }";
}
