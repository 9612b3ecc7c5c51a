namespace FraudTf.Promotion.Tests.Validation.Gate;

/// <summary>
/// Issue 14's failed-batches bucket as the gate sees it: GATE-IAM-002 explains s3:PutObject, s3:ListBucket and the bucket
/// key's kms:GenerateDataKey (through S3) by an S3 on-failure destination of the function's event source mapping, and
/// GATE-CW-001 knows that an AWS/S3 request metric (BucketName, FilterId) needs an aws_s3_bucket_metric of that name.
/// </summary>
public class GateFailedBatchesTests
{
    private static string Statement(string sid, string actions, string resource, string? condition = null) =>
        $$"""{"Sid":"{{sid}}","Effect":"Allow","Action":{{actions}},"Resource":"{{resource}}"{{(condition is null ? "" : ",\"Condition\":" + condition)}}}""";

    private static Gate2Stack Function(bool s3Destination, params string[] extraStatements)
    {
        var statements = new List<string>
        {
            Statement("Logs", """["logs:CreateLogStream","logs:PutLogEvents"]""", "arn:aws:logs:us-east-1:1:log-group:/aws/lambda/f:*"),
            Statement("Read", """["kinesis:GetRecords","kinesis:GetShardIterator","kinesis:DescribeStream","kinesis:ListShards"]""", "${aws_kinesis_stream.s.arn}"),
            Statement("Table", """["dynamodb:PutItem"]""", "arn:aws:dynamodb:us-east-1:1:table/t"),
        };
        statements.AddRange(extraStatements);
        var mapping = s3Destination
            ? """{"event_source_arn":"${aws_kinesis_stream.s.arn}","function_name":"${aws_lambda_function.fn.arn}","destination_config":{"on_failure":{"destination_arn":"${aws_s3_bucket.failed.arn}"}}}"""
            : """{"event_source_arn":"${aws_kinesis_stream.s.arn}","function_name":"${aws_lambda_function.fn.arn}"}""";
        return new Gate2Stack()
            .Add("aws_lambda_function", "fn", """{"function_name":"f","role":"${aws_iam_role.role.arn}","//":{"sdk_calls":["dynamodb:PutItem"]}}""")
            .Add("aws_iam_role", "role", """{"name":"f"}""")
            .Add("aws_kinesis_stream", "s", """{"name":"transactions"}""")
            .Add("aws_s3_bucket", "failed", """{"bucket":"failed-batches"}""")
            .Add("aws_lambda_event_source_mapping", "m", mapping)
            .Add("aws_iam_role_policy", "p", Gate2Stack.WithPolicy("\"role\":\"${aws_iam_role.role.id}\"", Gate2Stack.Policy(statements.ToArray())));
    }

    private static readonly string[] OnFailureGrants =
    [
        Statement("OnFailurePut", """["s3:PutObject"]""", "${aws_s3_bucket.failed.arn}/aws/lambda/*", """{"StringEquals":{"s3:ResourceAccount":"111111111111"}}"""),
        Statement("OnFailureList", """["s3:ListBucket"]""", "${aws_s3_bucket.failed.arn}", """{"StringEquals":{"s3:ResourceAccount":"111111111111"}}"""),
        Statement("OnFailureKey", """["kms:GenerateDataKey"]""", "arn:aws:kms:us-east-1:1:key/k", """{"StringEquals":{"kms:ViaService":"s3.us-east-1.amazonaws.com"}}"""),
    ];

    [Test]
    public void AnS3OnFailureDestinationExplainsPutObjectListBucketAndTheKeyThroughS3()
    {
        Assert.That(Function(s3Destination: true, OnFailureGrants).Failures("GATE-IAM-002"), Is.Empty);
    }

    [Test]
    public void WithoutTheS3DestinationTheSameGrantsAreFindings()
    {
        var messages = Function(s3Destination: false, OnFailureGrants).Failures("GATE-IAM-002").Select(f => f.Message).ToList();

        Assert.That(messages, Has.Some.Contains("allows s3:PutObject"));
        Assert.That(messages, Has.Some.Contains("allows s3:ListBucket"));
        Assert.That(messages, Has.Some.Contains("kms:GenerateDataKey").And.Some.Contains("s3.us-east-1.amazonaws.com"));
    }

    [Test]
    public void TheS3DestinationDoesNotExplainReadsOrDeletes()
    {
        var reads = Statement("OnFailureGet", """["s3:GetObject","s3:DeleteObject"]""", "${aws_s3_bucket.failed.arn}/*");
        var messages = Function(true, [.. OnFailureGrants, reads]).Failures("GATE-IAM-002").Select(f => f.Message).ToList();

        Assert.That(messages, Has.Count.EqualTo(2));
        Assert.That(messages, Has.Some.Contains("s3:GetObject").And.Some.Contains("s3:DeleteObject"));
    }

    private static string Alarm(string metric, string dimensions) =>
        $$"""{"alarm_name":"a","namespace":"AWS/S3","metric_name":"{{metric}}","dimensions":{{dimensions}},"statistic":"Sum","period":300,"evaluation_periods":1,"threshold":1,"comparison_operator":"GreaterThanOrEqualToThreshold"}""";

    private static Gate2Stack Bucket(bool metricsConfiguration)
    {
        var stack = new Gate2Stack().Add("aws_s3_bucket", "failed", """{"bucket":"fraud-detection-failed-batches-dev"}""");
        return metricsConfiguration
            ? stack.Add("aws_s3_bucket_metric", "m", """{"bucket":"${aws_s3_bucket.failed.id}","name":"discarded-batches","filter":{"prefix":"aws/lambda/"}}""")
            : stack;
    }

    [Test]
    public void AnS3RequestMetricAlarmWithItsMetricsConfigurationPasses()
    {
        var stack = Bucket(true).Add("aws_cloudwatch_metric_alarm", "failed",
            Alarm("PutRequests", """{"BucketName":"fraud-detection-failed-batches-dev","FilterId":"discarded-batches"}"""));

        Assert.That(stack.Failures("GATE-CW-001"), Is.Empty);
    }

    [Test]
    public void AnS3RequestMetricAlarmWithoutAMetricsConfigurationOfThatNameIsReported()
    {
        var noConfig = Bucket(false).Add("aws_cloudwatch_metric_alarm", "failed",
            Alarm("PutRequests", """{"BucketName":"fraud-detection-failed-batches-dev","FilterId":"discarded-batches"}"""));
        var otherName = Bucket(true).Add("aws_cloudwatch_metric_alarm", "failed",
            Alarm("PutRequests", """{"BucketName":"fraud-detection-failed-batches-dev","FilterId":"EntireBucket"}"""));
        var noFilter = Bucket(true).Add("aws_cloudwatch_metric_alarm", "failed",
            Alarm("PutRequests", """{"BucketName":"fraud-detection-failed-batches-dev"}"""));

        Assert.That(noConfig.Failures("GATE-CW-001").Single().Message, Does.Contain("it has no metrics configuration"));
        Assert.That(otherName.Failures("GATE-CW-001").Single().Message, Does.Contain("\"EntireBucket\"").And.Contain("discarded-batches"));
        Assert.That(noFilter.Failures("GATE-CW-001").Single().Message, Does.Contain("no FilterId").And.Contain("discarded-batches"));
    }

    [Test]
    public void S3StorageMetricsNeedNoMetricsConfigurationButAnExistingBucket()
    {
        var stored = Bucket(false).Add("aws_cloudwatch_metric_alarm", "objects",
            Alarm("NumberOfObjects", """{"BucketName":"fraud-detection-failed-batches-dev","StorageType":"AllStorageTypes"}"""));
        var ghost = Bucket(false).Add("aws_cloudwatch_metric_alarm", "objects",
            Alarm("NumberOfObjects", """{"BucketName":"not-in-stack","StorageType":"AllStorageTypes"}"""));

        Assert.That(stored.Failures("GATE-CW-001"), Is.Empty);
        Assert.That(ghost.Failures("GATE-CW-001").Single().Message, Does.Contain("aws_s3_bucket"));
    }
}
