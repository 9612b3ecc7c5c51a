// Alike on purpose: every gate rule has GateRule's shape (id, scanner ids, rationale, a check over the stack index
// that returns findings with their fix); the likeness is the template, each rule's check is its own.
namespace FraudTf.Promotion.Validation.Gate.Rules;

/// <summary>
/// GATE-SNS-002: nobody can subscribe an arbitrary endpoint to a topic. Either the topic's policy grants
/// <c>sns:Subscribe</c> to no one, or it holds a Deny of <c>sns:Subscribe</c> to Principal <c>*</c> whose only condition is
/// <c>StringNotEquals</c>/<c>StringNotLike</c> on <c>sns:Endpoint</c> (the allowed endpoints). An Allow of sns:Subscribe to the
/// account root delegates to IAM: any principal of the account allowed <c>sns:Subscribe</c> could subscribe its own email
/// address or queue and read every alert. A topic with no policy has the default one, which allows Subscribe to every
/// principal of the owner account.
/// Source: Amazon SNS Developer Guide, "Amazon SNS API permissions: Actions and resources reference" (service-specific
/// condition keys <c>sns:Endpoint</c> and <c>sns:Protocol</c> restrict Subscribe requests) and "Example cases for Amazon SNS
/// access control" (the default topic policy grants SNS:Subscribe to the owner account's principals via AWS:SourceOwner).
/// </summary>
public sealed class SnsSubscribeRestrictedRule : GateRule
{
    private static readonly string[] NegatedStringOperators = ["StringNotEquals", "StringNotLike", "StringNotEqualsIgnoreCase"];

    /// <inheritdoc />
    public override string Id => "GATE-SNS-002";

    /// <inheritdoc />
    public override string Title => "No principal can subscribe an arbitrary endpoint to an SNS topic";

    /// <inheritdoc />
    public override string Source =>
        "Amazon SNS Developer Guide, \"Amazon SNS API permissions: Actions and resources reference\" (condition keys sns:Endpoint, sns:Protocol) and \"Example cases for Amazon SNS access control\" (default topic policy)";

    /// <inheritdoc />
    public override string Limits =>
        "Whether the endpoints listed in the Deny are the right ones (your team's addresses, your queues) is for review.";

    /// <inheritdoc />
    public override IEnumerable<GateFinding> Check(GateStack stack)
    {
        foreach (var topic in stack.OfType("aws_sns_topic"))
        {
            var policies = stack.OfType("aws_sns_topic_policy").Where(p => GateQueries.Designates(p.Body["arn"], topic, "name", ":")).ToList();
            var statements = policies.SelectMany(p => GateStack.Statements(p.Body["policy"]) ?? [])
                .Concat(GateStack.Statements(topic.Body["policy"]) ?? [])
                .ToList();
            if (policies.Count == 0 && topic.Body["policy"] is null)
            {
                yield return Finding(topic,
                    $"SNS topic {topic.Address} has no topic policy, so it has the default one, which allows sns:Subscribe to every principal of the owner account: " +
                    "any of them can subscribe an endpoint of its own (an outside email address, a queue) and receive every message. " +
                    "Fix: add an aws_sns_topic_policy that grants sns:Subscribe to no one, or that denies sns:Subscribe to Principal \"*\" " +
                    "with StringNotLike {\"sns:Endpoint\": [the allowed endpoints]}.");
                continue;
            }

            var allows = statements.Select((s, i) => (s, i)).Where(x => x.s.IsAllow && GateQueries.Grants(x.s, "sns:Subscribe")).ToList();
            if (allows.Count == 0)
            {
                continue;
            }

            var guarded = statements.Any(s => !s.IsAllow
                && GateQueries.AppliesToEveryone(s)
                && GateQueries.Grants(s, "sns:Subscribe")
                && GateQueries.OnlyNegatedCondition(s, "sns:Endpoint", NegatedStringOperators));
            if (guarded)
            {
                continue;
            }

            var grants = string.Join("; ", allows.Select(x =>
                $"statement {GateQueries.Label(x.s, x.i)} to {string.Join(", ", x.s.Principals.Select(p => p.Kind == "*" ? p.Value : $"{p.Kind}:{p.Value}"))}"));
            var where = policies.Count > 0 ? string.Join(", ", policies.Select(p => p.Address)) : $"{topic.Address}.policy";
            yield return Finding(topic,
                $"The policy of SNS topic {topic.Address} ({where}) allows sns:Subscribe ({grants}) without a Deny that restricts the endpoint: " +
                "any principal the grant reaches (for the account root: every role and user of the account allowed sns:Subscribe by IAM) " +
                "can subscribe an arbitrary endpoint and receive every message. " +
                "Fix: add " +
                "{\"Effect\":\"Deny\",\"Principal\":\"*\",\"Action\":\"sns:Subscribe\",\"Resource\":<topic arn>," +
                "\"Condition\":{\"StringNotLike\":{\"sns:Endpoint\":[the allowed endpoints]}}} with no other condition (conditions are ANDed and would narrow it), " +
                "listing every legitimate endpoint (it applies to Terraform's own role too); or, if nobody should subscribe through this policy, remove sns:Subscribe from the Allow.");
        }
    }
}
