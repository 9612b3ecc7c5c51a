
namespace FraudTf.Functions.Shared.Scoring;

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

/// <summary>One rule that fired, with the value it measured, the threshold it compared with, and its explanation.</summary>
/// <param name="Rule">Rule id, e.g. AMOUNT_UNUSUAL (<see cref="RuleIds"/>).</param>
/// <param name="Weight">What it added to the score.</param>
/// <param name="Explanation">Why, in words an analyst can check.</param>
/// <param name="Value">What the rule measured (a z-score, a count, an amount in the reference currency, hours), when it measures one.</param>
/// <param name="Threshold">The configured threshold the value reached (or, for impossible travel, stayed below), when there is one.</param>
public sealed record Reason(string Rule, double Weight, string Explanation, double? Value = null, double? Threshold = null);

/// <summary>One of the user's stored transactions (any decision), as the velocity and card-testing rules see it.</summary>
/// <param name="Timestamp">When it happened.</param>
/// <param name="ReferenceAmount">Its amount in the reference currency; null when its currency has no rate.</param>
public readonly record struct RecentTransaction(DateTimeOffset Timestamp, double? ReferenceAmount);

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

    /// <summary>The rule set's <see cref="ScoringRules.EffectiveVersion"/>.</summary>
    public required string RulesVersion { get; init; }

    /// <summary>The amount in the reference currency; null when the currency has no rate.</summary>
    public double? ReferenceAmount { get; init; }
}
