using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace FraudTf.Security.Policy;

/// <summary>
/// One control of the synth-time security policy: a stable id (<c>FTF-&lt;AREA&gt;-&lt;NNN&gt;</c>), the ids of the
/// scanner checks it mirrors (checkov, Trivy), what it requires and how to fix a violation.
/// </summary>
public sealed record SecurityRule
{
    /// <summary>Stable rule id, e.g. <c>FTF-S3-001</c>. Used in messages and in policy exceptions; never renumbered.</summary>
    public required string Id { get; init; }

    /// <summary>The scanner checks this rule mirrors, e.g. <c>CKV_AWS_7; Trivy AVD-AWS-0065</c>.</summary>
    public required string ScannerIds { get; init; }

    /// <summary>What the rule requires, in one line.</summary>
    public required string Title { get; init; }

    /// <summary>How to fix a violation.</summary>
    public required string Fix { get; init; }

    /// <summary>The Terraform resource types the rule checks (and that an exception of it may be put on); empty means every type.</summary>
    public required IReadOnlyList<string> ResourceTypes { get; init; }

    /// <summary>Whether a policy exception may skip the rule for one resource. Default true.</summary>
    public bool Exceptable { get; init; } = true;

    /// <summary>Whether the rule checks resources of <paramref name="resourceType"/>.</summary>
    public bool AppliesTo(string resourceType) => ResourceTypes.Count == 0 || ResourceTypes.Contains(resourceType, StringComparer.Ordinal);

    /// <summary>The check: the problems of one resource (each a clause without a final period); empty when compliant.</summary>
    internal Func<StackResource, StackIndex, IEnumerable<string>> Evaluate { get; init; } = (_, _) => [];
}

/// <summary>One rule broken by one resource of a synthesized stack.</summary>
public sealed record PolicyViolation
{
    /// <summary>The id of the broken rule, e.g. <c>FTF-KMS-001</c>.</summary>
    public required string RuleId { get; init; }

    /// <summary>Terraform address of the resource, <c>type.logicalId</c>.</summary>
    public required string Address { get; init; }

    /// <summary>Construct path of the resource (from its <c>"//".metadata.path</c>).</summary>
    public required string ConstructPath { get; init; }

    /// <summary>
    /// The full message: <c>[&lt;address&gt; at &lt;construct path&gt;] &lt;RULE-ID&gt; (&lt;scanner ids&gt;): &lt;what is wrong&gt;. Fix: &lt;fix&gt;</c>.
    /// </summary>
    public required string Message { get; init; }

    /// <summary>The message.</summary>
    public override string ToString() => Message;
}

/// <summary>
/// The security policy of FraudTf: rules over one synthesized stack's Terraform JSON (the shape of
/// <c>cdk.tf.json</c>), each mirroring scanner checks (checkov, Trivy) so a reviewer can map them. Run at synth by
/// <see cref="SecurityPolicyAspect"/>; a resource may skip one rule with a reasoned exception
/// (<see cref="PolicyExceptions.Except"/>, stored as <c>"//".policy_exceptions</c> in the resource's JSON).
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

    // Declared before Rules: static initializers run in textual order.
    private static readonly string[] IamTypes = ["aws_iam_role", "aws_iam_role_policy", "aws_iam_policy"];

    /// <summary>Every rule, in report order. Ids are stable: a new control gets a new id, a retired one's id is not reused.</summary>
    public static IReadOnlyList<SecurityRule> Rules { get; } = BuildRules();

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
        var index = new StackIndex(stack);
        var violations = new List<PolicyViolation>();
        foreach (var resource in index.All)
        {
            foreach (var problem in ExceptionProblems(resource))
            {
                violations.Add(Violation(RulesById[ExceptionRuleId], resource, problem));
            }

            if (!IsCovered(resource.Type) && !IsExcepted(resource, CoverageRuleId))
            {
                violations.Add(Violation(RulesById[CoverageRuleId], resource, $"resource type {resource.Type} is not covered by the security policy"));
            }

            foreach (var rule in Rules)
            {
                if (rule.ResourceTypes.Count == 0 || !rule.AppliesTo(resource.Type) || IsExcepted(resource, rule.Id))
                {
                    continue;
                }

                foreach (var problem in rule.Evaluate(resource, index))
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

    private static PolicyViolation Violation(SecurityRule rule, StackResource resource, string problem) => new()
    {
        RuleId = rule.Id,
        Address = resource.Address,
        ConstructPath = resource.Path,
        Message = FormatMessage(rule, resource.Address, resource.Path, problem),
    };

    private static bool IsExcepted(StackResource resource, string ruleId)
    {
        var rule = Rule(ruleId);
        return rule is { Exceptable: true }
            && resource.Exceptions?[ruleId] is JsonValue v
            && v.TryGetValue<string>(out var reason)
            && reason.Trim().Length >= MinimumReasonLength;
    }

    private static IEnumerable<string> ExceptionProblems(StackResource resource)
    {
        var raw = resource.Body["//"]?["policy_exceptions"];
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
            var rule = Rule(ruleId);
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
            if (reason is null || reason.Length < MinimumReasonLength)
            {
                yield return $"policy exception of {ruleId} has a reason of {reason?.Length ?? 0} characters; at least {MinimumReasonLength} are required";
            }
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // The rules

    private static IReadOnlyList<SecurityRule> BuildRules()
    {
        const string Bucket = "aws_s3_bucket";
        const string Function = "aws_lambda_function";
        return
        [
            // General
            new()
            {
                Id = CoverageRuleId, ScannerIds = "FraudTf",
                Title = "Every resource type is checked by a rule or listed as having no controls",
                Fix = "add its rules to modules/Security/Policy/SecurityPolicy.cs or list it as having no controls",
                ResourceTypes = [],
            },
            new()
            {
                Id = ExceptionRuleId, ScannerIds = "FraudTf",
                Title = "Policy exceptions name a known rule that applies to the resource, with a reason of at least 20 characters",
                Fix = "call PolicyExceptions.Except(resource, \"<rule id>\", \"<reason of at least 20 characters>\") with a rule id of SecurityPolicy.Rules, on the resource the rule reports",
                ResourceTypes = [], Exceptable = false,
            },

            // DynamoDB
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

            // S3 (one rule per control; companion resources are found through their bucket attribute)
            new()
            {
                Id = "FTF-S3-001", ScannerIds = "CKV_AWS_53, CKV_AWS_54, CKV_AWS_55, CKV_AWS_56, CKV2_AWS_6; Trivy AVD-AWS-0086/0087/0091/0093/0094",
                Title = "S3 buckets have a public access block with all four settings true",
                Fix = "add an aws_s3_bucket_public_access_block for the bucket with block_public_acls, block_public_policy, ignore_public_acls and restrict_public_buckets all true (SecureBucket does)",
                ResourceTypes = [Bucket],
                Evaluate = (r, s) => S3PublicAccessBlock(r, s),
            },
            new()
            {
                Id = "FTF-S3-002", ScannerIds = "CKV_AWS_19, CKV_AWS_145; Trivy AVD-AWS-0088/0132",
                Title = "S3 buckets encrypt by default with SSE-KMS and a customer-managed key",
                Fix = "add an aws_s3_bucket_server_side_encryption_configuration whose rule has sse_algorithm \"aws:kms\" (or \"aws:kms:dsse\") and kms_master_key_id = <customer-managed key ARN> (SecureBucket with a Key does)",
                ResourceTypes = [Bucket],
                Evaluate = (r, s) => S3Encryption(r, s),
            },
            new()
            {
                Id = "FTF-S3-003", ScannerIds = "CKV_AWS_21; Trivy AVD-AWS-0090",
                Title = "S3 buckets are versioned",
                Fix = "add an aws_s3_bucket_versioning for the bucket with versioning_configuration { status = \"Enabled\" }",
                ResourceTypes = [Bucket],
                Evaluate = (r, s) => s.CompanionsOf(r, "aws_s3_bucket_versioning")
                    .Any(v => Block(v.Body["versioning_configuration"]) is { } c && Str(c["status"]) == "Enabled")
                    ? [] : ["no aws_s3_bucket_versioning with status \"Enabled\" for this bucket"],
            },
            new()
            {
                Id = "FTF-S3-004", ScannerIds = "CKV_AWS_18; Trivy AVD-AWS-0089",
                Title = "S3 buckets have server access logging",
                Fix = "add an aws_s3_bucket_logging for the bucket (SecureBucketConfig.AccessLogs); on the log target bucket itself, except this rule",
                ResourceTypes = [Bucket],
                Evaluate = (r, s) => s.CompanionsOf(r, "aws_s3_bucket_logging").Any(l => IsSet(Str(l.Body["target_bucket"])))
                    ? [] : ["no aws_s3_bucket_logging for this bucket"],
            },
            new()
            {
                Id = "FTF-S3-005", ScannerIds = "CKV2_AWS_61",
                Title = "S3 buckets have a lifecycle configuration",
                Fix = "add an aws_s3_bucket_lifecycle_configuration for the bucket (SecureBucket does)",
                ResourceTypes = [Bucket],
                Evaluate = (r, s) => s.CompanionsOf(r, "aws_s3_bucket_lifecycle_configuration").Any()
                    ? [] : ["no aws_s3_bucket_lifecycle_configuration for this bucket"],
            },
            new()
            {
                Id = "FTF-S3-006", ScannerIds = "CKV_AWS_300",
                Title = "S3 lifecycle configurations abort incomplete multipart uploads",
                Fix = "add an enabled lifecycle rule with abort_incomplete_multipart_upload { days_after_initiation = 7 } (SecureBucketConfig.AbortIncompleteMultipartUploadDays)",
                ResourceTypes = [Bucket],
                Evaluate = (r, s) => s.CompanionsOf(r, "aws_s3_bucket_lifecycle_configuration")
                    .SelectMany(l => Blocks(l.Body["rule"]))
                    .Any(rule => Str(rule["status"]) == "Enabled"
                        && Blocks(rule["abort_incomplete_multipart_upload"]).Any(a => Number(a["days_after_initiation"]) is not null))
                    ? [] : ["no enabled lifecycle rule of this bucket sets abort_incomplete_multipart_upload.days_after_initiation"],
            },
            new()
            {
                Id = "FTF-S3-007", ScannerIds = "CKV_AWS_379",
                Title = "S3 bucket policies deny requests without TLS",
                Fix = "add an aws_s3_bucket_policy with a Deny statement for Principal \"*\" under Condition Bool aws:SecureTransport = \"false\" (SecureBucket does)",
                ResourceTypes = [Bucket],
                Evaluate = (r, s) => S3TlsOnly(r, s),
            },
            new()
            {
                Id = "FTF-S3-008", ScannerIds = "CKV2_AWS_65",
                Title = "S3 buckets disable ACLs (object ownership BucketOwnerEnforced)",
                Fix = "add an aws_s3_bucket_ownership_controls for the bucket with rule { object_ownership = \"BucketOwnerEnforced\" }",
                ResourceTypes = [Bucket],
                Evaluate = (r, s) => s.CompanionsOf(r, "aws_s3_bucket_ownership_controls")
                    .Any(o => Blocks(o.Body["rule"]).Any(rule => Str(rule["object_ownership"]) == "BucketOwnerEnforced"))
                    ? [] : ["no aws_s3_bucket_ownership_controls with object_ownership \"BucketOwnerEnforced\" for this bucket"],
            },
            new()
            {
                Id = "FTF-S3-009", ScannerIds = "CKV_AWS_143",
                Title = "Audit-log buckets (name containing \"audit\") have S3 Object Lock",
                Fix = "set object_lock_enabled = true on the bucket and add an aws_s3_bucket_object_lock_configuration (SecureBucketConfig.ObjectLockRetentionDays)",
                ResourceTypes = [Bucket],
                Evaluate = (r, s) => S3ObjectLock(r, s),
            },
            new()
            {
                Id = "FTF-S3-010", ScannerIds = "AWS S3 User Guide: server access logging",
                Title = "Server-access-log target buckets have no Object Lock default retention",
                Fix = "deliver server access logs to a bucket without an Object Lock default retention (S3 cannot deliver into one)",
                ResourceTypes = [Bucket],
                Evaluate = (r, s) => S3LogTargetRetention(r, s),
            },

            // Kinesis
            new()
            {
                Id = "FTF-KIN-001", ScannerIds = "CKV_AWS_43, CKV_AWS_185; Trivy AVD-AWS-0064",
                Title = "Kinesis streams are encrypted with a customer-managed KMS key",
                Fix = "set encryption_type = \"KMS\" and kms_key_id = <customer-managed key ARN> (not alias/aws/kinesis)",
                ResourceTypes = ["aws_kinesis_stream"],
                Evaluate = (r, _) => CustomerManagedKey(r, "kms_key_id", "alias/aws/kinesis",
                    Str(r.Body["encryption_type"]) == "KMS" ? null : $"encryption_type is {Quote(Str(r.Body["encryption_type"]))}, not \"KMS\""),
            },

            // Lambda
            new()
            {
                Id = "FTF-LAM-001", ScannerIds = "CKV_AWS_50; Trivy AVD-AWS-0066",
                Title = "Lambda functions have active X-Ray tracing",
                Fix = "set tracing_config { mode = \"Active\" }",
                ResourceTypes = [Function],
                Evaluate = (r, _) => Block(r.Body["tracing_config"]) is { } t && Str(t["mode"]) == "Active"
                    ? [] : ["tracing_config.mode is not \"Active\""],
            },
            new()
            {
                Id = "FTF-LAM-002", ScannerIds = "CKV_AWS_116",
                Title = "Lambda functions have a dead-letter queue",
                Fix = "set dead_letter_config { target_arn = <SQS queue or SNS topic ARN> }",
                ResourceTypes = [Function],
                Evaluate = (r, _) => Block(r.Body["dead_letter_config"]) is { } d && IsSet(Str(d["target_arn"]))
                    ? [] : ["dead_letter_config.target_arn is not set"],
            },
            new()
            {
                Id = "FTF-LAM-003", ScannerIds = "CKV_AWS_115",
                Title = "Lambda functions have a concurrency limit",
                Fix = "set reserved_concurrent_executions to a value >= 0",
                ResourceTypes = [Function],
                Evaluate = (r, _) => LambdaConcurrency(r),
            },
            new()
            {
                Id = "FTF-LAM-004", ScannerIds = "CKV_AWS_173",
                Title = "Lambda environment variables are encrypted with a customer-managed KMS key",
                Fix = "set kms_key_arn = <customer-managed key ARN> on the function",
                ResourceTypes = [Function],
                Evaluate = (r, _) => EnvironmentVariables(r).Count > 0 && !IsSet(Str(r.Body["kms_key_arn"]))
                    ? ["the function has environment variables but kms_key_arn is not set"] : [],
            },
            new()
            {
                Id = "FTF-LAM-005", ScannerIds = "CKV_AWS_45",
                Title = "Lambda environment variables hold no secrets",
                Fix = "pass the ARN or name of a Secrets Manager secret or SSM SecureString parameter and read it at run time; never a secret value",
                ResourceTypes = [Function],
                Evaluate = (r, _) => LambdaSecrets(r),
            },
            new()
            {
                Id = "FTF-LAM-006", ScannerIds = "CKV_AWS_364; Trivy AVD-AWS-0067",
                Title = "Lambda permissions are restricted by source ARN",
                Fix = "set source_arn to the ARN of the rule, bucket, topic or API that invokes the function",
                ResourceTypes = ["aws_lambda_permission"],
                Evaluate = (r, _) => IsSet(Str(r.Body["source_arn"])) ? [] : ["source_arn is not set"],
            },
            new()
            {
                Id = "FTF-LAM-007", ScannerIds = "CKV_AWS_363",
                Title = "Lambda functions use a runtime that is not deprecated",
                Fix = "use a supported runtime, e.g. dotnet10, nodejs22.x, python3.13, java21 or provided.al2023",
                ResourceTypes = [Function],
                Evaluate = (r, _) => Str(r.Body["runtime"]) is { } runtime && IsDeprecatedRuntime(runtime)
                    ? [$"runtime \"{runtime}\" is deprecated"] : [],
            },

            // SQS, SNS and resource policies
            new()
            {
                Id = "FTF-SQS-001", ScannerIds = "CKV_AWS_27, CKV2_AWS_73; Trivy AVD-AWS-0096/0135",
                Title = "SQS queues are encrypted with a customer-managed KMS key",
                Fix = "set kms_master_key_id = <customer-managed key ARN> (not alias/aws/sqs) and leave sqs_managed_sse_enabled unset",
                ResourceTypes = ["aws_sqs_queue"],
                Evaluate = (r, _) => CustomerManagedKey(r, "kms_master_key_id", "alias/aws/sqs",
                    IsTrue(r.Body["sqs_managed_sse_enabled"]) ? "sqs_managed_sse_enabled is true (SSE-SQS, not a customer-managed key)" : null),
            },
            new()
            {
                Id = "FTF-SNS-001", ScannerIds = "CKV_AWS_26; Trivy AVD-AWS-0095/0136",
                Title = "SNS topics are encrypted with a customer-managed KMS key",
                Fix = "set kms_master_key_id = <customer-managed key ARN> (not alias/aws/sns)",
                ResourceTypes = ["aws_sns_topic"],
                Evaluate = (r, _) => CustomerManagedKey(r, "kms_master_key_id", "alias/aws/sns", null),
            },
            new()
            {
                Id = "FTF-POL-001", ScannerIds = "CKV_AWS_72, CKV_AWS_168, CKV_AWS_169, CKV_AWS_387; Trivy AVD-AWS-0097",
                Title = "Resource policies (bucket, queue, topic, event bus, table, stream) allow no wildcard principal",
                Fix = "name the principals (account root, role ARN or service principal) in every Allow statement; Principal \"*\" only with Deny",
                ResourceTypes = ["aws_s3_bucket_policy", "aws_sqs_queue_policy", "aws_sns_topic_policy", "aws_cloudwatch_event_bus_policy", "aws_sqs_queue", "aws_sns_topic",
                    "aws_dynamodb_resource_policy", "aws_kinesis_resource_policy"],
                Evaluate = (r, _) => NoWildcardPrincipal(r, "policy", required: r.Type.EndsWith("_policy", StringComparison.Ordinal)),
            },

            // CloudWatch
            new()
            {
                Id = "FTF-LOG-001", ScannerIds = "CKV_AWS_158; Trivy AVD-AWS-0017",
                Title = "CloudWatch log groups are encrypted with a customer-managed KMS key",
                Fix = "set kms_key_id = <customer-managed key ARN> (the key policy must allow logs.<region>.amazonaws.com)",
                ResourceTypes = ["aws_cloudwatch_log_group"],
                Evaluate = (r, _) => IsSet(Str(r.Body["kms_key_id"])) ? [] : ["kms_key_id is not set"],
            },
            new()
            {
                Id = "FTF-LOG-002", ScannerIds = "CKV_AWS_66",
                Title = "CloudWatch log groups have a retention period",
                Fix = "set retention_in_days to a positive value allowed by CloudWatch Logs (e.g. 30, 90, 365)",
                ResourceTypes = ["aws_cloudwatch_log_group"],
                Evaluate = (r, _) => Number(r.Body["retention_in_days"]) switch
                {
                    null when IsReference(Str(r.Body["retention_in_days"])) => [],
                    null => ["retention_in_days is not set (logs are kept forever)"],
                    double days when days <= 0 => [$"retention_in_days is {days.ToString(CultureInfo.InvariantCulture)} (logs are kept forever)"],
                    _ => [],
                },
            },
            new()
            {
                Id = "FTF-LOG-003", ScannerIds = "CKV_AWS_338",
                Title = "Audit-relevant log groups (tag audit-relevant = \"true\") keep logs for at least a year",
                Fix = "set retention_in_days to 365 or more on log groups tagged audit-relevant = \"true\"",
                ResourceTypes = ["aws_cloudwatch_log_group"],
                Evaluate = (r, _) => Str(r.Body["tags"]?["audit-relevant"]) == "true"
                    && Number(r.Body["retention_in_days"]) is { } days and > 0 and < 365
                    ? [$"the log group is tagged audit-relevant = \"true\" but retention_in_days is {days.ToString(CultureInfo.InvariantCulture)}, less than 365"] : [],
            },
            new()
            {
                Id = "FTF-CW-001", ScannerIds = "CKV_AWS_319",
                Title = "CloudWatch alarms have actions, enabled",
                Fix = "leave actions_enabled unset (or true) and set alarm_actions to the alarm topic's ARN",
                ResourceTypes = ["aws_cloudwatch_metric_alarm"],
                Evaluate = (r, _) => AlarmActions(r),
            },
            new()
            {
                Id = "FTF-CW-002", ScannerIds = "FraudTf (a common pitfall: an AWS-namespace alarm without dimensions watches nothing)",
                Title = "Alarms on AWS service metrics carry the dimension of the resource they watch",
                Fix = "build the alarm from the construct's MetricXxx() helper, which sets the dimension (e.g. FunctionName)",
                ResourceTypes = ["aws_cloudwatch_metric_alarm"],
                Evaluate = (r, _) => Str(r.Body["namespace"]) is { } ns && ns.StartsWith("AWS/", StringComparison.Ordinal) &&
                                     (r.Body["dimensions"] is not JsonObject d || d.Count == 0)
                    ? [$"the alarm on {ns} {Str(r.Body["metric_name"])} has no dimensions, so it watches no resource"]
                    : [],
            },

            // KMS
            new()
            {
                Id = "FTF-KMS-001", ScannerIds = "CKV_AWS_7; Trivy AVD-AWS-0065",
                Title = "KMS keys rotate automatically",
                Fix = "set enable_key_rotation = true (EncryptionKey does)",
                ResourceTypes = ["aws_kms_key"],
                Evaluate = (r, _) => IsTrue(r.Body["enable_key_rotation"]) ? [] : ["enable_key_rotation is not true"],
            },
            new()
            {
                Id = "FTF-KMS-002", ScannerIds = "CKV2_AWS_64",
                Title = "KMS keys have an explicit key policy",
                Fix = "set policy to an explicit key policy (EncryptionKey does)",
                ResourceTypes = ["aws_kms_key"],
                Evaluate = (r, _) => IsSet(Str(r.Body["policy"])) ? [] : ["policy is not set (the default key policy applies)"],
            },
            new()
            {
                Id = "FTF-KMS-003", ScannerIds = "CKV_AWS_33",
                Title = "KMS key policies allow no wildcard principal",
                Fix = "name the principals (account root, role ARN or service principal) in every Allow statement of the key policy",
                ResourceTypes = ["aws_kms_key"],
                Evaluate = (r, _) => NoWildcardPrincipal(r, "policy", required: false),
            },

            // IAM
            new()
            {
                Id = "FTF-IAM-001", ScannerIds = "CKV_AWS_62, CKV_AWS_63; Trivy AVD-AWS-0057",
                Title = "IAM policies allow explicit actions only (no *, no service:*, no prefix*, no NotAction)",
                Fix = "list the actions explicitly (keep them in modules/Security/Permissions.cs)",
                ResourceTypes = IamTypes,
                Evaluate = (r, _) => IamPolicies(r).SelectMany(p => IamWildcardActions(p)),
            },
            new()
            {
                Id = "FTF-IAM-002", ScannerIds = "CKV_AWS_355, CKV_AWS_289, CKV_AWS_290; Trivy AVD-AWS-0057",
                Title = "IAM policies allow Resource \"*\" only for actions without resource-level permissions",
                Fix = "grant on the ARNs of the resources used; Resource \"*\" only for actions of SecurityPolicy.ActionsWithoutResourceLevelPermissions",
                ResourceTypes = IamTypes,
                Evaluate = (r, _) => IamPolicies(r).SelectMany(p => IamWildcardResources(p)),
            },
            new()
            {
                Id = "FTF-IAM-003", ScannerIds = "CKV_AWS_286, CKV_AWS_287, CKV_AWS_288",
                Title = "IAM policies allow no privilege escalation or credential exfiltration",
                Fix = "remove the action; iam:PassRole, sts:AssumeRole and lambda:UpdateFunctionCode only on named ARNs",
                ResourceTypes = IamTypes,
                Evaluate = (r, _) => IamPolicies(r).SelectMany(p => IamEscalation(p)),
            },
            new()
            {
                Id = "FTF-IAM-004", ScannerIds = "CKV_AWS_60",
                Title = "IAM role trust policies name the principals that may assume the role (never \"*\")",
                Fix = "trust a Service principal (e.g. lambda.amazonaws.com) or specific role or account ARNs",
                ResourceTypes = ["aws_iam_role"],
                Evaluate = (r, _) => IamTrust(r),
            },
            new()
            {
                Id = "FTF-IAM-005", ScannerIds = "CKV_AWS_62, CKV_AWS_63, CKV_AWS_355, CKV_AWS_286-290; Trivy AVD-AWS-0057",
                Title = "IAM policies are literal JSON documents, so the IAM rules can check them at synth",
                Fix = "render the policy with FraudTf.Security.PolicyDocument (not a data source or a computed value)",
                ResourceTypes = IamTypes,
                Evaluate = (r, _) => IamPolicies(r).Where(p => p.Problem is not null).Select(p => $"{p.Name} {p.Problem}"),
            },

            // Bedrock
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

            // OpenSearch Serverless
            new()
            {
                Id = "FTF-AOSS-001", ScannerIds = "FraudTf (OpenSearch Serverless counterpart of CKV_AWS_247)",
                Title = "OpenSearch Serverless encryption policies use a customer-managed KMS key",
                Fix = "set \"AWSOwnedKey\": false and \"KmsARN\": <customer-managed key ARN> in the policy (VectorCollection does)",
                ResourceTypes = ["aws_opensearchserverless_security_policy"],
                Evaluate = (r, _) => AossSecurityPolicy(r, "encryption"),
            },
            new()
            {
                Id = "FTF-AOSS-002", ScannerIds = "FraudTf (OpenSearch Serverless counterpart of CKV_AWS_248)",
                Title = "OpenSearch Serverless network policies allow no access from the public internet",
                Fix = "set \"AllowFromPublic\": false with SourceVPCEs or SourceServices, or record a policy exception with the reason",
                ResourceTypes = ["aws_opensearchserverless_security_policy"],
                Evaluate = (r, _) => AossSecurityPolicy(r, "network"),
            },
            new()
            {
                Id = "FTF-AOSS-003", ScannerIds = "FraudTf (CKV_AWS_62/63 and CKV_AWS_60 applied to data-access policies)",
                Title = "OpenSearch Serverless data-access policies name roles and list explicit permissions",
                Fix = "name role ARNs as principals (no \"*\", no account root) and list aoss: permissions explicitly (VectorCollection.Grant does)",
                ResourceTypes = ["aws_opensearchserverless_access_policy"],
                Evaluate = (r, _) => AossAccessPolicy(r),
            },
        ];
    }

    // --- Bedrock, OpenSearch Serverless -------------------------------------------------------------------------

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

    private static IEnumerable<string> AossSecurityPolicy(StackResource r, string checkedType)
    {
        if (Str(r.Body["type"]) != checkedType)
        {
            yield break;
        }

        var policy = ParsedPolicy(r);

        if (policy is null)
        {
            yield return "policy is not a literal JSON document, so it cannot be checked at synth";
            yield break;
        }

        if (checkedType == "encryption")
        {
            if (!IsFalse(policy["AWSOwnedKey"]) || !IsSet(Str(policy["KmsARN"])))
            {
                yield return "the policy does not set \"AWSOwnedKey\": false with a \"KmsARN\" (an AWS-owned key applies)";
            }

            yield break;
        }

        var rules = policy is JsonArray a ? a.OfType<JsonObject>().ToList() : policy is JsonObject o ? [o] : [];
        foreach (var (rule, i) in rules.Select((x, i) => (x, i)))
        {
            if (IsTrue(rule["AllowFromPublic"]))
            {
                yield return $"rule {i} sets \"AllowFromPublic\": true";
            }
        }
    }

    private static JsonNode? ParsedPolicy(StackResource r)
    {
        try
        {
            return JsonNode.Parse(Str(r.Body["policy"]) ?? "");
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static IEnumerable<string> AossAccessPolicy(StackResource r)
    {
        var policy = ParsedPolicy(r);

        if (policy is not JsonArray statements)
        {
            yield return "policy is not a literal JSON array of rules, so it cannot be checked at synth";
            yield break;
        }

        foreach (var (statement, i) in statements.OfType<JsonObject>().Select((x, i) => (x, i)))
        {
            var principals = statement["Principal"] is JsonArray pa ? pa.Select(p => Str(p) ?? "").ToList() : [];
            if (principals.Count == 0)
            {
                yield return $"rule {i} names no principal";
            }

            foreach (var p in principals.Where(p => p == "*" || p.EndsWith(":root", StringComparison.Ordinal)))
            {
                yield return $"rule {i} grants to {Quote(p)}, not to a named role";
            }

            var permissions = (statement["Rules"] as JsonArray ?? []).OfType<JsonObject>()
                .SelectMany(x => x["Permission"] as JsonArray ?? []).Select(p => Str(p) ?? "");
            foreach (var p in permissions.Where(p => p.Contains('*')))
            {
                yield return $"rule {i} grants the wildcard permission {Quote(p)}";
            }
        }
    }

    // --- DynamoDB, S3 --------------------------------------------------------------------------------------------

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

    private static IEnumerable<string> S3PublicAccessBlock(StackResource bucket, StackIndex stack)
    {
        var blocks = stack.CompanionsOf(bucket, "aws_s3_bucket_public_access_block").ToList();
        if (blocks.Count == 0)
        {
            yield return "no aws_s3_bucket_public_access_block for this bucket";
            yield break;
        }

        string[] settings = ["block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets"];
        if (blocks.Any(b => settings.All(s => IsTrue(b.Body[s]))))
        {
            yield break;
        }

        var b = blocks[0];
        yield return $"{b.Address} does not set {string.Join(", ", settings.Where(s => !IsTrue(b.Body[s])))} to true";
    }

    private static IEnumerable<string> S3Encryption(StackResource bucket, StackIndex stack)
    {
        var configs = stack.CompanionsOf(bucket, "aws_s3_bucket_server_side_encryption_configuration").ToList();
        if (configs.Count == 0)
        {
            yield return "no aws_s3_bucket_server_side_encryption_configuration for this bucket (SSE-S3 applies)";
            yield break;
        }

        var defaults = configs.SelectMany(c => Blocks(c.Body["rule"]))
            .SelectMany(rule => Blocks(rule["apply_server_side_encryption_by_default"]))
            .ToList();
        if (defaults.Any(d => Str(d["sse_algorithm"]) is "aws:kms" or "aws:kms:dsse"
            && IsSet(Str(d["kms_master_key_id"])) && !IsAwsManagedAlias(Str(d["kms_master_key_id"])!, "alias/aws/s3")))
        {
            yield break;
        }

        var first = defaults.FirstOrDefault();
        var algorithm = first is null ? null : Str(first["sse_algorithm"]);
        yield return algorithm switch
        {
            null => "the encryption configuration sets no apply_server_side_encryption_by_default.sse_algorithm",
            "aws:kms" or "aws:kms:dsse" => "sse_algorithm is " + Quote(algorithm) + " but kms_master_key_id is not a customer-managed key (the AWS-managed key aws/s3 applies)",
            _ => $"default encryption is sse_algorithm {Quote(algorithm)}, not SSE-KMS with a customer-managed key",
        };
    }

    private static IEnumerable<string> S3TlsOnly(StackResource bucket, StackIndex stack)
    {
        var policies = stack.CompanionsOf(bucket, "aws_s3_bucket_policy").ToList();
        if (policies.Count == 0)
        {
            yield return "no aws_s3_bucket_policy for this bucket, so requests without TLS are not denied";
            yield break;
        }

        var unreadable = new List<string>();
        foreach (var p in policies)
        {
            if (!PolicyText.TryParse(p.Body["policy"], out var statements, out var problem))
            {
                unreadable.Add($"{p.Address}.policy {problem}");
                continue;
            }

            if (statements.Any(s => s.IsDeny && DeniesInsecureTransport(s.Condition)))
            {
                yield break;
            }
        }

        yield return unreadable.Count > 0
            ? string.Join("; ", unreadable)
            : "the bucket policy has no Deny statement with Condition Bool aws:SecureTransport = \"false\"";
    }

    private static bool DeniesInsecureTransport(JsonNode? condition)
    {
        var value = condition?["Bool"]?["aws:SecureTransport"];
        return Strings(value).Any(v => v.Equals("false", StringComparison.OrdinalIgnoreCase))
            || (value is JsonValue b && b.TryGetValue<bool>(out var flag) && !flag);
    }

    private static IEnumerable<string> S3ObjectLock(StackResource bucket, StackIndex stack)
    {
        var name = Str(bucket.Body["bucket"]) ?? Str(bucket.Body["bucket_prefix"]);
        if (name is null || !name.Contains("audit", StringComparison.OrdinalIgnoreCase))
        {
            yield break;
        }

        if (!IsTrue(bucket.Body["object_lock_enabled"]))
        {
            yield return $"audit-log bucket {Quote(name)} does not set object_lock_enabled = true";
        }

        if (!stack.CompanionsOf(bucket, "aws_s3_bucket_object_lock_configuration").Any())
        {
            yield return $"audit-log bucket {Quote(name)} has no aws_s3_bucket_object_lock_configuration (no default retention)";
        }
    }

    private static IEnumerable<string> S3LogTargetRetention(StackResource bucket, StackIndex stack)
    {
        var names = stack.ReferencesTo(bucket);
        var isLogTarget = stack.OfType("aws_s3_bucket_logging").Any(l => Str(l.Body["target_bucket"]) is { } t && names.Contains(t));
        if (isLogTarget && stack.CompanionsOf(bucket, "aws_s3_bucket_object_lock_configuration")
                .Any(c => Block(c.Body["rule"])?["default_retention"] is not null))
        {
            yield return "the bucket receives server access logs but has an Object Lock default retention, so log delivery fails";
        }
    }

    // --- Encryption with customer-managed keys (Kinesis, SQS, SNS) ------------------------------------------------

    private static IEnumerable<string> CustomerManagedKey(StackResource r, string attribute, string awsManagedAlias, string? otherProblem)
    {
        if (otherProblem is not null)
        {
            yield return otherProblem;
        }

        var key = Str(r.Body[attribute]);
        if (!IsSet(key))
        {
            yield return $"{attribute} is not set";
        }
        else if (IsAwsManagedAlias(key!, awsManagedAlias))
        {
            yield return $"{attribute} is the AWS-managed key {Quote(key)}, not a customer-managed key";
        }
    }

    private static bool IsAwsManagedAlias(string key, string alias) =>
        key.Equals(alias, StringComparison.OrdinalIgnoreCase) || key.EndsWith(":" + alias, StringComparison.OrdinalIgnoreCase);

    // --- Lambda --------------------------------------------------------------------------------------------------

    private static IEnumerable<string> LambdaConcurrency(StackResource r)
    {
        var node = r.Body["reserved_concurrent_executions"];
        if (node is null)
        {
            yield return "reserved_concurrent_executions is not set (the function may use the whole account's concurrency)";
        }
        else if (Number(node) is { } n && n < 0)
        {
            yield return $"reserved_concurrent_executions is {n.ToString(CultureInfo.InvariantCulture)} (unreserved)";
        }
        else if (Number(node) is null && !IsReference(Str(node)))
        {
            yield return $"reserved_concurrent_executions is {node.ToJsonString()}, not a number";
        }
    }

    private static IReadOnlyList<KeyValuePair<string, JsonNode?>> EnvironmentVariables(StackResource r) =>
        Blocks(r.Body["environment"]).Select(e => e["variables"]).OfType<JsonObject>().SelectMany(v => v).ToList();

    private static readonly Regex SecretName =
        new("SECRET|PASSWORD|PASSWD|TOKEN|API_KEY|APIKEY|PRIVATE_KEY|ACCESS_KEY|CREDENTIAL", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);

    private static readonly Regex AccessKeyValue = new("(?<![A-Z0-9])(AKIA|ASIA)[A-Z0-9]{16}(?![A-Z0-9])", RegexOptions.CultureInvariant);

    // A whole reference to a resource's ARN, name or id (e.g. "${aws_secretsmanager_secret.api.arn}") or a literal ARN
    // points at where a secret is kept; it is not a secret value.
    private static readonly Regex SecretLocation = new(@"^(arn:|\$\{[A-Za-z0-9_.\-\[\]]+\.(arn|name|id)\}$)", RegexOptions.CultureInvariant);

    private static IEnumerable<string> LambdaSecrets(StackResource r)
    {
        foreach (var (name, node) in EnvironmentVariables(r).OrderBy(v => v.Key, StringComparer.Ordinal))
        {
            var value = Str(node) ?? node?.ToJsonString() ?? "";
            if (AccessKeyValue.IsMatch(value))
            {
                yield return $"environment variable {name} holds what looks like an AWS access key id";
            }
            else if (SecretName.IsMatch(name) && !SecretLocation.IsMatch(value))
            {
                yield return $"environment variable {name} is named like a secret and holds a value, not the ARN or name of where the secret is kept";
            }
        }
    }

    private static bool IsDeprecatedRuntime(string runtime)
    {
        if (DeprecatedLambdaRuntimes.Contains(runtime, StringComparer.Ordinal)
            || runtime.StartsWith("dotnetcore", StringComparison.Ordinal)
            || Regex.IsMatch(runtime, @"^ruby2(\.|$)", RegexOptions.CultureInvariant))
        {
            return true;
        }

        // Node.js 20 reached end of life on 2026-04-30 and its Lambda runtime is deprecated with it.
        var node = Regex.Match(runtime, @"^nodejs(\d+)?", RegexOptions.CultureInvariant);
        return node.Success && (!node.Groups[1].Success || int.Parse(node.Groups[1].Value, CultureInfo.InvariantCulture) < 22);
    }

    // --- CloudWatch ----------------------------------------------------------------------------------------------

    private static IEnumerable<string> AlarmActions(StackResource r)
    {
        var enabled = r.Body["actions_enabled"];
        if (enabled is not null && IsFalse(enabled))
        {
            yield return "actions_enabled is false";
        }

        if (!Strings(r.Body["alarm_actions"]).Any(IsSet))
        {
            yield return "alarm_actions is empty (the alarm notifies no one)";
        }
    }

    // --- Resource policies ---------------------------------------------------------------------------------------

    private static IEnumerable<string> NoWildcardPrincipal(StackResource r, string attribute, bool required)
    {
        var node = r.Body[attribute];
        if (node is null || (Str(node) is { } text && string.IsNullOrWhiteSpace(text)))
        {
            return required ? [$"{attribute} is not set"] : [];
        }

        if (!PolicyText.TryParse(node, out var statements, out var problem))
        {
            return [$"{attribute} {problem}"];
        }

        return statements.Where(s => s.IsAllow)
            .SelectMany(s => (s.HasNotPrincipal ? [$"{attribute} {s.Label} allows with NotPrincipal (every principal but those named)"] : Array.Empty<string>())
                .Concat(IsWildcardPrincipal(s.Principal) ? [$"{attribute} {s.Label} allows Principal {s.Principal!.ToJsonString()}"] : Array.Empty<string>()));
    }

    private static bool IsWildcardPrincipal(JsonNode? principal) => principal switch
    {
        null => false,
        JsonValue => Str(principal) == "*",
        JsonObject o => o.Any(p => Strings(p.Value).Any(v => v == "*")),
        _ => false,
    };

    // --- IAM -----------------------------------------------------------------------------------------------------

    private sealed record IamPolicy(string Name, IReadOnlyList<PolicyStatementView> Statements, string? Problem);

    private static IEnumerable<IamPolicy> IamPolicies(StackResource r)
    {
        var documents = new List<(string Name, JsonNode? Node)>();
        if (r.Type == "aws_iam_role")
        {
            documents.Add(("assume_role_policy", r.Body["assume_role_policy"]));
            var i = 0;
            foreach (var inline in Blocks(r.Body["inline_policy"]))
            {
                var name = Str(inline["name"]);
                documents.Add(($"inline_policy[{i}]{(name is null ? "" : $" ({name})")}.policy", inline["policy"]));
                i++;
            }
        }
        else
        {
            documents.Add(("policy", r.Body["policy"]));
        }

        foreach (var (name, node) in documents)
        {
            if (node is null)
            {
                continue;
            }

            yield return PolicyText.TryParse(node, out var statements, out var problem)
                ? new IamPolicy(name, statements, null)
                : new IamPolicy(name, [], problem);
        }
    }

    private static IEnumerable<string> IamWildcardActions(IamPolicy p)
    {
        foreach (var s in p.Statements.Where(s => s.IsAllow))
        {
            if (s.HasNotAction)
            {
                yield return $"{p.Name} {s.Label} allows NotAction (every action but those listed)";
            }

            var wildcards = s.Actions.Where(a => a.Contains('*') || a.Contains('?')).ToList();
            if (wildcards.Count > 0)
            {
                yield return $"{p.Name} {s.Label} allows wildcard action{(wildcards.Count > 1 ? "s" : "")} {string.Join(", ", wildcards.Select(Quote))}";
            }
        }
    }

    private static IEnumerable<string> IamWildcardResources(IamPolicy p)
    {
        foreach (var s in p.Statements.Where(s => s.IsAllow))
        {
            if (s.HasNotResource)
            {
                yield return $"{p.Name} {s.Label} allows on NotResource (every resource but those listed)";
            }

            if (!s.Resources.Contains("*"))
            {
                continue;
            }

            var restrictable = s.Actions
                .Where(a => !ActionsWithoutResourceLevelPermissions.Contains(a, StringComparer.OrdinalIgnoreCase))
                .ToList();
            if (restrictable.Count > 0 || s.HasNotAction)
            {
                var listed = restrictable.Count > 0 ? string.Join(", ", restrictable.Select(Quote)) : "NotAction";
                yield return $"{p.Name} {s.Label} allows {listed} on Resource \"*\"";
            }
        }
    }

    private static IEnumerable<string> IamEscalation(IamPolicy p)
    {
        foreach (var s in p.Statements.Where(s => s.IsAllow))
        {
            var always = s.Actions.Where(a => PrivilegeEscalationActions.Contains(a, StringComparer.OrdinalIgnoreCase)).ToList();
            var onAny = s.Resources.Contains("*")
                ? s.Actions.Where(a => PrivilegeEscalationActionsOnAnyResource.Contains(a, StringComparer.OrdinalIgnoreCase)).ToList()
                : [];
            if (always.Count > 0)
            {
                yield return $"{p.Name} {s.Label} allows privilege-escalation action{(always.Count > 1 ? "s" : "")} {string.Join(", ", always.Select(Quote))}";
            }

            if (onAny.Count > 0)
            {
                yield return $"{p.Name} {s.Label} allows {string.Join(", ", onAny.Select(Quote))} on Resource \"*\"";
            }
        }
    }

    private static IEnumerable<string> IamTrust(StackResource r)
    {
        var node = r.Body["assume_role_policy"];
        if (node is null || !PolicyText.TryParse(node, out var statements, out _))
        {
            return []; // a missing trust policy fails terraform validate; an unreadable one is FTF-IAM-005
        }

        return statements.Where(s => s.IsAllow).SelectMany(s =>
            (s.HasNotPrincipal ? [$"assume_role_policy {s.Label} allows NotPrincipal (every principal but those named)"] : Array.Empty<string>())
            .Concat(IsWildcardPrincipal(s.Principal) ? [$"assume_role_policy {s.Label} lets Principal {s.Principal!.ToJsonString()} assume the role"] : Array.Empty<string>()));
    }

    // --- JSON helpers --------------------------------------------------------------------------------------------

    /// <summary>The objects of a nested block, whether synthesized as one object or as a list of objects.</summary>
    internal static IReadOnlyList<JsonObject> Blocks(JsonNode? node) => node switch
    {
        JsonObject o => [o],
        JsonArray a => a.OfType<JsonObject>().ToList(),
        _ => [],
    };

    /// <summary>The first object of a nested block, or null.</summary>
    internal static JsonObject? Block(JsonNode? node) => Blocks(node).FirstOrDefault();

    /// <summary>A scalar as text (strings as they are, numbers and booleans in JSON form), or null.</summary>
    internal static string? Str(JsonNode? node) => node is JsonValue v
        ? v.GetValueKind() switch
        {
            JsonValueKind.String => v.GetValue<string>(),
            JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False => v.ToJsonString(),
            _ => null,
        }
        : null;

    /// <summary>A string or the strings of an array.</summary>
    internal static IReadOnlyList<string> Strings(JsonNode? node) => node switch
    {
        JsonArray a => a.Select(Str).OfType<string>().ToList(),
        JsonValue => Str(node) is { } s ? [s] : [],
        _ => [],
    };

    private static double? Number(JsonNode? node) =>
        double.TryParse(Str(node), NumberStyles.Float, CultureInfo.InvariantCulture, out var n) ? n : null;

    private static bool IsTrue(JsonNode? node) => Str(node) is { } s && s.Equals("true", StringComparison.OrdinalIgnoreCase);

    private static bool IsFalse(JsonNode? node) => Str(node) is { } s && s.Equals("false", StringComparison.OrdinalIgnoreCase);

    private static bool IsSet(string? value) => !string.IsNullOrWhiteSpace(value);

    private static bool IsReference(string? value) => value is not null && value.StartsWith("${", StringComparison.Ordinal);

    private static string Quote(string? value) => value is null ? "unset" : JsonSerializer.Serialize(value);
}

/// <summary>One resource of a synthesized stack.</summary>
internal sealed class StackResource
{
    public StackResource(string type, string logicalId, JsonObject body)
    {
        Type = type;
        LogicalId = logicalId;
        Body = body;
    }

    /// <summary>Terraform resource type, e.g. <c>aws_s3_bucket</c>.</summary>
    public string Type { get; }

    /// <summary>Logical id (the key under the type).</summary>
    public string LogicalId { get; }

    /// <summary>The resource's attributes.</summary>
    public JsonObject Body { get; }

    /// <summary><c>type.logicalId</c>.</summary>
    public string Address => $"{Type}.{LogicalId}";

    /// <summary>The construct path from the metadata, or a placeholder.</summary>
    public string Path => SecurityPolicy.Str(Body["//"]?["metadata"]?["path"]) ?? "<no construct path>";

    /// <summary>The <c>"//".policy_exceptions</c> object, when there is one.</summary>
    public JsonObject? Exceptions => Body["//"]?["policy_exceptions"] as JsonObject;
}

/// <summary>The resources of a stack, ordered by type then logical id, with the lookups rules need.</summary>
internal sealed class StackIndex
{
    private readonly Dictionary<string, List<StackResource>> _byType = new(StringComparer.Ordinal);

    public StackIndex(JsonObject stack)
    {
        var all = new List<StackResource>();
        if (stack["resource"] is JsonObject resources)
        {
            foreach (var (type, byId) in resources.OrderBy(t => t.Key, StringComparer.Ordinal))
            {
                if (byId is not JsonObject ids)
                {
                    continue;
                }

                var list = new List<StackResource>();
                foreach (var (id, body) in ids.OrderBy(i => i.Key, StringComparer.Ordinal))
                {
                    if (body is JsonObject o)
                    {
                        list.Add(new StackResource(type, id, o));
                    }
                }

                _byType[type] = list;
                all.AddRange(list);
            }
        }

        All = all;
    }

    /// <summary>Every resource.</summary>
    public IReadOnlyList<StackResource> All { get; }

    /// <summary>The resources of one type.</summary>
    public IReadOnlyList<StackResource> OfType(string type) => _byType.TryGetValue(type, out var list) ? list : [];

    /// <summary>
    /// The resources of <paramref name="type"/> whose <c>bucket</c> attribute names <paramref name="bucket"/>: a reference to
    /// its <c>id</c> or <c>bucket</c> attribute, or its literal name.
    /// </summary>
    public IEnumerable<StackResource> CompanionsOf(StackResource bucket, string type)
    {
        var names = ReferencesTo(bucket);
        return OfType(type).Where(c => SecurityPolicy.Str(c.Body["bucket"]) is { } b && names.Contains(b));
    }

    /// <summary>The strings by which other resources name <paramref name="bucket"/>: references to its id or name, or the literal name.</summary>
    public IReadOnlySet<string> ReferencesTo(StackResource bucket)
    {
        var names = new HashSet<string>(StringComparer.Ordinal)
        {
            $"${{aws_s3_bucket.{bucket.LogicalId}.id}}",
            $"${{aws_s3_bucket.{bucket.LogicalId}.bucket}}",
        };
        if (SecurityPolicy.Str(bucket.Body["bucket"]) is { Length: > 0 } name)
        {
            names.Add(name);
        }

        return names;
    }
}

/// <summary>One statement of a policy document, normalized (single values as lists).</summary>
internal sealed record PolicyStatementView
{
    public required int Index { get; init; }

    public string? Sid { get; init; }

    public required string Effect { get; init; }

    public required IReadOnlyList<string> Actions { get; init; }

    public bool HasNotAction { get; init; }

    public required IReadOnlyList<string> Resources { get; init; }

    public bool HasNotResource { get; init; }

    public JsonNode? Principal { get; init; }

    public bool HasNotPrincipal { get; init; }

    public JsonNode? Condition { get; init; }

    public bool IsAllow => Effect.Equals("Allow", StringComparison.OrdinalIgnoreCase);

    public bool IsDeny => Effect.Equals("Deny", StringComparison.OrdinalIgnoreCase);

    /// <summary>How a message names the statement: its Sid, or its position.</summary>
    public string Label => Sid is null ? $"statement #{Index + 1}" : $"statement \"{Sid}\" (#{Index + 1})";
}

/// <summary>Parses the policy documents of synthesized resources (JSON strings, possibly holding Terraform interpolations).</summary>
internal static class PolicyText
{
    /// <summary>Parses <paramref name="node"/>; on failure <paramref name="problem"/> says why (a clause to follow the attribute name).</summary>
    public static bool TryParse(JsonNode? node, out IReadOnlyList<PolicyStatementView> statements, out string? problem)
    {
        statements = [];
        problem = null;
        JsonNode? document;
        if (node is JsonObject inline)
        {
            document = inline;
        }
        else
        {
            var text = SecurityPolicy.Str(node);
            if (string.IsNullOrWhiteSpace(text))
            {
                problem = "is empty";
                return false;
            }

            try
            {
                document = JsonNode.Parse(text);
            }
            catch (JsonException)
            {
                var shown = text.Length > 100 ? text[..100] + "..." : text;
                problem = text.TrimStart().StartsWith("${", StringComparison.Ordinal)
                    ? $"must be a literal JSON document so it can be checked at synth; it is the computed value {JsonSerializer.Serialize(shown)}"
                    : $"is not valid JSON: {JsonSerializer.Serialize(shown)}";
                return false;
            }
        }

        var raw = document?["Statement"];
        var list = raw switch
        {
            JsonArray a => a.OfType<JsonObject>().ToList(),
            JsonObject o => [o],
            _ => null,
        };
        if (document is not JsonObject || list is null)
        {
            problem = "must be a policy document with a Statement";
            return false;
        }

        statements = list.Select((s, i) => new PolicyStatementView
        {
            Index = i,
            Sid = SecurityPolicy.Str(s["Sid"]),
            Effect = SecurityPolicy.Str(s["Effect"]) ?? "",
            Actions = SecurityPolicy.Strings(s["Action"]),
            HasNotAction = s["NotAction"] is not null,
            Resources = SecurityPolicy.Strings(s["Resource"]),
            HasNotResource = s["NotResource"] is not null,
            Principal = s["Principal"],
            HasNotPrincipal = s["NotPrincipal"] is not null,
            Condition = s["Condition"],
        }).ToList();
        return true;
    }
}
