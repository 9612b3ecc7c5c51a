using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Amazon.S3;
using FraudTf.Functions.Shared.Events;
using FraudTf.Functions.Shared.Metrics;
using FraudTf.Functions.Shared.Transactions;
using FraudTf.Functions.StreamProcessor;
using FraudTf.Functions.Tests.Support;

namespace FraudTf.Functions.Tests.Integration;

/// <summary>
/// Poison records, corrupt stored rows, throttling and quarantine failures, on the real engines: DynamoDB Local for the
/// tables and s3rver (with S3's conditional writes added by <see cref="ConditionalS3"/>) for the quarantine bucket; SQS
/// is the size-checking <see cref="RecordingSqs"/>. Where a test depends on the event source mapping (batch size,
/// retries, on-failure destination) it reads them from the synthesized dev stack, and it redelivers a batch as the
/// mapping does with <c>ReportBatchItemFailures</c>: from the lowest reported sequence number on (aws-semantics.md).
/// </summary>
[TestFixture]
[NonParallelizable]
public partial class StreamProcessorPoisonTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);
    private const string StreamArn = "arn:aws:kinesis:us-east-1:111111111111:stream/fraud-detection-transactions-test";
    private S3rver _s3rver = null!;
    private AmazonS3Client _s3 = null!;
    private AmazonDynamoDBClient _dynamo = null!;
    private Settings _settings = null!;

    [OneTimeSetUp]
    public async Task StartS3() => _s3rver = await S3rver.Start();

    [OneTimeTearDown]
    public async Task StopS3() => await _s3rver.DisposeAsync();

    [SetUp]
    public async Task CreateTablesAndBucket()
    {
        _dynamo = DynamoDbLocal.Client();
        _s3 = _s3rver.Client();
        var prefix = $"t{Guid.NewGuid():N}"[..12];
        _settings = TestSettings.StreamProcessor(prefix);
        await DynamoDbLocal.CreateTables(_dynamo, prefix);
        await _s3.PutBucketAsync(_settings.QuarantineBucket);
    }

    [TearDown]
    public void DisposeClients()
    {
        _dynamo.Dispose();
        _s3.Dispose();
    }

    private sealed record Harness(Function Function, RecordingSqs Sqs, ScriptedS3 S3, ConditionalS3 Conditional, ThrottlingDynamo Dynamo, CapturedOutput Log);

    // The function on the fixture's tables, with the fixture's settings unless others are given (e.g. another MaxConcurrency).
    private Harness NewFunction(Settings? settings = null)
    {
        var (sqs, fake) = RecordingSqs.Create();
        var (conditional, control) = ConditionalS3.Wrap(_s3);
        var (s3, scripted) = ScriptedS3.Wrap(conditional);
        var (dynamo, throttle) = ThrottlingDynamo.Wrap(_dynamo);
        var log = new CapturedOutput();
        return new Harness(new Function(settings ?? _settings, dynamo, sqs, s3, log, new FixedClock(Now)), fake, scripted, control, throttle, log);
    }

    private static JsonObject Tx(string id, string user, decimal amount = 50m, string mcc = "5411", int minutesAgo = 30) => new()
    {
        ["transactionId"] = id,
        ["userId"] = user,
        ["amount"] = amount,
        ["currency"] = "EUR",
        ["merchantId"] = "m-1",
        ["merchantCategory"] = mcc,
        ["country"] = "DE",
        ["timestamp"] = Now.AddMinutes(-minutesAgo).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
    };

    private static string Seq(int i) => $"4959{i:D12}";

    private static KinesisEventRecord Record(int i, byte[] data) => new()
    {
        EventSourceArn = StreamArn,
        EventId = $"shardId-000000000003:{Seq(i)}",
        Kinesis = new KinesisData
        {
            SequenceNumber = Seq(i),
            PartitionKey = $"pk-{i}",
            Data = Convert.ToBase64String(data),
            ApproximateArrivalTimestamp = Now.AddMinutes(-1).ToUnixTimeMilliseconds() / 1000.0,
        },
    };

    private static KinesisEventRecord Record(int i, JsonNode json) => Record(i, Encoding.UTF8.GetBytes(json.ToJsonString()));

    private static KinesisEventRecord Record(int i, string rawJson) => Record(i, Encoding.UTF8.GetBytes(rawJson));

    private static KinesisEvent Batch(IEnumerable<KinesisEventRecord> records) => new() { Records = records.ToList() };

    // The redelivery of the mapping: from the lowest reported sequence number on.
    private static KinesisEvent From(KinesisEvent batch, BatchResponse response)
    {
        var from = response.BatchItemFailures.Select(f => f.ItemIdentifier).Min(StringComparer.Ordinal)!;
        return Batch(batch.Records.Where(r => string.CompareOrdinal(r.Kinesis.SequenceNumber, from) >= 0));
    }

    private static JsonObject Mapping()
    {
        var stack = SynthesizedStack.LoadOrIgnore();
        return SynthesizedStack.Resource(stack, "aws_lambda_event_source_mapping", "/transactions-to-stream-processor/this");
    }

    private async Task<List<string>> StoredIds(string table)
    {
        var ids = new List<string>();
        Dictionary<string, AttributeValue>? start = null;
        do
        {
            var r = await _dynamo.ScanAsync(new ScanRequest { TableName = table, ExclusiveStartKey = start, ConsistentRead = true });
            ids.AddRange(r.Items.Select(i => i["transactionId"].S));
            start = r.LastEvaluatedKey is { Count: > 0 } k ? k : null;
        }
        while (start is not null);

        return ids;
    }

    private async Task<Dictionary<string, AttributeValue>?> Profile(string user)
    {
        var r = await _dynamo.GetItemAsync(new GetItemRequest
        {
            TableName = _settings.UserProfilesTable,
            Key = new Dictionary<string, AttributeValue> { ["userId"] = new() { S = user } },
            ConsistentRead = true,
        });
        return r.Item is { Count: > 0 } ? r.Item : null;
    }

    private static List<QuarantineMessage> Quarantined(RecordingSqs sqs) =>
        sqs.Sent.Select(m => System.Text.Json.JsonSerializer.Deserialize<QuarantineMessage>(m.MessageBody)!).ToList();

    private static double MetricSum(CapturedOutput log, string metric) =>
        log.ToString().Split('\n').Where(l => l.Contains($"\"{metric}\"", StringComparison.Ordinal) && l.Contains("\"_aws\"", StringComparison.Ordinal))
            .Select(l => JsonNode.Parse(l)!).Where(n => n[PlatformMetrics.ReasonDimension] is null)
            .Sum(n => n[metric]!.GetValue<double>());

    private async Task PutPattern(string id, Dictionary<string, AttributeValue> attributes)
    {
        var item = new Dictionary<string, AttributeValue>
        {
            ["patternId"] = new() { S = id },
            ["version"] = new() { N = "1" },
            ["activeStatus"] = new() { S = "ACTIVE" },
            ["description"] = new() { S = id },
        };
        foreach (var (k, v) in attributes)
        {
            item[k] = v;
        }

        await _dynamo.PutItemAsync(new PutItemRequest { TableName = _settings.PatternsTable, Item = item });
    }

    [Test]
    public async Task PoisonRecordsAndCorruptRows_AmongGoodRecordsOfOtherUsers_GoodStoredOnce_PoisonQuarantinedOnce_NothingRetried()
    {
        // Corrupt stored rows: a profile without counters and with a set of the wrong type; patterns without a usable
        // weight, or with a condition of the wrong type (read as "any", it would match everything); one sound pattern.
        await _dynamo.PutItemAsync(new PutItemRequest
        {
            TableName = _settings.UserProfilesTable,
            Item = new Dictionary<string, AttributeValue>
            {
                ["userId"] = new() { S = "u-corrupt" },
                ["profileVersion"] = new() { N = "3" },
                ["countries"] = new() { S = "FR" },
                ["flagged"] = new() { BOOL = true },
            },
        });
        await PutPattern("no-weight", new() { ["merchantCategories"] = new() { SS = ["5411"] } });
        await PutPattern("text-weight", new() { ["weight"] = new() { S = "0.9" } });
        await PutPattern("bad-condition", new() { ["weight"] = new() { N = "0.9" }, ["countries"] = new() { S = "DE" } });
        await PutPattern("quasi-cash", new() { ["weight"] = new() { N = "0.6" }, ["merchantCategories"] = new() { SS = ["6051"] } });

        var batchSize = Mapping()["batch_size"]!.GetValue<int>();
        var poison = new Dictionary<int, (string Raw, string Reason)>
        {
            [3] = ("{\"transactionId\": \"tx-broken\", ", "NotJson"),
            [11] = (Tx("tx-unknown", "u-1").Also(o => o["cashback"] = 5).ToJsonString(), "UnknownField"),
            [19] = (Tx("tx-year1", "u-2").Also(o => o["timestamp"] = "0001-01-01T00:00:00Z").ToJsonString(), "InvalidValue"),
            [27] = (Tx("tx-year9999", "u-3").Also(o => o["timestamp"] = "9999-12-31T23:59:59Z").ToJsonString(), "InvalidValue"),
            [35] = (Tx("tx-offset", "u-4").Also(o => o["timestamp"] = "0001-01-01T00:00:00+05:00").ToJsonString(), "InvalidValue"),
            [43] = (Tx("tx-overflow", "u-5").ToJsonString().Replace("\"amount\":50", "\"amount\":1e400", StringComparison.Ordinal), "InvalidValue"),
        };
        var records = new List<KinesisEventRecord>();
        var good = new List<string>();
        for (var i = 0; i < batchSize; i++)
        {
            if (poison.TryGetValue(i, out var p))
            {
                records.Add(Record(i, p.Raw));
                continue;
            }

            var user = i % 10 == 0 ? "u-corrupt" : $"u-{i % 7}";
            var id = $"tx-{i:D3}";
            good.Add(id);
            records.Add(Record(i, Tx(id, user, mcc: i == 50 ? "6051" : "5411", minutesAgo: 200 - i)));
        }

        var h = NewFunction();
        var response = await h.Function.Process(Batch(records), CancellationToken.None);

        var quarantined = Quarantined(h.Sqs);
        var stored = await StoredIds(_settings.TransactionsTable);
        var decisions = await StoredIds(_settings.DecisionsTable);
        var corrupt = await Profile("u-corrupt");
        Assert.Multiple(() =>
        {
            Assert.That(response.BatchItemFailures, Is.Empty, h.Log.ToString());
            Assert.That(stored, Is.EquivalentTo(good), "every good record stored exactly once");
            Assert.That(decisions, Is.EquivalentTo(good));
            Assert.That(quarantined.Select(q => q.SequenceNumber), Is.EqualTo(poison.Keys.Order().Select(Seq)), "each poison record quarantined once, in order");
            Assert.That(quarantined.Select(q => q.Reason), Is.EqualTo(poison.OrderBy(p => p.Key).Select(p => p.Value.Reason)));
            Assert.That(quarantined.Select(q => Encoding.UTF8.GetString(Convert.FromBase64String(q.Data!))),
                Is.EqualTo(poison.OrderBy(p => p.Key).Select(p => p.Value.Raw)), "whole, inline");
            Assert.That(quarantined, Has.All.Matches<QuarantineMessage>(q => q.ShardId == "shardId-000000000003" && q.PartitionKey!.StartsWith("pk-", StringComparison.Ordinal)
                && q.EventSourceArn == StreamArn && q.ApproximateArrivalTime is not null && q.Object is null));
            Assert.That(stored.Count + quarantined.Count, Is.EqualTo(batchSize), "every record ends in exactly one place");
        });
        Assert.Multiple(() =>
        {
            var corruptRecords = records.Count(r => r.Kinesis.PartitionKey is { } pk && int.Parse(pk[3..], CultureInfo.InvariantCulture) % 10 == 0
                && !poison.ContainsKey(int.Parse(pk[3..], CultureInfo.InvariantCulture)));
            // tx-050 (quasi-cash, the sound pattern) is u-corrupt's too and is DECLINEd: the profile does not learn it.
            Assert.That(corrupt!["txCount"].N, Is.EqualTo((corruptRecords - 1).ToString(CultureInfo.InvariantCulture)), "a profile without counters is a new profile; it learns the approved ones");
            Assert.That(corrupt["profileVersion"].N, Is.EqualTo((3 + corruptRecords).ToString(CultureInfo.InvariantCulture)), "updated from the stored version by every save, the DECLINE included");
            Assert.That(corrupt["countries"].SS, Is.EquivalentTo(new[] { "DE" }), "the set of the wrong type is rewritten as a set");
            Assert.That(corrupt["flagged"].BOOL, Is.True, "attributes the processor does not own are kept");
            Assert.That(MetricSum(h.Log, PlatformMetrics.CorruptStoredRows), Is.EqualTo(4), "one profile and three patterns");
            Assert.That(MetricSum(h.Log, PlatformMetrics.RecordsRejected), Is.EqualTo(poison.Count));
            Assert.That(MetricSum(h.Log, PlatformMetrics.RecordsRetried), Is.Zero);
        });
        var d50 = (await _dynamo.GetItemAsync(_settings.DecisionsTable, new Dictionary<string, AttributeValue>
        {
            ["transactionId"] = new() { S = "tx-050" },
            ["decisionKey"] = new() { S = "AUTOMATED" },
        })).Item;
        var d51 = (await _dynamo.GetItemAsync(_settings.DecisionsTable, new Dictionary<string, AttributeValue>
        {
            ["transactionId"] = new() { S = "tx-051" },
            ["decisionKey"] = new() { S = "AUTOMATED" },
        })).Item;
        Assert.That(d50["reasons"].L.Select(r => r.M["rule"].S), Does.Contain("PATTERN:quasi-cash"), "the sound pattern still applies");
        Assert.That(d51["reasons"].L.Select(r => r.M["rule"].S), Has.None.StartsWith("PATTERN:"), "no corrupt pattern matched (a grocery purchase)");
        Assert.That(h.Log.ToString(), Does.Contain("corrupt stored row handled as data").And.Contains("weight: missing").And.Contains("countries: not a string set (S)"));
    }

    [Test]
    public async Task PermanentWriteFailureOfOneRecord_IsQuarantinedWithItsReason_TheBatchGoesOn()
    {
        var h = NewFunction();
        h.Dynamo.FailWritesOf = "u-bad";
        h.Dynamo.WriteFailure = new AmazonDynamoDBException("One or more parameter values were invalid") { ErrorCode = "ValidationException", StatusCode = System.Net.HttpStatusCode.BadRequest };
        var records = new[] { Record(1, Tx("tx-1", "u-1")), Record(2, Tx("tx-2", "u-bad")), Record(3, Tx("tx-3", "u-2")) };

        var response = await h.Function.Process(Batch(records), CancellationToken.None);

        var q = Quarantined(h.Sqs).Single();
        Assert.Multiple(async () =>
        {
            Assert.That(response.BatchItemFailures, Is.Empty);
            Assert.That(await StoredIds(_settings.TransactionsTable), Is.EquivalentTo(new[] { "tx-1", "tx-3" }));
            Assert.That(q.Reason, Is.EqualTo(nameof(RejectReason.Unprocessable)));
            Assert.That(q.Detail, Does.Contain("ValidationException"));
            Assert.That(q.Data, Is.EqualTo(records[1].Kinesis.Data));
        });
    }

    [Test]
    public async Task RecordOf1MiB_GoesToTheQuarantineBucket_TheQueueCarriesAPointer_AndARetryWritesItOnce()
    {
        // A Kinesis record's data can be 1 MiB (1,048,576 bytes); base64 makes it 1.33 MiB, over SQS's 256 KiB.
        var data = new byte[1024 * 1024];
        new Random(14).NextBytes(data);
        var big = Record(7, data);
        var small = Record(8, new byte[100 * 1024]);
        var h = NewFunction();
        h.Sqs.FailWith = new Amazon.SQS.AmazonSQSException("Service Unavailable") { ErrorCode = "ServiceUnavailable", StatusCode = System.Net.HttpStatusCode.ServiceUnavailable };
        h.Sqs.FailCount = 1;

        var first = await h.Function.Process(Batch([big, small]), CancellationToken.None);
        var retry = await h.Function.Process(From(Batch([big, small]), first), CancellationToken.None);

        var messages = Quarantined(h.Sqs);
        Assert.Multiple(() =>
        {
            Assert.That(first.BatchItemFailures.Select(f => f.ItemIdentifier), Is.EqualTo(new[] { big.Kinesis.SequenceNumber }), "the message failed after the object was written");
            Assert.That(retry.BatchItemFailures, Is.Empty);
            Assert.That(messages.Select(m => m.SequenceNumber), Is.EqualTo(new[] { big.Kinesis.SequenceNumber, small.Kinesis.SequenceNumber }), "each once");
            Assert.That(h.Sqs.Refused, Is.Empty, "no message over the queue's limit was even tried");
            Assert.That(h.Sqs.Sent.Select(m => Quarantine.Size(m)), Has.All.LessThanOrEqualTo(262_144));
            Assert.That(h.Conditional.Written.Count, Is.EqualTo(1), "written once");
            Assert.That(h.Conditional.Refused.Count, Is.EqualTo(1), "the retry found it written (If-None-Match)");
        });
        var pointer = messages[0];
        Assert.That(pointer.Data, Is.Null);
        Assert.That(pointer.Object, Is.Not.Null);
        Assert.That(pointer.Reason, Is.EqualTo(nameof(RejectReason.TooLarge)));
        Assert.That(pointer.Object!.Bucket, Is.EqualTo(_settings.QuarantineBucket));
        Assert.That(pointer.Object.Key, Does.StartWith(Quarantine.Prefix));
        Assert.That(pointer.Object.Size, Is.EqualTo(data.Length));
        Assert.That(pointer.Object.Sha256, Is.EqualTo(Convert.ToHexStringLower(SHA256.HashData(data))));
        Assert.That(pointer.ShardId, Is.EqualTo("shardId-000000000003"));
        Assert.That(pointer.PartitionKey, Is.EqualTo("pk-7"));
        using var stored = await _s3.GetObjectAsync(pointer.Object.Bucket, pointer.Object.Key);
        using var bytes = new MemoryStream();
        await stored.ResponseStream.CopyToAsync(bytes);
        Assert.That(bytes.ToArray(), Is.EqualTo(data), "the stored object is the record");
        Assert.That(messages[1].Data, Is.EqualTo(small.Kinesis.Data), "a 100 KiB record fits inline");
    }

    [Test]
    public async Task RecordJustOverTheInlineLimit_IsNotStuck()
    {
        // The issue: "a quarantine message that embeds a large record (over ~190 KB of data) fails to send". 192 KiB of
        // data is 256 KiB in base64: with the envelope, over the limit by a few hundred bytes.
        var data = Enumerable.Repeat((byte)'x', 192 * 1024).ToArray();
        var h = NewFunction();

        var response = await h.Function.Process(Batch([Record(1, data), Record(2, Tx("tx-after", "u-1"))]), CancellationToken.None);

        Assert.That(response.BatchItemFailures, Is.Empty);
        Assert.That(Quarantined(h.Sqs).Single().Object!.Size, Is.EqualTo(data.Length));
        Assert.That(await StoredIds(_settings.TransactionsTable), Is.EqualTo(new[] { "tx-after" }));
    }

    [Test]
    public async Task ThrottledWriteOfOneUser_ReportsExactlyThatRecord_AndTheRedeliveryStoresTheRestOnce()
    {
        var users = new[] { "u-a", "u-b", "u-c", "u-d" };
        var records = Enumerable.Range(0, 12).Select(i => Record(i, Tx($"tx-{i:D2}", users[i % 4], minutesAgo: 60 - i))).ToArray();
        var h = NewFunction();
        h.Dynamo.ThrottleUser = "u-c";
        h.Dynamo.ThrottleUserWrites = 2; // u-c's partition refuses the batch's two calls that touch it: all four users' records together, then u-c's alone

        var first = await h.Function.Process(Batch(records), CancellationToken.None);
        var afterFirst = await StoredIds(_settings.TransactionsTable);

        // tx-02 is u-c's first record: it fails; those before it are stored, u-c's later records wait (order), and the
        // records of other users after it are stored (they come again and are skipped): the other users, saved together
        // with u-c at first, were tried without u-c.
        Assert.That(first.BatchItemFailures.Select(f => f.ItemIdentifier), Is.EqualTo(new[] { records[2].Kinesis.SequenceNumber }));
        Assert.That(afterFirst, Does.Contain("tx-00").And.Contain("tx-01"));
        Assert.That(afterFirst, Has.None.Matches<string>(id => int.Parse(id[3..], CultureInfo.InvariantCulture) % 4 == 2), "none of u-c's");
        Assert.That(afterFirst, Has.Count.EqualTo(9));
        Assert.That(h.Sqs.Sent, Is.Empty, "a transient failure is not quarantined");

        h.Log.Clear();
        var redelivery = From(Batch(records), first);
        var second = await h.Function.Process(redelivery, CancellationToken.None);

        Assert.That(redelivery.Records, Has.Count.EqualTo(10), "from the failed record on");
        Assert.That(second.BatchItemFailures, Is.Empty);
        var stored = await StoredIds(_settings.TransactionsTable);
        Assert.That(stored, Is.EquivalentTo(records.Select((_, i) => $"tx-{i:D2}")), "every record stored exactly once");
        Assert.That(MetricSum(h.Log, PlatformMetrics.DuplicatesSkipped), Is.EqualTo(7), "the other users' records after the failure");
        Assert.That((await Profile("u-c"))!["txCount"].N, Is.EqualTo("3"));
        Assert.That((await Profile("u-a"))!["txCount"].N, Is.EqualTo("3"), "not double-counted");
    }

    [Test]
    public async Task FailedReadOfOneUsersHistory_BlamesThatUsersFirstRecord_NotTheFirstRecordOfTheBatch()
    {
        var records = new[] { Record(1, Tx("tx-1", "u-a")), Record(2, Tx("tx-2", "u-b")), Record(3, Tx("tx-3", "u-c")), Record(4, Tx("tx-4", "u-b", minutesAgo: 10)) };
        var h = NewFunction();
        h.Dynamo.ThrottleQueriesOf = "u-b";
        h.Dynamo.ThrottleUserQueries = 1;

        var first = await h.Function.Process(Batch(records), CancellationToken.None);

        Assert.That(first.BatchItemFailures.Select(f => f.ItemIdentifier), Is.EqualTo(new[] { records[1].Kinesis.SequenceNumber }));
        Assert.That(await StoredIds(_settings.TransactionsTable), Is.EquivalentTo(new[] { "tx-1", "tx-3" }));

        var second = await h.Function.Process(From(Batch(records), first), CancellationToken.None);

        Assert.That(second.BatchItemFailures, Is.Empty);
        Assert.That(await StoredIds(_settings.TransactionsTable), Is.EquivalentTo(new[] { "tx-1", "tx-2", "tx-3", "tx-4" }));
    }

    [Test]
    public async Task BatchReads_HistoriesAreReadAlongsideTheProfilesAndIds_NotAfterThem()
    {
        // Every BatchGetItem (ids, profiles) waits until a history Query has started: the batch completes only when the
        // reads run at once (a batch's reads then take the longest of them, not two rounds).
        var records = new[] { Record(1, Tx("tx-1", "u-a")), Record(2, Tx("tx-2", "u-b")), Record(3, Tx("tx-3", "u-a", minutesAgo: 20)) };
        var h = NewFunction();
        h.Dynamo.BatchGetsWaitForTheHistoryOf = "*";

        var response = await h.Function.Process(Batch(records), CancellationToken.None);

        Assert.That(response.BatchItemFailures, Is.Empty);
        Assert.That(await StoredIds(_settings.TransactionsTable), Is.EquivalentTo(new[] { "tx-1", "tx-2", "tx-3" }));
    }

    [Test]
    public async Task FailedReadOfTheProfiles_AndOfAHistory_TheProfilesFailureIsTheOneNamed_AndNothingIsSaved()
    {
        var records = new[] { Record(1, Tx("tx-1", "u-a")), Record(2, Tx("tx-2", "u-b")) };
        var h = NewFunction();
        h.Dynamo.FailBatchGetsOn = _settings.UserProfilesTable;
        h.Dynamo.BatchGetFailure = new AmazonDynamoDBException("denied") { ErrorCode = "AccessDeniedException", StatusCode = System.Net.HttpStatusCode.BadRequest };
        h.Dynamo.ThrottleQueriesOf = "u-a";
        h.Dynamo.ThrottleUserQueries = 1;
        h.Dynamo.BatchGetsWaitForTheHistoryOf = "u-a"; // u-a's history read is under way when the profiles' read fails

        var first = await h.Function.Process(Batch(records), CancellationToken.None);

        Assert.That(first.BatchItemFailures.Select(f => f.ItemIdentifier), Is.EqualTo(new[] { records[0].Kinesis.SequenceNumber }));
        Assert.That(h.Dynamo.ThrottleUserQueries, Is.Zero, "u-a's history was read, and failed, alongside the failed profiles");
        Assert.That(await StoredIds(_settings.TransactionsTable), Is.Empty, "no record is saved without its user's profile");
        Assert.That(h.Log.Lines.Where(l => l.Contains("\"record failed", StringComparison.Ordinal)).ToList(),
            Has.Some.Contains("AccessDeniedException").And.None.Contains("ProvisionedThroughputExceededException"),
            "both of u-a's reads failed: the profile's failure is the one named, whichever read failed first");

        h.Dynamo.FailBatchGetsOn = null;
        h.Dynamo.ThrottleQueriesOf = null;
        h.Dynamo.BatchGetsWaitForTheHistoryOf = null;
        var second = await h.Function.Process(From(Batch(records), first), CancellationToken.None);

        Assert.That(second.BatchItemFailures, Is.Empty);
        Assert.That(await StoredIds(_settings.TransactionsTable), Is.EquivalentTo(new[] { "tx-1", "tx-2" }));
    }

    [Test]
    public async Task AUserWhoseProfileReadHasFailed_IsNotQueriedForItsHistory()
    {
        var records = new[] { Record(1, Tx("tx-1", "u-a")) };
        var h = NewFunction();
        h.Dynamo.FailBatchGetsOn = _settings.UserProfilesTable;
        h.Dynamo.BatchGetFailure = new AmazonDynamoDBException("denied") { ErrorCode = "AccessDeniedException", StatusCode = System.Net.HttpStatusCode.BadRequest };
        h.Dynamo.ThrottleQueriesOf = "u-a"; // counts u-a's history queries: the first would fail and use it up
        h.Dynamo.ThrottleUserQueries = 1;

        var response = await h.Function.Process(Batch(records), CancellationToken.None);

        Assert.That(response.BatchItemFailures.Select(f => f.ItemIdentifier), Is.EqualTo(new[] { records[0].Kinesis.SequenceNumber }));
        Assert.That(h.Dynamo.ThrottleUserQueries, Is.EqualTo(1), "the profiles' read failed before u-a's turn: its history is not read for nothing");
    }

    [Test]
    public async Task TransientQuarantineFailures_AreRetried_NeverLost()
    {
        var poison = Record(2, "not json");
        var big = Record(4, new byte[300 * 1024]);
        var records = new[] { Record(1, Tx("tx-1", "u-a")), poison, Record(3, Tx("tx-3", "u-b")), big, Record(5, Tx("tx-5", "u-c")) };
        var h = NewFunction();
        h.Sqs.FailWith = new Amazon.SQS.AmazonSQSException("Rate exceeded") { ErrorCode = "ThrottlingException", StatusCode = System.Net.HttpStatusCode.BadRequest };
        h.Sqs.FailCount = 1;
        h.S3.FailPutsWith = ScriptedS3.SlowDown();
        h.S3.FailCount = 1;

        var first = await h.Function.Process(Batch(records), CancellationToken.None);
        Assert.That(first.BatchItemFailures.Select(f => f.ItemIdentifier), Is.EqualTo(new[] { poison.Kinesis.SequenceNumber }));
        Assert.That(h.Sqs.Sent, Is.Empty, "nothing quarantined after the first failure (a quarantine cannot be recognised as a duplicate)");

        var second = await h.Function.Process(From(Batch(records), first), CancellationToken.None);
        Assert.That(second.BatchItemFailures.Select(f => f.ItemIdentifier), Is.EqualTo(new[] { big.Kinesis.SequenceNumber }), "the S3 put was throttled");

        var third = await h.Function.Process(From(Batch(records), second), CancellationToken.None);
        Assert.That(third.BatchItemFailures, Is.Empty);
        Assert.That(Quarantined(h.Sqs).Select(q => q.SequenceNumber), Is.EqualTo(new[] { poison.Kinesis.SequenceNumber, big.Kinesis.SequenceNumber }), "each once");
        Assert.That(await StoredIds(_settings.TransactionsTable), Is.EquivalentTo(new[] { "tx-1", "tx-3", "tx-5" }));
    }

    [Test]
    public async Task QuarantineRefusedByS3AndSqs_TheRecordIsRetriedUntilTheMappingSendsItToItsOnFailureDestination()
    {
        var mapping = Mapping();
        Assert.That(mapping["destination_config"]?["on_failure"]?["destination_arn"]?.GetValue<string>(), Is.Not.Null.And.Not.Empty,
            "the mapping has an on-failure destination: where a record that cannot be quarantined ends");
        Assert.That(mapping["function_response_types"]!.AsArray().Select(n => n!.GetValue<string>()), Does.Contain("ReportBatchItemFailures"));
        var retries = mapping["maximum_retry_attempts"]!.GetValue<int>();
        var tries = retries >= 0 ? retries + 1 : 10;
        var big = Record(2, new byte[400 * 1024]);
        var records = new[] { Record(1, Tx("tx-1", "u-a")), big, Record(3, Tx("tx-3", "u-b")) };
        var h = NewFunction();
        h.S3.FailPutsWith = ScriptedS3.AccessDenied();
        h.Sqs.FailWith = new Amazon.SQS.AmazonSQSException("Access to the resource is denied") { ErrorCode = "AccessDenied", StatusCode = System.Net.HttpStatusCode.Forbidden };

        var batch = Batch(records);
        for (var i = 0; i < tries; i++)
        {
            var response = await h.Function.Process(batch, CancellationToken.None);
            Assert.That(response.BatchItemFailures.Select(f => f.ItemIdentifier), Is.EqualTo(new[] { big.Kinesis.SequenceNumber }), $"try {i + 1}: reported, never acknowledged");
            batch = From(batch, response);
        }

        Assert.That(h.Sqs.Sent, Is.Empty);
        Assert.That(await StoredIds(_settings.TransactionsTable), Is.EquivalentTo(new[] { "tx-1", "tx-3" }), "the other users' records are not held back");
    }

    [Test]
    public async Task ClientRequestToken_MakesAnSdkRetryOfACommittedSaveSucceed([Values] bool saveTogether)
    {
        var h = NewFunction(_settings with { SaveTogether = saveTogether });
        h.Dynamo.ReplayNextWrites = 1;

        var response = await h.Function.Process(Batch([Record(1, Tx("tx-1", "u-a")), Record(2, Tx("tx-2", "u-a", minutesAgo: 20))]), CancellationToken.None);

        var tokens = h.Dynamo.Tokens.ToList();
        Assert.Multiple(async () =>
        {
            Assert.That(response.BatchItemFailures, Is.Empty, h.Log.ToString());
            Assert.That(tokens, Has.Count.EqualTo(saveTogether ? 2 : 3), saveTogether ? "both records in one call, sent twice (the replay)" : "tx-1 twice (the replay), tx-2 once");
            Assert.That(tokens, Has.All.Not.Null.And.Length.InRange(1, 36));
            Assert.That(tokens[0], Is.EqualTo(tokens[1]), "the SDK's retry carries the same token");
            Assert.That(tokens.Distinct().Count(), Is.EqualTo(tokens.Count - 1), "only the retry repeats a token");
            Assert.That(MetricSum(h.Log, PlatformMetrics.TransactionsProcessed), Is.EqualTo(2), "the replayed save succeeded as a save, not a duplicate");
            Assert.That(MetricSum(h.Log, PlatformMetrics.DuplicatesSkipped), Is.Zero);
            Assert.That((await Profile("u-a"))!["txCount"].N, Is.EqualTo("2"), "once each");
        });
    }
}

internal static class JsonObjectExtensions
{
    public static JsonObject Also(this JsonObject o, Action<JsonObject> change)
    {
        change(o);
        return o;
    }
}
