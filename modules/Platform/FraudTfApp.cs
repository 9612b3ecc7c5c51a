using Constructs;
using FraudTf.Compute;
using FraudTf.Config;

namespace FraudTf.Platform;

/// <summary>Builds the stacks of the app from validated environment configs (used by main.cs and by the tests).</summary>
public static class FraudTfApp
{
    /// <summary>
    /// Adds, for each environment, its platform stack and its state bootstrap stack. Every platform stack deploys the
    /// same built functions, <paramref name="functions"/> (<see cref="FunctionArtifacts.Build"/>, run first);
    /// <paramref name="repoRoot"/> is where the agent's instruction and documents are read from (never written into the output).
    /// </summary>
    public static void AddStacks(Construct app, IEnumerable<EnvironmentConfig> configs, FunctionArtifacts functions, string repoRoot)
    {
        foreach (var config in configs)
        {
            new StateBootstrapStack(app, config);
            new FraudDetectionStack(app, config, functions, repoRoot);
        }
    }
}
