using FraudTf.Promotion.Comparison;

namespace FraudTf.Promotion;

public static partial class Commands
{
    /// <summary>Loads and compares the synthesized stacks of two environments under OUT/stacks.</summary>
    public static StackComparison CompareEnvironments(string root, string outDir, string from, string to)
    {
        var (fromConfig, toConfig) = EnvironmentValues.LoadConfigs(Path.Combine(root, "environments"), from, to);
        var substitutions = EnvironmentValues.Between(fromConfig, toConfig);
        var stacksDir = Path.Combine(outDir, "stacks");
        string StackDir(string env) => Path.Combine(stacksDir, $"fraud-detection-{env}");
        string Display(string env) => $"{Path.GetRelativePath(root, StackDir(env))}/cdk.tf.json";
        var a = TerraformJson.Load(Path.Combine(StackDir(from), "cdk.tf.json"), Display(from));
        var b = TerraformJson.Load(Path.Combine(StackDir(to), "cdk.tf.json"), Display(to));
        return StackComparer.Compare(from, to, a, b, substitutions,
            (isFrom, file) => StackComparer.FileSha256(StackDir(isFrom ? from : to), file), AcceptedDifference.Load(root),
            ConfiguredScoringRules.Of(fromConfig, toConfig), NetworkChange.Of(fromConfig, toConfig));
    }
}

public static partial class Commands
{
    /// <summary>
    /// <c>cdk-diff</c>: the default CDK's output (<c>--expected</c>, default cdktf.out) against another CDK's
    /// (<c>--actual</c>) file by file; exit 1 when a difference is not in the accepted list (<c>--accepted</c>).
    /// </summary>
    public static int CdkDiff(string root, Options o)
    {
        var expected = o.Get("expected", "cdktf.out")!;
        var actual = o.Required("actual", ".build/terrain-out");
        var acceptedFile = o.Get("accepted", "bindings/terrain/accepted-differences.json")!;
        var accepted = AcceptedCdkDifference.Load(Path.Combine(root, acceptedFile), acceptedFile);
        var result = CdkOutputDiff.Compare(Path.Combine(root, expected), Path.Combine(root, actual), accepted);
        foreach (var d in result.Differences.Where(d => d.Accepted is not null))
        {
            Console.WriteLine($"  accepted: {d}");
        }

        foreach (var d in result.Unexpected)
        {
            Console.WriteLine($"  UNEXPECTED: {d}");
        }

        foreach (var u in result.Unused)
        {
            Console.WriteLine($"  note: accepted difference not seen (the list may be stale): {u.Files}: {u.Path}: {u.From} -> {u.To}");
        }

        var accCount = result.Differences.Count - result.Unexpected.Count;
        Console.WriteLine(result.Passed
            ? $"cdk-diff: {expected} and {actual} ({result.Files} files: manifest.json, stacks/) differ only as {acceptedFile} accepts ({accCount} difference(s))."
            : $"cdk-diff: {result.Unexpected.Count} unexpected difference(s) between {expected} and {actual} ({result.Files} files; {accCount} accepted). " +
              $"Fix: make the stacks equal again, or, when the difference is intended, add it to {acceptedFile} with its reason.");
        return result.Passed ? 0 : 1;
    }
}
