using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using FraudTf.Functions.Shared.Scoring;

namespace FraudTf.Config;

/// <summary>The <c>scoring</c> block of an environment file: the rules' settings (names from ScoringRules, one contract) and retention.</summary>
public static partial class EnvironmentConfigLoader
{
    /// <summary>Longest window a velocity or card-testing rule may have: the function reads the user's stored transactions over it for every batch.</summary>
    public const int MaxRuleWindowSeconds = 86_400;

    [GeneratedRegex(@"^[A-Za-z0-9._+-]{1,40}$")]
    private static partial Regex RulesLabel();

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}(\.\d+)?$")]
    private static partial Regex TableVersion();

    private static string Inv(double d) => d.ToString(CultureInfo.InvariantCulture);

    /// <summary>
    /// Reads <c>scoring</c>: every rule setting is optional and, when given, validated and passed to the function as an
    /// override (SCORING_RULES); the rest keeps the defaults of ScoringRules (functions/Shared/Scoring). The selected
    /// reference tables must exist and be valid. The result is read back through ScoringRules.FromJson, the function's
    /// own reader, so what synthesizes is what the function accepts.
    /// </summary>
    private static ScoringConfig ReadScoring(ConfigReader sc, bool production)
    {
        var overrides = new SortedDictionary<string, object>(StringComparer.Ordinal);
        var defaults = new ScoringRules();
        string F(string property) => ScoringRules.FieldName(property);

        // A list of limits over a time window (velocity rules): each limit is its window, one measure read by readMeasure
        // under the name measure, and a weight.
        void WindowLimits(string property, string fix, string measure, Func<ConfigReader, object> readMeasure)
        {
            if (sc.OptionalObjectList(F(property), fix) is { } limits)
            {
                overrides[F(property)] = limits.Select(v =>
                {
                    var limit = new SortedDictionary<string, object>(StringComparer.Ordinal)
                    {
                        ["windowSeconds"] = v.RequiredInt("windowSeconds", 1, MaxRuleWindowSeconds, $"use 1 to {MaxRuleWindowSeconds} seconds (one day)"),
                        [measure] = readMeasure(v),
                        ["weight"] = v.RequiredDouble("weight", 0, 1, "use a number from 0 to 1"),
                    };
                    v.RejectUnknownFields();
                    return limit;
                }).ToList();
            }
        }

        void Weight(string property, double max = 1)
        {
            var v = sc.OptionalDouble(F(property), 0, max, $"use a number from 0 to {Inv(max)}", double.NaN);
            if (!double.IsNaN(v))
            {
                overrides[F(property)] = v;
            }
        }

        void Number(string property, double min, double max, string fix)
        {
            var v = sc.OptionalDouble(F(property), min, max, fix, double.NaN);
            if (!double.IsNaN(v))
            {
                overrides[F(property)] = v;
            }
        }

        void Count(string property, int min, int max)
        {
            var v = sc.OptionalInt(F(property), min, max, $"use a whole number from {min} to {max}", int.MinValue);
            if (v != int.MinValue)
            {
                overrides[F(property)] = v;
            }
        }

        void Table(string property, IReadOnlyList<string> versions, string what)
        {
            var v = sc.OptionalString(F(property), TableVersion(), "a table version (a date, e.g. \"2026-12-01\")", $"use one of: {string.Join(", ", versions)}", "");
            if (v.Length == 0)
            {
                return;
            }

            if (!versions.Contains(v))
            {
                sc.ErrorValue(F(property), v, $"is not a {what} table in {ReferenceTables.Folder}",
                    $"use one of: {string.Join(", ", versions)} (or add {ReferenceTables.Folder}/{(what == "conversion-rate" ? ReferenceTables.CurrencyRatesPrefix : ReferenceTables.TravelRegionsPrefix)}{v}.json)");
                return;
            }

            overrides[F(property)] = v;
        }

        var label = sc.OptionalString(F(nameof(ScoringRules.Version)), RulesLabel(), "a label of 1-40 letters, digits, '.', '_', '+' or '-'",
            "name the rule set, e.g. \"2026-12-02.prod\"", "");
        if (label.Length > 0)
        {
            overrides[F(nameof(ScoringRules.Version))] = label;
        }

        Weight(nameof(ScoringRules.ReviewThreshold));
        Weight(nameof(ScoringRules.DeclineThreshold));
        Table(nameof(ScoringRules.CurrencyRatesVersion), ReferenceTables.CurrencyRateVersions, "conversion-rate");
        Table(nameof(ScoringRules.TravelRegionsVersion), ReferenceTables.TravelRegionVersions, "travel");
        Count(nameof(ScoringRules.MinHistory), 2, 1000);
        Number(nameof(ScoringRules.AmountZThreshold), 0.5, 20, "use a number of spreads from 0.5 to 20, e.g. 3");
        Weight(nameof(ScoringRules.AmountWeight));
        Number(nameof(ScoringRules.AmountMinSpread), 0.01, 5, "use a spread of the log amount from 0.01 to 5, e.g. 0.25");
        Number(nameof(ScoringRules.AmountMaxRatio), 1, 1000, "use a multiple of the largest approved amount from 1 to 1000, e.g. 3");
        Weight(nameof(ScoringRules.AmountAboveMaxWeight));
        if (sc.OptionalObjectList(F(nameof(ScoringRules.AmountTiers)), "give tiers as [{\"minAmount\": 1000, \"weight\": 0.2}]") is { } tiers)
        {
            overrides[F(nameof(ScoringRules.AmountTiers))] = tiers.Select(t =>
            {
                var tier = new SortedDictionary<string, object>(StringComparer.Ordinal)
                {
                    ["minAmount"] = t.RequiredDouble("minAmount", 0.01, 1e9, "give the amount in the reference currency at which the tier applies, e.g. 1000"),
                    ["weight"] = t.RequiredDouble("weight", 0, 1, "use a number from 0 to 1"),
                };
                t.RejectUnknownFields();
                return tier;
            }).ToList();
        }

        Weight(nameof(ScoringRules.NewUserCardNotPresentWeight));
        WindowLimits(nameof(ScoringRules.Velocity), "give limits as [{\"windowSeconds\": 60, \"transactions\": 3, \"weight\": 0.5}]",
            "transactions", v => v.RequiredInt("transactions", 2, 10_000, "use a count from 2 (this transaction and one more) to 10000"));
        WindowLimits(nameof(ScoringRules.AmountVelocity), "give limits as [{\"windowSeconds\": 3600, \"amount\": 3000, \"weight\": 0.3}]",
            "amount", v => v.RequiredDouble("amount", 0.01, 1e9, "give the sum in the reference currency, e.g. 3000"));

        var ct = sc.OptionalObject(F(nameof(ScoringRules.CardTesting)), "give {\"windowSeconds\": 900, \"maxAmount\": 5, \"transactions\": 2, \"weight\": 0.5}");
        var card = new SortedDictionary<string, object>(StringComparer.Ordinal)
        {
            ["windowSeconds"] = ct.OptionalInt("windowSeconds", 1, MaxRuleWindowSeconds, $"use 1 to {MaxRuleWindowSeconds} seconds (one day)", defaults.CardTesting.WindowSeconds),
            ["maxAmount"] = ct.OptionalDouble("maxAmount", 0.01, 1e6, "give the largest small amount in the reference currency, e.g. 5", defaults.CardTesting.MaxAmount),
            ["transactions"] = ct.OptionalInt("transactions", 2, 1000, "use a count from 2 to 1000", defaults.CardTesting.Transactions),
            ["weight"] = ct.OptionalDouble("weight", 0, 1, "use a number from 0 to 1", defaults.CardTesting.Weight),
        };
        if (sc.Has(F(nameof(ScoringRules.CardTesting))))
        {
            overrides[F(nameof(ScoringRules.CardTesting))] = card;
        }

        ct.RejectUnknownFields();
        Weight(nameof(ScoringRules.NewCountryWeight));
        Weight(nameof(ScoringRules.ImpossibleTravelWeight));
        Weight(nameof(ScoringRules.NewDeviceWeight));
        Weight(nameof(ScoringRules.NewChannelWeight));
        Weight(nameof(ScoringRules.NewMerchantCategoryWeight));
        if (sc.OptionalNumberMap(F(nameof(ScoringRules.MerchantCategoryRisk)), Mcc(), "a four-digit merchant category code", 0, 1,
                "give MCCs with their weight, e.g. {\"7995\": 0.35, \"6051\": 0.35} (the map replaces the default one whole)") is { } risk)
        {
            overrides[F(nameof(ScoringRules.MerchantCategoryRisk))] = risk;
        }

        Weight(nameof(ScoringRules.UnconvertedCurrencyWeight));

        // Settings of scoring v1 that v2 replaced: say what replaced them instead of "unknown field".
        sc.Removed("velocityWindowMinutes", "was replaced by scoring v2's velocity limits", "use \"velocity\": [{\"windowSeconds\": 600, \"transactions\": 5, \"weight\": 0.3}]");
        sc.Removed("velocityMaxTransactions", "was replaced by scoring v2's velocity limits", "use \"velocity\": [{\"windowSeconds\": 600, \"transactions\": 5, \"weight\": 0.3}]");
        sc.Removed("velocityWeight", "was replaced by scoring v2's velocity limits", "use \"velocity\": [{\"windowSeconds\": 600, \"transactions\": 5, \"weight\": 0.3}]");
        sc.Removed("highRiskMerchantCategories", "was replaced by scoring v2's merchantCategoryRisk", "use \"merchantCategoryRisk\": {\"7995\": 0.35}");
        sc.Removed("highRiskMerchantCategoryWeight", "was replaced by scoring v2's merchantCategoryRisk", "use \"merchantCategoryRisk\": {\"7995\": 0.35}");

        var review = overrides.TryGetValue(F(nameof(ScoringRules.ReviewThreshold)), out var rv) ? (double)rv : defaults.ReviewThreshold;
        var decline = overrides.TryGetValue(F(nameof(ScoringRules.DeclineThreshold)), out var dv) ? (double)dv : defaults.DeclineThreshold;
        if (review >= decline)
        {
            sc.ErrorValue(F(nameof(ScoringRules.ReviewThreshold)), review, $"must be below declineThreshold ({Inv(decline)})",
                "lower reviewThreshold or raise declineThreshold");
        }

        var config = new ScoringConfig
        {
            RuleOverrides = overrides,
            PatternCacheSeconds = sc.OptionalInt("patternCacheSeconds", 1, 3600, "cache patterns 1 to 3600 seconds", 60),
            TransactionTtlDays = sc.OptionalInt("transactionTtlDays", 1, 3650, "keep transactions 1 to 3650 days", production ? 365 : 90),
        };
        sc.RejectUnknownFields();

        // One contract: the overrides must read back through the function's own reader, tables included.
        ScoringRules? read = null;
        try
        {
            read = ScoringRules.FromJson(JsonSerializer.Serialize(overrides));
        }
        catch (JsonException e)
        {
            sc.ErrorValue(F(nameof(ScoringRules.Version)), label, $"the scoring block does not read back as scoring rules ({e.Message})",
                "report this: the loader (modules/Config/ScoringConfigLoader.cs) and ScoringRules disagree");
        }

        if (read is not null)
        {
            foreach (var (property, load) in new (string, Action)[] { (nameof(ScoringRules.CurrencyRatesVersion), () => _ = read.Rates), (nameof(ScoringRules.TravelRegionsVersion), () => _ = read.Travel) })
            {
                try
                {
                    load();
                }
                catch (ReferenceTableException e)
                {
                    foreach (var error in e.Errors)
                    {
                        sc.ErrorValue(F(property), property == nameof(ScoringRules.CurrencyRatesVersion) ? read.CurrencyRatesVersion : read.TravelRegionsVersion,
                            $"selects a table that is not valid: {error}", "correct the table, or select another version");
                    }
                }
            }
        }

        return config;
    }
}
