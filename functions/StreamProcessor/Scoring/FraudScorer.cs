using System.Globalization;
using FraudTf.Functions.Shared.Transactions;

namespace FraudTf.Functions.StreamProcessor.Scoring;

/// <summary>
/// Deterministic, explainable scoring: each rule that fires adds its weight and a reason; the score is the sum,
/// capped at 1. Decision by thresholds. Confidence grows with the distance of the score from the nearest decision
/// threshold and with the amount of history known for the user. No I/O: callers pass the profile, the velocity
/// count and the active patterns.
/// </summary>
public static class FraudScorer
{
    /// <summary>Scores <paramref name="t"/>.</summary>
    /// <param name="t">The transaction.</param>
    /// <param name="profile">The user's profile before this transaction (empty for a new user).</param>
    /// <param name="recentTransactions">The user's transactions within the velocity window, this one included.</param>
    /// <param name="patterns">The current version of every active fraud pattern.</param>
    /// <param name="rules">Weights and thresholds.</param>
    public static ScoreResult Score(Transaction t, UserProfile profile, int recentTransactions, IReadOnlyList<FraudPattern> patterns, ScoringRules rules)
    {
        var reasons = new List<Reason>(4);
        var amount = (double)t.Amount;

        if (profile.Count >= rules.MinHistory)
        {
            var sd = profile.StdDev;
            // A user whose amounts never varied: any amount 50% above the mean counts as unusual.
            var z = sd > 0 ? (amount - profile.Mean) / sd : (amount >= profile.Mean * 1.5 ? double.PositiveInfinity : 0);
            if (z >= rules.AmountZThreshold)
            {
                reasons.Add(new Reason("AMOUNT_ZSCORE", rules.AmountWeight, string.Create(CultureInfo.InvariantCulture,
                    $"amount {amount:0.##} is {(double.IsPositiveInfinity(z) ? "far" : z.ToString("0.0", CultureInfo.InvariantCulture))} standard deviations above the user's mean {profile.Mean:0.##} over {profile.Count} transactions")));
            }
        }

        if (recentTransactions >= rules.VelocityMaxTransactions)
        {
            reasons.Add(new Reason("VELOCITY", rules.VelocityWeight, string.Create(CultureInfo.InvariantCulture,
                $"{recentTransactions} transactions in the last {rules.VelocityWindowMinutes} minutes (limit {rules.VelocityMaxTransactions})")));
        }

        if (profile.Count > 0 && !profile.Countries.Contains(t.Country))
        {
            reasons.Add(new Reason("NEW_COUNTRY", rules.NewCountryWeight, $"first transaction of this user in {t.Country}"));
        }

        if (profile.Count > 0 && !profile.MerchantCategories.Contains(t.MerchantCategory))
        {
            reasons.Add(new Reason("NEW_MERCHANT_CATEGORY", rules.NewMerchantCategoryWeight, $"first transaction of this user in merchant category {t.MerchantCategory}"));
        }

        if (rules.HighRiskMerchantCategories.Contains(t.MerchantCategory))
        {
            reasons.Add(new Reason("HIGH_RISK_MERCHANT_CATEGORY", rules.HighRiskMerchantCategoryWeight, $"merchant category {t.MerchantCategory} is high risk"));
        }

        foreach (var p in patterns)
        {
            if (Matches(p, t))
            {
                reasons.Add(new Reason($"PATTERN:{p.PatternId}", p.Weight, $"matches fraud pattern {p.PatternId} v{p.Version}: {p.Description}"));
            }
        }

        var score = Math.Min(1.0, reasons.Sum(r => r.Weight));
        var decision = score >= rules.DeclineThreshold ? Decision.DECLINE : score >= rules.ReviewThreshold ? Decision.REVIEW : Decision.APPROVE;
        return new ScoreResult
        {
            Decision = decision,
            Score = Math.Round(score, 4),
            Confidence = Math.Round(Confidence(score, profile.Count, rules), 4),
            Reasons = reasons,
            RulesVersion = rules.EffectiveVersion,
        };
    }

    /// <summary>True when every condition of <paramref name="p"/> holds for <paramref name="t"/>.</summary>
    public static bool Matches(FraudPattern p, Transaction t) =>
        (p.MerchantCategories.Count == 0 || p.MerchantCategories.Contains(t.MerchantCategory)) &&
        (p.Countries.Count == 0 || p.Countries.Contains(t.Country)) &&
        (p.Channels.Count == 0 || (t.Channel is not null && p.Channels.Contains(t.Channel))) &&
        (p.MinAmount is null || t.Amount >= p.MinAmount);

    /// <summary>
    /// How sure the decision is, in [0, 1]: half from how deep the score sits inside its decision's region, half from the
    /// user's history. The regions are APPROVE [0, review), REVIEW [review, decline) and DECLINE [decline, 1]; the depth
    /// is 0 on a region's edge that borders another decision and 1 at its far end: for APPROVE (review - score) / review,
    /// so a score of 0 is the surest approval; for DECLINE (score - decline) / (1 - decline), so a score of 1 is the
    /// surest decline; for REVIEW the distance to the nearer threshold over half the region's width. History counts fully
    /// from MinHistory * 4 transactions. So confidence falls as an approval's score rises, rises as a decline's score
    /// rises, peaks in the middle of REVIEW, and never falls with more history (tested).
    /// </summary>
    public static double Confidence(double score, long history, ScoringRules rules)
    {
        double depth;
        if (score >= rules.DeclineThreshold)
        {
            depth = rules.DeclineThreshold >= 1 ? 1 : (score - rules.DeclineThreshold) / (1 - rules.DeclineThreshold);
        }
        else if (score >= rules.ReviewThreshold)
        {
            var half = (rules.DeclineThreshold - rules.ReviewThreshold) / 2;
            depth = half <= 0 ? 1 : Math.Min(score - rules.ReviewThreshold, rules.DeclineThreshold - score) / half;
        }
        else
        {
            depth = rules.ReviewThreshold <= 0 ? 1 : (rules.ReviewThreshold - score) / rules.ReviewThreshold;
        }

        var evidence = Math.Min(1, history / (4.0 * Math.Max(1, rules.MinHistory)));
        return Math.Clamp((0.5 * Math.Clamp(depth, 0, 1)) + (0.5 * evidence), 0, 1);
    }
}
