using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using FraudTf.Functions.Shared.Logging;
using FraudTf.Functions.Shared.Metrics;
using FraudTf.Functions.Tests.Support;
using FraudTf.Local.Observability;

namespace FraudTf.Functions.Tests.Observability;

/// <summary>
/// The harness is faithful: a line written through Console is wrapped as the .NET managed runtime wraps it, and then
/// yields no metric and matches no JSON filter; the same line on the raw standard output does.
/// </summary>
[TestFixture]
[NonParallelizable]
public class RuntimeConsoleTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);

    private static string EmfDocument()
    {
        using var capture = new CapturedOutput();
        new EmfWriter(capture, () => Now).Emit(new Dictionary<string, string> { [PlatformMetrics.EnvironmentDimension] = "dev" },
            new MetricValue(PlatformMetrics.FraudDetected, 2, MetricUnits.Count));
        return capture.Lines.Single();
    }

    private static string ScoredLine()
    {
        using var capture = new CapturedOutput();
        new StructuredLog(capture, () => Now).Info(LogMessages.TransactionScored, new LogField(LogFields.Decision, DecisionValues.Decline));
        return capture.Lines.Single();
    }

    [Test]
    public void Text_ConsoleLinesArePrefixed_InfoOnOut_FailOnError()
    {
        using var console = LambdaRuntimeConsole.Start(LambdaLogFormat.Text, "req-1");

        Console.WriteLine("hello {0}", "world");
        Console.Error.WriteLine("boom");

        var events = console.Events;
        Assert.That(events.Select(e => e.Source), Is.EqualTo(new[] { "Console.Out", "Console.Error" }));
        Assert.That(events[0].Message, Does.Match(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z\treq-1\tinfo\thello world$"));
        Assert.That(events[1].Message, Does.Match(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z\treq-1\tfail\tboom$"));
    }

    [Test]
    public void Json_ConsoleLinesAreEscapedIntoTheRuntimesMessage()
    {
        using var console = LambdaRuntimeConsole.Start(LambdaLogFormat.Json, "req-2");
        var line = ScoredLine();

        Console.WriteLine(line);
        Console.Error.WriteLine("boom");

        var stored = console.Events.Select(e => JsonNode.Parse(e.Message)!.AsObject()).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(stored[0].Select(p => p.Key), Is.EqualTo(new[] { "timestamp", "level", "requestId", "message" }));
            Assert.That(stored[0]["level"]!.GetValue<string>(), Is.EqualTo("Information"));
            Assert.That(stored[0]["requestId"]!.GetValue<string>(), Is.EqualTo("req-2"));
            Assert.That(stored[0]["message"]!.GetValue<string>(), Is.EqualTo(line), "the whole line, as a string, braces untouched");
            Assert.That(stored[0]["decision"], Is.Null, "the line's fields are not at the root");
            Assert.That(stored[1]["level"]!.GetValue<string>(), Is.EqualTo("Error"));
        });
    }

    [TestCase(LambdaLogFormat.Text, 1)]
    [TestCase(LambdaLogFormat.Json, 0)]
    public void EmfThroughConsole_CountsOnlyUnderTheTextPrefix_OnRawStdout_Always(LambdaLogFormat format, int throughConsoleCount)
    {
        using var console = LambdaRuntimeConsole.Start(format);
        var emf = EmfDocument();

        Console.WriteLine(emf);
        var throughConsole = EmbeddedMetrics.Extract(console.Events.Select(e => e.Message));
        console.RawStdout.WriteLine(Encoding.UTF8.GetBytes(emf));
        var all = EmbeddedMetrics.Extract(console.Events.Select(e => e.Message));

        // EMF specification: on Lambda, a valid document after the metadata Lambda prepends (Text) is valid; escaped into
        // the JSON format's message string, it is not the root object of its event.
        Assert.That(throughConsole, Has.Count.EqualTo(throughConsoleCount));
        Assert.That(all, Has.Count.EqualTo(1 + throughConsoleCount));
        Assert.That(all[^1].Is(PlatformMetrics.Namespace, PlatformMetrics.FraudDetected, new Dictionary<string, string> { ["Environment"] = "dev" }));
        Assert.That(all[^1].Values, Is.EqualTo(new[] { 2.0 }));
        Assert.That(console.Events.Last().Message, Is.EqualTo(emf), "a raw line is stored as written");
    }

    [TestCase(LambdaLogFormat.Text)]
    [TestCase(LambdaLogFormat.Json)]
    public void FilterPatterns_MatchRawLinesOnly(LambdaLogFormat format)
    {
        using var console = LambdaRuntimeConsole.Start(format);
        var scored = ScoredLine();

        Console.WriteLine(scored);
        using (var capture = new CapturedOutput())
        {
            new StructuredLog(capture, () => Now).Warn("record rejected");
            Console.WriteLine(capture.Lines.Single());
        }

        Assert.That(console.Events.Count(e => FilterPattern.Matches(LogPatterns.FraudEvent, e.Message)), Is.Zero);
        Assert.That(console.Events.Count(e => FilterPattern.Matches(LogPatterns.ProcessingError, e.Message)), Is.Zero,
            "under JSON the stored $.level is the runtime's Information, not the line's WARN");

        new StructuredLog(console.RawStdout, () => Now).Info(LogMessages.TransactionScored, new LogField(LogFields.Decision, DecisionValues.Decline));
        new StructuredLog(console.RawStdout, () => Now).Warn("record rejected");

        Assert.That(console.Events.Count(e => FilterPattern.Matches(LogPatterns.FraudEvent, e.Message)), Is.EqualTo(1));
        Assert.That(console.Events.Count(e => FilterPattern.Matches(LogPatterns.ProcessingError, e.Message)), Is.EqualTo(1));
    }

    [Test]
    public void EmfExtractor_FollowsTheSpecification()
    {
        var valid = JsonNode.Parse(EmfDocument())!.AsObject();
        string Without(string path)
        {
            var copy = JsonNode.Parse(valid.ToJsonString())!.AsObject();
            if (path == "Timestamp")
            {
                copy["_aws"]!.AsObject().Remove("Timestamp");
            }
            else
            {
                copy.Remove(path);
            }

            return copy.ToJsonString();
        }

        Assert.Multiple(() =>
        {
            Assert.That(EmbeddedMetrics.Extract(valid.ToJsonString()), Has.Count.EqualTo(1));
            Assert.That(EmbeddedMetrics.Extract(Without("Timestamp")), Is.Empty, "_aws.Timestamp is required");
            Assert.That(EmbeddedMetrics.Extract(Without(PlatformMetrics.EnvironmentDimension)), Is.Empty, "a dimension must be a root member");
            Assert.That(EmbeddedMetrics.Extract(Without(PlatformMetrics.FraudDetected)), Is.Empty, "a metric's value must be a root member");
            Assert.That(EmbeddedMetrics.Extract(JsonSerializer.Serialize(new { message = valid.ToJsonString() })), Is.Empty, "nested EMF is not EMF");
        });
    }

    [Test]
    public void StructuredOutput_RefusesLinesThatWouldSplitIntoSeveralEvents()
    {
        using var capture = new CapturedOutput();

        Assert.Throws<ArgumentException>(() => capture.Output.WriteLine("{\"a\":1}\n{\"b\":2}"u8));
        Assert.Throws<ArgumentException>(() => capture.Output.WriteLine("not json"u8));
        Assert.That(capture.Lines, Is.Empty);
    }

    [Test]
    public async Task StructuredOutput_ConcurrentWriters_NeverInterleaveLines()
    {
        using var capture = new CapturedOutput();
        var log = new StructuredLog(capture, () => Now);

        await Task.WhenAll(Enumerable.Range(0, 8).Select(t => Task.Run(() =>
        {
            for (var i = 0; i < 200; i++)
            {
                log.Info("tick", new LogField(LogFields.Detail, new string((char)('a' + t), 50)));
            }
        })));

        Assert.That(capture.Lines, Has.Count.EqualTo(1600));
        Assert.That(capture.Lines.All(l => JsonNode.Parse(l)![LogFields.Detail]!.GetValue<string>().Distinct().Count() == 1));
    }
}
