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
/// A user's profile as read, and how to condition its next update on it.
/// </summary>
/// <param name="Profile">The statistics and sets; empty for a new user, and for a stored row whose statistics cannot be read.</param>
/// <param name="Version">The version read (0 for a new user or an unreadable version); the update writes <c>Version + 1</c>.</param>
/// <param name="StoredVersion">The stored <c>profileVersion</c> attribute exactly as read (the update is conditioned on it being
/// unchanged, whatever its type); null when the row or the attribute is absent (the update requires it still absent).</param>
/// <param name="Problems">What was unusable in the stored row (attribute names and what was wrong, never values); empty when sound.</param>
public sealed record ProfileState(UserProfile Profile, long Version, AttributeValue? StoredVersion, IReadOnlyList<string> Problems)
{
    /// <summary>A user without a stored profile.</summary>
    public static ProfileState New { get; } = new(new UserProfile(), 0, null, []);
}

/// <summary>The active patterns, and the rows skipped because they could not be used (pattern id, problems).</summary>
/// <param name="Patterns">Usable patterns, ordered by id.</param>
/// <param name="Skipped">Rows skipped: their pattern id (or "?") and what was wrong.</param>
public sealed record PatternSet(IReadOnlyList<FraudPattern> Patterns, IReadOnlyList<(string PatternId, IReadOnlyList<string> Problems)> Skipped);

/// <summary>
/// The stream processor's DynamoDB access, on the tables of <see cref="FraudTables"/>. The save is one
/// TransactWriteItems: the transaction (only if its id is new), its decision, and the profile update (only if the
/// profile is still at the version that was read), so a replay never duplicates a transaction or double-counts a profile.
/// Stored rows are read as data that may be corrupt (<see cref="StoredRow"/>): a profile whose statistics cannot be
/// read is a new profile (its next update rewrites them), a pattern without a usable weight or condition is skipped,
/// a stored timestamp that is not one is ignored; each is reported, never thrown.
/// </summary>
public sealed class TransactionStore(IAmazonDynamoDB dynamo, Settings settings)
{
    /// <summary>The user's profile and its version (<see cref="ProfileState.New"/> when the user is new).</summary>
    public async Task<ProfileState> LoadProfile(string userId, CancellationToken ct)
    {
        var r = await dynamo.GetItemAsync(new GetItemRequest
        {
            TableName = settings.UserProfilesTable,
            Key = new Dictionary<string, AttributeValue> { [ProfileAttributes.UserId] = new() { S = userId } },
            ConsistentRead = true,
        }, ct);
        return r.Item is { Count: > 0 } item ? ToProfile(item) : ProfileState.New;
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

    /// <summary>The profiles (and versions) of <paramref name="userIds"/>; a user without a profile gets <see cref="ProfileState.New"/>.</summary>
    public async Task<Dictionary<string, ProfileState>> LoadProfiles(IReadOnlyCollection<string> userIds, CancellationToken ct)
    {
        var result = userIds.Distinct(StringComparer.Ordinal).ToDictionary(u => u, _ => ProfileState.New, StringComparer.Ordinal);
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

    /// <summary>
    /// The timestamps of <paramref name="userId"/>'s stored transactions in [from, to] (the velocity window of a whole
    /// batch), and how many stored rows had a timestamp that is not one (ignored).
    /// </summary>
    public async Task<(List<DateTimeOffset> Timestamps, int Unreadable)> RecentTimestamps(string userId, DateTimeOffset from, DateTimeOffset to, CancellationToken ct)
    {
        var result = new List<DateTimeOffset>();
        var unreadable = 0;
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
            foreach (var item in r.Items ?? [])
            {
                if (item.TryGetValue(TransactionAttributes.Timestamp, out var ts) && ts.S is { } text
                    && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed))
                {
                    result.Add(parsed);
                }
                else
                {
                    unreadable++;
                }
            }

            start = r.LastEvaluatedKey is { Count: > 0 } k ? k : null;
        }
        while (start is not null);

        return (result, unreadable);
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

    /// <summary>Reads a stored profile row; see <see cref="ProfileState"/> for what happens to unusable attributes.</summary>
    public static ProfileState ToProfile(IReadOnlyDictionary<string, AttributeValue> item)
    {
        var row = new StoredRow(item);
        // Welford's three statistics stand or fall together: without any one of them the others mean nothing.
        var count = row.Long("txCount", required: true, min: 0, max: MaxTransactionCount);
        var mean = row.Double("amountMean", required: true, min: 0, max: (double)TransactionParser.MaxAmount);
        var m2 = row.Double("amountM2", required: true, min: 0);
        var countries = row.StringSet("countries") ?? [];
        var categories = row.StringSet("merchantCategories") ?? [];
        var storedVersion = row.Raw("profileVersion");
        var version = storedVersion is null ? 0 : row.Long("profileVersion", min: 0, max: long.MaxValue - 1) ?? 0;
        var sound = count is not null && mean is not null && m2 is not null;
        var profile = sound
            ? new UserProfile
            {
                Count = count!.Value,
                Mean = mean!.Value,
                M2 = m2!.Value,
                Countries = new HashSet<string>(countries, StringComparer.Ordinal),
                MerchantCategories = new HashSet<string>(categories, StringComparer.Ordinal),
            }
            : new UserProfile
            {
                // Statistics unusable: a new profile. The sets are kept when readable (they do not depend on the counts).
                Countries = new HashSet<string>(countries, StringComparer.Ordinal),
                MerchantCategories = new HashSet<string>(categories, StringComparer.Ordinal),
            };
        return new ProfileState(profile, version, storedVersion, row.Problems);
    }

    /// <summary>Largest <c>txCount</c> read as a count (a larger one is a corrupt row).</summary>
    public const long MaxTransactionCount = 1_000_000_000_000;

    /// <summary>
    /// The <c>ClientRequestToken</c> of a save (TransactWriteItems is then idempotent for 10 minutes: an SDK retry of a
    /// call that committed succeeds instead of failing its conditions). It is derived from the record (stream ARN,
    /// sequence number, transaction id) and from every other input that changes the request (the profile version it is
    /// conditioned on, the processing time written into the items): DynamoDB answers IdempotentParameterMismatch to the
    /// same token with other parameters, which a Kinesis retry of the batch, or a save re-read after a profile
    /// conflict, would otherwise send; and from the table written (tokens are scoped to the account and Region, not to a
    /// table, so two environments or test runs sharing an account must not share tokens). 32 hex digits of SHA-256
    /// (the limit is 36 characters).
    /// </summary>
    public static string RequestToken(string table, string? eventSourceArn, string sequenceNumber, string transactionId, ProfileState state, DateTimeOffset now)
    {
        var stored = state.StoredVersion is null ? "-" : $"{StoredRow.TypeOf(state.StoredVersion)}:{state.StoredVersion.N ?? state.StoredVersion.S}";
        var input = string.Join('\n', table, eventSourceArn ?? "", sequenceNumber, transactionId, stored, now.UtcTicks.ToString(CultureInfo.InvariantCulture));
        return Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(input)))[..32];
    }

    /// <summary>Writes the transaction, its decision and the updated profile in one transaction.</summary>
    /// <param name="t">The transaction.</param>
    /// <param name="score">Its score.</param>
    /// <param name="state">The user's profile as read (the update is conditioned on its version).</param>
    /// <param name="eventSourceArn">The stream the record came from (for the <see cref="RequestToken"/>).</param>
    /// <param name="sequenceNumber">The record's sequence number (for the <see cref="RequestToken"/>).</param>
    /// <param name="now">Processing time (decision time and expiry).</param>
    /// <param name="ct">Cancellation.</param>
    public async Task<SaveOutcome> Save(Transaction t, ScoreResult score, ProfileState state, string? eventSourceArn, string sequenceNumber, DateTimeOffset now, CancellationToken ct)
    {
        var requestToken = RequestToken(settings.TransactionsTable, eventSourceArn, sequenceNumber, t.TransactionId, state, now);
        var after = state.Profile.With(t);
        var version = state.Version;
        var expected = state.StoredVersion;
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
            // SET of the whole sets (not ADD): the update is conditioned on the version read, so the sets read are current,
            // and SET also repairs a set stored with another type (ADD would fail on it with a ValidationException).
            UpdateExpression = "SET txCount = :count, amountMean = :mean, amountM2 = :m2, lastTransactionAt = :last, profileVersion = :next, countries = :countries, merchantCategories = :mccs",
            ConditionExpression = expected is null ? "attribute_not_exists(profileVersion)" : "profileVersion = :version",
            ExpressionAttributeValues = new Dictionary<string, AttributeValue>
            {
                [":count"] = new() { N = after.Count.ToString(CultureInfo.InvariantCulture) },
                [":mean"] = new() { N = after.Mean.ToString("R", CultureInfo.InvariantCulture) },
                [":m2"] = new() { N = after.M2.ToString("R", CultureInfo.InvariantCulture) },
                [":last"] = new() { S = Iso(t.Timestamp) },
                [":next"] = new() { N = (version + 1).ToString(CultureInfo.InvariantCulture) },
                [":countries"] = new() { SS = after.Countries.Order(StringComparer.Ordinal).ToList() },
                [":mccs"] = new() { SS = after.MerchantCategories.Order(StringComparer.Ordinal).ToList() },
            },
        };
        if (expected is not null)
        {
            profileUpdate.ExpressionAttributeValues[":version"] = expected;
        }

        try
        {
            await dynamo.TransactWriteItemsAsync(new TransactWriteItemsRequest
            {
                ClientRequestToken = requestToken,
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

    /// <summary>
    /// The current version of every active pattern (the sparse byActiveStatus index). A row without a usable id,
    /// version or weight (a finite number in [0, 1]), or with a condition it cannot read, is skipped: a condition read
    /// as "any" would make the pattern match everything.
    /// </summary>
    public async Task<PatternSet> LoadActivePatterns(CancellationToken ct)
    {
        var patterns = new List<FraudPattern>();
        var skipped = new List<(string, IReadOnlyList<string>)>();
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
                var (pattern, row) = ToPattern(item);
                if (pattern is not null)
                {
                    patterns.Add(pattern);
                }
                else
                {
                    skipped.Add((item.TryGetValue(PatternAttributes.PatternId, out var id) && id.S is { } s ? s : "?", row.Problems));
                }
            }

            start = r.LastEvaluatedKey is { Count: > 0 } k ? k : null;
        }
        while (start is not null);

        return new PatternSet(patterns.OrderBy(p => p.PatternId, StringComparer.Ordinal).ToList(), skipped);
    }

    /// <summary>Reads a stored pattern row: the pattern, or null (and the row's problems) when it cannot be used.</summary>
    public static (FraudPattern? Pattern, StoredRow Row) ToPattern(IReadOnlyDictionary<string, AttributeValue> item)
    {
        var row = new StoredRow(item);
        var id = row.String(PatternAttributes.PatternId, required: true);
        var version = row.Long(PatternAttributes.Version, required: true);
        var weight = row.Double("weight", required: true, min: 0, max: 1);
        var description = row.String("description");
        var categories = row.StringSet("merchantCategories");
        var countries = row.StringSet("countries");
        var channels = row.StringSet("channels");
        var minAmount = row.Decimal("minAmount");
        if (row.IsCorrupt || id is null || version is null || weight is null)
        {
            return (null, row);
        }

        return (new FraudPattern
        {
            PatternId = id,
            Version = version.Value,
            Description = description ?? "",
            Weight = weight.Value,
            MerchantCategories = categories!,
            Countries = countries!,
            Channels = channels!,
            MinAmount = minAmount,
        }, row);
    }

    /// <summary>ISO 8601 UTC with fixed width (sorts as time in the byUserTime index).</summary>
    public static string Iso(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);
}
