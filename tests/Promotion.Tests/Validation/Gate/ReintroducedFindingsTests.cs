using System.Text.Json.Nodes;
using FraudTf.Promotion.Tests.Support;
using FraudTf.Promotion.Validation.Gate;

namespace FraudTf.Promotion.Tests.Validation.Gate;

/// <summary>
/// Issue 13's "done when": the offline gate catches every finding of the review on a real stack that reintroduces it.
/// Each test takes the synthesized prod stack (which passes the gate: see SynthesizedStacksTests), puts one finding
/// back the way it was, or the way a later change could bring it back, and expects the rule that names it.
/// </summary>
public class ReintroducedFindingsTests
{
    private const string Prod = "fraud-detection-prod";

    private static JsonObject Stack() => RealStacks.Stack(Prod);

    private static IEnumerable<(string Key, JsonObject Body)> Resources(JsonObject stack, string type) =>
        (stack["resource"]?[type] as JsonObject ?? []).Select(p => (p.Key, p.Value!.AsObject()));

    private static (string Key, JsonObject Body) Named(JsonObject stack, string type, string keyContains) =>
        Resources(stack, type).Single(r => r.Key.Contains(keyContains, StringComparison.Ordinal));

    private static JsonObject Policy(JsonObject resource, string argument = "policy") => JsonNode.Parse(resource[argument]!.GetValue<string>())!.AsObject();

    private static void SetPolicy(JsonObject resource, JsonObject policy, string argument = "policy") => resource[argument] = policy.ToJsonString();

    private static JsonArray Statements(JsonObject policy) => policy["Statement"]!.AsArray();

    private static IReadOnlyList<string> Strings(JsonNode? n) => n is JsonArray a ? a.Select(x => x!.GetValue<string>()).ToList() : n is null ? [] : [n.GetValue<string>()];

    /// <summary>The gate's failures of one rule on the mutated stack, after checking the unmutated stack had none.</summary>
    private static IReadOnlyList<GateFinding> Failures(string ruleId, Action<JsonObject> reintroduce)
    {
        var rule = DeployGate.Rule(ruleId) ?? throw new AssertionException($"no gate rule {ruleId}");
        Assert.That(DeployGate.Check(Prod, Stack(), [rule]).Failures, Is.Empty, $"{ruleId} already fails on the real stack");
        var stack = Stack();
        reintroduce(stack);
        return DeployGate.Check(Prod, stack, [rule]).Failures;
    }

    [Test]
    public void Item1_AProviderConstraintThatAdmitsAVersionWithoutDotnet10()
    {
        var f = Failures("GATE-PROV-001", s => s["terraform"]!["required_providers"]!["aws"]!["version"] = "6.25.0");
        Assert.That(f.Select(x => x.Message), Has.Some.Contains("dotnet10"));
    }

    [Test]
    public void Item2_AKeyPolicyWithoutAliasManagement()
    {
        var f = Failures("GATE-KMS-001", s =>
        {
            var key = Named(s, "aws_kms_key", "keys_data").Body;
            var policy = Policy(key);
            foreach (var st in Statements(policy))
            {
                st!["Action"] = new JsonArray(Strings(st["Action"]).Where(a => !a.Contains("Alias")).Select(a => (JsonNode)a).ToArray());
            }

            SetPolicy(key, policy);
        });
        Assert.That(f.Single().Message, Does.Contain("kms:CreateAlias"));
    }

    [Test]
    public void Item3_ATopicWithoutASubscription()
    {
        var f = Failures("GATE-SNS-001", s => s["resource"]!.AsObject().Remove("aws_sns_topic_subscription"));
        Assert.That(f, Has.Count.EqualTo(2), "the alarm topic and the alerts topic");
    }

    [Test]
    public void Item4_AnIteratorAgeAlarmOnAStreamNobodyReads()
    {
        var f = Failures("GATE-CW-001", s =>
        {
            var events = Named(s, "aws_kinesis_stream", "events-stream").Key;
            s["resource"]!["aws_cloudwatch_metric_alarm"]!["events-age"] = JsonNode.Parse($$"""
                {"alarm_name":"fraud-detection-events-stream-iterator-age-prod","namespace":"AWS/Kinesis","metric_name":"GetRecords.IteratorAgeMilliseconds",
                 "dimensions":{"StreamName":"${aws_kinesis_stream.{{events}}.name}"},"statistic":"Maximum","period":60,"evaluation_periods":3,
                 "threshold":30000,"comparison_operator":"GreaterThanThreshold"}
                """);
        });
        Assert.That(f.Single().Address, Is.EqualTo("aws_cloudwatch_metric_alarm.events-age"));
    }

    [Test]
    public void Item4_ACustomMetricAlarmWhoseMetricNoCodeEmits()
    {
        var f = Failures("GATE-CW-001", s =>
        {
            var alarm = Resources(s, "aws_cloudwatch_metric_alarm").First(a => a.Body["namespace"]!.GetValue<string>() == "FraudDetection").Body;
            alarm["metric_name"] = "FraudDetectedd";
        });
        Assert.That(f, Has.Count.EqualTo(1));
    }

    [Test]
    public void Item5_AnXRaySamplingRuleForLambda()
    {
        var f = Failures("GATE-XRAY-001", s => s["resource"]!["aws_xray_sampling_rule"] = JsonNode.Parse("""
            {"x":{"rule_name":"fraud-detection-xray-prod","priority":1000,"reservoir_size":1,"fixed_rate":0.05,"service_name":"fraud-detection-*",
             "service_type":"AWS::Lambda::Function","host":"*","http_method":"*","url_path":"*","resource_arn":"*","version":1}}
            """));
        Assert.That(f.Single().Address, Is.EqualTo("aws_xray_sampling_rule.x"));
    }

    [Test]
    public void Item6_ADeadLetterQueueOnASynchronouslyInvokedFunction()
    {
        var f = Failures("GATE-LAM-001", s =>
        {
            var dlq = Resources(s, "aws_sqs_queue").First().Key;
            Named(s, "aws_lambda_function", "agent-tools").Body["dead_letter_config"] = new JsonObject { ["target_arn"] = $"${{aws_sqs_queue.{dlq}.arn}}" };
        });
        Assert.That(f.Single().Address, Does.Contain("agent-tools"));
    }

    [Test]
    public void Item7_APipeThatStartsAtLatest()
    {
        var f = Failures("GATE-STREAM-001", s =>
            Named(s, "aws_pipes_pipe", "decisions-pipe").Body["source_parameters"]!["dynamodb_stream_parameters"]!["starting_position"] = "LATEST");
        Assert.That(f.Single().Address, Does.Contain("decisions-pipe"));
    }

    [Test]
    public void Item8_ATransitionThatSilentlySkipsSmallObjects()
    {
        var f = Failures("GATE-S3-001", s =>
        {
            var lifecycle = Named(s, "aws_s3_bucket_lifecycle_configuration", "decision-trails").Body;
            var rule = lifecycle["rule"]!.AsArray().First(r => r!["id"]!.GetValue<string>() == "current-versions")!;
            rule["transition"] = JsonNode.Parse("""[{"days":30,"storage_class":"STANDARD_IA"},{"days":90,"storage_class":"GLACIER"}]""");
            lifecycle.Remove("transition_default_minimum_object_size");
        });
        Assert.That(f.Single().Address, Does.Contain("decision-trails"));
    }

    [Test]
    public void Item9_ATrustedTableWithoutItsWritersPolicy()
    {
        var f = Failures("GATE-TRUST-001", s =>
        {
            var policies = s["resource"]!["aws_dynamodb_resource_policy"]!.AsObject();
            policies.Remove(policies.Single(p => p.Value!["resource_arn"]!.GetValue<string>().Contains("patterns")).Key);
        });
        Assert.That(f.Single().Address, Does.Contain("patterns"));
    }

    [Test]
    public void Item9_AStreamOpenToEveryProducer()
    {
        var f = Failures("GATE-TRUST-001", s => s["resource"]!.AsObject().Remove("aws_kinesis_resource_policy"));
        Assert.That(f.Select(x => x.Address), Has.Some.Contains("transactions-stream"));
    }

    [Test]
    public void Item9_KnowledgeBaseDocumentsAnyoneCanReplace()
    {
        var f = Failures("GATE-TRUST-001", s =>
        {
            var bucket = Named(s, "aws_s3_bucket", "models-bucket").Key;
            var policy = Resources(s, "aws_s3_bucket_policy").Single(p => p.Body["bucket"]!.GetValue<string>().Contains(bucket)).Body;
            var doc = Policy(policy);
            var kept = Statements(doc).Where(st => !Strings(st!["Action"]).Contains("s3:PutObject")).Select(st => st!.DeepClone()).ToArray();
            doc["Statement"] = new JsonArray(kept);
            SetPolicy(policy, doc);
        });
        Assert.That(f, Has.Count.EqualTo(1));
    }

    [Test]
    public void Item9_DecisionTrailsThatCanBeOverwritten()
    {
        var f = Failures("GATE-TRUST-002", s =>
        {
            foreach (var (_, policy) in Resources(s, "aws_s3_bucket_policy"))
            {
                var doc = Policy(policy);
                var kept = Statements(doc).Where(st => !st!.ToJsonString().Contains("s3:if-none-match")).Select(st => st!.DeepClone()).ToArray();
                doc["Statement"] = new JsonArray(kept);
                SetPolicy(policy, doc);
            }
        });
        Assert.That(f.Select(x => x.Address), Has.Some.Contains("decision-trails"));
    }

    [Test]
    public void Item9_APipeThatForwardsWholeImages()
    {
        var f = Failures("GATE-TRUST-003", s =>
        {
            foreach (var (_, pipe) in Resources(s, "aws_pipes_pipe"))
            {
                pipe["target_parameters"]!.AsObject().Remove("input_template");
            }
        });
        Assert.That(f, Has.Count.EqualTo(2));
    }

    [Test]
    public void Item10_ARoleThatHoldsActionsItsCodeNeverCalls()
    {
        var f = Failures("GATE-IAM-002", s =>
        {
            var policy = Named(s, "aws_iam_role_policy", "alert-handler").Body;
            var doc = Policy(policy);
            var table = Resources(s, "aws_dynamodb_table").First().Key;
            Statements(doc).Add(JsonNode.Parse($$"""{"Sid":"Extra","Effect":"Allow","Action":["dynamodb:DeleteItem","dynamodb:Scan"],"Resource":"${aws_dynamodb_table.{{table}}.arn}"}"""));
            SetPolicy(policy, doc);
        });
        Assert.That(f.Select(x => x.Message), Has.Some.Contains("dynamodb:Scan"));
    }

    [Test]
    public void Item10_TheAgentToolsRoleCouldWriteARowThatBecomesAnAlert()
    {
        var f = Failures("GATE-TRUST-004", s =>
        {
            var policy = Named(s, "aws_iam_role_policy", "agent-tools").Body;
            var doc = Policy(policy);
            foreach (var st in Statements(doc).Where(st => st!["Condition"] is JsonObject c && c.ToJsonString().Contains("dynamodb:Attributes")))
            {
                st!.AsObject().Remove("Condition");
            }

            SetPolicy(policy, doc);
        });
        Assert.That(f.Select(x => x.Message), Has.Some.Contains("agent-tools"));
    }

    [Test]
    public void Item10_AnyPrincipalOfTheAccountCouldSubscribeToTheAlerts()
    {
        var f = Failures("GATE-SNS-002", s =>
        {
            var policy = Named(s, "aws_sns_topic_policy", "alerts-topic").Body;
            var doc = Policy(policy);
            var kept = Statements(doc).Where(st => !(st!["Effect"]!.GetValue<string>() == "Deny" && Strings(st["Action"]).Contains("sns:Subscribe")))
                .Select(st => st!.DeepClone()).ToList();
            kept.Add(JsonNode.Parse($$"""{"Sid":"Subscribe","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::333333333333:root"},"Action":"sns:Subscribe","Resource":{{Statements(doc)[0]!["Resource"]!.ToJsonString()}}}""")!);
            doc["Statement"] = new JsonArray(kept.ToArray());
            SetPolicy(policy, doc);
        });
        Assert.That(f.Single().Address, Does.Contain("alerts-topic"));
    }

    [Test]
    public void Item10_APipeRoleAnyPipeOfTheAccountCouldAssume()
    {
        var f = Failures("GATE-IAM-003", s =>
        {
            var role = Named(s, "aws_iam_role", "decisions-pipe-role").Body;
            var doc = Policy(role, "assume_role_policy");
            foreach (var st in Statements(doc))
            {
                var conditions = st!["Condition"]!.AsObject();
                foreach (var op in conditions.Select(c => c.Key).ToList())
                {
                    conditions[op]!.AsObject().Remove("aws:SourceArn");
                    if (conditions[op]!.AsObject().Count == 0)
                    {
                        conditions.Remove(op);
                    }
                }
            }

            SetPolicy(role, doc, "assume_role_policy");
        });
        Assert.That(f.Single().Address, Does.Contain("decisions-pipe-role"));
    }

    [Test]
    public void Item10_AKmsStatementOnAnEncryptionContextLambdaNeverSends()
    {
        var f = Failures("GATE-KMS-002", s =>
        {
            var policy = Named(s, "aws_iam_role_policy", "stream-processor").Body;
            SetPolicy(policy, JsonNode.Parse(Policy(policy).ToJsonString().Replace("kms:EncryptionContext:aws:lambda:FunctionArn", "kms:EncryptionContext:LambdaFunctionName"))!.AsObject());
        });
        Assert.That(f.Single().Message, Does.Contain("LambdaFunctionName"));
    }

    [Test]
    public void Item10_TheAgentMayInvokeTheModelInOnlySomeOfItsProfilesRegions()
    {
        var f = Failures("GATE-BRK-001", s =>
        {
            foreach (var (_, policy) in Resources(s, "aws_iam_role_policy"))
            {
                var text = policy["policy"]!.GetValue<string>();
                if (text.Contains("foundation-model") && text.Contains("us-east-2"))
                {
                    policy["policy"] = text.Replace("\"arn:aws:bedrock:us-east-2::foundation-model/anthropic.claude-sonnet-4-5-20250929-v1:0\",", "");
                }
            }
        });
        Assert.That(f.Select(x => x.Message), Has.Some.Contains("us-east-2"));
    }
}
