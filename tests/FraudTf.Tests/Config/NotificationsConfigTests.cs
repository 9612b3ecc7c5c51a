using System.Text.Json.Nodes;
using FraudTf.Config;
using FraudTf.Tests.Support;

namespace FraudTf.Tests.Config;

/// <summary>The <c>notifications</c> block: who receives the alarm topic's and the alerts topic's messages.</summary>
[TestFixture]
public class NotificationsConfigTests
{
    private static JsonObject Sub(string name, string protocol, string endpoint) =>
        new() { ["name"] = name, ["protocol"] = protocol, ["endpoint"] = endpoint };

    /// <summary>The errors of the real configs with staging's alarm subscribers replaced by <paramref name="subs"/>.</summary>
    private static IReadOnlyList<string> AlarmErrors(params JsonObject[] subs) =>
        ConfigFixture.Errors(ConfigFixture.Folder("staging", j => j["notifications"]!["alarms"] = new JsonArray(subs.Cast<JsonNode>().ToArray())));

    private static void AssertOneError(IReadOnlyList<string> errors, string field, string value, string problem, string fix)
    {
        Assert.That(errors, Has.Count.EqualTo(1), string.Join("\n", errors));
        Assert.That(errors[0], Does.StartWith($"environments/staging.json: field '{field}' = {value}: {problem}"));
        Assert.That(errors[0], Does.Contain($"Fix: {fix}"));
    }

    [Test]
    public void RealConfigs_SubscribeBothTopicsInEveryEnvironment()
    {
        foreach (var c in EnvironmentConfigLoader.LoadAll(Repo.EnvironmentsDir))
        {
            Assert.Multiple(() =>
            {
                Assert.That(c.Notifications.Alarms.Subscriptions, Is.Not.Empty, c.Environment);
                Assert.That(c.Notifications.Alerts.Subscriptions, Is.Not.Empty, c.Environment);
                Assert.That(c.Notifications.Alarms.UnsubscribedReason, Is.Null, c.Environment);
                Assert.That(c.Notifications.Alerts.UnsubscribedReason, Is.Null, c.Environment);
            });
        }
    }

    [Test]
    public void RealConfigs_UseTheSameSubscriptionNamesAndProtocolsInEveryEnvironment()
    {
        // Promotion compares stacks block by block: the same names keep the same Terraform addresses.
        var shapes = EnvironmentConfigLoader.LoadAll(Repo.EnvironmentsDir)
            .Select(c => string.Join(",", c.Notifications.Alarms.Subscriptions.Concat(c.Notifications.Alerts.Subscriptions).Select(s => $"{s.Name}/{s.Protocol}")))
            .Distinct().ToList();

        Assert.That(shapes, Has.Count.EqualTo(1));
    }

    [Test]
    public void EveryProtocol_LoadsWithItsEndpoint()
    {
        var staging = ConfigFixture.Load("staging", j => j["notifications"]!["alarms"] = new JsonArray(
            Sub("oncall", "email", "fraud-oncall+staging@example.com"),
            Sub("pager", "https", "https://events.example.com/sns/fraud?team=fraud"),
            Sub("archive", "sqs", "arn:aws:sqs:us-west-2:222222222222:alarm-archive"),
            Sub("chatops", "lambda", "arn:aws:lambda:us-east-1:222222222222:function:alarm-to-chat:live")));

        Assert.That(staging.Notifications.Alarms.Subscriptions, Is.EqualTo(new[]
        {
            new TopicSubscription("oncall", "email", "fraud-oncall+staging@example.com"),
            new TopicSubscription("pager", "https", "https://events.example.com/sns/fraud?team=fraud"),
            new TopicSubscription("archive", "sqs", "arn:aws:sqs:us-west-2:222222222222:alarm-archive"),
            new TopicSubscription("chatops", "lambda", "arn:aws:lambda:us-east-1:222222222222:function:alarm-to-chat:live"),
        }));
    }

    [TestCase("sms", "is not a supported protocol (FraudTf subscribes email, https, sqs, lambda)", "use one of email, https, sqs, lambda")]
    [TestCase("email-json", "is not a supported protocol", "use \"email\"")]
    [TestCase("SQS", "is not a supported protocol", "use one of email, https, sqs, lambda")]
    public void UnsupportedProtocol_Fails(string protocol, string problem, string fix)
    {
        var errors = AlarmErrors(Sub("oncall", protocol, "fraud-oncall@example.com"));

        AssertOneError(errors, "notifications.alarms[0].protocol", $"\"{protocol}\"", problem, fix);
    }

    [Test]
    public void Http_FailsWithFixToUseHttps()
    {
        var errors = AlarmErrors(Sub("pager", "http", "http://events.example.com/sns"));

        AssertOneError(errors, "notifications.alarms[0].protocol", "\"http\"",
            "is not allowed: http delivers alarms and fraud alerts unencrypted", "use \"https\" with an https:// endpoint");
    }

    [TestCase("email", "oncall-at-example.com", "is not an e-mail address", "give one address such as")]
    [TestCase("email", "On Call <oncall@example.com>", "is not an e-mail address", "give one address such as \"fraud-oncall@example.com\" (no display name")]
    [TestCase("email", "oncall@localhost", "is not an e-mail address", "give one address such as")]
    [TestCase("https", "events.example.com/sns", "is not an https URL", "give the full URL")]
    [TestCase("https", "http://events.example.com/sns", "is an http:// URL: SNS would deliver alarms and fraud alerts unencrypted", "use the endpoint's https:// URL")]
    [TestCase("https", "https://user:secret@events.example.com/sns", "embeds credentials", "remove them")]
    [TestCase("https", "https://localhost/sns", "has host 'localhost', not a public DNS name", "use the endpoint's fully qualified DNS name")]
    [TestCase("sqs", "case-intake", "is not an ARN of an SQS queue", "give its ARN, e.g. \"arn:aws:sqs:")]
    [TestCase("sqs", "arn:aws:sqs:us-east-1:22222222222:case-intake", "has account '22222222222', not a 12-digit account id", "give the ARN of an SQS queue")]
    [TestCase("sqs", "arn:aws:sqs:us-east-1:222222222222:case-intake.fifo", "is a FIFO queue: a standard SNS topic cannot deliver to a FIFO queue", "subscribe a standard queue")]
    [TestCase("sqs", "arn:aws:sqs:us-east-1:222222222222:case intake", "does not end in a queue name", "copy the QueueArn")]
    [TestCase("lambda", "arn:aws:lambda:us-east-1:222222222222:layer:tools:3", "does not name a function", "copy the FunctionArn")]
    public void MalformedEndpoint_Fails(string protocol, string endpoint, string problem, string fix)
    {
        var errors = AlarmErrors(Sub("target", protocol, endpoint));

        AssertOneError(errors, "notifications.alarms[0].endpoint", $"\"{endpoint}\"", problem, fix);
    }

    [TestCase("sqs", "arn:aws:lambda:us-east-1:222222222222:function:case-intake", "is an ARN of service 'lambda', not of an SQS queue", "use protocol \"lambda\" for it")]
    [TestCase("lambda", "arn:aws:sqs:us-east-1:222222222222:case-intake", "is an ARN of service 'sqs', not of a Lambda function", "use protocol \"sqs\" for it")]
    [TestCase("lambda", "arn:aws:sns:us-east-1:222222222222:other-topic", "is an ARN of service 'sns', not of a Lambda function", "give the ARN of a Lambda function")]
    public void ArnOfTheWrongService_Fails(string protocol, string endpoint, string problem, string fix)
    {
        var errors = AlarmErrors(Sub("target", protocol, endpoint));

        AssertOneError(errors, "notifications.alarms[0].endpoint", $"\"{endpoint}\"", problem, fix);
    }

    [TestCase("arn:aws-cn:sqs:cn-north-1:222222222222:case-intake", "is in partition 'aws-cn', but the environment deploys to partition 'aws' (us-east-1)", "use an ARN starting arn:aws:sqs:")]
    [TestCase("arn:aws:sqs:us-gov-west-1:222222222222:case-intake", "has region 'us-gov-west-1', not a region of partition 'aws'", "give the region of an SQS queue")]
    [TestCase("arn:aws:sqs:us-east-1a:222222222222:case-intake", "has region 'us-east-1a', not a region of partition 'aws'", "give the region of an SQS queue")]
    [TestCase("arn:aws:sqs:us-east-1:999999999999:case-intake", "is in account 999999999999, not the environment's account 222222222222", "use an SQS queue of account 222222222222")]
    public void QueueArn_OutsideTheEnvironmentsPartitionOrAccount_Fails(string endpoint, string problem, string fix)
    {
        var errors = AlarmErrors(Sub("case-intake", "sqs", endpoint));

        AssertOneError(errors, "notifications.alarms[0].endpoint", $"\"{endpoint}\"", problem, fix);
    }

    [Test]
    public void QueueInAnotherRegionOfThePartition_Loads()
    {
        // SNS delivers to queues in other regions; the subscription is made with the topic's (the stack's) provider.
        var staging = ConfigFixture.Load("staging", j => j["notifications"]!["alerts"] =
            new JsonArray(Sub("case-intake", "sqs", "arn:aws:sqs:eu-west-1:222222222222:case-intake")));

        Assert.That(staging.Notifications.Alerts.Subscriptions.Single().Endpoint, Does.Contain(":eu-west-1:"));
    }

    [Test]
    public void FunctionInAnotherRegion_Fails()
    {
        const string arn = "arn:aws:lambda:us-west-2:222222222222:function:alarm-to-chat";
        var errors = AlarmErrors(Sub("chatops", "lambda", arn));

        AssertOneError(errors, "notifications.alarms[0].endpoint", $"\"{arn}\"",
            "is in region us-west-2, not the environment's region us-east-1", "subscribe a function in us-east-1");
    }

    [Test]
    public void DuplicateEndpoint_Fails()
    {
        var errors = AlarmErrors(Sub("oncall", "email", "fraud-oncall@example.com"), Sub("oncall-2", "email", "Fraud-Oncall@example.com"));

        AssertOneError(errors, "notifications.alarms[1].endpoint", "\"Fraud-Oncall@example.com\"",
            "is subscribed twice to fraud-detection-alarms-staging", "remove the duplicate subscription");
    }

    [Test]
    public void DuplicateName_Fails()
    {
        var errors = AlarmErrors(Sub("oncall", "email", "a@example.com"), Sub("oncall", "email", "b@example.com"));

        AssertOneError(errors, "notifications.alarms[1].name", "\"oncall\"",
            "is used twice among the subscriptions of fraud-detection-alarms-staging", "give each subscription of a topic its own name");
    }

    [Test]
    public void MissingName_Fails()
    {
        var errors = AlarmErrors(new JsonObject { ["protocol"] = "email", ["endpoint"] = "a@example.com" });

        AssertOneError(errors, "notifications.alarms[0].name", "(missing)", "this field is required", "name the subscription");
    }

    [Test]
    public void UnknownSubscriptionField_FailsWithItsPath()
    {
        var sub = Sub("case-intake", "sqs", "arn:aws:sqs:us-east-1:222222222222:case-intake");
        sub["rawMessageDelivery"] = true;
        var errors = ConfigFixture.Errors(ConfigFixture.Folder("staging", j => j["notifications"]!["alerts"] = new JsonArray(sub)));

        Assert.That(errors.Single(), Does.StartWith("environments/staging.json: field 'notifications.alerts[0].rawMessageDelivery' = true: unknown field."));
    }

    [Test]
    public void TopicWithoutSubscriptionOrReason_Fails()
    {
        var errors = ConfigFixture.Errors(ConfigFixture.Folder("staging", j => j["notifications"]!.AsObject().Remove("alerts")));

        AssertOneError(errors, "notifications.alerts", "(missing)",
            "fraud-detection-alerts-staging has no subscription: every fraud alert would reach nobody",
            "subscribe someone, e.g. \"alerts\": [{\"name\": \"oncall\"");
        Assert.That(errors[0], Does.Contain("or set notifications.alertsUnsubscribedReason to say why"));
    }

    [Test]
    public void EmptySubscriptionList_WithoutReason_Fails()
    {
        var errors = AlarmErrors();

        AssertOneError(errors, "notifications.alarms", "[]",
            "fraud-detection-alarms-staging has no subscription: every alarm would reach nobody", "subscribe someone");
    }

    [Test]
    public void MissingNotificationsBlock_Fails()
    {
        var errors = ConfigFixture.Errors(ConfigFixture.Folder("staging", j => j.Remove("notifications")));

        AssertOneError(errors, "notifications", "(missing)", "this field is required", "add a \"notifications\" object");
    }

    [Test]
    public void Reason_LeavesTheTopicUnsubscribed()
    {
        const string reason = "Dev alarms are read on the dashboard; nobody is paged for dev.";
        var dev = ConfigFixture.Load("dev", j =>
        {
            j["notifications"]!.AsObject().Remove("alarms");
            j["notifications"]!["alarmsUnsubscribedReason"] = reason;
        });

        Assert.That(dev.Notifications.Alarms.Subscriptions, Is.Empty);
        Assert.That(dev.Notifications.Alarms.UnsubscribedReason, Is.EqualTo(reason));
    }

    [Test]
    public void ShortReason_Fails()
    {
        var errors = ConfigFixture.Errors(ConfigFixture.Folder("staging", j =>
        {
            j["notifications"]!["alarms"] = new JsonArray();
            j["notifications"]!["alarmsUnsubscribedReason"] = "not needed";
        }));

        AssertOneError(errors, "notifications.alarmsUnsubscribedReason", "\"not needed\"",
            "is too short to explain anything (at least 20 characters)", "say who watches fraud-detection-alarms-staging's messages instead");
    }

    [Test]
    public void ReasonTogetherWithSubscriptions_Fails()
    {
        var errors = ConfigFixture.Errors(ConfigFixture.Folder("staging", j =>
            j["notifications"]!["alertsUnsubscribedReason"] = "Alerts are read from the decisions table by the case tool."));

        AssertOneError(errors, "notifications.alertsUnsubscribedReason", "\"Alerts are read from the decisions table by the case tool.\"",
            "is set although notifications.alerts has 1 subscription(s)", "remove notifications.alertsUnsubscribedReason (the topic is subscribed) or remove the subscriptions");
    }

    [Test]
    public void XRaySamplingRate_IsRemovedWithTheReason()
    {
        var errors = ConfigFixture.Errors(ConfigFixture.Folder("staging", j => j["monitoring"] = new JsonObject { ["xraySamplingRate"] = 0.05 }));

        AssertOneError(errors, "monitoring.xraySamplingRate", "0.05",
            "is no longer a setting: Lambda's active tracing samples at a fixed rate (1 request per second and 5% of additional requests) that cannot be configured",
            "delete monitoring.xraySamplingRate");
        Assert.That(errors[0], Does.Contain("the rule fraud-detection-xray-<env> was removed"));
    }
}
