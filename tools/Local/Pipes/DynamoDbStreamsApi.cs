using Amazon.Runtime;
using FraudTf.Redrive;

namespace FraudTf.Local.Pipes;

/// <summary>A shard of a DynamoDB stream (<c>DescribeStream</c>).</summary>
/// <param name="ShardId">Its id.</param>
/// <param name="ParentShardId">Its parent (read first), if any.</param>
public sealed record DynamoDbShard(string ShardId, string? ParentShardId);

/// <summary>A page of DynamoDB Streams <c>GetRecords</c>: the records as the API returns them (JSON), and the next iterator (null once a closed shard is read).</summary>
/// <param name="Records">The stream records (eventID, eventName, eventVersion, eventSource, awsRegion, dynamodb{…}).</param>
/// <param name="NextShardIterator">The next iterator.</param>
public sealed record DynamoDbRecordsPage(IReadOnlyList<JsonObject> Records, string? NextShardIterator);

/// <summary>
/// The DynamoDB Streams calls a pipe makes. (AWSSDK.DynamoDBv2 4.x no longer carries the streams client and
/// AWSSDK.DynamoDBStreams is not served here, so this is the JSON API over HTTP, like <see cref="KinesisApi"/>.)
/// </summary>
public interface IDynamoDbStreamsApi
{
    /// <summary>DescribeStream: the stream's shards (all pages).</summary>
    Task<IReadOnlyList<DynamoDbShard>> Shards(string streamArn, CancellationToken ct);

    /// <summary>GetShardIterator: TRIM_HORIZON or LATEST (no <paramref name="sequenceNumber"/>), AT_/AFTER_SEQUENCE_NUMBER (with it).</summary>
    Task<string> ShardIterator(string streamArn, string shardId, string iteratorType, string? sequenceNumber, CancellationToken ct);

    /// <summary>GetRecords.</summary>
    Task<DynamoDbRecordsPage> GetRecords(string shardIterator, int limit, CancellationToken ct);
}

/// <summary>
/// The DynamoDB Streams JSON API (<c>application/x-amz-json-1.0</c>, target <c>DynamoDBStreams_20120810.&lt;Operation&gt;</c>)
/// over HTTP, signed with SigV4 (service <c>dynamodb</c>; DynamoDB Local serves it on its own endpoint).
/// </summary>
public sealed class DynamoDbStreamsApi(HttpClient http, Uri endpoint, string region, Func<Task<ImmutableCredentials>> credentials, TimeProvider time) : IDynamoDbStreamsApi
{
    /// <inheritdoc />
    public async Task<IReadOnlyList<DynamoDbShard>> Shards(string streamArn, CancellationToken ct)
    {
        var shards = new List<DynamoDbShard>();
        var request = new JsonObject { ["StreamArn"] = streamArn };
        while (true)
        {
            var answer = await Call("DescribeStream", request, ct);
            var description = answer["StreamDescription"] as JsonObject ?? [];
            shards.AddRange((description["Shards"] as JsonArray ?? []).OfType<JsonObject>()
                .Select(s => new DynamoDbShard(s["ShardId"]!.GetValue<string>(), s["ParentShardId"]?.GetValue<string>())));
            if (description["LastEvaluatedShardId"]?.GetValue<string>() is not { Length: > 0 } last)
            {
                return shards;
            }

            request = new JsonObject { ["StreamArn"] = streamArn, ["ExclusiveStartShardId"] = last };
        }
    }

    /// <inheritdoc />
    public async Task<string> ShardIterator(string streamArn, string shardId, string iteratorType, string? sequenceNumber, CancellationToken ct)
    {
        var request = new JsonObject { ["StreamArn"] = streamArn, ["ShardId"] = shardId, ["ShardIteratorType"] = iteratorType };
        if (sequenceNumber is not null)
        {
            request["SequenceNumber"] = sequenceNumber;
        }

        var answer = await Call("GetShardIterator", request, ct);
        return answer["ShardIterator"]?.GetValue<string>() ?? throw new InvalidOperationException("GetShardIterator returned no ShardIterator");
    }

    /// <inheritdoc />
    public async Task<DynamoDbRecordsPage> GetRecords(string shardIterator, int limit, CancellationToken ct)
    {
        var answer = await Call("GetRecords", new JsonObject { ["ShardIterator"] = shardIterator, ["Limit"] = Math.Min(limit, 1000) }, ct);
        var records = (answer["Records"] as JsonArray ?? []).OfType<JsonObject>().Select(r => r.DeepClone().AsObject()).ToList();
        return new DynamoDbRecordsPage(records, answer["NextShardIterator"]?.GetValue<string>());
    }

    private async Task<JsonObject> Call(string operation, JsonObject request, CancellationToken ct)
    {
        var body = Encoding.UTF8.GetBytes(request.ToJsonString());
        using var message = new HttpRequestMessage(HttpMethod.Post, new Uri(endpoint, "/")) { Content = new ByteArrayContent(body) };
        message.Content.Headers.TryAddWithoutValidation("Content-Type", "application/x-amz-json-1.0");
        SigV4.Sign(message, body, $"DynamoDBStreams_20120810.{operation}", await credentials(), region, "dynamodb", time.GetUtcNow().UtcDateTime);
        using var response = await http.SendAsync(message, ct);
        var text = await response.Content.ReadAsStringAsync(ct);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"DynamoDB Streams {operation} failed ({(int)response.StatusCode}): {text}");
        }

        return JsonNode.Parse(text.Length == 0 ? "{}" : text)!.AsObject();
    }
}
