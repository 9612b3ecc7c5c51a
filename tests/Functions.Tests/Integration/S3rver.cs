using Amazon.Runtime;
using Amazon.S3;
using FraudTf.Local.Engines;

namespace FraudTf.Functions.Tests.Integration;

/// <summary>s3rver (npm, installed by `make emulators`) on a free port of 127.0.0.1 with a temporary data folder: <see cref="Engines.S3rver"/>, the engine <c>make local</c> runs.</summary>
public sealed class S3rver : IAsyncDisposable
{
    private readonly EngineProcess _engine;

    private S3rver(EngineProcess engine)
    {
        _engine = engine;
    }

    /// <summary>The endpoint, e.g. http://127.0.0.1:45679.</summary>
    public string Endpoint => _engine.Endpoint;

    /// <summary>A client of the emulator (path-style; s3rver's fixed credentials).</summary>
    public AmazonS3Client Client() => new(new BasicAWSCredentials("S3RVER", "S3RVER"),
        new AmazonS3Config { ServiceURL = Endpoint, ForcePathStyle = true, AuthenticationRegion = "us-east-1" });

    /// <summary>Starts s3rver and waits until it answers.</summary>
    public static async Task<S3rver> Start()
    {
        var server = new S3rver(await Engines.S3rver(DynamoDbLocal.RepoRoot(), null, CancellationToken.None));
        using var client = server.Client();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            try
            {
                await client.ListBucketsAsync();
                return server;
            }
            catch (Exception) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(100);
            }
            catch (Exception)
            {
                await server.DisposeAsync();
                throw;
            }
        }
    }

    /// <summary>Stops s3rver and removes its data.</summary>
    public ValueTask DisposeAsync() => _engine.DisposeAsync();
}
