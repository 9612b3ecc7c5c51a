using System.Text.Json;
using System.Text.Json.Nodes;
using FraudTf.Promotion.Tests.Support;
using FraudTf.Promotion.Validation.Gate;
using FraudTf.Promotion.Validation.Gate.Rules;

namespace FraudTf.Promotion.Tests.Validation.Gate;

/// <summary>
/// GATE-IAM-002 (<see cref="CodeActionsRule"/>): a function role allows exactly its code's <c>sdk_calls</c> plus what
/// Lambda needs for that function. One passing fixture, one failing fixture per kind of finding, and the real stacks.
/// </summary>
public sealed class GateLpTests
{
    private const string Fn = "aws_lambda_function.fn";

    private static readonly GateRule Rule = DeployGate.Rule("GATE-IAM-002")!;

    // A function reading one table, traced, with an encrypted environment and an SQS dead-letter queue; its role allows
    // exactly that. Each test breaks one thing.
    private static JsonObject Passing() => JsonNode.Parse("""
        {
          "resource": {
            "aws_lambda_function": {
              "fn": {
                "function_name": "f", "role": "${aws_iam_role.role.arn}",
                "tracing_config": { "mode": "Active" },
                "kms_key_arn": "${aws_kms_key.data.arn}",
                "dead_letter_config": { "target_arn": "${aws_sqs_queue.dlq.arn}" },
                "//": { "sdk_calls": ["dynamodb:GetItem"] }
              }
            },
            "aws_iam_role": { "role": { "name": "f" } },
            "aws_sqs_queue": { "dlq": { "name": "dlq" } },
            "aws_kinesis_stream": { "stream": { "name": "s" } },
            "aws_kms_key": { "data": {} },
            "aws_iam_role_policy": {
              "policy": { "role": "${aws_iam_role.role.id}", "policy": "" }
            }
          }
        }
        """)!.AsObject();

    private static readonly JsonArray PassingStatements = JsonNode.Parse("""
        [
          { "Sid": "Logs", "Effect": "Allow", "Action": ["logs:CreateLogStream", "logs:PutLogEvents"], "Resource": "arn:aws:logs:us-east-1:1:log-group:/aws/lambda/f:*" },
          { "Sid": "Traces", "Effect": "Allow", "Action": ["xray:PutTraceSegments", "xray:PutTelemetryRecords"], "Resource": "*" },
          { "Sid": "Env", "Effect": "Allow", "Action": "kms:Decrypt", "Resource": "${aws_kms_key.data.arn}",
            "Condition": { "StringEquals": { "kms:EncryptionContext:aws:lambda:FunctionArn": "arn:aws:lambda:us-east-1:1:function:f" } } },
          { "Sid": "Dlq", "Effect": "Allow", "Action": "sqs:SendMessage", "Resource": "${aws_sqs_queue.dlq.arn}" },
          { "Sid": "Table", "Effect": "Allow", "Action": "dynamodb:GetItem", "Resource": "arn:aws:dynamodb:us-east-1:1:table/t" },
          { "Sid": "TableKey", "Effect": "Allow", "Action": ["kms:Decrypt", "kms:DescribeKey"], "Resource": "arn:aws:kms:us-east-1:1:key/k",
            "Condition": { "StringEquals": { "kms:ViaService": "dynamodb.us-east-1.amazonaws.com" } } }
        ]
        """)!.AsArray();

    private static JsonObject With(Action<JsonObject, JsonArray>? edit = null)
    {
        var stack = Passing();
        var statements = (JsonArray)PassingStatements.DeepClone();
        edit?.Invoke(stack, statements);
        stack["resource"]!["aws_iam_role_policy"]!["policy"]!["policy"] = new JsonObject { ["Version"] = "2012-10-17", ["Statement"] = statements }.ToJsonString();
        return stack;
    }

    private static JsonObject Function(JsonObject stack) => stack["resource"]!["aws_lambda_function"]!["fn"]!.AsObject();

    private static IReadOnlyList<GateFinding> Findings(JsonObject stack) => DeployGate.Check("fixture", stack, [Rule]).Failures;

    private static JsonObject Statement(JsonArray statements, string sid) => statements.Single(s => s!["Sid"]!.GetValue<string>() == sid)!.AsObject();

    [Test]
    public void TheRuleIsFoundByReflection_AndNamesItsSource()
    {
        Assert.That(Rule, Is.InstanceOf<CodeActionsRule>());
        Assert.That(Rule.Source, Does.Contain("execution role"));
    }

    [Test]
    public void ARoleAllowingExactlyTheCallsAndThePlatformActions_Passes()
    {
        Assert.That(Findings(With()), Is.Empty);
    }

    [Test]
    public void AKinesisEventSourceMapping_AllowsReadingTheStreamAndSendingToItsOnFailureDestination()
    {
        var stack = With((s, st) =>
        {
            Function(s).Remove("dead_letter_config");
            s["resource"]!["aws_lambda_event_source_mapping"] = JsonNode.Parse("""
                { "m": { "function_name": "${aws_lambda_function.fn.arn}", "event_source_arn": "${aws_kinesis_stream.stream.arn}",
                         "destination_config": { "on_failure": { "destination_arn": "${aws_sqs_queue.dlq.arn}" } } } }
                """);
            st.Add(JsonNode.Parse("""{ "Sid": "Read", "Effect": "Allow", "Action": ["kinesis:GetRecords", "kinesis:GetShardIterator", "kinesis:DescribeStream", "kinesis:ListShards"], "Resource": "${aws_kinesis_stream.stream.arn}" }"""));
            st.Add(JsonNode.Parse("""{ "Sid": "ReadKey", "Effect": "Allow", "Action": "kms:Decrypt", "Resource": "k", "Condition": { "StringEquals": { "kms:ViaService": "kinesis.us-east-1.amazonaws.com" } } }"""));
        });

        Assert.That(Findings(stack), Is.Empty);
    }

    [Test]
    public void AFunctionWithoutSdkCalls_IsAFinding()
    {
        var findings = Findings(With((s, _) => Function(s).Remove("//")));

        Assert.That(findings.Select(f => (f.RuleId, f.Address)), Is.EqualTo(new[] { ("GATE-IAM-002", Fn) }));
        Assert.That(findings[0].Message, Does.Contain("no \"//\".sdk_calls").And.Contain("Fix:"));
    }

    [Test]
    public void AnActionTheCodeNeverCalls_IsAFinding()
    {
        var findings = Findings(With((_, st) => Statement(st, "Table")["Action"] = new JsonArray("dynamodb:GetItem", "dynamodb:DeleteItem")));

        Assert.That(findings, Has.Count.EqualTo(1));
        Assert.That(findings[0].Message, Does.Contain("allows dynamodb:DeleteItem, which its code never calls"));
    }

    [Test]
    public void ADeadLetterGrantOnAFunctionWithoutDeadLetterQueue_IsAFinding()
    {
        var findings = Findings(With((s, _) => Function(s).Remove("dead_letter_config")));

        Assert.That(findings.Single().Message, Does.Contain("allows sqs:SendMessage, which its code never calls"));
    }

    [Test]
    public void TracingActionsWithoutActiveTracing_AreAFinding()
    {
        var findings = Findings(With((s, _) => Function(s)["tracing_config"] = new JsonObject { ["mode"] = "PassThrough" }));

        Assert.That(findings.Select(f => f.Message), Has.Some.Contains("allows xray:PutTraceSegments"));
    }

    [Test]
    public void ACallTheRoleDoesNotAllow_IsAFinding()
    {
        var findings = Findings(With((s, _) => Function(s)["//"]!["sdk_calls"] = new JsonArray("dynamodb:GetItem", "dynamodb:PutItem")));

        Assert.That(findings.Single().Message, Does.Contain("calls dynamodb:PutItem, but its role does not allow it").And.Contain("AccessDenied"));
    }

    [Test]
    public void KmsThroughAServiceTheFunctionNeverReaches_IsAFinding()
    {
        var findings = Findings(With((_, st) => Statement(st, "TableKey")["Condition"]!["StringEquals"]!["kms:ViaService"] = "s3.us-east-1.amazonaws.com"));

        Assert.That(findings, Has.Count.EqualTo(2), "kms:Decrypt and kms:DescribeKey");
        Assert.That(findings[0].Message, Does.Contain("through s3.us-east-1.amazonaws.com, a service the function never calls"));
    }

    [Test]
    public void KmsWithoutViaServiceOnAnotherKeyThanTheEnvironmentKey_IsAFinding()
    {
        var findings = Findings(With((_, st) => Statement(st, "TableKey").Remove("Condition")));

        Assert.That(findings.Select(f => f.Message), Has.All.Contains("without a kms:ViaService condition"));
        Assert.That(findings, Has.Count.EqualTo(2));
    }

    [Test]
    public void AWildcardAction_IsAFinding()
    {
        var findings = Findings(With((_, st) => Statement(st, "Table")["Action"] = "dynamodb:*"));

        Assert.That(findings.Select(f => f.Message), Has.Some.Contains("allows the wildcard dynamodb:*"));
    }

    [Test]
    public void AManagedPolicyFromOutsideTheStack_IsAFinding()
    {
        var findings = Findings(With((s, _) => s["resource"]!["aws_iam_role_policy_attachment"] = JsonNode.Parse("""
            { "a": { "role": "${aws_iam_role.role.name}", "policy_arn": "arn:aws:iam::aws:policy/AmazonDynamoDBFullAccess" } }
            """)));

        Assert.That(findings.Single().Message, Does.Contain("AmazonDynamoDBFullAccess").And.Contain("can't be checked"));
    }

    [Test]
    public void ARoleOutsideTheStack_IsAFinding()
    {
        var findings = Findings(With((s, _) => Function(s)["role"] = "arn:aws:iam::111111111111:role/elsewhere"));

        Assert.That(findings.Single().Message, Does.Contain("not an aws_iam_role of this stack"));
    }

    [Test]
    public void AFindingWithARecordedGateException_IsExcepted()
    {
        var stack = With((s, _) =>
        {
            Function(s)["//"]!["sdk_calls"] = new JsonArray("dynamodb:GetItem", "dynamodb:PutItem");
            Function(s)["//"]!["gate_exceptions"] = new JsonObject { ["GATE-IAM-002"] = "PutItem is granted by a policy outside this stack (test)." };
        });

        var result = DeployGate.Check("fixture", stack, [Rule]);

        Assert.That(result.Failures, Is.Empty);
        Assert.That(result.Excepted, Has.Count.EqualTo(1));
    }

    [TestCase("fraud-detection-dev")]
    [TestCase("fraud-detection-staging")]
    [TestCase("fraud-detection-prod")]
    public void TheRealStacks_Pass(string name)
    {
        var stack = RealStacks.Stack(name);

        var result = DeployGate.Check(name, stack, [Rule]);

        Assert.That(result.Failures.Select(f => $"{f.Address}: {f.Message}"), Is.Empty);
        Assert.That(result.Excepted, Is.Empty);
        Assert.That(RealStacks.FunctionCount(name), Is.EqualTo(5), "the rule checked five functions");
    }

    [Test]
    public void TheRealStacks_FailWhenAFunctionRoleGainsAnActionItsCodeNeverCalls()
    {
        var stack = RealStacks.Stack("fraud-detection-dev");
        var (address, policy) = stack["resource"]!["aws_iam_role_policy"]!.AsObject()
            .First(p => p.Value!["//"]!["metadata"]!["path"]!.GetValue<string>().EndsWith("/alert-handler/role/policy", StringComparison.Ordinal));
        var document = JsonNode.Parse(policy!["policy"]!.GetValue<string>())!;
        document["Statement"]!.AsArray().Add(JsonNode.Parse("""{ "Sid": "Extra", "Effect": "Allow", "Action": "dynamodb:DeleteItem", "Resource": "arn:aws:dynamodb:us-east-1:111111111111:table/t" }"""));
        policy["policy"] = document.ToJsonString(new JsonSerializerOptions());

        var failures = DeployGate.Check("fraud-detection-dev", stack, [Rule]).Failures;

        Assert.That(failures.Single().Message, Does.Contain("allows dynamodb:DeleteItem").And.Contain("fraud-detection-alert-handler-dev"), address);
    }
}
