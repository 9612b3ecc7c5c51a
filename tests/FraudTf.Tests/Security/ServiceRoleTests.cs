using System.Text.Json.Nodes;
using FraudTf.Security;
using FraudTf.Tests.Support;

namespace FraudTf.Tests.Security;

/// <summary><see cref="ServiceRole"/> alone on a fresh stack: its trust policy, options, validation and inline policy.</summary>
[TestFixture]
public class ServiceRoleTests
{
    private static ServiceRoleConfig Config => new()
    {
        RoleName = "fraud-detection-test-role",
        ServicePrincipal = "pipes.amazonaws.com",
        AccountId = FreshStack.Account,
        Description = "test",
    };

    private static JsonNode Trust(FreshStack s) =>
        JsonNode.Parse(s.Single("aws_iam_role")["assume_role_policy"]!.GetValue<string>())!["Statement"]![0]!;

    [Test]
    public void Default_TheServiceMayAssumeItForThisAccountOnly()
    {
        var s = new FreshStack();
        var role = new ServiceRole(s.Stack, "role", Config);

        var trust = Trust(s);

        Assert.Multiple(() =>
        {
            Assert.That(trust["Principal"]!["Service"]!.GetValue<string>(), Is.EqualTo("pipes.amazonaws.com"));
            Assert.That(trust["Condition"]!.AsObject().Select(p => p.Key), Is.EqualTo(new[] { "StringEquals" }));
            Assert.That(trust["Condition"]!["StringEquals"]!["aws:SourceAccount"]!.ToJsonString(), Does.Contain(FreshStack.Account));
            Assert.That(role.GranteeName, Is.EqualTo("fraud-detection-test-role"));
            Assert.That(s.Single("aws_iam_role_policy")["name"]!.GetValue<string>(), Is.EqualTo("least-privilege"));
        });
    }

    [Test]
    public void SourceArnLike_AddsAnArnLikeCondition()
    {
        var s = new FreshStack();
        _ = new ServiceRole(s.Stack, "role", Config with { SourceArnLike = "arn:aws:bedrock:us-east-1:111111111111:agent/*" });

        Assert.That(Trust(s)["Condition"]!["ArnLike"]!["aws:SourceArn"]!.ToJsonString(), Does.Contain("agent/*"));
    }

    [Test]
    public void SourceArns_AreArnEquals_OrArnLikeWhenOneHasAWildcard()
    {
        var exact = new FreshStack();
        _ = new ServiceRole(exact.Stack, "role", Config with { SourceArns = ["arn:aws:pipes:us-east-1:111111111111:pipe/p"] });
        var wildcard = new FreshStack();
        _ = new ServiceRole(wildcard.Stack, "role", Config with { SourceArns = ["arn:aws:events:us-east-1:111111111111:rule/bus/*"] });

        Assert.That(Trust(exact)["Condition"]!["ArnEquals"], Is.Not.Null);
        Assert.That(Trust(wildcard)["Condition"]!["ArnLike"], Is.Not.Null);
    }

    [Test]
    public void BothSourceArnLikeAndSourceArns_Fail()
    {
        var s = new FreshStack();

        var e = Assert.Throws<ArgumentException>(() => new ServiceRole(s.Stack, "role", Config with
        {
            SourceArnLike = "arn:aws:pipes:us-east-1:111111111111:pipe/*",
            SourceArns = ["arn:aws:pipes:us-east-1:111111111111:pipe/p"],
        }));

        Assert.That(e!.Message, Does.Contain("ServiceRole 'fraud-detection-test-role': both SourceArnLike and SourceArns are set. Fix:"));
    }

    [Test]
    public void Grants_AreRenderedIntoTheInlinePolicyAtSynth()
    {
        var s = new FreshStack();
        var role = new ServiceRole(s.Stack, "role", Config);

        role.Policy.Add(new PolicyStatement { Sid = "Late", Actions = ["sqs:SendMessage"], Resources = ["arn:aws:sqs:us-east-1:111111111111:q"] });

        Assert.That(s.Single("aws_iam_role_policy")["policy"]!.GetValue<string>(), Does.Contain("\"Late\""));
    }
}
