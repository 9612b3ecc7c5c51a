using System.Text.Json.Nodes;
using FraudTf.Security;
using FraudTf.Streaming;
using FraudTf.Tests.Support;

namespace FraudTf.Tests.Streaming;

/// <summary><see cref="EncryptedQueue"/> alone on a fresh stack: defaults, options, validations and grants.</summary>
[TestFixture]
public class EncryptedQueueTests
{
    private static EncryptedQueueConfig Config(FreshStack s) => new() { QueueName = "fraud-detection-dlq-test", Key = s.Key(), Region = "us-east-1" };

    private static JsonArray Statements(FreshStack s) =>
        JsonNode.Parse(s.Single("aws_sqs_queue_policy")["policy"]!.GetValue<string>())!["Statement"]!.AsArray();

    [Test]
    public void Defaults_EncryptedWithTheKey_KeptFourteenDays_TlsOnly()
    {
        var s = new FreshStack();
        var queue = new EncryptedQueue(s.Stack, "dlq", Config(s));

        var json = s.Single("aws_sqs_queue");
        var statement = Statements(s).Single()!;

        Assert.Multiple(() =>
        {
            Assert.That(json["name"]!.GetValue<string>(), Is.EqualTo("fraud-detection-dlq-test"));
            Assert.That(json["kms_master_key_id"]!.GetValue<string>(), Is.EqualTo(s.Resolve(queue.Config.Key.KeyArn)));
            Assert.That(json["message_retention_seconds"]!.GetValue<int>(), Is.EqualTo(14 * 86400));
            Assert.That(statement["Sid"]!.GetValue<string>(), Is.EqualTo("DenyInsecureTransport"));
            Assert.That(statement["Effect"]!.GetValue<string>(), Is.EqualTo("Deny"));
        });
    }

    [Test]
    public void RetentionDays_IsWrittenOutInSeconds()
    {
        var s = new FreshStack();
        _ = new EncryptedQueue(s.Stack, "dlq", Config(s) with { RetentionDays = 4 });

        Assert.That(s.Single("aws_sqs_queue")["message_retention_seconds"]!.GetValue<int>(), Is.EqualTo(4 * 86400));
    }

    [TestCase(0)]
    [TestCase(15)]
    public void RetentionOutOfRange_Fails(int days)
    {
        var s = new FreshStack();

        var e = Assert.Throws<ArgumentException>(() => new EncryptedQueue(s.Stack, "dlq", Config(s) with { RetentionDays = days }));

        Assert.That(e!.Message, Does.Contain($"EncryptedQueue 'dlq' (fraud-detection-dlq-test): RetentionDays = {days}. Fix: SQS keeps messages 1 to 14 days."));
    }

    [Test]
    public void QueueName_IsTheConfiguredLiteral_AndTheUrlAReference()
    {
        var s = new FreshStack();
        var queue = new EncryptedQueue(s.Stack, "dlq", Config(s));

        Assert.That(queue.QueueName, Is.EqualTo("fraud-detection-dlq-test"));
        Assert.That(s.Resolve(queue.QueueUrl), Does.StartWith("${aws_sqs_queue.").And.EndWith(".url}"), "AWS assigns the URL");
    }

    [Test]
    public void AllowSendFrom_LetsTheServiceSendOnlyForTheNamedSources()
    {
        var s = new FreshStack();
        var queue = new EncryptedQueue(s.Stack, "dlq", Config(s));

        queue.AllowSendFrom("EventsSend", "events.amazonaws.com", ["arn:aws:events:us-east-1:111111111111:rule/r"]);

        var allow = Statements(s).Single(st => st!["Sid"]!.GetValue<string>() == "EventsSend")!;
        Assert.That(allow["Principal"]!["Service"]!.GetValue<string>(), Is.EqualTo("events.amazonaws.com"));
        Assert.That(allow["Condition"]!["ArnEquals"]!["aws:SourceArn"]!.ToJsonString(), Does.Contain("rule/r"));
    }

    [Test]
    public void GrantSend_AllowsSendingAndTheKeyThroughSqs()
    {
        var s = new FreshStack();
        var queue = new EncryptedQueue(s.Stack, "dlq", Config(s));
        var policy = new PolicyDocument();

        queue.GrantSend(new TestGrantee(policy));

        Assert.That(policy.Statements.Single(st => st.Sid == "DlqQueueSend").Actions, Is.EqualTo(Permissions.SqsSend));
        Assert.That(policy.Statements.Single(st => st.Sid == "DlqQueueSendKey").Conditions.Single().Values.Single(), Is.EqualTo("sqs.us-east-1.amazonaws.com"));
    }

    [Test]
    public void GrantSendMessage_Twice_IsOneStatement()
    {
        var s = new FreshStack();
        var queue = new EncryptedQueue(s.Stack, "dlq", Config(s));
        var policy = new PolicyDocument();

        // A function's code sends to its dead-letter queue, and Lambda sends its failed events there too: one grant.
        var first = queue.GrantSendMessage(new TestGrantee(policy));
        var second = queue.GrantSendMessage(new TestGrantee(policy));

        Assert.That(policy.Statements.Count(st => st.Sid == "DlqQueueSendMessage"), Is.EqualTo(1));
        Assert.That(first.Statements.Select(st => st.Sid), Is.EqualTo(new[] { "DlqQueueSendMessage", "DlqQueueSendMessageKey" }), "the grant returns what it added");
        Assert.That(second.Statements, Is.Empty, "the same grant again adds nothing");
        Assert.That(policy.Statements.Single(st => st.Sid == "DlqQueueSendMessage").Actions, Is.EqualTo(new[] { "sqs:SendMessage" }));
    }
}
