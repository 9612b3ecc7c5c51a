// Alike on purpose: every gate rule has GateRule's shape (id, scanner ids, rationale, a check over the stack index
// that returns findings with their fix); the likeness is the template, each rule's check is its own.
namespace FraudTf.Promotion.Validation.Gate.Rules;

/// <summary>
/// GATE-IAM-002: a function's execution role allows exactly what its code calls and what Lambda does with the role.
/// The app writes the IAM actions of the AWS calls a function's code makes on the function (<c>"//".sdk_calls</c>, read
/// from its assemblies at synth). For every <c>aws_lambda_function</c>: each action the role's policies allow must be one
/// of those calls or a platform action the function's own settings in the stack explain (logs; X-Ray with active
/// tracing; reading the source of an event source mapping; sending to a dead-letter queue or a destination, S3 buckets
/// included (<c>s3:PutObject</c>, <c>s3:ListBucket</c> and the bucket key's <c>kms:GenerateDataKey</c> through S3); decrypting
/// its environment with <c>kms_key_arn</c>; other KMS use only through a service the function reaches), and every call
/// must be allowed (else AccessDenied at run time). A function without <c>sdk_calls</c> is a finding: its role can't be checked.
/// </summary>
public sealed class CodeActionsRule : GateRule
{
    /// <inheritdoc />
    public override string Id => "GATE-IAM-002";

    /// <inheritdoc />
    public override string Title => "Function roles allow exactly the AWS calls of their code plus what Lambda needs";

    /// <inheritdoc />
    public override string Source =>
        "Lambda developer guide, \"Defining Lambda function permissions with an execution role\" (logs, X-Ray, event source mappings, " +
        "dead-letter queues and destinations use the execution role); \"Retain discarded batch records for a Kinesis Data Streams event source\" " +
        "(an S3 on-failure destination needs s3:PutObject, s3:ListBucket and, with SSE-KMS, kms:GenerateDataKey); \"Lambda environment variables\" (the function's key); " +
        "Service Authorization Reference (actions); AWS KMS developer guide, \"kms:ViaService\".";

    /// <inheritdoc />
    public override string Limits =>
        "Which resources a call reaches is not checked (the code reads table and bucket names from its environment); a call in " +
        "code that never runs still counts; managed policies from outside the stack can't be read.";

    private static readonly string[] LogsActions = ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"];

    private static readonly string[] XRayActions = ["xray:GetSamplingRules", "xray:GetSamplingTargets", "xray:PutTelemetryRecords", "xray:PutTraceSegments"];

    private static readonly string[] KinesisSourceActions =
        ["kinesis:DescribeStream", "kinesis:DescribeStreamSummary", "kinesis:GetRecords", "kinesis:GetShardIterator", "kinesis:ListShards", "kinesis:ListStreams", "kinesis:SubscribeToShard"];

    // Lambda developer guide, "Giving Lambda functions access to resources in an Amazon VPC", "Required IAM permissions"
    // (the actions of the managed policy AWSLambdaVPCAccessExecutionRole without its logs actions).
    private static readonly string[] VpcNetworkInterfaceActions =
    [
        "ec2:AssignPrivateIpAddresses", "ec2:CreateNetworkInterface", "ec2:DeleteNetworkInterface", "ec2:DescribeNetworkInterfaces",
        "ec2:DescribeSubnets", "ec2:UnassignPrivateIpAddresses",
    ];

    private static readonly string[] DynamoDbStreamSourceActions = ["dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator", "dynamodb:ListStreams"];

    private static readonly string[] SqsSourceActions = ["sqs:ChangeMessageVisibility", "sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:ReceiveMessage"];

    // KMS actions a service may make with the caller's permission when it encrypts or decrypts data for it.
    private static readonly string[] KmsDataActions =
        ["kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey", "kms:GenerateDataKeyWithoutPlaintext", "kms:ReEncryptFrom", "kms:ReEncryptTo"];

    /// <inheritdoc />
    public override IEnumerable<GateFinding> Check(GateStack stack)
    {
        foreach (var function in stack.OfType("aws_lambda_function"))
        {
            foreach (var finding in CheckFunction(stack, function))
            {
                yield return finding;
            }
        }
    }

    private IEnumerable<GateFinding> CheckFunction(GateStack stack, StackResource function)
    {
        var name = function.String("function_name") ?? function.Name;
        if (function.Metadata("sdk_calls") is not JsonArray callsNode)
        {
            yield return Finding(function, $"{name} has no \"//\".sdk_calls, so its role can't be checked against the AWS calls of its code. " +
                "Fix: build the function with DotnetFunction (it reads the calls from the assemblies), or record the calls with AddOverride(\"//.sdk_calls\", [...]).");
            yield break;
        }

        var calls = GateStack.Strings(callsNode).ToList();
        var role = stack.Referenced(function.Body["role"]) is { Type: "aws_iam_role" } r ? r : null;
        if (role is null)
        {
            yield return Finding(function, $"{name}: its role ({function.String("role")}) is not an aws_iam_role of this stack, so its permissions can't be checked. Fix: create the role in the stack.");
            yield break;
        }

        var (statements, problems) = RoleStatements(stack, role);
        foreach (var p in problems)
        {
            yield return Finding(function, $"{name}: {p}");
        }

        var platform = PlatformActions(stack, function);
        // Services that handle data for the function: those its code calls and those Lambda reads or sends to for it
        // (not logs and X-Ray: CloudWatch Logs encrypts with its own grant from the key policy).
        var reached = calls.Concat(platform.Keys).Select(Service).Where(s => s is not ("logs" or "xray")).ToHashSet(StringComparer.Ordinal);
        var kmsKey = function.String("kms_key_arn");
        var allows = statements.Where(s => s.Statement.IsAllow).ToList();
        foreach (var (policy, s) in allows)
        {
            var where = $"{policy.Address} {(s.Sid is null ? "" : $"statement {s.Sid} ")}";
            if (s.NotActions.Count > 0)
            {
                yield return Finding(function, $"{name}: {where}allows NotAction {string.Join(", ", s.NotActions)}: everything else. Fix: list the actions the code calls.");
            }

            foreach (var action in s.Actions)
            {
                if (action.Contains('*', StringComparison.Ordinal) || action.Contains('?', StringComparison.Ordinal))
                {
                    yield return Finding(function, $"{name}: {where}allows the wildcard {action}. Fix: list the actions the code calls ({string.Join(", ", calls)}).");
                    continue;
                }

                if (calls.Contains(action, StringComparer.OrdinalIgnoreCase) || platform.ContainsKey(action))
                {
                    continue;
                }

                if (action.StartsWith("kms:", StringComparison.OrdinalIgnoreCase))
                {
                    if (KmsAllowed(s, action, reached, kmsKey) is { } problem)
                    {
                        yield return Finding(function, $"{name}: {where}allows {action} {problem}");
                    }

                    continue;
                }

                yield return Finding(function, $"{name}: {where}allows {action}, which its code never calls (sdk_calls: {string.Join(", ", calls)}) " +
                    "and Lambda does not need for this function. Fix: remove it from the grant (grant only what the code calls).");
            }
        }

        foreach (var call in calls.Where(c => !allows.Any(a => a.Statement.Covers(c))))
        {
            yield return Finding(function, $"{name}'s code calls {call}, but its role does not allow it: the call fails with AccessDenied at run time. Fix: grant {call} on the resources it reaches.");
        }
    }

    // A KMS action that is not a call of the code: the environment key's Decrypt, or data-key use through a reached service.
    private static string? KmsAllowed(GateStatement s, string action, HashSet<string> reached, string? kmsKey)
    {
        if (kmsKey is not null && action.Equals("kms:Decrypt", StringComparison.OrdinalIgnoreCase) && s.Resources.Count > 0 && s.Resources.All(r => r == kmsKey))
        {
            return null; // Lambda decrypts the environment variables with the execution role.
        }

        var via = s.ConditionValues("StringEquals", "kms:ViaService").Concat(s.ConditionValues("StringLike", "kms:ViaService")).ToList();
        if (via.Count == 0)
        {
            return "without a kms:ViaService condition, and the code calls KMS for nothing. Fix: condition it on the service that uses the key (kms:ViaService), " +
                "or, for the environment variables, allow only kms:Decrypt on the function's kms_key_arn.";
        }

        var outside = via.Where(v => !reached.Contains(v.Split('.')[0])).ToList();
        if (outside.Count > 0)
        {
            return $"through {string.Join(", ", outside)}, a service the function never calls. Fix: remove the grant, or condition it on a service the code reaches.";
        }

        return KmsDataActions.Contains(action, StringComparer.OrdinalIgnoreCase)
            ? null
            : $"through {string.Join(", ", via)}, but a service needs only {string.Join(", ", KmsDataActions)} to encrypt and decrypt data. Fix: remove it.";
    }

    // The statements of every policy attached to the role in the stack, and what can't be read.
    private static (List<(StackResource Policy, GateStatement Statement)>, List<string>) RoleStatements(GateStack stack, StackResource role)
    {
        var list = new List<(StackResource, GateStatement)>();
        var problems = new List<string>();
        void AddDocument(StackResource owner, JsonNode? document)
        {
            if (GateStack.Statements(document) is { } statements)
            {
                list.AddRange(statements.Select(s => (owner, s)));
            }
            else
            {
                problems.Add($"the policy of {owner.Address} is not a literal JSON policy document, so it can't be checked. Fix: render it in the stack (PolicyDocument).");
            }
        }

        foreach (var p in stack.OfType("aws_iam_role_policy").Where(p => IsRole(role, p.Body["role"])))
        {
            AddDocument(p, p.Body["policy"]);
        }

        if (role.Body["inline_policy"] is JsonArray inline)
        {
            foreach (var block in inline.OfType<JsonObject>().Where(b => b["policy"] is not null))
            {
                AddDocument(role, block["policy"]);
            }
        }

        foreach (var attachment in stack.OfType("aws_iam_role_policy_attachment").Where(a => IsRole(role, a.Body["role"])))
        {
            if (stack.Referenced(attachment.Body["policy_arn"]) is { Type: "aws_iam_policy" } managed)
            {
                AddDocument(managed, managed.Body["policy"]);
            }
            else
            {
                problems.Add($"{attachment.Address} attaches {attachment.String("policy_arn")}, a policy outside the stack whose actions can't be checked. Fix: grant inline what the code calls.");
            }
        }

        foreach (var arn in GateStack.Strings(role.Body["managed_policy_arns"]))
        {
            problems.Add($"{role.Address} attaches managed policy {arn}, whose actions can't be checked. Fix: grant inline what the code calls.");
        }

        return (list, problems);
    }

    private static bool IsRole(StackResource role, JsonNode? value) =>
        role.IsReferencedBy(value) || (value is JsonValue v && v.TryGetValue<string>(out var s) && s == role.String("name"));

    /// <summary>The actions Lambda makes with the execution role for <paramref name="function"/>, with their reason, from its settings in the stack.</summary>
    public static IReadOnlyDictionary<string, string> PlatformActions(GateStack stack, StackResource function)
    {
        var result = new SortedDictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        void Add(IEnumerable<string> actions, string reason)
        {
            foreach (var a in actions)
            {
                result.TryAdd(a, reason);
            }
        }

        Add(LogsActions, "Lambda writes the function's logs with its execution role");
        if (function.At("tracing_config.mode")?.ToString() == "Active")
        {
            Add(XRayActions, "active tracing sends trace segments with the execution role");
        }

        if (function.At("vpc_config.subnet_ids") is not null)
        {
            Add(VpcNetworkInterfaceActions, "Lambda creates, describes and deletes the function's network interfaces in its VPC subnets with the execution role");
        }

        if (function.At("dead_letter_config.target_arn") is { } dlq)
        {
            Add(SendActions(stack, dlq), "Lambda sends failed asynchronous events to the dead-letter queue with the execution role");
        }

        foreach (var config in stack.OfType("aws_lambda_function_event_invoke_config").Where(c => Targets(stack, c.Body["function_name"], function)))
        {
            foreach (var path in new[] { "destination_config.on_failure.destination", "destination_config.on_success.destination" })
            {
                if (config.At(path) is { } destination)
                {
                    Add(SendActions(stack, destination), "Lambda sends asynchronous invocation records to the destination with the execution role");
                }
            }
        }

        foreach (var mapping in stack.OfType("aws_lambda_event_source_mapping").Where(m => Targets(stack, m.Body["function_name"], function)))
        {
            var source = mapping.Body["event_source_arn"];
            switch (KindOf(stack, source))
            {
                case "kinesis":
                    Add(KinesisSourceActions, "its event source mapping reads the Kinesis stream with the execution role");
                    break;
                case "dynamodb":
                    Add(DynamoDbStreamSourceActions, "its event source mapping reads the DynamoDB stream with the execution role");
                    break;
                case "sqs":
                    Add(SqsSourceActions, "its event source mapping polls the queue with the execution role");
                    break;
            }

            if (mapping.At("destination_config.on_failure.destination_arn") is { } onFailure)
            {
                Add(SendActions(stack, onFailure), "its event source mapping sends failed records to the on-failure destination with the execution role");
            }
        }

        return result;
    }

    private static bool Targets(GateStack stack, JsonNode? functionName, StackResource function) =>
        function.IsReferencedBy(functionName) ||
        (functionName is JsonValue v && v.TryGetValue<string>(out var s) && (s == function.String("function_name") || s.EndsWith($":function:{function.String("function_name")}", StringComparison.Ordinal)));

    private static IEnumerable<string> SendActions(GateStack stack, JsonNode target) => KindOf(stack, target) switch
    {
        "sqs" => ["sqs:GetQueueAttributes", "sqs:SendMessage"],
        "sns" => ["sns:Publish"],
        "lambda" => ["lambda:InvokeFunction"],
        "events" => ["events:PutEvents"],
        // An S3 destination: Lambda puts the invocation record and lists the bucket with the execution role (Lambda developer
        // guide, "Retain discarded batch records for a Kinesis Data Streams event source"); with SSE-KMS it needs
        // kms:GenerateDataKey, which the KMS check allows through S3 once S3 is a service Lambda reaches for the function.
        "s3" => ["s3:ListBucket", "s3:PutObject"],
        _ => [],
    };

    // The service of an ARN value: from the resource it references, or from the literal ARN.
    private static string? KindOf(GateStack stack, JsonNode? value)
    {
        var referenced = stack.Referenced(value)?.Type;
        return referenced switch
        {
            "aws_sqs_queue" => "sqs",
            "aws_sns_topic" => "sns",
            "aws_kinesis_stream" => "kinesis",
            "aws_dynamodb_table" => "dynamodb",
            "aws_lambda_function" => "lambda",
            "aws_cloudwatch_event_bus" => "events",
            "aws_s3_bucket" => "s3",
            _ => value is JsonValue v && v.TryGetValue<string>(out var s) && s.Split(':') is { Length: > 2 } parts && parts[0] == "arn" ? parts[2] : null,
        };
    }

    private static string Service(string action) => action.Split(':')[0].ToLowerInvariant();
}
