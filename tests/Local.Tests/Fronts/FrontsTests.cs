using System.Collections.Concurrent;
using System.Net;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using Amazon.SQS;
using Amazon.SQS.Model;
using FraudTf.Local.Engines;
using FraudTf.Local.Fronts;

namespace FraudTf.Local.Tests.Fronts;

/// <summary>A metric sink that keeps what it is given.</summary>
internal sealed class CollectedMetrics : IMetricSink
{
    public ConcurrentQueue<Datapoint> Points { get; } = new();

    public void Put(Datapoint datapoint) => Points.Enqueue(datapoint);

    public double Sum(string ns, string name, string dimension, string value) =>
        Points.Where(p => p.Namespace == ns && p.Name == name && p.Dimensions.TryGetValue(dimension, out var v) && v == value).Sum(p => p.Value);
}

/// <summary>
/// The fronts a local run puts before the engines, driven with the AWS SDK clients the functions use, so what they add is
/// checked as the SDK sees it: throttling that the SDK reports as ProvisionedThroughputExceededException, conditional
/// writes that S3 refuses with 412, SQS answers whose MD5 digests the SDK verifies.
/// </summary>
[TestFixture]
[NonParallelizable]
public class FrontsTests
{
    private EngineProcess _dynamo = null!;
    private EngineProcess _s3 = null!;

    [OneTimeSetUp]
    public async Task Engines()
    {
        var starts = new[] { FraudTf.Local.Engines.Engines.DynamoDbLocal(Repo.Root(), null, CancellationToken.None), FraudTf.Local.Engines.Engines.S3rver(Repo.Root(), null, CancellationToken.None) };
        var started = await Task.WhenAll(starts);
        (_dynamo, _s3) = (started[0], started[1]);
    }

    [OneTimeTearDown]
    public async Task Stop()
    {
        await _dynamo.DisposeAsync();
        await _s3.DisposeAsync();
    }

    private static AmazonDynamoDBClient Dynamo(string endpoint) => new(new BasicAWSCredentials("S3RVER", "S3RVER"),
        new AmazonDynamoDBConfig { ServiceURL = endpoint, AuthenticationRegion = "us-east-1", MaxErrorRetry = 0 });

    private static AmazonS3Client S3(string endpoint) => new(new BasicAWSCredentials("S3RVER", "S3RVER"),
        new AmazonS3Config { ServiceURL = endpoint, ForcePathStyle = true, AuthenticationRegion = "us-east-1" });

    [Test]
    public async Task AThrottledTableAnswersAsDynamoDbDoesAndCountsThrottleEventsOthersPass()
    {
        var metrics = new CollectedMetrics();
        await using var front = new DynamoDbFront(_dynamo.Endpoint, metrics, TimeProvider.System);
        front.Start();
        using var client = Dynamo(front.Endpoint);
        foreach (var t in new[] { "hot", "cold" })
        {
            await client.CreateTableAsync(new CreateTableRequest(t, [new KeySchemaElement("id", KeyType.HASH)], [new AttributeDefinition("id", ScalarAttributeType.S)], null) { BillingMode = BillingMode.PAY_PER_REQUEST });
        }

        front.Throttle(new ThrottleWindow("hot", DateTimeOffset.UtcNow.AddSeconds(-1), DateTimeOffset.UtcNow.AddMinutes(5)));
        var item = new Dictionary<string, AttributeValue> { ["id"] = new() { S = "1" } };
        var error = Assert.ThrowsAsync<ProvisionedThroughputExceededException>(() => client.PutItemAsync("hot", item));
        Assert.That(error!.Message, Does.Contain("hot"));
        await client.PutItemAsync("cold", item);
        Assert.ThrowsAsync<ProvisionedThroughputExceededException>(() => client.TransactWriteItemsAsync(new TransactWriteItemsRequest
        {
            TransactItems = [new TransactWriteItem { Put = new Put { TableName = "cold", Item = item } }, new TransactWriteItem { Put = new Put { TableName = "hot", Item = item } }],
        }));
        Assert.ThrowsAsync<ProvisionedThroughputExceededException>(() => client.GetItemAsync("hot", item));
        Assert.Multiple(() =>
        {
            Assert.That(metrics.Sum("AWS/DynamoDB", "WriteThrottleEvents", "TableName", "hot"), Is.EqualTo(2));
            Assert.That(metrics.Sum("AWS/DynamoDB", "ReadThrottleEvents", "TableName", "hot"), Is.EqualTo(1));
            Assert.That(metrics.Sum("AWS/DynamoDB", "WriteThrottleEvents", "TableName", "cold"), Is.Zero);
            Assert.That(front.Throttled, Is.EqualTo(3));
        });
    }

    [Test]
    public async Task AConditionalPutOnAnExistingKeyIsRefusedWith412AndTheFirstObjectStays()
    {
        var metrics = new CollectedMetrics();
        var stack = Repo.Stack();
        await using var front = new S3Front(_s3.Endpoint, stack, metrics, TimeProvider.System);
        front.Start();
        using var s3 = S3(front.Endpoint);
        await s3.PutBucketAsync("trails-test");
        await s3.PutObjectAsync(new PutObjectRequest { BucketName = "trails-test", Key = "trails/a.json", ContentBody = "first", IfNoneMatch = "*", UseChunkEncoding = false });
        var refused = Assert.ThrowsAsync<AmazonS3Exception>(() => s3.PutObjectAsync(new PutObjectRequest { BucketName = "trails-test", Key = "trails/a.json", ContentBody = "second", IfNoneMatch = "*", UseChunkEncoding = false }));
        Assert.That(refused!.StatusCode, Is.EqualTo(HttpStatusCode.PreconditionFailed));
        using var got = await s3.GetObjectAsync("trails-test", "trails/a.json");
        using var reader = new StreamReader(got.ResponseStream);
        Assert.Multiple(async () =>
        {
            Assert.That(await reader.ReadToEndAsync(), Is.EqualTo("first"));
            Assert.That(front.Refused, Is.EqualTo(1));
            Assert.That(front.Written["trails-test"], Is.EqualTo(1));
        });
    }

    [Test]
    public async Task ConcurrentConditionalPutsOfOneKeyLetExactlyOneThrough()
    {
        await using var front = new S3Front(_s3.Endpoint, Repo.Stack(), new CollectedMetrics(), TimeProvider.System);
        front.Start();
        using var s3 = S3(front.Endpoint);
        await s3.PutBucketAsync("race-test");
        var outcomes = await Task.WhenAll(Enumerable.Range(0, 8).Select(async i =>
        {
            try
            {
                await s3.PutObjectAsync(new PutObjectRequest { BucketName = "race-test", Key = "k", ContentBody = $"v{i}", IfNoneMatch = "*", UseChunkEncoding = false });
                return true;
            }
            catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.PreconditionFailed)
            {
                return false;
            }
        }));
        Assert.That(outcomes.Count(o => o), Is.EqualTo(1));
    }

    [Test]
    public async Task PutsUnderABucketMetricFilterCountAsItsPutRequests()
    {
        var stack = Repo.Stack();
        var (_, metric) = stack.Resources("aws_s3_bucket_metric").Single();
        var bucket = stack.Resolve(metric["bucket"]!.GetValue<string>());
        var prefix = metric["filter"]!["prefix"]!.GetValue<string>();
        var metrics = new CollectedMetrics();
        await using var front = new S3Front(_s3.Endpoint, stack, metrics, TimeProvider.System);
        front.Start();
        using var s3 = S3(front.Endpoint);
        await s3.PutBucketAsync(bucket);
        await s3.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = prefix + "x/1", ContentBody = "{}" });
        await s3.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = "elsewhere/1", ContentBody = "{}" });
        Assert.That(metrics.Sum("AWS/S3", "PutRequests", "FilterId", metric["name"]!.GetValue<string>()), Is.EqualTo(1));
    }

    [Test]
    public async Task TheSqsClientAcceptsTheLocalQueuesAnswersIncludingAttributeDigests()
    {
        var stack = Repo.Stack();
        var metrics = new CollectedMetrics();
        await using var sqs = LocalSqs.FromStack(stack, metrics, TimeProvider.System);
        var (address, body) = stack.Resources("aws_sqs_queue").First();
        var url = stack.Resolve($"${{aws_sqs_queue.{address}.url}}");
        using var client = new AmazonSQSClient(new BasicAWSCredentials("x", "y"), new AmazonSQSConfig { ServiceURL = sqs.Endpoint, AuthenticationRegion = "us-east-1" });
        var sent = await client.SendMessageAsync(new SendMessageRequest
        {
            QueueUrl = url,
            MessageBody = "{\"a\":\"ü\"}",
            MessageAttributes = new Dictionary<string, MessageAttributeValue>
            {
                ["reason"] = new() { DataType = "String", StringValue = "Invalid" },
                ["quarantineId"] = new() { DataType = "String", StringValue = "q-1" },
            },
        });
        var received = await client.ReceiveMessageAsync(new ReceiveMessageRequest { QueueUrl = url, MaxNumberOfMessages = 10, MessageAttributeNames = ["All"] });
        var name = body["name"]!.GetValue<string>();
        Assert.Multiple(() =>
        {
            Assert.That(sent.MessageId, Is.Not.Empty);
            Assert.That(received.Messages.Single().Body, Is.EqualTo("{\"a\":\"ü\"}"));
            Assert.That(received.Messages.Single().MessageAttributes["reason"].StringValue, Is.EqualTo("Invalid"));
            Assert.That(sqs.Messages(name), Has.Count.EqualTo(1));
            Assert.That(metrics.Points.Last(p => p.Name == "ApproximateNumberOfMessagesVisible").Value, Is.EqualTo(0), "received, so no longer visible");
        });
        Assert.ThrowsAsync<QueueDoesNotExistException>(() => client.SendMessageAsync(url + "-nope", "x"));
    }

    [Test]
    public void AttributeDigestFollowsTheDocumentedEncoding()
    {
        // "Calculating the MD5 message digest for message attributes": sorted by name; lengths are 4-byte big-endian;
        // transport type 1 for String. Computed by hand for one attribute: name "a", type "String", value "b".
        var expected = Convert.ToHexStringLower(System.Security.Cryptography.MD5.HashData(
            [0, 0, 0, 1, (byte)'a', 0, 0, 0, 6, .. "String"u8.ToArray(), 1, 0, 0, 0, 1, (byte)'b']));
        Assert.That(LocalSqs.AttributesMd5([("a", "String", "b")]), Is.EqualTo(expected));
    }
}
