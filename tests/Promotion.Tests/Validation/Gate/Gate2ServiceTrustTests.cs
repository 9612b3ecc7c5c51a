using System.Text.Json.Nodes;

namespace FraudTf.Promotion.Tests.Validation.Gate;

/// <summary>GATE-IAM-003: a role trusted by an AWS service (other than Lambda) carries an aws:SourceArn condition.</summary>
public class Gate2ServiceTrustTests
{
    private const string Rule = "GATE-IAM-003";

    private static string Role(string service, string condition) =>
        new JsonObject
        {
            ["name"] = "r",
            ["assume_role_policy"] = Gate2Stack.Policy(
                $$"""{"Sid":"Trust","Effect":"Allow","Principal":{"Service":"{{service}}"},"Action":"sts:AssumeRole","Condition":{{condition}}}"""),
        }.ToJsonString();

    private const string Account = """{"StringEquals":{"aws:SourceAccount":"111111111111"}}""";

    [Test]
    public void ServiceTrustsWithSourceArnAndLambdaWithAccountOnlyPass()
    {
        var stack = new Gate2Stack()
            .Add("aws_iam_role", "lambda", Role("lambda.amazonaws.com", Account))
            .Add("aws_iam_role", "pipe", Role("pipes.amazonaws.com", """{"StringEquals":{"aws:SourceAccount":"111111111111"},"ArnEquals":{"aws:SourceArn":"arn:aws:pipes:us-east-1:111111111111:pipe/p"}}"""))
            .Add("aws_iam_role", "agent", Role("bedrock.amazonaws.com", """{"ArnLike":{"AWS:SourceArn":"arn:aws:bedrock:us-east-1:111111111111:agent/*"}}"""))
            .Add("aws_iam_role", "rule", Role("events.amazonaws.com", """{"StringEquals":{"aws:SourceArn":"arn:aws:events:us-east-1:111111111111:rule/bus/r"}}"""));
        Assert.That(stack.Failures(Rule), Is.Empty);
    }

    [TestCase("pipes.amazonaws.com")]
    [TestCase("events.amazonaws.com")]
    [TestCase("bedrock.amazonaws.com")]
    public void SourceAccountAloneIsReported(string service)
    {
        var f = new Gate2Stack().Add("aws_iam_role", "r", Role(service, Account)).Failures(Rule).Single();
        Assert.That((f.RuleId, f.Address), Is.EqualTo((Rule, "aws_iam_role.r")));
        Assert.That(f.Message, Does.Contain(service).And.Contain("aws:SourceAccount only").And.Contain("aws:SourceArn"));
    }

    [Test]
    public void NoConditionAtAllIsReported()
    {
        var f = new Gate2Stack().Add("aws_iam_role", "r", Role("events.amazonaws.com", "{}")).Failures(Rule).Single();
        Assert.That(f.Message, Does.Contain("no confused-deputy condition"));
    }

    [Test]
    public void ASourceArnOfStarIsReported()
    {
        var f = new Gate2Stack().Add("aws_iam_role", "r", Role("pipes.amazonaws.com", """{"ArnLike":{"aws:SourceArn":"*"}}""")).Failures(Rule).Single();
        Assert.That(f.Address, Is.EqualTo("aws_iam_role.r"));
    }
}
