using static FraudTf.Security.Policy.PolicyJson;

namespace FraudTf.Security.Policy.Rules;

// Alike on purpose: every rule file has this shape (a static class of SecurityRule records: Id, ScannerIds, Title, Fix,
// ResourceTypes, Evaluate), one file per service as cdk-nag's rule packs; the engine (SecurityPolicy) is elsewhere.
/// <summary>The rules of KMS keys: rotation, an explicit key policy, no wildcard principal in it.</summary>
internal static class KmsRules
{
    /// <summary>The rules, in report order.</summary>
    public static IReadOnlyList<SecurityRule> Rules { get; } =
    [
        new()
        {
            Id = "FTF-KMS-001", ScannerIds = "CKV_AWS_7; Trivy AVD-AWS-0065",
            Title = "KMS keys rotate automatically",
            Fix = "set enable_key_rotation = true (EncryptionKey does)",
            ResourceTypes = ["aws_kms_key"],
            Evaluate = (r, _) => IsTrue(r.Body["enable_key_rotation"]) ? [] : ["enable_key_rotation is not true"],
        },
        new()
        {
            Id = "FTF-KMS-002", ScannerIds = "CKV2_AWS_64",
            Title = "KMS keys have an explicit key policy",
            Fix = "set policy to an explicit key policy (EncryptionKey does)",
            ResourceTypes = ["aws_kms_key"],
            Evaluate = (r, _) => IsSet(Str(r.Body["policy"])) ? [] : ["policy is not set (the default key policy applies)"],
        },
        new()
        {
            Id = "FTF-KMS-003", ScannerIds = "CKV_AWS_33",
            Title = "KMS key policies allow no wildcard principal",
            Fix = "name the principals (account root, role ARN or service principal) in every Allow statement of the key policy",
            ResourceTypes = ["aws_kms_key"],
            Evaluate = (r, _) => ResourcePolicyRules.NoWildcardPrincipal(r, "policy", required: false),
        },
    ];
}
