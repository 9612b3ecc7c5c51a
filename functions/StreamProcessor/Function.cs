using System.Diagnostics;
using System.Text.Json;
using Amazon.DynamoDBv2;
using Amazon.SQS;
using FraudTf.Functions.Shared.Events;
using FraudTf.Functions.Shared.Logging;
using FraudTf.Functions.Shared.Metrics;
using FraudTf.Functions.Shared.Transactions;
using FraudTf.Functions.StreamProcessor.Scoring;

namespace FraudTf.Functions.StreamProcessor;

/// <summary>
/// The stream processor: for each Kinesis record, decode, validate strictly, score, then store the transaction, its
/// decision and the user's profile in one DynamoDB transaction. Every record ends in exactly one place: stored (or
/// recognised as already stored), in the dead-letter queue with its reason (permanently invalid), or returned in
/// <c>batchItemFailures</c> so Kinesis retries it (a transient failure; processing stops there to keep per-user order).
/// </summary>
public sealed class Function
{
    private readonly Settings _settings;
    private readonly TransactionStore _store;
    private readonly DeadLetters _deadLetters;
    private readonly EmfWriter _metrics;
    private readonly StructuredLog _log;
    private readonly TimeProvider _time;
    private IReadOnlyList<FraudPattern> _patterns = [];
    private DateTimeOffset _patternsLoadedAt = DateTimeOffset.MinValue;

    /// <summary>Used by the Lambda runtime: SDK clients configured the standard way (region, credentials, endpoints from the
    /// environment); metrics and structured logs on the raw standard output (<see cref="StructuredOutput.Standard"/>).</summary>
    public Function()
        : this(Settings.FromEnvironment(), new AmazonDynamoDBClient(), new AmazonSQSClient(), StructuredOutput.Standard, TimeProvider.System)
    {
    }

    /// <summary>Creates the function with explicit dependencies (tests, benchmarks); <paramref name="output"/> receives the
    /// EMF documents and structured log lines.</summary>
    public Function(Settings settings, IAmazonDynamoDB dynamo, IAmazonSQS sqs, StructuredOutput output, TimeProvider time)
    {
        _settings = settings;
        _store = new TransactionStore(dynamo, settings);
        _deadLetters = new DeadLetters(sqs, settings.DeadLetterQueueUrl);
        _log = new StructuredLog(output, time.GetUtcNow);
        _metrics = new EmfWriter(output, time.GetUtcNow);
        _time = time;
    }

    /// <summary>Handles one Kinesis batch and returns the partial batch response.</summary>
    public async Task<Stream> Handler(Stream input)
    {
        var batch = await JsonSerializer.DeserializeAsync(input, EventJsonContext.Default.KinesisEvent) ?? new KinesisEvent();
        var response = await Process(batch, CancellationToken.None);
        var output = new MemoryStream();
        await JsonSerializer.SerializeAsync(output, response, EventJsonContext.Default.BatchResponse);
        output.Position = 0;
        return output;
    }

    /// <summary>Processes a batch; see the class summary for where each record ends.</summary>
    public async Task<BatchResponse> Process(KinesisEvent batch, CancellationToken ct)
    {
        var watch = Stopwatch.StartNew();
        var stats = new BatchStats();
        var now = _time.GetUtcNow();
        var records = batch.Records.Select(r => (Record: r, Parsed: Decode(r, now))).ToList();
        BatchContext context;
        try
        {
            context = await Prepare(records.Select(r => r.Parsed.Transaction).OfType<Transaction>().ToList(), now, ct);
        }
        catch (Exception e) when (records.Count > 0 && (e is not OperationCanceledException || !ct.IsCancellationRequested))
        {
            return Retry(records[0].Record, 0, records.Count, e, stats, watch);
        }

        for (var i = 0; i < records.Count; i++)
        {
            var (record, parsed) = records[i];
            try
            {
                if (!parsed.IsValid)
                {
                    await Reject(record, parsed.Reason!.Value, parsed.Detail!, stats, ct);
                }
                else
                {
                    await Store(record, parsed.Transaction!, context, stats, now, ct);
                }
            }
            catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
            {
                return Retry(record, i, records.Count, e, stats, watch);
            }
        }

        Emit(stats, watch.Elapsed);
        return new BatchResponse();
    }

    // Transient (throttling, timeouts, service errors): Kinesis retries from this record; the records after it come
    // again with it (idempotent), so a user's transactions keep their order.
    private BatchResponse Retry(KinesisEventRecord record, int index, int count, Exception e, BatchStats stats, Stopwatch watch)
    {
        Log(LogLevels.Warn, "transient failure; the record will be retried", record.Kinesis.SequenceNumber, null, e.GetType().Name, detail: e.Message);
        stats.Retried = count - index;
        Emit(stats, watch.Elapsed);
        return new BatchResponse { BatchItemFailures = [new BatchItemFailure(record.Kinesis.SequenceNumber)] };
    }

    private static ParseResult Decode(KinesisEventRecord record, DateTimeOffset now)
    {
        byte[] bytes;
        try
        {
            bytes = Convert.FromBase64String(record.Kinesis.Data);
        }
        catch (FormatException)
        {
            return new ParseResult { Reason = RejectReason.BadEncoding, Detail = "the Kinesis data is not valid base64" };
        }

        return TransactionParser.Parse(bytes, now);
    }

    // What the batch needs from DynamoDB, read once: which ids are stored, each user's profile, and each user's
    // transactions in the velocity window of the batch (three kinds of calls per batch instead of per record).
    private async Task<BatchContext> Prepare(List<Transaction> txs, DateTimeOffset now, CancellationToken ct)
    {
        var context = new BatchContext
        {
            Patterns = txs.Count > 0 ? await ActivePatterns(now, ct) : [],
            Stored = await _store.ExistingIds(txs.Select(t => t.TransactionId).ToList(), ct),
            Profiles = await _store.LoadProfiles(txs.Select(t => t.UserId).ToList(), ct),
        };
        var window = TimeSpan.FromMinutes(_settings.Rules.VelocityWindowMinutes);
        foreach (var user in txs.GroupBy(t => t.UserId, StringComparer.Ordinal))
        {
            var from = user.Min(t => t.Timestamp) - window;
            context.Recent[user.Key] = await _store.RecentTimestamps(user.Key, from, user.Max(t => t.Timestamp), ct);
        }

        return context;
    }

    private async Task Store(KinesisEventRecord record, Transaction t, BatchContext context, BatchStats stats, DateTimeOffset now, CancellationToken ct)
    {
        if (!context.Stored.Add(t.TransactionId))
        {
            stats.Duplicates++;
            Log(LogLevels.Info, "duplicate transaction skipped", record.Kinesis.SequenceNumber, t, null);
            return;
        }

        var window = TimeSpan.FromMinutes(_settings.Rules.VelocityWindowMinutes);
        var recent = context.Recent[t.UserId].Count(ts => ts >= t.Timestamp - window && ts <= t.Timestamp) + 1;
        for (var attempt = 0; attempt < 3; attempt++)
        {
            var (profile, version) = context.Profiles[t.UserId];
            var score = FraudScorer.Score(t, profile, recent, context.Patterns, _settings.Rules);
            switch (await _store.Save(t, score, profile, version, now, ct))
            {
                case SaveOutcome.Saved:
                    context.Profiles[t.UserId] = (profile.With(t), version + 1);
                    context.Recent[t.UserId].Add(t.Timestamp);
                    stats.Processed++;
                    stats.ConfidenceSum += score.Confidence;
                    if (score.Decision != Decision.APPROVE)
                    {
                        stats.FraudDetected++;
                    }

                    Log(LogLevels.Info, LogMessages.TransactionScored, record.Kinesis.SequenceNumber, t, null, score);
                    return;
                case SaveOutcome.Duplicate:
                    stats.Duplicates++;
                    Log(LogLevels.Info, "duplicate transaction skipped", record.Kinesis.SequenceNumber, t, null);
                    return;
                case SaveOutcome.ProfileConflict:
                    // Another invocation (a parallel batch of the same shard's user) updated the profile: read it again.
                    context.Profiles[t.UserId] = await _store.LoadProfile(t.UserId, ct);
                    continue;
            }
        }

        context.Stored.Remove(t.TransactionId);
        throw new TimeoutException($"profile of user {t.UserId} kept changing while saving {t.TransactionId}");
    }

    private async Task Reject(KinesisEventRecord record, RejectReason reason, string detail, BatchStats stats, CancellationToken ct)
    {
        await _deadLetters.Send(record, reason.ToString(), detail, ct);
        stats.Rejected[reason] = stats.Rejected.GetValueOrDefault(reason) + 1;
        Log(LogLevels.Warn, "record rejected to the dead-letter queue", record.Kinesis.SequenceNumber, null, reason.ToString(), detail: detail);
    }

    private async Task<IReadOnlyList<FraudPattern>> ActivePatterns(DateTimeOffset now, CancellationToken ct)
    {
        if (now - _patternsLoadedAt >= TimeSpan.FromSeconds(_settings.PatternCacheSeconds))
        {
            _patterns = await _store.LoadActivePatterns(ct);
            _patternsLoadedAt = now;
        }

        return _patterns;
    }

    private void Emit(BatchStats s, TimeSpan elapsed)
    {
        // Names and dimension sets from PlatformMetrics.StreamProcessor, which the stack declares and alarms on.
        var dims = new Dictionary<string, string> { [PlatformMetrics.EnvironmentDimension] = _settings.Environment };
        _metrics.Emit(dims,
            new MetricValue(PlatformMetrics.TransactionsProcessed, s.Processed, MetricUnits.Count),
            new MetricValue(PlatformMetrics.FraudDetected, s.FraudDetected, MetricUnits.Count),
            new MetricValue(PlatformMetrics.DuplicatesSkipped, s.Duplicates, MetricUnits.Count),
            new MetricValue(PlatformMetrics.RecordsRetried, s.Retried, MetricUnits.Count),
            new MetricValue(PlatformMetrics.RecordsRejected, s.Rejected.Values.Sum(), MetricUnits.Count),
            new MetricValue(PlatformMetrics.ProcessingLatency, elapsed.TotalMilliseconds, MetricUnits.Milliseconds),
            new MetricValue(PlatformMetrics.ConfidenceScore, s.Processed > 0 ? s.ConfidenceSum / s.Processed : 0, MetricUnits.None));
        foreach (var (reason, count) in s.Rejected.OrderBy(p => p.Key))
        {
            _metrics.Emit(new Dictionary<string, string>
                {
                    [PlatformMetrics.EnvironmentDimension] = _settings.Environment,
                    [PlatformMetrics.ReasonDimension] = reason.ToString(),
                },
                new MetricValue(PlatformMetrics.RecordsRejected, count, MetricUnits.Count));
        }
    }

    // Structured JSON log line on the raw standard output (StructuredLog: the metric filters of LogPatterns read its
    // fields); ids only, no personal data (no amounts, IPs or device ids).
    private void Log(string level, string message, string sequenceNumber, Transaction? t, string? error, ScoreResult? score = null, string? detail = null) =>
        _log.Write(level, message,
        [
            new(LogFields.SequenceNumber, sequenceNumber),
            new(LogFields.TransactionId, t?.TransactionId),
            new(LogFields.UserId, t?.UserId),
            new(LogFields.Decision, score?.Decision.ToString()),
            new(LogFields.Score, score?.Score),
            new(LogFields.Confidence, score?.Confidence),
            new(LogFields.Rules, score?.Reasons.Select(r => r.Rule).ToArray()),
            new(LogFields.Error, error),
            new(LogFields.Detail, detail),
        ]);

    private sealed class BatchContext
    {
        public required IReadOnlyList<FraudPattern> Patterns { get; init; }

        public required HashSet<string> Stored { get; init; }

        public required Dictionary<string, (UserProfile Profile, long Version)> Profiles { get; init; }

        public Dictionary<string, List<DateTimeOffset>> Recent { get; } = new(StringComparer.Ordinal);
    }

    private sealed class BatchStats
    {
        public int Processed { get; set; }

        public int FraudDetected { get; set; }

        public int Duplicates { get; set; }

        public int Retried { get; set; }

        public double ConfidenceSum { get; set; }

        public Dictionary<RejectReason, int> Rejected { get; } = new();
    }
}
