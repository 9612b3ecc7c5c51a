using FraudTf.Cost;

namespace Cost.Tests;

/// <summary>
/// The report on the repository's own data: the price file and assumptions, and (after 'make synth') the three
/// synthesized stacks. Without cdktf.out these are skipped with a message (make cost synthesizes first).
/// </summary>
[TestFixture]
public class RepositoryReportTests
{
    private static readonly string Root = Fixture.RepoRoot();

    private static void RequireSynth()
    {
        if (!File.Exists(Path.Combine(Root, "cdktf.out/stacks/fraud-detection-prod/cdk.tf.json")))
        {
            Assert.Ignore("cdktf.out/ is missing: run 'make synth' first");
        }
    }

    [Test]
    public void PriceFile_SaysRegionDateAndSource_AllPricesPositive()
    {
        var prices = CostApi.LoadPrices(Root, "us-east-1");

        Assert.Multiple(() =>
        {
            Assert.That(prices.Region, Is.EqualTo("us-east-1"));
            Assert.That(prices.ReadOn, Does.Match(@"^\d{4}-\d{2}-\d{2}$"));
            Assert.That(prices.Source, Does.Contain("as remembered"));
            Assert.That(prices.Keys.Select(k => prices.Get(k, "test").Usd), Has.All.GreaterThan(0));
        });
    }

    [Test]
    public void Assumptions_CountAsManyRejectReasonsAsTheStreamProcessorHas()
    {
        // RecordsRejected is emitted per reason: the cost of its metrics follows the contract's enum, not a guess.
        var assumptions = CostApi.LoadAssumptions(Root);

        Assert.That(assumptions.Get("cloudwatch.emfDimensionValues.Reason", "test"),
            Is.EqualTo(Enum.GetValues<FraudTf.Functions.Shared.Transactions.RejectReason>().Length));
    }

    [Test]
    public void RealStacks_PriceTheMetricsEachFunctionDeclares()
    {
        RequireSynth();
        var report = CostApi.ForEnvironment(Root, "dev");
        var metrics = report.Resources.SelectMany(r => r.Lines).Where(l => l.Item == "EMF custom metrics").ToList();

        // The stream processor and the alert handler declare their EMF metrics ("//".emits_metrics); each is priced.
        Assert.That(metrics, Has.Count.EqualTo(2));
        Assert.That(metrics.Sum(l => l.Quantity), Is.EqualTo(
            FraudTf.Functions.Shared.Metrics.PlatformMetrics.StreamProcessor.Sum(m => m.Dimensions.Contains("Reason") ? Enum.GetValues<FraudTf.Functions.Shared.Transactions.RejectReason>().Length : 1)
            + FraudTf.Functions.Shared.Metrics.PlatformMetrics.AlertHandler.Count));
    }

    [Test]
    public void PriceFile_CoversEveryKeyTheFixtureModelsUse()
    {
        var prices = CostApi.LoadPrices(Root, "us-east-1");

        Assert.That(Fixture.PriceKeys.Where(k => !prices.Keys.Contains(k)), Is.Empty);
    }

    [Test]
    public void EveryEnvironment_Reports_TotalsGrowFromDevToProd()
    {
        RequireSynth();

        var reports = new[] { "dev", "staging", "prod" }.Select(e => CostApi.ForEnvironment(Root, e)).ToList();

        Assert.That(reports.Select(r => r.TotalUsd), Is.Ordered.Ascending);
        Assert.That(reports.Select(r => r.Capacity.SustainedTps), Has.All.GreaterThan(0));
        Assert.That(reports.All(r => r.Capacity.SustainedTps >= r.Traffic.PeakTps), Is.True, "every environment sustains its own peak");
    }

    private static int AlarmsInStack(string env) =>
        System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(Root, $"cdktf.out/stacks/fraud-detection-{env}/cdk.tf.json")))!
            ["resource"]!["aws_cloudwatch_metric_alarm"]!.AsObject().Count;

    [Test]
    public void Dev_FixedCostsOfTheStack_Present()
    {
        RequireSynth();

        var dev = CostApi.ForEnvironment(Root, "dev");

        Assert.Multiple(() =>
        {
            Assert.That(dev.Resources.Count(r => r.Type == "aws_kms_key"), Is.EqualTo(3));
            Assert.That(dev.Resources.Count(r => r.Type == "aws_cloudwatch_metric_alarm"), Is.EqualTo(AlarmsInStack("dev")).And.GreaterThanOrEqualTo(15));
            Assert.That(dev.Resources.Where(r => r.Type == "aws_kinesis_stream").SelectMany(r => r.Lines).Where(l => l.Item == "stream hours").Sum(l => l.Quantity),
                Is.EqualTo(2 * 730), "two on-demand streams, all month");
        });
    }

    [Test]
    public void StagingToProd_Diff_AddsUpToTheTotals()
    {
        RequireSynth();

        var staging = CostApi.ForEnvironment(Root, "staging");
        var prod = CostApi.ForEnvironment(Root, "prod");
        var diff = CostApi.Diff(staging, prod);

        Assert.That(diff.Resources.Sum(r => r.DeltaUsd), Is.EqualTo(prod.TotalUsd - staging.TotalUsd).Within(1e-6));
        Assert.That(diff.Resources.Select(r => r.Address), Is.EquivalentTo(prod.Resources.Select(r => r.Address)), "the same addresses in every environment");
    }

    [Test]
    public void Report_IsDeterministic()
    {
        RequireSynth();

        var first = CostMarkdown.Report(CostApi.ForEnvironment(Root, "prod"));
        var second = CostMarkdown.Report(CostApi.ForEnvironment(Root, "prod"));

        Assert.That(second, Is.EqualTo(first));
    }
}

/// <summary>docs/cost-report.md is what the tool generates for the stacks of this commit (make docs regenerates it).</summary>
[TestFixture]
public class CostDocsTests
{
    [Test]
    public void CostReportDocument_IsUpToDate()
    {
        var root = Fixture.RepoRoot();
        if (!File.Exists(Path.Combine(root, "cdktf.out/stacks/fraud-detection-prod/cdk.tf.json")))
        {
            Assert.Fail("cdktf.out is not synthesized. Fix: run 'make synth' (make test does it first).");
        }

        var expected = CostDocs.Generate(root, CostDocs.Environments(root));
        var actual = File.Exists(Path.Combine(root, CostDocs.RelativePath)) ? File.ReadAllText(Path.Combine(root, CostDocs.RelativePath)) : "(missing)";

        Assert.That(actual, Is.EqualTo(expected), $"{CostDocs.RelativePath} is stale: the stacks' costs changed. Fix: run 'make docs' and commit the file.");
        Assert.That(expected, Does.Contain("fraud-detection-prod").And.Contain("per month"), "the report names the environments and their totals");
    }
}
