// Alike on purpose: every gate rule has GateRule's shape (id, scanner ids, rationale, a check over the stack index
// that returns findings with their fix); the likeness is the template, each rule's check is its own.
namespace FraudTf.Promotion.Validation.Gate.Rules;

/// <summary>
/// GATE-IAM-003: a role trusted by an AWS service carries a confused-deputy condition on <c>aws:SourceArn</c>. With
/// <c>aws:SourceAccount</c> alone, any pipe, rule, agent or knowledge base of the account (one created by anyone allowed
/// iam:PassRole on it, or a resource made for something else) can act with this role's permissions. Services send the ARN
/// of the resource acting for them in <c>aws:SourceArn</c>; the trust policy should name that resource (ArnEquals/ArnLike,
/// or StringEquals/StringLike). Lambda is excepted: it sends no source ARN when it assumes an execution role.
/// Source: IAM User Guide, "The confused deputy problem" (cross-service confused deputy prevention, aws:SourceArn and
/// aws:SourceAccount); Amazon EventBridge User Guide, "Amazon EventBridge Pipes IAM role" (trust policy with aws:SourceArn);
/// Amazon Bedrock User Guide, "Create a service role for Amazon Bedrock Agents" / "... for Knowledge Bases" (aws:SourceArn).
/// </summary>
public sealed class ServiceTrustSourceArnRule : GateRule
{
    /// <summary>Service principals that send no aws:SourceArn when assuming a role, with the source saying so.</summary>
    private static readonly IReadOnlyDictionary<string, string> NoSourceArn = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
    {
        // AWS Lambda Developer Guide, "Defining Lambda function permissions with an execution role": the execution role's
        // trust policy names lambda.amazonaws.com only; Lambda assumes it without a source ARN (no aws:SourceArn example).
        ["lambda.amazonaws.com"] = "AWS Lambda Developer Guide, \"Lambda execution role\"",
    };

    private static readonly string[] SourceArnOperators = ["ArnEquals", "ArnLike", "StringEquals", "StringLike"];

    /// <inheritdoc />
    public override string Id => "GATE-IAM-003";

    /// <inheritdoc />
    public override string Title => "Every trust of an AWS service principal (other than Lambda) is conditioned on aws:SourceArn";

    /// <inheritdoc />
    public override string Source =>
        "IAM User Guide, \"The confused deputy problem\"; Amazon EventBridge User Guide, \"Amazon EventBridge Pipes IAM role\"; " +
        "Amazon Bedrock User Guide, \"Create a service role for Amazon Bedrock Agents\" and \"Create a service role for Amazon Bedrock Knowledge Bases\"";

    /// <inheritdoc />
    public override string Limits =>
        "Whether the ARN named is the right resource (and not a wildcard broader than needed) is for review; a service that, like Lambda, sends no source ARN needs an entry with its source.";

    /// <inheritdoc />
    public override IEnumerable<GateFinding> Check(GateStack stack)
    {
        foreach (var role in stack.OfType("aws_iam_role"))
        {
            var statements = GateStack.Statements(role.Body["assume_role_policy"]) ?? [];
            for (var i = 0; i < statements.Count; i++)
            {
                var s = statements[i];
                if (!s.IsAllow)
                {
                    continue;
                }

                var services = s.Principals.Where(p => p.Kind == "Service" && !NoSourceArn.ContainsKey(p.Value)).Select(p => p.Value).ToList();
                if (services.Count == 0)
                {
                    continue;
                }

                var arns = SourceArnOperators.SelectMany(op => s.ConditionValues(op, "aws:SourceArn")).ToList();
                if (arns.Count > 0 && arns.All(a => a != "*"))
                {
                    continue;
                }

                var account = s.ConditionKeys().Any(k => string.Equals(k.Key, "aws:SourceAccount", StringComparison.OrdinalIgnoreCase));
                var what = arns.Count > 0 ? "an aws:SourceArn of \"*\", which names nothing"
                    : account ? "aws:SourceAccount only" : "no confused-deputy condition";
                yield return Finding(role,
                    $"The trust policy of {role.Address} ({role.String("name") ?? role.ConstructPath ?? role.Address}), statement {GateQueries.Label(s, i)}, lets " +
                    $"{string.Join(", ", services)} assume the role with {what}: any {string.Join("/", services.Select(ResourceKind))} of the account " +
                    "(not just the one this role is for) can act with its permissions. " +
                    $"Fix: add \"ArnEquals\" (or \"ArnLike\") {{\"aws:SourceArn\": <the ARN of the {string.Join("/", services.Select(ResourceKind))} that uses the role>}} " +
                    $"next to aws:SourceAccount; build the ARN from the resource's name to avoid a dependency cycle ({string.Join("; ", services.Select(ArnExample))}).");
            }
        }
    }

    private static string ArnExample(string service) => service.ToLowerInvariant() switch
    {
        "pipes.amazonaws.com" => "arn:aws:pipes:<region>:<account>:pipe/<pipe name>",
        "events.amazonaws.com" => "arn:aws:events:<region>:<account>:rule/<bus name>/<rule name>, or .../rule/<bus name>/* with ArnLike",
        "bedrock.amazonaws.com" => "arn:aws:bedrock:<region>:<account>:agent/* or knowledge-base/* with ArnLike, or the resource's id once known",
        _ => $"the ARN {service} sends for the resource using the role",
    };

    private static string ResourceKind(string service) => service.ToLowerInvariant() switch
    {
        "pipes.amazonaws.com" => "pipe",
        "events.amazonaws.com" => "EventBridge rule",
        "bedrock.amazonaws.com" => "agent or knowledge base",
        "scheduler.amazonaws.com" => "schedule",
        "states.amazonaws.com" => "state machine",
        _ => "resource of " + service,
    };
}
