using static FraudTf.Security.Policy.PolicyJson;

namespace FraudTf.Security.Policy.Rules;

// Alike on purpose: every rule file has this shape (a static class of SecurityRule records: Id, ScannerIds, Title, Fix,
// ResourceTypes, Evaluate), one file per service as cdk-nag's rule packs; the engine (SecurityPolicy) is elsewhere.
/// <summary>
/// The rule of resource policies (bucket, queue, topic, event bus, table and stream policies, and the inline policies of
/// queues and topics): no Allow to a wildcard principal. Its check serves the KMS key policy and IAM trust rules too.
/// </summary>
internal static class ResourcePolicyRules
{
    /// <summary>The rules, in report order.</summary>
    public static IReadOnlyList<SecurityRule> Rules { get; } =
    [
        new()
        {
            Id = "FTF-POL-001", ScannerIds = "CKV_AWS_72, CKV_AWS_168, CKV_AWS_169, CKV_AWS_387; Trivy AVD-AWS-0097",
            Title = "Resource policies (bucket, queue, topic, event bus, table, stream) allow no wildcard principal",
            Fix = "name the principals (account root, role ARN or service principal) in every Allow statement; Principal \"*\" only with Deny",
            ResourceTypes = ["aws_s3_bucket_policy", "aws_sqs_queue_policy", "aws_sns_topic_policy", "aws_cloudwatch_event_bus_policy", "aws_sqs_queue", "aws_sns_topic",
                "aws_dynamodb_resource_policy", "aws_kinesis_resource_policy"],
            Evaluate = (r, _) => NoWildcardPrincipal(r, "policy", required: r.Type.EndsWith("_policy", StringComparison.Ordinal)),
        },
    ];

    /// <summary>
    /// The problems of the policy document in <paramref name="attribute"/>: an Allow to every principal or with NotPrincipal,
    /// an unreadable document, or a missing one when <paramref name="required"/>.
    /// </summary>
    internal static IEnumerable<string> NoWildcardPrincipal(StackResource r, string attribute, bool required)
    {
        var node = r.Body[attribute];
        if (node is null || (Str(node) is { } text && string.IsNullOrWhiteSpace(text)))
        {
            return required ? [$"{attribute} is not set"] : [];
        }

        if (!PolicyText.TryParse(node, out var statements, out var problem))
        {
            return [$"{attribute} {problem}"];
        }

        return statements.Where(s => s.IsAllow)
            .SelectMany(s => (s.HasNotPrincipal ? [$"{attribute} {s.Label} allows with NotPrincipal (every principal but those named)"] : Array.Empty<string>())
                .Concat(IsWildcardPrincipal(s.Principal) ? [$"{attribute} {s.Label} allows Principal {s.Principal!.ToJsonString()}"] : Array.Empty<string>()));
    }

    /// <summary>True when a statement's Principal is <c>"*"</c> or names <c>"*"</c> for some principal type.</summary>
    internal static bool IsWildcardPrincipal(JsonNode? principal) => principal switch
    {
        null => false,
        JsonValue => Str(principal) == "*",
        JsonObject o => o.Any(p => Strings(p.Value).Any(v => v == "*")),
        _ => false,
    };
}
