using System.Collections.Concurrent;
using System.Diagnostics;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace FraudTf.Compute;

/// <summary>A Lambda function's code, published and zipped by <see cref="FunctionPackage.Build"/>.</summary>
public sealed record PackagedFunction
{
    /// <summary>The project folder, relative to the repository root, with forward slashes (e.g. <c>functions/StreamProcessor</c>).</summary>
    public required string ProjectPath { get; init; }

    /// <summary>Absolute path of the zip (under <c>.build/functions/&lt;ProjectFolderName&gt;/</c>).</summary>
    public required string ZipPath { get; init; }

    /// <summary>SHA-256 of the zip's bytes, lowercase hex.</summary>
    public required string Sha256 { get; init; }

    /// <summary>SHA-256 of the zip's bytes, base64: the format of <c>aws_lambda_function.source_code_hash</c>.</summary>
    public required string SourceBase64Sha256 { get; init; }

    /// <summary>Size of the zip in bytes.</summary>
    public required long SizeBytes { get; init; }

    /// <summary>The function's assembly name (the first part of its handler string).</summary>
    public required string AssemblyName { get; init; }

    /// <summary>
    /// SHA-256 (lowercase hex) of everything the build reads: the project's and its referenced projects' files, the
    /// MSBuild/NuGet settings files, the SDK version and the publish recipe. The zip's file name carries its first 16 digits.
    /// </summary>
    public required string InputHash { get; init; }
}

/// <summary>
/// A function project failed to build (compile error, restore error, missing SDK). The message names the project, says
/// how to see the full error, and ends with the build's error lines and last output lines.
/// </summary>
public sealed class FunctionBuildException : Exception
{
    /// <summary>Creates the exception for <paramref name="projectDir"/> with the build's exit code and full output.</summary>
    public FunctionBuildException(string projectDir, int exitCode, string message, string output) : base(message)
    {
        ProjectDir = projectDir;
        ExitCode = exitCode;
        Output = output;
    }

    /// <summary>The project folder, relative to the repository root.</summary>
    public string ProjectDir { get; }

    /// <summary>Exit code of <c>dotnet publish</c> (-1 when it could not be started or timed out).</summary>
    public int ExitCode { get; }

    /// <summary>The complete standard output and error of the build.</summary>
    public string Output { get; }
}

/// <summary>
/// Builds a Lambda function project at synth time into a zip whose bytes depend only on the sources: identical sources
/// give an identical zip on every build and machine (same SDK version), so <c>source_code_hash</c> and the Terraform
/// asset change only when the code does.
/// <para>
/// Determinism: the project is published framework-dependent (managed runtime <c>dotnet10</c>, no RID) in Release
/// with deterministic compilation, no PDB, no commit id in the informational version, no documentation files, into
/// a private artifacts folder (no shared <c>obj/</c>, no state left from other builds); the zip lists its files in
/// ordinal order, without directory entries, each stamped 1980-01-01 00:00:00 with Unix mode 0644 and "made by"
/// Unix whatever the OS.
/// </para>
/// <para>
/// Caching: the zip is named <c>&lt;ProjectFolderName&gt;-&lt;input hash&gt;.zip</c> in
/// <c>&lt;repoRoot&gt;/.build/functions/&lt;ProjectFolderName&gt;/</c>; when it exists it is returned without building,
/// and within one process each project and input hash is built once, whichever stack asks first.
/// </para>
/// </summary>
public static class FunctionPackage
{
    /// <summary>The modification time of every zip entry: the DOS epoch, 1980-01-01 00:00:00.</summary>
    public static readonly DateTimeOffset EntryTimestamp = new(1980, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>External attributes of every zip entry: a regular file with Unix mode 0644 (<c>0x81A4 &lt;&lt; 16</c>).</summary>
    public const int EntryExternalAttributes = unchecked((int)(0x81A4u << 16));

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

    private static readonly string[] BuildSettingFiles =
    [
        "Directory.Build.props", "Directory.Build.targets", "Directory.Packages.props", "Directory.Build.rsp",
        "global.json", "nuget.config", ".editorconfig", ".globalconfig",
    ];

    private static readonly string[] IgnoredFolders = ["bin", "obj", ".vs", ".idea", ".vscode"];
    private static readonly string[] IgnoredFiles = [".DS_Store", "Thumbs.db"];

    private static readonly ConcurrentDictionary<string, Lazy<PackagedFunction>> Builds = new(StringComparer.Ordinal);

    // Zips this process has handed out: stale-output cleanup never deletes them, so a stack created earlier in the same
    // synth still finds its asset even if the sources changed (and a newer zip was built) in between.
    private static readonly ConcurrentDictionary<string, bool> HandedOut = new(StringComparer.Ordinal);
    private static readonly ConcurrentDictionary<string, string> DotnetVersions = new(StringComparer.Ordinal);

    /// <summary>
    /// Publishes and zips the function project in <paramref name="projectDir"/> (relative to <paramref name="repoRoot"/>,
    /// e.g. <c>functions/StreamProcessor</c>), or returns the zip already built from the same inputs. Thread-safe.
    /// </summary>
    /// <exception cref="FunctionBuildException">The project does not build.</exception>
    public static PackagedFunction Build(string repoRoot, string projectDir)
    {
        var root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(repoRoot));
        var project = NormalizeProjectDir(projectDir);
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
    /// The assemblies built from the repository's own code for <paramref name="projectDir"/>: the project's and those of the
    /// projects it references (transitively), sorted. The rest of its zip is packages (AWSSDK.*). <see cref="SdkCallScanner"/>
    /// reads these.
    /// </summary>
    public static IReadOnlyList<string> OwnAssemblies(string repoRoot, string projectDir)
    {
        var root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(repoRoot));
        return ProjectDirs(root, NormalizeProjectDir(projectDir)).Select(AssemblyNameOf).Distinct().Order(StringComparer.Ordinal).ToList();
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
        var project = NormalizeProjectDir(projectDir);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        void Add(string text)
        {
            hash.AppendData(Encoding.UTF8.GetBytes(text));
            hash.AppendData([0]);
        }

        Add(Recipe);
        Add(string.Join(' ', PublishProperties));
        Add("dotnet " + DotnetVersion(root));
        Add("project " + project);
        foreach (var (relative, full) in CollectInputs(root, project))
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

    /// <summary>
    /// Writes the files of <paramref name="folder"/> into a new zip at <paramref name="zipPath"/> deterministically:
    /// entries in ordinal order of their relative path (forward slashes), no directory entries, every entry stamped
    /// <see cref="EntryTimestamp"/> with <see cref="EntryExternalAttributes"/>, deflate (optimal), "made by" Unix.
    /// </summary>
    public static void WriteDeterministicZip(string folder, string zipPath)
    {
        var files = Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories)
            .Select(f => (Relative: Path.GetRelativePath(folder, f).Replace('\\', '/'), Full: f))
            .OrderBy(f => f.Relative, StringComparer.Ordinal)
            .ToList();
        using (var stream = new FileStream(zipPath, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None))
        using (var zip = new ZipArchive(stream, ZipArchiveMode.Create, leaveOpen: true, entryNameEncoding: Encoding.UTF8))
        {
            foreach (var (relative, full) in files)
            {
                var entry = zip.CreateEntry(relative, CompressionLevel.Optimal);
                entry.LastWriteTime = EntryTimestamp;
                entry.ExternalAttributes = EntryExternalAttributes;
                using var input = File.OpenRead(full);
                using var output = entry.Open();
                input.CopyTo(output);
            }
        }

        SetMadeByUnix(zipPath);
    }

    private static PackagedFunction BuildOrReuse(string root, string project, string inputHash)
    {
        var name = FolderName(project);
        var outDir = Path.Combine(root, ".build", "functions", name);
        // The file name stays the same across versions (only its folder carries the input hash), because CDKTF puts the
        // asset's file name into the synthesized path: a comment-only change then gives an identical cdk.tf.json.
        var zipPath = Path.Combine(outDir, inputHash[..16], $"{name}.zip");
        var assemblyName = AssemblyNameOf(Path.Combine(root, project));
        if (!File.Exists(zipPath))
        {
            Directory.CreateDirectory(outDir);
            var work = Path.Combine(outDir, $".work-{Guid.NewGuid():N}");
            var tempZip = Path.Combine(outDir, $".{name}-{Guid.NewGuid():N}.zip.tmp");
            try
            {
                var publishDir = Path.Combine(work, "publish");
                Publish(root, project, Path.Combine(work, "artifacts"), publishDir);
                WriteDeterministicZip(publishDir, tempZip);
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
        RemoveStale(outDir, name, zipPath);

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
            "publish", ProjectFile(Path.Combine(root, project)), "-c", "Release", "--nologo", "-o", publishDir,
            "--artifacts-path", artifactsDir, "-nodeReuse:false", "-tl:off", "-v:minimal",
        };
        args.AddRange(PublishProperties);
        var run = RunDotnet(root, args, PublishTimeout);
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

    private sealed record DotnetRun(int ExitCode, IReadOnlyList<string> Lines);

    private static DotnetRun RunDotnet(string workingDir, IEnumerable<string> args, TimeSpan timeout)
    {
        var psi = new ProcessStartInfo(DotnetExecutable())
        {
            WorkingDirectory = workingDir,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        psi.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        psi.Environment["DOTNET_NOLOGO"] = "1";
        psi.Environment["DOTNET_SKIP_FIRST_TIME_EXPERIENCE"] = "1";
        psi.Environment["DOTNET_CLI_UI_LANGUAGE"] = "en";
        psi.Environment["MSBUILDDISABLENODEREUSE"] = "1";
        psi.Environment["DOTNET_CLI_USE_MSBUILD_SERVER"] = "false";
        // Set by `dotnet test`/`dotnet run` for their children; they would pin the child build to the parent's MSBuild.
        foreach (var v in new[] { "MSBuildExtensionsPath", "MSBuildSDKsPath", "MSBUILD_EXE_PATH", "MSBuildLoadMicrosoftTargetsReadOnly" })
        {
            psi.Environment.Remove(v);
        }

        var lines = new List<string>();
        Process process;
        try
        {
            process = Process.Start(psi) ?? throw new InvalidOperationException("Process.Start returned null");
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            return new DotnetRun(-1, [$"could not start '{psi.FileName}': {e.Message}. Is the .NET SDK installed and on PATH?"]);
        }

        using (process)
        {
            // Read both streams line by line; don't wait for end of stream after exit beyond a few seconds (a build
            // server that inherited the pipe can keep it open long after the build).
            Task Pump(StreamReader reader) => Task.Run(() =>
            {
                while (reader.ReadLine() is { } line)
                {
                    lock (lines)
                    {
                        lines.Add(line);
                    }
                }
            });
            var pumps = new[] { Pump(process.StandardOutput), Pump(process.StandardError) };
            if (!process.WaitForExit(timeout))
            {
                try
                {
                    process.Kill(entireProcessTree: true);
                }
                catch (InvalidOperationException)
                {
                    // exited meanwhile
                }

                lock (lines)
                {
                    lines.Add($"timed out after {timeout.TotalMinutes:0} minutes; killed");
                    return new DotnetRun(-1, lines.ToList());
                }
            }

            Task.WaitAll(pumps, TimeSpan.FromSeconds(5));
            lock (lines)
            {
                return new DotnetRun(process.ExitCode, lines.ToList());
            }
        }
    }

    private static string DotnetExecutable()
    {
        if (Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host))
        {
            return host;
        }

        var self = Environment.ProcessPath;
        if (self is not null && Path.GetFileNameWithoutExtension(self).Equals("dotnet", StringComparison.OrdinalIgnoreCase))
        {
            return self;
        }

        return "dotnet";
    }

    // `dotnet --version` in the root (global.json there can pin the SDK), once per root and process.
    private static string DotnetVersion(string root) => DotnetVersions.GetOrAdd(root, r =>
    {
        var run = RunDotnet(r, ["--version"], TimeSpan.FromMinutes(1));
        if (run.ExitCode != 0 || run.Lines.Count == 0)
        {
            throw new FunctionBuildException("(sdk)", run.ExitCode,
                $"'dotnet --version' failed in {r} (exit {run.ExitCode}). Fix: install the .NET 10 SDK, or make global.json name an installed SDK.{Environment.NewLine}{string.Join(Environment.NewLine, run.Lines.TakeLast(10))}",
                string.Join('\n', run.Lines));
        }

        return run.Lines[^1].Trim();
    });

    private static SortedDictionary<string, string> CollectInputs(string root, string project)
    {
        var files = new SortedDictionary<string, string>(StringComparer.Ordinal);
        void AddFile(string full) => files[Relative(root, full)] = full;

        foreach (var dir in ProjectDirs(root, project))
        {
            foreach (var file in FilesUnder(dir))
            {
                AddFile(file);
            }

            // Settings files MSBuild, NuGet and the compiler pick up from the folders above, up to the root.
            for (var d = new DirectoryInfo(dir); d is not null && IsUnder(d.FullName, root); d = d.Parent)
            {
                foreach (var f in d.EnumerateFiles().Where(f => BuildSettingFiles.Contains(f.Name, StringComparer.OrdinalIgnoreCase)))
                {
                    AddFile(f.FullName);
                }
            }
        }

        return files;
    }

    // The folders of the project and of the projects it references, transitively (absolute, sorted).
    private static SortedSet<string> ProjectDirs(string root, string project)
    {
        var projectDirs = new SortedSet<string>(StringComparer.Ordinal);
        var pending = new Stack<string>([Path.Combine(root, project)]);
        while (pending.Count > 0)
        {
            var dir = Path.TrimEndingDirectorySeparator(Path.GetFullPath(pending.Pop()));
            if (!projectDirs.Add(dir))
            {
                continue;
            }

            foreach (var reference in ProjectReferences(ProjectFile(dir)))
            {
                pending.Push(Path.GetDirectoryName(reference)!);
            }
        }

        return projectDirs;
    }

    private static IEnumerable<string> FilesUnder(string dir)
    {
        foreach (var file in Directory.EnumerateFiles(dir))
        {
            if (!IgnoredFiles.Contains(Path.GetFileName(file), StringComparer.OrdinalIgnoreCase))
            {
                yield return file;
            }
        }

        foreach (var sub in Directory.EnumerateDirectories(dir))
        {
            if (IgnoredFolders.Contains(Path.GetFileName(sub), StringComparer.OrdinalIgnoreCase))
            {
                continue;
            }

            foreach (var file in FilesUnder(sub))
            {
                yield return file;
            }
        }
    }

    private static IEnumerable<string> ProjectReferences(string projectFile)
    {
        var dir = Path.GetDirectoryName(projectFile)!;
        return XDocument.Load(projectFile).Descendants()
            .Where(e => e.Name.LocalName == "ProjectReference")
            .Select(e => (string?)e.Attribute("Include"))
            .Where(i => !string.IsNullOrWhiteSpace(i) && !i.Contains("$(", StringComparison.Ordinal))
            .Select(i => Path.GetFullPath(Path.Combine(dir, i!.Replace('\\', '/'))))
            .Where(File.Exists);
    }

    private static string ProjectFile(string dir)
    {
        var projects = Directory.GetFiles(dir, "*.csproj");
        return projects.Length == 1
            ? projects[0]
            : throw new FunctionBuildException(dir, -1,
                $"{dir} holds {projects.Length} .csproj files. Fix: keep exactly one project file in a function's folder.", "");
    }

    private static string AssemblyNameOf(string dir)
    {
        var file = ProjectFile(dir);
        var declared = XDocument.Load(file).Descendants().LastOrDefault(e => e.Name.LocalName == "AssemblyName")?.Value.Trim();
        return string.IsNullOrEmpty(declared) || declared.Contains("$(", StringComparison.Ordinal)
            ? Path.GetFileNameWithoutExtension(file)
            : declared;
    }

    // Removes the zips of older inputs, and work folders and temporary zips that a killed build left over an hour ago.
    private static void RemoveStale(string outDir, string name, string keep)
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

    // Sets the high byte of "version made by" of every central directory record to 3 (Unix): .NET writes the current
    // OS there (0 on Windows), which would make the bytes depend on the machine. The external attributes hold a Unix mode.
    private static void SetMadeByUnix(string zipPath)
    {
        var bytes = File.ReadAllBytes(zipPath);
        var eocd = -1;
        for (var i = bytes.Length - 22; i >= Math.Max(0, bytes.Length - 22 - 0xFFFF); i--)
        {
            if (BitConverter.ToUInt32(bytes, i) == 0x06054b50)
            {
                eocd = i;
                break;
            }
        }

        if (eocd < 0)
        {
            throw new InvalidDataException($"{zipPath}: end of central directory not found");
        }

        var count = BitConverter.ToUInt16(bytes, eocd + 10);
        var offset = BitConverter.ToUInt32(bytes, eocd + 16);
        if (count == 0xFFFF || offset == 0xFFFFFFFF)
        {
            throw new InvalidDataException($"{zipPath}: zip64 archives are not supported (more than 65535 files or 4 GiB)");
        }

        var p = (int)offset;
        for (var n = 0; n < count; n++)
        {
            if (BitConverter.ToUInt32(bytes, p) != 0x02014b50)
            {
                throw new InvalidDataException($"{zipPath}: bad central directory record at {p}");
            }

            bytes[p + 5] = 3;
            p += 46 + BitConverter.ToUInt16(bytes, p + 28) + BitConverter.ToUInt16(bytes, p + 30) + BitConverter.ToUInt16(bytes, p + 32);
        }

        File.WriteAllBytes(zipPath, bytes);
    }

    private static string NormalizeProjectDir(string projectDir)
    {
        var p = projectDir.Replace('\\', '/').Trim('/');
        while (p.StartsWith("./", StringComparison.Ordinal))
        {
            p = p[2..];
        }

        return p.Length == 0 || p.Split('/').Contains("..")
            ? throw new ArgumentException($"'{projectDir}' is not a folder inside the repository. Fix: pass e.g. functions/StreamProcessor.", nameof(projectDir))
            : p;
    }

    private static string FolderName(string project) => project[(project.LastIndexOf('/') + 1)..];

    private static bool IsUnder(string path, string root)
    {
        var p = Path.TrimEndingDirectorySeparator(path);
        return p.Length == root.Length
            ? string.Equals(p, root, StringComparison.Ordinal)
            : p.StartsWith(root, StringComparison.Ordinal) && p[root.Length] == Path.DirectorySeparatorChar;
    }

    private static string Relative(string root, string full) => Path.GetRelativePath(root, full).Replace('\\', '/');

    private static void TryDelete(Action delete, string what)
    {
        try
        {
            delete();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"FunctionPackage: could not remove {what}: {e.Message}");
        }
    }
}
