using Amazon.Runtime;
using Amazon.S3;
using FraudTf.Local.Engines;

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
}

/// <summary>A node emulator (npm, installed by `make emulators` from tests/emulators) on a free port of 127.0.0.1: the engines of tools/Local/Engines (the ones <c>make local</c> runs).</summary>
internal sealed class NodeEmulator : IAsyncDisposable
{
    private readonly EngineProcess _engine;

    private NodeEmulator(EngineProcess engine)
    {
        _engine = engine;
    }

    /// <summary>e.g. http://127.0.0.1:45679.</summary>
    public string Endpoint => _engine.Endpoint;

    /// <summary>
    /// kinesalite (an implementation of the Kinesis Data Streams API, in memory), bound to 127.0.0.1 only: streams become
    /// ACTIVE at once (createStreamMs 0).
    /// </summary>
    public static async Task<NodeEmulator> Kinesalite() => new(await Engines.Kinesalite(Repo.Root(), null, CancellationToken.None));

    /// <summary>s3rver with a temporary data folder, bound to 127.0.0.1.</summary>
    public static async Task<NodeEmulator> S3rver() => new(await Engines.S3rver(Repo.Root(), null, CancellationToken.None));

    /// <summary>An S3 client of s3rver (path-style; its fixed credentials).</summary>
    public AmazonS3Client S3Client() => new(new BasicAWSCredentials("S3RVER", "S3RVER"),
        new AmazonS3Config { ServiceURL = Endpoint, ForcePathStyle = true, AuthenticationRegion = "us-east-1" });

    public ValueTask DisposeAsync() => _engine.DisposeAsync();
}
