using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace FraudTf.Stacks;

/// <summary>
/// A reference to an attribute of a resource, <c>${type.name.attribute}</c>, as cdktf writes a token of one resource
/// into another's arguments; and the ways the readers find references in synthesized values.
/// </summary>
/// <param name="Type">Terraform type of the referenced resource, e.g. <c>aws_kinesis_stream</c>.</param>
/// <param name="Name">Its name in the stack.</param>
/// <param name="Attribute">The attribute read, e.g. <c>arn</c>.</param>
public readonly partial record struct TerraformReference(string Type, string Name, string Attribute)
{
    /// <summary>The Terraform address of the referenced resource, <c>type.name</c>.</summary>
    public string Address => $"{Type}.{Name}";

    /// <summary>
    /// The reference <paramref name="value"/> is as a whole: exactly <c>${type.name.attribute}</c>, nothing before or
    /// after it and no second interpolation; null otherwise (a literal, a longer expression, a data source).
    /// </summary>
    public static TerraformReference? ParseWhole(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (!value.StartsWith("${", StringComparison.Ordinal) || !value.EndsWith('}') || value.IndexOf("${", 2, StringComparison.Ordinal) >= 0)
        {
            return null;
        }

        var parts = value[2..^1].Split('.');
        return parts.Length == 3 ? new TerraformReference(parts[0], parts[1], parts[2]) : null;
    }

    /// <summary>
    /// The address (<c>type.name</c>) of the resource <paramref name="value"/> starts by referencing
    /// (<c>${type.name.…</c> or <c>${type.name}</c>, whatever follows), or null when it starts otherwise.
    /// </summary>
    public static string? LeadingAddress(string? value)
    {
        if (value is null)
        {
            return null;
        }

        var m = LeadingReference().Match(value);
        return m.Success ? $"{m.Groups[1].Value}.{m.Groups[2].Value}" : null;
    }

    /// <summary>
    /// The addresses (<c>type.name</c>, <c>data.type.name</c>) of the AWS resources and data sources referenced anywhere
    /// inside <paramref name="value"/> (any JSON; each interpolation <c>${…}</c> counts for its first reference, also
    /// inside a function call such as <c>${jsonencode(aws_x.y.arn)}</c>), sorted.
    /// </summary>
    public static IReadOnlyCollection<string> AddressesIn(JsonNode? value)
    {
        var found = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var s in StringsIn(value))
        {
            foreach (Match m in InterpolatedReference().Matches(s))
            {
                found.Add($"{m.Groups[1].Value}{m.Groups[2].Value}.{m.Groups[3].Value}");
            }
        }

        return found;
    }

    /// <summary>Every string value inside <paramref name="node"/> (object keys excluded), depth first.</summary>
    internal static IEnumerable<string> StringsIn(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject o:
                foreach (var (_, child) in o)
                {
                    foreach (var s in StringsIn(child))
                    {
                        yield return s;
                    }
                }

                break;
            case JsonArray a:
                foreach (var child in a)
                {
                    foreach (var s in StringsIn(child))
                    {
                        yield return s;
                    }
                }

                break;
            case JsonValue v when v.TryGetValue<string>(out var text):
                yield return text;
                break;
        }
    }

    [GeneratedRegex(@"^\$\{([a-z0-9_]+)\.([A-Za-z0-9_-]+)(\.|\})")]
    private static partial Regex LeadingReference();

    [GeneratedRegex(@"\$\{[^}]*?(?<![\w.])(data\.)?(aws_[a-z0-9_]+)\.([A-Za-z0-9_\-]+)")]
    private static partial Regex InterpolatedReference();
}
