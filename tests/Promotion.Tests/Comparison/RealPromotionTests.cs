using FraudTf.Promotion.Comparison;
using FraudTf.Promotion.Tests.Support;

namespace FraudTf.Promotion.Tests.Comparison;

/// <summary>The promotion of the real stacks: the checked-in environments differ only by their config.</summary>
public class RealPromotionTests
{
    [TestCase("dev", "staging")]
    [TestCase("staging", "prod")]
    public void TheRealEnvironmentsDifferOnlyByTheirConfig(string from, string to)
    {
        var c = Commands.CompareEnvironments(RealStacks.Root, RealStacks.OutDir, from, to);
        Assert.That(c.Unexpected.Select(d => $"{d.Address} {d.Path}: {d.From} -> {d.To}"), Is.Empty);
        Assert.That(c.OnlyInFrom.Concat(c.OnlyInTo), Is.Empty);
        Assert.That(c.Differences.Count(d => d.Expected), Is.GreaterThan(100), "names carry the environment");
        Assert.That(c.Artifacts, Has.Count.EqualTo(RealStacks.FunctionCount($"fraud-detection-{to}")).And.Count.GreaterThanOrEqualTo(2));
        Assert.That(c.Artifacts.All(a => a.Identical), Is.True);
    }

    [Test]
    public void StagingToProdUsesTheProdDefaultsAndTheAcceptedAlarmDifference()
    {
        var c = Commands.CompareEnvironments(RealStacks.Root, RealStacks.OutDir, "staging", "prod");
        var fields = c.Differences.SelectMany(d => d.ExplainedBy).SelectMany(s => s.Field.Split(" or ")).ToHashSet();
        Assert.That(fields, Does.Contain("retention.logRetentionDays").And.Contain("protection.deletionProtection").And.Contain("accountId"));
        var accepted = c.Differences.Where(d => d.Accepted is not null).ToList();
        Assert.That(accepted.Select(d => (d.Path, d.From, d.To)), Is.EquivalentTo(new[] { ("treat_missing_data", "notBreaching", "breaching"), ("standby_replicas", "DISABLED", "ENABLED") }));
    }

    [Test]
    public void ChangedCodeOrAnUnconfiguredValueInTheTargetIsReported()
    {
        var repo = RealStacks.TempRepo();
        var file = Path.Combine(repo, "cdktf.out", "stacks", "fraud-detection-staging", "cdk.tf.json");
        var stack = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(file))!.AsObject();
        var functions = stack["resource"]!["aws_lambda_function"]!.AsObject();
        var (name, fn) = functions.First();
        fn!["source_code_hash"] = "c29tZXRoaW5nIGVsc2U=";
        fn["timeout"] = 899;
        File.WriteAllText(file, stack.ToJsonString());

        var c = Commands.CompareEnvironments(repo, Path.Combine(repo, "cdktf.out"), "dev", "staging");
        Assert.That(c.Unexpected.Select(d => (d.Address, d.Path)), Is.EqualTo(new[] { ($"aws_lambda_function.{name}", "timeout") }));
        Assert.That(c.Artifacts.Single(a => a.Address == $"aws_lambda_function.{name}").Identical, Is.False);
        Assert.That(c.UnexpectedCount, Is.EqualTo(2));
    }

    [Test]
    public void EnvironmentValuesApplyTheLoadersDefaults()
    {
        var subs = EnvironmentValues.Load(Path.Combine(RealStacks.Root, "environments"), "dev", "prod");
        Assert.That(subs, Does.Contain(new Substitution("retention.logRetentionDays", "30", "365")));
        Assert.That(subs, Does.Contain(new Substitution("environment", "dev", "prod")));
        Assert.That(subs.Select(s => s.Field), Has.None.EqualTo("sourceFile"));
        Assert.That(subs.Select(s => (s.From, s.To)), Is.Unique);
        Assert.That(subs, Does.Contain(new Substitution("retention.accessLogExpirationDays or scoring.transactionTtlDays", "90", "365")),
            "every field with the same pair of values is named");
        Assert.That(subs.Select(s => s.Field), Has.None.Contains("defaultTags.environment"), "a default tag copying a field is not named");
    }

    [Test]
    public void AnUnknownEnvironmentIsAClearError()
    {
        var e = Assert.Throws<UserError>(() => EnvironmentValues.Load(Path.Combine(RealStacks.Root, "environments"), "dev", "qa"))!;
        Assert.That(e.Message, Does.StartWith("unknown environment 'qa'. Fix: use one of dev, "));
        Assert.That(e.Message, Does.EndWith("(environments/<env>.json)."));
    }
}
