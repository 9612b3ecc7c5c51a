using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;

namespace FraudTf.Functions.Tests.Integration;

/// <summary>
/// Reads a DynamoDB Local table's stream as raw JSON, the way an EventBridge Pipe receives it: the DynamoDB Streams API
/// (DescribeStream, GetShardIterator, GetRecords) called over HTTP, because the .NET SDK's streams client is a separate
/// package this project does not use. Each record is returned as the stream API gives it (eventID, eventName,
/// dynamodb.NewImage in DynamoDB JSON, ...) plus <c>eventSourceARN</c>, which Pipes adds.
/// </summary>
public sealed class DynamoDbStreams : IDisposable
{
    private readonly HttpClient _http = new() { BaseAddress = new Uri(DynamoDbLocal.Endpoint) };
    private readonly Dictionary<string, string> _iterators = new(StringComparer.Ordinal);

    /// <summary>Turns the stream of <paramref name="table"/> on (NEW_IMAGE, as the decisions table has) and returns its ARN.</summary>
    public static async Task<string> Enable(IAmazonDynamoDB dynamo, string table, string viewType)
    {
        var r = await dynamo.UpdateTableAsync(new UpdateTableRequest
        {
            TableName = table,
            StreamSpecification = new StreamSpecification { StreamEnabled = true, StreamViewType = new StreamViewType(viewType) },
        });
        return r.TableDescription.LatestStreamArn;
    }

    /// <summary>
    /// The records written since the previous call for this stream (from TRIM_HORIZON on the first call), across all shards.
    /// </summary>
    public async Task<IReadOnlyList<JsonObject>> Read(string streamArn)
    {
        var described = await Call("DescribeStream", new JsonObject { ["StreamArn"] = streamArn });
        var records = new List<JsonObject>();
        foreach (var shard in described["StreamDescription"]!["Shards"]!.AsArray())
        {
            var shardId = shard!["ShardId"]!.GetValue<string>();
            var key = $"{streamArn}|{shardId}";
            if (_iterators.TryGetValue(key, out var done) && done.Length == 0)
            {
                continue;
            }

            if (!_iterators.TryGetValue(key, out var iterator))
            {
                // First read of this shard: from its oldest record, as a pipe at TRIM_HORIZON does.
                var it = await Call("GetShardIterator", new JsonObject { ["StreamArn"] = streamArn, ["ShardId"] = shardId, ["ShardIteratorType"] = "TRIM_HORIZON" });
                iterator = it["ShardIterator"]!.GetValue<string>();
            }

            // Read until the shard has nothing more right now; keep the iterator for the next call.
            while (true)
            {
                var page = await Call("GetRecords", new JsonObject { ["ShardIterator"] = iterator });
                var got = page["Records"]!.AsArray();
                foreach (var r in got)
                {
                    var record = r!.DeepClone().AsObject();
                    record["eventSourceARN"] = streamArn;
                    records.Add(record);
                }

                if (page["NextShardIterator"] is not JsonValue next)
                {
                    _iterators[key] = ""; // closed shard, fully read
                    break;
                }

                iterator = next.GetValue<string>();
                if (got.Count == 0)
                {
                    _iterators[key] = iterator;
                    break;
                }
            }
        }

        return records;
    }

    private async Task<JsonNode> Call(string operation, JsonObject body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/")
        {
            Content = new StringContent(body.ToJsonString(), Encoding.UTF8),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/x-amz-json-1.0");
        request.Headers.Add("X-Amz-Target", $"DynamoDBStreams_20120810.{operation}");
        // DynamoDB Local reads the access key from the Authorization header and does not check the signature.
        request.Headers.TryAddWithoutValidation("Authorization", "AWS4-HMAC-SHA256 Credential=local/20260101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=0");
        request.Headers.Add("X-Amz-Date", "20260101T000000Z");
        using var response = await _http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"DynamoDB Streams {operation} failed ({(int)response.StatusCode}): {text}");
        }

        return JsonNode.Parse(text)!;
    }

    /// <inheritdoc />
    public void Dispose() => _http.Dispose();
}
