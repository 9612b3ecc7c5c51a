using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json.Nodes;
using FraudTf.Local.Engines;
using FraudTf.Local.Streaming;
using FraudTf.Redrive;

namespace FraudTf.Local.Tests.Streaming;

/// <summary>Real time plus a settable offset: timers run in real time, and a test can jump the clock forward (record age).</summary>
internal sealed class ShiftableClock : TimeProvider
{
    private long _offsetTicks;

    public void Advance(TimeSpan by) => Interlocked.Add(ref _offsetTicks, by.Ticks);

    public override DateTimeOffset GetUtcNow() => DateTimeOffset.UtcNow.AddTicks(Interlocked.Read(ref _offsetTicks));
}

/// <summary>An in-memory Kinesis stream: shards of records, iterators "shard|index".</summary>
internal sealed class FakeKinesis(TimeProvider clock, params string[] shards) : IKinesisApi
{
    private readonly Dictionary<string, List<StreamRecord>> _shards = shards.ToDictionary(s => s, _ => new List<StreamRecord>(), StringComparer.Ordinal);
    private long _next = 49_590_000_000_000_000L;

    public int GetRecordsCalls;

    /// <summary>Appends a record to <paramref name="shard"/> (the first shard by default), arrived now.</summary>
    public StreamRecord Add(string partitionKey, string data, string? shard = null)
    {
        lock (_shards)
        {
            var seq = Interlocked.Increment(ref _next).ToString(CultureInfo.InvariantCulture) + "000000000000000000000";
            var r = new StreamRecord(seq, partitionKey, System.Text.Encoding.UTF8.GetBytes(data)) { ApproximateArrivalTimestamp = clock.GetUtcNow() };
            _shards[shard ?? _shards.Keys.First()].Add(r);
            return r;
        }
    }

    public Task<string> PutRecord(string streamName, string partitionKey, byte[] data, CancellationToken ct) => throw new NotSupportedException();

    public Task<string> ShardIteratorAt(string streamName, string shardId, string sequenceNumber, CancellationToken ct) => throw new NotSupportedException();

    public Task<IReadOnlyList<string>> ListShards(string streamName, CancellationToken ct) => Task.FromResult<IReadOnlyList<string>>(_shards.Keys.ToList());

    public Task<string> ShardIterator(string streamName, string shardId, string iteratorType, string? sequenceNumber, CancellationToken ct)
    {
        lock (_shards)
        {
            var records = _shards[shardId];
            var index = iteratorType switch
            {
                "TRIM_HORIZON" => 0,
                "LATEST" => records.Count,
                "AFTER_SEQUENCE_NUMBER" => records.FindIndex(r => r.SequenceNumber == sequenceNumber) + 1,
                _ => throw new NotSupportedException(iteratorType),
            };
            return Task.FromResult($"{shardId}|{index}");
        }
    }

    public Task<RecordsPage> GetRecords(string shardIterator, int limit, CancellationToken ct)
    {
        Interlocked.Increment(ref GetRecordsCalls);
        lock (_shards)
        {
            var (shard, index) = (shardIterator.Split('|')[0], int.Parse(shardIterator.Split('|')[1], CultureInfo.InvariantCulture));
            var records = _shards[shard].Skip(index).Take(limit).ToList();
            var behind = _shards[shard].Count - index - records.Count;
            return Task.FromResult(new RecordsPage(records, $"{shard}|{index + records.Count}", behind > 0 ? 1000 : 0));
        }
    }
}

/// <summary>A function whose answer to each batch a test scripts; it records every batch (the sequence numbers) it received.</summary>
internal sealed class ScriptedFunction(string name, Func<IReadOnlyList<JsonObject>, int, InvocationResult> answer) : IFunctionInvoker
{
    private int _calls;
    private int _running;

    public ConcurrentQueue<(int Call, IReadOnlyList<string> Sequences, IReadOnlyList<string> Keys)> Batches { get; } = new();

    public ConcurrentQueue<string> Payloads { get; } = new();

    public TimeSpan Delay { get; init; }

    public int MaxConcurrency;

    public string FunctionName => name;

    public static InvocationResult Ok(string? payload = null) => new(Guid.NewGuid().ToString(), payload ?? "null", null, null, TimeSpan.Zero);

    public static InvocationResult Error() => new(Guid.NewGuid().ToString(), null, "Unhandled", "boom", TimeSpan.Zero);

    public static InvocationResult Report(params string[] sequences) =>
        Ok(new JsonObject { ["batchItemFailures"] = new JsonArray(sequences.Select(s => (JsonNode)new JsonObject { ["itemIdentifier"] = s }).ToArray()) }.ToJsonString());

    public async Task<InvocationResult> Invoke(string payload, CancellationToken ct)
    {
        var running = Interlocked.Increment(ref _running);
        InterlockedMax(ref MaxConcurrency, running);
        try
        {
            var call = Interlocked.Increment(ref _calls);
            Payloads.Enqueue(payload);
            var records = JsonNode.Parse(payload)!["Records"]!.AsArray().Select(r => r!.AsObject()).ToList();
            Batches.Enqueue((call, records.Select(r => r["kinesis"]!["sequenceNumber"]!.GetValue<string>()).ToList(), records.Select(r => r["kinesis"]!["partitionKey"]!.GetValue<string>()).ToList()));
            if (Delay > TimeSpan.Zero)
            {
                await Task.Delay(Delay, ct);
            }

            return answer(records, call);
        }
        finally
        {
            Interlocked.Decrement(ref _running);
        }
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int seen;
        while ((seen = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, seen) != seen)
        {
        }
    }
}

internal sealed class MemoryDestination : IFailedBatchDestination
{
    public ConcurrentQueue<DiscardedBatch> Sent { get; } = new();

    public Task Send(DiscardedBatch batch, CancellationToken ct)
    {
        Sent.Enqueue(batch);
        return Task.CompletedTask;
    }
}

internal sealed class MemoryMetrics : IMetricSink
{
    public ConcurrentQueue<Datapoint> Points { get; } = new();

    public void Put(Datapoint datapoint) => Points.Enqueue(datapoint);
}

internal sealed class MemoryQueues : IQueueSender
{
    public ConcurrentQueue<(string Arn, string Body)> Sent { get; } = new();

    public Task Send(string queueArn, string body, IReadOnlyDictionary<string, string>? attributes, CancellationToken ct)
    {
        Sent.Enqueue((queueArn, body));
        return Task.CompletedTask;
    }
}

/// <summary>Runs a poller until it drains (or the test's time limit passes), then stops it.</summary>
internal static class Runner
{
    public static async Task RunUntilDrained(Func<CancellationToken, Task> run, Func<CancellationToken, Task> drain, int seconds = 20)
    {
        using var stop = new CancellationTokenSource();
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(seconds));
        var running = run(stop.Token);
        try
        {
            await drain(limit.Token);
        }
        catch (OperationCanceledException)
        {
            Assert.Fail($"did not drain within {seconds} s");
        }
        finally
        {
            await stop.CancelAsync();
            await running;
        }
    }
}

/// <summary>The engines of tools/Local/Engines (the ones <c>make local</c> runs), for the integration tests: in memory or a temporary data folder, on a free port of 127.0.0.1, killed on dispose.</summary>
internal static class Engine
{
    /// <summary>kinesalite, in memory, streams ACTIVE at once.</summary>
    public static Task<EngineProcess> Kinesalite() => Engines.Engines.Kinesalite(Repo.Root(), null, CancellationToken.None);

    /// <summary>DynamoDB Local, in memory.</summary>
    public static Task<EngineProcess> DynamoDbLocal() => Engines.Engines.DynamoDbLocal(Repo.Root(), null, CancellationToken.None);

    /// <summary>s3rver with a temporary data folder (fixed credentials S3RVER/S3RVER).</summary>
    public static Task<EngineProcess> S3rver() => Engines.Engines.S3rver(Repo.Root(), null, CancellationToken.None);
}
