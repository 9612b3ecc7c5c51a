using static FraudTf.Security.Policy.PolicyJson;

namespace FraudTf.Security.Policy.Rules;

// Alike on purpose: every rule file has this shape (a static class of SecurityRule records: Id, ScannerIds, Title, Fix,
// ResourceTypes, Evaluate), one file per service as cdk-nag's rule packs; the engine (SecurityPolicy) is elsewhere.
/// <summary>
/// The rules of the Bedrock agent, its guardrail and its knowledge base's data sources: customer-managed keys, a
/// guardrail that filters card numbers.
/// </summary>
internal static class BedrockRules
{
    /// <summary>The rules, in report order.</summary>
    public static IReadOnlyList<SecurityRule> Rules { get; } =
    [
        new()
        {
            Id = "FTF-BRK-001", ScannerIds = "CKV_AWS_373",
            Title = "Bedrock agents are encrypted with a customer-managed KMS key",
            Fix = "set customer_encryption_key_arn = <customer-managed key ARN>",
            ResourceTypes = ["aws_bedrockagent_agent"],
            Evaluate = (r, _) => IsSet(Str(r.Body["customer_encryption_key_arn"])) ? [] : ["customer_encryption_key_arn is not set"],
        },
        new()
        {
            Id = "FTF-BRK-002", ScannerIds = "CKV_AWS_383",
            Title = "Bedrock agents have a guardrail",
            Fix = "set guardrail_configuration { guardrail_identifier = <guardrail id>, guardrail_version = <version> }",
            ResourceTypes = ["aws_bedrockagent_agent"],
            Evaluate = (r, _) => Blocks(r.Body["guardrail_configuration"]).Any(g => IsSet(Str(g["guardrail_identifier"])))
                ? [] : ["guardrail_configuration with a guardrail_identifier is not set"],
        },
        new()
        {
            Id = "FTF-BRK-003", ScannerIds = "FraudTf (payment data must not reach or leave the model)",
            Title = "Bedrock guardrails filter card numbers and are encrypted with a customer-managed key",
            Fix = "set kms_key_arn and a sensitive_information_policy_config with pii_entities_config { type = \"CREDIT_DEBIT_CARD_NUMBER\", action = \"BLOCK\" } (AnalystGuardrail does)",
            ResourceTypes = ["aws_bedrock_guardrail"],
            Evaluate = (r, _) => GuardrailControls(r),
        },
        new()
        {
            Id = "FTF-BRK-004", ScannerIds = "FraudTf (CKV_AWS_373 for data sources)",
            Title = "Bedrock knowledge-base data sources encrypt their transient data with a customer-managed key",
            Fix = "set server_side_encryption_configuration { kms_key_arn = <customer-managed key ARN> }",
            ResourceTypes = ["aws_bedrockagent_data_source"],
            Evaluate = (r, _) => Blocks(r.Body["server_side_encryption_configuration"]).Any(b => IsSet(Str(b["kms_key_arn"])))
                ? [] : ["server_side_encryption_configuration.kms_key_arn is not set (an AWS-owned key applies)"],
        },
    ];

    private static IEnumerable<string> GuardrailControls(StackResource r)
    {
        if (!IsSet(Str(r.Body["kms_key_arn"])))
        {
            yield return "kms_key_arn is not set (an AWS-owned key applies)";
        }

        var pii = Blocks(r.Body["sensitive_information_policy_config"]).SelectMany(b => Blocks(b["pii_entities_config"])).ToList();
        if (!pii.Any(p => Str(p["type"]) == "CREDIT_DEBIT_CARD_NUMBER" && Str(p["action"]) is "BLOCK" or "ANONYMIZE"))
        {
            yield return "no pii_entities_config blocks or anonymizes CREDIT_DEBIT_CARD_NUMBER";
        }
    }
}
