using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using FraudTf.Functions.Shared.Transactions;

namespace FraudTf.Functions.StreamProcessor.Scoring;

/// <summary>The decision taken on a transaction.</summary>
public enum Decision
{
    /// <summary>Let it through.</summary>
    APPROVE,

    /// <summary>Hold for an analyst.</summary>
    REVIEW,

    /// <summary>Refuse it.</summary>
    DECLINE,
}

/// <summary>Weights and thresholds of the rules (from the environment config, via the function's environment).</summary>
public sealed record ScoringRules
{
    private static readonly ConditionalWeakTable<ScoringRules, string> EffectiveVersions = new();

    /// <summary>The label of this rule set (people choose it); see <see cref="EffectiveVersion"/> for what decisions record.</summary>
    public string Version { get; init; } = "2026-11-25.1";

    /// <summary>
    /// The version every decision records (<c>rulesVersion</c>): <see cref="Version"/>, <c>+</c>, and the first 12 hex
    /// digits of the SHA-256 of the whole effective rule set (every property, in declaration order, as JSON). Two rule sets
    /// that differ in any weight, threshold or list never claim the same version, even when nobody changed the label.
    /// Computed once per rule set.
    /// </summary>
    [JsonIgnore]
    public string EffectiveVersion => EffectiveVersions.GetValue(this, rules =>
        $"{rules.Version}+{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(rules))))[..12]}");

    /// <summary>Score at or above which a transaction goes to REVIEW.</summary>
    public double ReviewThreshold { get; init; } = 0.5;

    /// <summary>Score at or above which a transaction is DECLINEd.</summary>
    public double DeclineThreshold { get; init; } = 0.8;

    /// <summary>Transactions a user needs before the amount rule applies.</summary>
    public int MinHistory { get; init; } = 5;

    /// <summary>Standard deviations above the user's mean amount that count as unusual.</summary>
    public double AmountZThreshold { get; init; } = 3.0;

    /// <summary>Weight of an unusual amount.</summary>
    public double AmountWeight { get; init; } = 0.35;

    /// <summary>Window of the velocity rule, in minutes.</summary>
    public int VelocityWindowMinutes { get; init; } = 10;

    /// <summary>Transactions in the window (this one included) at which the velocity rule fires.</summary>
    public int VelocityMaxTransactions { get; init; } = 5;

    /// <summary>Weight of a velocity burst.</summary>
    public double VelocityWeight { get; init; } = 0.3;

    /// <summary>Weight of a country the user never used.</summary>
    public double NewCountryWeight { get; init; } = 0.2;

    /// <summary>Weight of a merchant category the user never used.</summary>
    public double NewMerchantCategoryWeight { get; init; } = 0.1;

    /// <summary>Merchant categories with high fraud rates (gambling, wire transfers, quasi-cash, ...).</summary>
    public IReadOnlyList<string> HighRiskMerchantCategories { get; init; } = ["4829", "5967", "6051", "6211", "7995"];

    /// <summary>Weight of a high-risk merchant category.</summary>
    public double HighRiskMerchantCategoryWeight { get; init; } = 0.25;
}

/// <summary>What is known of a user before this transaction (running aggregates; Welford's algorithm).</summary>
public sealed record UserProfile
{
    /// <summary>Transactions seen.</summary>
    public long Count { get; init; }

    /// <summary>Running mean of the amounts.</summary>
    public double Mean { get; init; }

    /// <summary>Running sum of squared deviations (variance = M2 / (Count - 1)).</summary>
    public double M2 { get; init; }

    /// <summary>Countries the user has transacted in.</summary>
    public IReadOnlySet<string> Countries { get; init; } = new HashSet<string>();

    /// <summary>Merchant categories the user has used.</summary>
    public IReadOnlySet<string> MerchantCategories { get; init; } = new HashSet<string>();

    /// <summary>Sample standard deviation of the amounts (0 below two transactions).</summary>
    public double StdDev => Count > 1 ? Math.Sqrt(M2 / (Count - 1)) : 0;

    /// <summary>The profile after <paramref name="t"/> (Welford's update).</summary>
    public UserProfile With(Transaction t)
    {
        var x = (double)t.Amount;
        var count = Count + 1;
        var delta = x - Mean;
        var mean = Mean + (delta / count);
        return this with
        {
            Count = count,
            Mean = mean,
            M2 = M2 + (delta * (x - mean)),
            Countries = new HashSet<string>(Countries) { t.Country },
            MerchantCategories = new HashSet<string>(MerchantCategories) { t.MerchantCategory },
        };
    }
}

/// <summary>A learned fraud pattern (current version): conditions that all must hold, and the weight it adds.</summary>
public sealed record FraudPattern
{
    /// <summary>Pattern id.</summary>
    public required string PatternId { get; init; }

    /// <summary>Version (the patterns table's sort key).</summary>
    public required long Version { get; init; }

    /// <summary>What the pattern describes (for the reason text).</summary>
    public required string Description { get; init; }

    /// <summary>Weight added when it matches.</summary>
    public required double Weight { get; init; }

    /// <summary>Matching merchant categories (any); empty = any.</summary>
    public IReadOnlyList<string> MerchantCategories { get; init; } = [];

    /// <summary>Matching countries (any); empty = any.</summary>
    public IReadOnlyList<string> Countries { get; init; } = [];

    /// <summary>Matching channels (any); empty = any.</summary>
    public IReadOnlyList<string> Channels { get; init; } = [];

    /// <summary>Minimum amount; null = any.</summary>
    public decimal? MinAmount { get; init; }
}

/// <summary>One rule that contributed to the score, with its explanation.</summary>
/// <param name="Rule">Rule id, e.g. AMOUNT_ZSCORE.</param>
/// <param name="Weight">What it added to the score.</param>
/// <param name="Explanation">Why, in words an analyst can check.</param>
public sealed record Reason(string Rule, double Weight, string Explanation);

/// <summary>The outcome of scoring a transaction.</summary>
public sealed record ScoreResult
{
    /// <summary>APPROVE, REVIEW or DECLINE.</summary>
    public required Decision Decision { get; init; }

    /// <summary>Risk score in [0, 1]: the capped sum of the fired rules' weights.</summary>
    public required double Score { get; init; }

    /// <summary>Confidence in the decision, in [0, 1].</summary>
    public required double Confidence { get; init; }

    /// <summary>The rules that fired, in evaluation order.</summary>
    public required IReadOnlyList<Reason> Reasons { get; init; }

    /// <summary>Version of the rule set used.</summary>
    public required string RulesVersion { get; init; }
}
