namespace FraudTf.Functions.AgentTools;

/// <summary>
/// The parameters of one call, checked against the tool's definition in <see cref="AnalystTools"/>: an unknown,
/// repeated or missing required parameter, or a value of the wrong type or out of range, is a
/// <see cref="ToolInputException"/> whose message names the parameter and what is allowed (the model reads it).
/// </summary>
public sealed class ToolArguments
{
    /// <summary>Longest id accepted.</summary>
    public const int MaxIdLength = 128;

    private readonly ToolDefinition _tool;
    private readonly Dictionary<string, string?> _values;

    private ToolArguments(ToolDefinition tool, Dictionary<string, string?> values)
    {
        _tool = tool;
        _values = values;
    }

    /// <summary>Checks the names of <paramref name="parameters"/> against <paramref name="tool"/>.</summary>
    public static ToolArguments Bind(ToolDefinition tool, IReadOnlyList<AgentParameter> parameters)
    {
        var values = new Dictionary<string, string?>(StringComparer.Ordinal);
        var known = string.Join(", ", tool.Parameters.Select(p => p.Required ? $"{p.Name} (required)" : p.Name));
        foreach (var p in parameters)
        {
            if (tool.Parameters.All(d => d.Name != p.Name))
            {
                throw new ToolInputException($"unknown parameter '{Clip(p.Name)}' for {tool.Name}; it takes: {(known.Length > 0 ? known : "no parameters")}");
            }

            if (!values.TryAdd(p.Name, p.Value))
            {
                throw new ToolInputException($"parameter {p.Name} is given more than once");
            }
        }

        foreach (var d in tool.Parameters.Where(d => d.Required))
        {
            if (!values.TryGetValue(d.Name, out var v) || string.IsNullOrWhiteSpace(v))
            {
                throw new ToolInputException($"parameter {d.Name} is required: {d.Description}");
            }
        }

        return new ToolArguments(tool, values);
    }

    /// <summary>The raw value, or null when absent or blank.</summary>
    public string? Raw(string name)
    {
        Declared(name);
        return _values.TryGetValue(name, out var v) && !string.IsNullOrWhiteSpace(v) ? v.Trim() : null;
    }

    /// <summary>An id: 1 to <see cref="MaxIdLength"/> letters, digits or <c>_ . : -</c>.</summary>
    public string Id(string name)
    {
        var v = Raw(name) ?? throw new ToolInputException($"parameter {name} is required");
        if (!IsId(v))
        {
            throw new ToolInputException($"parameter {name} must be 1 to {MaxIdLength} letters, digits or _ . : - (got {Describe(v)})");
        }

        return v;
    }

    /// <summary>A whole number in [<paramref name="min"/>, <paramref name="max"/>], or <paramref name="fallback"/> when absent.</summary>
    public int Integer(string name, int min, int max, int fallback)
    {
        var v = Raw(name);
        if (v is null)
        {
            return fallback;
        }

        if (!long.TryParse(v, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n))
        {
            throw new ToolInputException($"parameter {name} must be a whole number from {min} to {max} (got {Describe(v)})");
        }

        if (n < min || n > max)
        {
            throw new ToolInputException($"parameter {name} must be from {min} to {max} (got {n.ToString(CultureInfo.InvariantCulture)})");
        }

        return (int)n;
    }

    /// <summary>One of <paramref name="allowed"/> (case-insensitive), returned as spelled in <paramref name="allowed"/>.</summary>
    public string OneOf(string name, IReadOnlyList<string> allowed)
    {
        var v = Raw(name) ?? throw new ToolInputException($"parameter {name} is required: one of {string.Join(", ", allowed)}");
        return allowed.FirstOrDefault(a => string.Equals(a, v, StringComparison.OrdinalIgnoreCase))
            ?? throw new ToolInputException($"parameter {name} must be one of {string.Join(", ", allowed)} (got {Describe(v)})");
    }

    /// <summary>A merchant category code (4 digits), or null when absent.</summary>
    public string? MerchantCategory(string name)
    {
        var v = Raw(name);
        if (v is not null && (v.Length != 4 || !v.All(char.IsAsciiDigit)))
        {
            throw new ToolInputException($"parameter {name} must be a merchant category code of 4 digits, e.g. 5411 (got {Describe(v)})");
        }

        return v;
    }

    /// <summary>Free text of 1 to <paramref name="maxLength"/> characters, without control characters (other than
    /// new lines and tabs) and without anything that looks like a card number.</summary>
    public string Text(string name, int maxLength)
    {
        var v = Raw(name) ?? throw new ToolInputException($"parameter {name} is required");
        if (v.Length > maxLength)
        {
            throw new ToolInputException($"parameter {name} must be at most {maxLength} characters (got {v.Length}); shorten it");
        }

        if (v.Any(c => char.IsControl(c) && c is not '\n' and not '\r' and not '\t'))
        {
            throw new ToolInputException($"parameter {name} contains control characters; use plain text");
        }

        if (ContainsCardNumber(v))
        {
            throw new ToolInputException($"parameter {name} seems to contain a card number; do not include card numbers or other personal data, refer to the transaction id instead");
        }

        return v;
    }

    /// <summary>True for 1 to <see cref="MaxIdLength"/> ASCII letters, digits or <c>_ . : -</c>.</summary>
    public static bool IsId(string v) =>
        v.Length is > 0 and <= MaxIdLength && v.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or ':' or '-');

    /// <summary>True when <paramref name="text"/> holds a run of 13 to 19 digits (single spaces or dashes between them
    /// allowed) that passes the Luhn check: the shape of a payment card number.</summary>
    public static bool ContainsCardNumber(string text)
    {
        var digits = new List<int>();
        for (var i = 0; i <= text.Length; i++)
        {
            var c = i < text.Length ? text[i] : '\0';
            if (char.IsAsciiDigit(c))
            {
                digits.Add(c - '0');
                continue;
            }

            if ((c is ' ' or '-') && digits.Count > 0 && i + 1 < text.Length && char.IsAsciiDigit(text[i + 1]))
            {
                continue;
            }

            if (HasCardRun(digits))
            {
                return true;
            }

            digits.Clear();
        }

        return false;
    }

    private static bool HasCardRun(List<int> digits) => digits.Count is >= 13 and <= 19 && Luhn(digits, 0, digits.Count);

    private static bool Luhn(List<int> digits, int start, int length)
    {
        var sum = 0;
        for (var i = 0; i < length; i++)
        {
            var d = digits[start + length - 1 - i];
            if (i % 2 == 1)
            {
                d *= 2;
                if (d > 9)
                {
                    d -= 9;
                }
            }

            sum += d;
        }

        return sum % 10 == 0;
    }

    private void Declared(string name)
    {
        if (_tool.Parameters.All(p => p.Name != name))
        {
            throw new InvalidOperationException($"{_tool.Name} declares no parameter {name} (AnalystTools and the function disagree)");
        }
    }

    // The model sees what it sent, shortened; never logged.
    private static string Describe(string v) => $"'{Clip(v)}'";

    private static string Clip(string v) => v.Length <= 40 ? v : v[..40] + "...";
}
