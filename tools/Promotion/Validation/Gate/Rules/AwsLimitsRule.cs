using System.Text;
using System.Text.RegularExpressions;

// Alike on purpose: every gate rule has GateRule's shape (id, scanner ids, rationale, a check over the stack index
// that returns findings with their fix); the likeness is the template, each rule's check is its own.
namespace FraudTf.Promotion.Validation.Gate.Rules;

/// <summary>
/// GATE-LIMIT-001: AWS name and value limits that the provider does not (always) check at plan, so the API call fails
/// at apply, often after other resources were created. Each entry cites the API reference (or quota page) of its limit.
/// Values holding Terraform expressions are skipped, except the two size limits, which count the literal part.
/// </summary>
public sealed class AwsLimitsRule : GateRule
{
    /// <summary>One limit on one argument.</summary>
    /// <param name="Type">Resource type.</param>
    /// <param name="Argument">Argument (dotted path).</param>
    /// <param name="Min">Shortest length.</param>
    /// <param name="Max">Longest length.</param>
    /// <param name="Pattern">Full-match pattern, or null.</param>
    /// <param name="Rule">The limit in words, for the message.</param>
    /// <param name="Source">The API reference that states it.</param>
    /// <param name="Extra">An additional check returning a problem, or null.</param>
    private sealed record Limit(string Type, string Argument, int Min, int Max, string? Pattern, string Rule, string Source,
        Func<string, StackResource, string?>? Extra = null);

    private static readonly Limit[] Table =
    [
        // Lambda API reference, CreateFunction: FunctionName "If you specify only the function name, it is limited to
        // 64 characters in length", pattern [a-zA-Z0-9-_]+; Description "Length Constraints: Minimum length of 0.
        // Maximum length of 256."
        new("aws_lambda_function", "function_name", 1, 64, "[a-zA-Z0-9_-]+", "1-64 characters of a-z, A-Z, 0-9, - and _",
            "Lambda API reference, CreateFunction, FunctionName"),
        new("aws_lambda_function", "description", 0, 256, null, "at most 256 characters", "Lambda API reference, CreateFunction, Description"),
        // Lambda API reference, AddPermission: StatementId length 1-100, pattern ([a-zA-Z0-9-_]+).
        new("aws_lambda_permission", "statement_id", 1, 100, "[a-zA-Z0-9_-]+", "1-100 characters of a-z, A-Z, 0-9, - and _",
            "Lambda API reference, AddPermission, StatementId"),

        // IAM API reference, CreateRole: RoleName length 1-64, pattern [\w+=,.@-]+; Description length 0-1000.
        // PutRolePolicy: PolicyName length 1-128, pattern [\w+=,.@-]+.
        new("aws_iam_role", "name", 1, 64, @"[\w+=,.@-]+", "1-64 characters of letters, digits and +=,.@_-", "IAM API reference, CreateRole, RoleName"),
        new("aws_iam_role", "description", 0, 1000, "[\u0009\u000A\u000D\u0020-\u007E\u00A1-\u00FF]*",
            "at most 1000 characters, printable Latin-1 only", "IAM API reference, CreateRole, Description"),
        new("aws_iam_role", "inline_policy.name", 1, 128, @"[\w+=,.@-]+", "1-128 characters of letters, digits and +=,.@_-",
            "IAM API reference, PutRolePolicy, PolicyName"),
        new("aws_iam_role_policy", "name", 1, 128, @"[\w+=,.@-]+", "1-128 characters of letters, digits and +=,.@_-",
            "IAM API reference, PutRolePolicy, PolicyName"),

        // SQS API reference, CreateQueue: "A queue name can have up to 80 characters. Valid values: alphanumeric
        // characters, hyphens (-), and underscores (_). A FIFO queue name must end with the .fifo suffix."
        new("aws_sqs_queue", "name", 1, 80, @"[a-zA-Z0-9_-]+(\.fifo)?", "1-80 characters of a-z, A-Z, 0-9, - and _ (plus .fifo for a FIFO queue)",
            "SQS API reference, CreateQueue, QueueName", (v, r) => FifoSuffix(v, r, "fifo_queue", "queue")),
        // SNS API reference, CreateTopic: "Topic names must be made up of only uppercase and lowercase ASCII letters,
        // numbers, underscores, and hyphens, and must be between 1 and 256 characters long. For a FIFO topic, the name
        // must end with the .fifo suffix."
        new("aws_sns_topic", "name", 1, 256, @"[a-zA-Z0-9_-]+(\.fifo)?", "1-256 characters of a-z, A-Z, 0-9, - and _ (plus .fifo for a FIFO topic)",
            "SNS API reference, CreateTopic, Name", (v, r) => FifoSuffix(v, r, "fifo_topic", "topic")),
        // Kinesis API reference, CreateStream: StreamName length 1-128, pattern [a-zA-Z0-9_.-]+.
        new("aws_kinesis_stream", "name", 1, 128, "[a-zA-Z0-9_.-]+", "1-128 characters of a-z, A-Z, 0-9, _ . and -",
            "Kinesis API reference, CreateStream, StreamName"),
        // DynamoDB API reference, CreateTable: TableName length 3-255, pattern [a-zA-Z0-9_.-]+.
        new("aws_dynamodb_table", "name", 3, 255, "[a-zA-Z0-9_.-]+", "3-255 characters of a-z, A-Z, 0-9, _ . and -",
            "DynamoDB API reference, CreateTable, TableName"),
        // S3 User Guide, "General purpose bucket naming rules".
        new("aws_s3_bucket", "bucket", 3, 63, "[a-z0-9][a-z0-9.-]*[a-z0-9]", "3-63 characters of a-z, 0-9, . and -, starting and ending with a letter or digit",
            "S3 User Guide, General purpose bucket naming rules", (v, _) => BucketName(v)),

        // CloudWatch API reference, PutMetricAlarm: AlarmName length 1-255.
        new("aws_cloudwatch_metric_alarm", "alarm_name", 1, 255, null, "1-255 characters", "CloudWatch API reference, PutMetricAlarm, AlarmName"),
        // CloudWatch Logs API reference, CreateLogGroup: logGroupName length 1-512, pattern [\.\-_/#A-Za-z0-9]+.
        new("aws_cloudwatch_log_group", "name", 1, 512, @"[.\-_/#A-Za-z0-9]+", "1-512 characters of a-z, A-Z, 0-9, . - _ / #",
            "CloudWatch Logs API reference, CreateLogGroup, logGroupName"),
        // CloudWatch Logs API reference, PutMetricFilter: filterName length 1-512, pattern [^:*]*.
        new("aws_cloudwatch_log_metric_filter", "name", 1, 512, "[^:*]*", "1-512 characters without : or *",
            "CloudWatch Logs API reference, PutMetricFilter, filterName"),

        // EventBridge API reference, CreateEventBus: Name length 1-256, pattern [/\.\-_A-Za-z0-9]+, and "Custom event
        // bus names can't contain the / character". PutRule: Name length 1-64, pattern [\.\-_A-Za-z0-9]+.
        // PutTargets, Target: Id length 1-64, pattern [\.\-_A-Za-z0-9]+.
        new("aws_cloudwatch_event_bus", "name", 1, 256, @"[.\-_A-Za-z0-9]+", "1-256 characters of a-z, A-Z, 0-9, . - _ (no / for a custom bus)",
            "EventBridge API reference, CreateEventBus, Name"),
        new("aws_cloudwatch_event_rule", "name", 1, 64, @"[.\-_A-Za-z0-9]+", "1-64 characters of a-z, A-Z, 0-9, . - _",
            "EventBridge API reference, PutRule, Name"),
        new("aws_cloudwatch_event_target", "target_id", 1, 64, @"[.\-_A-Za-z0-9]+", "1-64 characters of a-z, A-Z, 0-9, . - _",
            "EventBridge API reference, PutTargets, Target.Id"),
        // EventBridge Pipes API reference, CreatePipe: Name length 1-64, pattern [\.\-_A-Za-z0-9]+.
        new("aws_pipes_pipe", "name", 1, 64, @"[.\-_A-Za-z0-9]+", "1-64 characters of a-z, A-Z, 0-9, . - _",
            "EventBridge Pipes API reference, CreatePipe, Name"),

        // KMS API reference, CreateAlias: AliasName length 1-256, pattern ^[a-zA-Z0-9:/_-]+$; "The alias must be
        // string of 1-256 characters. It can contain only alphanumeric characters, forward slashes (/), underscores (_),
        // and dashes (-). The alias name cannot begin with alias/aws/. The alias/aws/ prefix is reserved for AWS managed keys."
        new("aws_kms_alias", "name", 1, 256, "alias/[a-zA-Z0-9/_-]+", "'alias/' then 1-250 characters of a-z, A-Z, 0-9, / _ -",
            "KMS API reference, CreateAlias, AliasName",
            (v, _) => v.StartsWith("alias/aws/", StringComparison.Ordinal) ? "the alias/aws/ prefix is reserved for AWS managed keys" : null),

        // X-Ray API reference, SamplingRule: RuleName length 1-32.
        new("aws_xray_sampling_rule", "rule_name", 1, 32, null, "1-32 characters", "X-Ray API reference, SamplingRule, RuleName"),

        // OpenSearch Serverless API reference: CreateCollection name, CreateSecurityPolicy name, CreateAccessPolicy
        // name: length 3-32, pattern ^[a-z][a-z0-9-]+$.
        new("aws_opensearchserverless_collection", "name", 3, 32, "[a-z][a-z0-9-]+", "3-32 characters of a-z, 0-9 and -, starting with a letter",
            "OpenSearch Serverless API reference, CreateCollection, name"),
        new("aws_opensearchserverless_security_policy", "name", 3, 32, "[a-z][a-z0-9-]+", "3-32 characters of a-z, 0-9 and -, starting with a letter",
            "OpenSearch Serverless API reference, CreateSecurityPolicy, name"),
        new("aws_opensearchserverless_access_policy", "name", 3, 32, "[a-z][a-z0-9-]+", "3-32 characters of a-z, 0-9 and -, starting with a letter",
            "OpenSearch Serverless API reference, CreateAccessPolicy, name"),

        // Bedrock Agents API reference, CreateAgent: agentName pattern ^([0-9a-zA-Z][_-]?){1,100}$.
        new("aws_bedrockagent_agent", "agent_name", 1, 200, "([0-9a-zA-Z][_-]?){1,100}",
            "1-100 letters or digits, each optionally followed by one _ or -", "Bedrock Agents API reference, CreateAgent, agentName"),
    ];

    /// <summary>Lambda quotas: "Environment variables: 4 KB, for all environment variables associated with the function, in aggregate".</summary>
    private const int LambdaEnvironmentBytes = 4096;

    /// <summary>IAM and AWS STS quotas: role inline policies "10,240 characters"; "IAM doesn't count white space".</summary>
    private const int RoleInlinePolicyCharacters = 10240;

    /// <inheritdoc />
    public override string Id => "GATE-LIMIT-001";

    /// <inheritdoc />
    public override string Title => "Names and values respect AWS's documented lengths, patterns and sizes";

    /// <inheritdoc />
    public override string Source =>
        "API references: Lambda CreateFunction (FunctionName, Description), AddPermission (StatementId); Lambda quotas " +
        "(environment variables 4 KB); IAM CreateRole (RoleName, Description), PutRolePolicy (PolicyName); IAM and AWS STS quotas " +
        "(role inline policy 10,240 characters, whitespace not counted); SQS CreateQueue; SNS CreateTopic; Kinesis CreateStream; " +
        "DynamoDB CreateTable; S3 User Guide, General purpose bucket naming rules; CloudWatch PutMetricAlarm; CloudWatch Logs " +
        "CreateLogGroup, PutMetricFilter; EventBridge CreateEventBus, PutRule, PutTargets; Pipes CreatePipe; KMS CreateAlias; " +
        "X-Ray SamplingRule; OpenSearch Serverless CreateCollection, CreateSecurityPolicy, CreateAccessPolicy; Bedrock Agents CreateAgent";

    /// <inheritdoc />
    public override string Limits =>
        "Names built from expressions are known only at plan and are skipped; the two sizes (Lambda environment, inline " +
        "policies) count only the literal part, so a value close to the limit may still exceed it once references resolve.";

    /// <inheritdoc />
    public override IEnumerable<GateFinding> Check(GateStack stack)
    {
        foreach (var limit in Table)
        {
            foreach (var resource in stack.OfType(limit.Type))
            {
                foreach (var (path, node) in Gate1Support.All(resource.Body, limit.Argument))
                {
                    if (Gate1Support.LiteralString(node) is not { } value)
                    {
                        continue;
                    }

                    var problem = value.Length < limit.Min || value.Length > limit.Max
                        ? $"it has {value.Length} characters"
                        : limit.Pattern is not null && !Regex.IsMatch(value, "^(?:" + limit.Pattern + ")$", RegexOptions.CultureInvariant)
                            ? "it has characters or a shape the pattern does not allow"
                            : limit.Extra?.Invoke(value, resource);
                    if (problem is not null)
                    {
                        yield return Finding(resource,
                            $"{path} '{value}' breaks the AWS limit ({limit.Rule}; {limit.Source}): {problem}, so the API call fails " +
                            "at apply. Fix: shorten or rename it within the limit.");
                    }
                }
            }
        }

        foreach (var function in stack.OfType("aws_lambda_function"))
        {
            if (EnvironmentProblem(function) is { } problem)
            {
                yield return Finding(function, problem);
            }
        }

        foreach (var resource in stack.OfType("aws_iam_role_policy").Concat(stack.OfType("aws_iam_role")))
        {
            var documents = resource.Type == "aws_iam_role_policy"
                ? Gate1Support.All(resource.Body, "policy")
                : Gate1Support.All(resource.Body, "inline_policy.policy");
            foreach (var (path, node) in documents)
            {
                if (node is not JsonValue v || !v.TryGetValue<string>(out var text))
                {
                    continue;
                }

                var literal = Gate1Support.LiteralPart(text);
                var counted = literal.Count(c => !char.IsWhiteSpace(c));
                if (counted > RoleInlinePolicyCharacters)
                {
                    var note = literal.Length != text.Length ? " (not counting the ARNs its references resolve to)" : "";
                    yield return Finding(resource,
                        $"{path} has {counted} characters without whitespace{note}, over IAM's {RoleInlinePolicyCharacters}-character limit " +
                        "for a role's inline policies (IAM and AWS STS quotas), so PutRolePolicy fails at apply. Fix: split it across " +
                        "several inline policies or a managed policy, or merge statements.");
                }
            }
        }
    }

    private static string? EnvironmentProblem(StackResource function)
    {
        if (Gate1Support.All(function.Body, "environment.variables").FirstOrDefault().Value is not JsonObject variables)
        {
            return null;
        }

        var bytes = 0;
        var expressions = 0;
        foreach (var (key, value) in variables)
        {
            var text = value is JsonValue v ? (v.TryGetValue<string>(out var s) ? s : v.ToJsonString()) : value?.ToJsonString() ?? "";
            if (Gate1Support.IsExpression(text))
            {
                expressions++;
                text = Gate1Support.LiteralPart(text);
            }

            bytes += Encoding.UTF8.GetByteCount(key) + Encoding.UTF8.GetByteCount(text);
        }

        if (bytes <= LambdaEnvironmentBytes)
        {
            return null;
        }

        var note = expressions > 0 ? $" (not counting what {expressions} expression(s) resolve to)" : "";
        return $"environment.variables total {bytes} bytes of keys and values{note}, over Lambda's 4 KB limit for all of a " +
            "function's environment variables (Lambda quotas), so CreateFunction/UpdateFunctionConfiguration fails at apply. " +
            "Fix: move large values to SSM Parameter Store, S3 or the deployment package and read them at start-up.";
    }

    private static string? FifoSuffix(string name, StackResource resource, string flag, string what)
    {
        var fifo = resource.Body[flag] is JsonValue f && (f.TryGetValue<bool>(out var b) ? b : f.TryGetValue<string>(out var s) && s == "true");
        var suffixed = name.EndsWith(".fifo", StringComparison.Ordinal);
        return (fifo, suffixed) switch
        {
            (true, false) => $"a FIFO {what}'s name must end with .fifo",
            (false, true) => $"only a FIFO {what}'s name may end with .fifo, and {flag} is not true",
            _ => null,
        };
    }

    private static string? BucketName(string name)
    {
        if (name.Contains("..", StringComparison.Ordinal) || name.Contains(".-", StringComparison.Ordinal) || name.Contains("-.", StringComparison.Ordinal))
        {
            return "it has two adjacent periods or a period next to a hyphen";
        }

        if (Regex.IsMatch(name, @"^\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}$"))
        {
            return "it is formatted as an IP address";
        }

        foreach (var prefix in new[] { "xn--", "sthree-", "amzn-s3-demo-" })
        {
            if (name.StartsWith(prefix, StringComparison.Ordinal))
            {
                return $"the prefix {prefix} is reserved";
            }
        }

        foreach (var suffix in new[] { "-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3" })
        {
            if (name.EndsWith(suffix, StringComparison.Ordinal))
            {
                return $"the suffix {suffix} is reserved";
            }
        }

        return null;
    }
}
