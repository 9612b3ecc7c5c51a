using System.Text.Json.Nodes;
using FraudTf.Compute;
using FraudTf.Config;
using FraudTf.Platform;
using FraudTf.Promotion.Comparison;
using FraudTf.Promotion.Tests.Support;

namespace FraudTf.Promotion.Tests.Comparison;

/// <summary>
/// Private networking in the promotion report (issue 20): a <c>network</c> block that differs between two environments is a
/// per-environment value; the blocks it adds or removes and the values it changes are expected and listed in their own section.
/// </summary>
public class NetworkPromotionTests
{
    private static readonly IReadOnlyList<Substitution> Subs = [new("environment", "dev", "staging")];

    private static readonly NetworkChange OffToOn = new("off", "created VPC 10.20.0.0/16, 2 zones, no NAT",
        [new NetworkField("network.cidr", null, "10.20.0.0/16")]);

    private const string Describe = "aws_iam_role_policy.fn_vpc-describe_1";

    /// <summary>A function, its role policy and the collection's network policy; with networking, what PrivateNetwork adds.</summary>
    private static JsonObject Stack(string env, bool network, string cidr = "10.20.0.0/16", string extraStatement = "")
    {
        var interfaces = network ? """,{\"Sid\":\"ManageOwnNetworkInterfaces\",\"Effect\":\"Allow\",\"Action\":[\"ec2:CreateNetworkInterface\"],\"Resource\":\"*\"}""" : "";
        var s = JsonNode.Parse($$"""
            {
              "resource": {
                "aws_lambda_function": { "fn": { "function_name": "sp-{{env}}", "filename": "assets/fn/sp.zip", "source_code_hash": "H1",
                                                  "depends_on": ["aws_iam_role_policy.fn_role_policy_1"] } },
                "aws_iam_role_policy": { "fn_role_policy_1": { "name": "sp-{{env}}",
                  "policy": "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Sid\":\"Logs\",\"Effect\":\"Allow\",\"Action\":\"logs:PutLogEvents\",\"Resource\":\"arn:aws:logs:us-east-1:1:log-group:/aws/lambda/sp-{{env}}:*\"}{{interfaces}}{{extraStatement}}]}" } },
                "aws_opensearchserverless_security_policy": { "np": { "type": "network", "name": "kb-{{env}}",
                  "policy": "{{(network ? "[{\\\"AllowFromPublic\\\":false}]" : "[{\\\"AllowFromPublic\\\":true}]")}}" } }
              }
            }
            """)!.AsObject();
        if (network)
        {
            var r = s["resource"]!.AsObject();
            r["aws_vpc"] = JsonNode.Parse($$"""{ "network_vpc_1": { "cidr_block": "{{cidr}}" } }""");
            r["aws_subnet"] = JsonNode.Parse($$"""{ "network_private-0_1": { "cidr_block": "{{cidr[..^3]}}/20", "vpc_id": "${aws_vpc.network_vpc_1.id}" } }""");
            r["aws_vpc_endpoint"] = JsonNode.Parse("""{ "network_endpoint-sqs_1": { "service_name": "com.amazonaws.us-east-1.sqs", "vpc_endpoint_type": "Interface" } }""");
            r["aws_iam_role_policy"]!["fn_vpc-describe_1"] = JsonNode.Parse($$"""{ "name": "d-{{env}}", "//": { "metadata": { "path": "fraud-detection-{{env}}/fn/vpc-describe" } } }""");
            var fn = r["aws_lambda_function"]!["fn"]!;
            fn["vpc_config"] = JsonNode.Parse("""{ "subnet_ids": ["${aws_subnet.network_private-0_1.id}"] }""");
            fn["depends_on"]!.AsArray().Add(Describe);
            s["data"] = JsonNode.Parse("""{ "aws_availability_zones": { "network_zones_1": { "state": "available" } } }""");
        }

        return s;
    }

    private static StackComparison Compare(JsonObject a, JsonObject b, NetworkChange? network) =>
        StackComparer.Compare("dev", "staging", a, b, Subs, (_, _) => Zip, [], null, network);

    private static readonly string Zip = new('a', 64);

    [Test]
    public void OffToOn_TheBlocksNetworkingAddsAndTheValuesItChanges_AreExpected()
    {
        var c = Compare(Stack("dev", network: false), Stack("staging", network: true), OffToOn);

        Assert.That(c.Unexpected.Select(d => $"{d.Address} {d.Path}"), Is.Empty);
        Assert.That(c.Passed, Is.True);
        Assert.That(c.NetworkOnlyInTo, Is.EquivalentTo(new[]
        {
            Describe, "aws_subnet.network_private-0_1", "aws_vpc.network_vpc_1", "aws_vpc_endpoint.network_endpoint-sqs_1", "data.aws_availability_zones.network_zones_1",
        }));
        Assert.That(c.OnlyInTo, Is.Empty);
        var byNetwork = c.Differences.Where(d => d.ExplainedBy.Any(s => s.Field == NetworkChange.Field)).Select(d => $"{d.Address} {d.Path}").ToList();
        Assert.That(byNetwork, Is.EquivalentTo(new[]
        {
            "aws_iam_role_policy.fn_role_policy_1 policy", "aws_lambda_function.fn depends_on[1]", "aws_lambda_function.fn vpc_config.subnet_ids[0]",
            "aws_opensearchserverless_security_policy.np policy",
        }));
    }

    [Test]
    public void TheReport_HasANetworkingSection_ListingTheAddedBlocksByType()
    {
        var report = PromotionReport.Render(Compare(Stack("dev", network: false), Stack("staging", network: true), OffToOn), []);

        Assert.That(report, Does.Contain("## Networking"));
        Assert.That(report, Does.Contain("`dev`: off; `staging`: created VPC 10.20.0.0/16, 2 zones, no NAT"));
        Assert.That(report, Does.Contain("| `network.cidr` | (absent) | `10.20.0.0/16` |"));
        Assert.That(report, Does.Contain("| `aws_vpc_endpoint` | 1 | 0 |").And.Contain("| `data.aws_availability_zones` | 1 | 0 |").And.Contain("| **total** | **5** | **0** |"));
        Assert.That(report, Does.Contain("- `aws_vpc.network_vpc_1`: added in `staging`"));
        Assert.That(report, Does.Contain("| networking blocks only in `dev` / only in `staging` (expected: `network` differs) | 0 / 5 |"));
        Assert.That(report, Does.Contain("**Verdict: PASS.**"));
    }

    [Test]
    public void BothOnWithTheSameNetwork_TheNetworkBlocksCompareLikeAnyOther()
    {
        // Same block on both sides: no NetworkChange; the new types are compared value by value (names carry the environment).
        var a = Stack("dev", network: true);
        var b = Stack("staging", network: true);
        b["resource"]!["aws_vpc_endpoint"]!["network_endpoint-sqs_1"]!["private_dns_enabled"] = false;
        a["resource"]!["aws_vpc_endpoint"]!["network_endpoint-sqs_1"]!["private_dns_enabled"] = true;

        var c = Compare(a, b, network: null);

        Assert.That(c.Network, Is.Null);
        Assert.That(c.NetworkOnlyInFrom.Concat(c.NetworkOnlyInTo).Concat(c.OnlyInFrom).Concat(c.OnlyInTo), Is.Empty);
        Assert.That(c.Differences.Where(d => d.Expected).Select(d => $"{d.Address} {d.Path}"), Does.Contain("aws_iam_role_policy.fn_vpc-describe_1 name"));
        Assert.That(c.Unexpected.Select(d => $"{d.Address} {d.Path}"), Is.EqualTo(new[] { "aws_vpc_endpoint.network_endpoint-sqs_1 private_dns_enabled" }));
    }

    [Test]
    public void WithoutANetworkDifference_TheSameBlocksAreUnexpected()
    {
        var c = Compare(Stack("dev", network: false), Stack("staging", network: true), network: null);

        Assert.That(c.Passed, Is.False);
        Assert.That(c.OnlyInTo, Does.Contain("aws_vpc.network_vpc_1"));
        Assert.That(c.Unexpected.Select(d => d.Path), Does.Contain("vpc_config.subnet_ids[0]"));
        Assert.That(PromotionReport.Render(c, []), Does.Not.Contain("## Networking"));
    }

    [Test]
    public void ARolePolicyDifferingByMoreThanTheNetworkInterfaces_IsStillUnexpected()
    {
        var extra = """,{\"Sid\":\"Extra\",\"Effect\":\"Allow\",\"Action\":\"s3:GetObject\",\"Resource\":\"*\"}""";
        var c = Compare(Stack("dev", network: false), Stack("staging", network: true, extraStatement: extra), OffToOn);

        Assert.That(c.Unexpected.Select(d => $"{d.Address} {d.Path}"), Is.EqualTo(new[] { "aws_iam_role_policy.fn_role_policy_1 policy" }));
    }

    [Test]
    public void BothOn_AChangedCidr_ExplainsTheNetworkBlocksOnly()
    {
        var change = new NetworkChange("created VPC 10.20.0.0/16, 2 zones, no NAT", "created VPC 10.30.0.0/16, 2 zones, no NAT",
            [new NetworkField("network.cidr", "10.20.0.0/16", "10.30.0.0/16")]);
        var subs = Subs.Append(new Substitution("network.cidr", "10.20.0.0/16", "10.30.0.0/16")).ToList();
        var a = Stack("dev", network: true);
        var b = Stack("staging", network: true, cidr: "10.30.0.0/16");
        b["resource"]!["aws_lambda_function"]!["fn"]!["description"] = "10.30.0.0/16"; // not a networking value
        a["resource"]!["aws_lambda_function"]!["fn"]!["description"] = "10.20.0.0/16";

        var c = StackComparer.Compare("dev", "staging", a, b, subs, (_, _) => Zip, [], null, change);

        var network = c.Differences.Where(d => d.Address.StartsWith("aws_subnet", StringComparison.Ordinal) || d.Address.StartsWith("aws_vpc.", StringComparison.Ordinal)).ToList();
        Assert.That(network.Select(d => $"{d.Address} {d.Path}"), Is.EquivalentTo(new[] { "aws_subnet.network_private-0_1 cidr_block", "aws_vpc.network_vpc_1 cidr_block" }));
        Assert.That(network.Select(d => d.Expected), Has.All.True);
        Assert.That(c.Unexpected.Select(d => $"{d.Address} {d.Path}"), Is.EqualTo(new[] { "aws_lambda_function.fn description" }),
            "the network block's values explain only networking's blocks");
        Assert.That(c.NetworkOnlyInFrom.Concat(c.NetworkOnlyInTo), Is.Empty);
    }

    [Test]
    public void NetworkChange_OfTheConfigs()
    {
        var (dev, staging) = EnvironmentValues.LoadConfigs(Path.Combine(RealStacks.Root, "environments"), "dev", "staging");
        var on = staging with { Network = new NetworkConfig { Cidr = "10.20.0.0/16", AvailabilityZones = 3, NatGateway = true } };

        Assert.That(NetworkChange.Of(dev, staging), Is.Null, "both off");
        var change = NetworkChange.Of(dev, on)!;
        Assert.That((change.FromMode, change.ToMode), Is.EqualTo(("off", "created VPC 10.20.0.0/16, 3 zones, NAT gateway per zone")));
        Assert.That(change.Fields.Select(f => (f.Field, f.From, f.To)), Does.Contain(("network.cidr", (string?)null, "10.20.0.0/16"))
            .And.Contain(("network.natGateway", (string?)null, "true")));
        Assert.That(NetworkChange.Of(on, on), Is.Null, "the same network");
    }

    // ---- the real stacks: dev without networking promoted to staging with it -----------------------------------------

    private static readonly Lazy<string> Repo = new(SynthesizeDevOffStagingOn);

    private static string SynthesizeDevOffStagingOn()
    {
        Environment.SetEnvironmentVariable("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION",
            Environment.GetEnvironmentVariable("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION") ?? "20");
        var repo = Path.Combine(Path.GetTempPath(), "fraudtf-promotion-tests", "network-promotion-" + Guid.NewGuid().ToString("N"));
        var environments = Path.Combine(repo, "environments");
        Directory.CreateDirectory(environments);
        foreach (var file in Directory.GetFiles(Path.Combine(RealStacks.Root, "environments"), "*.json"))
        {
            var json = JsonNode.Parse(File.ReadAllText(file))!.AsObject();
            if (Path.GetFileNameWithoutExtension(file) == "staging")
            {
                json["network"] = new JsonObject { ["cidr"] = "10.20.0.0/16" };
            }

            File.WriteAllText(Path.Combine(environments, Path.GetFileName(file)), json.ToJsonString());
        }

        Directory.CreateDirectory(Path.Combine(repo, "promotion"));
        foreach (var file in Directory.GetFiles(Path.Combine(RealStacks.Root, "promotion")))
        {
            File.Copy(file, Path.Combine(repo, "promotion", Path.GetFileName(file)));
        }

        var configs = EnvironmentConfigLoader.LoadAll(environments).Where(c => c.Environment is "dev" or "staging").ToList();
        var app = new App(new AppConfig { Outdir = Path.Combine(repo, "cdktf.out") });
        FraudTfApp.AddStacks(app, configs, FunctionArtifacts.Build(RealStacks.Root), RealStacks.Root);
        app.Synth();
        return repo;
    }

    [Test]
    public void RealStacks_DevOffToStagingOn_PassesWithTheNetworkingListed()
    {
        var c = Commands.CompareEnvironments(Repo.Value, Path.Combine(Repo.Value, "cdktf.out"), "dev", "staging");

        Assert.That(c.Unexpected.Select(d => $"{d.Address} {d.Path}: {d.From} -> {d.To}"), Is.Empty);
        Assert.That(c.OnlyInFrom.Concat(c.OnlyInTo), Is.Empty, "every added block is networking's");
        Assert.That(c.Network!.FromMode, Is.EqualTo("off"));
        var types = c.NetworkOnlyInTo.Select(a => a.StartsWith("data.", StringComparison.Ordinal) ? "data." + a.Split('.')[1] : a.Split('.')[0]).ToHashSet();
        Assert.That(types, Is.SupersetOf(new[] { "aws_vpc", "aws_subnet", "aws_vpc_endpoint", "aws_opensearchserverless_vpc_endpoint", "aws_security_group", "aws_iam_role_policy" }));
        Assert.That(c.NetworkOnlyInFrom, Is.Empty);
        // Every function is updated in place with vpc_config; the collection's network policy changes.
        var changed = c.Differences.Where(d => d.ExplainedBy.Any(s => s.Field == NetworkChange.Field)).ToList();
        Assert.That(changed.Where(d => d.Path.StartsWith("vpc_config", StringComparison.Ordinal)).Select(d => d.Address).Distinct().Count(),
            Is.EqualTo(c.Artifacts.Count));
        Assert.That(changed.Select(d => d.Address), Has.Some.StartsWith("aws_opensearchserverless_security_policy."));
        Assert.That(c.Artifacts.All(a => a.Identical), Is.True);
        Assert.That(PromotionReport.Render(c, []), Does.Contain("## Networking").And.Contain("**Verdict: PASS.**"));
    }
}
