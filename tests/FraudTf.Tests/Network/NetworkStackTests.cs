using System.Text.Json.Nodes;
using FraudTf.Config;
using FraudTf.Security.Policy;
using FraudTf.Tests.Support;

namespace FraudTf.Tests.Network;

/// <summary>
/// The dev stack with private networking on, in both shapes (a VPC the stack creates, an existing one), and off (the
/// tracked environment files): subnets, route tables, security groups and their rules, endpoints and their policies,
/// every function's <c>vpc_config</c>, the collection's network policy and its exception.
/// </summary>
[TestFixture]
public class NetworkStackTests
{
    private const string Stack = "fraud-detection-dev";

    private static readonly string[] NetworkTypes =
    [
        "aws_vpc", "aws_subnet", "aws_route_table", "aws_route_table_association", "aws_route", "aws_internet_gateway", "aws_eip",
        "aws_nat_gateway", "aws_default_security_group", "aws_security_group", "aws_vpc_security_group_egress_rule",
        "aws_vpc_security_group_ingress_rule", "aws_vpc_endpoint", "aws_opensearchserverless_vpc_endpoint",
    ];

    private static JsonObject? _created;
    private static JsonObject? _existing;
    private static JsonObject? _nat;

    /// <summary>dev with <c>"network": {"cidr": "10.20.0.0/16"}</c>.</summary>
    internal static JsonObject Created => _created ??= SynthDev(new JsonObject { ["cidr"] = "10.20.0.0/16" });

    /// <summary>dev with an existing VPC and two subnets.</summary>
    internal static JsonObject Existing => _existing ??= SynthDev(new JsonObject
    {
        ["vpcId"] = "vpc-0a1b2c3d4e5f67890",
        ["subnetIds"] = new JsonArray("subnet-0a1b2c3d4e5f67890", "subnet-1a2b3c4d5e6f78901"),
    });

    private static JsonObject Nat => _nat ??= SynthDev(new JsonObject { ["cidr"] = "10.20.0.0/16", ["availabilityZones"] = 3, ["natGateway"] = true });

    private static JsonObject SynthDev(JsonObject network) =>
        Synth.Run([ConfigFixture.Load("dev", j => j["network"] = network)]).Stack(Stack);

    private static IEnumerable<JsonObject> All(JsonObject stack, string type) => stack.Resources(type).Values;

    private static JsonObject Data(JsonObject stack, string type) => stack["data"]![type]!.AsObject();

    private static JsonObject Endpoint(JsonObject stack, string service) =>
        All(stack, "aws_vpc_endpoint").Single(e => e["service_name"]!.GetValue<string>() == $"com.amazonaws.us-east-1.{service}");

    private static string Ref(string type, string id, string attribute) => $"${{{type}.{id}.{attribute}}}";

    private static string IdOf(JsonObject stack, string type, Func<JsonObject, bool> which) =>
        stack.Resources(type).Single(p => which(p.Value)).Key;

    private static IReadOnlyList<string> Strings(JsonNode? node) => node!.AsArray().Select(n => n!.GetValue<string>()).ToList();

    [TestCaseSource(typeof(TestEnvironments), nameof(TestEnvironments.All))]
    public void Off_HasNoNetworkResource_AndTheCollectionPolicyOfToday(string env)
    {
        var stack = Synth.Shared.Stack($"fraud-detection-{env}");
        var network = stack.Resources("aws_opensearchserverless_security_policy").Values.Single(p => p["type"]!.GetValue<string>() == "network");
        var policy = JsonNode.Parse(network["policy"]!.GetValue<string>())![0]!;

        Assert.Multiple(() =>
        {
            foreach (var type in NetworkTypes)
            {
                Assert.That(stack.Resources(type), Is.Empty, type);
            }

            Assert.That(stack["data"]?["aws_vpc"], Is.Null);
            Assert.That(All(stack, "aws_lambda_function").Select(f => f["vpc_config"]), Has.All.Null);
            Assert.That(policy["AllowFromPublic"]!.GetValue<bool>(), Is.True);
            Assert.That(policy["SourceVPCEs"], Is.Null);
            Assert.That(network["//"]!["policy_exceptions"]!["FTF-AOSS-002"], Is.Not.Null);
        });
    }

    [Test]
    public void Created_Vpc_HasDnsSupportAndHostnames_AndTheDefaultGroupHasNoRule()
    {
        var vpc = All(Created, "aws_vpc").Single();
        var defaultGroup = All(Created, "aws_default_security_group").Single();
        var vpcId = IdOf(Created, "aws_vpc", _ => true);

        Assert.Multiple(() =>
        {
            Assert.That(vpc["cidr_block"]!.GetValue<string>(), Is.EqualTo("10.20.0.0/16"));
            Assert.That(vpc["enable_dns_support"]!.GetValue<bool>(), Is.True);
            Assert.That(vpc["enable_dns_hostnames"]!.GetValue<bool>(), Is.True);
            Assert.That(defaultGroup["vpc_id"]!.GetValue<string>(), Is.EqualTo(Ref("aws_vpc", vpcId, "id")));
            Assert.That(defaultGroup["ingress"], Is.Null);
            Assert.That(defaultGroup["egress"], Is.Null);
        });
    }

    [Test]
    public void Created_PrivateSubnets_OnePerZone_ByIndexOfTheZoneList_WithTheirRouteTables_AndNoInternetPath()
    {
        var zones = Data(Created, "aws_availability_zones").Single();
        var zoneBody = zones.Value!;
        var subnets = All(Created, "aws_subnet").ToList();

        Assert.Multiple(() =>
        {
            Assert.That(subnets.Select(s => s["cidr_block"]!.GetValue<string>()), Is.EqualTo(new[] { "10.20.0.0/20", "10.20.16.0/20" }));
            Assert.That(subnets.Select(s => s["availability_zone"]!.GetValue<string>()),
                Is.EqualTo(new[] { $"${{data.aws_availability_zones.{zones.Key}.names[0]}}", $"${{data.aws_availability_zones.{zones.Key}.names[1]}}" }));
            Assert.That(subnets.Select(s => s["map_public_ip_on_launch"]!.GetValue<bool>()), Has.All.False);
            Assert.That(zoneBody["state"]!.GetValue<string>(), Is.EqualTo("available"));
            Assert.That(Created.Resources("aws_route_table"), Has.Count.EqualTo(2));
            Assert.That(Created.Resources("aws_route_table_association"), Has.Count.EqualTo(2));
            foreach (var type in new[] { "aws_internet_gateway", "aws_nat_gateway", "aws_eip", "aws_route" })
            {
                Assert.That(Created.Resources(type), Is.Empty, type);
            }
        });
    }

    [Test]
    public void Endpoints_AreExactlyThoseOfTheFunctionsCalls_GatewayForDynamoDbAndS3()
    {
        var services = All(Created, "aws_vpc_endpoint").Select(e => e["service_name"]!.GetValue<string>()).Order(StringComparer.Ordinal);
        var routeTables = Created.Resources("aws_route_table").Keys.Select(k => Ref("aws_route_table", k, "id")).ToList();
        var dynamodb = Endpoint(Created, "dynamodb");
        var sqs = Endpoint(Created, "sqs");
        var endpointGroup = IdOf(Created, "aws_security_group", g => g["name"]!.GetValue<string>() == "fraud-detection-endpoints-dev");

        Assert.Multiple(() =>
        {
            // dynamodb, s3 and sqs: the stream processor, alert handler and tools; bedrock-agent: the sync function's
            // StartIngestionJob; xray: active tracing. No kms or logs: no code calls them (services call KMS for them).
            Assert.That(services, Is.EqualTo(new[]
            {
                "com.amazonaws.us-east-1.bedrock-agent", "com.amazonaws.us-east-1.dynamodb", "com.amazonaws.us-east-1.s3",
                "com.amazonaws.us-east-1.sqs", "com.amazonaws.us-east-1.xray",
            }));
            Assert.That(dynamodb["vpc_endpoint_type"]!.GetValue<string>(), Is.EqualTo("Gateway"));
            Assert.That(Strings(dynamodb["route_table_ids"]), Is.EquivalentTo(routeTables));
            Assert.That(Endpoint(Created, "s3")["vpc_endpoint_type"]!.GetValue<string>(), Is.EqualTo("Gateway"));
            Assert.That(sqs["vpc_endpoint_type"]!.GetValue<string>(), Is.EqualTo("Interface"));
            Assert.That(sqs["private_dns_enabled"]!.GetValue<bool>(), Is.True);
            Assert.That(Strings(sqs["subnet_ids"]), Has.Count.EqualTo(2));
            Assert.That(Strings(sqs["security_group_ids"]), Is.EqualTo(new[] { Ref("aws_security_group", endpointGroup, "id") }));
        });
    }

    [Test]
    public void EndpointPolicies_AllowOnlyTheFunctionsRoles_TheirActions_OnThisEnvironmentsResources()
    {
        Assert.Multiple(() =>
        {
            foreach (var endpoint in All(Created, "aws_vpc_endpoint"))
            {
                var service = endpoint["service_name"]!.GetValue<string>().Split('.')[^1];
                var statements = JsonNode.Parse(endpoint["policy"]!.GetValue<string>())!["Statement"]!.AsArray();
                Assert.That(statements, Is.Not.Empty, service);
                foreach (var s in statements)
                {
                    var principal = s!["Principal"]!["AWS"]!.GetValue<string>();
                    Assert.That(principal, Does.Match(@"^\$\{aws_iam_role\.[A-Za-z0-9_-]+\.arn\}$"), service);
                    var actions = s["Action"] is JsonArray a ? a.Select(x => x!.GetValue<string>()).ToList() : [s["Action"]!.GetValue<string>()];
                    var prefix = service switch { "bedrock-agent" => "bedrock", var other => other };
                    Assert.That(actions, Has.All.StartsWith(prefix + ":"), service);
                    var resources = s["Resource"] is JsonArray r ? r.Select(x => x!.GetValue<string>()).ToList() : [s["Resource"]!.GetValue<string>()];
                    if (service == "xray")
                    {
                        Assert.That(resources, Is.EqualTo(new[] { "*" }), "X-Ray actions have no resource-level permissions");
                    }
                    else
                    {
                        Assert.That(resources, Has.None.EqualTo("*"), service);
                        Assert.That(resources, Has.All.Contain("${aws_").Or.Contain("-dev"), $"{service}: this environment's resources");
                    }
                }
            }
        });
    }

    [Test]
    public void EveryFunction_RunsInThePrivateSubnets_WithItsOwnSecurityGroup()
    {
        var subnets = Created.Resources("aws_subnet").Keys.Select(k => Ref("aws_subnet", k, "id")).ToList();
        var functions = Created.Resources("aws_lambda_function");
        var groups = new HashSet<string>(StringComparer.Ordinal);

        Assert.Multiple(() =>
        {
            Assert.That(functions, Has.Count.EqualTo(5));
            foreach (var (id, f) in functions)
            {
                var vpc = f["vpc_config"]!;
                Assert.That(Strings(vpc["subnet_ids"]), Is.EqualTo(subnets), id);
                var group = Strings(vpc["security_group_ids"]).Single();
                Assert.That(groups.Add(group), Is.True, $"{id} shares its security group");
                var groupId = group.Split('.')[1];
                Assert.That(Strings(f["depends_on"]), Has.Some.Match(@"^aws_iam_role_policy\.[A-Za-z0-9_-]+vpc-describe_[0-9A-F]+$"), $"{id} waits for its Describe policy");
                Assert.That(Strings(f["depends_on"]), Has.None.Contain("${"), id);
                Assert.That(Created.Resources("aws_security_group")[groupId]["name"]!.GetValue<string>(), Is.EqualTo(f["function_name"]!.GetValue<string>()));
            }
        });
    }

    [Test]
    public void FunctionGroups_AllowOnlyHttpsEgress_ToTheEndpointsGroupAndTheGatewayPrefixLists_NeverTheInternet()
    {
        var endpointGroup = Ref("aws_security_group", IdOf(Created, "aws_security_group", g => g["name"]!.GetValue<string>() == "fraud-detection-endpoints-dev"), "id");
        var prefixLists = new[] { "dynamodb", "s3" }.ToDictionary(s => s,
            s => Ref("aws_vpc_endpoint", IdOf(Created, "aws_vpc_endpoint", e => e["service_name"]!.GetValue<string>().EndsWith("." + s, StringComparison.Ordinal)), "prefix_list_id"));
        var egress = All(Created, "aws_vpc_security_group_egress_rule").ToList();
        var processorGroup = Ref("aws_security_group", IdOf(Created, "aws_security_group", g => g["name"]!.GetValue<string>() == "fraud-detection-stream-processor-dev"), "id");
        var syncGroup = Ref("aws_security_group", IdOf(Created, "aws_security_group", g => g["name"]!.GetValue<string>() == "fraud-detection-knowledge-base-sync-dev"), "id");

        string[] Targets(string group) => egress.Where(e => e["security_group_id"]!.GetValue<string>() == group)
            .Select(e => e["prefix_list_id"]?.GetValue<string>() ?? e["referenced_security_group_id"]!.GetValue<string>()).Order(StringComparer.Ordinal).ToArray();

        Assert.Multiple(() =>
        {
            Assert.That(egress.Select(e => (e["ip_protocol"]!.GetValue<string>(), e["from_port"]!.GetValue<int>(), e["to_port"]!.GetValue<int>())),
                Has.All.EqualTo(("tcp", 443, 443)));
            Assert.That(egress.Select(e => e["cidr_ipv4"]), Has.All.Null);
            Assert.That(Targets(processorGroup), Is.EquivalentTo(new[] { prefixLists["dynamodb"], prefixLists["s3"], endpointGroup }));
            Assert.That(Targets(syncGroup), Is.EquivalentTo(new[] { endpointGroup }), "bedrock-agent and xray: interface endpoints only");
            Assert.That(All(Created, "aws_vpc_security_group_ingress_rule").Select(i => i["security_group_id"]!.GetValue<string>()), Has.All.EqualTo(endpointGroup));
            Assert.That(All(Created, "aws_vpc_security_group_ingress_rule").Select(i => i["referenced_security_group_id"]!.GetValue<string>()),
                Is.EquivalentTo(Created.Resources("aws_lambda_function").Values.Select(f => Strings(f["vpc_config"]!["security_group_ids"]).Single())));
        });
    }

    [Test]
    public void ExecutionRoles_ManageOnlyTheirNetworkInterfaces_AndDescribeWithAReasonedException()
    {
        var describePolicies = All(Created, "aws_iam_role_policy").Where(p => p["name"]!.GetValue<string>() == "vpc-describe").ToList();
        var leastPrivilege = All(Created, "aws_iam_role_policy").Where(p => p["name"]!.GetValue<string>() == "least-privilege")
            .Select(p => JsonNode.Parse(p["policy"]!.GetValue<string>())!["Statement"]!.AsArray())
            .Select(st => st.SingleOrDefault(s => s!["Sid"]?.GetValue<string>() == "ManageOwnNetworkInterfaces")).Where(s => s is not null).ToList();

        Assert.Multiple(() =>
        {
            Assert.That(describePolicies, Has.Count.EqualTo(5));
            foreach (var p in describePolicies)
            {
                var statement = JsonNode.Parse(p["policy"]!.GetValue<string>())!["Statement"]![0]!;
                Assert.That(Strings(statement["Action"]), Is.EqualTo(new[] { "ec2:DescribeNetworkInterfaces", "ec2:DescribeSubnets" }));
                Assert.That(statement["Resource"]!.GetValue<string>(), Is.EqualTo("*"));
                Assert.That(p["//"]!["policy_exceptions"]!["FTF-IAM-002"]!.GetValue<string>(), Does.Contain("no resource-level permission"));
            }

            Assert.That(leastPrivilege, Has.Count.EqualTo(5));
            foreach (var s in leastPrivilege)
            {
                Assert.That(Strings(s!["Action"]), Is.EqualTo(new[] { "ec2:AssignPrivateIpAddresses", "ec2:CreateNetworkInterface", "ec2:DeleteNetworkInterface", "ec2:UnassignPrivateIpAddresses" }));
                var resources = Strings(s["Resource"]);
                Assert.That(resources[0], Is.EqualTo("arn:aws:ec2:us-east-1:" + CompositeStack.Dev.AccountId + ":network-interface/*"));
                Assert.That(resources, Has.None.EqualTo("*"));
            }
        });
    }

    [Test]
    public void Collection_IsPrivate_ItsVpcEndpointAndBedrockOnly_AndTheExceptionIsGone()
    {
        var network = All(Created, "aws_opensearchserverless_security_policy").Single(p => p["type"]!.GetValue<string>() == "network");
        var policy = JsonNode.Parse(network["policy"]!.GetValue<string>())![0]!;
        var endpoint = Created.Resources("aws_opensearchserverless_vpc_endpoint").Single();
        var endpointGroup = Ref("aws_security_group", IdOf(Created, "aws_security_group", g => g["name"]!.GetValue<string>() == "fraud-detection-endpoints-dev"), "id");

        Assert.Multiple(() =>
        {
            Assert.That(policy["AllowFromPublic"]!.GetValue<bool>(), Is.False);
            Assert.That(Strings(policy["SourceVPCEs"]), Is.EqualTo(new[] { Ref("aws_opensearchserverless_vpc_endpoint", endpoint.Key, "id") }));
            Assert.That(Strings(policy["SourceServices"]), Is.EqualTo(new[] { "bedrock.amazonaws.com" }));
            Assert.That(policy["Rules"]!.AsArray().Select(r => r!["ResourceType"]!.GetValue<string>()), Is.EqualTo(new[] { "collection" }), "no dashboards");
            Assert.That(network["//"]?["policy_exceptions"], Is.Null, "FTF-AOSS-002 is no longer excepted");
            Assert.That(Strings(endpoint.Value["security_group_ids"]), Is.EqualTo(new[] { endpointGroup }));
            Assert.That(Strings(endpoint.Value["subnet_ids"]), Has.Count.EqualTo(2));
        });
    }

    [Test]
    public void Existing_IsCheckedByDataSourcesAtPlanTime_AndCreatesNoVpc()
    {
        var vpc = Data(Existing, "aws_vpc").Single().Value!;
        var subnets = Data(Existing, "aws_subnet").Select(p => p.Value!.AsObject()).ToList();
        var dynamodb = Endpoint(Existing, "dynamodb");

        Assert.Multiple(() =>
        {
            foreach (var type in new[] { "aws_vpc", "aws_subnet", "aws_route_table", "aws_default_security_group", "aws_internet_gateway", "aws_nat_gateway" })
            {
                Assert.That(Existing.Resources(type), Is.Empty, type);
            }

            Assert.That(vpc["id"]!.GetValue<string>(), Is.EqualTo("vpc-0a1b2c3d4e5f67890"));
            Assert.That(vpc["lifecycle"]!["postcondition"]![0]!["condition"]!.GetValue<string>(), Is.EqualTo("${self.enable_dns_support && self.enable_dns_hostnames}"));
            Assert.That(subnets.Select(s => s["id"]!.GetValue<string>()), Is.EqualTo(new[] { "subnet-0a1b2c3d4e5f67890", "subnet-1a2b3c4d5e6f78901" }));
            Assert.That(subnets.Select(s => s["lifecycle"]!["postcondition"]![0]!["condition"]!.GetValue<string>()),
                Has.All.EqualTo("${self.vpc_id == \"vpc-0a1b2c3d4e5f67890\"}"));
            Assert.That(Data(Existing, "aws_route_tables"), Has.Count.EqualTo(2), "each subnet's explicitly associated table, if any");
            Assert.That(Data(Existing, "aws_route_table").Single().Value!["filter"]![0]!["name"]!.GetValue<string>(), Is.EqualTo("association.main"));
            Assert.That(dynamodb["vpc_id"]!.GetValue<string>(), Does.StartWith("${data.aws_vpc."));
            Assert.That(dynamodb["route_table_ids"]!.GetValue<string>(), Does.Match(
                @"^\$\{distinct\(\[length\(data\.aws_route_tables\.\S+\.ids\) > 0 \? data\.aws_route_tables\.\S+\.ids\[0\] : data\.aws_route_table\.\S+\.id, length\("));
            Assert.That(All(Existing, "aws_lambda_function").Select(f => Strings(f["vpc_config"]!["subnet_ids"])),
                Has.All.EqualTo(Data(Existing, "aws_subnet").Select(p => $"${{data.aws_subnet.{p.Key}.id}}").ToArray()));
            Assert.That(Existing.Resources("aws_opensearchserverless_vpc_endpoint"), Has.Count.EqualTo(1));
        });
    }

    [Test]
    public void NatGateway_AddsPublicSubnets_OneNatPerZone_AndHttpsEgressToTheInternet_AsARecordedException()
    {
        var internetEgress = All(Nat, "aws_vpc_security_group_egress_rule").Where(e => e["cidr_ipv4"] is not null).ToList();

        Assert.Multiple(() =>
        {
            Assert.That(Nat.Resources("aws_subnet"), Has.Count.EqualTo(6));
            Assert.That(Nat.Resources("aws_nat_gateway"), Has.Count.EqualTo(3));
            Assert.That(Nat.Resources("aws_eip"), Has.Count.EqualTo(3));
            Assert.That(Nat.Resources("aws_internet_gateway"), Has.Count.EqualTo(1));
            Assert.That(All(Nat, "aws_route").Select(r => r["destination_cidr_block"]!.GetValue<string>()), Has.All.EqualTo("0.0.0.0/0"));
            Assert.That(Nat.Resources("aws_route"), Has.Count.EqualTo(4), "the public table's route to the internet gateway, one per private table to its zone's NAT");
            Assert.That(All(Nat, "aws_subnet").Select(s => s["map_public_ip_on_launch"]!.GetValue<bool>()), Has.All.False);
            Assert.That(internetEgress, Has.Count.EqualTo(5), "one per function");
            Assert.That(internetEgress.Select(e => e["cidr_ipv4"]!.GetValue<string>()), Has.All.EqualTo("0.0.0.0/0"));
            Assert.That(internetEgress.Select(e => e["//"]!["policy_exceptions"]!["FTF-NET-001"]!.GetValue<string>()), Has.All.Contain("network.natGateway"));
        });
    }

    [Test]
    public void OnStacks_PassTheSecurityPolicy()
    {
        Assert.Multiple(() =>
        {
            Assert.That(SecurityPolicy.Check(Created).Select(v => v.Message), Is.Empty);
            Assert.That(SecurityPolicy.Check(Existing).Select(v => v.Message), Is.Empty);
            Assert.That(SecurityPolicy.Check(Nat).Select(v => v.Message), Is.Empty);
        });
    }

    [Test]
    public void TheOnStack_IsTheSameOnEverySynth() =>
        Assert.That(SynthDev(new JsonObject { ["cidr"] = "10.20.0.0/16" }).ToJsonString(), Is.EqualTo(Created.ToJsonString()));

    [Test]
    public void FunctionsInvokedDuringApply_WaitForTheirEndpointsAndRules()
    {
        var functions = Created.Resources("aws_lambda_function").Values;
        var sync = Strings(functions.Single(f => f["function_name"]!.GetValue<string>() == "fraud-detection-knowledge-base-sync-dev")["depends_on"]);
        var indexSetup = Strings(functions.Single(f => f["function_name"]!.GetValue<string>() == "fraud-detection-vector-index-setup-dev")["depends_on"]);
        var bedrockAgent = IdOf(Created, "aws_vpc_endpoint", e => e["service_name"]!.GetValue<string>().EndsWith(".bedrock-agent", StringComparison.Ordinal));
        var collectionEndpoint = Created.Resources("aws_opensearchserverless_vpc_endpoint").Keys.Single();

        Assert.Multiple(() =>
        {
            Assert.That(sync, Does.Contain($"aws_vpc_endpoint.{bedrockAgent}"));
            Assert.That(sync, Has.Some.Match(@"^aws_vpc_security_group_egress_rule\..*egress-endpoints"));
            Assert.That(sync, Has.Some.Match(@"^aws_vpc_security_group_ingress_rule\..*endpoints-ingress"));
            Assert.That(indexSetup, Does.Contain($"aws_opensearchserverless_vpc_endpoint.{collectionEndpoint}"));
        });
    }
}
