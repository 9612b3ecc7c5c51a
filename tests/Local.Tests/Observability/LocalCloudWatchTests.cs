using System.Text.Json.Nodes;
using FraudTf.Functions.Shared.Logging;
using FraudTf.Functions.Shared.Metrics;
using FraudTf.Local.Observability;
using FraudTf.Local.Stack;

namespace FraudTf.Local.Tests.Observability;

/// <summary>A clock that stays where it is set.</summary>
internal sealed class FixedTime(DateTimeOffset now) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => now;
}

/// <summary>The local CloudWatch: logs per group, EMF, metric filters with default values, put datapoints, totals.</summary>
[TestFixture]
public sealed class LocalCloudWatchTests
{
    private const string Group = "/aws/lambda/fraud-detection-stream-processor-dev";
    private static readonly DateTimeOffset T0 = LogLines.Noon;

    private static LocalCloudWatch Dev() => LocalCloudWatch.FromStack(Repo.Stack("dev"), new FixedTime(T0.AddHours(1)));

    private static LogEvent Event(string message, DateTimeOffset at, string group = Group) => new(group, "fraud-detection-stream-processor-dev", at, message);

    [Test]
    public void FromStack_ReadsTheFiltersWithTheirResolvedLogGroup()
    {
        var filters = Dev().MetricFilters;

        Assert.That(filters.Select(f => f.MetricName), Is.EquivalentTo(new[] { "FraudEventsLogged", "ProcessingErrorsLogged" }));
        Assert.Multiple(() =>
        {
            Assert.That(filters.Select(f => f.LogGroup), Is.All.EqualTo(Group), "log_group_name resolved with LocalStack.Resolve");
            Assert.That(filters.Select(f => (f.Namespace, f.Value, f.DefaultValue, f.Unit)), Is.All.EqualTo(("FraudDetection", "1", (double?)0, "Count")));
        });
    }

    [Test]
    public void AMatchingEvent_PublishesTheFilterValueAtItsTime()
    {
        var cw = Dev();
        cw.Write(Event(LogLines.Scored(DecisionValues.Review, T0.AddSeconds(5)), T0.AddSeconds(5)));
        cw.Write(Event(LogLines.Scored(DecisionValues.Decline, T0.AddSeconds(9)), T0.AddSeconds(9)));

        var points = cw.Datapoints("FraudDetection", "FraudEventsLogged");

        Assert.That(points.Select(p => (p.Timestamp, p.Value)), Is.EqualTo(new[] { (T0.AddSeconds(5), 1.0), (T0.AddSeconds(9), 1.0) }));
        Assert.That(cw.Events(Group), Has.Count.EqualTo(2), "the events are stored in their log group");
    }

    [Test]
    public void DefaultValue_IsPublishedForAMinuteWithEventsButNoMatch()
    {
        // "If your metric filter doesn't find matches in either records during the second minute, the default value for that minute is 0."
        var cw = Dev();
        cw.Write(Event(LogLines.Scored(DecisionValues.Review), T0.AddSeconds(10)));
        cw.Write(Event(LogLines.Scored(DecisionValues.Approve), T0.AddSeconds(20)));
        cw.Write(Event(LogLines.Scored(DecisionValues.Approve), T0.AddSeconds(70)));
        cw.Write(Event(LogLines.Scored(DecisionValues.Approve), T0.AddSeconds(80)));

        var points = cw.Datapoints("FraudDetection", "FraudEventsLogged");

        Assert.That(points.Select(p => (p.Timestamp, p.Value)), Is.EqualTo(new[] { (T0.AddSeconds(10), 1.0), (T0.AddMinutes(1), 0.0) }),
            "minute 0 had a match (no default); minute 1 had events and no match (one default datapoint); minute 2 had no event (nothing)");
    }

    [Test]
    public void AFilter_ReadsOnlyItsOwnLogGroup()
    {
        var cw = Dev();
        cw.Write(Event(LogLines.Retried(), T0, "/aws/lambda/fraud-detection-alert-handler-dev"));

        Assert.That(cw.Datapoints("FraudDetection", "ProcessingErrorsLogged"), Is.Empty, "not even a default value: the filter's group received nothing");
        Assert.That(cw.LogGroups, Is.EqualTo(new[] { "/aws/lambda/fraud-detection-alert-handler-dev" }));
    }

    [Test]
    public void EmfInAnyLogGroup_IsExtractedAtItsTimestamp()
    {
        var cw = Dev();
        var at = T0.AddSeconds(3.5);
        cw.Write(Event(LogLines.Emf(at, "dev", new MetricValue(PlatformMetrics.FraudDetected, 2, MetricUnits.Count)), T0.AddSeconds(4), "/aws/lambda/any"));
        cw.Write(Event(LogLines.JsonEscaped(LogLines.Emf(at, "dev", new MetricValue(PlatformMetrics.FraudDetected, 5, MetricUnits.Count))), T0.AddSeconds(4), "/aws/lambda/any"));

        var points = cw.Datapoints("FraudDetection", "FraudDetected", new Dictionary<string, string> { ["Environment"] = "dev" });

        Assert.That(points.Select(p => (p.Timestamp, p.Value)), Is.EqualTo(new[] { (at, 2.0) }), "the escaped copy yields nothing");
    }

    [Test]
    public void PutDatapoints_AreTotalledAndSummedPerPeriod()
    {
        var cw = Dev();
        var fn = new Dictionary<string, string> { ["FunctionName"] = "fraud-detection-stream-processor-dev" };
        cw.Put(new Datapoint("AWS/Lambda", "Errors", fn, T0, 1, "Count"));
        cw.Put(new Datapoint("AWS/Lambda", "Errors", fn, T0.AddSeconds(30), 0, "Count"));
        cw.Put(new Datapoint("AWS/Lambda", "Errors", fn, T0.AddSeconds(61), 1, "Count"));

        var total = cw.Totals().Single(t => t.Name == "Errors");

        Assert.Multiple(() =>
        {
            Assert.That((total.SampleCount, total.Sum, total.Minimum, total.Maximum), Is.EqualTo((3, 2.0, 0.0, 1.0)));
            Assert.That(total.Label, Is.EqualTo("AWS/Lambda/Errors [FunctionName=fraud-detection-stream-processor-dev]"));
            Assert.That(cw.Series("AWS/Lambda", "Errors", fn, "Sum", 60, T0, T0.AddMinutes(2)).Select(s => s.Value), Is.EqualTo(new[] { 1.0, 1.0 }));
        });
    }

    [Test]
    public void EventsOutsideCloudWatchsTimeWindow_AndNonFiniteValues_AreRejected()
    {
        var cw = Dev(); // now = T0 + 1 h
        cw.Write(Event(LogLines.Retried(), T0.AddHours(1).AddDays(-15)));
        cw.Write(Event(LogLines.Retried(), T0.AddHours(4)));
        cw.Put(new Datapoint("N", "M", new Dictionary<string, string>(), T0.AddHours(4), 1));
        cw.Put(new Datapoint("N", "M", new Dictionary<string, string>(), T0, double.NaN));

        Assert.Multiple(() =>
        {
            Assert.That(cw.Rejected, Is.EqualTo(4), "more than 14 days old or more than 2 hours ahead (PutLogEvents, PutMetricData); NaN (PutMetricData)");
            Assert.That(cw.AllDatapoints(), Is.Empty);
        });
    }

    [Test]
    public void AFilterValueAndDimensionsFromFields_YieldNoDatapointWhenADimensionIsMissing()
    {
        var stack = Stack("""{ "pattern": "{ $.latency > 0 }", "metric_transformation": { "name": "Latency", "namespace": "App", "value": "$.latency", "unit": "Milliseconds", "dimensions": { "Route": "$.route" } } }""");
        var cw = LocalCloudWatch.FromStack(stack, new FixedTime(T0));
        cw.Write(Event("{\"latency\":12.5,\"route\":\"/a\"}", T0, "/g"));
        cw.Write(Event("{\"latency\":3}", T0, "/g"));

        var points = cw.AllDatapoints();

        Assert.That(points.Select(p => (p.Name, p.Value, p.Dimensions["Route"])), Is.EqualTo(new[] { ("Latency", 12.5, "/a") }), "no datapoint when a dimension field is missing");
    }

    [Test]
    public void AFilterWithDimensionsAndADefaultValue_IsRefused() =>
        Assert.That(() => LocalCloudWatch.FromStack(Stack("""{ "pattern": "", "metric_transformation": { "name": "M", "namespace": "N", "value": "1", "default_value": "0", "dimensions": { "D": "$.d" } } }"""), TimeProvider.System),
            Throws.TypeOf<NotSupportedException>().With.Message.Contains("default_value"));

    [Test]
    public void AFilterWithATermPattern_IsRefusedNamingTheFilter() =>
        Assert.That(() => LocalCloudWatch.FromStack(Stack("""{ "pattern": "ERROR", "metric_transformation": { "name": "M", "namespace": "N", "value": "1" } }"""), TimeProvider.System),
            Throws.TypeOf<NotSupportedException>().With.Message.Contains("aws_cloudwatch_log_metric_filter.f"));

    private static LocalStack Stack(string filterBody)
    {
        var filter = JsonNode.Parse(filterBody)!.AsObject();
        filter["name"] = "f";
        filter["log_group_name"] = "/g";
        var json = new JsonObject { ["resource"] = new JsonObject { ["aws_cloudwatch_log_metric_filter"] = new JsonObject { ["f"] = filter } } };
        return LocalStack.FromJson("test.json", json);
    }
}
