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
        sb.AppendLine();

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
