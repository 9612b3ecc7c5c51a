namespace FraudTf.Local.Traffic;

/// <summary>A country the traffic uses: where users live, or where a takeover comes from.</summary>
/// <param name="Code">ISO 3166-1 alpha-2 code.</param>
/// <param name="Currency">Its ISO 4217 currency.</param>
/// <param name="UtcOffsetMinutes">Its (main) standard-time offset from UTC; daylight saving is ignored.</param>
/// <param name="PerUsd">Units of <paramref name="Currency"/> per US dollar (rounded; only for realistic magnitudes).</param>
/// <param name="MinorDigits">Decimal places amounts are rounded to.</param>
/// <param name="HomeWeight">Relative share of users living there (0: none).</param>
/// <param name="OriginWeight">Relative share of account takeovers coming from there (0: none).</param>
public sealed record CountryProfile(string Code, string Currency, int UtcOffsetMinutes, decimal PerUsd, int MinorDigits, double HomeWeight, double OriginWeight);

/// <summary>A legitimate user's habits: what their transactions look like.</summary>
/// <param name="UserId">The user id (also the partition key).</param>
/// <param name="Home">Home country; every legitimate transaction is there, in its currency.</param>
/// <param name="MedianAmount">Median amount in the home currency.</param>
/// <param name="Sigma">Spread of ln(amount); amounts stay within MedianAmount * exp(+-3 Sigma).</param>
/// <param name="Categories">Preferred merchant categories (MCC); every legitimate transaction is in one of them.</param>
/// <param name="Merchants">Favourite merchants per category.</param>
/// <param name="Devices">The user's devices (web and mobile transactions use one of them).</param>
/// <param name="IpAddresses">The user's usual IP addresses (web and mobile).</param>
/// <param name="Channels">The channels the user uses, with weights.</param>
/// <param name="Activity">Relative activity (how many transactions compared to other users).</param>
public sealed record UserHabits(
    string UserId,
    CountryProfile Home,
    double MedianAmount,
    double Sigma,
    IReadOnlyList<string> Categories,
    IReadOnlyDictionary<string, IReadOnlyList<string>> Merchants,
    IReadOnlyList<string> Devices,
    IReadOnlyList<string> IpAddresses,
    IReadOnlyList<(string Channel, double Weight)> Channels,
    double Activity);

/// <summary>The reference tables of the traffic (weights are rough real-world proportions, not measurements).</summary>
public static class Habits
{
    // Alike on purpose: a data table, one row a country.
    /// <summary>Countries: home mix of card payments (large markets weigh more) and origins of account takeovers.</summary>
    public static readonly IReadOnlyList<CountryProfile> Countries =
    [
        new("US", "USD", -300, 1m, 2, 30, 3),
        new("GB", "GBP", 0, 0.79m, 2, 8, 2),
        new("DE", "EUR", 60, 0.92m, 2, 8, 0),
        new("FR", "EUR", 60, 0.92m, 2, 6, 0),
        new("ES", "EUR", 60, 0.92m, 2, 4, 0),
        new("IT", "EUR", 60, 0.92m, 2, 4, 0),
        new("NL", "EUR", 60, 0.92m, 2, 3, 0),
        new("IE", "EUR", 0, 0.92m, 2, 1, 0),
        new("PL", "PLN", 60, 4.0m, 2, 2, 0),
        new("SE", "SEK", 60, 10.5m, 2, 2, 0),
        new("CH", "CHF", 60, 0.88m, 2, 2, 0),
        new("CA", "CAD", -300, 1.36m, 2, 4, 0),
        new("MX", "MXN", -360, 17m, 2, 3, 0),
        new("BR", "BRL", -180, 5m, 2, 4, 2),
        new("IN", "INR", 330, 83m, 2, 5, 0),
        new("JP", "JPY", 540, 150m, 0, 4, 0),
        new("AU", "AUD", 600, 1.5m, 2, 3, 0),
        new("SG", "SGD", 480, 1.35m, 2, 2, 0),
        new("ZA", "ZAR", 120, 18.5m, 2, 1, 0),
        new("NG", "NGN", 60, 1500m, 2, 0, 4),
        new("RO", "RON", 120, 4.6m, 2, 0, 3),
        new("UA", "UAH", 120, 41m, 2, 0, 2),
        new("RU", "RUB", 180, 92m, 2, 0, 3),
        new("VN", "VND", 420, 25000m, 0, 0, 2),
        new("ID", "IDR", 420, 16000m, 0, 0, 2),
        new("PH", "PHP", 480, 56m, 2, 0, 2),
        new("CN", "CNY", 480, 7.2m, 2, 0, 2),
        new("TR", "TRY", 180, 34m, 2, 0, 2),
    ];

    /// <summary>Everyday merchant categories (ISO 18245 MCC) with their relative popularity.</summary>
    public static readonly IReadOnlyList<(string Mcc, double Weight)> EverydayCategories =
    [
        ("5411", 10), // grocery stores, supermarkets
        ("5812", 6),  // eating places, restaurants
        ("5814", 6),  // fast food
        ("5541", 5),  // service stations
        ("5912", 3),  // drug stores, pharmacies
        ("5311", 3),  // department stores
        ("5999", 3),  // miscellaneous retail
        ("4111", 3),  // commuter transport
        ("4121", 2),  // taxis, ride sharing
        ("5732", 1),  // electronics stores
        ("5651", 2),  // family clothing
        ("5942", 1),  // book stores
        ("4814", 2),  // telecommunication services
        ("4900", 1),  // utilities
        ("5815", 2),  // digital goods: media
        ("7832", 1),  // cinemas
        ("5499", 2),  // miscellaneous food stores
    ];

    /// <summary>Categories card testers use: digital goods, games, streaming, donations (small charges, no shipping).</summary>
    public static readonly IReadOnlyList<string> CardTestingCategories = ["5815", "5816", "5818", "4899", "8398", "5999"];

    /// <summary>Gambling (7995, 7801, 7802), crypto and quasi-cash (6051), money transfer (4829), stored-value loads (6540).</summary>
    public static readonly IReadOnlyList<string> HighRiskCategories = ["7995", "7801", "7802", "6051", "4829", "6540"];

    /// <summary>What a takeover buys: electronics, jewellery, money transfer, digital goods, department stores.</summary>
    public static readonly IReadOnlyList<string> TakeoverCategories = ["5732", "5944", "4829", "5818", "5311"];

    /// <summary>
    /// Relative card activity per local hour (0-23): low at night, a morning rise, peaks at lunch and in the early
    /// evening (the shape of published card-payment hour-of-day curves; not a measurement).
    /// </summary>
    public static readonly IReadOnlyList<double> HourlyActivity =
        [0.15, 0.08, 0.05, 0.04, 0.05, 0.1, 0.3, 0.6, 0.85, 1.0, 1.05, 1.2, 1.35, 1.15, 1.0, 1.0, 1.05, 1.2, 1.35, 1.3, 1.1, 0.85, 0.55, 0.3];
}
