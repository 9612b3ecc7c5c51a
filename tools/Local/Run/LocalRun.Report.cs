using FraudTf.Functions.Shared.Metrics;
using FraudTf.Local.Observability;
using FraudTf.Local.Report.Charts;

namespace FraudTf.Local.Run;

public sealed partial class LocalRun
{
    /// <summary>Writes the Markdown report and its charts (SVG) beside it in cdktf.out, and returns the report naming them.</summary>
    private LocalReport WriteReport(LocalReport report, LocalCloudWatch cloudWatch, DateTimeOffset start, DateTimeOffset end)
    {
        var prefix = $"local-{_options.Environment}";
        var charts = new List<(string File, string Title)>();
        void Chart(string name, string title, string svg)
        {
            var file = $"{prefix}-{name}.svg";
            File.WriteAllText(Path.Combine(_options.OutDir, file), svg);
            charts.Add((file, title));
        }

        var outcomes = report.Decisions.OrderBy(d => d.Key, StringComparer.Ordinal).ToList();
        Chart("decisions", "Decisions by outcome", Svg.HorizontalBars("Decisions by outcome", outcomes.Select(o => o.Key).ToList(), new BarSeries("decisions", outcomes.Select(o => (double)o.Value).ToList()), valueFormat: "0"));
        Chart("detection", "Flagged (REVIEW or DECLINE) per scenario: recall for fraud, false-positive rate for legitimate traffic", Svg.HorizontalBars(
            "Flagged per scenario (%): recall for fraud, false-positive rate for legitimate",
            report.Scenarios.Select(s => $"{s.Scenario} ({(s.Fraud ? "recall" : "FPR")})").ToList(),
            new BarSeries("flagged %", report.Scenarios.Select(s => Math.Round(100 * s.Rate, 1)).ToList()), valueFormat: "0.0", scaleMax: 100));
        var environment = new Dictionary<string, string> { [PlatformMetrics.EnvironmentDimension] = _options.Environment };
        const int period = 2;
        var processed = cloudWatch.Series(PlatformMetrics.Namespace, PlatformMetrics.TransactionsProcessed, environment, "Sum", period, start, end)
            .Select(p => ((p.PeriodStart - start).TotalSeconds, p.Value / period)).ToList();
        var latency = cloudWatch.Series(PlatformMetrics.Namespace, PlatformMetrics.ProcessingLatency, environment, "p95", period, start, end)
            .Select(p => ((p.PeriodStart - start).TotalSeconds, p.Value)).ToList();
        if (processed.Count > 0)
        {
            Chart("throughput", "Transactions processed per second (the processor's TransactionsProcessed metric)", Svg.Lines("Transactions processed per second", "records/s", [new LineSeries("processed/s", processed)]));
        }

        if (latency.Count > 0)
        {
            Chart("latency", "p95 of the processor's ProcessingLatency metric per 2 s (ms)", Svg.Lines("Processing latency p95 (ms)", "ms", [new LineSeries("p95", latency)]));
        }

        var final = report with { Charts = charts };
        File.WriteAllText(_options.ReportPath, final.Markdown());
        File.WriteAllText(Path.ChangeExtension(_options.ReportPath, ".json"), final.Summary().ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true }));
        return final;
    }
}
