using System.Collections.Frozen;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace FraudTf.Functions.Shared.Scoring;

/// <summary>An absolute amount tier for users without enough history: at or above <see cref="MinAmount"/> (reference currency), <see cref="Weight"/>.</summary>
/// <param name="MinAmount">Amount in the reference currency at which the tier applies.</param>
/// <param name="Weight">What it adds to the score.</param>
public sealed record AmountTier(double MinAmount, double Weight);

/// <summary>Velocity by count: <see cref="Transactions"/> or more of the user's transactions (this one included) within <see cref="WindowSeconds"/>.</summary>
/// <param name="WindowSeconds">Length of the window ending at the transaction.</param>
/// <param name="Transactions">Count at which it fires.</param>
/// <param name="Weight">What it adds to the score.</param>
public sealed record VelocityLimit(int WindowSeconds, int Transactions, double Weight);

/// <summary>Velocity by amount: two or more of the user's transactions within <see cref="WindowSeconds"/> (this one included) sum to <see cref="Amount"/> or more (reference currency); one large amount alone is the amount rules' to judge.</summary>
/// <param name="WindowSeconds">Length of the window ending at the transaction.</param>
/// <param name="Amount">Sum at which it fires, in the reference currency.</param>
/// <param name="Weight">What it adds to the score.</param>
public sealed record AmountVelocityLimit(int WindowSeconds, double Amount, double Weight);

/// <summary>Card testing: a small amount (at most <see cref="MaxAmount"/>) that is the <see cref="Transactions"/>th or later small amount of the user within <see cref="WindowSeconds"/>.</summary>
/// <param name="WindowSeconds">Length of the window ending at the transaction.</param>
/// <param name="MaxAmount">Largest amount that counts as small, in the reference currency.</param>
/// <param name="Transactions">Small amounts in the window (this one included) at which it fires.</param>
/// <param name="Weight">What it adds to the score.</param>
public sealed record CardTestingRule(int WindowSeconds, double MaxAmount, int Transactions, double Weight);

/// <summary>
/// The scoring rules: every weight, threshold and table version (defaults here; an environment's <c>scoring</c> block in
/// <c>environments/&lt;env&gt;.json</c> overrides any of them and reaches the function as SCORING_RULES, JSON with these
/// camelCase names). A list or map given replaces the default one whole. Amounts are in the reference currency of the
/// selected <see cref="CurrencyRatesVersion"/> table. README, "Scoring rules", explains each rule.
/// </summary>
public sealed record ScoringRules
{
    private static readonly ConditionalWeakTable<ScoringRules, string> EffectiveVersions = new();

    private static readonly JsonSerializerOptions ReadOptions = new()
    {
        PropertyNameCaseInsensitive = true,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    };

    private static readonly JsonSerializerOptions HashOptions = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    /// <summary>The label of this rule set (people choose it); see <see cref="EffectiveVersion"/> for what decisions record.</summary>
    public string Version { get; init; } = "2026-12-02.2";

    /// <summary>Score at or above which a transaction goes to REVIEW.</summary>
    public double ReviewThreshold { get; init; } = 0.5;

    /// <summary>Score at or above which a transaction is DECLINEd.</summary>
    public double DeclineThreshold { get; init; } = 0.8;

    /// <summary>Version of the conversion-rate table (<see cref="ReferenceTables.Rates"/>); its base is the reference currency.</summary>
    [JsonPropertyName("currencyRates")]
    public string CurrencyRatesVersion { get; init; } = "2026-12-01";

    /// <summary>Version of the travel table (<see cref="ReferenceTables.Travel"/>).</summary>
    [JsonPropertyName("travelRegions")]
    public string TravelRegionsVersion { get; init; } = "2026-12-01";

    /// <summary>Approved transactions with a converted amount a user needs before their own amounts are the baseline (below it, <see cref="AmountTiers"/> apply).</summary>
    public int MinHistory { get; init; } = 5;

    /// <summary>AMOUNT_UNUSUAL: how many spreads (standard deviations of the log of the user's approved amounts) above their typical amount.</summary>
    public double AmountZThreshold { get; init; } = 3.0;

    /// <summary>Weight of AMOUNT_UNUSUAL.</summary>
    public double AmountWeight { get; init; } = 0.35;

    /// <summary>Least spread assumed for the log amounts (a user whose amounts never varied still has this much), so z stays finite and modest changes do not fire.</summary>
    public double AmountMinSpread { get; init; } = 0.25;

    /// <summary>AMOUNT_ABOVE_MAX: the amount is at least this many times the user's largest approved amount.</summary>
    public double AmountMaxRatio { get; init; } = 3.0;

    /// <summary>Weight of AMOUNT_ABOVE_MAX.</summary>
    public double AmountAboveMaxWeight { get; init; } = 0.2;

    /// <summary>AMOUNT_TIER for users with fewer than <see cref="MinHistory"/> approved amounts: the highest tier reached applies.</summary>
    public IReadOnlyList<AmountTier> AmountTiers { get; init; } = [new(1000, 0.2), new(5000, 0.35)];

    /// <summary>NEW_USER_CARD_NOT_PRESENT: a user with no approved transaction pays online, in an app or by phone.</summary>
    public double NewUserCardNotPresentWeight { get; init; } = 0.15;

    /// <summary>VELOCITY: transaction counts over windows; of the limits reached, the heaviest applies.</summary>
    public IReadOnlyList<VelocityLimit> Velocity { get; init; } = [new(15, 2, 0.5), new(60, 3, 0.5), new(600, 5, 0.3)];

    /// <summary>AMOUNT_VELOCITY: amount sums over windows; of the limits reached, the heaviest applies.</summary>
    public IReadOnlyList<AmountVelocityLimit> AmountVelocity { get; init; } = [new(3600, 3000, 0.3)];

    /// <summary>CARD_TESTING: many small amounts in a short window.</summary>
    public CardTestingRule CardTesting { get; init; } = new(900, 5, 2, 0.5);

    /// <summary>Weight of NEW_COUNTRY: a country none of the user's approved transactions was in.</summary>
    public double NewCountryWeight { get; init; } = 0.2;

    /// <summary>Weight of IMPOSSIBLE_TRAVEL: another country sooner after the last approved transaction than the travel table allows.</summary>
    public double ImpossibleTravelWeight { get; init; } = 0.4;

    /// <summary>Weight of NEW_DEVICE: a device id none of the user's approved transactions had.</summary>
    public double NewDeviceWeight { get; init; } = 0.15;

    /// <summary>Weight of NEW_CHANNEL: a channel none of the user's approved transactions used.</summary>
    public double NewChannelWeight { get; init; } = 0.1;

    /// <summary>Weight of NEW_MERCHANT_CATEGORY: a merchant category none of the user's approved transactions had.</summary>
    public double NewMerchantCategoryWeight { get; init; } = 0.1;

    /// <summary>
    /// MERCHANT_CATEGORY_RISK: weight per merchant category code. Defaults: gambling and betting (7995, 7801 government-licensed
    /// online casinos, 7802 government-licensed horse and dog racing), quasi-cash and crypto (6051), money transfer (4829),
    /// stored-value card loads (6540) and inbound teleservices (5967) 0.35; securities brokers (6211), jewellery (5944),
    /// digital games and large digital-goods merchants (5816, 5818) 0.1.
    /// </summary>
    public IReadOnlyDictionary<string, double> MerchantCategoryRisk
    {
        get => _merchantCategoryRisk;
        init
        {
            _merchantCategoryRisk = new SortedDictionary<string, double>(value.ToDictionary(), StringComparer.Ordinal); // one order, one hash
            _riskLookup = _merchantCategoryRisk.ToFrozenDictionary(StringComparer.Ordinal);
        }
    }

    private static readonly SortedDictionary<string, double> DefaultRisk = new(StringComparer.Ordinal)
    {
        ["4829"] = 0.35, ["5816"] = 0.1, ["5818"] = 0.1, ["5944"] = 0.1, ["5967"] = 0.35, ["6051"] = 0.35, ["6211"] = 0.1,
        ["6540"] = 0.35, ["7801"] = 0.35, ["7802"] = 0.35, ["7995"] = 0.35,
    };

    private static readonly FrozenDictionary<string, double> DefaultRiskLookup = DefaultRisk.ToFrozenDictionary(StringComparer.Ordinal);

    private readonly IReadOnlyDictionary<string, double> _merchantCategoryRisk = DefaultRisk;
    private readonly FrozenDictionary<string, double> _riskLookup = DefaultRiskLookup;

    // Resolved tables, cached per instance (scoring reads them for every record); checked against the selected version
    // because `with` copies the cache along with a changed version.
    private CurrencyRates? _rates;
    private TravelRegions? _travel;

    /// <summary>The <see cref="MerchantCategoryRisk"/> weight of <paramref name="mcc"/>; 0 when it has none (a frozen lookup: this runs for every record).</summary>
    public double RiskOf(string mcc) => _riskLookup.TryGetValue(mcc, out var w) ? w : 0;

    /// <summary>Weight of CURRENCY_NOT_CONVERTED: the rate table has no rate for the currency, so the amount rules cannot judge it (0: recorded, adds nothing).</summary>
    public double UnconvertedCurrencyWeight { get; init; }

    /// <summary>The selected conversion rates (parsed once per version).</summary>
    [JsonIgnore]
    public CurrencyRates Rates => _rates is { } r && string.Equals(r.Version, CurrencyRatesVersion, StringComparison.Ordinal) ? r : _rates = ReferenceTables.Rates(CurrencyRatesVersion);

    /// <summary>The selected travel table (parsed once per version).</summary>
    [JsonIgnore]
    public TravelRegions Travel => _travel is { } t && string.Equals(t.Version, TravelRegionsVersion, StringComparison.Ordinal) ? t : _travel = ReferenceTables.Travel(TravelRegionsVersion);

    /// <summary>The longest window any rule looks back over (the history the function reads for a transaction).</summary>
    [JsonIgnore]
    public TimeSpan LongestWindow => TimeSpan.FromSeconds(
        Velocity.Select(v => v.WindowSeconds).Concat(AmountVelocity.Select(v => v.WindowSeconds)).Append(CardTesting.WindowSeconds).Max());

    /// <summary>
    /// The version every decision records (<c>rulesVersion</c>): <see cref="Version"/>, <c>+</c>, and the first 12 hex
    /// digits of the SHA-256 of the whole effective rule set (every property as camelCase JSON) and of the selected tables'
    /// bytes. Two rule sets that differ in any weight, threshold, list or table never claim the same version, even when
    /// nobody changed the label. Computed once per rule set.
    /// </summary>
    [JsonIgnore]
    public string EffectiveVersion => EffectiveVersions.GetValue(this, rules =>
    {
        var material = $"{JsonSerializer.Serialize(rules, HashOptions)}\nrates {rules.Rates.ContentHash}\ntravel {rules.Travel.ContentHash}";
        return $"{rules.Version}+{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(material)))[..12]}";
    });

    /// <summary>
    /// The rules of a SCORING_RULES value: the defaults, with what <paramref name="json"/> sets (null or empty: the defaults).
    /// An unknown field or a value of the wrong type is a <see cref="JsonException"/>.
    /// </summary>
    public static ScoringRules FromJson(string? json) =>
        string.IsNullOrWhiteSpace(json) ? new ScoringRules() : JsonSerializer.Deserialize<ScoringRules>(json, ReadOptions) ?? new ScoringRules();

    /// <summary>The JSON name of a property (what an environment file and SCORING_RULES call it), e.g. reviewThreshold.</summary>
    public static string FieldName(string propertyName)
    {
        var property = typeof(ScoringRules).GetProperty(propertyName) ?? throw new ArgumentException($"ScoringRules has no property {propertyName}", nameof(propertyName));
        return property.GetCustomAttribute<JsonPropertyNameAttribute>()?.Name ?? JsonNamingPolicy.CamelCase.ConvertName(propertyName);
    }

    /// <summary>Every field name a SCORING_RULES value may set, in declaration order.</summary>
    public static IReadOnlyList<string> FieldNames { get; } = typeof(ScoringRules).GetProperties(BindingFlags.Public | BindingFlags.Instance)
        .Where(p => p.CanWrite && p.GetCustomAttribute<JsonIgnoreAttribute>() is null)
        .Select(p => FieldName(p.Name))
        .ToList();
}
