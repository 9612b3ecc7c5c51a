using FraudTf.Compute;
using FraudTf.Storage;
using FraudTf.Streaming;
using FraudTf.Tests.Support;

namespace FraudTf.Tests.Compute;

/// <summary><see cref="KinesisEventSource"/> on a fresh stack with its stream, function and on-failure bucket: defaults, options, grants and validations.</summary>
[TestFixture]
public class KinesisEventSourceTests
{
    private static KinesisEventSourceConfig Config(FreshStack s, int retentionHours = 24)
    {
        var key = s.Key("data");
        return new KinesisEventSourceConfig
        {
            Stream = new DataStream(s.Stack, "transactions", new DataStreamConfig { StreamName = "transactions", Key = key, Region = FreshStack.Region, RetentionHours = retentionHours }),
            Function = new DotnetFunction(s.Stack, "processor", s.FunctionConfig()),
            OnFailure = new SecureBucket(s.Stack, "failed-batches", new SecureBucketConfig { BucketName = "failed-batches", Key = key, Region = FreshStack.Region }),
            AccountId = FreshStack.Account,
        };
    }

    [Test]
    public void Defaults_LambdasBatching_RetryUntilTheRecordAge_TheStreamsRetentionLessAnHour()
    {
        var s = new FreshStack();
        var config = Config(s, retentionHours: 48);
        _ = new KinesisEventSource(s.Stack, "source", config);

        var mapping = s.Single("aws_lambda_event_source_mapping");

        Assert.Multiple(() =>
        {
            Assert.That(mapping["batch_size"]!.GetValue<int>(), Is.EqualTo(100));
            Assert.That(mapping["maximum_batching_window_in_seconds"]!.GetValue<int>(), Is.EqualTo(0));
            Assert.That(mapping["parallelization_factor"]!.GetValue<int>(), Is.EqualTo(1));
            Assert.That(mapping["maximum_retry_attempts"]!.GetValue<int>(), Is.EqualTo(-1));
            Assert.That(mapping["maximum_record_age_in_seconds"]!.GetValue<int>(), Is.EqualTo(47 * 3600));
            Assert.That(mapping["bisect_batch_on_function_error"]!.GetValue<bool>(), Is.True);
            Assert.That(mapping["starting_position"]!.GetValue<string>(), Is.EqualTo("TRIM_HORIZON"));
            Assert.That(mapping["function_response_types"]!.AsArray().Single()!.GetValue<string>(), Is.EqualTo("ReportBatchItemFailures"));
            Assert.That(mapping["event_source_arn"]!.GetValue<string>(), Is.EqualTo(s.Resolve(config.Stream.StreamArn)));
            Assert.That(mapping["function_name"]!.GetValue<string>(), Is.EqualTo(s.Resolve(config.Function.FunctionArn)));
            Assert.That(mapping["destination_config"]!["on_failure"]!["destination_arn"]!.GetValue<string>(), Is.EqualTo(s.Resolve(config.OnFailure.BucketArn)));
        });
    }

    [Test]
    public void BatchingRetryAndParallelizationSettings_AreWrittenToTheMapping()
    {
        var s = new FreshStack();
        _ = new KinesisEventSource(s.Stack, "source", Config(s) with
        {
            BatchSize = 500,
            BatchingWindowSeconds = 1,
            ParallelizationFactor = 4,
            MaximumRetryAttempts = 3,
            MaximumRecordAgeSeconds = 3600,
        });

        var mapping = s.Single("aws_lambda_event_source_mapping");

        Assert.That(new[] { "batch_size", "maximum_batching_window_in_seconds", "parallelization_factor", "maximum_retry_attempts", "maximum_record_age_in_seconds" }
            .Select(k => mapping[k]!.GetValue<int>()), Is.EqualTo(new[] { 500, 1, 4, 3, 3600 }));
    }

    [Test]
    public void TheFunction_MayReadTheStream_AndPutAndListOnlyInTheAccountsOnFailureBucket()
    {
        var s = new FreshStack();
        var config = Config(s);
        _ = new KinesisEventSource(s.Stack, "source", config);

        var statements = config.Function.Policy.Statements;
        var put = statements.Single(st => st.Sid == "SourceOnFailurePut");

        Assert.Multiple(() =>
        {
            Assert.That(statements.Select(st => st.Sid), Is.SupersetOf(new[] { "TransactionsStreamRead", "TransactionsStreamReadKey", "SourceOnFailurePut", "SourceOnFailureList", "SourceOnFailureKey" }));
            Assert.That(s.Resolve(put.Resources.Single()), Does.EndWith($".arn}}/{FraudStorage.FailedBatchPrefix}*"));
            Assert.That(put.Conditions.Single().Key, Is.EqualTo("s3:ResourceAccount"));
            Assert.That(statements.Single(st => st.Sid == "SourceOnFailureKey").Actions, Is.EqualTo(new[] { "kms:GenerateDataKey" }));
        });
    }

    [TestCase(nameof(KinesisEventSourceConfig.BatchSize), 0, "BatchSize = 0. Fix: use 1 to 10000.")]
    [TestCase(nameof(KinesisEventSourceConfig.BatchingWindowSeconds), 301, "BatchingWindowSeconds = 301. Fix: use 0 to 300.")]
    [TestCase(nameof(KinesisEventSourceConfig.ParallelizationFactor), 11, "ParallelizationFactor = 11. Fix: use 1 to 10.")]
    [TestCase(nameof(KinesisEventSourceConfig.MaximumRetryAttempts), -2, "MaximumRetryAttempts = -2. Fix: use -1 (until the record age) or 0 to 10000.")]
    [TestCase(nameof(KinesisEventSourceConfig.MaximumRecordAgeSeconds), -1, "MaximumRecordAgeSeconds = -1. Fix: use 60 to 86400 (the stream's retention, at most 604800).")]
    [TestCase(nameof(KinesisEventSourceConfig.MaximumRecordAgeSeconds), 86401, "MaximumRecordAgeSeconds = 86401. Fix: use 60 to 86400")]
    public void ASettingOutOfRange_Fails(string setting, int value, string expected)
    {
        var s = new FreshStack();
        var config = Config(s);
        config = setting switch
        {
            nameof(KinesisEventSourceConfig.BatchSize) => config with { BatchSize = value },
            nameof(KinesisEventSourceConfig.BatchingWindowSeconds) => config with { BatchingWindowSeconds = value },
            nameof(KinesisEventSourceConfig.ParallelizationFactor) => config with { ParallelizationFactor = value },
            nameof(KinesisEventSourceConfig.MaximumRetryAttempts) => config with { MaximumRetryAttempts = value },
            _ => config with { MaximumRecordAgeSeconds = value },
        };

        var e = Assert.Throws<ArgumentException>(() => new KinesisEventSource(s.Stack, "source", config));

        Assert.That(e!.Message, Does.StartWith("KinesisEventSource 'source' (transactions to test-function): ").And.Contain(expected));
    }
}
