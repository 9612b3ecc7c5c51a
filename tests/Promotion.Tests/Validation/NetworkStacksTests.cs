using System.Text.Json.Nodes;
using FraudTf.Compute;
using FraudTf.Config;
using FraudTf.Platform;
using FraudTf.Promotion.Tests.Support;
using FraudTf.Promotion.Validation;
using FraudTf.Promotion.Validation.Gate;

namespace FraudTf.Promotion.Tests.Validation;

/// <summary>
/// The dev stack with private networking on (a VPC the stack creates, with and without NAT, and an existing one) passes
/// what <c>make validate</c> runs: the provider schema (the new VPC, subnet, security group, endpoint types and the data
/// sources with their postconditions) and the deployability gate (the execution roles' network-interface actions, the
/// endpoint policies' actions).
/// </summary>
public class NetworkStacksTests
{
    private static readonly Lazy<IReadOnlyDictionary<string, JsonObject>> Stacks = new(Synthesize);

    private static readonly Dictionary<string, JsonObject> Networks = new()
    {
        ["created"] = new JsonObject { ["cidr"] = "10.20.0.0/16" },
        ["nat"] = new JsonObject { ["cidr"] = "10.20.0.0/16", ["availabilityZones"] = 3, ["natGateway"] = true },
        ["existing"] = new JsonObject
        {
            ["vpcId"] = "vpc-0a1b2c3d4e5f67890",
            ["subnetIds"] = new JsonArray("subnet-0a1b2c3d4e5f67890", "subnet-1a2b3c4d5e6f78901"),
        },
    };

    private static IReadOnlyDictionary<string, JsonObject> Synthesize()
    {
        Environment.SetEnvironmentVariable("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION",
            Environment.GetEnvironmentVariable("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION") ?? "20");
        var functions = FunctionArtifacts.Build(RealStacks.Root);
        var result = new Dictionary<string, JsonObject>();
        foreach (var (shape, network) in Networks)
        {
            var dir = Path.Combine(Path.GetTempPath(), "fraudtf-promotion-tests", "network-" + Guid.NewGuid().ToString("N"));
            var environments = Path.Combine(dir, "environments");
            Directory.CreateDirectory(environments);
            foreach (var file in Directory.GetFiles(Path.Combine(RealStacks.Root, "environments"), "*.json"))
            {
                var json = JsonNode.Parse(File.ReadAllText(file))!.AsObject();
                if (Path.GetFileNameWithoutExtension(file) == "dev")
                {
                    json["network"] = network.DeepClone();
                }

                File.WriteAllText(Path.Combine(environments, Path.GetFileName(file)), json.ToJsonString());
            }

            var dev = EnvironmentConfigLoader.LoadAll(environments).Where(c => c.Environment == "dev").ToList();
            var outDir = Path.Combine(dir, "out");
            var app = new App(new AppConfig { Outdir = outDir });
            FraudTfApp.AddStacks(app, dev, functions, RealStacks.Root);
            app.Synth();
            result[shape] = JsonNode.Parse(File.ReadAllText(Path.Combine(outDir, "stacks", "fraud-detection-dev", "cdk.tf.json")))!.AsObject();
        }

        return result;
    }

    [TestCase("created")]
    [TestCase("nat")]
    [TestCase("existing")]
    public void TheOnStack_IsValidAgainstTheProviderSchema(string shape)
    {
        var errors = StackValidator.Validate("fraud-detection-dev", Stacks.Value[shape], Schema.Aws);
        Assert.That(errors.Select(e => e.ToString()), Is.Empty);
    }

    [TestCase("created")]
    [TestCase("nat")]
    [TestCase("existing")]
    public void TheOnStack_PassesTheDeployabilityGate(string shape)
    {
        var result = DeployGate.Check("fraud-detection-dev", Stacks.Value[shape]);
        Assert.That(result.Failures.Select(f => $"{f.Address}: [{f.RuleId}] {f.Message}"), Is.Empty);
    }

    [Test]
    public void TheSchema_KnowsEveryNetworkType()
    {
        foreach (var type in new[]
                 {
                     "aws_vpc", "aws_subnet", "aws_route_table", "aws_route_table_association", "aws_route", "aws_internet_gateway", "aws_eip",
                     "aws_nat_gateway", "aws_default_security_group", "aws_security_group", "aws_vpc_security_group_egress_rule",
                     "aws_vpc_security_group_ingress_rule", "aws_vpc_endpoint", "aws_opensearchserverless_vpc_endpoint",
                 })
        {
            Assert.That(Schema.Aws.Resources.ContainsKey(type), Is.True, type);
        }

        foreach (var type in new[] { "aws_availability_zones", "aws_vpc", "aws_subnet", "aws_route_table", "aws_route_tables" })
        {
            Assert.That(Schema.Aws.DataSources.ContainsKey(type), Is.True, $"data.{type}");
        }
    }
}
