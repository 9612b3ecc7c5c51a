using HashiCorp.Cdktf;

namespace FraudTf.Security.Policy;

/// <summary>
/// Reasoned exceptions to the security policy: a resource skips one rule, and the reason is written into its
/// synthesized JSON (<c>"//".policy_exceptions.&lt;RULE-ID&gt;</c>, next to <c>"//".metadata</c>) so a reviewer sees it
/// in <c>cdk.tf.json</c> and in the plan's source.
/// </summary>
public static class PolicyExceptions
{
    /// <summary>
    /// Lets <paramref name="resource"/> skip the rule <paramref name="ruleId"/> of <see cref="SecurityPolicy.Rules"/> for
    /// <paramref name="reason"/> (at least <see cref="SecurityPolicy.MinimumReasonLength"/> characters: why the control
    /// does not apply or what compensates for it). Throws <see cref="ArgumentException"/> when the rule id is unknown,
    /// cannot be excepted or does not check the resource's type, or when the reason is too short.
    /// </summary>
    public static void Except(TerraformResource resource, string ruleId, string reason)
    {
        ArgumentNullException.ThrowIfNull(resource);
        var rule = SecurityPolicy.Rule(ruleId ?? "")
            ?? throw new ArgumentException(
                $"Unknown security rule id '{ruleId}' for {resource.Node.Path}. Use one of: {string.Join(", ", SecurityPolicy.Rules.Where(r => r.Exceptable).Select(r => r.Id))}.",
                nameof(ruleId));
        if (!rule.Exceptable)
        {
            throw new ArgumentException($"Security rule {ruleId} cannot be excepted (asked for {resource.Node.Path}).", nameof(ruleId));
        }

        if (!rule.AppliesTo(resource.TerraformResourceType))
        {
            throw new ArgumentException(
                $"Security rule {ruleId} checks {string.Join(", ", rule.ResourceTypes)}, not {resource.TerraformResourceType} ({resource.Node.Path}): " +
                "put the exception on the resource the rule reports (for S3 rules, the aws_s3_bucket).",
                nameof(ruleId));
        }

        var trimmed = reason?.Trim() ?? "";
        if (trimmed.Length < SecurityPolicy.MinimumReasonLength)
        {
            throw new ArgumentException(
                $"The reason for excepting {resource.Node.Path} from {ruleId} has {trimmed.Length} characters; give at least " +
                $"{SecurityPolicy.MinimumReasonLength}: why '{rule.Title}' does not apply or what compensates for it.",
                nameof(reason));
        }

        resource.AddOverride($"//.policy_exceptions.{ruleId}", trimmed);
    }
}
