using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Amazon.DynamoDBv2;
using FraudTf.Functions.Shared.Events;
using FraudTf.Functions.Shared.Logging;
using FraudTf.Functions.Shared.Metrics;
using FraudTf.Functions.Shared.Settings;
using FraudTf.Functions.StreamProcessor;
using FraudTf.Functions.Tests.Integration;
using FraudTf.Functions.Tests.Support;
using FraudTf.Local.Observability;

// Under the Integration namespace: its SetUpFixture starts DynamoDB Local.
namespace FraudTf.Functions.Tests.Integration.Observability;

/// <summary>
/// The stream processor on DynamoDB Local, under a console formatted as the Lambda runtime formats it, with the settings
/// the synthesized stack gives it: what CloudWatch would store, extract and count. Every metric the stack's alarms and
/// dashboard read from this function is extracted, with the same dimension set; every metric filter on its log group
/// counts exactly the lines it is meant to count.
/// </summary>
[TestFixture]
[NonParallelizable]
public class StreamProcessorTelemetryTests
{
    private const string Assembly = "FraudTf.Functions.StreamProcessor";
    private static readonly DateTimeOffset Now = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);
    private AmazonDynamoDBClient _dynamo = null!;
    private JsonObject _stack = null!;
    private JsonObject _function = null!;
    private Settings _settings = null!;

    [SetUp]
    public async Task Create()
    {
        _stack = SynthesizedStack.LoadOrIgnore();
        _function = SynthesizedMonitoring.Function(_stack, Assembly);
        _dynamo = DynamoDbLocal.Client();
        var prefix = $"o{Guid.NewGuid():N}"[..12];
        await DynamoDbLocal.CreateTables(_dynamo, prefix);
        // The deployed settings (environment, rules, TTL), with the local tables and a recording queue.
        var deployed = SynthesizedMonitoring.Variables(_function);
        var local = new Dictionary<string, string>
        {
            [FunctionEnvironment.TransactionsTable] = $"{prefix}-transactions",
            [FunctionEnvironment.DecisionsTable] = $"{prefix}-decisions",
            [FunctionEnvironment.UserProfilesTable] = $"{prefix}-user-profiles",
            [FunctionEnvironment.PatternsTable] = $"{prefix}-patterns",
            [FunctionEnvironment.DeadLetterQueueUrl] = TestSettings.DeadLetterQueueUrl,
        };
        _settings = Settings.FromEnvironment(n => local.TryGetValue(n, out var v) ? v : deployed.GetValueOrDefault(n));
    }

    [TearDown]
    public void Dispose() => _dynamo.Dispose();

    private Function NewFunction(StructuredOutput output) => new(_settings, _dynamo, RecordingSqs.Create().Client, FraudTf.Functions.Tests.Integration.ScriptedS3.Unused(), output, new FixedClock(Now));

    private static KinesisEventRecord Record(int seq, string data) => new()
    {
        EventSourceArn = "arn:aws:kinesis:us-east-1:111111111111:stream/fraud-detection-transactions-dev",
        Kinesis = new KinesisData { SequenceNumber = $"4959{seq:D8}", PartitionKey = "p", Data = data },
    };

    private static KinesisEventRecord Tx(int seq, string id, string country = "DE", string mcc = "5411", int minutesAgo = 30) => Record(seq, Convert.ToBase64String(Encoding.UTF8.GetBytes(new JsonObject
    {
        ["transactionId"] = id,
        ["userId"] = "u-1",
        ["amount"] = 50m,
        ["currency"] = "EUR",
        ["merchantId"] = "m-1",
        ["merchantCategory"] = mcc,
        ["country"] = country,
        ["timestamp"] = Now.AddMinutes(-minutesAgo).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
    }.ToJsonString())));

    // A user's history (stored first), then one batch: a REVIEW (new country 0.2 + new category 0.1 + merchant category
    // risk 0.35 = 0.65), an APPROVE ten minutes later (not within a velocity window of the REVIEW), and two malformed
    // records (not base64, not JSON).
    private async Task<IReadOnlyList<CloudWatchLogEvent>> RunBatch(LambdaLogFormat format)
    {
        using (var history = new CapturedOutput())
        {
            await NewFunction(history).Process(new KinesisEvent { Records = Enumerable.Range(1, 6).Select(i => Tx(i, $"h-{i}", minutesAgo: 120 - i)).ToList() }, CancellationToken.None);
        }

        using var console = LambdaRuntimeConsole.Start(format);
        var response = await NewFunction(console.RawStdout).Process(new KinesisEvent
        {
            Records = [Tx(10, "r-1", country: "FR", mcc: "7995"), Tx(11, "a-1", minutesAgo: 20), Record(12, "%%%"), Record(13, Convert.ToBase64String("not json"u8.ToArray()))],
        }, CancellationToken.None);
        Assert.That(response.BatchItemFailures, Is.Empty);
        return console.Events;
    }

    private static Dictionary<string, string> Env(string environment) => new() { [PlatformMetrics.EnvironmentDimension] = environment };

    [TestCase(LambdaLogFormat.Text)]
    [TestCase(LambdaLogFormat.Json)]
    public async Task EveryMetricTheAlarmsAndDashboardRead_IsExtracted(LambdaLogFormat format)
    {
        var events = await RunBatch(format);
        var extracted = EmbeddedMetrics.Extract(events.Select(e => e.Message));
        var produced = PlatformMetrics.StreamProcessor.Select(m => m.Name).ToHashSet();
        var read = SynthesizedMonitoring.ReadMetrics(_stack, PlatformMetrics.Namespace).Where(m => produced.Contains(m.Name)).ToList();

        Assert.That(read.Select(m => m.Name).Distinct(), Is.SupersetOf(new[] { PlatformMetrics.FraudDetected, PlatformMetrics.ProcessingLatency, PlatformMetrics.RecordsRejected, PlatformMetrics.TransactionsProcessed }),
            "the alarms on this function's metrics (a renamed metric would drop out of this list)");
        Assert.Multiple(() =>
        {
            foreach (var m in read)
            {
                Assert.That(extracted.Any(e => e.Is(m.Namespace, m.Name, m.Dimensions)), Is.True,
                    $"{m.ReadBy} reads {m.Namespace}/{m.Name} [{string.Join(", ", m.Dimensions.Select(d => $"{d.Key}={d.Value}"))}]; CloudWatch extracts no such metric from the stored events");
            }
        });

        double Sum(string name, Dictionary<string, string> dims) => extracted.Where(e => e.Is(PlatformMetrics.Namespace, name, dims)).Sum(e => e.Values.Sum());
        var env = Env(_settings.Environment);
        Assert.Multiple(() =>
        {
            Assert.That(Sum(PlatformMetrics.TransactionsProcessed, env), Is.EqualTo(2));
            Assert.That(Sum(PlatformMetrics.FraudDetected, env), Is.EqualTo(1));
            Assert.That(Sum(PlatformMetrics.RecordsRejected, env), Is.EqualTo(2), "the alarm's metric: per environment");
            Assert.That(extracted.Where(e => e.Name == PlatformMetrics.RecordsRejected && e.Dimensions.ContainsKey(PlatformMetrics.ReasonDimension)).Sum(e => e.Values.Sum()), Is.EqualTo(2), "and per reason");
            Assert.That(events.Where(e => e.Source != "stdout"), Is.Empty, "nothing goes through the runtime's Console writers");
        });
    }

    [TestCase(LambdaLogFormat.Text)]
    [TestCase(LambdaLogFormat.Json)]
    public async Task EveryMetricFilterOnItsLogGroup_CountsTheLinesItIsMeantFor(LambdaLogFormat format)
    {
        var events = await RunBatch(format);
        var filters = SynthesizedMonitoring.MetricFilters(_stack).Where(f => f.LogGroup == SynthesizedMonitoring.LogGroup(_function)).ToList();
        Assert.That(filters.Select(f => f.MetricName), Is.EquivalentTo(new[] { PlatformMetrics.FraudEventsLogged, PlatformMetrics.ProcessingErrorsLogged }),
            "the filters this test knows; a new one needs its expectation here");

        List<JsonObject> Matched(string metric) => events.Where(e => FilterPattern.Matches(filters.Single(f => f.MetricName == metric).Pattern, e.Message))
            .Select(e => JsonNode.Parse(e.Message)!.AsObject()).ToList();
        var fraud = Matched(PlatformMetrics.FraudEventsLogged);
        var errors = Matched(PlatformMetrics.ProcessingErrorsLogged);

        Assert.Multiple(() =>
        {
            Assert.That(fraud.Select(l => l[LogFields.TransactionId]?.GetValue<string>()), Is.EqualTo(new[] { "r-1" }), "the REVIEW only, not the APPROVE");
            Assert.That(fraud.Single()[LogFields.Decision]!.GetValue<string>(), Is.EqualTo(DecisionValues.Review));
            Assert.That(errors.Select(l => l[LogFields.SequenceNumber]!.GetValue<string>()), Is.EqualTo(new[] { "495900000012", "495900000013" }), "the two rejected records");
            Assert.That(errors.All(l => l[LogFields.Level]!.GetValue<string>() == LogLevels.Warn));
            Assert.That(events.Count(e => e.Message.Contains("\"" + LogMessages.TransactionScored + "\"", StringComparison.Ordinal)), Is.EqualTo(2), "both scored lines are stored; the filter picks one");
        });
    }
}
