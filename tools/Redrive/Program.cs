using System.Globalization;
using Amazon;
using Amazon.Runtime.Credentials;
using Amazon.S3;
using Amazon.SQS;
using FraudTf.Config;

namespace FraudTf.Redrive;

/// <summary>
/// <c>make redrive ENV=&lt;env&gt; [FROM=&lt;ISO time&gt;] [DRY_RUN=1]</c>: re-publishes quarantined records and the records
/// of discarded batches into the environment's transactions stream (README, "Streaming: delivery guarantees and
/// redrive"). Names come from <c>environments/&lt;env&gt;.json</c> (the same loader the app runs); endpoints and
/// credentials from the standard AWS environment (<c>AWS_ENDPOINT_URL_KINESIS</c>, <c>AWS_ENDPOINT_URL_S3</c>,
/// <c>AWS_ENDPOINT_URL_SQS</c>, <c>AWS_PROFILE</c>, …).
/// </summary>
public static class Program
{
    private const string Usage =
        "usage: FraudTf.Redrive --env <env> [--from <ISO 8601 time>] [--dry-run] [--report <file.json>] [--no-quarantine] [--repo <root>]\n" +
        "       (overrides for tests: --stream <name> --bucket <name> --queue-url <url>)";

    /// <summary>Entry point: 0 done, 1 some items could not be re-published (see the report), 2 bad arguments or config.</summary>
    public static async Task<int> Main(string[] args)
    {
        var a = new Dictionary<string, string?>(StringComparer.Ordinal);
        for (var i = 0; i < args.Length; i++)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal))
            {
                return Fail($"unexpected argument '{args[i]}'. Fix: {Usage}");
            }

            var flag = args[i][2..];
            if (flag is "dry-run" or "no-quarantine")
            {
                a[flag] = "1";
            }
            else if (i + 1 < args.Length)
            {
                a[flag] = args[++i];
            }
            else
            {
                return Fail($"--{flag} needs a value. Fix: {Usage}");
            }
        }

        var env = a.GetValueOrDefault("env");
        if (string.IsNullOrEmpty(env))
        {
            return Fail($"no environment given. Fix: make redrive ENV=<dev|staging|prod> [FROM=2026-01-31T00:00:00Z] [DRY_RUN=1]. {Usage}");
        }

        DateTimeOffset? from = null;
        if (a.GetValueOrDefault("from") is { Length: > 0 } fromText)
        {
            if (!DateTimeOffset.TryParse(fromText, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var parsed))
            {
                return Fail($"FROM = '{fromText}' is not a time. Fix: give an ISO 8601 time, e.g. FROM=2026-01-31T00:00:00Z.");
            }

            from = parsed;
        }

        var repo = a.GetValueOrDefault("repo") ?? Directory.GetCurrentDirectory();
        EnvironmentConfig config;
        try
        {
            var configs = EnvironmentConfigLoader.LoadAll(Path.Combine(repo, "environments"));
            config = configs.FirstOrDefault(c => c.Environment == env)
                ?? throw new ConfigValidationException([$"environments/{env}.json: no such environment. Fix: use one of {string.Join(", ", configs.Select(c => c.Environment))}."]);
        }
        catch (ConfigValidationException e)
        {
            return Fail(e.Message);
        }

        var region = Environment.GetEnvironmentVariable("AWS_REGION") is { Length: > 0 } r ? r : config.Region;
        var options = RedriveOptions.For(config, from, a.ContainsKey("dry-run"));
        options = options with
        {
            StreamName = a.GetValueOrDefault("stream") ?? options.StreamName,
            FailedBatchesBucket = a.GetValueOrDefault("bucket") ?? options.FailedBatchesBucket,
        };

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        var kinesis = new KinesisApi(http, KinesisApi.EndpointFromEnvironment(region), region,
            () => DefaultAWSCredentialsIdentityResolver.GetCredentials().GetCredentialsAsync(), TimeProvider.System);
        using var s3 = new AmazonS3Client(S3Config(region));
        using var sqs = new AmazonSQSClient(SqsConfig(region));
        IQuarantineQueue? queue = null;
        if (!a.ContainsKey("no-quarantine"))
        {
            var url = a.GetValueOrDefault("queue-url") ?? (await sqs.GetQueueUrlAsync(RedriveOptions.QueueName(config))).QueueUrl;
            queue = new SqsQuarantineQueue(sqs, url);
        }

        Console.Error.WriteLine($"redrive {env}: into stream {options.StreamName}; failed batches in s3://{options.FailedBatchesBucket}/{RedriveOptions.FailedBatchPrefix}" +
            (queue is null ? "" : $"; quarantine {RedriveOptions.QueueName(config)}") + (from is null ? "" : $"; from {from:O}") + (options.DryRun ? " (dry run)" : ""));
        var report = await new Redriver(kinesis, new S3ObjectStore(s3), queue, options, TimeProvider.System).Run(CancellationToken.None);
        Console.WriteLine(report.ToText());
        if (a.GetValueOrDefault("report") is { Length: > 0 } file)
        {
            await File.WriteAllTextAsync(file, report.ToJson());
        }

        return report.Skipped.Any(s => s.Why.Contains("retention", StringComparison.Ordinal) || s.Why.Contains("sha256", StringComparison.Ordinal)
            || s.Why.Contains("gone", StringComparison.Ordinal) || s.Why.StartsWith("not JSON", StringComparison.Ordinal)) ? 1 : 0;
    }

    private static AmazonS3Config S3Config(string region)
    {
        var c = new AmazonS3Config { RegionEndpoint = RegionEndpoint.GetBySystemName(region) };
        if (Environment.GetEnvironmentVariable("AWS_ENDPOINT_URL_S3") is { Length: > 0 } url)
        {
            c.ServiceURL = url;
            c.ForcePathStyle = true;
            c.AuthenticationRegion = region;
        }

        return c;
    }

    private static AmazonSQSConfig SqsConfig(string region)
    {
        var c = new AmazonSQSConfig { RegionEndpoint = RegionEndpoint.GetBySystemName(region) };
        if (Environment.GetEnvironmentVariable("AWS_ENDPOINT_URL_SQS") is { Length: > 0 } url)
        {
            c.ServiceURL = url;
            c.AuthenticationRegion = region;
        }

        return c;
    }

    private static int Fail(string message)
    {
        Console.Error.WriteLine($"error: {message}");
        return 2;
    }
}
