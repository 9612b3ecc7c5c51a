using System.Text.Json.Nodes;
using FraudTf.Compute;
using FraudTf.Config;
using FraudTf.Platform;

namespace FraudTf.Promotion.Tests.Support;

/// <summary>The real app synthesized once (all six stacks) into a temporary folder, shared by read-only tests.</summary>
public static class RealStacks
{
    private static readonly Lazy<string> OutDirLazy = new(Synthesize);

    /// <summary>The repository root (the folder holding cdktf.json).</summary>
    public static string Root { get; } = FindRoot();

    /// <summary>The synthesized output folder (holds stacks/).</summary>
    public static string OutDir => OutDirLazy.Value;

    /// <summary>Names of the synthesized stacks, sorted.</summary>
    public static IReadOnlyList<string> Names =>
        Directory.GetDirectories(Path.Combine(OutDir, "stacks")).Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal).ToList();

    /// <summary>How many Lambda functions a synthesized stack holds (each ships one artifact).</summary>
    public static int FunctionCount(string name) => Stack(name)["resource"]?["aws_lambda_function"]?.AsObject().Count ?? 0;

    /// <summary>A fresh, editable copy of a synthesized stack.</summary>
    public static JsonObject Stack(string name) =>
        JsonNode.Parse(File.ReadAllText(Path.Combine(OutDir, "stacks", name, "cdk.tf.json")))!.AsObject();

    private static string Synthesize()
    {
        var outDir = Path.Combine(Path.GetTempPath(), "fraudtf-promotion-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(outDir);
        // As main.cs does: the jsii runtime would print a large end-of-life box for the machine's Node 20.
        Environment.SetEnvironmentVariable("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION",
            Environment.GetEnvironmentVariable("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION") ?? "20");
        var application = new App(new AppConfig { Outdir = outDir });
        FraudTfApp.AddStacks(application, EnvironmentConfigLoader.LoadAll(Path.Combine(Root, "environments")), FunctionArtifacts.Build(Root), Root);
        application.Synth();
        return outDir;
    }

    private static string FindRoot()
    {
        var dir = new DirectoryInfo(TestContext.CurrentContext.TestDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "cdktf.json")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("cdktf.json not found above the test directory");
    }

    /// <summary>
    /// A temporary repository root for command-level tests: the real environments/ and promotion/ folders and a
    /// copy of the synthesized stacks under cdktf.out/ (so a test may edit them).
    /// </summary>
    public static string TempRepo()
    {
        var root = Path.Combine(Path.GetTempPath(), "fraudtf-promotion-tests", "repo-" + Guid.NewGuid().ToString("N"));
        Copy(Path.Combine(Root, "environments"), Path.Combine(root, "environments"));
        Copy(Path.Combine(Root, "promotion"), Path.Combine(root, "promotion"));
        Copy(Path.Combine(OutDir, "stacks"), Path.Combine(root, "cdktf.out", "stacks"));
        File.WriteAllText(Path.Combine(root, "cdktf.json"), "{}");
        return root;
    }

    private static void Copy(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.GetFiles(from, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }
}
