using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace FraudTf.Local.Observability;

/// <summary>
/// A CloudWatch Logs metric-filter pattern, parsed once, that tells whether a stored log event matches. Follows the
/// CloudWatch Logs user guide, "Filter pattern syntax for metric filters" ("Using metric filters to match terms and
/// extract values from JSON log events", "Using compound expressions to match terms in JSON objects"):
/// <list type="bullet">
/// <item><c>{ expr }</c> reads the log event as a JSON object; an event that is not one never matches.</item>
/// <item>Property selectors <c>$.a.b[0].c</c> (names of letters, digits, <c>-</c> and <c>_</c>; zero-based array
/// indexes). A selector that points to an object or an array, or to nothing, makes its comparison false.</item>
/// <item><c>=</c> and <c>!=</c> with a string (quoted, or bare letters/digits/underscore) where <c>*</c> is a wildcard;
/// <c>=</c>, <c>!=</c>, <c>&lt;</c>, <c>&gt;</c>, <c>&lt;=</c>, <c>&gt;=</c> with a number (signs and scientific notation
/// allowed); <c>IS NULL</c>, <c>IS TRUE</c>, <c>IS FALSE</c>, <c>NOT EXISTS</c>.</item>
/// <item><c>&amp;&amp;</c> and <c>||</c> with parentheses, precedence <c>()</c> &gt; <c>&amp;&amp;</c> &gt; <c>||</c>.</item>
/// <item>The empty pattern matches every event.</item>
/// </list>
/// Anything else throws when parsed: <see cref="FormatException"/> for malformed syntax, <see cref="NotSupportedException"/>
/// for syntax CloudWatch has but this class does not implement (term patterns such as <c>ERROR -ARGUMENTS</c>,
/// space-delimited patterns <c>[a, b]</c>, <c>$.*</c> selectors) or that CloudWatch documents as unsupported
/// (<c>IS NOT</c>, <c>EXISTS</c>). Not verified against the service (no local CloudWatch exists): how a number literal
/// compares with a string field (here: <c>=</c>/<c>!=</c> compare the text, <c>&lt;</c>/<c>&gt;</c> parse the string).
/// </summary>
public sealed partial class FilterPattern
{
    private static readonly ConcurrentDictionary<string, FilterPattern> Cache = new(StringComparer.Ordinal);
    private readonly Node? _root;

    private FilterPattern(string text, Node? root)
    {
        Text = text;
        _root = root;
    }

    /// <summary>The pattern as written.</summary>
    public string Text { get; }

    /// <summary>Parses <paramref name="pattern"/>; throws <see cref="FormatException"/> or <see cref="NotSupportedException"/> naming what is wrong.</summary>
    public static FilterPattern Parse(string pattern)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        var body = pattern.Trim();
        if (body.Length == 0)
        {
            return new FilterPattern(pattern, null);
        }

        if (body[0] == '[')
        {
            throw new NotSupportedException($"filter pattern '{pattern}' is a space-delimited pattern; the local CloudWatch implements JSON patterns ({{ $.field = \"value\" }}) only. Fix: write the filter as a JSON pattern, or teach FilterPattern this syntax.");
        }

        if (body[0] != '{')
        {
            throw new NotSupportedException($"filter pattern '{pattern}' is a term pattern; the local CloudWatch implements JSON patterns ({{ $.field = \"value\" }}) only. Fix: write the filter as a JSON pattern, or teach FilterPattern this syntax.");
        }

        if (body[^1] != '}')
        {
            throw new FormatException($"filter pattern '{pattern}' opens '{{' but does not end with '}}'. Fix: close the JSON pattern.");
        }

        var tokens = Tokenize(pattern, body[1..^1]);
        var parser = new Parser(pattern, tokens);
        var root = parser.Or();
        if (!parser.AtEnd)
        {
            throw new FormatException($"filter pattern '{pattern}': unexpected '{parser.Peek}' after a complete expression. Fix: join conditions with && or ||.");
        }

        return new FilterPattern(pattern, root);
    }

    /// <summary>True when <paramref name="logLine"/> matches <paramref name="pattern"/> (parsed once per distinct pattern).</summary>
    public static bool Matches(string pattern, string logLine) => Cache.GetOrAdd(pattern, Parse).Matches(logLine);

    /// <summary>True when the stored event <paramref name="message"/> matches this pattern.</summary>
    public bool Matches(string message) => _root is null || Matches(ParseEvent(message));

    /// <summary>True when the event, already parsed with <see cref="ParseEvent"/> (null when it is not a JSON object), matches.</summary>
    public bool Matches(JsonObject? json) => _root is null || (json is not null && _root.Eval(json));

    /// <summary>The event as a JSON object, or null when it is not one (a JSON pattern never matches it).</summary>
    public static JsonObject? ParseEvent(string message)
    {
        var trimmed = message.AsSpan().Trim();
        if (trimmed.Length == 0 || trimmed[0] != '{')
        {
            return null;
        }

        try
        {
            return JsonNode.Parse(message) as JsonObject;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>
    /// The node a property selector (<c>$.a.b[0]</c>) points to in <paramref name="json"/>: <c>Found</c> false when a step
    /// is missing; <c>Node</c> null with <c>Found</c> true for a JSON null.
    /// </summary>
    public static (bool Found, JsonNode? Node) Select(JsonObject json, string selector)
    {
        JsonNode? node = json;
        foreach (var step in Steps(selector, selector))
        {
            switch (step)
            {
                case string name when node is JsonObject o && o.TryGetPropertyValue(name, out var child):
                    node = child;
                    break;
                case int index when node is JsonArray a && index < a.Count:
                    node = a[index];
                    break;
                default:
                    return (false, null);
            }
        }

        return (true, node);
    }

    [GeneratedRegex(@"\G\s*(?:(?<t>\(|\)|&&|\|\||!=|<=|>=|=|<|>)|(?<t>""(?:[^""\\]|\\.)*"")|(?<t>\$(?:\.[A-Za-z0-9_\-*]+|\[\d+\])+)|(?<t>[A-Za-z0-9_.+\-*:@/]+))")]
    private static partial Regex Token();

    private static List<string> Tokenize(string pattern, string body)
    {
        var tokens = new List<string>();
        var pos = 0;
        while (pos < body.Length)
        {
            if (char.IsWhiteSpace(body[pos]))
            {
                pos++;
                continue;
            }

            var m = Token().Match(body, pos);
            if (!m.Success || m.Length == 0)
            {
                throw new FormatException($"filter pattern '{pattern}': cannot read '{body[pos..]}'. Fix: use the JSON filter syntax of the CloudWatch Logs user guide (\"Filter pattern syntax for metric filters\").");
            }

            tokens.Add(m.Groups["t"].Value);
            pos = m.Index + m.Length;
        }

        return tokens;
    }

    private static IEnumerable<object> Steps(string pattern, string selector)
    {
        if (!selector.StartsWith('$') || selector.Length < 2)
        {
            throw new FormatException($"filter pattern '{pattern}': '{selector}' is not a property selector. Fix: start it with '$.'.");
        }

        var i = 1;
        while (i < selector.Length)
        {
            if (selector[i] == '.')
            {
                var end = i + 1;
                while (end < selector.Length && selector[end] is not '.' and not '[')
                {
                    end++;
                }

                var name = selector[(i + 1)..end];
                if (name.Contains('*'))
                {
                    throw new NotSupportedException($"filter pattern '{pattern}': the wildcard selector '{selector}' is not implemented by the local CloudWatch. Fix: name the property.");
                }

                if (name.Length == 0)
                {
                    throw new FormatException($"filter pattern '{pattern}': empty property name in '{selector}'.");
                }

                yield return name;
                i = end;
            }
            else if (selector[i] == '[')
            {
                var end = selector.IndexOf(']', i);
                yield return int.Parse(selector[(i + 1)..end], NumberStyles.None, CultureInfo.InvariantCulture);
                i = end + 1;
            }
            else
            {
                throw new FormatException($"filter pattern '{pattern}': cannot read selector '{selector}'.");
            }
        }
    }

    private abstract class Node
    {
        public abstract bool Eval(JsonObject json);
    }

    private sealed class AndNode(Node left, Node right) : Node
    {
        public override bool Eval(JsonObject json) => left.Eval(json) && right.Eval(json);
    }

    private sealed class OrNode(Node left, Node right) : Node
    {
        public override bool Eval(JsonObject json) => left.Eval(json) || right.Eval(json);
    }

    private sealed class CheckNode(string selector, Func<bool, JsonNode?, bool> check) : Node
    {
        public override bool Eval(JsonObject json)
        {
            var (found, node) = Select(json, selector);
            return check(found, node);
        }
    }

    private sealed class Parser(string pattern, List<string> tokens)
    {
        private int _i;

        public bool AtEnd => _i >= tokens.Count;

        public string Peek => AtEnd ? "<end>" : tokens[_i];

        // Alike on purpose: Or and And are the two levels of a recursive-descent parser, one a precedence.
        public Node Or()
        {
            var left = And();
            while (!AtEnd && tokens[_i] == "||")
            {
                _i++;
                left = new OrNode(left, And());
            }

            return left;
        }

        private Node And()
        {
            var left = Primary();
            while (!AtEnd && tokens[_i] == "&&")
            {
                _i++;
                left = new AndNode(left, Primary());
            }

            return left;
        }

        private string Next(string expected)
        {
            if (AtEnd)
            {
                throw new FormatException($"filter pattern '{pattern}' ends where {expected} was expected. Fix: complete the expression.");
            }

            return tokens[_i++];
        }

        private Node Primary()
        {
            var token = Next("a condition");
            if (token == "(")
            {
                var inner = Or();
                if (Next("')'") != ")")
                {
                    throw new FormatException($"filter pattern '{pattern}': missing ')'. Fix: balance the parentheses.");
                }

                return inner;
            }

            if (!token.StartsWith('$'))
            {
                throw new FormatException($"filter pattern '{pattern}': expected a property selector ($.field), got '{token}'.");
            }

            var selector = token;
            _ = Steps(pattern, selector).ToList();
            var op = Next("an operator");
            switch (op)
            {
                case "IS":
                    var what = Next("NULL, TRUE or FALSE");
                    return what switch
                    {
                        "NULL" => new CheckNode(selector, (found, node) => found && node is null),
                        "TRUE" => new CheckNode(selector, (found, node) => found && node is JsonValue v && v.GetValueKind() == JsonValueKind.True),
                        "FALSE" => new CheckNode(selector, (found, node) => found && node is JsonValue v && v.GetValueKind() == JsonValueKind.False),
                        "NOT" => throw new NotSupportedException($"filter pattern '{pattern}': 'IS NOT' is not supported (CloudWatch Logs user guide: \"The variables IS NOT and EXISTS currently aren't supported\"). Fix: use != or NOT EXISTS."),
                        _ => throw new FormatException($"filter pattern '{pattern}': 'IS {what}' is not valid. Fix: IS NULL, IS TRUE or IS FALSE."),
                    };
                case "NOT":
                    var exists = Next("EXISTS");
                    if (exists != "EXISTS")
                    {
                        throw new FormatException($"filter pattern '{pattern}': 'NOT {exists}' is not valid. Fix: NOT EXISTS.");
                    }

                    return new CheckNode(selector, (found, _) => !found);
                case "EXISTS":
                    throw new NotSupportedException($"filter pattern '{pattern}': 'EXISTS' is not supported (CloudWatch Logs user guide: \"The variables IS NOT and EXISTS currently aren't supported\"). Fix: use '{selector} = *'.");
                case "=" or "!=" or "<" or ">" or "<=" or ">=":
                    return Comparison(selector, op, Next("a value"));
                default:
                    throw new FormatException($"filter pattern '{pattern}': '{op}' is not an operator. Fix: use =, !=, <, >, <=, >=, IS or NOT EXISTS.");
            }
        }

        private CheckNode Comparison(string selector, string op, string literal)
        {
            if (literal is "(" or ")" or "&&" or "||" || literal.StartsWith('$') || literal.Length == 0 || "=!<>".Contains(literal[0], StringComparison.Ordinal))
            {
                throw new FormatException($"filter pattern '{pattern}': '{selector} {op}' needs a value, got '{literal}'.");
            }

            var quoted = literal[0] == '"';
            var text = quoted ? JsonSerializer.Deserialize<string>(literal)! : literal;
            var isNumber = !quoted && !text.Contains('*') && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out _);
            var number = isNumber ? double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture) : 0;
            if (op is "<" or ">" or "<=" or ">=" && !isNumber)
            {
                throw new FormatException($"filter pattern '{pattern}': '{op}' compares numbers, got '{literal}'. Fix: compare strings with = or !=.");
            }

            if (!quoted && !isNumber && !UnquotedString().IsMatch(text))
            {
                throw new FormatException($"filter pattern '{pattern}': the value '{literal}' must be quoted (CloudWatch: strings with characters other than letters, digits and underscore go in double quotes).");
            }

            var glob = text.Contains('*') ? Glob(text) : null;
            bool TextEquals(string actual) => glob?.IsMatch(actual) ?? string.Equals(actual, text, StringComparison.Ordinal);

            return new CheckNode(selector, (found, node) =>
            {
                if (!found || node is not JsonValue value)
                {
                    return false; // missing, null, object or array: no match
                }

                var kind = value.GetValueKind();
                if (kind == JsonValueKind.Number && isNumber)
                {
                    var actual = value.GetValue<double>();
                    return Compare(op, actual.CompareTo(number));
                }

                string actualText = kind switch
                {
                    JsonValueKind.String => value.GetValue<string>(),
                    JsonValueKind.True => "true",
                    JsonValueKind.False => "false",
                    _ => value.ToJsonString(),
                };
                if (op is "=" or "!=")
                {
                    return TextEquals(actualText) == (op == "=");
                }

                return double.TryParse(actualText, NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed) && Compare(op, parsed.CompareTo(number));
            });
        }

        private static bool Compare(string op, int c) => op switch
        {
            "=" => c == 0,
            "!=" => c != 0,
            "<" => c < 0,
            ">" => c > 0,
            "<=" => c <= 0,
            _ => c >= 0,
        };

        private static Regex Glob(string text)
        {
            var sb = new StringBuilder("^");
            foreach (var part in text.Split('*'))
            {
                sb.Append(Regex.Escape(part)).Append(".*");
            }

            sb.Length -= 2;
            return new Regex(sb.Append('$').ToString(), RegexOptions.Singleline | RegexOptions.CultureInvariant);
        }
    }

    [GeneratedRegex(@"^[A-Za-z0-9_.*+\-]+$")]
    private static partial Regex UnquotedString();
}
