using System.Net;
using System.Text;

namespace FraudTf.Redrive;

/// <summary>One record read back from a Kinesis shard.</summary>
/// <param name="SequenceNumber">Its sequence number.</param>
/// <param name="PartitionKey">Its partition key.</param>
/// <param name="Data">Its bytes.</param>
public sealed record StreamRecord(string SequenceNumber, string PartitionKey, byte[] Data)
{
    /// <summary>When Kinesis received the record (<c>ApproximateArrivalTimestamp</c> of GetRecords); null when not read from the stream.</summary>
    public DateTimeOffset? ApproximateArrivalTimestamp { get; init; }
}

/// <summary>A page of <c>GetRecords</c>.</summary>
/// <param name="Records">The records.</param>
/// <param name="NextShardIterator">The iterator of the next page (null once the shard is closed and read).</param>
/// <param name="MillisBehindLatest">How far the page is from the shard's tip (0: nothing newer).</param>
public sealed record RecordsPage(IReadOnlyList<StreamRecord> Records, string? NextShardIterator, long MillisBehindLatest);

/// <summary>The outcome of one entry of a <c>PutRecords</c> request (a <c>PutRecordsResultEntry</c>).</summary>
/// <param name="SequenceNumber">Its sequence number, when it was written.</param>
/// <param name="ShardId">The shard it was written to, when it was written.</param>
/// <param name="ErrorCode">Why it was not written (<c>ProvisionedThroughputExceededException</c> or <c>InternalFailure</c>), else null.</param>
/// <param name="ErrorMessage">The error's message, else null.</param>
public sealed record PutRecordsEntryResult(string? SequenceNumber, string? ShardId, string? ErrorCode, string? ErrorMessage)
{
    /// <summary>True when the entry was written (it has a sequence number and no error code).</summary>
    public bool Succeeded => ErrorCode is null && SequenceNumber is not null;
}

/// <summary>
/// The answer of <c>PutRecords</c>: one entry per request entry, in the request's order (Amazon Kinesis Data Streams API
/// Reference, "PutRecords": "Each record in the response array directly correlates with a record in the request array").
/// </summary>
/// <param name="Records">One result per request entry, same order.</param>
public sealed record PutRecordsResult(IReadOnlyList<PutRecordsEntryResult> Records)
{
    /// <summary>How many entries were not written (the API's <c>FailedRecordCount</c>).</summary>
    public int FailedRecordCount => Records.Count(r => !r.Succeeded);
}

/// <summary>A Kinesis API error (the service's <c>__type</c> and message).</summary>
public sealed class KinesisApiException(string type, string message, HttpStatusCode status) : Exception($"{type}: {message}")
{
    /// <summary>The error type, e.g. <c>ResourceNotFoundException</c>, <c>InvalidArgumentException</c>.</summary>
    public string Type { get; } = type;

    /// <summary>The HTTP status.</summary>
    public HttpStatusCode Status { get; } = status;
}

/// <summary>The Kinesis calls the redrive makes.</summary>
public interface IKinesisApi
{
    /// <summary>PutRecord: returns the new sequence number.</summary>
    Task<string> PutRecord(string streamName, string partitionKey, byte[] data, CancellationToken ct);

    /// <summary>GetShardIterator AT_SEQUENCE_NUMBER.</summary>
    Task<string> ShardIteratorAt(string streamName, string shardId, string sequenceNumber, CancellationToken ct);

    /// <summary>GetRecords.</summary>
    Task<RecordsPage> GetRecords(string shardIterator, int limit, CancellationToken ct);

    /// <summary>
    /// PutRecords: writes up to 500 records (5 MiB with the partition keys) in one request and says per entry whether it
    /// was written; a failed entry does not stop the others. The default (for implementations written before this
    /// method) puts the entries one by one with <see cref="PutRecord"/>, reporting a throttled entry as failed.
    /// </summary>
    async Task<PutRecordsResult> PutRecords(string streamName, IReadOnlyList<(string PartitionKey, byte[] Data)> records, CancellationToken ct)
    {
        var results = new List<PutRecordsEntryResult>(records.Count);
        foreach (var (key, data) in records)
        {
            try
            {
                results.Add(new PutRecordsEntryResult(await PutRecord(streamName, key, data, ct), null, null, null));
            }
            catch (KinesisApiException e) when (e.Type is "ProvisionedThroughputExceededException" or "InternalFailure")
            {
                results.Add(new PutRecordsEntryResult(null, null, e.Type, e.Message));
            }
        }

        return new PutRecordsResult(results);
    }

    /// <summary>ListShards: the ids of the stream's shards.</summary>
    Task<IReadOnlyList<string>> ListShards(string streamName, CancellationToken ct) =>
        throw new NotSupportedException($"{GetType().Name} does not implement ListShards");

    /// <summary>
    /// GetShardIterator of any type: <c>TRIM_HORIZON</c>, <c>LATEST</c> (no <paramref name="sequenceNumber"/>),
    /// <c>AT_SEQUENCE_NUMBER</c> or <c>AFTER_SEQUENCE_NUMBER</c> (with it).
    /// </summary>
    Task<string> ShardIterator(string streamName, string shardId, string iteratorType, string? sequenceNumber, CancellationToken ct) =>
        throw new NotSupportedException($"{GetType().Name} does not implement ShardIterator");
}

/// <summary>
/// The Kinesis Data Streams JSON API (<c>application/x-amz-json-1.1</c>, target <c>Kinesis_20131202.&lt;Operation&gt;</c>)
/// over HTTP, signed with SigV4 (service <c>kinesis</c>). Endpoint: <c>AWS_ENDPOINT_URL_KINESIS</c>, else
/// <c>AWS_ENDPOINT_URL</c>, else <c>https://kinesis.&lt;region&gt;.amazonaws.com</c> (the AWS SDKs' "service-specific
/// endpoints" variables). Throttling and 5xx answers are retried with backoff.
/// </summary>
public sealed class KinesisApi(HttpClient http, Uri endpoint, string region, Func<Task<ImmutableCredentials>> credentials, TimeProvider time) : IKinesisApi
{
    /// <summary>The endpoint from the standard environment variables, or the region's public endpoint.</summary>
    public static Uri EndpointFromEnvironment(string region) =>
        new(Environment.GetEnvironmentVariable("AWS_ENDPOINT_URL_KINESIS") is { Length: > 0 } k ? k
            : Environment.GetEnvironmentVariable("AWS_ENDPOINT_URL") is { Length: > 0 } a ? a
            : $"https://kinesis.{region}.amazonaws.com");

    /// <inheritdoc />
    public async Task<string> PutRecord(string streamName, string partitionKey, byte[] data, CancellationToken ct)
    {
        var answer = await Call("PutRecord", new JsonObject
        {
            ["StreamName"] = streamName,
            ["PartitionKey"] = partitionKey,
            ["Data"] = Convert.ToBase64String(data),
        }, ct);
        return answer["SequenceNumber"]?.GetValue<string>() ?? throw new KinesisApiException("InvalidResponse", "PutRecord returned no SequenceNumber", HttpStatusCode.OK);
    }

    /// <inheritdoc />
    public async Task<PutRecordsResult> PutRecords(string streamName, IReadOnlyList<(string PartitionKey, byte[] Data)> records, CancellationToken ct)
    {
        var entries = new JsonArray();
        foreach (var (key, data) in records)
        {
            entries.Add(new JsonObject { ["PartitionKey"] = key, ["Data"] = Convert.ToBase64String(data) });
        }

        var answer = await Call("PutRecords", new JsonObject { ["StreamName"] = streamName, ["Records"] = entries }, ct);
        var results = (answer["Records"] as JsonArray ?? []).OfType<JsonObject>().Select(r => new PutRecordsEntryResult(
            r["SequenceNumber"]?.GetValue<string>(), r["ShardId"]?.GetValue<string>(),
            r["ErrorCode"]?.GetValue<string>(), r["ErrorMessage"]?.GetValue<string>())).ToList();
        if (results.Count != records.Count)
        {
            throw new KinesisApiException("InvalidResponse", $"PutRecords returned {results.Count} results for {records.Count} records", HttpStatusCode.OK);
        }

        return new PutRecordsResult(results);
    }

    /// <inheritdoc />
    public async Task<string> ShardIteratorAt(string streamName, string shardId, string sequenceNumber, CancellationToken ct)
    {
        var answer = await Call("GetShardIterator", new JsonObject
        {
            ["StreamName"] = streamName,
            ["ShardId"] = shardId,
            ["ShardIteratorType"] = "AT_SEQUENCE_NUMBER",
            ["StartingSequenceNumber"] = sequenceNumber,
        }, ct);
        return answer["ShardIterator"]?.GetValue<string>() ?? throw new KinesisApiException("InvalidResponse", "GetShardIterator returned no ShardIterator", HttpStatusCode.OK);
    }

    /// <inheritdoc />
    public async Task<RecordsPage> GetRecords(string shardIterator, int limit, CancellationToken ct)
    {
        var answer = await Call("GetRecords", new JsonObject { ["ShardIterator"] = shardIterator, ["Limit"] = limit }, ct);
        var records = (answer["Records"] as JsonArray ?? []).OfType<JsonObject>().Select(r => new StreamRecord(
            r["SequenceNumber"]!.GetValue<string>(),
            r["PartitionKey"]!.GetValue<string>(),
            Convert.FromBase64String(r["Data"]!.GetValue<string>()))
        {
            ApproximateArrivalTimestamp = r["ApproximateArrivalTimestamp"] is JsonValue t && t.TryGetValue<double>(out var seconds)
                ? DateTimeOffset.FromUnixTimeMilliseconds((long)Math.Round(seconds * 1000))
                : null,
        }).ToList();
        return new RecordsPage(records, answer["NextShardIterator"]?.GetValue<string>(), answer["MillisBehindLatest"]?.GetValue<long>() ?? 0);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<string>> ListShards(string streamName, CancellationToken ct)
    {
        var shards = new List<string>();
        JsonObject request = new() { ["StreamName"] = streamName };
        while (true)
        {
            var answer = await Call("ListShards", request, ct);
            shards.AddRange((answer["Shards"] as JsonArray ?? []).OfType<JsonObject>().Select(s => s["ShardId"]!.GetValue<string>()));
            if (answer["NextToken"]?.GetValue<string>() is not { Length: > 0 } next)
            {
                return shards;
            }

            request = new JsonObject { ["NextToken"] = next };
        }
    }

    /// <inheritdoc />
    public async Task<string> ShardIterator(string streamName, string shardId, string iteratorType, string? sequenceNumber, CancellationToken ct)
    {
        var request = new JsonObject { ["StreamName"] = streamName, ["ShardId"] = shardId, ["ShardIteratorType"] = iteratorType };
        if (sequenceNumber is not null)
        {
            request["StartingSequenceNumber"] = sequenceNumber;
        }

        var answer = await Call("GetShardIterator", request, ct);
        return answer["ShardIterator"]?.GetValue<string>() ?? throw new KinesisApiException("InvalidResponse", "GetShardIterator returned no ShardIterator", HttpStatusCode.OK);
    }

    /// <summary>Any Kinesis operation with a JSON request (the tests create streams and read shards with it).</summary>
    public Task<JsonObject> Invoke(string operation, JsonObject request, CancellationToken ct) => Call(operation, request, ct);

    private async Task<JsonObject> Call(string operation, JsonObject request, CancellationToken ct)
    {
        var body = Encoding.UTF8.GetBytes(request.ToJsonString());
        for (var attempt = 1; ; attempt++)
        {
            using var message = new HttpRequestMessage(HttpMethod.Post, new Uri(endpoint, "/")) { Content = new ByteArrayContent(body) };
            message.Content.Headers.TryAddWithoutValidation("Content-Type", "application/x-amz-json-1.1");
            SigV4.Sign(message, body, $"Kinesis_20131202.{operation}", await credentials(), region, "kinesis", time.GetUtcNow().UtcDateTime);
            using var response = await http.SendAsync(message, ct);
            var text = await response.Content.ReadAsStringAsync(ct);
            if (response.IsSuccessStatusCode)
            {
                return JsonNode.Parse(text.Length == 0 ? "{}" : text)!.AsObject();
            }

            var (type, error) = ParseError(text);
            var transient = (int)response.StatusCode >= 500 || type is "ProvisionedThroughputExceededException" or "LimitExceededException" or "ThrottlingException";
            if (!transient || attempt >= 6)
            {
                throw new KinesisApiException(type, $"{operation} failed ({(int)response.StatusCode}): {error}", response.StatusCode);
            }

            await Task.Delay(TimeSpan.FromMilliseconds(100 * Math.Pow(2, attempt)), time, ct);
        }
    }

    private static (string Type, string Message) ParseError(string text)
    {
        try
        {
            var o = JsonNode.Parse(text) as JsonObject;
            var type = o?["__type"]?.GetValue<string>() ?? "UnknownError";
            return (type[(type.LastIndexOf('#') + 1)..], o?["message"]?.GetValue<string>() ?? o?["Message"]?.GetValue<string>() ?? text);
        }
        catch (JsonException)
        {
            return ("UnknownError", text);
        }
    }
}
