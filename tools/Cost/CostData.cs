namespace FraudTf.Cost;

/// <summary>
/// A problem with the report's inputs: a price or assumption missing from its data file, a resource type without a
/// cost model, a stack that cannot be read. The message names the file, the key or resource, and the fix.
/// </summary>
public sealed class CostDataException(string message) : Exception(message);

/// <summary>One price of the price file: <see cref="Usd"/> for <see cref="Per"/> units of <see cref="Unit"/>.</summary>
public sealed record Price(string Key, double Usd, double Per, string Unit)
{
    /// <summary>Where this price was checked, when a price names its own source (the networking prices do); else null.</summary>
    public string? Source { get; init; }

    /// <summary>When this price was checked (yyyy-MM-dd), when the price says; else null.</summary>
    public string? Checked { get; init; }

    /// <summary>Whether its source is an AWS page showing the figure, in words, when the price says; else null.</summary>
    public string? Confirmed { get; init; }

    /// <summary>The price of one unit.</summary>
    public double UnitUsd => Usd / Per;

    /// <summary>"$0.625 per 1,000,000 write request units".</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"${Usd:0.##########} per {Per:#,0} {Unit}");
}

/// <summary>
/// The prices of one region, read from one data file (<c>tools/Cost/data/prices-&lt;region&gt;.json</c>) that says
/// the region, the date they were read and their source. Nothing is fetched. A missing key is an error naming the
/// resource type that needed it.
/// </summary>
public sealed class PriceBook
{
    private readonly IReadOnlyDictionary<string, Price> _prices;

    // Alike on purpose: a constructor that only assigns get-only properties, the codebase's form for immutable classes.
    private PriceBook(string file, string region, string readOn, string source, IReadOnlyDictionary<string, Price> prices)
    {
        File = file;
        Region = region;
        ReadOn = readOn;
        Source = source;
        _prices = prices;
    }

    /// <summary>The file the prices came from, as shown in messages (relative to the repository root).</summary>
    public string File { get; }

    /// <summary>The AWS region the prices are for.</summary>
    public string Region { get; }

    /// <summary>The date the prices were read (yyyy-MM-dd).</summary>
    public string ReadOn { get; }

    /// <summary>Where the prices come from.</summary>
    public string Source { get; }

    /// <summary>Every key of the file, sorted.</summary>
    public IEnumerable<string> Keys => _prices.Keys.Order(StringComparer.Ordinal);

    /// <summary>Loads a price file; <paramref name="displayFile"/> names it in messages.</summary>
    public static PriceBook Load(string path, string displayFile) =>
        System.IO.File.Exists(path)
            ? Parse(System.IO.File.ReadAllText(path), displayFile)
            : throw new CostDataException($"{displayFile}: price file not found. Fix: run from the repository root, or add prices for this region.");

    /// <summary>Parses the JSON text of a price file.</summary>
    public static PriceBook Parse(string json, string displayFile)
    {
        using var doc = ParseJson(json, displayFile);
        var root = doc.RootElement;
        var prices = new SortedDictionary<string, Price>(StringComparer.Ordinal);
        foreach (var p in RequiredProperty(root, "prices", displayFile).EnumerateObject())
        {
            double Num(string field) => p.Value.TryGetProperty(field, out var v) && v.ValueKind == JsonValueKind.Number && v.GetDouble() >= 0
                ? v.GetDouble()
                : throw new CostDataException($"{displayFile}: price '{p.Name}' needs a non-negative number '{field}'. Fix: write it as {{ \"usd\": 0.25, \"per\": 1, \"unit\": \"GB-month\" }}.");
            var per = Num("per");
            if (per <= 0)
            {
                throw new CostDataException($"{displayFile}: price '{p.Name}' has 'per' = 0. Fix: give the number of units the price is for (1, 1000, 1000000).");
            }

            string? Text(string field) => p.Value.TryGetProperty(field, out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
            prices[p.Name] = new Price(p.Name, Num("usd"), per, Text("unit") ?? "")
            {
                Source = Text("source"),
                Checked = Text("checked"),
                Confirmed = Text("confirmed"),
            };
        }

        return new PriceBook(displayFile, RequiredString(root, "region", displayFile), RequiredString(root, "readOn", displayFile),
            RequiredString(root, "source", displayFile), prices);
    }

    /// <summary>The price <paramref name="key"/>; a missing one is an error naming <paramref name="resourceType"/>.</summary>
    public Price Get(string key, string resourceType) =>
        _prices.TryGetValue(key, out var p)
            ? p
            : throw new CostDataException($"{File}: no price '{key}', needed by resource type {resourceType}. " +
                                          $"Fix: add \"{key}\": {{ \"usd\": ..., \"per\": ..., \"unit\": \"...\" }} under \"prices\" (from the AWS pricing page of {Region}).");

    internal static JsonDocument ParseJson(string json, string displayFile)
    {
        try
        {
            return JsonDocument.Parse(json, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip });
        }
        catch (JsonException e)
        {
            throw new CostDataException($"{displayFile}: not valid JSON (line {e.LineNumber + 1}). Fix: correct the JSON syntax there.");
        }
    }

    internal static JsonElement RequiredProperty(JsonElement root, string name, string displayFile) =>
        root.ValueKind == JsonValueKind.Object && root.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Object
            ? v
            : throw new CostDataException($"{displayFile}: missing the object '{name}'. Fix: add it (see 'Cost and capacity' in README.md).");

    private static string RequiredString(JsonElement root, string name, string displayFile) =>
        root.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String && v.GetString()!.Length > 0
            ? v.GetString()!
            : throw new CostDataException($"{displayFile}: missing the string '{name}'. Fix: add it.");
}

/// <summary>One assumption: a value, its unit and where it comes from (a benchmark, the code, a guide, an estimate).</summary>
public sealed record Assumption(string Key, double Value, string Unit, string Source);

/// <summary>
/// The report's assumptions beyond the traffic profile (<c>tools/Cost/data/assumptions.json</c>, and the benchmark's
/// measured figures joined to it with <see cref="With"/>): measured durations,
/// request units per transaction from the function code, sizes, service limits. Remembers which were used, so the
/// report lists exactly those.
/// </summary>
public sealed class AssumptionBook
{
    private readonly IReadOnlyDictionary<string, Assumption> _values;
    private readonly SortedDictionary<string, Assumption> _used = new(StringComparer.Ordinal);

    private AssumptionBook(string file, IReadOnlyDictionary<string, Assumption> values)
    {
        File = file;
        _values = values;
    }

    /// <summary>The file the assumptions came from.</summary>
    public string File { get; }

    /// <summary>The assumptions read so far, sorted by key.</summary>
    public IReadOnlyList<Assumption> Used => _used.Values.ToList();

    /// <summary>Loads an assumptions file; <paramref name="displayFile"/> names it in messages.</summary>
    public static AssumptionBook Load(string path, string displayFile) =>
        System.IO.File.Exists(path)
            ? Parse(System.IO.File.ReadAllText(path), displayFile)
            : throw new CostDataException($"{displayFile}: assumptions file not found. Fix: run from the repository root.");

    /// <summary>Parses the JSON text of an assumptions file.</summary>
    public static AssumptionBook Parse(string json, string displayFile)
    {
        using var doc = PriceBook.ParseJson(json, displayFile);
        var values = new SortedDictionary<string, Assumption>(StringComparer.Ordinal);
        foreach (var p in PriceBook.RequiredProperty(doc.RootElement, "values", displayFile).EnumerateObject())
        {
            if (!p.Value.TryGetProperty("value", out var v) || v.ValueKind != JsonValueKind.Number)
            {
                throw new CostDataException($"{displayFile}: assumption '{p.Name}' needs a number 'value'. Fix: write it as {{ \"value\": 4, \"unit\": \"...\", \"source\": \"...\" }}.");
            }

            values[p.Name] = new Assumption(p.Name, v.GetDouble(),
                p.Value.TryGetProperty("unit", out var u) ? u.GetString() ?? "" : "",
                p.Value.TryGetProperty("source", out var s) ? s.GetString() ?? "" : "");
        }

        return new AssumptionBook(displayFile, values);
    }

    /// <summary>This book and <paramref name="other"/>'s values (e.g. a benchmark's measured figures); a key in both is an error.</summary>
    public AssumptionBook With(AssumptionBook other)
    {
        var values = new SortedDictionary<string, Assumption>(_values.ToDictionary(), StringComparer.Ordinal);
        foreach (var (key, value) in other._values)
        {
            if (!values.TryAdd(key, value))
            {
                throw new CostDataException($"{other.File}: assumption '{key}' is also in {File}. Fix: keep it in one file (measured figures in {other.File}).");
            }
        }

        return new AssumptionBook($"{File} + {other.File}", values);
    }

    /// <summary>A fresh copy with nothing marked used (one per report).</summary>
    public AssumptionBook Fresh() => new(File, _values);

    /// <summary>The value of <paramref name="key"/>; a missing one is an error naming <paramref name="neededBy"/>.</summary>
    public double Get(string key, string neededBy) => Entry(key, neededBy).Value;

    /// <summary>The assumption <paramref name="key"/>, marked used.</summary>
    public Assumption Entry(string key, string neededBy)
    {
        if (!_values.TryGetValue(key, out var a))
        {
            throw new CostDataException($"{File}: no assumption '{key}', needed by {neededBy}. " +
                                        $"Fix: add \"{key}\": {{ \"value\": ..., \"unit\": \"...\", \"source\": \"...\" }} under \"values\".");
        }

        _used[key] = a;
        return a;
    }

    /// <summary>True (and the value, marked used) when <paramref name="key"/> exists.</summary>
    public bool TryGet(string key, out double value)
    {
        if (_values.TryGetValue(key, out var a))
        {
            _used[key] = a;
            value = a.Value;
            return true;
        }

        value = 0;
        return false;
    }
}
