using System.Collections.Concurrent;
using System.Numerics;

namespace FraudTf.Local.Streaming;

/// <summary>What a stream poller has done so far (read at any time; the counts only grow).</summary>
public sealed class StreamCounters
{
    private long _batches;
    private long _delivered;
    private long _recordsInvoked;
    private long _retried;
    private long _bisections;
    private long _discardedBatches;
    private long _discardedRecords;
    private long _filteredOut;

    /// <summary>Invocations of the target (every attempt of every batch and bisected half).</summary>
    public long Batches => Interlocked.Read(ref _batches);

    /// <summary>Records the target accepted.</summary>
    public long RecordsDelivered => Interlocked.Read(ref _delivered);

    /// <summary>Records passed to the function or target, counting every attempt (a record of a retried or bisected batch counts again).</summary>
    public long RecordsInvoked => Interlocked.Read(ref _recordsInvoked);

    /// <summary>Retries: a failed (or partially failed) batch invoked again, counted against <c>maximum_retry_attempts</c>.</summary>
    public long RetriedBatches => Interlocked.Read(ref _retried);

    /// <summary>Failed batches split in two (counted against no retry quota).</summary>
    public long Bisections => Interlocked.Read(ref _bisections);

    /// <summary>Batches discarded after the retries or the record age ran out (each sent to the failure destination).</summary>
    public long DiscardedBatches => Interlocked.Read(ref _discardedBatches);

    /// <summary>Records in those batches.</summary>
    public long DiscardedRecords => Interlocked.Read(ref _discardedRecords);

    /// <summary>Records a filter dropped before batching (pipes).</summary>
    public long FilteredOut => Interlocked.Read(ref _filteredOut);

    /// <summary>Per shard, the sequence number of the last record such that it and every record before it were delivered or discarded.</summary>
    public ConcurrentDictionary<string, string> Checkpoints { get; } = new(StringComparer.Ordinal);

    internal void Invoked() => Interlocked.Increment(ref _batches);

    internal void Delivered(int n) => Interlocked.Add(ref _delivered, n);

    internal void InvokedWith(int n) => Interlocked.Add(ref _recordsInvoked, n);

    internal void Retried() => Interlocked.Increment(ref _retried);

    internal void Bisected() => Interlocked.Increment(ref _bisections);

    internal void Filtered(int n) => Interlocked.Add(ref _filteredOut, n);

    internal void Discarded(int n)
    {
        Interlocked.Increment(ref _discardedBatches);
        Interlocked.Add(ref _discardedRecords, n);
    }
}

/// <summary>How one invocation of a batch ended.</summary>
internal enum BatchOutcomeKind
{
    Success,
    Failed,
    Partial,
}

/// <summary>The outcome of one invocation: success, a whole-batch failure, or a partial failure from <paramref name="FirstFailed"/> on.</summary>
internal sealed record BatchOutcome(BatchOutcomeKind Kind, int FirstFailed = 0, string? FunctionError = null, string? RequestId = null)
{
    public static readonly BatchOutcome Success = new(BatchOutcomeKind.Success);
}

/// <summary>The retry settings shared by Lambda's stream event source mappings and stream-sourced pipes.</summary>
/// <param name="MaximumRetryAttempts">Retries of a failed batch; -1: until the records expire.</param>
/// <param name="MaximumRecordAgeSeconds">Records older than this are discarded before an invocation; -1: never.</param>
/// <param name="BisectOnFailure">Split a batch that failed as a whole in two (Lambda's <c>bisect_batch_on_function_error</c>).</param>
/// <param name="BisectOnPartialFailure">Split a partially failed batch in two instead of retrying from its first failure (Pipes' <c>AUTOMATIC_BISECT</c>).</param>
internal sealed record RetrySettings(int MaximumRetryAttempts, int MaximumRecordAgeSeconds, bool BisectOnFailure, bool BisectOnPartialFailure);

/// <summary>One page read from a shard.</summary>
internal sealed record SourcePage<T>(IReadOnlyList<T> Records, string? NextIterator, bool CaughtUp);

/// <summary>A shard of a stream and its parent (a child is read only once its parent is read and processed).</summary>
internal sealed record ShardInfo(string ShardId, string? ParentShardId);

/// <summary>A stream as a poller reads it.</summary>
internal interface IShardSource<T>
{
    Task<IReadOnlyList<ShardInfo>> Shards(CancellationToken ct);

    /// <summary>An iterator at the starting position (no <paramref name="afterSequence"/>) or just after a checkpoint.</summary>
    Task<string> Iterator(string shardId, string? afterSequence, CancellationToken ct);

    Task<SourcePage<T>> Read(string shardId, string iterator, int limit, CancellationToken ct);

    string Sequence(T record);

    DateTimeOffset Arrival(T record);

    /// <summary>The key that picks a record's lane when the parallelization factor is above 1 (order is kept per key).</summary>
    string LaneKey(T record);

    /// <summary>Approximate bytes the record adds to an invocation payload.</summary>
    int Size(T record);
}

/// <summary>What a poller does with a batch.</summary>
internal interface IBatchHandler<T>
{
    /// <summary>Invokes the target once with <paramref name="batch"/> (<paramref name="attempt"/> is 1 for the first try).</summary>
    Task<BatchOutcome> Invoke(string shardId, IReadOnlyList<T> batch, int attempt, CancellationToken ct);

    /// <summary>Sends a record of the discarded batch to the failure destination.</summary>
    Task Discard(string shardId, IReadOnlyList<T> batch, string condition, int invokeCount, BatchOutcome? last, CancellationToken ct);

    /// <summary>Called after each read (metrics).</summary>
    void OnRead(string shardId, IReadOnlyList<T> records);
}

/// <summary>
/// The polling engine behind <see cref="KinesisEventSourceMapping"/> and the DynamoDB stream pipe: a reader per shard, the
/// shard's records split into lanes by key, batches gathered per lane up to a size or a window, each batch run through
/// RunBatch (retries, bisection, record age, discard), and a checkpoint per shard.
/// </summary>
internal sealed class StreamPoller<T>
{
    private readonly IShardSource<T> _source;
    private readonly IBatchHandler<T> _handler;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<string, ShardState> _shards = new(StringComparer.Ordinal);
    private volatile bool _discovered;

    public StreamPoller(IShardSource<T> source, IBatchHandler<T> handler, TimeProvider time, int batchSize, TimeSpan window, int parallelization, RetrySettings retry, Func<T, bool>? keep = null)
    {
        _source = source;
        _handler = handler;
        _time = time;
        BatchSize = batchSize;
        Window = window;
        Parallelization = Math.Max(1, parallelization);
        Retry = retry;
        Keep = keep;
    }

    public int BatchSize { get; }

    public TimeSpan Window { get; }

    public int Parallelization { get; }

    public RetrySettings Retry { get; }

    public Func<T, bool>? Keep { get; }

    public StreamCounters Counters { get; } = new();

    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    public Func<int, TimeSpan> Backoff { get; set; } = DefaultBackoff;

    /// <summary>Most bytes of one invocation payload (Lambda's synchronous invocation limit, 6 MB).</summary>
    public int MaxBatchBytes { get; set; } = 6 * 1024 * 1024;

    public Exception? LastError { get; private set; }

    /// <summary>500 ms doubling per retry, at most 30 s.</summary>
    public static TimeSpan DefaultBackoff(int retry) => TimeSpan.FromMilliseconds(Math.Min(30_000, 500 * Math.Pow(2, Math.Max(0, retry - 1))));

    /// <summary>Runs until <paramref name="ct"/> is cancelled.</summary>
    public async Task Run(CancellationToken ct)
    {
        var running = new List<Task>();
        try
        {
            while (!ct.IsCancellationRequested)
            {
                try
                {
                    foreach (var shard in await _source.Shards(ct))
                    {
                        _shards.TryAdd(shard.ShardId, new ShardState(shard));
                    }

                    foreach (var state in _shards.Values.Where(s => !s.Started && ParentDone(s)).ToList())
                    {
                        state.Started = true;
                        running.Add(RunShard(state, ct));
                    }

                    _discovered = true;
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    LastError = e;
                }

                await Task.Delay(PollInterval, _time, ct);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }

        try
        {
            await Task.WhenAll(running);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
    }

    /// <summary>Completes once every shard is read to its tip and nothing is in flight or waiting for a retry.</summary>
    public async Task Drain(CancellationToken ct)
    {
        while (!(_discovered && _shards.Values.All(s => s.Started && s.Idle)))
        {
            await Task.Delay(TimeSpan.FromMilliseconds(20), ct);
        }
    }

    private bool ParentDone(ShardState s) =>
        s.Shard.ParentShardId is not { } parent || !_shards.TryGetValue(parent, out var p) || (p.Finished && p.Idle);

    private async Task RunShard(ShardState state, CancellationToken ct)
    {
        var lanes = Enumerable.Range(0, Parallelization).Select(_ => new LaneQueue()).ToArray();
        var workers = lanes.Select(lane => RunLane(state, lane, ct)).ToList();
        var shardId = state.Shard.ShardId;
        string? iterator = null;
        var limit = Math.Clamp(BatchSize * Parallelization, 100, 10_000);
        try
        {
            while (!ct.IsCancellationRequested)
            {
                while (state.Pending > Math.Max(limit, BatchSize * Parallelization * 4))
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(10), ct);
                }

                SourcePage<T> page;
                try
                {
                    iterator ??= await _source.Iterator(shardId, state.LastRead, ct);
                    page = await _source.Read(shardId, iterator, limit, ct);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // An expired or invalid iterator, or an engine hiccup: start again just after the last record read.
                    LastError = e;
                    iterator = null;
                    await Task.Delay(PollInterval, _time, ct);
                    continue;
                }

                _handler.OnRead(shardId, page.Records);
                var kept = new List<T>();
                lock (state)
                {
                    foreach (var record in page.Records)
                    {
                        var seq = _source.Sequence(record);
                        state.LastRead = seq;
                        var k = Keep?.Invoke(record) ?? true;
                        state.Read(seq, done: !k);
                        if (k)
                        {
                            kept.Add(record);
                        }
                    }

                    Counters.Filtered(page.Records.Count - kept.Count);
                    PublishCheckpoint(state);
                    state.AtTip = page.CaughtUp || page.NextIterator is null;
                    state.Finished = page.NextIterator is null;
                }

                // A page reaches each lane at once, so a batch without a window holds what one read returned.
                foreach (var group in kept.GroupBy(r => Lane(_source.LaneKey(r))))
                {
                    lanes[group.Key].Add(group);
                }

                if (page.NextIterator is null)
                {
                    break;
                }

                iterator = page.NextIterator;
                if (page.Records.Count == 0 || page.CaughtUp)
                {
                    await Task.Delay(PollInterval, _time, ct);
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
        finally
        {
            foreach (var lane in lanes)
            {
                lane.Complete();
            }
        }

        await Task.WhenAll(workers);
    }

    private int Lane(string key)
    {
        if (Parallelization == 1)
        {
            return 0;
        }

        // Kinesis maps a partition key to a 128-bit integer with MD5; the lane is that hash modulo the factor.
        var hash = System.Security.Cryptography.MD5.HashData(System.Text.Encoding.UTF8.GetBytes(key));
        return (int)(BitConverter.ToUInt64(hash, 0) % (ulong)Parallelization);
    }

    private async Task RunLane(ShardState state, LaneQueue lane, CancellationToken ct)
    {
        try
        {
            while (true)
            {
                if (lane.IsEmpty)
                {
                    if (lane.Completed)
                    {
                        return;
                    }

                    await lane.Wait(Timeout.InfiniteTimeSpan, ct);
                    continue;
                }

                var batch = new List<T>();
                var bytes = 0;
                var deadline = _time.GetUtcNow() + Window;
                while (true)
                {
                    var full = lane.Take(batch, BatchSize, MaxBatchBytes, ref bytes, _source.Size);
                    var remaining = deadline - _time.GetUtcNow();
                    if (full || remaining <= TimeSpan.Zero || (lane.Completed && lane.IsEmpty))
                    {
                        break;
                    }

                    await lane.Wait(remaining, ct);
                }

                await RunBatch(state.Shard.ShardId, batch, ct, done: records => Done(state, records));
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
    }

    /// <summary>The records of one lane, in order; a signal for the lane's worker when records arrive.</summary>
    private sealed class LaneQueue
    {
        private readonly Queue<T> _items = new();
        private readonly SemaphoreSlim _signal = new(0);
        private volatile bool _completed;

        public bool Completed => _completed;

        public bool IsEmpty
        {
            get
            {
                lock (_items)
                {
                    return _items.Count == 0;
                }
            }
        }

        public void Add(IEnumerable<T> records)
        {
            lock (_items)
            {
                foreach (var r in records)
                {
                    _items.Enqueue(r);
                }
            }

            _signal.Release();
        }

        public void Complete()
        {
            _completed = true;
            _signal.Release();
        }

        /// <summary>Moves records into <paramref name="batch"/> up to the count and byte limits; true when the batch is full.</summary>
        public bool Take(List<T> batch, int max, int maxBytes, ref int bytes, Func<T, int> size)
        {
            lock (_items)
            {
                while (batch.Count < max && _items.Count > 0)
                {
                    var s = size(_items.Peek());
                    if (batch.Count > 0 && bytes + s > maxBytes)
                    {
                        return true;
                    }

                    batch.Add(_items.Dequeue());
                    bytes += s;
                }

                return batch.Count >= max;
            }
        }

        public Task Wait(TimeSpan timeout, CancellationToken ct) => _signal.WaitAsync(timeout, ct);
    }

    private void Done(ShardState state, IEnumerable<T> records)
    {
        lock (state)
        {
            foreach (var r in records)
            {
                state.Complete(_source.Sequence(r));
            }

            PublishCheckpoint(state);
        }
    }

    private void PublishCheckpoint(ShardState state)
    {
        if (state.Checkpoint is { } c)
        {
            Counters.Checkpoints[state.Shard.ShardId] = c;
        }
    }

    /// <summary>
    /// Runs one batch to its end: invoke; on success mark it done; on a partial failure mark the records before the first
    /// failure done and retry from it (or bisect, for <see cref="RetrySettings.BisectOnPartialFailure"/>); on a whole failure
    /// bisect (without using a retry) or retry; discard what is older than the record age before each invocation, and the
    /// batch once the retries are used up.
    /// </summary>
    internal Task RunBatch(string shardId, IReadOnlyList<T> batch, CancellationToken ct, Action<IEnumerable<T>> done) =>
        RunBatch(shardId, batch, 0, ct, done);

    private async Task RunBatch(string shardId, IReadOnlyList<T> batch, int retries, CancellationToken ct, Action<IEnumerable<T>> done)
    {
        BatchOutcome? last = null;
        var invokes = 0;
        while (batch.Count > 0)
        {
            if (Retry.MaximumRecordAgeSeconds >= 0)
            {
                var cutoff = _time.GetUtcNow() - TimeSpan.FromSeconds(Retry.MaximumRecordAgeSeconds);
                var expired = batch.TakeWhile(r => _source.Arrival(r) < cutoff).ToList();
                if (expired.Count > 0)
                {
                    await Discard(shardId, expired, "RecordAgeExceeded", invokes, last, ct, done);
                    batch = batch.Skip(expired.Count).ToList();
                    continue;
                }
            }

            Counters.Invoked();
            Counters.InvokedWith(batch.Count);
            invokes++;
            last = await _handler.Invoke(shardId, batch, retries + 1, ct);
            switch (last.Kind)
            {
                case BatchOutcomeKind.Success:
                    Counters.Delivered(batch.Count);
                    done(batch);
                    return;
                case BatchOutcomeKind.Partial when last.FirstFailed > 0 && !Retry.BisectOnPartialFailure:
                    Counters.Delivered(last.FirstFailed);
                    done(batch.Take(last.FirstFailed));
                    batch = batch.Skip(last.FirstFailed).ToList();
                    break;
                default:
                    var bisect = last.Kind == BatchOutcomeKind.Partial ? Retry.BisectOnPartialFailure || Retry.BisectOnFailure : Retry.BisectOnFailure;
                    if (bisect && batch.Count > 1)
                    {
                        Counters.Bisected();
                        var half = (batch.Count + 1) / 2;
                        await RunBatch(shardId, batch.Take(half).ToList(), retries, ct, done);
                        await RunBatch(shardId, batch.Skip(half).ToList(), retries, ct, done);
                        return;
                    }

                    break;
            }

            if (Retry.MaximumRetryAttempts >= 0 && retries >= Retry.MaximumRetryAttempts)
            {
                await Discard(shardId, batch, "RetryAttemptsExhausted", invokes, last, ct, done);
                return;
            }

            retries++;
            Counters.Retried();
            await Task.Delay(Backoff(retries), _time, ct);
        }
    }

    private async Task Discard(string shardId, IReadOnlyList<T> batch, string condition, int invokes, BatchOutcome? last, CancellationToken ct, Action<IEnumerable<T>> done)
    {
        await _handler.Discard(shardId, batch, condition, invokes, last, ct);
        Counters.Discarded(batch.Count);
        done(batch);
    }

    private sealed class ShardState(ShardInfo shard)
    {
        private readonly Queue<BigInteger> _order = new();
        private readonly Dictionary<BigInteger, string> _text = [];
        private readonly HashSet<BigInteger> _done = [];

        public ShardInfo Shard { get; } = shard;

        public bool Started { get; set; }

        public volatile bool AtTip;

        public volatile bool Finished;

        public string? LastRead { get; set; }

        public string? Checkpoint { get; private set; }

        public int Pending
        {
            get
            {
                lock (this)
                {
                    return _order.Count;
                }
            }
        }

        public bool Idle => AtTip && Pending == 0;

        public void Read(string seq, bool done)
        {
            var n = BigInteger.Parse(seq, CultureInfo.InvariantCulture);
            _order.Enqueue(n);
            _text[n] = seq;
            if (done)
            {
                Complete(seq);
            }
        }

        public void Complete(string seq)
        {
            _done.Add(BigInteger.Parse(seq, CultureInfo.InvariantCulture));
            while (_order.Count > 0 && _done.Remove(_order.Peek()))
            {
                var n = _order.Dequeue();
                Checkpoint = _text[n];
                _text.Remove(n);
            }
        }
    }
}
