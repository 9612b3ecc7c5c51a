using System.Diagnostics;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using FraudTf.Functions.Shared.Metrics;
using FraudTf.Functions.Shared.Tables;
using FraudTf.Local.Engines;
using FraudTf.Local.Events;
using FraudTf.Local.Fronts;
using FraudTf.Redrive;

namespace FraudTf.Local.Run;

/// <summary>
/// One local run of a synthesized stack's data path: starts the engines and fronts, creates the stack's tables, buckets,
/// streams and queues, starts the functions the data path invokes (the event source mapping's and the rules' Lambda
/// targets) and the runners between them, sends the labelled traffic, drains, then reads what the platform stored and
/// measured into a <see cref="LocalReport"/>. Everything started is stopped when the run ends, fails or is cancelled.
/// </summary>
public sealed partial class LocalRun : IAsyncDisposable
{
    private readonly LocalOptions _options;
    private readonly TextWriter _progress;
    private readonly TimeProvider _time = TimeProvider.System;
    private readonly List<IAsyncDisposable> _started = [];
    private readonly PidFile _pids;

    /// <summary>Creates a run; nothing starts before <see cref="Execute"/>.</summary>
    public LocalRun(LocalOptions options, TextWriter progress)
    {
        _options = options;
        _progress = progress;
        // One pid file per run (make local-down reads them all), so two runs, or a run and the tests, never share one.
        _pids = new PidFile(Path.Combine(options.RepoRoot, ".local", $"{options.Environment}-{Environment.ProcessId}.pids"));
    }

    /// <summary>The file listing the processes this run started while they run (removed once all stopped).</summary>
    public string PidFilePath => _pids.Path;

    /// <summary>The engines and runners of the run, once <see cref="Execute"/> started them (until disposed): for tests and tools that inspect what the platform stored.</summary>
    public LocalWorld? World { get; private set; }

    /// <summary>Every datapoint the run's alarms were evaluated on (set when <see cref="Execute"/> collects its report): for
    /// tests that check an alarm against the data, since which one-minute periods a run's data falls in depends on the clock.</summary>
    public IReadOnlyList<Datapoint> Datapoints { get; private set; } = [];

    /// <summary>Stops everything the run started, in reverse order.</summary>
    public async ValueTask DisposeAsync()
    {
        for (var i = _started.Count - 1; i >= 0; i--)
        {
            try
            {
                await _started[i].DisposeAsync();
            }
            catch (Exception e)
            {
                await _progress.WriteLineAsync($"warning: stopping {_started[i].GetType().Name} failed: {e.Message}");
            }
        }

        _started.Clear();
    }

    private T Track<T>(T item)
        where T : IAsyncDisposable
    {
        _started.Add(item);
        return item;
    }

    private void Say(string line) => _progress.WriteLine(line);

    private static string Inv(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);

    /// <summary>The machine, as the report names it.</summary>
    public static string Machine() =>
        $"{Environment.ProcessorCount} cores, {System.Runtime.InteropServices.RuntimeInformation.OSDescription.Trim()}, .NET {Environment.Version}";

    private static AmazonDynamoDBClient DynamoClient(string endpoint, string region) => new(new BasicAWSCredentials(LocalCredentials.AccessKey, LocalCredentials.SecretKey),
        new AmazonDynamoDBConfig { ServiceURL = endpoint, AuthenticationRegion = region });

    private static AmazonS3Client S3Client(string endpoint, string region) => new(new BasicAWSCredentials(LocalCredentials.AccessKey, LocalCredentials.SecretKey),
        new AmazonS3Config { ServiceURL = endpoint, ForcePathStyle = true, AuthenticationRegion = region });
}

/// <summary>Where a run's data is, while it runs.</summary>
/// <param name="Stack">The stack, with its references resolved to the local world.</param>
/// <param name="DynamoDbEndpoint">DynamoDB Local.</param>
/// <param name="S3Endpoint">The S3 front (s3rver behind it).</param>
/// <param name="Sqs">The local queues.</param>
/// <param name="Sns">The local topics.</param>
public sealed record LocalWorld(LocalStack Stack, string DynamoDbEndpoint, string S3Endpoint, LocalSqs Sqs, LocalSns Sns)
{
    /// <summary>A DynamoDB client of the run's engine.</summary>
    public AmazonDynamoDBClient Dynamo() => new(new BasicAWSCredentials(LocalCredentials.AccessKey, LocalCredentials.SecretKey),
        new AmazonDynamoDBConfig { ServiceURL = DynamoDbEndpoint, AuthenticationRegion = Stack.Region });

    /// <summary>An S3 client of the run's front.</summary>
    public AmazonS3Client S3() => new(new BasicAWSCredentials(LocalCredentials.AccessKey, LocalCredentials.SecretKey),
        new AmazonS3Config { ServiceURL = S3Endpoint, ForcePathStyle = true, AuthenticationRegion = Stack.Region });

    /// <summary>The name of the stack's table whose name contains <paramref name="logical"/> (e.g. decisions).</summary>
    public string Table(string logical) => Stack.TableName(logical);

    /// <summary>The name of the stack's bucket whose name contains <paramref name="logical"/> (e.g. decision-trails).</summary>
    public string Bucket(string logical) => Stack.BucketName(logical);
}

/// <summary>The credentials of every local call: s3rver checks signatures with its fixed keys; the other engines accept any.</summary>
public static class LocalCredentials
{
    /// <summary>Access key id.</summary>
    public const string AccessKey = "S3RVER";

    /// <summary>Secret key.</summary>
    public const string SecretKey = "S3RVER";
}
