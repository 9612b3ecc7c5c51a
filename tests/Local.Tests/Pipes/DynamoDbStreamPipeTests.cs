using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json.Nodes;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Amazon.Runtime;
using FraudTf.Local.Pipes;
using FraudTf.Local.Stack;
using FraudTf.Local.Tests.Streaming;

namespace FraudTf.Local.Tests.Pipes;

/// <summary>A DynamoDB stream in memory: one shard, iterators "shard|index".</summary>
internal sealed class FakeStreams : IDynamoDbStreamsApi
{
    public const string Shard = "shardId-00000001-aaaa";
    private readonly List<JsonObject> _records = [];

    public void Add(JsonObject record)
    {
        lock (_records)
        {
            _records.Add(record);
        }
    }

    public Task<IReadOnlyList<DynamoDbShard>> Shards(string streamArn, CancellationToken ct) => Task.FromResult<IReadOnlyList<DynamoDbShard>>([new DynamoDbShard(Shard, null)]);

    public Task<string> ShardIterator(string streamArn, string shardId, string iteratorType, string? sequenceNumber, CancellationToken ct)
    {
        lock (_records)
        {
            var index = iteratorType switch
            {
                "TRIM_HORIZON" => 0,
                "LATEST" => _records.Count,
                _ => _records.FindIndex(r => r["dynamodb"]!["SequenceNumber"]!.GetValue<string>() == sequenceNumber) + 1,
            };
            return Task.FromResult($"{shardId}|{index}");
        }
    }

    public Task<DynamoDbRecordsPage> GetRecords(string shardIterator, int limit, CancellationToken ct)
    {
        lock (_records)
        {
            var index = int.Parse(shardIterator.Split('|')[1], CultureInfo.InvariantCulture);
            var page = _records.Skip(index).Take(limit).Select(r => r.DeepClone().AsObject()).ToList();
            return Task.FromResult(new DynamoDbRecordsPage(page, $"{Shard}|{index + page.Count}"));
        }
    }
}

/// <summary>A target whose answer a test scripts; it records every put.</summary>
internal sealed class ScriptedTarget(Func<IReadOnlyList<JsonObject>, int, PipeTargetResult> answer) : IPipeTarget
{
    private int _calls;

    public ConcurrentQueue<(int Call, IReadOnlyList<JsonObject> Events, string Source, string DetailType)> Puts { get; } = new();

    public Task<PipeTargetResult> Put(IReadOnlyList<string> transformedEvents, string source, string detailType, CancellationToken ct)
    {
        var call = Interlocked.Increment(ref _calls);
        var events = transformedEvents.Select(e => JsonNode.Parse(e)!.AsObject()).ToList();
        Puts.Enqueue((call, events, source, detailType));
        return Task.FromResult(answer(events, call));
    }
}

/// <summary>
/// The local DynamoDB stream pipe against a scripted stream and target, one documented behaviour per test (EventBridge
/// user guide: "Amazon DynamoDB stream as a source for EventBridge Pipes", "Event filtering in Amazon EventBridge Pipes",
/// "Amazon EventBridge Pipes input transformation", partial batch failure with AUTOMATIC_BISECT, "error handling").
/// </summary>
[TestFixture]
public class DynamoDbStreamPipeTests
{
    private const string StreamArn = "arn:aws:dynamodb:eu-west-1:123456789012:table/t/stream/2026-12-02T00:00:00.000";
    private static int _seq = 1000;

    private static LocalStack Stack(JsonObject streamParameters, string? filter = "{\"eventName\":[\"INSERT\"]}", string? template = "{\"id\":\"<$.dynamodb.NewImage.id.S>\",\"recordId\":\"<$.eventID>\"}")
    {
        streamParameters["starting_position"] ??= "TRIM_HORIZON";
        streamParameters["dead_letter_config"] ??= new JsonObject { ["arn"] = "${aws_sqs_queue.dlq.arn}" };
        var source = new JsonObject { ["dynamodb_stream_parameters"] = streamParameters };
        if (filter is not null)
        {
            source["filter_criteria"] = new JsonObject { ["filter"] = new JsonArray(new JsonObject { ["pattern"] = filter }) };
        }

        var target = new JsonObject { ["eventbridge_event_bus_parameters"] = new JsonObject { ["source"] = "test.source", ["detail_type"] = "Thing" } };
        if (template is not null)
        {
            target["input_template"] = template;
        }

        var json = new JsonObject
        {
            ["provider"] = new JsonObject { ["aws"] = new JsonArray(new JsonObject { ["region"] = "eu-west-1", ["allowed_account_ids"] = new JsonArray("123456789012") }) },
            ["resource"] = new JsonObject
            {
                ["aws_sqs_queue"] = new JsonObject { ["dlq"] = new JsonObject { ["name"] = "the-dlq" } },
                ["aws_pipes_pipe"] = new JsonObject { ["p"] = new JsonObject { ["name"] = "the-pipe", ["source_parameters"] = source, ["target_parameters"] = target } },
            },
        };
        return LocalStack.FromJson("/repo/cdktf.out/stacks/fraud-detection-test/cdk.tf.json", json);
    }

    internal static JsonObject Record(string eventName, string id, JsonObject? newImage = null, TimeProvider? clock = null)
    {
        var seq = Interlocked.Increment(ref _seq);
        return new JsonObject
        {
            ["eventID"] = $"ev-{seq}",
            ["eventName"] = eventName,
            ["eventVersion"] = "1.1",
            ["eventSource"] = "aws:dynamodb",
            ["awsRegion"] = "eu-west-1",
            ["dynamodb"] = new JsonObject
            {
                ["ApproximateCreationDateTime"] = (clock ?? TimeProvider.System).GetUtcNow().ToUnixTimeSeconds(),
                ["Keys"] = new JsonObject { ["id"] = new JsonObject { ["S"] = id } },
                ["NewImage"] = newImage ?? new JsonObject { ["id"] = new JsonObject { ["S"] = id } },
                ["SequenceNumber"] = $"{seq}00000000000000000",
                ["SizeBytes"] = 42,
                ["StreamViewType"] = "NEW_IMAGE",
            },
        };
    }

    private static (DynamoDbStreamPipe Pipe, MemoryQueues Dlq, MemoryMetrics Metrics) Pipe(LocalStack stack, string name, IDynamoDbStreamsApi streams, IPipeTarget target, string streamArn = StreamArn)
    {
        var dlq = new MemoryQueues();
        var metrics = new MemoryMetrics();
        var pipe = DynamoDbStreamPipe.FromStack(stack, name, streams, streamArn, target, dlq, metrics, TimeProvider.System);
        pipe.PollInterval = TimeSpan.FromMilliseconds(10);
        pipe.RetryBackoff = _ => TimeSpan.Zero;
        return (pipe, dlq, metrics);
    }

    private static Task Run(DynamoDbStreamPipe pipe) => Runner.RunUntilDrained(pipe.Run, pipe.Drain);

    [Test]
    public async Task TheFilterDropsNonMatchingRecordsBeforeBatching()
    {
        var streams = new FakeStreams();
        var records = new[] { Record("INSERT", "a"), Record("MODIFY", "a"), Record("REMOVE", "a"), Record("INSERT", "b"), Record("INSERT", "c") };
        foreach (var r in records)
        {
            streams.Add(r);
        }

        var target = new ScriptedTarget((_, _) => PipeTargetResult.Success);
        var (pipe, _, _) = Pipe(Stack(new JsonObject { ["batch_size"] = 2 }), "p", streams, target);

        await Run(pipe);

        Assert.Multiple(() =>
        {
            Assert.That(target.Puts.Select(p => p.Events.Select(e => e["id"]!.GetValue<string>())), Is.EqualTo(new[] { new[] { "a", "b" }, new[] { "c" } }),
                "the two dropped records did not take places in a batch");
            Assert.That(pipe.Counters.FilteredOut, Is.EqualTo(2));
            Assert.That(pipe.Counters.Checkpoints[FakeStreams.Shard], Is.EqualTo(records[^1]["dynamodb"]!["SequenceNumber"]!.GetValue<string>()));
            Assert.That(target.Puts.Select(p => (p.Source, p.DetailType)).Distinct(), Is.EqualTo(new[] { ("test.source", "Thing") }));
        });
    }

    [Test]
    public async Task TheDevDecisionsPipeTurnsAnAutomatedDeclineRowIntoItsTemplatedEventAndDropsOtherRows()
    {
        var stack = Repo.Stack("dev");
        var (name, body) = stack.Resources("aws_pipes_pipe").Single(p => p.Name.Contains("decisions-pipe", StringComparison.Ordinal));
        static JsonObject S(string v) => new() { ["S"] = v };
        static JsonObject N(string v) => new() { ["N"] = v };
        JsonObject Row(string key, string decision) => new()
        {
            ["transactionId"] = S("tx-1"),
            ["decisionKey"] = S(key),
            ["userId"] = S("u-1"),
            ["decision"] = S(decision),
            ["score"] = N("0.91"),
            ["confidence"] = N("0.8"),
            ["rulesVersion"] = S("rules-v3"),
            ["decidedAt"] = S("2026-11-25T12:00:00Z"),
            ["reasons"] = new JsonObject { ["L"] = new JsonArray(S("velocity"), S("new \"device\"")) },
        };
        var streams = new FakeStreams();
        var decline = Record("INSERT", "tx-1", Row("AUTOMATED", "DECLINE"));
        streams.Add(Record("INSERT", "tx-1", Row("AUTOMATED", "APPROVE")));
        streams.Add(Record("INSERT", "tx-1", Row("ANALYST#1", "DECLINE")));
        streams.Add(decline);
        var target = new ScriptedTarget((_, _) => PipeTargetResult.Success);
        var (pipe, _, _) = Pipe(stack, name, streams, target);

        await Run(pipe);

        var put = target.Puts.Single();
        var expected = new JsonObject
        {
            ["recordId"] = decline["eventID"]!.GetValue<string>(),
            ["transactionId"] = "tx-1",
            ["userId"] = "u-1",
            ["decision"] = "DECLINE",
            ["score"] = "0.91",
            ["confidence"] = "0.8",
            ["rulesVersion"] = "rules-v3",
            ["decidedAt"] = "2026-11-25T12:00:00Z",
            ["reasons"] = new JsonArray(S("velocity"), S("new \"device\"")),
        };
        var bus = body["target_parameters"]!["eventbridge_event_bus_parameters"]!;
        Assert.Multiple(() =>
        {
            Assert.That(JsonNode.DeepEquals(put.Events.Single(), expected), Is.True, put.Events.Single().ToJsonString());
            Assert.That(put.Source, Is.EqualTo(bus["source"]!.GetValue<string>()));
            Assert.That(put.DetailType, Is.EqualTo(bus["detail_type"]!.GetValue<string>()));
            Assert.That(pipe.Counters.FilteredOut, Is.EqualTo(2));
        });
    }

    [Test]
    public async Task APartiallyFailedBatchIsBisectedAndTheFailingRecordEndsInTheDeadLetterQueue()
    {
        var streams = new FakeStreams();
        var records = new[] { "a", "b", "c", "x" }.Select(id => Record("INSERT", id)).ToList();
        records.ForEach(streams.Add);
        var target = new ScriptedTarget((events, _) => new PipeTargetResult(events.Select((e, i) => (e, i)).Where(p => p.e["id"]!.GetValue<string>() == "x").Select(p => p.i).ToList(), "InternalFailure"));
        var (pipe, dlq, metrics) = Pipe(Stack(new JsonObject { ["batch_size"] = 4, ["maximum_retry_attempts"] = 2, ["on_partial_batch_item_failure"] = "AUTOMATIC_BISECT" }), "p", streams, target);

        await Run(pipe);

        var (arn, message) = dlq.Sent.Single();
        var info = JsonNode.Parse(message)!["DDBStreamBatchInfo"]!;
        var xSeq = records[3]["dynamodb"]!["SequenceNumber"]!.GetValue<string>();
        Assert.Multiple(() =>
        {
            Assert.That(target.Puts.OrderBy(p => p.Call).Select(p => string.Join(",", p.Events.Select(e => e["id"]!.GetValue<string>()))),
                Is.EqualTo(new[] { "a,b,c,x", "a,b", "c,x", "c", "x", "x", "x" }), "halved until one failed record is left, then retried twice");
            Assert.That(pipe.Counters.Bisections, Is.EqualTo(2));
            Assert.That(arn, Is.EqualTo("arn:aws:sqs:eu-west-1:123456789012:the-dlq"));
            Assert.That(info["startSequenceNumber"]!.GetValue<string>(), Is.EqualTo(xSeq));
            Assert.That(info["endSequenceNumber"]!.GetValue<string>(), Is.EqualTo(xSeq));
            Assert.That(info["batchSize"]!.GetValue<int>(), Is.EqualTo(1));
            Assert.That(info["shardId"]!.GetValue<string>(), Is.EqualTo(FakeStreams.Shard));
            Assert.That(info["streamArn"]!.GetValue<string>(), Is.EqualTo(StreamArn));
            Assert.That(JsonNode.Parse(message)!["context"]!["condition"]!.GetValue<string>(), Is.EqualTo("RetryAttemptsExhausted"));
            Assert.That(metrics.Points.Count(p => p is { Namespace: "AWS/EventBridge/Pipes", Name: "ExecutionPartiallyFailed", Value: 1 }), Is.EqualTo(2));
            Assert.That(metrics.Points.Count(p => p is { Name: "ExecutionFailed", Value: 1 }), Is.EqualTo(3), "the single x fails as a whole");
            Assert.That(pipe.Counters.Checkpoints[FakeStreams.Shard], Is.EqualTo(xSeq));
        });
    }

    [Test]
    public async Task AfterTheRetriesAFailingBatchGoesToTheDeadLetterQueueAndExecutionFailedIsCounted()
    {
        var streams = new FakeStreams();
        var records = new[] { "a", "b" }.Select(id => Record("INSERT", id)).ToList();
        records.ForEach(streams.Add);
        var target = new ScriptedTarget((_, _) => throw new HttpRequestException("bus down"));
        var (pipe, dlq, metrics) = Pipe(Stack(new JsonObject { ["batch_size"] = 10, ["maximum_retry_attempts"] = 3 }), "p", streams, target);

        await Run(pipe);

        var message = JsonNode.Parse(dlq.Sent.Single().Body)!;
        Assert.Multiple(() =>
        {
            Assert.That(target.Puts, Has.Count.EqualTo(4), "the first try and 3 retries");
            Assert.That(message["DDBStreamBatchInfo"]!["batchSize"]!.GetValue<int>(), Is.EqualTo(2));
            Assert.That(message["context"]!["approximateInvokeCount"]!.GetValue<int>(), Is.EqualTo(4));
            Assert.That(metrics.Points.Where(p => p is { Name: "ExecutionFailed", Value: 1 }).Select(p => p.Dimensions["PipeName"]), Is.EqualTo(Enumerable.Repeat("the-pipe", 4)));
            Assert.That(metrics.Points.Count(p => p.Name == "Invocations"), Is.EqualTo(4));
            Assert.That(pipe.Counters.DiscardedRecords, Is.EqualTo(2));
        });
    }

    [Test]
    public void TheDevStacksPipeSettingsAreTakenFromItsBlock()
    {
        var stack = Repo.Stack("dev");
        var (name, body) = stack.Resources("aws_pipes_pipe").Single(p => p.Name.Contains("decisions-pipe", StringComparison.Ordinal));
        var p = body["source_parameters"]!["dynamodb_stream_parameters"]!;
        var (pipe, _, _) = Pipe(stack, name, new FakeStreams(), new ScriptedTarget((_, _) => PipeTargetResult.Success));
        var s = pipe.Settings;
        var dlqName = stack.Resources("aws_sqs_queue").Single(q => stack.Resolve($"${{aws_sqs_queue.{q.Name}.arn}}") == stack.Resolve(p["dead_letter_config"]!["arn"]!.GetValue<string>())).Body["name"]!.GetValue<string>();
        Assert.Multiple(() =>
        {
            Assert.That(s.PipeName, Is.EqualTo(body["name"]!.GetValue<string>()));
            Assert.That(s.BatchSize, Is.EqualTo(p["batch_size"]!.GetValue<int>()));
            Assert.That(s.MaximumRetryAttempts, Is.EqualTo(p["maximum_retry_attempts"]!.GetValue<int>()));
            Assert.That(s.MaximumRecordAgeSeconds, Is.EqualTo(p["maximum_record_age_in_seconds"]!.GetValue<int>()));
            Assert.That(s.AutomaticBisect, Is.True);
            Assert.That(s.StartingPosition, Is.EqualTo(p["starting_position"]!.GetValue<string>()));
            Assert.That(s.DeadLetterArn, Is.EqualTo($"arn:aws:sqs:{stack.Region}:{stack.Account}:{dlqName}"));
            Assert.That(s.Filters.Single().ToJsonString(), Is.EqualTo(JsonNode.Parse(body["source_parameters"]!["filter_criteria"]!["filter"]![0]!["pattern"]!.GetValue<string>())!.ToJsonString()));
            Assert.That(s.InputTemplate, Is.EqualTo(body["target_parameters"]!["input_template"]!.GetValue<string>()));
            Assert.That(s.Source, Is.EqualTo("fraud-detection.decisions"));
            Assert.That(s.DetailType, Is.EqualTo("FraudDetected"));
            Assert.That(s.BatchingWindow, Is.EqualTo(TimeSpan.Zero), "maximum_batching_window_in_seconds is not set");
        });
    }

    [Test]
    [Category("Integration")]
    public async Task AgainstDynamoDbLocalStreamsInsertsReachTheTargetInOrderAndModifiesAreFilteredOut()
    {
        await using var engine = await Engine.DynamoDbLocal();
        using var dynamo = new AmazonDynamoDBClient(new BasicAWSCredentials("local", "local"), new AmazonDynamoDBConfig { ServiceURL = engine.Endpoint, AuthenticationRegion = "eu-west-1" });
        var table = await dynamo.CreateTableAsync(new CreateTableRequest
        {
            TableName = "things",
            BillingMode = BillingMode.PAY_PER_REQUEST,
            AttributeDefinitions = [new AttributeDefinition("id", ScalarAttributeType.S)],
            KeySchema = [new KeySchemaElement("id", KeyType.HASH)],
            StreamSpecification = new StreamSpecification { StreamEnabled = true, StreamViewType = StreamViewType.NEW_IMAGE },
        });
        foreach (var (id, v) in new[] { ("a", "1"), ("a", "2"), ("b", "1"), ("c", "1") })
        {
            await dynamo.PutItemAsync("things", new Dictionary<string, AttributeValue> { ["id"] = new() { S = id }, ["v"] = new() { N = v } });
        }

        using var http = new HttpClient();
        var streams = new DynamoDbStreamsApi(http, new Uri(engine.Endpoint), "eu-west-1", () => Task.FromResult(new ImmutableCredentials("local", "local", null)), TimeProvider.System);
        var target = new ScriptedTarget((_, _) => PipeTargetResult.Success);
        var (pipe, dlq, _) = Pipe(Stack(new JsonObject { ["batch_size"] = 10 }), "p", streams, target, table.TableDescription.LatestStreamArn);

        await Run(pipe);

        Assert.Multiple(() =>
        {
            Assert.That(target.Puts.SelectMany(p => p.Events).Select(e => e["id"]!.GetValue<string>()), Is.EqualTo(new[] { "a", "b", "c" }));
            Assert.That(pipe.Counters.FilteredOut, Is.EqualTo(1), "the MODIFY of a");
            Assert.That(dlq.Sent, Is.Empty);
            Assert.That(pipe.LastError, Is.Null);
        });
    }
}
