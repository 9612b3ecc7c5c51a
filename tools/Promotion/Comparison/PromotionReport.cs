using System.Text;

namespace FraudTf.Promotion.Comparison;

/// <summary>An optional section of the promotion report produced by another component (plan summary, cost difference).</summary>
/// <param name="Title">Section heading.</param>
/// <param name="Markdown">Section body; null when the component did not run, with <paramref name="SkippedBecause"/> saying why.</param>
/// <param name="SkippedBecause">Why the section is empty (e.g. "no terraform CLI on PATH").</param>
public sealed record ReportSection(string Title, string? Markdown, string? SkippedBecause = null);

/// <summary>Renders a <see cref="StackComparison"/> as the Markdown promotion report. Deterministic: no timestamps, sorted content.</summary>
public static class PromotionReport
{
    private const int MaxValue = 90;

    /// <summary>The report; <paramref name="sections"/> are appended in order (plan of the target, cost difference, ...).</summary>
    public static string Render(StackComparison c, IReadOnlyList<ReportSection> sections)
    {
        var sb = new StringBuilder();
        var (from, to) = (c.From, c.To);
        sb.AppendLine($"# Promotion report: {from} → {to}");
        sb.AppendLine();
        sb.AppendLine($"Compares the synthesized stacks `fraud-detection-{from}` and `fraud-detection-{to}` (cdktf.out/stacks) block by block, " +
                      "matched by Terraform address. A difference is **expected** when the target value is the source value with " +
                      "per-environment config values substituted (environments/*.json with defaults applied; table at the end), " +
                      $"or when {AcceptedDifference.FileName} accepts it with a reason; anything else is **unexpected**.");
        sb.AppendLine();
        sb.AppendLine($"Every decision records the `rulesVersion` of the scoring rules that made it: the rule set's label, `+`, and a hash of the " +
                      $"effective rules (defaults with the environment's `SCORING_RULES` applied) and of the selected reference tables. " +
                      $"The section \"Scoring rules\" shows both environments' effective rules: the version shown for `{to}` is the one its " +
                      $"decisions record once this promotion is deployed (promoting changes it whenever the code brings other defaults or a " +
                      $"scoring block changed), and each setting that differs is a reason the same transaction may be decided differently in " +
                      $"`{from}` and `{to}`. A `SCORING_RULES` difference is expected only when each stack holds exactly what its environment " +
                      $"file's `scoring` block produces.");
        sb.AppendLine();
        var artifactsDiffer = c.Artifacts.Count(a => !a.Identical);
        sb.AppendLine(c.Passed
            ? $"**Verdict: PASS.** No unexpected difference; every Lambda artifact is identical ({c.Artifacts.Count} of {c.Artifacts.Count}): `{to}` receives the code `{from}` runs."
            : $"**Verdict: BLOCKED: {c.UnexpectedCount} unexpected difference(s).** Review them below; fix the code or config, or accept a deliberate difference in {AcceptedDifference.FileName}.");
        sb.AppendLine();
        sb.AppendLine("| | count |");
        sb.AppendLine("|---|---|");
        sb.AppendLine($"| blocks in `{from}` / `{to}` | {c.BlocksFrom} / {c.BlocksTo} |");
        sb.AppendLine($"| blocks only in `{from}` / only in `{to}` | {c.OnlyInFrom.Count} / {c.OnlyInTo.Count} |");
        sb.AppendLine($"| expected differences (values) | {c.Differences.Count(d => d.Expected)} in {c.Differences.Where(d => d.Expected).Select(d => d.Address).Distinct().Count()} blocks |");
        sb.AppendLine($"| unexpected differences (values) | {c.Unexpected.Count} in {c.Unexpected.Select(d => d.Address).Distinct().Count()} blocks |");
        sb.AppendLine($"| Lambda artifacts identical | {c.Artifacts.Count - artifactsDiffer} of {c.Artifacts.Count} |");
        if (c.Network is not null)
        {
            sb.AppendLine($"| networking blocks only in `{from}` / only in `{to}` (expected: `network` differs) | {c.NetworkOnlyInFrom.Count} / {c.NetworkOnlyInTo.Count} |");
        }

        sb.AppendLine();
        AppendNetworking(sb, c);

        // Alike on purpose: each section of the report is a Markdown table written row by row, the same way.
        sb.AppendLine("## Lambda artifacts");
        sb.AppendLine();
        sb.AppendLine($"| function | `source_code_hash` in {from} | in {to} | zip SHA-256 in {from} | in {to} | same code |");
        sb.AppendLine("|---|---|---|---|---|---|");
        foreach (var a in c.Artifacts)
        {
            sb.AppendLine($"| `{a.Address}` | {Code(a.FromHash)} | {Code(a.ToHash)} | {Code(Short(a.FromZipSha256))} | {Code(Short(a.ToZipSha256))} | {(a.Identical ? "yes" : "**NO**")} |");
        }

        if (c.Artifacts.Count == 0)
        {
            sb.AppendLine("| (no aws_lambda_function in either stack) | | | | | |");
        }

        sb.AppendLine();
        sb.AppendLine($"## Unexpected differences ({c.UnexpectedCount - artifactsDiffer})");
        sb.AppendLine();
        if (c.OnlyInFrom.Count + c.OnlyInTo.Count + c.Unexpected.Count == 0)
        {
            sb.AppendLine("None.");
        }

        foreach (var a in c.OnlyInFrom)
        {
            sb.AppendLine($"- `{a}`: only in `{from}` (promoting would not create it in `{to}`; if `{to}` has it deployed, it would be destroyed)");
        }

        foreach (var a in c.OnlyInTo)
        {
            sb.AppendLine($"- `{a}`: only in `{to}` (not in what `{from}` runs)");
        }

        if (c.Unexpected.Count > 0)
        {
            sb.AppendLine();
            sb.AppendLine($"| address | path | {from} | {to} |");
            sb.AppendLine("|---|---|---|---|");
            foreach (var d in c.Unexpected)
            {
                var (x, y) = Excerpts(d.From, d.To);
                sb.AppendLine($"| `{d.Address}` | `{d.Path}` | {x} | {y} |");
            }
        }

        sb.AppendLine();
        AppendScoringRules(sb, c);
        sb.AppendLine();
        var expected = c.Differences.Where(d => d.Expected).ToList();
        sb.AppendLine($"## Expected per-environment differences ({expected.Count})");
        sb.AppendLine();
        sb.AppendLine("| explained by | values |");
        sb.AppendLine("|---|---|");
        foreach (var g in expected.GroupBy(Explanation).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            sb.AppendLine($"| {g.Key} | {g.Count()} |");
        }

        sb.AppendLine();
        sb.AppendLine("<details><summary>Every expected difference</summary>");
        sb.AppendLine();
        sb.AppendLine($"| address | path | {from} | {to} | explained by |");
        sb.AppendLine("|---|---|---|---|---|");
        foreach (var d in expected)
        {
            var (x, y) = Excerpts(d.From, d.To);
            sb.AppendLine($"| `{d.Address}` | `{d.Path}` | {x} | {y} | {Explanation(d)} |");
        }

        sb.AppendLine();
        sb.AppendLine("</details>");
        sb.AppendLine();
        sb.AppendLine($"## Per-environment values ({from} → {to})");
        sb.AppendLine();
        sb.AppendLine($"The config leaves that differ between `{from}` and `{to}` (effective values, defaults applied). Only these may change between the stacks.");
        sb.AppendLine();
        sb.AppendLine($"| field | {from} | {to} |");
        sb.AppendLine("|---|---|---|");
        foreach (var s in c.Substitutions)
        {
            sb.AppendLine($"| `{s.Field}` | {Code(s.From)} | {Code(s.To)} |");
        }

        foreach (var section in sections)
        {
            sb.AppendLine();
            sb.AppendLine($"## {section.Title}");
            sb.AppendLine();
            sb.AppendLine(section.Markdown?.TrimEnd() ?? $"Skipped: {section.SkippedBecause}");
        }

        return sb.ToString();
    }

    /// <summary>
    /// The section on private networking, when the environments' <c>network</c> blocks differ: each side's networking, the
    /// fields that differ, the blocks networking adds or removes by type (every address listed), and the values it changes.
    /// </summary>
    private static void AppendNetworking(StringBuilder sb, StackComparison c)
    {
        if (c.Network is not { } n)
        {
            return;
        }

        var (from, to) = (c.From, c.To);
        sb.AppendLine("## Networking");
        sb.AppendLine();
        sb.AppendLine($"Private networking differs (`network` in the environment files; docs/networking.md): `{from}`: {Escape(n.FromMode)}; `{to}`: {Escape(n.ToMode)}. " +
                      "Its blocks and the values it changes are expected per-environment differences, explained by `network`; the cost difference `make promote` appends prices them (endpoint hours, NAT, data processed).");
        sb.AppendLine();
        sb.AppendLine($"| field | {from} | {to} |");
        sb.AppendLine("|---|---|---|");
        foreach (var f in n.Fields)
        {
            sb.AppendLine($"| `{f.Field}` | {Code(f.From)} | {Code(f.To)} |");
        }

        sb.AppendLine();
        var byType = c.NetworkOnlyInTo.Select(x => (Address: x, Added: true)).Concat(c.NetworkOnlyInFrom.Select(x => (Address: x, Added: false)))
            .GroupBy(x => TypeOf(x.Address)).OrderBy(g => g.Key, StringComparer.Ordinal).ToList();
        if (byType.Count > 0)
        {
            sb.AppendLine($"| block type | added (only in `{to}`) | removed (only in `{from}`) |");
            sb.AppendLine("|---|---:|---:|");
            foreach (var g in byType)
            {
                sb.AppendLine($"| `{g.Key}` | {g.Count(x => x.Added)} | {g.Count(x => !x.Added)} |");
            }

            sb.AppendLine($"| **total** | **{c.NetworkOnlyInTo.Count}** | **{c.NetworkOnlyInFrom.Count}** |");
            sb.AppendLine();
        }

        var changed = c.Differences.Where(d => d.ExplainedBy.Any(s => s.Field == NetworkChange.Field)).ToList();
        sb.AppendLine($"Values networking changes in blocks both stacks have: {changed.Count} in {changed.Select(d => d.Address).Distinct().Count()} blocks " +
                      $"({string.Join(", ", changed.GroupBy(d => TypeOf(d.Address)).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => $"`{g.Key}` {g.Select(d => d.Address).Distinct().Count()}"))}" +
                      $"{(changed.Count == 0 ? "none" : "")}): functions' `vpc_config` and dependencies and their network-interface grants, updated in place; the collection's network policy.");
        sb.AppendLine();
        sb.AppendLine("<details><summary>Every networking block added or removed</summary>");
        sb.AppendLine();
        foreach (var a in c.NetworkOnlyInTo)
        {
            sb.AppendLine($"- `{a}`: added in `{to}`");
        }

        foreach (var a in c.NetworkOnlyInFrom)
        {
            sb.AppendLine($"- `{a}`: only in `{from}` (not created in `{to}`; destroyed there if deployed)");
        }

        sb.AppendLine();
        sb.AppendLine("</details>");
        sb.AppendLine();

        static string TypeOf(string address) => address.StartsWith("data.", StringComparison.Ordinal) ? "data." + address.Split('.')[1] : address.Split('.')[0];
    }

    /// <summary>The terminal's line on the scoring rules: "same rules (version X)" or the settings that differ and both versions.</summary>
    public static string ScoringSummary(StackComparison c)
    {
        if (c.ScoringRules.Count == 0)
        {
            return "scoring rules: no function sets SCORING_RULES in either stack";
        }

        return "scoring rules: " + string.Join("; ", c.ScoringRules.Select(f =>
        {
            var prefix = c.ScoringRules.Count > 1 ? $"{f.Address}: " : "";
            if (f.From.Error is not null || f.To.Error is not null)
            {
                return prefix + "cannot be read in " + string.Join(" and ", new[] { (c.From, f.From), (c.To, f.To) }.Where(x => x.Item2.Error is not null).Select(x => x.Item1)) + " (see the report)";
            }

            if (f.Same)
            {
                return $"{prefix}same rules (version {f.From.EffectiveVersion})";
            }

            var changes = string.Join(", ", f.Changes.Select(r => $"{r.Field} {Clip(r.From)} -> {Clip(r.To)}"));
            return $"{prefix}{f.Changes.Count} setting(s) differ: {changes}; rulesVersion {f.From.EffectiveVersion} -> {f.To.EffectiveVersion}";
        }));
    }

    private static void AppendScoringRules(StringBuilder sb, StackComparison c)
    {
        var (from, to) = (c.From, c.To);
        sb.AppendLine("## Scoring rules");
        sb.AppendLine();
        sb.AppendLine($"The effective rules of each stack's `SCORING_RULES`, read by the function's own `ScoringRules.FromJson` (a setting the value does not set takes the default of functions/Shared/Scoring/ScoringRules.cs), compared setting by setting; a list or map is one setting, shown as JSON.");
        if (c.ScoringRules.Count == 0)
        {
            sb.AppendLine();
            sb.AppendLine("No function sets `SCORING_RULES` in either stack.");
        }

        foreach (var f in c.ScoringRules)
        {
            sb.AppendLine();
            if (c.ScoringRules.Count > 1)
            {
                sb.AppendLine($"### `{f.Address}`");
            }
            else
            {
                sb.AppendLine($"Function: `{f.Address}`.");
            }

            sb.AppendLine();
            if (f.Same)
            {
                sb.AppendLine($"Same rules (version `{f.From.EffectiveVersion}`): decisions in `{from}` and `{to}` record the same rulesVersion." +
                              (f.From.Raw != f.To.Raw ? " (The `SCORING_RULES` values differ in text only: they set the same effective rules.)" : ""));
                sb.AppendLine();
            }

            sb.AppendLine($"| | {from} | {to} |");
            sb.AppendLine("|---|---|---|");
            sb.AppendLine($"| rulesVersion | {Version(f.From)} | {Version(f.To)} |");
            sb.AppendLine($"| currencyRates table | {Table(f.From, r => $"`{r.Rates.Version}` (base {r.Rates.Base}, as of {r.Rates.AsOf:yyyy-MM-dd})")} | {Table(f.To, r => $"`{r.Rates.Version}` (base {r.Rates.Base}, as of {r.Rates.AsOf:yyyy-MM-dd})")} |");
            sb.AppendLine($"| travelRegions table | {Table(f.From, r => $"`{r.Travel.Version}`")} | {Table(f.To, r => $"`{r.Travel.Version}`")} |");
            sb.AppendLine($"| `SCORING_RULES` sets | {Sets(f.From)} | {Sets(f.To)} |");
            if (f.Same || f.From.Rules is null || f.To.Rules is null)
            {
                continue;
            }

            sb.AppendLine();
            sb.AppendLine($"Rule settings that differ ({f.Changes.Count}); \"set\" = the environment's `SCORING_RULES` sets it, \"default\" = it takes the default:");
            sb.AppendLine();
            sb.AppendLine($"| setting | {from} | {to} |");
            sb.AppendLine("|---|---|---|");
            foreach (var r in f.Changes)
            {
                sb.AppendLine($"| `{r.Field}` | {Code(r.From)} ({(r.FromSets ? "set" : "default")}) | {Code(r.To)} ({(r.ToSets ? "set" : "default")}) |");
            }
        }

        static string Version(RulesSide s) => s.Error is not null ? $"**cannot be read**: {Escape(s.Error)}" : $"`{s.EffectiveVersion}`";

        static string Table(RulesSide s, Func<FraudTf.Functions.Shared.Scoring.ScoringRules, string> show) => s.Rules is null ? "(unknown)" : show(s.Rules);

        static string Sets(RulesSide s) => s.Raw is null ? "(unset: every default)" : s.Error is not null ? Code(Clip(s.Raw)) : s.Sets.Count == 0 ? "nothing (every default)" : string.Join(", ", s.Sets.Select(x => $"`{x}`"));
    }

    private static string Clip(string v) => v.Length <= 60 ? v : v[..57] + "...";

    private static string Explanation(ValueDifference d) =>
        d.Accepted is { } a ? $"accepted: {Escape(a.Reason)}" : string.Join(", ", d.ExplainedBy.Select(s => $"`{s.Field}`"));

    private static string Short(string? sha) => sha is null ? "(missing)" : sha[..12];

    private static string Code(string? v) => v is null ? "(absent)" : $"`{Escape(v)}`";

    private static string Escape(string s) => s.Replace("|", "\\|", StringComparison.Ordinal).Replace("\n", " ", StringComparison.Ordinal).Replace("`", "'", StringComparison.Ordinal);

    /// <summary>Both values, or for long ones the part around their first difference.</summary>
    public static (string From, string To) Excerpts(string? a, string? b)
    {
        if (a is null || b is null || (a.Length <= MaxValue && b.Length <= MaxValue))
        {
            return (Code(a), Code(b));
        }

        var i = 0;
        while (i < a.Length && i < b.Length && a[i] == b[i])
        {
            i++;
        }

        var start = Math.Max(0, i - 30);
        string Cut(string s) => (start > 0 ? "…" : "") + s[start..Math.Min(s.Length, start + 60)] + (start + 60 < s.Length ? "…" : "");
        return (Code(Cut(a)), Code(Cut(b)));
    }
}
