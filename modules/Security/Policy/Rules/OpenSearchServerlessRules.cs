using static FraudTf.Security.Policy.PolicyJson;

namespace FraudTf.Security.Policy.Rules;

// Alike on purpose: every rule file has this shape (a static class of SecurityRule records: Id, ScannerIds, Title, Fix,
// ResourceTypes, Evaluate), one file per service as cdk-nag's rule packs; the engine (SecurityPolicy) is elsewhere.
/// <summary>
/// The rules of OpenSearch Serverless (the knowledge base's vector collection): encryption with a customer-managed key,
/// no public network access, data-access policies naming roles and explicit permissions.
/// </summary>
internal static class OpenSearchServerlessRules
{
    /// <summary>The rules, in report order.</summary>
    public static IReadOnlyList<SecurityRule> Rules { get; } =
    [
        new()
        {
            Id = "FTF-AOSS-001", ScannerIds = "FraudTf (OpenSearch Serverless counterpart of CKV_AWS_247)",
            Title = "OpenSearch Serverless encryption policies use a customer-managed KMS key",
            Fix = "set \"AWSOwnedKey\": false and \"KmsARN\": <customer-managed key ARN> in the policy (VectorCollection does)",
            ResourceTypes = ["aws_opensearchserverless_security_policy"],
            Evaluate = (r, _) => AossSecurityPolicy(r, "encryption"),
        },
        new()
        {
            Id = "FTF-AOSS-002", ScannerIds = "FraudTf (OpenSearch Serverless counterpart of CKV_AWS_248)",
            Title = "OpenSearch Serverless network policies allow no access from the public internet",
            Fix = "set \"AllowFromPublic\": false with SourceVPCEs or SourceServices, or record a policy exception with the reason",
            ResourceTypes = ["aws_opensearchserverless_security_policy"],
            Evaluate = (r, _) => AossSecurityPolicy(r, "network"),
        },
        new()
        {
            Id = "FTF-AOSS-003", ScannerIds = "FraudTf (CKV_AWS_62/63 and CKV_AWS_60 applied to data-access policies)",
            Title = "OpenSearch Serverless data-access policies name roles and list explicit permissions",
            Fix = "name role ARNs as principals (no \"*\", no account root) and list aoss: permissions explicitly (VectorCollection.Grant does)",
            ResourceTypes = ["aws_opensearchserverless_access_policy"],
            Evaluate = (r, _) => AossAccessPolicy(r),
        },
    ];

    private static IEnumerable<string> AossSecurityPolicy(StackResource r, string checkedType)
    {
        if (Str(r.Body["type"]) != checkedType)
        {
            yield break;
        }

        var policy = ParsedPolicy(r);

        if (policy is null)
        {
            yield return "policy is not a literal JSON document, so it cannot be checked at synth";
            yield break;
        }

        if (checkedType == "encryption")
        {
            if (!IsFalse(policy["AWSOwnedKey"]) || !IsSet(Str(policy["KmsARN"])))
            {
                yield return "the policy does not set \"AWSOwnedKey\": false with a \"KmsARN\" (an AWS-owned key applies)";
            }

            yield break;
        }

        var rules = policy is JsonArray a ? a.OfType<JsonObject>().ToList() : policy is JsonObject o ? [o] : [];
        foreach (var (rule, i) in rules.Select((x, i) => (x, i)))
        {
            if (IsTrue(rule["AllowFromPublic"]))
            {
                yield return $"rule {i} sets \"AllowFromPublic\": true";
            }
        }
    }

    private static JsonNode? ParsedPolicy(StackResource r)
    {
        try
        {
            return JsonNode.Parse(Str(r.Body["policy"]) ?? "");
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static IEnumerable<string> AossAccessPolicy(StackResource r)
    {
        var policy = ParsedPolicy(r);

        if (policy is not JsonArray statements)
        {
            yield return "policy is not a literal JSON array of rules, so it cannot be checked at synth";
            yield break;
        }

        foreach (var (statement, i) in statements.OfType<JsonObject>().Select((x, i) => (x, i)))
        {
            var principals = statement["Principal"] is JsonArray pa ? pa.Select(p => Str(p) ?? "").ToList() : [];
            if (principals.Count == 0)
            {
                yield return $"rule {i} names no principal";
            }

            foreach (var p in principals.Where(p => p == "*" || p.EndsWith(":root", StringComparison.Ordinal)))
            {
                yield return $"rule {i} grants to {Quote(p)}, not to a named role";
            }

            var permissions = (statement["Rules"] as JsonArray ?? []).OfType<JsonObject>()
                .SelectMany(x => x["Permission"] as JsonArray ?? []).Select(p => Str(p) ?? "");
            foreach (var p in permissions.Where(p => p.Contains('*')))
            {
                yield return $"rule {i} grants the wildcard permission {Quote(p)}";
            }
        }
    }
}
