using System.Text.Json;
using System.Text.RegularExpressions;

namespace FraudTf.Promotion.Validation.Gate;

/// <summary>How the deployability rules read a resource of a synthesized stack (FraudTf.Stacks' <see cref="StackResource"/>).</summary>
public static class GateResources
{
    /// <summary>A top-level string argument, or null when absent or not a string.</summary>
    public static string? String(this StackResource resource, string argument) =>
        resource.Body[argument] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

    /// <summary>The node at a dotted path (<c>a.b.c</c>); blocks synthesized as one-element arrays are stepped into.</summary>
    public static JsonNode? At(this StackResource resource, string dottedPath) => GateStack.At(resource.Body, dottedPath);

    /// <summary>The reason recorded for excepting this resource from <paramref name="ruleId"/> (<c>"//".gate_exceptions.&lt;id&gt;</c>), or null.</summary>
    public static string? ExceptionReason(this StackResource resource, string ruleId) =>
        resource.Metadata("gate_exceptions")?[ruleId] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;
}

/// <summary>A statement of an IAM-style policy document, normalised: single values become lists.</summary>
public sealed record GateStatement(
    string? Sid,
    string Effect,
    IReadOnlyList<(string Kind, string Value)> Principals,
    IReadOnlyList<string> Actions,
    IReadOnlyList<string> NotActions,
    IReadOnlyList<string> Resources,
    JsonObject Conditions)
{
    /// <summary>True for an Allow statement.</summary>
    public bool IsAllow => Effect == "Allow";

    /// <summary>True when the statement lists <paramref name="action"/> (case-insensitive; <c>svc:*</c> and prefix wildcards match).</summary>
    public bool Covers(string action) => Actions.Any(a => GateStack.ActionMatches(a, action));

    /// <summary>The values of a condition key under any operator (<c>StringEquals</c>, <c>ArnLike</c>, ...), or empty.</summary>
    public IReadOnlyList<string> ConditionValues(string op, string key) =>
        Conditions[op] is JsonObject o && o.FirstOrDefault(p => string.Equals(p.Key, key, StringComparison.OrdinalIgnoreCase)).Value is { } v
            ? GateStack.Strings(v)
            : [];

    /// <summary>Every condition key of the statement (under any operator).</summary>
    public IEnumerable<(string Operator, string Key)> ConditionKeys() =>
        Conditions.SelectMany(op => op.Value is JsonObject o ? o.Select(k => (op.Key, k.Key)) : []);
}

/// <summary>
/// A synthesized stack indexed for the deployability rules (with FraudTf.Stacks' <see cref="StackDocument"/>): resources
/// by type and address, references between them (<c>${aws_x.y.attr}</c>), policy documents parsed into statements, and
/// the AWS provider version constraint.
/// </summary>
public sealed class GateStack
{
    private readonly StackDocument _document;

    /// <summary>Indexes <paramref name="stack"/> (a parsed cdk.tf.json) named <paramref name="name"/>.</summary>
    public GateStack(string name, JsonObject stack)
    {
        Name = name;
        _document = new StackDocument(stack);
        Resources = [.. _document.Resources, .. _document.DataSources];
    }

    /// <summary>The stack's name (its folder under cdktf.out/stacks).</summary>
    public string Name { get; }

    /// <summary>The whole stack JSON.</summary>
    public JsonObject Json => _document.Json;

    /// <summary>Every resource, then every data source (each sorted by type, then name).</summary>
    public IReadOnlyList<StackResource> Resources { get; }

    /// <summary>Resources and data sources by Terraform address.</summary>
    public IReadOnlyDictionary<string, StackResource> ByAddress => _document.ByAddress;

    /// <summary>The resources (not data sources) of one type.</summary>
    public IEnumerable<StackResource> OfType(string type) => _document.OfType(type);

    /// <summary>The resource a value refers to (the first <c>${type.name...}</c> reference in it), or null.</summary>
    public StackResource? Referenced(JsonNode? value) =>
        TerraformReference.AddressesIn(value).Select(a => ByAddress.GetValueOrDefault(a)).FirstOrDefault(r => r is not null);

    /// <summary>
    /// The resource of <paramref name="type"/> that <paramref name="value"/> designates: by reference (<c>${type.name.attr}</c>),
    /// or by a literal equal to the resource's <paramref name="nameArgument"/> (e.g. <c>function_name</c>). Null when none.
    /// </summary>
    public StackResource? Designated(JsonNode? value, string type, string nameArgument)
    {
        if (TerraformReference.AddressesIn(value).Select(a => ByAddress.GetValueOrDefault(a)).FirstOrDefault(r => r?.Type == type) is { } byRef)
        {
            return byRef;
        }

        var literal = value is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;
        return literal is null ? null : OfType(type).FirstOrDefault(r => r.String(nameArgument) == literal);
    }

    /// <summary>The <c>version</c> constraint of <c>terraform.required_providers.aws</c>, or null when none is given.</summary>
    public string? AwsProviderConstraint => Json["terraform"]?["required_providers"]?["aws"]?["version"]?.GetValue<string>();

    /// <summary>The node at a dotted path; one-element arrays (how cdktf writes single blocks) are stepped into.</summary>
    public static JsonNode? At(JsonNode? node, string dottedPath)
    {
        foreach (var part in dottedPath.Split('.'))
        {
            if (node is JsonArray { Count: > 0 } a)
            {
                node = a[0];
            }

            node = node is JsonObject o ? o[part] : null;
            if (node is null)
            {
                return null;
            }
        }

        return node;
    }

    /// <summary>A JSON value as a list of strings (a string, or an array of strings; numbers and booleans as text).</summary>
    public static IReadOnlyList<string> Strings(JsonNode? node) => node switch
    {
        null => [],
        JsonArray a => a.Select(x => x is JsonValue v ? v.ToString() : x?.ToJsonString() ?? "").ToList(),
        JsonValue v => [v.ToString()],
        _ => [node.ToJsonString()],
    };

    /// <summary>
    /// Parses a policy document (a JSON string as synthesized, or an object) into statements. Terraform references
    /// inside the string are kept as text. Returns null when the value is not a JSON policy document.
    /// </summary>
    public static IReadOnlyList<GateStatement>? Statements(JsonNode? policy)
    {
        JsonNode? doc = policy;
        if (policy is JsonValue v && v.TryGetValue<string>(out var text))
        {
            try
            {
                doc = JsonNode.Parse(text);
            }
            catch (JsonException)
            {
                return null;
            }
        }

        if (doc?["Statement"] is not { } st)
        {
            return null;
        }

        var list = new List<GateStatement>();
        foreach (var s in st is JsonArray arr ? arr : new JsonArray(st.DeepClone()))
        {
            if (s is not JsonObject o)
            {
                continue;
            }

            var principals = new List<(string, string)>();
            switch (o["Principal"])
            {
                case JsonValue pv:
                    principals.Add(("*", pv.ToString()));
                    break;
                case JsonObject po:
                    foreach (var (kind, values) in po)
                    {
                        principals.AddRange(Strings(values).Select(x => (kind, x)));
                    }

                    break;
            }

            list.Add(new GateStatement(
                o["Sid"]?.ToString(),
                o["Effect"]?.ToString() ?? "Allow",
                principals,
                Strings(o["Action"]),
                Strings(o["NotAction"]),
                Strings(o["Resource"]),
                o["Condition"] as JsonObject ?? []));
        }

        return list;
    }

    /// <summary>True when the policy action pattern <paramref name="pattern"/> (may hold <c>*</c> and <c>?</c>) matches <paramref name="action"/>, case-insensitively as IAM does.</summary>
    public static bool ActionMatches(string pattern, string action)
    {
        if (pattern == "*")
        {
            return true;
        }

        var regex = "^" + Regex.Escape(pattern).Replace("\\*", ".*").Replace("\\?", ".") + "$";
        return Regex.IsMatch(action, regex, RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);
    }
}
