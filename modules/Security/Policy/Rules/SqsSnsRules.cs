using static FraudTf.Security.Policy.PolicyJson;

namespace FraudTf.Security.Policy.Rules;

// Alike on purpose: every rule file has this shape (a static class of SecurityRule records: Id, ScannerIds, Title, Fix,
// ResourceTypes, Evaluate), one file per service as cdk-nag's rule packs; the engine (SecurityPolicy) is elsewhere.
/// <summary>The rules of SQS queues and SNS topics: a customer-managed key.</summary>
internal static class SqsSnsRules
{
    /// <summary>The rules, in report order.</summary>
    public static IReadOnlyList<SecurityRule> Rules { get; } =
    [
        new()
        {
            Id = "FTF-SQS-001", ScannerIds = "CKV_AWS_27, CKV2_AWS_73; Trivy AVD-AWS-0096/0135",
            Title = "SQS queues are encrypted with a customer-managed KMS key",
            Fix = "set kms_master_key_id = <customer-managed key ARN> (not alias/aws/sqs) and leave sqs_managed_sse_enabled unset",
            ResourceTypes = ["aws_sqs_queue"],
            Evaluate = (r, _) => EncryptionChecks.CustomerManagedKey(r, "kms_master_key_id", "alias/aws/sqs",
                IsTrue(r.Body["sqs_managed_sse_enabled"]) ? "sqs_managed_sse_enabled is true (SSE-SQS, not a customer-managed key)" : null),
        },
        new()
        {
            Id = "FTF-SNS-001", ScannerIds = "CKV_AWS_26; Trivy AVD-AWS-0095/0136",
            Title = "SNS topics are encrypted with a customer-managed KMS key",
            Fix = "set kms_master_key_id = <customer-managed key ARN> (not alias/aws/sns)",
            ResourceTypes = ["aws_sns_topic"],
            Evaluate = (r, _) => EncryptionChecks.CustomerManagedKey(r, "kms_master_key_id", "alias/aws/sns", null),
        },
    ];
}
