using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace FraudTf.Local.Engines;

/// <summary>
/// A local engine (DynamoDB Local, s3rver, kinesalite) running as a child process bound to 127.0.0.1 on a free port.
/// Disposing kills it with its process tree and removes its data folder. Every pid is recorded in a pid file, so
/// <c>make local-down</c> can stop engines a killed run left behind.
/// </summary>
public sealed class EngineProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string? _dataDir;
    private readonly PidFile? _pids;

    private EngineProcess(string name, Process process, int port, string? dataDir, PidFile? pids)
    {
        Name = name;
        _process = process;
        Port = port;
        _dataDir = dataDir;
        _pids = pids;
    }

    /// <summary>What runs (for messages).</summary>
    public string Name { get; }

    /// <summary>The port on 127.0.0.1.</summary>
    public int Port { get; }

    /// <summary>http://127.0.0.1:&lt;port&gt;.</summary>
    public string Endpoint => $"http://127.0.0.1:{Port}";

    /// <summary>The process id.</summary>
    public int Pid => _process.Id;

    /// <summary>A free TCP port of 127.0.0.1.</summary>
    public static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    /// <summary>
    /// Starts <paramref name="listener"/> on <paramref name="count"/> free ports of 127.0.0.1 and returns them. A port
    /// can be taken between probing and binding: then other ports are tried, <paramref name="retries"/> times at most,
    /// before the <see cref="HttpListenerException"/> propagates.
    /// </summary>
    public static int[] StartOnFreePorts(HttpListener listener, int count, int retries)
    {
        for (var attempt = 0; ; attempt++)
        {
            var ports = Enumerable.Range(0, count).Select(_ => FreePort()).ToArray();
            listener.Prefixes.Clear();
            foreach (var port in ports)
            {
                listener.Prefixes.Add($"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}/");
            }

            try
            {
                listener.Start();
                return ports;
            }
            catch (HttpListenerException) when (attempt < retries)
            {
            }
        }
    }

    /// <summary>Starts <paramref name="file"/> with <paramref name="arguments"/> and waits until its port accepts connections.</summary>
    public static async Task<EngineProcess> Start(string name, string file, IReadOnlyList<string> arguments, int port, string? workingDirectory, string? dataDir, PidFile? pids, TimeSpan timeout, CancellationToken ct)
    {
        // A watchdog shell runs the engine and stops it when this process is gone, even after kill -9 (no dispose runs then).
        const string Watchdog = "\"$@\" & child=$!; trap 'kill $child 2>/dev/null' EXIT TERM INT; " +
            "while kill -0 \"$FRAUDTF_LOCAL_PARENT_PID\" 2>/dev/null && kill -0 $child 2>/dev/null; do sleep 0.5; done; kill $child 2>/dev/null; wait $child";
        var info = new ProcessStartInfo("bash", ["-c", Watchdog, name, file, .. arguments])
        {
            Environment = { ["FRAUDTF_LOCAL_PARENT_PID"] = Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture) },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        var process = Process.Start(info) ?? throw new InvalidOperationException($"could not start {name} ({file})");
        var errors = new System.Collections.Concurrent.ConcurrentQueue<string>();
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is { } line && errors.Count < 20)
            {
                errors.Enqueue(line);
            }
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        pids?.Add(process.Id);
        var engine = new EngineProcess(name, process, port, dataDir, pids);
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            if (process.HasExited)
            {
                await engine.DisposeAsync();
                throw new InvalidOperationException($"{name} exited at start (code {process.ExitCode}): {string.Join(" | ", errors)}");
            }

            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, port, ct);
                return engine;
            }
            catch (SocketException) when (DateTime.UtcNow < deadline)
            {
                try
                {
                    await Task.Delay(100, ct);
                }
                catch (OperationCanceledException)
                {
                    // Cancelled while starting: nobody else holds the process yet, so stop it here.
                    await engine.DisposeAsync();
                    throw;
                }
            }
            catch (OperationCanceledException)
            {
                await engine.DisposeAsync();
                throw;
            }
            catch (SocketException)
            {
                await engine.DisposeAsync();
                throw new TimeoutException($"{name} did not open 127.0.0.1:{port} within {timeout.TotalSeconds:0} s: {string.Join(" | ", errors)}");
            }
        }
    }

    /// <summary>Kills the engine and removes its data.</summary>
    public ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(10_000);
            }
        }
        catch (InvalidOperationException)
        {
        }

        _pids?.Remove(_process.Id);
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

/// <summary>The pids of the processes a local run started (one per line), for <c>make local-down</c>.</summary>
public sealed class PidFile(string path)
{
    private readonly Lock _lock = new();
    private readonly HashSet<int> _pids = [];

    /// <summary>The file.</summary>
    public string Path { get; } = path;

    /// <summary>Records a pid.</summary>
    public void Add(int pid)
    {
        lock (_lock)
        {
            _pids.Add(pid);
            Save();
        }
    }

    /// <summary>Forgets a pid (its process was stopped).</summary>
    public void Remove(int pid)
    {
        lock (_lock)
        {
            _pids.Remove(pid);
            Save();
        }
    }

    private void Save()
    {
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(Path)!);
        if (_pids.Count == 0)
        {
            File.Delete(Path);
            return;
        }

        File.WriteAllLines(Path, _pids.Order().Select(p => p.ToString(System.Globalization.CultureInfo.InvariantCulture)));
    }
}
