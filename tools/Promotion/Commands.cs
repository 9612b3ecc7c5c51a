using FraudTf.Promotion.Validation;
using FraudTf.Promotion.Validation.Gate;

namespace FraudTf.Promotion;

/// <summary>The commands of <see cref="Program"/>: file handling and printing around the pure functions.</summary>
public static partial class Commands
{
    /// <summary><c>validate</c>: every stack under OUT/stacks (or the named ones) against the provider schema of the CDK (<c>--cdk</c>, else $CDK, else cdktf) and the deployability gate.</summary>
    public static int Validate(string root, Options o)
    {
        var outDir = Path.Combine(root, o.Get("out", "cdktf.out")!);
        var stacksDir = Path.Combine(outDir, "stacks");
        if (!Directory.Exists(stacksDir))
        {
            throw new UserError($"{Path.GetRelativePath(root, stacksDir)}/ does not exist. Fix: run 'make synth' first.");
        }

        var names = o.All("stack").Count > 0
            ? o.All("stack").ToList()
            : Directory.GetDirectories(stacksDir).Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal).ToList();
        var schema = ProviderSchema.ForRepository(root, o.Get("cdk", ProviderSchema.CdkFromEnvironment())!);
        var failed = 0;
        foreach (var name in names)
        {
            var display = $"{Path.GetRelativePath(root, stacksDir)}/{name}/cdk.tf.json";
            var stack = TerraformJson.Load(Path.Combine(stacksDir, name, "cdk.tf.json"), display);
            var errors = StackValidator.Validate(name, stack, schema);
            var gate = DeployGate.Check(name, stack);
            var count = StackDocument.Blocks(stack).Count();
            var problems = errors.Count + gate.Failures.Count;
            Console.WriteLine(problems == 0
                ? $"valid: {name} ({count} blocks, AWS provider {schema.ProviderVersion} schema, {DeployGate.Rules.Count} deployability rules" +
                  (gate.Excepted.Count > 0 ? $", {gate.Excepted.Count} recorded exception(s))" : ")")
                : $"INVALID: {name}: {problems} problem(s)");
            foreach (var e in errors)
            {
                Console.WriteLine($"  - {e}");
            }

            foreach (var f in gate.Failures)
            {
                Console.WriteLine($"  - {name}: {f.Address}: [{f.RuleId}] {f.Message}");
            }

            if (o.Get("verbose") is "true" or "1")
            {
                foreach (var (f, reason) in gate.Excepted)
                {
                    Console.WriteLine($"  ~ excepted {f.RuleId} on {f.Address}: {reason}");
                }
            }

            failed += problems > 0 ? 1 : 0;
        }

        return failed == 0 ? 0 : 1;
    }

    /// <summary><c>gate-rules</c>: the deployability rules as a Markdown table (README's operator guide quotes it).</summary>
    public static int GateRules()
    {
        Console.WriteLine("| rule | checks | source | only a real plan or apply can tell |");
        Console.WriteLine("|---|---|---|---|");
        foreach (var r in DeployGate.Rules)
        {
            Console.WriteLine($"| {r.Id} | {r.Title} | {r.Source} | {(r.Limits.Length > 0 ? r.Limits : "-")} |");
        }

        return 0;
    }
}
