using System.Text.Json.Nodes;
using FraudTf.Config;

namespace FraudTf.Redrive.Tests;

/// <summary>
/// The redrive and the stack agree (read from the synthesized dev stack; the suite runs after make synth): the tool reads
/// the bucket the stream mapping discards to, under the prefix the alarm's request-metrics filter counts, writes its
/// markers outside that prefix, and re-publishes into the stream the mapping reads. The mapping's record age and retries
/// are the config's (retention less an hour, retry until then).
/// </summary>
public class SynthesizedStackTests
{
    private static JsonObject Resources()
    {
        var file = Path.Combine(Repo.Root(), "cdktf.out", "stacks", "fraud-detection-dev", "cdk.tf.json");
        if (!File.Exists(file))
        {
            Assert.Fail($"{file} is missing. Fix: run make synth (make test does it).");
        }

        return JsonNode.Parse(File.ReadAllText(file))!["resource"]!.AsObject();
    }

    private static (string Address, JsonObject Body) ByReference(JsonObject resources, string reference)
    {
        // ${aws_s3_bucket.<name>.arn}
        var parts = reference.Trim('$', '{', '}').Split('.');
        return ($"{parts[0]}.{parts[1]}", resources[parts[0]]![parts[1]]!.AsObject());
    }

    [Test]
    public void TheToolReadsTheBucketTheMappingDiscardsToAndPublishesIntoTheStreamItReads()
    {
        var config = EnvironmentConfigLoader.LoadAll(Path.Combine(Repo.Root(), "environments")).Single(c => c.Environment == "dev");
        var options = RedriveOptions.For(config, null, false);
        var resources = Resources();
        var mapping = resources["aws_lambda_event_source_mapping"]!.AsObject().Single().Value!.AsObject();

        var (bucketAddress, bucket) = ByReference(resources, mapping["destination_config"]!["on_failure"]!["destination_arn"]!.GetValue<string>());
        var (_, stream) = ByReference(resources, mapping["event_source_arn"]!.GetValue<string>());
        Assert.That(bucket["bucket"]!.GetValue<string>(), Is.EqualTo(options.FailedBatchesBucket));
        Assert.That(stream["name"]!.GetValue<string>(), Is.EqualTo(options.StreamName));
        Assert.That(resources["aws_sqs_queue"]!.AsObject().Select(q => q.Value!["name"]!.GetValue<string>()), Does.Contain(RedriveOptions.QueueName(config)));

        // The alarm counts PUTs under the prefix Lambda writes to; the markers are outside it (a redrive raises no alarm).
        var metric = resources["aws_s3_bucket_metric"]!.AsObject().Single().Value!.AsObject();
        Assert.That(metric["bucket"]!.GetValue<string>(), Does.Contain(bucketAddress));
        Assert.That(metric["filter"]!["prefix"]!.GetValue<string>(), Is.EqualTo(RedriveOptions.FailedBatchPrefix));
        Assert.That(RedriveOptions.MarkerPrefix, Does.Not.StartWith(RedriveOptions.FailedBatchPrefix));
        var alarm = resources["aws_cloudwatch_metric_alarm"]!.AsObject().Select(a => a.Value!.AsObject())
            .Single(a => a["namespace"]!.GetValue<string>() == "AWS/S3");
        Assert.That(alarm["dimensions"]!["FilterId"]!.GetValue<string>(), Is.EqualTo(metric["name"]!.GetValue<string>()));
        Assert.That(alarm["dimensions"]!["BucketName"]!.GetValue<string>(), Is.EqualTo(options.FailedBatchesBucket));

        // Kept long enough to redrive: the lifecycle expires records after the configured days, not sooner than a week.
        var lifecycle = resources["aws_s3_bucket_lifecycle_configuration"]!.AsObject().Select(l => l.Value!.AsObject())
            .Single(l => l["bucket"]!.GetValue<string>().Contains(bucketAddress, StringComparison.Ordinal));
        Assert.That(lifecycle.ToJsonString(), Does.Contain($"\"days\":{config.Retention.FailedBatchExpirationDays}"));
    }

    [Test]
    public void TheMappingRetriesUntilTheRecordAgeWhichEndsBeforeTheRetention()
    {
        var config = EnvironmentConfigLoader.LoadAll(Path.Combine(Repo.Root(), "environments")).Single(c => c.Environment == "dev");
        var resources = Resources();
        var mapping = resources["aws_lambda_event_source_mapping"]!.AsObject().Single().Value!.AsObject();
        var (_, stream) = ByReference(resources, mapping["event_source_arn"]!.GetValue<string>());
        var retentionSeconds = stream["retention_period"]!.GetValue<int>() * 3600;

        Assert.That(mapping["maximum_retry_attempts"]!.GetValue<int>(), Is.EqualTo(config.Streaming.MaximumRetryAttempts).And.EqualTo(-1));
        Assert.That(mapping["maximum_record_age_in_seconds"]!.GetValue<int>(), Is.EqualTo(retentionSeconds - 3600).And.LessThanOrEqualTo(StreamingConfig.MaximumRecordAgeLimit));
        Assert.That(mapping["bisect_batch_on_function_error"]!.GetValue<bool>(), Is.True);
    }
}
