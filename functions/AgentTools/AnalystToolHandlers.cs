using Amazon.DynamoDBv2.Model;
using FraudTf.Functions.Shared.Scoring;
using FraudTf.Functions.Shared.Tables;
using FraudTf.Functions.Storage;

namespace FraudTf.Functions.AgentTools;

/// <summary>
/// The tools of <see cref="AnalystTools"/> on the tables of <see cref="FraudTables"/>. Each returns compact JSON for
/// the model, bounded to <see cref="MaxBodyBytes"/> (lists are cut and say so). DynamoDB errors propagate.
/// The only writes are record_analyst_decision's: the analyst decision row, and, for an APPROVE of a transaction the
/// scorer sent to REVIEW, the user's profile learning that transaction once (<see cref="PlanLearning"/>), in the same
/// DynamoDB transaction as the row.
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
        var item = await LoadProfileRow(userId, ct);
        if (item is null)
        {
            return ToolResult.Ok(new JsonObject { ["userId"] = userId, ["found"] = false, ["note"] = "no profile: no transaction of this user has been processed" });
        }

        // The scoring v2 profile, read as the stream processor reads it (a corrupt attribute is left out and named).
        var state = ProfileRows.Read(item);
        var p = state.Profile;
        var body = new JsonObject
        {
            ["userId"] = userId,
            ["found"] = true,
            ["transactionCount"] = p.Count,
            ["amountCount"] = p.AmountCount,
            ["typicalAmount"] = p.AmountCount > 0 ? Math.Round(p.TypicalAmount, 2) : null,
            ["logAmountStdDev"] = p.AmountCount > 1 ? Math.Round(p.LogStdDev, 3) : null,
            ["largestAmount"] = p.AmountCount > 0 ? Math.Round(p.MaxAmount, 2) : null,
            ["devicesKnown"] = p.Devices.Count,
            ["channels"] = Sorted(p.Channels),
            ["countries"] = Sorted(p.Countries),
            ["merchantCategories"] = Sorted(p.MerchantCategories),
            ["lastCountry"] = p.LastCountry,
            ["lastTransactionAt"] = p.LastAt is { } at ? Iso(at) : null,
            ["flagged"] = item.TryGetValue("flagged", out var f) && f.BOOL == true,
            ["alertCount"] = Long(item, "alertCount") ?? 0,
            ["lastAlertAt"] = Str(item, "lastAlertAt"),
            ["lastAlertTransactionId"] = Str(item, "lastAlertTransactionId"),
            ["note"] = ProfileNote,
        };
        if (state.Problems.Count > 0)
        {
            body["unreadable"] = new JsonArray(state.Problems.Select(x => (JsonNode)JsonValue.Create(x)).ToArray());
        }

        return ToolResult.Ok(Bounded(body, "countries", "merchantCategories", "channels"));
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
        // Alike on purpose: a list row shows a transaction's fields as get_transaction does, fewer and in the list's own order.
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
        var patterns = await FraudTf.Functions.Storage.PatternRows.QueryActive(_dynamo, _settings.PatternsTable, ct);

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
        var userId = tx[TransactionAttributes.UserId].S;
        var item = new Dictionary<string, AttributeValue>
        {
            [DecisionAttributes.TransactionId] = new() { S = transactionId },
            [DecisionAttributes.DecisionKey] = new() { S = key },
            [DecisionAttributes.UserId] = new() { S = userId },
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

        var plan = PlanLearning(decision, tx);
        var outcome = plan.Input is { } input
            ? await RecordAndLearn(item, transactionId, userId, input, now, ct)
            : await Record(item, plan.Why, ct);
        if (outcome.AlreadyRecorded)
        {
            // The same call was recorded before (a retried invocation): nothing is written or learnt again; the answer is the
            // first record's, and says whether the profile has learnt the transaction (by that call or another approval).
            decidedAt = await FirstRecord(transactionId, key, decision, reason, ct) ?? decidedAt;
            var current = await LoadTransaction(transactionId, ct);
            var learntAt = current is null ? null : Str(current, TransactionAttributes.ProfileLearnedAt);
            outcome = outcome with
            {
                ProfileNote = "this exact call was recorded before (a retried invocation): nothing was written or learnt again"
                    + (learntAt is not null && Str(current, TransactionAttributes.Decision) == ReviewDecision
                        ? $"; the user's profile learnt this transaction at {learntAt}"
                        : ""),
            };
        }

        return ToolResult.Ok(new JsonObject
        {
            ["status"] = outcome.AlreadyRecorded ? "already-recorded" : "recorded",
            ["transactionId"] = transactionId,
            ["decision"] = decision,
            ["automatedDecision"] = Str(tx, TransactionAttributes.Decision),
            ["decidedAt"] = decidedAt,
            ["profileLearned"] = outcome.ProfileLearned,
            ["note"] = "added to the transaction's decision history; the automated decision is unchanged; " + outcome.ProfileNote,
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

    private async Task<Dictionary<string, AttributeValue>?> LoadTransaction(string transactionId, CancellationToken ct) =>
        await LoadRow(_settings.TransactionsTable, TransactionAttributes.TransactionId, transactionId, ct);

    // One row by its partition key, read consistently; null when there is none.
    private async Task<Dictionary<string, AttributeValue>?> LoadRow(string table, string keyAttribute, string key, CancellationToken ct)
    {
        var r = await _dynamo.GetItemAsync(new GetItemRequest
        {
            TableName = table,
            Key = new Dictionary<string, AttributeValue> { [keyAttribute] = new() { S = key } },
            ConsistentRead = true,
        }, ct);
        return r.Item is { Count: > 0 } item ? item : null;
    }

    private Task<List<Dictionary<string, AttributeValue>>> LoadDecisions(string transactionId, CancellationToken ct) =>
        Paged.QueryAll(_dynamo, start => new QueryRequest
        {
            TableName = _settings.DecisionsTable,
            KeyConditionExpression = "#id = :id",
            ExpressionAttributeNames = new Dictionary<string, string> { ["#id"] = DecisionAttributes.TransactionId },
            ExpressionAttributeValues = new Dictionary<string, AttributeValue> { [":id"] = new() { S = transactionId } },
            ConsistentRead = true,
            ExclusiveStartKey = start,
        }, ct);

    // ---- record_analyst_decision: the decision row, and the profile's learning of an approved REVIEW ----

    /// <summary>The automated decision whose analyst approval teaches the user's profile.</summary>
    public const string ReviewDecision = "REVIEW";

    /// <summary>How many times an approval re-reads a profile that changed under it (or a transaction conflict) before failing.</summary>
    public const int MaxLearnAttempts = 5;

    /// <summary>What get_user_profile says of every profile it returns.</summary>
    public const string ProfileNote =
        "learnt from approved transactions only (the scorer's APPROVE, and a REVIEW once an analyst approves it); amounts are in the reference currency of the scoring rules";

    /// <summary>The parts of a stored transaction a profile learns (<see cref="UserProfile.Learn(DateTimeOffset, string, string, string?, string?, double?)"/>).</summary>
    internal sealed record LearnInput(DateTimeOffset Timestamp, string Country, string MerchantCategory, string? DeviceId, string? Channel, double? ReferenceAmount);

    /// <summary>Whether a decision teaches the profile: the input to learn, or why not (a sentence for the model).</summary>
    internal sealed record LearningPlan(LearnInput? Input, string Why);

    private sealed record Outcome(bool AlreadyRecorded, bool ProfileLearned, string ProfileNote);

    /// <summary>
    /// Whether recording <paramref name="decision"/> on the stored transaction <paramref name="tx"/> teaches the user's
    /// profile. Only an analyst's APPROVE of a transaction the scorer sent to REVIEW does, once (the stream processor
    /// learns the scorer's APPROVEs when it saves them, and marks them <c>profileLearnedAt</c> too). A DECLINE or ESCALATE
    /// never does. An APPROVE of a transaction the scorer DECLINEd is recorded but not learnt, by choice: the DECLINE
    /// stopped the payment, so it is not part of what the user does; the analyst's approval says the decline was a false
    /// positive (evidence for tuning the rules, kept in the decision history), and the payment the user makes again is
    /// scored and, if approved, learnt on its own. Learning it here would also teach the profile a payment that never
    /// happened, and would count it twice when the user retries.
    /// </summary>
    internal static LearningPlan PlanLearning(string decision, IReadOnlyDictionary<string, AttributeValue> tx)
    {
        var automated = tx.TryGetValue(TransactionAttributes.Decision, out var d) ? d.S : null;
        if (decision != "APPROVE")
        {
            return new LearningPlan(null, $"the user's profile was not changed: only an APPROVE of a transaction the scorer sent to REVIEW teaches it, a {decision} never does");
        }

        switch (automated)
        {
            case "APPROVE":
                return new LearningPlan(null, "the user's profile was not changed: the scorer approved this transaction, so the profile learnt it when it was scored");
            case "DECLINE":
                return new LearningPlan(null, "the user's profile was not changed: the scorer declined this transaction, so the payment did not happen and is not learnt (the approval stays in the decision history)");
            case ReviewDecision:
                break;
            default:
                return new LearningPlan(null, "the user's profile was not changed: the transaction has no automated decision the tools know");
        }

        var row = new StoredRow(tx);
        if (row.String(TransactionAttributes.ProfileLearnedAt) is { } learntAt)
        {
            return new LearningPlan(null, $"the user's profile was not changed: it already learnt this transaction at {learntAt} (an earlier approval)");
        }

        var timestamp = row.Timestamp(TransactionAttributes.Timestamp, required: true);
        var country = row.String(TransactionAttributes.Country, required: true);
        var category = row.String(TransactionAttributes.MerchantCategory, required: true);
        var deviceId = row.String(TransactionAttributes.DeviceId);
        var channel = row.String(TransactionAttributes.Channel);
        // Absent when the currency had no rate: the profile then learns everything but the amount statistics.
        var referenceAmount = row.Double(TransactionAttributes.ReferenceAmount, min: 0);
        if (row.IsCorrupt || timestamp is null || country is null || category is null)
        {
            return new LearningPlan(null, $"the user's profile was not changed: the stored transaction cannot be learnt ({string.Join("; ", row.Problems)})");
        }

        return new LearningPlan(new LearnInput(timestamp.Value, country, category, deviceId, channel, referenceAmount), "");
    }

    // The decision row alone (a decision that teaches the profile nothing): one conditional PutItem.
    private async Task<Outcome> Record(Dictionary<string, AttributeValue> item, string why, CancellationToken ct)
    {
        try
        {
            await _dynamo.PutItemAsync(new PutItemRequest
            {
                TableName = _settings.DecisionsTable,
                Item = item,
                ConditionExpression = "attribute_not_exists(#k)",
                ExpressionAttributeNames = new Dictionary<string, string> { ["#k"] = DecisionAttributes.DecisionKey },
            }, ct);
            return new Outcome(false, false, why);
        }
        catch (ConditionalCheckFailedException)
        {
            return new Outcome(true, false, "");
        }
    }

    /// <summary>
    /// An approval of a REVIEW transaction: one TransactWriteItems of the decision row (only if new), the transaction's
    /// <c>profileLearnedAt</c> (only if not yet learnt) and the profile's learning (only at the version read, as the stream
    /// processor saves it: <see cref="ProfileRows.Learn"/>). So the profile learns the transaction exactly once, whatever
    /// retries, concurrent approvals or saves happen. A profile that changed since it was read is read again and the
    /// learning retried (<see cref="MaxLearnAttempts"/> attempts, then an error: nothing was written, the call can be retried).
    /// </summary>
    private async Task<Outcome> RecordAndLearn(Dictionary<string, AttributeValue> item, string transactionId, string userId, LearnInput input, DateTimeOffset now, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            var profileRow = await LoadProfileRow(userId, ct);
            var state = profileRow is null ? ProfileState.New : ProfileRows.Read(profileRow);
            var after = state.Profile.Learn(input.Timestamp, input.Country, input.MerchantCategory, input.DeviceId, input.Channel, input.ReferenceAmount);
            try
            {
                await _dynamo.TransactWriteItemsAsync(new TransactWriteItemsRequest
                {
                    // New for every request, reused by the SDK's own retries of it: a retry of a request that committed
                    // then succeeds instead of failing its conditions (and answering "already recorded" for a call that
                    // did learn). Two invocations never share one, even with the same parameters at the same instant.
                    ClientRequestToken = Guid.NewGuid().ToString("N"),
                    TransactItems =
                    [
                        new TransactWriteItem
                        {
                            Put = new Put
                            {
                                TableName = _settings.DecisionsTable,
                                Item = item,
                                ConditionExpression = "attribute_not_exists(#k)",
                                ExpressionAttributeNames = new Dictionary<string, string> { ["#k"] = DecisionAttributes.DecisionKey },
                            },
                        },
                        new TransactWriteItem { Update = MarkLearnt(transactionId, now) },
                        new TransactWriteItem { Update = ProfileRows.Learn(_settings.UserProfilesTable, userId, state, after) },
                    ],
                }, ct);
                return new Outcome(false, true, "the user's profile learnt this transaction (it now counts as the user's normal behaviour: country, merchant category, device, channel and amount)");
            }
            catch (TransactionCanceledException e)
            {
                var codes = (e.CancellationReasons ?? []).Select(r => r.Code ?? "").ToList();
                string Code(int i) => i < codes.Count ? codes[i] : "";
                if (Code(0) == "ConditionalCheckFailed")
                {
                    return new Outcome(true, false, "");
                }

                if (Code(1) == "ConditionalCheckFailed")
                {
                    // Learnt in the meantime (another session's or reason's approval committed first), or the row is gone
                    // (expired): record the decision alone, and say why the profile was not changed.
                    var current = await LoadTransaction(transactionId, ct);
                    var why = current is null
                        ? "the user's profile was not changed: the transaction expired while the decision was being recorded"
                        : PlanLearning("APPROVE", current).Why;
                    return await Record(item, why.Length > 0 ? why : "the user's profile was not changed: the transaction was learnt by another approval", ct);
                }

                if (Code(2) == "ConditionalCheckFailed" || codes.Contains("TransactionConflict"))
                {
                    if (attempt >= MaxLearnAttempts)
                    {
                        throw new InvalidOperationException(
                            $"the profile of user {userId} kept changing while the approval of transaction {transactionId} was recorded ({attempt} attempts); nothing was written. Fix: call record_analyst_decision again.", e);
                    }

                    await Task.Delay(TimeSpan.FromMilliseconds(20 * attempt), ct);
                    continue;
                }

                throw;
            }
        }
    }

    // The transaction row's only change by the tools: when its profile learnt it. Conditioned on the row existing (an Update
    // would otherwise create a row from an expired id) and on not being learnt yet. The automated decision (REVIEW) is
    // checked on the row read just before, not here: naming `decision` in the condition would make it an attribute of the
    // request (dynamodb:Attributes), and the role may name only profileLearnedAt and the key on this table. `decision` is
    // written once, by the stream processor's conditional Put, and no role may change it, so the check cannot go stale.
    private Update MarkLearnt(string transactionId, DateTimeOffset now) => new()
    {
        TableName = _settings.TransactionsTable,
        Key = new Dictionary<string, AttributeValue> { [TransactionAttributes.TransactionId] = new() { S = transactionId } },
        UpdateExpression = $"SET {TransactionAttributes.ProfileLearnedAt} = :now",
        ConditionExpression = $"attribute_exists({TransactionAttributes.TransactionId}) AND attribute_not_exists({TransactionAttributes.ProfileLearnedAt})",
        ExpressionAttributeValues = new Dictionary<string, AttributeValue> { [":now"] = new() { S = Iso(now) } },
    };

    // The first record of a call recorded before; its decidedAt. Its decision and reason must be the call's (they derive the key).
    private async Task<string?> FirstRecord(string transactionId, string key, string decision, string reason, CancellationToken ct)
    {
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

        return Str(existing.Item, DecisionAttributes.DecidedAt);
    }

    private Task<Dictionary<string, AttributeValue>?> LoadProfileRow(string userId, CancellationToken ct) =>
        LoadRow(_settings.UserProfilesTable, ProfileAttributes.UserId, userId, ct);

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
    public static string Iso(DateTimeOffset t) => StoredTime.Format(t);

    private static string? Str(Dictionary<string, AttributeValue>? item, string name) =>
        item is not null && item.TryGetValue(name, out var v) ? v.S : null;

    private static long? Long(Dictionary<string, AttributeValue> item, string name) =>
        item.TryGetValue(name, out var v) && long.TryParse(v.N, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n : null;

    private static double? Double(Dictionary<string, AttributeValue> item, string name) =>
        item.TryGetValue(name, out var v) && double.TryParse(v.N, NumberStyles.Float, CultureInfo.InvariantCulture, out var n) ? n : null;

    private static decimal? Decimal(Dictionary<string, AttributeValue> item, string name) =>
        item.TryGetValue(name, out var v) && decimal.TryParse(v.N, NumberStyles.Float, CultureInfo.InvariantCulture, out var n) ? n : null;

    private static JsonArray Sorted(IEnumerable<string> values) =>
        new(values.Order(StringComparer.Ordinal).Select(s => (JsonNode)JsonValue.Create(s)).ToArray());

    private static JsonArray Set(Dictionary<string, AttributeValue> item, string name) =>
        new((item.TryGetValue(name, out var v) ? v.SS ?? [] : []).Order(StringComparer.Ordinal).Select(s => (JsonNode)JsonValue.Create(s)).ToArray());
}
