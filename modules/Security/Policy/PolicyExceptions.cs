
namespace FraudTf.Security.Policy;

/// <summary>
/// Reasoned exceptions to the security policy: a resource skips one rule, and the reason is written into its
/// synthesized JSON (<c>"//".policy_exceptions.&lt;RULE-ID&gt;</c>, next to <c>"//".metadata</c>) so a reviewer sees it
/// in <c>cdk.tf.json</c> and in the plan's source. <see cref="SecurityPolicy.Check"/> reads them back: a valid exception
/// skips its rule, an invalid one is a violation of <see cref="SecurityPolicy.ExceptionRuleId"/>.
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

    /// <summary>Whether <paramref name="resource"/> holds a valid exception of the exceptable rule <paramref name="ruleId"/>.</summary>
    internal static bool IsExcepted(StackResource resource, string ruleId)
    {
        var rule = SecurityPolicy.Rule(ruleId);
        return rule is { Exceptable: true }
            && (resource.Metadata("policy_exceptions") as JsonObject)?[ruleId] is JsonValue v
            && v.TryGetValue<string>(out var reason)
            && reason.Trim().Length >= SecurityPolicy.MinimumReasonLength;
    }

    /// <summary>
    /// The problems of the resource's exceptions (each a clause without a final period): unknown, unexceptable or misplaced
    /// rule ids, short reasons. Empty when it has none or all are valid.
    /// </summary>
    internal static IEnumerable<string> Problems(StackResource resource)
    {
        var raw = resource.Metadata("policy_exceptions");
        if (raw is null)
        {
            yield break;
        }

        if (raw is not JsonObject exceptions)
        {
            yield return "\"//\".policy_exceptions must be an object of rule id to reason";
            yield break;
        }

        foreach (var (ruleId, value) in exceptions.OrderBy(e => e.Key, StringComparer.Ordinal))
        {
            var rule = SecurityPolicy.Rule(ruleId);
            if (rule is null)
            {
                yield return $"policy exception names unknown rule id '{ruleId}' (the rule ids are listed in SecurityPolicy.Rules)";
                continue;
            }

            if (!rule.Exceptable)
            {
                yield return $"policy exception names rule {ruleId}, which cannot be excepted";
                continue;
            }

            if (!rule.AppliesTo(resource.Type))
            {
                yield return $"policy exception of {ruleId} is on a {resource.Type}, but {ruleId} checks {string.Join(", ", rule.ResourceTypes)}: it would never apply";
            }

            var reason = value is JsonValue v && v.TryGetValue<string>(out var s) ? s.Trim() : null;
            if (reason is null || reason.Length < SecurityPolicy.MinimumReasonLength)
            {
                yield return $"policy exception of {ruleId} has a reason of {reason?.Length ?? 0} characters; at least {SecurityPolicy.MinimumReasonLength} are required";
            }
        }
    }
}
