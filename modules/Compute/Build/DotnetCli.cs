using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;

namespace FraudTf.Compute.Build;

/// <summary>The output of one <c>dotnet</c> command: its exit code and its standard output and error lines, interleaved.</summary>
internal sealed record DotnetRun(int ExitCode, IReadOnlyList<string> Lines);

/// <summary>
/// Runs the .NET SDK's <c>dotnet</c> for the builder: the same executable that runs this process when it is
/// <c>dotnet</c>, English output, no telemetry, no build servers or node reuse (nothing outlives the build), and none
/// of the MSBuild variables that <c>dotnet test</c> or <c>dotnet run</c> set for their children.
/// </summary>
internal static class DotnetCli
{
    private static readonly ConcurrentDictionary<string, string> Versions = new(StringComparer.Ordinal);

    /// <summary>Runs <c>dotnet <paramref name="args"/></c> in <paramref name="workingDir"/>; kills it after <paramref name="timeout"/> (exit code -1).</summary>
    public static DotnetRun Run(string workingDir, IEnumerable<string> args, TimeSpan timeout)
    {
        var psi = new ProcessStartInfo(Executable())
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

    /// <summary>
    /// <c>dotnet --version</c> in <paramref name="root"/> (global.json there can pin the SDK), once per root and process,
    /// and remembered across runs in <see cref="VersionCacheFile"/> under the key <see cref="VersionKey"/> (the <c>dotnet</c>
    /// executable, its installed SDKs and the global.json files from <paramref name="root"/> up): a synth whose functions are
    /// already built starts no <c>dotnet</c> process.
    /// </summary>
    /// <exception cref="FunctionBuildException">The SDK does not answer.</exception>
    public static string Version(string root) => Versions.GetOrAdd(root, r =>
    {
        var cacheFile = Path.Combine(r, VersionCacheFile);
        var key = VersionKey(r);
        if (key is not null && ReadCachedVersion(cacheFile, key) is { } cached)
        {
            return cached;
        }

        var run = Run(r, ["--version"], TimeSpan.FromMinutes(1));
        if (run.ExitCode != 0 || run.Lines.Count == 0)
        {
            throw new FunctionBuildException("(sdk)", run.ExitCode,
                $"'dotnet --version' failed in {r} (exit {run.ExitCode}). Fix: install the .NET 10 SDK, or make global.json name an installed SDK.{Environment.NewLine}{string.Join(Environment.NewLine, run.Lines.TakeLast(10))}",
                string.Join('\n', run.Lines));
        }

        var version = run.Lines[^1].Trim();
        if (key is not null)
        {
            WriteCachedVersion(cacheFile, key, version);
        }

        return version;
    });

    /// <summary>Where <see cref="Version"/> keeps the last answer of <c>dotnet --version</c>, relative to the repository root.</summary>
    public const string VersionCacheFile = ".build/functions/dotnet-version.json";

    /// <summary>
    /// SHA-256 (hex) of what decides the answer of <c>dotnet --version</c> in <paramref name="root"/>: the executable
    /// <see cref="Run"/> starts (its resolved path, size and modification time), the SDK folders next to it, and the path
    /// and text of each global.json from <paramref name="root"/> to the file system's root. Null when that can't be
    /// known without asking dotnet: the executable is not found, or a global.json names extra SDK locations (<c>paths</c>).
    /// </summary>
    public static string? VersionKey(string root)
    {
        var executable = ResolveExecutable();
        if (executable is null)
        {
            return null;
        }

        var sb = new StringBuilder("fraudtf-dotnet-version/1\n");
        sb.Append($"executable {executable.FullName} {executable.Length} {executable.LastWriteTimeUtc:O}\n");
        var sdkDir = Path.Combine(executable.DirectoryName!, "sdk");
        foreach (var sdk in (Directory.Exists(sdkDir) ? Directory.GetDirectories(sdkDir) : []).Select(Path.GetFileName).Order(StringComparer.Ordinal))
        {
            sb.Append($"sdk {sdk}\n");
        }

        for (var dir = new DirectoryInfo(root); dir is not null; dir = dir.Parent)
        {
            var globalJson = Path.Combine(dir.FullName, "global.json");
            if (File.Exists(globalJson))
            {
                var text = File.ReadAllText(globalJson);
                if (text.Contains("\"paths\"", StringComparison.Ordinal))
                {
                    return null;
                }

                sb.Append($"global.json {globalJson}\n{text}\n");
            }
        }

        return Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(sb.ToString())));
    }

    // The stored version when the file holds the same key; null otherwise (missing, unreadable, other key).
    private static string? ReadCachedVersion(string cacheFile, string key)
    {
        try
        {
            var stored = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(cacheFile));
            return stored?["key"]?.GetValue<string>() == key && stored["version"]?.GetValue<string>() is { Length: > 0 } version ? version : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Text.Json.JsonException or InvalidOperationException)
        {
            return null;
        }
    }

    // Written aside, then renamed: a concurrent reader sees the old file or the new one. A failure to write only costs the next run a dotnet start.
    private static void WriteCachedVersion(string cacheFile, string key, string version)
    {
        var temp = $"{cacheFile}.{Guid.NewGuid():N}.tmp";
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(cacheFile)!);
            File.WriteAllText(temp, new System.Text.Json.Nodes.JsonObject { ["key"] = key, ["version"] = version }.ToJsonString());
            File.Move(temp, cacheFile, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            if (File.Exists(temp))
            {
                File.Delete(temp);
            }
        }
    }

    // The file Executable() names, with links followed: an absolute path, or the first 'dotnet' on PATH.
    private static FileInfo? ResolveExecutable()
    {
        var name = Executable();
        IEnumerable<string> candidates = Path.IsPathFullyQualified(name)
            ? [name]
            : (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
                .Select(d => Path.Combine(d, OperatingSystem.IsWindows() ? name + ".exe" : name));
        foreach (var candidate in candidates)
        {
            var file = new FileInfo(candidate);
            if (file.Exists)
            {
                return file.ResolveLinkTarget(returnFinalTarget: true) as FileInfo ?? file;
            }
        }

        return null;
    }

    private static string Executable()
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
}
