using Constructs;
using FraudTf.Config;
using FraudTf.Security;
using FraudTf.Storage;
using FraudTf.Streaming;
using HashiCorp.Cdktf.Providers.Aws.LambdaEventSourceMapping;

namespace FraudTf.Compute;

/// <summary>
/// Feeds a Kinesis stream to a function: batch size, batching window and parallelization from config; bisect on
/// error, partial batch responses (<c>ReportBatchItemFailures</c>), retries and record age from config (by default:
/// retry until the record age, which is the stream's retention less an hour), and an S3 on-failure destination, so a
/// batch that still fails is discarded with its data (the whole invocation record; SQS and SNS destinations would get
/// metadata only) and <c>make redrive</c> can re-publish it. Grants the function what Lambda needs for both.
/// </summary>
public sealed class KinesisEventSource : Construct
{
    /// <summary>Creates the mapping of <paramref name="stream"/> to <paramref name="function"/>, discarding to <paramref name="onFailure"/>.</summary>
    public KinesisEventSource(Construct scope, string id, DataStream stream, DotnetFunction function, SecureBucket onFailure, StreamingConfig settings,
        string accountId)
        : base(scope, id)
    {
        stream.GrantRead(function);
        GrantOnFailure(function.Role.Policy, onFailure, accountId, id);
        Mapping = new LambdaEventSourceMapping(this, "this", new LambdaEventSourceMappingConfig
        {
            EventSourceArn = stream.StreamArn,
            FunctionName = function.FunctionArn,
            StartingPosition = "TRIM_HORIZON",
            BatchSize = settings.BatchSize,
            MaximumBatchingWindowInSeconds = settings.BatchingWindowSeconds,
            ParallelizationFactor = settings.ParallelizationFactor,
            BisectBatchOnFunctionError = true,
            MaximumRetryAttempts = settings.MaximumRetryAttempts,
            MaximumRecordAgeInSeconds = settings.MaximumRecordAgeSeconds,
            FunctionResponseTypes = ["ReportBatchItemFailures"],
            DestinationConfig = new LambdaEventSourceMappingDestinationConfig
            {
                OnFailure = new LambdaEventSourceMappingDestinationConfigOnFailure { DestinationArn = onFailure.BucketArn },
            },
            DependsOn = [function.Role.InlinePolicy],
        });
    }

    /// <summary>The underlying <c>aws_lambda_event_source_mapping</c>.</summary>
    public LambdaEventSourceMapping Mapping { get; }

    /// <summary>
    /// What Lambda needs, with the execution role, to write invocation records to an S3 on-failure destination (Lambda
    /// developer guide, "Retain discarded batch records for a Kinesis Data Streams event source"): <c>s3:PutObject</c>
    /// (under <c>aws/lambda/</c>, where Lambda writes) and <c>s3:ListBucket</c>, both only in this account's bucket
    /// (<c>s3:ResourceAccount</c>: a deleted and re-created bucket of another account receives nothing), and
    /// <c>kms:GenerateDataKey</c> on the bucket's key through S3.
    /// </summary>
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
