using System.Text.Json;
using System.Text.RegularExpressions;

// Alike on purpose: every gate rule has GateRule's shape (id, scanner ids, rationale, a check over the stack index
// that returns findings with their fix); the likeness is the template, each rule's check is its own.
namespace FraudTf.Promotion.Validation.Gate.Rules;

/// <summary>
/// GATE-TRUST-004: only the declared producers can write rows that a pipe turns into events. For a pipe whose DynamoDB
/// stream filter requires attributes of the new image (<c>dynamodb.NewImage.&lt;attr&gt;</c>), every role allowed to write
/// the source table (dynamodb:PutItem, UpdateItem, BatchWriteItem, PartiQLInsert, PartiQLUpdate) that is not listed in the
/// pipe's <c>"//".event_producers</c> must, on that Allow statement, be limited by a <c>ForAllValues:StringEquals</c> (or
/// <c>StringLike</c>) condition on <c>dynamodb:Attributes</c> that omits at least one attribute each filter requires, so it
/// cannot write a row that matches. Otherwise a role meant to write other rows (e.g. analyst notes) can raise the events
/// (e.g. FraudDetected) that downstream consumers act on. A pipe with such a filter and no <c>event_producers</c> is reported.
/// Source: Amazon DynamoDB Developer Guide, "Using IAM policy conditions for fine-grained access control" (dynamodb:Attributes
/// with ForAllValues limits the attributes a request may write); Amazon EventBridge User Guide, "Event filtering in Amazon
/// EventBridge Pipes" (a filter matches the stream record's dynamodb.NewImage fields).
/// </summary>
public sealed class PipeEventProducersRule : GateRule
{
    private static readonly string[] WriteActions =
        ["dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:BatchWriteItem", "dynamodb:PartiQLInsert", "dynamodb:PartiQLUpdate"];

    /// <inheritdoc />
    public override string Id => "GATE-TRUST-004";

    /// <inheritdoc />
    public override string Title => "Only a pipe's declared event producers can write rows that match its NewImage filter";

    /// <inheritdoc />
    public override string Source =>
        "Amazon DynamoDB Developer Guide, \"Using IAM policy conditions for fine-grained access control\" (dynamodb:Attributes, ForAllValues); " +
        "Amazon EventBridge User Guide, \"Event filtering in Amazon EventBridge Pipes\"";

    /// <inheritdoc />
    public override string Limits =>
        "Principals outside the stack (another stack's roles, administrators) are covered by GATE-TRUST-001's resource-policy Deny, not by this rule.";

    /// <inheritdoc />
    public override IEnumerable<GateFinding> Check(GateStack stack)
    {
        foreach (var pipe in stack.OfType("aws_pipes_pipe"))
        {
            var filters = RequiredAttributes(pipe);
            if (!filters.Any(f => f.Count > 0))
            {
                continue;
            }

            var filterText = string.Join(" or ", filters.Select(f => $"[{string.Join(", ", f)}]"));
            var producers = pipe.Metadata("event_producers");
            if (producers is null)
            {
                yield return Finding(pipe,
                    $"Pipe {pipe.Address} ({pipe.String("name") ?? pipe.ConstructPath ?? pipe.Address}) turns rows with NewImage attributes {filterText} into events but declares no " +
                    "\"//\".event_producers, so the gate cannot tell which writers of its source table are meant to raise them. " +
                    "Fix: AddOverride(\"//.event_producers\", [<${aws_iam_role.<writer>.arn}> ...]) with the roles allowed to write matching rows.");
                continue;
            }

            var table = GateQueries.ReferencedOfType(stack, pipe.Body["source"], "aws_dynamodb_table");
            if (table is null)
            {
                continue;
            }

            foreach (var role in stack.OfType("aws_iam_role").Where(r => !r.IsReferencedBy(producers)))
            {
                foreach (var (policy, s) in GateQueries.IdentityStatements(stack, role))
                {
                    var writes = WriteActions.Where(a => GateQueries.Grants(s, a)).ToList();
                    if (!s.IsAllow || writes.Count == 0 || !s.Resources.Any(r => Names(r, table)))
                    {
                        continue;
                    }

                    var allowed = AllowedAttributes(s);
                    var matchable = filters.Where(f => allowed is null || f.All(attr => allowed.Any(p => Matches(p, attr)))).ToList();
                    if (matchable.Count == 0)
                    {
                        continue;
                    }

                    var why = allowed is null
                        ? "has no ForAllValues:StringEquals/StringLike condition on dynamodb:Attributes"
                        : $"allows attributes [{string.Join(", ", allowed.Select(a => a.Pattern))}], which include every attribute of filter {string.Join(" and ", matchable.Select(f => $"[{string.Join(", ", f)}]"))}";
                    yield return Finding(policy,
                        $"Role {role.Address} is not in the \"//\".event_producers of pipe {pipe.Address}, yet {policy.Address} allows it " +
                        $"{string.Join(", ", writes)} on {table.Address} and {why}: it can write a row matching the pipe's filter (NewImage {filterText}) " +
                        "and so raise the pipe's events. Fix: add to that statement \"Condition\": {\"ForAllValues:StringEquals\": {\"dynamodb:Attributes\": " +
                        "[the attributes it writes, without one the filter requires]}}, or, if it is meant to raise these events, list it in event_producers.");
                }
            }
        }
    }

    /// <summary>For each filter of the pipe, the NewImage attributes a matching record must have (empty for a filter that needs none).</summary>
    private static List<List<string>> RequiredAttributes(StackResource pipe)
    {
        var result = new List<List<string>>();
        foreach (var f in pipe.At("source_parameters.filter_criteria.filter") as JsonArray ?? [])
        {
            JsonNode? pattern;
            try
            {
                pattern = f?["pattern"] is JsonValue v && v.TryGetValue<string>(out var text) ? JsonNode.Parse(text) : f?["pattern"];
            }
            catch (JsonException)
            {
                continue;
            }

            var image = pattern?["dynamodb"]?["NewImage"] as JsonObject;
            result.Add(image is null ? [] : image.Where(a => !OnlyAbsent(a.Value)).Select(a => a.Key).Order(StringComparer.Ordinal).ToList());
        }

        return result;
    }

    /// <summary>True for a field pattern that matches only when the attribute is absent (<c>[{"exists": false}]</c>).</summary>
    private static bool OnlyAbsent(JsonNode? value) =>
        value is JsonArray { Count: > 0 } a && a.All(x => x is JsonObject o && o["exists"] is JsonValue e && e.TryGetValue<bool>(out var b) && !b);

    /// <summary>
    /// The attribute names (or StringLike patterns) the statement limits writes to (ForAllValues:StringEquals/StringLike
    /// dynamodb:Attributes), or null when it sets no such limit.
    /// </summary>
    private static List<(string Pattern, bool Like)>? AllowedAttributes(GateStatement s)
    {
        var values = s.ConditionValues("ForAllValues:StringEquals", "dynamodb:Attributes").Select(v => (v, false))
            .Concat(s.ConditionValues("ForAllValues:StringLike", "dynamodb:Attributes").Select(v => (v, true))).ToList();
        return values.Count == 0 ? null : values;
    }

    private static bool Matches((string Pattern, bool Like) allowed, string attribute) =>
        allowed.Like
            ? Regex.IsMatch(attribute, "^" + Regex.Escape(allowed.Pattern).Replace("\\*", ".*").Replace("\\?", ".") + "$", RegexOptions.CultureInvariant)
            : allowed.Pattern == attribute;

    private static bool Names(string resource, StackResource table) =>
        (table.IsReferencedBy(JsonValue.Create(resource)) && !resource.Contains(".stream_arn", StringComparison.Ordinal))
        || (table.String("name") is { } name && Regex.IsMatch(resource, "^arn:[^:]+:dynamodb:[^:]*:[^:]*:table/" + Regex.Escape(name) + "$"));
}
