namespace FraudTf.Tests.Support;

/// <summary>Paths of the repository the tests run from.</summary>
public static class Repo
{
    /// <summary>The repository root (the folder holding cdktf.json).</summary>
    public static string Root { get; } = FindRoot();

    /// <summary>The folder of the environment configs.</summary>
    public static string EnvironmentsDir => Path.Combine(Root, "environments");

    private static string FindRoot()
    {
        var dir = new DirectoryInfo(TestContext.CurrentContext.TestDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "cdktf.json")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("cdktf.json not found above the test directory");
    }
}
