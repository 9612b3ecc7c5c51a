using System.Text.Json.Nodes;

namespace FraudTf.Promotion.Tests.Validation.Gate;

/// <summary>GATE-TRUST-003 (a DynamoDB-stream pipe to a bus selects its fields) and GATE-TRUST-004 (only declared producers write matching rows).</summary>
public class Gate2PipeTests
{
    private const string Filter = """{"eventName":["INSERT"],"dynamodb":{"NewImage":{"decisionKey":{"S":["AUTOMATED"]},"decision":{"S":["REVIEW","DECLINE"]},"note":[{"exists":false}]}}}""";

    private static string Pipe(string? template, string filter = Filter) =>
        new JsonObject
        {
            ["name"] = "fraud-detected",
            ["source"] = "${aws_dynamodb_table.decisions.stream_arn}",
            ["target"] = "${aws_cloudwatch_event_bus.bus.arn}",
            ["role_arn"] = "${aws_iam_role.pipe.arn}",
            ["source_parameters"] = new JsonObject
            {
                ["filter_criteria"] = new JsonObject { ["filter"] = new JsonArray(new JsonObject { ["pattern"] = filter }) },
            },
            ["target_parameters"] = template is null
                ? new JsonObject { ["eventbridge_event_bus_parameters"] = new JsonObject { ["detail_type"] = "FraudDetected" } }
                : new JsonObject { ["input_template"] = template },
            ["//"] = new JsonObject { ["event_producers"] = new JsonArray("${aws_iam_role.scorer.arn}") },
        }.ToJsonString();

    private static string Writer(string role, string condition) => Gate2Stack.WithPolicy($"\"role\":\"${{aws_iam_role.{role}.id}}\"", Gate2Stack.Policy(
        $$"""{"Sid":"Write","Effect":"Allow","Action":["dynamodb:PutItem","dynamodb:UpdateItem"],"Resource":"${aws_dynamodb_table.decisions.arn}"{{condition}}}"""));

    private static Gate2Stack Stack() => new Gate2Stack()
        .Add("aws_dynamodb_table", "decisions", """{"name":"decisions"}""")
        .Add("aws_cloudwatch_event_bus", "bus", """{"name":"bus"}""")
        .Add("aws_iam_role", "pipe", """{"name":"pipe"}""")
        .Add("aws_iam_role", "scorer", """{"name":"scorer"}""")
        .Add("aws_iam_role", "analyst", """{"name":"analyst"}""")
        .Add("aws_iam_role_policy", "scorer", Writer("scorer", ""))
        .Add("aws_iam_role_policy", "analyst", Writer("analyst", ""","Condition":{"ForAllValues:StringEquals":{"dynamodb:Attributes":["pk","sk","decision","note"]}}"""))
        .Add("aws_pipes_pipe", "p", Pipe("""{"decisionId":"<$.dynamodb.NewImage.pk.S>","decision":"<$.dynamodb.NewImage.decision.S>"}"""));

    [Test]
    public void ATemplatedPipeWithRestrictedNonProducersPasses()
    {
        Assert.That(Stack().Failures("GATE-TRUST-003"), Is.Empty);
        Assert.That(Stack().Failures("GATE-TRUST-004"), Is.Empty);
    }

    [Test]
    public void APipeFromATableToABusWithoutTemplateIsReported()
    {
        var f = Stack().Add("aws_pipes_pipe", "p", Pipe(null)).Failures("GATE-TRUST-003").Single();
        Assert.That((f.RuleId, f.Address), Is.EqualTo(("GATE-TRUST-003", "aws_pipes_pipe.p")));
        Assert.That(f.Message, Does.Contain("input_template"));
    }

    [Test]
    public void ATemplateForwardingTheWholeImageIsReported()
    {
        var f = Stack().Add("aws_pipes_pipe", "p", Pipe("""{"image": <$.dynamodb.NewImage>}""")).Failures("GATE-TRUST-003").Single();
        Assert.That(f.Message, Does.Contain("<$.dynamodb.NewImage>"));
    }

    [Test]
    public void APipeToAnotherTargetKindIsNotChecked()
    {
        var stack = Stack().Add("aws_pipes_pipe", "p", Pipe(null)).Add("aws_sqs_queue", "q", """{"name":"q"}""");
        stack.Body("aws_pipes_pipe", "p")["target"] = "${aws_sqs_queue.q.arn}";
        Assert.That(stack.Failures("GATE-TRUST-003"), Is.Empty);
    }

    [Test]
    public void APipeWithANewImageFilterAndNoProducersIsReported()
    {
        var stack = Stack();
        stack.Body("aws_pipes_pipe", "p").Remove("//");
        var f = stack.Failures("GATE-TRUST-004").Single();
        Assert.That((f.RuleId, f.Address), Is.EqualTo(("GATE-TRUST-004", "aws_pipes_pipe.p")));
        Assert.That(f.Message, Does.Contain("event_producers").And.Contain("[decision, decisionKey]"));
    }

    [Test]
    public void AnUnrestrictedWriterThatIsNotAProducerIsReported()
    {
        var f = Stack().Add("aws_iam_role_policy", "analyst", Writer("analyst", "")).Failures("GATE-TRUST-004").Single();
        Assert.That((f.RuleId, f.Address), Is.EqualTo(("GATE-TRUST-004", "aws_iam_role_policy.analyst")));
        Assert.That(f.Message, Does.Contain("aws_iam_role.analyst").And.Contain("no ForAllValues"));
    }

    [Test]
    public void AWriterAllowedEveryRequiredAttributeIsReported()
    {
        var stack = Stack().Add("aws_iam_role_policy", "analyst", Writer("analyst",
            ""","Condition":{"ForAllValues:StringEquals":{"dynamodb:Attributes":["pk","sk","decision","decisionKey"]}}"""));
        var f = stack.Failures("GATE-TRUST-004").Single();
        Assert.That(f.Address, Is.EqualTo("aws_iam_role_policy.analyst"));
    }

    [Test]
    public void AStringLikePatternCoveringEveryAttributeIsReported()
    {
        var stack = Stack().Add("aws_iam_role_policy", "analyst", Writer("analyst",
            ""","Condition":{"ForAllValues:StringLike":{"dynamodb:Attributes":["pk","sk","decision*"]}}"""));
        Assert.That(stack.Failures("GATE-TRUST-004").Single().Address, Is.EqualTo("aws_iam_role_policy.analyst"));
    }

    [Test]
    public void AnAttributeTheFilterRequiresAbsentIsNotRequired()
    {
        // "note" must be absent for a match, so a writer restricted to writing only "note" among the filter's fields still
        // cannot be prevented by it: a writer allowed decision and decisionKey matches.
        var stack = Stack().Add("aws_iam_role_policy", "analyst", Writer("analyst",
            ""","Condition":{"ForAllValues:StringEquals":{"dynamodb:Attributes":["pk","decision","decisionKey"]}}"""));
        Assert.That(stack.Failures("GATE-TRUST-004"), Has.Count.EqualTo(1));
    }

    [Test]
    public void APipeWithoutNewImageFilterIsNotChecked()
    {
        var stack = Stack().Add("aws_pipes_pipe", "p", Pipe("{}", """{"eventName":["INSERT"]}"""))
            .Add("aws_iam_role_policy", "analyst", Writer("analyst", ""));
        stack.Body("aws_pipes_pipe", "p").Remove("//");
        Assert.That(stack.Failures("GATE-TRUST-004"), Is.Empty);
    }
}
