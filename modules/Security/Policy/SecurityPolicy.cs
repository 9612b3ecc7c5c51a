using FraudTf.Security.Policy.Rules;

namespace FraudTf.Security.Policy;

/// <summary>
/// The security policy of FraudTf: rules over one synthesized stack's Terraform JSON (the shape of
/// <c>cdk.tf.json</c>), each mirroring scanner checks (checkov, Trivy) so a reviewer can map them. Run at synth by
/// <see cref="SecurityPolicyAspect"/>; a resource may skip one rule with a reasoned exception
/// (<see cref="PolicyExceptions.Except"/>, stored as <c>"//".policy_exceptions</c> in the resource's JSON).
/// <para>
/// This file is the engine: the rule registry, the coverage check and the run over a stack. The rules and their checks
/// are in <c>Rules/</c>, one file per service; the exceptions in <see cref="PolicyExceptions"/>; the stack is read with
/// FraudTf.Stacks' <see cref="StackDocument"/>.
/// </para>
/// </summary>
public static class SecurityPolicy
{
    /// <summary>Minimum length of an exception's reason (after trimming).</summary>
    public const int MinimumReasonLength = 20;

    /// <summary>Id of the coverage rule: every resource type must be checked by a rule or be listed as having no controls.</summary>
    public const string CoverageRuleId = "FTF-GEN-001";

    /// <summary>Id of the rule that validates policy exceptions (known rule id, reason long enough). It cannot be excepted.</summary>
    public const string ExceptionRuleId = "FTF-GEN-002";

    /// <summary>
    /// Resource types that have no control of their own: S3 companion resources (checked through their bucket), aliases,
    /// wiring (mappings, rules, targets, pipes), dashboards and Bedrock/OpenSearch Serverless parts whose controls sit on the
    /// agent. A trailing <c>*</c> matches a prefix. Any other type not checked by a rule fails <see cref="CoverageRuleId"/>.
    /// </summary>
    public static IReadOnlyList<string> NoControlTypes { get; } =
    [
        "aws_kms_alias",
        "aws_s3_bucket_versioning",
        "aws_s3_bucket_server_side_encryption_configuration",
        "aws_s3_bucket_public_access_block",
        "aws_s3_bucket_ownership_controls",
        "aws_s3_bucket_lifecycle_configuration",
        "aws_s3_bucket_logging",
        "aws_s3_bucket_object_lock_configuration",
        "aws_s3_bucket_metric",
        "aws_s3_object",
        "aws_lambda_event_source_mapping",
        "aws_lambda_invocation",
        "aws_lambda_function_event_invoke_config",
        "aws_sns_topic_subscription",
        "aws_cloudwatch_event_rule",
        "aws_cloudwatch_event_target",
        "aws_cloudwatch_event_bus",
        "aws_pipes_pipe",
        "aws_cloudwatch_dashboard",
        "aws_cloudwatch_log_metric_filter",
        "aws_xray_sampling_rule",
        "aws_bedrockagent_agent_action_group",
        "aws_bedrockagent_agent_alias",
        "aws_bedrockagent_agent_knowledge_base_association",
        "aws_bedrockagent_knowledge_base",
        "aws_bedrock_guardrail_version",
        "aws_opensearchserverless_collection",
        // Private networking: the VPC (flow logs are not among the controls of ../shared/notes/security-controls.md, see
        // docs/networking.md), its routing and the collection's endpoint (reachable through its security group only).
        "aws_vpc",
        "aws_route_table",
        "aws_route_table_association",
        "aws_route",
        "aws_internet_gateway",
        "aws_eip",
        "aws_nat_gateway",
        "aws_opensearchserverless_vpc_endpoint",
    ];

    /// <summary>Actions that support no resource-level permissions, so an Allow on Resource <c>*</c> is acceptable for them alone.</summary>
    public static IReadOnlyList<string> ActionsWithoutResourceLevelPermissions { get; } =
    [
        "xray:PutTraceSegments", "xray:PutTelemetryRecords", "xray:GetSamplingRules", "xray:GetSamplingTargets", "cloudwatch:PutMetricData",
    ];

    /// <summary>IAM actions that allow privilege escalation or credential exfiltration whatever their resource.</summary>
    public static IReadOnlyList<string> PrivilegeEscalationActions { get; } =
    [
        "iam:CreatePolicyVersion", "iam:SetDefaultPolicyVersion", "iam:AttachUserPolicy", "iam:AttachRolePolicy",
        "iam:AttachGroupPolicy", "iam:PutUserPolicy", "iam:PutRolePolicy", "iam:PutGroupPolicy", "iam:CreateAccessKey",
        "iam:CreateLoginProfile", "iam:UpdateLoginProfile", "iam:UpdateAssumeRolePolicy",
    ];

    /// <summary>Actions that escalate privileges only when granted on every resource (<c>*</c>).</summary>
    public static IReadOnlyList<string> PrivilegeEscalationActionsOnAnyResource { get; } =
        ["iam:PassRole", "sts:AssumeRole", "lambda:UpdateFunctionCode"];

    /// <summary>Lambda runtimes that are deprecated (or past end of support): exact identifiers; see also the prefix rules in the check.</summary>
    public static IReadOnlyList<string> DeprecatedLambdaRuntimes { get; } =
    [
        "dotnet6", "dotnet7", "dotnet8", "java8", "go1.x", "provided", "ruby3.2",
        "python2.7", "python3.6", "python3.7", "python3.8", "python3.9",
    ];

    /// <summary>
    /// Every rule, in report order: one file per service under <c>Rules/</c> holds each rule's id, scanner ids, title,
    /// fix and check. Ids are stable: a new control gets a new id, a retired one's id is not reused.
    /// </summary>
    public static IReadOnlyList<SecurityRule> Rules { get; } =
    [
        .. GeneralRules.Rules,
        .. DynamoDbRules.Rules,
        .. S3Rules.Rules,
        .. KinesisRules.Rules,
        .. LambdaRules.Rules,
        .. SqsSnsRules.Rules,
        .. ResourcePolicyRules.Rules,
        .. CloudWatchRules.Rules,
        .. KmsRules.Rules,
        .. IamRules.Rules,
        .. BedrockRules.Rules,
        .. OpenSearchServerlessRules.Rules,
        .. NetworkRules.Rules,
    ];

    private static readonly Dictionary<string, SecurityRule> RulesById = Rules.ToDictionary(r => r.Id, StringComparer.Ordinal);

    private static readonly HashSet<string> TypesCoveredByRules =
        Rules.SelectMany(r => r.ResourceTypes).ToHashSet(StringComparer.Ordinal);

    /// <summary>The rule of the given id, or null when there is none.</summary>
    public static SecurityRule? Rule(string id) => RulesById.GetValueOrDefault(id);

    /// <summary>Whether <paramref name="resourceType"/> is checked by some rule or listed in <see cref="NoControlTypes"/>.</summary>
    public static bool IsCovered(string resourceType) =>
        TypesCoveredByRules.Contains(resourceType) || NoControlTypes.Any(t => t.EndsWith('*')
            ? resourceType.StartsWith(t[..^1], StringComparison.Ordinal)
            : t == resourceType);

    /// <summary>
    /// Checks every resource of one synthesized stack (the JSON of its <c>cdk.tf.json</c>) against <see cref="Rules"/>.
    /// Data sources are not checked. The result is ordered by resource type, logical id, then rule.
    /// </summary>
    public static IReadOnlyList<PolicyViolation> Check(JsonObject stack)
    {
        ArgumentNullException.ThrowIfNull(stack);
        var document = new StackDocument(stack);
        var violations = new List<PolicyViolation>();
        foreach (var resource in document.Resources)
        {
            foreach (var problem in PolicyExceptions.Problems(resource))
            {
                violations.Add(Violation(RulesById[ExceptionRuleId], resource, problem));
            }

            if (!IsCovered(resource.Type) && !PolicyExceptions.IsExcepted(resource, CoverageRuleId))
            {
                violations.Add(Violation(RulesById[CoverageRuleId], resource, $"resource type {resource.Type} is not covered by the security policy"));
            }

            foreach (var rule in Rules)
            {
                if (rule.ResourceTypes.Count == 0 || !rule.AppliesTo(resource.Type) || PolicyExceptions.IsExcepted(resource, rule.Id))
                {
                    continue;
                }

                foreach (var problem in rule.Evaluate(resource, document))
                {
                    violations.Add(Violation(rule, resource, problem));
                }
            }
        }

        return violations;
    }

    /// <summary>Formats the message of a violation of <paramref name="rule"/>.</summary>
    public static string FormatMessage(SecurityRule rule, string address, string constructPath, string problem) =>
        $"[{address} at {constructPath}] {rule.Id} ({rule.ScannerIds}): {problem}. Fix: {rule.Fix}";

    private static PolicyViolation Violation(SecurityRule rule, StackResource resource, string problem)
    {
        var path = resource.ConstructPath ?? "<no construct path>";
        return new()
        {
            RuleId = rule.Id,
            Address = resource.Address,
            ConstructPath = path,
            Message = FormatMessage(rule, resource.Address, path, problem),
        };
    }
}
