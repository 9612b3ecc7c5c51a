using System.Reflection;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Amazon.S3;
using Amazon.S3.Model;

namespace FraudTf.Functions.Tests.Integration;

/// <summary>The process died (Lambda timeout, out of memory, sandbox killed): the invocation fails after this point.</summary>
public sealed class SimulatedCrash(string point) : Exception($"simulated crash {point}");

/// <summary>Where the alert handler's first attempt dies.</summary>
public enum CrashPoint
{
    /// <summary>After the trail's PutObject succeeded, before the audit record.</summary>
    AfterTrailWrite,

    /// <summary>After the audit record's PutObject succeeded, before the DynamoDB transaction.</summary>
    AfterAuditWrite,

    /// <summary>The transaction committed, the response never reached the function.</summary>
    AfterTransactionCommitted,

    /// <summary>No crash: the transaction committed, its response was lost, the SDK retried the same request (same
    /// ClientRequestToken) and its answer is what the function sees.</summary>
    SdkRetryOfACommittedTransaction,
}

/// <summary>
/// Wraps the alert handler's S3 client: once, after a PutObject under <see cref="CrashAfterPutUnder"/> succeeded, the call
/// throws <see cref="SimulatedCrash"/> instead of returning (the object is written; the function never learns it).
/// </summary>
public class CrashingS3 : DispatchProxy
{
    private IAmazonS3 _inner = null!;

    /// <summary>Key prefix of the put after which the function dies; null: no crash (any more).</summary>
    public string? CrashAfterPutUnder { get; set; }

    /// <summary>Wraps <paramref name="inner"/>.</summary>
    public static (IAmazonS3 Client, CrashingS3 Control) Wrap(IAmazonS3 inner)
    {
        var client = Create<IAmazonS3, CrashingS3>();
        var control = (CrashingS3)(object)client;
        control._inner = inner;
        return (client, control);
    }

    /// <inheritdoc />
    protected override object? Invoke(MethodInfo? method, object?[]? args)
    {
        var result = Forward(method!, args);
        if (method!.Name == nameof(IAmazonS3.PutObjectAsync) && args?[0] is PutObjectRequest put && CrashAfterPutUnder is { } prefix
            && put.Key.StartsWith(prefix, StringComparison.Ordinal))
        {
            CrashAfterPutUnder = null;
            return Die((Task<PutObjectResponse>)result!, $"after writing {put.Key}");
        }

        return result;
    }

    private static async Task<PutObjectResponse> Die(Task<PutObjectResponse> put, string point)
    {
        await put;
        throw new SimulatedCrash(point);
    }

    private object? Forward(MethodInfo method, object?[]? args)
    {
        try
        {
            return method.Invoke(_inner, args);
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            throw e.InnerException;
        }
    }
}

/// <summary>
/// Wraps the alert handler's DynamoDB client (DynamoDB Local behind it): once, its TransactWriteItems commits and then
/// either throws <see cref="SimulatedCrash"/> (<see cref="CrashPoint.AfterTransactionCommitted"/>) or is sent a second
/// time, byte for byte, as the SDK's retry of a call whose response was lost would be, and that second answer is returned
/// (<see cref="CrashPoint.SdkRetryOfACommittedTransaction"/>).
/// </summary>
public class CrashingDynamo : DispatchProxy
{
    private IAmazonDynamoDB _inner = null!;

    /// <summary>What the next TransactWriteItems does; null: pass through.</summary>
    public CrashPoint? Next { get; set; }

    /// <summary>The answer or error of the repeated request, when <see cref="CrashPoint.SdkRetryOfACommittedTransaction"/> ran.</summary>
    public string? RetryOutcome { get; private set; }

    /// <summary>Wraps <paramref name="inner"/>.</summary>
    public static (IAmazonDynamoDB Client, CrashingDynamo Control) Wrap(IAmazonDynamoDB inner)
    {
        var client = Create<IAmazonDynamoDB, CrashingDynamo>();
        var control = (CrashingDynamo)(object)client;
        control._inner = inner;
        return (client, control);
    }

    /// <inheritdoc />
    protected override object? Invoke(MethodInfo? method, object?[]? args)
    {
        if (method!.Name == nameof(IAmazonDynamoDB.TransactWriteItemsAsync) && Next is { } mode && args?[0] is TransactWriteItemsRequest request)
        {
            Next = null;
            return mode switch
            {
                CrashPoint.AfterTransactionCommitted => CommitThenDie(request),
                CrashPoint.SdkRetryOfACommittedTransaction => CommitThenRetry(request),
                _ => throw new ArgumentOutOfRangeException(nameof(method), mode, "a DynamoDB crash point"),
            };
        }

        try
        {
            return method.Invoke(_inner, args);
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            throw e.InnerException;
        }
    }

    private async Task<TransactWriteItemsResponse> CommitThenDie(TransactWriteItemsRequest request)
    {
        await _inner.TransactWriteItemsAsync(request);
        throw new SimulatedCrash("after the transaction committed");
    }

    private async Task<TransactWriteItemsResponse> CommitThenRetry(TransactWriteItemsRequest request)
    {
        await _inner.TransactWriteItemsAsync(request);
        try
        {
            var second = await _inner.TransactWriteItemsAsync(request);
            RetryOutcome = "succeeded";
            return second;
        }
        catch (AmazonDynamoDBException e)
        {
            RetryOutcome = $"{e.GetType().Name}: {e.Message}";
            throw;
        }
    }
}
