using FraudTf.Functions.Tests.Support;
using System.Text.Json.Nodes;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Amazon.S3;
using Amazon.S3.Model;
using FraudTf.Functions.AlertHandler;
using FraudTf.Functions.Shared.Events;
using FraudTf.Functions.Shared.Tables;

namespace FraudTf.Functions.Tests.Integration;

/// <summary>The alert handler against DynamoDB Local and s3rver (with S3's conditional writes added by <see cref="ConditionalS3"/>).</summary>
[TestFixture]
[NonParallelizable]
public class AlertHandlerIntegrationTests
{
    private S3rver _s3rver = null!;
    private AmazonS3Client _s3 = null!;
    private IAmazonS3 _conditionalS3 = null!;
    private ConditionalS3 _s3Control = null!;
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
        (_conditionalS3, _s3Control) = ConditionalS3.Wrap(_s3);
        _dynamo = DynamoDbLocal.Client();
        var prefix = $"a{Guid.NewGuid():N}"[..12];
        _settings = TestSettings.AlertHandler(prefix);
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
                ["currency"] = new() { S = "EUR" },
                ["merchantId"] = new() { S = "m-1" },
                ["merchantCategory"] = new() { S = "6051" },
                ["country"] = new() { S = "DE" },
                ["channel"] = new() { S = "web" },
                ["decision"] = new() { S = "DECLINE" },
                ["timestamp"] = new() { S = "2026-11-25T11:59:00.0000000Z" },
                ["deviceId"] = new() { S = "device-123" },
                ["ipAddress"] = new() { S = "203.0.113.9" },
                ["expiresAt"] = new() { N = "1795608000" },
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
        return (new FraudTf.Functions.AlertHandler.Function(_settings, _dynamo, _conditionalS3, sqs, new CapturedOutput()), fake);
    }

    /// <summary>
    /// An event as the decisions pipe puts it on the bus: its input template's fields (<see cref="FraudDetectedDetail"/>)
    /// in the detail. <paramref name="id"/> is the EventBridge event id, <paramref name="recordId"/> the stream record's.
    /// </summary>
    private static string Event(string id = "evt-1", string detailType = "FraudDetected", string recordId = "rec-1") => new JsonObject
    {
        ["version"] = "0",
        ["id"] = id,
        ["detail-type"] = detailType,
        ["source"] = "fraud-detection.decisions",
        ["time"] = "2026-11-25T12:00:01Z",
        ["detail"] = new JsonObject
        {
            [FraudDetectedDetail.RecordId] = recordId,
            [FraudDetectedDetail.TransactionId] = "tx-9",
            [FraudDetectedDetail.UserId] = "u-7",
            [FraudDetectedDetail.Decision] = "DECLINE",
            [FraudDetectedDetail.Score] = "0.85",
            [FraudDetectedDetail.Confidence] = "0.6",
            [FraudDetectedDetail.RulesVersion] = "2026-11-25.1",
            [FraudDetectedDetail.DecidedAt] = "2026-11-25T12:00:00.0000000Z",
            [FraudDetectedDetail.Reasons] = new JsonArray(new JsonObject
            {
                ["M"] = new JsonObject
                {
                    ["rule"] = new JsonObject { ["S"] = "VELOCITY" },
                    ["weight"] = new JsonObject { ["N"] = "0.3" },
                    ["explanation"] = new JsonObject { ["S"] = "5 transactions in the last 10 minutes (limit 5)" },
                },
            }),
        },
    }.ToJsonString();

    private async Task<Dictionary<string, AttributeValue>> Profile() =>
        (await _dynamo.GetItemAsync(_settings.UserProfilesTable, new Dictionary<string, AttributeValue> { ["userId"] = new() { S = "u-7" } })).Item;

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
        var audit = await Read(_settings.AuditLogsBucket, "audit/2026/11/25/rec-1.json");
        var profile = await Profile();
        Assert.Multiple(() =>
        {
            Assert.That(status, Is.EqualTo("handled"));
            Assert.That(trail["decision"]!.GetValue<string>(), Is.EqualTo("DECLINE"));
            Assert.That(trail["score"]!.GetValue<decimal>(), Is.EqualTo(0.85m));
            Assert.That(trail["rulesVersion"]!.GetValue<string>(), Is.EqualTo("2026-11-25.1"));
            Assert.That(trail["reasons"]![0]!["rule"]!.GetValue<string>(), Is.EqualTo("VELOCITY"));
            Assert.That(trail["recordId"]!.GetValue<string>(), Is.EqualTo("rec-1"));
            Assert.That(trail["inputs"]!["amount"]!.GetValue<decimal>(), Is.EqualTo(950.5m), "the decision's inputs from the transactions table");
            Assert.That(audit["trailKey"]!.GetValue<string>(), Is.EqualTo("trails/2026/11/25/tx-9.json"));
            Assert.That(audit["recordId"]!.GetValue<string>(), Is.EqualTo("rec-1"));
            Assert.That(audit["eventId"]!.GetValue<string>(), Is.EqualTo("evt-1"), "the delivery that wrote it, for the record");
            Assert.That(profile["flagged"].BOOL, Is.True);
            Assert.That(profile["alertCount"].N, Is.EqualTo("1"));
            Assert.That(sqs.Sent, Is.Empty);
        });
    }

    [Test]
    public async Task Trail_KeepsTheAllowListedInputsOnly_NoIpAddressOrDeviceId()
    {
        var (f, _) = NewFunction();

        await f.Process(Event(), CancellationToken.None);

        var inputs = (await Read(_settings.DecisionTrailsBucket, "trails/2026/11/25/tx-9.json"))["inputs"]!.AsObject();
        Assert.That(inputs.Select(p => p.Key), Is.EquivalentTo(new[]
        {
            "transactionId", "userId", "timestamp", "amount", "currency", "merchantId", "merchantCategory", "country", "channel", "decision",
        }), "what a reviewer needs to understand the decision; the item also holds deviceId, ipAddress and expiresAt");
        Assert.That(inputs.ToJsonString(), Does.Not.Contain("203.0.113.9").And.Not.Contain("device-123"));
        Assert.That(inputs["channel"]!.GetValue<string>(), Is.EqualTo("web"));
    }

    [Test]
    public async Task SameStreamRecord_UnderANewEventBridgeEventId_IsHandledOnce()
    {
        var (f, _) = NewFunction();

        await f.Process(Event(id: "evt-1"), CancellationToken.None);
        var second = await f.Process(Event(id: "evt-2-pipe-retry"), CancellationToken.None);

        var profile = await Profile();
        Assert.That(second, Is.EqualTo("duplicate"), "idempotency keys on the stream record's eventID, not the EventBridge id");
        Assert.That(profile["alertCount"].N, Is.EqualTo("1"), "the profile is flagged once");
        Assert.That(await Objects(_settings.AuditLogsBucket), Is.EqualTo(1));
        Assert.That(_s3Control.Written, Has.Count.EqualTo(2), "one trail, one audit record");
    }

    [Test]
    public async Task Marker_IsKeyedOnTheStreamRecordAndIsNoAutomatedDecision()
    {
        var (f, _) = NewFunction();

        await f.Process(Event(recordId: "rec-42"), CancellationToken.None);

        var rows = (await _dynamo.QueryAsync(new QueryRequest
        {
            TableName = _settings.DecisionsTable,
            KeyConditionExpression = "transactionId = :t",
            ExpressionAttributeValues = new Dictionary<string, AttributeValue> { [":t"] = new() { S = "tx-9" } },
        })).Items;
        var marker = rows.Single();
        Assert.That(marker["decisionKey"].S, Is.EqualTo("ALERT#rec-42"));
        Assert.That(marker.Keys, Has.None.EqualTo(AutomatedDecision.ProducerAttribute).And.None.EqualTo("decision"),
            "the decisions pipe's filter needs decisionKey AUTOMATED, a decision and rulesVersion: a marker has none of them");
    }

    [Test]
    public async Task TrailAlreadyWritten_412_CountsAsWritten_AndIsNotOverwritten()
    {
        // An earlier attempt wrote the trail, then failed before marking the decision handled.
        await _s3.PutObjectAsync(new PutObjectRequest { BucketName = _settings.DecisionTrailsBucket, Key = "trails/2026/11/25/tx-9.json", ContentBody = "{\"first\":true}", UseChunkEncoding = false });
        var (f, _) = NewFunction();

        var status = await f.Process(Event(), CancellationToken.None);

        Assert.That(status, Is.EqualTo("handled"));
        Assert.That(_s3Control.Refused, Is.EqualTo(new[] { $"{_settings.DecisionTrailsBucket}/trails/2026/11/25/tx-9.json" }));
        Assert.That((await Read(_settings.DecisionTrailsBucket, "trails/2026/11/25/tx-9.json"))["first"]!.GetValue<bool>(), Is.True, "write-once");
        Assert.That(await Objects(_settings.AuditLogsBucket), Is.EqualTo(1));
        Assert.That((await Profile())["alertCount"].N, Is.EqualTo("1"));
    }

    [Test]
    public async Task ConcurrentWrite_409ConditionalRequestConflict_CountsAsWritten()
    {
        _s3Control.ConflictNextPuts = 1;
        var (f, _) = NewFunction();

        var status = await f.Process(Event(), CancellationToken.None);

        Assert.That(status, Is.EqualTo("handled"), "the other writer's object stands");
        Assert.That(await Objects(_settings.DecisionTrailsBucket), Is.Zero, "the conflicting (fake) writer wrote nothing here");
        Assert.That(await Objects(_settings.AuditLogsBucket), Is.EqualTo(1));
    }

    [Test]
    public async Task S3rver_IgnoresIfNoneMatchOnPut_WhichIsWhyConditionalS3Exists()
    {
        await _s3.PutObjectAsync(new PutObjectRequest { BucketName = _settings.AuditLogsBucket, Key = "k", ContentBody = "1", UseChunkEncoding = false });

        // Real S3 answers 412 here; s3rver 3.7 overwrites. If this starts failing, s3rver learned conditional writes.
        await _s3.PutObjectAsync(new PutObjectRequest { BucketName = _settings.AuditLogsBucket, Key = "k", ContentBody = "2", IfNoneMatch = "*", UseChunkEncoding = false });

        using var r = await _s3.GetObjectAsync(_settings.AuditLogsBucket, "k");
        Assert.That(await new StreamReader(r.ResponseStream).ReadToEndAsync(), Is.EqualTo("2"));
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
        incomplete["detail"]!.AsObject().Remove(FraudDetectedDetail.UserId);
        var noRecordId = JsonNode.Parse(Event("evt-4"))!;
        noRecordId["detail"]!.AsObject().Remove(FraudDetectedDetail.RecordId);
        var rawImage = JsonNode.Parse(Event("evt-5"))!;
        rawImage["detail"] = new JsonObject { ["eventID"] = "rec-1", ["dynamodb"] = new JsonObject { ["NewImage"] = new JsonObject() } };
        var badKey = JsonNode.Parse(Event("evt-6"))!;
        badKey["detail"]![FraudDetectedDetail.TransactionId] = "../tx-9";

        Assert.That(await f.Process(Event("evt-3", "TransactionReceived"), CancellationToken.None), Is.EqualTo("rejected"));
        Assert.That(await f.Process(incomplete.ToJsonString(), CancellationToken.None), Is.EqualTo("rejected"));
        Assert.That(await f.Process(noRecordId.ToJsonString(), CancellationToken.None), Is.EqualTo("rejected"));
        Assert.That(await f.Process(rawImage.ToJsonString(), CancellationToken.None), Is.EqualTo("rejected"), "the old whole-image shape is no longer accepted");
        Assert.That(await f.Process(badKey.ToJsonString(), CancellationToken.None), Is.EqualTo("rejected"));
        Assert.That(sqs.Sent.Select(m => JsonNode.Parse(m.MessageBody)!["reason"]!.GetValue<string>()), Is.EqualTo(new[]
        {
            "unexpected detail-type 'TransactionReceived' from source 'fraud-detection.decisions'",
            "the decision has no 'userId'",
            "the decision has no 'recordId'",
            "the decision has no 'recordId'",
            "the decision's 'transactionId' is not an id (1-64 of A-Z a-z 0-9 - _ . :, starting with a letter or digit)",
        }));
        Assert.That(await Objects(_settings.DecisionTrailsBucket), Is.Zero);
    }

    [Test]
    public async Task TransientS3Failure_Throws_SoEventBridgeRetries_AndTheRetryCompletes()
    {
        var (f, _) = NewFunction();
        await _s3.DeleteBucketAsync(_settings.AuditLogsBucket);

        Assert.ThrowsAsync<AmazonS3Exception>(() => f.Process(Event(), CancellationToken.None));
        await _s3.PutBucketAsync(_settings.AuditLogsBucket);
        var retried = await f.Process(Event("evt-retry"), CancellationToken.None);

        Assert.That(retried, Is.EqualTo("handled"), "no marker was written by the failed attempt");
        Assert.That(_s3Control.Refused.Single(), Does.EndWith("/trails/2026/11/25/tx-9.json"), "the first attempt's trail stands (412 on the retry)");
        Assert.That(await Objects(_settings.AuditLogsBucket), Is.EqualTo(1));
        Assert.That((await Profile())["alertCount"].N, Is.EqualTo("1"));
    }
    [TestCase(FraudDetectedDetail.UserId, "../u-7", "the decision's 'userId' is not an id")]
    [TestCase(FraudDetectedDetail.UserId, "u-7/../../x", "the decision's 'userId' is not an id")]
    [TestCase(FraudDetectedDetail.TransactionId, ".hidden", "the decision's 'transactionId' is not an id")]
    [TestCase(FraudDetectedDetail.RecordId, "rec 1", "the decision's 'recordId' is not an id")]
    [TestCase(FraudDetectedDetail.Decision, "APPROVE", "the decision 'APPROVE' is not an alerting decision (REVIEW, DECLINE)")]
    public async Task IdsAndDecision_AreRevalidatedBeforeBecomingKeys_NothingIsWritten(string field, string value, string reason)
    {
        var (f, sqs) = NewFunction();
        var forged = JsonNode.Parse(Event())!;
        forged["detail"]![field] = value;

        var status = await f.Process(forged.ToJsonString(), CancellationToken.None);

        Assert.That(status, Is.EqualTo("rejected"));
        Assert.That(JsonNode.Parse(sqs.Sent.Single().MessageBody)!["reason"]!.GetValue<string>(), Does.StartWith(reason));
        Assert.That(_s3Control.Written, Is.Empty);
        Assert.That((await _dynamo.ScanAsync(new ScanRequest { TableName = _settings.DecisionsTable })).Items, Is.Empty, "no marker");
        Assert.That(await Profile(), Is.Null.Or.Empty, "no profile flagged");
    }

    [TestCase(90)]
    [TestCase(30)]
    public async Task Marker_ExpiresWithItsDecision_DecidedAtPlusTheTransactionTtl(int days)
    {
        _settings = _settings with { TransactionTtlDays = days };
        var (f, _) = NewFunction();

        await f.Process(Event(recordId: "rec-ttl"), CancellationToken.None);

        var marker = (await _dynamo.GetItemAsync(_settings.DecisionsTable, new Dictionary<string, AttributeValue>
        {
            ["transactionId"] = new() { S = "tx-9" },
            ["decisionKey"] = new() { S = "ALERT#rec-ttl" },
        })).Item;
        // The event's decidedAt is 2026-11-25T12:00:00Z; the stream processor gives the decision row now + days, now being decidedAt.
        var expected = new DateTimeOffset(2026, 11, 25, 12, 0, 0, TimeSpan.Zero).AddDays(days).ToUnixTimeSeconds();
        Assert.That(long.Parse(marker["expiresAt"].N, System.Globalization.CultureInfo.InvariantCulture), Is.EqualTo(expected));
    }

    [Test]
    public async Task Marker_WritesOnlyTheAttributesTheSynthesizedGrantAllows()
    {
        // The decisions table grant of the alert handler's role (cdktf.out) limits the attributes it may write
        // (dynamodb:Attributes); the marker DynamoDB Local stored must fit in it, keys included.
        var stack = FraudTf.Functions.Tests.Support.SynthesizedStack.LoadOrIgnore();
        var policy = FraudTf.Functions.Tests.Support.SynthesizedStack.Resource(stack, "aws_iam_role_policy", "/alert-handler/role/policy");
        var statement = JsonNode.Parse(policy["policy"]!.GetValue<string>())!["Statement"]!.AsArray()
            .Single(st => st!["Sid"]!.GetValue<string>() == "DecisionsTableWrite")!;
        var allowed = statement["Condition"]!["ForAllValues:StringEquals"]!["dynamodb:Attributes"]!.AsArray().Select(a => a!.GetValue<string>()).ToList();
        var (f, _) = NewFunction();

        await f.Process(Event(recordId: "rec-attrs"), CancellationToken.None);

        var marker = (await _dynamo.ScanAsync(new ScanRequest { TableName = _settings.DecisionsTable })).Items.Single();
        Assert.That(marker.Keys, Does.Contain("expiresAt"));
        Assert.That(marker.Keys, Is.SubsetOf(allowed), $"allowed: {string.Join(", ", allowed)}");
    }

    [Test]
    public void Settings_TransactionTtlDays_FromTheEnvironment()
    {
        var env = new Dictionary<string, string>
        {
            ["DECISION_TRAILS_BUCKET"] = "t", ["AUDIT_LOGS_BUCKET"] = "a", ["USER_PROFILES_TABLE"] = "u", ["TRANSACTIONS_TABLE"] = "x",
            ["DECISIONS_TABLE"] = "d", ["DLQ_URL"] = "q",
        };
        Assert.That(Settings.FromEnvironment(n => env.GetValueOrDefault(n)).TransactionTtlDays, Is.EqualTo(90));
        env["TRANSACTION_TTL_DAYS"] = "30";
        Assert.That(Settings.FromEnvironment(n => env.GetValueOrDefault(n)).TransactionTtlDays, Is.EqualTo(30));
        env["TRANSACTION_TTL_DAYS"] = "thirty";
        Assert.That(() => Settings.FromEnvironment(n => env.GetValueOrDefault(n)), Throws.InstanceOf<FraudTf.Functions.Shared.Settings.SettingsException>().With.Message.Contains("TRANSACTION_TTL_DAYS = 'thirty'").And.Message.Contains("Fix:"));
        env["TRANSACTION_TTL_DAYS"] = "30";
        env.Remove("DLQ_URL");
        Assert.That(() => Settings.FromEnvironment(n => env.GetValueOrDefault(n)), Throws.InstanceOf<FraudTf.Functions.Shared.Settings.SettingsException>().With.Message.Contains("DLQ_URL"));
    }
}
