using System.Text.RegularExpressions;

namespace FraudTf.Promotion.Validation;

/// <summary>One problem found in a synthesized stack.</summary>
/// <param name="Stack">Stack name (folder under cdktf.out/stacks).</param>
/// <param name="Address">Terraform address of the block, e.g. <c>aws_kinesis_stream.x</c> or <c>provider.aws</c>.</param>
/// <param name="Path">JSON path inside the block, e.g. <c>point_in_time_recovery.enabled</c>.</param>
/// <param name="Check">Which check failed: unknown-type, unknown-argument, missing-required, unknown-reference, unknown-attribute, bad-meta-argument.</param>
/// <param name="Message">What is wrong and how to fix it.</param>
public sealed record ValidationError(string Stack, string Address, string Path, string Check, string Message)
{
    /// <inheritdoc />
    public override string ToString() =>
        $"{Stack}: {Address}{(Path.Length > 0 ? " " + Path : "")}: [{Check}] {Message}";
}

/// <summary>
/// Offline validation of a synthesized Terraform JSON stack against the AWS provider schema: resource and data source
/// types exist; every argument and nested block exists (overrides included, cdktf's <c>//</c> metadata skipped);
/// required arguments are present; every reference (<c>aws_x.name.attr</c>, <c>data.aws_x.name.attr</c>,
/// <c>var.x</c>, <c>local.x</c>, and <c>depends_on</c> entries) names a declared block and, for resources and data
/// sources, an attribute of its type.
/// </summary>
public static partial class StackValidator
{
    private static readonly HashSet<string> ResourceMetaArguments = new(StringComparer.Ordinal)
        { "count", "for_each", "depends_on", "provider", "lifecycle", "provisioner", "connection" };

    private static readonly HashSet<string> LifecycleArguments = new(StringComparer.Ordinal)
        { "create_before_destroy", "prevent_destroy", "ignore_changes", "replace_triggered_by", "precondition", "postcondition" };

    private static readonly HashSet<string> TopLevelKeys = new(StringComparer.Ordinal)
        { "//", "terraform", "provider", "resource", "data", "variable", "locals", "output", "module", "moved", "import", "check", "removed" };

    [GeneratedRegex(@"(?<![\w.\-])(data\.)?([a-z][a-z0-9]*_[a-z0-9_]+)\.([A-Za-z_][A-Za-z0-9_\-]*)((?:\.[A-Za-z0-9_\-]+|\[[^\]]*\])*)")]
    private static partial Regex ResourceReference();

    [GeneratedRegex(@"(?<![\w.\-])(var|local)\.([A-Za-z_][A-Za-z0-9_\-]*)")]
    private static partial Regex ValueReference();

    [GeneratedRegex("\"(?:[^\"\\\\]|\\\\.)*\"")]
    private static partial Regex StringLiteral();

    /// <summary>Validates one stack; returns every problem found (empty when valid), in document order.</summary>
    public static IReadOnlyList<ValidationError> Validate(string stackName, JsonObject stack, ProviderSchema schema)
    {
        var v = new Run(stackName, stack, schema);
        v.ValidateAll();
        return v.Errors;
    }

    private sealed class Run(string stackName, JsonObject stack, ProviderSchema schema)
    {
        public List<ValidationError> Errors { get; } = [];

        private void Error(string address, string path, string check, string message) =>
            Errors.Add(new ValidationError(stackName, address, path, check, message));

        public void ValidateAll()
        {
            foreach (var (key, _) in stack)
            {
                if (!TopLevelKeys.Contains(key))
                {
                    Error("(root)", key, "unknown-argument",
                        $"'{key}' is not a top-level Terraform JSON key. Fix: use one of {string.Join(", ", TopLevelKeys.Where(k => k != "//").Order())}.");
                }
            }

            ValidateProviders();
            ValidateBlocks("resource", schema.Resources, "");
            ValidateBlocks("data", schema.DataSources, "data.");
            ValidateReferences();
        }

        private void ValidateProviders()
        {
            if (stack["provider"] is not JsonObject providers)
            {
                return;
            }

            foreach (var (name, value) in providers)
            {
                if (name != "aws")
                {
                    Error($"provider.{name}", "", "unknown-type",
                        $"provider '{name}' is not validated here (only hashicorp/aws {schema.ProviderVersion} is pinned). Fix: remove it or add its schema to tools/Promotion/schema/aws-schema.mjs.");
                    continue;
                }

                foreach (var (element, i) in Elements(value!))
                {
                    ValidateBody($"provider.aws{(value is JsonArray ? $"[{i}]" : "")}", "", element, schema.Provider, topLevel: false, "provider aws");
                }
            }
        }

        private void ValidateBlocks(string section, IReadOnlyDictionary<string, BlockSchema> types, string prefix)
        {
            if (stack[section] is not JsonObject byType)
            {
                return;
            }

            foreach (var (type, byName) in byType)
            {
                if (!types.TryGetValue(type, out var typeSchema))
                {
                    var kind = section == "data" ? "data source" : "resource type";
                    Error($"{prefix}{type}", "", "unknown-type",
                        $"'{type}' is not a {kind} of the AWS provider {schema.ProviderVersion}.{Suggest(type, types.Keys)} " +
                        "Fix: use a type the provider has (see bindings/aws-provider.txt and the provider's registry docs).");
                    continue;
                }

                if (byName is not JsonObject instances)
                {
                    continue;
                }

                foreach (var (name, body) in instances)
                {
                    if (body is JsonObject obj)
                    {
                        ValidateBody($"{prefix}{type}.{name}", "", obj, typeSchema, topLevel: true, type);
                    }
                }
            }
        }

        private void ValidateBody(string address, string path, JsonObject body, BlockSchema block, bool topLevel, string typeName)
        {
            foreach (var (key, value) in body)
            {
                var here = path.Length == 0 ? key : $"{path}.{key}";
                if (key == "//")
                {
                    continue;
                }

                if (topLevel && ResourceMetaArguments.Contains(key))
                {
                    ValidateMetaArgument(address, key, value);
                    continue;
                }

                if (key == "dynamic" && value is JsonObject dynamics)
                {
                    foreach (var (blockName, spec) in dynamics)
                    {
                        if (!block.Arguments.TryGetValue(blockName, out var dyn) || dyn.Block is null)
                        {
                            Error(address, $"{here}.{blockName}", "unknown-argument",
                                $"'{blockName}' is not a nested block of {typeName}.{Suggest(blockName, block.Arguments.Keys)}");
                        }
                        else if (spec?["content"] is JsonObject content)
                        {
                            ValidateBody(address, $"{here}.{blockName}.content", content, dyn.Block, topLevel: false, $"{typeName}.{blockName}");
                        }
                    }

                    continue;
                }

                if (!block.Arguments.TryGetValue(key, out var arg))
                {
                    Error(address, here, "unknown-argument",
                        $"'{key}' is not an argument of {typeName} (AWS provider {schema.ProviderVersion}).{Suggest(key, block.Arguments.Keys)} " +
                        "Fix: correct the name in the construct or the AddOverride path.");
                    continue;
                }

                if (arg.Block is not null && value is JsonObject or JsonArray)
                {
                    foreach (var (element, i) in Elements(value!))
                    {
                        ValidateBody(address, value is JsonArray ? $"{here}[{i}]" : here, element, arg.Block, topLevel: false, $"{typeName}.{key}");
                    }
                }
            }

            foreach (var (name, arg) in block.Arguments)
            {
                if (arg.Required && !body.ContainsKey(name) && !(body["dynamic"] is JsonObject d && d.ContainsKey(name)))
                {
                    var where = path.Length == 0 ? "" : $" in {path}";
                    Error(address, path.Length == 0 ? name : $"{path}.{name}", "missing-required",
                        $"required argument '{name}' of {typeName} is missing{where}. Fix: set it in the construct's config.");
                }
            }
        }

        private void ValidateMetaArgument(string address, string key, JsonNode? value)
        {
            if (key == "lifecycle" && value is JsonObject lifecycle)
            {
                foreach (var (k, _) in lifecycle)
                {
                    if (!LifecycleArguments.Contains(k))
                    {
                        Error(address, $"lifecycle.{k}", "unknown-argument",
                            $"'{k}' is not a lifecycle argument.{Suggest(k, LifecycleArguments)} Fix: use one of {string.Join(", ", LifecycleArguments.Order())}.");
                    }
                }
            }

            if (key == "provider" && value is JsonValue pv && pv.GetValueKind() == System.Text.Json.JsonValueKind.String)
            {
                // "aws" (the default configuration) or "aws.<alias>": a provider block with that alias must exist.
                var text = pv.GetValue<string>();
                var reference = text.StartsWith("${", StringComparison.Ordinal) && text.EndsWith('}') ? text[2..^1] : text;
                var parts = reference.Split('.', 2);
                var configs = stack["provider"]?[parts[0]] switch
                {
                    JsonArray arr => arr.OfType<JsonObject>().ToList(),
                    JsonObject one => [one],
                    _ => [],
                };
                var alias = parts.Length > 1 ? parts[1] : null;
                if (!configs.Any(c => (c["alias"] as JsonValue)?.GetValue<string>() == alias))
                {
                    var known = configs.Select(c => (c["alias"] as JsonValue)?.GetValue<string>() is { } a ? $"{parts[0]}.{a}" : parts[0]);
                    Error(address, "provider", "unknown-reference",
                        $"provider '{text}' is not configured in this stack (configured: {string.Join(", ", known.DefaultIfEmpty("none"))}). " +
                        "Fix: pass a provider construct of the same stack.");
                }
            }

            if (key == "depends_on" && value is JsonArray deps)
            {
                foreach (var (dep, i) in deps.Select((d, i) => (d, i)))
                {
                    if (dep?.GetValueKind() == System.Text.Json.JsonValueKind.String)
                    {
                        // In Terraform's JSON syntax a depends_on entry is a plain reference ("aws_x.y"), read as a
                        // traversal (hashicorp/hcl json/structure.go AsTraversal: hclsyntax.ParseTraversalAbs), so the
                        // interpolation "${aws_x.y}" that an argument accepts is no reference there: terraform refuses it.
                        var target = dep.GetValue<string>();
                        if (target.StartsWith("${", StringComparison.Ordinal))
                        {
                            Error(address, $"depends_on[{i}]", "bad-meta-argument",
                                $"'{target}' is an interpolation; a depends_on entry in Terraform JSON is a plain reference, which terraform reads as a traversal. " +
                                $"Fix: write '{(target.EndsWith('}') ? target[2..^1] : target[2..])}' (cdktf's dependsOn writes it so).");
                            continue;
                        }

                        if (!Declared(target.Split('.'), out var problem))
                        {
                            Error(address, $"depends_on[{i}]", "unknown-reference", $"'{target}': {problem}");
                        }
                    }
                }
            }
        }

        /// <summary>Whether <paramref name="parts"/> (type, name[, data prefix]) name a declared resource or data source.</summary>
        private bool Declared(string[] parts, out string problem)
        {
            problem = "";
            var isData = parts.Length >= 3 && parts[0] == "data";
            var section = isData ? "data" : "resource";
            var offset = isData ? 1 : 0;
            if (parts.Length < offset + 2)
            {
                problem = "not a resource address (type.name). Fix: reference a declared resource.";
                return false;
            }

            var (type, name) = (parts[offset], parts[offset + 1]);
            if (stack[section]?[type]?[name] is not JsonObject)
            {
                var declared = (stack[section]?[type] as JsonObject)?.Select(kv => kv.Key) ?? [];
                problem = $"{(isData ? "data source" : "resource")} {type}.{name} is not declared in this stack.{Suggest(name, declared)} " +
                          "Fix: reference a construct of the same stack (a renamed construct id changes its address).";
                return false;
            }

            return true;
        }

        private void ValidateReferences()
        {
            foreach (var (address, path, text) in Strings(stack))
            {
                foreach (var expr in Interpolations(text))
                {
                    var code = StringLiteral().Replace(expr, "\"\"");
                    foreach (Match m in ResourceReference().Matches(code))
                    {
                        CheckResourceReference(address, path, m);
                    }

                    foreach (Match m in ValueReference().Matches(code))
                    {
                        var (kind, name) = (m.Groups[1].Value, m.Groups[2].Value);
                        var declared = kind == "var" ? stack["variable"] as JsonObject : stack["locals"] as JsonObject;
                        if (declared?.ContainsKey(name) != true)
                        {
                            Error(address, path, "unknown-reference",
                                $"'{m.Value}' refers to {(kind == "var" ? "variable" : "local value")} '{name}', which is not declared in this stack. " +
                                $"Fix: declare it ({(kind == "var" ? "TerraformVariable" : "TerraformLocal")}) or correct the name.");
                        }
                    }
                }
            }
        }

        private void CheckResourceReference(string address, string path, Match m)
        {
            var isData = m.Groups[1].Success;
            var (type, name) = (m.Groups[2].Value, m.Groups[3].Value);
            var types = isData ? schema.DataSources : schema.Resources;
            if (!types.ContainsKey(type))
            {
                // Not a provider type (e.g. a function-like name in an expression): only aws_ names are checked.
                if (type.StartsWith("aws_", StringComparison.Ordinal))
                {
                    Error(address, path, "unknown-reference", $"'{m.Value}' refers to '{type}', which is not a {(isData ? "data source" : "resource type")} of the AWS provider {schema.ProviderVersion}.");
                }

                return;
            }

            var parts = isData ? new[] { "data", type, name } : new[] { type, name };
            if (!Declared(parts, out var problem))
            {
                Error(address, path, "unknown-reference", $"'{m.Value}': {problem}");
                return;
            }

            var rest = m.Groups[4].Value;
            var attr = Regex.Match(rest, @"^\.([A-Za-z_][A-Za-z0-9_\-]*)");
            if (attr.Success && !types[type].Attributes.Contains(attr.Groups[1].Value))
            {
                Error(address, path, "unknown-attribute",
                    $"'{m.Value}': '{attr.Groups[1].Value}' is not an attribute of {type}.{Suggest(attr.Groups[1].Value, types[type].Attributes)} " +
                    "Fix: use an attribute the resource exports (its C# property, e.g. .Arn).");
            }
        }
    }

    /// <summary>Every string leaf with its block address and path (cdktf metadata under <c>//</c> skipped).</summary>
    private static IEnumerable<(string Address, string Path, string Text)> Strings(JsonObject stack) =>
        StackDocument.Blocks(stack).SelectMany(b => Walk(b.Node, "").Select(s => (b.Address, s.Path, s.Text)));

    private static IEnumerable<(string Path, string Text)> Walk(JsonNode? node, string path)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var (key, child) in obj)
                {
                    if (key == "//")
                    {
                        continue;
                    }

                    foreach (var s in Walk(child, path.Length == 0 ? key : $"{path}.{key}"))
                    {
                        yield return s;
                    }
                }

                break;
            case JsonArray arr:
                for (var i = 0; i < arr.Count; i++)
                {
                    foreach (var s in Walk(arr[i], $"{path}[{i}]"))
                    {
                        yield return s;
                    }
                }

                break;
            case JsonValue v when v.GetValueKind() == System.Text.Json.JsonValueKind.String:
                yield return (path, v.GetValue<string>());
                break;
        }
    }

    /// <summary>The contents of every <c>${...}</c> in <paramref name="text"/> (nested braces balanced; <c>$${</c> is a literal).</summary>
    public static IEnumerable<string> Interpolations(string text)
    {
        for (var i = 0; i < text.Length - 1; i++)
        {
            if (text[i] != '$' || text[i + 1] != '{' || (i > 0 && text[i - 1] == '$'))
            {
                continue;
            }

            var depth = 0;
            var inString = false;
            for (var j = i + 1; j < text.Length; j++)
            {
                var c = text[j];
                if (inString)
                {
                    if (c == '\\')
                    {
                        j++;
                    }
                    else if (c == '"')
                    {
                        inString = false;
                    }
                }
                else if (c == '"')
                {
                    inString = true;
                }
                else if (c == '{')
                {
                    depth++;
                }
                else if (c == '}' && --depth == 0)
                {
                    yield return text[(i + 2)..j];
                    i = j;
                    break;
                }
            }
        }
    }

    private static IEnumerable<(JsonObject Element, int Index)> Elements(JsonNode value) => value switch
    {
        JsonArray arr => arr.Select((e, i) => (e as JsonObject, i)).Where(x => x.Item1 is not null).Select(x => (x.Item1!, x.i)),
        JsonObject obj => [(obj, 0)],
        _ => [],
    };

    /// <summary>" Did you mean 'x'?" for the closest known name (edit distance at most a third of the length), else empty.</summary>
    public static string Suggest(string name, IEnumerable<string> known)
    {
        var best = known.Select(k => (k, d: Distance(name, k))).OrderBy(x => x.d).ThenBy(x => x.k, StringComparer.Ordinal).FirstOrDefault();
        return best.k is not null && best.d <= Math.Max(2, name.Length / 3) ? $" Did you mean '{best.k}'?" : "";
    }

    private static int Distance(string a, string b)
    {
        var d = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++)
        {
            d[j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            var prev = d[0];
            d[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var tmp = d[j];
                d[j] = Math.Min(Math.Min(d[j] + 1, d[j - 1] + 1), prev + (a[i - 1] == b[j - 1] ? 0 : 1));
                prev = tmp;
            }
        }

        return d[b.Length];
    }
}
