// Alike on purpose: the usings name the AWS SDK clients and shared contracts this handler uses; its tests and the
// local runner, which drive the same clients, list the same namespaces.
using System.Net;
using System.Security.Cryptography;
using System.Text;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Amazon.S3;
using Amazon.S3.Model;
using Amazon.SQS;
using Amazon.SQS.Model;
using FraudTf.Functions.Shared.Logging;
using FraudTf.Functions.Shared.Metrics;
using FraudTf.Functions.Shared.Tables;

namespace FraudTf.Functions.AlertHandler;

/// <summary>
/// Handles FraudDetected events (the <see cref="FraudTf.Functions.Shared.Events.FraudDetectedDetail"/> the decisions
/// pipe puts on the bus): writes the decision trail (an allow-list of the transaction's attributes, score, reasons, rule
/// version) under <c>trails/yyyy/MM/dd/&lt;transactionId&gt;.json</c>, an audit record under
/// <c>audit/yyyy/MM/dd/&lt;recordId&gt;.json</c>, then flags the user's profile and marks the decision handled in one
/// DynamoDB transaction. Idempotent on the business record: the marker (<c>ALERT#&lt;recordId&gt;</c>, the DynamoDB stream
/// record's eventID) is the same for every delivery, whatever its EventBridge event id; trails and audit records are
/// write-once (<c>If-None-Match: *</c>), and an object already there (412/409, left by an earlier attempt) counts as
/// written. A malformed event goes to the dead-letter queue with the reason and is acknowledged; a transient failure
/// throws, so EventBridge retries (and finally dead-letters) it.
/// <para>
/// Effects exactly once, whatever fails when. The effects are, in order: (1) the trail, (2) the audit record, (3) one
/// DynamoDB transaction of the profile's flag and <c>alertCount + 1</c> with the marker (condition: no marker yet). A
/// crash or error before (1), between (1) and (2), or between (2) and (3) leaves no marker, so the next delivery (a
/// Lambda retry, or the same stream record re-published by the pipe under a new event id) redoes the steps: the objects
/// already written answer 412 and are kept (no second version: the buckets deny unconditional puts under these
/// prefixes), and (3) commits once. A crash after (3) committed: the next delivery finds the marker (strongly consistent
/// read) and does nothing. A lost response of (3) retried by the SDK carries the same <c>ClientRequestToken</c>, so
/// DynamoDB answers success without applying it again (10-minute window); a concurrent delivery fails the marker's
/// condition, which cancels its whole transaction (no count). Every value of the transaction comes from the event, never
/// from a clock, so a retried call never differs from the first (which DynamoDB would refuse as a parameter mismatch).
/// The marker carries <c>expiresAt</c> = <c>decidedAt</c> + TRANSACTION_TTL_DAYS, the expiry the stream processor gives
/// the decision row itself, so it expires with its decision, long after the pipe could re-publish it (stream retention:
/// 24 hours). The alerts topic's message is not sent here: the FraudDetected rule's SNS target sends it, at least once
/// per event (EventBridge retries a target; a re-published record is a new event), so its consumers dedupe on the
/// <c>recordId</c> (or <c>transactionId</c>) the message carries.
/// </para>
/// </summary>
public sealed class Function
{
    /// <summary>
    /// The transaction attributes a decision trail keeps (<c>inputs</c>): what a reviewer needs to understand the decision.
    /// Not the device id or the IP address: trails are kept up to 7 years, the transactions table only 365 days (TTL).
    /// </summary>
    public static readonly IReadOnlyList<string> TrailInputAttributes =
    [
        TransactionAttributes.TransactionId, TransactionAttributes.UserId, TransactionAttributes.Timestamp,
        TransactionAttributes.Amount, TransactionAttributes.Currency, TransactionAttributes.MerchantId,
        TransactionAttributes.MerchantCategory, TransactionAttributes.Country, "channel", TransactionAttributes.Decision,
    ];

    /// <summary>Prefix of the marker rows in the decisions table (never AUTOMATED, so never an alert themselves).</summary>
    public const string MarkerPrefix = DecisionKeys.AlertMarkerPrefix;

    private readonly Settings _settings;
    private readonly IAmazonDynamoDB _dynamo;
    private readonly IAmazonS3 _s3;
    private readonly IAmazonSQS _sqs;
    private readonly StructuredLog _log;
    private readonly EmfWriter _metrics;

    /// <summary>Used by the Lambda runtime: SDK clients configured from the environment.</summary>
    public Function()
        : this(Settings.FromEnvironment(), new AmazonDynamoDBClient(), new AmazonS3Client(), new AmazonSQSClient(), StructuredOutput.Standard)
    {
    }

    /// <summary>Creates the function with explicit dependencies (tests); <paramref name="output"/> receives the EMF documents
    /// and structured log lines (the raw standard output in Lambda).</summary>
    public Function(Settings settings, IAmazonDynamoDB dynamo, IAmazonS3 s3, IAmazonSQS sqs, StructuredOutput output)
    {
        _settings = settings;
        _dynamo = dynamo;
        _s3 = s3;
        _sqs = sqs;
        _log = new StructuredLog(output);
        _metrics = new EmfWriter(output);
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
        var status = await Handle(raw, ct);
        EmitOutcome(status);
        return status;
    }

    // One EMF document per event (PlatformMetrics.AlertHandler): its outcome counted, the others zero. A thrown
    // (transient) failure emits nothing: Lambda's Errors metric counts it.
    private void EmitOutcome(string status) =>
        _metrics.Emit(new Dictionary<string, string> { [PlatformMetrics.EnvironmentDimension] = _settings.Environment },
            new MetricValue(PlatformMetrics.AlertsHandled, status == "handled" ? 1 : 0, MetricUnits.Count),
            new MetricValue(PlatformMetrics.AlertsDuplicate, status == "duplicate" ? 1 : 0, MetricUnits.Count),
            new MetricValue(PlatformMetrics.AlertsRejected, status == "rejected" ? 1 : 0, MetricUnits.Count));

    private async Task<string> Handle(string raw, CancellationToken ct)
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
            Log(LogLevels.Warn, "malformed event rejected to the dead-letter queue", null, null, problem);
            return "rejected";
        }

        var markerKey = new Dictionary<string, AttributeValue>
        {
            [DecisionAttributes.TransactionId] = new() { S = alert.TransactionId },
            [DecisionAttributes.DecisionKey] = new() { S = MarkerPrefix + alert.RecordId },
        };
        var existing = await _dynamo.GetItemAsync(new GetItemRequest { TableName = _settings.DecisionsTable, Key = markerKey, ConsistentRead = true }, ct);
        if (existing.Item is { Count: > 0 })
        {
            Log(LogLevels.Info, "duplicate event skipped", alert.RecordId, alert.TransactionId, $"EventBridge event {alert.EventId}");
            return "duplicate";
        }

        var inputs = await _dynamo.GetItemAsync(new GetItemRequest
        {
            TableName = _settings.TransactionsTable,
            Key = new Dictionary<string, AttributeValue> { [TransactionAttributes.TransactionId] = new() { S = alert.TransactionId } },
            ProjectionExpression = string.Join(", ", TrailInputAttributes.Select((_, i) => $"#a{i}")),
            ExpressionAttributeNames = TrailInputAttributes.Select((a, i) => (a, i)).ToDictionary(p => $"#a{p.i}", p => p.a),
            ConsistentRead = true,
        }, ct);
        var day = alert.DecidedAt.UtcDateTime.ToString("yyyy/MM/dd", CultureInfo.InvariantCulture);
        var decidedAt = alert.DecidedAt.ToString("O", CultureInfo.InvariantCulture);
        var trailKey = $"trails/{day}/{alert.TransactionId}.json";
        var trail = new JsonObject
        {
            ["transactionId"] = alert.TransactionId,
            ["userId"] = alert.UserId,
            ["decision"] = alert.Decision,
            ["score"] = alert.Score,
            ["confidence"] = alert.Confidence,
            ["rulesVersion"] = alert.RulesVersion,
            ["decidedAt"] = decidedAt,
            ["reasons"] = alert.Reasons.DeepClone(),
            ["inputs"] = inputs.Item is { Count: > 0 } item ? ToJson(item) : null,
            ["recordId"] = alert.RecordId,
        };
        var trailWritten = await PutOnce(_settings.DecisionTrailsBucket, trailKey, trail.ToJsonString(), ct);
        // Alike on purpose: the audit record repeats fields of the trail, so each object stands alone in its bucket.
        var audit = new JsonObject
        {
            ["type"] = "FraudDetected",
            ["recordId"] = alert.RecordId,
            ["eventId"] = alert.EventId,
            ["transactionId"] = alert.TransactionId,
            ["userId"] = alert.UserId,
            ["decision"] = alert.Decision,
            ["rulesVersion"] = alert.RulesVersion,
            ["decidedAt"] = decidedAt,
            ["trailKey"] = trailKey,
        };
        var auditWritten = await PutOnce(_settings.AuditLogsBucket, $"audit/{day}/{alert.RecordId}.json", audit.ToJsonString(), ct);

        // The profile flag and the marker commit together: a retry after a failure in between cannot count the alert twice.
        var marker = new Dictionary<string, AttributeValue>(markerKey)
        {
            [DecisionAttributes.UserId] = new() { S = alert.UserId },
            [DecisionAttributes.DecidedAt] = new() { S = decidedAt },
            [CommonAttributes.ExpiresAt] = new() { N = MarkerExpiresAt(alert.DecidedAt, _settings.TransactionTtlDays).ToString(CultureInfo.InvariantCulture) },
        };
        try
        {
            await _dynamo.TransactWriteItemsAsync(new TransactWriteItemsRequest
            {
                // An SDK retry of a commit that went through succeeds instead of failing the marker's condition. Tokens are
                // account-wide for 10 minutes, so the table name is part of it.
                ClientRequestToken = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes($"{_settings.DecisionsTable}/{alert.RecordId}")))[..32],
                // Alike on purpose: the marker's Put carries the decisions table's once-only condition (attribute_not_exists on the
                // sort key), as the analyst tools' decision row does; one condition of the table's contract, written by each writer.
                TransactItems =
                [
                    new TransactWriteItem
                    {
                        Update = new Update
                        {
                            TableName = _settings.UserProfilesTable,
                            Key = new Dictionary<string, AttributeValue> { [ProfileAttributes.UserId] = new() { S = alert.UserId } },
                            UpdateExpression = "SET flagged = :true, lastAlertAt = :at, lastAlertTransactionId = :tx ADD alertCount :one",
                            ExpressionAttributeValues = new Dictionary<string, AttributeValue>
                            {
                                [":true"] = new() { BOOL = true },
                                [":at"] = new() { S = decidedAt },
                                [":tx"] = new() { S = alert.TransactionId },
                                [":one"] = new() { N = "1" },
                            },
                        },
                    },
                    new TransactWriteItem
                    {
                        Put = new Put
                        {
                            TableName = _settings.DecisionsTable,
                            Item = marker,
                            ConditionExpression = "attribute_not_exists(#k)",
                            ExpressionAttributeNames = new Dictionary<string, string> { ["#k"] = DecisionAttributes.DecisionKey },
                        },
                    },
                ],
            }, ct);
        }
        catch (TransactionCanceledException e) when (e.CancellationReasons is { Count: 2 } r && r[1].Code == "ConditionalCheckFailed")
        {
            Log(LogLevels.Info, "duplicate event skipped (handled concurrently)", alert.RecordId, alert.TransactionId, $"EventBridge event {alert.EventId}");
            return "duplicate";
        }

        Log(LogLevels.Info, "alert handled", alert.RecordId, alert.TransactionId,
            trailWritten && auditWritten ? null : "trail or audit record already written by an earlier attempt");
        return "handled";
    }

    /// <summary>
    /// The marker's TTL (epoch seconds): <paramref name="decidedAt"/> + <paramref name="ttlDays"/>, computed as the stream
    /// processor computes the decision row's <c>expiresAt</c> (its clock at the decision is <c>decidedAt</c>).
    /// </summary>
    public static long MarkerExpiresAt(DateTimeOffset decidedAt, int ttlDays) => decidedAt.AddDays(ttlDays).ToUnixTimeSeconds();

    /// <summary>
    /// Puts an object only if its key does not exist (the buckets deny unconditional puts under these prefixes).
    /// True when written; false when the object was already there: 412 PreconditionFailed, or 409
    /// ConditionalRequestConflict when another attempt is writing it at the same time (S3 user guide, "Conditional writes").
    /// </summary>
    private async Task<bool> PutOnce(string bucket, string key, string body, CancellationToken ct)
    {
        try
        {
            await _s3.PutObjectAsync(new PutObjectRequest
            {
                BucketName = bucket,
                Key = key,
                ContentBody = body,
                ContentType = "application/json",
                IfNoneMatch = "*",
                UseChunkEncoding = false,
            }, ct);
            return true;
        }
        catch (AmazonS3Exception e) when (e.StatusCode is HttpStatusCode.PreconditionFailed or HttpStatusCode.Conflict
                                          || e.ErrorCode is "PreconditionFailed" or "ConditionalRequestConflict")
        {
            Log(LogLevels.Info, "object already written (write-once)", null, null, $"s3://{bucket}/{key}: {e.ErrorCode}");
            return false;
        }
    }

    private static JsonObject ToJson(Dictionary<string, AttributeValue> item)
    {
        var o = new JsonObject();
        foreach (var name in TrailInputAttributes.Order(StringComparer.Ordinal))
        {
            if (item.TryGetValue(name, out var v))
            {
                o[name] = v.S is not null ? JsonValue.Create(v.S) : v.N is not null ? JsonValue.Create(decimal.Parse(v.N, CultureInfo.InvariantCulture)) : null;
            }
        }

        return o;
    }

    private void Log(string level, string message, string? recordId, string? transactionId, string? detail) =>
        _log.Write(level, message,
        [
            new(LogFields.RecordId, recordId),
            new(LogFields.TransactionId, transactionId),
            new(LogFields.Detail, detail),
        ]);
}
