using System.Collections.Concurrent;
using System.Reflection;
using System.Net;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Amazon.S3;
using Amazon.S3.Model;
using Amazon.SQS;
using Amazon.SQS.Model;

namespace FraudTf.Functions.Tests.Integration;

/// <summary>
/// An IAmazonSQS that records SendMessage calls (no SQS emulator runs on this machine). Any other call fails the test,
/// so the code under test cannot silently depend on more of SQS than this fake knows. Like SQS, it refuses a message
/// larger than the queue's maximum message size (256 KiB by default, counting the body and every attribute's name,
/// type and value: SQS developer guide, "Amazon SQS message quotas"), with SQS's InvalidParameterValue error.
/// </summary>
public class RecordingSqs : DispatchProxy
{
    /// <summary>Messages sent, in order.</summary>
    public ConcurrentQueue<SendMessageRequest> Sent { get; } = new();

    /// <summary>When set, the next sends fail with this exception (a transient SQS failure).</summary>
    public Exception? FailWith { get; set; }

    /// <summary>When &gt; 0 (with <see cref="FailWith"/> set), only this many sends fail; then <see cref="FailWith"/> is cleared.</summary>
    public int FailCount { get; set; }

    /// <summary>The queue's maximum message size in bytes (SQS default 262,144).</summary>
    public int MaxMessageBytes { get; set; } = 262_144;

    /// <summary>Sends refused for their size, in order.</summary>
    public ConcurrentQueue<SendMessageRequest> Refused { get; } = new();

    /// <summary>Creates the fake.</summary>
    public static (IAmazonSQS Client, RecordingSqs Fake) Create()
    {
        var client = Create<IAmazonSQS, RecordingSqs>();
        return (client, (RecordingSqs)(object)client);
    }

    /// <inheritdoc />
    protected override object? Invoke(MethodInfo? method, object?[]? args)
    {
        if (method?.Name == nameof(IAmazonSQS.SendMessageAsync) && args?[0] is SendMessageRequest request)
        {
            if (FailWith is not null)
            {
                var failure = FailWith;
                if (FailCount > 0 && --FailCount == 0)
                {
                    FailWith = null;
                }

                return Task.FromException<SendMessageResponse>(failure);
            }

            var size = System.Text.Encoding.UTF8.GetByteCount(request.MessageBody) + (request.MessageAttributes ?? []).Sum(a =>
                System.Text.Encoding.UTF8.GetByteCount(a.Key) + System.Text.Encoding.UTF8.GetByteCount(a.Value.DataType ?? "")
                + System.Text.Encoding.UTF8.GetByteCount(a.Value.StringValue ?? "") + (a.Value.BinaryValue?.Length ?? 0));
            if (size > MaxMessageBytes)
            {
                Refused.Enqueue(request);
                return Task.FromException<SendMessageResponse>(new AmazonSQSException(
                    $"One or more parameters are invalid. Reason: Message must be shorter than {MaxMessageBytes} bytes.")
                {
                    ErrorCode = "InvalidParameterValue",
                    StatusCode = HttpStatusCode.BadRequest,
                });
            }

            Sent.Enqueue(request);
            return Task.FromResult(new SendMessageResponse { MessageId = Guid.NewGuid().ToString() });
        }

        if (method?.Name == nameof(IDisposable.Dispose))
        {
            return null;
        }

        throw new NotSupportedException($"RecordingSqs does not support {method?.Name}");
    }
}

/// <summary>
/// Wraps the real DynamoDB Local client and makes the next N TransactWriteItems calls fail with DynamoDB's
/// throttling error, as a busy table would: everything else goes to the real engine. It can also throttle only one
/// user's writes or history queries (a hot partition), and replay a committed TransactWriteItems once with the same
/// request, as the SDK does when a response is lost (its retry reuses the request and its ClientRequestToken).
/// </summary>
public class ThrottlingDynamo : DispatchProxy
{
    private IAmazonDynamoDB _inner = null!;

    /// <summary>How many TransactWriteItems calls still fail.</summary>
    public int ThrottleNextWrites { get => Volatile.Read(ref _throttleNextWrites); set => Volatile.Write(ref _throttleNextWrites, value); }

    private int _throttleNextWrites;

    /// <summary>When set, TransactWriteItems calls that write this user's transaction fail (while <see cref="ThrottleUserWrites"/> &gt; 0).</summary>
    public string? ThrottleUser { get; set; }

    /// <summary>How many of <see cref="ThrottleUser"/>'s writes still fail.</summary>
    public int ThrottleUserWrites { get => Volatile.Read(ref _throttleUserWrites); set => Volatile.Write(ref _throttleUserWrites, value); }

    private int _throttleUserWrites;

    /// <summary>When set, TransactWriteItems calls that write this user's transaction fail with <see cref="WriteFailure"/>.</summary>
    public string? FailWritesOf { get; set; }

    /// <summary>The error of <see cref="FailWritesOf"/>'s writes (e.g. a ValidationException).</summary>
    public Exception? WriteFailure { get; set; }

    /// <summary>When set, every Query of the active patterns (the byActiveStatus index) fails with it.</summary>
    public Exception? PatternsFailure { get; set; }

    /// <summary>When set, Query calls for this user's history (the byUserTime index) fail (while <see cref="ThrottleUserQueries"/> &gt; 0).</summary>
    public string? ThrottleQueriesOf { get; set; }

    /// <summary>How many of <see cref="ThrottleQueriesOf"/>'s queries still fail.</summary>
    public int ThrottleUserQueries { get => Volatile.Read(ref _throttleUserQueries); set => Volatile.Write(ref _throttleUserQueries, value); }

    private int _throttleUserQueries;

    /// <summary>How many of the next TransactWriteItems calls are sent twice (the second time as the SDK's retry of a lost response).</summary>
    public int ReplayNextWrites { get => Volatile.Read(ref _replayNextWrites); set => Volatile.Write(ref _replayNextWrites, value); }

    private int _replayNextWrites;

    /// <summary>How many of the next TransactWriteItems calls commit and then fail with a 500 InternalServerError, as a
    /// lost answer after the SDK's retries would look: the client cannot tell whether they were written.</summary>
    public int CommitThenFailNextWrites { get => Volatile.Read(ref _commitThenFail); set => Volatile.Write(ref _commitThenFail, value); }

    private int _commitThenFail;

    /// <summary>Transaction ids whose next TransactWriteItems calls fail (id: how many times), whatever the user.</summary>
    public ConcurrentDictionary<string, int> ThrottleTransactions { get; } = new(StringComparer.Ordinal);

    /// <summary>When set, how long each TransactWriteItems call waits before it reaches the engine, by the user of its first row (a slow partition).</summary>
    public Func<string, TimeSpan>? WriteDelay { get; set; }

    /// <summary>(user, transaction id) of every transaction row of the TransactWriteItems calls that reached the engine, in the order the calls started (a call's rows in its order).</summary>
    public ConcurrentQueue<(string User, string TransactionId)> Writes { get; } = new();

    /// <summary>The most TransactWriteItems calls that were in flight at once.</summary>
    public int MaxWritesInFlight => Volatile.Read(ref _maxInFlight);

    private int _inFlight;
    private int _maxInFlight;

    /// <summary>The number of items of every TransactWriteItems call that reached the engine, in the order the calls started.</summary>
    public ConcurrentQueue<int> ItemsPerWrite { get; } = new();

    /// <summary>When set, runs once before the next TransactWriteItems call reaches the engine (another writer's change
    /// between the processor's reads and its save), then is cleared.</summary>
    public Func<Task>? BeforeNextWrite { get => Volatile.Read(ref _beforeNextWrite); set => Volatile.Write(ref _beforeNextWrite, value); }

    private Func<Task>? _beforeNextWrite;

    /// <summary>When set, BatchGetItem calls that read this table fail with <see cref="BatchGetFailure"/>.</summary>
    public string? FailBatchGetsOn { get; set; }

    /// <summary>The error of the BatchGetItem calls of <see cref="FailBatchGetsOn"/>.</summary>
    public Exception? BatchGetFailure { get; set; }

    /// <summary>When set, every BatchGetItem call first waits until a Query of a user's history (the byUserTime index) has
    /// started, at most 10 s, and fails if none has: "*" for any user's, else that user's. A batch then completes only
    /// when the histories are read alongside the BatchGets; with <see cref="FailBatchGetsOn"/>, the BatchGet fails after it.</summary>
    public string? BatchGetsWaitForTheHistoryOf { get; set; }

    private readonly ConcurrentDictionary<string, TaskCompletionSource> _historyQueried = new(StringComparer.Ordinal);

    private TaskCompletionSource HistoryQueried(string user) => _historyQueried.GetOrAdd(user, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));

    /// <summary>The ClientRequestToken of every TransactWriteItems call that reached the engine, in order.</summary>
    public ConcurrentQueue<string?> Tokens { get; } = new();

    /// <summary>Wraps <paramref name="inner"/>.</summary>
    public static (IAmazonDynamoDB Client, ThrottlingDynamo Control) Wrap(IAmazonDynamoDB inner)
    {
        var client = Create<IAmazonDynamoDB, ThrottlingDynamo>();
        var control = (ThrottlingDynamo)(object)client;
        control._inner = inner;
        return (client, control);
    }

    private static ProvisionedThroughputExceededException Throttled() =>
        new("The level of configured provisioned throughput for the table was exceeded") { ErrorCode = "ProvisionedThroughputExceededException", StatusCode = System.Net.HttpStatusCode.BadRequest };

    /// <inheritdoc />
    protected override object? Invoke(MethodInfo? method, object?[]? args)
    {
        if (method?.Name == nameof(IAmazonDynamoDB.TransactWriteItemsAsync) && args?[0] is TransactWriteItemsRequest write)
        {
            // The transaction rows of the call, in its order: the stream processor saves one record per call, or several
            // records of several users together. A condition below holds for a call when it holds for any of its rows
            // (a throttled partition fails every transaction that touches it), and a count is taken once per call.
            var rows = write.TransactItems.Select(i => i.Put).OfType<Put>()
                .Where(p => p.TableName.EndsWith("-transactions", StringComparison.Ordinal) && p.Item.ContainsKey("userId") && p.Item.ContainsKey("transactionId"))
                .Select(p => (User: p.Item["userId"].S, TransactionId: p.Item["transactionId"].S)).ToList();
            var users = rows.Select(r => r.User).ToHashSet(StringComparer.Ordinal);
            if (Take(ref _throttleNextWrites))
            {
                return Task.FromException<TransactWriteItemsResponse>(Throttled());
            }

            if (ThrottleUser is not null && users.Contains(ThrottleUser) && Take(ref _throttleUserWrites))
            {
                return Task.FromException<TransactWriteItemsResponse>(Throttled());
            }

            var throttled = false;
            foreach (var (_, transactionId) in rows)
            {
                if (ThrottleTransactions.TryGetValue(transactionId, out var left) && left > 0 && ThrottleTransactions.TryUpdate(transactionId, left - 1, left))
                {
                    throttled = true;
                }
            }

            if (throttled)
            {
                return Task.FromException<TransactWriteItemsResponse>(Throttled());
            }

            if (FailWritesOf is not null && users.Contains(FailWritesOf) && WriteFailure is not null)
            {
                return Task.FromException<TransactWriteItemsResponse>(WriteFailure);
            }

            if (Take(ref _replayNextWrites))
            {
                return WriteTwice(write, args.Length > 1 && args[1] is CancellationToken ct ? ct : CancellationToken.None);
            }

            Tokens.Enqueue(write.ClientRequestToken);
            var tracked = Tracked(write, rows, args.Length > 1 && args[1] is CancellationToken token ? token : CancellationToken.None);
            return Take(ref _commitThenFail) ? FailAfter(tracked) : tracked;
        }

        if (method?.Name == nameof(IAmazonDynamoDB.QueryAsync) && args?[0] is QueryRequest { IndexName: FraudTf.Functions.Shared.Tables.TransactionAttributes.ByUserTimeIndex } history)
        {
            HistoryQueried("*").TrySetResult();
            if (history.ExpressionAttributeValues?.GetValueOrDefault(":u")?.S is { } historyOf)
            {
                HistoryQueried(historyOf).TrySetResult();
            }
        }

        if (method?.Name == nameof(IAmazonDynamoDB.BatchGetItemAsync) && args?[0] is BatchGetItemRequest batchGet)
        {
            return BatchGet(method, args, batchGet);
        }

        if (method?.Name == nameof(IAmazonDynamoDB.QueryAsync) && args?[0] is QueryRequest { IndexName: FraudTf.Functions.Shared.Tables.PatternAttributes.ByActiveStatusIndex }
            && PatternsFailure is { } patternsFailure)
        {
            return Task.FromException<QueryResponse>(patternsFailure);
        }

        if (method?.Name == nameof(IAmazonDynamoDB.QueryAsync) && args?[0] is QueryRequest query && ThrottleQueriesOf is not null
            && query.ExpressionAttributeValues is { } values && values.TryGetValue(":u", out var queried) && queried.S == ThrottleQueriesOf && Take(ref _throttleUserQueries))
        {
            return Task.FromException<QueryResponse>(Throttled());
        }

        try
        {
            return method!.Invoke(_inner, args);
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            throw e.InnerException;
        }
    }

    private async Task<BatchGetItemResponse> BatchGet(MethodInfo method, object?[] args, BatchGetItemRequest request)
    {
        if (BatchGetsWaitForTheHistoryOf is { } user)
        {
            var queried = HistoryQueried(user).Task;
            if (await Task.WhenAny(queried, Task.Delay(TimeSpan.FromSeconds(10))) != queried)
            {
                throw new InvalidOperationException($"no history ({user}) was queried while the BatchGetItem calls were waiting");
            }
        }

        if (FailBatchGetsOn is { } table && request.RequestItems.ContainsKey(table) && BatchGetFailure is { } failure)
        {
            throw failure;
        }

        try
        {
            return await (Task<BatchGetItemResponse>)method.Invoke(_inner, args)!;
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            throw e.InnerException;
        }
    }

    // Forwards a write, recording its order and how many are in flight, after the user's delay.
    private async Task<TransactWriteItemsResponse> Tracked(TransactWriteItemsRequest write, List<(string User, string TransactionId)> rows, CancellationToken ct)
    {
        if (Interlocked.Exchange(ref _beforeNextWrite, null) is { } before)
        {
            await before();
        }

        ItemsPerWrite.Enqueue(write.TransactItems.Count);
        foreach (var row in rows)
        {
            Writes.Enqueue(row);
        }

        var user = rows.Count > 0 ? rows[0].User : "";
        var inFlight = Interlocked.Increment(ref _inFlight);
        for (var max = Volatile.Read(ref _maxInFlight); inFlight > max; max = Volatile.Read(ref _maxInFlight))
        {
            Interlocked.CompareExchange(ref _maxInFlight, inFlight, max);
        }

        try
        {
            if (WriteDelay?.Invoke(user) is { } delay && delay > TimeSpan.Zero)
            {
                await Task.Delay(delay, ct);
            }

            return await _inner.TransactWriteItemsAsync(write, ct);
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
        }
    }

    private static async Task<TransactWriteItemsResponse> FailAfter(Task<TransactWriteItemsResponse> committed)
    {
        await committed;
        throw new AmazonDynamoDBException("We encountered an internal error. Please try again.") { ErrorCode = "InternalServerError", StatusCode = System.Net.HttpStatusCode.InternalServerError };
    }

    // Takes one from a counter shared by concurrent calls (the stream processor saves several users' records at once).
    private static bool Take(ref int counter)
    {
        for (var seen = Volatile.Read(ref counter); seen > 0; seen = Volatile.Read(ref counter))
        {
            if (Interlocked.CompareExchange(ref counter, seen - 1, seen) == seen)
            {
                return true;
            }
        }

        return false;
    }

    // The first call commits; its response is "lost", and the same request goes again, as the SDK's retry would.
    private async Task<TransactWriteItemsResponse> WriteTwice(TransactWriteItemsRequest write, CancellationToken ct)
    {
        Tokens.Enqueue(write.ClientRequestToken);
        await _inner.TransactWriteItemsAsync(write, ct);
        Tokens.Enqueue(write.ClientRequestToken);
        return await _inner.TransactWriteItemsAsync(write, ct);
    }
}

/// <summary>
/// An IAmazonS3 in front of s3rver (or of nothing) whose next PutObject calls fail with a given error, as S3 would
/// answer them (throttling with 503 SlowDown, a refusal with 403 AccessDenied). Without an inner client every call
/// fails the test: for functions that must not touch S3 in a test.
/// </summary>
public class ScriptedS3 : DispatchProxy
{
    private IAmazonS3? _inner;

    /// <summary>When set, PutObject fails with it.</summary>
    public AmazonS3Exception? FailPutsWith { get; set; }

    /// <summary>When &gt; 0, only this many puts fail; then <see cref="FailPutsWith"/> is cleared.</summary>
    public int FailCount { get; set; }

    /// <summary>PutObject calls seen (failed or not), by key.</summary>
    public ConcurrentQueue<string> Puts { get; } = new();

    /// <summary>Wraps <paramref name="inner"/> (null: no S3 at all).</summary>
    public static (IAmazonS3 Client, ScriptedS3 Control) Wrap(IAmazonS3? inner)
    {
        var client = Create<IAmazonS3, ScriptedS3>();
        var control = (ScriptedS3)(object)client;
        control._inner = inner;
        return (client, control);
    }

    /// <summary>A client that fails the test on any call.</summary>
    public static IAmazonS3 Unused() => Wrap(null).Client;

    /// <summary>S3's throttling answer (503 SlowDown).</summary>
    public static AmazonS3Exception SlowDown() => new("Please reduce your request rate.") { ErrorCode = "SlowDown", StatusCode = HttpStatusCode.ServiceUnavailable };

    /// <summary>S3's refusal (403 AccessDenied).</summary>
    public static AmazonS3Exception AccessDenied() => new("Access Denied") { ErrorCode = "AccessDenied", StatusCode = HttpStatusCode.Forbidden };

    /// <inheritdoc />
    protected override object? Invoke(MethodInfo? method, object?[]? args)
    {
        if (method?.Name == nameof(IAmazonS3.PutObjectAsync) && args?[0] is PutObjectRequest put)
        {
            Puts.Enqueue(put.Key);
            if (FailPutsWith is { } failure)
            {
                if (FailCount > 0 && --FailCount == 0)
                {
                    FailPutsWith = null;
                }

                return Task.FromException<PutObjectResponse>(failure);
            }
        }

        if (method?.Name == nameof(IDisposable.Dispose))
        {
            return null;
        }

        if (_inner is null)
        {
            throw new NotSupportedException($"ScriptedS3 without an inner client does not support {method?.Name}: this test must not call S3");
        }

        try
        {
            return method!.Invoke(_inner, args);
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            throw e.InnerException;
        }
    }
}
