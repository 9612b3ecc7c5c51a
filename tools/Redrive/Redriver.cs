using System.Text;

namespace FraudTf.Redrive;

/// <summary>Where the redrive reads and writes, for one environment.</summary>
/// <param name="StreamName">The transactions stream records are re-published into.</param>
/// <param name="FailedBatchesBucket">The event source mapping's on-failure bucket (invocation records and redrive markers).</param>
/// <param name="From">Only items written at or after this time (null: all).</param>
/// <param name="DryRun">Report what would be re-published; write, delete and re-publish nothing.</param>
public sealed record RedriveOptions(string StreamName, string FailedBatchesBucket, DateTimeOffset? From, bool DryRun)
{
    /// <summary>Prefix of the invocation records Lambda writes (fixed by Lambda).</summary>
    public const string FailedBatchPrefix = "aws/lambda/";

    /// <summary>Prefix of the redrive markers: one object per re-published stream record, named by its original sequence number.</summary>
    public const string MarkerPrefix = "redriven/records/";

    /// <summary>The environment's names, as the stack creates them: the transactions stream and the failed-batches bucket.</summary>
    public static RedriveOptions For(FraudTf.Config.EnvironmentConfig config, DateTimeOffset? from, bool dryRun) =>
        new(config.ResourceName("transactions"), config.ResourceName("failed-batches"), from, dryRun);

    /// <summary>The environment's quarantine queue (its dead-letter queue), as the stack names it.</summary>
    public static string QueueName(FraudTf.Config.EnvironmentConfig config) => config.ResourceName("dlq");

    /// <summary>How long a received quarantine message stays hidden while the run handles it.</summary>
    public static readonly TimeSpan Visibility = TimeSpan.FromMinutes(5);
}

/// <summary>
/// Re-publishes into the transactions stream (a) the records of the stream processor's quarantine and (b) the records of
/// the batches its event source mapping discarded to the failed-batches bucket, once the cause is fixed. Idempotent: every
/// re-published record gets a marker object <c>redriven/records/&lt;original sequence number&gt;</c>, and a record with a
/// marker is skipped, so a second run re-publishes nothing; quarantine messages are deleted once re-published (after the
/// marker). A crash between PutRecord and the marker re-publishes that record once more on the next run, which the stream
/// processor absorbs (it skips transactions it already stored). Order per item: PutRecord, marker, delete.
/// </summary>
public sealed class Redriver(IKinesisApi kinesis, IObjectStore s3, IQuarantineQueue? quarantine, RedriveOptions options, TimeProvider time)
{
    private readonly RedriveReport _report = new(options.DryRun);

    /// <summary>Runs the redrive and returns its report.</summary>
    public async Task<RedriveReport> Run(CancellationToken ct)
    {
        if (quarantine is not null)
        {
            await RedriveQuarantine(quarantine, ct);
        }

        await RedriveFailedBatches(ct);
        return _report;
    }

    private async Task RedriveQuarantine(IQuarantineQueue queue, CancellationToken ct)
    {
        // Received messages stay hidden for the run; those not re-published are made visible again at the end.
        var release = new List<QueueMessage>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        while (true)
        {
            var batch = await queue.Receive(RedriveOptions.Visibility, ct);
            // A message seen again (its visibility ran out during a long run) is not handled twice; none new: done.
            var fresh = batch.Where(m => seen.Add(m.Id)).ToList();
            if (fresh.Count == 0)
            {
                break;
            }

            foreach (var message in fresh)
            {
                var keep = await Quarantined(message, ct);
                if (keep)
                {
                    release.Add(message);
                }
                else
                {
                    await queue.Delete(message, ct);
                }
            }
        }

        foreach (var message in release)
        {
            await queue.Release(message, ct);
        }
    }

    // True: leave the message in the queue.
    private async Task<bool> Quarantined(QueueMessage message, CancellationToken ct)
    {
        var item = $"quarantine message {message.Id}";
        var (record, problem) = QuarantinedRecord.Parse(message.Body);
        if (record is null)
        {
            _report.Skip(RedriveReport.Quarantine, item, problem!);
            return true;
        }

        _report.Seen(RedriveReport.Quarantine, record.Reason);
        if (options.From is { } from && message.SentAt < from)
        {
            _report.Skip(RedriveReport.Quarantine, item, $"quarantined at {message.SentAt:O}, before FROM {from:O}");
            return true;
        }

        if (await s3.Exists(options.FailedBatchesBucket, Marker(record.SequenceNumber), ct))
        {
            _report.Skip(RedriveReport.Quarantine, item, $"record {record.SequenceNumber} was already re-published (marker {Marker(record.SequenceNumber)})");
            return options.DryRun;
        }

        var data = record.InlineData;
        if (record.Pointer is { } pointer)
        {
            data = await s3.Get(pointer.Bucket, pointer.Key, ct);
            if (data is null)
            {
                _report.Skip(RedriveReport.Quarantine, item, $"its record's bytes are gone (s3://{pointer.Bucket}/{pointer.Key} not found)");
                return true;
            }

            if (!pointer.Matches(data))
            {
                _report.Skip(RedriveReport.Quarantine, item, $"s3://{pointer.Bucket}/{pointer.Key} does not match the message's sha256: not re-published");
                return true;
            }
        }

        await Publish(RedriveReport.Quarantine, item, new StreamRecord(record.SequenceNumber, record.PartitionKey, data!), ct);
        return options.DryRun;
    }

    private async Task RedriveFailedBatches(CancellationToken ct)
    {
        await foreach (var stored in s3.List(options.FailedBatchesBucket, RedriveOptions.FailedBatchPrefix, ct))
        {
            var item = $"s3://{options.FailedBatchesBucket}/{stored.Key}";
            if (options.From is { } from && stored.LastModified < from)
            {
                _report.Skip(RedriveReport.FailedBatch, item, $"discarded at {stored.LastModified:O}, before FROM {from:O}");
                continue;
            }

            var bytes = await s3.Get(options.FailedBatchesBucket, stored.Key, ct);
            var (record, problem) = bytes is null ? (null, "deleted while the redrive ran") : InvocationRecord.Parse(bytes);
            if (record is null)
            {
                _report.Skip(RedriveReport.FailedBatch, item, problem!);
                continue;
            }

            _report.Seen(RedriveReport.FailedBatch, record.Condition);
            var records = record.PayloadRecords;
            if (records is null)
            {
                (records, problem) = await ReadBack(record.Batch, ct);
                if (problem is not null)
                {
                    _report.Skip(RedriveReport.FailedBatch, item, problem);
                }

                if (records is null)
                {
                    continue;
                }
            }

            foreach (var r in records)
            {
                var recordItem = $"{item} record {r.SequenceNumber}";
                if (await s3.Exists(options.FailedBatchesBucket, Marker(r.SequenceNumber), ct))
                {
                    _report.Skip(RedriveReport.FailedBatch, recordItem, $"already re-published (marker {Marker(r.SequenceNumber)})");
                    continue;
                }

                await Publish(RedriveReport.FailedBatch, recordItem, r, ct);
            }
        }
    }

    /// <summary>
    /// Reads a discarded batch's records back from its shard (GetShardIterator AT_SEQUENCE_NUMBER, then GetRecords up to the
    /// end sequence number): only possible while the stream still holds them (its retention).
    /// </summary>
    private async Task<(IReadOnlyList<StreamRecord>? Records, string? Problem)> ReadBack(BatchInfo batch, CancellationToken ct)
    {
        var records = new List<StreamRecord>();
        string? iterator;
        try
        {
            iterator = await kinesis.ShardIteratorAt(batch.StreamName, batch.ShardId, batch.StartSequenceNumber, ct);
        }
        catch (KinesisApiException e)
        {
            return (null, $"its payload is absent and its records can no longer be read from {batch.StreamName} {batch.ShardId} at {batch.StartSequenceNumber} " +
                $"({e.Type}: past the stream's retention, or the stream is gone): nothing re-published");
        }

        var empty = 0;
        while (iterator is not null && empty < 5)
        {
            var page = await kinesis.GetRecords(iterator, 1000, ct);
            var done = false;
            foreach (var r in page.Records)
            {
                if (SequenceNumbers.Compare(r.SequenceNumber, batch.EndSequenceNumber) > 0)
                {
                    done = true;
                    break;
                }

                records.Add(r);
            }

            if (done || (page.Records.Count == 0 && page.MillisBehindLatest == 0 && records.Count > 0))
            {
                break;
            }

            empty = page.Records.Count == 0 ? empty + 1 : 0;
            iterator = page.NextShardIterator;
        }

        if (records.Count == 0)
        {
            return (null, $"its payload is absent and {batch.StreamName} {batch.ShardId} no longer holds {batch.StartSequenceNumber}..{batch.EndSequenceNumber} (past retention): nothing re-published");
        }

        if (records[0].SequenceNumber != batch.StartSequenceNumber || (batch.BatchSize > 0 && records.Count < batch.BatchSize))
        {
            return (records, $"only {records.Count} of its {batch.BatchSize} records could be read back from {batch.StreamName} {batch.ShardId} " +
                $"(from {records[0].SequenceNumber}, expected {batch.StartSequenceNumber}): the rest passed the stream's retention");
        }

        return (records, null);
    }

    private async Task Publish(string source, string item, StreamRecord record, CancellationToken ct)
    {
        if (options.DryRun)
        {
            _report.Published(source, item, record.SequenceNumber, null);
            return;
        }

        var sequence = await kinesis.PutRecord(options.StreamName, record.PartitionKey, record.Data, ct);
        var marker = new JsonObject
        {
            ["originalSequenceNumber"] = record.SequenceNumber,
            ["republishedSequenceNumber"] = sequence,
            ["stream"] = options.StreamName,
            ["source"] = source,
            ["item"] = item,
            ["redrivenAt"] = time.GetUtcNow().ToString("O", System.Globalization.CultureInfo.InvariantCulture),
        };
        await s3.Put(options.FailedBatchesBucket, Marker(record.SequenceNumber), Encoding.UTF8.GetBytes(marker.ToJsonString()), ct);
        _report.Published(source, item, record.SequenceNumber, sequence);
    }

    /// <summary>The marker key of the stream record with original sequence number <paramref name="sequenceNumber"/>.</summary>
    public static string Marker(string sequenceNumber) => RedriveOptions.MarkerPrefix + sequenceNumber;
}

/// <summary>What a redrive did (or, in a dry run, would do): counts by source and reason, and every skipped item with why.</summary>
public sealed class RedriveReport(bool dryRun)
{
    /// <summary>Source name of quarantined records.</summary>
    public const string Quarantine = "quarantine";

    /// <summary>Source name of discarded batches.</summary>
    public const string FailedBatch = "failed-batch";

    /// <summary>True for a dry run.</summary>
    public bool DryRun { get; } = dryRun;

    /// <summary>Items seen per source and reason (quarantine reason, or the discard condition of a batch).</summary>
    public SortedDictionary<string, int> SeenByReason { get; } = new(StringComparer.Ordinal);

    /// <summary>Records re-published (or that would be, in a dry run) per source.</summary>
    public SortedDictionary<string, int> RepublishedBySource { get; } = new(StringComparer.Ordinal);

    /// <summary>Re-published records: item, original sequence number, new sequence number (null in a dry run).</summary>
    public List<(string Source, string Item, string Original, string? New)> Republished { get; } = [];

    /// <summary>Skipped items and why.</summary>
    public List<(string Source, string Item, string Why)> Skipped { get; } = [];

    internal void Seen(string source, string reason) => SeenByReason[$"{source}: {reason}"] = SeenByReason.GetValueOrDefault($"{source}: {reason}") + 1;

    internal void Skip(string source, string item, string why) => Skipped.Add((source, item, why));

    internal void Published(string source, string item, string original, string? republished)
    {
        RepublishedBySource[source] = RepublishedBySource.GetValueOrDefault(source) + 1;
        Republished.Add((source, item, original, republished));
    }

    /// <summary>The report as text for the terminal.</summary>
    public string ToText()
    {
        var sb = new StringBuilder();
        var verb = DryRun ? "would re-publish" : "re-published";
        sb.AppendLine(DryRun ? "redrive (dry run: nothing written, nothing deleted)" : "redrive");
        sb.AppendLine($"  {verb}: {Republished.Count} record(s) ({string.Join(", ", RepublishedBySource.Select(p => $"{p.Key} {p.Value}"))})");
        foreach (var (reason, count) in SeenByReason)
        {
            sb.AppendLine($"  seen {reason}: {count}");
        }

        sb.AppendLine($"  skipped: {Skipped.Count}");
        foreach (var (why, group) in Skipped.GroupBy(s => Category(s.Why)).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => (g.Key, g)))
        {
            sb.AppendLine($"    {why}: {group.Count()}");
            foreach (var s in group)
            {
                sb.AppendLine($"      {s.Item}: {s.Why}");
            }
        }

        return sb.ToString();
    }

    /// <summary>The report as JSON (for a file or another tool).</summary>
    public string ToJson() => new JsonObject
    {
        ["dryRun"] = DryRun,
        ["republished"] = Republished.Count,
        ["republishedBySource"] = new JsonObject(RepublishedBySource.Select(p => KeyValuePair.Create(p.Key, (JsonNode?)p.Value))),
        ["seenByReason"] = new JsonObject(SeenByReason.Select(p => KeyValuePair.Create(p.Key, (JsonNode?)p.Value))),
        ["records"] = new JsonArray(Republished.Select(r => (JsonNode?)new JsonObject
        {
            ["source"] = r.Source, ["item"] = r.Item, ["originalSequenceNumber"] = r.Original, ["newSequenceNumber"] = r.New,
        }).ToArray()),
        ["skipped"] = new JsonArray(Skipped.Select(s => (JsonNode?)new JsonObject { ["source"] = s.Source, ["item"] = s.Item, ["why"] = s.Why }).ToArray()),
    }.ToJsonString(new JsonSerializerOptions { WriteIndented = true });

    // A short category of a skip reason, for the counts.
    private static string Category(string why) =>
        why.Contains("already re-published", StringComparison.Ordinal) ? "already re-published"
        : why.Contains("before FROM", StringComparison.Ordinal) ? "before FROM"
        : why.Contains("retention", StringComparison.Ordinal) ? "past the stream's retention"
        : why.Contains("not a quarantined stream record", StringComparison.Ordinal) ? "not a stream record"
        : why.Contains("sha256", StringComparison.Ordinal) || why.Contains("bytes are gone", StringComparison.Ordinal) ? "large record unreadable"
        : "unreadable";
    }
