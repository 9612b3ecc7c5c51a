namespace FraudTf.Local.Observability;

/// <summary>A metric CloudWatch extracts from an embedded-metric-format log event.</summary>
/// <param name="Namespace">Namespace.</param>
/// <param name="Name">Metric name.</param>
/// <param name="Dimensions">Dimension name to value (one dimension set).</param>
/// <param name="Values">The values of this event.</param>
/// <param name="Unit">Unit, or null.</param>
/// <param name="Timestamp">The event's <c>_aws.Timestamp</c>.</param>
public sealed record ExtractedMetric(string Namespace, string Name, IReadOnlyDictionary<string, string> Dimensions, IReadOnlyList<double> Values, string? Unit, DateTimeOffset Timestamp)
{
    /// <summary>True when this is the metric (namespace, name, exact dimension set) <paramref name="dimensions"/> names.</summary>
    public bool Is(string ns, string name, IReadOnlyDictionary<string, string> dimensions) =>
        Namespace == ns && Name == name && Dimensions.Count == dimensions.Count && dimensions.All(d => Dimensions.TryGetValue(d.Key, out var v) && v == d.Value);

    /// <summary>One datapoint per value, as CloudWatch stores them.</summary>
    public IEnumerable<Datapoint> Datapoints() => Values.Select(v => new Datapoint(Namespace, Name, Dimensions, Timestamp, v, Unit));
}

/// <summary>
/// Extracts metrics from stored log events as CloudWatch Logs does with the embedded metric format (CloudWatch user
/// guide, "Specification: Embedded metric format"): only an event that is a JSON object with an <c>_aws</c> member at its
/// root counts ("The LogEvent message MUST be a valid JSON object with no additional data at the beginning or end");
/// <c>_aws.Timestamp</c> must be a number (milliseconds since the epoch, the metrics' time); each directive of
/// <c>_aws.CloudWatchMetrics</c> names a <c>Namespace</c>, <c>Dimensions</c> (arrays of at most 30 keys, each a root member
/// holding a string) and <c>Metrics</c> (at most 100, each a <c>Name</c> whose root member holds a number or an array of at
/// most 100 numbers). An event that breaks a rule yields no metric (and no error to the writer). No service implements
/// this locally, hence this class.
/// <para>One exception, from the same specification: on Lambda, "a valid embedded metric format document after [the
/// metadata Lambda prepends, such as timestamp and request id] is considered valid". So an event in the Text log
/// format's shape (<c>&lt;timestamp&gt;\t&lt;requestId&gt;\t&lt;level&gt;\t{…}</c>) is read after its prefix. A document escaped
/// into the <c>message</c> string of a JSON-format event is not at the root and yields nothing. (aws-semantics.md says
/// a prefixed document yields nothing; the specification says otherwise for Lambda's prefix, and this class follows the
/// specification. The functions write EMF to the raw standard output, where both readings agree.)</para>
/// </summary>
public static class EmbeddedMetrics
{
    /// <summary>The message after the Lambda Text format's prefix (timestamp, request id, level, each tab-terminated), or the message itself.</summary>
    public static string AfterLambdaTextPrefix(string message)
    {
        if (message.Length == 0 || message[0] == '{')
        {
            return message;
        }

        var first = message.IndexOf('\t', StringComparison.Ordinal);
        var second = first < 0 ? -1 : message.IndexOf('\t', first + 1);
        var third = second < 0 ? -1 : message.IndexOf('\t', second + 1);
        return third > 0 && DateTimeOffset.TryParse(message[..first], System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out _)
            ? message[(third + 1)..]
            : message;
    }

    /// <summary>Every metric extracted from <paramref name="messages"/> (stored event messages), one entry per event, directive, dimension set and metric.</summary>
    public static IReadOnlyList<ExtractedMetric> Extract(IEnumerable<string> messages) => messages.SelectMany(Extract).ToList();

    /// <summary>The metrics of one stored event message (none unless it is a valid EMF document at its root).</summary>
    public static IReadOnlyList<ExtractedMetric> Extract(string message)
    {
        message = AfterLambdaTextPrefix(message);
        if (message.Length == 0 || message[0] != '{')
        {
            return [];
        }

        JsonObject? root;
        try
        {
            root = JsonNode.Parse(message) as JsonObject;
        }
        catch (System.Text.Json.JsonException)
        {
            return [];
        }

        if (root?["_aws"] is not JsonObject aws || aws["Timestamp"] is not JsonValue ts || !ts.TryGetValue<double>(out var millis)
            || aws["CloudWatchMetrics"] is not JsonArray directives)
        {
            return [];
        }

        DateTimeOffset timestamp;
        try
        {
            timestamp = DateTimeOffset.FromUnixTimeMilliseconds((long)millis);
        }
        catch (ArgumentOutOfRangeException)
        {
            return [];
        }

        var result = new List<ExtractedMetric>();
        foreach (var d in directives)
        {
            if (d?["Namespace"] is not JsonValue nsValue || !nsValue.TryGetValue<string>(out var ns) || ns.Length is 0 or > 255
                || d["Dimensions"] is not JsonArray sets || d["Metrics"] is not JsonArray metrics || metrics.Count > 100)
            {
                return [];
            }

            var dimensionSets = new List<Dictionary<string, string>>();
            foreach (var set in sets)
            {
                if (set is not JsonArray keys || keys.Count > 30)
                {
                    return [];
                }

                var dims = new Dictionary<string, string>(StringComparer.Ordinal);
                foreach (var k in keys)
                {
                    if (k is not JsonValue kv || !kv.TryGetValue<string>(out var key) || root[key] is not JsonValue dv || !dv.TryGetValue<string>(out var value) || value.Length > 1024)
                    {
                        return [];
                    }

                    dims[key] = value;
                }

                dimensionSets.Add(dims);
            }

            foreach (var m in metrics)
            {
                if (m?["Name"] is not JsonValue nv || !nv.TryGetValue<string>(out var name) || Values(root[name]) is not { } values)
                {
                    return [];
                }

                var unit = m["Unit"] is JsonValue uv && uv.TryGetValue<string>(out var u) ? u : null;
                result.AddRange(dimensionSets.Select(dims => new ExtractedMetric(ns, name, dims, values, unit, timestamp)));
            }
        }

        return result;
    }

    private static IReadOnlyList<double>? Values(JsonNode? node) => node switch
    {
        JsonValue v when v.GetValueKind() == System.Text.Json.JsonValueKind.Number => [v.GetValue<double>()],
        JsonArray a when a.Count <= 100 && a.All(i => i is JsonValue iv && iv.GetValueKind() == System.Text.Json.JsonValueKind.Number) => a.Select(i => i!.GetValue<double>()).ToList(),
        _ => null,
    };
}
