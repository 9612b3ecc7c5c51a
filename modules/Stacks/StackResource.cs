using System.Text.Json.Nodes;

namespace FraudTf.Stacks;

/// <summary>
/// One resource or data source of a synthesized stack: its Terraform type, its name in the stack (the CDKTF logical
/// id), its JSON body, and the metadata cdktf and the app write under <c>"//"</c> (the construct path, policy and gate
/// exceptions, the metrics a function emits).
/// <para>
/// Reading attribute values stays with the readers, whose rules differ on purpose: the security policy reads the first
/// object of a nested block, the cost tool steps into one-element block lists, the deployability gate into the first
/// block of a list.
/// </para>
/// </summary>
public sealed class StackResource
{
    // Alike on purpose: an immutable value (null checks, then get-only properties), the plain C# shape of the small
    // classes the tools also have; nothing to share beyond the language's idiom.
    /// <summary>A resource (or, with <paramref name="isData"/>, a data source) of <paramref name="type"/> named <paramref name="name"/>.</summary>
    public StackResource(string type, string name, JsonObject body, bool isData = false)
    {
        ArgumentNullException.ThrowIfNull(type);
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(body);
        Type = type;
        Name = name;
        Body = body;
        IsData = isData;
    }

    /// <summary>Terraform type, e.g. <c>aws_s3_bucket</c>.</summary>
    public string Type { get; }

    /// <summary>Name in the stack (the CDKTF logical id), e.g. <c>storage_transactions-table_this_BBA080AA</c>.</summary>
    public string Name { get; }

    /// <summary>The block's JSON as synthesized (the stack's own object: changes to it show in the stack).</summary>
    public JsonObject Body { get; }

    /// <summary>True for a data source (a block of the stack's <c>data</c> section).</summary>
    public bool IsData { get; }

    /// <summary>Terraform address: <c>type.name</c>, or <c>data.type.name</c> for a data source.</summary>
    public string Address => IsData ? $"data.{Type}.{Name}" : $"{Type}.{Name}";

    /// <summary>The construct path cdktf records in <c>"//".metadata.path</c>, or null when there is none.</summary>
    public string? ConstructPath => ConstructPathOf(Body);

    /// <summary>The construct path recorded in a resource body (<c>"//".metadata.path</c>), or null when there is none.</summary>
    public static string? ConstructPathOf(JsonObject body)
    {
        ArgumentNullException.ThrowIfNull(body);
        return body["//"]?["metadata"]?["path"] is JsonValue v && v.TryGetValue<string>(out var path) ? path : null;
    }

    /// <summary>A metadata value written next to cdktf's own (<c>"//".&lt;key&gt;</c>, e.g. <c>policy_exceptions</c>), or null.</summary>
    public JsonNode? Metadata(string key) => Body["//"]?[key];

    /// <summary>True when some string of the body holds a reference to <paramref name="address"/> (<c>${address.…</c>).</summary>
    public bool ReferencesAddress(string address)
    {
        var prefix = "${" + address + ".";
        return TerraformReference.StringsIn(Body).Any(s => s.Contains(prefix, StringComparison.Ordinal));
    }

    /// <summary>True when <paramref name="value"/> (any JSON) holds a reference to this resource (see <see cref="TerraformReference.AddressesIn"/>).</summary>
    public bool IsReferencedBy(JsonNode? value) => TerraformReference.AddressesIn(value).Contains(Address);
}
