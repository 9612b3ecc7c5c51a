using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace FraudTf.Functions.Tests.Support;

/// <summary>
/// Evaluates the subset of CloudWatch Logs JSON filter-pattern syntax the platform uses against a log line:
/// <c>{ expr }</c> where expr combines <c>$.field = "value"</c> (a trailing * is a prefix match) with &amp;&amp;, || and parentheses.
/// A line that is not a JSON object never matches, as in CloudWatch.
/// </summary>
public static partial class FilterPattern
{
    [GeneratedRegex(@"\s*(\(|\)|&&|\|\||=|\$\.[A-Za-z0-9_.]+|""(?:[^""\\]|\\.)*"")")]
    private static partial Regex Token();

    /// <summary>True when <paramref name="logLine"/> matches <paramref name="pattern"/>.</summary>
    public static bool Matches(string pattern, string logLine)
    {
        JsonObject? json;
        try
        {
            json = JsonNode.Parse(logLine) as JsonObject;
        }
        catch (System.Text.Json.JsonException)
        {
            return false;
        }

        if (json is null)
        {
            return false;
        }

        var body = pattern.Trim();
        if (!body.StartsWith('{') || !body.EndsWith('}'))
        {
            throw new ArgumentException($"not a JSON filter pattern: {pattern}");
        }

        var tokens = new List<string>();
        var rest = body[1..^1];
        var pos = 0;
        while (pos < rest.Length)
        {
            if (char.IsWhiteSpace(rest[pos]))
            {
                pos++;
                continue;
            }

            var m = Token().Match(rest, pos);
            if (!m.Success || m.Index != pos && rest[pos..m.Index].Trim().Length > 0)
            {
                throw new ArgumentException($"unsupported syntax at '{rest[pos..]}'");
            }

            tokens.Add(m.Groups[1].Value);
            pos = m.Index + m.Length;
        }

        var i = 0;
        var result = Or(tokens, ref i, json);
        if (i != tokens.Count)
        {
            throw new ArgumentException($"unexpected '{tokens[i]}'");
        }

        return result;
    }

    private static bool Or(List<string> t, ref int i, JsonObject json)
    {
        var v = And(t, ref i, json);
        while (i < t.Count && t[i] == "||")
        {
            i++;
            v |= And(t, ref i, json);
        }

        return v;
    }

    private static bool And(List<string> t, ref int i, JsonObject json)
    {
        var v = Primary(t, ref i, json);
        while (i < t.Count && t[i] == "&&")
        {
            i++;
            v &= Primary(t, ref i, json);
        }

        return v;
    }

    private static bool Primary(List<string> t, ref int i, JsonObject json)
    {
        if (t[i] == "(")
        {
            i++;
            var v = Or(t, ref i, json);
            if (t[i++] != ")")
            {
                throw new ArgumentException("missing )");
            }

            return v;
        }

        var selector = t[i++];
        if (t[i++] != "=")
        {
            throw new ArgumentException("only = comparisons are supported");
        }

        var expected = System.Text.Json.JsonSerializer.Deserialize<string>(t[i++])!;
        JsonNode? node = json;
        foreach (var part in selector[2..].Split('.'))
        {
            node = node is JsonObject o ? o[part] : null;
        }

        var actual = node is JsonValue value && value.TryGetValue<string>(out var s) ? s : node?.ToJsonString();
        return actual is not null && (expected.EndsWith('*') ? actual.StartsWith(expected[..^1], StringComparison.Ordinal) : actual == expected);
    }
}
