using System.Text.Json;

namespace FraudTf.Local.Pipes;

/// <summary>
/// A small local implementation of what an EventBridge Pipe with a DynamoDB stream source and an event-bus target does
/// to one stream record, and of a rule target's input transformer, as documented (no emulator exists for either):
/// <list type="bullet">
/// <item><see cref="Matches"/>: filter patterns (EventBridge user guide, "Event patterns" and "Amazon EventBridge Pipes
/// filtering"): a pattern object's fields must all match; a nested object descends into the record; an array lists
/// the accepted values of a leaf: exact strings, numbers, booleans or null, <c>{"exists": bool}</c> and
/// <c>{"prefix": "..."}</c>. Any other operator throws, so a filter that uses one fails the test instead of being
/// half-evaluated.</item>
/// <item><see cref="ApplyInputTemplate"/>: the pipe's input template ("Amazon EventBridge Pipes input transformation"):
/// each <c>&lt;$.path&gt;</c> (dot notation, <c>[n]</c> indices) is replaced by the value at that path in the record; a
/// leaf value is inserted as its text (inside a JSON string, escaped so the output stays valid JSON, as Pipes says it
/// ensures), an object or array as JSON. Reserved <c>aws.pipes.*</c> variables are not supported. A path absent from
/// the record throws: AWS does not document the result, so templates must use only paths the filter guarantees.</item>
/// <item><see cref="ToBusEvent"/>: the event the bus target receives: the template output as <c>detail</c>, source and
/// detail-type from the pipe's <c>eventbridge_event_bus_parameters</c>, a fresh event id.</item>
/// <item><see cref="ApplyInputTransformer"/>: a rule target's input transformer ("Amazon EventBridge input
/// transformation"): each <c>&lt;name&gt;</c> of the input paths is replaced by the value at its path in the event; inside
/// a JSON string by its raw text, not escaped ("EventBridge doesn't escape values extracted by Input Path"); elsewhere
/// as JSON (a string gets its quotes, as in the guide's "Simple JSON" example).</item>
/// </list>
/// </summary>
public static class LocalPipes
{
    /// <summary>True when <paramref name="record"/> matches the filter <paramref name="pattern"/>.</summary>
    public static bool Matches(JsonNode pattern, JsonNode? record)
    {
        if (pattern is not JsonObject fields)
        {
            throw new NotSupportedException($"a pattern must be an object: {pattern.ToJsonString()}");
        }

        foreach (var (name, expected) in fields)
        {
            var actual = record is JsonObject o && o.TryGetPropertyValue(name, out var v) ? v : null;
            var present = record is JsonObject o2 && o2.ContainsKey(name);
            switch (expected)
            {
                case JsonObject nested:
                    if (!present || actual is not JsonObject || !Matches(nested, actual))
                    {
                        return false;
                    }

                    break;
                case JsonArray accepted:
                    if (!accepted.Any(a => LeafMatches(a, present, actual)))
                    {
                        return false;
                    }

                    break;
                default:
                    throw new NotSupportedException($"pattern field '{name}' must be an object or an array: {expected?.ToJsonString()}");
            }
        }

        return true;
    }

    // Alike on purpose: pipe filters use EventBridge's pattern syntax, as EventPattern does, but this matcher keeps to
    // the subset pipes' filters use here (exact values, exists, prefix) and their error texts; merging is a behaviour change.
    private static bool LeafMatches(JsonNode? accepted, bool present, JsonNode? actual)
    {
        if (accepted is JsonObject op)
        {
            if (op.Count != 1)
            {
                throw new NotSupportedException($"unsupported filter operator {op.ToJsonString()}");
            }

            var (name, arg) = op.First();
            return name switch
            {
                "exists" => arg!.GetValue<bool>() == (present && actual is not JsonObject and not JsonArray),
                "prefix" => actual is JsonValue s && s.TryGetValue<string>(out var text) && text.StartsWith(arg!.GetValue<string>(), StringComparison.Ordinal),
                _ => throw new NotSupportedException($"unsupported filter operator '{name}' (this local implementation knows exact values, exists and prefix)"),
            };
        }

        if (!present || actual is JsonObject)
        {
            return false;
        }

        // A leaf matches a value of the array, or an array leaf matches when one of its elements does.
        return actual is JsonArray values
            ? values.Any(v => JsonNode.DeepEquals(v, accepted))
            : JsonNode.DeepEquals(actual, accepted);
    }

    /// <summary>Applies a pipe's input template to one source record; the result is the text the target receives.</summary>
    public static string ApplyInputTemplate(string template, JsonNode record) =>
        Substitute(template, name =>
        {
            if (!name.StartsWith("$.", StringComparison.Ordinal))
            {
                throw new NotSupportedException($"placeholder <{name}>: only JSON paths are supported here (no aws.pipes.* variables)");
            }

            return Select(record, name) ?? throw new InvalidOperationException($"the record has no {name}: {record.ToJsonString()}");
        }, escapeInStrings: true, quoteStringsOutside: false);

    /// <summary>The event an event-bus target receives from the pipe: <paramref name="detail"/> as its detail.</summary>
    public static JsonObject ToBusEvent(string detail, string source, string detailType, DateTimeOffset time) => new()
    {
        ["version"] = "0",
        ["id"] = Guid.NewGuid().ToString(),
        ["detail-type"] = detailType,
        ["source"] = source,
        ["account"] = "111111111111",
        ["time"] = time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture),
        ["region"] = "us-east-1",
        ["resources"] = new JsonArray(),
        ["detail"] = JsonNode.Parse(detail),
    };

    /// <summary>Applies a rule target's input transformer to an event; the result is the text the target receives.</summary>
    public static string ApplyInputTransformer(IReadOnlyDictionary<string, string> inputPaths, string template, JsonNode @event) =>
        Substitute(template, name =>
        {
            if (!inputPaths.TryGetValue(name, out var path))
            {
                throw new InvalidOperationException($"the template uses <{name}>, which no input path defines");
            }

            return Select(@event, path) ?? throw new InvalidOperationException($"the event has no {path}");
        }, escapeInStrings: false, quoteStringsOutside: true);

    /// <summary>The value at a JSON path (<c>$.a.b[0].c</c>), or null when absent.</summary>
    public static JsonNode? Select(JsonNode root, string path)
    {
        var node = root;
        foreach (var part in path[2..].Split('.'))
        {
            var name = part;
            var indexes = new List<int>();
            while (name.EndsWith(']'))
            {
                var open = name.LastIndexOf('[');
                indexes.Insert(0, int.Parse(name[(open + 1)..^1], System.Globalization.CultureInfo.InvariantCulture));
                name = name[..open];
            }

            node = node is JsonObject o && o.TryGetPropertyValue(name, out var child) ? child : null;
            foreach (var i in indexes)
            {
                node = node is JsonArray a && i < a.Count ? a[i] : null;
            }

            if (node is null)
            {
                return null;
            }
        }

        return node;
    }

    private static string Substitute(string template, Func<string, JsonNode> resolve, bool escapeInStrings, bool quoteStringsOutside)
    {
        var output = new StringBuilder();
        var inString = false;
        for (var i = 0; i < template.Length; i++)
        {
            var c = template[i];
            if (c == '<')
            {
                var end = template.IndexOf('>', i);
                if (end < 0)
                {
                    throw new FormatException($"unclosed placeholder at {i}: {template}");
                }

                var value = resolve(template[(i + 1)..end]);
                var leaf = value is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : null;
                if (inString)
                {
                    var text = leaf ?? value.ToJsonString();
                    output.Append(escapeInStrings ? JsonEncodedText.Encode(text, System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping).Value : text);
                }
                else
                {
                    output.Append(leaf is not null && !quoteStringsOutside ? leaf : value.ToJsonString());
                }

                i = end;
                continue;
            }

            if (c == '\\' && inString && i + 1 < template.Length)
            {
                output.Append(c).Append(template[i + 1]);
                i++;
                continue;
            }

            if (c == '"')
            {
                inString = !inString;
            }

            output.Append(c);
        }

        return output.ToString();
    }
}
