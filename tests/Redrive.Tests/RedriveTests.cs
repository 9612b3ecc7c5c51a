using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;

namespace FraudTf.Redrive.Tests;

/// <summary>
/// make redrive against real engines on 127.0.0.1: kinesalite (Kinesis API) and s3rver (S3), with the quarantine on a
/// local queue with SQS semantics. Failed batches are invocation records in the documented S3 shape (with payload) and
/// in the metadata-only shape (read back from the stream); quarantined records inline and as an S3 pointer.
/// </summary>
[NonParallelizable]
public class RedriveTests
{
    private const string Stream = "fraud-detection-transactions-dev";
    private const string Bucket = "fraud-detection-failed-batches-dev";
    private const string LargeBucket = "fraud-detection-quarantine-dev";

    private NodeEmulator _kinesalite = null!;
    private NodeEmulator _s3rver = null!;
    private HttpClient _http = null!;
    private KinesisApi _kinesis = null!;
    private AmazonS3Client _s3 = null!;

    [OneTimeSetUp]
    public async Task StartEngines()
    {
        _kinesalite = await NodeEmulator.Kinesalite();
        _s3rver = await NodeEmulator.S3rver();
        _http = new HttpClient();
        _kinesis = new KinesisApi(_http, new Uri(_kinesalite.Endpoint), "us-east-1",
            () => Task.FromResult(new ImmutableCredentials("AKIDTEST", "secret", null)), TimeProvider.System);
        _s3 = _s3rver.S3Client();
    }

    [OneTimeTearDown]
    public async Task StopEngines()
    {
        _s3.Dispose();
        _http.Dispose();
        await _kinesalite.DisposeAsync();
        await _s3rver.DisposeAsync();
    }

    /// <summary>A fresh stream and buckets per test (names suffixed), so tests do not see each other's records.</summary>
    private async Task<(string Stream, string Bucket, string Large)> Fresh()
    {
        var suffix = Guid.NewGuid().ToString("N")[..8];
        var (stream, bucket, large) = ($"{Stream}-{suffix}", $"{Bucket}-{suffix}", $"{LargeBucket}-{suffix}");
        await _kinesis.Invoke("CreateStream", new JsonObject { ["StreamName"] = stream, ["ShardCount"] = 1 }, CancellationToken.None);
        for (var i = 0; i < 50; i++)
        {
            var d = await _kinesis.Invoke("DescribeStream", new JsonObject { ["StreamName"] = stream }, CancellationToken.None);
            if (d["StreamDescription"]?["StreamStatus"]?.GetValue<string>() == "ACTIVE")
            {
                break;
            }

            await Task.Delay(100);
        }

        await _s3.PutBucketAsync(bucket);
        await _s3.PutBucketAsync(large);
        return (stream, bucket, large);
    }

    private async Task<List<StreamRecord>> ReadAll(string stream)
    {
        var d = await _kinesis.Invoke("DescribeStream", new JsonObject { ["StreamName"] = stream }, CancellationToken.None);
        var shard = d["StreamDescription"]!["Shards"]![0]!["ShardId"]!.GetValue<string>();
        var it = (await _kinesis.Invoke("GetShardIterator", new JsonObject { ["StreamName"] = stream, ["ShardId"] = shard, ["ShardIteratorType"] = "TRIM_HORIZON" },
            CancellationToken.None))["ShardIterator"]!.GetValue<string>();
        var all = new List<StreamRecord>();
        while (true)
        {
            var page = await _kinesis.GetRecords(it, 1000, CancellationToken.None);
            all.AddRange(page.Records);
            if (page.Records.Count == 0 || page.NextShardIterator is null)
            {
                return all;
            }

            it = page.NextShardIterator;
        }
    }

    private static byte[] Tx(string id) => Encoding.UTF8.GetBytes($$"""{"transactionId":"{{id}}","userId":"u-{{id}}","amount":12.5,"currency":"EUR"}""");

    /// <summary>The S3 invocation record Lambda writes for a discarded batch (documented example shape), with or without payload.</summary>
    private static string InvocationRecord(string stream, string shard, IReadOnlyList<StreamRecord> batch, bool withPayload, string condition = "RetryAttemptsExhausted")
    {
        var record = new JsonObject
        {
            ["requestContext"] = new JsonObject
            {
                ["requestId"] = Guid.NewGuid().ToString(), ["functionArn"] = "arn:aws:lambda:us-east-1:111111111111:function:fraud-detection-stream-processor-dev",
                ["condition"] = condition, ["approximateInvokeCount"] = 4,
            },
            ["responseContext"] = new JsonObject { ["statusCode"] = 200, ["executedVersion"] = "$LATEST", ["functionError"] = "Unhandled" },
            ["version"] = "1.0",
            ["timestamp"] = "2026-01-31T00:38:06.021Z",
            ["KinesisBatchInfo"] = new JsonObject
            {
                ["shardId"] = shard, ["startSequenceNumber"] = batch[0].SequenceNumber, ["endSequenceNumber"] = batch[^1].SequenceNumber,
                ["approximateArrivalOfFirstRecord"] = "2026-01-31T00:38:04.835Z", ["approximateArrivalOfLastRecord"] = "2026-01-31T00:38:05.580Z",
                ["batchSize"] = batch.Count, ["streamArn"] = $"arn:aws:kinesis:us-east-1:111111111111:stream/{stream}",
            },
        };
        if (withPayload)
        {
            record["payload"] = new JsonObject
            {
                ["Records"] = new JsonArray(batch.Select(r => (JsonNode?)new JsonObject
                {
                    ["kinesis"] = new JsonObject
                    {
                        ["kinesisSchemaVersion"] = "1.0", ["partitionKey"] = r.PartitionKey, ["sequenceNumber"] = r.SequenceNumber,
                        ["data"] = Convert.ToBase64String(r.Data), ["approximateArrivalTimestamp"] = 1769819884.835,
                    },
                    ["eventSource"] = "aws:kinesis", ["eventVersion"] = "1.0", ["eventID"] = $"{shard}:{r.SequenceNumber}",
                    ["eventName"] = "aws:kinesis:record", ["awsRegion"] = "us-east-1", ["eventSourceARN"] = $"arn:aws:kinesis:us-east-1:111111111111:stream/{stream}",
                }).ToArray()),
            }.ToJsonString();
        }

        return record.ToJsonString();
    }

    private static string Inline(string seq, string key, byte[] data, string reason = "malformed-record") => new JsonObject
    {
        ["source"] = "stream-processor", ["reason"] = reason, ["detail"] = "missing field", ["eventSourceArn"] = "arn:aws:kinesis:us-east-1:111111111111:stream/x",
        ["sequenceNumber"] = seq, ["partitionKey"] = key, ["data"] = Convert.ToBase64String(data),
    }.ToJsonString();

    private static string Pointer(string seq, string key, string bucket, string objectKey, string sha256, string reason = "corrupt-profile") => new JsonObject
    {
        ["source"] = "stream-processor", ["reason"] = reason, ["eventSourceArn"] = "arn:aws:kinesis:us-east-1:111111111111:stream/x",
        ["sequenceNumber"] = seq, ["partitionKey"] = key,
        ["dataLocation"] = new JsonObject { ["bucket"] = bucket, ["key"] = objectKey, ["sha256"] = sha256 },
    }.ToJsonString();

    private sealed record Scenario(string Stream, string Bucket, LocalQuarantineQueue Queue, List<StreamRecord> Originals, Dictionary<string, byte[]> Expected, string NotARecord, string BadSha);

    /// <summary>
    /// Five transactions on the stream; a discarded batch of the first two (S3 record with payload) and one of the third
    /// (metadata only: read back); a quarantined record inline, one of 1 MiB behind an S3 pointer, an alert-handler dead
    /// letter and a pointer whose bytes do not match its sha256.
    /// </summary>
    private async Task<Scenario> Arrange()
    {
        var (stream, bucket, large) = await Fresh();
        var originals = new List<StreamRecord>();
        for (var i = 1; i <= 5; i++)
        {
            var data = Tx($"t{i}");
            var seq = await _kinesis.PutRecord(stream, $"u-t{i}", data, CancellationToken.None);
            originals.Add(new StreamRecord(seq, $"u-t{i}", data));
        }

        const string shard = "shardId-000000000000";
        await _s3.PutObjectAsync(new PutObjectRequest { UseChunkEncoding = false, BucketName = bucket, Key = $"aws/lambda/esm-uuid/{shard}/2026/01/31/2026-01-31T00.38.06-a", ContentBody = InvocationRecord(stream, shard, originals[..2], true) });
        await _s3.PutObjectAsync(new PutObjectRequest { UseChunkEncoding = false, BucketName = bucket, Key = $"aws/lambda/esm-uuid/{shard}/2026/01/31/2026-01-31T00.39.00-b", ContentBody = InvocationRecord(stream, shard, originals[2..3], false, "RecordAgeExceeded") });

        var queue = new LocalQuarantineQueue(TimeProvider.System);
        // Quarantined records carry the sequence numbers they had on the stream (not on this test stream: any unique ones).
        queue.Send(Inline("49000000000000000000000000000000000000000000000000000001", "u-q1", Tx("q1")));
        var big = new byte[1024 * 1024];
        Tx("q2").CopyTo(big, 0);
        await _s3.PutObjectAsync(new PutObjectRequest { UseChunkEncoding = false, BucketName = large, Key = "quarantine/q2", InputStream = new MemoryStream(big) });
        queue.Send(Pointer("49000000000000000000000000000000000000000000000000000002", "u-q2", large, "quarantine/q2", Convert.ToHexStringLower(SHA256.HashData(big))));
        var notARecord = """{"source":"alert-handler","reason":"malformed-event","detail":"no detail"}""";
        queue.Send(notARecord);
        var badSha = Pointer("49000000000000000000000000000000000000000000000000000003", "u-q3", large, "quarantine/q2", new string('0', 64));
        queue.Send(badSha);

        var expected = new Dictionary<string, byte[]>
        {
            ["u-t1"] = originals[0].Data, ["u-t2"] = originals[1].Data, ["u-t3"] = originals[2].Data, ["u-q1"] = Tx("q1"), ["u-q2"] = big,
        };
        return new Scenario(stream, bucket, queue, originals, expected, notARecord, badSha);
    }

    private Redriver Redriver(Scenario s, bool dryRun = false, DateTimeOffset? from = null) =>
        new(_kinesis, new S3ObjectStore(_s3), s.Queue, new RedriveOptions(s.Stream, s.Bucket, from, dryRun), TimeProvider.System);

    [Test]
    public async Task EveryQuarantinedAndDiscardedRecordIsRepublishedOnceWithItsBytes()
    {
        var s = await Arrange();

        var report = await Redriver(s).Run(CancellationToken.None);

        var after = await ReadAll(s.Stream);
        var republished = after.Skip(s.Originals.Count).ToList();
        Assert.That(republished.Select(r => r.PartitionKey).Order(), Is.EqualTo(s.Expected.Keys.Order()), report.ToText());
        foreach (var r in republished)
        {
            Assert.That(r.Data, Is.EqualTo(s.Expected[r.PartitionKey]), $"bytes of {r.PartitionKey}");
        }

        Assert.That(report.RepublishedBySource, Is.EqualTo(new SortedDictionary<string, int> { ["failed-batch"] = 3, ["quarantine"] = 2 }));
        Assert.That(report.SeenByReason.Keys, Is.SupersetOf(new[] { "failed-batch: RetryAttemptsExhausted", "failed-batch: RecordAgeExceeded", "quarantine: malformed-record", "quarantine: corrupt-profile" }));
        // A marker per re-published record, named by its original sequence number, recording the new one.
        foreach (var original in s.Originals.Take(3))
        {
            var marker = await _s3.GetObjectAsync(s.Bucket, Redrive.Redriver.Marker(original.SequenceNumber));
            using var reader = new StreamReader(marker.ResponseStream);
            var json = JsonNode.Parse(await reader.ReadToEndAsync())!;
            Assert.That(republished.Select(r => r.SequenceNumber), Does.Contain(json["republishedSequenceNumber"]!.GetValue<string>()));
        }

        // Re-published quarantine messages are deleted; the others stay, visible, with the reason reported.
        Assert.That(s.Queue.Bodies, Is.EquivalentTo(new[] { s.NotARecord, s.BadSha }));
        Assert.That(s.Queue.VisibleBodies, Has.Count.EqualTo(2));
        Assert.That(report.Skipped.Select(k => k.Why), Has.Some.Contains("not a quarantined stream record").And.Some.Contains("sha256"));
    }

    [Test]
    public async Task ASecondRunRepublishesNothing()
    {
        var s = await Arrange();
        await Redriver(s).Run(CancellationToken.None);
        var count = (await ReadAll(s.Stream)).Count;

        var second = await Redriver(s).Run(CancellationToken.None);

        Assert.That(second.Republished, Is.Empty, second.ToText());
        Assert.That((await ReadAll(s.Stream)).Count, Is.EqualTo(count));
        Assert.That(second.Skipped.Count(k => k.Why.Contains("already re-published")), Is.EqualTo(3), second.ToText());
    }

    [Test]
    public async Task AQuarantineMessageWhoseRecordWasAlreadyRepublishedIsDeletedNotRepublished()
    {
        var s = await Arrange();
        await Redriver(s).Run(CancellationToken.None);
        var count = (await ReadAll(s.Stream)).Count;
        // The same record quarantined again (e.g. a delete that failed after the marker was written).
        s.Queue.Send(Inline("49000000000000000000000000000000000000000000000000000001", "u-q1", Tx("q1")));

        var again = await Redriver(s).Run(CancellationToken.None);

        Assert.That(again.Republished, Is.Empty);
        Assert.That((await ReadAll(s.Stream)).Count, Is.EqualTo(count));
        Assert.That(s.Queue.Bodies, Has.Count.EqualTo(2), "the duplicate is deleted, the two unrepublishable messages stay");
    }

    [Test]
    public async Task ADryRunReportsWhatWouldBeRepublishedAndChangesNothing()
    {
        var s = await Arrange();

        var report = await Redriver(s, dryRun: true).Run(CancellationToken.None);

        Assert.That(report.Republished, Has.Count.EqualTo(5), report.ToText());
        Assert.That(report.Republished.All(r => r.New is null));
        Assert.That((await ReadAll(s.Stream)).Count, Is.EqualTo(s.Originals.Count));
        var markers = await _s3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = s.Bucket, Prefix = RedriveOptions.MarkerPrefix });
        Assert.That(markers.S3Objects ?? [], Is.Empty);
        Assert.That(s.Queue.VisibleBodies, Has.Count.EqualTo(4), "a dry run leaves every message in the queue, visible");
        Assert.That(report.ToText(), Does.Contain("would re-publish: 5"));
    }

    [Test]
    public async Task FromSkipsWhatFailedBefore()
    {
        var s = await Arrange();

        var report = await Redriver(s, from: DateTimeOffset.UtcNow.AddHours(1)).Run(CancellationToken.None);

        Assert.That(report.Republished, Is.Empty);
        Assert.That(report.Skipped.Count(k => k.Why.Contains("before FROM")), Is.EqualTo(2 + 3), report.ToText());
        Assert.That(s.Queue.VisibleBodies, Has.Count.EqualTo(4));
    }

    [Test]
    public async Task ABatchWithoutPayloadWhoseRecordsLeftTheStreamIsReportedNotLost()
    {
        var s = await Arrange();
        // A metadata-only record for a shard the stream no longer has (its records are past retention).
        var gone = new List<StreamRecord> { new("49600000000000000000000000000000000000000000000000000001", "u-x", []) };
        await _s3.PutObjectAsync(new PutObjectRequest { UseChunkEncoding = false, BucketName = s.Bucket, Key = "aws/lambda/esm-uuid/shardId-000000000009/2026/01/01/2026-01-01T00.00.00-c",
            ContentBody = InvocationRecord(s.Stream, "shardId-000000000009", gone, false) });

        var report = await Redriver(s).Run(CancellationToken.None);

        Assert.That(report.Republished, Has.Count.EqualTo(5));
        var skipped = report.Skipped.Single(k => k.Item.Contains("shardId-000000000009"));
        Assert.That(skipped.Why, Does.Contain("retention").And.Contain("nothing re-published"));
    }
}
