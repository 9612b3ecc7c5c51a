using System.Collections.Concurrent;
using System.Collections.Frozen;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.RegularExpressions;
using FraudTf.Functions.Shared.Transactions;

namespace FraudTf.Functions.Shared.Scoring;

/// <summary>A reference table that cannot be used: every message names the file, the field, the value and the fix.</summary>
public sealed class ReferenceTableException(IReadOnlyList<string> errors)
    : InvalidOperationException(string.Join(Environment.NewLine, errors))
{
    /// <summary>Every problem found.</summary>
    public IReadOnlyList<string> Errors { get; } = errors;
}

/// <summary>
/// Conversion rates to the reference currency: one versioned file <c>currency-rates-&lt;version&gt;.json</c> of
/// <see cref="ReferenceTables.Folder"/>. <see cref="UnitsPerBase"/> says how many units of a currency one unit of
/// <see cref="Base"/> buys (EUR 0.92: 1 USD = 0.92 EUR), so an amount converts as <c>amount / unitsPerBase</c>.
/// </summary>
public sealed record CurrencyRates
{
    /// <summary>The table's version (its file name's suffix), e.g. 2026-12-01.</summary>
    public required string Version { get; init; }

    /// <summary>The day the rates were taken.</summary>
    public required DateOnly AsOf { get; init; }

    /// <summary>Where they came from.</summary>
    public required string Source { get; init; }

    /// <summary>The reference currency (ISO 4217), with rate 1.</summary>
    public required string Base { get; init; }

    /// <summary>Units of each currency per unit of <see cref="Base"/>.</summary>
    public required FrozenDictionary<string, double> UnitsPerBase { get; init; }

    /// <summary>SHA-256 (hex) of the file's bytes: part of every rule set's <see cref="ScoringRules.EffectiveVersion"/>.</summary>
    public required string ContentHash { get; init; }

    /// <summary><paramref name="amount"/> of <paramref name="currency"/> in the reference currency; null when the table has no rate for it.</summary>
    public double? ToReference(decimal amount, string currency) =>
        UnitsPerBase.TryGetValue(currency, out var units) ? (double)amount / units : null;
}

/// <summary>
/// Minimum plausible hours between card uses in two countries, by region: one versioned file
/// <c>travel-regions-&lt;version&gt;.json</c> of <see cref="ReferenceTables.Folder"/>. Countries of one region are at least
/// the region's <c>minHoursWithin</c> apart; countries of two regions at least the pair's <c>minHoursBetween</c>. A
/// country in no region is never judged (<see cref="MinHours"/> returns null).
/// </summary>
public sealed record TravelRegions
{
    /// <summary>The table's version (its file name's suffix).</summary>
    public required string Version { get; init; }

    /// <summary>Where the times came from.</summary>
    public required string Source { get; init; }

    /// <summary>Region of each country (ISO 3166-1 alpha-2).</summary>
    public required FrozenDictionary<string, string> RegionOf { get; init; }

    /// <summary>Minimum hours between two regions (both orders), and within one (region|region).</summary>
    public required FrozenDictionary<string, double> Hours { get; init; }

    /// <summary>SHA-256 (hex) of the file's bytes.</summary>
    public required string ContentHash { get; init; }

    /// <summary>The least number of hours between card uses in <paramref name="from"/> and <paramref name="to"/>; 0 for one country; null when either is in no region.</summary>
    public double? MinHours(string from, string to)
    {
        if (string.Equals(from, to, StringComparison.Ordinal))
        {
            return 0;
        }

        if (!RegionOf.TryGetValue(from, out var a) || !RegionOf.TryGetValue(to, out var b))
        {
            return null;
        }

        // The key "a|b" written on the stack and looked up as characters (scoring asks this for most records); a string
        // only for names too long for the buffer or a dictionary whose comparer cannot look up characters.
        var length = a.Length + 1 + b.Length;
        if (length <= 128 && Hours.TryGetAlternateLookup<ReadOnlySpan<char>>(out var lookup))
        {
            Span<char> key = stackalloc char[128];
            a.CopyTo(key);
            key[a.Length] = '|';
            b.CopyTo(key[(a.Length + 1)..]);
            return lookup.TryGetValue(key[..length], out var hours) ? hours : null;
        }

        return Hours.TryGetValue(Key(a, b), out var h) ? h : null;
    }

    internal static string Key(string a, string b) => $"{a}|{b}";
}

/// <summary>
/// The scoring reference tables, versioned files in <c>functions/Shared/Scoring/Reference/</c> compiled into this assembly
/// (so every function package, the app, the backtest and the tests read the same bytes, and the package hash changes
/// when a table does). An environment selects a version in <c>scoring.currencyRates</c> and <c>scoring.travelRegions</c>;
/// the app validates the selected tables at synth, and a test validates every file.
/// </summary>
public static class ReferenceTables
{
    /// <summary>Where the files live in the repository (used in messages).</summary>
    public const string Folder = "functions/Shared/Scoring/Reference";

    /// <summary>File name prefix of the conversion-rate tables.</summary>
    public const string CurrencyRatesPrefix = "currency-rates-";

    /// <summary>File name prefix of the travel tables.</summary>
    public const string TravelRegionsPrefix = "travel-regions-";

    /// <summary>Most hours a travel table may give (two days: beyond that, any two places are reachable).</summary>
    public const double MaxTravelHours = 48;

    private const string ResourcePrefix = "FraudTf.Scoring.Reference.";

    private static readonly ConcurrentDictionary<string, CurrencyRates> RateCache = new(StringComparer.Ordinal);
    private static readonly ConcurrentDictionary<string, TravelRegions> TravelCache = new(StringComparer.Ordinal);

    // Not [GeneratedRegex]: its generated type names hash the build path, and function packages must be reproducible.
    private static readonly Regex VersionPattern = new(@"^\d{4}-\d{2}-\d{2}(\.\d+)?$", RegexOptions.CultureInvariant);

    /// <summary>The versions of the conversion-rate tables compiled in, in order.</summary>
    public static IReadOnlyList<string> CurrencyRateVersions => Versions(CurrencyRatesPrefix);

    /// <summary>The versions of the travel tables compiled in, in order.</summary>
    public static IReadOnlyList<string> TravelRegionVersions => Versions(TravelRegionsPrefix);

    /// <summary>True when <paramref name="version"/> has the shape of a table version (a date, optionally .n).</summary>
    public static bool IsVersion(string version) => VersionPattern.IsMatch(version);

    /// <summary>The conversion rates of <paramref name="version"/> (parsed once); a <see cref="ReferenceTableException"/> when absent or invalid.</summary>
    public static CurrencyRates Rates(string version) => RateCache.GetOrAdd(version, v =>
    {
        var (bytes, file) = Read(CurrencyRatesPrefix, v);
        var errors = new List<string>();
        var rates = ParseRates(bytes, file, v, errors);
        return errors.Count == 0 ? rates! : throw new ReferenceTableException(errors);
    });

    /// <summary>The travel table of <paramref name="version"/> (parsed once); a <see cref="ReferenceTableException"/> when absent or invalid.</summary>
    public static TravelRegions Travel(string version) => TravelCache.GetOrAdd(version, v =>
    {
        var (bytes, file) = Read(TravelRegionsPrefix, v);
        var errors = new List<string>();
        var travel = ParseTravel(bytes, file, v, errors);
        return errors.Count == 0 ? travel! : throw new ReferenceTableException(errors);
    });

    /// <summary>Every problem of every table compiled in (a test runs it; the app checks the tables an environment selects).</summary>
    public static IReadOnlyList<string> ValidateAll()
    {
        var errors = new List<string>();
        foreach (var v in CurrencyRateVersions)
        {
            var (bytes, file) = Read(CurrencyRatesPrefix, v);
            ParseRates(bytes, file, v, errors);
        }

        foreach (var v in TravelRegionVersions)
        {
            var (bytes, file) = Read(TravelRegionsPrefix, v);
            ParseTravel(bytes, file, v, errors);
        }

        return errors;
    }

    // Alike on purpose: each Parse* opens its table through Open (version check) and then validates its own fields.
    /// <summary>Parses and validates a conversion-rate table; null (and <paramref name="errors"/>) when invalid.</summary>
    public static CurrencyRates? ParseRates(byte[] bytes, string file, string version, List<string> errors)
    {
        var before = errors.Count;
        using var doc = Open(bytes, file, version, errors);
        if (doc is null)
        {
            return null;
        }

        var root = doc.RootElement;
        var asOf = DateOnly.MinValue;
        if (!Get(root, "asOf", JsonValueKind.String, file, "give the day the rates were taken, e.g. \"2026-12-01\"", errors, out var a)
            || !DateOnly.TryParseExact(a.GetString(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out asOf))
        {
            if (a.ValueKind == JsonValueKind.String)
            {
                errors.Add(Message(file, "asOf", a, "is not a date (yyyy-MM-dd)", "write the day the rates were taken, e.g. \"2026-12-01\""));
            }
        }

        var source = Get(root, "source", JsonValueKind.String, file, "say where the rates come from", errors, out var s) ? s.GetString()! : "";
        var baseCurrency = "";
        if (Get(root, "base", JsonValueKind.String, file, "name the reference currency, e.g. \"USD\"", errors, out var b))
        {
            baseCurrency = b.GetString()!;
            if (!IsoCodes.Currencies.Contains(baseCurrency))
            {
                errors.Add(Message(file, "base", b, "is not an ISO 4217 currency code", "use an upper-case code such as \"USD\""));
            }
        }

        var rates = new Dictionary<string, double>(StringComparer.Ordinal);
        if (Get(root, "unitsPerBase", JsonValueKind.Object, file, "give an object of currency code to units per reference unit, e.g. {\"EUR\": 0.92}", errors, out var u))
        {
            foreach (var p in u.EnumerateObject())
            {
                if (!IsoCodes.Currencies.Contains(p.Name))
                {
                    errors.Add(Message(file, $"unitsPerBase.{p.Name}", p.Value, "is not an ISO 4217 currency code", "use the upper-case code the transactions carry, e.g. EUR"));
                }
                else if (p.Value.ValueKind != JsonValueKind.Number || !p.Value.TryGetDouble(out var d) || !double.IsFinite(d) || d <= 0)
                {
                    errors.Add(Message(file, $"unitsPerBase.{p.Name}", p.Value, "must be a number above 0", "give how many units of the currency one reference unit buys, e.g. 0.92"));
                }
                else
                {
                    rates[p.Name] = d;
                }
            }

            if (baseCurrency.Length > 0 && (!rates.TryGetValue(baseCurrency, out var one) || one != 1))
            {
                errors.Add(Message(file, $"unitsPerBase.{baseCurrency}", rates.TryGetValue(baseCurrency, out var r) ? JsonSerializer.SerializeToElement(r) : null,
                    "the reference currency must be in the table with rate 1", $"add \"{baseCurrency}\": 1"));
            }
        }

        RejectUnknown(root, file, ["$comment", "version", "asOf", "source", "base", "unitsPerBase"], errors);
        return errors.Count > before ? null : new CurrencyRates
        {
            Version = version,
            AsOf = asOf,
            Source = source,
            Base = baseCurrency,
            UnitsPerBase = rates.ToFrozenDictionary(StringComparer.Ordinal),
            ContentHash = Convert.ToHexStringLower(SHA256.HashData(bytes)),
        };
    }

    /// <summary>Parses and validates a travel table; null (and <paramref name="errors"/>) when invalid.</summary>
    public static TravelRegions? ParseTravel(byte[] bytes, string file, string version, List<string> errors)
    {
        var before = errors.Count;
        using var doc = Open(bytes, file, version, errors);
        if (doc is null)
        {
            return null;
        }

        var root = doc.RootElement;
        var source = Get(root, "source", JsonValueKind.String, file, "say where the times come from", errors, out var s) ? s.GetString()! : "";
        var regionOf = new Dictionary<string, string>(StringComparer.Ordinal);
        var hours = new Dictionary<string, double>(StringComparer.Ordinal);
        var regions = new List<string>();
        if (Get(root, "regions", JsonValueKind.Object, file, "give an object of region name to {\"minHoursWithin\": n, \"countries\": [...]}", errors, out var rs))
        {
            foreach (var region in rs.EnumerateObject())
            {
                regions.Add(region.Name);
                var field = $"regions.{region.Name}";
                if (region.Value.ValueKind != JsonValueKind.Object)
                {
                    errors.Add(Message(file, field, region.Value, "must be an object", "give {\"minHoursWithin\": 1, \"countries\": [\"DE\", \"FR\"]}"));
                    continue;
                }

                if (Hours(region.Value, "minHoursWithin", $"{field}.minHoursWithin", file, errors) is { } within)
                {
                    hours[TravelRegions.Key(region.Name, region.Name)] = within;
                }

                if (!region.Value.TryGetProperty("countries", out var cs) || cs.ValueKind != JsonValueKind.Array)
                {
                    errors.Add(Message(file, $"{field}.countries", cs.ValueKind == JsonValueKind.Undefined ? null : cs, "must be an array of country codes", "list ISO 3166-1 alpha-2 codes, e.g. [\"DE\", \"FR\"]"));
                    continue;
                }

                var i = 0;
                foreach (var c in cs.EnumerateArray())
                {
                    var code = c.ValueKind == JsonValueKind.String ? c.GetString()! : "";
                    if (!IsoCodes.Countries.Contains(code))
                    {
                        errors.Add(Message(file, $"{field}.countries[{i}]", c, "is not an ISO 3166-1 alpha-2 country code", "use an upper-case code such as \"DE\""));
                    }
                    else if (regionOf.TryGetValue(code, out var other))
                    {
                        errors.Add(Message(file, $"{field}.countries[{i}]", c, $"is already in region '{other}'", "keep each country in one region"));
                    }
                    else
                    {
                        regionOf[code] = region.Name;
                    }

                    i++;
                }

                foreach (var p in region.Value.EnumerateObject().Where(p => p.Name is not ("minHoursWithin" or "countries" or "$comment")))
                {
                    errors.Add(Message(file, $"{field}.{p.Name}", p.Value, "unknown field", "use only minHoursWithin and countries"));
                }
            }
        }

        if (Get(root, "minHoursBetween", JsonValueKind.Object, file, "give an object of \"regionA|regionB\" to hours", errors, out var between))
        {
            foreach (var p in between.EnumerateObject())
            {
                var parts = p.Name.Split('|');
                var field = $"minHoursBetween.{p.Name}";
                if (parts.Length != 2 || !regions.Contains(parts[0]) || !regions.Contains(parts[1]) || parts[0] == parts[1])
                {
                    errors.Add(Message(file, field, p.Value, "does not name two different regions of 'regions' as \"a|b\"", $"use two of: {string.Join(", ", regions)}"));
                    continue;
                }

                if (hours.ContainsKey(TravelRegions.Key(parts[0], parts[1])))
                {
                    errors.Add(Message(file, field, p.Value, "gives a pair that is already given (in either order)", "keep one entry per pair"));
                    continue;
                }

                if (Hours(between, p.Name, field, file, errors) is { } h)
                {
                    hours[TravelRegions.Key(parts[0], parts[1])] = h;
                    hours[TravelRegions.Key(parts[1], parts[0])] = h;
                }
            }

            foreach (var a in regions)
            {
                foreach (var b in regions.Where(b => string.CompareOrdinal(a, b) < 0))
                {
                    if (!hours.ContainsKey(TravelRegions.Key(a, b)))
                    {
                        errors.Add(Message(file, $"minHoursBetween.{a}|{b}", null, "is missing", $"give the minimum hours between {a} and {b}"));
                    }
                }
            }
        }

        RejectUnknown(root, file, ["$comment", "version", "source", "regions", "minHoursBetween"], errors);
        return errors.Count > before ? null : new TravelRegions
        {
            Version = version,
            Source = source,
            RegionOf = regionOf.ToFrozenDictionary(StringComparer.Ordinal),
            Hours = hours.ToFrozenDictionary(StringComparer.Ordinal),
            ContentHash = Convert.ToHexStringLower(SHA256.HashData(bytes)),
        };
    }

    private static double? Hours(JsonElement parent, string name, string field, string file, List<string> errors)
    {
        if (!parent.TryGetProperty(name, out var v) || v.ValueKind != JsonValueKind.Number || !v.TryGetDouble(out var d) || !double.IsFinite(d) || d < 0 || d > MaxTravelHours)
        {
            errors.Add(Message(file, field, parent.TryGetProperty(name, out var shown) ? shown : null,
                $"must be a number of hours from 0 to {MaxTravelHours.ToString(CultureInfo.InvariantCulture)}", "give the least plausible hours, e.g. 6"));
            return null;
        }

        return d;
    }

    private static IReadOnlyList<string> Versions(string prefix) =>
        typeof(ReferenceTables).Assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith(ResourcePrefix + prefix, StringComparison.Ordinal) && n.EndsWith(".json", StringComparison.Ordinal))
            .Select(n => n[(ResourcePrefix.Length + prefix.Length)..^".json".Length])
            .Order(StringComparer.Ordinal)
            .ToList();

    private static (byte[] Bytes, string File) Read(string prefix, string version)
    {
        var file = $"{Folder}/{prefix}{version}.json";
        using var stream = typeof(ReferenceTables).Assembly.GetManifestResourceStream($"{ResourcePrefix}{prefix}{version}.json");
        if (stream is null)
        {
            var known = Versions(prefix);
            throw new ReferenceTableException([$"{file}: no such table (version '{version}'). Fix: use one of the versions in {Folder}: {(known.Count == 0 ? "(none)" : string.Join(", ", known))}, or add the file."]);
        }

        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        return (buffer.ToArray(), file);
    }

    // The table's JSON object with its version checked against the file name's; null (and errors) when it is not an object.
    private static JsonDocument? Open(byte[] bytes, string file, string version, List<string> errors)
    {
        var doc = ParseJson(bytes, file, errors);
        if (doc is not null)
        {
            CheckVersion(doc.RootElement, file, version, errors);
        }

        return doc;
    }

    private static JsonDocument? ParseJson(byte[] bytes, string file, List<string> errors)
    {
        try
        {
            var doc = JsonDocument.Parse(bytes, new JsonDocumentOptions { AllowTrailingCommas = false, CommentHandling = JsonCommentHandling.Disallow });
            if (doc.RootElement.ValueKind == JsonValueKind.Object)
            {
                return doc;
            }

            doc.Dispose();
            errors.Add($"{file}: the table is not a JSON object. Fix: see the other tables in {Folder}.");
        }
        catch (JsonException e)
        {
            errors.Add($"{file}: not valid JSON ({e.Message}). Fix: correct the syntax at the position given.");
        }

        return null;
    }

    private static void CheckVersion(JsonElement root, string file, string version, List<string> errors)
    {
        if (Get(root, "version", JsonValueKind.String, file, $"give \"version\": \"{version}\" (the file name's suffix)", errors, out var v) && v.GetString() != version)
        {
            errors.Add(Message(file, "version", v, $"differs from the file name's version '{version}'", $"set \"version\": \"{version}\", or rename the file"));
        }
    }

    private static bool Get(JsonElement root, string field, JsonValueKind kind, string file, string fix, List<string> errors, out JsonElement value)
    {
        if (!root.TryGetProperty(field, out value))
        {
            errors.Add(Message(file, field, null, "is required", fix));
            return false;
        }

        if (value.ValueKind != kind)
        {
            errors.Add(Message(file, field, value, $"must be a JSON {kind.ToString().ToLowerInvariant()}", fix));
            return false;
        }

        return true;
    }

    private static void RejectUnknown(JsonElement root, string file, IReadOnlyList<string> known, List<string> errors)
    {
        foreach (var p in root.EnumerateObject().Where(p => !known.Contains(p.Name)))
        {
            errors.Add(Message(file, p.Name, p.Value, "unknown field", $"remove it or use one of: {string.Join(", ", known.Where(k => k != "$comment"))}"));
        }
    }

    private static string Message(string file, string field, JsonElement? value, string problem, string fix)
    {
        var shown = value is null ? "(missing)" : value.Value.GetRawText() is { Length: > 80 } raw ? raw[..77] + "..." : value.Value.GetRawText();
        return $"{file}: field '{field}' = {shown}: {problem}. Fix: {fix}";
    }
}
