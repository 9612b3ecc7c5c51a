namespace FraudTf.Local.Traffic;

/// <summary>The share of the records each scenario gets (shares sum to 1).</summary>
public sealed record TrafficMix
{
    private TrafficMix(IReadOnlyDictionary<string, double> shares) => Shares = shares;

    /// <summary>Share of the records per scenario, summing to 1.</summary>
    public IReadOnlyDictionary<string, double> Shares { get; }

    /// <summary>
    /// The default mix: 85% legitimate; 10% fraud (card-testing 2.5%, account-takeover 2%, velocity-burst 2%,
    /// high-risk-merchant 1.5%, amount-spike 2%); 3% malformed; 2% duplicate replays.
    /// </summary>
    public static TrafficMix Default { get; } = new(new Dictionary<string, double>
    {
        [Scenarios.Legitimate] = 0.85,
        [Scenarios.CardTesting] = 0.025,
        [Scenarios.AccountTakeover] = 0.02,
        [Scenarios.VelocityBurst] = 0.02,
        [Scenarios.HighRiskMerchant] = 0.015,
        [Scenarios.AmountSpike] = 0.02,
        [Scenarios.Malformed] = 0.03,
        [Scenarios.DuplicateReplay] = 0.02,
    });

    /// <summary>
    /// One scenario on a legitimate background: <paramref name="share"/> of the records (default 10%) for
    /// <paramref name="scenario"/>, the rest legitimate. <c>legitimate</c> alone is all legitimate.
    /// </summary>
    public static TrafficMix Only(string scenario, double share = 0.1)
    {
        if (!Scenarios.All.Contains(scenario))
        {
            throw new ArgumentException($"Unknown scenario '{scenario}'. Fix: use one of {string.Join(", ", Scenarios.All)} (or 'default' for the mix).", nameof(scenario));
        }

        if (share is <= 0 or > 1 || double.IsNaN(share))
        {
            throw new ArgumentOutOfRangeException(nameof(share), share, "The scenario's share must be in (0, 1]. Fix: pass e.g. 0.1.");
        }

        return scenario == Scenarios.Legitimate
            ? new(new Dictionary<string, double> { [Scenarios.Legitimate] = 1.0 })
            : new(new Dictionary<string, double> { [Scenarios.Legitimate] = 1 - share, [scenario] = share });
    }

    /// <summary>The mix named by a <c>SCENARIO</c> value: empty, <c>default</c> or <c>all</c> is <see cref="Default"/>, else <see cref="Only"/>.</summary>
    public static TrafficMix Parse(string? scenario) =>
        string.IsNullOrWhiteSpace(scenario) || scenario.Trim().ToLowerInvariant() is "default" or "all" ? Default : Only(scenario.Trim().ToLowerInvariant());

    /// <summary>A custom mix; every name must be a scenario, shares non-negative and summing to 1 (within 1e-9).</summary>
    public static TrafficMix Custom(IReadOnlyDictionary<string, double> shares)
    {
        foreach (var (name, share) in shares)
        {
            if (!Scenarios.All.Contains(name))
            {
                throw new ArgumentException($"Unknown scenario '{name}' in the mix. Fix: use only {string.Join(", ", Scenarios.All)}.", nameof(shares));
            }

            if (share < 0 || double.IsNaN(share))
            {
                throw new ArgumentException($"Scenario '{name}' has share {share.ToString(CultureInfo.InvariantCulture)}. Fix: shares must be 0 or more.", nameof(shares));
            }
        }

        var sum = shares.Values.Sum();
        if (Math.Abs(sum - 1) > 1e-9)
        {
            throw new ArgumentException($"The mix's shares sum to {sum.ToString(CultureInfo.InvariantCulture)}. Fix: make them sum to 1.", nameof(shares));
        }

        return new(new Dictionary<string, double>(shares));
    }

    /// <summary>Splits <paramref name="total"/> records by share (largest remainder; ties by <see cref="Scenarios.All"/> order).</summary>
    internal Dictionary<string, int> Split(int total)
    {
        var exact = Scenarios.All.Select(s => (Scenario: s, Value: Shares.GetValueOrDefault(s) * total)).ToList();
        var counts = exact.ToDictionary(e => e.Scenario, e => (int)Math.Floor(e.Value));
        var left = total - counts.Values.Sum();
        foreach (var e in exact.OrderByDescending(e => e.Value - Math.Floor(e.Value)).ThenBy(e => Scenarios.All.ToList().IndexOf(e.Scenario)).Take(left))
        {
            counts[e.Scenario]++;
        }

        return counts;
    }
}
