namespace FraudTf.Local.Traffic;

/// <summary>What a generated record is, for the stream processor's parser.</summary>
public enum RecordKind
{
    /// <summary>A transaction the parser accepts.</summary>
    Valid,

    /// <summary>A record the parser rejects (see <see cref="MalformedKind"/>).</summary>
    Malformed,

    /// <summary>An exact re-send (same bytes, same partition key) of an earlier valid record.</summary>
    Replay,
}

/// <summary>The defect of a malformed record, and so the reject reason the parser must give.</summary>
public enum MalformedKind
{
    /// <summary>A body cut in the middle: not JSON (RejectReason.NotJson).</summary>
    InvalidJson,

    /// <summary>The amount as a JSON string (RejectReason.WrongType).</summary>
    WrongType,

    /// <summary>One required field left out (RejectReason.MissingField).</summary>
    MissingField,

    /// <summary>A currency that is not an active ISO 4217 code in upper case (RejectReason.InvalidValue).</summary>
    BadCurrency,

    /// <summary>A negative amount (RejectReason.InvalidValue).</summary>
    NegativeAmount,

    /// <summary>A body over the parser's 16 KiB limit (RejectReason.TooLarge).</summary>
    Oversized,
}

/// <summary>One generated record, in send order, with its ground truth.</summary>
/// <param name="PartitionKey">The Kinesis partition key: the paying user's id, so one user's records stay in order on one shard.</param>
/// <param name="Data">The record's bytes (UTF-8 JSON of a transaction, or a malformed body).</param>
/// <param name="Scenario">The scenario that produced it (<see cref="Scenarios"/>).</param>
/// <param name="IsFraud">True for the fraudulent records of a fraud scenario (not for the history a scenario builds first).</param>
/// <param name="TransactionId">The transaction's id (valid records and replays); null for a malformed record.</param>
/// <param name="Kind">Valid, malformed or replay.</param>
/// <param name="EventTime">The transaction's timestamp (simulated time; a replay keeps its original's).</param>
/// <param name="Defect">For a malformed record, what is wrong with it; else null.</param>
public sealed record LabelledRecord(
    string PartitionKey,
    byte[] Data,
    string Scenario,
    bool IsFraud,
    string? TransactionId,
    RecordKind Kind,
    DateTimeOffset EventTime,
    MalformedKind? Defect = null);

/// <summary>The scenario names (the labels of the traffic and the values of <c>SCENARIO</c>).</summary>
public static class Scenarios
{
    /// <summary>Users with stable habits (country, currency, amounts, merchant categories, daily rhythm, devices, channels).</summary>
    public const string Legitimate = "legitimate";

    /// <summary>A stolen card tried with many small amounts (0.50-4.99) at new merchants within minutes.</summary>
    public const string CardTesting = "card-testing";

    /// <summary>A user with history suddenly transacting from a new country and a new device, with large amounts.</summary>
    public const string AccountTakeover = "account-takeover";

    /// <summary>A user making many normal-size transactions within one minute.</summary>
    public const string VelocityBurst = "velocity-burst";

    /// <summary>Larger amounts at gambling, crypto (quasi-cash) and money-transfer merchants.</summary>
    public const string HighRiskMerchant = "high-risk-merchant";

    /// <summary>A user with history making one amount far above their usual.</summary>
    public const string AmountSpike = "amount-spike";

    /// <summary>Records the parser must reject.</summary>
    public const string Malformed = "malformed";

    /// <summary>Exact re-sends of valid records already sent (a producer's retry).</summary>
    public const string DuplicateReplay = "duplicate-replay";

    /// <summary>The fraud scenarios.</summary>
    public static readonly IReadOnlyList<string> Fraud = [CardTesting, AccountTakeover, VelocityBurst, HighRiskMerchant, AmountSpike];

    /// <summary>Every scenario, in a fixed order.</summary>
    public static readonly IReadOnlyList<string> All = [Legitimate, .. Fraud, Malformed, DuplicateReplay];
}
