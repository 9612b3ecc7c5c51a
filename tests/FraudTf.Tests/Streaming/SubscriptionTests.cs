using System.Text.Json.Nodes;
using FraudTf.Config;
using FraudTf.Tests.Support;

namespace FraudTf.Tests.Streaming;

/// <summary>The subscriptions of the alarm and alerts topics and the topic policies that keep Subscribe to them, as synthesized.</summary>
[TestFixture]
public class SubscriptionTests
{

    /// <summary>The topics by the path of their construct and the config part that subscribes them.</summary>
    private static readonly (string Path, Func<NotificationsConfig, TopicNotifications> Of)[] Topics =
    [
        ("/monitoring/alarm-topic", n => n.Alarms),
        ("/alerts-topic", n => n.Alerts),
    ];

    private const string DevLambda = "arn:aws:lambda:us-east-1:111111111111:function:alarm-to-chat";
    private const string DevLambdaAlias = DevLambda + ":live";
    private const string DevWebHook = "https://events.example.com/sns/fraud-detection-dev";
    private const string AlertsReason = "Dev fraud alerts are read from the decisions table by the test harness.";

    private static JsonObject? _custom;

    private static EnvironmentConfig Config(string env) => EnvironmentConfigLoader.LoadAll(Repo.EnvironmentsDir).Single(c => c.Environment == env);

    private static JsonObject Stack(string env) => Synth.Shared.Stack($"fraud-detection-{env}");

    private static string Ref(JsonObject stack, string type, string path, string attribute) => $"${{{stack.Address(type, path)}.{attribute}}}";

    private static IEnumerable<JsonNode> Statements(JsonObject stack, string topicPath) =>
        JsonNode.Parse(stack.Resource("aws_sns_topic_policy", $"{topicPath}/policy")["policy"]!.GetValue<string>())!["Statement"]!.AsArray().Select(s => s!);

    private static IEnumerable<string> Values(JsonNode? node) => node switch
    {
        JsonArray a => a.Select(x => x!.GetValue<string>()),
        JsonValue v => [v.GetValue<string>()],
        _ => [],
    };

    /// <summary>
    /// dev synthesized with alarms to e-mail, an https hook, a function and a function alias, and the alerts topic
    /// left unsubscribed with a reason (loaded through the loader, so the config is one a user could write).
    /// </summary>
    private static JsonObject Custom => _custom ??= Synth.Run([ConfigFixture.Load("dev", j =>
    {
        j["notifications"] = new JsonObject
        {
            ["alarms"] = new JsonArray(
                new JsonObject { ["name"] = "oncall", ["protocol"] = "email", ["endpoint"] = "fraud-oncall+dev@example.com" },
                new JsonObject { ["name"] = "pager", ["protocol"] = "https", ["endpoint"] = DevWebHook },
                new JsonObject { ["name"] = "chatops", ["protocol"] = "lambda", ["endpoint"] = DevLambda },
                new JsonObject { ["name"] = "chatops-live", ["protocol"] = "lambda", ["endpoint"] = DevLambdaAlias }),
            ["alertsUnsubscribedReason"] = AlertsReason,
        };
    })]).Stack("fraud-detection-dev");

    [TestCaseSource(typeof(TestEnvironments), nameof(TestEnvironments.All))]
    public void EveryConfiguredEndpoint_HasOneSubscriptionOnItsTopic(string env)
    {
        var stack = Stack(env);
        var config = Config(env);
        var all = stack.Resources("aws_sns_topic_subscription");
        foreach (var (path, of) in Topics)
        {
            var topicArn = Ref(stack, "aws_sns_topic", $"{path}/this", "arn");
            var expected = of(config.Notifications).Subscriptions;
            var actual = all.Values.Where(s => s["topic_arn"]!.GetValue<string>() == topicArn).ToList();

            Assert.That(actual.Select(s => (s["protocol"]!.GetValue<string>(), s["endpoint"]!.GetValue<string>())),
                Is.EquivalentTo(expected.Select(s => (s.Protocol, s.Endpoint))), $"{env} {path}");
            foreach (var s in expected)
            {
                // The subscription's name keys its construct: the same address in every environment.
                Assert.That(stack.Resource("aws_sns_topic_subscription", $"{path}/subscription-{s.Name}")["endpoint"]!.GetValue<string>(), Is.EqualTo(s.Endpoint));
            }
        }

        Assert.That(all, Has.Count.EqualTo(config.Notifications.Alarms.Subscriptions.Count + config.Notifications.Alerts.Subscriptions.Count));
    }

    [TestCaseSource(typeof(TestEnvironments), nameof(TestEnvironments.All))]
    public void TopicPolicy_DeniesSubscribeToEveryEndpointButTheConfiguredOnes(string env)
    {
        var stack = Stack(env);
        var config = Config(env);
        foreach (var (path, of) in Topics)
        {
            var statements = Statements(stack, path).ToList();
            var deny = statements.Single(s => Values(s["Action"]).Contains("sns:Subscribe") && s["Effect"]!.GetValue<string>() == "Deny");

            Assert.Multiple(() =>
            {
                Assert.That(deny["Principal"]!.GetValue<string>(), Is.EqualTo("*"), path);
                Assert.That(Values(deny["Resource"]).Single(), Is.EqualTo(Ref(stack, "aws_sns_topic", $"{path}/this", "arn")), path);
                Assert.That(Values(deny["Condition"]!["StringNotEquals"]!["sns:Endpoint"]),
                    Is.EquivalentTo(of(config.Notifications).Subscriptions.Select(s => s.Endpoint)), $"{env} {path}: exactly the configured endpoints");
                Assert.That(statements.Where(s => s["Effect"]!.GetValue<string>() == "Allow").SelectMany(s => Values(s["Action"])),
                    Has.None.EqualTo("sns:Subscribe"), $"{path}: no statement grants Subscribe");
            });
        }
    }

    [TestCaseSource(typeof(TestEnvironments), nameof(TestEnvironments.All))]
    public void SubscribedTopics_CarryNoGateException(string env)
    {
        foreach (var (path, _) in Topics)
        {
            Assert.That(Stack(env).Resource("aws_sns_topic", $"{path}/this")["//"]!["gate_exceptions"], Is.Null, path);
        }
    }

    [TestCaseSource(typeof(TestEnvironments), nameof(TestEnvironments.All))]
    public void QueueSubscriptions_KeepTheSnsEnvelope(string env)
    {
        var queues = Stack(env).Resources("aws_sns_topic_subscription").Values.Where(s => s["protocol"]!.GetValue<string>() == "sqs").ToList();

        Assert.That(queues, Is.Not.Empty);
        Assert.That(queues.Select(s => s["raw_message_delivery"]!.GetValue<bool>()), Has.All.False);
    }

    [Test]
    public void LambdaEndpoint_GetsAnInvokePermissionScopedToTheTopic()
    {
        var stack = Custom;
        var topicArn = Ref(stack, "aws_sns_topic", "/monitoring/alarm-topic/this", "arn");
        var permissions = stack.Resources("aws_lambda_permission").Values.Where(p => p["principal"]!.GetValue<string>() == "sns.amazonaws.com").ToList();
        var plain = stack.Resource("aws_lambda_permission", "/monitoring/alarm-topic/subscription-chatops-permission");
        var alias = stack.Resource("aws_lambda_permission", "/monitoring/alarm-topic/subscription-chatops-live-permission");
        var subscription = stack.Resource("aws_sns_topic_subscription", "/monitoring/alarm-topic/subscription-chatops");

        Assert.Multiple(() =>
        {
            Assert.That(permissions, Has.Count.EqualTo(2), "one per lambda endpoint, none for e-mail or https");
            Assert.That(plain["action"]!.GetValue<string>(), Is.EqualTo("lambda:InvokeFunction"));
            Assert.That(plain["function_name"]!.GetValue<string>(), Is.EqualTo(DevLambda));
            Assert.That(plain["qualifier"], Is.Null);
            Assert.That(plain["source_arn"]!.GetValue<string>(), Is.EqualTo(topicArn));
            Assert.That(plain["statement_id"]!.GetValue<string>(), Is.EqualTo("AllowSns-fraud-detection-alarms-dev-chatops"));
            Assert.That(alias["function_name"]!.GetValue<string>(), Is.EqualTo(DevLambda), "the alias goes to qualifier");
            Assert.That(alias["qualifier"]!.GetValue<string>(), Is.EqualTo("live"));
            Assert.That(subscription["protocol"]!.GetValue<string>(), Is.EqualTo("lambda"));
            Assert.That(subscription["endpoint"]!.GetValue<string>(), Is.EqualTo(DevLambda));
            Assert.That(Values(subscription["depends_on"]).Single(),
                Is.EqualTo(stack.Address("aws_lambda_permission", "/monitoring/alarm-topic/subscription-chatops-permission")));
        });
    }

    [Test]
    public void HttpsEndpoint_IsNotAutoConfirmed()
    {
        var hook = Custom.Resource("aws_sns_topic_subscription", "/monitoring/alarm-topic/subscription-pager");
        var mail = Custom.Resource("aws_sns_topic_subscription", "/monitoring/alarm-topic/subscription-oncall");

        Assert.Multiple(() =>
        {
            Assert.That(hook["protocol"]!.GetValue<string>(), Is.EqualTo("https"));
            Assert.That(hook["endpoint"]!.GetValue<string>(), Is.EqualTo(DevWebHook));
            Assert.That(hook["endpoint_auto_confirms"]!.GetValue<bool>(), Is.False);
            Assert.That(hook["raw_message_delivery"]!.GetValue<bool>(), Is.False);
            Assert.That(mail["protocol"]!.GetValue<string>(), Is.EqualTo("email"));
            Assert.That(mail["raw_message_delivery"], Is.Null, "e-mail has no raw mode");
        });
    }

    [Test]
    public void CustomTopicPolicy_ListsExactlyItsFourEndpoints()
    {
        var deny = Statements(Custom, "/monitoring/alarm-topic").Single(s => s["Sid"]!.GetValue<string>() == "DenySubscribeOtherEndpoints");

        Assert.That(Values(deny["Condition"]!["StringNotEquals"]!["sns:Endpoint"]),
            Is.EqualTo(new[] { "fraud-oncall+dev@example.com", DevLambda, DevLambdaAlias, DevWebHook }.Order(StringComparer.Ordinal)));
    }

    [Test]
    public void UnsubscribedTopic_RecordsItsReasonAsGateExceptionAndDeniesEverySubscribe()
    {
        var topic = Custom.Resource("aws_sns_topic", "/alerts-topic/this");
        var topicArn = Ref(Custom, "aws_sns_topic", "/alerts-topic/this", "arn");
        var deny = Statements(Custom, "/alerts-topic").Single(s => Values(s["Action"]).Contains("sns:Subscribe"));

        Assert.Multiple(() =>
        {
            Assert.That(topic["//"]!["gate_exceptions"]!["GATE-SNS-001"]!.GetValue<string>(), Is.EqualTo(AlertsReason));
            Assert.That(Custom.Resources("aws_sns_topic_subscription").Values.Where(s => s["topic_arn"]!.GetValue<string>() == topicArn), Is.Empty);
            Assert.That(deny["Effect"]!.GetValue<string>(), Is.EqualTo("Deny"));
            Assert.That(deny["Principal"]!.GetValue<string>(), Is.EqualTo("*"));
            Assert.That(deny["Condition"], Is.Null, "no endpoint may be subscribed");
        });
    }

    [Test]
    public void TopicWithoutSubscriptionOrReason_FailsSynthEvenWithoutTheLoader()
    {
        var config = Config("dev");
        config = config with { Notifications = config.Notifications with { Alerts = new TopicNotifications { Subscriptions = [] } } };

        var e = Assert.Throws<ArgumentException>(() => Synth.Run([config]))!;

        Assert.That(e.Message, Does.StartWith("Topic fraud-detection-alerts-dev has no subscription and no reason"));
        Assert.That(e.Message, Does.Contain("Fix: subscribe an endpoint or give TopicNotifications.UnsubscribedReason."));
    }
}
