using System.Net;
using Amazon.S3;
using Amazon.S3.Model;
using Amazon.SQS;
using Amazon.SQS.Model;

namespace FraudTf.Redrive;

/// <summary>An object listed in a bucket.</summary>
/// <param name="Key">Its key.</param>
/// <param name="LastModified">When it was written (UTC).</param>
public sealed record StoredObject(string Key, DateTimeOffset LastModified);

/// <summary>The S3 calls the redrive makes.</summary>
public interface IObjectStore
{
    /// <summary>Every object of <paramref name="bucket"/> under <paramref name="prefix"/>, in key order.</summary>
    IAsyncEnumerable<StoredObject> List(string bucket, string prefix, CancellationToken ct);

    /// <summary>The object's bytes, or null when it does not exist.</summary>
    Task<byte[]?> Get(string bucket, string key, CancellationToken ct);

    /// <summary>Whether the object exists.</summary>
    Task<bool> Exists(string bucket, string key, CancellationToken ct);

    /// <summary>Writes the object.</summary>
    Task Put(string bucket, string key, byte[] body, CancellationToken ct);
}

/// <summary><see cref="IObjectStore"/> over AWSSDK.S3.</summary>
public sealed class S3ObjectStore(IAmazonS3 s3) : IObjectStore
{
    /// <inheritdoc />
    public async IAsyncEnumerable<StoredObject> List(string bucket, string prefix, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        string? token = null;
        do
        {
            var page = await s3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket, Prefix = prefix, ContinuationToken = token }, ct);
            foreach (var o in page.S3Objects ?? [])
            {
                yield return new StoredObject(o.Key, new DateTimeOffset(o.LastModified?.ToUniversalTime() ?? DateTime.UnixEpoch, TimeSpan.Zero));
            }

            token = page.IsTruncated == true ? page.NextContinuationToken : null;
        }
        while (token is not null);
    }

    /// <inheritdoc />
    public async Task<byte[]?> Get(string bucket, string key, CancellationToken ct)
    {
        try
        {
            using var response = await s3.GetObjectAsync(bucket, key, ct);
            using var buffer = new MemoryStream();
            await response.ResponseStream.CopyToAsync(buffer, ct);
            return buffer.ToArray();
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    /// <inheritdoc />
    public async Task<bool> Exists(string bucket, string key, CancellationToken ct)
    {
        try
        {
            await s3.GetObjectMetadataAsync(bucket, key, ct);
            return true;
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            return false;
        }
    }

    /// <inheritdoc />
    public Task Put(string bucket, string key, byte[] body, CancellationToken ct) =>
        s3.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = key, InputStream = new MemoryStream(body), ContentType = "application/json", UseChunkEncoding = false }, ct);
}

/// <summary>A message received from the quarantine queue.</summary>
/// <param name="Id">Message id.</param>
/// <param name="ReceiptHandle">Handle to delete or release it.</param>
/// <param name="Body">Body.</param>
/// <param name="SentAt">When it was sent (SQS <c>SentTimestamp</c>).</param>
public sealed record QueueMessage(string Id, string ReceiptHandle, string Body, DateTimeOffset SentAt);

/// <summary>The SQS calls the redrive makes on the quarantine (the environment's dead-letter queue).</summary>
public interface IQuarantineQueue
{
    /// <summary>Up to 10 messages, hidden from other receivers for <paramref name="visibility"/>; empty when none is visible.</summary>
    Task<IReadOnlyList<QueueMessage>> Receive(TimeSpan visibility, CancellationToken ct);

    /// <summary>Deletes a message (it was re-published or already had been).</summary>
    Task Delete(QueueMessage message, CancellationToken ct);

    /// <summary>Makes a message visible again at once (it stays for someone else, or for a later run).</summary>
    Task Release(QueueMessage message, CancellationToken ct);
}

/// <summary><see cref="IQuarantineQueue"/> over AWSSDK.SQS.</summary>
public sealed class SqsQuarantineQueue(IAmazonSQS sqs, string queueUrl) : IQuarantineQueue
{
    /// <inheritdoc />
    public async Task<IReadOnlyList<QueueMessage>> Receive(TimeSpan visibility, CancellationToken ct)
    {
        var answer = await sqs.ReceiveMessageAsync(new ReceiveMessageRequest
        {
            QueueUrl = queueUrl,
            MaxNumberOfMessages = 10,
            WaitTimeSeconds = 1,
            VisibilityTimeout = (int)visibility.TotalSeconds,
            MessageSystemAttributeNames = ["SentTimestamp"],
        }, ct);
        return (answer.Messages ?? []).Select(m => new QueueMessage(m.MessageId, m.ReceiptHandle, m.Body,
            m.Attributes is not null && m.Attributes.TryGetValue("SentTimestamp", out var sent) && long.TryParse(sent, out var ms)
                ? DateTimeOffset.FromUnixTimeMilliseconds(ms) : DateTimeOffset.UnixEpoch)).ToList();
    }

    /// <inheritdoc />
    public Task Delete(QueueMessage message, CancellationToken ct) => sqs.DeleteMessageAsync(queueUrl, message.ReceiptHandle, ct);

    /// <inheritdoc />
    public Task Release(QueueMessage message, CancellationToken ct) =>
        sqs.ChangeMessageVisibilityAsync(new ChangeMessageVisibilityRequest { QueueUrl = queueUrl, ReceiptHandle = message.ReceiptHandle, VisibilityTimeout = 0 }, ct);
}
