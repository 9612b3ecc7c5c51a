using FraudTf.Local.Traffic;

namespace FraudTf.Local.Run;

/// <summary>One scenario's outcome: how many of its transactions were flagged (REVIEW or DECLINE).</summary>
/// <param name="Scenario">The scenario.</param>
/// <param name="Fraud">True for a fraud scenario (recall), false for legitimate traffic (false-positive rate).</param>
/// <param name="Transactions">Its valid transactions decided.</param>
/// <param name="Flagged">How many were decided REVIEW or DECLINE.</param>
public sealed record ScenarioOutcome(string Scenario, bool Fraud, int Transactions, int Flagged)
{
    /// <summary>Flagged / transactions (recall for fraud, false-positive rate for legitimate traffic).</summary>
    public double Rate => Transactions == 0 ? 0 : (double)Flagged / Transactions;
}

/// <summary>An alarm's evaluation over the run.</summary>
/// <param name="Name">Alarm name.</param>
/// <param name="Fired">True when it went to ALARM.</param>
/// <param name="FiredAt">When (seconds after the traffic started), if it fired.</param>
/// <param name="Detail">CloudWatch's reason text when it fired, or how close it came.</param>
public sealed record ReportAlarm(string Name, bool Fired, double? FiredAt, string Detail);

/// <summary>A metric's total over the run.</summary>
/// <param name="Namespace">Namespace.</param>
/// <param name="Name">Name.</param>
/// <param name="Dimensions">Dimensions, as <c>k=v</c> joined.</param>
/// <param name="Sum">Sum of its values.</param>
/// <param name="Count">Number of values.</param>
public sealed record ReportMetric(string Namespace, string Name, string Dimensions, double Sum, long Count);

/// <summary>Everything a local run measured.</summary>
public sealed record LocalReport
{
    /// <summary>The options the run had.</summary>
    public required LocalOptions Options { get; init; }

    /// <summary>The machine (processor count, OS, .NET).</summary>
    public required string Machine { get; init; }

    /// <summary>Records put into the stream: every kind.</summary>
    public int Sent { get; init; }

    /// <summary>Of which valid transactions (first sends).</summary>
    public int SentValid { get; init; }

    /// <summary>Of which malformed.</summary>
    public int SentMalformed { get; init; }

    /// <summary>Of which exact replays of an earlier record.</summary>
    public int SentReplays { get; init; }

    /// <summary>Valid transactions stored in the transactions table.</summary>
    public int Stored { get; init; }

    /// <summary>Records quarantined by the stream processor (distinct records), by reason.</summary>
    public IReadOnlyDictionary<string, int> Quarantined { get; init; } = new Dictionary<string, int>();

    /// <summary>Records in discarded batches (the mapping's on-failure destination).</summary>
    public int Discarded { get; init; }

    /// <summary>
    /// Records the event source mapping delivered again (a retried batch, or the records after a reported failure):
    /// records passed to the function, every attempt counted, beyond the records sent. A redelivered record that was already stored counts as a duplicate skipped; one
    /// already quarantined is quarantined again under the same quarantine id.
    /// </summary>
    public long Redelivered { get; init; }

    /// <summary>Duplicates the stream processor skipped (its DuplicatesSkipped metric).</summary>
    public double DuplicatesSkipped { get; init; }

    /// <summary>Sent records found nowhere: neither stored, quarantined nor in a discarded batch. Must be 0.</summary>
    public IReadOnlyList<string> Lost { get; init; } = [];

    /// <summary>Decisions by outcome.</summary>
    public IReadOnlyDictionary<string, int> Decisions { get; init; } = new Dictionary<string, int>();

    /// <summary>Per scenario.</summary>
    public IReadOnlyList<ScenarioOutcome> Scenarios { get; init; } = [];

    /// <summary>PutRecords to decision (decidedAt), milliseconds: p50, p95.</summary>
    public (double P50, double P95, int N) DecisionLatency { get; init; }

    /// <summary>PutRecords to the alert handled (the alert handler's log event), milliseconds: p50, p95.</summary>
    public (double P50, double P95, int N) AlertLatency { get; init; }

    /// <summary>Alerts handled (markers in the decisions table), trails, audit records, SNS messages, events-stream records.</summary>
    public IReadOnlyDictionary<string, int> Alerts { get; init; } = new Dictionary<string, int>();

    /// <summary>Every metric's total.</summary>
    public IReadOnlyList<ReportMetric> Metrics { get; init; } = [];

    /// <summary>Every alarm.</summary>
    public IReadOnlyList<ReportAlarm> Alarms { get; init; } = [];

    /// <summary>Valid records per second from the first put to the last decision.</summary>
    public double Throughput { get; init; }

    /// <summary>Seconds from the first put to the last decision.</summary>
    public double ProcessingSeconds { get; init; }

    /// <summary>Counters of the local runners (mapping, pipes, bus, async invocations), for the record.</summary>
    public IReadOnlyDictionary<string, string> Runners { get; init; } = new Dictionary<string, string>();

    /// <summary>Charts written beside the report (file name to title).</summary>
    public IReadOnlyList<(string File, string Title)> Charts { get; init; } = [];

    /// <summary>Recall over every fraud scenario's fraudulent transactions together; null when there were none.</summary>
    public double? OverallRecall
    {
        get
        {
            var fraud = Scenarios.Where(o => o.Fraud).ToList();
            var n = fraud.Sum(o => o.Transactions);
            return n == 0 ? null : (double)fraud.Sum(o => o.Flagged) / n;
        }
    }

    /// <summary>False-positive rate over the legitimate transactions; null when there were none.</summary>
    public double? FalsePositiveRate => Scenarios.Where(o => !o.Fraud).Sum(o => o.Transactions) is var n && n > 0
        ? (double)Scenarios.Where(o => !o.Fraud).Sum(o => o.Flagged) / n
        : null;

    /// <summary>Issue 16's goals at this run's environment's thresholds.</summary>
    public string Goals => $"goals (issue 16) at {Options.Environment}'s thresholds: {DetectionGoals.Verdict(OverallRecall, FalsePositiveRate)}";

    /// <summary>The short summary printed on the terminal.</summary>
    public string Terminal()
    {
        var s = new StringBuilder();
        s.AppendLine(Inv($"local run of {Options.Environment}: seed {Options.Seed}, scenario {Options.Scenario}, {Options.Rate:0.#} records/s for {Options.Duration.TotalSeconds:0} s{(Options.Faults.Count > 0 ? "; faults: " + string.Join("; ", Options.Faults) : "")}"));
        s.AppendLine(Inv($"  records: sent {Sent} (valid {SentValid}, malformed {SentMalformed}, replays {SentReplays}); stored {Stored}; quarantined {Quarantined.Values.Sum()}; duplicates skipped {DuplicatesSkipped:0}; discarded {Discarded}; redelivered {Redelivered}; lost {Lost.Count}"));
        s.AppendLine("  decisions: " + string.Join(", ", Decisions.OrderBy(d => d.Key, StringComparer.Ordinal).Select(d => $"{d.Key} {d.Value}")));
        foreach (var o in Scenarios)
        {
            s.AppendLine(Inv($"  {o.Scenario,-20} {o.Transactions,6} transactions, {o.Flagged,5} flagged: {(o.Fraud ? "recall" : "false-positive rate")} {o.Rate:P1}"));
        }

        if (OverallRecall is { } recall)
        {
            s.AppendLine(Inv($"  {"overall fraud",-20} {Scenarios.Where(o => o.Fraud).Sum(o => o.Transactions),6} transactions, {Scenarios.Where(o => o.Fraud).Sum(o => o.Flagged),5} flagged: recall {recall:P1}"));
        }

        s.AppendLine($"  {Goals}");
        s.AppendLine(Inv($"  latency PutRecords -> decision p50 {DecisionLatency.P50:0} ms, p95 {DecisionLatency.P95:0} ms; -> alert p50 {AlertLatency.P50:0} ms, p95 {AlertLatency.P95:0} ms"));
        s.AppendLine("  alerts: " + string.Join(", ", Alerts.Select(a => $"{a.Key} {a.Value}")));
        s.AppendLine(Inv($"  throughput: {Throughput:0.0} valid records/s over {ProcessingSeconds:0.0} s"));
        var fired = Alarms.Where(a => a.Fired).ToList();
        s.AppendLine(fired.Count == 0 ? "  alarms: none fired" : "  alarms fired: " + string.Join(", ", fired.Select(a => Inv($"{a.Name} at {a.FiredAt:0} s"))));
        s.AppendLine($"  report: {Options.ReportPath}");
        return s.ToString();
    }

    /// <summary>The Markdown report.</summary>
    public string Markdown()
    {
        var s = new StringBuilder();
        s.AppendLine($"# Local run of `{Options.Environment}`");
        s.AppendLine();
        s.AppendLine(Inv($"Seed {Options.Seed}, scenario `{Options.Scenario}`, {Options.Rate:0.#} records/s for {Options.Duration.TotalSeconds:0} s, on {Machine}."));
        if (Options.Faults.Count > 0)
        {
            s.AppendLine();
            s.AppendLine("Injected failures: " + string.Join("; ", Options.Faults) + ".");
        }

        s.AppendLine();
        s.AppendLine("## Records");
        s.AppendLine();
        s.AppendLine("| sent | valid | malformed | replays | stored | quarantined | duplicates skipped | discarded | redelivered | lost |");
        s.AppendLine("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        s.AppendLine(Inv($"| {Sent} | {SentValid} | {SentMalformed} | {SentReplays} | {Stored} | {Quarantined.Values.Sum()} | {DuplicatesSkipped:0} | {Discarded} | {Redelivered} | **{Lost.Count}** |"));
        if (Quarantined.Count > 0)
        {
            s.AppendLine();
            s.AppendLine("Quarantined by reason: " + string.Join(", ", Quarantined.OrderBy(q => q.Key, StringComparer.Ordinal).Select(q => $"{q.Key} {q.Value}")) + ".");
        }

        if (Lost.Count > 0)
        {
            s.AppendLine();
            s.AppendLine("Lost (first 20 sequence numbers): " + string.Join(", ", Lost.Take(20)));
        }

        s.AppendLine();
        s.AppendLine("## Decisions and detection");
        s.AppendLine();
        s.AppendLine("Decisions: " + string.Join(", ", Decisions.OrderBy(d => d.Key, StringComparer.Ordinal).Select(d => $"{d.Key} {d.Value}")) + ".");
        s.AppendLine();
        s.AppendLine("| scenario | kind | transactions | flagged (REVIEW or DECLINE) | recall / false-positive rate |");
        s.AppendLine("|---|---|---:|---:|---:|");
        foreach (var o in Scenarios)
        {
            s.AppendLine(Inv($"| {o.Scenario} | {(o.Fraud ? "fraud" : "legitimate")} | {o.Transactions} | {o.Flagged} | {(o.Fraud ? "recall" : "FPR")} {o.Rate:P1} |"));
        }

        if (OverallRecall is { } all)
        {
            s.AppendLine(Inv($"| **overall fraud** | fraud | {Scenarios.Where(o => o.Fraud).Sum(o => o.Transactions)} | {Scenarios.Where(o => o.Fraud).Sum(o => o.Flagged)} | recall {all:P1} |"));
        }

        s.AppendLine();
        s.AppendLine($"Issue 16's goals at {Options.Environment}'s thresholds (the issue measures them at prod's): {DetectionGoals.Verdict(OverallRecall, FalsePositiveRate)}.");

        foreach (var (file, title) in Charts)
        {
            s.AppendLine();
            s.AppendLine($"![{title}]({file})");
        }

        s.AppendLine();
        s.AppendLine("## Latency and throughput");
        s.AppendLine();
        s.AppendLine("| from PutRecords to | p50 | p95 | n |");
        s.AppendLine("|---|---:|---:|---:|");
        s.AppendLine(Inv($"| decision (`decidedAt` of the decision row) | {DecisionLatency.P50:0} ms | {DecisionLatency.P95:0} ms | {DecisionLatency.N} |"));
        s.AppendLine(Inv($"| alert handled (the alert handler's `alert handled` log event) | {AlertLatency.P50:0} ms | {AlertLatency.P95:0} ms | {AlertLatency.N} |"));
        s.AppendLine();
        s.AppendLine(Inv($"Throughput: {Throughput:0.0} valid records/s through the whole path ({ProcessingSeconds:0.0} s from the first put to the last decision)."));
        s.AppendLine();
        s.AppendLine("## Alerts");
        s.AppendLine();
        s.AppendLine(string.Join(", ", Alerts.Select(a => $"{a.Key}: {a.Value}")) + ".");
        s.AppendLine();
        s.AppendLine("## Alarms");
        s.AppendLine();
        s.AppendLine("| alarm | fired | when | detail |");
        s.AppendLine("|---|---|---:|---|");
        foreach (var a in Alarms.OrderBy(a => a.Fired ? 0 : 1).ThenBy(a => a.Name, StringComparer.Ordinal))
        {
            s.AppendLine(Inv($"| {a.Name} | {(a.Fired ? "**ALARM**" : "no")} | {(a.FiredAt is { } t ? t.ToString("0", CultureInfo.InvariantCulture) + " s" : "")} | {a.Detail.Replace("|", "\\|", StringComparison.Ordinal)} |"));
        }

        s.AppendLine();
        s.AppendLine("## Metrics (totals over the run)");
        s.AppendLine();
        s.AppendLine("| namespace | metric | dimensions | sum | datapoints |");
        s.AppendLine("|---|---|---|---:|---:|");
        foreach (var m in Metrics)
        {
            s.AppendLine(Inv($"| {m.Namespace} | {m.Name} | {m.Dimensions} | {m.Sum:0.##} | {m.Count} |"));
        }

        s.AppendLine();
        s.AppendLine("## Local runners");
        s.AppendLine();
        foreach (var (name, value) in Runners)
        {
            s.AppendLine($"- {name}: {value}");
        }

        return s.ToString();
    }

    /// <summary>The key numbers, machine-readable (cdktf.out/local-&lt;env&gt;.json; the benchmark reads it).</summary>
    public System.Text.Json.Nodes.JsonObject Summary() => new()
    {
        ["environment"] = Options.Environment,
        ["seed"] = Options.Seed,
        ["scenario"] = Options.Scenario,
        ["rate"] = Options.Rate,
        ["durationSeconds"] = Options.Duration.TotalSeconds,
        ["machine"] = Machine,
        ["sent"] = Sent,
        ["stored"] = Stored,
        ["quarantined"] = Quarantined.Values.Sum(),
        ["duplicatesSkipped"] = DuplicatesSkipped,
        ["discarded"] = Discarded,
        ["redelivered"] = Redelivered,
        ["lost"] = Lost.Count,
        ["throughput"] = Math.Round(Throughput, 2),
        ["processingSeconds"] = Math.Round(ProcessingSeconds, 2),
        ["decisionLatencyP50"] = Math.Round(DecisionLatency.P50),
        ["decisionLatencyP95"] = Math.Round(DecisionLatency.P95),
        ["alertLatencyP50"] = Math.Round(AlertLatency.P50),
        ["alertLatencyP95"] = Math.Round(AlertLatency.P95),
        ["alarmsFired"] = new System.Text.Json.Nodes.JsonArray(Alarms.Where(a => a.Fired).Select(a => (System.Text.Json.Nodes.JsonNode?)a.Name).ToArray()),
    };

    /// <summary>The nearest-rank percentile of <paramref name="values"/> (0 when empty).</summary>
    public static double Percentile(IReadOnlyList<double> values, double p)
    {
        if (values.Count == 0)
        {
            return 0;
        }

        var sorted = values.Order().ToList();
        var rank = (int)Math.Ceiling(p / 100 * sorted.Count);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Count - 1)];
    }

    private static string Inv(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
