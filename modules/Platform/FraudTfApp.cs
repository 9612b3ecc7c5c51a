using Constructs;
using FraudTf.Config;

namespace FraudTf.Platform;

/// <summary>Builds the stacks of the app from validated environment configs (used by main.cs and by the tests).</summary>
public static class FraudTfApp
{
    /// <summary>
    /// Adds, for each environment, its platform stack and its state bootstrap stack. <paramref name="repoRoot"/> is where
    /// the functions' projects are built from (never written into the output).
    /// </summary>
    public static void AddStacks(Construct app, IEnumerable<EnvironmentConfig> configs, string repoRoot)
    {
        foreach (var config in configs)
        {
            new StateBootstrapStack(app, config);
            new FraudDetectionStack(app, config, repoRoot);
        }
    }
}
