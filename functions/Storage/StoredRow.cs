namespace FraudTf.Functions.Storage;

/// <summary>
/// Reads attributes of a stored DynamoDB item without trusting them: a row written by an older version, by hand or by
/// another tool can lack an attribute or hold it with the wrong type or an unusable value. Each reader says whether
/// the attribute is absent, usable, or present but unusable (<see cref="Problems"/> names it, never its value: rows
/// hold personal data), so callers handle a corrupt row as data (a new profile, a skipped pattern) instead of throwing
/// on every batch that reads it.
/// </summary>
public sealed class StoredRow(IReadOnlyDictionary<string, AttributeValue> item)
{
    private readonly List<string> _problems = [];

    /// <summary>The attributes found unusable so far, with what was wrong (e.g. <c>txCount: not a number (S)</c>).</summary>
    public IReadOnlyList<string> Problems => _problems;

    /// <summary>True when at least one attribute read was present but unusable.</summary>
    public bool IsCorrupt => _problems.Count > 0;

    /// <summary>True when the item holds <paramref name="name"/> (any type, NULL included).</summary>
    public bool Has(string name) => item.ContainsKey(name);

    /// <summary>The raw attribute, or null when absent.</summary>
    public AttributeValue? Raw(string name) => item.TryGetValue(name, out var v) ? v : null;

    /// <summary>A string attribute; null when absent (recorded as a problem when <paramref name="required"/>) or not a string.</summary>
    public string? String(string name, bool required = false)
    {
        if (!item.TryGetValue(name, out var v) || IsNull(v))
        {
            return Missing<string>(name, required);
        }

        return v.S is { } s ? s : Problem<string>(name, $"not a string ({TypeOf(v)})");
    }

    /// <summary>A finite number within [<paramref name="min"/>, <paramref name="max"/>]; null when absent or unusable.</summary>
    public double? Double(string name, bool required = false, double min = double.MinValue, double max = double.MaxValue)
    {
        if (!item.TryGetValue(name, out var v) || IsNull(v))
        {
            return Missing<double?>(name, required);
        }

        if (v.N is not { } n)
        {
            return Problem<double?>(name, $"not a number ({TypeOf(v)})");
        }

        if (!double.TryParse(n, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) || !double.IsFinite(d))
        {
            return Problem<double?>(name, "not a finite number");
        }

        return d < min || d > max ? Problem<double?>(name, $"out of range [{min.ToString(CultureInfo.InvariantCulture)}, {max.ToString(CultureInfo.InvariantCulture)}]") : d;
    }

    /// <summary>A whole number within [<paramref name="min"/>, <paramref name="max"/>]; null when absent or unusable.</summary>
    public long? Long(string name, bool required = false, long min = long.MinValue, long max = long.MaxValue)
    {
        if (!item.TryGetValue(name, out var v) || IsNull(v))
        {
            return Missing<long?>(name, required);
        }

        if (v.N is not { } n)
        {
            return Problem<long?>(name, $"not a number ({TypeOf(v)})");
        }

        if (!long.TryParse(n, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l))
        {
            return Problem<long?>(name, "not a whole number in range");
        }

        return l < min || l > max ? Problem<long?>(name, "out of range") : l;
    }

    /// <summary>A stored time (<see cref="StoredTime"/>); null when absent or not a time (recorded as a problem).</summary>
    public DateTimeOffset? Timestamp(string name, bool required = false) =>
        String(name, required) is not { } text ? null
        : StoredTime.TryParse(text, out var t) ? t
        : Problem<DateTimeOffset?>(name, "not a timestamp");

    /// <summary>A decimal number; null when absent or unusable.</summary>
    public decimal? Decimal(string name, bool required = false)
    {
        if (!item.TryGetValue(name, out var v) || IsNull(v))
        {
            return Missing<decimal?>(name, required);
        }

        if (v.N is not { } n)
        {
            return Problem<decimal?>(name, $"not a number ({TypeOf(v)})");
        }

        return decimal.TryParse(n, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) ? d : Problem<decimal?>(name, "not representable as a decimal");
    }

    /// <summary>A string set; empty when absent, null when present with another type (recorded as a problem).</summary>
    public IReadOnlyList<string>? StringSet(string name)
    {
        if (!item.TryGetValue(name, out var v) || IsNull(v))
        {
            return [];
        }

        // The SDK leaves SS null for other types; an empty SS cannot be stored, so null here means "not a string set".
        return v.SS is { Count: > 0 } ss ? ss : Problem<IReadOnlyList<string>>(name, $"not a string set ({TypeOf(v)})");
    }

    /// <summary>The DynamoDB type of <paramref name="v"/> (S, N, B, SS, NS, BS, M, L, BOOL, NULL), for problem reports.</summary>
    public static string TypeOf(AttributeValue v) =>
        v.S is not null ? "S" : v.N is not null ? "N" : v.B is not null ? "B" : v.SS is { Count: > 0 } ? "SS" : v.NS is { Count: > 0 } ? "NS"
        : v.BS is { Count: > 0 } ? "BS" : v.M is not null ? "M" : v.L is not null ? "L" : v.BOOL is not null ? "BOOL" : v.NULL == true ? "NULL" : "unknown";

    /// <summary>Records a problem the caller found in an attribute (e.g. two attributes that disagree).</summary>
    public void AddProblem(string name, string what) => _problems.Add($"{name}: {what}");

    private static bool IsNull(AttributeValue v) => v.NULL == true;

    private T? Missing<T>(string name, bool required)
    {
        if (required)
        {
            _problems.Add($"{name}: missing");
        }

        return default;
    }

    private T? Problem<T>(string name, string what)
    {
        _problems.Add($"{name}: {what}");
        return default;
    }
}
