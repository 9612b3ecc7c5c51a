using FraudTf.Compute;
using FraudTf.Config;
using FraudTf.Network;
using FraudTf.Tests.Support;

namespace FraudTf.Tests.Network;

/// <summary><see cref="PrivateNetwork"/> on a fresh stack: the rule that a call without an endpoint fails synth, and the subnet plan.</summary>
[TestFixture]
public class PrivateNetworkTests
{
    private static PrivateNetwork Network(FreshStack s) => new(s.Stack, "network", new PrivateNetworkConfig
    {
        Target = new DeploymentTarget { NamePrefix = "acme", Environment = "qa", AccountId = FreshStack.Account, Region = FreshStack.Region },
        Settings = new NetworkConfig { Cidr = "10.0.0.0/16", AvailabilityZones = 2 },
    });

    [Test]
    public void AFunctionCallingAServiceWithoutAnEndpoint_FailsSynth_NamingTheFunctionTheServiceAndTheFix()
    {
        var s = new FreshStack();
        var network = Network(s);
        var config = s.FunctionConfig();
        var calls = config.Code.CodeCalls;
        var evidence = calls.Evidence.ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
        evidence["states:StartExecution"] = ["AgentTools: Amazon.StepFunctions.IAmazonStepFunctions::StartExecutionAsync"];
        var function = new DotnetFunction(s.Stack, "function", config with
        {
            Code = config.Code with { CodeCalls = calls with { Actions = [.. calls.Actions, "states:StartExecution"], Evidence = evidence } },
        });

        var e = Assert.Throws<ArgumentException>(() => network.Connect(function))!;

        Assert.Multiple(() =>
        {
            Assert.That(e.Message, Does.StartWith("test-function (functions/AgentTools) calls Amazon.StepFunctions (states:StartExecution), which has no VPC endpoint"));
            Assert.That(e.Message, Does.Contain("Fix: add \"Amazon.StepFunctions\" to the mapping SDK service -> endpoint, VpcEndpointServices.ByKey (modules/Network/VpcEndpointServices.cs)"));
        });
    }

    [Test]
    public void AFunctionCallingMappedServices_GetsTheirEndpoints()
    {
        var s = new FreshStack();
        var network = Network(s);
        var function = new DotnetFunction(s.Stack, "function", s.FunctionConfig());
        network.Connect(function);

        // functions/AgentTools calls DynamoDB only; it traces actively.
        Assert.That(network.Endpoints.Keys.Order(StringComparer.Ordinal), Is.EqualTo(new[] { "dynamodb", "xray" }));
    }

    [TestCase("10.20.0.0/16", 0, "10.20.0.0/20")]
    [TestCase("10.20.0.0/16", 3, "10.20.48.0/20")]
    [TestCase("172.31.64.0/20", 1, "172.31.65.0/24")]
    [TestCase("192.168.7.0/24", 15, "192.168.7.240/28")]
    public void Subnets_AreTheSixteenEqualPartsOfTheVpc(string cidr, int index, string expected) =>
        Assert.That(PrivateNetwork.SubnetCidr(cidr, index), Is.EqualTo(expected));

    [TestCase("AgentTools: Amazon.SQS.IAmazonSQS::SendMessageAsync", "Amazon.SQS")]
    [TestCase("AgentTools: Amazon.DynamoDBv2.Model.QueryPaginatorFactory::Query", "Amazon.DynamoDBv2")]
    public void TheSdkServiceOfACall_IsItsClientsNamespace(string evidence, string service) =>
        Assert.That(VpcEndpointServices.NamespaceOf(evidence), Is.EqualTo(service));
}
