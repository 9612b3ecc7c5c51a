using System.Text.RegularExpressions;
using FraudTf.Compute;
using FraudTf.Compute.Build;
using FraudTf.Tests.Support;

namespace FraudTf.Tests.Compute;

/// <summary>The functions the app builds before its stacks: found by convention, built once, looked up by folder.</summary>
[TestFixture]
public class FunctionArtifactsTests
{
    [Test]
    public void Build_BuildsEveryFolderWithAFunctionEntryPoint_AndNoLibrary()
    {
        Assert.Multiple(() =>
        {
            Assert.That(FunctionProjects.Discover(Repo.Root), Is.EqualTo(new[]
            {
                "functions/AgentTools", "functions/AlertHandler", "functions/KnowledgeBaseSetup", "functions/StreamProcessor",
            }), "functions/Shared and functions/Storage have no Function.cs: libraries");
            Assert.That(Synth.Functions.All.Select(a => a.ProjectPath), Is.EqualTo(FunctionProjects.Discover(Repo.Root)));
        });
    }

    [Test]
    public void Artifact_IsTheBuiltPackageAndTheScanOfItsOwnAssemblies()
    {
        var artifact = Synth.Functions.For("functions/StreamProcessor");

        Assert.Multiple(() =>
        {
            Assert.That(artifact.Package, Is.EqualTo(FunctionBuilder.Build(Repo.Root, "functions/StreamProcessor")), "the builder's cached package");
            Assert.That(artifact.CodeCalls.Actions, Is.EqualTo(SdkCallScanner.ScanZip(artifact.Package.ZipPath,
                FunctionProjects.OwnAssemblies(Repo.Root, "functions/StreamProcessor")).Actions));
        });
    }

    [Test]
    public void TheBuildStep_UsesOnlyTheBaseLibrary_NoCdktfAndNoOtherModule()
    {
        // bench/functions.sh compiles modules/Compute/Build/*.cs alone; the constructs receive what it built.
        var sources = Directory.GetFiles(Path.Combine(Repo.Root, "modules", "Compute", "Build"), "*.cs");
        var foreign = sources.SelectMany(f => File.ReadLines(f).Where(l => Regex.IsMatch(l, @"^using (?!System[.;])")
                                                                           || Regex.IsMatch(l, @"\b(HashiCorp|Constructs|FraudTf\.(?!Compute\.Build\b))"))
            .Select(l => $"{Path.GetFileName(f)}: {l.Trim()}"));

        Assert.That(sources, Is.Not.Empty);
        Assert.That(foreign, Is.Empty);
    }

    [Test]
    public void For_AFolderThatHoldsNoFunction_NamesWhatWasBuiltAndTheFix()
    {
        var e = Assert.Throws<ArgumentException>(() => Synth.Functions.For("functions/Shared"))!;

        Assert.That(e.Message, Does.Contain("No function was built from 'functions/Shared'")
            .And.Contain("functions/AlertHandler").And.Contain("Fix:").And.Contain("docs/adding-a-function.md"));
    }
}
