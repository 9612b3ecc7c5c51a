namespace FraudTf.Promotion.Tests.Validation.Gate;

/// <summary>GATE-SNS-001 (a topic has a subscription) and GATE-SNS-002 (nobody subscribes an arbitrary endpoint).</summary>
public class Gate2SnsTests
{
    private const string Root = """{"Sid":"Owner","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111111111111:root"},"Action":["sns:Publish","sns:Subscribe"],"Resource":"${aws_sns_topic.t.arn}"}""";
    private const string EndpointDeny = """{"Sid":"OnlyOurEndpoints","Effect":"Deny","Principal":"*","Action":"sns:Subscribe","Resource":"${aws_sns_topic.t.arn}","Condition":{"StringNotLike":{"sns:Endpoint":["*@example.com","arn:aws:lambda:us-east-1:111111111111:function:f"]}}}""";

    private static Gate2Stack Subscribed() => new Gate2Stack()
        .Add("aws_sns_topic", "t", """{"name":"alerts"}""")
        .Add("aws_sns_topic_subscription", "s", """{"topic_arn":"${aws_sns_topic.t.arn}","protocol":"email","endpoint":"oncall@example.com"}""")
        .Add("aws_sns_topic_policy", "p", Gate2Stack.WithPolicy("\"arn\":\"${aws_sns_topic.t.arn}\"", Gate2Stack.Policy(Root, EndpointDeny)));

    [Test]
    public void ATopicWithASubscriptionPasses()
    {
        Assert.That(Subscribed().Failures("GATE-SNS-001"), Is.Empty);
    }

    [Test]
    public void ATopicWithoutSubscriptionIsReported()
    {
        var stack = Subscribed().Remove("aws_sns_topic_subscription", "s");
        var f = stack.Failures("GATE-SNS-001").Single();
        Assert.That((f.RuleId, f.Address), Is.EqualTo(("GATE-SNS-001", "aws_sns_topic.t")));
        Assert.That(f.Message, Does.Contain("delivered to nobody"));
    }

    [Test]
    public void ASubscriptionOfAnotherTopicDoesNotCount()
    {
        var stack = Subscribed()
            .Add("aws_sns_topic", "other", """{"name":"other"}""")
            .Add("aws_sns_topic_subscription", "s", """{"topic_arn":"${aws_sns_topic.other.arn}","protocol":"sqs","endpoint":"arn:aws:sqs:us-east-1:111111111111:q"}""");
        Assert.That(stack.Failures("GATE-SNS-001").Select(f => f.Address), Is.EqualTo(new[] { "aws_sns_topic.t" }));
    }

    [Test]
    public void ALiteralTopicArnSubscriptionCounts()
    {
        var stack = Subscribed();
        stack.Body("aws_sns_topic_subscription", "s")["topic_arn"] = "arn:aws:sns:us-east-1:111111111111:alerts";
        Assert.That(stack.Failures("GATE-SNS-001"), Is.Empty);
    }

    [Test]
    public void ATopicSubscribedElsewhereIsExceptedWithAReason()
    {
        var stack = Subscribed().Remove("aws_sns_topic_subscription", "s");
        stack.Body("aws_sns_topic", "t")["//"] = new System.Text.Json.Nodes.JsonObject
        {
            ["gate_exceptions"] = new System.Text.Json.Nodes.JsonObject { ["GATE-SNS-001"] = "Subscribed by the on-call stack of the operations account." },
        };
        var result = stack.Gate("GATE-SNS-001");
        Assert.That(result.Failures, Is.Empty);
        Assert.That(result.Excepted.Single().Finding.Address, Is.EqualTo("aws_sns_topic.t"));
    }

    [Test]
    public void AnEndpointRestrictingDenyPasses()
    {
        Assert.That(Subscribed().Failures("GATE-SNS-002"), Is.Empty);
    }

    [Test]
    public void APolicyThatGrantsSubscribeToNoOnePasses()
    {
        var stack = Subscribed().Add("aws_sns_topic_policy", "p", Gate2Stack.WithPolicy("\"arn\":\"${aws_sns_topic.t.arn}\"", Gate2Stack.Policy(
            """{"Effect":"Allow","Principal":{"Service":"cloudwatch.amazonaws.com"},"Action":"sns:Publish","Resource":"${aws_sns_topic.t.arn}"}""")));
        Assert.That(stack.Failures("GATE-SNS-002"), Is.Empty);
    }

    [Test]
    public void SubscribeToTheAccountRootWithoutDenyIsReported()
    {
        var stack = Subscribed().Add("aws_sns_topic_policy", "p", Gate2Stack.WithPolicy("\"arn\":\"${aws_sns_topic.t.arn}\"", Gate2Stack.Policy(Root)));
        var f = stack.Failures("GATE-SNS-002").Single();
        Assert.That((f.RuleId, f.Address), Is.EqualTo(("GATE-SNS-002", "aws_sns_topic.t")));
        Assert.That(f.Message, Does.Contain("'Owner'").And.Contain("sns:Endpoint"));
    }

    [Test]
    public void AWildcardAllowNeedsTheDenyToo()
    {
        var stack = Subscribed().Add("aws_sns_topic_policy", "p", Gate2Stack.WithPolicy("\"arn\":\"${aws_sns_topic.t.arn}\"", Gate2Stack.Policy(
            """{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111111111111:root"},"Action":"SNS:*","Resource":"${aws_sns_topic.t.arn}"}""")));
        Assert.That(stack.Failures("GATE-SNS-002").Select(f => f.Address), Is.EqualTo(new[] { "aws_sns_topic.t" }));
    }

    [Test]
    public void ADenyNarrowedByAnotherConditionDoesNotCount()
    {
        const string narrowed = """{"Effect":"Deny","Principal":"*","Action":"sns:Subscribe","Resource":"${aws_sns_topic.t.arn}","Condition":{"StringNotLike":{"sns:Endpoint":"*@example.com"},"Bool":{"aws:SecureTransport":"false"}}}""";
        var stack = Subscribed().Add("aws_sns_topic_policy", "p", Gate2Stack.WithPolicy("\"arn\":\"${aws_sns_topic.t.arn}\"", Gate2Stack.Policy(Root, narrowed)));
        Assert.That(stack.Failures("GATE-SNS-002").Select(f => f.Address), Is.EqualTo(new[] { "aws_sns_topic.t" }));
    }

    [Test]
    public void ADenyOnProtocolOnlyDoesNotRestrictTheEndpoint()
    {
        const string protocol = """{"Effect":"Deny","Principal":{"AWS":"*"},"Action":"sns:Subscribe","Resource":"${aws_sns_topic.t.arn}","Condition":{"StringNotEquals":{"sns:Protocol":"email"}}}""";
        var stack = Subscribed().Add("aws_sns_topic_policy", "p", Gate2Stack.WithPolicy("\"arn\":\"${aws_sns_topic.t.arn}\"", Gate2Stack.Policy(Root, protocol)));
        Assert.That(stack.Failures("GATE-SNS-002"), Has.Count.EqualTo(1));
    }

    [Test]
    public void ATopicWithoutPolicyHasTheDefaultOneAndIsReported()
    {
        var stack = Subscribed().Remove("aws_sns_topic_policy", "p");
        var f = stack.Failures("GATE-SNS-002").Single();
        Assert.That((f.RuleId, f.Address), Is.EqualTo(("GATE-SNS-002", "aws_sns_topic.t")));
        Assert.That(f.Message, Does.Contain("default"));
    }

    [Test]
    public void TheTopicsOwnPolicyArgumentIsRead()
    {
        var stack = Subscribed().Remove("aws_sns_topic_policy", "p")
            .Add("aws_sns_topic", "t", Gate2Stack.WithPolicy("\"name\":\"alerts\"", Gate2Stack.Policy(Root, EndpointDeny)));
        Assert.That(stack.Failures("GATE-SNS-002"), Is.Empty);
    }
}
