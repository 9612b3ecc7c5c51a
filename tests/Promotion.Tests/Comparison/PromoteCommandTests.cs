using System.Text.Json.Nodes;
using FraudTf.Promotion.Tests.Support;

namespace FraudTf.Promotion.Tests.Comparison;

/// <summary>The promote command: the Markdown report and the exit code.</summary>
public class PromoteCommandTests
{
    private static (int Code, string Report) Promote(string repo, params string[] extra)
    {
        var code = Commands.Promote(repo, Options.Parse(["--from", "dev", "--to", "staging", .. extra]));
        return (code, File.ReadAllText(Path.Combine(repo, "cdktf.out", "promotion-dev-to-staging.md")));
    }

    [Test]
    public void ACleanPromotionPassesAndReportsEverySection()
    {
        var (code, report) = Promote(RealStacks.TempRepo());
        Assert.That(code, Is.EqualTo(0));
        Assert.That(report, Does.StartWith("# Promotion report: dev → staging"));
        Assert.That(report, Does.Contain("**Verdict: PASS.**"));
        Assert.That(report, Does.Contain("## Lambda artifacts"));
        var n = RealStacks.FunctionCount("fraud-detection-staging");
        Assert.That(report, Does.Contain($"| Lambda artifacts identical | {n} of {n} |"));
        Assert.That(report, Does.Contain("## Unexpected differences (0)"));
        Assert.That(report, Does.Contain("| `environment` | `dev` | `staging` |"));
        Assert.That(report, Does.Contain("## Plan of staging").And.Contain("Skipped: no plan summary was given"));
        Assert.That(report, Does.Contain("## Cost difference (dev → staging)").And.Contain("tools/Cost"));
    }

    [Test]
    public void TheReportIsDeterministic()
    {
        var repo = RealStacks.TempRepo();
        var (_, first) = Promote(repo);
        var (_, second) = Promote(repo);
        Assert.That(second, Is.EqualTo(first));
        Assert.That(first, Does.Not.Match(@"20\d\d-\d\d-\d\dT"), "no timestamp");
        Assert.That(first, Does.Not.Contain(Path.GetTempPath()), "no absolute path");
    }

    [Test]
    public void UnexpectedDriftExitsNonZeroAndIsListed()
    {
        var repo = RealStacks.TempRepo();
        var file = Path.Combine(repo, "cdktf.out", "stacks", "fraud-detection-staging", "cdk.tf.json");
        var stack = JsonNode.Parse(File.ReadAllText(file))!.AsObject();
        var (name, queue) = stack["resource"]!["aws_sqs_queue"]!.AsObject().First();
        queue!["message_retention_seconds"] = 60;
        File.WriteAllText(file, stack.ToJsonString());

        var (code, report) = Promote(repo);
        Assert.That(code, Is.EqualTo(1));
        Assert.That(report, Does.Contain("**Verdict: BLOCKED: 1 unexpected difference(s).**"));
        Assert.That(report, Does.Contain($"| `aws_sqs_queue.{name}` | `message_retention_seconds` | `1209600` | `60` |"));
    }

    [Test]
    public void PlanAndCostSectionsAreIncludedWhenTheirComponentsProducedThem()
    {
        var repo = RealStacks.TempRepo();
        File.WriteAllText(Path.Combine(repo, "cdktf.out", "plan.md"), "### Plan of `staging`\n\n3 to create");
        File.WriteAllText(Path.Combine(repo, "cdktf.out", "cost-dev-to-staging.md"), "+12.30 USD/month");
        var (_, report) = Promote(repo, "--plan-summary", "cdktf.out/plan.md");
        Assert.That(report, Does.Contain("## Plan of staging\n\n### Plan of `staging`\n\n3 to create"));
        Assert.That(report, Does.Contain("+12.30 USD/month"));
    }

    [Test]
    public void AMissingStackIsAClearError()
    {
        var repo = RealStacks.TempRepo();
        Directory.Delete(Path.Combine(repo, "cdktf.out", "stacks", "fraud-detection-staging"), recursive: true);
        var e = Assert.Throws<UserError>(() => Promote(repo))!;
        Assert.That(e.Message, Is.EqualTo("cdktf.out/stacks/fraud-detection-staging/cdk.tf.json does not exist. Fix: run 'make synth' first."));
    }
}
