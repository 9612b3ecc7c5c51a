using FraudTf.Functions.Tests.Support;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using FraudTf.Functions.Shared.Events;
using FraudTf.Functions.Shared.Tables;
using FraudTf.Functions.StreamProcessor;

namespace FraudTf.Functions.Tests.Integration;

/// <summary>The stream processor against DynamoDB Local, with tables created from the same schemas the stack deploys.</summary>
[TestFixture]
[NonParallelizable]
public class StreamProcessorIntegrationTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);
    private AmazonDynamoDBClient _dynamo = null!;
    private Settings _settings = null!;

    [SetUp]
    public async Task CreateTables()
    {
        _dynamo = DynamoDbLocal.Client();
        var prefix = $"t{Guid.NewGuid():N}"[..12];
        _settings = TestSettings.StreamProcessor(prefix);
        await DynamoDbLocal.CreateTables(_dynamo, prefix);
    }

    [TearDown]
    public void DisposeClient() => _dynamo.Dispose();

    private (Function Function, RecordingSqs Sqs, CapturedOutput Log, ThrottlingDynamo Throttle) NewFunction()
    {
        var (sqs, fake) = RecordingSqs.Create();
        var (dynamo, throttle) = ThrottlingDynamo.Wrap(_dynamo);
        var log = new CapturedOutput();
        return (new Function(_settings, dynamo, sqs, ScriptedS3.Unused(), log, new FixedClock(Now)), fake, log, throttle);
    }

    private static JsonObject Tx(string id, string user = "u-1", decimal amount = 50m, string country = "DE", string mcc = "5411", int minutesAgo = 30) => new()
    {
        ["transactionId"] = id,
        ["userId"] = user,
        ["amount"] = amount,
        ["currency"] = "EUR",
        ["merchantId"] = "m-1",
        ["merchantCategory"] = mcc,
        ["country"] = country,
        ["timestamp"] = Now.AddMinutes(-minutesAgo).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
    };

    private static KinesisEventRecord Record(int seq, string data) => new()
    {
        EventSourceArn = "arn:aws:kinesis:us-east-1:111111111111:stream/fraud-detection-transactions-test",
        Kinesis = new KinesisData { SequenceNumber = $"4959{seq:D8}", PartitionKey = "p", Data = data },
    };

    private static KinesisEventRecord Record(int seq, JsonNode json) => Record(seq, Convert.ToBase64String(Encoding.UTF8.GetBytes(json.ToJsonString())));

    private static KinesisEvent Batch(params KinesisEventRecord[] records) => new() { Records = records };

    private async Task<Dictionary<string, AttributeValue>?> Get(string table, string key, string id, string? sortKey = null, string? sort = null)
    {
        var k = new Dictionary<string, AttributeValue> { [key] = new() { S = id } };
        if (sortKey is not null)
        {
            k[sortKey] = new AttributeValue { S = sort };
        }

        var r = await _dynamo.GetItemAsync(new GetItemRequest { TableName = table, Key = k, ConsistentRead = true });
        return r.Item is { Count: > 0 } ? r.Item : null;
    }

    private async Task<int> Count(string table) => (await _dynamo.ScanAsync(new ScanRequest { TableName = table, Select = Select.COUNT })).Count ?? 0;

    [Test]
    public async Task ValidBatch_StoresTransactionsDecisionsAndProfiles()
    {
        var (f, sqs, log, _) = NewFunction();
        var batch = Batch(Enumerable.Range(1, 10).Select(i => Record(i, Tx($"tx-{i}", user: $"u-{i % 3}", minutesAgo: 60 - i))).ToArray());

        var response = await f.Process(batch, CancellationToken.None);

        Assert.That(response.BatchItemFailures, Is.Empty, log.ToString());
        Assert.That(await Count(_settings.TransactionsTable), Is.EqualTo(10));
        Assert.That(await Count(_settings.DecisionsTable), Is.EqualTo(10));
        Assert.That(sqs.Sent, Is.Empty);
        var decision = await Get(_settings.DecisionsTable, "transactionId", "tx-4", "decisionKey", "AUTOMATED");
        Assert.That(decision!["decision"].S, Is.EqualTo("APPROVE"));
        Assert.That(decision["rulesVersion"].S, Is.Not.Empty);
        var profile = await Get(_settings.UserProfilesTable, "userId", "u-1");
        Assert.That(profile!["txCount"].N, Is.EqualTo("4"), "u-1 has tx-1, 4, 7, 10");
        Assert.That(profile["countries"].SS, Is.EquivalentTo(new[] { "DE" }));
        var tx = await Get(_settings.TransactionsTable, "transactionId", "tx-1");
        Assert.That(long.Parse(tx!["expiresAt"].N, CultureInfo.InvariantCulture), Is.EqualTo(Now.AddDays(90).ToUnixTimeSeconds()));
        var emf = log.ToString().Split('\n').Select(l => l.Trim()).First(l => l.Contains("\"TransactionsProcessed\"", StringComparison.Ordinal));
        Assert.That(JsonNode.Parse(emf)!["TransactionsProcessed"]!.GetValue<double>(), Is.EqualTo(10));
    }

    [Test]
    public async Task MixedBatch_ValidRecordsStored_InvalidOnesInTheDlqWithReasons_NothingLost()
    {
        var (f, sqs, log, _) = NewFunction();
        var negative = Tx("tx-neg");
        negative["amount"] = -5;
        var absurd = Tx("tx-absurd");
        absurd["amount"] = 1e15;
        var wrongType = Tx("tx-type");
        wrongType["amount"] = "50.00";
        var missing = Tx("tx-missing");
        missing.Remove("country");
        var oversized = Tx("tx-big");
        oversized["deviceId"] = new string('a', 20_000);
        var records = new[]
        {
            Record(1, Tx("tx-ok-1")),
            Record(2, "%%%not-base64%%%"),
            Record(3, Convert.ToBase64String("this is not json"u8.ToArray())),
            Record(4, missing),
            Record(5, negative),
            Record(6, absurd),
            Record(7, wrongType),
            Record(8, oversized),
            Record(9, Tx("tx-ok-2")),
        };

        var response = await f.Process(Batch(records), CancellationToken.None);

        var reasons = sqs.Sent.Select(m => JsonNode.Parse(m.MessageBody)!).ToList();
        Assert.Multiple(async () =>
        {
            Assert.That(response.BatchItemFailures, Is.Empty, "one bad record never fails the batch");
            Assert.That(await Count(_settings.TransactionsTable), Is.EqualTo(2));
            Assert.That(reasons.Select(r => r["reason"]!.GetValue<string>()), Is.EqualTo(new[]
            {
                "BadEncoding", "NotJson", "MissingField", "InvalidValue", "InvalidValue", "WrongType", "TooLarge",
            }));
            Assert.That(reasons.Select(r => r["sequenceNumber"]!.GetValue<string>()),
                Is.EqualTo(records[1..8].Select(r => r.Kinesis.SequenceNumber)), "each rejected record once, in order");
            Assert.That(reasons[3]["data"]!.GetValue<string>(), Is.EqualTo(records[4].Kinesis.Data), "the original bytes are kept");
            Assert.That(records.Length, Is.EqualTo(2 + reasons.Count), "every record ends in exactly one place");
        });
        var metricLines = log.ToString().Split('\n').Where(l => l.Contains("\"RecordsRejected\"", StringComparison.Ordinal)).Select(l => JsonNode.Parse(l)!).ToList();
        var rejected = metricLines.Where(r => r["Reason"] is not null).ToList();
        Assert.That(rejected.Sum(r => r["RecordsRejected"]!.GetValue<double>()), Is.EqualTo(7), "by reason");
        Assert.That(metricLines.Single(r => r["Reason"] is null)["RecordsRejected"]!.GetValue<double>(), Is.EqualTo(7), "total, per environment (the alarm's metric)");
        Assert.That(rejected.Select(r => r["Reason"]!.GetValue<string>()), Does.Contain("InvalidValue"));
        Assert.That(log.ToString(), Does.Not.Contain("aaaaaaaaaa"), "no record content in the logs");
    }

    [Test]
    public async Task ReplayedBatch_CreatesNoDuplicatesAndDoesNotDoubleCountProfiles()
    {
        var (f, _, log, _) = NewFunction();
        var batch = Batch(Enumerable.Range(1, 5).Select(i => Record(i, Tx($"tx-{i}", minutesAgo: 50 - i))).ToArray());

        await f.Process(batch, CancellationToken.None);
        var profileBefore = await Get(_settings.UserProfilesTable, "userId", "u-1");
        var replay = await f.Process(batch, CancellationToken.None);
        var profileAfter = await Get(_settings.UserProfilesTable, "userId", "u-1");

        Assert.That(replay.BatchItemFailures, Is.Empty);
        Assert.That(await Count(_settings.TransactionsTable), Is.EqualTo(5));
        Assert.That(await Count(_settings.DecisionsTable), Is.EqualTo(5));
        Assert.That(profileAfter!["txCount"].N, Is.EqualTo("5"));
        Assert.That(profileAfter["logAmountMean"].N, Is.EqualTo(profileBefore!["logAmountMean"].N));
        Assert.That(profileAfter["amountCount"].N, Is.EqualTo("5"));
        Assert.That(profileAfter["profileVersion"].N, Is.EqualTo(profileBefore["profileVersion"].N));
        var last = log.ToString().Split('\n').Last(l => l.Contains("\"DuplicatesSkipped\"", StringComparison.Ordinal));
        Assert.That(JsonNode.Parse(last)!["DuplicatesSkipped"]!.GetValue<double>(), Is.EqualTo(5));
    }

    [Test]
    public async Task ThrottledWrite_IsReturnedInBatchItemFailures_ThenTheRetryStoresEverythingOnce()
    {
        var (f, sqs, _, throttle) = NewFunction();
        var records = Enumerable.Range(1, 4).Select(i => Record(i, Tx($"tx-{i}", minutesAgo: 40 - i))).ToArray();

        await f.Process(Batch(records[0]), CancellationToken.None);
        throttle.ThrottleNextWrites = 1;
        var first = await f.Process(Batch(records[1..]), CancellationToken.None);

        Assert.That(first.BatchItemFailures.Select(b => b.ItemIdentifier), Is.EqualTo(new[] { records[1].Kinesis.SequenceNumber }));
        Assert.That(await Count(_settings.TransactionsTable), Is.EqualTo(1), "nothing after the throttled record was stored yet");
        Assert.That(sqs.Sent, Is.Empty, "a transient failure is not a dead letter");

        // Kinesis retries from the failed record: the whole remainder comes again.
        var retry = await f.Process(Batch(records[1..]), CancellationToken.None);

        Assert.That(retry.BatchItemFailures, Is.Empty);
        Assert.That(await Count(_settings.TransactionsTable), Is.EqualTo(4));
        Assert.That((await Get(_settings.UserProfilesTable, "userId", "u-1"))!["txCount"].N, Is.EqualTo("4"));
    }

    [Test]
    public async Task DlqUnavailable_RecordIsRetriedNotLost()
    {
        var (f, sqs, _, _) = NewFunction();
        sqs.FailWith = new Amazon.SQS.AmazonSQSException("service unavailable");
        var bad = Record(2, "%%%");

        var response = await f.Process(Batch(Record(1, Tx("tx-1")), bad), CancellationToken.None);

        Assert.That(response.BatchItemFailures.Select(b => b.ItemIdentifier), Is.EqualTo(new[] { bad.Kinesis.SequenceNumber }));
        Assert.That(await Count(_settings.TransactionsTable), Is.EqualTo(1));
    }

    [Test]
    public async Task Velocity_NewCountry_AndImpossibleTravel_AreScoredFromStoredHistory_WithTheirValuesStored()
    {
        var (f, _, _, _) = NewFunction();
        var history = Enumerable.Range(1, 6).Select(i => Record(i, Tx($"h-{i}", amount: 40m + i, minutesAgo: 120 - i))).ToArray();
        await f.Process(Batch(history), CancellationToken.None);
        // Five a minute apart, the last from Brazil seven minutes after the fourth in Germany.
        var burst = Enumerable.Range(10, 5).Select(i => Record(i, Tx($"b-{i}", country: i == 14 ? "BR" : "DE", minutesAgo: 20 - i))).ToArray();

        await f.Process(Batch(burst), CancellationToken.None);

        var d = await Get(_settings.DecisionsTable, "transactionId", "b-14", "decisionKey", "AUTOMATED");
        var reasons = d!["reasons"].L.ToDictionary(r => r.M["rule"].S, r => r.M);
        Assert.Multiple(() =>
        {
            Assert.That(reasons.Keys, Is.EquivalentTo(new[] { "VELOCITY", "NEW_COUNTRY", "IMPOSSIBLE_TRAVEL" }));
            Assert.That((reasons["VELOCITY"]["value"].N, reasons["VELOCITY"]["threshold"].N), Is.EqualTo(("5", "5")), "5 transactions within 10 minutes, stored with the decision");
            Assert.That((reasons["IMPOSSIBLE_TRAVEL"]["value"].N, reasons["IMPOSSIBLE_TRAVEL"]["threshold"].N), Is.EqualTo(("0.02", "9")), "Germany to Brazil in a minute; at least 9 hours");
            Assert.That(reasons["NEW_COUNTRY"].ContainsKey("value"), Is.False, "a rule without a measure stores none");
            Assert.That(d["decision"].S, Is.EqualTo("DECLINE"), "0.3 + 0.2 + 0.4 = 0.9");
            Assert.That(d["rulesVersion"].S, Is.EqualTo(_settings.Rules.EffectiveVersion));
        });
        var t = await Get(_settings.TransactionsTable, "transactionId", "b-14");
        Assert.That(t!.ContainsKey("profileLearnedAt"), Is.False, "a DECLINE is not learnt");
        Assert.That(t["amountReference"].N, Is.EqualTo((50 / 0.92).ToString("R", CultureInfo.InvariantCulture)), "50 EUR in USD, kept for an analyst's approval");
        var profile = await Get(_settings.UserProfilesTable, "userId", "u-1");
        Assert.That((profile!["txCount"].N, profile["lastCountry"].S, profile["profileVersion"].N), Is.EqualTo(("10", "DE", "11")),
            "ten approved transactions learnt, the DECLINE not (its save moved the version only)");
    }

    [Test]
    public async Task ActivePatterns_FromThePatternsTable_AreMatched()
    {
        await _dynamo.PutItemAsync(new PutItemRequest
        {
            TableName = _settings.PatternsTable,
            Item = new Dictionary<string, AttributeValue>
            {
                ["patternId"] = new() { S = "crypto-cashout" },
                ["version"] = new() { N = "2" },
                ["activeStatus"] = new() { S = "ACTIVE" },
                ["description"] = new() { S = "quasi-cash purchases above 900" },
                ["weight"] = new() { N = "0.6" },
                ["merchantCategories"] = new() { SS = ["6051"] },
                ["minAmount"] = new() { N = "900" },
            },
        });
        await _dynamo.PutItemAsync(new PutItemRequest
        {
            TableName = _settings.PatternsTable,
            Item = new Dictionary<string, AttributeValue>
            {
                ["patternId"] = new() { S = "crypto-cashout" },
                ["version"] = new() { N = "1" },
                ["description"] = new() { S = "superseded version, not in the sparse index" },
                ["weight"] = new() { N = "0.1" },
            },
        });
        var (f, _, _, _) = NewFunction();

        await f.Process(Batch(Record(1, Tx("tx-p", amount: 950m, mcc: "6051"))), CancellationToken.None);

        var d = await Get(_settings.DecisionsTable, "transactionId", "tx-p", "decisionKey", "AUTOMATED");
        var reasons = d!["reasons"].L.Select(r => r.M["explanation"].S).ToList();
        Assert.That(reasons, Has.Some.Contains("fraud pattern crypto-cashout v2"));
        Assert.That(d["decision"].S, Is.EqualTo("DECLINE"), "pattern 0.6 + high-risk category 0.25");
    }

    [Test]
    public async Task Handler_WithSdkClientsFromTheEnvironment_ProcessesAKinesisEvent()
    {
        var vars = new Dictionary<string, string?>
        {
            ["AWS_REGION"] = "us-east-1",
            ["AWS_ACCESS_KEY_ID"] = "local",
            ["AWS_SECRET_ACCESS_KEY"] = "local",
            ["AWS_ENDPOINT_URL_DYNAMODB"] = DynamoDbLocal.Endpoint,
            ["AWS_ENDPOINT_URL_SQS"] = "http://127.0.0.1:9",
            ["TRANSACTIONS_TABLE"] = _settings.TransactionsTable,
            ["DECISIONS_TABLE"] = _settings.DecisionsTable,
            ["USER_PROFILES_TABLE"] = _settings.UserProfilesTable,
            ["PATTERNS_TABLE"] = _settings.PatternsTable,
            ["DLQ_URL"] = _settings.DeadLetterQueueUrl,
            ["QUARANTINE_BUCKET"] = _settings.QuarantineBucket,
        };
        using (new ScopedEnvironment(vars))
        {
            var function = new Function();
            var json = JsonSerializer.Serialize(Batch(Record(1, Tx("tx-env", minutesAgo: 1))), EventJsonContext.Default.KinesisEvent);
            var output = await function.Handler(new MemoryStream(Encoding.UTF8.GetBytes(json)));
            var response = JsonNode.Parse(await new StreamReader(output).ReadToEndAsync())!;

            Assert.That(response["batchItemFailures"]!.AsArray(), Is.Empty);
            Assert.That(await Get(_settings.TransactionsTable, "transactionId", "tx-env"), Is.Not.Null);
        }
    }

    [Test]
    public async Task MetricFilterPatterns_MatchTheHandlersRealLogLines()
    {
        var (f, _, log, _) = NewFunction();
        var history = Enumerable.Range(1, 6).Select(i => Record(i, Tx($"h-{i}", minutesAgo: 120 - i))).ToArray();
        await f.Process(Batch(history), CancellationToken.None);
        log.Clear();

        // One REVIEW (new country 0.2 + new category 0.1 + merchant category risk 0.35 = 0.65), one APPROVE ten minutes later, one rejected record.
        await f.Process(Batch(Record(10, Tx("r-1", country: "FR", mcc: "7995")), Record(11, Tx("a-1", minutesAgo: 20)), Record(12, "%%%")), CancellationToken.None);

        var lines = log.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var fraud = lines.Where(l => FraudTf.Local.Observability.FilterPattern.Matches(FraudTf.Functions.Shared.Metrics.LogPatterns.FraudEvent, l)).ToList();
        var errors = lines.Where(l => FraudTf.Local.Observability.FilterPattern.Matches(FraudTf.Functions.Shared.Metrics.LogPatterns.ProcessingError, l)).ToList();
        Assert.That(fraud, Has.Count.EqualTo(1));
        Assert.That(fraud[0], Does.Contain("\"transactionId\":\"r-1\""));
        Assert.That(errors, Has.Count.EqualTo(1));
        Assert.That(errors[0], Does.Contain("record rejected to the dead-letter queue"));
    }
}
