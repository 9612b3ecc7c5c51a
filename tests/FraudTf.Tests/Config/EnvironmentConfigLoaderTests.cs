using FraudTf.Functions.Shared.Scoring;
using System.Text.Json.Nodes;
using FraudTf.Config;
using FraudTf.Tests.Support;

namespace FraudTf.Tests.Config;

[TestFixture]
public class EnvironmentConfigLoaderTests
{
    [Test]
    public void RealConfigs_LoadInPromotionOrder()
    {
        var configs = EnvironmentConfigLoader.LoadAll(Repo.EnvironmentsDir);

        Assert.That(configs.Select(c => c.Environment), Is.EqualTo(new[] { "dev", "staging", "prod" }));
    }

    [Test]
    public void RealConfigs_EachEnvironmentHasItsOwnAccountAndStateBucket()
    {
        var configs = EnvironmentConfigLoader.LoadAll(Repo.EnvironmentsDir);

        Assert.That(configs.Select(c => c.AccountId).Distinct().Count(), Is.EqualTo(3));
        Assert.That(configs.Select(c => c.State.Bucket).Distinct().Count(), Is.EqualTo(3));
        Assert.That(configs.All(c => c.AllowedAccountIds.SequenceEqual(new[] { c.AccountId })), Is.True);
    }

    [Test]
    public void Defaults_AppliedWhenOmitted()
    {
        var dev = ConfigFixture.Load("dev", j => { j.Remove("namePrefix"); j.Remove("retention"); });
        var prod = ConfigFixture.Load("prod", j => { j.Remove("namePrefix"); j.Remove("retention"); });

        Assert.Multiple(() =>
        {
            Assert.That(dev.NamePrefix, Is.EqualTo("fraud-detection"));
            Assert.That(dev.State.LockTable, Is.EqualTo("fraud-detection-tflock-dev"));
            Assert.That(dev.State.KmsKeyAlias, Is.EqualTo("alias/fraud-detection-tfstate-dev"));
            Assert.That(dev.State.Region, Is.EqualTo(dev.Region));
            Assert.That(dev.State.Key, Is.EqualTo("fraud-detection/dev/terraform.tfstate"));
            Assert.That(dev.Retention.LogRetentionDays, Is.EqualTo(30));
            Assert.That(prod.Retention.LogRetentionDays, Is.EqualTo(365));
        });
    }

    [Test]
    public void ExplicitValues_OverrideDefaults()
    {
        var dev = ConfigFixture.Load("dev", j =>
        {
            j["namePrefix"] = "frauds";
            j["retention"] = new JsonObject { ["logRetentionDays"] = 90 };
            j["state"]!["lockTable"] = "my-locks";
            j["state"]!["region"] = "eu-west-1";
        });

        Assert.Multiple(() =>
        {
            Assert.That(dev.StackName, Is.EqualTo("frauds-dev"));
            Assert.That(dev.ResourceName("transactions"), Is.EqualTo("frauds-transactions-dev"));
            Assert.That(dev.Retention.LogRetentionDays, Is.EqualTo(90));
            Assert.That(dev.State.LockTable, Is.EqualTo("my-locks"));
            Assert.That(dev.State.Region, Is.EqualTo("eu-west-1"));
            Assert.That(dev.State.Key, Is.EqualTo("frauds/dev/terraform.tfstate"));
        });
    }

    [Test]
    public void DefaultTags_CarryProjectEnvironmentManagedByAndCostCentre()
    {
        var dev = EnvironmentConfigLoader.LoadAll(Repo.EnvironmentsDir)[0];

        Assert.That(dev.DefaultTags, Does.ContainKey("project").WithValue("fraud-detection"));
        Assert.That(dev.DefaultTags, Does.ContainKey("environment").WithValue("dev"));
        Assert.That(dev.DefaultTags, Does.ContainKey("managed-by").WithValue("cdktf"));
        Assert.That(dev.DefaultTags, Does.ContainKey("cost-centre").WithValue("fraud-platform"));
        Assert.That(dev.DefaultTags, Does.ContainKey("owner").WithValue("fraud-platform-team"));
    }

    [TestCase("QA")]
    [TestCase("pre-prod")]
    [TestCase("performance")]
    [TestCase("1test")]
    public void InvalidEnvironmentName_FailsNamingFileAndFix(string name)
    {
        var dir = ConfigFixture.Folder();
        File.WriteAllText(Path.Combine(dir, $"{name}.json"), ConfigFixture.Real("dev").ToJsonString());

        var errors = ConfigFixture.Errors(dir);

        Assert.That(errors, Has.Count.EqualTo(1));
        Assert.That(errors[0], Does.StartWith($"environments/{name}.json: '{name}' is not a valid environment name (2-7 lowercase letters or digits, starting with a letter)"));
        Assert.That(errors[0], Does.Contain("Fix: rename the file, e.g. environments/"));
    }

    [TestCase("staging", "dev")]
    [TestCase("prod", "staging")]
    public void MissingEnvironmentFile_FailsAtTheEnvironmentPromotingToIt(string missing, string promoter)
    {
        var dir = ConfigFixture.Folder();
        File.Delete(Path.Combine(dir, $"{missing}.json"));

        var errors = ConfigFixture.Errors(dir);

        Assert.That(errors.Single(), Does.StartWith($"environments/{promoter}.json: field 'promotesTo' = \"{missing}\": there is no environment '{missing}' (environments/{missing}.json does not exist)."));
        Assert.That(errors.Single(), Does.Contain($"Fix: restore environments/{missing}.json"));
    }

    [Test]
    public void FirstEnvironmentOfTheChain_MayBeRemoved_TheFolderIsTheList()
    {
        var dir = ConfigFixture.Folder();
        File.Delete(Path.Combine(dir, "dev.json"));

        Assert.That(EnvironmentConfigLoader.LoadAll(dir).Select(c => c.Environment), Is.EqualTo(new[] { "staging", "prod" }));
    }

    [Test]
    public void EmptyFolder_Fails()
    {
        var dir = Path.Combine(Path.GetTempPath(), "fraudtf-config-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);

        var errors = ConfigFixture.Errors(dir);

        Assert.That(errors.Single(), Does.StartWith("environments/: holds no environment file. Fix: add one <env>.json per environment, with at least its tier"));
    }

    [Test]
    public void UnknownField_FailsWithSuggestion()
    {
        var errors = ConfigFixture.Errors(ConfigFixture.Folder("dev", j => j["acountId"] = "111111111111"));

        Assert.That(errors.Single(), Does.StartWith("environments/dev.json: field 'acountId' = \"111111111111\": unknown field."));
        Assert.That(errors.Single(), Does.Contain("did you mean 'accountId'?"));
    }

    [Test]
    public void UnknownNestedField_NamesItsPath()
    {
        var errors = ConfigFixture.Errors(ConfigFixture.Folder("prod", j => j["state"]!["buckett"] = "x"));

        Assert.That(errors.Single(), Does.StartWith("environments/prod.json: field 'state.buckett' = \"x\": unknown field."));
        Assert.That(errors.Single(), Does.Contain("did you mean 'state.bucket'?"));
    }

    [TestCase("12345", TestName = "AccountId_TooShort")]
    [TestCase("1111111111111", TestName = "AccountId_TooLong")]
    [TestCase("11111111111a", TestName = "AccountId_NotDigits")]
    public void MalformedAccountId_Fails(string accountId)
    {
        var errors = ConfigFixture.Errors(ConfigFixture.Folder("dev", j =>
        {
            j["accountId"] = accountId;
            j["allowedAccountIds"] = new JsonArray("111111111111");
        }));

        Assert.That(errors, Has.Some.StartsWith($"environments/dev.json: field 'accountId' = \"{accountId}\": must be a 12-digit AWS account id."));
        Assert.That(errors, Has.Some.Contains("Fix: set it to the 12 digits of the AWS account"));
    }

    [Test]
    public void AccountIdAsNumber_FailsAsWrongType()
    {
        var errors = ConfigFixture.Errors(ConfigFixture.Folder("dev", j => j["accountId"] = 111111111111));

        Assert.That(errors.Single(), Does.StartWith("environments/dev.json: field 'accountId' = 111111111111: must be a string"));
    }

    [TestCase("us-east-1a")]
    [TestCase("US East (N. Virginia)")]
    [TestCase("useast1")]
    public void MalformedRegion_Fails(string region)
    {
        var errors = ConfigFixture.Errors(ConfigFixture.Folder("staging", j => j["region"] = region));

        Assert.That(errors.Single(), Does.StartWith($"environments/staging.json: field 'region' = \"{region}\": must be an AWS region name"));
        Assert.That(errors.Single(), Does.Contain("Fix: use a region code like \"us-east-1\""));
    }

    [Test]
    public void MissingRequiredValue_Fails()
    {
        var errors = ConfigFixture.Errors(ConfigFixture.Folder("prod", j => j.Remove("costCentre")));

        Assert.That(errors.Single(), Does.StartWith("environments/prod.json: field 'costCentre' = (missing): this field is required."));
        Assert.That(errors.Single(), Does.Contain("Fix: set the cost centre"));
    }

    [Test]
    public void MissingRequiredNestedValue_Fails()
    {
        var errors = ConfigFixture.Errors(ConfigFixture.Folder("dev", j => ((JsonObject)j["state"]!).Remove("bucket")));

        Assert.That(errors.Single(), Does.StartWith("environments/dev.json: field 'state.bucket' = (missing): this field is required."));
    }

    [TestCase(31, "is not an allowed value")]
    [TestCase(-1, "is not an allowed value")]
    [TestCase(1.5, "must be a whole number")]
    public void OutOfRangeLogRetention_Fails(double days, string problem)
    {
        var errors = ConfigFixture.Errors(ConfigFixture.Folder("dev", j => j["retention"] = new JsonObject { ["logRetentionDays"] = days }));

        Assert.That(errors.Single(), Does.StartWith("environments/dev.json: field 'retention.logRetentionDays' = "));
        Assert.That(errors.Single(), Does.Contain(problem));
        Assert.That(errors.Single(), Does.Contain("Fix: use a retention CloudWatch Logs supports"));
    }

    [Test]
    public void AllowedAccountIds_MustContainAccountId()
    {
        var errors = ConfigFixture.Errors(ConfigFixture.Folder("dev", j => j["allowedAccountIds"] = new JsonArray("999999999999")));

        Assert.That(errors.Single(), Does.Contain("field 'allowedAccountIds' = [\"999999999999\"]: does not contain accountId 111111111111"));
        Assert.That(errors.Single(), Does.Contain("Fix: add \"111111111111\" to allowedAccountIds"));
    }

    [Test]
    public void ReservedTagKey_Fails()
    {
        var errors = ConfigFixture.Errors(ConfigFixture.Folder("dev", j => j["tags"]!["environment"] = "production"));

        Assert.That(errors.Single(), Does.Contain("field 'tags.environment' = \"production\": is a reserved tag key"));
    }

    [Test]
    public void MalformedStateBucket_Fails()
    {
        var errors = ConfigFixture.Errors(ConfigFixture.Folder("dev", j => j["state"]!["bucket"] = "My_State_Bucket"));

        Assert.That(errors.Single(), Does.StartWith("environments/dev.json: field 'state.bucket' = \"My_State_Bucket\": must be a valid S3 bucket name"));
    }

    [Test]
    public void SharedStateBucket_FailsAcrossEnvironments()
    {
        var devBucket = ConfigFixture.Real("dev")["state"]!["bucket"]!.GetValue<string>();

        var errors = ConfigFixture.Errors(ConfigFixture.Folder("staging", j => j["state"]!["bucket"] = devBucket));

        Assert.That(errors.Single(), Does.Contain($"field 'state.bucket' = \"{devBucket}\" is used by dev and staging"));
        Assert.That(errors.Single(), Does.Contain("Fix: give every environment its own state.bucket"));
    }

    [Test]
    public void InvalidJson_FailsWithPosition()
    {
        var dir = ConfigFixture.Folder();
        File.WriteAllText(Path.Combine(dir, "dev.json"), "{\n  \"accountId\": \"111111111111\",\n  oops\n}");

        var errors = ConfigFixture.Errors(dir);

        Assert.That(errors.Single(), Does.StartWith("environments/dev.json: not valid JSON (line 3"));
        Assert.That(errors.Single(), Does.Contain("Fix: correct the JSON syntax"));
    }

    [Test]
    public void SeveralProblems_AreAllReportedAtOnce()
    {
        var dir = ConfigFixture.Folder("dev", j => { j["region"] = "nowhere"; j.Remove("costCentre"); });
        File.WriteAllText(Path.Combine(dir, "prod.json"), ConfigFixture.Real("prod").ToJsonString().Replace("\"333333333333\",", "\"3\","));

        var errors = ConfigFixture.Errors(dir);

        Assert.That(errors, Has.Count.GreaterThanOrEqualTo(3));
        Assert.That(errors, Has.Some.Contains("dev.json: field 'region'"));
        Assert.That(errors, Has.Some.Contains("dev.json: field 'costCentre'"));
        Assert.That(errors, Has.Some.Contains("prod.json: field 'accountId' = \"3\""));
    }

    [Test]
    public void Main_ReturnsNonZeroOnInvalidConfig_BeforeCreatingAnyStack()
    {
        var dir = ConfigFixture.Folder("dev", j => j["region"] = "nowhere");
        var stderr = new StringWriter();
        var original = Console.Error;
        Console.SetError(stderr);
        int code;
        try
        {
            code = FraudTf.Program.Main([dir]);
        }
        finally
        {
            Console.SetError(original);
        }

        Assert.That(code, Is.EqualTo(1));
        Assert.That(stderr.ToString(), Does.Contain("environments/dev.json: field 'region' = \"nowhere\""));
    }
}

[TestFixture]
public class StorageConfigTests
{
    [Test]
    public void RealConfigs_ProtectProdMost_AndKeepTheDefaultRetentions()
    {
        var configs = EnvironmentConfigLoader.LoadAll(Repo.EnvironmentsDir).ToDictionary(c => c.Environment);

        Assert.Multiple(() =>
        {
            Assert.That(configs["prod"].Protection.DeletionProtection, Is.True);
            Assert.That(configs["dev"].Protection.DeletionProtection, Is.False);
            Assert.That(configs["prod"].Protection.AuditLogLockMode, Is.EqualTo("COMPLIANCE"));
            Assert.That(configs["staging"].Protection.AuditLogLockMode, Is.EqualTo("GOVERNANCE"));
            Assert.That(configs["dev"].Retention.AuditLogRetentionDays, Is.EqualTo(365));
            Assert.That(configs["dev"].Retention.DecisionTrailExpirationDays, Is.EqualTo(2555));
            Assert.That(configs["dev"].Retention.ModelNoncurrentVersionExpirationDays, Is.EqualTo(90));
            Assert.That(configs["prod"].Retention.AccessLogExpirationDays, Is.EqualTo(365));
            Assert.That(configs["dev"].Retention.AccessLogExpirationDays, Is.EqualTo(90));
        });
    }

    [Test]
    public void DeletionProtectionAsString_FailsAsWrongType()
    {
        var errors = ConfigFixture.Errors(ConfigFixture.Folder("prod", j => j["protection"] = new JsonObject { ["deletionProtection"] = "false" }));

        Assert.That(errors.Single(), Does.StartWith("environments/prod.json: field 'protection.deletionProtection' = \"false\": must be true or false"));
    }

    [Test]
    public void UnknownLockMode_Fails()
    {
        var errors = ConfigFixture.Errors(ConfigFixture.Folder("dev", j => j["protection"] = new JsonObject { ["auditLogLockMode"] = "LEGAL_HOLD" }));

        Assert.That(errors.Single(), Does.StartWith("environments/dev.json: field 'protection.auditLogLockMode' = \"LEGAL_HOLD\": must be GOVERNANCE or COMPLIANCE"));
    }

    [TestCase("decisionTrailInfrequentAccessDays")]
    [TestCase("decisionTrailArchiveDays")]
    public void RetiredTrailTransitionSettings_FailSayingWhyAndWhatToDo(string field)
    {
        var errors = ConfigFixture.Errors(ConfigFixture.Folder("dev", j => j["retention"] = new JsonObject { [field] = 60 }));

        Assert.That(errors.Single(), Does.StartWith($"environments/dev.json: field 'retention.{field}' = 60: is no longer a setting: decision trails stay in STANDARD")
            .And.Contain("Fix: remove it; decisionTrailExpirationDays still sets when trails expire"));
    }

    [Test]
    public void TrailExpirationOutOfRange_Fails()
    {
        var errors = ConfigFixture.Errors(ConfigFixture.Folder("staging", j => j["retention"] = new JsonObject { ["decisionTrailExpirationDays"] = 0 }));

        Assert.That(errors.Single(), Does.StartWith("environments/staging.json: field 'retention.decisionTrailExpirationDays' = 0: is out of range: must be between 1 and 36500"));
    }
}

[TestFixture]
public class StreamingConfigTests
{
    [Test]
    public void StreamingAndFunctionDefaults_ByEnvironment()
    {
        var configs = EnvironmentConfigLoader.LoadAll(Repo.EnvironmentsDir).ToDictionary(c => c.Environment);

        Assert.Multiple(() =>
        {
            Assert.That(configs["dev"].Streaming.TransactionsRetentionHours, Is.EqualTo(48));
            Assert.That(configs["dev"].Streaming.EventsRetentionHours, Is.EqualTo(24));
            Assert.That(configs["dev"].Streaming.ParallelizationFactor, Is.EqualTo(2));
            Assert.That(configs["prod"].Streaming.ParallelizationFactor, Is.EqualTo(4));
            Assert.That(configs["dev"].Functions.For("StreamProcessor"), Is.EqualTo(new FunctionSettings { MemoryMb = 512, TimeoutSeconds = 60, ReservedConcurrency = 10 }));
            Assert.That(configs["prod"].Functions.For("AlertHandler"), Is.EqualTo(new FunctionSettings { MemoryMb = 512, TimeoutSeconds = 30, ReservedConcurrency = 20 }));
        });
    }

    [Test]
    public void UnboundedRetries_AreAllowedAndTheDefault()
    {
        var dev = ConfigFixture.Load("dev", j => j["streaming"] = new JsonObject { ["maximumRetryAttempts"] = -1 });
        var byDefault = ConfigFixture.Load("prod", _ => { });

        Assert.That(dev.Streaming.MaximumRetryAttempts, Is.EqualTo(-1));
        Assert.That(byDefault.Streaming.MaximumRetryAttempts, Is.EqualTo(-1), "retry until the record age: only transient errors are thrown");
    }

    [Test]
    public void RetriesBelowMinusOne_Fail()
    {
        var errors = ConfigFixture.Errors(ConfigFixture.Folder("dev", j => j["streaming"] = new JsonObject { ["maximumRetryAttempts"] = -2 }));

        Assert.That(errors.Single(), Does.StartWith("environments/dev.json: field 'streaming.maximumRetryAttempts' = -2: is out of range: must be between -1 and 10000"));
        Assert.That(errors.Single(), Does.Contain("Fix: use -1"));
    }

    [Test]
    public void UnlimitedRecordAge_Fails()
    {
        var errors = ConfigFixture.Errors(ConfigFixture.Folder("prod", j => j["streaming"] = new JsonObject { ["maximumRecordAgeSeconds"] = -1 }));

        Assert.That(errors.Single(), Does.StartWith("environments/prod.json: field 'streaming.maximumRecordAgeSeconds' = -1: -1 (no age limit)"));
        Assert.That(errors.Single(), Does.Contain("lost").And.Contain("Fix: use the transactions stream's retention less an hour (169200"));
    }

    [TestCase(24, 82800)]
    [TestCase(48, 169200)]
    [TestCase(168, 601200)]
    [TestCase(720, 604800)]
    public void RecordAge_DefaultsToTheRetentionLessAnHour_CappedAtTheApiLimit(int retentionHours, int expected)
    {
        var config = ConfigFixture.Load("dev", j => j["streaming"] = new JsonObject { ["transactionsRetentionHours"] = retentionHours });

        Assert.That(config.Streaming.MaximumRecordAgeSeconds, Is.EqualTo(expected));
        Assert.That(config.Streaming.MaximumRecordAgeSeconds, Is.LessThan(retentionHours * 3600), "discarded (to S3, with data) before Kinesis trims");
    }

    [Test]
    public void RecordAgeBeyondTheRetention_Fails()
    {
        var errors = ConfigFixture.Errors(ConfigFixture.Folder("dev", j => j["streaming"] = new JsonObject
        {
            ["transactionsRetentionHours"] = 24,
            ["maximumRecordAgeSeconds"] = 90000,
        }));

        Assert.That(errors.Single(), Does.StartWith("environments/dev.json: field 'streaming.maximumRecordAgeSeconds' = 90000: is out of range: must be between 60 and 86400"));
        Assert.That(errors.Single(), Does.Contain("Kinesis trims the records first").And.Contain("Fix: use 82800"));
    }

    [Test]
    public void FailedBatchExpiration_DefaultsTo30Days_AndRefusesLessThanAWeek()
    {
        Assert.That(ConfigFixture.Load("dev", _ => { }).Retention.FailedBatchExpirationDays, Is.EqualTo(30));
        var errors = ConfigFixture.Errors(ConfigFixture.Folder("dev", j => j["retention"] = new JsonObject { ["failedBatchExpirationDays"] = 3 }));
        Assert.That(errors.Single(), Does.StartWith("environments/dev.json: field 'retention.failedBatchExpirationDays' = 3: is out of range"));
    }

    [Test]
    public void ZeroReservedConcurrency_Fails()
    {
        var errors = ConfigFixture.Errors(ConfigFixture.Folder("dev", j => j["functions"] = new JsonObject
        {
            ["alertHandler"] = new JsonObject { ["reservedConcurrency"] = 0 },
        }));

        Assert.That(errors.Single(), Does.StartWith("environments/dev.json: field 'functions.alertHandler.reservedConcurrency' = 0: is out of range"));
        Assert.That(errors.Single(), Does.Contain("0 would stop the function"));
    }

    [Test]
    public void AnotherFunctionsField_IsReadAsTheSizeOfThatFolder_TheStackChecksTheFolder()
    {
        // Function settings are keyed by folder, so the loader cannot tell a typo from a new function: it reads the field,
        // and the stack, which knows the folders, refuses one naming no function (FunctionFoldersTests).
        var config = ConfigFixture.Load("dev", j => j["functions"] = new JsonObject { ["streamProcesor"] = new JsonObject() });

        Assert.That(config.Functions.ByFolder.Keys, Does.Contain("StreamProcesor"));
    }

    [Test]
    public void MemoryOutOfRange_Fails()
    {
        var errors = ConfigFixture.Errors(ConfigFixture.Folder("staging", j => j["functions"] = new JsonObject
        {
            ["streamProcessor"] = new JsonObject { ["memoryMb"] = 64 },
        }));

        Assert.That(errors.Single(), Does.StartWith("environments/staging.json: field 'functions.streamProcessor.memoryMb' = 64: is out of range: must be between 128 and 10240"));
    }
}

[TestFixture]
public class ScoringConfigTests
{
    [Test]
    public void EnvironmentFiles_SetThresholdsAndTables_AndTtlByEnvironment()
    {
        var configs = EnvironmentConfigLoader.LoadAll(Repo.EnvironmentsDir).ToDictionary(c => c.Environment);

        Assert.That(configs["dev"].Scoring.RuleOverrides["reviewThreshold"], Is.EqualTo(0.4));
        Assert.That(configs["prod"].Scoring.RuleOverrides["reviewThreshold"], Is.EqualTo(0.5));
        Assert.That(configs["prod"].Scoring.RuleOverrides["currencyRates"], Is.EqualTo("2026-12-01"));
        Assert.That(configs["dev"].Scoring.TransactionTtlDays, Is.EqualTo(90));
        Assert.That(configs["prod"].Scoring.TransactionTtlDays, Is.EqualTo(365));
        Assert.That(configs["prod"].Scoring.PatternCacheSeconds, Is.EqualTo(60));
    }

    [Test]
    public void NoScoringBlock_NoOverrides()
    {
        var dev = ConfigFixture.Load("dev", j => j.Remove("scoring"));

        Assert.That(dev.Scoring.RuleOverrides, Is.Empty);
    }

    [Test]
    public void GivenSettings_BecomeOverrides_ThatTheFunctionReadsBack()
    {
        var dev = ConfigFixture.Load("dev", j => j["scoring"] = new JsonObject
        {
            ["reviewThreshold"] = 0.4,
            ["velocity"] = new JsonArray(new JsonObject { ["windowSeconds"] = 30, ["transactions"] = 3, ["weight"] = 0.45 }),
            ["amountTiers"] = new JsonArray(new JsonObject { ["minAmount"] = 2500, ["weight"] = 0.3 }),
            ["cardTesting"] = new JsonObject { ["transactions"] = 3 },
            ["merchantCategoryRisk"] = new JsonObject { ["7995"] = 0.5, ["6051"] = 0.4 },
            ["newDeviceWeight"] = 0.2,
        });

        var rules = ScoringRules.FromJson(System.Text.Json.JsonSerializer.Serialize(dev.Scoring.RuleOverrides));

        Assert.Multiple(() =>
        {
            Assert.That(dev.Scoring.RuleOverrides.Keys, Is.EquivalentTo(new[] { "reviewThreshold", "velocity", "amountTiers", "cardTesting", "merchantCategoryRisk", "newDeviceWeight" }));
            Assert.That(rules.ReviewThreshold, Is.EqualTo(0.4));
            Assert.That(rules.Velocity, Is.EqualTo(new[] { new VelocityLimit(30, 3, 0.45) }));
            Assert.That(rules.AmountTiers, Is.EqualTo(new[] { new AmountTier(2500, 0.3) }));
            Assert.That(rules.CardTesting, Is.EqualTo(new ScoringRules().CardTesting with { Transactions = 3 }), "an object's unset fields keep their defaults");
            Assert.That(rules.MerchantCategoryRisk, Is.EqualTo(new Dictionary<string, double> { ["6051"] = 0.4, ["7995"] = 0.5 }));
            Assert.That(rules.NewDeviceWeight, Is.EqualTo(0.2));
            Assert.That(rules.DeclineThreshold, Is.EqualTo(0.8), "not set: the default");
        });
    }

    [Test]
    public void EveryRuleSetting_CanBeSetInTheEnvironmentFile()
    {
        // One contract: each field of ScoringRules is a field of the scoring block (an unknown one would be rejected).
        var defaults = System.Text.Json.Nodes.JsonNode.Parse(System.Text.Json.JsonSerializer.Serialize(new ScoringRules(),
            new System.Text.Json.JsonSerializerOptions { PropertyNamingPolicy = System.Text.Json.JsonNamingPolicy.CamelCase }))!.AsObject();
        var block = new JsonObject();
        foreach (var name in ScoringRules.FieldNames)
        {
            block[name] = defaults[name]!.DeepClone();
        }

        block["version"] = "2026-12-02.test";
        var dev = ConfigFixture.Load("dev", j => j["scoring"] = block);

        Assert.That(dev.Scoring.RuleOverrides.Keys, Is.EquivalentTo(ScoringRules.FieldNames));
        Assert.That(ScoringRules.FromJson(System.Text.Json.JsonSerializer.Serialize(dev.Scoring.RuleOverrides)) with { Version = new ScoringRules().Version },
            Is.EqualTo(new ScoringRules()).Using<ScoringRules>((a, b) => a.EffectiveVersion == b.EffectiveVersion), "the defaults, written out, are the defaults");
    }

    [Test]
    public void ReviewNotBelowDecline_Fails()
    {
        var errors = ConfigFixture.Errors(ConfigFixture.Folder("dev", j => j["scoring"] = new JsonObject { ["reviewThreshold"] = 0.9 }));

        Assert.That(errors.Single(), Does.Contain("field 'scoring.reviewThreshold' = 0.9: must be below declineThreshold (0.8)"));
    }

    [Test]
    public void WeightOutOfRange_Fails()
    {
        var errors = ConfigFixture.Errors(ConfigFixture.Folder("dev", j => j["scoring"] = new JsonObject { ["newCountryWeight"] = 1.5 }));

        Assert.That(errors.Single(), Does.StartWith("environments/dev.json: field 'scoring.newCountryWeight' = 1.5: is out of range: must be between 0 and 1"));
    }

    [Test]
    public void BadVelocityLimit_NamesTheElementAndField()
    {
        var errors = ConfigFixture.Errors(ConfigFixture.Folder("dev", j => j["scoring"] = new JsonObject
        {
            ["velocity"] = new JsonArray(new JsonObject { ["windowSeconds"] = 90_000, ["transactions"] = 3, ["weight"] = 0.5 }, new JsonObject { ["windowSeconds"] = 60, ["weight"] = 0.5, ["count"] = 2 }),
        }));

        Assert.That(errors, Has.Some.StartWith("environments/dev.json: field 'scoring.velocity[0].windowSeconds' = 90000: is out of range").And.Some.Contains("Fix: use 1 to 86400 seconds (one day)"));
        Assert.That(errors, Has.Some.StartWith("environments/dev.json: field 'scoring.velocity[1].transactions' = (missing): this field is required"));
        Assert.That(errors, Has.Some.StartWith("environments/dev.json: field 'scoring.velocity[1].count' = 2: unknown field"));
    }

    [Test]
    public void BadMerchantCategoryRisk_Fails()
    {
        var errors = ConfigFixture.Errors(ConfigFixture.Folder("dev", j => j["scoring"] = new JsonObject { ["merchantCategoryRisk"] = new JsonObject { ["7995"] = 0.3, ["gambling"] = 0.3, ["6051"] = 2 } }));

        Assert.That(errors, Has.Count.EqualTo(2));
        Assert.That(errors, Has.Some.StartWith("environments/dev.json: field 'scoring.merchantCategoryRisk.gambling' = 0.3: the key 'gambling' must be a four-digit merchant category code"));
        Assert.That(errors, Has.Some.StartWith("environments/dev.json: field 'scoring.merchantCategoryRisk.6051' = 2: must be a number between 0 and 1"));
    }

    [Test]
    public void UnknownTableVersion_NamesTheVersionsThereAre()
    {
        var errors = ConfigFixture.Errors(ConfigFixture.Folder("dev", j => j["scoring"] = new JsonObject { ["currencyRates"] = "2025-01-01" }));

        Assert.That(errors.Single(), Does.StartWith("environments/dev.json: field 'scoring.currencyRates' = \"2025-01-01\": is not a conversion-rate table in functions/Shared/Scoring/Reference")
            .And.Contains("Fix: use one of: 2026-12-01"));
    }

    [TestCase("velocityWindowMinutes", "velocity")]
    [TestCase("highRiskMerchantCategories", "merchantCategoryRisk")]
    public void ScoringV1Setting_SaysWhatReplacedIt(string field, string replacement)
    {
        var errors = ConfigFixture.Errors(ConfigFixture.Folder("dev", j => j["scoring"] = new JsonObject { [field] = 5 }));

        Assert.That(errors.Single(), Does.Contain($"field 'scoring.{field}' = 5: was replaced by scoring v2").And.Contains(replacement));
    }

    [Test]
    public void UnknownScoringField_Fails()
    {
        var errors = ConfigFixture.Errors(ConfigFixture.Folder("dev", j => j["scoring"] = new JsonObject { ["newDevicWeight"] = 0.1 }));

        Assert.That(errors.Single(), Does.Contain("did you mean 'scoring.newDeviceWeight'?"));
    }
}

/// <summary>docs/configuration-reference.md is what the loader's own reads of the environment files generate (make docs).</summary>
[TestFixture]
public class ConfigReferenceTests
{
    [Test]
    public void ReferenceDocument_IsUpToDate()
    {
        var expected = ConfigReference.Generate(Repo.EnvironmentsDir);
        var path = Path.Combine(Repo.Root, ConfigReference.RelativePath);

        Assert.That(File.Exists(path) ? File.ReadAllText(path) : "(missing)", Is.EqualTo(expected),
            $"{ConfigReference.RelativePath} is stale: the config model changed. Fix: run 'make docs' and commit the file.");
    }

    [Test]
    public void Reference_ListsWhatTheLoaderChecks_WithEachTiersDefaults()
    {
        var reference = ConfigReference.Generate(Repo.EnvironmentsDir);

        Assert.Multiple(() =>
        {
            Assert.That(reference, Does.Contain("| `tier` | string: one of development, preproduction, production | yes |"));
            Assert.That(reference, Does.Contain("| `retention.logRetentionDays` | one of 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653 | no | `30` | `30` | `365` |"),
                "the production tier's default differs");
            Assert.That(reference, Does.Contain("| `scoring.reviewThreshold` | number, 0 to 1 | no |  |  |  |"), "scoring settings default to the function's own");
            Assert.That(ConfigReader.Catalog, Is.Null, "the recording ends with the generation");
        });
    }
}
