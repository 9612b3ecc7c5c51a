using System.Text.Json.Nodes;
using FraudTf.Promotion.Guardrails;
using FraudTf.Promotion.Plans;

namespace FraudTf.Promotion.Tests.Guardrails;

/// <summary>The plan guard and private networking: replacing a VPC, subnet, group, route table or endpoint interrupts the platform.</summary>
public class NetworkGuardTests
{
    private static PlanSummary Plan(params (string Type, string Name, string[] Actions)[] changes)
    {
        var list = new JsonArray();
        foreach (var (type, name, actions) in changes)
        {
            list.Add(new JsonObject
            {
                ["address"] = $"{type}.{name}", ["mode"] = "managed", ["type"] = type, ["name"] = name,
                ["change"] = new JsonObject { ["actions"] = new JsonArray(actions.Select(a => (JsonNode)a).ToArray()), ["replace_paths"] = new JsonArray(new JsonArray("cidr_block")) },
                ["action_reason"] = "replace_because_cannot_update",
            });
        }

        var root = new JsonObject { ["format_version"] = "1.2", ["terraform_version"] = "1.11.4", ["resource_changes"] = list };
        return PlanSummary.Parse(root.ToJsonString(), "plan.json");
    }

    [TestCase("aws_vpc")]
    [TestCase("aws_subnet")]
    [TestCase("aws_security_group")]
    [TestCase("aws_route_table")]
    [TestCase("aws_vpc_endpoint")]
    [TestCase("aws_opensearchserverless_vpc_endpoint")]
    public void ReplacingANetworkResource_IsRefusedWithItsReason(string type)
    {
        var r = Guards.StatefulDestroys("staging", Plan((type, "network_x", ["delete", "create"])), null);

        Assert.That(r.Allowed, Is.False);
        Assert.That(r.Lines[0], Does.StartWith($"staging: replace of network {type}.network_x (replace_because_cannot_update: cidr_block): ")
            .And.EndWith(PlanSummary.NetworkReplaces[type]));
        Assert.That(r.Lines[^1], Does.StartWith("refused: the plan of staging would interrupt private networking by replacing 1 network resource(s).")
            .And.Contain("ALLOW_DESTROY="));
    }

    [Test]
    public void ThePlanSummary_SinglesOutANetworkReplace_WithItsReason_AndListsItOnce()
    {
        var plan = Plan(("aws_vpc_endpoint", "sqs", ["delete", "create"]), ("aws_cloudwatch_metric_alarm", "a", ["delete", "create"]), ("aws_subnet", "s", ["update"]));

        var md = plan.ToMarkdown("staging");

        Assert.That(plan.NetworkInterruptions.Select(c => c.Address), Is.EqualTo(new[] { "aws_vpc_endpoint.sqs" }), "a subnet updated in place interrupts nothing");
        var section = md.IndexOf("**Network resources replaced (1): private networking is interrupted", StringComparison.Ordinal);
        Assert.That(section, Is.GreaterThan(0));
        Assert.That(md, Does.Contain($"| replace | `aws_vpc_endpoint.sqs` | replace_because_cannot_update: cidr_block; {PlanSummary.NetworkReplaces["aws_vpc_endpoint"]} |"));
        Assert.That(md.IndexOf("#### Replaced (1)", StringComparison.Ordinal), Is.GreaterThan(section), "the alarm, after the network section");
        Assert.That(md.Split("`aws_vpc_endpoint.sqs`").Length - 1, Is.EqualTo(1), "listed once, not again under Replaced");
    }

    [Test]
    public void AStatefulLossAndANetworkReplace_AreBothNamed()
    {
        var r = Guards.StatefulDestroys("prod", Plan(("aws_dynamodb_table", "t", ["delete"]), ("aws_subnet", "s", ["create", "delete"])), null);

        Assert.That(r.Lines[^1], Does.StartWith("refused: the plan of prod would lose the data of 1 stateful resource(s) and interrupt private networking by replacing 1 network resource(s)."));
    }

    [Test]
    public void ANetworkReplace_IsAllowedWithAReason()
    {
        var r = Guards.StatefulDestroys("staging", Plan(("aws_vpc_endpoint", "sqs", ["delete", "create"])), "maintenance window, endpoint policy rewrite");

        Assert.That((r.Allowed, r.Forced), Is.EqualTo((true, true)));
    }

    [Test]
    public void TurningNetworkingOnOrOff_CreatesOrDestroys_AndIsNotGuarded()
    {
        // Creating the network, or destroying it with the network block removed: nothing is replaced, nothing holds data.
        var on = Guards.StatefulDestroys("staging", Plan(("aws_vpc", "v", ["create"]), ("aws_subnet", "s", ["create"]), ("aws_vpc_endpoint", "e", ["create"])), null);
        var off = Guards.StatefulDestroys("staging", Plan(("aws_vpc", "v", ["delete"]), ("aws_subnet", "s", ["delete"]), ("aws_nat_gateway", "n", ["delete"])), null);
        var nat = Guards.StatefulDestroys("staging", Plan(("aws_nat_gateway", "n", ["delete", "create"]), ("aws_eip", "i", ["delete", "create"])), null);

        Assert.That(new[] { on.Allowed, off.Allowed, nat.Allowed }, Has.All.True);
    }
}
