using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Amazon.Runtime;
using FraudTf.Functions.Shared.Events;
using FraudTf.Local.Stack;
using FraudTf.Local.Streaming;
using FraudTf.Redrive;

namespace FraudTf.Local.Tests.Streaming;

/// <summary>
/// The local Kinesis event source mapping against a scripted stream and function, one documented behaviour per test
/// (Lambda developer guide: "Using Lambda with Kinesis Data Streams", "Configuring partial batch response with Kinesis",
/// "Retain discarded batch records for a Kinesis Data Streams event source").
/// </summary>
[TestFixture]
public class KinesisEventSourceMappingTests
{
    private const string Shard = "shardId-000000000000";

    /// <summary>A stack with one stream, one function (role r) and one mapping with <paramref name="mapping"/>'s arguments.</summary>
    internal static LocalStack Stack(JsonObject mapping)
    {
        mapping["event_source_arn"] = "${aws_kinesis_stream.s.arn}";
        mapping["function_name"] = "${aws_lambda_function.f.arn}";
        mapping["starting_position"] ??= "TRIM_HORIZON";
        mapping["destination_config"] ??= new JsonObject { ["on_failure"] = new JsonObject { ["destination_arn"] = "${aws_s3_bucket.b.arn}" } };
        var json = new JsonObject
        {
            ["provider"] = new JsonObject { ["aws"] = new JsonArray(new JsonObject { ["region"] = "eu-west-1", ["allowed_account_ids"] = new JsonArray("123456789012") }) },
            ["resource"] = new JsonObject
            {
                ["aws_kinesis_stream"] = new JsonObject { ["s"] = new JsonObject { ["name"] = "tx" } },
                ["aws_iam_role"] = new JsonObject { ["r"] = new JsonObject { ["name"] = "fn-role" } },
                ["aws_lambda_function"] = new JsonObject { ["f"] = new JsonObject { ["function_name"] = "fn", ["role"] = "${aws_iam_role.r.arn}" } },
                ["aws_s3_bucket"] = new JsonObject { ["b"] = new JsonObject { ["bucket"] = "failed-batches" } },
                ["aws_lambda_event_source_mapping"] = new JsonObject { ["m"] = mapping },
            },
        };
        return LocalStack.FromJson("/repo/cdktf.out/stacks/fraud-detection-test/cdk.tf.json", json);
    }

    private static (KinesisEventSourceMapping Esm, MemoryDestination Failed, MemoryMetrics Metrics) Mapping(JsonObject args, IKinesisApi kinesis, IFunctionInvoker function, TimeProvider? time = null)
    {
        var failed = new MemoryDestination();
        var metrics = new MemoryMetrics();
        var esm = KinesisEventSourceMapping.FromStack(Stack(args), "m", kinesis, function, failed, metrics, time ?? TimeProvider.System);
        esm.PollInterval = TimeSpan.FromMilliseconds(10);
        esm.RetryBackoff = _ => TimeSpan.Zero;
        return (esm, failed, metrics);
    }

    private static Task Run(KinesisEventSourceMapping esm) => Runner.RunUntilDrained(esm.Run, esm.Drain);

    [Test]
    public async Task BatchesHoldAtMostBatchSizeRecords()
    {
        var kinesis = new FakeKinesis(TimeProvider.System, Shard);
        var records = Enumerable.Range(0, 7).Select(i => kinesis.Add("k", $"r{i}")).ToList();
        var function = new ScriptedFunction("fn", (_, _) => ScriptedFunction.Ok());
        var (esm, _, _) = Mapping(new JsonObject { ["batch_size"] = 3 }, kinesis, function);

        await Run(esm);

        Assert.Multiple(() =>
        {
            Assert.That(function.Batches.Select(b => b.Sequences.Count), Is.EqualTo(new[] { 3, 3, 1 }));
            Assert.That(function.Batches.SelectMany(b => b.Sequences), Is.EqualTo(records.Select(r => r.SequenceNumber)));
            Assert.That(esm.Counters.RecordsDelivered, Is.EqualTo(7));
            Assert.That(esm.Counters.Checkpoints[Shard], Is.EqualTo(records[^1].SequenceNumber));
        });
    }

    [Test]
    public async Task TheBatchingWindowGathersRecordsThatArriveWithinIt()
    {
        // "maximum_batching_window_in_seconds": Lambda waits up to the window to fill a batch before invoking.
        var kinesis = new FakeKinesis(TimeProvider.System, Shard);
        kinesis.Add("k", "first");
        var function = new ScriptedFunction("fn", (_, _) => ScriptedFunction.Ok());
        var (esm, _, _) = Mapping(new JsonObject { ["batch_size"] = 100, ["maximum_batching_window_in_seconds"] = 1 }, kinesis, function);
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var started = DateTimeOffset.UtcNow;
        var running = esm.Run(stop.Token);
        await Task.Delay(300);
        kinesis.Add("k", "second");
        kinesis.Add("k", "third");
        await esm.Drain(stop.Token);
        var took = DateTimeOffset.UtcNow - started;
        await stop.CancelAsync();
        await running;

        Assert.Multiple(() =>
        {
            Assert.That(function.Batches.Select(b => b.Sequences.Count), Is.EqualTo(new[] { 3 }), "one invocation with the three records");
            Assert.That(took, Is.GreaterThanOrEqualTo(TimeSpan.FromMilliseconds(900)), "it waited for the window");
        });
    }

    [Test]
    public async Task WithAParallelizationFactorOfTwoTwoBatchesOfAShardRunAtOnceAndEachKeyStaysInOrder()
    {
        var kinesis = new FakeKinesis(TimeProvider.System, Shard);
        var random = new Random(15);
        var written = Enumerable.Range(0, 60).Select(i => kinesis.Add($"user-{random.Next(8)}", $"r{i}")).ToList();
        var function = new ScriptedFunction("fn", (_, _) => ScriptedFunction.Ok()) { Delay = TimeSpan.FromMilliseconds(30) };
        var (esm, _, _) = Mapping(new JsonObject { ["batch_size"] = 5, ["parallelization_factor"] = 2 }, kinesis, function);

        await Run(esm);

        var delivered = function.Batches.OrderBy(b => b.Call).SelectMany(b => b.Sequences.Zip(b.Keys)).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(function.MaxConcurrency, Is.EqualTo(2), "two lanes of one shard invoked concurrently");
            Assert.That(delivered.Select(d => d.First), Is.EquivalentTo(written.Select(w => w.SequenceNumber)), "each record once");
            foreach (var key in written.Select(w => w.PartitionKey).Distinct())
            {
                var order = delivered.Where(d => d.Second == key).Select(d => d.First).ToList();
                Assert.That(order, Is.EqualTo(written.Where(w => w.PartitionKey == key).Select(w => w.SequenceNumber)), $"records of {key} in order");
            }

            Assert.That(function.Batches.All(b => b.Keys.Select(Lane).Distinct().Count() == 1), "a batch holds the keys of one lane");
        });

        static int Lane(string key) => (int)(BitConverter.ToUInt64(System.Security.Cryptography.MD5.HashData(Encoding.UTF8.GetBytes(key)), 0) % 2);
    }

    [Test]
    public async Task APartialBatchResponseRetriesFromTheLowestReportedRecordAndNotTheOnesBefore()
    {
        var kinesis = new FakeKinesis(TimeProvider.System, Shard);
        var r = Enumerable.Range(0, 5).Select(i => kinesis.Add("k", $"r{i}")).ToList();
        var function = new ScriptedFunction("fn", (_, call) => call == 1 ? ScriptedFunction.Report(r[3].SequenceNumber, r[2].SequenceNumber) : ScriptedFunction.Ok());
        var (esm, failed, _) = Mapping(new JsonObject { ["batch_size"] = 10, ["function_response_types"] = new JsonArray("ReportBatchItemFailures") }, kinesis, function);

        await Run(esm);

        var batches = function.Batches.OrderBy(b => b.Call).Select(b => b.Sequences).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(batches, Has.Count.EqualTo(2));
            Assert.That(batches[1], Is.EqualTo(r.Skip(2).Select(x => x.SequenceNumber)), "r2 (lowest reported) and every record after it come again; r0, r1 do not");
            Assert.That(esm.Counters.RetriedBatches, Is.EqualTo(1));
            Assert.That(esm.Counters.RecordsInvoked, Is.EqualTo(5 + 3), "every attempt counts its records: 5, then r2..r4 again");
            Assert.That(esm.Counters.RecordsDelivered, Is.EqualTo(5), "each record delivered once");
            Assert.That(failed.Sent, Is.Empty);
            Assert.That(esm.Counters.Checkpoints[Shard], Is.EqualTo(r[4].SequenceNumber));
        });
    }

    [TestCase("thrown")]
    [TestCase("first record reported")]
    [TestCase("unknown item identifier")]
    public async Task AFunctionErrorOrAFailureOfTheFirstRecordRetriesTheWholeBatch(string failure)
    {
        var kinesis = new FakeKinesis(TimeProvider.System, Shard);
        var r = Enumerable.Range(0, 4).Select(i => kinesis.Add("k", $"r{i}")).ToList();
        var function = new ScriptedFunction("fn", (_, call) => call > 1 ? ScriptedFunction.Ok() : failure switch
        {
            "thrown" => ScriptedFunction.Error(),
            "first record reported" => ScriptedFunction.Report(r[0].SequenceNumber, r[2].SequenceNumber),
            _ => ScriptedFunction.Report("12345"),
        });
        var (esm, _, _) = Mapping(new JsonObject { ["batch_size"] = 10, ["function_response_types"] = new JsonArray("ReportBatchItemFailures") }, kinesis, function);

        await Run(esm);

        var batches = function.Batches.OrderBy(b => b.Call).Select(b => b.Sequences).ToList();
        Assert.That(batches, Is.EqualTo(new[] { r.Select(x => x.SequenceNumber).ToList(), r.Select(x => x.SequenceNumber).ToList() }));
    }

    [Test]
    public async Task BisectIsolatesOnePoisonRecordInLog2NSplitsWithoutUsingRetriesAndDiscardsOnlyIt()
    {
        var kinesis = new FakeKinesis(TimeProvider.System, Shard);
        var r = Enumerable.Range(0, 8).Select(i => kinesis.Add("k", i == 5 ? "poison" : $"r{i}")).ToList();
        var poison = Convert.ToBase64String(Encoding.UTF8.GetBytes("poison"));
        var function = new ScriptedFunction("fn", (records, _) =>
            records.Any(x => x["kinesis"]!["data"]!.GetValue<string>() == poison) ? ScriptedFunction.Error() : ScriptedFunction.Ok());
        var (esm, failed, _) = Mapping(new JsonObject { ["batch_size"] = 8, ["bisect_batch_on_function_error"] = true, ["maximum_retry_attempts"] = 2 }, kinesis, function);

        await Run(esm);

        var discarded = failed.Sent.Single();
        var (parsed, problem) = InvocationRecord.Parse(Encoding.UTF8.GetBytes(discarded.InvocationRecord.ToJsonString()));
        Assert.Multiple(() =>
        {
            Assert.That(esm.Counters.Bisections, Is.EqualTo(3), "8 -> 4 -> 2 -> 1: log2(8) splits");
            Assert.That(esm.Counters.RetriedBatches, Is.EqualTo(2), "only the single poison record used retries");
            Assert.That(esm.Counters.RecordsDelivered, Is.EqualTo(7));
            Assert.That(problem, Is.Null);
            Assert.That(parsed!.Condition, Is.EqualTo("RetryAttemptsExhausted"));
            Assert.That(parsed.Batch.StartSequenceNumber, Is.EqualTo(r[5].SequenceNumber));
            Assert.That(parsed.Batch.BatchSize, Is.EqualTo(1));
            Assert.That(parsed.PayloadRecords!.Single().Data, Is.EqualTo(Encoding.UTF8.GetBytes("poison")));
            Assert.That(discarded.InvocationRecord["requestContext"]!["approximateInvokeCount"]!.GetValue<int>(), Is.EqualTo(3), "the first try and two retries");
            Assert.That(esm.Counters.Checkpoints[Shard], Is.EqualTo(r[7].SequenceNumber), "the shard moved past the discarded record");
        });
    }

    [Test]
    public async Task AfterTheRetriesTheBatchIsDiscardedToTheDestinationWithTheDocumentedRecordThatRedriveParses()
    {
        var kinesis = new FakeKinesis(TimeProvider.System, Shard);
        var r = Enumerable.Range(0, 3).Select(i => kinesis.Add($"k{i}", $"{{\"transactionId\":\"t{i}\"}}")).ToList();
        var function = new ScriptedFunction("fn", (_, _) => ScriptedFunction.Error());
        var (esm, failed, _) = Mapping(new JsonObject { ["batch_size"] = 10, ["maximum_retry_attempts"] = 2 }, kinesis, function);

        await Run(esm);

        var sent = failed.Sent.Single();
        var body = sent.InvocationRecord;
        var (parsed, problem) = InvocationRecord.Parse(Encoding.UTF8.GetBytes(body.ToJsonString()));
        Assert.Multiple(() =>
        {
            Assert.That(function.Batches, Has.Count.EqualTo(3), "the first try and maximum_retry_attempts (2) retries");
            Assert.That(esm.Counters.DiscardedBatches, Is.EqualTo(1));
            Assert.That(esm.Counters.DiscardedRecords, Is.EqualTo(3));
            Assert.That(sent.ShardId, Is.EqualTo(Shard));
            Assert.That(sent.MappingUuid, Is.EqualTo(esm.Settings.Uuid));
            Assert.That(body["requestContext"]!["functionArn"]!.GetValue<string>(), Is.EqualTo("arn:aws:lambda:eu-west-1:123456789012:function:fn"));
            Assert.That(body["responseContext"]!["functionError"]!.GetValue<string>(), Is.EqualTo("Unhandled"));
            Assert.That(body["version"]!.GetValue<string>(), Is.EqualTo("1.0"));
            Assert.That(body["KinesisBatchInfo"]!["approximateArrivalOfFirstRecord"]!.GetValue<string>(), Does.Match(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$"));
            Assert.That(body["payload"]!.GetValueKind(), Is.EqualTo(JsonValueKind.String), "the payload is the invocation event as a JSON string");
            Assert.That(problem, Is.Null);
            Assert.That(parsed!.Batch, Is.EqualTo(new BatchInfo(Shard, r[0].SequenceNumber, r[2].SequenceNumber, 3, "arn:aws:kinesis:eu-west-1:123456789012:stream/tx")));
            Assert.That(parsed.PayloadRecords!.Select(p => (p.SequenceNumber, p.PartitionKey, Encoding.UTF8.GetString(p.Data))),
                Is.EqualTo(r.Select(x => (x.SequenceNumber, x.PartitionKey, Encoding.UTF8.GetString(x.Data)))));
        });
    }

    [Test]
    public async Task WithRetriesMinusOneAFailingBatchIsRetriedUntilItsRecordsAreOlderThanTheMaximumAge()
    {
        var clock = new ShiftableClock();
        var kinesis = new FakeKinesis(clock, Shard);
        kinesis.Add("k", "r0");
        kinesis.Add("k", "r1");
        var function = new ScriptedFunction("fn", (_, call) =>
        {
            if (call == 10)
            {
                clock.Advance(TimeSpan.FromSeconds(61));
            }

            return ScriptedFunction.Error();
        });
        var (esm, failed, _) = Mapping(new JsonObject { ["maximum_retry_attempts"] = -1, ["maximum_record_age_in_seconds"] = 60 }, kinesis, function, clock);

        await Run(esm);

        var (parsed, _) = InvocationRecord.Parse(Encoding.UTF8.GetBytes(failed.Sent.Single().InvocationRecord.ToJsonString()));
        Assert.Multiple(() =>
        {
            Assert.That(function.Batches, Has.Count.EqualTo(10), "retried without limit while the records were young enough");
            Assert.That(parsed!.Condition, Is.EqualTo("RecordAgeExceeded"));
            Assert.That(parsed.Batch.BatchSize, Is.EqualTo(2));
        });
    }

    [Test]
    public async Task TheEventIsTheOneLambdaSendsAndIteratorAgesAreMeasured()
    {
        var kinesis = new FakeKinesis(TimeProvider.System, Shard);
        var record = kinesis.Add("user-1", "{\"a\":1}");
        var function = new ScriptedFunction("fn", (_, _) => ScriptedFunction.Ok());
        var (esm, _, metrics) = Mapping(new JsonObject(), kinesis, function);

        await Run(esm);

        var json = JsonNode.Parse(function.Payloads.Single())!["Records"]![0]!.AsObject();
        var typed = JsonSerializer.Deserialize(function.Payloads.Single(), EventJsonContext.Default.KinesisEvent)!.Records.Single();
        Assert.Multiple(() =>
        {
            Assert.That(json["eventSource"]!.GetValue<string>(), Is.EqualTo("aws:kinesis"));
            Assert.That(json["eventVersion"]!.GetValue<string>(), Is.EqualTo("1.0"));
            Assert.That(json["eventName"]!.GetValue<string>(), Is.EqualTo("aws:kinesis:record"));
            Assert.That(json["invokeIdentityArn"]!.GetValue<string>(), Is.EqualTo("arn:aws:iam::123456789012:role/fn-role"));
            Assert.That(json["awsRegion"]!.GetValue<string>(), Is.EqualTo("eu-west-1"));
            Assert.That(json["kinesis"]!["kinesisSchemaVersion"]!.GetValue<string>(), Is.EqualTo("1.0"));
            Assert.That(typed.EventId, Is.EqualTo($"{Shard}:{record.SequenceNumber}"));
            Assert.That(typed.ShardId, Is.EqualTo(Shard));
            Assert.That(typed.EventSourceArn, Is.EqualTo("arn:aws:kinesis:eu-west-1:123456789012:stream/tx"));
            Assert.That(typed.Kinesis.PartitionKey, Is.EqualTo("user-1"));
            Assert.That(Encoding.UTF8.GetString(Convert.FromBase64String(typed.Kinesis.Data)), Is.EqualTo("{\"a\":1}"));
            Assert.That(typed.Kinesis.ApproximateArrivalTimestamp, Is.EqualTo(record.ApproximateArrivalTimestamp!.Value.ToUnixTimeMilliseconds() / 1000.0).Within(0.001));
            Assert.That(metrics.Points.Where(p => p is { Namespace: "AWS/Lambda", Name: "IteratorAge" }).Select(p => p.Dimensions["FunctionName"]), Has.Member("fn"));
            Assert.That(metrics.Points.Where(p => p is { Namespace: "AWS/Kinesis", Name: "GetRecords.IteratorAgeMilliseconds" }).Select(p => p.Dimensions["StreamName"]), Has.Member("tx"));
            Assert.That(metrics.Points.Where(p => p.Name == "IteratorAge").Select(p => p.Value), Has.All.GreaterThanOrEqualTo(0));
        });
    }

    [Test]
    public void TheS3ObjectKeyHasTheDocumentedLayout()
    {
        var key = S3FailedBatchDestination.ObjectKey("a1b2c3d4-0000-4000-8000-000000000000", Shard, new DateTimeOffset(2026, 12, 2, 9, 5, 7, TimeSpan.Zero), Guid.Empty);
        Assert.That(key, Is.EqualTo($"aws/lambda/a1b2c3d4-0000-4000-8000-000000000000/{Shard}/2026/12/02/2026-12-02T09.05.07-{Guid.Empty}"));
    }

    [Test]
    public void TheDevStacksMappingSettingsAreTakenFromItsBlock()
    {
        var stack = Repo.Stack("dev");
        var (name, body) = stack.Resources("aws_lambda_event_source_mapping").Single();
        var functionName = stack.Resolve(body["function_name"]!.GetValue<string>()).Split(':')[^1];
        var esm = KinesisEventSourceMapping.FromStack(stack, name, new FakeKinesis(TimeProvider.System), new ScriptedFunction(functionName, (_, _) => ScriptedFunction.Ok()),
            new MemoryDestination(), new MemoryMetrics(), TimeProvider.System);
        var s = esm.Settings;
        var bucket = stack.Resources("aws_s3_bucket").Single(b => b.Name.Contains("failed-batches", StringComparison.Ordinal)).Body["bucket"]!.GetValue<string>();
        Assert.Multiple(() =>
        {
            Assert.That(s.BatchSize, Is.EqualTo(body["batch_size"]!.GetValue<int>()));
            Assert.That(s.BatchingWindow, Is.EqualTo(TimeSpan.FromSeconds(body["maximum_batching_window_in_seconds"]!.GetValue<int>())));
            Assert.That(s.ParallelizationFactor, Is.EqualTo(body["parallelization_factor"]!.GetValue<int>()));
            Assert.That(s.BisectBatchOnFunctionError, Is.EqualTo(body["bisect_batch_on_function_error"]!.GetValue<bool>()));
            Assert.That(s.MaximumRetryAttempts, Is.EqualTo(body["maximum_retry_attempts"]!.GetValue<int>()));
            Assert.That(s.MaximumRecordAgeSeconds, Is.EqualTo(body["maximum_record_age_in_seconds"]!.GetValue<int>()));
            Assert.That(s.ReportBatchItemFailures, Is.True);
            Assert.That(s.StartingPosition, Is.EqualTo(body["starting_position"]!.GetValue<string>()));
            Assert.That(s.StreamName, Is.EqualTo("fraud-detection-transactions-dev"));
            Assert.That(s.FunctionName, Is.EqualTo("fraud-detection-stream-processor-dev"));
            Assert.That(s.OnFailureDestinationArn, Is.EqualTo($"arn:aws:s3:::{bucket}"));
            Assert.That(S3FailedBatchDestination.FromStack(stack, name, new Amazon.S3.AmazonS3Client(new AnonymousAWSCredentials(), Amazon.RegionEndpoint.USEast1)).Bucket, Is.EqualTo(bucket));
            Assert.That(s.Uuid, Is.EqualTo(KinesisEventSourceMapping.FromStack(stack, name, new FakeKinesis(TimeProvider.System), new ScriptedFunction(functionName, (_, _) => ScriptedFunction.Ok()),
                new MemoryDestination(), new MemoryMetrics(), TimeProvider.System).Settings.Uuid), "the UUID is stable");
        });
    }

    [Test]
    public void AnInvokerOfAnotherFunctionIsRefusedWithAFix()
    {
        var e = Assert.Throws<InvalidOperationException>(() => KinesisEventSourceMapping.FromStack(Stack(new JsonObject()), "m", new FakeKinesis(TimeProvider.System),
            new ScriptedFunction("other", (_, _) => ScriptedFunction.Ok()), new MemoryDestination(), new MemoryMetrics(), TimeProvider.System));
        Assert.That(e!.Message, Does.Contain("Fix:"));
    }

    [Test]
    [Category("Integration")]
    public async Task TheS3DestinationWritesOneObjectPerDiscardedBatchUnderTheDocumentedKeyAndRedriveParsesIt()
    {
        await using var s3rver = await Engine.S3rver();
        using var s3 = new Amazon.S3.AmazonS3Client(new BasicAWSCredentials("S3RVER", "S3RVER"),
            new Amazon.S3.AmazonS3Config { ServiceURL = s3rver.Endpoint, ForcePathStyle = true, AuthenticationRegion = "us-east-1" });
        await s3.PutBucketAsync("failed-batches");
        var kinesis = new FakeKinesis(TimeProvider.System, Shard);
        var r = kinesis.Add("user-1", "{\"transactionId\":\"t-1\"}");
        var function = new ScriptedFunction("fn", (_, _) => ScriptedFunction.Error());
        var stack = Stack(new JsonObject { ["maximum_retry_attempts"] = 0 });
        var destination = S3FailedBatchDestination.FromStack(stack, "m", s3);
        var esm = KinesisEventSourceMapping.FromStack(stack, "m", kinesis, function, destination, new MemoryMetrics(), TimeProvider.System);
        esm.PollInterval = TimeSpan.FromMilliseconds(10);

        await Run(esm);

        var listed = await s3.ListObjectsV2Async(new Amazon.S3.Model.ListObjectsV2Request { BucketName = "failed-batches" });
        var key = listed.S3Objects.Single().Key;
        using var got = await s3.GetObjectAsync("failed-batches", key);
        using var bytes = new MemoryStream();
        await got.ResponseStream.CopyToAsync(bytes);
        var (parsed, problem) = InvocationRecord.Parse(bytes.ToArray());
        Assert.Multiple(() =>
        {
            Assert.That(key, Does.Match($@"^aws/lambda/{esm.Settings.Uuid}/{Shard}/\d{{4}}/\d\d/\d\d/\d{{4}}-\d\d-\d\dT\d\d\.\d\d\.\d\d-[0-9a-f-]{{36}}$"));
            Assert.That(problem, Is.Null);
            Assert.That(parsed!.Condition, Is.EqualTo("RetryAttemptsExhausted"));
            Assert.That(parsed.PayloadRecords!.Single().SequenceNumber, Is.EqualTo(r.SequenceNumber));
            Assert.That(parsed.PayloadRecords!.Single().Data, Is.EqualTo(r.Data));
        });
    }

    [Test]
    [Category("Integration")]
    public async Task AgainstKinesaliteEveryRecordOfEveryShardIsDeliveredOnceAndCheckpointed()
    {
        await using var engine = await Engine.Kinesalite();
        using var http = new HttpClient();
        var kinesis = new KinesisApi(http, new Uri(engine.Endpoint), "eu-west-1", () => Task.FromResult(new ImmutableCredentials("local", "local", null)), TimeProvider.System);
        await kinesis.Invoke("CreateStream", new JsonObject { ["StreamName"] = "tx", ["ShardCount"] = 2 }, CancellationToken.None);
        var put = (await kinesis.PutRecords("tx", Enumerable.Range(0, 20).Select(i => ($"user-{i % 5}", Encoding.UTF8.GetBytes($"r{i}"))).ToList(), CancellationToken.None)).Records;
        Assert.That(put.Select(p => p.ErrorCode), Has.All.Null);
        var function = new ScriptedFunction("fn", (_, _) => ScriptedFunction.Ok());
        var (esm, _, _) = Mapping(new JsonObject { ["batch_size"] = 4, ["parallelization_factor"] = 2 }, kinesis, function);

        await Run(esm);

        var events = function.Payloads.SelectMany(p => JsonSerializer.Deserialize(p, EventJsonContext.Default.KinesisEvent)!.Records).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(events.Select(e => e.Kinesis.SequenceNumber), Is.EquivalentTo(put.Select(p => p.SequenceNumber)));
            Assert.That(events.Select(e => e.ShardId).Distinct().Count(), Is.EqualTo(put.Select(p => p.ShardId).Distinct().Count()));
            Assert.That(events.Select(e => e.Kinesis.ApproximateArrivalTimestamp), Has.All.GreaterThan(1_700_000_000));
            foreach (var shard in put.GroupBy(p => p.ShardId))
            {
                Assert.That(esm.Counters.Checkpoints[shard.Key!], Is.EqualTo(shard.Last().SequenceNumber), $"checkpoint of {shard.Key}");
            }
        });
    }
}
