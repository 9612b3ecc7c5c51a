using System.Text.Json.Nodes;
using FraudTf.Config;
using FraudTf.Tests.Support;

namespace FraudTf.Tests.Network;

/// <summary>The <c>network</c> block of an environment file: off when absent, its two shapes, and one test per shape error.</summary>
[TestFixture]
public class NetworkConfigTests
{
    private static IReadOnlyList<string> Errors(JsonObject network) =>
        ConfigFixture.Errors(ConfigFixture.Folder("dev", j => j["network"] = network));

    private static string Single(JsonObject network)
    {
        var errors = Errors(network);
        Assert.That(errors, Has.Count.EqualTo(1), string.Join("\n", errors));
        return errors[0];
    }

    [TestCaseSource(typeof(TestEnvironments), nameof(TestEnvironments.All))]
    public void Absent_IsOff(string env) =>
        Assert.That(EnvironmentConfigLoader.LoadAll(Repo.EnvironmentsDir).Single(c => c.Environment == env).Network, Is.Null);

    [Test]
    public void Cidr_CreatesAVpc_WithTwoZones_AndNoNat_ByDefault()
    {
        var network = ConfigFixture.Load("dev", j => j["network"] = new JsonObject { ["cidr"] = "10.20.0.0/16" }).Network!;

        Assert.Multiple(() =>
        {
            Assert.That(network.CreatesVpc, Is.True);
            Assert.That(network.Cidr, Is.EqualTo("10.20.0.0/16"));
            Assert.That(network.AvailabilityZones, Is.EqualTo(2));
            Assert.That(network.NatGateway, Is.False);
            Assert.That(network.SubnetIds, Is.Empty);
        });
    }

    [Test]
    public void VpcId_UsesAnExistingVpc()
    {
        var network = ConfigFixture.Load("dev", j => j["network"] = new JsonObject
        {
            ["vpcId"] = "vpc-0a1b2c3d4e5f67890",
            ["subnetIds"] = new JsonArray("subnet-0a1b2c3d", "subnet-1a2b3c4d5e6f78901"),
        }).Network!;

        Assert.Multiple(() =>
        {
            Assert.That(network.CreatesVpc, Is.False);
            Assert.That(network.VpcId, Is.EqualTo("vpc-0a1b2c3d4e5f67890"));
            Assert.That(network.SubnetIds, Is.EqualTo(new[] { "subnet-0a1b2c3d", "subnet-1a2b3c4d5e6f78901" }));
        });
    }

    [TestCase("10.20.0.0/8", "has prefix /8")]
    [TestCase("10.20.0.0/25", "has prefix /25")]
    [TestCase("10.20.1.0/16", "has host bits set: the network address of a /16 is 10.20.0.0/16")]
    [TestCase("10.300.0.0/16", "has an octet above 255")]
    [TestCase("10.20.0.0", "must be an IPv4 CIDR block of /16 to /24")]
    public void Cidr_MustBeANetworkAddressOf16To24(string cidr, string problem)
    {
        var error = Single(new JsonObject { ["cidr"] = cidr });

        Assert.Multiple(() =>
        {
            Assert.That(error, Does.StartWith($"environments/dev.json: field 'network.cidr' = \"{cidr}\": "));
            Assert.That(error, Does.Contain(problem));
            Assert.That(error, Does.Contain("Fix: "));
        });
    }

    [Test]
    public void AvailabilityZones_Are2To6()
    {
        var error = Single(new JsonObject { ["cidr"] = "10.20.0.0/16", ["availabilityZones"] = 1 });

        Assert.That(error, Does.StartWith("environments/dev.json: field 'network.availabilityZones' = 1: is out of range: must be between 2 and 6. Fix: "));
    }

    [Test]
    public void BothShapes_AreRefused()
    {
        var error = Single(new JsonObject
        {
            ["cidr"] = "10.20.0.0/16",
            ["vpcId"] = "vpc-0a1b2c3d",
            ["subnetIds"] = new JsonArray("subnet-0a1b2c3d", "subnet-1a2b3c4d"),
        });

        Assert.That(error, Does.StartWith("environments/dev.json: field 'network.vpcId' = \"vpc-0a1b2c3d\": is given together with network.cidr"));
        Assert.That(error, Does.Contain("Fix: keep network.cidr"));
    }

    [Test]
    public void NeitherShape_IsRefused()
    {
        var error = Single(new JsonObject { ["natGateway"] = false });

        Assert.That(error, Does.StartWith("environments/dev.json: field 'network.cidr' = (missing): the network block needs one of its two shapes. Fix: give network.cidr"));
    }

    [TestCase("vpc-123", "network.vpcId")]
    [TestCase("vpc-0A1B2C3D", "network.vpcId")]
    [TestCase("vpc-0a1b2c3d4", "network.vpcId")]
    public void VpcId_IsVpcAnd8Or17Hex(string vpcId, string field)
    {
        var error = Single(new JsonObject { ["vpcId"] = vpcId, ["subnetIds"] = new JsonArray("subnet-0a1b2c3d", "subnet-1a2b3c4d") });

        Assert.That(error, Does.StartWith($"environments/dev.json: field '{field}' = \"{vpcId}\": must be a VPC id: vpc- followed by 8 or 17 hexadecimal digits. Fix: "));
    }

    [Test]
    public void SubnetIds_AreSubnetAnd8Or17Hex()
    {
        var error = Single(new JsonObject { ["vpcId"] = "vpc-0a1b2c3d", ["subnetIds"] = new JsonArray("subnet-0a1b2c3d", "sn-1a2b3c4d") });

        Assert.That(error, Does.StartWith("environments/dev.json: field 'network.subnetIds[1]' = \"sn-1a2b3c4d\": must be a subnet id: subnet- followed by 8 or 17 hexadecimal digits. Fix: "));
    }

    [Test]
    public void SubnetIds_AreRequiredWithAVpcId()
    {
        var error = Single(new JsonObject { ["vpcId"] = "vpc-0a1b2c3d" });

        Assert.That(error, Does.StartWith("environments/dev.json: field 'network.subnetIds' = (missing): an existing VPC (network.vpcId) needs the subnets"));
    }

    [Test]
    public void SubnetIds_AreAtLeastTwo()
    {
        var error = Single(new JsonObject { ["vpcId"] = "vpc-0a1b2c3d", ["subnetIds"] = new JsonArray("subnet-0a1b2c3d") });

        Assert.That(error, Does.StartWith("environments/dev.json: field 'network.subnetIds' = [\"subnet-0a1b2c3d\"]: lists 1 subnet"));
        Assert.That(error, Does.Contain("Fix: list at least two private subnets"));
    }

    [Test]
    public void SubnetIds_AreDistinct()
    {
        var error = Single(new JsonObject { ["vpcId"] = "vpc-0a1b2c3d", ["subnetIds"] = new JsonArray("subnet-0a1b2c3d", "subnet-0a1b2c3d") });

        Assert.That(error, Does.StartWith("environments/dev.json: field 'network.subnetIds' = [\"subnet-0a1b2c3d\",\"subnet-0a1b2c3d\"]: lists subnet-0a1b2c3d more than once. Fix: "));
    }

    [TestCase("availabilityZones", 3, "is for a VPC the stack creates")]
    [TestCase("natGateway", true, "is for a VPC the stack creates")]
    public void CreateOnlyFields_AreRefusedWithAnExistingVpc(string field, object value, string problem)
    {
        var network = new JsonObject { ["vpcId"] = "vpc-0a1b2c3d", ["subnetIds"] = new JsonArray("subnet-0a1b2c3d", "subnet-1a2b3c4d") };
        network[field] = JsonValue.Create(value);
        var error = Single(network);

        Assert.That(error, Does.StartWith($"environments/dev.json: field 'network.{field}' = {network[field]!.ToJsonString()}: {problem}"));
        Assert.That(error, Does.Contain($"Fix: remove network.{field}"));
    }

    [Test]
    public void SubnetIds_AreRefusedWhenCreatingAVpc()
    {
        var error = Single(new JsonObject { ["cidr"] = "10.20.0.0/16", ["subnetIds"] = new JsonArray("subnet-0a1b2c3d", "subnet-1a2b3c4d") });

        Assert.That(error, Does.StartWith("environments/dev.json: field 'network.subnetIds' = [\"subnet-0a1b2c3d\",\"subnet-1a2b3c4d\"]: is for an existing VPC"));
    }

    [Test]
    public void UnknownFields_AreRejected()
    {
        var error = Single(new JsonObject { ["cidr"] = "10.20.0.0/16", ["natGateways"] = true });

        Assert.That(error, Does.StartWith("environments/dev.json: field 'network.natGateways' = true: unknown field. Fix: did you mean 'network.natGateway'?"));
    }
}
