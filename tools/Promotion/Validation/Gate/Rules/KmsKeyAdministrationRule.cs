using System.Text.Json;

// Alike on purpose: every gate rule has GateRule's shape (id, scanner ids, rationale, a check over the stack index
// that returns findings with their fix); the likeness is the template, each rule's check is its own.
namespace FraudTf.Promotion.Validation.Gate.Rules;

/// <summary>
/// GATE-KMS-001: every <c>aws_kms_key.policy</c> keeps the key administrable and its aliases manageable: an Allow
/// statement for a named AWS principal (the account root or an administrator role), on <c>Resource: "*"</c>, covers every
/// administration and alias action. A key policy is the primary authority over its key: IAM policies count only for
/// actions the key policy delegates to the account, so a key policy that enumerates actions and leaves out
/// <c>kms:CreateAlias</c> makes every <c>aws_kms_alias</c> fail with AccessDenied, even for an administrator with IAM
/// <c>kms:*</c>. A policy that is not valid JSON fails at plan (<c>validation.StringIsJSON</c>).
/// </summary>
// KMS Developer Guide, "Controlling access to aliases" (docs.aws.amazon.com/kms/latest/developerguide/alias-access.html):
//   "kms:CreateAlias for the KMS key. This permission must be provided in a key policy or in an IAM policy that is
//   delegated from the key policy." Same for DeleteAlias (API_DeleteAlias: "kms:DeleteAlias on the KMS key (key
//   policy)") and UpdateAlias (on the current and the new key).
// KMS Developer Guide, "Default key policy": the statement "Enable IAM policies" gives the account root kms:* so IAM
//   policies can grant any action; without it only the actions the key policy lists are delegated.
// Provider: hashicorp/terraform-provider-aws internal/service/kms/key.go, policy ValidateFunc: validation.StringIsJSON.
public sealed class KmsKeyAdministrationRule : GateRule
{
    /// <summary>The actions an administrator needs on the key itself (alias actions included).</summary>
    public static IReadOnlyList<string> RequiredActions { get; } =
    [
        "kms:CreateAlias", "kms:UpdateAlias", "kms:DeleteAlias", "kms:DescribeKey", "kms:GetKeyPolicy", "kms:PutKeyPolicy",
        "kms:ScheduleKeyDeletion", "kms:CancelKeyDeletion", "kms:EnableKeyRotation", "kms:GetKeyRotationStatus", "kms:TagResource",
        "kms:UntagResource", "kms:ListResourceTags", "kms:UpdateKeyDescription", "kms:EnableKey", "kms:DisableKey",
    ];

    /// <inheritdoc />
    public override string Id => "GATE-KMS-001";

    /// <inheritdoc />
    public override string Title => "Key policies keep administration and alias management possible";

    /// <inheritdoc />
    public override string Source =>
        "KMS Developer Guide, \"Controlling access to aliases\" (alias actions need permission on the key from its key policy or " +
        "from IAM only where the key policy delegates it) and \"Default key policy\"; KMS API reference CreateAlias, UpdateAlias, " +
        "DeleteAlias (Required permissions); hashicorp/terraform-provider-aws internal/service/kms/key.go (policy: validation.StringIsJSON)";

    /// <inheritdoc />
    public override string Limits =>
        "A policy given as an expression (e.g. a data source's JSON) is known only at plan and is skipped. The rule does not " +
        "evaluate conditions on the administration statement, nor whether the named principal exists.";

    /// <inheritdoc />
    public override IEnumerable<GateFinding> Check(GateStack stack)
    {
        foreach (var key in stack.OfType("aws_kms_key"))
        {
            // No policy: AWS applies the default key policy (account root kms:*), which delegates everything to IAM.
            if (key.Body["policy"] is not JsonValue v || !v.TryGetValue<string>(out var text))
            {
                continue;
            }

            if (text.TrimStart().StartsWith("${", StringComparison.Ordinal) && text.TrimEnd().EndsWith('}'))
            {
                continue;
            }

            if (JsonError(text) is { } error)
            {
                yield return Finding(key,
                    $"policy is not valid JSON ({error}), so hashicorp/aws rejects it at plan (validation.StringIsJSON). " +
                    "Fix: build the policy with a JSON serializer, not string concatenation.");
                continue;
            }

            var statements = GateStack.Statements(text) ?? [];
            var admin = statements.Where(s => s.IsAllow && s.NotActions.Count == 0
                && s.Resources.Contains("*")
                && s.Principals.Any(p => p.Kind == "AWS" && p.Value != "*"))
                .ToList();
            var missing = RequiredActions.Where(a => !admin.Any(s => s.Covers(a))).ToList();
            if (missing.Count == 0)
            {
                continue;
            }

            var alias = missing.Where(a => a.Contains("Alias", StringComparison.Ordinal)).ToList();
            var other = missing.Except(alias).ToList();
            var consequences = new List<string>();
            if (alias.Count > 0)
            {
                consequences.Add($"every aws_kms_alias of this key fails with AccessDenied ({string.Join(", ", alias)} must be allowed on " +
                    "the key by its key policy; IAM counts only for actions the key policy delegates)");
            }

            if (other.Count > 0)
            {
                consequences.Add($"no administrator can call {string.Join(", ", other)} on it (IAM cannot grant what the key policy does not delegate)");
            }

            yield return Finding(key,
                $"the key policy lets no named AWS principal (the account root or an administrator role), on Resource \"*\", call " +
                $"{string.Join(", ", missing)}, so {string.Join(", and ", consequences)}. " +
                "Fix: add these actions to the statement for arn:<partition>:iam::<account>:root (or an administrator role), or give " +
                "the account root kms:* (the default key policy) and govern administration through IAM.");
        }
    }

    private static string? JsonError(string text)
    {
        try
        {
            JsonNode.Parse(text);
            return null;
        }
        catch (JsonException e)
        {
            return e.Message;
        }
    }
}
