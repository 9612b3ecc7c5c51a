using FraudTf.Config;
using FraudTf.Platform;
using FraudTf.Security.Policy;
using FraudTf.Tests.Support;

namespace FraudTf.Tests.Platform;

/// <summary>The synth-time security policy as applied to the real stacks.</summary>
[TestFixture]
public class StackPolicyTests
{
    [Test]
    public void EveryRealStack_PassesTheSecurityPolicy()
    {
        foreach (var (name, stack) in Synth.Shared.Stacks)
        {
            Assert.That(SecurityPolicy.Check(stack).Select(v => v.Message), Is.Empty, name);
        }
    }

    [Test]
    public void RealStack_FailsSynth_WhenAnEscapeHatchBreaksARule()
    {
        var config = EnvironmentConfigLoader.LoadAll(Repo.EnvironmentsDir).Single(c => c.Environment == "dev");
        var app = new App(new AppConfig { Outdir = Path.Combine(Path.GetTempPath(), "fraudtf-tests", Guid.NewGuid().ToString("N")) });
        var stack = new FraudDetectionStack(app, config, Synth.Functions, Repo.Root);
        stack.Storage.Transactions.Table.AddOverride("point_in_time_recovery.enabled", false);

        var e = Assert.Catch(() => app.Synth());

        Assert.That(e!.Message, Does.Contain("FTF-DDB-001"));
        Assert.That(e.Message, Does.Contain("storage/transactions-table/this"));
    }

    [Test]
    public void ExceptionsInRealStacks_CarryWrittenReasonsInTheOutput()
    {
        var bucket = Synth.Shared.Stack("fraud-detection-prod").Resource("aws_s3_bucket", "/storage/access-logs-bucket/this");
        var exceptions = bucket["//"]!["policy_exceptions"]!.AsObject();

        Assert.That(exceptions.Select(e => e.Key), Is.EquivalentTo(new[] { "FTF-S3-002", "FTF-S3-004" }));
        Assert.That(exceptions.All(e => e.Value!.GetValue<string>().Length >= 20), Is.True);
        Assert.That(bucket["//"]!["metadata"]!["path"]!.GetValue<string>(), Does.EndWith("/storage/access-logs-bucket/this"), "metadata kept");
    }
}
