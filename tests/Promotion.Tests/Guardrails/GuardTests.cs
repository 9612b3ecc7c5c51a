using System.Text.Json.Nodes;
using FraudTf.Promotion.Comparison;
using FraudTf.Promotion.Guardrails;
using FraudTf.Promotion.Plans;
using FraudTf.Promotion.Tests.Support;

namespace FraudTf.Promotion.Tests.Guardrails;

/// <summary>The deploy guardrails as pure functions.</summary>
public class GuardTests
{
    private static PlanSummary Plan(string name) =>
        PlanSummary.Parse(File.ReadAllText(Path.Combine(TestContext.CurrentContext.TestDirectory, "Fixtures", name)), name);

    [Test]
    public void ARoutinePlanIsAllowed()
    {
        var r = Guards.StatefulDestroys("dev", Plan("plan-routine.json"), null);
        Assert.That((r.Allowed, r.Forced), Is.EqualTo((true, false)));
    }

    [TestCase(null)]
    [TestCase("")]
    [TestCase("yes")]
    public void AStatefulLossIsRefusedWithoutAReason(string? reason)
    {
        var r = Guards.StatefulDestroys("staging", Plan("plan-risky.json"), reason);
        Assert.That(r.Allowed, Is.False);
        Assert.That(r.Lines, Does.Contain("staging: replace of stateful aws_dynamodb_table.storage_transactions-table_this_BBA080AA (replace_because_cannot_update: hash_key)"));
        Assert.That(r.Lines, Does.Contain("staging: destroy of stateful aws_s3_bucket.storage_models-bucket_this_01561585 (delete_because_no_resource_config)"));
        Assert.That(r.Lines[^1], Does.StartWith("refused: the plan of staging would lose the data of 2 stateful resource(s)").And.Contain("ALLOW_DESTROY="));
    }

    [Test]
    public void AStatefulLossIsAllowedWithAReasonThatIsPrinted()
    {
        var r = Guards.StatefulDestroys("staging", Plan("plan-risky.json"), "re-key the transactions table, data exported to S3 first");
        Assert.That((r.Allowed, r.Forced), Is.EqualTo((true, true)));
        Assert.That(r.Lines[^1], Is.EqualTo("allowed by ALLOW_DESTROY: \"re-key the transactions table, data exported to S3 first\""));
    }

    private static StackComparison Comparison(bool passed, string toHash = "H1") => new()
    {
        From = "staging",
        To = "prod",
        BlocksFrom = 1,
        BlocksTo = 1,
        OnlyInFrom = [],
        OnlyInTo = passed ? [] : ["aws_sqs_queue.extra"],
        Differences = [],
        Artifacts = [new LambdaArtifact("aws_lambda_function.fn", "H1", toHash, "Z", "Z")],
        Substitutions = [],
    };

    private static DeploymentReceipt Receipt(string digest = "abc123def456abc123", string hash = "H1") => new()
    {
        Environment = "staging",
        StackDigest = digest,
        Artifacts = new SortedDictionary<string, string>(StringComparer.Ordinal) { ["aws_lambda_function.fn"] = hash },
        Commit = "0123abc",
    };

    [Test]
    public void ProdIsAllowedWhenItShipsWhatStagingReceived()
    {
        var r = Guards.Promotion("prod", "staging", Receipt(), "abc123def456abc123", Comparison(passed: true), null);
        Assert.That((r.Allowed, r.Forced), Is.EqualTo((true, false)));
        Assert.That(r.Lines.Single(), Does.Contain("commit 0123abc"));
    }

    [Test]
    public void ProdIsRefusedWithoutAStagingReceipt()
    {
        var r = Guards.Promotion("prod", "staging", null, "abc123def456abc123", Comparison(passed: true), null);
        Assert.That(r.Allowed, Is.False);
        Assert.That(r.Lines[0], Does.StartWith("staging has no deployment receipt (deployments/staging.json)"));
    }

    [Test]
    public void ProdIsRefusedWhenStagingReceivedAnotherStack()
    {
        var r = Guards.Promotion("prod", "staging", Receipt(digest: "ffffffffffffffff"), "abc123def456abc123", Comparison(passed: true), null);
        Assert.That(r.Allowed, Is.False);
        Assert.That(r.Lines[0], Does.Contain("differs from what staging received").And.Contain("commit 0123abc"));
    }

    [Test]
    public void ProdIsRefusedWhenItWouldRunOtherCode()
    {
        var r = Guards.Promotion("prod", "staging", Receipt(), "abc123def456abc123", Comparison(passed: true, toHash: "H2"), null);
        Assert.That(r.Allowed, Is.False);
        Assert.That(r.Lines[0], Is.EqualTo("aws_lambda_function.fn: prod would run code H2, staging received H1. Fix: promote the artifact staging runs (same commit)."));
    }

    [Test]
    public void ProdIsRefusedOnUnexpectedDrift()
    {
        var r = Guards.Promotion("prod", "staging", Receipt(), "abc123def456abc123", Comparison(passed: false), null);
        Assert.That(r.Allowed, Is.False);
        Assert.That(r.Lines[0], Does.StartWith("prod differs from staging by 1 unexpected difference(s)"));
    }

    [Test]
    public void ForcingProdNeedsAReasonAndPrintsIt()
    {
        var tooShort = Guards.Promotion("prod", "staging", null, "abc123def456abc123", Comparison(passed: true), "hotfix");
        Assert.That(tooShort.Allowed, Is.False);
        var forced = Guards.Promotion("prod", "staging", null, "abc123def456abc123", Comparison(passed: true), "hotfix for INC-4711, staging is down");
        Assert.That((forced.Allowed, forced.Forced), Is.EqualTo((true, true)));
        Assert.That(forced.Lines[^1], Is.EqualTo("FORCED by FORCE_REASON: \"hotfix for INC-4711, staging is down\""));
    }

    [Test]
    public void TheDigestIgnoresMetadataAndKeyOrderButNotValues()
    {
        var a = JsonNode.Parse("""{"//":{"x":1},"resource":{"aws_sqs_queue":{"q":{"name":"a","delay_seconds":0}}}}""")!.AsObject();
        var b = JsonNode.Parse("""{"resource":{"aws_sqs_queue":{"q":{"delay_seconds":0,"name":"a","//":{"m":2}}}}}""")!.AsObject();
        var c = JsonNode.Parse("""{"resource":{"aws_sqs_queue":{"q":{"delay_seconds":1,"name":"a"}}}}""")!.AsObject();
        Assert.That(DeploymentReceipt.Digest(a), Is.EqualTo(DeploymentReceipt.Digest(b)));
        Assert.That(DeploymentReceipt.Digest(a), Is.Not.EqualTo(DeploymentReceipt.Digest(c)));
        Assert.That(DeploymentReceipt.Digest(a), Has.Length.EqualTo(64));
    }

    [Test]
    public void AReceiptRoundTripsAndRecordsTheArtifacts()
    {
        var stack = RealStacks.Stack("fraud-detection-staging");
        var receipt = DeploymentReceipt.For("staging", stack, "0123abc", "hotfix for INC-4711");
        Assert.That(receipt.Artifacts, Has.Count.EqualTo(RealStacks.FunctionCount("fraud-detection-staging")).And.Count.GreaterThanOrEqualTo(2));
        var file = Path.Combine(Path.GetTempPath(), $"receipt-{Guid.NewGuid():N}.json");
        File.WriteAllText(file, receipt.ToJson());
        var back = DeploymentReceipt.Load(file, "deployments/staging.json")!;
        Assert.That(back.StackDigest, Is.EqualTo(receipt.StackDigest));
        Assert.That(back.Artifacts, Is.EqualTo(receipt.Artifacts));
        Assert.That(back.OverrideReason, Is.EqualTo("hotfix for INC-4711"));
        Assert.That(DeploymentReceipt.Load(file + ".missing", "x"), Is.Null);
    }

    [Test]
    public void TheGuardFollowsTheFiles_AProductionTierEnvironmentShipsWhatTheOnePromotingToItReceived()
    {
        var dir = Path.Combine(RealStacks.TempRepo(), "environments");
        Assert.That(Commands.PromotedFrom(EnvironmentValues.LoadAll(dir), "prod"), Is.EqualTo("staging"));

        // A second production environment after prod: guarded by prod; prod still by staging; dev and staging by none.
        var prod = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "prod.json")))!.AsObject();
        prod["promotesTo"] = "prodeu";
        File.WriteAllText(Path.Combine(dir, "prod.json"), prod.ToJsonString());
        prod.Remove("promotesTo");
        File.WriteAllText(Path.Combine(dir, "prodeu.json"), prod.ToJsonString().Replace("333333333333", "555555555555").Replace("-prod", "-prodeu"));
        var configs = EnvironmentValues.LoadAll(dir);

        Assert.That(configs.Select(c => (c.Environment, Commands.PromotedFrom(configs, c.Environment))),
            Is.EqualTo(new (string, string?)[] { ("dev", null), ("staging", null), ("prod", "staging"), ("prodeu", "prod") }));
    }

    [Test]
    public void TheCommandsGuardARealPromotionEndToEnd()
    {
        // staging deployed (receipt written from its stack), then prod checked against it: allowed.
        var repo = RealStacks.TempRepo();
        Assert.That(Commands.Receipt(repo, Options.Parse(["--env", "staging", "--commit", "0123abc"])), Is.EqualTo(0));
        Assert.That(File.Exists(Path.Combine(repo, "deployments", "staging.json")), Is.True);
        Assert.That(Commands.GuardPromotion(repo, Options.Parse(["--env", "prod"])), Is.EqualTo(0));

        // staging's code changes after its deploy: prod is refused (FORCE_REASON unset in the test process).
        var file = Path.Combine(repo, "cdktf.out", "stacks", "fraud-detection-staging", "cdk.tf.json");
        var stack = JsonNode.Parse(File.ReadAllText(file))!.AsObject();
        stack["resource"]!["aws_sqs_queue"]!.AsObject().First().Value!["delay_seconds"] = 5;
        File.WriteAllText(file, stack.ToJsonString());
        Assert.That(Environment.GetEnvironmentVariable("FORCE_REASON"), Is.Null);
        Assert.That(Commands.GuardPromotion(repo, Options.Parse(["--env", "prod"])), Is.EqualTo(1));
        Assert.That(Commands.GuardPromotion(repo, Options.Parse(["--env", "staging"])), Is.EqualTo(0), "staging has no promotion guard");
    }
}
