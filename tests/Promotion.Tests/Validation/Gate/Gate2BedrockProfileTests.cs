namespace FraudTf.Promotion.Tests.Validation.Gate;

/// <summary>GATE-BRK-001: a role allowed a cross-Region inference profile is allowed its model in every destination Region.</summary>
public class Gate2BedrockProfileTests
{
    private const string Rule = "GATE-BRK-001";
    private const string Profile = "arn:aws:bedrock:us-east-1:111111111111:inference-profile/us.anthropic.claude-sonnet-4-5-20250929-v1:0";

    private static string Model(string region) => $"arn:aws:bedrock:{region}::foundation-model/anthropic.claude-sonnet-4-5-20250929-v1:0";

    private static string Allow(string actions, params string[] resources) =>
        $$"""{"Effect":"Allow","Action":{{actions}},"Resource":{{System.Text.Json.JsonSerializer.Serialize(resources)}}}""";

    private static Gate2Stack Stack(params string[] statements) => new Gate2Stack()
        .Add("aws_iam_role", "agent", """{"name":"agent"}""")
        .Add("aws_iam_role_policy", "p", Gate2Stack.WithPolicy("\"role\":\"${aws_iam_role.agent.id}\"", Gate2Stack.Policy(statements)));

    private const string Both = """["bedrock:InvokeModel","bedrock:InvokeModelWithResponseStream"]""";

    [Test]
    public void TheProfileAndTheModelInEveryDestinationRegionPass()
    {
        var stack = Stack(Allow(Both, Profile), Allow(Both, Model("us-east-1"), Model("us-east-2"), Model("us-west-2")));
        Assert.That(stack.Failures(Rule), Is.Empty);
    }

    [Test]
    public void AWildcardRegionCoversEveryDestination()
    {
        var stack = Stack(Allow(Both, Profile, Model("*")));
        Assert.That(stack.Failures(Rule), Is.Empty);
    }

    [Test]
    public void AMissingDestinationRegionIsReported()
    {
        var stack = Stack(Allow(Both, Profile), Allow(Both, Model("us-east-1"), Model("us-east-2")));
        var findings = stack.Failures(Rule);
        Assert.That(findings, Has.Count.EqualTo(2), "one per action granted on the profile");
        Assert.That(findings.Select(f => (f.RuleId, f.Address)).Distinct(), Is.EqualTo(new[] { (Rule, "aws_iam_role_policy.p") }));
        Assert.That(findings[0].Message, Does.Contain(Model("us-west-2")).And.Not.Contain(Model("us-east-2")));
    }

    [Test]
    public void TheModelMustBeAllowedForTheSameAction()
    {
        var stack = Stack(Allow(Both, Profile), Allow("\"bedrock:InvokeModel\"", Model("us-east-1"), Model("us-east-2"), Model("us-west-2")));
        var f = stack.Failures(Rule).Single();
        Assert.That(f.Message, Does.Contain("bedrock:InvokeModelWithResponseStream"));
    }

    [Test]
    public void AModelAllowedToAnotherRoleDoesNotCount()
    {
        var stack = Stack(Allow(Both, Profile))
            .Add("aws_iam_role", "other", """{"name":"other"}""")
            .Add("aws_iam_role_policy", "q", Gate2Stack.WithPolicy("\"role\":\"${aws_iam_role.other.id}\"", Gate2Stack.Policy(
                Allow(Both, Model("us-east-1"), Model("us-east-2"), Model("us-west-2")))));
        Assert.That(stack.Failures(Rule).Select(f => f.Address).Distinct(), Is.EqualTo(new[] { "aws_iam_role_policy.p" }));
    }

    [Test]
    public void AnUnknownProfileIsReportedWithHowToAddIt()
    {
        var stack = Stack(Allow("\"bedrock:InvokeModel\"", "arn:aws:bedrock:eu-west-1:111111111111:inference-profile/eu.anthropic.claude-sonnet-4-5-20250929-v1:0"));
        var f = stack.Failures(Rule).Single();
        Assert.That(f.Address, Is.EqualTo("aws_iam_role_policy.p"));
        Assert.That(f.Message, Does.Contain("get-inference-profile").And.Contain("InferenceProfiles.Verified"));
    }
}
