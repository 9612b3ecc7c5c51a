using System.Text.Json;
using FraudTf.Config;
using FraudTf.Functions.Shared.Scoring;
using FraudTf.Functions.Shared.Settings;

namespace FraudTf.Promotion.Comparison;

/// <summary>
/// The SCORING_RULES value each environment's config produces: the overrides of its <c>scoring</c> block serialized
/// as the stack serializes them (modules/Platform/FraudDetectionStack.cs). A SCORING_RULES difference between the
/// stacks is expected only when the source stack holds <paramref name="From"/> and the target <paramref name="To"/>.
/// </summary>
/// <param name="From">The source environment's SCORING_RULES value.</param>
/// <param name="To">The target environment's SCORING_RULES value.</param>
public sealed record ConfiguredScoringRules(string From, string To)
{
    /// <summary>The config field named as the explanation of an expected SCORING_RULES difference.</summary>
    public const string Field = "scoring.ruleOverrides";

    /// <summary>The values <paramref name="from"/>'s and <paramref name="to"/>'s scoring blocks produce.</summary>
    public static ConfiguredScoringRules Of(EnvironmentConfig from, EnvironmentConfig to) => new(Value(from), Value(to));

    /// <summary>What the stack sets SCORING_RULES to for <paramref name="config"/> (same call as the stack).</summary>
    public static string Value(EnvironmentConfig config) => JsonSerializer.Serialize(config.Scoring.RuleOverrides);
}

/// <summary>One side (source or target stack) of a function's scoring rules.</summary>
/// <param name="Raw">The stack's SCORING_RULES value; null when the function does not set it (the function then takes every default).</param>
/// <param name="Rules">The effective rules, read by the function's own <see cref="ScoringRules.FromJson"/>; null when they cannot be read.</param>
/// <param name="Sets">The rule settings the value sets (JSON names, in <see cref="ScoringRules.FieldNames"/> order); the others take the default.</param>
/// <param name="Error">Why the rules cannot be read (malformed value, unknown field, a table the package does not hold); null when they can.</param>
public sealed record RulesSide(string? Raw, ScoringRules? Rules, IReadOnlyList<string> Sets, string? Error)
{
    /// <summary>The rulesVersion the function's decisions record (label + hash), or null when the rules cannot be read.</summary>
    public string? EffectiveVersion => Rules?.EffectiveVersion;
}

/// <summary>A rule setting whose effective value differs between the two environments.</summary>
/// <param name="Field">JSON name of the setting (e.g. <c>reviewThreshold</c>).</param>
/// <param name="From">The source's effective value: scalars as text, lists and maps as compact JSON.</param>
/// <param name="To">The target's effective value.</param>
/// <param name="FromSets">Whether the source's SCORING_RULES sets it (false: the default).</param>
/// <param name="ToSets">Whether the target's SCORING_RULES sets it.</param>
public sealed record RuleChange(string Field, string From, string To, bool FromSets, bool ToSets);

/// <summary>The scoring rules of one function (the stream processor) in both stacks.</summary>
/// <param name="Address">Terraform address of the aws_lambda_function.</param>
/// <param name="From">Its rules in the source stack.</param>
/// <param name="To">Its rules in the target stack.</param>
/// <param name="Changes">The settings whose effective value differs, in <see cref="ScoringRules.FieldNames"/> order (empty when either side cannot be read).</param>
public sealed record FunctionRules(string Address, RulesSide From, RulesSide To, IReadOnlyList<RuleChange> Changes)
{
    /// <summary>Both sides read and no effective setting differs (then both record the same rulesVersion).</summary>
    public bool Same => From.Rules is not null && To.Rules is not null && Changes.Count == 0;
}

/// <summary>
/// Compares the effective scoring rules of the functions that carry SCORING_RULES, with the function's own code:
/// <see cref="ScoringRules.FromJson"/> reads each stack's value (defaults applied), each side is serialized as camelCase
/// JSON, and every top-level field of <see cref="ScoringRules.FieldNames"/> is compared as a JSON node (a list or a map
/// is one value, compared whole).
/// </summary>
public static class ScoringRulesComparer
{
    /// <summary>The path of the variable inside an aws_lambda_function block, as the comparison names it.</summary>
    public const string Path = "environment.variables." + FunctionEnvironment.ScoringRules;

    private static readonly JsonSerializerOptions CamelCase = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    /// <summary>
    /// Every aws_lambda_function that both stacks hold and that sets SCORING_RULES in at least one of them, in
    /// address order (a function in one stack only is already an unexpected difference).
    /// </summary>
    public static IReadOnlyList<FunctionRules> Compare(JsonObject fromStack, JsonObject toStack)
    {
        var a = Functions(fromStack);
        var b = Functions(toStack);
        return a.Keys.Intersect(b.Keys)
            .Where(k => RawOf(a[k]) is not null || RawOf(b[k]) is not null)
            .Order(StringComparer.Ordinal)
            .Select(k => Compare(k, RawOf(a[k]), RawOf(b[k])))
            .ToList();
    }

    /// <summary>The rules of two SCORING_RULES values (null: unset) of the function at <paramref name="address"/>.</summary>
    public static FunctionRules Compare(string address, string? fromRaw, string? toRaw)
    {
        var from = Read(fromRaw);
        var to = Read(toRaw);
        var changes = new List<RuleChange>();
        if (from.Rules is not null && to.Rules is not null)
        {
            var x = JsonSerializer.SerializeToNode(from.Rules, CamelCase)!.AsObject();
            var y = JsonSerializer.SerializeToNode(to.Rules, CamelCase)!.AsObject();
            foreach (var field in ScoringRules.FieldNames)
            {
                var (nx, ny) = (x[field], y[field]);
                if (!JsonNode.DeepEquals(nx, ny))
                {
                    changes.Add(new RuleChange(field, Display(nx), Display(ny), from.Sets.Contains(field), to.Sets.Contains(field)));
                }
            }
        }

        return new FunctionRules(address, from, to, changes);
    }

    /// <summary>One side: what the function reads from <paramref name="raw"/> (null or blank: every default), and what it sets.</summary>
    public static RulesSide Read(string? raw)
    {
        ScoringRules rules;
        try
        {
            rules = ScoringRules.FromJson(raw);
            // The rulesVersion hashes the selected tables: a version the package does not hold fails here, as it fails the function at start.
            _ = rules.EffectiveVersion;
        }
        catch (Exception e)
        {
            // Whatever the function's reader rejects (malformed JSON, an unknown field, a wrong type, a table the package lacks).
            var message = e is ReferenceTableException t ? string.Join("; ", t.Errors) : e.Message;
            return new RulesSide(raw, null, [], message);
        }

        var sets = new List<string>();
        if (!string.IsNullOrWhiteSpace(raw) && JsonNode.Parse(raw) is JsonObject o)
        {
            // FromJson reads names case-insensitively: a key sets the field whose name it matches so.
            sets.AddRange(ScoringRules.FieldNames.Where(f => o.Any(kv => string.Equals(kv.Key, f, StringComparison.OrdinalIgnoreCase))));
        }

        return new RulesSide(raw, rules, sets, null);
    }

    /// <summary>A rule value as shown: strings and numbers as text, lists and maps as compact JSON.</summary>
    public static string Display(JsonNode? node) => node is JsonValue v ? EnvironmentValues.Text(v) : node?.ToJsonString() ?? "null";

    private static Dictionary<string, JsonNode?> Functions(JsonObject stack) =>
        StackDocument.Blocks(stack)
            .Where(b => b.Address.StartsWith("aws_lambda_function.", StringComparison.Ordinal))
            .ToDictionary(b => b.Address, b => b.Node, StringComparer.Ordinal);

    private static string? RawOf(JsonNode? function) =>
        function?["environment"]?["variables"]?[FunctionEnvironment.ScoringRules] is JsonValue v ? EnvironmentValues.Text(v) : null;
}
