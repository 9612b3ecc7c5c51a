using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Amazon.Runtime;
using Amazon.S3;

namespace FraudTf.Functions.Tests.Integration;

/// <summary>s3rver (npm, installed by `make emulators`) on a free port of 127.0.0.1 with a temporary data folder.</summary>
public sealed class S3rver : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _dataDir;

    private S3rver(Process process, string dataDir, string endpoint)
    {
        _process = process;
        _dataDir = dataDir;
        Endpoint = endpoint;
    }

    /// <summary>The endpoint, e.g. http://127.0.0.1:45679.</summary>
    public string Endpoint { get; }

    /// <summary>A client of the emulator (path-style; s3rver's fixed credentials).</summary>
    public AmazonS3Client Client() => new(new BasicAWSCredentials("S3RVER", "S3RVER"),
        new AmazonS3Config { ServiceURL = Endpoint, ForcePathStyle = true, AuthenticationRegion = "us-east-1" });

    /// <summary>Starts s3rver and waits until it answers.</summary>
    public static async Task<S3rver> Start()
    {
        var script = Path.Combine(DynamoDbLocal.RepoRoot(), "tests", "emulators", "node_modules", "s3rver", "bin", "s3rver.js");
        if (!File.Exists(script))
        {
            Assert.Fail($"s3rver is not installed ({script} missing). Fix: run 'make emulators' (make test does it).");
        }

        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        var data = Path.Combine(Path.GetTempPath(), "fraudtf-s3rver", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(data);
        var process = Process.Start(new ProcessStartInfo("node", [script, "-d", data, "-a", "127.0.0.1", "-p", port.ToString(), "--silent"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var server = new S3rver(process, data, $"http://127.0.0.1:{port}");
        using var client = server.Client();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            try
            {
                await client.ListBucketsAsync();
                return server;
            }
            catch (Exception) when (DateTime.UtcNow < deadline && !process.HasExited)
            {
                await Task.Delay(100);
            }
        }
    }

    /// <summary>Stops s3rver and removes its data.</summary>
    public ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(10_000);
        }

        _process.Dispose();
        try
        {
            Directory.Delete(_dataDir, recursive: true);
        }
        catch (IOException)
        {
        }

        return ValueTask.CompletedTask;
    }
}
