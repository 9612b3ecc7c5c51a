using System.Globalization;

namespace FraudTf.Functions.Shared.Settings;

/// <summary>A missing or malformed environment variable: the message names the variable, what is wrong and the fix.</summary>
public sealed class SettingsException(string message) : InvalidOperationException(message);

/// <summary>
/// The one settings reader of the functions: reads environment variables by their <see cref="FunctionEnvironment"/> names,
/// parses numbers with the invariant culture (no sign, no separators), and fails with a <see cref="SettingsException"/>
/// naming the variable and what was wrong. It records every name it was asked for (<see cref="NamesRead"/>), so a test
/// can compare what a function reads with what the stack sets.
/// </summary>
public sealed class SettingsReader
{
    private readonly Func<string, string?> _read;
    private readonly SortedSet<string> _names = new(StringComparer.Ordinal);

    /// <summary>Reads from <paramref name="read"/> (the process environment by default).</summary>
    public SettingsReader(Func<string, string?>? read = null) => _read = read ?? System.Environment.GetEnvironmentVariable;

    /// <summary>Every variable name read so far, sorted.</summary>
    public IReadOnlyCollection<string> NamesRead => _names;

    /// <summary>The raw value, or null when the variable is unset or empty.</summary>
    public string? Optional(string name)
    {
        _names.Add(name);
        return _read(name) is { Length: > 0 } v ? v : null;
    }

    /// <summary>The value, or <paramref name="fallback"/> when the variable is unset or empty.</summary>
    public string Optional(string name, string fallback) => Optional(name) ?? fallback;

    /// <summary>The value; a <see cref="SettingsException"/> when the variable is unset or empty.</summary>
    public string Required(string name) => Optional(name)
        ?? throw new SettingsException($"environment variable {name} is not set. Fix: the stack sets it on the deployed function (modules/Platform/FraudDetectionStack.cs, FunctionEnvironment.{name}); set it when running the function elsewhere.");

    /// <summary>A whole number from <paramref name="min"/> to <paramref name="max"/>, or <paramref name="fallback"/> when unset.</summary>
    public int Int(string name, int fallback, int min = 1, int max = int.MaxValue)
    {
        if (Optional(name) is not { } v)
        {
            return fallback;
        }

        return int.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= min && n <= max
            ? n
            : throw new SettingsException(min == 1 && max == int.MaxValue
                ? $"environment variable {name} = '{Clip(v)}' is not a positive whole number. Fix: digits only, e.g. {fallback.ToString(CultureInfo.InvariantCulture)}."
                : $"environment variable {name} = '{Clip(v)}' is not a whole number from {min.ToString(CultureInfo.InvariantCulture)} to {max.ToString(CultureInfo.InvariantCulture)}. Fix: digits only, e.g. {fallback.ToString(CultureInfo.InvariantCulture)}.");
    }

    /// <summary>An absolute URI, or null when unset.</summary>
    public Uri? OptionalAbsoluteUri(string name)
    {
        if (Optional(name) is not { } v)
        {
            return null;
        }

        return Uri.TryCreate(v, UriKind.Absolute, out var uri)
            ? uri
            : throw new SettingsException($"environment variable {name} = '{Clip(v)}' is not an absolute URL. Fix: e.g. http://127.0.0.1:4566, or unset it.");
    }

    /// <summary>
    /// A value parsed by <paramref name="parse"/> (e.g. JSON), or <paramref name="fallback"/> when unset; any exception of
    /// the parser becomes a <see cref="SettingsException"/> naming the variable, <paramref name="expected"/> and the parser's message.
    /// </summary>
    public T Parsed<T>(string name, T fallback, string expected, Func<string, T?> parse)
    {
        if (Optional(name) is not { } v)
        {
            return fallback;
        }

        try
        {
            return parse(v) ?? throw new FormatException("the value parses to nothing");
        }
        catch (Exception e) when (e is not SettingsException)
        {
            throw new SettingsException($"environment variable {name} is not {expected}: {e.Message} Fix: correct the value the stack sets (or unset it for the defaults).");
        }
    }

    private static string Clip(string v) => v.Length <= 64 ? v : v[..64] + "...";
}
