using static FraudTf.Security.Policy.PolicyJson;

namespace FraudTf.Security.Policy.Rules;

// Alike on purpose: every rule file has this shape (a static class of SecurityRule records: Id, ScannerIds, Title, Fix,
// ResourceTypes, Evaluate), one file per service as cdk-nag's rule packs; the engine (SecurityPolicy) is elsewhere.
/// <summary>The rules of Kinesis streams: a customer-managed key.</summary>
internal static class KinesisRules
{
    /// <summary>The rules, in report order.</summary>
    public static IReadOnlyList<SecurityRule> Rules { get; } =
    [
        new()
        {
            Id = "FTF-KIN-001", ScannerIds = "CKV_AWS_43, CKV_AWS_185; Trivy AVD-AWS-0064",
            Title = "Kinesis streams are encrypted with a customer-managed KMS key",
            Fix = "set encryption_type = \"KMS\" and kms_key_id = <customer-managed key ARN> (not alias/aws/kinesis)",
            ResourceTypes = ["aws_kinesis_stream"],
            Evaluate = (r, _) => EncryptionChecks.CustomerManagedKey(r, "kms_key_id", "alias/aws/kinesis",
                Str(r.Body["encryption_type"]) == "KMS" ? null : $"encryption_type is {Quote(Str(r.Body["encryption_type"]))}, not \"KMS\""),
        },
    ];
}
