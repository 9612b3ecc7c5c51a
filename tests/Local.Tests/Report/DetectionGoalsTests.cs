using FraudTf.Local.Run;
using FraudTf.Local.Traffic;

namespace FraudTf.Local.Tests.Report;

/// <summary>Issue 16's goal line of make local: overall recall over every fraud scenario together, the legitimate traffic's false-positive rate.</summary>
[TestFixture]
public class DetectionGoalsTests
{
    private static LocalReport Report(params ScenarioOutcome[] outcomes) => new()
    {
        Options = LocalOptions.Parse(["--env", "prod"], "/repo"),
        Machine = "test",
        Scenarios = outcomes,
    };

    [Test]
    public void OverallRecall_PoolsTheFraudScenarios_NotTheirRates()
    {
        // 9 of 10 and 0 of 1 pooled: 9 of 11 = 0.818 (the mean of the two rates would be 0.45).
        var r = Report(new ScenarioOutcome("card-testing", true, 10, 9), new ScenarioOutcome("amount-spike", true, 1, 0), new ScenarioOutcome("legitimate", false, 200, 3));

        Assert.Multiple(() =>
        {
            Assert.That(r.OverallRecall, Is.EqualTo(9.0 / 11).Within(1e-12), "9 of 11 fraudulent transactions, not the mean of 0.9 and 0");
            Assert.That(r.FalsePositiveRate, Is.EqualTo(3.0 / 200).Within(1e-12));
            Assert.That(r.Goals, Is.EqualTo("goals (issue 16) at prod's thresholds: recall >= 0.9 NOT met, false-positive rate <= 1% NOT met"));
            Assert.That(r.Terminal(), Does.Contain("overall fraud").And.Contain(r.Goals));
            Assert.That(r.Markdown(), Does.Contain("| **overall fraud** | fraud | 11 | 9 | recall 81.8 % |"));
        });
    }

    [TestCase(0.9, 0.01, "recall >= 0.9 met, false-positive rate <= 1% met")]
    [TestCase(0.8999, 0.01, "recall >= 0.9 NOT met, false-positive rate <= 1% met")]
    [TestCase(0.95, 0.0101, "recall >= 0.9 met, false-positive rate <= 1% NOT met")]
    public void Verdict_AGoalReachedExactlyIsMet_JustShortIsNot(double recall, double fpr, string expected) =>
        Assert.That(DetectionGoals.Verdict(recall, fpr), Is.EqualTo(expected));

    [Test]
    public void NoFraudSent_IsNotMeasured_NotMet()
    {
        var r = Report(new ScenarioOutcome("legitimate", false, 50, 0));

        Assert.That(r.OverallRecall, Is.Null);
        Assert.That(r.Goals, Does.EndWith("recall >= 0.9 not measured, false-positive rate <= 1% met"));
    }
}
