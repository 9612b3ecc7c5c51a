using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
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
/// decision and the user's profile in a DynamoDB transaction (with other records' when they can be saved together).
/// Every record ends in exactly one place:
/// <list type="bullet">
/// <item>stored (or recognised as already stored);</item>
/// <item>quarantined, whole, with its reason (<see cref="Quarantine"/>), when it can never be processed: invalid, or
/// failing permanently while scored or stored (<see cref="Failures"/>). Corrupt stored rows it depends on are data, not
/// failures (<see cref="TransactionStore"/>);</item>
/// <item>left for Kinesis to redeliver, when it failed transiently (throttling, timeouts, 5xx, a conflict, or a
/// quarantine that could not be written): the partial batch response names the lowest such record of the batch, so
/// the mapping retries from it.</item>
/// </list>
/// <para>A batch runs in two phases. First the stores: the records are grouped into lanes, one per user (users whose
/// records share a transaction id share a lane, so the first of those records in the batch is the one stored). Each
/// lane's records are scored in the batch's order against its user's profile and history as the records before them
/// leave them, and saved together: a lane's records in units (one transaction: two rows per record and one profile
/// update per user, conditioned on the version read, moving it by the number of saves), several lanes' units packed
/// into one TransactWriteItems of at most 100 items, up to <see cref="Settings.MaxConcurrency"/> transactions at once;
/// a lane's next unit waits for its previous one. A unit is saved whole or not at all. When a transaction fails: for
/// the environment, the batch stops (one log line); otherwise each of its units is tried alone, so one user's throttled
/// partition or failed condition holds back no one else; a unit that fails transiently fails at its first record (its
/// lane's later records wait for the redelivery); a unit that fails for a reason of its own (a duplicate stored by
/// another invocation, a profile changed by another writer, an item the table refuses) goes one record per
/// transaction, the path that recognises the duplicate, reads the profile again, or quarantines the record. On that
/// path (also taken by a lane whose reads failed) a lane stops at its first transient failure, and every lane stops
/// taking records at an environmental failure, one every record shares, or the <see cref="MaxTransientFailures"/>th
/// transient one; an environmental failure is logged once per batch. When the patterns cannot be read, no lane runs:
/// the batch's first valid record is reported failed (one log line) and the others wait for the redelivery. Then the
/// quarantines, one at a time in the batch's order, only of records before the lowest record not done: a quarantine
/// cannot be recognised as a duplicate, so one after that record would be sent again with the redelivery.</para>
/// <para>The response names the lowest record of the batch that is not durably done (failed, not started, or not
/// quarantined): every record before it is stored or quarantined, so the checkpoint loses nothing, and the records after
/// it that were stored come again and are skipped as duplicates (the conditional save; see <see cref="TransactionStore"/>).</para>
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

    /// <summary>Processes a batch; see the class summary for where each record ends and in which order.</summary>
    public async Task<BatchResponse> Process(KinesisEvent batch, CancellationToken ct)
    {
        var watch = Stopwatch.StartNew();
        var stats = new BatchStats();
        var now = _time.GetUtcNow();
        var items = batch.Records.Select((r, i) => new Item(i, r, TransactionParser.Decode(r.Kinesis.Data, now))).ToList();
        var context = await Prepare(items.Select(r => r.Parsed.Transaction).OfType<Transaction>().ToList(), now, stats, ct);

        // Phase 1: the stores, lane by lane. Without the patterns no valid record can be scored: the batch's environmental
        // failure, logged once against its first valid record, and no lane runs.
        var lanes = Lanes(items);
        if (context.PatternsError is { } patternsError)
        {
            Failed(lanes.Select(l => l[0]).MinBy(r => r.Index)!, patternsError, DependencyKind(patternsError));
        }
        else
        {
            await StoreLanes(lanes, context, now, ct);
        }

        // Phase 2: the quarantines, in order, before the lowest record not done.
        var notDone = items.FirstOrDefault(r => r.Outcome is Outcome.Failed or Outcome.Pending)?.Index ?? items.Count;
        foreach (var item in items.Where(r => r.Outcome == Outcome.ToQuarantine && r.Index < notDone))
        {
            try
            {
                await Reject(item.Record, item.RejectReason, item.RejectDetail!, item.RejectLogDetail!, stats, ct, item.Parsed.Transaction);
                item.Outcome = Outcome.Quarantined;
            }
            catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
            {
                // Not kept: retried (and after the mapping's retries, its on-failure destination), never dropped.
                Failed(item, e, FailureKind.Transient);
                notDone = item.Index;
                break;
            }
        }

        // Kinesis redelivers from the lowest reported sequence number: only the lowest record not done is reported (a
        // record stored or quarantined before it is never reported; those after it come again and are recognised).
        var reported = items.FirstOrDefault(r => r.Outcome is Outcome.Failed or Outcome.Pending or Outcome.ToQuarantine);
        foreach (var item in items)
        {
            stats.Count(item);
        }

        Emit(stats, watch.Elapsed);
        return reported is null
            ? new BatchResponse()
            : new BatchResponse { BatchItemFailures = [new BatchItemFailure(reported.Record.Kinesis.SequenceNumber)] };
    }

    // The lanes of a batch: valid records grouped by user, in the batch's order; users whose records share a transaction
    // id are one lane (union-find over users and ids), so that the first of those records in the batch is the one
    // stored, as it would be in sequence. Invalid records need no store: they wait for phase 2's quarantine.
    private static List<List<Item>> Lanes(List<Item> items)
    {
        var parent = new List<int>();
        var ids = new Dictionary<string, int>(StringComparer.Ordinal);
        int Node(string key)
        {
            if (!ids.TryGetValue(key, out var n))
            {
                ids[key] = n = parent.Count;
                parent.Add(n);
            }

            return n;
        }

        int Find(int n)
        {
            while (parent[n] != n)
            {
                n = parent[n] = parent[parent[n]];
            }

            return n;
        }

        foreach (var item in items)
        {
            if (item.Parsed.Transaction is { } t)
            {
                var (user, tx) = (Find(Node("u:" + t.UserId)), Find(Node("t:" + t.TransactionId)));
                parent[Math.Max(user, tx)] = Math.Min(user, tx);
            }
            else
            {
                item.Outcome = Outcome.ToQuarantine;
                item.RejectReason = item.Parsed.Reason!.Value;
                item.RejectDetail = item.RejectLogDetail = item.Parsed.Detail!;
            }
        }

        return items.Where(r => r.Parsed.Transaction is not null)
            .GroupBy(r => Find(ids["u:" + r.Parsed.Transaction!.UserId]))
            .Select(g => g.ToList())
            .ToList();
    }

    // Phase 1: every lane's records, saved together where they can be (a lane's records in units, several lanes' units
    // packed into one transaction), one by one (RunLane) where they cannot: a lane whose reads failed or whose scoring
    // threw, and a lane whose unit failed for a reason of its own (a condition: a duplicate or a profile changed by
    // another writer; a rejected item), from its first record not saved, with the whole failure handling of that path.
    private async Task StoreLanes(List<List<Item>> lanes, BatchContext context, DateTimeOffset now, CancellationToken ct)
    {
        var options = new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, _settings.MaxConcurrency), CancellationToken = ct };
        var run = new BatchRun();
        var oneByOne = new ConcurrentQueue<List<Item>>();
        var planned = new List<Queue<Unit>>();
        foreach (var lane in lanes)
        {
            if ((_settings.SaveTogether ? Plan(lane, context, now) : null) is { } units)
            {
                if (units.Count > 0)
                {
                    planned.Add(new Queue<Unit>(units));
                }
            }
            else
            {
                oneByOne.Enqueue(lane);
            }
        }

        // Round r commits the r-th unit of every lane still planned: a lane's units in order, each after the one before.
        while (planned.Count > 0 && !run.Stopped)
        {
            var round = planned.Select(q => q.Dequeue()).ToList();
            await Parallel.ForEachAsync(Pack(round), options, async (pack, _) =>
            {
                foreach (var unit in await Commit(pack, context, run, ct))
                {
                    oneByOne.Enqueue(unit.Lane.Skip(unit.Start).Where(r => r.Outcome == Outcome.Pending).ToList());
                }
            });

            // A lane whose unit was not saved leaves the rounds: failed (its later records wait for the redelivery) or one by one.
            planned = planned.Where(q => q.Count > 0 && SavedBefore(q.Peek())).ToList();
        }

        await Parallel.ForEachAsync(oneByOne.Where(l => l.Count > 0).OrderBy(l => l[0].Index), options,
            async (lane, _) => await RunLane(lane, context, run, now, ct));

        // True when every record of the unit's lane before it is done (its earlier units were saved).
        static bool SavedBefore(Unit next) => next.Lane.Take(next.Start).All(r => r.Outcome is Outcome.Stored or Outcome.Duplicate);
    }

    // A lane's records in units (null when the lane must go one by one: a read it depends on failed, or scoring threw):
    // each record scored as the sequential path would (its user's profile and history after the lane's records before
    // it), the rows it writes, and per user one profile update conditioned on the version read before the unit. A
    // record whose id an earlier record of the lane saves is its duplicate; one already stored is skipped now.
    private List<Unit>? Plan(List<Item> lane, BatchContext context, DateTimeOffset now)
    {
        if (lane.Any(r => context.FailureFor(r.Parsed.Transaction!) is not null))
        {
            return null;
        }

        var units = new List<Unit>();
        var states = new Dictionary<string, ProfileState>(StringComparer.Ordinal);
        var histories = new Dictionary<string, List<RecentTransaction>>(StringComparer.Ordinal);
        var saved = new HashSet<string>(StringComparer.Ordinal);
        Unit? unit = null;
        try
        {
            for (var i = 0; i < lane.Count; i++)
            {
                var item = lane[i];
                var t = item.Parsed.Transaction!;
                if (context.Stored.ContainsKey(t.TransactionId))
                {
                    item.Outcome = Outcome.Duplicate;
                    Log(LogLevels.Info, "duplicate transaction skipped", item.Record.Kinesis.SequenceNumber, t, null);
                    continue;
                }

                if (saved.Contains(t.TransactionId))
                {
                    unit!.Duplicates.Add(item);
                    continue;
                }

                if (unit is null || unit.ItemCount + 2 + (unit.Users.ContainsKey(t.UserId) ? 0 : 1) > TransactionStore.MaxTransactionItems)
                {
                    if (unit is not null)
                    {
                        foreach (var (user, update) in unit.Users)
                        {
                            states[user] = update.After;
                        }
                    }

                    units.Add(unit = new Unit(lane, i));
                }

                if (!unit.Users.TryGetValue(t.UserId, out var u))
                {
                    unit.Users[t.UserId] = u = new UserUpdate(states.GetValueOrDefault(t.UserId) ?? context.Profiles[t.UserId]);
                }

                if (!histories.TryGetValue(t.UserId, out var history))
                {
                    histories[t.UserId] = history = [.. context.Recent[t.UserId]];
                }

                var score = FraudScorer.Score(t, u.Profile, history, context.Patterns, _settings.Rules);
                var (transactionRow, decisionRow, after) = _store.Rows(t, score, u.Profile, now);
                unit.Rows.Add(transactionRow);
                unit.Rows.Add(decisionRow);
                unit.Saves.Add((item, score, TransactionStore.RequestToken(_settings.TransactionsTable, item.Record.EventSourceArn, item.Record.Kinesis.SequenceNumber, t.TransactionId, u.Before, now)));
                u.Profile = after;
                u.Learns |= TransactionStore.LearnsFrom(score.Decision);
                u.Saves++;
                saved.Add(t.TransactionId);
                history.Add(new RecentTransaction(t.Timestamp, score.ReferenceAmount));
            }
        }
        catch (Exception)
        {
            // The record's scoring threw: the one-by-one path classifies it against that record (and quarantines it when permanent).
            return null;
        }

        return units;
    }

    // A round's units in transactions of at most MaxTransactionItems items, in the batch's order.
    private static List<List<Unit>> Pack(List<Unit> round)
    {
        var packs = new List<List<Unit>>();
        var items = TransactionStore.MaxTransactionItems;
        foreach (var unit in round.OrderBy(u => u.Lane[u.Start].Index))
        {
            if (items + unit.ItemCount > TransactionStore.MaxTransactionItems)
            {
                packs.Add([]);
                items = 0;
            }

            packs[^1].Add(unit);
            items += unit.ItemCount;
        }

        return packs;
    }

    // Commits a pack; returns the units to save one by one. A unit's records are saved together or not at all; when a
    // pack fails:
    // - for the environment (access denied, a missing table): every record shares it, so the batch stops: the pack's
    //   first record is reported (one log line), the rest waits for the redelivery;
    // - without a definite "not written" (a timeout, a 5xx, a lost connection, a transaction in progress after the SDK's
    //   retries): the pack may have committed, so nothing of it is tried again in this batch (a retry would meet its own
    //   rows as duplicates and lose what they taught the batch): each unit's first record fails, and the redelivery,
    //   reading afresh, skips what was written;
    // - otherwise (not written: cancelled, throttled, refused), when it holds several lanes' units, each unit is tried
    //   alone once, one after the other (so at most MaxConcurrency calls are ever in flight), so that one user's throttled
    //   partition or failed condition holds back no one else;
    // - a unit alone that fails transiently fails at its first record (the SDK has already retried the call; the
    //   mapping's redelivery is the next try), and its lane's later records wait;
    // - a unit alone that fails for a reason of its own (a condition, a rejected item) goes one by one, where a duplicate
    //   is recognised, a changed profile read again, and a record the table refuses quarantined.
    private async Task<List<Unit>> Commit(List<Unit> pack, BatchContext context, BatchRun run, CancellationToken ct)
    {
        if (run.Stopped)
        {
            return [];
        }

        try
        {
            await _store.Commit([.. pack.SelectMany(u => u.Items(_settings.UserProfilesTable))], TransactionStore.GroupToken(pack.SelectMany(u => u.Saves.Select(x => x.Token))), ct);
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            var kind = Failures.Classify(e);
            var first = pack[0].Saves[0].Item;
            if (kind == FailureKind.Environment)
            {
                first.Outcome = Outcome.Failed;
                if (run.FirstEnvironmentalFailure())
                {
                    Failed(first, e, kind);
                }

                run.Stop();
                return [];
            }

            if (!Failures.NotWritten(e))
            {
                foreach (var unit in pack)
                {
                    Failed(unit.Saves[0].Item, e, FailureKind.Transient);
                }

                run.Transient();

                return [];
            }

            if (pack.Count > 1)
            {
                Log(LogLevels.Info, "records saved together failed; each lane is tried alone", first.Record.Kinesis.SequenceNumber, null,
                    Failures.Describe(e), detail: $"{pack.Sum(u => u.Saves.Count)} records of {pack.Count} lanes; {kind}");
                var oneByOne = new List<Unit>();
                foreach (var unit in pack)
                {
                    oneByOne.AddRange(await Commit([unit], context, run, ct));
                }

                return oneByOne;
            }

            if (kind == FailureKind.Transient)
            {
                Failed(first, e, kind);
                run.Transient();

                return [];
            }

            Log(LogLevels.Info, "records saved together failed; they are saved one by one", first.Record.Kinesis.SequenceNumber, first.Parsed.Transaction,
                Failures.Describe(e), detail: $"{pack[0].Saves.Count} records; {kind}");
            return pack;
        }

        foreach (var unit in pack)
        {
            Saved(unit, context);
        }

        return [];
    }

    // A unit's records are stored: outcomes, the batch's view of its users, its log lines.
    private void Saved(Unit unit, BatchContext context)
    {
        foreach (var (item, score, _) in unit.Saves)
        {
            var t = item.Parsed.Transaction!;
            context.Stored.TryAdd(t.TransactionId, 0);
            context.Recent[t.UserId].Add(new RecentTransaction(t.Timestamp, score.ReferenceAmount));
            item.Outcome = Outcome.Stored;
            item.Score = score;
            Log(LogLevels.Info, LogMessages.TransactionScored, item.Record.Kinesis.SequenceNumber, t, null, score);
        }

        foreach (var item in unit.Duplicates)
        {
            item.Outcome = Outcome.Duplicate;
            Log(LogLevels.Info, "duplicate transaction skipped", item.Record.Kinesis.SequenceNumber, item.Parsed.Transaction, null);
        }

        foreach (var (user, update) in unit.Users)
        {
            context.Profiles[user] = update.After;
        }
    }

    // One lane: its records in order, until the first transient failure or a stop of the batch.
    private async Task RunLane(List<Item> lane, BatchContext context, BatchRun run, DateTimeOffset now, CancellationToken ct)
    {
        foreach (var item in lane)
        {
            if (run.Stopped)
            {
                return;
            }

            if (item.Outcome != Outcome.Pending)
            {
                continue;
            }

            var t = item.Parsed.Transaction!;
            var (failure, kind) = await Attempt(item, t, context, now, ct);
            if (failure is null)
            {
                continue;
            }

            if (kind == FailureKind.Permanent)
            {
                // The record's own problem: quarantined in phase 2, and the lane goes on (the record is never stored).
                item.Outcome = Outcome.ToQuarantine;
                item.RejectReason = RejectReason.Unprocessable;
                item.RejectDetail = $"scoring or storing failed permanently: {Failures.Describe(failure)}: {Truncate(failure.Message, 300)}";
                item.RejectLogDetail = $"scoring or storing failed permanently: {Failures.Describe(failure)}";
                continue;
            }

            if (kind == FailureKind.Environment)
            {
                // One every record shares: the batch stops, and the failure is logged once, by the first lane to meet it.
                item.Outcome = Outcome.Failed;
                if (run.FirstEnvironmentalFailure())
                {
                    Failed(item, failure, kind);
                }

                run.Stop();
                return;
            }

            Failed(item, failure, kind);
            run.Transient();

            return;
        }
    }

    // How a failed read records depend on is treated: transient as classified, otherwise environmental (stored rows are
    // read as data and never throw, so a permanent failure of the read is not the record's own).
    private static FailureKind DependencyKind(Exception readFailure)
    {
        var kind = Failures.Classify(readFailure);
        return kind == FailureKind.Permanent ? FailureKind.Environment : kind;
    }

    private void Failed(Item item, Exception failure, FailureKind kind)
    {
        item.Outcome = Outcome.Failed;
        Log(LogLevels.Warn, "record failed; it will be retried", item.Record.Kinesis.SequenceNumber, item.Parsed.Transaction, Failures.Describe(failure), detail: kind.ToString());
    }

    // Stores a valid record; returns what failed and how to treat it (null: done). A failed read the record depends on is
    // environmental when not transient: stored rows themselves are read as data and never throw.
    private async Task<(Exception? Failure, FailureKind Kind)> Attempt(Item item, Transaction t, BatchContext context, DateTimeOffset now, CancellationToken ct)
    {
        if (context.FailureFor(t) is { } dependency)
        {
            return (dependency, DependencyKind(dependency));
        }

        try
        {
            await Store(item, t, context, now, ct);
            return (null, default);
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            return (e, Failures.Classify(e));
        }
    }

    // What the batch needs from DynamoDB, read once: which ids are stored, each user's profile, and each user's
    // transactions in the velocity window of the batch (three kinds of calls per batch instead of per record), the
    // independent reads at once (the users' histories up to Settings.MaxConcurrency at a time). A read that fails is
    // recorded against the records that depend on it (the patterns: all; a chunk of ids or profiles: its records; a
    // user's history: that user's), never thrown: the other records of the batch are independent.
    private async Task<BatchContext> Prepare(List<Transaction> txs, DateTimeOffset now, BatchStats stats, CancellationToken ct)
    {
        var context = new BatchContext();
        if (txs.Count == 0)
        {
            return context;
        }

        bool Failed(Exception e) => e is not OperationCanceledException || !ct.IsCancellationRequested;
        async Task Patterns()
        {
            try
            {
                context.Patterns = (await ActivePatterns(now, stats, ct)).Patterns;
            }
            catch (Exception e) when (Failed(e))
            {
                context.PatternsError = e;
            }
        }

        async Task Ids(string[] chunk)
        {
            try
            {
                foreach (var id in await _store.ExistingIds(chunk, ct))
                {
                    context.Stored.TryAdd(id, 0);
                }
            }
            catch (Exception e) when (Failed(e))
            {
                foreach (var id in chunk)
                {
                    context.IdErrors[id] = e;
                }
            }
        }

        async Task Profiles(string[] chunk)
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
        Task Histories() => Parallel.ForEachAsync(txs.GroupBy(t => t.UserId, StringComparer.Ordinal),
            new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, _settings.MaxConcurrency), CancellationToken = ct }, async (user, _) =>
        {
            if (context.UserErrors.ContainsKey(user.Key))
            {
                return; // its profile could not be read: its records fail whatever the history says
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
                context.HistoryErrors[user.Key] = e;
            }
        });

        // All at once: the histories do not wait for the profiles, so a batch's reads take the longest of them, not the sum
        // of two rounds. At most MaxConcurrency history queries are in flight, besides the patterns' query and one
        // BatchGetItem per 100 ids and per 100 users (MaxConcurrency + 3 for a batch of 100 records of up to 100 users);
        // a user whose profile read has failed by the time its turn comes is not queried.
        await Task.WhenAll([
            Patterns(),
            .. txs.Select(t => t.TransactionId).Distinct(StringComparer.Ordinal).Chunk(100).Select(Ids),
            .. txs.Select(t => t.UserId).Distinct(StringComparer.Ordinal).Chunk(100).Select(Profiles),
            Histories()]);

        return context;
    }

    // Stores t; only its lane touches its user's profile and history, so those need no lock.
    private async Task Store(Item item, Transaction t, BatchContext context, DateTimeOffset now, CancellationToken ct)
    {
        var sequenceNumber = item.Record.Kinesis.SequenceNumber;
        if (context.Stored.ContainsKey(t.TransactionId))
        {
            item.Outcome = Outcome.Duplicate;
            Log(LogLevels.Info, "duplicate transaction skipped", sequenceNumber, t, null);
            return;
        }

        // The user's stored activity (any decision) from the batch's history read: the scorer counts what lies in each window.
        var history = context.Recent[t.UserId];
        for (var attempt = 0; attempt < 3; attempt++)
        {
            var state = context.Profiles[t.UserId];
            var score = FraudScorer.Score(t, state.Profile, history, context.Patterns, _settings.Rules);
            var (outcome, after) = await _store.Save(t, score, state, item.Record.EventSourceArn, sequenceNumber, now, ct);
            switch (outcome)
            {
                case SaveOutcome.Saved:
                    context.Profiles[t.UserId] = after;
                    context.Stored.TryAdd(t.TransactionId, 0);
                    history.Add(new RecentTransaction(t.Timestamp, score.ReferenceAmount));
                    item.Outcome = Outcome.Stored;
                    item.Score = score;
                    Log(LogLevels.Info, LogMessages.TransactionScored, sequenceNumber, t, null, score);
                    return;
                case SaveOutcome.Duplicate:
                    // Stored since the batch read the ids (another invocation, or a save whose answer was lost): it is in the
                    // user's history now, which the batch read before it.
                    context.Stored.TryAdd(t.TransactionId, 0);
                    history.Add(new RecentTransaction(t.Timestamp, _settings.Rules.Rates.ToReference(t.Amount, t.Currency)));
                    item.Outcome = Outcome.Duplicate;
                    Log(LogLevels.Info, "duplicate transaction skipped", sequenceNumber, t, null);
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
        Interlocked.Increment(ref stats.CorruptRows);
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

    // Where a record stands; see the class summary.
    private enum Outcome
    {
        Pending,
        Stored,
        Duplicate,
        ToQuarantine,
        Quarantined,
        Failed,
    }

    // A record of the batch, its position, what it decoded to and where it ended. Written by one lane at a time.
    private sealed class Item(int index, KinesisEventRecord record, ParseResult parsed)
    {
        public int Index { get; } = index;

        public KinesisEventRecord Record { get; } = record;

        public ParseResult Parsed { get; } = parsed;

        public Outcome Outcome { get; set; }

        public ScoreResult? Score { get; set; }

        public RejectReason RejectReason { get; set; }

        public string? RejectDetail { get; set; }

        // What the log line may carry of the reason (no exception messages: they may quote values).
        public string? RejectLogDetail { get; set; }
    }

    // Consecutive records of one lane saved in one transaction (maybe packed with other lanes' units): two rows per
    // record and one profile update per user of the lane, at most TransactionStore.MaxTransactionItems items.
    private sealed class Unit(List<Item> lane, int start)
    {
        public List<Item> Lane { get; } = lane;

        // The index in Lane of the unit's first record.
        public int Start { get; } = start;

        // The records saved, their scores and their request tokens, in the lane's order.
        public List<(Item Item, ScoreResult Score, string Token)> Saves { get; } = [];

        // Records whose transaction id an earlier record of the lane saves.
        public List<Item> Duplicates { get; } = [];

        public Dictionary<string, UserUpdate> Users { get; } = new(StringComparer.Ordinal);

        public List<TransactWriteItem> Rows { get; } = [];

        public int ItemCount => Rows.Count + Users.Count;

        // The unit's items: its rows, then each user's profile update (conditioned on the version read before the unit).
        public IEnumerable<TransactWriteItem> Items(string profilesTable) => Rows.Concat(Users.Select(p => new TransactWriteItem
        {
            Update = p.Value.Learns
                ? ProfileRows.Learn(profilesTable, p.Key, p.Value.Before, p.Value.Profile, p.Value.Saves)
                : ProfileRows.Bump(profilesTable, p.Key, p.Value.Before, p.Value.Saves),
        }));
    }

    // One user's profile in a unit: as read before it, as it stands after the unit's records, whether any learnt, how many saves.
    private sealed class UserUpdate(ProfileState before)
    {
        public ProfileState Before { get; } = before;

        public UserProfile Profile { get; set; } = before.Profile;

        public bool Learns { get; set; }

        public int Saves { get; set; }

        public ProfileState After => Before.After(Profile, Saves);
    }

    // The lanes' shared state: the stop of the batch, the count of transient failures, whether an environmental one was met.
    private sealed class BatchRun
    {
        private int _stopped;
        private int _transient;
        private int _environmental;

        public bool Stopped => Volatile.Read(ref _stopped) != 0;

        public void Stop() => Volatile.Write(ref _stopped, 1);

        // Counts one more transient failure; the MaxTransientFailures-th stops the batch.
        public void Transient()
        {
            if (Interlocked.Increment(ref _transient) >= MaxTransientFailures)
            {
                Stop();
            }
        }

        // True for the batch's first environmental failure only (the one logged).
        public bool FirstEnvironmentalFailure() => Interlocked.Exchange(ref _environmental, 1) == 0;
    }

    // What the batch read once; written concurrently while preparing, then each user's entries by that user's lane only.
    private sealed class BatchContext
    {
        public IReadOnlyList<FraudPattern> Patterns { get; set; } = [];

        // Set when the patterns could not be read: every valid record depends on them, so no lane runs.
        public Exception? PatternsError { get; set; }

        public ConcurrentDictionary<string, byte> Stored { get; } = new(StringComparer.Ordinal);

        public ConcurrentDictionary<string, Exception> IdErrors { get; } = new(StringComparer.Ordinal);

        public ConcurrentDictionary<string, ProfileState> Profiles { get; } = new(StringComparer.Ordinal);

        public ConcurrentDictionary<string, Exception> UserErrors { get; } = new(StringComparer.Ordinal);

        public ConcurrentDictionary<string, List<RecentTransaction>> Recent { get; } = new(StringComparer.Ordinal);

        // Users whose history could not be read (read alongside the profiles, so kept apart: the profile's failure is named first).
        public ConcurrentDictionary<string, Exception> HistoryErrors { get; } = new(StringComparer.Ordinal);

        // The failed read of t's own (its id, its user's profile or history), if any; the patterns are checked per batch.
        public Exception? FailureFor(Transaction t) =>
            IdErrors.GetValueOrDefault(t.TransactionId) ?? UserErrors.GetValueOrDefault(t.UserId) ?? HistoryErrors.GetValueOrDefault(t.UserId);
    }

    // The batch's counts for its metrics, from the records in the batch's order once it is done (deterministic sums).
    private sealed class BatchStats
    {
        // Counted while preparing, possibly from several reads at once.
        public int CorruptRows;

        public int Processed { get; private set; }

        public int FraudDetected { get; private set; }

        public int Duplicates { get; private set; }

        // Records the mapping delivers again: failed, not started, or not quarantined.
        public int Retried { get; private set; }

        public double ConfidenceSum { get; private set; }

        public Dictionary<RejectReason, int> Rejected { get; } = new();

        public void Count(Item item)
        {
            switch (item.Outcome)
            {
                case Outcome.Stored:
                    Processed++;
                    ConfidenceSum += item.Score!.Confidence;
                    FraudDetected += item.Score.Decision != Decision.APPROVE ? 1 : 0;
                    break;
                case Outcome.Duplicate:
                    Duplicates++;
                    break;
                case Outcome.Pending or Outcome.Failed or Outcome.ToQuarantine:
                    Retried++;
                    break;
            }
        }
    }
}
