using FraudTf.Functions.Shared.Transactions;

namespace FraudTf.Functions.Shared.Scoring;

/// <summary>
/// What is known of a user from their approved transactions only (the stream processor learns from APPROVE decisions;
/// a REVIEW transaction is learnt once an analyst approves it, through the agent's record_analyst_decision tool):
/// declined or held transactions never make later fraud look normal. Amount statistics are kept for the logarithm of
/// the amount in the reference currency (Welford's running mean and sum of squared deviations): amounts of different
/// currencies are comparable, and a lognormal habit has a symmetric spread.
/// </summary>
public sealed record UserProfile
{
    /// <summary>Most device ids a profile keeps; later new devices are not added (and keep counting as new).</summary>
    public const int MaxDevices = 32;

    /// <summary>Approved transactions learnt.</summary>
    public long Count { get; init; }

    /// <summary>Approved transactions whose amount could be converted (the amount statistics' count).</summary>
    public long AmountCount { get; init; }

    /// <summary>Running mean of ln(amount in the reference currency).</summary>
    public double LogMean { get; init; }

    /// <summary>Running sum of squared deviations of the log amounts (variance = LogM2 / (AmountCount - 1)).</summary>
    public double LogM2 { get; init; }

    /// <summary>Largest approved amount, in the reference currency (0 when none).</summary>
    public double MaxAmount { get; init; }

    /// <summary>Countries of approved transactions.</summary>
    public IReadOnlySet<string> Countries { get; init; } = new HashSet<string>();

    /// <summary>Merchant categories of approved transactions.</summary>
    public IReadOnlySet<string> MerchantCategories { get; init; } = new HashSet<string>();

    /// <summary>Device ids of approved transactions (at most <see cref="MaxDevices"/>).</summary>
    public IReadOnlySet<string> Devices { get; init; } = new HashSet<string>();

    /// <summary>Channels of approved transactions.</summary>
    public IReadOnlySet<string> Channels { get; init; } = new HashSet<string>();

    /// <summary>Country of the latest approved transaction (by event time); null when none.</summary>
    public string? LastCountry { get; init; }

    /// <summary>Event time of the latest approved transaction; null when none.</summary>
    public DateTimeOffset? LastAt { get; init; }

    /// <summary>Sample standard deviation of the log amounts (0 below two).</summary>
    public double LogStdDev => AmountCount > 1 ? Math.Sqrt(LogM2 / (AmountCount - 1)) : 0;

    /// <summary>The user's typical amount (geometric mean), in the reference currency; 0 when none.</summary>
    public double TypicalAmount => AmountCount > 0 ? Math.Exp(LogMean) : 0;

    /// <summary>
    /// The profile after learning the approved transaction <paramref name="t"/> whose amount is
    /// <paramref name="referenceAmount"/> in the reference currency (null: not convertible, so the amount statistics stay).
    /// </summary>
    public UserProfile Learn(Transaction t, double? referenceAmount) =>
        Learn(t.Timestamp, t.Country, t.MerchantCategory, t.DeviceId, t.Channel, referenceAmount);

    /// <summary>The profile after learning an approved transaction given by its parts (a stored row, for an analyst's approval).</summary>
    public UserProfile Learn(DateTimeOffset timestamp, string country, string merchantCategory, string? deviceId, string? channel, double? referenceAmount)
    {
        var next = this with
        {
            Count = Count + 1,
            Countries = With(Countries, country),
            MerchantCategories = With(MerchantCategories, merchantCategory),
            Devices = deviceId is not null && Devices.Count < MaxDevices ? With(Devices, deviceId) : Devices,
            Channels = channel is not null ? With(Channels, channel) : Channels,
            LastCountry = LastAt is null || timestamp >= LastAt ? country : LastCountry,
            LastAt = LastAt is null || timestamp >= LastAt ? timestamp : LastAt,
        };
        if (referenceAmount is not { } amount || !(amount > 0) || !double.IsFinite(amount))
        {
            return next;
        }

        var x = Math.Log(amount);
        var n = AmountCount + 1;
        var delta = x - LogMean;
        var mean = LogMean + (delta / n);
        return next with
        {
            AmountCount = n,
            LogMean = mean,
            LogM2 = LogM2 + (delta * (x - mean)),
            MaxAmount = Math.Max(MaxAmount, amount),
        };
    }

    private static IReadOnlySet<string> With(IReadOnlySet<string> set, string value) =>
        set.Contains(value) ? set : new HashSet<string>(set, StringComparer.Ordinal) { value };
}
