using System.Text;
using System.Text.Json;

namespace FraudTf.Promotion.Plans;

/// <summary>What a plan does to one resource.</summary>
public enum PlanAction
{
    /// <summary>Created.</summary>
    Create,

    /// <summary>Updated in place.</summary>
    Update,

    /// <summary>Destroyed and created again (either order).</summary>
    Replace,

    /// <summary>Destroyed.</summary>
    Destroy,

    /// <summary>Removed from state without being destroyed (a <c>removed</c> block).</summary>
    Forget,
}

/// <summary>One resource change of a plan (no-ops and data source reads are not listed).</summary>
/// <param name="Address">Resource address.</param>
/// <param name="Type">Resource type.</param>
/// <param name="Action">What happens to it.</param>
/// <param name="Stateful">Whether the resource holds data or keys that a destroy would lose.</param>
/// <param name="Detail">Why it is replaced (Terraform's reason and the paths forcing it), or which arguments an update changes.</param>
public sealed record PlannedChange(string Address, string Type, PlanAction Action, bool Stateful, string Detail);

/// <summary>The changes of a plan, parsed from <c>terraform show -json</c> (format 1.x: <c>resource_changes[].change.actions</c>).</summary>
public sealed record PlanSummary(string TerraformVersion, IReadOnlyList<PlannedChange> Changes, int Unchanged)
{
    /// <summary>
    /// Resource types whose destroy loses data or makes data unreadable: tables, buckets, keys, streams, queues,
    /// vector collections and knowledge bases, log groups; and the Bedrock agent and its alias, whose replacement
    /// gives them new ids (every caller of the agent breaks) and drops their version history.
    /// </summary>
    public static readonly IReadOnlySet<string> StatefulTypes = new SortedSet<string>(StringComparer.Ordinal)
    {
        "aws_dynamodb_table", "aws_s3_bucket", "aws_kms_key", "aws_kinesis_stream", "aws_sqs_queue",
        "aws_opensearchserverless_collection", "aws_bedrockagent_knowledge_base", "aws_cloudwatch_log_group",
        "aws_bedrockagent_agent", "aws_bedrockagent_agent_alias",
    };

    /// <summary>
    /// Private networking's resources whose <em>replace</em> interrupts the running platform (docs/networking.md), with the
    /// reason. They hold no data, so destroying them when networking is turned off is not guarded; replacing them while it
    /// stays on is. Not listed, with their reason: NAT gateways and Elastic IPs (no function's call uses the internet path:
    /// every AWS API has an endpoint), route table associations and routes (recreated with their table), security group
    /// rules (a rule replaced is created again within the apply; the calls it allows retry).
    /// </summary>
    public static readonly IReadOnlyDictionary<string, string> NetworkReplaces = new SortedDictionary<string, string>(StringComparer.Ordinal)
    {
        ["aws_vpc"] = "every subnet, security group and endpoint is replaced with it and every function's network interfaces move: the functions cannot run until Lambda has created new ones (minutes), and the old ones block the old VPC's deletion until released",
        ["aws_subnet"] = "the functions' network interfaces in it are recreated (minutes without capacity in that zone) and its deletion waits until Lambda releases them; its endpoint interfaces go with it",
        ["aws_security_group"] = "Terraform destroys the group first, which fails or waits (DependencyViolation) while a function's or an endpoint's network interfaces use it, leaving the apply stuck with the functions half-updated",
        ["aws_route_table"] = "the S3 and DynamoDB gateway endpoints' routes live in it: while it is replaced, the subnet falls back to the main route table and those calls have no route",
        ["aws_vpc_endpoint"] = "while the endpoint is replaced, the calls to its service have no path (interface: its private DNS name resolves nowhere; gateway: its routes are gone): private calls fail until the new one is available",
        ["aws_opensearchserverless_vpc_endpoint"] = "the collection's network policy allows only this endpoint's id: until the policy names the new one, the index setup cannot reach the collection",
    };

    /// <summary>Replaces of <see cref="NetworkReplaces"/>' types: what interrupts the running platform (a routine deploy refuses them too).</summary>
    public IReadOnlyList<PlannedChange> NetworkInterruptions =>
        Changes.Where(c => c.Action == PlanAction.Replace && NetworkReplaces.ContainsKey(c.Type)).ToList();

    /// <summary>Replaces and destroys of stateful resources: what a routine deploy must not do.</summary>
    public IReadOnlyList<PlannedChange> StatefulLosses =>
        Changes.Where(c => c.Stateful && c.Action is PlanAction.Replace or PlanAction.Destroy).ToList();

    /// <summary>Number of changes of one kind.</summary>
    public int Count(PlanAction action) => Changes.Count(c => c.Action == action);

    /// <summary>Parses the JSON of <c>terraform show -json plan.tfplan</c>; <paramref name="display"/> names the file in errors.</summary>
    public static PlanSummary Parse(string json, string display)
    {
        JsonObject root;
        try
        {
            root = JsonNode.Parse(json)?.AsObject() ?? throw new UserError($"{display} is empty.");
        }
        catch (JsonException e)
        {
            throw new UserError($"{display} is not JSON ({e.Message}). Fix: write it with 'terraform show -json plan.tfplan > {display}'.");
        }

        if (root["format_version"] is null || root["resource_changes"] is not (JsonArray or null))
        {
            throw new UserError($"{display} is not the JSON of a plan (no format_version). Fix: use 'terraform show -json <saved plan>', not the state.");
        }

        var changes = new List<PlannedChange>();
        var unchanged = 0;
        foreach (var rc in root["resource_changes"]?.AsArray() ?? [])
        {
            if (rc?["mode"]?.GetValue<string>() == "data")
            {
                continue;
            }

            var address = rc!["address"]!.GetValue<string>();
            var type = rc["type"]!.GetValue<string>();
            var actions = rc["change"]?["actions"]?.AsArray().Select(a => a!.GetValue<string>()).ToList() ?? [];
            PlanAction? action = actions switch
            {
                ["create"] => PlanAction.Create,
                ["update"] => PlanAction.Update,
                ["delete"] => PlanAction.Destroy,
                ["delete", "create"] or ["create", "delete"] => PlanAction.Replace,
                ["forget"] => PlanAction.Forget,
                _ => null,
            };
            if (action is null)
            {
                unchanged++;
                continue;
            }

            changes.Add(new PlannedChange(address, type, action.Value, StatefulTypes.Contains(type), Detail(action.Value, rc)));
        }

        var ordered = changes.OrderBy(c => c.Address, StringComparer.Ordinal).ToList();
        return new PlanSummary(root["terraform_version"]?.GetValue<string>() ?? "unknown", ordered, unchanged);
    }

    private static string Detail(PlanAction action, JsonNode rc)
    {
        var change = rc["change"]!;
        switch (action)
        {
            case PlanAction.Replace:
                var paths = change["replace_paths"]?.AsArray()
                    .Select(p => string.Join(".", p!.AsArray().Select(x => x!.ToJsonString().Trim('"'))))
                    .Order(StringComparer.Ordinal).ToList() ?? [];
                var reason = rc["action_reason"]?.GetValue<string>() ?? "replace";
                return paths.Count > 0 ? $"{reason}: {string.Join(", ", paths)}" : reason;
            case PlanAction.Update:
                var before = change["before"] as JsonObject ?? [];
                var after = change["after"] as JsonObject ?? [];
                var unknown = change["after_unknown"] as JsonObject ?? [];
                var keys = before.Select(kv => kv.Key).Union(after.Select(kv => kv.Key))
                    .Where(k => !JsonNode.DeepEquals(before[k], after[k]) || unknown[k] is JsonValue v && v.GetValueKind() == JsonValueKind.True)
                    .Where(k => k != "tags_all")
                    .Order(StringComparer.Ordinal).ToList();
                return keys.Count > 0 ? $"changes {string.Join(", ", keys)}" : "";
            case PlanAction.Destroy:
                return rc["action_reason"]?.GetValue<string>() ?? "";
            default:
                return "";
        }
    }

    /// <summary>The Markdown summary: counts, then stateful replaces and destroys first, network replaces that interrupt the
    /// platform next (with why), then the other changes by kind.</summary>
    public string ToMarkdown(string environment)
    {
        var sb = new StringBuilder();
        sb.AppendLine($"### Plan of `{environment}`");
        sb.AppendLine();
        sb.AppendLine($"Terraform {TerraformVersion}: **{Count(PlanAction.Create)} to create, {Count(PlanAction.Update)} to update, " +
                      $"{Count(PlanAction.Replace)} to replace, {Count(PlanAction.Destroy)} to destroy**" +
                      $"{(Count(PlanAction.Forget) > 0 ? $", {Count(PlanAction.Forget)} to forget" : "")}; {Unchanged} unchanged.");
        sb.AppendLine();
        var losses = StatefulLosses;
        if (losses.Count > 0)
        {
            sb.AppendLine($"**Stateful resources replaced or destroyed ({losses.Count}): their data is lost unless backed up. A routine deploy refuses this (ALLOW_DESTROY=\"reason\" overrides).**");
            sb.AppendLine();
            Table(sb, losses);
        }
        else
        {
            sb.AppendLine("No stateful resource (tables, buckets, keys, streams, queues, collections, knowledge bases, log groups) is replaced or destroyed.");
            sb.AppendLine();
        }

        var network = NetworkInterruptions;
        if (network.Count > 0)
        {
            sb.AppendLine($"**Network resources replaced ({network.Count}): private networking is interrupted while they are replaced. A routine deploy refuses this (ALLOW_DESTROY=\"reason\" overrides).**");
            sb.AppendLine();
            Table(sb, network.Select(c => c with { Detail = c.Detail.Length > 0 ? $"{c.Detail}; {NetworkReplaces[c.Type]}" : NetworkReplaces[c.Type] }));
        }

        foreach (var (action, title) in new[]
                 {
                     (PlanAction.Replace, "Replaced"), (PlanAction.Destroy, "Destroyed"), (PlanAction.Forget, "Forgotten (kept in AWS, removed from state)"),
                     (PlanAction.Update, "Updated in place"), (PlanAction.Create, "Created"),
                 })
        {
            var rest = Changes.Where(c => c.Action == action && !losses.Contains(c) && !network.Contains(c)).ToList();
            if (rest.Count == 0)
            {
                continue;
            }

            sb.AppendLine($"#### {title} ({rest.Count})");
            sb.AppendLine();
            Table(sb, rest);
        }

        return sb.ToString();
    }

    private static void Table(StringBuilder sb, IEnumerable<PlannedChange> changes)
    {
        sb.AppendLine("| action | address | detail |");
        sb.AppendLine("|---|---|---|");
        foreach (var c in changes)
        {
            sb.AppendLine($"| {c.Action.ToString().ToLowerInvariant()} | `{c.Address}` | {c.Detail.Replace("|", "\\|", StringComparison.Ordinal)} |");
        }

        sb.AppendLine();
    }
}
