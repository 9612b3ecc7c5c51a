using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Amazon.Runtime;
using Amazon.S3;

namespace FraudTf.Redrive.Tests;

/// <summary>The repository root (the folder holding FraudTf.csproj), found from the test's output folder.</summary>
internal static class Repo
{
    public static string Root()
    {
        for (var dir = new DirectoryInfo(TestContext.CurrentContext.TestDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "FraudTf.csproj")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("repository root not found above " + TestContext.CurrentContext.TestDirectory);
    }

    public static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}

/// <summary>A node emulator (npm, installed by `make emulators` from tests/emulators) on a free port of 127.0.0.1.</summary>
internal sealed class NodeEmulator : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string? _dataDir;

    private NodeEmulator(Process process, string endpoint, string? dataDir)
    {
        _process = process;
        Endpoint = endpoint;
        _dataDir = dataDir;
    }

    /// <summary>e.g. http://127.0.0.1:45679.</summary>
    public string Endpoint { get; }

    /// <summary>
    /// kinesalite (an implementation of the Kinesis Data Streams API, in memory), bound to 127.0.0.1 only: streams become
    /// ACTIVE at once (createStreamMs 0).
    /// </summary>
    public static Task<NodeEmulator> Kinesalite()
    {
        var module = Path.Combine(Repo.Root(), "tests", "emulators", "node_modules", "kinesalite");
        var port = Repo.FreePort();
        var script = $"require({System.Text.Json.JsonSerializer.Serialize(module)})({{createStreamMs:0,deleteStreamMs:0,updateStreamMs:0,shardLimit:50}}).listen({port},'127.0.0.1',()=>console.log('ready'))";
        return Start(module, ["-e", script], port, null);
    }

    /// <summary>s3rver with a temporary data folder, bound to 127.0.0.1.</summary>
    public static Task<NodeEmulator> S3rver()
    {
        var script = Path.Combine(Repo.Root(), "tests", "emulators", "node_modules", "s3rver", "bin", "s3rver.js");
        var port = Repo.FreePort();
        var data = Path.Combine(Path.GetTempPath(), "fraudtf-redrive-s3rver", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(data);
        return Start(script, [script, "-d", data, "-a", "127.0.0.1", "-p", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--silent"], port, data);
    }

    private static async Task<NodeEmulator> Start(string installed, string[] args, int port, string? data)
    {
        if (!Path.Exists(installed))
        {
            Assert.Fail($"{installed} is missing. Fix: run 'make emulators' (make test does it).");
        }

        var process = Process.Start(new ProcessStartInfo("node", args) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var emulator = new NodeEmulator(process, $"http://127.0.0.1:{port}", data);
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, port);
                return emulator;
            }
            catch (SocketException) when (DateTime.UtcNow < deadline && !process.HasExited)
            {
                await Task.Delay(100);
            }
        }
    }

    /// <summary>An S3 client of s3rver (path-style; its fixed credentials).</summary>
    public AmazonS3Client S3Client() => new(new BasicAWSCredentials("S3RVER", "S3RVER"),
        new AmazonS3Config { ServiceURL = Endpoint, ForcePathStyle = true, AuthenticationRegion = "us-east-1" });

    public ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(10_000);
        }

        _process.Dispose();
        if (_dataDir is not null)
        {
            try
            {
                Directory.Delete(_dataDir, recursive: true);
            }
            catch (IOException)
            {
            }
        }

        return ValueTask.CompletedTask;
    }
}
