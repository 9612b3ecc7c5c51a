using System.Text.Json.Nodes;
using FraudTf.Functions.Shared.Metrics;
using FraudTf.Functions.Tests.Support;

namespace FraudTf.Functions.Tests.Metrics;

[TestFixture]
public class EmfWriterTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);

    [Test]
    public void Emit_WritesOneEmbeddedMetricFormatLine()
    {
        using var output = new CapturedOutput();
        var emf = new EmfWriter(output, () => Now);

        emf.Emit(new Dictionary<string, string> { ["Environment"] = "dev", ["Function"] = "stream-processor" },
            new MetricValue("TransactionsProcessed", 98, "Count"),
            new MetricValue("ProcessingLatency", 12.5, "Milliseconds"));

        var lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.That(lines, Has.Length.EqualTo(1));
        var doc = JsonNode.Parse(lines[0])!;
        var directive = doc["_aws"]!["CloudWatchMetrics"]!.AsArray().Single()!;
        Assert.Multiple(() =>
        {
            Assert.That(doc["_aws"]!["Timestamp"]!.GetValue<long>(), Is.EqualTo(Now.ToUnixTimeMilliseconds()));
            Assert.That(directive["Namespace"]!.GetValue<string>(), Is.EqualTo("FraudDetection"));
            Assert.That(directive["Dimensions"]!.AsArray().Single()!.AsArray().Select(d => d!.GetValue<string>()), Is.EqualTo(new[] { "Environment", "Function" }));
            Assert.That(directive["Metrics"]!.AsArray().Select(m => $"{m!["Name"]}:{m["Unit"]}"), Is.EqualTo(new[] { "TransactionsProcessed:Count", "ProcessingLatency:Milliseconds" }));
            Assert.That(doc["TransactionsProcessed"]!.GetValue<double>(), Is.EqualTo(98));
            Assert.That(doc["ProcessingLatency"]!.GetValue<double>(), Is.EqualTo(12.5));
            Assert.That(doc["Environment"]!.GetValue<string>(), Is.EqualTo("dev"));
            Assert.That(doc["Function"]!.GetValue<string>(), Is.EqualTo("stream-processor"));
        });
    }

    [Test]
    public void Emit_WithoutDimensions_HasOneEmptyDimensionSet()
    {
        using var output = new CapturedOutput();

        new EmfWriter(output, () => Now).Emit(new Dictionary<string, string>(), new MetricValue("FraudDetected", 1, "Count"));

        var directive = JsonNode.Parse(output.ToString())!["_aws"]!["CloudWatchMetrics"]![0]!;
        Assert.That(directive["Dimensions"]!.AsArray().Single()!.AsArray(), Is.Empty);
    }
}
