using System.Text.Json.Nodes;
using FraudTf.Agent;
using FraudTf.Config;
using FraudTf.Tests.Support;

namespace FraudTf.Tests.Agent;

/// <summary>
/// What moves the alias forward: the alias (and the action group, which prepares the DRAFT) change exactly when what
/// the agent is changes. Each case synthesizes dev with one edit and compares it with the shared synth of the real files.
/// </summary>
[TestFixture]
public class AgentVersioningTests
{
    private const string Fixtures = "tests/FraudTf.Tests/Agent/Fixtures";

    private static JsonObject Dev => Synth.Shared.Stack("fraud-detection-dev");

    private static JsonObject SynthDev(Action<JsonObject> edit)
    {
        var config = ConfigFixture.Load("dev", edit);
        return Synth.Run([config]).Stack("fraud-detection-dev");
    }

    private static JsonObject AgentSection(JsonObject root) => root["agent"] as JsonObject ?? (JsonObject)(root["agent"] = new JsonObject());

    private static string Alias(JsonObject stack) => stack.Resource("aws_bedrockagent_agent_alias", "/analyst/alias")["description"]!.GetValue<string>();

    private static string ActionGroup(JsonObject stack) =>
        stack.Resource("aws_bedrockagent_agent_action_group", "/analyst/action-group")["description"]!.GetValue<string>();

    private static string Instruction(JsonObject stack) => stack.Resource("aws_bedrockagent_agent", "/analyst/this")["instruction"]!.GetValue<string>();

    [Test]
    public void UnchangedAgent_LeavesTheAliasAlone()
    {
        var again = SynthDev(_ => { });

        Assert.That(Alias(again), Is.EqualTo(Alias(Dev)));
        Assert.That(ActionGroup(again), Is.EqualTo(ActionGroup(Dev)));
        Assert.That(again.Resource("aws_bedrockagent_agent", "/analyst/this").ToJsonString(),
            Is.EqualTo(Dev.Resource("aws_bedrockagent_agent", "/analyst/this").ToJsonString()));
    }

    [Test]
    public void ChangedInstruction_MovesTheAliasForward_AndChangesNothingElseOfTheKnowledgeBase()
    {
        var changed = SynthDev(j => AgentSection(j)["instructionFile"] = $"{Fixtures}/instruction-changed.md");

        Assert.That(Instruction(changed), Is.Not.EqualTo(Instruction(Dev)));
        Assert.That(Instruction(changed), Does.EndWith("Always state the rules version of the automated decision you discuss."));
        Assert.That(Alias(changed), Is.Not.EqualTo(Alias(Dev)));
        Assert.That(ActionGroup(changed), Is.Not.EqualTo(ActionGroup(Dev)), "the action group's update prepares the DRAFT before the alias moves");
        Assert.That(changed.Resource("aws_bedrockagent_knowledge_base", "/analyst/knowledge-base/this").ToJsonString(),
            Is.EqualTo(Dev.Resource("aws_bedrockagent_knowledge_base", "/analyst/knowledge-base/this").ToJsonString()));
        Assert.That(changed.Resource("aws_bedrock_guardrail_version", "/analyst/guardrail/version").ToJsonString(),
            Is.EqualTo(Dev.Resource("aws_bedrock_guardrail_version", "/analyst/guardrail/version").ToJsonString()));
    }

    [Test]
    public void ChangedModel_MovesTheAliasForward()
    {
        var changed = SynthDev(j =>
        {
            AgentSection(j)["foundationModel"] = "anthropic.claude-opus-4-5-20251101-v1:0";
            AgentSection(j)["inferenceProfile"] = "us.anthropic.claude-opus-4-5-20251101-v1:0";
            // Not in the table of verified profiles: its destinations must be listed (as read from get-inference-profile).
            AgentSection(j)["inferenceProfileRegions"] = new System.Text.Json.Nodes.JsonArray("us-east-1", "us-east-2", "us-west-2");
        });

        Assert.That(changed.Resource("aws_bedrockagent_agent", "/analyst/this")["foundation_model"]!.GetValue<string>(),
            Is.EqualTo("us.anthropic.claude-opus-4-5-20251101-v1:0"));
        Assert.That(Alias(changed), Is.Not.EqualTo(Alias(Dev)));
    }

    [Test]
    public void ChangedKnowledgeDocument_MovesTheAliasForward_AndUploadsOnlyThatDocument()
    {
        var changed = SynthDev(j => AgentSection(j)["knowledgeBaseDocuments"] = $"{Fixtures}/knowledge-base-changed");

        Assert.That(Alias(changed), Is.Not.EqualTo(Alias(Dev)));
        string Hash(JsonObject stack, string file) => stack.Resource("aws_s3_object", $"/analyst/knowledge-base/document-{file}")["source_hash"]!.GetValue<string>();
        Assert.That(Hash(changed, "fraud-patterns"), Is.Not.EqualTo(Hash(Dev, "fraud-patterns")));
        Assert.That(Hash(changed, "scoring-rules"), Is.EqualTo(Hash(Dev, "scoring-rules")), "an unchanged document is no change in the plan");
        Assert.That(Hash(changed, "review-playbook"), Is.EqualTo(Hash(Dev, "review-playbook")));
        string Ingestion(JsonObject stack) => stack.Resource("aws_lambda_invocation", "/analyst/knowledge-base/ingestion")["input"]!.GetValue<string>();
        Assert.That(Ingestion(changed), Is.Not.EqualTo(Ingestion(Dev)), "a changed document starts a new ingestion job in the same apply");
    }

    [Test]
    public void ChangedSessionTtl_MovesTheAliasForward()
    {
        var changed = SynthDev(j => AgentSection(j)["idleSessionTtlSeconds"] = 1200);

        Assert.That(Alias(changed), Is.Not.EqualTo(Alias(Dev)));
        Assert.That(Alias(changed), Does.Contain("ttl 1200 s"));
        Assert.That(ActionGroup(changed), Is.Not.EqualTo(ActionGroup(Dev)));
    }

    [Test]
    public void ChangedSettingOutsideTheAgent_LeavesTheAliasAlone()
    {
        var changed = SynthDev(j => j["monitoring"] = new JsonObject { ["iteratorAgeMilliseconds"] = 120_000 });

        Assert.That(Alias(changed), Is.EqualTo(Alias(Dev)));
        Assert.That(ActionGroup(changed), Is.EqualTo(ActionGroup(Dev)));
        Assert.That(changed.Resource("aws_lambda_invocation", "/analyst/knowledge-base/ingestion").ToJsonString(),
            Is.EqualTo(Dev.Resource("aws_lambda_invocation", "/analyst/knowledge-base/ingestion").ToJsonString()), "unchanged documents start no ingestion");
    }

    [Test]
    public void TemplateSequencesInTheInstruction_ReachBedrockLiterally()
    {
        Assert.That(TerraformText.Literal("cost ${amount} and %{if x}"), Is.EqualTo("cost $${amount} and %%{if x}"));
        Assert.That(TerraformText.Literal("plain $ and % and {braces}"), Is.EqualTo("plain $ and % and {braces}"));
    }

    [Test]
    public void MissingInstructionFile_FailsSynthNamingTheFileFieldAndFix()
    {
        var config = ConfigFixture.Load("dev", j => AgentSection(j)["instructionFile"] = "agent/no-such-file.md");

        var e = Assert.Throws<ArgumentException>(() => Synth.Run([config]))!;
        Assert.That(e.Message, Does.StartWith("environments/dev.json: field 'agent.instructionFile' = \"agent/no-such-file.md\": the file does not exist."));
        Assert.That(e.Message, Does.Contain("Fix:"));
    }

    [Test]
    public void TooShortInstruction_FailsSynthWithTheLimits()
    {
        var config = ConfigFixture.Load("dev", j => AgentSection(j)["instructionFile"] = $"{Fixtures}/too-short-instruction.md");

        var e = Assert.Throws<ArgumentException>(() => Synth.Run([config]))!;
        Assert.That(e.Message, Does.Contain("the instruction has 11 characters"));
        Assert.That(e.Message, Does.Contain($"{FraudAnalystAgent.MinInstructionLength} to {FraudAnalystAgent.MaxInstructionLength} characters"));
    }

    [Test]
    public void MissingDocumentFolder_FailsSynthNamingTheField()
    {
        var config = ConfigFixture.Load("dev", j => AgentSection(j)["knowledgeBaseDocuments"] = Fixtures + "/no-such-folder");

        var e = Assert.Throws<ArgumentException>(() => Synth.Run([config]))!;
        Assert.That(e.Message, Does.StartWith($"environments/dev.json: field 'agent.knowledgeBaseDocuments' = \"{Fixtures}/no-such-folder\""));
    }
}
