using System.Text.Json.Nodes;
using FraudTf.Security;
using FraudTf.Tests.Support;

namespace FraudTf.Tests.Security;

/// <summary><see cref="PlatformKeys"/> alone on a fresh stack: the three keys, their aliases and the services each admits.</summary>
[TestFixture]
public class PlatformKeysTests
{
    private static PlatformKeysConfig Config => new()
    {
        NamePrefix = "fraud-detection",
        Environment = "test",
        AccountId = FreshStack.Account,
        Region = "eu-west-1",
    };

    private static JsonArray Policy(EncryptionKey key) =>
        JsonNode.Parse(key.Policy.ToJson())!["Statement"]!.AsArray();

    [Test]
    public void ThreeKeys_AliasedPrefixKindEnvironment()
    {
        var s = new FreshStack();
        var keys = new PlatformKeys(s.Stack, "keys", Config);

        Assert.That(new[] { keys.Data, keys.Logs, keys.Messaging }.Select(k => k.AliasName),
            Is.EqualTo(new[] { "alias/fraud-detection-data-test", "alias/fraud-detection-logs-test", "alias/fraud-detection-messaging-test" }));
        Assert.That(s.Synth().Resources("aws_kms_key"), Has.Count.EqualTo(3));
    }

    [Test]
    public void DataKey_AdmitsNoService()
    {
        var s = new FreshStack();
        var keys = new PlatformKeys(s.Stack, "keys", Config);

        Assert.That(Policy(keys.Data), Has.Count.EqualTo(1), "the account root only: services reach it through grants to roles");
    }

    [Test]
    public void LogsKey_AdmitsCloudWatchLogsOfTheRegion_ForTheAccountsLogGroupsOnly()
    {
        var s = new FreshStack();
        var keys = new PlatformKeys(s.Stack, "keys", Config);

        var logs = Policy(keys.Logs)[1]!;

        Assert.That(logs["Principal"]!["Service"]!.GetValue<string>(), Is.EqualTo("logs.eu-west-1.amazonaws.com"));
        Assert.That(logs["Condition"]!["ArnLike"]!["kms:EncryptionContext:aws:logs:arn"]!.ToJsonString(),
            Does.Contain("arn:aws:logs:eu-west-1:111111111111:log-group:*"));
    }

    [Test]
    public void MessagingKey_AdmitsEventBridgeAndCloudWatch_FromTheAccountOnly()
    {
        var s = new FreshStack();
        var keys = new PlatformKeys(s.Stack, "keys", Config with { Partition = "aws-us-gov" });

        var statements = Policy(keys.Messaging);

        Assert.That(statements.Skip(1).Select(st => st!["Principal"]!["Service"]!.GetValue<string>()), Is.EqualTo(new[] { "events.amazonaws.com", "cloudwatch.amazonaws.com" }));
        Assert.That(statements.Skip(1).Select(st => st!["Condition"]!["StringEquals"]!["aws:SourceAccount"]!.ToJsonString()), Has.All.Contains(FreshStack.Account));
        Assert.That(statements[0]!["Principal"]!["AWS"]!.GetValue<string>(), Is.EqualTo("arn:aws-us-gov:iam::111111111111:root"));
    }
}
