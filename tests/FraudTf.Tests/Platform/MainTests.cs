using FraudTf.Tests.Support;

namespace FraudTf.Tests.Platform;

/// <summary>The app's entry point on failures a user can cause.</summary>
[TestFixture]
[NonParallelizable]
public class MainTests
{
    [Test]
    public void BrokenFunctionProject_FailsSynthNamingTheProjectAndTheFix()
    {
        var root = Path.Combine(Path.GetTempPath(), "fraudtf-main-tests", Guid.NewGuid().ToString("N"));
        CopyTree(Path.Combine(Repo.Root, "functions"), Path.Combine(root, "functions"));
        File.Copy(Path.Combine(Repo.Root, "cdktf.json"), Path.Combine(root, "cdktf.json"));
        File.Copy(Path.Combine(Repo.Root, "nuget.config"), Path.Combine(root, "nuget.config"));
        Directory.CreateDirectory(Path.Combine(root, ".bindings", "feed"));
        File.AppendAllText(Path.Combine(root, "functions", "StreamProcessor", "Function.cs"), "\nthis is not C#\n");
        var stderr = new StringWriter();
        var (cwd, err) = (Directory.GetCurrentDirectory(), Console.Error);
        int code;
        try
        {
            Directory.SetCurrentDirectory(root);
            Console.SetError(stderr);
            code = FraudTf.Program.Main([Repo.EnvironmentsDir]);
        }
        finally
        {
            Directory.SetCurrentDirectory(cwd);
            Console.SetError(err);
        }

        Assert.That(code, Is.EqualTo(1));
        Assert.That(stderr.ToString(), Does.Contain("Building function functions/StreamProcessor failed"));
        Assert.That(stderr.ToString(), Does.Contain("Fix: run 'dotnet publish functions/StreamProcessor"));
        Assert.That(stderr.ToString(), Does.Contain("error CS"));
    }

    private static void CopyTree(string from, string to)
    {
        foreach (var dir in Directory.GetDirectories(from, "*", SearchOption.AllDirectories).Where(d => !IsBuildOutput(from, d)))
        {
            Directory.CreateDirectory(Path.Combine(to, Path.GetRelativePath(from, dir)));
        }

        Directory.CreateDirectory(to);
        foreach (var file in Directory.GetFiles(from, "*", SearchOption.AllDirectories).Where(f => !IsBuildOutput(from, f)))
        {
            File.Copy(file, Path.Combine(to, Path.GetRelativePath(from, file)));
        }
    }

    private static bool IsBuildOutput(string root, string path) =>
        Path.GetRelativePath(root, path).Split(Path.DirectorySeparatorChar).Any(p => p is "bin" or "obj");
}
