namespace FraudTf.Local.Tests;

/// <summary>The repository root and the synthesized stacks, found from the test's output folder.</summary>
internal static class Repo
{
    /// <summary>The folder holding FraudTf.csproj.</summary>
    public static string Root()
    {
        for (var dir = new DirectoryInfo(TestContext.CurrentContext.TestDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "FraudTf.csproj")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("repository root not found above " + TestContext.CurrentContext.TestDirectory);
    }

    /// <summary>The synthesized stack of <paramref name="environment"/>; the test fails when cdktf.out is missing (make test synthesizes first).</summary>
    public static FraudTf.Local.Stack.LocalStack Stack(string environment = "dev")
    {
        var outDir = Path.Combine(Root(), "cdktf.out");
        if (!Directory.Exists(Path.Combine(outDir, "stacks")))
        {
            Assert.Fail($"{outDir} has no stacks. Fix: run 'make synth' first (make test does).");
        }

        return FraudTf.Local.Stack.LocalStack.Load(outDir, environment);
    }
}
