using FraudTf.Promotion.Validation.Gate.Rules;
using static FraudTf.Promotion.Tests.Validation.Gate.Gate1Fixtures;

namespace FraudTf.Promotion.Tests.Validation.Gate;

/// <summary>GATE-XRAY-001, GATE-STREAM-001 and GATE-S3-001: resources that deploy and silently do less than they say.</summary>
public class Gate1ServiceBehaviourRulesTests
{
    [TestCase("*")]
    [TestCase("AWS::ApiGateway::Stage")]
    public void ASamplingRuleForARuleAwareServicePasses(string serviceType)
    {
        Assert.That(Failures<XRayLambdaSamplingRule>(One("aws_xray_sampling_rule", $$"""{ "rule_name": "x", "service_type": "{{serviceType}}" }""")), Is.Empty);
    }

    [Test]
    public void ASamplingRuleForLambdaFails()
    {
        var f = Failures<XRayLambdaSamplingRule>(One("aws_xray_sampling_rule", """{ "rule_name": "x", "service_type": "AWS::Lambda::Function" }""")).Single();
        Assert.Multiple(() =>
        {
            Assert.That(f.RuleId, Is.EqualTo("GATE-XRAY-001"));
            Assert.That(f.Address, Is.EqualTo("aws_xray_sampling_rule.r"));
            Assert.That(f.Message, Does.Contain("never applies X-Ray sampling rules"));
        });
    }

    private const string TrimHorizon = """
        {
          "aws_pipes_pipe": {
            "d": { "source_parameters": { "dynamodb_stream_parameters": { "starting_position": "TRIM_HORIZON" } } },
            "k": { "source_parameters": [ { "kinesis_stream_parameters": [ { "starting_position": "TRIM_HORIZON" } ] } ] },
            "q": { "source_parameters": { "sqs_queue_parameters": { "batch_size": 10 } } }
          },
          "aws_lambda_event_source_mapping": { "m": { "starting_position": "TRIM_HORIZON" }, "s": { "event_source_arn": "${aws_sqs_queue.q.arn}" } }
        }
        """;

    [Test]
    public void ConsumersAtTrimHorizonPass()
    {
        Assert.That(Failures<StreamStartingPositionRule>(Stack(TrimHorizon)), Is.Empty);
    }

    [TestCase("aws_pipes_pipe", """{ "source_parameters": { "dynamodb_stream_parameters": { "starting_position": "LATEST" } } }""",
        "source_parameters.dynamodb_stream_parameters.starting_position = LATEST")]
    [TestCase("aws_pipes_pipe", """{ "source_parameters": [ { "kinesis_stream_parameters": [ { "starting_position": "LATEST" } ] } ] }""",
        "source_parameters[0].kinesis_stream_parameters[0].starting_position = LATEST")]
    [TestCase("aws_lambda_event_source_mapping", """{ "starting_position": "LATEST" }""", "starting_position = LATEST")]
    public void AConsumerAtLatestFails(string type, string body, string start)
    {
        var f = Failures<StreamStartingPositionRule>(One(type, body)).Single();
        Assert.Multiple(() =>
        {
            Assert.That(f.RuleId, Is.EqualTo("GATE-STREAM-001"));
            Assert.That(f.Address, Is.EqualTo($"{type}.r"));
            Assert.That(f.Message, Does.StartWith(start));
            Assert.That(f.Message, Does.Contain("Fix: start at TRIM_HORIZON"));
        });
    }

    [TestCase("""{ "transition_default_minimum_object_size": "varies_by_storage_class", "rule": [ { "transition": [ { "days": 30, "storage_class": "STANDARD_IA" } ] } ] }""")]
    [TestCase("""{ "transition_default_minimum_object_size": "all_storage_classes_128K", "rule": [ { "transition": [ { "days": 30, "storage_class": "GLACIER" } ] } ] }""")]
    [TestCase("""{ "rule": [ { "expiration": [ { "days": 90 } ], "noncurrent_version_expiration": [ { "noncurrent_days": 1 } ] } ] }""")]
    public void AnExplicitDecisionOrNoTransitionPasses(string body)
    {
        Assert.That(Failures<S3LifecycleSmallObjectsRule>(One("aws_s3_bucket_lifecycle_configuration", body)), Is.Empty);
    }

    [TestCase("""{ "rule": [ { "id": "a" }, { "transition": [ { "days": 30, "storage_class": "STANDARD_IA" }, { "days": 90, "storage_class": "GLACIER" } ] } ] }""",
        "rule[1].transition[0], rule[1].transition[1] transition objects")]
    [TestCase("""{ "rule": { "noncurrent_version_transition": { "noncurrent_days": 30, "storage_class": "GLACIER" } } }""",
        "rule.noncurrent_version_transition transition objects")]
    public void TransitionsWithoutTheMinimumObjectSizeFail(string body, string start)
    {
        var f = Failures<S3LifecycleSmallObjectsRule>(One("aws_s3_bucket_lifecycle_configuration", body)).Single();
        Assert.Multiple(() =>
        {
            Assert.That(f.RuleId, Is.EqualTo("GATE-S3-001"));
            Assert.That(f.Address, Is.EqualTo("aws_s3_bucket_lifecycle_configuration.r"));
            Assert.That(f.Message, Does.StartWith(start));
            Assert.That(f.Message, Does.Contain("all_storage_classes_128K"));
        });
    }
}
