using Amazon.S3;
using Amazon.S3.Model;

namespace FraudTf.Local.Streaming;

/// <summary>A batch an event source mapping discarded, with the invocation record Lambda sends to its on-failure destination.</summary>
/// <param name="MappingUuid">The event source mapping's UUID (part of the S3 object key).</param>
/// <param name="ShardId">The shard the batch came from.</param>
/// <param name="Time">When it was discarded.</param>
/// <param name="InvocationRecord">
/// The invocation record: <c>requestContext</c>, <c>responseContext</c> (when the function was invoked), <c>version</c>,
/// <c>timestamp</c>, <c>KinesisBatchInfo</c> and <c>payload</c> (the invocation event as a JSON string; an SQS or SNS
/// destination would drop it and keep the metadata only).
/// </param>
public sealed record DiscardedBatch(string MappingUuid, string ShardId, DateTimeOffset Time, JsonObject InvocationRecord);

/// <summary>The on-failure destination of an event source mapping (<c>destination_config.on_failure</c>).</summary>
public interface IFailedBatchDestination
{
    /// <summary>Stores the record of one discarded batch.</summary>
    Task Send(DiscardedBatch batch, CancellationToken ct);
}

/// <summary>
/// An Amazon S3 on-failure destination, as the Lambda developer guide describes it ("Retain discarded batch records for a
/// Kinesis Data Streams event source"): one object per discarded batch holding the whole invocation record (metadata and
/// payload), under <c>aws/lambda/&lt;ESM-UUID&gt;/&lt;shardID&gt;/YYYY/MM/DD/YYYY-MM-DDTHH.MM.SS-&lt;Random UUID&gt;</c>.
/// Differences from AWS: none known in the object; the write is a plain PutObject (the bucket's default encryption applies
/// as the S3 engine implements it).
/// </summary>
public sealed class S3FailedBatchDestination(IAmazonS3 s3, string bucket) : IFailedBatchDestination
{
    /// <summary>The bucket written to.</summary>
    public string Bucket { get; } = bucket;

    /// <summary>The destination of the mapping <paramref name="mappingResourceName"/>: its <c>destination_config.on_failure.destination_arn</c> must be an S3 bucket.</summary>
    public static S3FailedBatchDestination FromStack(LocalStack stack, string mappingResourceName, IAmazonS3 s3)
    {
        var body = stack.Resource("aws_lambda_event_source_mapping", mappingResourceName);
        var arn = body["destination_config"]?["on_failure"]?["destination_arn"]?.GetValue<string>() is { } a ? stack.Resolve(a)
            : throw new InvalidOperationException($"aws_lambda_event_source_mapping.{mappingResourceName} ({LocalStack.ConstructPath(body)}) has no destination_config.on_failure.destination_arn. Fix: configure an on-failure destination, or pass another IFailedBatchDestination.");
        const string prefix = "arn:aws:s3:::";
        if (!arn.StartsWith(prefix, StringComparison.Ordinal))
        {
            throw new NotSupportedException($"the on-failure destination of aws_lambda_event_source_mapping.{mappingResourceName} is {arn}, not an S3 bucket. Fix: pass an IFailedBatchDestination for that service.");
        }

        return new S3FailedBatchDestination(s3, arn[prefix.Length..]);
    }

    /// <summary>The object key Lambda uses: <c>aws/lambda/&lt;ESM-UUID&gt;/&lt;shardID&gt;/YYYY/MM/DD/YYYY-MM-DDTHH.MM.SS-&lt;Random UUID&gt;</c>.</summary>
    public static string ObjectKey(string mappingUuid, string shardId, DateTimeOffset time, Guid random)
    {
        var t = time.UtcDateTime;
        return $"aws/lambda/{mappingUuid}/{shardId}/{t.ToString("yyyy'/'MM'/'dd", CultureInfo.InvariantCulture)}/{t.ToString("yyyy-MM-dd'T'HH.mm.ss", CultureInfo.InvariantCulture)}-{random}";
    }

    /// <inheritdoc />
    public async Task Send(DiscardedBatch batch, CancellationToken ct)
    {
        var key = ObjectKey(batch.MappingUuid, batch.ShardId, batch.Time, Guid.NewGuid());
        using var content = new MemoryStream(Encoding.UTF8.GetBytes(batch.InvocationRecord.ToJsonString()));
        // One signed payload, not aws-chunked: s3rver stores chunked bodies with their chunk headers (the repository's other writers do the same).
        await s3.PutObjectAsync(new PutObjectRequest { BucketName = Bucket, Key = key, InputStream = content, ContentType = "application/json", UseChunkEncoding = false }, ct);
    }
}
