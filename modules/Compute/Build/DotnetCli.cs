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
    /// <c>dotnet --version</c> in <paramref name="root"/> (global.json there can pin the SDK), once per root and process.
    /// </summary>
    /// <exception cref="FunctionBuildException">The SDK does not answer.</exception>
    public static string Version(string root) => Versions.GetOrAdd(root, r =>
    {
        var run = Run(r, ["--version"], TimeSpan.FromMinutes(1));
        if (run.ExitCode != 0 || run.Lines.Count == 0)
        {
            throw new FunctionBuildException("(sdk)", run.ExitCode,
                $"'dotnet --version' failed in {r} (exit {run.ExitCode}). Fix: install the .NET 10 SDK, or make global.json name an installed SDK.{Environment.NewLine}{string.Join(Environment.NewLine, run.Lines.TakeLast(10))}",
                string.Join('\n', run.Lines));
        }

        return run.Lines[^1].Trim();
    });

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
