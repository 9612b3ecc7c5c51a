using System.Globalization;
using System.Runtime.CompilerServices;
using FraudTf.Functions.Shared.Transactions;

namespace FraudTf.Functions.Shared.Scoring;

// Alike on purpose: a name catalog, the shape of the others in functions/Shared (see PlatformEvents).
/// <summary>The rule ids a decision's reasons carry (patterns add <c>PATTERN:&lt;id&gt;</c>).</summary>
public static class RuleIds
{
    /// <summary>The amount is far above the user's approved amounts (log-amount z-score).</summary>
    public const string AmountUnusual = "AMOUNT_UNUSUAL";

    /// <summary>The amount is a multiple of the user's largest approved amount.</summary>
    public const string AmountAboveMax = "AMOUNT_ABOVE_MAX";

    /// <summary>A large amount from a user with too little history (absolute tiers).</summary>
    public const string AmountTier = "AMOUNT_TIER";

    /// <summary>A user with no approved transaction pays without the card present.</summary>
    public const string NewUserCardNotPresent = "NEW_USER_CARD_NOT_PRESENT";

    /// <summary>Too many transactions in a window.</summary>
    public const string Velocity = "VELOCITY";

    /// <summary>Too much spent in a window.</summary>
    public const string AmountVelocity = "AMOUNT_VELOCITY";

    /// <summary>Many small amounts in a short window.</summary>
    public const string CardTesting = "CARD_TESTING";

    /// <summary>A country none of the user's approved transactions was in.</summary>
    public const string NewCountry = "NEW_COUNTRY";

    /// <summary>Another country sooner than travel allows.</summary>
    public const string ImpossibleTravel = "IMPOSSIBLE_TRAVEL";

    /// <summary>A device the user never used in an approved transaction.</summary>
    public const string NewDevice = "NEW_DEVICE";

    /// <summary>A channel the user never used in an approved transaction.</summary>
    public const string NewChannel = "NEW_CHANNEL";

    /// <summary>A merchant category the user never used in an approved transaction.</summary>
    public const string NewMerchantCategory = "NEW_MERCHANT_CATEGORY";

    /// <summary>The merchant category carries risk of its own.</summary>
    public const string MerchantCategoryRisk = "MERCHANT_CATEGORY_RISK";

    /// <summary>The currency has no rate: the amount rules could not judge the amount.</summary>
    public const string CurrencyNotConverted = "CURRENCY_NOT_CONVERTED";

    /// <summary>Prefix of a fraud pattern's rule id.</summary>
    public const string PatternPrefix = "PATTERN:";
}

/// <summary>
/// Deterministic, explainable scoring: each rule that fires adds its weight and a reason with the value it measured and
/// the threshold it reached; the score is the sum, capped at 1; the decision compares it with the thresholds. No I/O:
/// callers pass the profile (approved history), the user's stored activity (every decision) and the active patterns.
/// </summary>
public static class FraudScorer
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>Scores <paramref name="t"/>.</summary>
    /// <param name="t">The transaction.</param>
    /// <param name="profile">The user's profile before this transaction (approved transactions only; empty for a new user).</param>
    /// <param name="activity">The user's other stored transactions (any decision) at least back to <see cref="ScoringRules.LongestWindow"/> before <paramref name="t"/>; entries outside a window are ignored, so a longer list is fine.</param>
    /// <param name="patterns">The current version of every active fraud pattern.</param>
    /// <param name="rules">Weights, thresholds and tables.</param>
    public static ScoreResult Score(Transaction t, UserProfile profile, IReadOnlyList<RecentTransaction> activity, IReadOnlyList<FraudPattern> patterns, ScoringRules rules)
    {
        var reasons = default(ReasonBuffer);
        var rates = rules.Rates;
        var amount = rates.ToReference(t.Amount, t.Currency);
        var currency = rates.Base;

        if (amount is not { } a)
        {
            reasons.Add(new Reason(RuleIds.CurrencyNotConverted, rules.UnconvertedCurrencyWeight,
                $"no conversion rate for {t.Currency} in rates {rates.Version}: the amount rules could not judge this amount"));
        }
        else if (profile.AmountCount >= rules.MinHistory)
        {
            var spread = Math.Max(profile.LogStdDev, rules.AmountMinSpread);
            var z = (Math.Log(a) - profile.LogMean) / spread;
            if (z >= rules.AmountZThreshold)
            {
                reasons.Add(new Reason(RuleIds.AmountUnusual, rules.AmountWeight, string.Create(Inv,
                    $"amount {a:0.##} {currency} is {z:0.0} spreads above the user's typical {profile.TypicalAmount:0.##} {currency} over {profile.AmountCount} approved transactions (threshold {rules.AmountZThreshold:0.##})"),
                    Math.Round(z, 2), rules.AmountZThreshold));
            }

            var ratio = profile.MaxAmount > 0 ? a / profile.MaxAmount : 0;
            if (ratio >= rules.AmountMaxRatio)
            {
                reasons.Add(new Reason(RuleIds.AmountAboveMax, rules.AmountAboveMaxWeight, string.Create(Inv,
                    $"amount {a:0.##} {currency} is {ratio:0.0} times the user's largest approved amount {profile.MaxAmount:0.##} {currency} (threshold {rules.AmountMaxRatio:0.##})"),
                    Math.Round(ratio, 2), rules.AmountMaxRatio));
            }
        }
        else
        {
            AmountTier? tier = null;
            var tiers = rules.AmountTiers;
            for (var i = 0; i < tiers.Count; i++)
            {
                var candidate = tiers[i];
                if (a >= candidate.MinAmount && (tier is null || candidate.MinAmount > tier.MinAmount))
                {
                    tier = candidate;
                }
            }

            if (tier is not null)
            {
                reasons.Add(new Reason(RuleIds.AmountTier, tier.Weight, string.Create(Inv,
                    $"amount {a:0.##} {currency} from a user with {profile.AmountCount} approved amounts (fewer than {rules.MinHistory}) reaches the {tier.MinAmount:0.##} {currency} tier"),
                    Math.Round(a, 2), tier.MinAmount));
            }
        }

        if (profile.Count == 0 && t.Channel is "web" or "mobile" or "phone")
        {
            reasons.Add(new Reason(RuleIds.NewUserCardNotPresent, rules.NewUserCardNotPresentWeight,
                $"no approved transaction of this user yet, and the card is not present ({t.Channel})"));
        }

        Velocity(t, activity, rules, ref reasons);
        if (amount is { } spent)
        {
            AmountVelocity(t, spent, activity, rules, currency, ref reasons);
            CardTesting(t, spent, activity, rules, currency, ref reasons);
        }

        if (profile.Count > 0 && !profile.Countries.Contains(t.Country))
        {
            reasons.Add(new Reason(RuleIds.NewCountry, rules.NewCountryWeight, $"first transaction of this user in {t.Country} ({profile.Countries.Count} countries in approved transactions)"));
        }

        if (profile.LastCountry is { } last && profile.LastAt is { } lastAt && !string.Equals(last, t.Country, StringComparison.Ordinal)
            && rules.Travel.MinHours(last, t.Country) is { } minHours)
        {
            var hours = Math.Abs((t.Timestamp - lastAt).TotalHours);
            if (hours < minHours)
            {
                reasons.Add(new Reason(RuleIds.ImpossibleTravel, rules.ImpossibleTravelWeight, string.Create(Inv,
                    $"in {t.Country} {hours:0.#} hours after an approved transaction in {last}; travel between them takes at least {OneDecimal(minHours)} hours"),
                    Math.Round(hours, 2), minHours));
            }
        }

        if (profile.Count > 0 && t.DeviceId is { } device && !profile.Devices.Contains(device))
        {
            reasons.Add(new Reason(RuleIds.NewDevice, rules.NewDeviceWeight, NewDeviceExplanation(profile.Devices.Count)));
        }

        if (profile.Count > 0 && t.Channel is { } channel && !profile.Channels.Contains(channel))
        {
            reasons.Add(new Reason(RuleIds.NewChannel, rules.NewChannelWeight, $"first {channel} transaction of this user ({profile.Channels.Count} channels in approved transactions)"));
        }

        if (profile.Count > 0 && !profile.MerchantCategories.Contains(t.MerchantCategory))
        {
            reasons.Add(new Reason(RuleIds.NewMerchantCategory, rules.NewMerchantCategoryWeight, $"first transaction of this user in merchant category {t.MerchantCategory}"));
        }

        if (rules.RiskOf(t.MerchantCategory) is var risk && risk > 0)
        {
            reasons.Add(new Reason(RuleIds.MerchantCategoryRisk, risk, $"merchant category {t.MerchantCategory} carries risk {risk.ToString("0.##", Inv)}"));
        }

        for (var i = 0; i < patterns.Count; i++)
        {
            var p = patterns[i];
            if (Matches(p, t))
            {
                reasons.Add(new Reason(RuleIds.PatternPrefix + p.PatternId, p.Weight, $"matches fraud pattern {p.PatternId} v{p.Version}: {p.Description}"));
            }
        }

        var fired = reasons.ToArray();
        var score = RawScore(fired);
        var decision = score >= rules.DeclineThreshold ? Decision.DECLINE : score >= rules.ReviewThreshold ? Decision.REVIEW : Decision.APPROVE;
        return new ScoreResult
        {
            Decision = decision,
            Score = Math.Round(score, 4),
            Confidence = Math.Round(Confidence(score, profile.Count, rules), 4),
            Reasons = fired,
            RulesVersion = rules.EffectiveVersion,
            ReferenceAmount = amount,
        };
    }

    /// <summary>The score the decision compares with the thresholds: the fired rules' weights summed, capped at 1 (unrounded).</summary>
    public static double RawScore(IReadOnlyList<Reason> reasons)
    {
        // By index, in order (no enumerator to allocate for every record).
        var sum = 0.0;
        for (var i = 0; i < reasons.Count; i++)
        {
            sum += reasons[i].Weight;
        }

        return Math.Min(1.0, sum);
    }

    // x formatted as "0.#" (invariant): a whole number of at most 15 digits, as travel tables give, is its digits (what
    // "0.#" makes of it, without the custom-format machinery); anything else is formatted.
    internal static string OneDecimal(double x) =>
        x >= 0 && x < 1e15 && !double.IsNegative(x) && Math.Floor(x) == x
            ? (x < SmallWholeNumbers.Length ? SmallWholeNumbers[(int)x] : ((long)x).ToString(Inv))
            : x.ToString("0.#", Inv);

    private static readonly string[] SmallWholeNumbers = Enumerable.Range(0, 49).Select(n => n.ToString(Inv)).ToArray();

    // The reasons of one scoring, gathered without a list: the first eight in place, any more in a list; then one array
    // of the exact size (none for no reason).
    private struct ReasonBuffer
    {
        private EightReasons _first;
        private List<Reason>? _more;
        private int _count;

        public void Add(Reason reason)
        {
            if (_count < 8)
            {
                _first[_count] = reason;
            }
            else
            {
                (_more ??= []).Add(reason);
            }

            _count++;
        }

        public readonly Reason[] ToArray()
        {
            if (_count == 0)
            {
                return [];
            }

            var all = new Reason[_count];
            for (var i = 0; i < _count && i < 8; i++)
            {
                all[i] = _first[i];
            }

            _more?.CopyTo(all, 8);
            return all;
        }
    }

    [System.Runtime.CompilerServices.InlineArray(8)]
    private struct EightReasons
    {
        private Reason _element;
    }

    // NEW_DEVICE's explanation; the texts for the counts a profile keeps (0 to UserProfile.MaxDevices) are made once.
    private static readonly string[] NewDeviceExplanations =
        Enumerable.Range(0, UserProfile.MaxDevices + 1).Select(NewDeviceText).ToArray();

    private static string NewDeviceExplanation(int known) =>
        (uint)known < (uint)NewDeviceExplanations.Length ? NewDeviceExplanations[known] : NewDeviceText(known);

    private static string NewDeviceText(int known) => $"a device this user never used in an approved transaction ({known} known)";

    // Alike on purpose: Velocity counts and AmountVelocity sums over the same windows; two plain loops on the scoring hot
    // path rather than one generic pass with a delegate a record.
    private static void Velocity(Transaction t, IReadOnlyList<RecentTransaction> activity, ScoringRules rules, ref ReasonBuffer reasons)
    {
        VelocityLimit? fired = null;
        var firedCount = 0;
        var limits = rules.Velocity;
        for (var l = 0; l < limits.Count; l++)
        {
            var limit = limits[l];
            var from = t.Timestamp.AddSeconds(-limit.WindowSeconds);
            var count = 1;
            for (var i = 0; i < activity.Count; i++)
            {
                var x = activity[i];
                if (x.Timestamp >= from && x.Timestamp <= t.Timestamp)
                {
                    count++;
                }
            }

            if (count >= limit.Transactions && (fired is null || limit.Weight > fired.Weight))
            {
                fired = limit;
                firedCount = count;
            }
        }

        if (fired is not null)
        {
            reasons.Add(new Reason(RuleIds.Velocity, fired.Weight, string.Create(Inv,
                $"{firedCount} transactions in {Window(fired.WindowSeconds)} (limit {fired.Transactions})"), firedCount, fired.Transactions));
        }
    }

    private static void AmountVelocity(Transaction t, double amount, IReadOnlyList<RecentTransaction> activity, ScoringRules rules, string currency, ref ReasonBuffer reasons)
    {
        AmountVelocityLimit? fired = null;
        var firedSum = 0.0;
        var limits = rules.AmountVelocity;
        for (var l = 0; l < limits.Count; l++)
        {
            var limit = limits[l];
            var from = t.Timestamp.AddSeconds(-limit.WindowSeconds);
            var sum = amount;
            var count = 1;
            for (var i = 0; i < activity.Count; i++)
            {
                var x = activity[i];
                if (x.ReferenceAmount is { } v && x.Timestamp >= from && x.Timestamp <= t.Timestamp)
                {
                    sum += v;
                    count++;
                }
            }

            // A rate of spending needs two transactions at least: one large amount is the amount rules' to judge.
            if (count >= 2 && sum >= limit.Amount && (fired is null || limit.Weight > fired.Weight))
            {
                fired = limit;
                firedSum = sum;
            }
        }

        if (fired is not null)
        {
            reasons.Add(new Reason(RuleIds.AmountVelocity, fired.Weight, string.Create(Inv,
                $"{firedSum:0.##} {currency} spent in {Window(fired.WindowSeconds)} (limit {fired.Amount:0.##} {currency})"), Math.Round(firedSum, 2), fired.Amount));
        }
    }

    private static void CardTesting(Transaction t, double amount, IReadOnlyList<RecentTransaction> activity, ScoringRules rules, string currency, ref ReasonBuffer reasons)
    {
        var rule = rules.CardTesting;
        if (amount > rule.MaxAmount)
        {
            return;
        }

        var from = t.Timestamp.AddSeconds(-rule.WindowSeconds);
        var count = 1;
        for (var i = 0; i < activity.Count; i++)
        {
            var x = activity[i];
            if (x.ReferenceAmount is { } v && v <= rule.MaxAmount && x.Timestamp >= from && x.Timestamp <= t.Timestamp)
            {
                count++;
            }
        }

        if (count >= rule.Transactions)
        {
            reasons.Add(new Reason(RuleIds.CardTesting, rule.Weight, string.Create(Inv,
                $"{count} amounts of at most {rule.MaxAmount:0.##} {currency} in {Window(rule.WindowSeconds)} (limit {rule.Transactions}): cards are tested with small payments"), count, rule.Transactions));
        }
    }

    private static string Window(int seconds) =>
        seconds % 3600 == 0 ? $"{seconds / 3600} hour(s)" : seconds % 60 == 0 ? $"{seconds / 60} minute(s)" : $"{seconds} seconds";

    /// <summary>True when every condition of <paramref name="p"/> holds for <paramref name="t"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool Matches(FraudPattern p, Transaction t) =>
        (p.MerchantCategories.Count == 0 || Contains(p.MerchantCategories, t.MerchantCategory)) &&
        (p.Countries.Count == 0 || Contains(p.Countries, t.Country)) &&
        (p.Channels.Count == 0 || (t.Channel is not null && Contains(p.Channels, t.Channel))) &&
        (p.MinAmount is null || t.Amount >= p.MinAmount);

    // Ordinal membership by index (what Enumerable.Contains does with the default comparer, without its type tests:
    // this runs for every pattern and every record).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool Contains(IReadOnlyList<string> values, string value)
    {
        for (var i = 0; i < values.Count; i++)
        {
            if (string.Equals(values[i], value, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// How sure the decision is, in [0, 1]: half from how deep the score sits inside its decision's region, half from the
    /// user's history. The regions are APPROVE [0, review), REVIEW [review, decline) and DECLINE [decline, 1]; the depth
    /// is 0 on a region's edge that borders another decision and 1 at its far end: for APPROVE (review - score) / review,
    /// so a score of 0 is the surest approval; for DECLINE (score - decline) / (1 - decline), so a score of 1 is the
    /// surest decline; for REVIEW the distance to the nearer threshold over half the region's width. History counts fully
    /// from MinHistory * 4 approved transactions. So confidence falls as an approval's score rises, rises as a decline's
    /// score rises, peaks in the middle of REVIEW, and never falls with more history (tested).
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
