using System.Globalization;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using FraudTf.Functions.Shared.Tables;
using FraudTf.Functions.Shared.Transactions;
using FraudTf.Functions.Shared.Scoring;
using FraudTf.Functions.Storage;

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

/// <summary>The active patterns, and the rows skipped because they could not be used (pattern id, problems).</summary>
/// <param name="Patterns">Usable patterns, ordered by id.</param>
/// <param name="Skipped">Rows skipped: their pattern id (or "?") and what was wrong.</param>
public sealed record PatternSet(IReadOnlyList<FraudPattern> Patterns, IReadOnlyList<(string PatternId, IReadOnlyList<string> Problems)> Skipped);

/// <summary>
/// The stream processor's DynamoDB access, on the tables of <see cref="FraudTables"/>. The save is one
/// TransactWriteItems: the transaction (only if its id is new), its decision, and the profile update (only if the
/// profile is still at the version that was read), so a replay never duplicates a transaction or double-counts a profile.
/// The profile learns only an APPROVE (<see cref="ProfileRows.Learn"/>); any other decision only moves its version
/// (<see cref="ProfileRows.Bump"/>). Stored rows are read as data that may be corrupt (<see cref="StoredRow"/>): a
/// profile whose statistics cannot be read has none (its next learning rewrites them), a pattern without a usable weight
/// or condition is skipped, a stored timestamp that is not one is ignored; each is reported, never thrown.
/// </summary>
public sealed class TransactionStore(IAmazonDynamoDB dynamo, Settings settings)
{
    /// <summary>The most items one TransactWriteItems may write (DynamoDB's limit: 100 actions, no two on one item, 4 MB in all).</summary>
    public const int MaxTransactionItems = 100;

    /// <summary>The user's profile and its version (<see cref="ProfileState.New"/> when the user is new).</summary>
    public async Task<ProfileState> LoadProfile(string userId, CancellationToken ct)
    {
        var r = await dynamo.GetItemAsync(new GetItemRequest
        {
            TableName = settings.UserProfilesTable,
            Key = new Dictionary<string, AttributeValue> { [ProfileAttributes.UserId] = new() { S = userId } },
            ConsistentRead = true,
        }, ct);
        return r.Item is { Count: > 0 } item ? ProfileRows.Read(item) : ProfileState.New;
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
                result[item[ProfileAttributes.UserId].S] = ProfileRows.Read(item);
            }
        }

        return result;
    }

    /// <summary>
    /// <paramref name="userId"/>'s stored transactions (any decision) in [from, to] (the longest rule window before a
    /// whole batch): time, and amount converted to the reference currency with the current rates (amount and currency
    /// are projected into the byUserTime index; rows of any age convert the same way); and how many stored rows had a
    /// timestamp that is not one (ignored). A row whose amount cannot be read or converted counts for velocity by count,
    /// not by amount.
    /// </summary>
    public async Task<(List<RecentTransaction> Activity, int Unreadable)> RecentActivity(string userId, DateTimeOffset from, DateTimeOffset to, CancellationToken ct)
    {
        var result = new List<RecentTransaction>();
        var unreadable = 0;
        Dictionary<string, AttributeValue>? start = null;
        do
        {
            var r = await dynamo.QueryAsync(new QueryRequest
            {
                TableName = settings.TransactionsTable,
                IndexName = TransactionAttributes.ByUserTimeIndex,
                KeyConditionExpression = "#u = :u AND #t BETWEEN :from AND :to",
                ExpressionAttributeNames = new Dictionary<string, string>
                {
                    ["#u"] = TransactionAttributes.UserId, ["#t"] = TransactionAttributes.Timestamp,
                    ["#a"] = TransactionAttributes.Amount, ["#c"] = TransactionAttributes.Currency,
                },
                ExpressionAttributeValues = new Dictionary<string, AttributeValue>
                {
                    [":u"] = new() { S = userId },
                    [":from"] = new() { S = Iso(from) },
                    [":to"] = new() { S = Iso(to) },
                },
                ProjectionExpression = "#t, #a, #c",
                ExclusiveStartKey = start,
            }, ct);
            foreach (var item in r.Items ?? [])
            {
                var row = new StoredRow(item);
                if (row.Timestamp(TransactionAttributes.Timestamp) is { } parsed)
                {
                    var amount = row.Decimal(TransactionAttributes.Amount);
                    var currency = row.String(TransactionAttributes.Currency);
                    result.Add(new RecentTransaction(parsed, amount is > 0 && currency is not null ? settings.Rules.Rates.ToReference(amount.Value, currency) : null));
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
        return Token(input);
    }

    // 32 hex digits of SHA-256 (a ClientRequestToken may have 36 characters).
    private static string Token(string input) =>
        Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(input)))[..32];

    /// <summary>
    /// Writes the transaction, its decision and the profile update in one transaction; returns the outcome and, when
    /// saved, the profile as it now stands (<see cref="LearnsFrom"/>: learnt from an APPROVE, unchanged otherwise).
    /// </summary>
    /// <param name="t">The transaction.</param>
    /// <param name="score">Its score.</param>
    /// <param name="state">The user's profile as read (the update is conditioned on its version).</param>
    /// <param name="eventSourceArn">The stream the record came from (for the <see cref="RequestToken"/>).</param>
    /// <param name="sequenceNumber">The record's sequence number (for the <see cref="RequestToken"/>).</param>
    /// <param name="now">Processing time (decision time and expiry).</param>
    /// <param name="ct">Cancellation.</param>
    public async Task<(SaveOutcome Outcome, ProfileState After)> Save(Transaction t, ScoreResult score, ProfileState state, string? eventSourceArn, string sequenceNumber, DateTimeOffset now, CancellationToken ct)
    {
        var requestToken = RequestToken(settings.TransactionsTable, eventSourceArn, sequenceNumber, t.TransactionId, state, now);
        var learns = LearnsFrom(score.Decision);
        var (transactionPut, decisionPut, after) = Rows(t, score, state.Profile, now);

        var profileUpdate = learns
            ? ProfileRows.Learn(settings.UserProfilesTable, t.UserId, state, after)
            : ProfileRows.Bump(settings.UserProfilesTable, t.UserId, state);

        try
        {
            await dynamo.TransactWriteItemsAsync(new TransactWriteItemsRequest
            {
                ClientRequestToken = requestToken,
                TransactItems =
                [
                    transactionPut,
                    decisionPut,
                    new TransactWriteItem { Update = profileUpdate },
                ],
            }, ct);
            return (SaveOutcome.Saved, state.After(after));
        }
        catch (TransactionCanceledException e)
        {
            var reasons = e.CancellationReasons ?? [];
            if (reasons.Count > 0 && reasons[0].Code == "ConditionalCheckFailed")
            {
                return (SaveOutcome.Duplicate, state);
            }

            if (reasons.Count > 2 && reasons[2].Code == "ConditionalCheckFailed")
            {
                return (SaveOutcome.ProfileConflict, state);
            }

            throw;
        }
    }

    /// <summary>
    /// The two rows a saved record writes (each only if its transaction id is new) and the profile after it
    /// (<see cref="LearnsFrom"/>: learnt from an APPROVE, <paramref name="profile"/> otherwise). One record's rows are at
    /// most about twice <see cref="TransactionParser.MaxRecordBytes"/> (its fields, and a decision of a few reasons), so
    /// the 100 items of a full <see cref="Commit"/> stay far below the 4 MB a transaction may write.
    /// </summary>
    public (TransactWriteItem Transaction, TransactWriteItem Decision, UserProfile After) Rows(Transaction t, ScoreResult score, UserProfile profile, DateTimeOffset now)
    {
        var learns = LearnsFrom(score.Decision);
        var after = learns ? profile.Learn(t, score.ReferenceAmount) : profile;
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
        if (score.ReferenceAmount is { } reference) transactionItem[TransactionAttributes.ReferenceAmount] = new() { N = reference.ToString("R", CultureInfo.InvariantCulture) };
        if (learns) transactionItem[TransactionAttributes.ProfileLearnedAt] = new() { S = Iso(now) };
        if (t.DeviceId is not null) transactionItem[TransactionAttributes.DeviceId] = new() { S = t.DeviceId };
        if (t.IpAddress is not null) transactionItem[TransactionAttributes.IpAddress] = new() { S = t.IpAddress };
        if (t.Channel is not null) transactionItem[TransactionAttributes.Channel] = new() { S = t.Channel };

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
            ["reasons"] = new() { L = score.Reasons.Select(ReasonItem).ToList() },
            [CommonAttributes.ExpiresAt] = new() { N = expiresAt },
        };

        return (
            new TransactWriteItem { Put = new Put { TableName = settings.TransactionsTable, Item = transactionItem, ConditionExpression = "attribute_not_exists(transactionId)" } },
            new TransactWriteItem { Put = new Put { TableName = settings.DecisionsTable, Item = decisionItem, ConditionExpression = "attribute_not_exists(transactionId)" } },
            after);
    }

    /// <summary>
    /// Writes the rows and profile updates of several records in one TransactWriteItems (at most
    /// <see cref="MaxTransactionItems"/> items; every condition holds or nothing is written), idempotent for 10 minutes
    /// under <paramref name="requestToken"/> (<see cref="GroupToken"/>).
    /// </summary>
    public Task Commit(List<TransactWriteItem> items, string requestToken, CancellationToken ct) =>
        dynamo.TransactWriteItemsAsync(new TransactWriteItemsRequest { ClientRequestToken = requestToken, TransactItems = items }, ct);

    /// <summary>The <c>ClientRequestToken</c> of a <see cref="Commit"/>: 32 hex digits of SHA-256 over the
    /// <see cref="RequestToken"/>s of its records, in order (the same records and inputs give the same token; any other
    /// input another).</summary>
    public static string GroupToken(IEnumerable<string> recordTokens) =>
        Token("group\n" + string.Join('\n', recordTokens));

    /// <summary>
    /// The current version of every active pattern (the sparse byActiveStatus index). A row without a usable id,
    /// version or weight (a finite number in [0, 1]), or with a condition it cannot read, is skipped: a condition read
    /// as "any" would make the pattern match everything.
    /// </summary>
    public async Task<PatternSet> LoadActivePatterns(CancellationToken ct)
    {
        var patterns = new List<FraudPattern>();
        var skipped = new List<(string, IReadOnlyList<string>)>();
        foreach (var item in await PatternRows.QueryActive(dynamo, settings.PatternsTable, ct))
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

    /// <summary>
    /// True when a decision teaches the user's profile at the save: only APPROVE. A REVIEW is learnt once an analyst
    /// approves it (functions/AgentTools, record_analyst_decision); a DECLINE never.
    /// </summary>
    public static bool LearnsFrom(Decision decision) => decision == Decision.APPROVE;

    /// <summary>A reason as stored in the decision: rule, weight, explanation, and the measured value and threshold when the rule has them.</summary>
    public static AttributeValue ReasonItem(Reason r)
    {
        var item = new Dictionary<string, AttributeValue>
        {
            ["rule"] = new() { S = r.Rule },
            ["weight"] = new() { N = r.Weight.ToString("R", CultureInfo.InvariantCulture) },
            ["explanation"] = new() { S = r.Explanation },
        };
        if (r.Value is { } value) item["value"] = new() { N = value.ToString("R", CultureInfo.InvariantCulture) };
        if (r.Threshold is { } threshold) item["threshold"] = new() { N = threshold.ToString("R", CultureInfo.InvariantCulture) };
        return new AttributeValue { M = item };
    }

    /// <summary>ISO 8601 UTC with fixed width (sorts as time in the byUserTime index).</summary>
    public static string Iso(DateTimeOffset t) => StoredTime.Format(t);
}
