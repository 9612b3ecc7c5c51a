using System.Text.Json.Nodes;
using FraudTf.Compute;
using FraudTf.Config;
using FraudTf.Platform;

namespace FraudTf.Tests.Support;

/// <summary>The synthesized output of a whole app: one parsed cdk.tf.json per stack.</summary>
public sealed class SynthResult
{
    /// <summary>The output folder.</summary>
    public required string OutDir { get; init; }

    /// <summary>Parsed stacks by stack name.</summary>
    public required IReadOnlyDictionary<string, JsonObject> Stacks { get; init; }

    /// <summary>The stack of the given name; fails the test when absent.</summary>
    public JsonObject Stack(string name)
    {
        Assert.That(Stacks.ContainsKey(name), Is.True, $"stack {name} not synthesized; have: {string.Join(", ", Stacks.Keys)}");
        return Stacks[name];
    }
}

/// <summary>Synthesizes the real app (from the real environment configs unless told otherwise) into a temporary folder.</summary>
public static class Synth
{
    private static SynthResult? _shared;
    private static FunctionArtifacts? _functions;

    /// <summary>The repository's functions, built once (as main.cs builds them before the stacks), shared by every synth.</summary>
    public static FunctionArtifacts Functions => _functions ??= FunctionArtifacts.Build(Repo.Root);

    /// <summary>The app synthesized once from environments/, shared by read-only tests.</summary>
    public static SynthResult Shared => _shared ??= Run(EnvironmentConfigLoader.LoadAll(Repo.EnvironmentsDir));

    /// <summary>Synthesizes the stacks of <paramref name="configs"/> into a fresh temporary folder.</summary>
    public static SynthResult Run(IEnumerable<EnvironmentConfig> configs, string? outDir = null)
    {
        outDir ??= Path.Combine(Path.GetTempPath(), "fraudtf-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(outDir);
        var app = new App(new AppConfig { Outdir = outDir });
        FraudTfApp.AddStacks(app, configs, Functions, Repo.Root);
        app.Synth();

        var stacks = new SortedDictionary<string, JsonObject>(StringComparer.Ordinal);
        foreach (var dir in Directory.GetDirectories(Path.Combine(outDir, "stacks")))
        {
            var json = File.ReadAllText(Path.Combine(dir, "cdk.tf.json"));
            stacks[Path.GetFileName(dir)] = JsonNode.Parse(json)!.AsObject();
        }

        return new SynthResult { OutDir = outDir, Stacks = stacks };
    }

    /// <summary>All resources of a type in a stack, by logical id.</summary>
    public static IReadOnlyDictionary<string, JsonObject> Resources(this JsonObject stack, string type)
    {
        var result = new SortedDictionary<string, JsonObject>(StringComparer.Ordinal);
        if (stack["resource"]?[type] is JsonObject byId)
        {
            foreach (var (id, node) in byId)
            {
                result[id] = node!.AsObject();
            }
        }

        return result;
    }

    /// <summary>The single resource of a type whose metadata path ends with <paramref name="pathSuffix"/>.</summary>
    public static JsonObject Resource(this JsonObject stack, string type, string pathSuffix)
    {
        var matches = stack.Resources(type)
            .Where(r => r.Value["//"]?["metadata"]?["path"]?.GetValue<string>().EndsWith(pathSuffix, StringComparison.Ordinal) == true)
            .ToList();
        Assert.That(matches, Has.Count.EqualTo(1), $"expected one {type} at path ending '{pathSuffix}'");
        return matches[0].Value;
    }

    /// <summary>The Terraform address (<c>type.logicalId</c>) of the resource whose path ends with <paramref name="pathSuffix"/>.</summary>
    public static string Address(this JsonObject stack, string type, string pathSuffix)
    {
        var id = stack.Resources(type)
            .Single(r => r.Value["//"]?["metadata"]?["path"]?.GetValue<string>().EndsWith(pathSuffix, StringComparison.Ordinal) == true).Key;
        return $"{type}.{id}";
    }
}
