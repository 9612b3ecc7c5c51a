using System.Text.Json.Nodes;

namespace FraudTf.Cost;

/// <summary>
/// A synthesized stack as the cost model reads it: the file (<see cref="StackDocument"/>, FraudTf.Stacks' reader), and
/// attribute values by dotted path, where a one-element array on the way (how Terraform JSON writes a nested block) is
/// stepped into.
/// </summary>
public static class CostStack
{
    /// <summary>Loads a stack file; <paramref name="displayFile"/> names it in messages.</summary>
    public static StackDocument Load(string path, string displayFile) =>
        File.Exists(path)
            ? Parse(File.ReadAllText(path), displayFile)
            : throw new CostDataException($"{displayFile}: not found. Fix: run 'make synth' first (make cost does).");

    /// <summary>Parses the text of a synthesized stack.</summary>
    public static StackDocument Parse(string json, string displayFile)
    {
        using var doc = PriceBook.ParseJson(json, displayFile);
        return new StackDocument(JsonObject.Create(doc.RootElement.Clone())!, displayFile);
    }

    /// <summary>The value at a dotted path of <paramref name="r"/>'s attributes; null when absent or JSON null.</summary>
    internal static JsonNode? At(this StackResource r, string path)
    {
        JsonNode? e = r.Body;
        foreach (var step in path.Split('.'))
        {
            if (Unwrap(e) is not JsonObject o || !o.TryGetPropertyValue(step, out e))
            {
                return null;
            }
        }

        return Unwrap(e);
    }

    /// <summary>The string at <paramref name="path"/>, or null.</summary>
    internal static string? Str(this StackResource r, string path) =>
        r.At(path) is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : null;

    /// <summary>The number at <paramref name="path"/> (a numeric string counts), or null.</summary>
    internal static double? Num(this StackResource r, string path) => r.At(path) is JsonValue v
        ? v.GetValueKind() switch
        {
            JsonValueKind.Number => v.GetValue<double>(),
            JsonValueKind.String when double.TryParse(v.GetValue<string>(), NumberStyles.Float, CultureInfo.InvariantCulture, out var d) => d,
            _ => null,
        }
        : null;

    /// <summary>The boolean at <paramref name="path"/>, or null.</summary>
    internal static bool? Bool(this StackResource r, string path) => r.At(path) is JsonValue v
        ? v.GetValueKind() switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => null,
        }
        : null;

    /// <summary>The items of the block list at <paramref name="path"/> (a single object counts as one item).</summary>
    internal static IReadOnlyList<JsonNode?> Items(this StackResource r, string path)
    {
        JsonNode? e = r.Body;
        foreach (var step in path.Split('.'))
        {
            if (Unwrap(e) is not JsonObject o || !o.TryGetPropertyValue(step, out e))
            {
                return [];
            }
        }

        return e switch
        {
            JsonArray a => a.ToList(),
            JsonObject o => [o],
            _ => [],
        };
    }

    /// <summary>The number a required attribute must hold; an error naming the resource when it does not.</summary>
    internal static double RequiredNum(this StackResource r, string path, string file) =>
        r.Num(path) ?? throw new CostDataException($"{file}: {r.Address} has no number '{path}', which its cost model needs. Fix: set it in the construct, or adapt tools/Cost.");

    private static JsonNode? Unwrap(JsonNode? e) => e is JsonArray { Count: 1 } a ? a[0] : e;
}
