using FraudTf.Agent;
using FraudTf.Tests.Support;

namespace FraudTf.Tests.Agent;

/// <summary>The agent composite (with its knowledge base) alone on a fresh stack, over the storage it reads.</summary>
[TestFixture]
public class FraudAnalystAgentTests
{
    private static FraudAnalystAgentConfig Config(CompositeStack stack) => new()
    {
        Target = CompositeStack.Target,
        Settings = CompositeStack.Dev.Agent,
        ToolsSize = CompositeStack.Dev.Functions.For("AgentTools"),
        KnowledgeBaseSetupSize = CompositeStack.Dev.Functions.For("KnowledgeBaseSetup"),
        SourceFile = "environments/qa.json",
        LogRetentionDays = 14,
        TransactionTtlDays = 33,
        RepoRoot = Repo.Root,
        ToolsCode = Synth.Functions.For("functions/AgentTools"),
        KnowledgeBaseSetupCode = Synth.Functions.For("functions/KnowledgeBaseSetup"),
        Storage = stack.Storage,
        DataKey = stack.DataKey,
        LogKey = stack.LogKey,
    };

    [Test]
    public void AgentToolsAndKnowledgeBase_AreNamedFromTheTarget_AndUseTheGivenRetentionAndTtl()
    {
        var stack = new CompositeStack();
        var agent = new FraudAnalystAgent(stack.Stack, "analyst", Config(stack));
        var json = stack.Synth();

        Assert.Multiple(() =>
        {
            Assert.That(json.Resources("aws_bedrockagent_agent").Values.Single()["agent_name"]!.GetValue<string>(), Is.EqualTo("acme-analyst-qa"));
            Assert.That(json.Resources("aws_bedrockagent_agent_alias").Values.Single()["agent_alias_name"]!.GetValue<string>(), Is.EqualTo("qa"));
            Assert.That(json.Resources("aws_lambda_function").Values.Select(f => f["function_name"]!.GetValue<string>()),
                Is.EquivalentTo(new[] { "acme-agent-tools-qa", "acme-vector-index-setup-qa", "acme-knowledge-base-sync-qa" }));
            Assert.That(json.Resources("aws_cloudwatch_log_group").Values.Select(g => g["retention_in_days"]!.GetValue<int>()), Has.All.EqualTo(14));
            Assert.That(agent.Tools.Config.Environment[FraudTf.Functions.Shared.Settings.FunctionEnvironment.TransactionTtlDays], Is.EqualTo("33"));
            Assert.That(agent.AliasDescription, Does.StartWith("qa alias; agent "));
        });
    }

    [Test]
    public void TheTools_AreWriteGranteesOfTheTablesTheyWrite_NotOfThePatterns()
    {
        var stack = new CompositeStack();
        var agent = new FraudAnalystAgent(stack.Stack, "analyst", Config(stack));
        var storage = stack.Storage;

        Assert.Multiple(() =>
        {
            Assert.That(storage.Transactions.WriteGrantees, Is.EqualTo(new[] { agent.Tools }));
            Assert.That(storage.Decisions.WriteGrantees, Is.EqualTo(new[] { agent.Tools }));
            Assert.That(storage.UserProfiles.WriteGrantees, Is.EqualTo(new[] { agent.Tools }));
            Assert.That(storage.Patterns.WriteGrantees, Is.Empty);
        });
    }

    [Test]
    public void AMissingInstructionFile_FailsNamingTheSourceFileFieldAndFix()
    {
        var stack = new CompositeStack();
        var config = Config(stack) with { Settings = CompositeStack.Dev.Agent with { InstructionFile = "agent/missing.md" } };

        var e = Assert.Throws<ArgumentException>(() => new FraudAnalystAgent(stack.Stack, "analyst", config));

        Assert.That(e!.Message, Does.StartWith("environments/qa.json: field 'agent.instructionFile' = \"agent/missing.md\": the file does not exist.").And.Contain("Fix:"));
    }
}
