using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Serialization;

namespace FraudTf.Functions.Shared.Transactions;

/// <summary>
/// The message the stream processor sends to its quarantine queue (the environment's dead-letter queue) for a record
/// it can never process: the reason, where the record came from, and the record itself, inline (<see cref="Data"/>,
/// base64 as Kinesis delivered it) when the message fits SQS's limit, otherwise as a pointer to an S3 object holding
/// the record's bytes (<see cref="Object"/>). Exactly one of the two is set. A redrive re-publishes
/// <see cref="Data"/> (or the object's bytes) with <see cref="PartitionKey"/> into the transactions stream; the
/// <see cref="QuarantineId"/> is the same for every copy of the same record (a redelivered batch can quarantine a
/// record twice), so a redrive can skip copies.
/// </summary>
public sealed record QuarantineMessage
{
    /// <summary>Always <c>stream-processor</c>.</summary>
    [JsonPropertyName("source")]
    public string Source { get; init; } = "stream-processor";

    /// <summary>Stable id of the record: <see cref="IdOf"/> of its stream ARN and sequence number.</summary>
    [JsonPropertyName("quarantineId")]
    public required string QuarantineId { get; init; }

    /// <summary>Why: a <see cref="RejectReason"/> name.</summary>
    [JsonPropertyName("reason")]
    public required string Reason { get; init; }

    /// <summary>What is wrong, naming the field or the failing step (no field values).</summary>
    [JsonPropertyName("detail")]
    public required string Detail { get; init; }

    // Alike on purpose: one JSON property per field of the quarantine message, the contract make redrive reads.
    /// <summary>ARN of the stream the record came from.</summary>
    [JsonPropertyName("eventSourceArn")]
    public string? EventSourceArn { get; init; }

    /// <summary>The shard (from the record's <c>eventID</c>, <c>shardId-…:sequence</c>), when known.</summary>
    [JsonPropertyName("shardId")]
    public string? ShardId { get; init; }

    /// <summary>The record's sequence number.</summary>
    [JsonPropertyName("sequenceNumber")]
    public required string SequenceNumber { get; init; }

    /// <summary>The producer's partition key.</summary>
    [JsonPropertyName("partitionKey")]
    public string? PartitionKey { get; init; }

    /// <summary>When Kinesis received the record (ISO 8601 UTC).</summary>
    [JsonPropertyName("approximateArrivalTime")]
    public string? ApproximateArrivalTime { get; init; }

    /// <summary>When the record was quarantined (ISO 8601 UTC).</summary>
    [JsonPropertyName("quarantinedAt")]
    public required string QuarantinedAt { get; init; }

    /// <summary>The record's data, base64 as Kinesis delivered it; null when the record is in <see cref="Object"/>.</summary>
    [JsonPropertyName("data")]
    public string? Data { get; init; }

    /// <summary>Where the record's bytes are when the message would be too large for SQS; null when inline.</summary>
    [JsonPropertyName("object")]
    public QuarantinedObject? Object { get; init; }

    /// <summary>
    /// The quarantine id of a record: the first 32 hex digits of SHA-256 over <c>streamArn + "\n" + sequenceNumber</c>
    /// (a sequence number is unique within a stream).
    /// </summary>
    public static string IdOf(string? eventSourceArn, string sequenceNumber) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{eventSourceArn}\n{sequenceNumber}")))[..32];
}

/// <summary>A quarantined record stored in S3 (SSE-KMS with the environment's data key, the bucket's default).</summary>
public sealed record QuarantinedObject
{
    /// <summary>Bucket name.</summary>
    [JsonPropertyName("bucket")]
    public required string Bucket { get; init; }

    /// <summary>Object key (under the quarantine prefix).</summary>
    [JsonPropertyName("key")]
    public required string Key { get; init; }

    /// <summary>Size of the object in bytes.</summary>
    [JsonPropertyName("size")]
    public required long Size { get; init; }

    /// <summary>SHA-256 of the object, lower-case hex.</summary>
    [JsonPropertyName("sha256")]
    public required string Sha256 { get; init; }

    /// <summary>
    /// What the object holds: <c>record</c> (the record's bytes, decoded from base64) or <c>base64-text</c> (the
    /// delivered data as text, when it was not valid base64).
    /// </summary>
    [JsonPropertyName("content")]
    public required string Content { get; init; }
}
