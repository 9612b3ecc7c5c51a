using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Amazon.S3;
using FraudTf.Redrive;

namespace FraudTf.Local.Engines;

/// <summary>
/// Creates a stack's data resources on the local engines, from the synthesized blocks themselves: every
/// <c>aws_dynamodb_table</c> (keys, attributes, global secondary indexes, stream view type), every <c>aws_s3_bucket</c>,
/// every <c>aws_kinesis_stream</c> (<c>shard_count</c>; an ON_DEMAND stream gets 4 shards, the write capacity AWS gives a
/// new on-demand stream, "Choosing the data stream capacity mode"). What the engines cannot hold is left out and said:
/// KMS encryption, point-in-time recovery, TTL deletion, bucket policies, object lock, lifecycle rules.
/// </summary>
public static class Provisioner
{
    /// <summary>Shards of a local on-demand stream.</summary>
    public const int OnDemandShards = 4;

    /// <summary>Creates every table; returns table name to its stream ARN (tables with a stream only). Sets the stack's <c>stream_arn</c> attributes.</summary>
    public static async Task<IReadOnlyDictionary<string, string>> CreateTables(LocalStack stack, IAmazonDynamoDB dynamo, CancellationToken ct)
    {
        var streams = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (address, body) in stack.Resources("aws_dynamodb_table"))
        {
            var name = stack.Resolve(body["name"]!.GetValue<string>());
            var request = new CreateTableRequest
            {
                TableName = name,
                BillingMode = BillingMode.PAY_PER_REQUEST,
                AttributeDefinitions = (body["attribute"] as JsonArray ?? []).Select(a => new AttributeDefinition(a!["name"]!.GetValue<string>(), new ScalarAttributeType(a["type"]!.GetValue<string>()))).ToList(),
                KeySchema = Keys(body),
                GlobalSecondaryIndexes = (body["global_secondary_index"] as JsonArray ?? []).Select(g => new GlobalSecondaryIndex
                {
                    IndexName = g!["name"]!.GetValue<string>(),
                    KeySchema = Keys(g.AsObject()),
                    Projection = new Projection
                    {
                        ProjectionType = new ProjectionType(g["projection_type"]?.GetValue<string>() ?? "ALL"),
                        NonKeyAttributes = (g["non_key_attributes"] as JsonArray)?.Select(n => n!.GetValue<string>()).ToList(),
                    },
                }).ToList(),
            };
            if (request.GlobalSecondaryIndexes.Count == 0)
            {
                request.GlobalSecondaryIndexes = null;
            }

            if (body["stream_enabled"]?.GetValue<bool>() == true)
            {
                request.StreamSpecification = new StreamSpecification { StreamEnabled = true, StreamViewType = new StreamViewType(body["stream_view_type"]!.GetValue<string>()) };
            }

            var created = await dynamo.CreateTableAsync(request, ct);
            if (created.TableDescription.LatestStreamArn is { } arn)
            {
                streams[name] = arn;
                stack.SetAttribute("aws_dynamodb_table", address, "stream_arn", arn);
            }
        }

        return streams;
    }

    /// <summary>Creates every bucket of the stack.</summary>
    public static async Task<IReadOnlyList<string>> CreateBuckets(LocalStack stack, IAmazonS3 s3, CancellationToken ct)
    {
        var names = new List<string>();
        foreach (var (_, body) in stack.Resources("aws_s3_bucket"))
        {
            var name = stack.Resolve(body["bucket"]!.GetValue<string>());
            await s3.PutBucketAsync(name, ct);
            names.Add(name);
        }

        return names;
    }

    /// <summary>Creates every Kinesis stream of the stack; returns stream name to shard count.</summary>
    public static async Task<IReadOnlyDictionary<string, int>> CreateStreams(LocalStack stack, KinesisApi kinesis, CancellationToken ct)
    {
        var result = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var (_, body) in stack.Resources("aws_kinesis_stream"))
        {
            var name = stack.Resolve(body["name"]!.GetValue<string>());
            var onDemand = body["stream_mode_details"]?["stream_mode"]?.GetValue<string>() == "ON_DEMAND";
            var shards = onDemand ? OnDemandShards : LocalStack.Int(body, "shard_count", 1);
            await kinesis.Invoke("CreateStream", new JsonObject { ["StreamName"] = name, ["ShardCount"] = shards }, ct);
            for (var i = 0; i < 100; i++)
            {
                var d = await kinesis.Invoke("DescribeStreamSummary", new JsonObject { ["StreamName"] = name }, ct);
                if (d["StreamDescriptionSummary"]?["StreamStatus"]?.GetValue<string>() == "ACTIVE")
                {
                    break;
                }

                await Task.Delay(50, ct);
            }

            result[name] = shards;
        }

        return result;
    }

    private static List<KeySchemaElement> Keys(JsonObject body)
    {
        var keys = new List<KeySchemaElement> { new(body["hash_key"]!.GetValue<string>(), KeyType.HASH) };
        if (body["range_key"]?.GetValue<string>() is { } range)
        {
            keys.Add(new KeySchemaElement(range, KeyType.RANGE));
        }

        return keys;
    }
}
