using System.Reflection;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using FraudTf.Functions.Shared.Tables;
using FraudTf.Tests.Support;

namespace FraudTf.Tests.Security;

/// <summary>
/// Least privilege from the code (issue 13): every function role of the synthesized stacks allows exactly the AWS calls
/// its code makes (<c>"//".sdk_calls</c>, read from its assemblies at synth) plus what Lambda itself does with the
/// execution role for that function, each with its reason below; and allows every call the code makes (a missing one
/// is AccessDenied at run time). Attribute-level conditions are checked against what the code writes.
/// </summary>
public sealed class LeastPrivilegeTests
{

    private static JsonObject Stack(string env) => Synth.Shared.Stack($"fraud-detection-{env}");

    /// <summary>One function of a stack with its role's statements and what the stack says about its invocation.</summary>
    private sealed record FunctionUnderTest(string Name, JsonObject Function, IReadOnlyList<JsonNode> Statements, IReadOnlyList<JsonObject> KinesisMappings)
    {
        public IReadOnlyList<string> SdkCalls => Function["//"]?["sdk_calls"] is JsonArray a ? a.Select(v => v!.GetValue<string>()).ToList() : [];
    }

    private static IEnumerable<FunctionUnderTest> Functions(JsonObject stack)
    {
        foreach (var (id, f) in stack.Resources("aws_lambda_function"))
        {
            var role = Regex.Match(f["role"]!.GetValue<string>(), @"aws_iam_role\.([\w-]+)\.").Groups[1].Value;
            var policies = stack.Resources("aws_iam_role_policy").Values.Where(p => p["role"]!.GetValue<string>().StartsWith($"${{aws_iam_role.{role}.", StringComparison.Ordinal)).ToList();
            Assert.That(policies, Has.Count.EqualTo(1), $"{id}: one inline policy per function role");
            var statements = JsonNode.Parse(policies[0]["policy"]!.GetValue<string>())!["Statement"]!.AsArray().Select(s => s!).ToList();
            var mappings = stack.Resources("aws_lambda_event_source_mapping").Values
                .Where(m => m["function_name"]!.GetValue<string>().StartsWith($"${{aws_lambda_function.{id}.", StringComparison.Ordinal))
                .Where(m => m["event_source_arn"]!.GetValue<string>().StartsWith("${aws_kinesis_stream.", StringComparison.Ordinal))
                .ToList();
            yield return new FunctionUnderTest(f["function_name"]!.GetValue<string>(), f, statements, mappings);
        }
    }

    private static IEnumerable<string> Values(JsonNode? node) => node switch
    {
        null => [],
        JsonArray a => a.Select(v => v!.GetValue<string>()),
        _ => [node.GetValue<string>()],
    };

    private static IEnumerable<string> Actions(IEnumerable<JsonNode> statements) =>
        statements.Where(s => s["Effect"]!.GetValue<string>() == "Allow").SelectMany(s => Values(s["Action"]));

    /// <summary>
    /// The non-KMS actions Lambda needs of the execution role for <paramref name="f"/>, each with its reason (Lambda developer
    /// guide, "Lambda execution role" and the pages named), derived from the function's own settings in the stack.
    /// </summary>
    private static Dictionary<string, string> PlatformActions(FunctionUnderTest f)
    {
        var extra = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["logs:CreateLogStream"] = "Lambda writes the function's logs into its log group with the execution role",
            ["logs:PutLogEvents"] = "Lambda writes the function's logs into its log group with the execution role",
        };
        if (f.Function["tracing_config"]?["mode"]?.GetValue<string>() == "Active")
        {
            foreach (var a in new[] { "xray:PutTraceSegments", "xray:PutTelemetryRecords", "xray:GetSamplingRules", "xray:GetSamplingTargets" })
            {
                extra[a] = "active tracing: Lambda and the X-Ray SDK send segments with the execution role";
            }
        }

        if (f.KinesisMappings.Count > 0)
        {
            foreach (var a in new[] { "kinesis:DescribeStream", "kinesis:DescribeStreamSummary", "kinesis:GetRecords", "kinesis:GetShardIterator", "kinesis:ListShards", "kinesis:SubscribeToShard" })
            {
                extra[a] = "a Kinesis event source mapping reads the stream with the execution role";
            }
        }

        if (f.Function["dead_letter_config"] is not null || f.KinesisMappings.Any(m => OnFailure(m) is { } d && d.StartsWith("${aws_sqs_queue.", StringComparison.Ordinal)))
        {
            extra["sqs:SendMessage"] = "Lambda sends to the dead-letter queue / on-failure destination with the execution role";
        }

        if (f.KinesisMappings.Any(m => OnFailure(m) is { } d && d.StartsWith("${aws_s3_bucket.", StringComparison.Ordinal)))
        {
            // Lambda developer guide, "Retain discarded batch records for a Kinesis Data Streams event source".
            extra["s3:PutObject"] = "Lambda writes the discarded batch's invocation record to the S3 on-failure destination with the execution role";
            extra["s3:ListBucket"] = "Lambda lists the S3 on-failure destination with the execution role";
        }

        return extra;
    }

    private static string? OnFailure(JsonNode mapping) => mapping["destination_config"]?["on_failure"]?["destination_arn"]?.GetValue<string>();

    [TestCaseSource(typeof(TestEnvironments), nameof(TestEnvironments.All))]
    public void EveryFunction_HasSdkCallsReadFromItsCode(string env)
    {
        var functions = Functions(Stack(env)).ToList();

        Assert.That(functions, Has.Count.EqualTo(5));
        foreach (var f in functions)
        {
            Assert.That(f.Function["//"]?["sdk_calls"], Is.Not.Null, $"{f.Name}: no \"//\".sdk_calls");
            Assert.That(f.SdkCalls, Is.Not.Empty.And.Ordered.Using((IComparer<string>)StringComparer.Ordinal), f.Name);
            Assert.That(f.SdkCalls, Has.All.Match("^[a-z0-9-]+:[A-Za-z0-9]+$"), $"{f.Name}: explicit actions only");
        }
    }

    [TestCaseSource(typeof(TestEnvironments), nameof(TestEnvironments.All))]
    public void EveryFunctionRole_AllowsExactlyItsCodeCallsPlusWhatLambdaNeeds(string env)
    {
        foreach (var f in Functions(Stack(env)))
        {
            var platform = PlatformActions(f);
            var expected = f.SdkCalls.Concat(platform.Keys).ToHashSet(StringComparer.Ordinal);
            var allowed = Actions(f.Statements).Where(a => !a.StartsWith("kms:", StringComparison.Ordinal)).ToHashSet(StringComparer.Ordinal);

            Assert.That(allowed.Except(expected).Order(StringComparer.Ordinal), Is.Empty,
                $"{f.Name}: allowed but neither called by the code (sdk_calls: {string.Join(", ", f.SdkCalls)}) nor needed by Lambda");
            Assert.That(expected.Except(allowed).Order(StringComparer.Ordinal), Is.Empty,
                $"{f.Name}: needed but not allowed (reasons: {string.Join("; ", platform.Select(p => $"{p.Key}: {p.Value}"))})");
        }
    }

    [TestCaseSource(typeof(TestEnvironments), nameof(TestEnvironments.All))]
    public void EveryFunctionRole_UsesKeysOnlyForItsEnvironmentOrThroughAServiceItReaches(string env)
    {
        foreach (var f in Functions(Stack(env)))
        {
            var services = f.SdkCalls.Select(a => a[..a.IndexOf(':')]).ToHashSet(StringComparer.Ordinal);
            if (f.KinesisMappings.Count > 0)
            {
                services.Add("kinesis");
            }

            if (f.Function["dead_letter_config"] is not null || f.KinesisMappings.Any(m => OnFailure(m) is { } d && d.StartsWith("${aws_sqs_queue.", StringComparison.Ordinal)))
            {
                services.Add("sqs");
            }

            if (f.KinesisMappings.Any(m => OnFailure(m) is { } d && d.StartsWith("${aws_s3_bucket.", StringComparison.Ordinal)))
            {
                services.Add("s3");
            }

            foreach (var s in f.Statements.Where(s => Values(s["Action"]).Any(a => a.StartsWith("kms:", StringComparison.Ordinal))))
            {
                var sid = s["Sid"]!.GetValue<string>();
                Assert.That(Values(s["Action"]), Has.All.StartWith("kms:"), $"{f.Name} {sid}: KMS statements hold KMS actions only");
                var conditions = s["Condition"]?["StringEquals"]?.AsObject();
                if (conditions?["kms:EncryptionContext:aws:lambda:FunctionArn"] is { } arn)
                {
                    // Lambda decrypts the environment variables with the execution role (research facts item 4).
                    Assert.That(Values(s["Action"]), Is.EqualTo(new[] { "kms:Decrypt" }), $"{f.Name} {sid}");
                    Assert.That(Values(s["Resource"]).Single(), Is.EqualTo(f.Function["kms_key_arn"]!.GetValue<string>()), $"{f.Name} {sid}: the environment key");
                    Assert.That(arn.GetValue<string>(), Does.EndWith($":function:{f.Name}"), $"{f.Name} {sid}: the unqualified function ARN");
                    continue;
                }

                var via = conditions?["kms:ViaService"]?.GetValue<string>();
                Assert.That(via, Is.Not.Null, $"{f.Name} {sid}: a key is used only through a service (kms:ViaService)");
                Assert.That(services, Does.Contain(via![..via.IndexOf('.')]), $"{f.Name} {sid}: through {via}, which the function never reaches");
            }
        }
    }

    [TestCaseSource(typeof(TestEnvironments), nameof(TestEnvironments.All))]
    public void EverySdkCall_IsAllowed(string env)
    {
        foreach (var f in Functions(Stack(env)))
        {
            var allows = f.Statements.Where(s => s["Effect"]!.GetValue<string>() == "Allow").ToList();
            foreach (var call in f.SdkCalls)
            {
                Assert.That(allows.Any(s => Values(s["Action"]).Contains(call)), Is.True, $"{f.Name} calls {call} but its role doesn't allow it: AccessDenied at run time");
            }
        }
    }

    [TestCaseSource(typeof(TestEnvironments), nameof(TestEnvironments.All))]
    public void OnlyTheAlertHandler_HasADeadLetterQueue_TheOthersRecordWhy(string env)
    {
        foreach (var f in Functions(Stack(env)))
        {
            if (f.Name.StartsWith("fraud-detection-alert-handler-", StringComparison.Ordinal))
            {
                Assert.That(f.Function["dead_letter_config"], Is.Not.Null, "the EventBridge rule invokes it asynchronously");
                continue;
            }

            Assert.That(f.Function["dead_letter_config"], Is.Null, $"{f.Name} is invoked only synchronously");
            Assert.That(f.Function["//"]!["policy_exceptions"]!["FTF-LAM-002"]!.GetValue<string>(), Does.StartWith("Invoked only synchronously by "), f.Name);
        }
    }

    [TestCaseSource(typeof(TestEnvironments), nameof(TestEnvironments.All))]
    public void OnlyTheStreamProcessor_CanWriteADecisionRowWithTheScorersAttributes(string env)
    {
        // The decisions pipe turns AUTOMATED rows into FraudDetected alerts. Every other role writing the decisions table
        // is limited to attributes without the scorer's (score, confidence, rulesVersion, reasons): a filter requiring
        // rulesVersion then matches only the stream processor's rows.
        var stack = Stack(env);
        var decisions = $"${{{stack.Address("aws_dynamodb_table", "/storage/decisions-table/this")}.arn}}";
        var writers = new List<string>();
        foreach (var (id, p) in stack.Resources("aws_iam_role_policy"))
        {
            foreach (var s in JsonNode.Parse(p["policy"]!.GetValue<string>())!["Statement"]!.AsArray().Select(s => s!))
            {
                var writes = Values(s["Action"]).Any(a => a is "dynamodb:PutItem" or "dynamodb:UpdateItem" or "dynamodb:BatchWriteItem" or "dynamodb:DeleteItem");
                if (s["Effect"]!.GetValue<string>() != "Allow" || !writes || !Values(s["Resource"]).Contains(decisions))
                {
                    continue;
                }

                var attributes = Values(s["Condition"]?["ForAllValues:StringEquals"]?["dynamodb:Attributes"]).ToList();
                if (attributes.Count == 0)
                {
                    writers.Add(p["role"]!.GetValue<string>());
                }
                else
                {
                    Assert.That(attributes, Has.None.AnyOf("score", "confidence", "rulesVersion", "reasons"), $"{id} {s["Sid"]}");
                }
            }
        }

        Assert.That(writers, Is.EqualTo(new[] { $"${{{stack.Address("aws_iam_role", "/stream-processor/role/this")}.id}}" }));
    }

    [Test]
    public void AlertHandlerProfileUpdate_NamesOnlyTheAttributesItsGrantAllows()
    {
        var source = File.ReadAllText(Path.Combine(Repo.Root, "functions", "AlertHandler", "Function.cs"));
        var expression = Regex.Match(source, @"UpdateExpression = ""([^""]+)""").Groups[1].Value;
        var written = ExpressionAttributes(expression);

        var allowed = Condition("/alert-handler/role/policy", "UserProfilesTableWrite");

        Assert.That(written, Is.Not.Empty, "the update expression was found");
        Assert.That(written.Append(ProfileAttributes.UserId), Is.SubsetOf(allowed), $"UpdateExpression '{expression}'");
    }

    [Test]
    public void StreamProcessorProfileUpdates_NameOnlyTheAttributesItsGrantAllows()
    {
        // The two updates the stream processor makes (functions/Storage ProfileRows: learn an APPROVE, bump otherwise),
        // built by that code with every learnt attribute set, against the synthesized grant's dynamodb:Attributes.
        var full = new FraudTf.Functions.Shared.Scoring.UserProfile().Learn(DateTimeOffset.UnixEpoch, "DE", "5411", "d-1", "web", 50);
        var stored = new FraudTf.Functions.Storage.ProfileState(full, 3, new Amazon.DynamoDBv2.Model.AttributeValue { N = "3" }, []);
        var updates = new[]
        {
            FraudTf.Functions.Storage.ProfileRows.Learn("profiles", "u-1", stored, full),
            FraudTf.Functions.Storage.ProfileRows.Learn("profiles", "u-1", FraudTf.Functions.Storage.ProfileState.New, full),
            FraudTf.Functions.Storage.ProfileRows.Bump("profiles", "u-1", stored),
        };
        var written = updates.SelectMany(u => ExpressionAttributes(u.UpdateExpression).Concat(ExpressionAttributes(u.ConditionExpression))).Distinct().ToList();

        var allowed = Condition("/stream-processor/role/policy", "UserProfilesTableWrite");

        Assert.That(written, Is.EquivalentTo(ProfileAttributes.Learned), "every learnt attribute, and nothing else");
        Assert.That(written.Append(ProfileAttributes.UserId), Is.SubsetOf(allowed));
    }

    [Test]
    public void AgentToolsDecisionRow_NamesOnlyTheAttributesItsGrantAllows()
    {
        var source = File.ReadAllText(Path.Combine(Repo.Root, "functions", "AgentTools", "AnalystToolHandlers.cs"));
        var method = source[source.IndexOf("Task<ToolResult> RecordAnalystDecision", StringComparison.Ordinal)..];
        method = method[..method.IndexOf("private async Task<Dictionary<string, AttributeValue>?> LoadTransaction", StringComparison.Ordinal)];
        var written = Regex.Matches(method, @"\[(?:""(\w+)""|(\w+Attributes)\.(\w+))\] = new")
            .Select(m => m.Groups[1].Success ? m.Groups[1].Value : Constant(m.Groups[2].Value, m.Groups[3].Value))
            .Distinct().ToList();

        var allowed = Condition("/analyst/agent-tools/role/policy", "DecisionsTableWrite");

        Assert.That(written, Does.Contain("decision").And.Contain("reason").And.Contain(DecisionAttributes.DecisionKey), "the item's attributes were found");
        Assert.That(written, Is.SubsetOf(allowed));
    }

    private static List<string> Condition(string policyPath, string sid)
    {
        var policy = JsonNode.Parse(Stack("dev").Resource("aws_iam_role_policy", policyPath)["policy"]!.GetValue<string>())!;
        var statement = policy["Statement"]!.AsArray().Single(s => s!["Sid"]!.GetValue<string>() == sid)!;
        return Values(statement["Condition"]!["ForAllValues:StringEquals"]!["dynamodb:Attributes"]).ToList();
    }

    // Attribute names of an update or condition expression written with literal names (no #placeholders): the words
    // that are neither keywords, functions nor :values.
    private static List<string> ExpressionAttributes(string expression) =>
        Regex.Matches(expression, @"(?<![:#\w])([A-Za-z_]\w*)\b(?!\s*\()")
            .Select(m => m.Value)
            .Where(w => w is not ("SET" or "ADD" or "REMOVE" or "DELETE" or "AND" or "OR" or "NOT" or "BETWEEN" or "IN"))
            .Distinct().ToList();

    private static string Constant(string type, string name) =>
        (string)typeof(DecisionAttributes).Assembly.GetType($"FraudTf.Functions.Shared.Tables.{type}")!
            .GetField(name, BindingFlags.Public | BindingFlags.Static)!.GetValue(null)!;
}
