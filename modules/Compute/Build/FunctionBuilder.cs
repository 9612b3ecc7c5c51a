using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace FraudTf.Compute.Build;

/// <summary>
/// Builds a Lambda function project into a zip whose bytes depend only on the sources: identical sources give an
/// identical zip on every build and machine (same SDK version), so <c>source_code_hash</c> and the Terraform asset
/// change only when the code does. A build step of the app, run before any construct exists (no CDKTF types here):
/// the constructs receive what it built.
/// <para>
/// Determinism: the project is published framework-dependent (managed runtime <c>dotnet10</c>, no RID) in Release
/// with deterministic compilation, no PDB, no commit id in the informational version, no documentation files, into
/// a private artifacts folder (no shared <c>obj/</c>, no state left from other builds), then zipped by
/// <see cref="DeterministicZip"/>.
/// </para>
/// <para>
/// Caching: the zip is <c>&lt;repoRoot&gt;/.build/functions/&lt;ProjectFolderName&gt;/&lt;input hash&gt;/&lt;ProjectFolderName&gt;.zip</c>
/// (<see cref="ComputeInputHash"/>, its first 16 digits); when it exists it is returned without building, and within
/// one process each project and input hash is built once, whoever asks first.
/// </para>
/// </summary>
public static class FunctionBuilder
{
    /// <summary>How long one <c>dotnet publish</c> may take before it is killed.</summary>
    public static readonly TimeSpan PublishTimeout = TimeSpan.FromMinutes(10);

    // Bump when the packaging changes in a way the inputs don't show (zip layout, patching): it invalidates every cache.
    private const string Recipe = "fraudtf-function-package/1";

    // Global properties of the publish. Each one is about reproducibility or size, see the class summary.
    private static readonly string[] PublishProperties =
    [
        "-p:DebugType=none",
        "-p:DebugSymbols=false",
        "-p:GenerateDocumentationFile=false",
        "-p:SatelliteResourceLanguages=en",
        "-p:Deterministic=true",
        "-p:ContinuousIntegrationBuild=true",
        // Else SourceLink appends '+<commit sha>' to AssemblyInformationalVersion: the DLL changes on every commit.
        "-p:IncludeSourceRevisionInInformationalVersion=false",
        "-p:EnableSourceControlManagerQueries=false",
        "-p:SelfContained=false",
        "-p:UseAppHost=false",
        // Library projects get no runtimeconfig.json by default; the Lambda runtime reads it (InvariantGlobalization...).
        "-p:GenerateRuntimeConfigurationFiles=true",
        "-p:PublishDocumentationFile=false",
        "-p:PublishReferencesDocumentationFiles=false",
    ];

    private static readonly ConcurrentDictionary<string, Lazy<PackagedFunction>> Builds = new(StringComparer.Ordinal);

    // Zips this process has handed out: stale-output cleanup never deletes them, so a stack created earlier in the same
    // process still finds its asset even if the sources changed (and a newer zip was built) in between.
    private static readonly ConcurrentDictionary<string, bool> HandedOut = new(StringComparer.Ordinal);

    /// <summary>
    /// Publishes and zips the function project in <paramref name="projectDir"/> (relative to <paramref name="repoRoot"/>,
    /// e.g. <c>functions/StreamProcessor</c>), or returns the zip already built from the same inputs. Thread-safe.
    /// </summary>
    /// <exception cref="FunctionBuildException">The project does not build.</exception>
    public static PackagedFunction Build(string repoRoot, string projectDir)
    {
        var root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(repoRoot));
        var project = FunctionProjects.Normalize(projectDir);
        var projectFull = Path.Combine(root, project);
        if (!Directory.Exists(projectFull))
        {
            throw new DirectoryNotFoundException($"Function project folder '{project}' not found under {root}. Fix: pass a folder relative to the repository root, e.g. functions/StreamProcessor.");
        }

        var inputHash = ComputeInputHash(root, project);
        var key = $"{root}|{project}|{inputHash}";
        for (var attempt = 0; ; attempt++)
        {
            var lazy = Builds.GetOrAdd(key, _ => new Lazy<PackagedFunction>(() => BuildOrReuse(root, project, inputHash), LazyThreadSafetyMode.ExecutionAndPublication));
            PackagedFunction result;
            try
            {
                result = lazy.Value;
            }
            catch
            {
                // Don't remember failures: the next call (after a fix, or a transient error) tries again.
                Builds.TryRemove(KeyValuePair.Create(key, lazy));
                throw;
            }

            if (File.Exists(result.ZipPath) || attempt > 0)
            {
                return result;
            }

            // Someone deleted .build/ since: forget and build again.
            Builds.TryRemove(KeyValuePair.Create(key, lazy));
        }
    }

    /// <summary>
    /// SHA-256 (lowercase hex) of the inputs of <paramref name="projectDir"/>'s build: every file of the project and of
    /// the projects it references (transitively) except <c>bin/</c> and <c>obj/</c>, the MSBuild/NuGet settings files from
    /// those folders up to the root, the output of <c>dotnet --version</c> and the publish recipe. Paths are hashed
    /// relative to <paramref name="repoRoot"/> with forward slashes, in ordinal order, so the hash is machine independent.
    /// </summary>
    public static string ComputeInputHash(string repoRoot, string projectDir)
    {
        var root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(repoRoot));
        var project = FunctionProjects.Normalize(projectDir);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        void Add(string text)
        {
            hash.AppendData(Encoding.UTF8.GetBytes(text));
            hash.AppendData([0]);
        }

        Add(Recipe);
        Add(string.Join(' ', PublishProperties));
        Add("dotnet " + DotnetCli.Version(root));
        Add("project " + project);
        foreach (var (relative, full) in FunctionProjects.Inputs(root, project))
        {
            var bytes = File.ReadAllBytes(full);
            Add("file " + relative);
            Add(bytes.LongLength.ToString(System.Globalization.CultureInfo.InvariantCulture));
            hash.AppendData(bytes);
        }

        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    /// <summary>
    /// Forgets the builds of this process (the zips on disk stay and are still reused). For tests and benchmarks that
    /// need to go through the on-disk cache again.
    /// </summary>
    public static void ResetProcessCache()
    {
        Builds.Clear();
        HandedOut.Clear();
    }

    private static PackagedFunction BuildOrReuse(string root, string project, string inputHash)
    {
        var name = FolderName(project);
        var outDir = Path.Combine(root, ".build", "functions", name);
        // The file name stays the same across versions (only its folder carries the input hash), because CDKTF puts the
        // asset's file name into the synthesized path: a comment-only change then gives an identical cdk.tf.json.
        var zipPath = Path.Combine(outDir, inputHash[..16], $"{name}.zip");
        var assemblyName = FunctionProjects.AssemblyNameOf(Path.Combine(root, project));
        if (!File.Exists(zipPath))
        {
            Directory.CreateDirectory(outDir);
            var work = Path.Combine(outDir, $".work-{Guid.NewGuid():N}");
            var tempZip = Path.Combine(outDir, $".{name}-{Guid.NewGuid():N}.zip.tmp");
            try
            {
                var publishDir = Path.Combine(work, "publish");
                Publish(root, project, Path.Combine(work, "artifacts"), publishDir);
                DeterministicZip.Write(publishDir, tempZip);
                Directory.CreateDirectory(Path.GetDirectoryName(zipPath)!);
                File.Move(tempZip, zipPath, overwrite: true);
            }
            finally
            {
                TryDelete(() =>
                {
                    if (Directory.Exists(work))
                    {
                        Directory.Delete(work, recursive: true);
                    }
                }, work);
                TryDelete(() => File.Delete(tempZip), tempZip);
            }
        }

        HandedOut[zipPath] = true;
        RemoveStale(outDir, zipPath);

        var bytes = File.ReadAllBytes(zipPath);
        var sha = SHA256.HashData(bytes);
        return new PackagedFunction
        {
            ProjectPath = project,
            ZipPath = zipPath,
            Sha256 = Convert.ToHexStringLower(sha),
            SourceBase64Sha256 = Convert.ToBase64String(sha),
            SizeBytes = bytes.LongLength,
            AssemblyName = assemblyName,
            InputHash = inputHash,
        };
    }

    private static void Publish(string root, string project, string artifactsDir, string publishDir)
    {
        var args = new List<string>
        {
            "publish", FunctionProjects.ProjectFile(Path.Combine(root, project)), "-c", "Release", "--nologo", "-o", publishDir,
            "--artifacts-path", artifactsDir, "-nodeReuse:false", "-tl:off", "-v:minimal",
        };
        args.AddRange(PublishProperties);
        var run = DotnetCli.Run(root, args, PublishTimeout);
        if (run.ExitCode == 0)
        {
            return;
        }

        var fix = $"Building function {project} failed (dotnet publish exited {run.ExitCode}). Fix: run 'dotnet publish {project} -c Release' to see the full error.";
        throw new FunctionBuildException(project, run.ExitCode, fix + Environment.NewLine + Excerpt(run.Lines), string.Join('\n', run.Lines));
    }

    // The build's error lines first (deduplicated: MSBuild repeats them in its summary), then its last lines.
    private static string Excerpt(IReadOnlyList<string> lines)
    {
        var errors = lines.Select(l => l.Trim()).Where(l => Regex.IsMatch(l, @"\berror\b [A-Z]*\d*:|: error ")).Distinct(StringComparer.Ordinal).Take(15).ToList();
        var tail = lines.Where(l => l.Trim().Length > 0).TakeLast(30).ToList();
        var sb = new StringBuilder();
        if (errors.Count > 0)
        {
            sb.AppendLine("Errors:");
            errors.ForEach(e => sb.AppendLine("  " + e));
        }

        sb.AppendLine("Last lines of the build output:");
        tail.ForEach(t => sb.AppendLine("  " + t));
        return sb.ToString().TrimEnd();
    }

    // Removes the zips of older inputs, and work folders and temporary zips that a killed build left over an hour ago.
    private static void RemoveStale(string outDir, string keep)
    {
        var pattern = new Regex("^[0-9a-f]{16}$");
        var keepDir = Path.GetDirectoryName(keep);
        foreach (var old in Directory.EnumerateDirectories(outDir))
        {
            if (pattern.IsMatch(Path.GetFileName(old)) && !string.Equals(old, keepDir, StringComparison.Ordinal) &&
                !HandedOut.Keys.Any(z => string.Equals(Path.GetDirectoryName(z), old, StringComparison.Ordinal)))
            {
                TryDelete(() => Directory.Delete(old, recursive: true), old);
            }
        }

        var abandoned = DateTime.UtcNow - TimeSpan.FromHours(1);
        foreach (var dir in Directory.EnumerateDirectories(outDir, ".work-*").Where(d => Directory.GetLastWriteTimeUtc(d) < abandoned))
        {
            TryDelete(() => Directory.Delete(dir, recursive: true), dir);
        }

        foreach (var tmp in Directory.EnumerateFiles(outDir, ".*.zip.tmp").Where(f => File.GetLastWriteTimeUtc(f) < abandoned))
        {
            TryDelete(() => File.Delete(tmp), tmp);
        }
    }

    private static string FolderName(string project) => project[(project.LastIndexOf('/') + 1)..];

    private static void TryDelete(Action delete, string what)
    {
        try
        {
            delete();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"FunctionBuilder: could not remove {what}: {e.Message}");
        }
    }
}
