using FraudTf.Backtest;

namespace FraudTf.Local.Tests.Backtest;

/// <summary>The backtest's arithmetic on a hand-made set of labelled scores (flagged = score at or above the review threshold).</summary>
[TestFixture]
public sealed class BacktestMetricsTests
{
    private static readonly LabelledScore[] Set =
    [
        // a: fraud 0.9, 0.6 flagged, 0.2 missed; legitimate 0.7 flagged, 0.1 not.
        new("a", true, 0.9), new("a", true, 0.6), new("a", true, 0.2), new("a", false, 0.7), new("a", false, 0.1),
        // b: fraud 0.5 flagged (at the threshold: >=); legitimate 0, 0, 0.4 not.
        new("b", true, 0.5), new("b", false, 0), new("b", false, 0), new("b", false, 0.4),
        // c: legitimate only.
        new("c", false, 0.1),
    ];

    [Test]
    public void PerScenarioAndOverall_CountAScoreAtTheThresholdAsFlagged()
    {
        var per = BacktestMetrics.PerScenario(Set, 0.5, ["c", "b", "a"]);
        var all = Confusion.Of(Set, 0.5);

        Assert.Multiple(() =>
        {
            Assert.That(per.Select(s => s.Scenario), Is.EqualTo(new[] { "c", "b", "a" }), "the given order");
            var a = per.Single(s => s.Scenario == "a").Counts;
            Assert.That(a, Is.EqualTo(new Confusion(2, 1, 1, 1)));
            Assert.That(a.Precision, Is.EqualTo(2.0 / 3).Within(1e-12));
            Assert.That(a.Recall, Is.EqualTo(2.0 / 3).Within(1e-12));
            Assert.That(a.FalsePositiveRate, Is.EqualTo(0.5));
            Assert.That(a.F1, Is.EqualTo(2.0 / 3).Within(1e-12));
            var b = per.Single(s => s.Scenario == "b").Counts;
            Assert.That(b, Is.EqualTo(new Confusion(1, 0, 0, 3)), "a score equal to the threshold is flagged");
            Assert.That((b.Precision, b.Recall, b.FalsePositiveRate, b.F1), Is.EqualTo(((double?)1.0, (double?)1.0, (double?)0.0, (double?)1.0)));
            var c = per.Single(s => s.Scenario == "c").Counts;
            Assert.That(c.Recall, Is.Null, "no fraud: recall undefined");
            Assert.That(c.Precision, Is.Null, "nothing flagged: precision undefined");
            Assert.That(c.F1, Is.Null);
            Assert.That(c.FalsePositiveRate, Is.EqualTo(0.0));
            Assert.That(all, Is.EqualTo(new Confusion(3, 1, 1, 5)));
            Assert.That(all.Precision, Is.EqualTo(0.75));
            Assert.That(all.Recall, Is.EqualTo(0.75));
            Assert.That(all.FalsePositiveRate, Is.EqualTo(1.0 / 6).Within(1e-12));
            Assert.That(all.F1, Is.EqualTo(0.75).Within(1e-12));
        });
    }

    [Test]
    public void EmptyAndAllWrongSets_GiveUndefinedOrZeroRates_NeverNaN()
    {
        var none = Confusion.Of([], 0.5);
        var allWrong = Confusion.Of([new LabelledScore("x", true, 0.1), new LabelledScore("x", false, 0.9)], 0.5);

        Assert.Multiple(() =>
        {
            Assert.That(none, Is.EqualTo(new Confusion(0, 0, 0, 0)));
            Assert.That((none.Precision, none.Recall, none.FalsePositiveRate, none.F1), Is.EqualTo(((double?)null, (double?)null, (double?)null, (double?)null)));
            Assert.That(BacktestMetrics.PerScenario([], 0.5, ["a"]), Is.Empty);
            Assert.That(BacktestMetrics.Sweep([], 0.5).All(p => p.Counts == default), Is.True);
            Assert.That((allWrong.Precision, allWrong.Recall, allWrong.FalsePositiveRate), Is.EqualTo(((double?)0.0, (double?)0.0, (double?)1.0)));
            Assert.That(allWrong.F1, Is.EqualTo(0.0), "precision and recall both 0: F1 is 0, not NaN");
        });
    }

    [Test]
    public void Sweep_IsTheGridPlusTheEnvironmentsThreshold_Marked()
    {
        var onGrid = BacktestMetrics.Sweep(Set, 0.5);
        var offGrid = BacktestMetrics.Sweep(Set, 0.42);

        Assert.Multiple(() =>
        {
            Assert.That(onGrid.Select(p => p.Threshold), Is.EqualTo(Enumerable.Range(1, 19).Select(i => Math.Round(i * 0.05, 2))));
            Assert.That(onGrid.Single(p => p.IsEnvironment).Threshold, Is.EqualTo(0.5));
            Assert.That(offGrid, Has.Count.EqualTo(20));
            Assert.That(offGrid.Single(p => p.IsEnvironment).Threshold, Is.EqualTo(0.42));
            Assert.That(offGrid.Select(p => p.Threshold), Is.Ordered);
            Assert.That(onGrid.Single(p => p.Threshold == 0.5).Counts, Is.EqualTo(Confusion.Of(Set, 0.5)));
        });
    }
}
