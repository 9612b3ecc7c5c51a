using System.Collections.Concurrent;
using System.Net;
using System.Reflection;
using Amazon.S3;
using Amazon.S3.Model;

namespace FraudTf.Functions.Tests.Integration;

/// <summary>
/// Wraps the s3rver client and adds what s3rver 3.7 lacks: conditional writes. s3rver reads If-None-Match only on GET
/// (lib/controllers/object.js) and overwrites on PUT, while S3 answers a PutObject with <c>If-None-Match: *</c> on an
/// existing key with 412 PreconditionFailed (S3 user guide, "Conditional writes"). This wrapper checks the key first
/// and throws that error, as S3 would; it can also answer the next put with 409 ConditionalRequestConflict (a concurrent
/// conditional write). Everything else goes to s3rver. The check-then-put is not atomic, which does not matter for
/// these single-threaded tests.
/// </summary>
public class ConditionalS3 : DispatchProxy
{
    private IAmazonS3 _inner = null!;

    /// <summary>Puts refused with 412 (key existed), in order.</summary>
    public ConcurrentQueue<string> Refused { get; } = new();

    /// <summary>Puts that reached s3rver, in order.</summary>
    public ConcurrentQueue<string> Written { get; } = new();

    /// <summary>How many of the next conditional puts fail with 409 ConditionalRequestConflict.</summary>
    public int ConflictNextPuts { get; set; }

    /// <summary>Wraps <paramref name="inner"/>.</summary>
    public static (IAmazonS3 Client, ConditionalS3 Control) Wrap(IAmazonS3 inner)
    {
        var client = Create<IAmazonS3, ConditionalS3>();
        var control = (ConditionalS3)(object)client;
        control._inner = inner;
        return (client, control);
    }

    /// <inheritdoc />
    protected override object? Invoke(MethodInfo? method, object?[]? args)
    {
        if (method?.Name == nameof(IAmazonS3.PutObjectAsync) && args?[0] is PutObjectRequest { IfNoneMatch: "*" } put)
        {
            return PutIfAbsent(put, args.Length > 1 && args[1] is CancellationToken ct ? ct : CancellationToken.None);
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

    private async Task<PutObjectResponse> PutIfAbsent(PutObjectRequest put, CancellationToken ct)
    {
        var key = $"{put.BucketName}/{put.Key}";
        if (ConflictNextPuts > 0)
        {
            ConflictNextPuts--;
            throw new AmazonS3Exception("A conflicting operation occurred.") { StatusCode = HttpStatusCode.Conflict, ErrorCode = "ConditionalRequestConflict" };
        }

        try
        {
            await _inner.GetObjectMetadataAsync(put.BucketName, put.Key, ct);
            Refused.Enqueue(key);
            throw new AmazonS3Exception("At least one of the pre-conditions you specified did not hold")
            {
                StatusCode = HttpStatusCode.PreconditionFailed,
                ErrorCode = "PreconditionFailed",
            };
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            // absent: write it
        }

        var response = await _inner.PutObjectAsync(put, ct);
        Written.Enqueue(key);
        return response;
    }
}
