using FraudTf.Promotion.Validation.Gate.Data;

namespace FraudTf.Promotion.Tests.Validation.Gate;

/// <summary>GATE-IAM-001: every IAM action a policy names exists.</summary>
public class Gate2IamActionTests
{
    private const string Rule = "GATE-IAM-001";

    private static Gate2Stack Stack(params string[] actions) => new Gate2Stack()
        .Add("aws_iam_role", "r", Gate2Stack.WithPolicy("\"name\":\"r\"", "{}"))
        .Add("aws_iam_role_policy", "p", Gate2Stack.WithPolicy("\"role\":\"${aws_iam_role.r.id}\"", Gate2Stack.Policy(
            $$"""{"Sid":"S","Effect":"Allow","Action":{{System.Text.Json.JsonSerializer.Serialize(actions)}},"Resource":"*"}""")));

    [Test]
    public void RealActionsWildcardsAndAnyCasePass()
    {
        var stack = Stack("dynamodb:PutItem", "DYNAMODB:getitem", "dynamodb:Get*", "s3:*", "kinesis:Put?ecords", "bedrock:InvokeModel", "aoss:APIAccessAll", "*");
        Assert.That(stack.Failures(Rule), Is.Empty);
    }

    [Test]
    public void AMisspelledActionIsReportedWithTheNearestRealOne()
    {
        var f = Stack("dynamodb:GetItem", "dynamodb:PutItems").Failures(Rule).Single();
        Assert.That((f.RuleId, f.Address), Is.EqualTo((Rule, "aws_iam_role_policy.p")));
        Assert.That(f.Message, Does.Contain("'dynamodb:PutItems'").And.Contain("Did you mean 'dynamodb:PutItem'"));
    }

    [Test]
    public void AnUnknownServicePrefixIsReported()
    {
        var f = Stack("dynamo:GetItem").Failures(Rule).Single();
        Assert.That(f.Message, Does.Contain("service prefix 'dynamo'").And.Contain("IamActionCatalogue.cs"));
    }

    [Test]
    public void AWildcardThatMatchesNothingIsReported()
    {
        Assert.That(Stack("kinesis:Foo*").Failures(Rule), Has.Count.EqualTo(1));
    }

    [Test]
    public void ATextWithoutServicePrefixIsReported()
    {
        Assert.That(Stack("GetItem").Failures(Rule).Single().Message, Does.Contain("not an IAM action"));
    }

    [Test]
    public void NotActionsOfResourcePoliciesAreCheckedToo()
    {
        var stack = new Gate2Stack().Add("aws_kms_key", "k", Gate2Stack.WithPolicy("", Gate2Stack.Policy(
            """{"Effect":"Deny","Principal":"*","NotAction":["kms:Decrypt","kms:GenerateDatakeys"],"Resource":"*"}""")));
        var f = stack.Failures(Rule).Single();
        Assert.That(f.Address, Is.EqualTo("aws_kms_key.k"));
        Assert.That(f.Message, Does.Contain("kms:GenerateDatakeys"));
    }

    [Test]
    public void TrustPoliciesAreChecked()
    {
        var stack = new Gate2Stack().Add("aws_iam_role", "r", """{"name":"r","assume_role_policy":"{\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"Service\":\"pipes.amazonaws.com\"},\"Action\":\"sts:AssumeRoles\"}]}"}""");
        Assert.That(stack.Failures(Rule).Single().Address, Is.EqualTo("aws_iam_role.r"));
    }

    [Test]
    public void TheCatalogueHoldsEveryServiceTheProjectUses()
    {
        string[] used = ["dynamodb", "s3", "kinesis", "sqs", "sns", "kms", "logs", "xray", "events", "pipes", "lambda", "bedrock", "aoss", "sts", "iam", "cloudwatch", "ec2"];
        Assert.That(IamActionCatalogue.Actions.Keys, Is.EquivalentTo(used));
        foreach (var (prefix, actions) in IamActionCatalogue.Actions)
        {
            Assert.That(actions, Is.Not.Empty.And.Ordered.Using((IComparer<string>)StringComparer.Ordinal).And.Unique, prefix);
            Assert.That(actions, Has.All.Match("^[A-Z][A-Za-z0-9]*$"), prefix);
        }
    }
}
