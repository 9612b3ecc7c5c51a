namespace FraudTf.Local.Engines;

/// <summary>
/// The three engines of a local run, from the npm packages <c>make emulators</c> installs into tests/emulators (the same
/// pinned versions the test suite uses): DynamoDB Local (AWS's own engine, shipped in amplify-dynamodb-simulator, run with
/// java; it implements DynamoDB Streams), s3rver (S3), kinesalite (Kinesis Data Streams).
/// </summary>
public static class Engines
{
    /// <summary>The folder of the emulators' node_modules.</summary>
    public static string Modules(string repoRoot) => Path.Combine(repoRoot, "tests", "emulators", "node_modules");

    /// <summary>Starts DynamoDB Local in memory.</summary>
    public static Task<EngineProcess> DynamoDbLocal(string repoRoot, PidFile? pids, CancellationToken ct)
    {
        var dir = Path.Combine(Modules(repoRoot), "amplify-dynamodb-simulator", "emulator");
        var jar = Path.Combine(dir, "DynamoDBLocal.jar");
        Require(jar);
        var port = EngineProcess.FreePort();
        return EngineProcess.Start("DynamoDB Local", "java",
            [$"-Djava.library.path={Path.Combine(dir, "DynamoDBLocal_lib")}", "-jar", jar, "-inMemory", "-sharedDb", "-disableTelemetry", "-port", port.ToString(System.Globalization.CultureInfo.InvariantCulture)],
            port, dir, null, pids, TimeSpan.FromSeconds(60), ct);
    }

    /// <summary>Starts s3rver with a fresh data folder.</summary>
    public static Task<EngineProcess> S3rver(string repoRoot, PidFile? pids, CancellationToken ct)
    {
        var script = Path.Combine(Modules(repoRoot), "s3rver", "bin", "s3rver.js");
        Require(script);
        var port = EngineProcess.FreePort();
        var data = Path.Combine(Path.GetTempPath(), "fraudtf-local-s3rver", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(data);
        return EngineProcess.Start("s3rver", "node", [script, "-d", data, "-a", "127.0.0.1", "-p", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--silent"],
            port, null, data, pids, TimeSpan.FromSeconds(30), ct);
    }

    /// <summary>Starts kinesalite in memory (streams ACTIVE at once).</summary>
    public static Task<EngineProcess> Kinesalite(string repoRoot, PidFile? pids, CancellationToken ct)
    {
        var module = Path.Combine(Modules(repoRoot), "kinesalite");
        Require(Path.Combine(module, "package.json"));
        var port = EngineProcess.FreePort();
        var script = $"require({System.Text.Json.JsonSerializer.Serialize(module)})({{createStreamMs:0,deleteStreamMs:0,updateStreamMs:0,shardLimit:100}}).listen({port},'127.0.0.1',()=>console.log('ready'))";
        return EngineProcess.Start("kinesalite", "node", ["-e", script], port, null, null, pids, TimeSpan.FromSeconds(30), ct);
    }

    private static void Require(string path)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"{path} is missing: the local engines are not installed. Fix: run 'make emulators' (make local does it).");
        }
    }
}
