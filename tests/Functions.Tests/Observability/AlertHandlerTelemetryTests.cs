using System.Text.Json.Nodes;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Amazon.S3;
using FraudTf.Functions.AlertHandler;
using FraudTf.Functions.Shared.Events;
using FraudTf.Functions.Shared.Logging;
using FraudTf.Functions.Shared.Metrics;
using FraudTf.Functions.Shared.Settings;
using FraudTf.Functions.Shared.Tables;
using FraudTf.Functions.Tests.Integration;
using FraudTf.Functions.Tests.Support;
using FraudTf.Local.Observability;

// Under the Integration namespace: its SetUpFixture starts DynamoDB Local.
namespace FraudTf.Functions.Tests.Integration.Observability;

/// <summary>
/// The alert handler on DynamoDB Local and s3rver, under a console formatted as the Lambda runtime formats it, with the
/// environment the synthesized stack gives it: a handled event, the same decision re-delivered, a malformed event. Every
/// metric the stack's alarms and dashboard read from it is extracted with its dimension set and the right counts.
/// </summary>
[TestFixture]
[NonParallelizable]
public class AlertHandlerTelemetryTests
{
    private const string Assembly = "FraudTf.Functions.AlertHandler";
    private S3rver _s3rver = null!;
    private AmazonS3Client _s3 = null!;
    private AmazonDynamoDBClient _dynamo = null!;
    private JsonObject _stack = null!;
    private JsonObject _function = null!;
    private Settings _settings = null!;

    [OneTimeSetUp]
    public async Task StartS3()
    {
        _stack = SynthesizedStack.LoadOrIgnore();
        _s3rver = await S3rver.Start();
    }

    [OneTimeTearDown]
    public async Task StopS3()
    {
        if (_s3rver is not null)
        {
            await _s3rver.DisposeAsync();
        }
    }

    [SetUp]
    public async Task Create()
    {
        _function = SynthesizedMonitoring.Function(_stack, Assembly);
        _s3 = _s3rver.Client();
        _dynamo = DynamoDbLocal.Client();
        var prefix = $"h{Guid.NewGuid():N}"[..12];
        var deployed = SynthesizedMonitoring.Variables(_function);
        var local = new Dictionary<string, string>
        {
            [FunctionEnvironment.DecisionTrailsBucket] = $"{prefix}-trails",
            [FunctionEnvironment.AuditLogsBucket] = $"{prefix}-audit",
            [FunctionEnvironment.UserProfilesTable] = $"{prefix}-user-profiles",
            [FunctionEnvironment.TransactionsTable] = $"{prefix}-transactions",
            [FunctionEnvironment.DecisionsTable] = $"{prefix}-decisions",
            [FunctionEnvironment.DeadLetterQueueUrl] = TestSettings.DeadLetterQueueUrl,
        };
        _settings = Settings.FromEnvironment(n => local.TryGetValue(n, out var v) ? v : deployed.GetValueOrDefault(n));
        await _s3.PutBucketAsync(_settings.DecisionTrailsBucket);
        await _s3.PutBucketAsync(_settings.AuditLogsBucket);
        await DynamoDbLocal.CreateTable(_dynamo, FraudTables.UserProfiles, _settings.UserProfilesTable);
        await DynamoDbLocal.CreateTable(_dynamo, FraudTables.Transactions, _settings.TransactionsTable);
        await DynamoDbLocal.CreateTable(_dynamo, FraudTables.Decisions, _settings.DecisionsTable);
        await _dynamo.PutItemAsync(new PutItemRequest
        {
            TableName = _settings.TransactionsTable,
            Item = new Dictionary<string, AttributeValue>
            {
                [TransactionAttributes.TransactionId] = new() { S = "tx-9" },
                [TransactionAttributes.UserId] = new() { S = "u-7" },
                [TransactionAttributes.Amount] = new() { N = "950.5" },
                [TransactionAttributes.Decision] = new() { S = DecisionValues.Decline },
            },
        });
    }

    [TearDown]
    public void Dispose()
    {
        _s3.Dispose();
        _dynamo.Dispose();
    }

    // A FraudDetected event as the decisions pipe puts it on the bus (FraudDetectedDetail fields).
    private static string Event(string id, string recordId) => new JsonObject
    {
        ["version"] = "0",
        ["id"] = id,
        ["detail-type"] = PlatformEvents.FraudDetected,
        ["source"] = PlatformEvents.DecisionsSource,
        ["time"] = "2026-11-25T12:00:01Z",
        ["detail"] = new JsonObject
        {
            [FraudDetectedDetail.RecordId] = recordId,
            [FraudDetectedDetail.TransactionId] = "tx-9",
            [FraudDetectedDetail.UserId] = "u-7",
            [FraudDetectedDetail.Decision] = DecisionValues.Decline,
            [FraudDetectedDetail.Score] = "0.85",
            [FraudDetectedDetail.Confidence] = "0.6",
            [FraudDetectedDetail.RulesVersion] = "2026-11-25.1",
            [FraudDetectedDetail.DecidedAt] = "2026-11-25T12:00:00.0000000Z",
            [FraudDetectedDetail.Reasons] = new JsonArray(),
        },
    }.ToJsonString();

    [TestCase(LambdaLogFormat.Text)]
    [TestCase(LambdaLogFormat.Json)]
    public async Task EveryMetricTheAlarmsAndDashboardRead_IsExtracted_WithTheOutcomeCounts(LambdaLogFormat format)
    {
        var (s3, _) = ConditionalS3.Wrap(_s3);
        using var console = LambdaRuntimeConsole.Start(format);
        var function = new Function(_settings, _dynamo, s3, RecordingSqs.Create().Client, console.RawStdout);

        var statuses = new[]
        {
            await function.Process(Event("evt-1", "rec-1"), CancellationToken.None),
            await function.Process(Event("evt-2-pipe-retry", "rec-1"), CancellationToken.None),
            await function.Process("{\"detail-type\":\"FraudDetected\",\"detail\":{}}", CancellationToken.None),
        };

        Assert.That(statuses, Is.EqualTo(new[] { "handled", "duplicate", "rejected" }));
        var extracted = EmbeddedMetrics.Extract(console.Events.Select(e => e.Message));
        var produced = PlatformMetrics.AlertHandler.Select(m => m.Name).ToHashSet();
        var read = SynthesizedMonitoring.ReadMetrics(_stack, PlatformMetrics.Namespace).Where(m => produced.Contains(m.Name)).ToList();
        Assert.That(read.Select(m => m.Name).Distinct(), Is.EquivalentTo(produced), "the dashboard charts every alert-handler metric");
        var env = new Dictionary<string, string> { [PlatformMetrics.EnvironmentDimension] = _settings.Environment };
        double Sum(string name) => extracted.Where(e => e.Is(PlatformMetrics.Namespace, name, env)).Sum(e => e.Values.Sum());
        Assert.Multiple(() =>
        {
            foreach (var m in read)
            {
                Assert.That(extracted.Any(e => e.Is(m.Namespace, m.Name, m.Dimensions)), Is.True, $"{m.ReadBy} reads {m.Name}; CloudWatch extracts no such metric");
            }

            Assert.That(Sum(PlatformMetrics.AlertsHandled), Is.EqualTo(1));
            Assert.That(Sum(PlatformMetrics.AlertsDuplicate), Is.EqualTo(1), "the pipe's re-delivery under a new event id");
            Assert.That(Sum(PlatformMetrics.AlertsRejected), Is.EqualTo(1));
            Assert.That(console.Events.Where(e => e.Source != "stdout"), Is.Empty, "nothing goes through the runtime's Console writers");
            Assert.That(console.Events.Where(e => EmbeddedMetrics.Extract(e.Message).Count == 0).Select(e => JsonNode.Parse(e.Message)![LogFields.Level]!.GetValue<string>()),
                Is.All.AnyOf(LogLevels.Info, LogLevels.Warn, LogLevels.Error), "structured lines at the root, with Lambda's level names");
        });
    }

    [Test]
    public void NoMetricFilterWatchesItsLogGroup_ItsCountsAreEmf()
    {
        var filters = SynthesizedMonitoring.MetricFilters(_stack).Where(f => f.LogGroup == SynthesizedMonitoring.LogGroup(_function));

        Assert.That(filters, Is.Empty, "a filter added here needs its lines asserted like the stream processor's");
    }
}
