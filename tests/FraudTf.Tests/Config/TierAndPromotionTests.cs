using System.Text.Json.Nodes;
using FraudTf.Config;
using FraudTf.Tests.Support;

namespace FraudTf.Tests.Config;

/// <summary>
/// <c>tier</c> (what an environment is for: it chooses the defaults) and <c>promotesTo</c> (the promotion order): the
/// folder of files is the list of environments, so a fourth environment is one more file.
/// </summary>
[TestFixture]
public class TierAndPromotionTests
{
    /// <summary>A folder of the real files plus <c>qa.json</c>: dev's file with its own account, names and state bucket, edited by <paramref name="edit"/>.</summary>
    private static string FolderWithQa(Action<JsonObject>? edit = null, string? env = null, Action<JsonObject>? editEnv = null)
    {
        var dir = ConfigFixture.Folder(env, editEnv);
        var qa = ConfigFixture.Real("dev");
        qa["$comment"] = "Settings of the qa environment.";
        qa["tier"] = "development";
        qa.Remove("promotesTo");
        edit?.Invoke(qa);
        File.WriteAllText(Path.Combine(dir, "qa.json"), qa.ToJsonString().Replace("111111111111", "444444444444").Replace("-dev", "-qa"));
        return dir;
    }

    [Test]
    public void RealConfigs_StateTheirTierAndTheChainDevStagingProd()
    {
        var configs = EnvironmentConfigLoader.LoadAll(Repo.EnvironmentsDir);

        Assert.That(configs.Select(c => (c.Environment, c.Tier, c.PromotesTo)), Is.EqualTo(new (string, EnvironmentTier, string?)[]
        {
            ("dev", EnvironmentTier.Development, "staging"),
            ("staging", EnvironmentTier.Preproduction, "prod"),
            ("prod", EnvironmentTier.Production, null),
        }));
    }

    [Test]
    public void MissingTier_FailsSayingWhatTheTiersAreFor()
    {
        var errors = ConfigFixture.Errors(ConfigFixture.Folder("staging", j => j.Remove("tier")));

        Assert.That(errors.Single(), Does.StartWith("environments/staging.json: field 'tier' = (missing): this field is required. " +
                                                    "Fix: set what the environment is for: \"production\" for customer traffic"));
    }

    [TestCase("prod")]
    [TestCase("Production")]
    [TestCase("staging")]
    public void TierThatIsNotATier_FailsListingTheTiers(string tier)
    {
        var errors = ConfigFixture.Errors(ConfigFixture.Folder("prod", j => j["tier"] = tier));

        Assert.That(errors.Single(), Does.StartWith($"environments/prod.json: field 'tier' = \"{tier}\": must be one of development, preproduction, production. Fix: "));
    }

    [Test]
    public void TheTierChoosesTheDefaults_NotTheName()
    {
        // dev's file as a production environment (the last of its chain), every tier-dependent section left out.
        static void Bare(JsonObject j)
        {
            foreach (var section in new[] { "retention", "protection", "functions", "streaming", "monitoring", "agent", "traffic" })
            {
                j.Remove(section);
            }

            j["scoring"]!.AsObject().Remove("transactionTtlDays");
        }

        var devAsProduction = ConfigFixture.Load("dev", j => { Bare(j); j["tier"] = "production"; j.Remove("promotesTo"); });
        var prod = ConfigFixture.Load("prod", Bare);
        var staging = ConfigFixture.Load("staging", Bare);
        var stagingAsDevelopment = ConfigFixture.Load("staging", j => { Bare(j); j["tier"] = "development"; });
        var dev = ConfigFixture.Load("dev", Bare);

        Assert.Multiple(() =>
        {
            Assert.That(devAsProduction.Tier, Is.EqualTo(EnvironmentTier.Production));
            Assert.That(devAsProduction.Retention, Is.EqualTo(prod.Retention));
            Assert.That(devAsProduction.Protection, Is.EqualTo(prod.Protection));
            Assert.That(devAsProduction.Functions, Is.EqualTo(prod.Functions));
            Assert.That(devAsProduction.Streaming, Is.EqualTo(prod.Streaming));
            Assert.That(devAsProduction.Monitoring, Is.EqualTo(prod.Monitoring));
            Assert.That(devAsProduction.Traffic, Is.EqualTo(prod.Traffic));
            Assert.That(devAsProduction.Scoring.TransactionTtlDays, Is.EqualTo(365));
            Assert.That((devAsProduction.Agent.IdleSessionTtlSeconds, devAsProduction.Agent.StandbyReplicas, devAsProduction.Functions.For("AgentTools")),
                Is.EqualTo((prod.Agent.IdleSessionTtlSeconds, prod.Agent.StandbyReplicas, prod.Functions.For("AgentTools"))));
            Assert.That(prod.Protection, Is.EqualTo(new ProtectionConfig { DeletionProtection = true, AuditLogLockMode = "COMPLIANCE" }));

            // The preproduction tier has the development defaults, with traffic sized at a tenth of production.
            Assert.That(stagingAsDevelopment.Protection, Is.EqualTo(staging.Protection).And.EqualTo(dev.Protection));
            Assert.That(stagingAsDevelopment.Functions, Is.EqualTo(staging.Functions));
            Assert.That(stagingAsDevelopment.Traffic, Is.EqualTo(dev.Traffic));
            Assert.That(staging.Traffic.AverageTps, Is.EqualTo(10));
            Assert.That(dev.Protection, Is.EqualTo(new ProtectionConfig { DeletionProtection = false, AuditLogLockMode = "GOVERNANCE" }));
        });
    }

    [Test]
    public void AFourthEnvironment_IsOneMoreFile_WithItsTiersDefaults()
    {
        var configs = EnvironmentConfigLoader.LoadAll(FolderWithQa());
        var qa = configs.Single(c => c.Environment == "qa");
        var dev = configs.Single(c => c.Environment == "dev");

        Assert.Multiple(() =>
        {
            // Outside the chain dev → staging → prod, the development-tier qa comes after dev.
            Assert.That(configs.Select(c => c.Environment), Is.EqualTo(new[] { "dev", "qa", "staging", "prod" }));
            Assert.That(qa.Tier, Is.EqualTo(EnvironmentTier.Development));
            Assert.That(qa.PromotesTo, Is.Null);
            Assert.That(qa.AccountId, Is.EqualTo("444444444444"));
            Assert.That(qa.StackName, Is.EqualTo("fraud-detection-qa"));
            Assert.That(qa.State.Bucket, Is.EqualTo("fraud-detection-tfstate-444444444444-qa"));
            Assert.That(qa.Retention, Is.EqualTo(dev.Retention));
            Assert.That(qa.Protection, Is.EqualTo(dev.Protection));
            Assert.That(qa.Functions, Is.EqualTo(dev.Functions));
            Assert.That(qa.Streaming, Is.EqualTo(dev.Streaming));
            Assert.That(qa.Monitoring, Is.EqualTo(dev.Monitoring));
        });
    }

    [Test]
    public void AFourthEnvironment_SynthesizesItsStackPair_ShapedLikeDev()
    {
        var synth = Synth.Run(EnvironmentConfigLoader.LoadAll(FolderWithQa()));
        var qa = synth.Stack("fraud-detection-qa");
        var dev = synth.Stack("fraud-detection-dev");
        static IEnumerable<string> Addresses(JsonObject stack) =>
            stack["resource"]!.AsObject().SelectMany(t => t.Value!.AsObject().Select(r => $"{t.Key}.{r.Key}")).Order(StringComparer.Ordinal);

        Assert.Multiple(() =>
        {
            Assert.That(synth.Stacks.Keys, Is.EqualTo(new[]
            {
                "fraud-detection-bootstrap-dev", "fraud-detection-bootstrap-prod", "fraud-detection-bootstrap-qa", "fraud-detection-bootstrap-staging",
                "fraud-detection-dev", "fraud-detection-prod", "fraud-detection-qa", "fraud-detection-staging",
            }));
            Assert.That(Addresses(qa), Is.EqualTo(Addresses(dev)));
            Assert.That(qa["provider"]!["aws"]![0]!["allowed_account_ids"]!.AsArray().Select(a => a!.GetValue<string>()), Is.EqualTo(new[] { "444444444444" }));
            Assert.That(qa.Resource("aws_lambda_function", "/stream-processor/this")["function_name"]!.GetValue<string>(), Is.EqualTo("fraud-detection-stream-processor-qa"));
            Assert.That(qa.Resource("aws_lambda_function", "/stream-processor/this")["memory_size"]!.GetValue<int>(), Is.EqualTo(512));
            Assert.That(qa.Resource("aws_cloudwatch_metric_alarm", "/monitoring/no-transactions-processed")["treat_missing_data"]!.GetValue<string>(), Is.EqualTo("notBreaching"));
            Assert.That(synth.Stack("fraud-detection-prod").Resource("aws_cloudwatch_metric_alarm", "/monitoring/no-transactions-processed")["treat_missing_data"]!.GetValue<string>(), Is.EqualTo("breaching"));
        });
    }

    [Test]
    public void PromotingToItself_Fails()
    {
        var errors = ConfigFixture.Errors(ConfigFixture.Folder("prod", j => j["promotesTo"] = "prod"));

        Assert.That(errors.Single(), Does.StartWith("environments/prod.json: field 'promotesTo' = \"prod\": is the environment itself. Fix: "));
    }

    [Test]
    public void PromotesToThatIsNotAName_Fails()
    {
        var errors = ConfigFixture.Errors(ConfigFixture.Folder("dev", j => j["promotesTo"] = "Staging"));

        Assert.That(errors.Single(), Does.StartWith("environments/dev.json: field 'promotesTo' = \"Staging\": must be an environment name (2-7 lowercase letters or digits, starting with a letter)."));
    }

    [Test]
    public void PromotingBackToALowerTier_Fails()
    {
        var errors = ConfigFixture.Errors(FolderWithQa(env: "prod", editEnv: j => j["promotesTo"] = "qa"));

        Assert.That(errors.Single(), Does.StartWith("environments/prod.json: field 'promotesTo' = \"qa\": promotes from the production tier back to the development tier of qa: a build moves towards production."));
    }

    [Test]
    public void TwoEnvironmentsPromotingToOne_Fail()
    {
        var errors = ConfigFixture.Errors(FolderWithQa(qa => qa["promotesTo"] = "staging"));

        Assert.That(errors.Single(), Does.StartWith("environments/dev.json, environments/qa.json: field 'promotesTo' = \"staging\" in dev and qa: " +
                                                    "an environment receives the build of one environment only"));
        Assert.That(errors.Single(), Does.Contain("Fix: chain them (dev → qa → staging)"));
    }

    [Test]
    public void APromotionCycle_Fails()
    {
        var errors = ConfigFixture.Errors(FolderWithQa(qa => qa["promotesTo"] = "dev", "dev", dev => dev["promotesTo"] = "qa"));

        Assert.That(errors.Single(), Does.StartWith("environments/dev.json, environments/qa.json: field 'promotesTo' links dev → qa → dev in a cycle"));
    }

    [Test]
    public void InsertingQaIntoTheChain_OrdersItBetweenDevAndStaging()
    {
        var configs = EnvironmentConfigLoader.LoadAll(FolderWithQa(qa => { qa["tier"] = "preproduction"; qa["promotesTo"] = "staging"; }, "dev", dev => dev["promotesTo"] = "qa"));

        Assert.That(configs.Select(c => c.Environment), Is.EqualTo(new[] { "dev", "qa", "staging", "prod" }));
    }
}
