using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

// Alike on purpose: every gate rule has GateRule's shape (id, scanner ids, rationale, a check over the stack index
// that returns findings with their fix); the likeness is the template, each rule's check is its own.
namespace FraudTf.Promotion.Validation.Gate.Rules;

/// <summary>
/// JSON helpers shared by the value rules (GATE-PROV-001, GATE-ENUM-001, GATE-LIMIT-001, GATE-KMS-*, GATE-STREAM-001,
/// GATE-S3-001): reading arguments that cdktf writes either as one object or as an array of blocks, and telling
/// literal values from Terraform expressions.
/// </summary>
internal static partial class Gate1Support
{
    [GeneratedRegex(@"\$\{[^}]*\}")]
    private static partial Regex InterpolationRegex();

    /// <summary>
    /// Every value at <paramref name="dottedPath"/> below <paramref name="node"/>, with its indexed path for messages
    /// (<c>rule[1].transition[0].storage_class</c>). Arrays are fanned out at every step, blocks of any count
    /// included, and so is a leaf array (<c>architectures</c>, <c>function_response_types</c>).
    /// </summary>
    public static IEnumerable<(string Path, JsonNode Value)> All(JsonNode? node, string dottedPath)
    {
        var parts = dottedPath.Split('.');
        return Walk(node, parts, 0, "");
    }

    private static IEnumerable<(string, JsonNode)> Walk(JsonNode? node, string[] parts, int i, string path)
    {
        if (node is null)
        {
            yield break;
        }

        if (node is JsonArray array)
        {
            for (var k = 0; k < array.Count; k++)
            {
                foreach (var r in Walk(array[k], parts, i, $"{path}[{k}]"))
                {
                    yield return r;
                }
            }

            yield break;
        }

        if (i == parts.Length)
        {
            yield return (path, node);
            yield break;
        }

        if (node is JsonObject o && o[parts[i]] is { } child)
        {
            foreach (var r in Walk(child, parts, i + 1, path.Length == 0 ? parts[i] : $"{path}.{parts[i]}"))
            {
                yield return r;
            }
        }
    }

    /// <summary>The block instances at <paramref name="dottedPath"/> (objects only), fanned out over arrays.</summary>
    public static IEnumerable<(string Path, JsonObject Block)> Blocks(JsonNode? node, string dottedPath) =>
        All(node, dottedPath).Where(v => v.Value is JsonObject).Select(v => (v.Path, (JsonObject)v.Value));

    /// <summary>True when <paramref name="text"/> holds a Terraform expression (<c>${...}</c>), whose value only a plan knows.</summary>
    public static bool IsExpression(string text) => text.Contains("${", StringComparison.Ordinal);

    /// <summary><paramref name="text"/> without its <c>${...}</c> expressions: the part of the value known before plan.</summary>
    public static string LiteralPart(string text) => InterpolationRegex().Replace(text, "");

    /// <summary>A literal string value (not an expression), or null for anything else.</summary>
    public static string? LiteralString(JsonNode? node) =>
        node is JsonValue v && v.GetValueKind() == JsonValueKind.String && v.GetValue<string>() is var s && !IsExpression(s) ? s : null;

    /// <summary>
    /// The value as text for an enum check: a string, or a number or boolean as Terraform would convert it. Null for an
    /// expression, an object or an array.
    /// </summary>
    public static string? LiteralText(JsonNode? node) => node switch
    {
        JsonValue v when v.GetValueKind() == JsonValueKind.String => LiteralString(v),
        JsonValue v when v.GetValueKind() is JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False => v.ToJsonString(),
        _ => null,
    };

    /// <summary>
    /// Reads an integer argument: a JSON number or a numeric string (Terraform converts it). Returns false with
    /// <paramref name="skip"/> = true for an expression; false with skip = false for a value that is not a whole number.
    /// </summary>
    public static bool TryInteger(JsonNode? node, out long value, out bool skip)
    {
        value = 0;
        skip = false;
        if (node is not JsonValue v)
        {
            return false;
        }

        switch (v.GetValueKind())
        {
            case JsonValueKind.Number:
                if (v.TryGetValue<long>(out value))
                {
                    return true;
                }

                if (v.TryGetValue<double>(out var d) && d == Math.Floor(d) && Math.Abs(d) < 1e15)
                {
                    value = (long)d;
                    return true;
                }

                return false;
            case JsonValueKind.String:
                var s = v.GetValue<string>();
                if (IsExpression(s))
                {
                    skip = true;
                    return false;
                }

                return long.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value);
            default:
                return false;
        }
    }

    /// <summary>Every IAM-style policy document of the stack: inline role policies, key policies, resource policies.</summary>
    public static IEnumerable<(StackResource Resource, string Argument, JsonNode Document)> PolicyDocuments(GateStack stack)
    {
        foreach (var r in stack.Resources.Where(r => !r.IsData))
        {
            switch (r.Type)
            {
                case "aws_iam_role":
                    if (r.Body["assume_role_policy"] is { } trust)
                    {
                        yield return (r, "assume_role_policy", trust);
                    }

                    foreach (var (path, block) in Blocks(r.Body, "inline_policy"))
                    {
                        if (block["policy"] is { } p)
                        {
                            yield return (r, path + ".policy", p);
                        }
                    }

                    break;
                case "aws_iam_policy" or "aws_iam_role_policy" or "aws_iam_user_policy" or "aws_iam_group_policy" or "aws_kms_key"
                    or "aws_s3_bucket_policy" or "aws_sqs_queue_policy" or "aws_sns_topic_policy" or "aws_kms_key_policy"
                    or "aws_dynamodb_resource_policy" or "aws_kinesis_resource_policy" or "aws_cloudwatch_event_bus_policy"
                    or "aws_sqs_queue" or "aws_sns_topic" or "aws_vpc_endpoint":
                    if (r.Body["policy"] is { } policy)
                    {
                        yield return (r, "policy", policy);
                    }

                    break;
            }
        }
    }
}
