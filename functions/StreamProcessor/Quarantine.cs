using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Amazon.S3;
using Amazon.S3.Model;
using Amazon.SQS;
using Amazon.SQS.Model;
using FraudTf.Functions.Shared.Events;
using FraudTf.Functions.Shared.Transactions;

namespace FraudTf.Functions.StreamProcessor;

/// <summary>
/// Keeps a record that can never be processed, whole, with its reason: a <see cref="QuarantineMessage"/> on the
/// quarantine queue, carrying the record inline when the message fits SQS's size limit, otherwise a pointer to an S3
/// object (under <see cref="Prefix"/> of the quarantine bucket, encrypted by the bucket's default SSE-KMS with the
/// environment's data key) holding the record's bytes. A Kinesis record's data can be 1 MiB, 1.33 MiB in base64,
/// while an SQS message is at most 256 KiB (body and attributes together; SQS developer guide, "Amazon SQS message
/// quotas"), so large records always take the S3 path. The object key is derived from the record (stream ARN and
/// sequence number) and written with <c>If-None-Match: *</c>: a retry finds it written and only sends the message.
/// Any failure throws; the caller reports the record for retry, so a record is never dropped silently.
/// </summary>
public sealed class Quarantine(IAmazonSQS sqs, string queueUrl, IAmazonS3 s3, string bucket, TimeProvider time)
{
    /// <summary>Key prefix of quarantined records in the quarantine bucket (the stack grants PutObject under it only).</summary>
    public const string Prefix = "quarantine/";

    /// <summary>SQS's default (and the quarantine queue's) maximum message size, in bytes, body and attributes included.</summary>
    public const int MaxMessageBytes = 256 * 1024;

    /// <summary>Where <see cref="Send"/> put the record.</summary>
    public enum Placement
    {
        /// <summary>In the queue message itself.</summary>
        Inline,

        /// <summary>In an S3 object; the message carries a pointer.</summary>
        Object,
    }

    /// <summary>Quarantines <paramref name="record"/> with <paramref name="reason"/>; throws when it could not be kept.</summary>
    public async Task<Placement> Send(KinesisEventRecord record, string reason, string detail, CancellationToken ct)
    {
        var message = new QuarantineMessage
        {
            QuarantineId = QuarantineMessage.IdOf(record.EventSourceArn, record.Kinesis.SequenceNumber),
            Reason = reason,
            Detail = detail,
            EventSourceArn = record.EventSourceArn,
            ShardId = record.ShardId,
            SequenceNumber = record.Kinesis.SequenceNumber,
            PartitionKey = record.Kinesis.PartitionKey,
            ApproximateArrivalTime = ArrivalTime(record)?.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture),
            QuarantinedAt = time.GetUtcNow().UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture),
            Data = record.Kinesis.Data,
        };
        var inline = Request(message, reason);
        if (Size(inline) <= MaxMessageBytes)
        {
            await sqs.SendMessageAsync(inline, ct);
            return Placement.Inline;
        }

        var pointer = message with { Data = null, Object = await Store(record, message, ct) };
        await sqs.SendMessageAsync(Request(pointer, reason), ct);
        return Placement.Object;
    }

    /// <summary>The S3 key of a quarantined record: by arrival date (UTC), then its quarantine id.</summary>
    public static string KeyOf(KinesisEventRecord record)
    {
        var day = ArrivalTime(record) ?? DateTimeOffset.UnixEpoch;
        return $"{Prefix}{day.UtcDateTime:yyyy'/'MM'/'dd}/{QuarantineMessage.IdOf(record.EventSourceArn, record.Kinesis.SequenceNumber)}";
    }

    /// <summary>The size SQS counts for <paramref name="request"/>: the body and each attribute's name, type and value, in UTF-8 bytes.</summary>
    public static long Size(SendMessageRequest request) =>
        Encoding.UTF8.GetByteCount(request.MessageBody) + (request.MessageAttributes ?? []).Sum(a =>
            Encoding.UTF8.GetByteCount(a.Key) + Encoding.UTF8.GetByteCount(a.Value.DataType ?? "") + Encoding.UTF8.GetByteCount(a.Value.StringValue ?? "")
            + (a.Value.BinaryValue?.Length ?? 0));

    private async Task<QuarantinedObject> Store(KinesisEventRecord record, QuarantineMessage message, CancellationToken ct)
    {
        byte[] bytes;
        string content;
        try
        {
            bytes = Convert.FromBase64String(record.Kinesis.Data);
            content = "record";
        }
        catch (FormatException)
        {
            bytes = Encoding.UTF8.GetBytes(record.Kinesis.Data);
            content = "base64-text";
        }

        var key = KeyOf(record);
        try
        {
            using var body = new MemoryStream(bytes, writable: false);
            var put = new PutObjectRequest
            {
                BucketName = bucket,
                Key = key,
                InputStream = body,
                AutoCloseStream = false,
                ContentType = content == "record" ? "application/octet-stream" : "text/plain",
                IfNoneMatch = "*",
                UseChunkEncoding = false,
            };
            put.Metadata["quarantine-id"] = message.QuarantineId;
            put.Metadata["reason"] = message.Reason;
            put.Metadata["sequence-number"] = message.SequenceNumber;
            await s3.PutObjectAsync(put, ct);
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.PreconditionFailed || e.ErrorCode == "PreconditionFailed")
        {
            // Written by an earlier try of this record (the key is the record's): the same bytes, keep it.
        }

        return new QuarantinedObject
        {
            Bucket = bucket,
            Key = key,
            Size = bytes.LongLength,
            Sha256 = Convert.ToHexStringLower(SHA256.HashData(bytes)),
            Content = content,
        };
    }

    private SendMessageRequest Request(QuarantineMessage message, string reason) => new()
    {
        QueueUrl = queueUrl,
        MessageBody = JsonSerializer.Serialize(message, JsonOptions),
        MessageAttributes = new Dictionary<string, MessageAttributeValue>
        {
            ["reason"] = new() { DataType = "String", StringValue = reason },
            ["quarantineId"] = new() { DataType = "String", StringValue = message.QuarantineId },
        },
    };

    // Base64 and ids need no escaping beyond JSON's own ('+' would otherwise become \u002B, six bytes for one).
    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    private static DateTimeOffset? ArrivalTime(KinesisEventRecord record) =>
        record.Kinesis.ApproximateArrivalTimestamp is > 0 and < 253402300799 and var t
            ? DateTimeOffset.FromUnixTimeMilliseconds((long)Math.Round(t * 1000))
            : null;
}
