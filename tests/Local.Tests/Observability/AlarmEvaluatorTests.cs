using System.Text.Json.Nodes;
using FraudTf.Local.Observability;
using FraudTf.Local.Stack;

namespace FraudTf.Local.Tests.Observability;

/// <summary>
/// Alarm evaluation, CloudWatch user guide "Using Amazon CloudWatch alarms": "Evaluating an alarm", "How alarm state is
/// evaluated when data is missing" (its two tables, one test per row and column) and "Avoiding premature transitions to
/// alarm state".
/// </summary>
[TestFixture]
public sealed class AlarmEvaluatorTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 2, 12, 0, 0, TimeSpan.Zero);
    private static readonly Dictionary<string, string> Fn = new() { ["FunctionName"] = "f" };

    private static readonly MissingData[] Columns = [MissingData.Missing, MissingData.Ignore, MissingData.Breaching, MissingData.NotBreaching];

    // Data points oldest first (the guide: "the most recent data point on the right"): 0 not breaching, X breaching, - missing.
    // Expected per column MISSING, IGNORE, BREACHING, NOT BREACHING; "Retain" = keep the current state.
    [TestCase("0 - X - X", 3, 3, "OK", "OK", "OK", "OK", TestName = "3 of 3, row 1: 0 - X - X")]
    [TestCase("0 - - - -", 3, 3, "OK", "OK", "OK", "OK", TestName = "3 of 3, row 2: 0 - - - -")]
    [TestCase("- - - - -", 3, 3, "INSUFFICIENT_DATA", "Retain", "ALARM", "OK", TestName = "3 of 3, row 3: - - - - -")]
    [TestCase("0 X X - X", 3, 3, "ALARM", "ALARM", "ALARM", "ALARM", TestName = "3 of 3, row 4: 0 X X - X")]
    [TestCase("- - X - -", 3, 3, "ALARM", "Retain", "ALARM", "OK", TestName = "3 of 3, row 5: - - X - - (premature alarm state)")]
    [TestCase("0 - X - X", 2, 3, "ALARM", "ALARM", "ALARM", "ALARM", TestName = "2 of 3, row 1: 0 - X - X")]
    [TestCase("0 0 X 0 X", 2, 3, "ALARM", "ALARM", "ALARM", "ALARM", TestName = "2 of 3, row 2: 0 0 X 0 X")]
    [TestCase("0 - X - -", 2, 3, "OK", "OK", "ALARM", "OK", TestName = "2 of 3, row 3: 0 - X - -")]
    [TestCase("- - - - 0", 2, 3, "OK", "OK", "ALARM", "OK", TestName = "2 of 3, row 4: - - - - 0")]
    [TestCase("- - - X -", 2, 3, "ALARM", "Retain", "ALARM", "OK", TestName = "2 of 3, row 5: - - - X - (premature alarm state)")]
    [TestCase("- - - - X", 3, 3, "INSUFFICIENT_DATA", "Retain", "ALARM", "OK", TestName = "premature rule: - - - - X (3 of 3) waits, the breaching point is too recent")]
    [TestCase("- - - - X", 2, 3, "INSUFFICIENT_DATA", "Retain", "ALARM", "OK", TestName = "premature rule: - - - - X (2 of 3) waits")]
    [TestCase("X - - - -", 3, 3, "ALARM", "Retain", "ALARM", "OK", TestName = "premature rule: X - - - - (3 of 3) alarms, the oldest breaching point is old enough")]
    public void MissingDataTreatments_DecideTheStatesOfTheUserGuidesTable(string points, int m, int n, string missing, string ignore, string breaching, string notBreaching)
    {
        var range = points.Split(' ').Select(p => p switch { "X" => true, "0" => false, _ => (bool?)null }).ToList();
        var expected = new[] { missing, ignore, breaching, notBreaching };

        Assert.Multiple(() =>
        {
            for (var c = 0; c < Columns.Length; c++)
            {
                var state = AlarmEvaluator.Decide(range, n, m, Columns[c]).State;
                Assert.That(state is null ? "Retain" : Name(state.Value), Is.EqualTo(expected[c]), Columns[c].ToString());
            }
        });
    }

    private static string Name(AlarmState s) => s switch { AlarmState.Alarm => "ALARM", AlarmState.Ok => "OK", _ => "INSUFFICIENT_DATA" };

    private static AlarmDefinition Errors(int m = 2, int n = 3, MissingData treat = MissingData.NotBreaching, int period = 60, double threshold = 1) =>
        new("errors", "errors-alarm", "AWS/Lambda", "Errors", Fn, Statistic.Parse("Sum", "test"), period, n, m, threshold, Comparison.GreaterThanOrEqualToThreshold, treat);

    private static Datapoint Point(DateTimeOffset at, double value, string name = "Errors") => new("AWS/Lambda", name, Fn, at, value, "Count");

    [Test]
    public void TwoOutOfThree_FiresWhenTheSecondBreachingPeriodCloses_WithCloudWatchsReason()
    {
        var outcome = AlarmEvaluator.Evaluate(Errors(), [Point(T0.AddSeconds(10), 1), Point(T0.AddSeconds(70), 1)], T0, T0.AddSeconds(150));

        Assert.That(outcome.Transitions.Select(t => (t.Time, t.From, t.To)), Is.EqualTo(new[]
        {
            (T0.AddMinutes(1), AlarmState.InsufficientData, AlarmState.Ok),
            (T0.AddMinutes(2), AlarmState.Ok, AlarmState.Alarm),
        }), "evaluated at whole minutes: at 12:01 one breaching period (need 2), at 12:02 two");
        Assert.Multiple(() =>
        {
            Assert.That(outcome.Transitions[1].Reason, Is.EqualTo(
                "Threshold Crossed: 2 out of the last 3 datapoints [1.0 (02/12/26 12:01:00), 1.0 (02/12/26 12:00:00)] were greater than or equal to the threshold (1.0) (minimum 2 datapoints for OK -> ALARM transition)."));
            Assert.That(outcome.Fired, Is.True);
            Assert.That(outcome.State, Is.EqualTo(AlarmState.Alarm), "the last evaluation (12:03, the first at or after the end) still sees both in its range");
            Assert.That(outcome.Evaluations, Is.EqualTo(3));
        });
    }

    [Test]
    public void AnAlarmThatDidNotFire_SaysHowCloseItCame()
    {
        var outcome = AlarmEvaluator.Evaluate(Errors(), [Point(T0.AddSeconds(10), 3)], T0, T0.AddSeconds(50));

        Assert.Multiple(() =>
        {
            Assert.That(outcome.Fired, Is.False);
            Assert.That((outcome.MostBreaching, outcome.Alarm.DatapointsToAlarm, outcome.Peak), Is.EqualTo((1, 2, (double?)3)));
            Assert.That(outcome.Closeness, Does.StartWith("1 of 2 breaching datapoints needed (out of 3 periods of 60 s); peak Sum 3.0"));
            Assert.That(outcome.Alarm.ShortestRunToFire, Is.EqualTo(TimeSpan.FromMinutes(2)), "M periods of P seconds");
        });
    }

    [Test]
    public void PeriodsSlideWithTheEvaluationMinute_NotFixedBuckets()
    {
        // "if the Period is 5 minutes ... at the end of minute 6 the alarm evaluates based on data from minutes 2 to 6".
        var alarm = Errors(m: 1, n: 1, period: 300, threshold: 2);
        var outcome = AlarmEvaluator.Evaluate(alarm, [Point(T0.AddSeconds(210), 1), Point(T0.AddSeconds(390), 1)], T0, T0.AddMinutes(7));

        Assert.That(outcome.Transitions.Where(t => t.To == AlarmState.Alarm).Select(t => t.Time), Is.EqualTo(new[] { T0.AddMinutes(7) }),
            "12:03:30 and 12:06:30 fall in different 5-minute buckets of the clock but in the window 12:02–12:07 evaluated at 12:07");
    }

    [Test]
    public void ADatapointBelongsToThePeriodHoldingItsTimestamp()
    {
        var alarm = Errors(m: 1, n: 1, threshold: 2);
        var outcome = AlarmEvaluator.Evaluate(alarm, [Point(T0.AddSeconds(59), 1), Point(T0.AddSeconds(61), 1)], T0, T0.AddMinutes(3));

        Assert.That(outcome.Fired, Is.False, "12:00:59 and 12:01:01 are in two 60 s periods, each summing to 1");
    }

    [Test]
    public void TreatMissingDataBreaching_AlarmsWithoutAnyData()
    {
        var alarm = AlarmEvaluator.FromStack(Repo.Stack("prod")).Alarms.Single(a => a.AlarmName == "fraud-detection-no-transactions-processed-prod");

        var outcome = AlarmEvaluator.Evaluate(alarm, [], T0, T0.AddSeconds(30));

        Assert.That(alarm.TreatMissingData, Is.EqualTo(MissingData.Breaching));
        Assert.That(outcome.Transitions.Select(t => (t.To, t.Reason)), Is.EqualTo(new[]
        {
            (AlarmState.Alarm, "Threshold Crossed: no datapoints were received for 1 period and 1 missing datapoint was treated as [Breaching]."),
        }));
    }

    [Test]
    public void TreatMissingDataNotBreaching_GoesOkWithoutAnyData()
    {
        var alarm = AlarmEvaluator.FromStack(Repo.Stack("dev")).Alarms.Single(a => a.AlarmName == "fraud-detection-no-transactions-processed-dev");

        var outcome = AlarmEvaluator.Evaluate(alarm, [], T0, T0.AddSeconds(30));

        Assert.That(outcome.Transitions.Select(t => t.To), Is.EqualTo(new[] { AlarmState.Ok }));
    }

    [Test]
    public void TreatMissingDataMissing_StaysInsufficientWithoutData()
    {
        var outcome = AlarmEvaluator.Evaluate(Errors(treat: MissingData.Missing), [], T0, T0.AddMinutes(3));

        Assert.Multiple(() =>
        {
            Assert.That(outcome.Transitions, Is.Empty);
            Assert.That(outcome.State, Is.EqualTo(AlarmState.InsufficientData), "a new alarm starts in INSUFFICIENT_DATA");
        });
    }

    [Test]
    public void TreatMissingDataIgnore_KeepsTheStateWhenDataStops()
    {
        var outcome = AlarmEvaluator.Evaluate(Errors(m: 1, n: 1, treat: MissingData.Ignore), [Point(T0.AddSeconds(10), 1)], T0, T0.AddMinutes(6));

        Assert.Multiple(() =>
        {
            Assert.That(outcome.Transitions.Select(t => t.To), Is.EqualTo(new[] { AlarmState.Alarm }), "ALARM at 12:01; after the point leaves the range, nothing changes");
            Assert.That(outcome.State, Is.EqualTo(AlarmState.Alarm));
        });
    }

    [Test]
    public void DynamoDbAlarms_AlwaysIgnoreMissingData()
    {
        var alarm = AlarmEvaluator.FromStack(Repo.Stack("dev")).Alarms.Single(a => a.AlarmName == "fraud-detection-decisions-write-throttles-dev");

        var outcome = AlarmEvaluator.Evaluate(alarm, [], T0, T0.AddMinutes(5));

        Assert.Multiple(() =>
        {
            Assert.That(alarm.TreatMissingData, Is.EqualTo(MissingData.NotBreaching), "as configured");
            Assert.That(alarm.EffectiveMissingData, Is.EqualTo(MissingData.Ignore), "\"Alarms that evaluate metrics in the AWS/DynamoDB namespace always ignore missing data\"");
            Assert.That(outcome.State, Is.EqualTo(AlarmState.InsufficientData));
        });
    }

    // CloudWatch statistics definitions: "p99 ... ignore[s] the 1% of the data points with the highest values ... the maximum value of the remaining 99%".
    [TestCase("p99", 100, 99.0)]
    [TestCase("p99", 10, 10.0, TestName = "p99 of 10 values ignores none: the maximum")]
    [TestCase("p90", 10, 9.0)]
    [TestCase("p50", 4, 2.0)]
    [TestCase("p50", 3, 2.0)]
    [TestCase("p99.9", 1000, 999.0)]
    [TestCase("p100", 7, 7.0)]
    public void Percentiles_AreTheNearestRank(string statistic, int count, double expected) =>
        Assert.That(Statistic.Parse(statistic, "test").Of(Enumerable.Range(1, count).Select(i => (double)i).Reverse().ToList()), Is.EqualTo(expected));

    [TestCase("p0")]
    [TestCase("p101")]
    [TestCase("tm99")]
    [TestCase("IQM")]
    [TestCase("sum")]
    public void UnimplementedStatistics_Throw(string statistic) => Assert.That(() => Statistic.Parse(statistic, "test"), Throws.TypeOf<NotSupportedException>());

    [Test]
    public void APercentileAlarm_EvaluatesEachPeriodsPercentile()
    {
        var alarm = new AlarmDefinition("d", "duration-p99", "AWS/Lambda", "Duration", Fn, Statistic.Parse("p99", "test"), 60, 1, 1, 98, Comparison.GreaterThanThreshold, MissingData.NotBreaching);
        var points = Enumerable.Range(1, 100).Select(i => Point(T0.AddMilliseconds(i * 100), i, "Duration")).ToList();

        var outcome = AlarmEvaluator.Evaluate(alarm, points, T0, T0.AddSeconds(30));

        Assert.That(outcome.Transitions.Single().Reason, Does.StartWith("Threshold Crossed: 1 out of the last 1 datapoints [99.0 (02/12/26 12:00:00)] was greater than the threshold (98.0)"));
    }

    [TestCase("dev")]
    [TestCase("staging")]
    [TestCase("prod")]
    public void EveryAlarmOfTheStack_IsUnderstood(string env)
    {
        var stack = Repo.Stack(env);

        var alarms = AlarmEvaluator.FromStack(stack).Alarms;

        Assert.That(alarms, Has.Count.EqualTo(stack.Resources("aws_cloudwatch_metric_alarm").Count).And.Count.GreaterThan(20));
        Assert.That(alarms.Select(a => a.AlarmName), Is.All.EndsWith("-" + env));
        Assert.That(AlarmEvaluator.FromStack(stack).Evaluate([], T0, T0.AddMinutes(1)), Has.Count.EqualTo(alarms.Count));
    }

    [TestCase("\"metric_query\": [{ \"id\": \"m1\" }]", "metric_query")]
    [TestCase("\"comparison_operator\": \"GreaterThanUpperThreshold\"", "anomaly")]
    [TestCase("\"evaluate_low_sample_count_percentiles\": \"ignore\"", "evaluate")]
    [TestCase("\"mystery\": 1", "mystery")]
    public void AnAlarmTheEvaluatorCannotEvaluate_IsRefusedByName(string extra, string mentioned)
    {
        var body = JsonNode.Parse("""
            { "alarm_name": "odd-alarm", "metric_name": "Errors", "namespace": "AWS/Lambda", "statistic": "Sum", "period": 60, "evaluation_periods": 1,
              "threshold": 1, "comparison_operator": "GreaterThanThreshold" }
            """)!.AsObject();
        foreach (var (key, value) in JsonNode.Parse("{" + extra + "}")!.AsObject().ToList())
        {
            body[key] = value?.DeepClone();
        }
        var stack = LocalStack.FromJson("t.json", new JsonObject { ["resource"] = new JsonObject { ["aws_cloudwatch_metric_alarm"] = new JsonObject { ["a"] = body } } });

        Assert.That(() => AlarmEvaluator.FromStack(stack), Throws.TypeOf<NotSupportedException>().With.Message.Contains("odd-alarm").And.Message.Contains(mentioned));
    }
}
