using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using FraudTf.Compute.Build;
using FraudTf.Config;
using FraudTf.Tests.Support;

namespace FraudTf.Tests.Platform;

/// <summary>
/// Adding a Lambda function is one folder under <c>functions/</c> and one line where it is wired
/// (docs/adding-a-function.md). These checks find every folder there and say, naming the folder, what a function lacks:
/// its project, its entry point, its settings reader, its wiring, its cost assumption; and a library nobody uses. A
/// function's size needs no config change: the environment's settings are keyed by the function's folder
/// (<c>functions.&lt;folder in camelCase&gt;</c>), with the tier's standard size when the file gives none.
/// </summary>
[TestFixture]
public class FunctionFoldersTests
{
    private const string CostAssumptionsFile = "tools/Cost/data/assumptions.json";

    // The benchmark's measured figures (the stream processor's batch durations), which the cost tool joins to the
    // assumptions (tools/Cost CostApi.MeasuredFile).
    private const string CostMeasuredFile = "bench/measured/stream-processor.json";

    /// <summary>A deployed function: its name, the stem of that name (<c>&lt;prefix&gt;-&lt;stem&gt;-&lt;env&gt;</c>) and its handler's assembly.</summary>
    private sealed record Deployed(string FunctionName, string Stem, string Assembly);

    [Test]
    public void EveryFolderUnderFunctions_IsAWiredFunctionWithWhatItNeeds_OrALibraryAFunctionUses()
    {
        var deployed = Synth.Shared.Stacks
            .Join(EnvironmentConfigLoader.LoadAll(Repo.EnvironmentsDir), s => s.Key, c => c.StackName, (s, c) => DeployedIn(s.Value, c))
            .SelectMany(d => d)
            .ToList();

        Assert.That(Problems(Repo.Root, deployed, AssumptionKeys(Repo.Root)), Is.Empty);
    }

    [Test]
    public void ANewFunctionsSize_IsFoundByItsFolderName_OrIsTheTiersStandardSize()
    {
        var sized = ConfigFixture.Load("dev", j => j["functions"] = new JsonObject { ["caseExporter"] = new JsonObject { ["memoryMb"] = 1024 } });
        var prod = ConfigFixture.Load("prod", _ => { });

        Assert.Multiple(() =>
        {
            Assert.That(sized.Functions.For("CaseExporter"), Is.EqualTo(new FunctionSettings { MemoryMb = 1024, TimeoutSeconds = 30, ReservedConcurrency = 5 }));
            Assert.That(sized.Functions.For("AnotherNewFunction"), Is.EqualTo(new FunctionSettings { MemoryMb = 256, TimeoutSeconds = 30, ReservedConcurrency = 5 }));
            Assert.That(prod.Functions.For("AnotherNewFunction"), Is.EqualTo(new FunctionSettings { MemoryMb = 512, TimeoutSeconds = 30, ReservedConcurrency = 20 }));
            Assert.That(prod.Functions.For("StreamProcessor"), Is.EqualTo(new FunctionSettings { MemoryMb = 1024, TimeoutSeconds = 60, ReservedConcurrency = 100 }),
                "a listed function keeps its own tier defaults");
        });
    }

    [Test]
    public void SizingAFolderThatIsNoFunction_FailsAtSynthNamingTheFieldAndTheFix()
    {
        var config = ConfigFixture.Load("dev", j => j["functions"] = new JsonObject { ["streamProcesor"] = new JsonObject { ["memoryMb"] = 1024 } });

        var e = Assert.Throws<ArgumentException>(() => new FraudTf.Platform.FraudDetectionStack(new App(), config, Synth.Functions, Repo.Root));

        Assert.That(e!.Message, Does.StartWith("environments/dev.json: field 'functions.streamProcesor' sizes functions/StreamProcesor, which is no function folder")
            .And.Contain("Fix: did you mean 'functions.streamProcessor'? name the function's folder in camelCase, or remove the field."));
    }

    [Test]
    public void SizingAnAgentFunctionUnderFunctions_FailsNamingWhereItsSettingsAre()
    {
        var errors = ConfigFixture.Errors(ConfigFixture.Folder("dev", j => j["functions"] = new JsonObject { ["agentTools"] = new JsonObject() }));

        Assert.That(errors.Single(), Does.StartWith("environments/dev.json: field 'functions.agentTools'")
            .And.Contain("functions/AgentTools is sized at agent.toolsFunction").And.Contain("move these settings to agent.toolsFunction"));
    }

    [Test]
    public void AFunctionFolderMissingPieces_IsReportedByFolderWithTheFix()
    {
        var root = Path.Combine(Path.GetTempPath(), "fraudtf-function-folders", Guid.NewGuid().ToString("N"));
        try
        {
            foreach (var project in Directory.GetFiles(Path.Combine(Repo.Root, "functions"), "*.csproj", SearchOption.AllDirectories))
            {
                var copy = Path.Combine(root, Path.GetRelativePath(Repo.Root, project));
                Directory.CreateDirectory(Path.GetDirectoryName(copy)!);
                File.Copy(project, copy);
                File.WriteAllText(Path.Combine(Path.GetDirectoryName(copy)!, "Settings.cs"),
                    "public sealed class Settings { public static Settings From(SettingsReader env) => new(); }");
            }

            foreach (var function in FunctionProjects.Discover(Repo.Root))
            {
                File.Copy(Path.Combine(Repo.Root, function, FunctionProjects.EntryPoint), Path.Combine(root, function, FunctionProjects.EntryPoint));
            }

            // A new function: project and entry point, nothing else. A library no function references. A folder without a project.
            Write(root, "functions/CaseExporter/FraudTf.Functions.CaseExporter.csproj", "<Project Sdk=\"Microsoft.NET.Sdk\" />");
            Write(root, "functions/CaseExporter/Function.cs", "namespace FraudTf.Functions.CaseExporter;\npublic sealed class Function\n{\n    public Task<Stream> Handler(Stream input) => Task.FromResult(input);\n}\n");
            Write(root, "functions/Orphan/FraudTf.Functions.Orphan.csproj", "<Project Sdk=\"Microsoft.NET.Sdk\" />");
            Write(root, "functions/Notes/README.md", "notes");
            Deployed[] deployed =
            [
                new("fraud-detection-stream-processor-dev", "stream-processor", "FraudTf.Functions.StreamProcessor"),
                new("fraud-detection-alert-handler-dev", "alert-handler", "FraudTf.Functions.AlertHandler"),
                new("fraud-detection-agent-tools-dev", "agent-tools", "FraudTf.Functions.AgentTools"),
                new("fraud-detection-vector-index-setup-dev", "vector-index-setup", "FraudTf.Functions.KnowledgeBaseSetup"),
            ];
            var assumptions = AssumptionKeys(Repo.Root).Where(k => k != "lambda.msPerInvocation.agent-tools").ToHashSet(StringComparer.Ordinal);

            var problems = Problems(root, deployed, assumptions);

            Assert.That(problems, Is.EquivalentTo(new[]
            {
                "functions/CaseExporter: no Settings.cs declaring 'public static Settings From(SettingsReader env)'. Fix: read the function's " +
                "environment variables there (FunctionEnvironment names); the environment contract test reads them through it.",
                "functions/CaseExporter: no stack deploys FraudTf.Functions.CaseExporter. Fix: wire it with one Function(\"<name>\", \"functions/CaseExporter\", ...) " +
                "line and its grants in modules/Platform/FraudDetectionStack.cs.",
                "functions/AgentTools: fraud-detection-agent-tools-dev has no cost assumption in tools/Cost/data/assumptions.json. Fix: add " +
                "\"lambda.msPerInvocation.agent-tools\" (or \"lambda.batchMs.agent-tools.first\" and \".hundred\" for a stream consumer) with its unit and source.",
                "functions/Orphan: a project without Function.cs that no function references. Fix: add Function.cs to make it a Lambda function, " +
                "or reference it from a function's project to make it a library.",
                "functions/Notes: no project. Fix: a function's folder holds one .csproj and its Function.cs; move anything else out of functions/.",
            }));
        }
        finally
        {
            if (Directory.Exists(root))
            {
                Directory.Delete(root, recursive: true);
            }
        }
    }

    /// <summary>What each folder under <c>functions/</c> of <paramref name="root"/> lacks, one message per missing piece.</summary>
    private static List<string> Problems(string root, IReadOnlyList<Deployed> deployed, IReadOnlySet<string> assumptionKeys)
    {
        var problems = new List<string>();
        var functions = FunctionProjects.Discover(root);
        var used = new HashSet<string>(StringComparer.Ordinal);
        foreach (var function in functions)
        {
            var dir = Path.Combine(root, function);
            var projects = Directory.GetFiles(dir, "*.csproj").Length;
            if (projects != 1)
            {
                problems.Add($"{function}: {projects} .csproj files. Fix: keep exactly one project file (copy a sibling's, e.g. functions/AlertHandler's).");
                continue;
            }

            var assembly = FunctionProjects.AssemblyName(root, function);
            used.UnionWith(FunctionProjects.OwnAssemblies(root, function));
            var entry = File.ReadAllText(Path.Combine(dir, FunctionProjects.EntryPoint));
            if (!Regex.IsMatch(entry, $@"namespace\s+{Regex.Escape(assembly)}\s*[;{{]") || !Regex.IsMatch(entry, @"\bclass\s+Function\b") ||
                !Regex.IsMatch(entry, @"\bHandler\s*\("))
            {
                problems.Add($"{function}/{FunctionProjects.EntryPoint}: the handler is {assembly}::{assembly}.Function::Handler. " +
                             $"Fix: declare namespace {assembly}, a class Function and its method Handler there.");
            }

            var settings = Path.Combine(dir, "Settings.cs");
            if (!File.Exists(settings) || !Regex.IsMatch(File.ReadAllText(settings), @"static\s+Settings\s+From\s*\(\s*SettingsReader\b"))
            {
                problems.Add($"{function}: no Settings.cs declaring 'public static Settings From(SettingsReader env)'. Fix: read the function's " +
                             "environment variables there (FunctionEnvironment names); the environment contract test reads them through it.");
            }

            var instances = deployed.Where(d => d.Assembly == assembly).ToList();
            if (instances.Count == 0)
            {
                problems.Add($"{function}: no stack deploys {assembly}. Fix: wire it with one Function(\"<name>\", \"{function}\", ...) " +
                             "line and its grants in modules/Platform/FraudDetectionStack.cs.");
            }

            foreach (var d in instances.DistinctBy(d => d.Stem).Where(d =>
                         !assumptionKeys.Contains($"lambda.msPerInvocation.{d.Stem}") && !assumptionKeys.Contains($"lambda.batchMs.{d.Stem}.first")))
            {
                problems.Add($"{function}: {d.FunctionName} has no cost assumption in {CostAssumptionsFile}. Fix: add \"lambda.msPerInvocation.{d.Stem}\" " +
                             $"(or \"lambda.batchMs.{d.Stem}.first\" and \".hundred\" for a stream consumer) with its unit and source.");
            }
        }

        foreach (var dir in Directory.GetDirectories(Path.Combine(root, FunctionProjects.Folder)).Order(StringComparer.Ordinal))
        {
            var folder = $"{FunctionProjects.Folder}/{Path.GetFileName(dir)}";
            if (functions.Contains(folder))
            {
                continue;
            }

            if (Directory.GetFiles(dir, "*.csproj").Length == 0)
            {
                problems.Add($"{folder}: no project. Fix: a function's folder holds one .csproj and its Function.cs; move anything else out of functions/.");
            }
            else if (!used.Contains(FunctionProjects.AssemblyName(root, folder)))
            {
                problems.Add($"{folder}: a project without Function.cs that no function references. Fix: add Function.cs to make it a Lambda function, " +
                             "or reference it from a function's project to make it a library.");
            }
        }

        return problems;
    }

    // The functions of a synthesized platform stack of config (names are <prefix>-<stem>-<env>).
    private static IEnumerable<Deployed> DeployedIn(JsonObject stack, EnvironmentConfig config) =>
        stack.Resources("aws_lambda_function").Values.Select(f =>
        {
            var name = f["function_name"]!.GetValue<string>();
            var stem = name[(config.NamePrefix.Length + 1)..^(config.Environment.Length + 1)];
            Assert.That(config.ResourceName(stem), Is.EqualTo(name), "function names are <prefix>-<stem>-<env>");
            return new Deployed(name, stem, f["handler"]!.GetValue<string>().Split("::")[0]);
        });

    private static HashSet<string> AssumptionKeys(string root) =>
        new[] { CostAssumptionsFile, CostMeasuredFile }
            .SelectMany(file => JsonNode.Parse(File.ReadAllText(Path.Combine(root, file)))!["values"]!.AsObject().Select(p => p.Key))
            .ToHashSet(StringComparer.Ordinal);

    private static void Write(string root, string relative, string text)
    {
        var path = Path.Combine(root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
    }
}
