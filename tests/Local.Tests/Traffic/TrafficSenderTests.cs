using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Amazon.Runtime;
using FraudTf.Local.Tests.Streaming;
using FraudTf.Local.Traffic;
using FraudTf.Redrive;

namespace FraudTf.Local.Tests.Traffic;

/// <summary>
/// The sender follows the PutRecords contract (Amazon Kinesis Data Streams API Reference, "PutRecords"): at most 500
/// records and 5 MiB per request, failed entries re-sent (never dropped), and one user's records kept in order.
/// </summary>
public class TrafficSenderTests
{
    private static readonly DateTimeOffset Start = new(2026, 12, 2, 9, 0, 0, TimeSpan.Zero);

    private static IReadOnlyList<LabelledRecord> Records(int seed, double rate, double seconds) =>
        TrafficGenerator.Generate(new TrafficOptions { Seed = seed, RecordsPerSecond = rate, Duration = TimeSpan.FromSeconds(seconds), Start = Start }).Records;

    /// <summary>A stream that fails a share of entries (and some whole requests) and remembers what it wrote, per key.</summary>
    private sealed class FlakyKinesis(double entryFailureRate, int failEveryNthRequest) : IKinesisApi
    {
        private readonly Random _rng = new(11);
        private long _sequence;

        public List<(string Key, byte[] Data, string Sequence)> Written { get; } = [];

        public List<IReadOnlyList<(string PartitionKey, byte[] Data)>> Requests { get; } = [];

        public Task<PutRecordsResult> PutRecords(string streamName, IReadOnlyList<(string PartitionKey, byte[] Data)> records, CancellationToken ct)
        {
            Requests.Add(records);
            if (failEveryNthRequest > 0 && Requests.Count % failEveryNthRequest == 0)
            {
                throw new KinesisApiException("ProvisionedThroughputExceededException", "Rate exceeded for stream", HttpStatusCode.BadRequest);
            }

            var results = new List<PutRecordsEntryResult>();
            foreach (var (key, data) in records)
            {
                if (_rng.NextDouble() < entryFailureRate)
                {
                    results.Add(new PutRecordsEntryResult(null, null, _rng.NextDouble() < 0.5 ? "ProvisionedThroughputExceededException" : "InternalFailure", "Rate exceeded for shard"));
                }
                else
                {
                    var seq = (++_sequence).ToString("D20", System.Globalization.CultureInfo.InvariantCulture);
                    Written.Add((key, data, seq));
                    results.Add(new PutRecordsEntryResult(seq, "shardId-000000000000", null, null));
                }
            }

            return Task.FromResult(new PutRecordsResult(results));
        }

        public Task<string> PutRecord(string streamName, string partitionKey, byte[] data, CancellationToken ct) => throw new NotSupportedException();

        public Task<string> ShardIteratorAt(string streamName, string shardId, string sequenceNumber, CancellationToken ct) => throw new NotSupportedException();

        public Task<RecordsPage> GetRecords(string shardIterator, int limit, CancellationToken ct) => throw new NotSupportedException();
    }

    private static SendOptions Fast(double rate = 1_000_000) => new()
    {
        StreamName = "fraud-detection-transactions-dev",
        RecordsPerSecond = rate,
        BaseBackoff = TimeSpan.FromMilliseconds(1),
        MaxBackoff = TimeSpan.FromMilliseconds(4),
    };

    [Test]
    public async Task FailedEntriesAreResentUntilWrittenAndEachPartitionKeyKeepsItsOrder()
    {
        var records = Records(9, 100, 20);
        var kinesis = new FlakyKinesis(entryFailureRate: 0.3, failEveryNthRequest: 7);
        var sender = new TrafficSender(kinesis, new JumpingClock());
        var sent = await sender.Send(records, Fast(), null, CancellationToken.None);

        Assert.Multiple(() =>
        {
            Assert.That(kinesis.Written, Has.Count.EqualTo(records.Count), "every record written exactly once");
            Assert.That(sender.Progress.FailedEntries, Is.GreaterThan(100), "entries did fail");
            Assert.That(sender.Progress.FailedRequests, Is.GreaterThan(0), "whole requests did fail");
            Assert.That(sender.Progress.Sent, Is.EqualTo(records.Count));
            Assert.That(sent.Select(s => s.Index), Is.EqualTo(Enumerable.Range(0, records.Count)));
            Assert.That(sent.Max(s => s.Attempts), Is.GreaterThan(1));
            var bySequence = kinesis.Written.ToDictionary(w => w.Sequence);
            for (var i = 0; i < records.Count; i++)
            {
                Assert.That(bySequence[sent[i].SequenceNumber].Data, Is.SameAs(records[i].Data), "the sequence number is the record's");
            }

            foreach (var key in records.GroupBy(r => r.PartitionKey))
            {
                var expected = key.Select(r => Convert.ToBase64String(r.Data)).ToList();
                var written = kinesis.Written.Where(w => w.Key == key.Key).Select(w => Convert.ToBase64String(w.Data)).ToList();
                Assert.That(written, Is.EqualTo(expected), $"order of {key.Key}");
            }

            Assert.That(kinesis.Requests.All(r => r.Select(e => e.PartitionKey).Distinct().Count() == r.Count), Is.True, "one record per key per request");
        });
    }

    [Test]
    public async Task RequestsStayWithinFiveHundredRecordsAndFiveMebibytes()
    {
        var data = new byte[200 * 1024];
        var big = Enumerable.Range(0, 60).Select(i => new LabelledRecord($"u{i}", data, Scenarios.Legitimate, false, $"t{i}", RecordKind.Valid, Start));
        var many = Enumerable.Range(0, 1200).Select(i => new LabelledRecord($"k{i}", [1, 2, 3], Scenarios.Legitimate, false, $"s{i}", RecordKind.Valid, Start));
        var kinesis = new FlakyKinesis(0, 0);
        await new TrafficSender(kinesis, new JumpingClock()).Send([.. big, .. many], Fast(), null, CancellationToken.None);
        Assert.Multiple(() =>
        {
            Assert.That(kinesis.Requests.Max(r => r.Count), Is.LessThanOrEqualTo(500));
            Assert.That(kinesis.Requests.Max(r => r.Sum(e => e.Data.Length + Encoding.UTF8.GetByteCount(e.PartitionKey))), Is.LessThanOrEqualTo(5 * 1024 * 1024));
            Assert.That(kinesis.Requests.Count(r => r.Count == 500), Is.GreaterThan(0), "full batches are used");
            Assert.That(kinesis.Written, Has.Count.EqualTo(1260));
        });
    }

    [Test]
    public async Task SendingIsPacedToTheRate()
    {
        var records = Records(4, 200, 0.5);
        var progress = new List<SendProgress>();
        var clock = Stopwatch.StartNew();
        await new TrafficSender(new FlakyKinesis(0, 0), TimeProvider.System).Send(records, Fast(200), new SyncProgress(progress), CancellationToken.None);
        Assert.Multiple(() =>
        {
            Assert.That(clock.Elapsed, Is.GreaterThanOrEqualTo(TimeSpan.FromSeconds(0.45)), "the last of 100 records is due at 99/200 s");
            Assert.That(progress.Count, Is.GreaterThan(10), "many small requests, not one");
            Assert.That(progress[^1].Sent, Is.EqualTo(100));
        });
    }

    [Test]
    public void TheStreamIsTheOneTheStackProcessesTransactionsFrom()
    {
        var options = SendOptions.FromStack(Repo.Stack("dev"), 25);
        Assert.Multiple(() =>
        {
            Assert.That(options.StreamName, Is.EqualTo("fraud-detection-transactions-dev"));
            Assert.That(options.RecordsPerSecond, Is.EqualTo(25));
            Assert.That(options.MaxBatchRecords, Is.EqualTo(500));
        });
    }

    [Test]
    public void ANonTransientErrorStopsTheSendSayingWhatToFix()
    {
        var kinesis = new MissingStream();
        var e = Assert.ThrowsAsync<InvalidOperationException>(() => new TrafficSender(kinesis, TimeProvider.System).Send(Records(1, 10, 1), Fast(), null, CancellationToken.None));
        Assert.That(e!.Message, Does.Contain("ResourceNotFoundException").And.Contain("Fix:"));
    }

    [Test]
    public async Task TheDefaultPutRecordsPutsOneByOneAndReportsThrottledEntries()
    {
        IKinesisApi kinesis = new OneByOne();
        var result = await kinesis.PutRecords("s", [("a", [1]), ("b", [2]), ("c", [3])], CancellationToken.None);
        Assert.Multiple(() =>
        {
            Assert.That(result.Records.Select(r => r.SequenceNumber), Is.EqualTo(new[] { "1", null, "3" }));
            Assert.That(result.Records[1].ErrorCode, Is.EqualTo("ProvisionedThroughputExceededException"));
            Assert.That(result.FailedRecordCount, Is.EqualTo(1));
        });
    }

    [Test]
    public async Task KinesaliteHoldsWhatWasSentInOrderPerPartitionKey()
    {
        await using var engine = await Engine.Kinesalite();
        using var http = new HttpClient();
        var kinesis = new KinesisApi(http, new Uri(engine.Endpoint), "us-east-1",
            () => Task.FromResult(new ImmutableCredentials("AKIDTEST", "secret", null)), TimeProvider.System);
        const string Stream = "fraud-detection-transactions-dev";
        await kinesis.Invoke("CreateStream", new JsonObject { ["StreamName"] = Stream, ["ShardCount"] = 2 }, CancellationToken.None);
        JsonNode? shards = null;
        for (var i = 0; i < 50 && shards is null; i++)
        {
            var d = await kinesis.Invoke("DescribeStream", new JsonObject { ["StreamName"] = Stream }, CancellationToken.None);
            shards = d["StreamDescription"]?["StreamStatus"]?.GetValue<string>() == "ACTIVE" ? d["StreamDescription"]!["Shards"] : null;
            await Task.Delay(shards is null ? 100 : 0);
        }

        var records = Records(21, 300, 1);
        var sent = await new TrafficSender(kinesis, TimeProvider.System).Send(records, Fast() with { StreamName = Stream }, null, CancellationToken.None);

        var read = new List<StreamRecord>();
        foreach (var shard in shards!.AsArray())
        {
            var it = (await kinesis.Invoke("GetShardIterator", new JsonObject { ["StreamName"] = Stream, ["ShardId"] = shard!["ShardId"]!.GetValue<string>(), ["ShardIteratorType"] = "TRIM_HORIZON" },
                CancellationToken.None))["ShardIterator"]!.GetValue<string>();
            while (true)
            {
                var page = await kinesis.GetRecords(it, 1000, CancellationToken.None);
                read.AddRange(page.Records);
                if (page.Records.Count == 0 || page.NextShardIterator is null)
                {
                    break;
                }

                it = page.NextShardIterator;
            }
        }

        Assert.Multiple(() =>
        {
            Assert.That(read, Has.Count.EqualTo(records.Count));
            Assert.That(read.Select(r => r.SequenceNumber).Order(), Is.EqualTo(sent.Select(s => s.SequenceNumber).Order()));
            Assert.That(sent.Select(s => s.ShardId).Distinct().Count(), Is.EqualTo(2), "the user ids spread over both shards");
            var bySequence = read.ToDictionary(r => r.SequenceNumber);
            for (var i = 0; i < records.Count; i++)
            {
                Assert.That(bySequence[sent[i].SequenceNumber].Data, Is.EqualTo(records[i].Data));
                Assert.That(bySequence[sent[i].SequenceNumber].PartitionKey, Is.EqualTo(records[i].PartitionKey));
            }

            foreach (var key in records.GroupBy(r => r.PartitionKey))
            {
                Assert.That(read.Where(r => r.PartitionKey == key.Key).Select(r => Convert.ToBase64String(r.Data)),
                    Is.EqualTo(key.Select(r => Convert.ToBase64String(r.Data))), $"order of {key.Key}");
            }
        });
    }

    /// <summary>A clock that moves an hour at every reading: every record is due and every backoff over at once (no timing in the test).</summary>
    private sealed class JumpingClock : TimeProvider
    {
        private DateTimeOffset _now = Start;

        public override DateTimeOffset GetUtcNow() => _now = _now.AddHours(1);
    }

    private sealed class SyncProgress(List<SendProgress> into) : IProgress<SendProgress>
    {
        public void Report(SendProgress value) => into.Add(value);
    }

    private sealed class MissingStream : IKinesisApi
    {
        public Task<PutRecordsResult> PutRecords(string streamName, IReadOnlyList<(string PartitionKey, byte[] Data)> records, CancellationToken ct) =>
            throw new KinesisApiException("ResourceNotFoundException", "Stream fraud-detection-transactions-dev not found", HttpStatusCode.BadRequest);

        public Task<string> PutRecord(string streamName, string partitionKey, byte[] data, CancellationToken ct) => throw new NotSupportedException();

        public Task<string> ShardIteratorAt(string streamName, string shardId, string sequenceNumber, CancellationToken ct) => throw new NotSupportedException();

        public Task<RecordsPage> GetRecords(string shardIterator, int limit, CancellationToken ct) => throw new NotSupportedException();
    }

    /// <summary>Implements only PutRecord (throttling the second call), so PutRecords is the interface's default.</summary>
    private sealed class OneByOne : IKinesisApi
    {
        private int _calls;

        public Task<string> PutRecord(string streamName, string partitionKey, byte[] data, CancellationToken ct) =>
            ++_calls == 2
                ? throw new KinesisApiException("ProvisionedThroughputExceededException", "slow down", HttpStatusCode.BadRequest)
                : Task.FromResult(_calls.ToString(System.Globalization.CultureInfo.InvariantCulture));

        public Task<string> ShardIteratorAt(string streamName, string shardId, string sequenceNumber, CancellationToken ct) => throw new NotSupportedException();

        public Task<RecordsPage> GetRecords(string shardIterator, int limit, CancellationToken ct) => throw new NotSupportedException();
    }
}
