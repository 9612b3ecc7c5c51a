using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Amazon.S3;
using Amazon.S3.Model;
using FraudTf.Functions.Shared.Events;
using FraudTf.Functions.Shared.Tables;
using FraudTf.Functions.Tests.Agent;
using FraudTf.Functions.Tests.Support;
using FraudTf.Local.Events;
using FraudTf.Local.Pipes;
using AgentFunction = FraudTf.Functions.AgentTools.Function;
using AgentSettings = FraudTf.Functions.AgentTools.Settings;
using AlertFunction = FraudTf.Functions.AlertHandler.Function;
using AlertSettings = FraudTf.Functions.AlertHandler.Settings;
using StreamFunction = FraudTf.Functions.StreamProcessor.Function;
using StreamSettings = FraudTf.Functions.StreamProcessor.Settings;

namespace FraudTf.Functions.Tests.Integration;

/// <summary>
/// The seam from a decision row to an alert, across what no emulator here runs: the real stream processor writes into
/// DynamoDB Local with streams on; the test reads the stream records, applies the decisions pipe's filter and input
/// template taken from the synthesized stack (cdktf.out, <c>make synth</c>) with <see cref="LocalPipes"/> (a small local
/// implementation of the documented Pipes semantics), wraps the result as the pipe's event-bus target would, and feeds
/// it to the real alert handler against DynamoDB Local and s3rver (with S3's conditional writes, <see cref="ConditionalS3"/>).
/// </summary>
[TestFixture]
[NonParallelizable]
public class DecisionsPipeSeamTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);
    private JsonObject _stack = null!;
    private S3rver _s3rver = null!;
    private AmazonS3Client _s3 = null!;
    private IAmazonS3 _conditionalS3 = null!;
    private ConditionalS3 _s3Control = null!;
    private AmazonDynamoDBClient _dynamo = null!;
    private DynamoDbStreams _streams = null!;
    private StreamSettings _streamSettings = null!;
    private AlertSettings _alertSettings = null!;
    private string _decisionsStream = "";
    private string _transactionsStream = "";

    [OneTimeSetUp]
    public async Task Start()
    {
        _stack = SynthesizedStack.LoadOrIgnore();
        _s3rver = await S3rver.Start();
    }

    [OneTimeTearDown]
    public async Task Stop()
    {
        if (_s3rver is not null)
        {
            await _s3rver.DisposeAsync();
        }
    }

    [SetUp]
    public async Task Create()
    {
        _dynamo = DynamoDbLocal.Client();
        _streams = new DynamoDbStreams();
        _s3 = _s3rver.Client();
        (_conditionalS3, _s3Control) = ConditionalS3.Wrap(_s3);
        var prefix = $"s{Guid.NewGuid():N}"[..12];
        await DynamoDbLocal.CreateTables(_dynamo, prefix);
        _decisionsStream = await DynamoDbStreams.Enable(_dynamo, $"{prefix}-decisions", FraudTables.Decisions.StreamViewType!);
        _transactionsStream = await DynamoDbStreams.Enable(_dynamo, $"{prefix}-transactions", FraudTables.Transactions.StreamViewType!);
        _streamSettings = TestSettings.StreamProcessor(prefix);
        _alertSettings = TestSettings.AlertHandler(prefix);
        await _s3.PutBucketAsync(_alertSettings.DecisionTrailsBucket);
        await _s3.PutBucketAsync(_alertSettings.AuditLogsBucket);

        // An active pattern that makes a quasi-cash purchase above 900 a DECLINE (0.6 + high-risk category 0.25).
        await _dynamo.PutItemAsync(new PutItemRequest
        {
            TableName = _streamSettings.PatternsTable,
            Item = new Dictionary<string, AttributeValue>
            {
                ["patternId"] = new() { S = "crypto-cashout" },
                ["version"] = new() { N = "1" },
                ["activeStatus"] = new() { S = "ACTIVE" },
                ["description"] = new() { S = "quasi-cash purchases above 900" },
                ["weight"] = new() { N = "0.6" },
                ["merchantCategories"] = new() { SS = ["6051"] },
                ["minAmount"] = new() { N = "900" },
            },
        });
    }

    [TearDown]
    public void Dispose()
    {
        _streams.Dispose();
        _s3.Dispose();
        _dynamo.Dispose();
    }

    // The account the stack deploys to (the AWS provider's allowed_account_ids: one account per environment).
    private string StackAccount => _stack["provider"]!["aws"]!.AsArray().Single()!["allowed_account_ids"]!.AsArray().Single()!.GetValue<string>();

    private JsonObject DecisionsPipe => SynthesizedStack.Resource(_stack, "aws_pipes_pipe", "/events/decisions-pipe");

    private JsonObject TransactionsPipe => SynthesizedStack.Resource(_stack, "aws_pipes_pipe", "/events/transactions-pipe");

    // Writes transactions through the real stream processor, as Kinesis would deliver them.
    private async Task Ingest(params JsonObject[] transactions)
    {
        var (sqs, fake) = RecordingSqs.Create();
        var processor = new StreamFunction(_streamSettings, _dynamo, sqs, ScriptedS3.Unused(), new CapturedOutput(), new FixedClock(Now));
        var records = transactions.Select((t, i) => new KinesisEventRecord
        {
            EventSourceArn = "arn:aws:kinesis:us-east-1:111111111111:stream/fraud-detection-transactions-test",
            Kinesis = new KinesisData { SequenceNumber = $"4959{i:D8}", PartitionKey = "p", Data = Convert.ToBase64String(Encoding.UTF8.GetBytes(t.ToJsonString())) },
        }).ToArray();
        var response = await processor.Process(new KinesisEvent { Records = records }, CancellationToken.None);
        Assert.That(response.BatchItemFailures, Is.Empty);
        Assert.That(fake.Sent, Is.Empty, "every test transaction is valid");
    }

    private static JsonObject Tx(string id, decimal amount, string mcc) => new()
    {
        ["transactionId"] = id,
        ["userId"] = "u-1",
        ["amount"] = amount,
        ["currency"] = "EUR",
        ["merchantId"] = "m-1",
        ["merchantCategory"] = mcc,
        ["country"] = "DE",
        ["timestamp"] = Now.AddMinutes(-1).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
        ["deviceId"] = "device-123",
        ["ipAddress"] = "203.0.113.9",
        ["channel"] = "web",
    };

    // The pipe: filter, then input template, then the event-bus target's envelope.
    private string[] Pipe(JsonObject pipe, IEnumerable<JsonObject> records)
    {
        var filter = SynthesizedStack.PipeFilter(pipe);
        var template = SynthesizedStack.PipeInputTemplate(pipe);
        var (source, detailType) = SynthesizedStack.PipeBusParameters(pipe);
        return records.Where(r => LocalPipes.Matches(filter, r))
            .Select(r =>
            {
                var e = LocalPipes.ToBusEvent(LocalPipes.ApplyInputTemplate(template, r), source, detailType, Now);
                e["account"] = StackAccount; // the pipe puts events with its role, in the stack's account
                return e.ToJsonString();
            })
            .ToArray();
    }

    private async Task<JsonNode> Read(string bucket, string key)
    {
        using var r = await _s3.GetObjectAsync(bucket, key);
        return JsonNode.Parse(await new StreamReader(r.ResponseStream).ReadToEndAsync())!;
    }

    private async Task<List<string>> Keys(string bucket) =>
        (await _s3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket })).S3Objects?.Select(o => o.Key).ToList() ?? [];

    [Test]
    public async Task AutomatedDecline_BecomesOneAlert_AndTheSameRecordRedeliveredWritesNothingTwice()
    {
        await Ingest(Tx("tx-1", 950m, "6051"));
        var decisionRecords = await _streams.Read(_decisionsStream);

        var events = Pipe(DecisionsPipe, decisionRecords);

        Assert.That(decisionRecords, Has.Count.EqualTo(1), "the stream processor wrote one decision row");
        Assert.That(events, Has.Length.EqualTo(1), "an AUTOMATED DECLINE with rulesVersion matches the filter");
        var streamEventId = decisionRecords[0]["eventID"]!.GetValue<string>();
        var detail = JsonNode.Parse(events[0])!["detail"]!;
        Assert.That(detail[FraudDetectedDetail.RecordId]!.GetValue<string>(), Is.EqualTo(streamEventId));
        Assert.That(detail.AsObject().Select(p => p.Key), Is.EqualTo(FraudDetectedDetail.Fields.Select(f => f.Name)), "the template's fields, no whole image");

        var (sqs, dead) = RecordingSqs.Create();
        var log = new CapturedOutput();
        var handler = new AlertFunction(_alertSettings, _dynamo, _conditionalS3, sqs, log);
        var status = await handler.Process(events[0], CancellationToken.None);

        Assert.That(status, Is.EqualTo("handled"), log.ToString());
        Assert.That(dead.Sent, Is.Empty);
        var trail = await Read(_alertSettings.DecisionTrailsBucket, "trails/2026/11/25/tx-1.json");
        var audit = await Read(_alertSettings.AuditLogsBucket, $"audit/2026/11/25/{streamEventId}.json");
        var profile = (await _dynamo.GetItemAsync(_streamSettings.UserProfilesTable, new Dictionary<string, AttributeValue> { ["userId"] = new() { S = "u-1" } })).Item;
        Assert.Multiple(() =>
        {
            Assert.That(trail["decision"]!.GetValue<string>(), Is.EqualTo("DECLINE"));
            Assert.That(trail["reasons"]!.AsArray().Select(r => r!["explanation"]!.GetValue<string>()), Has.Some.Contains("crypto-cashout"));
            Assert.That(trail["inputs"]!["amount"]!.GetValue<decimal>(), Is.EqualTo(950m));
            Assert.That(trail["inputs"]!["channel"]!.GetValue<string>(), Is.EqualTo("web"));
            Assert.That(trail.ToJsonString(), Does.Not.Contain("203.0.113.9").And.Not.Contain("device-123"), "no IP address or device id in a 7-year trail");
            Assert.That(audit["trailKey"]!.GetValue<string>(), Is.EqualTo("trails/2026/11/25/tx-1.json"));
            Assert.That(profile["flagged"].BOOL, Is.True);
            Assert.That(profile["alertCount"].N, Is.EqualTo("1"));
        });

        // The handler's own marker row is a new record on the decisions stream: it must not become an alert.
        var afterHandling = await _streams.Read(_decisionsStream);
        Assert.That(afterHandling.Select(r => r["dynamodb"]!["NewImage"]!["decisionKey"]!["S"]!.GetValue<string>()), Is.EqualTo(new[] { $"ALERT#{streamEventId}" }));
        Assert.That(Pipe(DecisionsPipe, afterHandling), Is.Empty);

        // A replaced pipe (TRIM_HORIZON) or a pipe retry publishes the same stream record again, under a new event id.
        var writtenBefore = _s3Control.Written.Count;
        var again = Pipe(DecisionsPipe, decisionRecords).Single();
        Assert.That(JsonNode.Parse(again)!["id"]!.GetValue<string>(), Is.Not.EqualTo(JsonNode.Parse(events[0])!["id"]!.GetValue<string>()));

        var second = await handler.Process(again, CancellationToken.None);

        var profileAfter = (await _dynamo.GetItemAsync(_streamSettings.UserProfilesTable, new Dictionary<string, AttributeValue> { ["userId"] = new() { S = "u-1" } })).Item;
        Assert.That(second, Is.EqualTo("duplicate"));
        Assert.That(_s3Control.Written.Count, Is.EqualTo(writtenBefore), "no object written again");
        Assert.That(await Keys(_alertSettings.DecisionTrailsBucket), Has.Count.EqualTo(1));
        Assert.That(await Keys(_alertSettings.AuditLogsBucket), Has.Count.EqualTo(1));
        Assert.That(profileAfter["alertCount"].N, Is.EqualTo("1"));
        Assert.That(await _streams.Read(_decisionsStream), Is.Empty, "no second marker");
    }

    // ---- the bus: the synthesized rules and their targets ----

    private string AddressOf(string type, string pathSuffix)
    {
        var matches = (_stack["resource"]?[type] as JsonObject ?? [])
            .Where(p => p.Value!["//"]?["metadata"]?["path"]?.GetValue<string>().EndsWith(pathSuffix, StringComparison.Ordinal) == true)
            .Select(p => $"{type}.{p.Key}")
            .ToList();
        Assert.That(matches, Has.Count.EqualTo(1), $"one {type} at a path ending '{pathSuffix}'");
        return matches[0];
    }

    /// <summary>What the bus delivered for one event: the rules it matched and each target's payload.</summary>
    private sealed record Routed(IReadOnlyList<string> Rules, IReadOnlyList<(string TargetArn, string Payload)> Deliveries);

    // EventBridge: the event is matched against every rule on the platform's bus (patterns from the synthesized stack),
    // and each target of a matching rule receives the event, or its input transformer's output.
    private Routed Route(string eventJson)
    {
        var @event = JsonNode.Parse(eventJson)!;
        var bus = $"${{{AddressOf("aws_cloudwatch_event_bus", "/events/bus")}.name}}";
        var rules = EventPattern.RulesOnBus(_stack, bus);
        Assert.That(rules, Is.Not.Empty, "the platform's bus has rules");
        var matched = rules.Where(r => EventPattern.Matches(EventPattern.Pattern(r.Rule), @event)).ToList();
        var deliveries = new List<(string, string)>();
        foreach (var (address, _) in matched)
        {
            foreach (var target in EventPattern.TargetsOf(_stack, address))
            {
                Assert.That(target["input"] ?? target["input_path"], Is.Null, "this runner delivers the event or an input transformer's output only");
                var payload = target["input_transformer"] is JsonObject t
                    ? LocalPipes.ApplyInputTransformer(t["input_paths"]!.AsObject().ToDictionary(p => p.Key, p => p.Value!.GetValue<string>()),
                        t["input_template"]!.GetValue<string>(), @event)
                    : eventJson;
                deliveries.Add((target["arn"]!.GetValue<string>(), payload));
            }
        }

        return new Routed(matched.Select(m => m.Address).ToList(), deliveries);
    }

    /// <summary>What the targets received over a test.</summary>
    private sealed class Targets
    {
        public List<string> HandlerStatuses { get; } = [];

        public List<JsonNode> AlertMessages { get; } = [];

        public List<JsonNode> StreamEvents { get; } = [];
    }

    // Hands each delivery to its target: the real alert handler (as EventBridge invokes it, asynchronously: an exception
    // is a failed invocation that EventBridge retries), the alerts topic and the events stream (recorded).
    private async Task Deliver(Routed routed, AlertFunction handler, Targets into)
    {
        var handlerArn = $"${{{AddressOf("aws_lambda_function", "/alert-handler/this")}.arn}}";
        var topicArn = $"${{{AddressOf("aws_sns_topic", "/alerts-topic/this")}.arn}}";
        var streamArn = $"${{{AddressOf("aws_kinesis_stream", "/events-stream/this")}.arn}}";
        foreach (var (arn, payload) in routed.Deliveries)
        {
            if (arn == handlerArn)
            {
                into.HandlerStatuses.Add(await handler.Process(payload, CancellationToken.None));
            }
            else if (arn == topicArn)
            {
                into.AlertMessages.Add(JsonNode.Parse(payload)!);
            }
            else if (arn == streamArn)
            {
                into.StreamEvents.Add(JsonNode.Parse(payload)!);
            }
            else
            {
                Assert.Fail($"a target this test does not know: {arn}. Fix: teach Deliver what it receives and assert on it.");
            }
        }
    }

    private async Task<Dictionary<string, AttributeValue>> Profile() =>
        (await _dynamo.GetItemAsync(_streamSettings.UserProfilesTable, new Dictionary<string, AttributeValue> { ["userId"] = new() { S = "u-1" } })).Item;

    private async Task<List<Dictionary<string, AttributeValue>>> DecisionRows(string transactionId) =>
        (await _dynamo.QueryAsync(new QueryRequest
        {
            TableName = _streamSettings.DecisionsTable,
            KeyConditionExpression = "transactionId = :t",
            ExpressionAttributeValues = new Dictionary<string, AttributeValue> { [":t"] = new() { S = transactionId } },
            ConsistentRead = true,
        })).Items;

    // Every effect of one alert, exactly once: one trail, one audit record, one count, one marker that expires with its decision.
    private async Task AssertEveryEffectOnce(string streamEventId)
    {
        var profile = await Profile();
        var rows = await DecisionRows("tx-1");
        var automated = rows.Single(r => r[DecisionAttributes.DecisionKey].S == AutomatedDecision.DecisionKeyValue);
        var markers = rows.Where(r => r[DecisionAttributes.DecisionKey].S.StartsWith(AlertFunction.MarkerPrefix, StringComparison.Ordinal)).ToList();
        var trails = await Keys(_alertSettings.DecisionTrailsBucket);
        var audits = await Keys(_alertSettings.AuditLogsBucket);
        Assert.Multiple(() =>
        {
            Assert.That(trails, Is.EqualTo(new[] { "trails/2026/11/25/tx-1.json" }), "one trail");
            Assert.That(audits, Is.EqualTo(new[] { $"audit/2026/11/25/{streamEventId}.json" }), "one audit record");
            Assert.That(_s3Control.Written, Has.Count.EqualTo(2), "each object written once: no second version");
            Assert.That(profile["alertCount"].N, Is.EqualTo("1"), "counted once");
            Assert.That(profile["flagged"].BOOL, Is.True);
            Assert.That(markers.Select(m => m[DecisionAttributes.DecisionKey].S), Is.EqualTo(new[] { AlertFunction.MarkerPrefix + streamEventId }), "one marker");
            Assert.That(markers[0][CommonAttributes.ExpiresAt].N, Is.EqualTo(automated[CommonAttributes.ExpiresAt].N), "the marker expires with its decision");
        });
    }

    [Test]
    public async Task Decision_MatchesOnlyTheFraudDetectedRule_ReachesEveryTarget_AndARepublishedRecordRepeatsNoEffect()
    {
        await Ingest(Tx("tx-1", 950m, "6051"));
        var decisionRecords = await _streams.Read(_decisionsStream);
        var streamEventId = decisionRecords.Single()["eventID"]!.GetValue<string>();
        var (sqs, dead) = RecordingSqs.Create();
        var handler = new AlertFunction(_alertSettings, _dynamo, _conditionalS3, sqs, new CapturedOutput());
        var received = new Targets();

        var first = Route(Pipe(DecisionsPipe, decisionRecords).Single());
        await Deliver(first, handler, received);
        // A pipe retry (or a replaced pipe reading from TRIM_HORIZON) publishes the same stream record again: a new event id.
        var again = Pipe(DecisionsPipe, decisionRecords).Single();
        var second = Route(again);
        await Deliver(second, handler, received);

        Assert.That(first.Rules, Is.EqualTo(new[] { AddressOf("aws_cloudwatch_event_rule", "/events/fraud-detected-rule") }), "only the FraudDetected rule matches");
        Assert.That(first.Deliveries, Has.Count.EqualTo(3), "alert handler, alerts topic, events stream");
        Assert.That(received.HandlerStatuses, Is.EqualTo(new[] { "handled", "duplicate" }));
        Assert.That(dead.Sent, Is.Empty);
        await AssertEveryEffectOnce(streamEventId);

        // The SNS message is the rule target's, outside the handler: at least once per event, so a re-published record
        // is a second message. Both carry the same recordId and transactionId, on which consumers dedupe.
        Assert.That(received.AlertMessages, Has.Count.EqualTo(2));
        Assert.That(received.AlertMessages.Select(m => m["recordId"]!.GetValue<string>()).Distinct(), Is.EqualTo(new[] { streamEventId }));
        Assert.That(received.AlertMessages.Select(m => m["transactionId"]!.GetValue<string>()).Distinct(), Is.EqualTo(new[] { "tx-1" }));
        Assert.That(received.StreamEvents.Select(e => e["detail"]![FraudDetectedDetail.RecordId]!.GetValue<string>()).Distinct(), Is.EqualTo(new[] { streamEventId }),
            "the events stream gets the whole event, recordId included, for its consumers to dedupe on");
    }

    [TestCase(CrashPoint.AfterTrailWrite)]
    [TestCase(CrashPoint.AfterAuditWrite)]
    [TestCase(CrashPoint.AfterTransactionCommitted)]
    [TestCase(CrashPoint.SdkRetryOfACommittedTransaction)]
    public async Task CrashOfTheFirstAttempt_ThenEventBridgesRetry_ThenARepublishedRecord_EveryEffectOnce(CrashPoint crash)
    {
        await Ingest(Tx("tx-1", 950m, "6051"));
        var decisionRecords = await _streams.Read(_decisionsStream);
        var streamEventId = decisionRecords.Single()["eventID"]!.GetValue<string>();
        var @event = Pipe(DecisionsPipe, decisionRecords).Single();
        var routed = Route(@event);
        var (crashingS3, s3Crash) = CrashingS3.Wrap(_conditionalS3);
        var (crashingDynamo, dynamoCrash) = CrashingDynamo.Wrap(_dynamo);
        s3Crash.CrashAfterPutUnder = crash switch { CrashPoint.AfterTrailWrite => "trails/", CrashPoint.AfterAuditWrite => "audit/", _ => null };
        dynamoCrash.Next = crash is CrashPoint.AfterTransactionCommitted or CrashPoint.SdkRetryOfACommittedTransaction ? crash : null;
        var (sqs, dead) = RecordingSqs.Create();
        var log = new CapturedOutput();
        var handler = new AlertFunction(_alertSettings, crashingDynamo, crashingS3, sqs, log);
        var received = new Targets();

        // First attempt: dies at the crash point (a failed asynchronous invocation), or completes after the SDK's retry.
        var firstAttempt = Deliver(routed, handler, received);
        if (crash == CrashPoint.SdkRetryOfACommittedTransaction)
        {
            await firstAttempt;
            // DynamoDB: a TransactWriteItems repeated with the same ClientRequestToken within 10 minutes succeeds without
            // applying it again (DynamoDB Local implements the token too).
            Assert.That(dynamoCrash.RetryOutcome, Is.EqualTo("succeeded"), "the SDK's retry of the committed transaction");
            Assert.That(received.HandlerStatuses, Is.EqualTo(new[] { "handled" }));
        }
        else
        {
            Assert.ThrowsAsync<SimulatedCrash>(async () => await firstAttempt);
        }

        // EventBridge retries the invocation with the same event; later the pipe re-publishes the record under a new id.
        await Deliver(routed, handler, received);
        await Deliver(Route(Pipe(DecisionsPipe, decisionRecords).Single()), handler, received);

        Assert.That(received.HandlerStatuses.Last(), Is.EqualTo("duplicate"), log.ToString());
        Assert.That(received.HandlerStatuses.Count(s => s == "handled"), Is.LessThanOrEqualTo(1), log.ToString());
        Assert.That(dead.Sent, Is.Empty);
        await AssertEveryEffectOnce(streamEventId);
        var trail = await Read(_alertSettings.DecisionTrailsBucket, "trails/2026/11/25/tx-1.json");
        Assert.That(trail["recordId"]!.GetValue<string>(), Is.EqualTo(streamEventId));
    }

    [Test]
    public async Task EventsFromAnotherAccountOrSource_MatchNoRuleOfTheBus()
    {
        await Ingest(Tx("tx-1", 950m, "6051"));
        var @event = JsonNode.Parse(Pipe(DecisionsPipe, await _streams.Read(_decisionsStream)).Single())!;
        var otherAccount = @event.DeepClone();
        otherAccount["account"] = "999999999999";
        var otherSource = @event.DeepClone();
        otherSource["source"] = "someone.else";

        Assert.That(Route(@event.ToJsonString()).Rules, Has.Count.EqualTo(1), "the pipe's event, from the stack's account, matches");
        Assert.That(Route(otherAccount.ToJsonString()).Rules, Is.Empty, "the rules require the stack's account");
        Assert.That(Route(otherSource.ToJsonString()).Rules, Is.Empty);
    }

    [Test]
    public async Task AlertsTopic_ReceivesAShortAlert_FromTheRuleTargetsInputTransformer()
    {
        await Ingest(Tx("tx-1", 950m, "6051"));
        var @event = JsonNode.Parse(Pipe(DecisionsPipe, await _streams.Read(_decisionsStream)).Single())!;
        var target = SynthesizedStack.Resource(_stack, "aws_cloudwatch_event_target", "/events/fraud-detected-to-alerts-topic");
        var transformer = target["input_transformer"]!;
        var paths = transformer["input_paths"]!.AsObject().ToDictionary(p => p.Key, p => p.Value!.GetValue<string>());

        var message = JsonNode.Parse(LocalPipes.ApplyInputTransformer(paths, transformer["input_template"]!.GetValue<string>(), @event))!;

        Assert.That(message["summary"]!.GetValue<string>(), Does.Contain("tx-1").And.Contain("u-1").And.Contain("DECLINE"));
        Assert.That(message["decision"]!.GetValue<string>(), Is.EqualTo("DECLINE"));
        Assert.That(message["reasons"]!.AsArray(), Is.Not.Empty);
        Assert.That(message.ToJsonString(), Does.Not.Contain("NewImage").And.Not.Contain("203.0.113.9"));
    }

    [Test]
    public async Task AnalystRows_FromTheAgentTools_NeverMatchTheDecisionsPipeFilter()
    {
        await Ingest(Tx("tx-1", 20m, "5411"));
        var tools = new AgentFunction(new AgentSettings
        {
            TransactionsTable = _streamSettings.TransactionsTable,
            DecisionsTable = _streamSettings.DecisionsTable,
            UserProfilesTable = _streamSettings.UserProfilesTable,
            PatternsTable = _streamSettings.PatternsTable,
            Environment = "test",
        }, _dynamo, new CapturedOutput(), new FixedClock(Now.AddMinutes(5)));
        var reply = AgentEvents.Read(await tools.Process(AgentEvents.Call("record_analyst_decision",
            ("transaction_id", "tx-1"), ("decision", "DECLINE"), ("reason", "card testing pattern")), CancellationToken.None));
        Assert.That(reply.State, Is.Null, reply.BodyText);

        var records = await _streams.Read(_decisionsStream);
        var analyst = records.Single(r => r["dynamodb"]!["NewImage"]!["decisionKey"]!["S"]!.GetValue<string>().StartsWith("ANALYST#", StringComparison.Ordinal));

        Assert.That(analyst["dynamodb"]!["NewImage"]!["decision"]!["S"]!.GetValue<string>(), Is.EqualTo("DECLINE"));
        Assert.That(Pipe(DecisionsPipe, records), Is.Empty, "neither the APPROVE automated row nor the analyst DECLINE is an alert");
    }

    [Test]
    public async Task ARowWithoutTheStreamProcessorsAttribute_NeverMatches_EvenIfKeyedAutomated()
    {
        // What a writer restricted from writing rulesVersion (the agent-tools role's attribute allow-list) could still put.
        var forged = new Dictionary<string, AttributeValue>
        {
            [DecisionAttributes.TransactionId] = new() { S = "tx-forged" },
            [DecisionAttributes.DecisionKey] = new() { S = "AUTOMATED" },
            [DecisionAttributes.UserId] = new() { S = "u-1" },
            [DecisionAttributes.DecidedAt] = new() { S = "2026-11-25T12:00:00.0000000Z" },
            ["decision"] = new() { S = "DECLINE" },
            ["reason"] = new() { S = "forged" },
        };
        await _dynamo.PutItemAsync(new PutItemRequest { TableName = _streamSettings.DecisionsTable, Item = forged });
        forged[DecisionAttributes.TransactionId] = new AttributeValue { S = "tx-forged-2" };
        forged[AutomatedDecision.ProducerAttribute] = new AttributeValue { S = "2026-11-25.1" };
        await _dynamo.PutItemAsync(new PutItemRequest { TableName = _streamSettings.DecisionsTable, Item = forged });

        var records = await _streams.Read(_decisionsStream);
        var matched = records.Where(r => LocalPipes.Matches(SynthesizedStack.PipeFilter(DecisionsPipe), r))
            .Select(r => r["dynamodb"]!["NewImage"]!["transactionId"]!["S"]!.GetValue<string>());

        Assert.That(records, Has.Count.EqualTo(2));
        Assert.That(matched, Is.EqualTo(new[] { "tx-forged-2" }), $"only the row carrying {AutomatedDecision.ProducerAttribute} matches: that attribute is what separates the stream processor's rows");
    }

    [Test]
    public async Task TransactionsPipe_ForwardsIdsAndRoutingFieldsOnly()
    {
        await Ingest(Tx("tx-1", 950m, "6051"));
        var records = await _streams.Read(_transactionsStream);

        var events = Pipe(TransactionsPipe, records);

        Assert.That(events, Has.Length.EqualTo(1));
        var @event = JsonNode.Parse(events[0])!;
        var detail = @event["detail"]!.AsObject();
        Assert.That(@event["detail-type"]!.GetValue<string>(), Is.EqualTo(PlatformEvents.TransactionReceived));
        Assert.That(detail.Select(p => p.Key), Is.EquivalentTo(new[] { "recordId", "transactionId", "userId", "timestamp", "decision" }));
        Assert.That(detail["recordId"]!.GetValue<string>(), Is.EqualTo(records[0]["eventID"]!.GetValue<string>()));
        Assert.That(detail["decision"]!.GetValue<string>(), Is.EqualTo("DECLINE"));
        Assert.That(events[0], Does.Not.Contain("203.0.113.9").And.Not.Contain("device-123").And.Not.Contain("950"));
    }
}
