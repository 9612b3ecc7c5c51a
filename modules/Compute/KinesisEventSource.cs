using Constructs;
using FraudTf.Config;
using FraudTf.Security;
using FraudTf.Storage;
using FraudTf.Streaming;

namespace FraudTf.Compute;

/// <summary>
/// Settings of a <see cref="KinesisEventSource"/>: the stream, the function, the on-failure bucket and the account are
/// required; batching and retries default to Lambda's own defaults, the record age to the stream's retention less an hour.
/// </summary>
public sealed record KinesisEventSourceConfig
{
    /// <summary>The stream read (the function is granted its read).</summary>
    public required DataStream Stream { get; init; }

    /// <summary>The function invoked with each batch.</summary>
    public required DotnetFunction Function { get; init; }

    /// <summary>Where a batch that still fails is discarded, with its data (Lambda writes under <see cref="FraudStorage.FailedBatchPrefix"/>).</summary>
    public required SecureBucket OnFailure { get; init; }

    /// <summary>The account that must own <see cref="OnFailure"/> (<c>s3:ResourceAccount</c>).</summary>
    public required string AccountId { get; init; }

    /// <summary>Records per invocation, 1-10000. Default: 100.</summary>
    public int BatchSize { get; init; } = 100;

    /// <summary>Seconds to gather a batch before invoking, 0-300. Default: 0.</summary>
    public int BatchingWindowSeconds { get; init; }

    /// <summary>Concurrent batches per shard, 1-10. Default: 1.</summary>
    public int ParallelizationFactor { get; init; } = 1;

    /// <summary>Retries of a failing batch, -1 (until <see cref="MaximumRecordAgeSeconds"/>) or 0-10000. Default: -1.</summary>
    public int MaximumRetryAttempts { get; init; } = -1;

    /// <summary>
    /// Records older than this (60 s to the stream's retention, at most 604800 s) are discarded with their batch to <see cref="OnFailure"/>. Default: the
    /// stream's retention less one hour (<see cref="StreamingConfig.DefaultRecordAge"/>), so nothing is trimmed unread.
    /// </summary>
    public int? MaximumRecordAgeSeconds { get; init; }
}

/// <summary>
/// Feeds a Kinesis stream to a function: batch size, batching window and parallelization; bisect on error, partial
/// batch responses (<c>ReportBatchItemFailures</c>), retries and record age (by default: retry until the record age,
/// which is the stream's retention less an hour), and an S3 on-failure destination, so a batch that still fails is
/// discarded with its data (the whole invocation record; SQS and SNS destinations would get metadata only) and
/// <c>make redrive</c> can re-publish it. Grants the function what Lambda needs for both.
/// </summary>
public sealed class KinesisEventSource : Construct
{
    /// <summary>Creates the mapping of the stream to the function, discarding to the on-failure bucket.</summary>
    public KinesisEventSource(Construct scope, string id, KinesisEventSourceConfig config)
        : base(scope, id)
    {
        var recordAge = config.MaximumRecordAgeSeconds ?? StreamingConfig.DefaultRecordAge(config.Stream.Config.RetentionHours);
        Validate(id, config, recordAge);
        Config = config;
        var (stream, function, onFailure) = (config.Stream, config.Function, config.OnFailure);
        stream.GrantRead(function);
        GrantOnFailure(function.Role.Policy, onFailure, config.AccountId, id);
        Mapping = new LambdaEventSourceMapping(this, "this", new LambdaEventSourceMappingConfig
        {
            EventSourceArn = stream.StreamArn,
            FunctionName = function.FunctionArn,
            StartingPosition = "TRIM_HORIZON",
            BatchSize = config.BatchSize,
            MaximumBatchingWindowInSeconds = config.BatchingWindowSeconds,
            ParallelizationFactor = config.ParallelizationFactor,
            BisectBatchOnFunctionError = true,
            MaximumRetryAttempts = config.MaximumRetryAttempts,
            MaximumRecordAgeInSeconds = recordAge,
            FunctionResponseTypes = ["ReportBatchItemFailures"],
            DestinationConfig = new LambdaEventSourceMappingDestinationConfig
            {
                OnFailure = new LambdaEventSourceMappingDestinationConfigOnFailure { DestinationArn = onFailure.BucketArn },
            },
            DependsOn = [function.Role.InlinePolicy],
        });
    }

    /// <summary>The settings the mapping was created with.</summary>
    public KinesisEventSourceConfig Config { get; }

    /// <summary>The underlying <c>aws_lambda_event_source_mapping</c>.</summary>
    public LambdaEventSourceMapping Mapping { get; }

    /// <summary>
    /// What Lambda needs, with the execution role, to write invocation records to an S3 on-failure destination (Lambda
    /// developer guide, "Retain discarded batch records for a Kinesis Data Streams event source"): <c>s3:PutObject</c>
    /// (under <c>aws/lambda/</c>, where Lambda writes) and <c>s3:ListBucket</c>, both only in this account's bucket
    /// (<c>s3:ResourceAccount</c>: a deleted and re-created bucket of another account receives nothing), and
    /// <c>kms:GenerateDataKey</c> on the bucket's key through S3.
    /// </summary>
    private static void Validate(string id, KinesisEventSourceConfig c, int recordAge)
    {
        void Fail(string message) => throw new ArgumentException($"KinesisEventSource '{id}' ({c.Stream.Config.StreamName} to {c.Function.FunctionName}): {message}");
        if (c.BatchSize is < 1 or > 10000)
        {
            Fail($"BatchSize = {c.BatchSize}. Fix: use 1 to 10000.");
        }

        if (c.BatchingWindowSeconds is < 0 or > 300)
        {
            Fail($"BatchingWindowSeconds = {c.BatchingWindowSeconds}. Fix: use 0 to 300.");
        }

        if (c.ParallelizationFactor is < 1 or > 10)
        {
            Fail($"ParallelizationFactor = {c.ParallelizationFactor}. Fix: use 1 to 10.");
        }

        if (c.MaximumRetryAttempts is < -1 or > 10000)
        {
            Fail($"MaximumRetryAttempts = {c.MaximumRetryAttempts}. Fix: use -1 (until the record age) or 0 to 10000.");
        }

        // -1 (no age) is refused as by the config loader: Kinesis would trim a failing batch's records, which then reach no destination.
        var max = Math.Min((long)c.Stream.Config.RetentionHours * 3600, StreamingConfig.MaximumRecordAgeLimit);
        if (recordAge < 60 || recordAge > max)
        {
            Fail($"MaximumRecordAgeSeconds = {recordAge}. Fix: use 60 to {max} (the stream's retention, at most {StreamingConfig.MaximumRecordAgeLimit}).");
        }
    }

    private static void GrantOnFailure(PolicyDocument policy, SecureBucket bucket, string accountId, string id)
    {
        var account = new PolicyCondition("StringEquals", "s3:ResourceAccount", [accountId]);
        policy.Add(new PolicyStatement
        {
            Sid = StatementIds.For(id, "OnFailure", "Put"),
            Actions = Permissions.S3PutObjects,
            Resources = [$"{bucket.BucketArn}/{FraudStorage.FailedBatchPrefix}*"],
            Conditions = [account],
        });
        policy.Add(new PolicyStatement
        {
            Sid = StatementIds.For(id, "OnFailure", "List"),
            Actions = Permissions.S3ListBucket,
            Resources = [bucket.BucketArn],
            Conditions = [account],
        });
        if (bucket.Config.Key is { } key)
        {
            policy.Add(KeyGrants.ViaService(key, ["kms:GenerateDataKey"], "s3", bucket.Config.Region, StatementIds.For(id, "OnFailure", "Key")));
        }
    }
}
