using System.Text.Json;

namespace FraudTf.Local.Events;

/// <summary>
/// A local runner of EventBridge's documented event-pattern semantics (EventBridge user guide, "Creating event patterns"
/// and "Content filtering in Amazon EventBridge event patterns"); no emulator of EventBridge runs here, so seam tests
/// match events against the rules of the synthesized stack with this:
/// <list type="bullet">
/// <item>A pattern is a JSON object. Every field of it must match (AND); a field whose value is an object descends into
/// the event's object of that name (an array of objects in the event matches when one element does); a field whose value
/// is an array lists alternatives (OR) for a leaf.</item>
/// <item>A leaf alternative is an exact value (string, case-sensitive; number, compared as a number; <c>true</c>,
/// <c>false</c>, <c>null</c>, which matches a null value only), or one of the operators <c>prefix</c>, <c>suffix</c>
/// (a string, or <c>{"equals-ignore-case": s}</c>), <c>equals-ignore-case</c>, <c>anything-but</c> (a value, a list of
/// values, or <c>{"prefix"|"suffix"|"equals-ignore-case": ...}</c>), <c>numeric</c> (<c>["&gt;", 0, "&lt;=", 5]</c>)
/// and <c>exists</c>.</item>
/// <item>An absent field matches only <c>{"exists": false}</c>; <c>exists: true</c> matches any leaf value, null
/// included, and never an object ("exists matching only works on leaf nodes"). When the event's value is an array of
/// leaves, the field matches when one element matches.</item>
/// <item>Anything else (<c>cidr</c>, <c>wildcard</c>, <c>$or</c>, an empty alternative list, a leaf that is not an
/// array) throws <see cref="NotSupportedException"/>: a pattern this runner does not understand fails its test instead
/// of being half-evaluated.</item>
/// </list>
/// It also finds a bus's rules and a rule's targets in a synthesized stack (<see cref="RulesOnBus"/>,
/// <see cref="TargetsOf"/>).
/// </summary>
public static class EventPattern
{
    private static readonly string[] Operators = ["prefix", "suffix", "equals-ignore-case", "anything-but", "numeric", "exists"];

    /// <summary>True when <paramref name="event"/> matches the event pattern <paramref name="pattern"/>.</summary>
    public static bool Matches(JsonNode pattern, JsonNode @event)
    {
        if (pattern is not JsonObject fields || fields.Count == 0)
        {
            throw new NotSupportedException($"an event pattern must be a non-empty object: {pattern.ToJsonString()}");
        }

        return MatchesObject(fields, @event as JsonObject);
    }

    private static bool MatchesObject(JsonObject pattern, JsonObject? @event)
    {
        foreach (var (name, expected) in pattern)
        {
            if (name.StartsWith('$'))
            {
                throw new NotSupportedException($"pattern keyword '{name}' is not supported by this local runner");
            }

            var present = @event is not null && @event.ContainsKey(name);
            var actual = present ? @event![name] : null;
            var ok = expected switch
            {
                JsonObject nested => actual switch
                {
                    JsonObject o => MatchesObject(nested, o),
                    JsonArray a => a.Any(e => e is JsonObject o && MatchesObject(nested, o)),
                    _ => !present && MatchesObject(nested, null),
                },
                JsonArray alternatives when alternatives.Count > 0 => alternatives.Any(a => MatchesLeaf(a, present, actual)),
                _ => throw new NotSupportedException($"pattern field '{name}' must be an object or a non-empty array: {expected?.ToJsonString() ?? "null"}"),
            };
            if (!ok)
            {
                return false;
            }
        }

        return true;
    }

    private static bool MatchesLeaf(JsonNode? alternative, bool present, JsonNode? actual)
    {
        if (alternative is JsonObject op)
        {
            if (op.Count != 1)
            {
                throw new NotSupportedException($"an operator object has exactly one key: {op.ToJsonString()}");
            }

            var (name, arg) = op.First();
            if (!Operators.Contains(name))
            {
                throw new NotSupportedException($"operator '{name}' is not supported by this local runner ({string.Join(", ", Operators)} and exact values)");
            }

            if (name == "exists")
            {
                return arg!.GetValue<bool>() == (present && actual is not JsonObject);
            }

            if (!present || actual is JsonObject)
            {
                return false;
            }

            // A leaf array in the event matches when one of its elements does.
            if (actual is JsonArray values)
            {
                return values.Any(v => v is not JsonObject and not JsonArray && Operator(name, arg, v));
            }

            return Operator(name, arg, actual);
        }

        if (alternative is JsonArray)
        {
            throw new NotSupportedException($"a nested array is not a match value: {alternative.ToJsonString()}");
        }

        if (!present || actual is JsonObject)
        {
            return false;
        }

        return actual is JsonArray elements ? elements.Any(e => e is not JsonObject and not JsonArray && SameValue(alternative, e)) : SameValue(alternative, actual);
    }

    private static bool Operator(string name, JsonNode? arg, JsonNode? value)
    {
        var text = AsString(value);
        switch (name)
        {
            case "prefix":
                return text is not null && Affix(arg, text, (s, a, c) => s.StartsWith(a, c));
            case "suffix":
                return text is not null && Affix(arg, text, (s, a, c) => s.EndsWith(a, c));
            case "equals-ignore-case":
                return text is not null && string.Equals(text, arg!.GetValue<string>(), StringComparison.OrdinalIgnoreCase);
            case "numeric":
                return AsNumber(value) is { } n && Numeric(arg as JsonArray ?? throw new NotSupportedException("numeric takes an array"), n);
            case "anything-but":
                return arg switch
                {
                    JsonArray excluded => excluded.All(x => !SameValue(x, value)),
                    JsonObject inner when inner.Count == 1 && inner.First().Key is "prefix" or "suffix" or "equals-ignore-case" =>
                        text is not null && !Operator(inner.First().Key, inner.First().Value, value),
                    JsonObject inner => throw new NotSupportedException($"anything-but {inner.ToJsonString()} is not supported by this local runner"),
                    _ => !SameValue(arg, value),
                };
            default:
                throw new NotSupportedException($"operator '{name}' is not supported by this local runner (exact values, prefix, suffix, equals-ignore-case, anything-but, numeric, exists)");
        }
    }

    private static bool Affix(JsonNode? arg, string text, Func<string, string, StringComparison, bool> test) => arg switch
    {
        JsonObject { Count: 1 } o when o.ContainsKey("equals-ignore-case") => test(text, o["equals-ignore-case"]!.GetValue<string>(), StringComparison.OrdinalIgnoreCase),
        JsonValue v when v.GetValueKind() == JsonValueKind.String => test(text, v.GetValue<string>(), StringComparison.Ordinal),
        _ => throw new NotSupportedException($"prefix/suffix argument {arg?.ToJsonString()} is not supported"),
    };

    private static bool Numeric(JsonArray conditions, decimal n)
    {
        if (conditions.Count is 0 or > 4 || conditions.Count % 2 != 0)
        {
            throw new NotSupportedException($"numeric takes one or two (operator, number) pairs: {conditions.ToJsonString()}");
        }

        for (var i = 0; i < conditions.Count; i += 2)
        {
            var bound = AsNumber(conditions[i + 1]) ?? throw new NotSupportedException($"numeric bound {conditions[i + 1]?.ToJsonString()} is not a number");
            var ok = conditions[i]!.GetValue<string>() switch
            {
                "=" => n == bound,
                "<" => n < bound,
                "<=" => n <= bound,
                ">" => n > bound,
                ">=" => n >= bound,
                var o => throw new NotSupportedException($"numeric operator '{o}'"),
            };
            if (!ok)
            {
                return false;
            }
        }

        return true;
    }

    private static bool SameValue(JsonNode? expected, JsonNode? actual)
    {
        if (expected is null || actual is null)
        {
            return expected is null && actual is null;
        }

        var (ek, ak) = (expected.GetValueKind(), actual.GetValueKind());
        if (ek == JsonValueKind.Number && ak == JsonValueKind.Number)
        {
            return AsNumber(expected) == AsNumber(actual);
        }

        return ek == ak && JsonNode.DeepEquals(expected, actual);
    }

    private static string? AsString(JsonNode? n) => n is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : null;

    private static decimal? AsNumber(JsonNode? n) =>
        n is JsonValue v && v.GetValueKind() == JsonValueKind.Number && decimal.TryParse(v.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var d) ? d : null;

    /// <summary>The rules of the synthesized stack on the bus whose name reference is <paramref name="busNameRef"/>.</summary>
    public static IReadOnlyList<(string Address, JsonObject Rule)> RulesOnBus(JsonObject stack, string busNameRef) =>
        (stack["resource"]?["aws_cloudwatch_event_rule"] as JsonObject ?? [])
            .Where(p => p.Value!["event_bus_name"]?.GetValue<string>() == busNameRef)
            .Select(p => ($"aws_cloudwatch_event_rule.{p.Key}", p.Value!.AsObject()))
            .ToList();

    /// <summary>The targets of the rule at <paramref name="ruleAddress"/> (<c>aws_cloudwatch_event_rule.&lt;name&gt;</c>).</summary>
    public static IReadOnlyList<JsonObject> TargetsOf(JsonObject stack, string ruleAddress) =>
        (stack["resource"]?["aws_cloudwatch_event_target"] as JsonObject ?? [])
            .Select(p => p.Value!.AsObject())
            .Where(t => t["rule"]?.GetValue<string>() == $"${{{ruleAddress}.name}}")
            .ToList();

    /// <summary>The rule's event pattern, parsed.</summary>
    public static JsonNode Pattern(JsonObject rule) => JsonNode.Parse(rule["event_pattern"]!.GetValue<string>())!;
}
