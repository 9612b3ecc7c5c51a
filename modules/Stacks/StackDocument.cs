using System.Text.Json.Nodes;

namespace FraudTf.Stacks;

/// <summary>
/// A synthesized stack (the JSON of a <c>cdk.tf.json</c>, or a stack's resolved JSON at synth) read as plain JSON: its
/// resources and data sources by type and address, and the resolution of references between them. Reading a file and
/// reporting that it is missing or not JSON is the caller's (each tool says how to fix it in its own words).
/// </summary>
public sealed class StackDocument
{
    private readonly Dictionary<string, StackResource> _byAddress;
    private readonly Dictionary<string, List<StackResource>> _byType = new(StringComparer.Ordinal);

    /// <summary>
    /// Indexes <paramref name="json"/>; <paramref name="file"/> names it in messages (by default <c>cdk.tf.json</c>, the file
    /// every stack is synthesized into).
    /// </summary>
    public StackDocument(JsonObject json, string file = "cdk.tf.json")
    {
        ArgumentNullException.ThrowIfNull(json);
        ArgumentNullException.ThrowIfNull(file);
        Json = json;
        File = file;
        Resources = Read(json, "resource", isData: false);
        DataSources = Read(json, "data", isData: true);
        _byAddress = Resources.Concat(DataSources).ToDictionary(r => r.Address, StringComparer.Ordinal);
        foreach (var r in Resources)
        {
            if (!_byType.TryGetValue(r.Type, out var list))
            {
                _byType[r.Type] = list = [];
            }

            list.Add(r);
        }
    }

    /// <summary>The whole stack.</summary>
    public JsonObject Json { get; }

    /// <summary>The file the stack came from, as messages name it.</summary>
    public string File { get; }

    /// <summary>
    /// Every resource (<c>resource</c> section), sorted by type, then name (ordinal; the order cdktf writes them in, kept
    /// whatever produced the JSON). Blocks that are not JSON objects are skipped.
    /// </summary>
    public IReadOnlyList<StackResource> Resources { get; }

    /// <summary>Every data source (<c>data</c> section), sorted by type, then name.</summary>
    public IReadOnlyList<StackResource> DataSources { get; }

    /// <summary>Resources and data sources by Terraform address (<c>type.name</c>, <c>data.type.name</c>).</summary>
    public IReadOnlyDictionary<string, StackResource> ByAddress => _byAddress;

    /// <summary>The resources (not data sources) of one type, sorted by name.</summary>
    public IReadOnlyList<StackResource> OfType(string type) => _byType.TryGetValue(type, out var list) ? list : [];

    /// <summary>
    /// The resource a reference such as <c>${aws_kinesis_stream.x.arn}</c> starts with (see
    /// <see cref="TerraformReference.LeadingAddress"/>); null if it names none of the stack's resources.
    /// </summary>
    public StackResource? Resolve(string? reference) =>
        TerraformReference.LeadingAddress(reference) is { } address && _byAddress.TryGetValue(address, out var r) ? r : null;

    /// <summary>The resources of <paramref name="type"/> (any type when null), other than <paramref name="target"/>, whose attributes reference it.</summary>
    public IEnumerable<StackResource> Referencing(StackResource target, string? type = null) =>
        Resources.Where(r => (type is null || r.Type == type) && r != target && r.ReferencesAddress(target.Address));

    /// <summary>
    /// Every addressable block of a stack with its Terraform address: <c>type.name</c> for resources,
    /// <c>data.type.name</c>, <c>provider.aws</c>, <c>output.x</c>, <c>local.x</c>, <c>var.x</c>, <c>module.x</c>,
    /// <c>terraform</c>; in document order. The top-level cdktf metadata (<c>//</c>) is not a block.
    /// </summary>
    public static IEnumerable<(string Address, JsonNode? Node)> Blocks(JsonObject stack)
    {
        ArgumentNullException.ThrowIfNull(stack);
        foreach (var (section, value) in stack)
        {
            switch (section)
            {
                case "//":
                    break;
                case "resource" or "data" when value is JsonObject byType:
                    foreach (var (type, byName) in byType)
                    {
                        if (byName is not JsonObject instances)
                        {
                            continue;
                        }

                        foreach (var (name, body) in instances)
                        {
                            yield return (section == "data" ? $"data.{type}.{name}" : $"{type}.{name}", body);
                        }
                    }

                    break;
                case "terraform":
                    yield return ("terraform", value);
                    break;
                case "provider" or "output" or "locals" or "variable" or "module" when value is JsonObject named:
                    var prefix = section switch { "locals" => "local", "variable" => "var", _ => section };
                    foreach (var (name, body) in named)
                    {
                        yield return ($"{prefix}.{name}", body);
                    }

                    break;
                default:
                    yield return (section, value);
                    break;
            }
        }
    }

    private static IReadOnlyList<StackResource> Read(JsonObject json, string section, bool isData)
    {
        var list = new List<StackResource>();
        if (json[section] is not JsonObject byType)
        {
            return list;
        }

        foreach (var (type, byName) in byType.OrderBy(t => t.Key, StringComparer.Ordinal))
        {
            if (byName is not JsonObject instances)
            {
                continue;
            }

            foreach (var (name, body) in instances.OrderBy(i => i.Key, StringComparer.Ordinal))
            {
                if (body is JsonObject o)
                {
                    list.Add(new StackResource(type, name, o, isData));
                }
            }
        }

        return list;
    }
}
