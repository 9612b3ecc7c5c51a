using System.Globalization;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using FraudTf.Functions.Shared.Tables;
using FraudTf.Functions.Shared.Transactions;
using FraudTf.Functions.StreamProcessor.Scoring;

namespace FraudTf.Functions.StreamProcessor;

/// <summary>Outcome of <see cref="TransactionStore.Save"/>.</summary>
public enum SaveOutcome
{
    /// <summary>Transaction, decision and profile written together.</summary>
    Saved,

    /// <summary>The transaction was already stored (a retry or replay): nothing written.</summary>
    Duplicate,

    /// <summary>The user's profile changed since it was read: read again and retry.</summary>
    ProfileConflict,
}

/// <summary>
/// The stream processor's DynamoDB access, on the tables of <see cref="FraudTables"/>. The save is one
/// TransactWriteItems: the transaction (only if its id is new), its decision, and the profile update (only if the
/// profile is still at the version that was read), so a replay never duplicates a transaction or double-counts a profile.
/// </summary>
public sealed class TransactionStore(IAmazonDynamoDB dynamo, Settings settings)
{
    /// <summary>The user's profile and its version (0 when the user is new).</summary>
    public async Task<(UserProfile Profile, long Version)> LoadProfile(string userId, CancellationToken ct)
    {
        var r = await dynamo.GetItemAsync(new GetItemRequest
        {
            TableName = settings.UserProfilesTable,
            Key = new Dictionary<string, AttributeValue> { [ProfileAttributes.UserId] = new() { S = userId } },
            ConsistentRead = true,
        }, ct);
        return r.Item is { Count: > 0 } item ? ToProfile(item) : (new UserProfile(), 0);
    }

    /// <summary>The ids among <paramref name="transactionIds"/> that are already stored (BatchGetItem, 100 keys a call).</summary>
    public async Task<HashSet<string>> ExistingIds(IReadOnlyCollection<string> transactionIds, CancellationToken ct)
    {
        var found = new HashSet<string>(StringComparer.Ordinal);
        foreach (var chunk in transactionIds.Distinct(StringComparer.Ordinal).Chunk(100))
        {
            var keys = chunk.Select(id => new Dictionary<string, AttributeValue> { [TransactionAttributes.TransactionId] = new() { S = id } }).ToList();
            foreach (var item in await BatchGet(settings.TransactionsTable, keys, TransactionAttributes.TransactionId, ct))
            {
                found.Add(item[TransactionAttributes.TransactionId].S);
            }
        }

        return found;
    }

    /// <summary>The profiles (and versions) of <paramref name="userIds"/>; a user without a profile gets an empty one, version 0.</summary>
    public async Task<Dictionary<string, (UserProfile Profile, long Version)>> LoadProfiles(IReadOnlyCollection<string> userIds, CancellationToken ct)
    {
        var result = userIds.Distinct(StringComparer.Ordinal).ToDictionary(u => u, _ => (new UserProfile(), 0L), StringComparer.Ordinal);
        foreach (var chunk in result.Keys.ToList().Chunk(100))
        {
            var keys = chunk.Select(u => new Dictionary<string, AttributeValue> { [ProfileAttributes.UserId] = new() { S = u } }).ToList();
            foreach (var item in await BatchGet(settings.UserProfilesTable, keys, null, ct))
            {
                result[item[ProfileAttributes.UserId].S] = ToProfile(item);
            }
        }

        return result;
    }

    /// <summary>The timestamps of <paramref name="userId"/>'s stored transactions in [from, to] (the velocity window of a whole batch).</summary>
    public async Task<List<DateTimeOffset>> RecentTimestamps(string userId, DateTimeOffset from, DateTimeOffset to, CancellationToken ct)
    {
        var result = new List<DateTimeOffset>();
        Dictionary<string, AttributeValue>? start = null;
        do
        {
            var r = await dynamo.QueryAsync(new QueryRequest
            {
                TableName = settings.TransactionsTable,
                IndexName = TransactionAttributes.ByUserTimeIndex,
                KeyConditionExpression = "#u = :u AND #t BETWEEN :from AND :to",
                ExpressionAttributeNames = new Dictionary<string, string> { ["#u"] = TransactionAttributes.UserId, ["#t"] = TransactionAttributes.Timestamp },
                ExpressionAttributeValues = new Dictionary<string, AttributeValue>
                {
                    [":u"] = new() { S = userId },
                    [":from"] = new() { S = Iso(from) },
                    [":to"] = new() { S = Iso(to) },
                },
                ProjectionExpression = "#t",
                ExclusiveStartKey = start,
            }, ct);
            result.AddRange((r.Items ?? []).Select(i => DateTimeOffset.Parse(i[TransactionAttributes.Timestamp].S, CultureInfo.InvariantCulture)));
            start = r.LastEvaluatedKey is { Count: > 0 } k ? k : null;
        }
        while (start is not null);

        return result;
    }

    private async Task<List<Dictionary<string, AttributeValue>>> BatchGet(string table, List<Dictionary<string, AttributeValue>> keys, string? projection, CancellationToken ct)
    {
        var items = new List<Dictionary<string, AttributeValue>>();
        var pending = new KeysAndAttributes { Keys = keys, ConsistentRead = true, ProjectionExpression = projection };
        for (var attempt = 0; pending.Keys is { Count: > 0 }; attempt++)
        {
            if (attempt > 0)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(50 * attempt), ct);
            }

            if (attempt == 5)
            {
                throw new ProvisionedThroughputExceededException($"BatchGetItem on {table} left keys unprocessed after {attempt} attempts");
            }

            var r = await dynamo.BatchGetItemAsync(new BatchGetItemRequest { RequestItems = new Dictionary<string, KeysAndAttributes> { [table] = pending } }, ct);
            if (r.Responses is not null && r.Responses.TryGetValue(table, out var got))
            {
                items.AddRange(got);
            }

            pending = r.UnprocessedKeys is not null && r.UnprocessedKeys.TryGetValue(table, out var left) ? left : new KeysAndAttributes();
        }

        return items;
    }

    private static (UserProfile, long) ToProfile(Dictionary<string, AttributeValue> item) => (new UserProfile
    {
        Count = long.Parse(item["txCount"].N, CultureInfo.InvariantCulture),
        Mean = double.Parse(item["amountMean"].N, CultureInfo.InvariantCulture),
        M2 = double.Parse(item["amountM2"].N, CultureInfo.InvariantCulture),
        Countries = new HashSet<string>(item.TryGetValue("countries", out var c) ? c.SS ?? [] : [], StringComparer.Ordinal),
        MerchantCategories = new HashSet<string>(item.TryGetValue("merchantCategories", out var m) ? m.SS ?? [] : [], StringComparer.Ordinal),
    }, long.Parse(item["profileVersion"].N, CultureInfo.InvariantCulture));

    /// <summary>Writes the transaction, its decision and the updated profile in one transaction.</summary>
    public async Task<SaveOutcome> Save(Transaction t, ScoreResult score, UserProfile before, long version, DateTimeOffset now, CancellationToken ct)
    {
        var after = before.With(t);
        var expiresAt = now.AddDays(settings.TransactionTtlDays).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var transactionItem = new Dictionary<string, AttributeValue>
        {
            [TransactionAttributes.TransactionId] = new() { S = t.TransactionId },
            [TransactionAttributes.UserId] = new() { S = t.UserId },
            [TransactionAttributes.Timestamp] = new() { S = Iso(t.Timestamp) },
            [TransactionAttributes.Amount] = new() { N = t.Amount.ToString(CultureInfo.InvariantCulture) },
            [TransactionAttributes.Currency] = new() { S = t.Currency },
            [TransactionAttributes.MerchantId] = new() { S = t.MerchantId },
            [TransactionAttributes.MerchantCategory] = new() { S = t.MerchantCategory },
            [TransactionAttributes.Country] = new() { S = t.Country },
            [TransactionAttributes.Decision] = new() { S = score.Decision.ToString() },
            [CommonAttributes.ExpiresAt] = new() { N = expiresAt },
        };
        if (t.DeviceId is not null) transactionItem["deviceId"] = new() { S = t.DeviceId };
        if (t.IpAddress is not null) transactionItem["ipAddress"] = new() { S = t.IpAddress };
        if (t.Channel is not null) transactionItem["channel"] = new() { S = t.Channel };

        var decisionItem = new Dictionary<string, AttributeValue>
        {
            [DecisionAttributes.TransactionId] = new() { S = t.TransactionId },
            [DecisionAttributes.DecisionKey] = new() { S = "AUTOMATED" },
            [DecisionAttributes.UserId] = new() { S = t.UserId },
            [DecisionAttributes.DecidedAt] = new() { S = Iso(now) },
            ["decision"] = new() { S = score.Decision.ToString() },
            ["score"] = new() { N = score.Score.ToString("R", CultureInfo.InvariantCulture) },
            ["confidence"] = new() { N = score.Confidence.ToString("R", CultureInfo.InvariantCulture) },
            ["rulesVersion"] = new() { S = score.RulesVersion },
            ["reasons"] = new()
            {
                L = score.Reasons.Select(r => new AttributeValue
                {
                    M = new Dictionary<string, AttributeValue>
                    {
                        ["rule"] = new() { S = r.Rule },
                        ["weight"] = new() { N = r.Weight.ToString("R", CultureInfo.InvariantCulture) },
                        ["explanation"] = new() { S = r.Explanation },
                    },
                }).ToList(),
            },
            [CommonAttributes.ExpiresAt] = new() { N = expiresAt },
        };

        var profileUpdate = new Update
        {
            TableName = settings.UserProfilesTable,
            Key = new Dictionary<string, AttributeValue> { [ProfileAttributes.UserId] = new() { S = t.UserId } },
            UpdateExpression = "SET txCount = :count, amountMean = :mean, amountM2 = :m2, lastTransactionAt = :last, profileVersion = :next ADD countries :country, merchantCategories :mcc",
            ConditionExpression = version == 0 ? "attribute_not_exists(profileVersion)" : "profileVersion = :version",
            ExpressionAttributeValues = new Dictionary<string, AttributeValue>
            {
                [":count"] = new() { N = after.Count.ToString(CultureInfo.InvariantCulture) },
                [":mean"] = new() { N = after.Mean.ToString("R", CultureInfo.InvariantCulture) },
                [":m2"] = new() { N = after.M2.ToString("R", CultureInfo.InvariantCulture) },
                [":last"] = new() { S = Iso(t.Timestamp) },
                [":next"] = new() { N = (version + 1).ToString(CultureInfo.InvariantCulture) },
                [":country"] = new() { SS = [t.Country] },
                [":mcc"] = new() { SS = [t.MerchantCategory] },
            },
        };
        if (version != 0)
        {
            profileUpdate.ExpressionAttributeValues[":version"] = new() { N = version.ToString(CultureInfo.InvariantCulture) };
        }

        try
        {
            await dynamo.TransactWriteItemsAsync(new TransactWriteItemsRequest
            {
                TransactItems =
                [
                    new TransactWriteItem
                    {
                        Put = new Put
                        {
                            TableName = settings.TransactionsTable,
                            Item = transactionItem,
                            ConditionExpression = "attribute_not_exists(transactionId)",
                        },
                    },
                    new TransactWriteItem
                    {
                        Put = new Put
                        {
                            TableName = settings.DecisionsTable,
                            Item = decisionItem,
                            ConditionExpression = "attribute_not_exists(transactionId)",
                        },
                    },
                    new TransactWriteItem { Update = profileUpdate },
                ],
            }, ct);
            return SaveOutcome.Saved;
        }
        catch (TransactionCanceledException e)
        {
            var reasons = e.CancellationReasons ?? [];
            if (reasons.Count > 0 && reasons[0].Code == "ConditionalCheckFailed")
            {
                return SaveOutcome.Duplicate;
            }

            if (reasons.Count > 2 && reasons[2].Code == "ConditionalCheckFailed")
            {
                return SaveOutcome.ProfileConflict;
            }

            throw;
        }
    }

    /// <summary>The current version of every active pattern (the sparse byActiveStatus index).</summary>
    public async Task<IReadOnlyList<FraudPattern>> LoadActivePatterns(CancellationToken ct)
    {
        var patterns = new List<FraudPattern>();
        Dictionary<string, AttributeValue>? start = null;
        do
        {
            var r = await dynamo.QueryAsync(new QueryRequest
            {
                TableName = settings.PatternsTable,
                IndexName = PatternAttributes.ByActiveStatusIndex,
                KeyConditionExpression = "#s = :active",
                ExpressionAttributeNames = new Dictionary<string, string> { ["#s"] = PatternAttributes.ActiveStatus },
                ExpressionAttributeValues = new Dictionary<string, AttributeValue> { [":active"] = new() { S = "ACTIVE" } },
                ExclusiveStartKey = start,
            }, ct);
            foreach (var item in r.Items ?? [])
            {
                patterns.Add(new FraudPattern
                {
                    PatternId = item[PatternAttributes.PatternId].S,
                    Version = long.Parse(item[PatternAttributes.Version].N, CultureInfo.InvariantCulture),
                    Description = item.TryGetValue("description", out var d) ? d.S : "",
                    Weight = double.Parse(item["weight"].N, CultureInfo.InvariantCulture),
                    MerchantCategories = item.TryGetValue("merchantCategories", out var m) ? m.SS ?? [] : [],
                    Countries = item.TryGetValue("countries", out var c) ? c.SS ?? [] : [],
                    Channels = item.TryGetValue("channels", out var ch) ? ch.SS ?? [] : [],
                    MinAmount = item.TryGetValue("minAmount", out var a) ? decimal.Parse(a.N, CultureInfo.InvariantCulture) : null,
                });
            }

            start = r.LastEvaluatedKey is { Count: > 0 } k ? k : null;
        }
        while (start is not null);

        return patterns.OrderBy(p => p.PatternId, StringComparer.Ordinal).ToList();
    }

    /// <summary>ISO 8601 UTC with fixed width (sorts as time in the byUserTime index).</summary>
    public static string Iso(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);
}
