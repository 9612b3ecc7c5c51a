using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace FraudTf.Config;

/// <summary>Thrown when one or more environment config files are invalid; the message lists every problem.</summary>
public sealed class ConfigValidationException : Exception
{
    /// <summary>Creates the exception from the individual problems, each naming file, field, value and fix.</summary>
    public ConfigValidationException(IReadOnlyList<string> errors)
        : base("Invalid environment configuration:\n  - " + string.Join("\n  - ", errors))
    {
        Errors = errors;
    }

    /// <summary>One message per problem found, in file and field order.</summary>
    public IReadOnlyList<string> Errors { get; }
}

/// <summary>
/// Reads one JSON object of a config file strictly: every field read is remembered, so that
/// <see cref="RejectUnknownFields"/> can report misspelled or unsupported fields instead of silently
/// dropping them. Problems are collected (not thrown) so that one run reports all of them.
/// </summary>
public sealed class ConfigReader
{
    private readonly JsonElement _element;
    private readonly string _file;
    private readonly string _path;
    private readonly List<string> _errors;
    private readonly HashSet<string> _known = new(StringComparer.Ordinal);

    private ConfigReader(JsonElement element, string file, string path, List<string> errors)
    {
        _element = element;
        _file = file;
        _path = path;
        _errors = errors;
    }

    /// <summary>
    /// While set (on this thread), every field a reader is asked for is recorded in it, with its type, range, whether it is
    /// required and the default it takes when absent: <see cref="ConfigReference"/> documents the config from the very
    /// calls that validate it.
    /// </summary>
    [ThreadStatic]
    public static FieldCatalog? Catalog;

    private void Record(string field, string type, bool required, object? fallback = null) =>
        Catalog?.Add(_file, Regex.Replace(PathOf(field), @"\[\d+\]", "[]"), type, required, fallback);

    /// <summary>Creates a reader over the root object of <paramref name="file"/>; problems go to <paramref name="errors"/>.</summary>
    public static ConfigReader ForRoot(JsonElement root, string file, List<string> errors) => new(root, file, "", errors);

    /// <summary>The file name used in messages (relative to the repository root).</summary>
    public string File => _file;

    /// <summary>The dotted path of a field of this object, e.g. <c>state.bucket</c>.</summary>
    public string PathOf(string field) => _path.Length == 0 ? field : $"{_path}.{field}";

    /// <summary>Records a problem with a field; <paramref name="fix"/> says what to do about it.</summary>
    public void Error(string field, JsonElement? value, string problem, string fix)
    {
        var shown = value is null ? "(missing)" : Show(value.Value);
        _errors.Add($"{_file}: field '{PathOf(field)}' = {shown}: {problem}. Fix: {fix}");
    }

    /// <summary>Records a problem with a value computed or collected by the caller (shown as JSON).</summary>
    public void ErrorValue(string field, object value, string problem, string fix) =>
        Error(field, JsonSerializer.SerializeToElement(value, ShowOptions), problem, fix);

    // Values are shown as written (e-mail addresses keep their + and <>), not with HTML-safe \u escapes.
    private static readonly JsonSerializerOptions ShowOptions = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private bool TryGet(string field, bool required, string fix, out JsonElement value)
    {
        _known.Add(field);
        if (_element.ValueKind == JsonValueKind.Object && _element.TryGetProperty(field, out value) &&
            value.ValueKind != JsonValueKind.Null)
        {
            return true;
        }

        value = default;
        if (required)
        {
            Error(field, null, "this field is required", fix);
        }

        return false;
    }

    // Alike on purpose: each kind of value has a Required and an Optional reader over one private Read method; the pairs
    // differ only in whether a missing field is an error and what the documentation records.
    /// <summary>Reads a required string that must match <paramref name="pattern"/>.</summary>
    public string RequiredString(string field, Regex pattern, string expectation, string fix)
    {
        Record(field, $"string: {expectation}", true);
        return ReadString(field, pattern, expectation, fix, required: true, fallback: "");
    }

    /// <summary>Reads an optional string that must match <paramref name="pattern"/>; <paramref name="fallback"/> when omitted.</summary>
    public string OptionalString(string field, Regex pattern, string expectation, string fix, string fallback)
    {
        Record(field, $"string: {expectation}", false, fallback);
        return ReadString(field, pattern, expectation, fix, required: false, fallback);
    }

    private string ReadString(string field, Regex pattern, string expectation, string fix, bool required, string fallback)
    {
        if (!TryGet(field, required, fix, out var v))
        {
            return fallback;
        }

        if (v.ValueKind != JsonValueKind.String)
        {
            Error(field, v, $"must be a string ({expectation})", fix);
            return fallback;
        }

        var s = v.GetString()!;
        if (!pattern.IsMatch(s))
        {
            Error(field, v, $"must be {expectation}", fix);
            return fallback;
        }

        return s;
    }

    /// <summary>Reads a required integer in [<paramref name="min"/>, <paramref name="max"/>].</summary>
    public int RequiredInt(string field, int min, int max, string fix)
    {
        Record(field, $"whole number, {min} to {max}", true);
        return ReadInt(field, min, max, fix, required: true, fallback: min);
    }

    /// <summary>Reads an optional integer in [<paramref name="min"/>, <paramref name="max"/>]; <paramref name="fallback"/> when omitted.</summary>
    public int OptionalInt(string field, int min, int max, string fix, int fallback)
    {
        Record(field, $"whole number, {min} to {max}", false, fallback);
        return ReadInt(field, min, max, fix, required: false, fallback);
    }

    private int ReadInt(string field, int min, int max, string fix, bool required, int fallback)
    {
        if (!TryGet(field, required, fix, out var v))
        {
            return fallback;
        }

        if (v.ValueKind != JsonValueKind.Number || !v.TryGetInt32(out var n))
        {
            Error(field, v, $"must be a whole number between {min} and {max}", fix);
            return fallback;
        }

        if (n < min || n > max)
        {
            Error(field, v, $"is out of range: must be between {min} and {max}", fix);
            return fallback;
        }

        return n;
    }

    /// <summary>Reads an optional integer that must be one of <paramref name="allowed"/>; <paramref name="fallback"/> when omitted.</summary>
    public int OptionalIntOneOf(string field, IReadOnlyList<int> allowed, string fix, int fallback)
    {
        Record(field, $"one of {string.Join(", ", allowed)}", false, fallback);
        var n = ReadInt(field, int.MinValue, int.MaxValue, fix, required: false, fallback);
        if (!allowed.Contains(n))
        {
            ErrorValue(field, n,
                $"is not an allowed value: must be one of {string.Join(", ", allowed)}", fix);
            return fallback;
        }

        return n;
    }

    /// <summary>Reads an optional number in [<paramref name="min"/>, <paramref name="max"/>]; <paramref name="fallback"/> when omitted.</summary>
    public double OptionalDouble(string field, double min, double max, string fix, double fallback)
    {
        Record(field, $"number, {Fmt(min)} to {Fmt(max)}", false, fallback);
        if (!TryGet(field, required: false, fix, out var v))
        {
            return fallback;
        }

        if (v.ValueKind != JsonValueKind.Number || !v.TryGetDouble(out var n) || double.IsNaN(n))
        {
            Error(field, v, $"must be a number between {Fmt(min)} and {Fmt(max)}", fix);
            return fallback;
        }

        if (n < min || n > max)
        {
            Error(field, v, $"is out of range: must be between {Fmt(min)} and {Fmt(max)}", fix);
            return fallback;
        }

        return n;
    }

    /// <summary>Reads a required number in [<paramref name="min"/>, <paramref name="max"/>] (<paramref name="min"/> when missing or invalid, with the error recorded).</summary>
    public double RequiredDouble(string field, double min, double max, string fix)
    {
        Record(field, $"number, {Fmt(min)} to {Fmt(max)}", true);
        if (!TryGet(field, required: true, fix, out _))
        {
            return min;
        }

        return OptionalDouble(field, min, max, fix, min);
    }

    /// <summary>True when the object holds <paramref name="field"/> (not null). Does not count as reading it.</summary>
    public bool Has(string field) =>
        _element.ValueKind == JsonValueKind.Object && _element.TryGetProperty(field, out var v) && v.ValueKind != JsonValueKind.Null;

    /// <summary>Reads an optional boolean; <paramref name="fallback"/> when omitted (so <c>false</c> can always be set).</summary>
    public bool OptionalBool(string field, string fix, bool fallback)
    {
        Record(field, "true or false", false, fallback);
        if (!TryGet(field, required: false, fix, out var v))
        {
            return fallback;
        }

        if (v.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
        {
            Error(field, v, "must be true or false (a JSON boolean, not a string)", fix);
            return fallback;
        }

        return v.GetBoolean();
    }

    /// <summary>Reads a required, non-empty array of strings, each matching <paramref name="pattern"/>.</summary>
    public IReadOnlyList<string> RequiredStringList(string field, Regex pattern, string expectation, string fix)
    {
        Record(field, $"list of strings: {expectation}", true);
        if (!TryGet(field, required: true, fix, out var v))
        {
            return Array.Empty<string>();
        }

        if (v.ValueKind != JsonValueKind.Array || v.GetArrayLength() == 0)
        {
            Error(field, v, $"must be a non-empty array of strings, each {expectation}", fix);
            return Array.Empty<string>();
        }

        return StringItems(field, v, pattern, expectation, fix);
    }

    /// <summary>Reads an optional array of strings, each matching <paramref name="pattern"/>; null when omitted.</summary>
    public IReadOnlyList<string>? OptionalStringList(string field, Regex pattern, string expectation, string fix)
    {
        Record(field, $"list of strings: {expectation}", false);
        if (!TryGet(field, required: false, fix, out var v))
        {
            return null;
        }

        if (v.ValueKind != JsonValueKind.Array)
        {
            Error(field, v, $"must be an array of strings, each {expectation}", fix);
            return null;
        }

        return StringItems(field, v, pattern, expectation, fix);
    }

    private List<string> StringItems(string field, JsonElement array, Regex pattern, string expectation, string fix)
    {
        var result = new List<string>();
        var i = 0;
        foreach (var item in array.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.String || !pattern.IsMatch(item.GetString()!))
            {
                Error($"{field}[{i}]", item, $"must be {expectation}", fix);
            }
            else
            {
                result.Add(item.GetString()!);
            }

            i++;
        }

        return result;
    }

    /// <summary>Reads an optional object of string values; empty when omitted.</summary>
    public IReadOnlyDictionary<string, string> OptionalStringMap(string field, string fix)
    {
        Record(field, "object of strings", false);
        var result = new SortedDictionary<string, string>(StringComparer.Ordinal);
        if (!TryGet(field, required: false, fix, out var v))
        {
            return result;
        }

        if (v.ValueKind != JsonValueKind.Object)
        {
            Error(field, v, "must be an object of string values", fix);
            return result;
        }

        foreach (var p in v.EnumerateObject())
        {
            if (p.Value.ValueKind != JsonValueKind.String)
            {
                Error($"{field}.{p.Name}", p.Value, "must be a string", fix);
                continue;
            }

            result[p.Name] = p.Value.GetString()!;
        }

        return result;
    }

    /// <summary>
    /// Reads an optional object whose keys match <paramref name="keyPattern"/> and whose values are numbers in
    /// [<paramref name="min"/>, <paramref name="max"/>]; null when omitted. Bad keys and values are reported and skipped.
    /// </summary>
    public IReadOnlyDictionary<string, double>? OptionalNumberMap(string field, Regex keyPattern, string keyExpectation, double min, double max, string fix)
    {
        Record(field, $"object: {keyExpectation} to a number, {Fmt(min)} to {Fmt(max)}", false);
        if (!TryGet(field, required: false, fix, out var v))
        {
            return null;
        }

        if (v.ValueKind != JsonValueKind.Object)
        {
            Error(field, v, "must be an object of numbers", fix);
            return null;
        }

        var result = new SortedDictionary<string, double>(StringComparer.Ordinal);
        foreach (var p in v.EnumerateObject())
        {
            if (!keyPattern.IsMatch(p.Name))
            {
                Error($"{field}.{p.Name}", p.Value, $"the key '{p.Name}' must be {keyExpectation}", fix);
            }
            else if (p.Value.ValueKind != JsonValueKind.Number || !p.Value.TryGetDouble(out var n) || double.IsNaN(n) || n < min || n > max)
            {
                Error($"{field}.{p.Name}", p.Value, $"must be a number between {Fmt(min)} and {Fmt(max)}", fix);
            }
            else
            {
                result[p.Name] = n;
            }
        }

        return result;
    }

    /// <summary>
    /// Reads an optional array of objects and returns a reader over each (paths <c>field[0]</c>, <c>field[1]</c>, ...);
    /// null when omitted. An element that is not an object is reported and skipped.
    /// </summary>
    public IReadOnlyList<ConfigReader>? OptionalObjectList(string field, string fix)
    {
        Record(field, "list of objects", false);
        if (!TryGet(field, required: false, fix, out var v))
        {
            return null;
        }

        if (v.ValueKind != JsonValueKind.Array)
        {
            Error(field, v, "must be an array of JSON objects", fix);
            return null;
        }

        var result = new List<ConfigReader>();
        var i = 0;
        foreach (var item in v.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Object)
            {
                Error($"{field}[{i}]", item, "must be a JSON object", fix);
            }
            else
            {
                result.Add(new ConfigReader(item, _file, PathOf($"{field}[{i}]"), _errors));
            }

            i++;
        }

        return result;
    }

    /// <summary>
    /// Accepts <paramref name="field"/> only by reporting it: a setting that was removed from FraudTf. Reading it
    /// (instead of letting <see cref="RejectUnknownFields"/> call it unknown) lets the message say why it went away.
    /// </summary>
    public void Removed(string field, string problem, string fix)
    {
        Record(field, $"removed: {problem}", false);
        if (TryGet(field, required: false, fix, out var v))
        {
            Error(field, v, problem, fix);
        }
    }

    /// <summary>Returns a reader over a required nested object (an empty reader, with an error recorded, when missing).</summary>
    public ConfigReader RequiredObject(string field, string fix)
    {
        Record(field, "object", true);
        return ReadObject(field, fix, required: true);
    }

    /// <summary>Returns a reader over an optional nested object; when omitted every field takes its default.</summary>
    public ConfigReader OptionalObject(string field, string fix)
    {
        Record(field, "object", false);
        return ReadObject(field, fix, required: false);
    }

    private ConfigReader ReadObject(string field, string fix, bool required)
    {
        if (!TryGet(field, required, fix, out var v))
        {
            return new ConfigReader(EmptyObject, _file, PathOf(field), required ? new List<string>() : _errors);
        }

        if (v.ValueKind != JsonValueKind.Object)
        {
            Error(field, v, "must be a JSON object", fix);
            return new ConfigReader(EmptyObject, _file, PathOf(field), new List<string>());
        }

        return new ConfigReader(v, _file, PathOf(field), _errors);
    }

    /// <summary>The names of this object's fields (not <c>$comment</c>), in file order: for objects keyed by name.</summary>
    public IReadOnlyList<string> FieldNames => _element.ValueKind == JsonValueKind.Object
        ? _element.EnumerateObject().Select(p => p.Name).Where(n => n != "$comment").ToList()
        : [];

    /// <summary>Reports every field of this object that no reader method asked for.</summary>
    public void RejectUnknownFields()
    {
        if (_element.ValueKind != JsonValueKind.Object)
        {
            return;
        }

        foreach (var p in _element.EnumerateObject())
        {
            if (_known.Contains(p.Name) || p.Name == "$comment")
            {
                continue;
            }

            // A near miss (typo) or a truncated/extended name (velocityWindow for velocityWindowMinutes).
            var suggestion = _known.OrderBy(k => Distance(k, p.Name)).ThenBy(k => k, StringComparer.Ordinal).FirstOrDefault(k => Distance(k, p.Name) <= 3)
                ?? _known.Order(StringComparer.Ordinal).FirstOrDefault(k =>
                    k.StartsWith(p.Name, StringComparison.OrdinalIgnoreCase) || p.Name.StartsWith(k, StringComparison.OrdinalIgnoreCase));
            var hint = suggestion is not null ? $"did you mean '{PathOf(suggestion)}'? " : "";
            Error(p.Name, p.Value, "unknown field",
                $"{hint}remove it or use one of: {string.Join(", ", _known.OrderBy(k => k, StringComparer.Ordinal))}");
        }
    }

    private static readonly JsonElement EmptyObject = JsonDocument.Parse("{}").RootElement.Clone();

    private static string Fmt(double d) => d.ToString(CultureInfo.InvariantCulture);

    private static string Show(JsonElement v)
    {
        var raw = v.GetRawText();
        return raw.Length > 80 ? raw[..77] + "..." : raw;
    }

    /// <summary>Case-insensitive edit distance (Levenshtein), for "did you mean" suggestions here and in the offline gate.</summary>
    public static int Distance(string a, string b)
    {
        a = a.ToLowerInvariant();
        b = b.ToLowerInvariant();
        var d = new int[a.Length + 1, b.Length + 1];
        for (var i = 0; i <= a.Length; i++)
        {
            d[i, 0] = i;
        }

        for (var j = 0; j <= b.Length; j++)
        {
            d[0, j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
            }
        }

        return d[a.Length, b.Length];
    }
}
