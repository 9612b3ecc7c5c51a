using FraudTf.Local.Run;

namespace FraudTf.Local;

/// <summary>
/// <c>make local</c>: runs the data path of one synthesized stack on this machine with labelled traffic and prints the
/// report (also written to cdktf.out/local-&lt;env&gt;.md). Exit codes: 0 when nothing was lost, 1 when a record was lost,
/// 2 for a usage or setup error. Ctrl-C stops the run and everything it started.
/// </summary>
public static class Program
{
    /// <summary>Runs the local platform.</summary>
    public static async Task<int> Main(string[] args)
    {
        var root = RepoRoot();
        LocalOptions options;
        try
        {
            options = LocalOptions.Parse(args, root);
        }
        catch (Exception e) when (e is ArgumentException or FormatException)
        {
            await Console.Error.WriteLineAsync($"error: {e.Message}");
            return 2;
        }

        using var cancel = new CancellationTokenSource();
        if (args.Contains("--baseline"))
        {
            // The benchmark's baseline (bench/local.sh): DynamoDB Local's raw transactional write rate, same machine, same run.
            var stack = Stack.LocalStack.Load(options.OutDir, options.Environment);
            var rate = await EngineBaseline.Measure(root, stack, records: 2000, concurrency: 4, cancel.Token);
            Console.WriteLine(System.FormattableString.Invariant($"baseline: {rate:0.0} records/s (DynamoDB Local, TransactWriteItems of the processor's shape, 4 writers)"));
            return 0;
        }

        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            Console.Error.WriteLine("stopping: Ctrl-C (the engines and functions are being stopped)");
            cancel.Cancel();
        };

        await using var run = new LocalRun(options, Console.Out);
        try
        {
            var report = await run.Execute(cancel.Token);
            Console.WriteLine();
            Console.Write(report.Terminal());
            return report.Lost.Count == 0 ? 0 : 1;
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
            return 130;
        }
        catch (Exception e) when (e is FileNotFoundException or ArgumentException or InvalidOperationException or NotSupportedException)
        {
            await Console.Error.WriteLineAsync($"error: {e.Message}");
            return 2;
        }
    }

    /// <summary>The repository root: the working directory (make runs from it) or the folder above the tool's output holding FraudTf.csproj.</summary>
    private static string RepoRoot()
    {
        foreach (var start in new[] { Environment.CurrentDirectory, AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "FraudTf.csproj")))
                {
                    return dir.FullName;
                }
            }
        }

        return Environment.CurrentDirectory;
    }
}
