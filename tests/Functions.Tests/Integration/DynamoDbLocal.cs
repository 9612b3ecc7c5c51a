using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Amazon.Runtime;
using FraudTf.Functions.Shared.Tables;
using FraudTf.Functions.Tests.Support;
using FraudTf.Local.Engines;

namespace FraudTf.Functions.Tests.Integration;

/// <summary>
/// DynamoDB Local (AWS's own engine, from the npm package amplify-dynamodb-simulator installed by `make emulators`)
/// started on a free port of 127.0.0.1 for the integration tests of this namespace, and stopped after them.
/// </summary>
[SetUpFixture]
public sealed class DynamoDbLocal
{
    private static EngineProcess? _engine;

    /// <summary>The endpoint, e.g. http://127.0.0.1:45678.</summary>
    public static string Endpoint { get; private set; } = "";

    /// <summary>A client of the emulator, configured explicitly (tests of the standard environment configuration set env vars instead).</summary>
    public static AmazonDynamoDBClient Client() => new(new BasicAWSCredentials("local", "local"),
        new AmazonDynamoDBConfig { ServiceURL = Endpoint, AuthenticationRegion = "us-east-1" });

    /// <summary>Starts the emulator (<see cref="Engines.DynamoDbLocal"/>, the engine <c>make local</c> runs) and waits until it answers.</summary>
    [OneTimeSetUp]
    public async Task Start()
    {
        _engine = await Engines.DynamoDbLocal(RepoRoot(), null, CancellationToken.None);
        Endpoint = _engine.Endpoint;
        using var client = Client();
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            try
            {
                await client.ListTablesAsync(new ListTablesRequest());
                return;
            }
            catch (Exception) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(200);
            }
        }
    }

    /// <summary>Stops the emulator.</summary>
    [OneTimeTearDown]
    public async Task Stop()
    {
        if (_engine is not null)
        {
            await _engine.DisposeAsync();
            _engine = null;
        }
    }

    /// <summary>Creates <paramref name="schema"/> as table <paramref name="name"/>, exactly as the storage module defines it.</summary>
    public static Task CreateTable(IAmazonDynamoDB client, TableSchema schema, string name) => TableFactory.Create(client, schema, name);

    /// <summary>Creates the platform's four tables (<see cref="FraudTables.All"/>) as <c>&lt;prefix&gt;-&lt;logical name&gt;</c>.</summary>
    public static async Task CreateTables(IAmazonDynamoDB client, string prefix)
    {
        foreach (var schema in FraudTables.All)
        {
            await CreateTable(client, schema, $"{prefix}-{schema.LogicalName}");
        }
    }

    internal static string RepoRoot()
    {
        var dir = new DirectoryInfo(TestContext.CurrentContext.TestDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "cdktf.json")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("repository root not found");
    }
}
