using System.Text.Json.Nodes;
using FraudTf.Config;
using FraudTf.Streaming;
using FraudTf.Tests.Support;

namespace FraudTf.Tests.Streaming;

/// <summary><see cref="EncryptedTopic"/> alone on a fresh stack: its policy, subscriptions, validations and errors.</summary>
[TestFixture]
public class EncryptedTopicTests
{
    private const string Reason = "Nobody reads these alerts in the test environment.";

    private static EncryptedTopicConfig Config(FreshStack s, params TopicSubscription[] subscriptions) => new()
    {
        TopicName = "fraud-detection-alerts-test",
        Key = s.Key(),
        AccountId = FreshStack.Account,
        Notifications = new TopicNotifications { Subscriptions = subscriptions, UnsubscribedReason = subscriptions.Length == 0 ? Reason : null },
    };

    private static JsonArray Statements(JsonObject stack) =>
        JsonNode.Parse(stack.Resources("aws_sns_topic_policy").Values.Single()["policy"]!.GetValue<string>())!["Statement"]!.AsArray();

    private static JsonNode Statement(JsonObject stack, string sid) => Statements(stack).Single(st => st!["Sid"]!.GetValue<string>() == sid)!;

    [Test]
    public void Topic_IsEncryptedWithTheKey_ManagedByTheAccountRoot_TlsOnly()
    {
        var s = new FreshStack();
        var topic = new EncryptedTopic(s.Stack, "alerts", Config(s, new TopicSubscription("oncall", "email", "oncall@example.com")));

        var stack = s.Synth();
        var json = stack.Resources("aws_sns_topic").Values.Single();

        Assert.Multiple(() =>
        {
            Assert.That(json["name"]!.GetValue<string>(), Is.EqualTo("fraud-detection-alerts-test"));
            Assert.That(json["kms_master_key_id"]!.GetValue<string>(), Is.EqualTo(s.Resolve(topic.Key.KeyArn)));
            Assert.That(Statement(stack, "OwnerManagesTopic")["Principal"]!["AWS"]!.GetValue<string>(), Is.EqualTo("arn:aws:iam::111111111111:root"));
            Assert.That(Statement(stack, "OwnerManagesTopic")["Action"]!.ToJsonString(), Does.Not.Contain("sns:Subscribe"));
            Assert.That(Statement(stack, "DenyInsecureTransport")["Effect"]!.GetValue<string>(), Is.EqualTo("Deny"));
            Assert.That(topic.TopicName, Is.EqualTo("fraud-detection-alerts-test"));
        });
    }

    [Test]
    public void Partition_NamesTheOwnerInIt()
    {
        var s = new FreshStack();
        _ = new EncryptedTopic(s.Stack, "alerts", Config(s, new TopicSubscription("oncall", "email", "oncall@example.com")) with { Partition = "aws-us-gov" });

        Assert.That(Statement(s.Synth(), "OwnerManagesTopic")["Principal"]!["AWS"]!.GetValue<string>(), Is.EqualTo("arn:aws-us-gov:iam::111111111111:root"));
    }

    [Test]
    public void Subscriptions_OnePerEndpoint_AndSubscribeDeniedToEveryOtherEndpoint()
    {
        var s = new FreshStack();
        _ = new EncryptedTopic(s.Stack, "alerts", Config(s,
            new TopicSubscription("queue", "sqs", "arn:aws:sqs:us-east-1:111111111111:intake"),
            new TopicSubscription("hook", "https", "https://example.com/sns")));

        var stack = s.Synth();
        var subscriptions = stack.Resources("aws_sns_topic_subscription").Values.ToList();
        var deny = Statement(stack, "DenySubscribeOtherEndpoints");

        Assert.Multiple(() =>
        {
            Assert.That(subscriptions.Select(x => x["endpoint"]!.GetValue<string>()), Is.EquivalentTo(new[] { "arn:aws:sqs:us-east-1:111111111111:intake", "https://example.com/sns" }));
            Assert.That(subscriptions.Select(x => x["raw_message_delivery"]!.GetValue<bool>()), Has.All.False, "queues and hooks keep the SNS envelope");
            Assert.That(subscriptions.Single(x => x["protocol"]!.GetValue<string>() == "https")["endpoint_auto_confirms"]!.GetValue<bool>(), Is.False);
            Assert.That(deny["Condition"]!["StringNotEquals"]!["sns:Endpoint"]!.AsArray().Select(v => v!.GetValue<string>()),
                Is.EqualTo(new[] { "arn:aws:sqs:us-east-1:111111111111:intake", "https://example.com/sns" }));
            Assert.That(stack.Resources("aws_sns_topic").Values.Single()["//"]?["gate_exceptions"], Is.Null);
        });
    }

    [Test]
    public void ALambdaSubscription_GetsAnInvokePermissionScopedToTheTopic_WithItsQualifier()
    {
        var s = new FreshStack();
        _ = new EncryptedTopic(s.Stack, "alerts", Config(s, new TopicSubscription("chat", "lambda", "arn:aws:lambda:us-east-1:111111111111:function:chat:live")));

        var stack = s.Synth();
        var permission = stack.Resources("aws_lambda_permission").Values.Single();

        Assert.Multiple(() =>
        {
            Assert.That(permission["function_name"]!.GetValue<string>(), Is.EqualTo("arn:aws:lambda:us-east-1:111111111111:function:chat"));
            Assert.That(permission["qualifier"]!.GetValue<string>(), Is.EqualTo("live"));
            Assert.That(permission["principal"]!.GetValue<string>(), Is.EqualTo("sns.amazonaws.com"));
            Assert.That(permission["statement_id"]!.GetValue<string>(), Is.EqualTo("AllowSns-fraud-detection-alerts-test-chat"));
            Assert.That(permission["source_arn"]!.GetValue<string>(), Does.StartWith("${aws_sns_topic."));
        });
    }

    [Test]
    public void NoSubscription_RecordsTheReasonAsGateException_AndDeniesEverySubscribe()
    {
        var s = new FreshStack();
        _ = new EncryptedTopic(s.Stack, "alerts", Config(s));

        var stack = s.Synth();

        Assert.That(stack.Resources("aws_sns_topic").Values.Single()["//"]!["gate_exceptions"]![EncryptedTopic.UnsubscribedGateRule]!.GetValue<string>(), Is.EqualTo(Reason));
        Assert.That(Statement(stack, "DenyAllSubscriptions")["Condition"], Is.Null);
        Assert.That(stack.Resources("aws_sns_topic_subscription"), Is.Empty);
    }

    [Test]
    public void AllowPublishFrom_LetsTheServicePublishOnlyForTheNamedSources()
    {
        var s = new FreshStack();
        var topic = new EncryptedTopic(s.Stack, "alerts", Config(s));

        topic.AllowPublishFrom("EventsPublish", "events.amazonaws.com", ["arn:aws:events:us-east-1:111111111111:rule/r"]);

        Assert.That(Statement(s.Synth(), "EventsPublish")["Condition"]!["ArnEquals"]!["aws:SourceArn"]!.ToJsonString(), Does.Contain("rule/r"));
    }

    [Test]
    public void NoSubscriptionAndNoReason_Fails()
    {
        var s = new FreshStack();

        var e = Assert.Throws<ArgumentException>(() => new EncryptedTopic(s.Stack, "alerts", Config(s) with
        {
            Notifications = new TopicNotifications { Subscriptions = [] },
        }));

        Assert.That(e!.Message, Does.StartWith("Topic fraud-detection-alerts-test has no subscription and no reason (at least 20 characters) why"));
        Assert.That(e.Message, Does.Contain("Fix: subscribe an endpoint or give TopicNotifications.UnsubscribedReason."));
    }

    [Test]
    public void SubscriptionsAndAReason_Fail()
    {
        var s = new FreshStack();

        var e = Assert.Throws<ArgumentException>(() => new EncryptedTopic(s.Stack, "alerts", Config(s) with
        {
            Notifications = new TopicNotifications { Subscriptions = [new TopicSubscription("oncall", "email", "a@example.com")], UnsubscribedReason = Reason },
        }));

        Assert.That(e!.Message, Does.Contain("has subscriptions and an UnsubscribedReason. Fix: remove the reason or the subscriptions."));
    }

    [Test]
    public void AnUnknownProtocol_Fails()
    {
        var s = new FreshStack();

        var e = Assert.Throws<ArgumentException>(() => new EncryptedTopic(s.Stack, "alerts", Config(s, new TopicSubscription("sms", "sms", "+15555550100"))));

        Assert.That(e!.Message, Does.Contain("subscription 'sms' has protocol 'sms'. Fix: use one of email, https, sqs, lambda."));
    }

    [Test]
    public void ASubscriptionNameUsedTwice_Fails()
    {
        var s = new FreshStack();

        var e = Assert.Throws<ArgumentException>(() => new EncryptedTopic(s.Stack, "alerts", Config(s,
            new TopicSubscription("oncall", "email", "a@example.com"), new TopicSubscription("oncall", "email", "b@example.com"))));

        Assert.That(e!.Message, Does.Contain("subscription name 'oncall' is used twice. Fix: give each subscription its own name."));
    }
}
