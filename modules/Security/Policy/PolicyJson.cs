using System.Globalization;

namespace FraudTf.Security.Policy;

/// <summary>How the rules read the values of a synthesized resource: nested blocks, scalars, flags and references.</summary>
internal static class PolicyJson
{
    /// <summary>The objects of a nested block, whether synthesized as one object or as a list of objects.</summary>
    public static IReadOnlyList<JsonObject> Blocks(JsonNode? node) => node switch
    {
        JsonObject o => [o],
        JsonArray a => a.OfType<JsonObject>().ToList(),
        _ => [],
    };

    /// <summary>The first object of a nested block, or null.</summary>
    public static JsonObject? Block(JsonNode? node) => Blocks(node).FirstOrDefault();

    /// <summary>A scalar as text (strings as they are, numbers and booleans in JSON form), or null.</summary>
    public static string? Str(JsonNode? node) => node is JsonValue v
        ? v.GetValueKind() switch
        {
            JsonValueKind.String => v.GetValue<string>(),
            JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False => v.ToJsonString(),
            _ => null,
        }
        : null;

    /// <summary>A string or the strings of an array.</summary>
    public static IReadOnlyList<string> Strings(JsonNode? node) => node switch
    {
        JsonArray a => a.Select(Str).OfType<string>().ToList(),
        JsonValue => Str(node) is { } s ? [s] : [],
        _ => [],
    };

    /// <summary>A number, or a string holding one; null otherwise.</summary>
    public static double? Number(JsonNode? node) =>
        double.TryParse(Str(node), NumberStyles.Float, CultureInfo.InvariantCulture, out var n) ? n : null;

    /// <summary>True for <c>true</c> or <c>"true"</c> (any case).</summary>
    public static bool IsTrue(JsonNode? node) => Str(node) is { } s && s.Equals("true", StringComparison.OrdinalIgnoreCase);

    /// <summary>True for <c>false</c> or <c>"false"</c> (any case).</summary>
    public static bool IsFalse(JsonNode? node) => Str(node) is { } s && s.Equals("false", StringComparison.OrdinalIgnoreCase);

    /// <summary>True when <paramref name="value"/> is neither null nor blank.</summary>
    public static bool IsSet(string? value) => !string.IsNullOrWhiteSpace(value);

    /// <summary>True when <paramref name="value"/> is a Terraform interpolation (<c>${…}</c>), known only at apply.</summary>
    public static bool IsReference(string? value) => value is not null && value.StartsWith("${", StringComparison.Ordinal);

    /// <summary>A value as a message quotes it: a JSON string, or <c>unset</c>.</summary>
    public static string Quote(string? value) => value is null ? "unset" : JsonSerializer.Serialize(value);
}
