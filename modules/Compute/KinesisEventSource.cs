using Constructs;
using FraudTf.Config;
using FraudTf.Streaming;
using HashiCorp.Cdktf.Providers.Aws.LambdaEventSourceMapping;

namespace FraudTf.Compute;

/// <summary>
/// Feeds a Kinesis stream to a function: batch size, batching window and parallelization from config; bisect on
/// error, bounded retries and record age, partial batch responses (<c>ReportBatchItemFailures</c>), and an on-failure
/// destination, so a poison record never blocks its shard and never disappears. Grants the function what it needs.
/// </summary>
public sealed class KinesisEventSource : Construct
{
    /// <summary>Creates the mapping of <paramref name="stream"/> to <paramref name="function"/>.</summary>
    public KinesisEventSource(Construct scope, string id, DataStream stream, DotnetFunction function, EncryptedQueue onFailure, StreamingConfig settings)
        : base(scope, id)
    {
        stream.GrantRead(function.Role.Policy);
        // Lambda sends the on-failure records with the function's execution role.
        onFailure.GrantSendMessage(function.Role.Policy);
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
                OnFailure = new LambdaEventSourceMappingDestinationConfigOnFailure { DestinationArn = onFailure.QueueArn },
            },
            DependsOn = [function.Role.InlinePolicy],
        });
    }

    /// <summary>The underlying <c>aws_lambda_event_source_mapping</c>.</summary>
    public LambdaEventSourceMapping Mapping { get; }
}
