using System.Text.Json.Serialization;

namespace FraudTf.Functions.Shared.Events;

// Small stand-ins for Amazon.Lambda.KinesisEvents (not served here): only the fields the functions read.

/// <summary>The event Lambda passes for a Kinesis batch.</summary>
public sealed record KinesisEvent
{
    /// <summary>The records of the batch, in shard order.</summary>
    [JsonPropertyName("Records")]
    public IReadOnlyList<KinesisEventRecord> Records { get; init; } = [];
}

/// <summary>One record of a Kinesis batch.</summary>
public sealed record KinesisEventRecord
{
    /// <summary>Source ARN of the stream.</summary>
    [JsonPropertyName("eventSourceARN")]
    public string? EventSourceArn { get; init; }

    /// <summary>The record's event id: <c>&lt;shard id&gt;:&lt;sequence number&gt;</c>.</summary>
    [JsonPropertyName("eventID")]
    public string? EventId { get; init; }

    /// <summary>The shard the record came from (the part of <see cref="EventId"/> before the colon), when known.</summary>
    [JsonIgnore]
    public string? ShardId => EventId is { } id && id.IndexOf(':') is > 0 and var colon ? id[..colon] : null;

    /// <summary>The Kinesis payload.</summary>
    [JsonPropertyName("kinesis")]
    public KinesisData Kinesis { get; init; } = new();
}

/// <summary>The Kinesis part of a record.</summary>
public sealed record KinesisData
{
    /// <summary>Sequence number: the item identifier of a partial batch failure.</summary>
    [JsonPropertyName("sequenceNumber")]
    public string SequenceNumber { get; init; } = "";

    /// <summary>Partition key the producer used.</summary>
    [JsonPropertyName("partitionKey")]
    public string? PartitionKey { get; init; }

    /// <summary>The record's bytes, base64-encoded.</summary>
    [JsonPropertyName("data")]
    public string Data { get; init; } = "";

    /// <summary>When Kinesis received the record (epoch seconds).</summary>
    [JsonPropertyName("approximateArrivalTimestamp")]
    public double ApproximateArrivalTimestamp { get; init; }
}

/// <summary>The partial batch response: Lambda retries from the first failed sequence number.</summary>
public sealed record BatchResponse
{
    /// <summary>Records to retry.</summary>
    [JsonPropertyName("batchItemFailures")]
    public IReadOnlyList<BatchItemFailure> BatchItemFailures { get; init; } = [];
}

/// <summary>One record to retry.</summary>
/// <param name="ItemIdentifier">Its sequence number.</param>
public sealed record BatchItemFailure([property: JsonPropertyName("itemIdentifier")] string ItemIdentifier);

/// <summary>An EventBridge event (the alert handler's input).</summary>
/// <typeparam name="TDetail">The detail's shape.</typeparam>
public sealed record EventBridgeEvent<TDetail>
{
    /// <summary>Unique event id (idempotency key).</summary>
    [JsonPropertyName("id")]
    public string Id { get; init; } = "";

    /// <summary>Detail type, e.g. FraudDetected.</summary>
    [JsonPropertyName("detail-type")]
    public string DetailType { get; init; } = "";

    /// <summary>Source, e.g. fraud-detection.decisions.</summary>
    [JsonPropertyName("source")]
    public string Source { get; init; } = "";

    /// <summary>When the event happened.</summary>
    [JsonPropertyName("time")]
    public DateTimeOffset Time { get; init; }

    /// <summary>The payload.</summary>
    [JsonPropertyName("detail")]
    public TDetail? Detail { get; init; }
}

/// <summary>Source-generated serialization of the event shapes (no reflection at run time).</summary>
[JsonSerializable(typeof(KinesisEvent))]
[JsonSerializable(typeof(BatchResponse))]
public sealed partial class EventJsonContext : JsonSerializerContext;
