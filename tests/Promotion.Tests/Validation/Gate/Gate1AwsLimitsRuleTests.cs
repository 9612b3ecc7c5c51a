using System.Text.Json.Nodes;
using FraudTf.Promotion.Validation.Gate.Rules;
using static FraudTf.Promotion.Tests.Validation.Gate.Gate1Fixtures;

namespace FraudTf.Promotion.Tests.Validation.Gate;

/// <summary>GATE-LIMIT-001: AWS name and value limits.</summary>
public class Gate1AwsLimitsRuleTests
{
    /// <summary>Names at or near each limit, all valid.</summary>
    private const string Compliant = """
        {
          "aws_lambda_function": { "f": { "function_name": "fraud-detection_stream-processor-prod", "description": "Scores transactions",
            "environment": { "variables": { "TABLE": "t", "QUEUE": "${aws_sqs_queue.q.url}" } } } },
          "aws_lambda_permission": { "p": { "statement_id": "AllowAnalystAgent" } },
          "aws_iam_role": { "r": { "name": "fraud-detection+role=a,b.c@d_e-f", "description": "Execution role of fraud-detection-alert-handler-dev",
            "inline_policy": [ { "name": "least-privilege", "policy": "{\"Statement\":[]}" } ] } },
          "aws_iam_role_policy": { "rp": { "name": "least-privilege", "policy": "{\"Version\": \"2012-10-17\", \"Statement\": []}" } },
          "aws_sqs_queue": { "q": { "name": "fraud-detection-dlq-prod" }, "fq": { "name": "orders.fifo", "fifo_queue": true } },
          "aws_sns_topic": { "t": { "name": "fraud-detection-alerts-prod" }, "ft": { "name": "orders.fifo", "fifo_topic": "true" } },
          "aws_kinesis_stream": { "s": { "name": "fraud-detection.events_prod" } },
          "aws_dynamodb_table": { "d": { "name": "abc" } },
          "aws_s3_bucket": { "b": { "bucket": "fraud-detection-audit-logs-111111111111-prod" }, "bp": { "bucket_prefix": "X" } },
          "aws_cloudwatch_metric_alarm": { "a": { "alarm_name": "fraud-detection-agent-tools-duration-p99-dev" } },
          "aws_cloudwatch_log_group": { "g": { "name": "/aws/lambda/fraud-detection-alert-handler-dev" } },
          "aws_cloudwatch_log_metric_filter": { "mf": { "name": "fraud-detection-stream-processor-dev-fraud-events" } },
          "aws_cloudwatch_event_bus": { "bus": { "name": "fraud-detection-bus-dev" } },
          "aws_cloudwatch_event_rule": { "er": { "name": "fraud-detection-fraud-detected-dev" } },
          "aws_cloudwatch_event_target": { "et": { "target_id": "alert-handler" } },
          "aws_pipes_pipe": { "pp": { "name": "fraud-detection-transaction-received-dev" } },
          "aws_kms_alias": { "al": { "name": "alias/fraud-detection/data_dev" } },
          "aws_xray_sampling_rule": { "x": { "rule_name": "fraud-detection-xray-prod" } },
          "aws_opensearchserverless_collection": { "c": { "name": "fraud-detection-kb-dev" } },
          "aws_opensearchserverless_security_policy": { "sp": { "name": "kb1" } },
          "aws_opensearchserverless_access_policy": { "ap": { "name": "fraud-detection-kb-dev" } },
          "aws_bedrockagent_agent": { "ag": { "agent_name": "fraud-detection_analyst-dev" } }
        }
        """;

    [Test]
    public void NamesWithinTheLimitsPass()
    {
        Assert.That(Failures<AwsLimitsRule>(Stack(Compliant)), Is.Empty);
    }

    private static readonly object[] Violations =
    [
        new object[] { "aws_lambda_function", "function_name", new string('f', 65), "it has 65 characters" },
        new object[] { "aws_lambda_function", "function_name", "fraud.detection", "pattern" },
        new object[] { "aws_lambda_function", "description", new string('d', 257), "it has 257 characters" },
        new object[] { "aws_lambda_permission", "statement_id", new string('s', 101), "it has 101 characters" },
        new object[] { "aws_iam_role", "name", new string('r', 65), "it has 65 characters" },
        new object[] { "aws_iam_role", "name", "role/with/slash", "pattern" },
        new object[] { "aws_iam_role", "description", new string('d', 1001), "it has 1001 characters" },
        new object[] { "aws_iam_role_policy", "name", new string('p', 129), "it has 129 characters" },
        new object[] { "aws_sqs_queue", "name", new string('q', 81), "it has 81 characters" },
        new object[] { "aws_sqs_queue", "name", "orders.fifo", "only a FIFO queue's name may end with .fifo" },
        new object[] { "aws_sns_topic", "name", new string('t', 257), "it has 257 characters" },
        new object[] { "aws_sns_topic", "name", "alerts topic", "pattern" },
        new object[] { "aws_kinesis_stream", "name", new string('k', 129), "it has 129 characters" },
        new object[] { "aws_dynamodb_table", "name", "ab", "it has 2 characters" },
        new object[] { "aws_dynamodb_table", "name", "table:one", "pattern" },
        new object[] { "aws_s3_bucket", "bucket", "Fraud-Detection", "pattern" },
        new object[] { "aws_s3_bucket", "bucket", new string('b', 64), "it has 64 characters" },
        new object[] { "aws_s3_bucket", "bucket", "fraud..logs", "two adjacent periods" },
        new object[] { "aws_s3_bucket", "bucket", "192.168.5.4", "IP address" },
        new object[] { "aws_s3_bucket", "bucket", "xn--bucket", "prefix xn--" },
        new object[] { "aws_s3_bucket", "bucket", "logs-s3alias", "suffix -s3alias" },
        new object[] { "aws_cloudwatch_metric_alarm", "alarm_name", new string('a', 256), "it has 256 characters" },
        new object[] { "aws_cloudwatch_log_group", "name", "/aws/lambda/a b", "pattern" },
        new object[] { "aws_cloudwatch_log_group", "name", "/" + new string('g', 512), "it has 513 characters" },
        new object[] { "aws_cloudwatch_log_metric_filter", "name", "errors:all", "pattern" },
        new object[] { "aws_cloudwatch_event_bus", "name", new string('e', 257), "it has 257 characters" },
        new object[] { "aws_cloudwatch_event_bus", "name", "custom/bus", "pattern" },
        new object[] { "aws_cloudwatch_event_rule", "name", new string('r', 65), "it has 65 characters" },
        new object[] { "aws_cloudwatch_event_target", "target_id", new string('t', 65), "it has 65 characters" },
        new object[] { "aws_pipes_pipe", "name", new string('p', 65), "it has 65 characters" },
        new object[] { "aws_kms_alias", "name", "fraud-detection-data", "pattern" },
        new object[] { "aws_kms_alias", "name", "alias/aws/mine", "reserved for AWS managed keys" },
        new object[] { "aws_kms_alias", "name", "alias/" + new string('a', 251), "it has 257 characters" },
        new object[] { "aws_xray_sampling_rule", "rule_name", new string('x', 33), "it has 33 characters" },
        new object[] { "aws_opensearchserverless_collection", "name", "fraud-detection-knowledge-base-prod", "it has 35 characters" },
        new object[] { "aws_opensearchserverless_collection", "name", "Fraud-kb", "pattern" },
        new object[] { "aws_opensearchserverless_security_policy", "name", "kb", "it has 2 characters" },
        new object[] { "aws_opensearchserverless_access_policy", "name", "1kb-access", "pattern" },
        new object[] { "aws_bedrockagent_agent", "agent_name", "analyst--dev", "pattern" },
    ];

    [TestCaseSource(nameof(Violations))]
    public void ANameBeyondTheLimitFails(string type, string argument, string value, string problem)
    {
        var f = Failures<AwsLimitsRule>(One(type, new JsonObject { [argument] = value }.ToJsonString())).Single();
        Assert.Multiple(() =>
        {
            Assert.That(f.RuleId, Is.EqualTo("GATE-LIMIT-001"));
            Assert.That(f.Address, Is.EqualTo($"{type}.r"));
            Assert.That(f.Message, Does.StartWith($"{argument} '{value}' breaks the AWS limit"));
            Assert.That(f.Message, Does.Contain(problem));
            Assert.That(f.Message, Does.Contain("API reference").Or.Contain("User Guide"));
        });
    }

    [Test]
    public void AFifoQueueWithoutTheSuffixFails()
    {
        var f = Failures<AwsLimitsRule>(One("aws_sqs_queue", """{ "name": "orders", "fifo_queue": true }""")).Single();
        Assert.That(f.Message, Does.Contain("a FIFO queue's name must end with .fifo"));
    }

    [Test]
    public void InlinePolicyNamesOfARoleAreChecked()
    {
        var f = Failures<AwsLimitsRule>(One("aws_iam_role", $$"""{ "inline_policy": [ { "name": "ok" }, { "name": "{{new string('n', 129)}}" } ] }""")).Single();
        Assert.That(f.Message, Does.StartWith("inline_policy[1].name '"));
    }

    [Test]
    public void NamesHoldingExpressionsAreSkipped()
    {
        var stack = One("aws_lambda_function", $$"""{ "function_name": "${var.prefix}-{{new string('f', 70)}}" }""");
        Assert.That(Failures<AwsLimitsRule>(stack), Is.Empty);
    }

    [Test]
    public void EnvironmentVariablesOver4KbFail()
    {
        var f = Failures<AwsLimitsRule>(One("aws_lambda_function", $$"""{ "environment": { "variables": { "RULES": "{{new string('x', 4092)}}" } } }""")).Single();
        Assert.Multiple(() =>
        {
            Assert.That(f.Address, Is.EqualTo("aws_lambda_function.r"));
            Assert.That(f.Message, Does.StartWith("environment.variables total 4097 bytes"));
            Assert.That(f.Message, Does.Not.Contain("expression"));
        });
    }

    [Test]
    public void EnvironmentVariablesCountOnlyTheLiteralPartOfExpressions()
    {
        var under = One("aws_lambda_function", $$"""{ "environment": [ { "variables": { "URL": "${aws_sqs_queue.q.url}", "RULES": "{{new string('x', 4000)}}" } } ] }""");
        var over = One("aws_lambda_function", $$"""{ "environment": [ { "variables": { "URL": "https://${aws_sqs_queue.q.url}/{{new string('y', 100)}}", "RULES": "{{new string('x', 4000)}}" } } ] }""");
        Assert.Multiple(() =>
        {
            Assert.That(Failures<AwsLimitsRule>(under), Is.Empty);
            Assert.That(Failures<AwsLimitsRule>(over).Single().Message, Does.Contain("not counting what 1 expression(s) resolve to"));
        });
    }

    [Test]
    public void AnInlinePolicyOver10240CharactersWithoutWhitespaceFails()
    {
        var statements = Enumerable.Range(0, 120).Select(i => new JsonObject
        {
            ["Sid"] = $"S{i}", ["Effect"] = "Allow", ["Action"] = "s3:GetObject", ["Resource"] = $"arn:aws:s3:::bucket-{i}/some/long/prefix/{i}/*",
        }).ToArray();
        var policy = Policy(statements);
        Assert.That(policy.Length, Is.GreaterThan(10240), "fixture must exceed the limit");
        var spaced = policy.Replace(",", ",          ", StringComparison.Ordinal);
        var small = Policy(statements.Take(10).Select(s => (JsonObject)s.DeepClone()).ToArray()).Replace(",", "," + new string(' ', 300), StringComparison.Ordinal);
        Assert.That(small.Length, Is.GreaterThan(10240), "fixture: over the limit only with its whitespace");
        var f = Failures<AwsLimitsRule>(One("aws_iam_role_policy", new JsonObject { ["policy"] = spaced }.ToJsonString())).Single();
        Assert.Multiple(() =>
        {
            Assert.That(f.Message, Does.StartWith($"policy has {policy.Length} characters without whitespace"));
            Assert.That(f.Message, Does.Contain("10240-character limit"));
            Assert.That(Failures<AwsLimitsRule>(One("aws_iam_role_policy", new JsonObject { ["policy"] = small }.ToJsonString())), Is.Empty,
                "whitespace does not count");
        });
    }
}
