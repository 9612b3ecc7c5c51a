using System.Text.Json;
using FraudTf.Config;

namespace FraudTf.Promotion.Comparison;

/// <summary>
/// The per-environment values of two environments: every leaf of their effective configs (the environment files
/// with the loader's defaults applied, plus derived values such as the stack name and account root ARN) whose value
/// differs between the two. These are the only differences a promotion may show.
/// </summary>
public static class EnvironmentValues
{
    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    /// <summary>Loads environments/ (validated, defaults applied) and returns the substitutions from <paramref name="from"/> to <paramref name="to"/>.</summary>
    public static IReadOnlyList<Substitution> Load(string environmentsDir, string from, string to)
    {
        var (a, b) = LoadConfigs(environmentsDir, from, to);
        return Between(a, b);
    }

    /// <summary>Loads environments/ (validated, defaults applied), in promotion order; an invalid config is a <see cref="UserError"/>.</summary>
    public static IReadOnlyList<EnvironmentConfig> LoadAll(string environmentsDir)
    {
        try
        {
            return EnvironmentConfigLoader.LoadAll(environmentsDir);
        }
        catch (ConfigValidationException e)
        {
            throw new UserError(e.Message);
        }
    }

    /// <summary>Loads environments/ (validated, defaults applied) and returns the effective configs of <paramref name="from"/> and <paramref name="to"/>.</summary>
    public static (EnvironmentConfig From, EnvironmentConfig To) LoadConfigs(string environmentsDir, string from, string to)
    {
        var configs = LoadAll(environmentsDir);
        EnvironmentConfig Find(string env) => configs.SingleOrDefault(c => c.Environment == env)
            ?? throw new UserError($"unknown environment '{env}'. Fix: use one of {string.Join(", ", configs.Select(c => c.Environment))} (environments/<env>.json).");
        return (Find(from), Find(to));
    }

    /// <summary>The substitutions between two effective configs, one per distinct value pair, sorted by field.</summary>
    public static IReadOnlyList<Substitution> Between(EnvironmentConfig from, EnvironmentConfig to)
    {
        var a = FileFields(Leaves(JsonSerializer.SerializeToNode(from, Json)));
        var b = FileFields(Leaves(JsonSerializer.SerializeToNode(to, Json)));
        var result = new List<Substitution>();
        foreach (var (field, value) in a.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            // Not values of the stacks: the file a config came from, the tier (it chooses defaults, whose effective values
            // are leaves of their own) and the promotion link.
            if (field is "sourceFile" or "tier" or "promotesTo")
            {
                continue;
            }

            if (b.TryGetValue(field, out var other) && other != value)
            {
                result.Add(new Substitution(field, value, other));
            }
        }

        // One substitution per (from, to) pair, naming every field with that pair ("a or b"), except the default tags
        // that copy another field (defaultTags.environment is environment).
        return result.GroupBy(x => (x.From, x.To))
            .Select(g =>
            {
                var fields = g.Select(x => x.Field).ToList();
                if (fields.Any(f => !f.StartsWith("defaultTags.", StringComparison.Ordinal)))
                {
                    fields.RemoveAll(f => f.StartsWith("defaultTags.", StringComparison.Ordinal));
                }

                return new Substitution(string.Join(" or ", fields.Order(StringComparer.Ordinal)), g.Key.From, g.Key.To);
            })
            .OrderBy(x => x.Field, StringComparer.Ordinal)
            .ToList();
    }

    // Function settings are keyed by folder in the model (functions.byFolder.<Folder>.memoryMb): named here as the
    // environment file names them (functions.streamProcessor.memoryMb, agent.toolsFunction.memoryMb). The standard size is
    // the default of the functions the file leaves out, not a field of the file; the sizes the stacks use are leaves above.
    private static Dictionary<string, string> FileFields(Dictionary<string, string> leaves)
    {
        const string byFolder = "functions.byFolder.";
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (path, value) in leaves)
        {
            if (path.StartsWith("functions.standard.", StringComparison.Ordinal))
            {
                continue;
            }

            if (path.StartsWith(byFolder, StringComparison.Ordinal))
            {
                var folder = path[byFolder.Length..path.IndexOf('.', byFolder.Length)];
                var place = EnvironmentConfigLoader.FunctionSizes.FirstOrDefault(f => f.Folder == folder);
                var field = place is null ? $"functions.{char.ToLowerInvariant(folder[0])}{folder[1..]}" : $"{place.Section}.{place.Field}";
                result[field + path[(byFolder.Length + folder.Length)..]] = value;
                continue;
            }

            result[path] = value;
        }

        return result;
    }

    /// <summary>Leaves of a JSON tree by dotted path (<c>functions.streamProcessor.memoryMb</c>, <c>allowedAccountIds[0]</c>).</summary>
    public static Dictionary<string, string> Leaves(JsonNode? node)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (path, leaf) in Paths(node))
        {
            if (leaf is JsonValue v)
            {
                result[path] = Text(v);
            }
        }

        return result;
    }

    /// <summary>
    /// Every leaf of a JSON tree (a value, or a JSON null) with its dotted path, in document order: objects add
    /// <c>.key</c>, arrays <c>[i]</c>. Keys for which <paramref name="skipKey"/> is true are left out with all below them.
    /// With <paramref name="emptyContainersAsLeaves"/>, an empty object or array is a leaf too (otherwise it has no path).
    /// </summary>
    public static IEnumerable<(string Path, JsonNode? Leaf)> Paths(JsonNode? node, Func<string, bool>? skipKey = null, bool emptyContainersAsLeaves = false)
    {
        var result = new List<(string Path, JsonNode? Leaf)>();
        void Walk(JsonNode? n, string path)
        {
            switch (n)
            {
                case JsonObject { Count: 0 } or JsonArray { Count: 0 } when emptyContainersAsLeaves:
                    result.Add((path, n));
                    break;
                case JsonObject o:
                    foreach (var (k, v) in o)
                    {
                        if (skipKey is null || !skipKey(k))
                        {
                            Walk(v, path.Length == 0 ? k : $"{path}.{k}");
                        }
                    }

                    break;
                case JsonArray arr:
                    for (var i = 0; i < arr.Count; i++)
                    {
                        Walk(arr[i], $"{path}[{i}]");
                    }

                    break;
                default:
                    result.Add((path, n));
                    break;
            }
        }

        Walk(node, "");
        return result;
    }

    /// <summary>A leaf as the text it has in Terraform JSON: strings unquoted, numbers and booleans as written.</summary>
    public static string Text(JsonNode? v) => v switch
    {
        null => "null",
        JsonValue s when s.GetValueKind() == JsonValueKind.String => s.GetValue<string>(),
        _ => v.ToJsonString(),
    };
}
