using System.Text;

namespace FraudTf.Cost;

/// <summary>Renders reports and diffs as Markdown (deterministic: sorted, invariant culture, no timestamps).</summary>
public static class CostMarkdown
{
    /// <summary>Types with more resources than this are shown as one row in the per-resource table.</summary>
    private const int CollapseAbove = 5;

    /// <summary>
    /// The report of one environment: traffic, cost by type, then (with <paramref name="details"/>) every resource's
    /// lines and the free resources, the capacity, and (with <paramref name="details"/>) the assumptions used.
    /// </summary>
    public static string Report(CostReport r, bool details = true)
    {
        var md = new StringBuilder();
        var stack = Path.GetFileName(Path.GetDirectoryName(r.StackFile)) ?? r.StackFile;
        md.AppendLine(F($"## {stack}: {Usd(r.TotalUsd)} per month"));
        md.AppendLine();
        md.AppendLine(F($"Prices: {r.Prices.Region}, read {r.Prices.ReadOn} ({r.Prices.Source}; `{r.Prices.File}`). Stack: `{r.StackFile}`. Traffic: `environments/{r.Environment}.json` `traffic`. No free tier applied. Steady state: storage once retention and lifecycles are full."));
        md.AppendLine();
        md.AppendLine("| traffic | value |");
        md.AppendLine("|---|---|");
        var t = r.Traffic;
        md.AppendLine(F($"| transactions per second, average / peak | {t.AverageTps:#,0.##} / {t.PeakTps:#,0.##} |"));
        md.AppendLine(F($"| record size | {t.RecordSizeBytes:#,0} B |"));
        md.AppendLine(F($"| fraud rate (REVIEW or DECLINE) | {t.FraudRate:0.####} |"));
        md.AppendLine(F($"| active users (profiles) | {t.ActiveUsers:#,0} |"));
        md.AppendLine(F($"| agent sessions per day x turns | {t.AgentSessionsPerDay:#,0} x {t.AgentTurnsPerSession} |"));
        md.AppendLine(F($"| tokens per turn in / out, tool calls, retrievals | {t.AgentInputTokensPerTurn:#,0} / {t.AgentOutputTokensPerTurn:#,0}, {t.AgentToolCallsPerTurn}, {t.KnowledgeBaseQueriesPerTurn} |"));
        md.AppendLine(F($"| knowledge-base documents | {t.KnowledgeBaseMegabytes:#,0.##} MB |"));
        md.AppendLine();

        md.AppendLine("| by resource type | resources | USD per month | share |");
        md.AppendLine("|---|---:|---:|---:|");
        foreach (var (type, usd) in r.ByType)
        {
            md.AppendLine(F($"| {type} | {r.Resources.Count(x => x.Type == type)} | {Usd(usd)} | {Share(usd, r.TotalUsd)} |"));
        }

        md.AppendLine(F($"| **total** | {r.Resources.Count} | **{Usd(r.TotalUsd)}** | 100% |"));
        md.AppendLine();
        foreach (var finding in r.Findings)
        {
            md.AppendLine("Finding: " + finding);
            md.AppendLine();
        }

        Networking(md, r, stack);
        if (details)
        {
            Resources(md, r);
        }

        Capacity(md, r, stack);
        if (details)
        {
            Assumptions(md, r);
        }

        return md.ToString();
    }

    /// <summary>
    /// What private networking costs (docs/networking.md), when the stack has any of its priced parts: one row per part
    /// and item, the free parts named. A stack without networking gets nothing here, so its report is unchanged.
    /// </summary>
    private static void Networking(StringBuilder md, CostReport r, string stack)
    {
        var network = r.Networking;
        if (network.Count == 0)
        {
            return;
        }

        var total = r.NetworkingUsd;
        md.AppendLine(F($"### Networking of {stack}: {Usd(total)} per month ({Share(total, r.TotalUsd)} of the total)"));
        md.AppendLine();
        md.AppendLine("Private networking is on (`network` in the environment file; `docs/networking.md`). Endpoint hours are per endpoint per availability zone (one network interface in each private subnet); data processed comes from what the functions send through each endpoint.");
        md.AppendLine();
        md.AppendLine("| part | item | resources | quantity per month | price | USD per month |");
        md.AppendLine("|---|---|---|---:|---|---:|");
        foreach (var row in network.SelectMany(x => x.Lines.Select(l => (Resource: x, Line: l)))
                     .GroupBy(x => (x.Resource.Type, x.Line.Item, x.Line.Price.Key))
                     .OrderBy(g => g.Key.Type, StringComparer.Ordinal).ThenBy(g => g.Key.Item, StringComparer.Ordinal))
        {
            var names = row.Select(x => x.Resource.DisplayName).Distinct().Order(StringComparer.Ordinal).ToList();
            var usd = row.Sum(x => x.Line.MonthlyUsd);
            md.AppendLine(F($"| {row.Key.Type} | {row.Key.Item} | {names.Count}: {Cell(string.Join(", ", names))} | {Qty(row.Sum(x => x.Line.Quantity))} | {row.First().Line.Price} | {(row.First().Line.Price.Usd == 0 ? "free" : Usd(usd))} |"));
        }

        md.AppendLine(F($"| **networking total** | | {network.Count} | | | **{Usd(total)}** |"));
        md.AppendLine();
        var free = r.FreeResources.Where(f => CostModels.FreeNetworkTypes.Contains(f.Type)).ToList();
        var unconfirmed = network.SelectMany(x => x.Lines).Select(l => l.Price).Where(p => p.Confirmed is { } c && !c.StartsWith("yes", StringComparison.Ordinal))
            .DistinctBy(p => p.Key).OrderBy(p => p.Key, StringComparer.Ordinal).ToList();
        if (unconfirmed.Count > 0)
        {
            md.AppendLine("Prices not confirmed on an AWS page (each price's source, date and status are in the price file): " +
                          string.Join("; ", unconfirmed.Select(p => F($"{p.Key} ({Cell(p.Confirmed!)}, checked {p.Checked})"))) + ".");
            md.AppendLine();
        }

        md.AppendLine((free.Count > 0 ? "Free networking parts: " + string.Join("; ", free.Select(f => F($"{f.Count} {f.Type}"))) + ". " : "") +
                      "No VPC flow logs: the stack creates none.");
        md.AppendLine();
    }

    private static void Resources(StringBuilder md, CostReport r)
    {

        md.AppendLine("| resource | item | quantity per month | price | USD per month | basis |");
        md.AppendLine("|---|---|---:|---|---:|---|");
        foreach (var group in r.Resources.GroupBy(x => x.Type).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            if (group.Count() > CollapseAbove)
            {
                foreach (var item in group.SelectMany(x => x.Lines).GroupBy(l => (l.Item, l.Price.Key)).OrderBy(g => g.Key.Item, StringComparer.Ordinal))
                {
                    var first = item.First();
                    md.AppendLine(F($"| {group.Count()} x {group.Key} | {first.Item} | {Qty(item.Sum(l => l.Quantity))} | {first.Price} | {Usd(item.Sum(l => l.MonthlyUsd))} | {Cell(first.Basis)} (each) |"));
                }

                continue;
            }

            foreach (var res in group.OrderBy(x => x.DisplayName, StringComparer.Ordinal))
            {
                foreach (var l in res.Lines)
                {
                    md.AppendLine(F($"| {res.DisplayName} ({res.Type}) | {l.Item} | {Qty(l.Quantity)} | {l.Price} | {Usd(l.MonthlyUsd)} | {Cell(l.Basis)} |"));
                }
            }
        }

        md.AppendLine();
        if (r.FreeResources.Count > 0)
        {
            md.AppendLine("Free: " + string.Join("; ", r.FreeResources.Select(f => F($"{f.Count} {f.Type} ({f.Why})"))) + ".");
            md.AppendLine();
        }
    }

    private static void Capacity(StringBuilder md, CostReport r, string stack)
    {
        var c = r.Capacity;
        md.AppendLine(F($"### Capacity of {stack}"));
        md.AppendLine();
        md.AppendLine(F($"Sustains **{c.SustainedTps:#,0} TPS** at peak as configured (profile peak {c.PeakTps:#,0} TPS, {Headroom(c.SustainedTps, c.PeakTps)}); binds first: {c.Binding.Limit}."));
        if (c.FixedBinding is { } fixedLimit && fixedLimit != c.Binding)
        {
            md.AppendLine();
            md.AppendLine(F($"Once the on-demand streams and tables have scaled to traffic they have seen, the first fixed limit is {fixedLimit.Limit}: {fixedLimit.MaxTps:#,0} TPS."));
        }
        md.AppendLine();
        md.AppendLine(F($"| limit | max TPS | basis | to reach 10x the peak ({10 * c.PeakTps:#,0} TPS) |"));
        md.AppendLine("|---|---:|---|---|");
        foreach (var l in c.Limits)
        {
            md.AppendLine(F($"| {l.Limit} | {l.MaxTps:#,0} | {Cell(l.Basis)} | {(l.ForTenTimes.Length == 0 ? "enough" : Cell(l.ForTenTimes))} |"));
        }

        md.AppendLine();
        foreach (var line in c.PerKeyLimits.Concat(c.AgentLimits))
        {
            md.AppendLine("- " + line);
        }

        md.AppendLine();
    }

    private static void Assumptions(StringBuilder md, CostReport r)
    {
        md.AppendLine(F($"Assumptions used (`{CostApi.AssumptionsFile}`; measured figures from `{CostApi.MeasuredFile}`, each with its source):"));
        md.AppendLine();
        md.AppendLine("| assumption | value | unit | source |");
        md.AppendLine("|---|---:|---|---|");
        foreach (var a in r.Assumptions)
        {
            md.AppendLine(F($"| {a.Key} | {a.Value:#,0.####} | {Cell(a.Unit)} | {Cell(a.Source)} |"));
        }
    }

    /// <summary>The difference of two reports: total, then every resource whose cost changed, largest first.</summary>
    public static string Diff(CostDiff d)
    {
        var md = new StringBuilder();
        md.AppendLine(F($"### Monthly cost: {d.FromLabel} {Usd(d.FromTotalUsd)} -> {d.ToLabel} {Usd(d.ToTotalUsd)} ({Signed(d.DeltaUsd)})"));
        md.AppendLine();
        md.AppendLine(F($"| resource | type | {d.FromLabel} | {d.ToLabel} | difference |"));
        md.AppendLine("|---|---|---:|---:|---:|");
        foreach (var r in d.Changed)
        {
            var name = r.FromName is null ? r.ToName + " (added)" : r.ToName is null ? r.FromName + " (removed)" : r.ToName;
            md.AppendLine(F($"| {name} | {r.Type} | {Usd(r.FromUsd)} | {Usd(r.ToUsd)} | {Signed(r.DeltaUsd)} |"));
        }

        md.AppendLine(F($"| **total** | | **{Usd(d.FromTotalUsd)}** | **{Usd(d.ToTotalUsd)}** | **{Signed(d.DeltaUsd)}** |"));
        if (d.Changed.Count == 0)
        {
            md.AppendLine();
            md.AppendLine("No resource's cost changed.");
        }

        return md.ToString();
    }

    private static string F(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);

    private static string Usd(double v) => F($"${v:#,0.00}");

    private static string Signed(double v) => v >= 0 ? "+" + Usd(v) : "-" + Usd(-v);

    private static string Share(double part, double total) => total > 0 ? F($"{100 * part / total:0.#}%") : "-";

    private static string Qty(double v) => v >= 100 ? F($"{v:#,0}") : F($"{v:#,0.####}");

    private static string Headroom(double sustained, double peak) => peak > 0 ? F($"{sustained / peak:#,0.#}x headroom") : "no traffic";

    private static string Cell(string s) => s.Replace("|", "\\|", StringComparison.Ordinal);
}
