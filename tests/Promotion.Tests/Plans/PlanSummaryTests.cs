using FraudTf.Promotion.Plans;

namespace FraudTf.Promotion.Tests.Plans;

/// <summary>The plan summary over `terraform show -json` output (fixtures in Fixtures/, Terraform's documented format).</summary>
public class PlanSummaryTests
{
    private static PlanSummary Load(string name) =>
        PlanSummary.Parse(File.ReadAllText(Path.Combine(TestContext.CurrentContext.TestDirectory, "Fixtures", name)), $"Fixtures/{name}");

    [Test]
    public void ActionsAreCountedByKind()
    {
        var plan = Load("plan-risky.json");
        Assert.That(plan.TerraformVersion, Is.EqualTo("1.11.4"));
        Assert.That(plan.Count(PlanAction.Create), Is.EqualTo(1));
        Assert.That(plan.Count(PlanAction.Update), Is.EqualTo(2));
        Assert.That(plan.Count(PlanAction.Replace), Is.EqualTo(2), "delete-then-create and create-before-destroy are both replaces");
        Assert.That(plan.Count(PlanAction.Destroy), Is.EqualTo(1));
        Assert.That(plan.Unchanged, Is.EqualTo(1), "the no-op; the data source read is not a change");
        Assert.That(plan.Changes.Select(c => c.Address), Has.None.StartsWith("data."));
    }

    [Test]
    public void StatefulReplacesAndDestroysAreSingledOut()
    {
        var plan = Load("plan-risky.json");
        Assert.That(plan.StatefulLosses.Select(c => (c.Address, c.Action)), Is.EqualTo(new[]
        {
            ("aws_dynamodb_table.storage_transactions-table_this_BBA080AA", PlanAction.Replace),
            ("aws_s3_bucket.storage_models-bucket_this_01561585", PlanAction.Destroy),
        }));
        Assert.That(plan.Changes.Single(c => c.Type == "aws_kinesis_stream").Stateful, Is.True, "an update of a stream is stateful but not a loss");
    }

    [Test]
    public void ReplaceReasonsAndUpdatedArgumentsAreShown()
    {
        var plan = Load("plan-risky.json");
        Assert.That(plan.Changes.Single(c => c.Type == "aws_dynamodb_table").Detail, Is.EqualTo("replace_because_cannot_update: hash_key"));
        Assert.That(plan.Changes.Single(c => c.Type == "aws_lambda_function").Detail, Is.EqualTo("changes memory_size"),
            "tags_all (provider default tags) and computed-only attributes (last_modified) are left out");
        Assert.That(plan.Changes.Single(c => c.Type == "aws_s3_bucket").Detail, Is.EqualTo("delete_because_no_resource_config"));
    }

    [Test]
    public void TheMarkdownListsStatefulLossesFirst()
    {
        var md = Load("plan-risky.json").ToMarkdown("staging");
        Assert.That(md, Does.StartWith("### Plan of `staging`"));
        Assert.That(md, Does.Contain("Terraform 1.11.4: **1 to create, 2 to update, 2 to replace, 1 to destroy**; 1 unchanged."));
        var losses = md.IndexOf("**Stateful resources replaced or destroyed (2)", StringComparison.Ordinal);
        Assert.That(losses, Is.GreaterThan(0));
        Assert.That(md.IndexOf("aws_dynamodb_table.storage_transactions", StringComparison.Ordinal), Is.GreaterThan(losses));
        Assert.That(md.IndexOf("#### Replaced (1)", StringComparison.Ordinal), Is.GreaterThan(md.IndexOf("aws_s3_bucket.storage_models", StringComparison.Ordinal)));
        Assert.That(md.IndexOf("#### Created (1)", StringComparison.Ordinal), Is.GreaterThan(md.IndexOf("#### Updated in place (2)", StringComparison.Ordinal)));
        Assert.That(md, Does.Not.Contain("#### Destroyed"), "the only destroy is a stateful one, listed first");
    }

    [Test]
    public void ARoutinePlanHasNoStatefulLoss()
    {
        var plan = Load("plan-routine.json");
        Assert.That(plan.StatefulLosses, Is.Empty);
        Assert.That(plan.Count(PlanAction.Destroy), Is.EqualTo(1));
        Assert.That(plan.ToMarkdown("dev"), Does.Contain("No stateful resource").And.Contain("#### Destroyed (1)"));
    }

    [Test]
    public void ReplacingTheAgentOrItsAlias_IsAStatefulLoss_ButUpdatingItIsNot()
    {
        static System.Text.Json.Nodes.JsonObject Change(string type, string name, params string[] actions) => new()
        {
            ["address"] = $"{type}.{name}",
            ["type"] = type,
            ["name"] = name,
            ["change"] = new System.Text.Json.Nodes.JsonObject
            {
                ["actions"] = new System.Text.Json.Nodes.JsonArray(actions.Select(a => (System.Text.Json.Nodes.JsonNode)a!).ToArray()),
                ["before"] = new System.Text.Json.Nodes.JsonObject(),
                ["after"] = new System.Text.Json.Nodes.JsonObject(),
            },
        };
        var json = new System.Text.Json.Nodes.JsonObject
        {
            ["format_version"] = "1.2",
            ["terraform_version"] = "1.11.4",
            ["resource_changes"] = new System.Text.Json.Nodes.JsonArray(
                Change("aws_bedrockagent_agent", "analyst", "delete", "create"),
                Change("aws_bedrockagent_agent_alias", "alias", "update"),
                Change("aws_bedrockagent_agent_action_group", "tools", "delete", "create")),
        };

        var plan = PlanSummary.Parse(json.ToJsonString(), "p.json");

        Assert.That(plan.StatefulLosses.Select(c => c.Address), Is.EqualTo(new[] { "aws_bedrockagent_agent.analyst" }),
            "a new agent id breaks every caller; an alias update (a new version) and a replaced action group lose nothing");
    }

    [Test]
    public void AnEmptyPlanSaysSo()
    {
        var plan = PlanSummary.Parse("""{"format_version":"1.2","terraform_version":"1.11.4","resource_changes":[]}""", "p.json");
        Assert.That(plan.Changes, Is.Empty);
        Assert.That(plan.ToMarkdown("dev"), Does.Contain("**0 to create, 0 to update, 0 to replace, 0 to destroy**"));
    }

    [Test]
    public void NotAPlanIsAClearError()
    {
        var notJson = Assert.Throws<UserError>(() => PlanSummary.Parse("Error: no credentials", "cdktf.out/plans/dev/plan.json"))!;
        Assert.That(notJson.Message, Does.StartWith("cdktf.out/plans/dev/plan.json is not JSON"));
        var state = Assert.Throws<UserError>(() => PlanSummary.Parse("""{"version":4,"resources":[]}""", "s.json"))!;
        Assert.That(state.Message, Does.Contain("is not the JSON of a plan"));
    }
}
