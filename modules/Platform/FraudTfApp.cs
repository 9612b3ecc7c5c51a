using Constructs;

namespace FraudTf.Platform;

/// <summary>Builds the stacks of the app from validated environment configs (used by main.cs and by the tests).</summary>
public static class FraudTfApp
{
    /// <summary>
    /// Adds, for each environment, its platform stack and its state bootstrap stack. Every platform stack deploys the
    /// same built functions, <paramref name="functions"/> (<see cref="FunctionArtifacts.Build"/>, run first);
    /// <paramref name="repoRoot"/> is where the agent's instruction and documents are read from (never written into the output).
    /// </summary>
    public static void AddStacks(Construct app, IEnumerable<EnvironmentConfig> configs, FunctionArtifacts functions, string repoRoot) =>
        AddStacks(app, configs, functions, repoRoot, _ => true);

    /// <summary>The name of <paramref name="config"/>'s <see cref="StateBootstrapStack"/>: <c>&lt;prefix&gt;-bootstrap-&lt;env&gt;</c>.</summary>
    public static string BootstrapStackName(EnvironmentConfig config) => StateBootstrapInputs.From(config).StackName;

    /// <summary>
    /// As <see cref="AddStacks(Construct, IEnumerable{EnvironmentConfig}, FunctionArtifacts, string)"/>, but creates only the
    /// stacks whose name <paramref name="include"/> accepts (the stacks <see cref="SynthCache"/> could not reuse). A stack's
    /// output does not depend on which other stacks exist: none references another.
    /// </summary>
    public static void AddStacks(Construct app, IEnumerable<EnvironmentConfig> configs, FunctionArtifacts functions, string repoRoot, Func<string, bool> include)
    {
        foreach (var config in configs)
        {
            var bootstrap = StateBootstrapInputs.From(config);
            if (include(bootstrap.StackName))
            {
                new StateBootstrapStack(app, bootstrap);
            }

            if (include(config.StackName))
            {
                new FraudDetectionStack(app, config, functions, repoRoot);
            }
        }
    }
}
