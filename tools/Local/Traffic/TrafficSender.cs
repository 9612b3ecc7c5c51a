using FraudTf.Redrive;
using FraudTf.Stacks;

namespace FraudTf.Local.Traffic;

/// <summary>How to send.</summary>
public sealed record SendOptions
{
    /// <summary>The stream, e.g. fraud-detection-transactions-dev.</summary>
    public required string StreamName { get; init; }

    /// <summary>Pace: record i is due at start + i / RecordsPerSecond.</summary>
    public required double RecordsPerSecond { get; init; }

    /// <summary>Records per PutRecords request. Omitted: 500, the API's limit.</summary>
    public int MaxBatchRecords { get; init; } = 500;

    /// <summary>Bytes per request (data plus partition keys). Omitted: 5 MiB, the API's limit.</summary>
    public long MaxBatchBytes { get; init; } = 5L * 1024 * 1024;

    /// <summary>First wait before re-sending a failed entry; doubles per attempt. Omitted: 100 ms.</summary>
    public TimeSpan BaseBackoff { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Longest wait between attempts of one entry. Omitted: 5 s.</summary>
    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Options for the synthesized stack: the stream is the Kinesis stream an <c>aws_lambda_event_source_mapping</c> of the
    /// stack consumes (the transactions stream; the only one that has a consumer function).
    /// </summary>
    public static SendOptions FromStack(LocalStack stack, double recordsPerSecond)
    {
        var streams = stack.Resources("aws_lambda_event_source_mapping")
            .Select(m => m.Body["event_source_arn"]?.GetValue<string>() is { } arn ? TerraformReference.ParseWhole(arn) : null)
            .Where(r => r is { Type: "aws_kinesis_stream" })
            .Select(r => stack.Resource("aws_kinesis_stream", r!.Value.Name)["name"]!.GetValue<string>())
            .Distinct()
            .ToList();
        return streams.Count == 1
            ? new SendOptions { StreamName = streams[0], RecordsPerSecond = recordsPerSecond }
            : throw new InvalidOperationException(
                $"{stack.Path} has {streams.Count} Kinesis streams consumed by an event source mapping ({string.Join(", ", streams)}); the traffic needs exactly one. " +
                "Fix: synthesize the stack again (make synth), or pass SendOptions with the stream name.");
    }
}

/// <summary>One record as written to the stream.</summary>
/// <param name="Index">Its position in the records sent.</param>
/// <param name="SequenceNumber">The sequence number Kinesis gave it.</param>
/// <param name="ShardId">The shard it went to (null if the API did not say).</param>
/// <param name="SentAt">When the request that wrote it was sent (start of end-to-end latency).</param>
/// <param name="AcknowledgedAt">When that request's answer arrived.</param>
/// <param name="Attempts">Requests it took (1: written at once).</param>
public sealed record SentRecord(int Index, string SequenceNumber, string? ShardId, DateTimeOffset SentAt, DateTimeOffset AcknowledgedAt, int Attempts);

/// <summary>Progress counters of a send.</summary>
/// <param name="Total">Records to send.</param>
/// <param name="Sent">Records written.</param>
/// <param name="Pending">Records due and not yet written (waiting, or failed and to be retried).</param>
/// <param name="Requests">PutRecords requests made.</param>
/// <param name="FailedEntries">Entries that came back failed (each retried).</param>
/// <param name="FailedRequests">Requests that failed as a whole with a transient error (all their entries retried).</param>
public sealed record SendProgress(int Total, int Sent, int Pending, long Requests, long FailedEntries, long FailedRequests);

/// <summary>
/// Sends labelled records to a Kinesis stream with PutRecords, paced to a rate, never dropping one.
/// <para>
/// Follows the Amazon Kinesis Data Streams API Reference, "PutRecords": at most 500 records and 5 MiB (data plus
/// partition keys) per request, 1 MiB per record; the answer has one entry per request entry, in order, with a
/// SequenceNumber and ShardId or an ErrorCode (ProvisionedThroughputExceededException or InternalFailure); a failed
/// entry does not stop the others. The Developer Guide ("Adding multiple records with PutRecords") says to re-send the
/// failed entries; this does so with exponential backoff (BaseBackoff doubling up to MaxBackoff), without limit.
/// </para>
/// <para>
/// Order per partition key: because a failed entry does not stop later entries of the same request, a request holds at
/// most one record per partition key, and a key's next record waits until the previous one is written. So records of one
/// key reach the shard in send order even when entries fail (at the cost of one request per record of a burst).
/// A request that fails as a whole with a transient error (throttling, 5xx, after the client's own retries) is
/// retried the same way; any other error (e.g. ResourceNotFoundException) stops the send with the records not yet written.
/// </para>
/// </summary>
public sealed class TrafficSender(IKinesisApi kinesis, TimeProvider time)
{
    /// <summary>Largest record the API accepts (data plus partition key).</summary>
    public const int MaxRecordBytes = 1024 * 1024;

    private int _total;
    private int _sent;
    private int _pending;
    private long _requests;
    private long _failedEntries;
    private long _failedRequests;

    /// <summary>The counters now (safe to read from another thread while <see cref="Send"/> runs).</summary>
    public SendProgress Progress => new(Volatile.Read(ref _total), Volatile.Read(ref _sent), Volatile.Read(ref _pending),
        Interlocked.Read(ref _requests), Interlocked.Read(ref _failedEntries), Interlocked.Read(ref _failedRequests));

    /// <summary>Sends <paramref name="records"/> in order; returns one <see cref="SentRecord"/> per record, by index.</summary>
    public async Task<IReadOnlyList<SentRecord>> Send(IReadOnlyList<LabelledRecord> records, SendOptions options, IProgress<SendProgress>? progress, CancellationToken ct)
    {
        Validate(records, options);
        Volatile.Write(ref _total, records.Count);
        var results = new SentRecord[records.Count];
        var pending = new List<Entry>();
        var start = time.GetUtcNow();
        var next = 0;
        var sent = 0;
        while (sent < records.Count)
        {
            ct.ThrowIfCancellationRequested();
            var now = time.GetUtcNow();
            var due = (int)Math.Min(records.Count, Math.Floor((now - start).TotalSeconds * options.RecordsPerSecond) + 1);
            while (next < due)
            {
                pending.Add(new Entry(next++));
            }

            var batch = new List<Entry>();
            var keys = new HashSet<string>(StringComparer.Ordinal);
            long bytes = 0;
            foreach (var e in pending)
            {
                var r = records[e.Index];
                if (!keys.Add(r.PartitionKey) || e.RetryAt > now)
                {
                    continue; // one record per key per request; a key's later records wait behind its earliest
                }

                var size = r.Data.Length + Encoding.UTF8.GetByteCount(r.PartitionKey);
                if (batch.Count == options.MaxBatchRecords || bytes + size > options.MaxBatchBytes)
                {
                    break;
                }

                batch.Add(e);
                bytes += size;
            }

            Volatile.Write(ref _pending, pending.Count);
            if (batch.Count == 0)
            {
                var wake = next < records.Count ? start + TimeSpan.FromSeconds(next / options.RecordsPerSecond) : DateTimeOffset.MaxValue;
                foreach (var e in pending)
                {
                    wake = e.RetryAt < wake ? e.RetryAt : wake;
                }

                var wait = wake - now;
                await Task.Delay(wait > TimeSpan.FromMilliseconds(1) ? wait : TimeSpan.FromMilliseconds(1), time, ct);
                continue;
            }

            Interlocked.Increment(ref _requests);
            PutRecordsResult answer;
            try
            {
                answer = await kinesis.PutRecords(options.StreamName, batch.Select(e => (records[e.Index].PartitionKey, records[e.Index].Data)).ToList(), ct);
            }
            catch (KinesisApiException e) when ((int)e.Status >= 500 || e.Type is "ProvisionedThroughputExceededException" or "LimitExceededException" or "ThrottlingException" or "InternalFailure")
            {
                Interlocked.Increment(ref _failedRequests);
                var failedAt = time.GetUtcNow();
                foreach (var entry in batch)
                {
                    entry.Failed(failedAt, options);
                }

                continue;
            }
            catch (KinesisApiException e)
            {
                throw new InvalidOperationException(
                    $"PutRecords to stream '{options.StreamName}' failed with {e.Type}: {e.Message}. {sent} of {records.Count} records were written. " +
                    "Fix: check that the stream exists and is ACTIVE at the Kinesis endpoint (AWS_ENDPOINT_URL_KINESIS) and that the records are within the API's limits, then send again.", e);
            }

            if (answer.Records.Count != batch.Count)
            {
                throw new InvalidOperationException($"PutRecords answered {answer.Records.Count} entries for {batch.Count} records. Fix: the Kinesis endpoint must return one result per entry, in order.");
            }

            var ack = time.GetUtcNow();
            var written = new HashSet<int>();
            for (var i = 0; i < batch.Count; i++)
            {
                var entry = batch[i];
                var outcome = answer.Records[i];
                if (outcome.Succeeded)
                {
                    results[entry.Index] = new SentRecord(entry.Index, outcome.SequenceNumber!, outcome.ShardId, now, ack, entry.Attempts + 1);
                    written.Add(entry.Index);
                }
                else
                {
                    Interlocked.Increment(ref _failedEntries);
                    entry.Failed(ack, options);
                }
            }

            pending.RemoveAll(e => written.Contains(e.Index));
            sent += written.Count;
            Volatile.Write(ref _sent, sent);
            Volatile.Write(ref _pending, pending.Count);
            progress?.Report(Progress);
        }

        return results;
    }

    private static void Validate(IReadOnlyList<LabelledRecord> records, SendOptions o)
    {
        if (!(o.RecordsPerSecond > 0))
        {
            throw new ArgumentException($"RecordsPerSecond is {o.RecordsPerSecond.ToString(CultureInfo.InvariantCulture)}. Fix: give a rate above 0.", nameof(o));
        }

        if (o.MaxBatchRecords is < 1 or > 500)
        {
            throw new ArgumentException($"MaxBatchRecords is {o.MaxBatchRecords}. Fix: give 1 to 500 (the PutRecords limit).", nameof(o));
        }

        if (o.MaxBatchBytes < MaxRecordBytes || o.MaxBatchBytes > 5L * 1024 * 1024)
        {
            throw new ArgumentException($"MaxBatchBytes is {o.MaxBatchBytes}. Fix: give 1 MiB to 5 MiB (the PutRecords limit).", nameof(o));
        }

        for (var i = 0; i < records.Count; i++)
        {
            var r = records[i];
            if (r.PartitionKey.Length is < 1 or > 256)
            {
                throw new ArgumentException($"Record {i} has a partition key of {r.PartitionKey.Length} characters. Fix: use 1 to 256 (the Kinesis limit).", nameof(records));
            }

            if (r.Data.Length + Encoding.UTF8.GetByteCount(r.PartitionKey) > MaxRecordBytes)
            {
                throw new ArgumentException($"Record {i} has {r.Data.Length} bytes. Fix: keep data plus partition key within 1 MiB (the Kinesis record limit).", nameof(records));
            }
        }
    }

    private sealed class Entry(int index)
    {
        public int Index { get; } = index;

        public int Attempts { get; private set; }

        public DateTimeOffset RetryAt { get; private set; } = DateTimeOffset.MinValue;

        public void Failed(DateTimeOffset at, SendOptions o)
        {
            Attempts++;
            var backoff = o.BaseBackoff * Math.Pow(2, Math.Min(Attempts - 1, 20));
            RetryAt = at + (backoff < o.MaxBackoff ? backoff : o.MaxBackoff);
        }
    }
}
