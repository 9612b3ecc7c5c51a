using System.Diagnostics;
using System.Text.Json;
using Amazon.DynamoDBv2;
using Amazon.S3;
using Amazon.SQS;
using FraudTf.Functions.Shared.Events;
using FraudTf.Functions.Shared.Logging;
using FraudTf.Functions.Shared.Metrics;
using FraudTf.Functions.Shared.Transactions;
using FraudTf.Functions.Shared.Scoring;
using FraudTf.Functions.Storage;

namespace FraudTf.Functions.StreamProcessor;

/// <summary>
/// The stream processor: for each Kinesis record, decode, validate strictly, score, then store the transaction, its
/// decision and the user's profile in one DynamoDB transaction. Every record ends in exactly one place:
/// <list type="bullet">
/// <item>stored (or recognised as already stored);</item>
/// <item>quarantined, whole, with its reason (<see cref="Quarantine"/>), when it can never be processed: invalid, or
/// failing permanently while scored or stored (<see cref="Failures"/>). Corrupt stored rows it depends on are data, not
/// failures (<see cref="TransactionStore"/>);</item>
/// <item>left for Kinesis to redeliver, when it failed transiently (throttling, timeouts, 5xx, a conflict, or a
/// quarantine that could not be written): the partial batch response names the first such record, so the mapping
/// retries from it.</item>
/// </list>
/// Records of one user keep their order: after a user's record failed, that user's later records wait for the
/// redelivery. Records of other users are independent and go on (they come again with the redelivery and are then
/// skipped as duplicates), but nothing more is quarantined after the first failure (a quarantine cannot be recognised
/// as a duplicate), and the batch stops at an environmental failure, one every record shares (the patterns), or the
/// <see cref="MaxTransientFailures"/>th transient one (the table or service is down, not one user's partition).
/// </summary>
public sealed class Function
{
    /// <summary>After this many transient failures in a batch, the rest waits for the redelivery.</summary>
    public const int MaxTransientFailures = 3;

    private readonly Settings _settings;
    private readonly TransactionStore _store;
    private readonly Quarantine _quarantine;
    private readonly EmfWriter _metrics;
    private readonly StructuredLog _log;
    private readonly TimeProvider _time;
    private PatternSet _patterns = new([], []);
    private DateTimeOffset _patternsLoadedAt = DateTimeOffset.MinValue;

    /// <summary>Used by the Lambda runtime: SDK clients configured the standard way (region, credentials, endpoints from the environment).</summary>
    public Function()
        : this(Settings.FromEnvironment(), new AmazonDynamoDBClient(), new AmazonSQSClient(), new AmazonS3Client(), StructuredOutput.Standard, TimeProvider.System)
    {
    }

    /// <summary>Creates the function with explicit dependencies (tests, benchmarks); <paramref name="output"/> receives the
    /// EMF documents and structured log lines.</summary>
    public Function(Settings settings, IAmazonDynamoDB dynamo, IAmazonSQS sqs, IAmazonS3 s3, StructuredOutput output, TimeProvider time)
    {
        _settings = settings;
        _store = new TransactionStore(dynamo, settings);
        _quarantine = new Quarantine(sqs, settings.DeadLetterQueueUrl, s3, settings.QuarantineBucket, time);
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
        var context = await Prepare(records.Select(r => r.Parsed.Transaction).OfType<Transaction>().ToList(), now, stats, ct);

        KinesisEventRecord? firstFailure = null;
        var waiting = new HashSet<string>(StringComparer.Ordinal);
        var transientFailures = 0;
        for (var i = 0; i < records.Count; i++)
        {
            var (record, parsed) = records[i];
            var t = parsed.Transaction;
            if (firstFailure is not null && (t is null || waiting.Contains(t.UserId)))
            {
                // After a failure: quarantine nothing more, and keep each failed user's order; these come again.
                stats.Deferred++;
                continue;
            }

            var (failure, kind) = await Attempt(record, parsed, context, stats, now, ct);
            if (failure is null)
            {
                continue;
            }

            if (kind == FailureKind.Permanent && t is not null && firstFailure is null)
            {
                // The record's own problem: quarantine it and go on.
                try
                {
                    var detail = $"scoring or storing failed permanently: {Failures.Describe(failure)}: {Truncate(failure.Message, 300)}";
                    await Reject(record, RejectReason.Unprocessable, detail, $"scoring or storing failed permanently: {Failures.Describe(failure)}", stats, ct, t);
                    continue;
                }
                catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
                {
                    // Not kept: retried (and after the mapping's retries, its on-failure destination), never dropped.
                    failure = e;
                    kind = FailureKind.Transient;
                }
            }

            firstFailure ??= record;
            stats.Retried++;
            transientFailures++;
            if (t is not null)
            {
                waiting.Add(t.UserId);
            }

            Log(LogLevels.Warn, "record failed; it will be retried", record.Kinesis.SequenceNumber, t, Failures.Describe(failure), detail: kind.ToString());
            if (kind == FailureKind.Environment || ReferenceEquals(failure, context.PatternsError) || transientFailures >= MaxTransientFailures)
            {
                stats.Deferred += records.Count - i - 1;
                break;
            }
        }

        // Kinesis redelivers from the lowest reported sequence number: only the first failure is reported (a record
        // stored or quarantined is never reported; those after the first failure come again and are recognised).
        stats.Retried += stats.Deferred;
        Emit(stats, watch.Elapsed);
        return firstFailure is null
            ? new BatchResponse()
            : new BatchResponse { BatchItemFailures = [new BatchItemFailure(firstFailure.Kinesis.SequenceNumber)] };
    }

    // Quarantines an invalid record or stores a valid one; returns what failed and how to treat it (null: done).
    // A failed quarantine is transient whatever S3 or SQS said: the record is retried, never dropped, and the batch
    // need not stop for it (valid records of other users do not depend on the quarantine). A failed read the record
    // depends on is environmental when not transient: stored rows themselves are read as data and never throw.
    private async Task<(Exception? Failure, FailureKind Kind)> Attempt(KinesisEventRecord record, ParseResult parsed, BatchContext context, BatchStats stats, DateTimeOffset now, CancellationToken ct)
    {
        if (parsed.Transaction is not { } t)
        {
            try
            {
                await Reject(record, parsed.Reason!.Value, parsed.Detail!, parsed.Detail!, stats, ct);
                return (null, default);
            }
            catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
            {
                return (e, FailureKind.Transient);
            }
        }

        if (context.FailureFor(t) is { } dependency)
        {
            var kind = Failures.Classify(dependency);
            return (dependency, kind == FailureKind.Permanent ? FailureKind.Environment : kind);
        }

        try
        {
            await Store(record, t, context, stats, now, ct);
            return (null, default);
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            return (e, Failures.Classify(e));
        }
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
    // transactions in the velocity window of the batch (three kinds of calls per batch instead of per record). A read
    // that fails is recorded against the records that depend on it (the patterns: all; a chunk of ids or profiles: its
    // records; a user's history: that user's), never thrown: the other records of the batch are independent.
    private async Task<BatchContext> Prepare(List<Transaction> txs, DateTimeOffset now, BatchStats stats, CancellationToken ct)
    {
        var context = new BatchContext();
        if (txs.Count == 0)
        {
            return context;
        }

        bool Failed(Exception e) => e is not OperationCanceledException || !ct.IsCancellationRequested;
        try
        {
            context.Patterns = (await ActivePatterns(now, stats, ct)).Patterns;
        }
        catch (Exception e) when (Failed(e))
        {
            context.PatternsError = e;
        }

        foreach (var chunk in txs.Select(t => t.TransactionId).Distinct(StringComparer.Ordinal).Chunk(100))
        {
            try
            {
                context.Stored.UnionWith(await _store.ExistingIds(chunk, ct));
            }
            catch (Exception e) when (Failed(e))
            {
                foreach (var id in chunk)
                {
                    context.IdErrors[id] = e;
                }
            }
        }

        foreach (var chunk in txs.Select(t => t.UserId).Distinct(StringComparer.Ordinal).Chunk(100))
        {
            try
            {
                foreach (var (user, state) in await _store.LoadProfiles(chunk, ct))
                {
                    context.Profiles[user] = state;
                    if (state.Problems.Count > 0)
                    {
                        CorruptRow(stats, FraudTf.Functions.Shared.Tables.FraudTables.UserProfiles.LogicalName, user, state.Problems, "a profile without usable statistics is a new profile; the next update rewrites it");
                    }
                }
            }
            catch (Exception e) when (Failed(e))
            {
                foreach (var user in chunk)
                {
                    context.UserErrors[user] = e;
                }
            }
        }

        var window = _settings.Rules.LongestWindow;
        foreach (var user in txs.GroupBy(t => t.UserId, StringComparer.Ordinal))
        {
            if (context.UserErrors.ContainsKey(user.Key))
            {
                continue;
            }

            try
            {
                // The parser bounds timestamps (TransactionParser.MaxAge), so the window cannot underflow.
                var from = user.Min(t => t.Timestamp) - window;
                var (recent, unreadable) = await _store.RecentActivity(user.Key, from, user.Max(t => t.Timestamp), ct);
                context.Recent[user.Key] = recent;
                if (unreadable > 0)
                {
                    CorruptRow(stats, FraudTf.Functions.Shared.Tables.FraudTables.Transactions.LogicalName, user.Key,
                        [$"{unreadable} stored transaction(s) without a readable timestamp"], "ignored by the velocity and card-testing rules");
                }
            }
            catch (Exception e) when (Failed(e))
            {
                context.UserErrors[user.Key] = e;
            }
        }

        return context;
    }

    private async Task Store(KinesisEventRecord record, Transaction t, BatchContext context, BatchStats stats, DateTimeOffset now, CancellationToken ct)
    {
        if (context.Stored.Contains(t.TransactionId))
        {
            stats.Duplicates++;
            Log(LogLevels.Info, "duplicate transaction skipped", record.Kinesis.SequenceNumber, t, null);
            return;
        }

        // The user's stored activity (any decision) from the batch's history read: the scorer counts what lies in each window.
        var history = context.Recent[t.UserId];
        for (var attempt = 0; attempt < 3; attempt++)
        {
            var state = context.Profiles[t.UserId];
            var score = FraudScorer.Score(t, state.Profile, history, context.Patterns, _settings.Rules);
            var (outcome, after) = await _store.Save(t, score, state, record.EventSourceArn, record.Kinesis.SequenceNumber, now, ct);
            switch (outcome)
            {
                case SaveOutcome.Saved:
                    context.Profiles[t.UserId] = after;
                    context.Stored.Add(t.TransactionId);
                    history.Add(new RecentTransaction(t.Timestamp, score.ReferenceAmount));
                    stats.Processed++;
                    stats.ConfidenceSum += score.Confidence;
                    if (score.Decision != Decision.APPROVE)
                    {
                        stats.FraudDetected++;
                    }

                    Log(LogLevels.Info, LogMessages.TransactionScored, record.Kinesis.SequenceNumber, t, null, score);
                    return;
                case SaveOutcome.Duplicate:
                    context.Stored.Add(t.TransactionId);
                    stats.Duplicates++;
                    Log(LogLevels.Info, "duplicate transaction skipped", record.Kinesis.SequenceNumber, t, null);
                    return;
                case SaveOutcome.ProfileConflict:
                    // Another invocation (a parallel batch of the same shard's user) updated the profile: read it again.
                    context.Profiles[t.UserId] = await _store.LoadProfile(t.UserId, ct);
                    continue;
            }
        }

        throw new TimeoutException($"profile of user {t.UserId} kept changing while saving {t.TransactionId}");
    }

    // Quarantines the record; logDetail is what the log line may carry (no exception messages: they may quote values).
    private async Task Reject(KinesisEventRecord record, RejectReason reason, string detail, string logDetail, BatchStats stats, CancellationToken ct, Transaction? t = null)
    {
        var placement = await _quarantine.Send(record, reason.ToString(), detail, ct);
        stats.Rejected[reason] = stats.Rejected.GetValueOrDefault(reason) + 1;
        Log(LogLevels.Warn, "record rejected to the dead-letter queue", record.Kinesis.SequenceNumber, t, reason.ToString(),
            detail: placement == Quarantine.Placement.Inline ? logDetail : $"{logDetail} (record stored in the quarantine bucket)");
    }

    private async Task<PatternSet> ActivePatterns(DateTimeOffset now, BatchStats stats, CancellationToken ct)
    {
        if (now - _patternsLoadedAt >= TimeSpan.FromSeconds(_settings.PatternCacheSeconds))
        {
            _patterns = await _store.LoadActivePatterns(ct);
            _patternsLoadedAt = now;
            foreach (var (id, problems) in _patterns.Skipped)
            {
                CorruptRow(stats, FraudTf.Functions.Shared.Tables.FraudTables.Patterns.LogicalName, id, problems, "pattern skipped until its row is fixed");
            }
        }

        return _patterns;
    }

    private void CorruptRow(BatchStats stats, string table, string key, IReadOnlyList<string> problems, string handling)
    {
        stats.CorruptRows++;
        Log(LogLevels.Warn, "corrupt stored row handled as data", "", null, "CorruptStoredRow",
            detail: $"{table} row '{key}': {string.Join("; ", problems)}; {handling}");
    }

    private static string Truncate(string s, int max) => s.Length <= max ? s : s[..max] + "...";

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
            new MetricValue(PlatformMetrics.ConfidenceScore, s.Processed > 0 ? s.ConfidenceSum / s.Processed : 0, MetricUnits.None),
            new MetricValue(PlatformMetrics.CorruptStoredRows, s.CorruptRows, MetricUnits.Count));
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
        public IReadOnlyList<FraudPattern> Patterns { get; set; } = [];

        // Set when the patterns could not be read: every valid record depends on them.
        public Exception? PatternsError { get; set; }

        public HashSet<string> Stored { get; } = new(StringComparer.Ordinal);

        public Dictionary<string, Exception> IdErrors { get; } = new(StringComparer.Ordinal);

        public Dictionary<string, ProfileState> Profiles { get; } = new(StringComparer.Ordinal);

        public Dictionary<string, Exception> UserErrors { get; } = new(StringComparer.Ordinal);

        public Dictionary<string, List<RecentTransaction>> Recent { get; } = new(StringComparer.Ordinal);

        // The failed read t depends on, if any.
        public Exception? FailureFor(Transaction t) =>
            PatternsError ?? IdErrors.GetValueOrDefault(t.TransactionId) ?? UserErrors.GetValueOrDefault(t.UserId);
    }

    private sealed class BatchStats
    {
        public int Processed { get; set; }

        public int FraudDetected { get; set; }

        public int Duplicates { get; set; }

        public int Retried { get; set; }

        public int Deferred { get; set; }

        public int CorruptRows { get; set; }

        public double ConfidenceSum { get; set; }

        public Dictionary<RejectReason, int> Rejected { get; } = new();
    }
}
