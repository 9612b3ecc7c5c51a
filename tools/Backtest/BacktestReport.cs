using System.Text;
using FraudTf.Local.Report.Charts;
using static FraudTf.Backtest.BacktestRun;

namespace FraudTf.Backtest;

/// <summary>The backtest's Markdown report, its precision-recall chart and its terminal summary (deterministic: no clock).</summary>
public static class BacktestReport
{
    /// <summary>A rate as a percentage with 2 decimals, or "n/a" when undefined.</summary>
    public static string Pct(double? v) => v is { } x ? (100 * x).ToString("0.00", CultureInfo.InvariantCulture) + "%" : "n/a";

    /// <summary>A ratio with 3 decimals, or "n/a" when undefined.</summary>
    public static string Num(double? v) => v is { } x ? x.ToString("0.000", CultureInfo.InvariantCulture) : "n/a";

    /// <summary>Precision against recall over the sweep, the environment's threshold as a dot.</summary>
    public static string PrecisionRecallChart(BacktestResult r)
    {
        var points = r.Sweep.Where(p => p.Counts.Precision is not null && p.Counts.Recall is not null).ToList();
        var env = points.Where(p => p.IsEnvironment).Select(p => (p.Counts.Recall!.Value, p.Counts.Precision!.Value)).ToList();
        return Svg.Xy($"Precision-recall, {r.Options.Environment} rules, seed {r.Options.Seed} (review threshold 0.05-0.95)", "recall", "precision",
        [
            new LineSeries("sweep", points.Select(p => (p.Counts.Recall!.Value, p.Counts.Precision!.Value)).ToList()),
            new LineSeries(Inv($"environment threshold {r.Rules.ReviewThreshold:0.##}"), env),
        ]);
    }

    /// <summary>The Markdown report; <paramref name="chartFile"/> is the chart's file name beside it.</summary>
    public static string Markdown(BacktestResult r, string chartFile)
    {
        var o = r.Options;
        var sb = new StringBuilder();
        void Line(FormattableString s) => sb.Append(s.ToString(CultureInfo.InvariantCulture)).Append('\n');
        Line($"# Backtest of the {o.Environment} scorer, seed {o.Seed}");
        Line($"");
        Line($"`make backtest ENV={o.Environment} SEED={o.Seed}`: the stream processor's scorer (FraudScorer) over the traffic generator's labelled records, in process (tools/Backtest; no engines).");
        Line($"");
        Line($"- **Rules:** the stream processor's `SCORING_RULES` in `{Path.GetFileName(Path.GetDirectoryName(r.StackPath))}/cdk.tf.json`: `{r.RawRules ?? "(unset)"}`, read by the function's own `Settings.ReadRules`; effective version {r.Rules.EffectiveVersion} (the rulesVersion decisions record): review >= {r.Rules.ReviewThreshold}, decline >= {r.Rules.DeclineThreshold}; rates {r.Rules.Rates.Version} ({r.Rules.Rates.Base}, {r.Rules.Rates.Source}), travel table {r.Rules.Travel.Version}. Every value: `{System.Text.Json.JsonSerializer.Serialize(r.Rules, RulesJson)}`.");
        Line($"- **Patterns:** none (the patterns table of a fresh environment is empty, as in make local).");
        Line($"- **Traffic:** {r.Records.Count} records ({o.RecordsPerSecond} records/s x {o.Duration.TotalSeconds} s, default mix), simulated day ending {o.Anchor.UtcDateTime:yyyy-MM-dd HH:mm}Z. Scored {r.Replay.Scored.Count}; rejected by the parser {r.Replay.Rejected.Values.Sum()}; duplicate replays skipped {r.Replay.Duplicates.Values.Sum()}.");
        var decisions = r.Replay.Scored.GroupBy(s => s.Result.Decision).OrderBy(g => g.Key).Select(g => Inv($"{g.Key} {g.Count()}"));
        Line($"- **Decisions:** {string.Join(", ", decisions)}.");
        Line($"- **Flagged** = REVIEW or DECLINE (score >= review threshold). Recall over a scenario's fraudulent records; false-positive rate (FPR) over its legitimate ones (a fraud scenario's legitimate records are the history it builds for its victim).");
        Line($"");
        Line($"## At the environment's thresholds (review {r.Rules.ReviewThreshold})");
        Line($"");
        Line($"| scenario | fraud | flagged | recall | legitimate | flagged | FPR |");
        Line($"|---|---:|---:|---:|---:|---:|---:|");
        foreach (var s in r.PerScenario)
        {
            var c = s.Counts;
            Line($"| {s.Scenario} | {c.Fraud} | {c.TruePositives} | {Num(c.Recall)} | {c.Legitimate} | {c.FalsePositives} | {Pct(c.FalsePositiveRate)} |");
        }

        var all = r.Overall;
        Line($"| **overall** | {all.Fraud} | {all.TruePositives} | **{Num(all.Recall)}** | {all.Legitimate} | {all.FalsePositives} | **{Pct(all.FalsePositiveRate)}** |");
        Line($"");
        Line($"Overall precision {Num(all.Precision)}, recall {Num(all.Recall)}, FPR {Pct(all.FalsePositiveRate)}, F1 {Num(all.F1)}.");
        Line($"Issue 16's goals, here at {o.Environment}'s thresholds (the issue measures them at prod's): recall >= {DetectionGoals.Recall}: **{(all.Recall >= DetectionGoals.Recall ? "met" : "not met")}**; FPR <= {DetectionGoals.FalsePositiveRate:0%}: **{(all.FalsePositiveRate <= DetectionGoals.FalsePositiveRate ? "met" : "not met")}**.");
        Line($"");
        Line($"## Rules that fired");
        Line($"");
        Line($"How often each rule fired, per scenario, on fraudulent (F) and legitimate (L) records: what an analyst reads to see which signal catches which fraud and what it costs in false alarms.");
        Line($"");
        var scenarios = r.PerScenario.Select(p => p.Scenario).Where(sc => r.Replay.Scored.Any(x => x.Record.Scenario == sc)).ToList();
        Line($"| rule | {string.Join(" | ", scenarios)} |");
        Line($"|---|{string.Concat(scenarios.Select(_ => "---:|"))}");
        // One pass: per rule, per scenario, how many fraudulent and legitimate records it fired on.
        var fired = new SortedDictionary<string, Dictionary<string, (int Fraud, int Legit)>>(StringComparer.Ordinal);
        foreach (var x in r.Replay.Scored)
        {
            foreach (var rule in x.Result.Reasons.Select(reason => RuleOf(reason.Rule)).Distinct())
            {
                var byScenario = fired.TryGetValue(rule, out var d) ? d : fired[rule] = new Dictionary<string, (int, int)>(StringComparer.Ordinal);
                var (fraud, legit) = byScenario.GetValueOrDefault(x.Record.Scenario);
                byScenario[x.Record.Scenario] = x.Record.IsFraud ? (fraud + 1, legit) : (fraud, legit + 1);
            }
        }

        foreach (var (rule, byScenario) in fired)
        {
            var cells = scenarios.Select(sc =>
            {
                var (fraud, legit) = byScenario.GetValueOrDefault(sc);
                return fraud == 0 && legit == 0 ? "" : Inv($"{(fraud > 0 ? $"F {fraud}" : "")}{(fraud > 0 && legit > 0 ? ", " : "")}{(legit > 0 ? $"L {legit}" : "")}");
            });
            Line($"| {rule} | {string.Join(" | ", cells)} |");
        }

        Line($"");
        Line($"## Threshold sweep (review threshold; flagged when score >= it)");
        Line($"");
        Line($"The sweep re-thresholds this replay's scores. A profile learns only approved transactions, so another threshold would also change what the profiles learnt; the sweep does not re-simulate that (a backtest of an environment with that threshold does).");
        Line($"");
        Line($"| review threshold | flagged | precision | recall | FPR | F1 |");
        Line($"|---:|---:|---:|---:|---:|---:|");
        foreach (var p in r.Sweep)
        {
            Line($"| {p.Threshold:0.00}{(p.IsEnvironment ? " (environment)" : "")} | {p.Counts.Flagged} | {Num(p.Counts.Precision)} | {Num(p.Counts.Recall)} | {Pct(p.Counts.FalsePositiveRate)} | {Num(p.Counts.F1)} |");
        }

        Line($"");
        Line($"## Precision-recall");
        Line($"");
        Line($"![Precision against recall over the sweep]({chartFile})");
        return sb.ToString();
    }

    /// <summary>The terminal summary.</summary>
    public static string Summary(BacktestResult r, string? reportPath)
    {
        var sb = new StringBuilder();
        void Line(FormattableString s) => sb.Append(s.ToString(CultureInfo.InvariantCulture)).Append('\n');
        Line($"backtest {r.Options.Environment}, seed {r.Options.Seed}: {r.Records.Count} records, {r.Replay.Scored.Count} scored, {r.Replay.Rejected.Values.Sum()} rejected, {r.Replay.Duplicates.Values.Sum()} duplicates skipped; rules {r.Rules.EffectiveVersion} (review {r.Rules.ReviewThreshold}, decline {r.Rules.DeclineThreshold}), no patterns");
        foreach (var s in r.PerScenario)
        {
            var c = s.Counts;
            Line($"  {s.Scenario,-20} recall {Num(c.Recall),6} ({c.TruePositives}/{c.Fraud})   FPR {Pct(c.FalsePositiveRate),7} ({c.FalsePositives}/{c.Legitimate})");
        }

        var all = r.Overall;
        Line($"  {"overall",-20} recall {Num(all.Recall),6} ({all.TruePositives}/{all.Fraud})   FPR {Pct(all.FalsePositiveRate),7} ({all.FalsePositives}/{all.Legitimate})   precision {Num(all.Precision)}, F1 {Num(all.F1)}");
        Line($"  goals (issue 16) at {r.Options.Environment}'s thresholds: recall >= {DetectionGoals.Recall} {(all.Recall >= DetectionGoals.Recall ? "met" : "NOT met")}, FPR <= {DetectionGoals.FalsePositiveRate:0%} {(all.FalsePositiveRate <= DetectionGoals.FalsePositiveRate ? "met" : "NOT met")}");
        var best = r.Sweep.Where(p => p.Counts.F1 is not null).OrderByDescending(p => p.Counts.F1).ThenBy(p => p.Threshold).FirstOrDefault();
        if (best is not null)
        {
            Line($"  sweep: best F1 {Num(best.Counts.F1)} at review threshold {best.Threshold:0.00} (recall {Num(best.Counts.Recall)}, FPR {Pct(best.Counts.FalsePositiveRate)})");
        }

        if (reportPath is not null)
        {
            Line($"report: {reportPath}");
        }

        return sb.ToString();
    }

    private static readonly System.Text.Json.JsonSerializerOptions RulesJson = new() { PropertyNamingPolicy = System.Text.Json.JsonNamingPolicy.CamelCase };

    // A pattern's reasons are grouped under PATTERN.
    private static string RuleOf(string rule) => rule.StartsWith(RuleIds.PatternPrefix, StringComparison.Ordinal) ? "PATTERN" : rule;

    /// <summary>The decision a score gets under <paramref name="rules"/> (the scorer's comparison).</summary>
    internal static Decision DecisionOf(double score, ScoringRules rules) =>
        score >= rules.DeclineThreshold ? Decision.DECLINE : score >= rules.ReviewThreshold ? Decision.REVIEW : Decision.APPROVE;
}
