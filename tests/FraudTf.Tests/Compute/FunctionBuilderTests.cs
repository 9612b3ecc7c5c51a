using System.Diagnostics;
using System.IO.Compression;
using System.Security.Cryptography;
using FraudTf.Compute.Build;
using FraudTf.Tests.Support;

namespace FraudTf.Tests.Compute;

/// <summary>
/// Building and zipping the Lambda projects: contents, byte-for-byte determinism across two repository copies at
/// different paths, the on-disk cache, invalidation on a source change, and the error of a broken project.
/// Each real publish takes a few seconds; the fixture shares the builds it can.
/// </summary>
[NonParallelizable]
public sealed class FunctionBuilderTests
{
    private const string StreamProcessor = "functions/StreamProcessor";
    private readonly string _tempRoot = Path.Combine(Path.GetTempPath(), "fraudtf-function-package-tests", Guid.NewGuid().ToString("N"));
    private PackagedFunction _real = null!;
    private string _rootA = null!;
    private PackagedFunction? _builtA;

    /// <summary>Builds StreamProcessor from the repository itself (as synth does; usually a cache hit).</summary>
    [OneTimeSetUp]
    public void BuildFromRepository()
    {
        var watch = Stopwatch.StartNew();
        _real = FunctionBuilder.Build(Repo.Root, StreamProcessor);
        TestContext.Progress.WriteLine($"repository build of {StreamProcessor}: {watch.ElapsedMilliseconds} ms, {_real.SizeBytes} bytes, {_real.ZipPath}");
        _rootA = CopyRepository("a");
    }

    /// <summary>Removes the temporary repository copies.</summary>
    [OneTimeTearDown]
    public void RemoveCopies()
    {
        if (Directory.Exists(_tempRoot))
        {
            Directory.Delete(_tempRoot, recursive: true);
        }
    }

    [Test]
    public void Zip_holds_the_framework_dependent_publish_output_and_nothing_else()
    {
        using var zip = ZipFile.OpenRead(_real.ZipPath);
        var names = zip.Entries.Select(e => e.FullName).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(names, Is.SupersetOf(new[]
            {
                "FraudTf.Functions.StreamProcessor.dll",
                "FraudTf.Functions.Shared.dll",
                "FraudTf.Functions.StreamProcessor.deps.json",
                "FraudTf.Functions.StreamProcessor.runtimeconfig.json",
            }));
            Assert.That(names.Where(n => n.EndsWith(".pdb", StringComparison.OrdinalIgnoreCase)), Is.Empty, "no symbols");
            Assert.That(names.Where(n => n.EndsWith(".xml", StringComparison.OrdinalIgnoreCase)), Is.Empty, "no documentation files");
            Assert.That(names.Where(n => n.EndsWith('/')), Is.Empty, "no directory entries");
            Assert.That(names, Is.EqualTo(names.Order(StringComparer.Ordinal).ToList()), "entries in ordinal order");
            Assert.That(zip.Entries.Select(e => e.LastWriteTime.DateTime).Distinct(), Is.EqualTo(new[] { new DateTime(1980, 1, 1, 0, 0, 0) }));
            Assert.That(zip.Entries.Select(e => e.ExternalAttributes).Distinct(), Is.EqualTo(new[] { DeterministicZip.EntryExternalAttributes }));
        });
    }

    [Test]
    public void Runtimeconfig_targets_the_shared_net10_framework_with_invariant_globalization()
    {
        using var zip = ZipFile.OpenRead(_real.ZipPath);
        using var reader = new StreamReader(zip.GetEntry("FraudTf.Functions.StreamProcessor.runtimeconfig.json")!.Open());
        var json = reader.ReadToEnd();
        Assert.That(json, Does.Contain("\"Microsoft.NETCore.App\"").And.Contain("\"tfm\": \"net10.0\"").And.Contain("\"System.Globalization.Invariant\": true"));
        Assert.That(json, Does.Not.Contain("includedFrameworks"), "framework dependent, not self-contained");
    }

    [Test]
    public void Record_gives_the_project_assembly_hashes_size_and_cached_zip_path()
    {
        var bytes = File.ReadAllBytes(_real.ZipPath);
        var sha = SHA256.HashData(bytes);
        Assert.Multiple(() =>
        {
            Assert.That(_real.ProjectPath, Is.EqualTo(StreamProcessor));
            Assert.That(_real.AssemblyName, Is.EqualTo("FraudTf.Functions.StreamProcessor"));
            Assert.That(_real.Sha256, Is.EqualTo(Convert.ToHexStringLower(sha)));
            Assert.That(_real.SourceBase64Sha256, Is.EqualTo(Convert.ToBase64String(sha)));
            Assert.That(_real.SizeBytes, Is.EqualTo(bytes.LongLength));
            Assert.That(Path.IsPathFullyQualified(_real.ZipPath), Is.True);
            Assert.That(_real.ZipPath, Is.EqualTo(Path.Combine(Repo.Root, ".build", "functions", "StreamProcessor", _real.InputHash[..16], "StreamProcessor.zip")));
        });
    }

    [Test]
    public void Two_copies_at_different_paths_give_byte_identical_zips()
    {
        var rootB = CopyRepository("b");
        var a = BuildA();
        // Three stacks asking at once: one build, one result.
        var b = new PackagedFunction[3];
        Parallel.For(0, 3, i => b[i] = FunctionBuilder.Build(rootB, StreamProcessor));

        Assert.Multiple(() =>
        {
            Assert.That(b.Distinct().Count(), Is.EqualTo(1), "concurrent calls give one result");
            Assert.That(Directory.GetFiles(Path.GetDirectoryName(b[0].ZipPath)!), Has.Length.EqualTo(1), "one zip, no leftovers");
            Assert.That(Directory.GetDirectories(Path.GetDirectoryName(b[0].ZipPath)!), Is.Empty, "work folders removed");
            Assert.That(a.ZipPath, Is.Not.EqualTo(b[0].ZipPath));
            Assert.That(a.InputHash, Is.EqualTo(b[0].InputHash), "the input hash does not depend on where the repository is");
            Assert.That(File.ReadAllBytes(a.ZipPath), Is.EqualTo(File.ReadAllBytes(b[0].ZipPath)), "byte-for-byte equal zips");
            Assert.That(a.Sha256, Is.EqualTo(b[0].Sha256));
            // The repository itself (a git checkout, unlike the copies) gives the same bytes too: no commit id leaks in.
            Assert.That(_real.Sha256, Is.EqualTo(a.Sha256), "repository build equals the copies' builds");
        });
    }

    [Test]
    public void Unchanged_sources_reuse_the_zip_without_building()
    {
        var first = BuildA();
        var written = File.GetLastWriteTimeUtc(first.ZipPath);
        FunctionBuilder.ResetProcessCache(); // go through the on-disk cache, as a new synth process would
        var watch = Stopwatch.StartNew();
        var second = FunctionBuilder.Build(_rootA, StreamProcessor);
        TestContext.Progress.WriteLine($"cache hit (hash inputs, read zip): {watch.Elapsed.TotalMilliseconds:0.0} ms");

        Assert.Multiple(() =>
        {
            Assert.That(second, Is.EqualTo(first));
            Assert.That(File.GetLastWriteTimeUtc(second.ZipPath), Is.EqualTo(written), "not rebuilt");
        });
    }

    [Test]
    public void A_changed_source_gives_a_new_input_hash_and_a_new_zip()
    {
        var a = BuildA();
        var root = CopyRepository("changed", withBuildCache: _rootA);
        var before = FunctionBuilder.Build(root, StreamProcessor);
        Assert.That(before.Sha256, Is.EqualTo(a.Sha256), "a copied cache is reused (same input hash)");
        Assert.That(Path.GetFileName(before.ZipPath), Is.EqualTo(Path.GetFileName(a.ZipPath)));

        var source = Path.Combine(root, StreamProcessor, "Function.cs");
        File.AppendAllText(source, "\n// a comment changes the inputs, not the compiled code\n");
        var commented = FunctionBuilder.Build(root, StreamProcessor);

        // A code change (a new type), independent of the function's text, which other changes rewrite.
        File.AppendAllText(source, "\ninternal static class ChangedForTheTest\n{\n    internal static int Version => 2;\n}\n");
        var changed = FunctionBuilder.Build(root, StreamProcessor);
        var keptForThisProcess = File.Exists(before.ZipPath);
        FunctionBuilder.ResetProcessCache(); // a later synth process
        FunctionBuilder.Build(root, StreamProcessor);

        Assert.Multiple(() =>
        {
            Assert.That(commented.InputHash, Is.Not.EqualTo(before.InputHash));
            Assert.That(commented.ZipPath, Is.Not.EqualTo(before.ZipPath));
            Assert.That(keptForThisProcess, Is.True, "a zip this process handed out stays until the process ends");
            Assert.That(File.Exists(before.ZipPath), Is.False, "the older zip is removed by a later process");
            Assert.That(commented.Sha256, Is.EqualTo(before.Sha256), "a comment compiles to the same bytes: no code update");
            Assert.That(changed.InputHash, Is.Not.EqualTo(commented.InputHash));
            Assert.That(changed.Sha256, Is.Not.EqualTo(commented.Sha256), "a code change gives a different zip");
            Assert.That(Directory.GetFiles(Path.GetDirectoryName(changed.ZipPath)!).Select(Path.GetFileName),
                Is.EqualTo(new[] { Path.GetFileName(changed.ZipPath) }));
        });
    }

    [Test]
    public void A_broken_project_fails_with_the_project_and_the_fix_in_the_message()
    {
        var root = CopyRepository("broken");
        File.AppendAllText(Path.Combine(root, StreamProcessor, "Function.cs"), "\npublic class Broken { void M() { int x = } }\n");

        var e = Assert.Throws<FunctionBuildException>(() => FunctionBuilder.Build(root, StreamProcessor))!;
        TestContext.Progress.WriteLine(e.Message);
        Assert.Multiple(() =>
        {
            Assert.That(e.Message, Does.StartWith($"Building function {StreamProcessor} failed (dotnet publish exited 1)."));
            Assert.That(e.Message, Does.Contain($"Fix: run 'dotnet publish {StreamProcessor} -c Release'"));
            Assert.That(e.Message, Does.Contain("error CS1525"), "the compiler error is quoted");
            Assert.That(e.ProjectDir, Is.EqualTo(StreamProcessor));
            Assert.That(e.ExitCode, Is.Not.Zero);
            Assert.That(Directory.GetFileSystemEntries(Path.Combine(root, ".build", "functions", "StreamProcessor")), Is.Empty,
                "no zip, no work folder left behind");
        });
    }

    [Test]
    public void A_missing_project_folder_is_reported()
    {
        var e = Assert.Throws<DirectoryNotFoundException>(() => FunctionBuilder.Build(_rootA, "functions/NoSuchFunction"))!;
        Assert.That(e.Message, Does.Contain("functions/NoSuchFunction").And.Contain("Fix:"));
    }

    private PackagedFunction BuildA() => _builtA ??= FunctionBuilder.Build(_rootA, StreamProcessor);

    // A minimal repository: functions/ (without bin/ and obj/) and nuget.config, optionally with another copy's .build/.
    private string CopyRepository(string name, string? withBuildCache = null)
    {
        var root = Path.Combine(_tempRoot, name, "repo");
        CopyFolder(Path.Combine(Repo.Root, "functions"), Path.Combine(root, "functions"));
        File.Copy(Path.Combine(Repo.Root, "nuget.config"), Path.Combine(root, "nuget.config"));
        if (withBuildCache is not null)
        {
            CopyFolder(Path.Combine(withBuildCache, ".build"), Path.Combine(root, ".build"));
        }

        return root;
    }

    private static void CopyFolder(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.GetFiles(from))
        {
            File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
        }

        foreach (var dir in Directory.GetDirectories(from).Where(d => Path.GetFileName(d) is not ("bin" or "obj")))
        {
            CopyFolder(dir, Path.Combine(to, Path.GetFileName(dir)));
        }
    }
}
