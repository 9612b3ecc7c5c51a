using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace FraudTf.Cost;

/// <summary>
/// A synthesized stack (<c>cdk.tf.json</c>) read as plain JSON: its resources by type and name, and the resolution
/// of <c>${type.name.attribute}</c> references between them.
/// </summary>
public sealed partial class StackDocument
{
    private readonly Dictionary<string, StackResource> _byAddress;

    private StackDocument(string file, IReadOnlyList<StackResource> resources)
    {
        File = file;
        Resources = resources;
        _byAddress = resources.ToDictionary(r => r.Address, StringComparer.Ordinal);
    }

    /// <summary>The file the stack came from, as shown in messages.</summary>
    public string File { get; }

    /// <summary>Every resource, sorted by type, then name.</summary>
    public IReadOnlyList<StackResource> Resources { get; }

    /// <summary>Loads a stack file; <paramref name="displayFile"/> names it in messages.</summary>
    public static StackDocument Load(string path, string displayFile) =>
        System.IO.File.Exists(path)
            ? Parse(System.IO.File.ReadAllText(path), displayFile)
            : throw new CostDataException($"{displayFile}: not found. Fix: run 'make synth' first (make cost does).");

    /// <summary>Parses the text of a synthesized stack.</summary>
    public static StackDocument Parse(string json, string displayFile)
    {
        using var doc = PriceBook.ParseJson(json, displayFile);
        var resources = new List<StackResource>();
        if (doc.RootElement.TryGetProperty("resource", out var byType) && byType.ValueKind == JsonValueKind.Object)
        {
            foreach (var type in byType.EnumerateObject())
            {
                foreach (var r in type.Value.EnumerateObject())
                {
                    resources.Add(new StackResource(type.Name, r.Name, r.Value.Clone()));
                }
            }
        }

        return new StackDocument(displayFile, resources
            .OrderBy(r => r.Type, StringComparer.Ordinal).ThenBy(r => r.Name, StringComparer.Ordinal).ToList());
    }

    /// <summary>The resources of one Terraform type, sorted by name.</summary>
    public IEnumerable<StackResource> OfType(string type) => Resources.Where(r => r.Type == type);

    /// <summary>The resource a reference such as <c>${aws_kinesis_stream.x.arn}</c> points to; null if it names none.</summary>
    public StackResource? Resolve(string? reference)
    {
        if (reference is null)
        {
            return null;
        }

        var m = Reference().Match(reference);
        return m.Success && _byAddress.TryGetValue($"{m.Groups[1].Value}.{m.Groups[2].Value}", out var r) ? r : null;
    }

    /// <summary>Resources of <paramref name="type"/> whose attributes reference <paramref name="target"/>.</summary>
    public IEnumerable<StackResource> Referencing(StackResource target, string? type = null) =>
        Resources.Where(r => (type is null || r.Type == type) && r != target && r.ReferencesAddress(target.Address));

    [GeneratedRegex(@"^\$\{([a-z0-9_]+)\.([A-Za-z0-9_-]+)(\.|\})")]
    private static partial Regex Reference();
}

/// <summary>One resource of a synthesized stack: its Terraform type, logical name and attributes.</summary>
public sealed class StackResource(string type, string name, JsonElement body)
{
    private readonly string _text = body.GetRawText();

    /// <summary>Terraform type, e.g. <c>aws_dynamodb_table</c>.</summary>
    public string Type { get; } = type;

    /// <summary>Logical name (the CDKTF unique id), e.g. <c>storage_transactions-table_this_BBA080AA</c>.</summary>
    public string Name { get; } = name;

    /// <summary>The attributes as synthesized.</summary>
    public JsonElement Body { get; } = body;

    /// <summary>The Terraform address <c>type.name</c>.</summary>
    public string Address => $"{Type}.{Name}";

    /// <summary>True when some attribute references <paramref name="address"/> (<c>${address.…}</c>).</summary>
    public bool ReferencesAddress(string address) => _text.Contains("${" + address + ".", StringComparison.Ordinal);

    /// <summary>
    /// The element at a dotted path; a one-element array on the way (how Terraform JSON writes a nested block) is
    /// stepped into. Null when absent or JSON null.
    /// </summary>
    public JsonElement? At(string path)
    {
        var e = Body;
        foreach (var step in path.Split('.'))
        {
            e = Unwrap(e);
            if (e.ValueKind != JsonValueKind.Object || !e.TryGetProperty(step, out e))
            {
                return null;
            }
        }

        e = Unwrap(e);
        return e.ValueKind is JsonValueKind.Null or JsonValueKind.Undefined ? null : e;
    }

    /// <summary>The string at <paramref name="path"/>, or null.</summary>
    public string? Str(string path) => At(path) is { ValueKind: JsonValueKind.String } v ? v.GetString() : null;

    /// <summary>The number at <paramref name="path"/> (a numeric string counts), or null.</summary>
    public double? Num(string path) => At(path) switch
    {
        { ValueKind: JsonValueKind.Number } v => v.GetDouble(),
        { ValueKind: JsonValueKind.String } v when double.TryParse(v.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var d) => d,
        _ => null,
    };

    /// <summary>The boolean at <paramref name="path"/>, or null.</summary>
    public bool? Bool(string path) => At(path) is { ValueKind: JsonValueKind.True or JsonValueKind.False } v ? v.GetBoolean() : null;

    /// <summary>The items of the block list at <paramref name="path"/> (a single object counts as one item).</summary>
    public IReadOnlyList<JsonElement> Items(string path)
    {
        var e = Body;
        var steps = path.Split('.');
        for (var i = 0; i < steps.Length; i++)
        {
            e = Unwrap(e);
            if (e.ValueKind != JsonValueKind.Object || !e.TryGetProperty(steps[i], out e))
            {
                return [];
            }
        }

        return e.ValueKind switch
        {
            JsonValueKind.Array => e.EnumerateArray().ToList(),
            JsonValueKind.Object => [e],
            _ => [],
        };
    }

    /// <summary>The number a required attribute must hold; an error naming the resource when it does not.</summary>
    public double RequiredNum(string path, string file) =>
        Num(path) ?? throw new CostDataException($"{file}: {Address} has no number '{path}', which its cost model needs. Fix: set it in the construct, or adapt tools/Cost.");

    private static JsonElement Unwrap(JsonElement e) => e.ValueKind == JsonValueKind.Array && e.GetArrayLength() == 1 ? e[0] : e;
}
