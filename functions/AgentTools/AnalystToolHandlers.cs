using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using FraudTf.Functions.Shared.Agent;
using FraudTf.Functions.Shared.Tables;

namespace FraudTf.Functions.AgentTools;

/// <summary>
/// The tools of <see cref="AnalystTools"/> on the tables of <see cref="FraudTables"/>. Each returns compact JSON for
/// the model, bounded to <see cref="MaxBodyBytes"/> (lists are cut and say so). DynamoDB errors propagate.
/// </summary>
public sealed class AnalystToolHandlers
{
    /// <summary>Largest response body, in UTF-8 bytes (Bedrock accepts about 25 KB from an action group).</summary>
    public const int MaxBodyBytes = 20_000;

    /// <summary>Largest since_hours (90 days).</summary>
    public const int MaxSinceHours = 2160;

    /// <summary>Prefix of the sort key of analyst decisions in the decisions table.</summary>
    public const string AnalystKeyPrefix = FraudTf.Functions.Shared.Tables.DecisionKeys.AnalystPrefix;

    /// <summary>Sort key of the scorer's decision.</summary>
    public const string AutomatedKey = FraudTf.Functions.Shared.Tables.DecisionKeys.Automated;

    /// <summary>The value of <c>source</c> on the decisions this function records.</summary>
    public const string Source = "bedrock-agent";

    private readonly IAmazonDynamoDB _dynamo;
    private readonly Settings _settings;
    private readonly TimeProvider _time;

    /// <summary>Creates the handlers.</summary>
    public AnalystToolHandlers(IAmazonDynamoDB dynamo, Settings settings, TimeProvider time)
    {
        _dynamo = dynamo;
        _settings = settings;
        _time = time;
        Handlers = new Dictionary<string, Func<ToolArguments, AgentRequest, CancellationToken, Task<ToolResult>>>(StringComparer.Ordinal)
        {
            [AnalystTools.GetUserProfile.Name] = GetUserProfile,
            [AnalystTools.GetRecentTransactions.Name] = GetRecentTransactions,
            [AnalystTools.GetTransaction.Name] = GetTransaction,
            [AnalystTools.GetActiveFraudPatterns.Name] = GetActiveFraudPatterns,
            [AnalystTools.RecordAnalystDecision.Name] = RecordAnalystDecision,
        };
    }

    /// <summary>The dispatch table: tool name to handler.</summary>
    public IReadOnlyDictionary<string, Func<ToolArguments, AgentRequest, CancellationToken, Task<ToolResult>>> Handlers { get; }

    private async Task<ToolResult> GetUserProfile(ToolArguments args, AgentRequest request, CancellationToken ct)
    {
        var userId = args.Id("user_id");
        var r = await _dynamo.GetItemAsync(new GetItemRequest
        {
            TableName = _settings.UserProfilesTable,
            Key = new Dictionary<string, AttributeValue> { [ProfileAttributes.UserId] = new() { S = userId } },
            ConsistentRead = true,
        }, ct);
        if (r.Item is not { Count: > 0 } item)
        {
            return ToolResult.Ok(new JsonObject { ["userId"] = userId, ["found"] = false, ["note"] = "no profile: no transaction of this user has been processed" });
        }

        var count = Long(item, "txCount") ?? 0;
        var m2 = Double(item, "amountM2") ?? 0;
        var body = new JsonObject
        {
            ["userId"] = userId,
            ["found"] = true,
            ["transactionCount"] = count,
            ["amountMean"] = Math.Round(Double(item, "amountMean") ?? 0, 2),
            ["amountStdDev"] = Math.Round(count > 1 ? Math.Sqrt(m2 / (count - 1)) : 0, 2),
            ["countries"] = Set(item, "countries"),
            ["merchantCategories"] = Set(item, "merchantCategories"),
            ["lastTransactionAt"] = Str(item, "lastTransactionAt"),
            ["flagged"] = item.TryGetValue("flagged", out var f) && f.BOOL == true,
            ["alertCount"] = Long(item, "alertCount") ?? 0,
            ["lastAlertAt"] = Str(item, "lastAlertAt"),
            ["lastAlertTransactionId"] = Str(item, "lastAlertTransactionId"),
        };
        return ToolResult.Ok(Bounded(body, "countries", "merchantCategories"));
    }

    private async Task<ToolResult> GetRecentTransactions(ToolArguments args, AgentRequest request, CancellationToken ct)
    {
        var userId = args.Id("user_id");
        var limit = args.Integer("limit", 1, AnalystTools.MaxTransactions, 20);
        var sinceHours = args.Integer("since_hours", 1, MaxSinceHours, 168);
        var since = _time.GetUtcNow().AddHours(-sinceHours);
        var r = await _dynamo.QueryAsync(new QueryRequest
        {
            TableName = _settings.TransactionsTable,
            IndexName = TransactionAttributes.ByUserTimeIndex,
            KeyConditionExpression = "#u = :u AND #t >= :since",
            ExpressionAttributeNames = new Dictionary<string, string> { ["#u"] = TransactionAttributes.UserId, ["#t"] = TransactionAttributes.Timestamp },
            ExpressionAttributeValues = new Dictionary<string, AttributeValue>
            {
                [":u"] = new() { S = userId },
                [":since"] = new() { S = Iso(since) },
            },
            ScanIndexForward = false,
            Limit = limit,
        }, ct);
        var items = r.Items ?? [];
        var list = new JsonArray(items.Select(i => (JsonNode)new JsonObject
        {
            ["transactionId"] = Str(i, TransactionAttributes.TransactionId),
            ["timestamp"] = Str(i, TransactionAttributes.Timestamp),
            ["amount"] = Decimal(i, TransactionAttributes.Amount),
            ["currency"] = Str(i, TransactionAttributes.Currency),
            ["merchantId"] = Str(i, TransactionAttributes.MerchantId),
            ["merchantCategory"] = Str(i, TransactionAttributes.MerchantCategory),
            ["country"] = Str(i, TransactionAttributes.Country),
            ["decision"] = Str(i, TransactionAttributes.Decision),
        }).ToArray());
        var body = new JsonObject
        {
            ["userId"] = userId,
            ["since"] = Iso(since),
            ["count"] = list.Count,
            ["moreOlder"] = r.LastEvaluatedKey is { Count: > 0 },
            ["transactions"] = list,
        };
        return ToolResult.Ok(Bounded(body, "transactions"));
    }

    private async Task<ToolResult> GetTransaction(ToolArguments args, AgentRequest request, CancellationToken ct)
    {
        var transactionId = args.Id("transaction_id");
        var tx = await LoadTransaction(transactionId, ct);
        if (tx is null)
        {
            return ToolResult.Ok(new JsonObject { ["transactionId"] = transactionId, ["found"] = false, ["note"] = "no transaction with this id (it may be mistyped or expired)" });
        }

        var decisions = await LoadDecisions(transactionId, ct);
        var automated = decisions.FirstOrDefault(d => Str(d, DecisionAttributes.DecisionKey) == AutomatedKey);
        var analyst = decisions
            .Where(d => Str(d, DecisionAttributes.DecisionKey)?.StartsWith(AnalystKeyPrefix, StringComparison.Ordinal) == true)
            .OrderBy(d => Str(d, DecisionAttributes.DecidedAt), StringComparer.Ordinal)
            .ThenBy(d => Str(d, DecisionAttributes.DecisionKey), StringComparer.Ordinal)
            .Select(d => (JsonNode)new JsonObject
            {
                ["decision"] = Str(d, "decision"),
                ["reason"] = Str(d, "reason"),
                ["decidedAt"] = Str(d, DecisionAttributes.DecidedAt),
                ["source"] = Str(d, "source"),
                ["sessionId"] = Str(d, "sessionId"),
            }).ToArray();
        var body = new JsonObject
        {
            ["transactionId"] = transactionId,
            ["found"] = true,
            ["transaction"] = new JsonObject
            {
                ["userId"] = Str(tx, TransactionAttributes.UserId),
                ["timestamp"] = Str(tx, TransactionAttributes.Timestamp),
                ["amount"] = Decimal(tx, TransactionAttributes.Amount),
                ["currency"] = Str(tx, TransactionAttributes.Currency),
                ["merchantId"] = Str(tx, TransactionAttributes.MerchantId),
                ["merchantCategory"] = Str(tx, TransactionAttributes.MerchantCategory),
                ["country"] = Str(tx, TransactionAttributes.Country),
                ["channel"] = Str(tx, "channel"),
                ["deviceId"] = Str(tx, "deviceId"),
                ["ipAddress"] = Str(tx, "ipAddress"),
            },
            ["automatedDecision"] = automated is null ? null : new JsonObject
            {
                ["decision"] = Str(automated, "decision"),
                ["score"] = Double(automated, "score"),
                ["confidence"] = Double(automated, "confidence"),
                ["rulesVersion"] = Str(automated, "rulesVersion"),
                ["decidedAt"] = Str(automated, DecisionAttributes.DecidedAt),
                ["reasons"] = new JsonArray((automated.TryGetValue("reasons", out var reasons) ? reasons.L ?? [] : [])
                    .Where(x => x.M is not null)
                    .Select(x => (JsonNode)new JsonObject
                    {
                        ["rule"] = Str(x.M, "rule"),
                        ["weight"] = Double(x.M, "weight"),
                        ["explanation"] = Str(x.M, "explanation"),
                    }).ToArray()),
            },
            ["analystDecisions"] = new JsonArray(analyst),
        };
        return ToolResult.Ok(Bounded(body, "analystDecisions"));
    }

    private async Task<ToolResult> GetActiveFraudPatterns(ToolArguments args, AgentRequest request, CancellationToken ct)
    {
        var category = args.MerchantCategory("merchant_category");
        var limit = args.Integer("limit", 1, AnalystTools.MaxPatterns, 20);
        var patterns = new List<Dictionary<string, AttributeValue>>();
        Dictionary<string, AttributeValue>? start = null;
        do
        {
            var r = await _dynamo.QueryAsync(new QueryRequest
            {
                TableName = _settings.PatternsTable,
                IndexName = PatternAttributes.ByActiveStatusIndex,
                KeyConditionExpression = "#s = :active",
                ExpressionAttributeNames = new Dictionary<string, string> { ["#s"] = PatternAttributes.ActiveStatus },
                ExpressionAttributeValues = new Dictionary<string, AttributeValue> { [":active"] = new() { S = "ACTIVE" } },
                ExclusiveStartKey = start,
            }, ct);
            patterns.AddRange(r.Items ?? []);
            start = r.LastEvaluatedKey is { Count: > 0 } k ? k : null;
        }
        while (start is not null);

        // A pattern without merchant categories applies to every category (as the scorer matches it).
        var matching = patterns
            .Where(p => category is null || Set(p, "merchantCategories").Count == 0 || Set(p, "merchantCategories").Any(c => c!.GetValue<string>() == category))
            .OrderBy(p => Str(p, PatternAttributes.PatternId), StringComparer.Ordinal)
            .ToList();
        var list = new JsonArray(matching.Take(limit).Select(p => (JsonNode)new JsonObject
        {
            ["patternId"] = Str(p, PatternAttributes.PatternId),
            ["version"] = Long(p, PatternAttributes.Version),
            ["description"] = Str(p, "description"),
            ["weight"] = Double(p, "weight"),
            ["merchantCategories"] = Set(p, "merchantCategories"),
            ["countries"] = Set(p, "countries"),
            ["channels"] = Set(p, "channels"),
            ["minAmount"] = Decimal(p, "minAmount"),
        }).ToArray());
        var body = new JsonObject
        {
            ["merchantCategory"] = category,
            ["matching"] = matching.Count,
            ["count"] = list.Count,
            ["patterns"] = list,
        };
        if (matching.Count > list.Count)
        {
            body["note"] = $"{matching.Count - list.Count} more matching patterns not listed (limit {limit})";
        }

        return ToolResult.Ok(Bounded(body, "patterns"));
    }

    private async Task<ToolResult> RecordAnalystDecision(ToolArguments args, AgentRequest request, CancellationToken ct)
    {
        var transactionId = args.Id("transaction_id");
        var decision = args.OneOf("decision", AnalystTools.AnalystDecisions);
        var reason = args.Text("reason", AnalystTools.MaxReasonLength);
        var tx = await LoadTransaction(transactionId, ct)
            ?? throw new ToolInputException($"no transaction with id '{transactionId}': nothing recorded. Check the id (get_recent_transactions lists a user's transactions).");
        var now = _time.GetUtcNow();
        var decidedAt = Iso(now);
        // Bedrock may retry an action-group invocation (a timeout, a throttled or failed Lambda call): the key is derived
        // from the call, not the clock, so a retry maps to the row the first attempt wrote and the condition below keeps
        // it to one row. Time order comes from decidedAt (fixed-width ISO, sorts as time).
        var key = AnalystDecisionKey(request.SessionId, transactionId, decision, reason);
        var item = new Dictionary<string, AttributeValue>
        {
            [DecisionAttributes.TransactionId] = new() { S = transactionId },
            [DecisionAttributes.DecisionKey] = new() { S = key },
            [DecisionAttributes.UserId] = new() { S = tx[TransactionAttributes.UserId].S },
            [DecisionAttributes.DecidedAt] = new() { S = decidedAt },
            ["decision"] = new() { S = decision },
            ["reason"] = new() { S = reason },
            ["source"] = new() { S = Source },
            [CommonAttributes.ExpiresAt] = new() { N = now.AddDays(_settings.TransactionTtlDays).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture) },
        };
        if (request.SessionId.Length > 0)
        {
            item["sessionId"] = new() { S = request.SessionId };
        }

        if (request.AgentId.Length > 0)
        {
            item["agentId"] = new() { S = request.AgentId };
        }

        var status = "recorded";
        try
        {
            await _dynamo.PutItemAsync(new PutItemRequest
            {
                TableName = _settings.DecisionsTable,
                Item = item,
                ConditionExpression = "attribute_not_exists(#k)",
                ExpressionAttributeNames = new Dictionary<string, string> { ["#k"] = DecisionAttributes.DecisionKey },
            }, ct);
        }
        catch (ConditionalCheckFailedException)
        {
            // The same call was recorded before (a retried invocation): never overwrite; answer with the first record.
            var existing = await _dynamo.GetItemAsync(new GetItemRequest
            {
                TableName = _settings.DecisionsTable,
                Key = new Dictionary<string, AttributeValue> { [DecisionAttributes.TransactionId] = new() { S = transactionId }, [DecisionAttributes.DecisionKey] = new() { S = key } },
                ConsistentRead = true,
            }, ct);
            if (Str(existing.Item, "decision") != decision || Str(existing.Item, "reason") != reason)
            {
                // Only a SHA-256 collision gets here.
                throw new InvalidOperationException($"decision row {key} of transaction {transactionId} holds another decision than the one its key was derived from. Fix: inspect the row; nothing was overwritten.");
            }

            status = "already-recorded";
            decidedAt = Str(existing.Item, DecisionAttributes.DecidedAt) ?? decidedAt;
        }

        return ToolResult.Ok(new JsonObject
        {
            ["status"] = status,
            ["transactionId"] = transactionId,
            ["decision"] = decision,
            ["decidedAt"] = decidedAt,
            ["note"] = "added to the transaction's decision history; the automated decision is unchanged",
        });
    }

    /// <summary>
    /// The sort key of an analyst decision: <c>ANALYST#</c> and the first 32 hex digits of SHA-256 over the agent session,
    /// the transaction, the decision and the reason. The same call (a retry) gives the same key, so it is recorded once;
    /// another session, decision or reason is another row.
    /// </summary>
    public static string AnalystDecisionKey(string sessionId, string transactionId, string decision, string reason)
    {
        var material = string.Join('\n', sessionId.Length.ToString(CultureInfo.InvariantCulture), sessionId, transactionId, decision, reason);
        return AnalystKeyPrefix + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(material)))[..32];
    }

    private async Task<Dictionary<string, AttributeValue>?> LoadTransaction(string transactionId, CancellationToken ct)
    {
        var r = await _dynamo.GetItemAsync(new GetItemRequest
        {
            TableName = _settings.TransactionsTable,
            Key = new Dictionary<string, AttributeValue> { [TransactionAttributes.TransactionId] = new() { S = transactionId } },
            ConsistentRead = true,
        }, ct);
        return r.Item is { Count: > 0 } item ? item : null;
    }

    private async Task<List<Dictionary<string, AttributeValue>>> LoadDecisions(string transactionId, CancellationToken ct)
    {
        var items = new List<Dictionary<string, AttributeValue>>();
        Dictionary<string, AttributeValue>? start = null;
        do
        {
            var r = await _dynamo.QueryAsync(new QueryRequest
            {
                TableName = _settings.DecisionsTable,
                KeyConditionExpression = "#id = :id",
                ExpressionAttributeNames = new Dictionary<string, string> { ["#id"] = DecisionAttributes.TransactionId },
                ExpressionAttributeValues = new Dictionary<string, AttributeValue> { [":id"] = new() { S = transactionId } },
                ConsistentRead = true,
                ExclusiveStartKey = start,
            }, ct);
            items.AddRange(r.Items ?? []);
            start = r.LastEvaluatedKey is { Count: > 0 } k ? k : null;
        }
        while (start is not null);

        return items;
    }

    /// <summary>
    /// Keeps <paramref name="body"/> within <see cref="MaxBodyBytes"/>: drops items from the end of the named lists
    /// (the oldest or least relevant) until it fits, then says how many were left out in <c>truncated</c>.
    /// </summary>
    public static JsonObject Bounded(JsonObject body, params string[] lists)
    {
        var omitted = 0;
        while (Encoding.UTF8.GetByteCount(body.ToJsonString()) > MaxBodyBytes)
        {
            var longest = lists.Select(l => body[l] as JsonArray).Where(a => a is { Count: > 0 }).MaxBy(a => a!.Count);
            if (longest is null)
            {
                break;
            }

            longest.RemoveAt(longest.Count - 1);
            omitted++;
            body["truncated"] = $"{omitted} list entries left out to keep the response under {MaxBodyBytes / 1000} KB; ask for fewer (limit) or narrower results";
        }

        if (body["count"] is not null && lists.Length == 1 && body[lists[0]] is JsonArray kept)
        {
            body["count"] = kept.Count;
        }

        return body;
    }

    /// <summary>ISO 8601 UTC with fixed width, as the stream processor writes timestamps (sorts as time).</summary>
    public static string Iso(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);

    private static string? Str(Dictionary<string, AttributeValue>? item, string name) =>
        item is not null && item.TryGetValue(name, out var v) ? v.S : null;

    private static long? Long(Dictionary<string, AttributeValue> item, string name) =>
        item.TryGetValue(name, out var v) && long.TryParse(v.N, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n : null;

    private static double? Double(Dictionary<string, AttributeValue> item, string name) =>
        item.TryGetValue(name, out var v) && double.TryParse(v.N, NumberStyles.Float, CultureInfo.InvariantCulture, out var n) ? n : null;

    private static decimal? Decimal(Dictionary<string, AttributeValue> item, string name) =>
        item.TryGetValue(name, out var v) && decimal.TryParse(v.N, NumberStyles.Float, CultureInfo.InvariantCulture, out var n) ? n : null;

    private static JsonArray Set(Dictionary<string, AttributeValue> item, string name) =>
        new((item.TryGetValue(name, out var v) ? v.SS ?? [] : []).Order(StringComparer.Ordinal).Select(s => (JsonNode)JsonValue.Create(s)).ToArray());
}
