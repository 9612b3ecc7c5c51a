using FraudTf.Config;
using FraudTf.Promotion.Comparison;
using FraudTf.Promotion.Guardrails;
using FraudTf.Promotion.Plans;

namespace FraudTf.Promotion;

public static partial class Commands
{
    /// <summary>
    /// The environment whose deploy <paramref name="environment"/>'s must ship (prod ← staging): the one whose file promotes
    /// to it (<c>promotesTo</c>), when <paramref name="environment"/> is of the production tier; null when its deploy has no
    /// promotion guard.
    /// </summary>
    public static string? PromotedFrom(IReadOnlyList<EnvironmentConfig> configs, string environment) =>
        configs.Any(c => c.Environment == environment && c.Tier == EnvironmentTier.Production)
            ? configs.FirstOrDefault(c => c.PromotesTo == environment)?.Environment
            : null;

    /// <summary><c>promote</c>: writes the promotion report (Markdown); exit 1 on unexpected drift.</summary>
    public static int Promote(string root, Options o)
    {
        var from = o.Required("from", "dev");
        var to = o.Required("to", "staging");
        var outDir = Path.Combine(root, o.Get("out", "cdktf.out")!);
        var report = Path.Combine(root, o.Get("report", Path.Combine(o.Get("out", "cdktf.out")!, $"promotion-{from}-to-{to}.md"))!);
        var c = CompareEnvironments(root, outDir, from, to);

        var planFile = o.Get("plan-summary");
        var plan = planFile is not null && File.Exists(Path.Combine(root, planFile))
            ? new ReportSection($"Plan of {to}", File.ReadAllText(Path.Combine(root, planFile)))
            : new ReportSection($"Plan of {to}", null, o.Get("plan-skipped", "no plan summary was given (make promote runs the plan when a terraform CLI and AWS credentials are present)."));
        // Hook for the cost report (tools/Cost): it writes this file; the section says so when it is absent.
        var costFile = o.Get("cost-section", Path.Combine(o.Get("out", "cdktf.out")!, $"cost-{from}-to-{to}.md"))!;
        var cost = File.Exists(Path.Combine(root, costFile))
            ? new ReportSection($"Cost difference ({from} → {to})", File.ReadAllText(Path.Combine(root, costFile)))
            : new ReportSection($"Cost difference ({from} → {to})", null, $"{costFile} was not produced (the cost report, tools/Cost, writes it).");

        Directory.CreateDirectory(Path.GetDirectoryName(report)!);
        File.WriteAllText(report, PromotionReport.Render(c, [plan, cost]));
        Console.WriteLine($"promotion {from} -> {to}: {(c.Passed ? "PASS" : "BLOCKED")}: " +
                          $"{c.Differences.Count(d => d.Expected)} expected difference(s), {c.UnexpectedCount} unexpected; " +
                          $"Lambda artifacts identical: {c.Artifacts.Count(a => a.Identical)} of {c.Artifacts.Count}");
        Console.WriteLine($"  {PromotionReport.ScoringSummary(c)}");
        foreach (var a in c.OnlyInFrom)
        {
            Console.WriteLine($"  unexpected: {a} only in {from}");
        }

        foreach (var a in c.OnlyInTo)
        {
            Console.WriteLine($"  unexpected: {a} only in {to}");
        }

        foreach (var d in c.Unexpected)
        {
            var (x, y) = PromotionReport.Excerpts(d.From, d.To);
            Console.WriteLine($"  unexpected: {d.Address} {d.Path}: {x} -> {y}");
        }

        foreach (var a in c.Artifacts.Where(a => !a.Identical))
        {
            Console.WriteLine($"  unexpected: {a.Address}: artifact differs ({a.FromHash ?? "absent"} -> {a.ToHash ?? "absent"})");
        }

        Console.WriteLine($"report: {Path.GetRelativePath(root, report)}");
        return c.Passed ? 0 : 1;
    }

    /// <summary><c>plan-summary</c>: Markdown summary of a plan's JSON.</summary>
    public static int PlanSummary(string root, Options o)
    {
        var env = o.Required("env", "staging");
        var planJson = o.Required("plan-json", "cdktf.out/plans/staging/plan.json");
        var outFile = Path.Combine(root, o.Required("out", "cdktf.out/plans/staging/summary.md"));
        var plan = LoadPlan(root, planJson);
        File.WriteAllText(outFile, plan.ToMarkdown(env));
        Console.WriteLine($"plan of {env}: {plan.Count(PlanAction.Create)} to create, {plan.Count(PlanAction.Update)} to update, " +
                          $"{plan.Count(PlanAction.Replace)} to replace, {plan.Count(PlanAction.Destroy)} to destroy; " +
                          $"stateful replaced or destroyed: {plan.StatefulLosses.Count}. Summary: {Path.GetRelativePath(root, outFile)}");
        foreach (var l in plan.StatefulLosses)
        {
            Console.WriteLine($"  STATEFUL {l.Action.ToString().ToLowerInvariant()}: {l.Address} {l.Detail}");
        }

        return 0;
    }

    /// <summary><c>guard-plan</c>: refuses a plan that replaces or destroys a stateful resource (ALLOW_DESTROY overrides).</summary>
    public static int GuardPlan(string root, Options o)
    {
        var env = o.Required("env", "staging");
        var plan = LoadPlan(root, o.Required("plan-json", "cdktf.out/plans/staging/plan.json"));
        return Print(Guards.StatefulDestroys(env, plan, Environment.GetEnvironmentVariable("ALLOW_DESTROY")));
    }

    /// <summary><c>guard-promotion</c>: prod must ship what staging received (FORCE_REASON overrides); see <see cref="PromotedFrom"/>.</summary>
    public static int GuardPromotion(string root, Options o)
    {
        var env = o.Required("env", "prod");
        var configs = EnvironmentValues.LoadAll(Path.Combine(root, "environments"));
        if (PromotedFrom(configs, env) is not { } previous)
        {
            var guarded = configs.Where(c => PromotedFrom(configs, c.Environment) is not null).Select(c => c.Environment);
            Console.WriteLine($"{env}: no promotion guard (only {string.Join(", ", guarded)} must ship what the previous environment received).");
            return 0;
        }

        var outName = o.Get("out", "cdktf.out")!;
        var outDir = Path.Combine(root, outName);
        var receiptPath = o.Get("receipt", DeploymentReceipt.PathFor(previous))!;
        var receipt = DeploymentReceipt.Load(Path.Combine(root, receiptPath), receiptPath);
        var previousStack = TerraformJson.Load(Path.Combine(outDir, "stacks", $"fraud-detection-{previous}", "cdk.tf.json"),
            $"{outName}/stacks/fraud-detection-{previous}/cdk.tf.json");
        var comparison = CompareEnvironments(root, outDir, previous, env);
        return Print(Guards.Promotion(env, previous, receipt, DeploymentReceipt.Digest(previousStack), comparison,
            Environment.GetEnvironmentVariable("FORCE_REASON")));
    }

    /// <summary><c>receipt</c>: writes deployments/&lt;env&gt;.json for the stack just deployed.</summary>
    public static int Receipt(string root, Options o)
    {
        var env = o.Required("env", "staging");
        var outName = o.Get("out", "cdktf.out")!;
        var stack = TerraformJson.Load(Path.Combine(root, outName, "stacks", $"fraud-detection-{env}", "cdk.tf.json"),
            $"{outName}/stacks/fraud-detection-{env}/cdk.tf.json");
        var reason = new[] { Environment.GetEnvironmentVariable("FORCE_REASON"), Environment.GetEnvironmentVariable("ALLOW_DESTROY") }
            .FirstOrDefault(r => !string.IsNullOrWhiteSpace(r));
        var receipt = DeploymentReceipt.For(env, stack, o.Get("commit", "unknown")!, reason);
        var path = o.Get("receipt", DeploymentReceipt.PathFor(env))!;
        Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(root, path))!);
        File.WriteAllText(Path.Combine(root, path), receipt.ToJson());
        Console.WriteLine($"receipt: {path} (stack digest {receipt.StackDigest[..12]}, {receipt.Artifacts.Count} Lambda artifact(s), commit {receipt.Commit}). Commit it: git add {path} && git commit -m \"Deployed {env}\"");
        return 0;
    }

    private static PlanSummary LoadPlan(string root, string planJson)
    {
        var file = Path.Combine(root, planJson);
        if (!File.Exists(file))
        {
            throw new UserError($"{planJson} does not exist. Fix: run 'make plan ENV=<env>' first (it writes the plan JSON).");
        }

        return Plans.PlanSummary.Parse(File.ReadAllText(file), planJson);
    }

    private static int Print(GuardResult r)
    {
        foreach (var line in r.Lines)
        {
            (r.Allowed ? Console.Out : Console.Error).WriteLine(line);
        }

        return r.Allowed ? 0 : 1;
    }
}
