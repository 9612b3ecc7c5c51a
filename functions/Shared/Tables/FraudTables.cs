namespace FraudTf.Functions.Shared.Tables;

// Alike on purpose: one catalog of attribute names a table (below), the shape of the other name catalogs of
// functions/Shared (see PlatformEvents); tables share only the names in CommonAttributes.
/// <summary>
/// The four tables of the platform and the access patterns their keys serve.
/// <list type="bullet">
/// <item><b>transactions</b> — PK <c>transactionId</c>. Fetch a transaction by id (the idempotency check of the stream
/// processor: a conditional put on <c>attribute_not_exists(transactionId)</c>). GSI <c>byUserTime</c> (PK <c>userId</c>,
/// SK <c>timestamp</c>, ISO 8601 UTC so it sorts by time): a user's transactions in a time window (velocity) and the
/// agent's recent-transactions tool. TTL <c>expiresAt</c>; stream NEW_AND_OLD_IMAGES.</item>
/// <item><b>decisions</b> — PK <c>transactionId</c>, SK <c>decisionKey</c> (<c>AUTOMATED</c> for the scorer's decision,
/// <c>ANALYST#&lt;hash of the call&gt;</c> for each analyst review, <c>ALERT#&lt;recordId&gt;</c> for the alert handler's
/// handled-event marker): a transaction's decision is a GetItem, its whole history a
/// Query. GSI <c>byUserDecidedAt</c> (PK <c>userId</c>, SK <c>decidedAt</c>): a user's decision history (the agent's
/// memory). TTL <c>expiresAt</c>; stream NEW_IMAGE, which the EventBridge pipe filters into fraud events.</item>
/// <item><b>user-profiles</b> — PK <c>userId</c>: a user's behaviour profile (running amount mean and variance, known
/// countries and merchant categories, flags), read and updated on every transaction.</item>
/// <item><b>patterns</b> — PK <c>patternId</c>, SK <c>version</c> (number): every version stays readable. Only the
/// current version carries <c>activeStatus = ACTIVE</c>, so the sparse GSI <c>byActiveStatus</c> (PK
/// <c>activeStatus</c>, SK <c>patternId</c>) returns exactly the current version of every pattern in one Query.
/// Patterns number in the hundreds and are cached by the scorer, so one index partition is no hot spot.</item>
/// </list>
/// </summary>
public static class FraudTables
{
    /// <summary>Transaction history.</summary>
    public static readonly TableSchema Transactions = new()
    {
        LogicalName = "transactions",
        PartitionKey = new KeyAttribute(TransactionAttributes.TransactionId, "S"),
        Indexes =
        [
            new IndexSchema(TransactionAttributes.ByUserTimeIndex,
                new KeyAttribute(TransactionAttributes.UserId, "S"),
                new KeyAttribute(TransactionAttributes.Timestamp, "S"),
                "INCLUDE",
                [TransactionAttributes.Amount, TransactionAttributes.Currency, TransactionAttributes.MerchantId,
                 TransactionAttributes.MerchantCategory, TransactionAttributes.Country, TransactionAttributes.Decision]),
        ],
        TtlAttribute = CommonAttributes.ExpiresAt,
        StreamViewType = "NEW_AND_OLD_IMAGES",
    };

    /// <summary>Decision context and memory.</summary>
    public static readonly TableSchema Decisions = new()
    {
        LogicalName = "decisions",
        PartitionKey = new KeyAttribute(DecisionAttributes.TransactionId, "S"),
        SortKey = new KeyAttribute(DecisionAttributes.DecisionKey, "S"),
        Indexes =
        [
            new IndexSchema(DecisionAttributes.ByUserDecidedAtIndex,
                new KeyAttribute(DecisionAttributes.UserId, "S"),
                new KeyAttribute(DecisionAttributes.DecidedAt, "S"),
                "ALL",
                []),
        ],
        TtlAttribute = CommonAttributes.ExpiresAt,
        StreamViewType = "NEW_IMAGE",
    };

    /// <summary>User behaviour profiles.</summary>
    public static readonly TableSchema UserProfiles = new()
    {
        LogicalName = "user-profiles",
        PartitionKey = new KeyAttribute(ProfileAttributes.UserId, "S"),
    };

    /// <summary>Learned fraud patterns, versioned.</summary>
    public static readonly TableSchema Patterns = new()
    {
        LogicalName = "patterns",
        PartitionKey = new KeyAttribute(PatternAttributes.PatternId, "S"),
        SortKey = new KeyAttribute(PatternAttributes.Version, "N"),
        Indexes =
        [
            new IndexSchema(PatternAttributes.ByActiveStatusIndex,
                new KeyAttribute(PatternAttributes.ActiveStatus, "S"),
                new KeyAttribute(PatternAttributes.PatternId, "S"),
                "ALL",
                []),
        ],
    };

    /// <summary>All four tables, in a fixed order.</summary>
    public static readonly IReadOnlyList<TableSchema> All = [Transactions, Decisions, UserProfiles, Patterns];
}

/// <summary>Attributes several tables share.</summary>
public static class CommonAttributes
{
    /// <summary>Expiry time in epoch seconds (DynamoDB TTL).</summary>
    public const string ExpiresAt = "expiresAt";
}

/// <summary>Attribute and index names of the transactions table.</summary>
public static class TransactionAttributes
{
    /// <summary>Partition key.</summary>
    public const string TransactionId = "transactionId";
    /// <summary>The paying user.</summary>
    public const string UserId = "userId";
    /// <summary>ISO 8601 UTC time of the transaction.</summary>
    public const string Timestamp = "timestamp";
    /// <summary>Amount (number).</summary>
    public const string Amount = "amount";
    /// <summary>ISO 4217 currency.</summary>
    public const string Currency = "currency";
    /// <summary>Merchant id.</summary>
    public const string MerchantId = "merchantId";
    /// <summary>Merchant category code (MCC).</summary>
    public const string MerchantCategory = "merchantCategory";
    /// <summary>ISO 3166 alpha-2 country.</summary>
    public const string Country = "country";
    /// <summary>The decision taken (APPROVE, REVIEW, DECLINE).</summary>
    public const string Decision = "decision";
    /// <summary>The amount in the scoring rules' reference currency (number); absent when the currency had no rate.</summary>
    public const string ReferenceAmount = "amountReference";
    /// <summary>When the user's profile learnt this transaction (ISO 8601 UTC): at the save for APPROVE, at an analyst's approval for REVIEW; absent until then. Makes the learning happen once.</summary>
    public const string ProfileLearnedAt = "profileLearnedAt";
    /// <summary>Device id, if known.</summary>
    public const string DeviceId = "deviceId";
    /// <summary>Client IP address, if known.</summary>
    public const string IpAddress = "ipAddress";
    /// <summary>Channel, if known.</summary>
    public const string Channel = "channel";
    /// <summary>GSI: a user's transactions by time.</summary>
    public const string ByUserTimeIndex = "byUserTime";
}

/// <summary>Attribute and index names of the decisions table.</summary>
public static class DecisionAttributes
{
    /// <summary>Partition key.</summary>
    public const string TransactionId = "transactionId";
    /// <summary>Sort key: AUTOMATED, ANALYST#&lt;hash of the call&gt; or ALERT#&lt;recordId&gt;.</summary>
    public const string DecisionKey = "decisionKey";
    /// <summary>The user the transaction belongs to.</summary>
    public const string UserId = "userId";
    /// <summary>ISO 8601 UTC time of the decision.</summary>
    public const string DecidedAt = "decidedAt";
    /// <summary>GSI: a user's decisions by time.</summary>
    public const string ByUserDecidedAtIndex = "byUserDecidedAt";
}

/// <summary>Attribute names of the user-profiles table.</summary>
public static class ProfileAttributes
{
    /// <summary>Partition key.</summary>
    public const string UserId = "userId";
    /// <summary>Approved transactions learnt (number).</summary>
    public const string TxCount = "txCount";
    /// <summary>Approved transactions with a converted amount (number).</summary>
    public const string AmountCount = "amountCount";
    /// <summary>Running mean of ln(amount in the reference currency) (number).</summary>
    public const string LogAmountMean = "logAmountMean";
    /// <summary>Running sum of squared deviations of the log amounts (number).</summary>
    public const string LogAmountM2 = "logAmountM2";
    /// <summary>Largest approved amount in the reference currency (number).</summary>
    public const string MaxAmount = "maxAmount";
    /// <summary>Countries of approved transactions (string set).</summary>
    public const string Countries = "countries";
    /// <summary>Merchant categories of approved transactions (string set).</summary>
    public const string MerchantCategories = "merchantCategories";
    /// <summary>Device ids of approved transactions (string set, bounded).</summary>
    public const string Devices = "devices";
    /// <summary>Channels of approved transactions (string set).</summary>
    public const string Channels = "channels";
    /// <summary>Country of the latest approved transaction.</summary>
    public const string LastCountry = "lastCountry";
    /// <summary>Event time of the latest approved transaction (ISO 8601 UTC).</summary>
    public const string LastTransactionAt = "lastTransactionAt";
    /// <summary>Optimistic-locking version, bumped by every save of the stream processor and every analyst approval (number).</summary>
    public const string ProfileVersion = "profileVersion";

    /// <summary>Every attribute a profile's learning writes: the only ones the stream processor and the analyst tools may update.</summary>
    public static readonly IReadOnlyList<string> Learned =
        [TxCount, AmountCount, LogAmountMean, LogAmountM2, MaxAmount, Countries, MerchantCategories, Devices, Channels, LastCountry, LastTransactionAt, ProfileVersion];
}

/// <summary>Attribute and index names of the patterns table.</summary>
public static class PatternAttributes
{
    /// <summary>Partition key.</summary>
    public const string PatternId = "patternId";
    /// <summary>Sort key: version number, increasing.</summary>
    public const string Version = "version";
    /// <summary>ACTIVE on the current version only (sparse index key).</summary>
    public const string ActiveStatus = "activeStatus";
    /// <summary>GSI: the current version of every pattern.</summary>
    public const string ByActiveStatusIndex = "byActiveStatus";
}
