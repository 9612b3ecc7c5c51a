using System.Text.Json.Nodes;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Amazon.S3;
using Amazon.S3.Model;
using FraudTf.Functions.AlertHandler;
using FraudTf.Functions.Shared.Tables;

namespace FraudTf.Functions.Tests.Integration;

/// <summary>The alert handler against DynamoDB Local and s3rver.</summary>
[TestFixture]
[NonParallelizable]
public class AlertHandlerIntegrationTests
{
    private S3rver _s3rver = null!;
    private AmazonS3Client _s3 = null!;
    private AmazonDynamoDBClient _dynamo = null!;
    private Settings _settings = null!;

    [OneTimeSetUp]
    public async Task StartS3() => _s3rver = await S3rver.Start();

    [OneTimeTearDown]
    public async Task StopS3() => await _s3rver.DisposeAsync();

    [SetUp]
    public async Task Create()
    {
        _s3 = _s3rver.Client();
        _dynamo = DynamoDbLocal.Client();
        var prefix = $"a{Guid.NewGuid():N}"[..12];
        _settings = new Settings
        {
            DecisionTrailsBucket = $"{prefix}-trails",
            AuditLogsBucket = $"{prefix}-audit",
            UserProfilesTable = $"{prefix}-user-profiles",
            TransactionsTable = $"{prefix}-transactions",
            DecisionsTable = $"{prefix}-decisions",
            DeadLetterQueueUrl = "https://sqs.us-east-1.amazonaws.com/111111111111/fraud-detection-dlq-test",
        };
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
                ["transactionId"] = new() { S = "tx-9" },
                ["userId"] = new() { S = "u-7" },
                ["amount"] = new() { N = "950.5" },
                ["timestamp"] = new() { S = "2026-11-25T11:59:00.0000000Z" },
            },
        });
    }

    [TearDown]
    public void Dispose()
    {
        _s3.Dispose();
        _dynamo.Dispose();
    }

    private (FraudTf.Functions.AlertHandler.Function Function, RecordingSqs Sqs) NewFunction()
    {
        var (sqs, fake) = RecordingSqs.Create();
        return (new FraudTf.Functions.AlertHandler.Function(_settings, _dynamo, _s3, sqs, new StringWriter()), fake);
    }

    /// <summary>An event as the decisions pipe puts it on the bus: the DynamoDB stream record in the detail.</summary>
    private static string Event(string id = "evt-1", string detailType = "FraudDetected") => new JsonObject
    {
        ["version"] = "0",
        ["id"] = id,
        ["detail-type"] = detailType,
        ["source"] = "fraud-detection.decisions",
        ["time"] = "2026-11-25T12:00:01Z",
        ["detail"] = new JsonObject
        {
            ["eventName"] = "INSERT",
            ["dynamodb"] = new JsonObject
            {
                ["NewImage"] = new JsonObject
                {
                    ["transactionId"] = new JsonObject { ["S"] = "tx-9" },
                    ["decisionKey"] = new JsonObject { ["S"] = "AUTOMATED" },
                    ["userId"] = new JsonObject { ["S"] = "u-7" },
                    ["decidedAt"] = new JsonObject { ["S"] = "2026-11-25T12:00:00.0000000Z" },
                    ["decision"] = new JsonObject { ["S"] = "DECLINE" },
                    ["score"] = new JsonObject { ["N"] = "0.85" },
                    ["confidence"] = new JsonObject { ["N"] = "0.6" },
                    ["rulesVersion"] = new JsonObject { ["S"] = "2026-11-25.1" },
                    ["reasons"] = new JsonObject
                    {
                        ["L"] = new JsonArray(new JsonObject
                        {
                            ["M"] = new JsonObject
                            {
                                ["rule"] = new JsonObject { ["S"] = "VELOCITY" },
                                ["weight"] = new JsonObject { ["N"] = "0.3" },
                                ["explanation"] = new JsonObject { ["S"] = "5 transactions in the last 10 minutes (limit 5)" },
                            },
                        }),
                    },
                },
            },
        },
    }.ToJsonString();

    private async Task<JsonNode> Read(string bucket, string key)
    {
        using var r = await _s3.GetObjectAsync(bucket, key);
        return JsonNode.Parse(await new StreamReader(r.ResponseStream).ReadToEndAsync())!;
    }

    private async Task<int> Objects(string bucket) => (await _s3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket })).KeyCount ?? 0;

    [Test]
    public async Task FraudDetected_WritesTrailAndAuditRecordAndFlagsTheProfile()
    {
        var (f, sqs) = NewFunction();

        var status = await f.Process(Event(), CancellationToken.None);

        var trail = await Read(_settings.DecisionTrailsBucket, "trails/2026/11/25/tx-9.json");
        var audit = await Read(_settings.AuditLogsBucket, "audit/2026/11/25/evt-1.json");
        var profile = (await _dynamo.GetItemAsync(_settings.UserProfilesTable, new Dictionary<string, AttributeValue> { ["userId"] = new() { S = "u-7" } })).Item;
        Assert.Multiple(() =>
        {
            Assert.That(status, Is.EqualTo("handled"));
            Assert.That(trail["decision"]!.GetValue<string>(), Is.EqualTo("DECLINE"));
            Assert.That(trail["score"]!.GetValue<decimal>(), Is.EqualTo(0.85m));
            Assert.That(trail["rulesVersion"]!.GetValue<string>(), Is.EqualTo("2026-11-25.1"));
            Assert.That(trail["reasons"]![0]!["rule"]!.GetValue<string>(), Is.EqualTo("VELOCITY"));
            Assert.That(trail["inputs"]!["amount"]!.GetValue<decimal>(), Is.EqualTo(950.5m), "the decision's inputs from the transactions table");
            Assert.That(audit["trailKey"]!.GetValue<string>(), Is.EqualTo("trails/2026/11/25/tx-9.json"));
            Assert.That(audit["eventId"]!.GetValue<string>(), Is.EqualTo("evt-1"));
            Assert.That(profile["flagged"].BOOL, Is.True);
            Assert.That(profile["alertCount"].N, Is.EqualTo("1"));
            Assert.That(sqs.Sent, Is.Empty);
        });
    }

    [Test]
    public async Task ReplayedEvent_IsHandledOnce()
    {
        var (f, _) = NewFunction();

        await f.Process(Event(), CancellationToken.None);
        var second = await f.Process(Event(), CancellationToken.None);

        var profile = (await _dynamo.GetItemAsync(_settings.UserProfilesTable, new Dictionary<string, AttributeValue> { ["userId"] = new() { S = "u-7" } })).Item;
        Assert.That(second, Is.EqualTo("duplicate"));
        Assert.That(profile["alertCount"].N, Is.EqualTo("1"), "the profile is flagged once");
        Assert.That(await Objects(_settings.AuditLogsBucket), Is.EqualTo(1));
    }

    [TestCase("not json", "the event is not JSON")]
    [TestCase("{\"detail-type\":\"FraudDetected\"}", "the event has no id")]
    public async Task MalformedEvent_GoesToTheDlqAndIsAcknowledged(string raw, string reason)
    {
        var (f, sqs) = NewFunction();

        var status = await f.Process(raw, CancellationToken.None);

        Assert.That(status, Is.EqualTo("rejected"));
        Assert.That(JsonNode.Parse(sqs.Sent.Single().MessageBody)!["reason"]!.GetValue<string>(), Is.EqualTo(reason));
        Assert.That(await Objects(_settings.DecisionTrailsBucket), Is.Zero);
    }

    [Test]
    public async Task WrongDetailTypeOrIncompleteDecision_IsRejected()
    {
        var (f, sqs) = NewFunction();
        var incomplete = JsonNode.Parse(Event("evt-2"))!;
        incomplete["detail"]!["dynamodb"]!["NewImage"]!.AsObject().Remove("userId");

        Assert.That(await f.Process(Event("evt-3", "TransactionReceived"), CancellationToken.None), Is.EqualTo("rejected"));
        Assert.That(await f.Process(incomplete.ToJsonString(), CancellationToken.None), Is.EqualTo("rejected"));
        Assert.That(sqs.Sent.Select(m => JsonNode.Parse(m.MessageBody)!["reason"]!.GetValue<string>()),
            Is.EqualTo(new[] { "unexpected detail-type 'TransactionReceived'", "the decision has no 'userId'" }));
    }

    [Test]
    public async Task TransientS3Failure_Throws_SoEventBridgeRetries_AndTheRetryCompletes()
    {
        var (f, _) = NewFunction();
        await _s3.DeleteBucketAsync(_settings.AuditLogsBucket);

        Assert.ThrowsAsync<AmazonS3Exception>(() => f.Process(Event(), CancellationToken.None));
        await _s3.PutBucketAsync(_settings.AuditLogsBucket);
        var retried = await f.Process(Event(), CancellationToken.None);

        Assert.That(retried, Is.EqualTo("handled"), "no marker was written by the failed attempt");
        Assert.That(await Objects(_settings.AuditLogsBucket), Is.EqualTo(1));
    }
}
