using System.Text.Json.Nodes;
using FraudTf.Config;
using FraudTf.Platform;
using FraudTf.Tests.Support;

namespace FraudTf.Tests.Platform;

/// <summary>
/// The synth cache (<see cref="SynthCache"/>): a reused stack is byte for byte what a fresh synth writes, and each kind
/// of input change makes exactly the stacks that read it synthesize again.
/// </summary>
[TestFixture]
[NonParallelizable]
public class SynthCacheTests
{
    private string _work = "";

    [SetUp]
    public void CreateWorkFolder()
    {
        _work = Path.Combine(Path.GetTempPath(), "fraudtf-synthcache-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_work);
    }

    [TearDown]
    public void RemoveWorkFolder()
    {
        if (Directory.Exists(_work))
        {
            Directory.Delete(_work, recursive: true);
        }
    }

    [Test]
    public void ReusedOutput_IsByteIdenticalToAFreshSynth_AndTheManifestToAFullOne()
    {
        var configs = EnvironmentConfigLoader.LoadAll(Repo.EnvironmentsDir);
        var options = new SynthOptions { StoreDir = Path.Combine(_work, "store"), AppBuildDir = TestContext.CurrentContext.TestDirectory };
        var fresh = Path.Combine(_work, "fresh");
        var cached = Path.Combine(_work, "cached");

        // A full synth through the cache writes what the app without a cache writes (stacks and manifest.json).
        var first = Run(Repo.Root, fresh, configs, options with { Full = true });
        Assert.That(first.Select(d => d.Action), Is.All.EqualTo(SynthAction.Synthesize));
        AssertSameTree(Synth.Shared.OutDir, fresh);

        // Nothing changed: every stack comes from the store, no synth, same bytes.
        var second = Run(Repo.Root, cached, configs, options);
        Assert.That(second.Select(d => d.Action), Is.All.EqualTo(SynthAction.Reuse));
        AssertSameTree(fresh, cached);

        // One environment synthesized afresh over the reused output: its stacks come out the same as the stored ones,
        // the other stacks are left alone and manifest.json still lists every stack as the full synth wrote it.
        var dev = configs.Single(c => c.Environment == "dev");
        var third = Run(Repo.Root, cached, configs, options with { Full = true, Environments = new HashSet<string> { "dev" } });
        Assert.That(third.Where(d => d.Action == SynthAction.Synthesize).Select(d => d.Stack),
            Is.EquivalentTo(new[] { FraudTfApp.BootstrapStackName(dev), dev.StackName }));
        Assert.That(third.Where(d => d.Action != SynthAction.Synthesize).Select(d => d.Action), Is.All.EqualTo(SynthAction.Untouched));
        AssertSameTree(fresh, cached);
    }

    [Test]
    public void NothingChanged_ReusesEveryStack_AndRestoresAnEditedOutput()
    {
        var repo = FakeRepo();
        var outDir = Path.Combine(repo.Root, "cdktf.out");
        Seed(repo, outDir);
        var stackDir = Path.Combine(outDir, "stacks", repo.Configs[0].StackName);
        File.WriteAllText(Path.Combine(stackDir, "cdk.tf.json"), "edited");
        Directory.CreateDirectory(Path.Combine(stackDir, ".terraform"));
        File.WriteAllText(Path.Combine(stackDir, ".terraform", "leftover"), "x");
        var before = Snapshot(Path.Combine(repo.Options.StoreDir));

        var cache = SynthCache.Plan(repo.Root, repo.EnvironmentsDir, outDir, repo.Configs, repo.Options);
        cache.PrepareOutput();
        cache.Complete();

        Assert.That(cache.Decisions.Select(d => d.Action), Is.All.EqualTo(SynthAction.Reuse));
        Assert.That(cache.Decisions.Select(d => d.ToString()), Has.All.Match(@"^[a-z0-9-]+: reused \(inputs unchanged, key [0-9a-f]{12}\)$"));
        Assert.That(File.ReadAllText(Path.Combine(stackDir, "cdk.tf.json")), Is.EqualTo(FakeOutput(repo.Configs[0].StackName)));
        Assert.That(Directory.Exists(Path.Combine(stackDir, ".terraform")), Is.False, "a reused stack's folder holds only its synthesized files");
        Assert.That(Snapshot(repo.Options.StoreDir), Is.EqualTo(before), "reuse leaves the stored outputs as they are");
    }

    [Test]
    public void EnvironmentFileChange_SynthesizesThatEnvironmentsPlatformStack_AndItsBootstrapStackOnlyWhenItsValuesChange()
    {
        var repo = FakeRepo();
        Seed(repo, Path.Combine(repo.Root, "cdktf.out"));
        var staging = repo.Configs.Single(c => c.Environment == "staging");
        var file = Path.Combine(repo.EnvironmentsDir, "staging.json");

        // A value only the platform stack reads (the scoring rules): staging's platform stack alone.
        var json = JsonNode.Parse(File.ReadAllText(file))!.AsObject();
        json["costCentre"] = json["costCentre"]!.GetValue<string>(); // unchanged, for the comparison below
        var scoring = json["scoring"]?.AsObject() ?? [];
        scoring["$comment"] = "edited";
        json["scoring"] = scoring;
        File.WriteAllText(file, json.ToJsonString());
        repo = repo with { Configs = EnvironmentConfigLoader.LoadAll(repo.EnvironmentsDir) };
        Assert.That(StateBootstrapInputs.From(repo.Configs.Single(c => c.Environment == "staging")).ToCanonicalJson(),
            Is.EqualTo(StateBootstrapInputs.From(staging).ToCanonicalJson()), "the edit leaves the bootstrap stack's values alone");

        var decisions = Plan(repo);

        Assert.That(Synthesized(decisions), Is.EqualTo(new[] { staging.StackName }));
        Assert.That(decisions.Single(d => d.Action == SynthAction.Synthesize).ToString(), Does.EndWith(": synthesized (environments/staging.json changed)"));

        // A value the bootstrap stack reads (a tag: the provider's default_tags): both of staging's stacks.
        json["tags"]!["owner"] = "another-team";
        File.WriteAllText(file, json.ToJsonString());
        repo = repo with { Configs = EnvironmentConfigLoader.LoadAll(repo.EnvironmentsDir) };

        decisions = Plan(repo);

        Assert.That(Synthesized(decisions), Is.EquivalentTo(new[] { FraudTfApp.BootstrapStackName(staging), staging.StackName }));
        Assert.That(decisions.Single(d => d.Stack == FraudTfApp.BootstrapStackName(staging)).ToString(),
            Does.EndWith(": synthesized (the state bootstrap values of environments/staging.json changed)"));
    }

    [Test]
    public void TheBootstrapStacksKey_CoversEveryValueTheStackReads()
    {
        // The stack is built from StateBootstrapInputs alone (its constructor takes nothing else), so each of those
        // values must move the key: one change per value.
        var dev = EnvironmentConfigLoader.LoadAll(Repo.EnvironmentsDir).Single(c => c.Environment == "dev");
        var inputs = StateBootstrapInputs.From(dev);
        var changed = new[]
        {
            inputs with { Target = inputs.Target with { NamePrefix = "other" } },
            inputs with { Target = inputs.Target with { Environment = "other" } },
            inputs with { Target = inputs.Target with { AccountId = "999999999999" } },
            inputs with { Target = inputs.Target with { Region = "eu-west-1" } },
            inputs with { State = inputs.State with { Bucket = "other" } },
            inputs with { State = inputs.State with { Region = "eu-west-1" } },
            inputs with { State = inputs.State with { LockTable = "other" } },
            inputs with { State = inputs.State with { Key = "other" } },
            inputs with { State = inputs.State with { KmsKeyAlias = "alias/other" } },
            inputs with { AllowedAccountIds = [.. inputs.AllowedAccountIds, "999999999999"] },
            inputs with { DefaultTags = new Dictionary<string, string>(inputs.DefaultTags.ToDictionary()) { ["x"] = "y" } },
        };

        Assert.That(changed.Select(c => c.ToCanonicalJson()), Has.None.EqualTo(inputs.ToCanonicalJson()));
        Assert.That(changed.Select(c => c.ToCanonicalJson()).Distinct().Count(), Is.EqualTo(changed.Length));
        Assert.That(StateBootstrapInputs.From(dev).ToCanonicalJson(), Is.EqualTo(inputs.ToCanonicalJson()), "the same config, the same text");
    }

    [Test]
    public void FunctionCodeChange_SynthesizesEveryPlatformStack_NotTheBootstrapStacks()
    {
        var repo = FakeRepo();
        Seed(repo, Path.Combine(repo.Root, "cdktf.out"));
        File.AppendAllText(Path.Combine(repo.Root, "functions", "AlertHandler", "Function.cs"), "\n// changed\n");

        var decisions = Plan(repo);

        Assert.That(Synthesized(decisions), Is.EquivalentTo(repo.Configs.Select(c => c.StackName)));
        Assert.That(decisions.Where(d => d.Action == SynthAction.Synthesize).Select(d => d.Reason), Has.All.EqualTo("functions/AlertHandler changed"));
    }

    [Test]
    public void AgentDocumentChange_SynthesizesThePlatformStacksThatReadIt()
    {
        var repo = FakeRepo();
        Seed(repo, Path.Combine(repo.Root, "cdktf.out"));
        var folder = repo.Configs[0].Agent.KnowledgeBaseDocuments;
        var document = Directory.GetFiles(Path.Combine(repo.Root, folder)).Order(StringComparer.Ordinal).First();
        File.AppendAllText(document, "\nOne more paragraph.\n");

        var decisions = Plan(repo);

        Assert.That(Synthesized(decisions), Is.EquivalentTo(repo.Configs.Where(c => c.Agent.KnowledgeBaseDocuments == folder).Select(c => c.StackName)));
        Assert.That(decisions.Where(d => d.Action == SynthAction.Synthesize).Select(d => d.Reason), Has.All.EqualTo($"{folder}/ changed"));
    }

    [Test]
    public void AppBuildChange_SynthesizesEveryStack()
    {
        var repo = FakeRepo();
        Seed(repo, Path.Combine(repo.Root, "cdktf.out"));
        File.AppendAllText(Path.Combine(repo.Options.AppBuildDir, "FraudTf.dll"), "rebuilt");

        var decisions = Plan(repo);

        Assert.That(decisions.Select(d => d.Action), Is.All.EqualTo(SynthAction.Synthesize));
        Assert.That(decisions.Select(d => d.Reason), Has.All.EqualTo("the app's build changed"));
    }

    [Test]
    public void PinnedVersionChange_SynthesizesEveryStack()
    {
        var repo = FakeRepo();
        Seed(repo, Path.Combine(repo.Root, "cdktf.out"));
        File.AppendAllText(Path.Combine(repo.Root, "package-lock.json"), "\n");

        Assert.That(Plan(repo).Select(d => d.Reason), Has.All.EqualTo("package-lock.json changed"));
    }

    [Test]
    public void FullSynth_ReusesNothing()
    {
        var repo = FakeRepo();
        Seed(repo, Path.Combine(repo.Root, "cdktf.out"));

        var decisions = SynthCache.Plan(repo.Root, repo.EnvironmentsDir, Path.Combine(repo.Root, "cdktf.out"), repo.Configs, repo.Options with { Full = true }).Decisions;

        Assert.That(decisions.Select(d => d.Action), Is.All.EqualTo(SynthAction.Synthesize));
        Assert.That(decisions.Select(d => d.Reason), Has.All.Contains(SynthOptions.FullSynthVariable));
    }

    [Test]
    public void OneEnvironment_LeavesTheOthersAndTheirManifestEntriesAlone()
    {
        var repo = FakeRepo();
        var outDir = Path.Combine(repo.Root, "cdktf.out");
        Seed(repo, outDir);
        var manifest = File.ReadAllText(Path.Combine(outDir, "manifest.json"));
        File.AppendAllText(Path.Combine(repo.EnvironmentsDir, "prod.json"), "\n");
        File.AppendAllText(Path.Combine(repo.EnvironmentsDir, "dev.json"), "\n");

        var cache = SynthCache.Plan(repo.Root, repo.EnvironmentsDir, outDir, repo.Configs, repo.Options with { Environments = new HashSet<string> { "dev" } });
        cache.PrepareOutput();
        FakeSynth(outDir, cache.ToSynthesize);
        cache.Complete();

        var dev = repo.Configs.Single(c => c.Environment == "dev");
        Assert.That(cache.ToSynthesize, Is.EquivalentTo(new[] { dev.StackName }), "the edit leaves dev's state bootstrap values alone");
        Assert.That(cache.Decisions.Single(d => d.Stack == FraudTfApp.BootstrapStackName(dev)).Action, Is.EqualTo(SynthAction.Reuse));
        Assert.That(cache.Decisions.Where(d => !d.Stack.EndsWith("-dev", StringComparison.Ordinal)).Select(d => d.ToString()),
            Has.All.EndsWith(": untouched (not selected by FRAUDTF_ENV=dev)"));
        Assert.That(File.ReadAllText(Path.Combine(outDir, "manifest.json")), Is.EqualTo(manifest));
        Assert.That(Directory.GetDirectories(Path.Combine(outDir, "stacks")).Length, Is.EqualTo(2 * repo.Configs.Count));
    }

    [Test]
    public void UnknownEnvironment_IsAClearError()
    {
        var repo = FakeRepo();

        var e = Assert.Throws<ArgumentException>(() =>
            SynthCache.Plan(repo.Root, repo.EnvironmentsDir, Path.Combine(repo.Root, "cdktf.out"), repo.Configs, repo.Options with { Environments = new HashSet<string> { "qa" } }));

        Assert.That(e!.Message, Does.Contain("qa").And.Contain("Fix: name one of dev, staging, prod"));
    }

    [Test]
    public void StableJson_WritesWhatJsonStableStringifyWrites()
    {
        var node = JsonNode.Parse("""{"b":[],"a":{"y":["x\n\"q\"\\",""],"x":{}},"c":"\u0001é"}""");

        Assert.That(StableJson.Write(node), Is.EqualTo(
            "{\n  \"a\": {\n    \"x\": {\n    },\n    \"y\": [\n      \"x\\n\\\"q\\\"\\\\\",\n      \"\"\n    ]\n  },\n  \"b\": [\n  ],\n  \"c\": \"\\u0001é\"\n}"));
    }

    [Test]
    public void StableJson_WritesWhatSafeStableStringifyWrites()
    {
        // The text node's safe-stable-stringify 2.5 (cdktn's) writes for this value with (value, null, 2).
        var node = JsonNode.Parse("""{"b":[],"a":{"y":["x\n\"q\"\\",""],"x":{}},"c":"\u0001é"}""");

        Assert.That(StableJson.Write(node, ManifestJsonLayout.SafeStableStringify), Is.EqualTo(
            "{\n  \"a\": {\n    \"x\": {},\n    \"y\": [\n      \"x\\n\\\"q\\\"\\\\\",\n      \"\"\n    ]\n  },\n  \"b\": [],\n  \"c\": \"\\u0001é\"\n}"));
    }

    [Test]
    public void Manifest_TakesTheVersionAndLayoutOfTheBuildsCdk_EvenWhenEveryStackIsReused()
    {
        var repo = FakeRepo();
        var outDir = Path.Combine(repo.Root, "cdktf.out");
        Seed(repo, outDir);
        // Only the facts differ (the CDK's name, which adds its pinned files to the keys, stays), so every stack is reused.
        var other = repo.Options with { Cdk = CdkFacts.OfThisBuild with { CoreVersion = "9.8.7", ManifestLayout = ManifestJsonLayout.SafeStableStringify } };

        var cache = SynthCache.Plan(repo.Root, repo.EnvironmentsDir, outDir, repo.Configs, other);
        cache.PrepareOutput();
        cache.Complete();

        var text = File.ReadAllText(Path.Combine(outDir, "manifest.json"));
        Assert.That(cache.ToSynthesize, Is.Empty);
        Assert.That(JsonNode.Parse(text)!["version"]!.GetValue<string>(), Is.EqualTo("9.8.7"));
        Assert.That(text, Does.Contain("\"annotations\": [],"));
    }

    [Test]
    public void Manifest_OfAnotherCdkVersionThanTheFacts_IsAClearError()
    {
        var repo = FakeRepo();
        var outDir = Path.Combine(repo.Root, "cdktf.out");
        var other = repo.Options with { Cdk = CdkFacts.OfThisBuild with { CoreVersion = "0.0.1" } };
        var cache = SynthCache.Plan(repo.Root, repo.EnvironmentsDir, outDir, repo.Configs, other);
        cache.PrepareOutput();
        FakeSynth(outDir, cache.ToSynthesize);

        var e = Assert.Throws<InvalidOperationException>(cache.Complete);

        Assert.That(e!.Message, Does.Contain($"CDK version {CdkFacts.OfThisBuild.CoreVersion}").And.Contain("0.0.1").And.Contain("Fix: make bindings"));
    }

    // Plans, readies the output, synthesizes with the real app what the cache could not reuse, completes.
    private static IReadOnlyList<SynthDecision> Run(string root, string outDir, IReadOnlyList<EnvironmentConfig> configs, SynthOptions options)
    {
        var cache = SynthCache.Plan(root, Path.Combine(root, "environments"), outDir, configs, options);
        cache.PrepareOutput();
        var toSynthesize = cache.ToSynthesize;
        if (toSynthesize.Count > 0)
        {
            var app = new App(new AppConfig { Outdir = outDir });
            FraudTfApp.AddStacks(app, configs, Synth.Functions, root, toSynthesize.Contains);
            app.Synth();
        }

        cache.Complete();
        return cache.Decisions;
    }

    private sealed record FakeRepoPaths(string Root, string EnvironmentsDir, IReadOnlyList<EnvironmentConfig> Configs, SynthOptions Options);

    // The inputs of the real repository (environments, agent, function sources, pinned files) and a stand-in app build.
    private FakeRepoPaths FakeRepo()
    {
        var root = Path.Combine(_work, "repo");
        foreach (var folder in new[] { "environments", "agent", "functions" })
        {
            foreach (var file in Directory.GetFiles(Path.Combine(Repo.Root, folder), "*", SearchOption.AllDirectories)
                         .Where(f => !Path.GetRelativePath(Repo.Root, f).Split(Path.DirectorySeparatorChar).Any(p => p is "bin" or "obj")))
            {
                var target = Path.Combine(root, Path.GetRelativePath(Repo.Root, file));
                Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                File.Copy(file, target);
            }
        }

        foreach (var file in new[] { "package-lock.json", "cdktf.json", "bindings/aws-provider.txt" })
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(root, file))!);
            File.Copy(Path.Combine(Repo.Root, file), Path.Combine(root, file));
        }

        var build = Path.Combine(_work, "app-build");
        Directory.CreateDirectory(build);
        File.WriteAllText(Path.Combine(build, "FraudTf.dll"), "app");
        var environments = Path.Combine(root, "environments");
        return new FakeRepoPaths(root, environments, EnvironmentConfigLoader.LoadAll(environments),
            new SynthOptions { StoreDir = Path.Combine(root, ".build", "synth"), AppBuildDir = build });
    }

    // A first run: every stack synthesized (by FakeSynth) and stored.
    private static void Seed(FakeRepoPaths repo, string outDir)
    {
        var cache = SynthCache.Plan(repo.Root, repo.EnvironmentsDir, outDir, repo.Configs, repo.Options);
        cache.PrepareOutput();
        FakeSynth(outDir, cache.ToSynthesize);
        cache.Complete();
        Assert.That(cache.ToSynthesize, Has.Count.EqualTo(2 * repo.Configs.Count));
    }

    // Stands in for App.Synth: a cdk.tf.json per stack and manifest.json listing the synthesized stacks (the build's CDK version).
    private static void FakeSynth(string outDir, IReadOnlySet<string> stacks)
    {
        var entries = new JsonObject();
        foreach (var name in stacks)
        {
            Directory.CreateDirectory(Path.Combine(outDir, "stacks", name));
            File.WriteAllText(Path.Combine(outDir, "stacks", name, "cdk.tf.json"), FakeOutput(name));
            entries[name] = new JsonObject { ["name"] = name, ["annotations"] = new JsonArray(), ["workingDirectory"] = $"stacks/{name}" };
        }

        File.WriteAllText(Path.Combine(outDir, "manifest.json"), StableJson.Write(new JsonObject { ["stacks"] = entries, ["version"] = CdkFacts.OfThisBuild.CoreVersion }));
    }

    private static string FakeOutput(string stack) => $"{{\"stack\": \"{stack}\"}}";

    private static IReadOnlyList<SynthDecision> Plan(FakeRepoPaths repo) =>
        SynthCache.Plan(repo.Root, repo.EnvironmentsDir, Path.Combine(repo.Root, "cdktf.out"), repo.Configs, repo.Options).Decisions;

    private static IEnumerable<string> Synthesized(IEnumerable<SynthDecision> decisions) =>
        decisions.Where(d => d.Action == SynthAction.Synthesize).Select(d => d.Stack);

    private static SortedDictionary<string, string> Snapshot(string root) =>
        new(Directory.GetFiles(root, "*", SearchOption.AllDirectories).ToDictionary(
            f => Path.GetRelativePath(root, f), f => Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(f)))), StringComparer.Ordinal);

    private static void AssertSameTree(string expected, string actual)
    {
        var a = Snapshot(expected);
        var b = Snapshot(actual);
        Assert.That(b.Keys, Is.EqualTo(a.Keys), $"{actual} holds other files than {expected}");
        foreach (var (path, hash) in a)
        {
            Assert.That(b[path], Is.EqualTo(hash), $"{path} differs");
        }
    }
}
