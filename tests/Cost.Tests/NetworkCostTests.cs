using System.Text.Json.Nodes;
using FraudTf.Cost;

namespace Cost.Tests;

/// <summary>
/// Private networking priced (issue 20): the network of a dev stack synthesized with three zones and NAT
/// (Fixtures/network-nat-dev.json, cut from a synth) joined to the fixture's stream processor, which takes the
/// synthesized function's role and vpc_config. Prices are $1 a unit, so a line's USD is its quantity.
/// </summary>
[TestFixture]
public class NetworkCostTests
{
    private const string Role = "aws_iam_role.stream-processor_role_this_7F09E549";
    private const string Queue = "aws_sqs_queue.dlq_this_C3757C70";
    private const int Zones = 3;

    private static JsonObject NetworkResources() =>
        JsonNode.Parse(File.ReadAllText(Path.Combine(TestContext.CurrentContext.TestDirectory, "Fixtures", "network-nat-dev.json")))!["resource"]!.AsObject();

    /// <summary>The base stack with the synthesized network, the stream processor in it, its role and the dead-letter queue the SQS endpoint's policy names.</summary>
    private static JsonObject NetworkStack(Action<JsonObject>? edit = null)
    {
        var stack = Fixture.BaseStack();
        foreach (var (type, byName) in NetworkResources())
        {
            stack[type] = byName!.DeepClone();
        }

        var sp = stack["aws_lambda_function"]!["sp"]!.AsObject();
        sp["role"] = $"${{{Role}.arn}}";
        sp["vpc_config"] = JsonNode.Parse("""
            {"security_group_ids": ["${aws_security_group.stream-processor_network_735FC23D.id}"],
             "subnet_ids": ["${aws_subnet.network_private-0_A0649C48.id}", "${aws_subnet.network_private-1_4188AF2B.id}", "${aws_subnet.network_private-2_96169D1F.id}"]}
            """);
        stack.With("aws_iam_role", "stream-processor_role_this_7F09E549", """{"name": "fraud-detection-stream-processor-dev"}""");
        stack.With("aws_sqs_queue", "dlq_this_C3757C70", """{"name": "fraud-detection-dlq-dev"}""");
        edit?.Invoke(stack);
        return stack;
    }

    private static IEnumerable<ResourceCost> OfType(CostReport r, string type) => r.Resources.Where(x => x.Type == type);

    private static IEnumerable<ResourceCost> Interface(CostReport r) =>
        OfType(r, "aws_vpc_endpoint").Where(x => x.Lines.Any(l => l.Item == "endpoint-AZ-hours"));

    [Test]
    public void InterfaceEndpoints_AreBilledPerEndpointPerZone()
    {
        var report = Fixture.Report(NetworkStack());

        // sqs, xray and bedrock-agent: three interface endpoints, each with a network interface in each of the three zones.
        Assert.That(Interface(report).Select(x => x.DisplayName), Is.EquivalentTo(new[]
        {
            "com.amazonaws.us-east-1.bedrock-agent", "com.amazonaws.us-east-1.sqs", "com.amazonaws.us-east-1.xray",
        }));
        Assert.That(Interface(report).Select(x => x.Lines.Single(l => l.Item == "endpoint-AZ-hours").Quantity), Has.All.EqualTo(Zones * 730));
        Assert.That(Interface(report).Sum(x => x.Lines.Single(l => l.Item == "endpoint-AZ-hours").MonthlyUsd), Is.EqualTo(3 * Zones * 730));
        var collection = OfType(report, "aws_opensearchserverless_vpc_endpoint").Single();
        Assert.That(collection.Lines.Single(l => l.Item == "endpoint-AZ-hours").Quantity, Is.EqualTo(Zones * 730));
        Assert.That(collection.Lines.Single(l => l.Item == "endpoint-AZ-hours").Price.Key, Is.EqualTo("opensearchServerless.vpcEndpointAzHours"));
    }

    [Test]
    public void TwoZones_HalveNothingButTheZoneCount()
    {
        // The same endpoints with two subnets each: two thirds of the endpoint-hours.
        var report = Fixture.Report(NetworkStack(s =>
        {
            foreach (var (_, e) in s["aws_vpc_endpoint"]!.AsObject().Concat(s["aws_opensearchserverless_vpc_endpoint"]!.AsObject()))
            {
                if (e!["subnet_ids"] is JsonArray subnets)
                {
                    subnets.RemoveAt(2);
                }
            }
        }));

        Assert.That(Interface(report).Concat(OfType(report, "aws_opensearchserverless_vpc_endpoint"))
            .Sum(x => x.Lines.Single(l => l.Item == "endpoint-AZ-hours").Quantity), Is.EqualTo(4 * 2 * 730));
    }

    [Test]
    public void GatewayEndpoints_AreFree_AndSaySo()
    {
        var report = Fixture.Report(NetworkStack());
        var gateways = OfType(report, "aws_vpc_endpoint").Where(x => x.Lines.Any(l => l.Item == "gateway endpoint")).ToList();

        Assert.That(gateways.Select(g => g.DisplayName), Is.EquivalentTo(new[] { "com.amazonaws.us-east-1.dynamodb", "com.amazonaws.us-east-1.s3" }));
        Assert.That(gateways.Sum(g => g.MonthlyUsd), Is.Zero);
        Assert.That(gateways.SelectMany(g => g.Lines).Select(l => l.Basis), Has.All.Contains("free"));
    }

    [Test]
    public void NatGateways_AndTheirAddresses_AreBilledByTheHour_DataSharedAmongThem()
    {
        var report = Fixture.Report(NetworkStack());
        var nats = OfType(report, "aws_nat_gateway").ToList();
        var ips = OfType(report, "aws_eip").ToList();

        Assert.Multiple(() =>
        {
            Assert.That(nats, Has.Count.EqualTo(Zones));
            Assert.That(nats.Sum(n => n.Lines.Single(l => l.Item == "NAT gateway hours").Quantity), Is.EqualTo(Zones * 730));
            // network.natGigabytesPerMonth = 30 in the fixture, over three gateways.
            Assert.That(nats.Select(n => n.Lines.Single(l => l.Item == "data processed").Quantity), Has.All.EqualTo(10));
            Assert.That(ips, Has.Count.EqualTo(Zones));
            Assert.That(ips.Sum(i => i.Lines.Single().Quantity), Is.EqualTo(Zones * 730));
            Assert.That(ips.Select(i => i.Lines.Single().Price.Key), Has.All.EqualTo("vpc.publicIpv4AddressHours"));
            Assert.That(ips.Select(i => i.Lines.Single().Basis), Has.All.Contains("NAT gateway"));
        });
    }

    [Test]
    public void DataProcessed_ComesFromWhatTheCallersSend()
    {
        var report = Fixture.Report(NetworkStack());
        CostLine Data(string service) => Interface(report).Single(x => x.DisplayName.EndsWith("." + service, StringComparison.Ordinal)).Lines.Single(l => l.Item == "data processed");

        // SQS: 1 TPS x 0.01 dead-lettered x 2,628,000 s = 26,280 messages of 600 B x 4/3 (base64) + 100 B envelope + 100 B overhead.
        Assert.That(Data("sqs").Quantity, Is.EqualTo(26_280 * 1000 / Fixture.Gb).Within(1e-12));
        // X-Ray: the stream processor's traced invocations (its own "traces recorded" line) x 1,000 B.
        var traces = report.Line("aws_lambda_function.sp", "traces recorded").Quantity;
        Assert.That(Data("xray").Quantity, Is.EqualTo(traces * 1000 / Fixture.Gb).Within(1e-12));
        // Bedrock agent: its policy names the knowledge-base sync's role, which this stack does not have.
        Assert.That(Data("bedrock-agent").Quantity, Is.Zero);
    }

    [Test]
    public void Totals_AddUp_AndTheMarkdownHasANetworkingSection()
    {
        var report = Fixture.Report(NetworkStack());
        var network = report.Networking;
        var expected = 4 * Zones * 730          // endpoint-AZ-hours: three interface endpoints and the collection's
                       + Zones * 730 + 30       // NAT hours and GB
                       + Zones * 730            // public IPv4 address-hours
                       + network.SelectMany(x => x.Lines).Where(l => l.Item == "data processed" && l.Price.Key != "vpc.natGatewayDataProcessed").Sum(l => l.Quantity);

        Assert.That(network.Sum(x => x.MonthlyUsd), Is.EqualTo(expected).Within(1e-9));
        var markdown = CostMarkdown.Report(report);
        Assert.That(markdown, Does.Contain(FormattableString.Invariant($"### Networking of fraud-detection-dev: ${expected:#,0.00} per month")));
        Assert.That(markdown, Does.Contain("| aws_vpc_endpoint | endpoint-AZ-hours | 3: com.amazonaws.us-east-1.bedrock-agent, com.amazonaws.us-east-1.sqs, com.amazonaws.us-east-1.xray | 6,570 |"));
        Assert.That(markdown, Does.Contain("| aws_vpc_endpoint | gateway endpoint | 2: com.amazonaws.us-east-1.dynamodb, com.amazonaws.us-east-1.s3 |").And.Contain("| free |"));
        Assert.That(markdown, Does.Contain("| aws_nat_gateway | NAT gateway hours | 3:"));
        Assert.That(markdown, Does.Contain("Free networking parts:").And.Contain("6 aws_subnet").And.Contain("No VPC flow logs"));
        Assert.That(report.FreeResources.Select(f => f.Type), Does.Contain("aws_vpc").And.Contain("aws_route").And.Contain("aws_security_group"));
    }

    [Test]
    public void WithoutNetworking_NoNetworkingSection()
    {
        var markdown = CostMarkdown.Report(Fixture.Report(Fixture.BaseStack()));

        Assert.That(markdown, Does.Not.Contain("Networking"));
    }

    [Test]
    public void InterfaceEndpointOfAServiceWithoutATrafficModel_FailsNamingTheFix()
    {
        var stack = NetworkStack(s => s.With("aws_vpc_endpoint", "kms", """
            {"service_name": "com.amazonaws.us-east-1.kms", "vpc_endpoint_type": "Interface", "subnet_ids": ["${aws_subnet.network_private-0_A0649C48.id}"]}
            """));

        var e = Assert.Throws<CostDataException>(() => Fixture.Report(stack));
        Assert.That(e!.Message, Does.Contain("aws_vpc_endpoint.kms").And.Contain("kms").And.Contain("CostModels.EndpointTraffic"));
    }

    [Test]
    public void InterfaceEndpointWithoutASubnetList_FailsNamingIt()
    {
        var stack = NetworkStack(s => s["aws_vpc_endpoint"]!["network_endpoint-sqs_EAFA56D1"]!["subnet_ids"] = "${var.subnets}");

        var e = Assert.Throws<CostDataException>(() => Fixture.Report(stack));
        Assert.That(e!.Message, Does.Contain("network_endpoint-sqs_EAFA56D1").And.Contain("subnet_ids"));
    }

    [Test]
    public void PromotingToNetworking_TheDiffShowsTheAddedNetworkCosts()
    {
        var off = Fixture.Report(Fixture.BaseStack().With("aws_iam_role", "stream-processor_role_this_7F09E549", """{"name": "r"}""")
            .With("aws_sqs_queue", "dlq_this_C3757C70", """{"name": "fraud-detection-dlq-dev"}"""));
        var on = Fixture.Report(NetworkStack());
        var diff = CostApi.Diff(off, on, "off", "on");

        Assert.That(diff.Changed.Where(c => c.FromName is null).Select(c => c.Type).Distinct(),
            Is.EquivalentTo(new[] { "aws_vpc_endpoint", "aws_opensearchserverless_vpc_endpoint", "aws_nat_gateway", "aws_eip" }));
        Assert.That(diff.DeltaUsd, Is.EqualTo(on.NetworkingUsd).Within(1e-9));
    }
}
