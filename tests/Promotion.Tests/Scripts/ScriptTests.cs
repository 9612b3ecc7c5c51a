using System.Diagnostics;
using System.Text.Json.Nodes;
using FraudTf.Promotion.Tests.Support;

namespace FraudTf.Promotion.Tests.Scripts;

/// <summary>
/// The credentialed paths of scripts/promote.sh and scripts/deploy.sh, run offline against a stand-in terraform
/// (init/plan/show/apply from a fixture plan, no provider, no AWS) with fake credentials: the wiring of preflight,
/// plan, guards, apply and receipt. Without credentials the plan is skipped and the report says why.
/// </summary>
[NonParallelizable]
[Platform("Linux,MacOsX", Reason = "runs the bash scripts")]
public class ScriptTests
{
    private const string StubTerraform = """
        #!/usr/bin/env bash
        args=("$@"); [[ "${args[0]}" == -chdir=* ]] && args=("${args[@]:1}")
        case "${args[0]}" in
          init) d="${1#-chdir=}"
                # like terraform init: keep an existing lock file, else select a version the constraint admits and record it
                [[ -f "$d/.terraform.lock.hcl" ]] || printf 'provider "registry.terraform.io/hashicorp/aws" {\n  version     = "6.28.0"\n  constraints = ">= 6.27.0, < 7.0.0"\n}\n' > "$d/.terraform.lock.hcl"
                echo "Terraform has been successfully initialized! (stand-in)";;
          plan) for a in "${args[@]}"; do [[ $a == -out=* ]] && echo stand-in > "${a#-out=}"; done; echo "Plan: (stand-in)";;
          show) cat "$FAKE_PLAN_JSON";;
          apply) echo "apply ${args[*]: -1}" >> "$APPLY_LOG"; echo "Apply complete! (stand-in)";;
        esac
        """;

    private string _repo = "";
    private string _bin = "";

    [SetUp]
    public void CreateRepository()
    {
        _repo = RealStacks.TempRepo();
        foreach (var script in new[] { "preflight.sh", "plan.sh", "deploy.sh", "promote.sh" })
        {
            Directory.CreateDirectory(Path.Combine(_repo, "scripts"));
            File.Copy(Path.Combine(RealStacks.Root, "scripts", script), Path.Combine(_repo, "scripts", script));
        }

        // The scripts run the tool from its Release output; the test build produced it (in this test's configuration).
        var configuration = new DirectoryInfo(TestContext.CurrentContext.TestDirectory).Parent!.Name;
        foreach (var (tool, dll) in new[] { ("Promotion", "FraudTf.Promotion"), ("Cost", "FraudTf.Cost") })
        {
            var output = Path.Combine(RealStacks.Root, "tools", tool, "bin", configuration, "net10.0");
            var target = Path.Combine(_repo, "tools", tool, "bin", "Release", "net10.0");
            Directory.CreateDirectory(target);
            Assert.That(File.Exists(Path.Combine(output, dll + ".dll")), Is.True, $"{dll} is built before the tests (project reference)");
            foreach (var file in Directory.GetFiles(output))
            {
                File.Copy(file, Path.Combine(target, Path.GetFileName(file)));
            }
        }

        // The cost tool's prices and assumptions (the promotion report's cost section).
        foreach (var file in Directory.GetFiles(Path.Combine(RealStacks.Root, "tools", "Cost", "data")))
        {
            Directory.CreateDirectory(Path.Combine(_repo, "tools", "Cost", "data"));
            File.Copy(file, Path.Combine(_repo, "tools", "Cost", "data", Path.GetFileName(file)));
        }

        // ...and the benchmark's measured figures it joins to the assumptions (tracked in bench/measured/).
        Directory.CreateDirectory(Path.Combine(_repo, "bench", "measured"));
        File.Copy(Path.Combine(RealStacks.Root, "bench", "measured", "stream-processor.json"), Path.Combine(_repo, "bench", "measured", "stream-processor.json"));

        _bin = Path.Combine(_repo, ".stub-bin");
        Directory.CreateDirectory(_bin);
        File.WriteAllText(Path.Combine(_bin, "terraform"), StubTerraform.ReplaceLineEndings("\n") + "\n");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(Path.Combine(_bin, "terraform"), (UnixFileMode)0b111_101_101);
        }
    }

    private (int Code, string Out, string Err) Run(string script, string[] args, bool credentials, string plan = "plan-routine.json",
        Dictionary<string, string>? extra = null)
    {
        var psi = new ProcessStartInfo("bash") { WorkingDirectory = _repo, RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add(Path.Combine("scripts", script));
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        foreach (var key in psi.Environment.Keys.Where(k => k.StartsWith("AWS_", StringComparison.Ordinal) || k is "FORCE_REASON" or "ALLOW_DESTROY" or "TERRAFORM_BINARY_NAME").ToList())
        {
            psi.Environment.Remove(key);
        }

        psi.Environment["PATH"] = $"{_bin}:{psi.Environment["PATH"]}";
        psi.Environment["HOME"] = _repo; // no ~/.aws/credentials
        psi.Environment["FAKE_PLAN_JSON"] = Path.Combine(TestContext.CurrentContext.TestDirectory, "Fixtures", plan);
        psi.Environment["APPLY_LOG"] = Path.Combine(_repo, "apply.log");
        if (credentials)
        {
            psi.Environment["AWS_ACCESS_KEY_ID"] = "AKIAFAKEFORTESTS0000";
            psi.Environment["AWS_SECRET_ACCESS_KEY"] = "fake";
        }

        foreach (var (k, v) in extra ?? [])
        {
            psi.Environment[k] = v;
        }

        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        Assert.That(p.WaitForExit(120_000), Is.True, "script timed out");
        return (p.ExitCode, stdout.Result, stderr.Result);
    }

    private string Report(string from, string to) => File.ReadAllText(Path.Combine(_repo, "cdktf.out", $"promotion-{from}-to-{to}.md"));

    private bool Applied => File.Exists(Path.Combine(_repo, "apply.log"));

    [Test]
    public void PromoteWithoutCredentialsSkipsThePlanAndSaysWhy()
    {
        var (code, stdout, _) = Run("promote.sh", ["dev", "staging"], credentials: false);
        Assert.That(code, Is.EqualTo(0), stdout);
        Assert.That(stdout, Does.Contain("promote: plan of staging skipped: no AWS credentials found for 'staging'"));
        Assert.That(Report("dev", "staging"), Does.Contain("## Plan of staging\n\nSkipped: no AWS credentials found for 'staging'. Fix: export AWS_PROFILE="));
        Assert.That(Report("dev", "staging"), Does.Match(@"## Cost difference \(dev → staging\)\n\n### Monthly cost: dev \$[0-9,]+\.[0-9]{2} -> staging \$[0-9,]+\.[0-9]{2} \([+-]\$[0-9,]+\.[0-9]{2}\)"),
            "the promotion report carries the cost difference of the two stacks (tools/Cost)");
    }

    [Test]
    public void PromoteWithCredentialsAndTerraformAttachesTheTargetsPlan()
    {
        var (code, stdout, stderr) = Run("promote.sh", ["dev", "staging"], credentials: true);
        Assert.That(code, Is.EqualTo(0), stdout + stderr);
        Assert.That(Report("dev", "staging"), Does.Contain("## Plan of staging\n\n### Plan of `staging`\n\nTerraform 1.11.4: **0 to create, 1 to update, 0 to replace, 1 to destroy**"));
        Assert.That(File.Exists(Path.Combine(_repo, "plans", "staging", "plan.tfplan")), Is.True);
        Assert.That(Applied, Is.False, "promote never applies");
    }

    [Test]
    public void PromoteWithoutEnvironmentsIsAUsageError()
    {
        var (code, _, stderr) = Run("promote.sh", ["dev"], credentials: false);
        Assert.That(code, Is.EqualTo(2));
        Assert.That(stderr, Does.Contain("Fix: make promote FROM=<env> TO=<env>"));
    }

    [Test]
    public void ARoutineDeployAppliesTheSavedPlanAndWritesTheReceipt()
    {
        var (code, stdout, stderr) = Run("deploy.sh", ["dev"], credentials: true);
        Assert.That(code, Is.EqualTo(0), stdout + stderr);
        Assert.That(File.ReadAllText(Path.Combine(_repo, "apply.log")).Trim(), Is.EqualTo($"apply {Path.Combine(_repo, "plans", "dev", "plan.tfplan")}"));
        var receipt = JsonNode.Parse(File.ReadAllText(Path.Combine(_repo, "deployments", "dev.json")))!;
        Assert.That(receipt["environment"]!.GetValue<string>(), Is.EqualTo("dev"));
        Assert.That(receipt["artifacts"]!.AsObject(), Has.Count.EqualTo(RealStacks.FunctionCount("fraud-detection-staging")).And.Count.GreaterThanOrEqualTo(2));
    }

    [Test]
    public void ADeployThatWouldLoseStatefulDataIsRefusedBeforeApply()
    {
        var (code, _, stderr) = Run("deploy.sh", ["staging"], credentials: true, plan: "plan-risky.json");
        Assert.That(code, Is.EqualTo(1));
        Assert.That(stderr, Does.Contain("refused: the plan of staging would lose the data of 2 stateful resource(s)"));
        Assert.That(Applied, Is.False);
        Assert.That(File.Exists(Path.Combine(_repo, "deployments", "staging.json")), Is.False);
    }

    [Test]
    public void AllowDestroyWithAReasonAppliesAndRecordsTheReason()
    {
        var (code, stdout, stderr) = Run("deploy.sh", ["staging"], credentials: true, plan: "plan-risky.json",
            extra: new() { ["ALLOW_DESTROY"] = "re-key the transactions table, exported first" });
        Assert.That(code, Is.EqualTo(0), stdout + stderr);
        Assert.That(stdout, Does.Contain("allowed by ALLOW_DESTROY: \"re-key the transactions table, exported first\""));
        Assert.That(Applied, Is.True);
        var receipt = JsonNode.Parse(File.ReadAllText(Path.Combine(_repo, "deployments", "staging.json")))!;
        Assert.That(receipt["overrideReason"]!.GetValue<string>(), Is.EqualTo("re-key the transactions table, exported first"));
    }

    [Test]
    public void ProdWithoutAStagingReceiptIsRefusedBeforeAnyPlan()
    {
        var (code, _, stderr) = Run("deploy.sh", ["prod"], credentials: true);
        Assert.That(code, Is.EqualTo(1));
        Assert.That(stderr, Does.Contain("staging has no deployment receipt (deployments/staging.json)"));
        Assert.That(Directory.Exists(Path.Combine(_repo, "plans", "prod")), Is.False);
        Assert.That(Applied, Is.False);
    }

    [Test]
    public void ProdAfterStagingIsAllowedAndForcingIsRecorded()
    {
        Assert.That(Run("deploy.sh", ["staging"], credentials: true).Code, Is.EqualTo(0));
        var (code, stdout, stderr) = Run("deploy.sh", ["prod"], credentials: true);
        Assert.That(code, Is.EqualTo(0), stdout + stderr);
        Assert.That(stdout, Does.Contain("prod: same stack as staging received"));

        File.Delete(Path.Combine(_repo, "deployments", "staging.json"));
        var forced = Run("deploy.sh", ["prod"], credentials: true, extra: new() { ["FORCE_REASON"] = "hotfix INC-123, staging account down" });
        Assert.That(forced.Code, Is.EqualTo(0), forced.Out + forced.Err);
        Assert.That(forced.Out, Does.Contain("FORCED by FORCE_REASON: \"hotfix INC-123, staging account down\""));
        var receipt = JsonNode.Parse(File.ReadAllText(Path.Combine(_repo, "deployments", "prod.json")))!;
        Assert.That(receipt["overrideReason"]!.GetValue<string>(), Is.EqualTo("hotfix INC-123, staging account down"));
    }

    [Test]
    public void ThePlanRecordsTheProviderLockOnceAndEveryEnvironmentStartsFromIt()
    {
        var (code, stdout, stderr) = Run("deploy.sh", ["dev"], credentials: true);
        Assert.That(code, Is.EqualTo(0), stdout + stderr);
        var lockFile = Path.Combine(_repo, ".terraform.lock.hcl");
        Assert.That(File.ReadAllText(lockFile), Does.Contain("version     = \"6.28.0\""));
        Assert.That(stdout, Does.Contain(".terraform.lock.hcl now records hashicorp/aws 6.28.0: commit it"));

        // A committed lock (here edited to another admitted version) is what the next environment's init starts from.
        File.WriteAllText(lockFile, File.ReadAllText(lockFile).Replace("6.28.0", "6.31.0"));
        var staging = Run("deploy.sh", ["staging"], credentials: true);
        Assert.That(staging.Code, Is.EqualTo(0), staging.Out + staging.Err);
        Assert.That(File.ReadAllText(Path.Combine(_repo, "cdktf.out", "stacks", "fraud-detection-staging", ".terraform.lock.hcl")), Does.Contain("6.31.0"));
        Assert.That(staging.Out, Does.Not.Contain("now records"), "an unchanged lock is not reported");
    }
}
