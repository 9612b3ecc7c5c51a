using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Amazon.S3;
using Amazon.S3.Model;
using Amazon.SQS;
using Amazon.SQS.Model;
using FraudTf.Functions.Shared.Tables;

namespace FraudTf.Functions.AlertHandler;

/// <summary>The alert handler's settings, from its environment variables (names only).</summary>
public sealed record Settings
{
    /// <summary>DECISION_TRAILS_BUCKET.</summary>
    public required string DecisionTrailsBucket { get; init; }

    /// <summary>AUDIT_LOGS_BUCKET.</summary>
    public required string AuditLogsBucket { get; init; }

    /// <summary>USER_PROFILES_TABLE.</summary>
    public required string UserProfilesTable { get; init; }

    /// <summary>TRANSACTIONS_TABLE (the decision's inputs).</summary>
    public required string TransactionsTable { get; init; }

    /// <summary>DECISIONS_TABLE (where the handled-event marker is kept).</summary>
    public required string DecisionsTable { get; init; }

    /// <summary>DLQ_URL.</summary>
    public required string DeadLetterQueueUrl { get; init; }

    /// <summary>Reads the settings; a missing variable is an error naming it.</summary>
    public static Settings FromEnvironment()
    {
        static string Required(string name) => Environment.GetEnvironmentVariable(name) is { Length: > 0 } v
            ? v
            : throw new InvalidOperationException($"environment variable {name} is not set");
        return new Settings
        {
            DecisionTrailsBucket = Required("DECISION_TRAILS_BUCKET"),
            AuditLogsBucket = Required("AUDIT_LOGS_BUCKET"),
            UserProfilesTable = Required("USER_PROFILES_TABLE"),
            TransactionsTable = Required("TRANSACTIONS_TABLE"),
            DecisionsTable = Required("DECISIONS_TABLE"),
            DeadLetterQueueUrl = Required("DLQ_URL"),
        };
    }
}

/// <summary>
/// Handles FraudDetected events (the decisions table's stream record, put on the bus by the pipe): writes the decision
/// trail (inputs, score, reasons, rule version) under <c>trails/yyyy/MM/dd/&lt;transactionId&gt;.json</c>, an audit record
/// under <c>audit/yyyy/MM/dd/&lt;eventId&gt;.json</c>, flags the user's profile, then marks the event handled. A replayed
/// event finds the marker and does nothing. A malformed event goes to the dead-letter queue with the reason and is
/// acknowledged; a transient failure throws, so EventBridge retries (and finally dead-letters) it.
/// </summary>
public sealed class Function
{
    private readonly Settings _settings;
    private readonly IAmazonDynamoDB _dynamo;
    private readonly IAmazonS3 _s3;
    private readonly IAmazonSQS _sqs;
    private readonly TextWriter _log;

    /// <summary>Used by the Lambda runtime: SDK clients configured from the environment.</summary>
    public Function()
        : this(Settings.FromEnvironment(), new AmazonDynamoDBClient(), new AmazonS3Client(), new AmazonSQSClient(), Console.Out)
    {
    }

    /// <summary>Creates the function with explicit dependencies (tests).</summary>
    public Function(Settings settings, IAmazonDynamoDB dynamo, IAmazonS3 s3, IAmazonSQS sqs, TextWriter log)
    {
        _settings = settings;
        _dynamo = dynamo;
        _s3 = s3;
        _sqs = sqs;
        _log = log;
    }

    /// <summary>Handles one EventBridge event; returns <c>{"status": ...}</c>.</summary>
    public async Task<Stream> Handler(Stream input)
    {
        using var reader = new StreamReader(input, Encoding.UTF8);
        var raw = await reader.ReadToEndAsync();
        var status = await Process(raw, CancellationToken.None);
        return new MemoryStream(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new Dictionary<string, string> { ["status"] = status })));
    }

    /// <summary>Processes the raw event JSON: "handled", "duplicate" or "rejected".</summary>
    public async Task<string> Process(string raw, CancellationToken ct)
    {
        var alert = FraudAlert.Parse(raw, out var problem);
        if (alert is null)
        {
            await _sqs.SendMessageAsync(new SendMessageRequest
            {
                QueueUrl = _settings.DeadLetterQueueUrl,
                MessageBody = JsonSerializer.Serialize(new Dictionary<string, string> { ["source"] = "alert-handler", ["reason"] = problem!, ["event"] = raw }),
                MessageAttributes = new Dictionary<string, MessageAttributeValue> { ["reason"] = new() { DataType = "String", StringValue = "MalformedEvent" } },
            }, ct);
            Log("warn", "malformed event rejected to the dead-letter queue", null, null, problem);
            return "rejected";
        }

        var marker = new Dictionary<string, AttributeValue>
        {
            [DecisionAttributes.TransactionId] = new() { S = alert.TransactionId },
            [DecisionAttributes.DecisionKey] = new() { S = $"ALERT#{alert.EventId}" },
        };
        var existing = await _dynamo.GetItemAsync(new GetItemRequest { TableName = _settings.DecisionsTable, Key = marker, ConsistentRead = true }, ct);
        if (existing.Item is { Count: > 0 })
        {
            Log("info", "duplicate event skipped", alert.EventId, alert.TransactionId, null);
            return "duplicate";
        }

        var inputs = await _dynamo.GetItemAsync(new GetItemRequest
        {
            TableName = _settings.TransactionsTable,
            Key = new Dictionary<string, AttributeValue> { [TransactionAttributes.TransactionId] = new() { S = alert.TransactionId } },
            ConsistentRead = true,
        }, ct);
        var day = alert.DecidedAt.UtcDateTime.ToString("yyyy/MM/dd", CultureInfo.InvariantCulture);
        var trail = new JsonObject
        {
            ["transactionId"] = alert.TransactionId,
            ["userId"] = alert.UserId,
            ["decision"] = alert.Decision,
            ["score"] = alert.Score,
            ["confidence"] = alert.Confidence,
            ["rulesVersion"] = alert.RulesVersion,
            ["decidedAt"] = alert.DecidedAt.ToString("O", CultureInfo.InvariantCulture),
            ["reasons"] = alert.Reasons.DeepClone(),
            ["inputs"] = inputs.Item is { Count: > 0 } item ? ToJson(item) : null,
            ["eventId"] = alert.EventId,
        };
        await Put(_settings.DecisionTrailsBucket, $"trails/{day}/{alert.TransactionId}.json", trail.ToJsonString(), ct);
        var audit = new JsonObject
        {
            ["type"] = "FraudDetected",
            ["eventId"] = alert.EventId,
            ["transactionId"] = alert.TransactionId,
            ["userId"] = alert.UserId,
            ["decision"] = alert.Decision,
            ["rulesVersion"] = alert.RulesVersion,
            ["decidedAt"] = alert.DecidedAt.ToString("O", CultureInfo.InvariantCulture),
            ["trailKey"] = $"trails/{day}/{alert.TransactionId}.json",
        };
        await Put(_settings.AuditLogsBucket, $"audit/{day}/{alert.EventId}.json", audit.ToJsonString(), ct);

        await _dynamo.UpdateItemAsync(new UpdateItemRequest
        {
            TableName = _settings.UserProfilesTable,
            Key = new Dictionary<string, AttributeValue> { [ProfileAttributes.UserId] = new() { S = alert.UserId } },
            UpdateExpression = "SET flagged = :true, lastAlertAt = :at, lastAlertTransactionId = :tx ADD alertCount :one",
            ExpressionAttributeValues = new Dictionary<string, AttributeValue>
            {
                [":true"] = new() { BOOL = true },
                [":at"] = new() { S = alert.DecidedAt.ToString("O", CultureInfo.InvariantCulture) },
                [":tx"] = new() { S = alert.TransactionId },
                [":one"] = new() { N = "1" },
            },
        }, ct);

        marker[DecisionAttributes.UserId] = new AttributeValue { S = alert.UserId };
        marker[DecisionAttributes.DecidedAt] = new AttributeValue { S = alert.DecidedAt.ToString("O", CultureInfo.InvariantCulture) };
        await _dynamo.PutItemAsync(new PutItemRequest { TableName = _settings.DecisionsTable, Item = marker }, ct);
        Log("info", "alert handled", alert.EventId, alert.TransactionId, null);
        return "handled";
    }

    private Task Put(string bucket, string key, string body, CancellationToken ct) => _s3.PutObjectAsync(new PutObjectRequest
    {
        BucketName = bucket,
        Key = key,
        ContentBody = body,
        ContentType = "application/json",
        UseChunkEncoding = false,
    }, ct);

    private static JsonObject ToJson(Dictionary<string, AttributeValue> item)
    {
        var o = new JsonObject();
        foreach (var (k, v) in item.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            o[k] = v.S is not null ? JsonValue.Create(v.S) : v.N is not null ? JsonValue.Create(decimal.Parse(v.N, CultureInfo.InvariantCulture)) : null;
        }

        return o;
    }

    private void Log(string level, string message, string? eventId, string? transactionId, string? detail) =>
        _log.WriteLine(JsonSerializer.Serialize(new Dictionary<string, string?>
        {
            ["level"] = level,
            ["message"] = message,
            ["eventId"] = eventId,
            ["transactionId"] = transactionId,
            ["detail"] = detail,
        }));
}
