using System.Numerics;
using System.Security.Cryptography;

namespace FraudTf.Redrive;

/// <summary>
/// A quarantined record, parsed from a message of the stream processor's quarantine (the environment's dead-letter
/// queue). Two shapes are accepted, both with <c>"source": "stream-processor"</c>, <c>reason</c>, <c>eventSourceArn</c>,
/// <c>sequenceNumber</c> and <c>partitionKey</c>: the record's bytes inline (<c>"data"</c>, base64), or, for a record too
/// large for a message, a pointer object (any property whose value has <c>bucket</c>, <c>key</c> and <c>sha256</c>, hex or
/// base64 of the bytes' SHA-256) to an encrypted S3 object holding them.
/// </summary>
/// <param name="Reason">Why the stream processor quarantined it.</param>
/// <param name="SequenceNumber">Its sequence number on the transactions stream (the redrive marker's id).</param>
/// <param name="PartitionKey">Its partition key (re-used, so the re-published record keeps its shard order).</param>
/// <param name="InlineData">The bytes, for the inline shape.</param>
/// <param name="Pointer">The S3 location, for the pointer shape.</param>
public sealed record QuarantinedRecord(string Reason, string SequenceNumber, string PartitionKey, byte[]? InlineData, DataPointer? Pointer)
{
    /// <summary>The source a stream-processor quarantine message carries.</summary>
    public const string StreamProcessorSource = "stream-processor";

    /// <summary>Parses <paramref name="body"/>; the reason it is not a quarantined stream record otherwise.</summary>
    public static (QuarantinedRecord? Record, string? Problem) Parse(string body)
    {
        JsonObject? o;
        try
        {
            o = JsonNode.Parse(body) as JsonObject;
        }
        catch (JsonException)
        {
            return (null, "not JSON");
        }

        if (o is null)
        {
            return (null, "not a JSON object");
        }

        var source = Str(o, "source");
        if (source != StreamProcessorSource)
        {
            return (null, $"not a quarantined stream record (source '{source ?? "(none)"}'): left in the queue");
        }

        var seq = Str(o, "sequenceNumber");
        var key = Str(o, "partitionKey");
        if (seq is null || key is null)
        {
            return (null, "a stream-processor message without sequenceNumber or partitionKey: left in the queue");
        }

        var reason = Str(o, "reason") ?? "(no reason)";
        if (Str(o, "data") is { } data)
        {
            try
            {
                return (new QuarantinedRecord(reason, seq, key, Convert.FromBase64String(data), null), null);
            }
            catch (FormatException)
            {
                return (null, "its data is not base64: left in the queue");
            }
        }

        foreach (var (_, value) in o)
        {
            if (value is JsonObject p && Str(p, "bucket") is { } bucket && Str(p, "key") is { } objectKey && Str(p, "sha256") is { } sha)
            {
                return (new QuarantinedRecord(reason, seq, key, null, new DataPointer(bucket, objectKey, sha)), null);
            }
        }

        return (null, "a stream-processor message with neither inline data nor an S3 pointer {bucket, key, sha256}: left in the queue");
    }

    internal static string? Str(JsonObject o, string name) => o[name] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;
}

/// <summary>Where the bytes of a large quarantined record are, and their SHA-256 (hex or base64).</summary>
public sealed record DataPointer(string Bucket, string Key, string Sha256)
{
    /// <summary>Whether <paramref name="bytes"/> have the recorded SHA-256.</summary>
    public bool Matches(byte[] bytes)
    {
        var hash = SHA256.HashData(bytes);
        return string.Equals(Sha256, Convert.ToHexStringLower(hash), StringComparison.OrdinalIgnoreCase) || Sha256 == Convert.ToBase64String(hash);
    }
}

/// <summary>The shard and sequence range of a discarded batch (<c>KinesisBatchInfo</c>).</summary>
public sealed record BatchInfo(string ShardId, string StartSequenceNumber, string EndSequenceNumber, int BatchSize, string StreamArn)
{
    /// <summary>The stream's name, from its ARN (<c>…:stream/&lt;name&gt;</c>).</summary>
    public string StreamName => StreamArn[(StreamArn.LastIndexOf('/') + 1)..];
}

/// <summary>
/// The invocation record Lambda writes to an S3 on-failure destination for a discarded Kinesis batch (Lambda developer
/// guide, "Retain discarded batch records for a Kinesis Data Streams event source", example Amazon S3 invocation
/// record): <c>requestContext.condition</c> (<c>RetryAttemptsExhausted</c>, <c>RecordAgeExceeded</c>, …),
/// <c>KinesisBatchInfo</c> (shard, start and end sequence numbers, batch size, stream ARN) and, in S3 only, <c>payload</c>:
/// the original invocation event as an escaped JSON string (<c>{"Records":[{"kinesis":{"data","partitionKey",
/// "sequenceNumber"}, …}]}</c>). Without a payload (an SQS/SNS-style record) the records must be read back from the
/// stream while it still holds them.
/// </summary>
public sealed record InvocationRecord(string Condition, BatchInfo Batch, IReadOnlyList<StreamRecord>? PayloadRecords)
{
    /// <summary>Parses <paramref name="json"/>; the problem otherwise.</summary>
    public static (InvocationRecord? Record, string? Problem) Parse(byte[] json)
    {
        JsonObject? o;
        try
        {
            o = JsonNode.Parse(json) as JsonObject;
        }
        catch (JsonException e)
        {
            return (null, $"not JSON ({e.Message})");
        }

        if (o?["KinesisBatchInfo"] is not JsonObject info
            || QuarantinedRecord.Str(info, "shardId") is not { } shard
            || QuarantinedRecord.Str(info, "startSequenceNumber") is not { } start
            || QuarantinedRecord.Str(info, "streamArn") is not { } arn)
        {
            return (null, "no KinesisBatchInfo with shardId, startSequenceNumber and streamArn: not a Kinesis invocation record");
        }

        var end = QuarantinedRecord.Str(info, "endSequenceNumber") ?? start;
        var size = info["batchSize"] is JsonValue b && b.TryGetValue<int>(out var n) ? n : 0;
        var condition = (o["requestContext"] as JsonObject) is { } rc ? QuarantinedRecord.Str(rc, "condition") ?? "(unknown)" : "(unknown)";
        List<StreamRecord>? records = null;
        if (QuarantinedRecord.Str(o, "payload") is { Length: > 0 } payload)
        {
            try
            {
                records = (JsonNode.Parse(payload)?["Records"] as JsonArray ?? []).OfType<JsonObject>()
                    .Select(r => r["kinesis"] as JsonObject ?? throw new FormatException("a record without kinesis"))
                    .Select(k => new StreamRecord(
                        QuarantinedRecord.Str(k, "sequenceNumber") ?? throw new FormatException("a record without sequenceNumber"),
                        QuarantinedRecord.Str(k, "partitionKey") ?? throw new FormatException("a record without partitionKey"),
                        Convert.FromBase64String(QuarantinedRecord.Str(k, "data") ?? throw new FormatException("a record without data"))))
                    .ToList();
            }
            catch (Exception e) when (e is JsonException or FormatException)
            {
                return (null, $"its payload is not a Kinesis event ({e.Message})");
            }
        }

        return (new InvocationRecord(condition, new BatchInfo(shard, start, end, size, arn), records), null);
    }
}

/// <summary>Kinesis sequence numbers are decimal strings of up to 128 bits: compared as numbers.</summary>
public static class SequenceNumbers
{
    /// <summary>Negative, zero or positive as <paramref name="a"/> is before, equal to or after <paramref name="b"/>.</summary>
    public static int Compare(string a, string b) => BigInteger.Parse(a, System.Globalization.CultureInfo.InvariantCulture)
        .CompareTo(BigInteger.Parse(b, System.Globalization.CultureInfo.InvariantCulture));
}
