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
