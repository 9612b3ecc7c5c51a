using static FraudTf.Security.Policy.PolicyJson;

namespace FraudTf.Security.Policy.Rules;

// Alike on purpose: every rule file has this shape (a static class of SecurityRule records: Id, ScannerIds, Title, Fix,
// ResourceTypes, Evaluate), one file per service as cdk-nag's rule packs; the engine (SecurityPolicy) is elsewhere.
/// <summary>The rules of DynamoDB tables: point-in-time recovery and a customer-managed key.</summary>
internal static class DynamoDbRules
{
    /// <summary>The rules, in report order.</summary>
    public static IReadOnlyList<SecurityRule> Rules { get; } =
    [
        new()
        {
            Id = "FTF-DDB-001", ScannerIds = "CKV_AWS_28; Trivy AVD-AWS-0024",
            Title = "DynamoDB tables have point-in-time recovery enabled",
            Fix = "set point_in_time_recovery { enabled = true } (DynamodbTablePointInTimeRecovery { Enabled = true })",
            ResourceTypes = ["aws_dynamodb_table"],
            Evaluate = (r, _) => Block(r.Body["point_in_time_recovery"]) is { } pitr && IsTrue(pitr["enabled"])
                ? [] : ["point_in_time_recovery.enabled is not true"],
        },
        new()
        {
            Id = "FTF-DDB-002", ScannerIds = "CKV_AWS_119; Trivy AVD-AWS-0025",
            Title = "DynamoDB tables are encrypted with a customer-managed KMS key",
            Fix = "set server_side_encryption { enabled = true, kms_key_arn = <customer-managed key ARN> }",
            ResourceTypes = ["aws_dynamodb_table"],
            Evaluate = (r, _) => DynamoDbEncryption(r),
        },
    ];

    private static IEnumerable<string> DynamoDbEncryption(StackResource r)
    {
        var sse = Block(r.Body["server_side_encryption"]);
        if (sse is null || !IsTrue(sse["enabled"]))
        {
            yield return "server_side_encryption.enabled is not true (the table uses an AWS-owned key)";
        }
        else if (!IsSet(Str(sse["kms_key_arn"])))
        {
            yield return "server_side_encryption.kms_key_arn is not set (the table uses the AWS-managed key aws/dynamodb)";
        }
    }
}
