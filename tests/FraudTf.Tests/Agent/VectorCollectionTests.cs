using System.Text.Json.Nodes;
using FraudTf.Agent;
using FraudTf.Tests.Support;

namespace FraudTf.Tests.Agent;

/// <summary><see cref="VectorCollection"/> alone on a fresh stack: its three policies, options, validations and errors.</summary>
[TestFixture]
public class VectorCollectionTests
{
    private const string Reason = "No VPC yet: every request is still signed and checked against the data-access policy.";

    private static VectorCollectionConfig Config(FreshStack s) => new()
    {
        CollectionName = "fraud-detection-kb-test",
        IndexName = "fraud-patterns",
        Key = s.Key(),
        StandbyReplicas = false,
        PublicEndpointReason = Reason,
    };

    private static JsonObject Policy(JsonObject stack, string type) =>
        stack.Resources("aws_opensearchserverless_security_policy").Values.Single(p => p["type"]!.GetValue<string>() == type);

    [Test]
    public void Collection_IsEncryptedWithTheKey_ReachableAtItsEndpointOnly_AndDataAccessIsPerRole()
    {
        var s = new FreshStack();
        var collection = new VectorCollection(s.Stack, "collection", Config(s));
        collection.Grant(new VectorCollectionAccess("reader", "arn:aws:iam::111111111111:role/reader", ["aoss:ReadDocument"], ["aoss:DescribeCollectionItems"]));

        var stack = s.Synth();
        var encryption = JsonNode.Parse(Policy(stack, "encryption")["policy"]!.GetValue<string>())!;
        var network = JsonNode.Parse(Policy(stack, "network")["policy"]!.GetValue<string>())![0]!;
        var access = JsonNode.Parse(stack.Resources("aws_opensearchserverless_access_policy").Values.Single()["policy"]!.GetValue<string>())![0]!;
        var json = stack.Resources("aws_opensearchserverless_collection").Values.Single();

        Assert.Multiple(() =>
        {
            Assert.That(encryption["AWSOwnedKey"]!.GetValue<bool>(), Is.False);
            Assert.That(encryption["KmsARN"]!.GetValue<string>(), Is.EqualTo(s.Resolve(collection.Config.Key.KeyArn)));
            Assert.That(network["Rules"]!.AsArray().Select(r => r!["ResourceType"]!.GetValue<string>()), Is.EqualTo(new[] { "collection" }), "no dashboards");
            Assert.That(Policy(stack, "network")["//"]!["policy_exceptions"]!["FTF-AOSS-002"]!.GetValue<string>(), Is.EqualTo(Reason));
            Assert.That(access["Principal"]![0]!.GetValue<string>(), Is.EqualTo("arn:aws:iam::111111111111:role/reader"));
            Assert.That(access["Rules"]![0]!["Resource"]![0]!.GetValue<string>(), Is.EqualTo("index/fraud-detection-kb-test/fraud-patterns"));
            Assert.That(json["type"]!.GetValue<string>(), Is.EqualTo("VECTORSEARCH"));
            Assert.That(json["standby_replicas"]!.GetValue<string>(), Is.EqualTo("DISABLED"));
            Assert.That(json["depends_on"]!.AsArray(), Has.Count.EqualTo(2), "the encryption and network policies exist first");
        });
    }

    [Test]
    public void StandbyReplicas_AreEnabledWhenAsked()
    {
        var s = new FreshStack();
        var collection = new VectorCollection(s.Stack, "collection", Config(s) with { StandbyReplicas = true });
        collection.Grant(new VectorCollectionAccess("reader", "arn:aws:iam::111111111111:role/reader", ["aoss:ReadDocument"], []));

        Assert.That(s.Single("aws_opensearchserverless_collection")["standby_replicas"]!.GetValue<string>(), Is.EqualTo("ENABLED"));
    }

    [TestCase("kb")]
    [TestCase("Fraud-kb")]
    [TestCase("1-fraud-kb")]
    [TestCase("a-name-that-is-longer-than-32-chars")]
    public void AnInvalidName_Fails(string name)
    {
        var s = new FreshStack();

        var e = Assert.Throws<ArgumentException>(() => new VectorCollection(s.Stack, "collection", Config(s) with { CollectionName = name }));

        Assert.That(e!.Message, Does.Contain($"VectorCollection 'collection': name '{name}' is invalid. Fix: use 3 to 32 lowercase letters, digits and hyphens, starting with a letter."));
    }

    [TestCase("aoss:*")]
    [TestCase("es:ESHttpGet")]
    public void APermissionThatIsNotAnExplicitAossPermission_Fails(string permission)
    {
        var s = new FreshStack();
        var collection = new VectorCollection(s.Stack, "collection", Config(s));

        var e = Assert.Throws<ArgumentException>(() => collection.Grant(new VectorCollectionAccess("reader", "arn:aws:iam::111111111111:role/reader", [permission], [])));

        Assert.That(e!.Message, Does.Contain($"permission '{permission}' of reader is not an explicit aoss: permission. Fix:"));
    }

    [Test]
    public void NobodyGranted_FailsAtSynth()
    {
        var s = new FreshStack();
        _ = new VectorCollection(s.Stack, "collection", Config(s));

        var e = Assert.Catch(() => s.Synth());

        Assert.That(e!.ToString(), Does.Contain("nobody was granted access. Fix: call Grant for the roles that use the index."));
    }

    [Test]
    public void PrivateEndpoint_PutsAVpcEndpointInTheSubnets_AndAllowsOnlyItAndBedrock()
    {
        var s = new FreshStack();
        var collection = new VectorCollection(s.Stack, "collection", Config(s) with
        {
            PublicEndpointReason = null,
            PrivateEndpoint = new CollectionEndpointPlacement("vpc-0a1b2c3d", ["subnet-0a1b2c3d", "subnet-1a2b3c4d"], ["sg-0a1b2c3d"]),
        });
        collection.Grant(new VectorCollectionAccess("reader", "arn:aws:iam::111111111111:role/reader", ["aoss:ReadDocument"], []));

        var stack = s.Synth();
        var endpoint = s.Single("aws_opensearchserverless_vpc_endpoint");
        var policy = JsonNode.Parse(Policy(stack, "network")["policy"]!.GetValue<string>())![0]!;

        Assert.Multiple(() =>
        {
            Assert.That(endpoint["name"]!.GetValue<string>(), Is.EqualTo("fraud-detection-kb-test"));
            Assert.That(endpoint["subnet_ids"]!.AsArray().Select(x => x!.GetValue<string>()), Is.EqualTo(new[] { "subnet-0a1b2c3d", "subnet-1a2b3c4d" }));
            Assert.That(endpoint["security_group_ids"]!.AsArray().Select(x => x!.GetValue<string>()), Is.EqualTo(new[] { "sg-0a1b2c3d" }));
            Assert.That(policy["AllowFromPublic"]!.GetValue<bool>(), Is.False);
            Assert.That(policy["SourceVPCEs"]![0]!.GetValue<string>(), Is.EqualTo(s.Resolve(collection.VpcEndpoint!.Id)));
            Assert.That(policy["SourceServices"]![0]!.GetValue<string>(), Is.EqualTo("bedrock.amazonaws.com"));
            Assert.That(Policy(stack, "network")["//"]?["policy_exceptions"], Is.Null);
        });
    }

    [Test]
    public void PublicReasonAndPrivateEndpoint_AreExclusive()
    {
        var s = new FreshStack();
        var config = Config(s);
        var both = config with { PrivateEndpoint = new CollectionEndpointPlacement("vpc-0a1b2c3d", ["subnet-0a1b2c3d"], ["sg-0a1b2c3d"]) };

        var e = Assert.Throws<ArgumentException>(() => new VectorCollection(s.Stack, "collection", both));
        var neither = Assert.Throws<ArgumentException>(() => new VectorCollection(s.Stack, "other", config with { PublicEndpointReason = null }));

        Assert.That(e!.Message, Does.Contain("give exactly one of PublicEndpointReason and PrivateEndpoint"));
        Assert.That(neither!.Message, Does.Contain("give exactly one of PublicEndpointReason and PrivateEndpoint"));
    }
}
