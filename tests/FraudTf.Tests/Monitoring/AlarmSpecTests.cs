using FraudTf.Monitoring;
using FraudTf.Tests.Support;

namespace FraudTf.Tests.Monitoring;

/// <summary>The alarm specification's typed values reach the synthesized alarms as CloudWatch spells them.</summary>
[TestFixture]
public class AlarmSpecTests
{
    [TestCase(MissingData.NotBreaching, "notBreaching")]
    [TestCase(MissingData.Breaching, "breaching")]
    [TestCase(MissingData.Ignore, "ignore")]
    [TestCase(MissingData.Missing, "missing")]
    public void MissingData_IsSpelledAsCloudWatchExpects(MissingData value, string expected)
    {
        var spec = new AlarmSpec
        {
            Id = "x", Metric = new Metric("N", "M", new Dictionary<string, string>(), "Sum", "m"), Threshold = 1,
            Comparison = AlarmComparison.GreaterThanThreshold, Evaluation = AlarmEvaluation.Immediately, TreatMissingData = value, Description = "d",
        };

        Assert.That(spec.MissingDataValue, Is.EqualTo(expected));
    }

    [Test]
    public void EverySynthesizedAlarm_UsesAComparisonAndMOfNTheSpecsName()
    {
        var comparisons = Enum.GetNames<AlarmComparison>();
        var evaluations = new[] { AlarmEvaluation.Immediately, AlarmEvaluation.TwoOfThree, AlarmEvaluation.ThreeOfThree, AlarmEvaluation.ThreeOfFive }
            .Select(e => (e.Periods, e.DatapointsToAlarm)).ToList();
        foreach (var env in TestEnvironments.All)
        {
            foreach (var (address, alarm) in Synth.Shared.Stack($"fraud-detection-{env}").Resources("aws_cloudwatch_metric_alarm"))
            {
                Assert.That(comparisons, Does.Contain(alarm["comparison_operator"]!.GetValue<string>()), $"{env} {address}");
                Assert.That(evaluations, Does.Contain((alarm["evaluation_periods"]!.GetValue<int>(), alarm["datapoints_to_alarm"]!.GetValue<int>())), $"{env} {address}: a named M of N");
            }
        }
    }
}
