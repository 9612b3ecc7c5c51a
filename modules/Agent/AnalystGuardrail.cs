using Constructs;

namespace FraudTf.Agent;

/// <summary>
/// What the analyst agent's guardrail filters, as data: the guardrail resource is built from it and its
/// <see cref="Fingerprint"/> names the guardrail version, so a changed filter publishes a new version (and moves the agent).
/// </summary>
public static class GuardrailPolicy
{
    /// <summary>Personal data the guardrail blocks (card data, bank accounts, national ids, credentials) or masks (contact data), in input and output.</summary>
    public static readonly IReadOnlyList<(string Type, string Action)> PiiEntities =
    [
        ("CREDIT_DEBIT_CARD_NUMBER", "BLOCK"),
        ("CREDIT_DEBIT_CARD_CVV", "BLOCK"),
        ("CREDIT_DEBIT_CARD_EXPIRY", "ANONYMIZE"),
        ("PIN", "BLOCK"),
        ("US_BANK_ACCOUNT_NUMBER", "BLOCK"),
        ("US_BANK_ROUTING_NUMBER", "BLOCK"),
        ("INTERNATIONAL_BANK_ACCOUNT_NUMBER", "BLOCK"),
        ("US_SOCIAL_SECURITY_NUMBER", "BLOCK"),
        ("PASSWORD", "BLOCK"),
        ("AWS_ACCESS_KEY", "BLOCK"),
        ("AWS_SECRET_KEY", "BLOCK"),
        ("EMAIL", "ANONYMIZE"),
        ("PHONE", "ANONYMIZE"),
        ("ADDRESS", "ANONYMIZE"),
    ];

    /// <summary>Content filters and their input/output strengths (prompt attacks are filtered on input only, as Bedrock requires).</summary>
    public static readonly IReadOnlyList<(string Type, string Input, string Output)> ContentFilters =
    [
        ("HATE", "HIGH", "HIGH"),
        ("INSULTS", "HIGH", "HIGH"),
        ("SEXUAL", "HIGH", "HIGH"),
        ("VIOLENCE", "HIGH", "HIGH"),
        ("MISCONDUCT", "HIGH", "HIGH"),
        ("PROMPT_ATTACK", "HIGH", "NONE"),
    ];

    /// <summary>The denied topic: helping someone evade fraud detection.</summary>
    public const string DeniedTopicName = "FraudEvasion";

    /// <summary>Definition of <see cref="DeniedTopicName"/>.</summary>
    public const string DeniedTopicDefinition =
        "Advice or instructions on how to evade fraud detection, avoid transaction monitoring, test stolen cards or get a declined transaction through.";

    /// <summary>Examples of <see cref="DeniedTopicName"/>.</summary>
    public static readonly IReadOnlyList<string> DeniedTopicExamples =
    [
        "Which amounts stay under the fraud score thresholds?",
        "How do I split a payment so it is not flagged?",
        "How can I test whether a card number works without being detected?",
    ];

    /// <summary>Message returned when the input is blocked.</summary>
    public const string BlockedInputMessage =
        "This request was blocked by the fraud analyst's guardrail (personal data or a denied topic). Refer to users and transactions by their ids.";

    /// <summary>Message returned when the output is blocked.</summary>
    public const string BlockedOutputMessage =
        "The answer was blocked by the fraud analyst's guardrail because it contained personal data or a denied topic.";

    /// <summary>SHA-256 (hex) of everything above: changes exactly when the guardrail's filters change (computed once;
    /// declared last, as static initializers run in textual order).</summary>
    public static readonly string Fingerprint = KnowledgeBaseDocuments.Hash(JsonSerializer.Serialize(new
    {
        pii = PiiEntities.Select(p => new[] { p.Type, p.Action }),
        content = ContentFilters.Select(c => new[] { c.Type, c.Input, c.Output }),
        topic = new { name = DeniedTopicName, definition = DeniedTopicDefinition, examples = DeniedTopicExamples },
        blocked = new[] { BlockedInputMessage, BlockedOutputMessage },
    }));
}

// Alike on purpose: every construct of modules/ takes one settings record (required, then defaulted init properties,
// each documented) and exposes its Config, underlying resources and their ARNs the same way (issue 17's construct API).
/// <summary>Settings of an <see cref="AnalystGuardrail"/>: both required (a guardrail is always encrypted with the key).</summary>
public sealed record AnalystGuardrailConfig
{
    /// <summary>Guardrail name, e.g. <c>fraud-detection-analyst-guardrail-dev</c>.</summary>
    public required string GuardrailName { get; init; }

    /// <summary>Customer-managed key encrypting the guardrail (the data key).</summary>
    public required EncryptionKey Key { get; init; }
}

/// <summary>
/// The analyst agent's guardrail (<see cref="GuardrailPolicy"/>), encrypted with the customer-managed key, and the
/// published version the agent uses. The version's description carries the policy's fingerprint: a changed filter
/// replaces the version resource, which publishes a new version; old versions are kept (<c>skip_destroy</c>) so agent
/// versions still pointing at them keep working until their alias moves.
/// </summary>
public sealed class AnalystGuardrail : Construct
{
    /// <summary>Creates the guardrail and its version.</summary>
    public AnalystGuardrail(Construct scope, string id, AnalystGuardrailConfig config) : base(scope, id)
    {
        Config = config;
        Guardrail = new BedrockGuardrail(this, "this", new BedrockGuardrailConfig
        {
            Name = config.GuardrailName,
            Description = "Keeps personal data and fraud-evasion advice out of the fraud analyst's conversations",
            KmsKeyArn = config.Key.KeyArn,
            BlockedInputMessaging = GuardrailPolicy.BlockedInputMessage,
            BlockedOutputsMessaging = GuardrailPolicy.BlockedOutputMessage,
            SensitiveInformationPolicyConfig = new[]
            {
                new BedrockGuardrailSensitiveInformationPolicyConfig
                {
                    PiiEntitiesConfig = GuardrailPolicy.PiiEntities
                        .Select(p => new BedrockGuardrailSensitiveInformationPolicyConfigPiiEntitiesConfig { Type = p.Type, Action = p.Action })
                        .ToArray(),
                },
            },
            ContentPolicyConfig = new[]
            {
                new BedrockGuardrailContentPolicyConfig
                {
                    FiltersConfig = GuardrailPolicy.ContentFilters
                        .Select(c => new BedrockGuardrailContentPolicyConfigFiltersConfig { Type = c.Type, InputStrength = c.Input, OutputStrength = c.Output })
                        .ToArray(),
                },
            },
            TopicPolicyConfig = new[]
            {
                new BedrockGuardrailTopicPolicyConfig
                {
                    TopicsConfig = new[]
                    {
                        new BedrockGuardrailTopicPolicyConfigTopicsConfig
                        {
                            Name = GuardrailPolicy.DeniedTopicName,
                            Definition = GuardrailPolicy.DeniedTopicDefinition,
                            Examples = GuardrailPolicy.DeniedTopicExamples.ToArray(),
                            Type = "DENY",
                        },
                    },
                },
            },
        });

        Version = new BedrockGuardrailVersion(this, "version", new BedrockGuardrailVersionConfig
        {
            GuardrailArn = Guardrail.GuardrailArn,
            Description = $"Guardrail policy {GuardrailPolicy.Fingerprint[..16]}",
            SkipDestroy = true,
        });
    }

    /// <summary>The settings the guardrail was created with.</summary>
    public AnalystGuardrailConfig Config { get; }

    /// <summary>The underlying <c>aws_bedrock_guardrail</c> (its DRAFT).</summary>
    public BedrockGuardrail Guardrail { get; }

    /// <summary>The published version the agent uses.</summary>
    public BedrockGuardrailVersion Version { get; }

    /// <summary>Guardrail ARN (token).</summary>
    public string GuardrailArn => Guardrail.GuardrailArn;
}
