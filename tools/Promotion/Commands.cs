using FraudTf.Promotion.Validation;

namespace FraudTf.Promotion;

/// <summary>The commands of <see cref="Program"/>: file handling and printing around the pure functions.</summary>
public static partial class Commands
{
    /// <summary><c>validate</c>: every stack under OUT/stacks (or the named ones) against the provider schema.</summary>
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
        var schema = ProviderSchema.ForRepository(root);
        var failed = 0;
        foreach (var name in names)
        {
            var display = $"{Path.GetRelativePath(root, stacksDir)}/{name}/cdk.tf.json";
            var stack = TerraformJson.Load(Path.Combine(stacksDir, name, "cdk.tf.json"), display);
            var errors = StackValidator.Validate(name, stack, schema);
            var count = TerraformJson.Blocks(stack).Count();
            Console.WriteLine(errors.Count == 0
                ? $"valid: {name} ({count} blocks, AWS provider {schema.ProviderVersion} schema)"
                : $"INVALID: {name}: {errors.Count} problem(s)");
            foreach (var e in errors)
            {
                Console.WriteLine($"  - {e}");
            }

            failed += errors.Count > 0 ? 1 : 0;
        }

        return failed == 0 ? 0 : 1;
    }
}
