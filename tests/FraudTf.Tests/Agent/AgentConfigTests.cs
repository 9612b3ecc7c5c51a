using System.Text.Json.Nodes;
using FraudTf.Tests.Support;

namespace FraudTf.Tests.Agent;

/// <summary>The <c>agent</c> section of the environment files: defaults and errors.</summary>
[TestFixture]
public class AgentConfigTests
{
    private static JsonObject Agent(JsonObject root) => root["agent"] as JsonObject ?? (JsonObject)(root["agent"] = new JsonObject());

    [Test]
    public void Defaults_AreACurrentClaudeModelThroughTheUsProfile_AndTitanV2()
    {
        var dev = ConfigFixture.Load("dev", _ => { }).Agent;
        var prod = ConfigFixture.Load("prod", _ => { }).Agent;

        Assert.That(dev.FoundationModel, Does.StartWith("anthropic.claude-"));
        Assert.That(dev.InferenceProfile, Is.EqualTo("us." + dev.FoundationModel));
        Assert.That(dev.InferenceProfileRegions, Is.EqualTo(new[] { "us-east-1", "us-east-2", "us-west-2" }));
        Assert.That(dev.EmbeddingModel, Is.EqualTo("amazon.titan-embed-text-v2:0"));
        Assert.That(dev.EmbeddingDimensions, Is.EqualTo(1024));
        Assert.That(dev.InstructionFile, Is.EqualTo("agent/instruction.md"));
        Assert.That(dev.StandbyReplicas, Is.False);
        Assert.That(prod.StandbyReplicas, Is.True);
        Assert.That(prod.IdleSessionTtlSeconds, Is.GreaterThan(dev.IdleSessionTtlSeconds));
    }

    [Test]
    public void ProfileOfAnotherModel_Fails()
    {
        var errors = ConfigFixture.Errors(ConfigFixture.Folder("staging", j => Agent(j)["inferenceProfile"] = "us.anthropic.claude-3-haiku-20240307-v1:0"));

        Assert.That(errors.Single(), Does.StartWith("environments/staging.json: field 'agent.inferenceProfile' = \"us.anthropic.claude-3-haiku-20240307-v1:0\": does not route to agent.foundationModel"));
        Assert.That(errors.Single(), Does.Contain("Fix: use the profile of that model"));
    }

    [Test]
    public void ProfileRegionsWithoutTheStackRegion_Fail()
    {
        var errors = ConfigFixture.Errors(ConfigFixture.Folder("dev", j => Agent(j)["inferenceProfileRegions"] = new JsonArray("us-west-2")));

        Assert.That(errors.Single(), Does.StartWith("environments/dev.json: field 'agent.inferenceProfileRegions' = \"[us-west-2]\": does not include the stack's region us-east-1"));
    }

    [Test]
    public void AProfileWithoutVerifiedDestinations_MustListThem()
    {
        // The EU profile's destinations were not verified: guessing them would leave the role without the model in a
        // region requests are routed to (AccessDenied there) or allow regions it never uses.
        var errors = ConfigFixture.Errors(ConfigFixture.Folder("dev", j =>
        {
            j["region"] = "eu-west-1";
            Agent(j)["inferenceProfile"] = "eu.anthropic.claude-sonnet-4-5-20250929-v1:0";
        }));

        Assert.That(errors.Single(), Does.StartWith("environments/dev.json: field 'agent.inferenceProfileRegions' = (missing): is required for the inference profile eu.anthropic.claude-sonnet-4-5-20250929-v1:0 called from eu-west-1")
            .And.Contain("Fix: list them from 'aws bedrock get-inference-profile --region eu-west-1"));
    }

    [Test]
    public void AProfileWithListedDestinations_UsesThem()
    {
        var agent = ConfigFixture.Load("dev", j =>
        {
            j["region"] = "eu-west-1";
            Agent(j)["inferenceProfile"] = "eu.anthropic.claude-sonnet-4-5-20250929-v1:0";
            Agent(j)["inferenceProfileRegions"] = new JsonArray("eu-west-1", "eu-central-1", "eu-north-1");
        }).Agent;

        Assert.That(agent.InferenceProfileRegions, Is.EqualTo(new[] { "eu-west-1", "eu-central-1", "eu-north-1" }));
    }

    [Test]
    public void NoProfile_IsAllowed()
    {
        var agent = ConfigFixture.Load("dev", j => Agent(j)["inferenceProfile"] = "").Agent;

        Assert.That(agent.InferenceProfile, Is.Empty);
    }

    [TestCase("embeddingDimensions", 1000, "is not an allowed value")]
    [TestCase("idleSessionTtlSeconds", 30, "")]
    [TestCase("foundationModel", "Claude Sonnet", "must be a Bedrock model id")]
    [TestCase("instructionFile", "/etc/passwd", "must be a path relative to the repository root")]
    [TestCase("standbyReplicas", "yes", "")]
    public void BadValue_FailsNamingTheField(string field, object value, string problem)
    {
        var errors = ConfigFixture.Errors(ConfigFixture.Folder("prod", j => Agent(j)[field] = JsonValue.Create(value)));

        Assert.That(errors, Has.Some.StartWith($"environments/prod.json: field 'agent.{field}' = "));
        Assert.That(errors.First(e => e.Contains($"'agent.{field}'")), Does.Contain(problem).And.Contain("Fix:"));
    }

    [Test]
    public void MisspelledField_SuggestsTheRightName()
    {
        var errors = ConfigFixture.Errors(ConfigFixture.Folder("dev", j => Agent(j)["idleSessionTTL"] = 600));

        Assert.That(errors.Single(), Does.Contain("agent.idleSessionTTL").And.Contain("idleSessionTtlSeconds"));
    }
}
