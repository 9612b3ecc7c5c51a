using FraudTf.Functions.Shared.Metrics;
using FraudTf.Local.Observability;

namespace FraudTf.Local.Tests.Observability;

/// <summary>EMF extraction, CloudWatch user guide "Specification: Embedded metric format".</summary>
[TestFixture]
public sealed class EmbeddedMetricsTests
{
    private static readonly DateTimeOffset At = new(2026, 12, 2, 12, 0, 30, 250, TimeSpan.Zero);

    [Test]
    public void ADocumentAtTheRoot_YieldsItsMetricsAtItsTimestamp()
    {
        var line = LogLines.Emf(At, "dev", new MetricValue(PlatformMetrics.TransactionsProcessed, 3, MetricUnits.Count), new MetricValue(PlatformMetrics.ProcessingLatency, 41.5, MetricUnits.Milliseconds));

        var metrics = EmbeddedMetrics.Extract(line);

        Assert.That(metrics, Has.Count.EqualTo(2));
        Assert.Multiple(() =>
        {
            Assert.That(metrics[0].Is(PlatformMetrics.Namespace, PlatformMetrics.TransactionsProcessed, new Dictionary<string, string> { ["Environment"] = "dev" }));
            Assert.That(metrics[0].Values, Is.EqualTo(new[] { 3.0 }));
            Assert.That(metrics[0].Unit, Is.EqualTo("Count"));
            Assert.That(metrics[1].Values, Is.EqualTo(new[] { 41.5 }));
            Assert.That(metrics.Select(m => m.Timestamp), Is.All.EqualTo(At), "the metric's time is _aws.Timestamp (milliseconds since the epoch)");
        });
    }

    [Test]
    public void ADocumentAfterLambdasTextPrefix_IsValid_AnyOtherPrefix_YieldsNothing()
    {
        var emf = LogLines.Emf(At, "dev", new MetricValue("X", 1, "Count"));
        Assert.Multiple(() =>
        {
            // Specification: "While Lambda may prepend log events with metadata such as timestamp and request id, a valid
            // embedded metric format document after this metadata is considered valid."
            Assert.That(EmbeddedMetrics.Extract(LogLines.TextPrefixed(emf)), Has.Count.EqualTo(1));
            // Otherwise: "The LogEvent message MUST be a valid JSON object with no additional data at the beginning or end".
            Assert.That(EmbeddedMetrics.Extract("metrics: " + emf), Is.Empty);
            Assert.That(EmbeddedMetrics.Extract(emf + " trailing"), Is.Empty);
        });
    }

    [Test]
    public void ADocumentEscapedIntoMessage_YieldsNothing() =>
        Assert.That(EmbeddedMetrics.Extract(LogLines.JsonEscaped(LogLines.Emf(At, "dev", new MetricValue("X", 1, "Count")))), Is.Empty,
            "_aws must be a member of the root node, not text inside another member");

    [TestCase("{\"_aws\":{\"CloudWatchMetrics\":[{\"Namespace\":\"N\",\"Dimensions\":[[]],\"Metrics\":[{\"Name\":\"M\"}]}]},\"M\":1}", TestName = "No Timestamp")]
    [TestCase("{\"_aws\":{\"Timestamp\":\"1\",\"CloudWatchMetrics\":[{\"Namespace\":\"N\",\"Dimensions\":[[]],\"Metrics\":[{\"Name\":\"M\"}]}]},\"M\":1}", TestName = "Timestamp not a number")]
    [TestCase("{\"_aws\":{\"Timestamp\":1,\"CloudWatchMetrics\":[{\"Namespace\":\"N\",\"Dimensions\":[[\"D\"]],\"Metrics\":[{\"Name\":\"M\"}]}]},\"M\":1}", TestName = "Dimension not a root member")]
    [TestCase("{\"_aws\":{\"Timestamp\":1,\"CloudWatchMetrics\":[{\"Namespace\":\"N\",\"Dimensions\":[[]],\"Metrics\":[{\"Name\":\"M\"}]}]},\"M\":\"1\"}", TestName = "Metric value a string")]
    [TestCase("{\"_aws\":{\"Timestamp\":1,\"CloudWatchMetrics\":[{\"Namespace\":\"N\",\"Dimensions\":[[]],\"Metrics\":[{\"Name\":\"M\"}]}]},\"A\":{\"M\":1}}", TestName = "Metric value nested")]
    [TestCase("[{\"_aws\":{}}]", TestName = "Root not an object")]
    public void AnInvalidDocument_YieldsNothing(string line) => Assert.That(EmbeddedMetrics.Extract(line), Is.Empty);

    [Test]
    public void AnArrayOfValues_IsOneDatapointPerValue()
    {
        var line = "{\"_aws\":{\"Timestamp\":1764676800000,\"CloudWatchMetrics\":[{\"Namespace\":\"N\",\"Dimensions\":[[\"D\"],[]],\"Metrics\":[{\"Name\":\"M\",\"Unit\":\"Milliseconds\"}]}]},\"D\":\"x\",\"M\":[1,2,3]}";

        var datapoints = EmbeddedMetrics.Extract(line).SelectMany(m => m.Datapoints()).ToList();

        Assert.That(datapoints, Has.Count.EqualTo(6), "3 values × 2 dimension sets (each set is its own metric)");
        Assert.That(datapoints.Where(d => d.Dimensions.Count == 1).Select(d => d.Value), Is.EqualTo(new[] { 1.0, 2.0, 3.0 }));
    }
}
