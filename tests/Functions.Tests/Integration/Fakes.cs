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
    public int ThrottleNextWrites { get; set; }

    /// <summary>When set, TransactWriteItems calls that write this user's transaction fail (while <see cref="ThrottleUserWrites"/> &gt; 0).</summary>
    public string? ThrottleUser { get; set; }

    /// <summary>How many of <see cref="ThrottleUser"/>'s writes still fail.</summary>
    public int ThrottleUserWrites { get; set; }

    /// <summary>When set, TransactWriteItems calls that write this user's transaction fail with <see cref="WriteFailure"/>.</summary>
    public string? FailWritesOf { get; set; }

    /// <summary>The error of <see cref="FailWritesOf"/>'s writes (e.g. a ValidationException).</summary>
    public Exception? WriteFailure { get; set; }

    /// <summary>When set, Query calls for this user's history (the byUserTime index) fail (while <see cref="ThrottleUserQueries"/> &gt; 0).</summary>
    public string? ThrottleQueriesOf { get; set; }

    /// <summary>How many of <see cref="ThrottleQueriesOf"/>'s queries still fail.</summary>
    public int ThrottleUserQueries { get; set; }

    /// <summary>How many of the next TransactWriteItems calls are sent twice (the second time as the SDK's retry of a lost response).</summary>
    public int ReplayNextWrites { get; set; }

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
            var user = write.TransactItems.FirstOrDefault()?.Put?.Item is { } item && item.TryGetValue("userId", out var u) ? u.S : null;
            if (ThrottleNextWrites > 0)
            {
                ThrottleNextWrites--;
                return Task.FromException<TransactWriteItemsResponse>(Throttled());
            }

            if (ThrottleUser is not null && user == ThrottleUser && ThrottleUserWrites > 0)
            {
                ThrottleUserWrites--;
                return Task.FromException<TransactWriteItemsResponse>(Throttled());
            }

            if (FailWritesOf is not null && user == FailWritesOf && WriteFailure is not null)
            {
                return Task.FromException<TransactWriteItemsResponse>(WriteFailure);
            }

            if (ReplayNextWrites > 0)
            {
                ReplayNextWrites--;
                return WriteTwice(write, args.Length > 1 && args[1] is CancellationToken ct ? ct : CancellationToken.None);
            }

            Tokens.Enqueue(write.ClientRequestToken);
        }

        if (method?.Name == nameof(IAmazonDynamoDB.QueryAsync) && args?[0] is QueryRequest query && ThrottleQueriesOf is not null && ThrottleUserQueries > 0
            && query.ExpressionAttributeValues is { } values && values.TryGetValue(":u", out var queried) && queried.S == ThrottleQueriesOf)
        {
            ThrottleUserQueries--;
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
