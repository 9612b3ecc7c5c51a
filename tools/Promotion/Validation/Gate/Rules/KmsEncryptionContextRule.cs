// Alike on purpose: every gate rule has GateRule's shape (id, scanner ids, rationale, a check over the stack index
// that returns findings with their fix); the likeness is the template, each rule's check is its own.
namespace FraudTf.Promotion.Validation.Gate.Rules;

/// <summary>
/// GATE-KMS-002: every <c>kms:EncryptionContext:&lt;key&gt;</c> condition (and every key listed under
/// <c>kms:EncryptionContextKeys</c>) in any policy of the stack names a context key that an AWS service actually sends.
/// A condition on a key the caller never sends does not match, so the statement silently grants nothing (an Allow) and
/// the call fails at run time, e.g. <c>LambdaFunctionName</c>, which only the console's client-side encryption helpers
/// use, never Lambda's own environment-variable decryption.
/// </summary>
public sealed class KmsEncryptionContextRule : GateRule
{
    /// <summary>Encryption-context keys AWS services send when they call KMS on a customer's behalf, with the source of each.</summary>
    public static IReadOnlyDictionary<string, string> KnownContextKeys { get; } = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
    {
        // Lambda environment variables: CloudTrail Decrypt records show {"aws:lambda:FunctionArn": "<unqualified function ARN>"}
        // (research facts §4; the Lambda guide "Securing Lambda environment variables" does not state the context).
        ["aws:lambda:FunctionArn"] = "Lambda environment-variable encryption (CloudTrail kms:Decrypt records)",
        // CloudWatch Logs User Guide, "Encrypt log data in CloudWatch Logs using AWS KMS": kms:EncryptionContext:aws:logs:arn.
        ["aws:logs:arn"] = "CloudWatch Logs User Guide, Encrypt log data in CloudWatch Logs using AWS KMS",
        // DynamoDB Developer Guide, "How Amazon DynamoDB uses AWS KMS", encryption context: aws:dynamodb:tableName and
        // aws:dynamodb:subscriberId.
        ["aws:dynamodb:tableName"] = "DynamoDB Developer Guide, How Amazon DynamoDB uses AWS KMS (encryption context)",
        ["aws:dynamodb:subscriberId"] = "DynamoDB Developer Guide, How Amazon DynamoDB uses AWS KMS (encryption context)",
        // S3 User Guide, "Using server-side encryption with AWS KMS keys (SSE-KMS)", encryption context aws:s3:arn.
        ["aws:s3:arn"] = "S3 User Guide, Using server-side encryption with AWS KMS keys (encryption context)",
        // SQS Developer Guide, "Encryption at rest" / key management: encryption context aws:sqs:arn.
        ["aws:sqs:arn"] = "SQS Developer Guide, Encryption at rest (key management)",
        // SNS Developer Guide, "Key management": encryption context aws:sns:topicArn.
        ["aws:sns:topicArn"] = "SNS Developer Guide, Key management",
        // Kinesis Data Streams Developer Guide, server-side encryption: encryption context aws:kinesis:arn.
        ["aws:kinesis:arn"] = "Kinesis Data Streams Developer Guide, Data protection (server-side encryption)",
        // Bedrock User Guide, "Encryption of agent resources for agents created before January 22, 2025":
        // "kms:EncryptionContext:aws:bedrock:arn": "arn:aws:bedrock:<region>:<account>:agent/<agent-id>".
        ["aws:bedrock:arn"] = "Bedrock User Guide, Encryption of agent resources (agents created before January 22, 2025)",
    };

    private const string Prefix = "kms:EncryptionContext:";

    /// <inheritdoc />
    public override string Id => "GATE-KMS-002";

    /// <inheritdoc />
    public override string Title => "kms:EncryptionContext conditions name context keys AWS services actually send";

    /// <inheritdoc />
    public override string Source =>
        "KMS Developer Guide, \"kms:EncryptionContext:context-key\" condition key; the encryption context each service documents: " +
        "CloudWatch Logs (aws:logs:arn), DynamoDB (aws:dynamodb:tableName, aws:dynamodb:subscriberId), S3 (aws:s3:arn), " +
        "SQS (aws:sqs:arn), SNS (aws:sns:topicArn), Kinesis (aws:kinesis:arn), Bedrock agents (aws:bedrock:arn); Lambda " +
        "environment variables (aws:lambda:FunctionArn, from CloudTrail Decrypt records)";

    /// <inheritdoc />
    public override string Limits =>
        "Only checks the key name, not that the value matches what the service sends, nor keys that the application's own " +
        "KMS calls use (add those to the table with their source when the code sends them).";

    /// <inheritdoc />
    public override IEnumerable<GateFinding> Check(GateStack stack)
    {
        foreach (var (resource, argument, document) in Gate1Support.PolicyDocuments(stack))
        {
            foreach (var statement in GateStack.Statements(document) ?? [])
            {
                foreach (var (op, key) in statement.ConditionKeys())
                {
                    IEnumerable<string> contextKeys =
                        key.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase) ? [key[Prefix.Length..]]
                        : string.Equals(key, "kms:EncryptionContextKeys", StringComparison.OrdinalIgnoreCase) ? statement.ConditionValues(op, key)
                        : [];
                    foreach (var contextKey in contextKeys.Where(k => !KnownContextKeys.ContainsKey(k)))
                    {
                        var sid = statement.Sid is null ? "" : $" (statement {statement.Sid})";
                        yield return Finding(resource,
                            $"{argument}{sid} conditions on encryption-context key '{contextKey}' ({op} {key}), which no AWS service in " +
                            $"this rule's table sends ({string.Join(", ", KnownContextKeys.Keys)}), so the statement never matches and " +
                            "the KMS call it is meant to allow is denied at run time. Fix: use the key the calling service sends (Lambda " +
                            "environment variables: aws:lambda:FunctionArn = the function ARN); if the key is real, add it with its source " +
                            "to KmsEncryptionContextRule.KnownContextKeys.");
                    }
                }
            }
        }
    }
}
