using FraudTf.Functions.Tests.Support;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using FraudTf.Functions.Shared.Events;
using FraudTf.Functions.Shared.Tables;
using FraudTf.Functions.AgentTools;
using FraudTf.Functions.Tests.Agent;
using AgentFunction = FraudTf.Functions.AgentTools.Function;
using AgentSettings = FraudTf.Functions.AgentTools.Settings;
using StreamFunction = FraudTf.Functions.StreamProcessor.Function;
using StreamSettings = FraudTf.Functions.StreamProcessor.Settings;

namespace FraudTf.Functions.Tests.Integration.Agent;

/// <summary>
/// The agent tools against DynamoDB Local: tables from the shared schemas, data written by the real stream processor
/// (so the tools read exactly what production writes).
/// </summary>
[TestFixture]
[NonParallelizable]
public class AgentToolsIntegrationTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);
    private AmazonDynamoDBClient _dynamo = null!;
    private AgentSettings _settings = null!;
    private StreamSettings _streamSettings = null!;
    private FixedClock _clock = null!;
    private CapturedOutput _log = null!;

    [SetUp]
    public async Task CreateTables()
    {
        _dynamo = DynamoDbLocal.Client();
        var prefix = $"a{Guid.NewGuid():N}"[..12];
        _settings = new AgentSettings
        {
            TransactionsTable = $"{prefix}-transactions",
            DecisionsTable = $"{prefix}-decisions",
            UserProfilesTable = $"{prefix}-user-profiles",
            PatternsTable = $"{prefix}-patterns",
            Environment = "test",
        };
        _streamSettings = TestSettings.StreamProcessor(prefix);
        await DynamoDbLocal.CreateTables(_dynamo, prefix);
        _clock = new FixedClock(Now);
        _log = new CapturedOutput();
    }

    [TearDown]
    public void DisposeClient()
    {
        _dynamo.Dispose();
        _log.Dispose();
    }

    private sealed record Tx(string Id, string User, decimal Amount, int MinutesAgo, string Country = "DE", string Mcc = "5411", string? Channel = null, string? Device = null);

    // Writes the transactions through the real stream processor, as Kinesis would deliver them.
    private async Task Ingest(params Tx[] txs)
    {
        var (sqs, fake) = RecordingSqs.Create();
        var processor = new StreamFunction(_streamSettings, _dynamo, sqs, FraudTf.Functions.Tests.Integration.ScriptedS3.Unused(), new CapturedOutput(), new FixedClock(Now));
        var records = txs.Select((t, i) =>
        {
            var json = new JsonObject
            {
                ["transactionId"] = t.Id,
                ["userId"] = t.User,
                ["amount"] = t.Amount,
                ["currency"] = "EUR",
                ["merchantId"] = "m-1",
                ["merchantCategory"] = t.Mcc,
                ["country"] = t.Country,
                ["timestamp"] = Now.AddMinutes(-t.MinutesAgo).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
            };
            if (t.Channel is not null)
            {
                json["channel"] = t.Channel;
            }

            if (t.Device is not null)
            {
                json["deviceId"] = t.Device;
            }

            return new KinesisEventRecord
            {
                EventSourceArn = "arn:aws:kinesis:us-east-1:111111111111:stream/fraud-detection-transactions-test",
                Kinesis = new KinesisData { SequenceNumber = $"4959{i:D8}", PartitionKey = t.User, Data = Convert.ToBase64String(Encoding.UTF8.GetBytes(json.ToJsonString())) },
            };
        }).ToArray();
        var response = await processor.Process(new KinesisEvent { Records = records }, CancellationToken.None);
        Assert.That(response.BatchItemFailures, Is.Empty);
        Assert.That(fake.Sent, Is.Empty, "every test transaction is valid");
    }

    private AgentFunction Tools(IAmazonDynamoDB? dynamo = null) => new(_settings, dynamo ?? _dynamo, _log, _clock);

    private async Task<AgentEvents.Reply> Call(string function, params (string, string)[] parameters) =>
        AgentEvents.Read(await Tools().Process(AgentEvents.Call(function, parameters), CancellationToken.None));

    private async Task<List<Dictionary<string, AttributeValue>>> Decisions(string transactionId) =>
        (await _dynamo.QueryAsync(new QueryRequest
        {
            TableName = _settings.DecisionsTable,
            KeyConditionExpression = "transactionId = :id",
            ExpressionAttributeValues = new Dictionary<string, AttributeValue> { [":id"] = new() { S = transactionId } },
            ConsistentRead = true,
        })).Items;

    private async Task<Dictionary<string, AttributeValue>> TransactionRow(string transactionId) =>
        (await _dynamo.GetItemAsync(new GetItemRequest
        {
            TableName = _settings.TransactionsTable,
            Key = new Dictionary<string, AttributeValue> { ["transactionId"] = new() { S = transactionId } },
            ConsistentRead = true,
        })).Item;

    private async Task<Dictionary<string, AttributeValue>> ProfileRow(string userId) =>
        (await _dynamo.GetItemAsync(new GetItemRequest
        {
            TableName = _settings.UserProfilesTable,
            Key = new Dictionary<string, AttributeValue> { ["userId"] = new() { S = userId } },
            ConsistentRead = true,
        })).Item;

    private static string Iso(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);

    // ---- get_user_profile ----

    [Test]
    public async Task GetUserProfile_ReturnsTheV2ProfileTheStreamProcessorBuilt()
    {
        var txs = new[]
        {
            // Days apart, so the trip to FR and back is no impossible travel: every one is approved.
            new Tx("tx-0", "u-1", 12.5m, 5 * 1440, Channel: "pos", Device: "d-1"),
            new Tx("tx-1", "u-1", 40m, 4 * 1440, Channel: "pos", Device: "d-1"),
            new Tx("tx-2", "u-1", 33.25m, 3 * 1440, Channel: "pos", Device: "d-2"),
            new Tx("tx-3", "u-1", 80m, 2 * 1440, Country: "FR", Channel: "pos", Device: "d-1"),
            new Tx("tx-4", "u-1", 19.99m, 60, Mcc: "5812", Channel: "pos", Device: "d-1"),
        };
        await Ingest(txs);
        await Ingest(new Tx("tx-other", "u-2", 999m, 5));
        // What the profile learnt, computed by UserProfile.Learn from the rows the stream processor stored (all approved).
        var expected = new FraudTf.Functions.Shared.Scoring.UserProfile();
        foreach (var t in txs)
        {
            var row = await TransactionRow(t.Id);
            Assert.That(row["decision"].S, Is.EqualTo("APPROVE"), $"test setup: {t.Id} is approved");
            expected = expected.Learn(Now.AddMinutes(-t.MinutesAgo), t.Country, t.Mcc, t.Device, t.Channel, double.Parse(row["amountReference"].N, CultureInfo.InvariantCulture));
        }

        var reply = await Call("get_user_profile", ("user_id", "u-1"));

        Assert.That(reply.State, Is.Null, reply.BodyText);
        var b = reply.Body;
        Assert.Multiple(() =>
        {
            Assert.That(b["userId"]!.GetValue<string>(), Is.EqualTo("u-1"));
            Assert.That(b["found"]!.GetValue<bool>(), Is.True);
            Assert.That(b["transactionCount"]!.GetValue<long>(), Is.EqualTo(txs.Length));
            Assert.That(b["amountCount"]!.GetValue<long>(), Is.EqualTo(txs.Length));
            Assert.That(b["typicalAmount"]!.GetValue<double>(), Is.EqualTo(Math.Round(Math.Exp(expected.LogMean), 2)));
            Assert.That(b["logAmountStdDev"]!.GetValue<double>(), Is.EqualTo(Math.Round(expected.LogStdDev, 3)));
            Assert.That(b["largestAmount"]!.GetValue<double>(), Is.EqualTo(Math.Round(expected.MaxAmount, 2)));
            Assert.That(b["devicesKnown"]!.GetValue<int>(), Is.EqualTo(2), "a count, never the device ids");
            Assert.That(b.ToJsonString(), Does.Not.Contain("d-1"));
            Assert.That(b["channels"]!.AsArray().Select(c => c!.GetValue<string>()), Is.EqualTo(new[] { "pos" }));
            Assert.That(b["countries"]!.AsArray().Select(c => c!.GetValue<string>()), Is.EqualTo(new[] { "DE", "FR" }));
            Assert.That(b["merchantCategories"]!.AsArray().Select(c => c!.GetValue<string>()), Is.EqualTo(new[] { "5411", "5812" }));
            Assert.That(b["lastCountry"]!.GetValue<string>(), Is.EqualTo("DE"));
            Assert.That(DateTimeOffset.Parse(b["lastTransactionAt"]!.GetValue<string>(), CultureInfo.InvariantCulture), Is.EqualTo(Now.AddMinutes(-60)));
            Assert.That(b["flagged"]!.GetValue<bool>(), Is.False);
            Assert.That(b["alertCount"]!.GetValue<long>(), Is.Zero);
            Assert.That(b["note"]!.GetValue<string>(), Does.Contain("approved transactions only").And.Contain("reference currency"));
            Assert.That(b.ContainsKey("amountMean"), Is.False, "the v1 attributes are gone");
            Assert.That(b.ContainsKey("unreadable"), Is.False);
        });
    }

    [Test]
    public async Task GetUserProfile_ACorruptAttribute_IsLeftOutAndNamed()
    {
        await Ingest(new Tx("tx-1", "u-1", 10m, 30));
        await _dynamo.UpdateItemAsync(new UpdateItemRequest
        {
            TableName = _settings.UserProfilesTable,
            Key = new Dictionary<string, AttributeValue> { ["userId"] = new() { S = "u-1" } },
            UpdateExpression = "SET logAmountMean = :bad",
            ExpressionAttributeValues = new Dictionary<string, AttributeValue> { [":bad"] = new() { S = "stored-garbage" } },
        });

        var b = (await Call("get_user_profile", ("user_id", "u-1"))).Body;

        Assert.That(b["transactionCount"]!.GetValue<long>(), Is.EqualTo(1));
        Assert.That(b["typicalAmount"], Is.Null, "statistics that cannot be read are reported as none");
        Assert.That(b["unreadable"]!.AsArray().Select(x => x!.GetValue<string>()), Has.Some.StartsWith("logAmountMean"));
        Assert.That(b.ToJsonString(), Does.Not.Contain("stored-garbage"), "names, never stored values");
    }

    [Test]
    public async Task GetUserProfile_ShowsTheAlertHandlersFlag()
    {
        await Ingest(new Tx("tx-1", "u-1", 10m, 30));
        await _dynamo.UpdateItemAsync(new UpdateItemRequest
        {
            TableName = _settings.UserProfilesTable,
            Key = new Dictionary<string, AttributeValue> { ["userId"] = new() { S = "u-1" } },
            UpdateExpression = "SET flagged = :t, lastAlertAt = :at, lastAlertTransactionId = :tx ADD alertCount :one",
            ExpressionAttributeValues = new Dictionary<string, AttributeValue>
            {
                [":t"] = new() { BOOL = true }, [":at"] = new() { S = "2026-11-25T11:31:00.0000000+00:00" }, [":tx"] = new() { S = "tx-1" }, [":one"] = new() { N = "1" },
            },
        });

        var b = (await Call("get_user_profile", ("user_id", "u-1"))).Body;

        Assert.That(b["flagged"]!.GetValue<bool>(), Is.True);
        Assert.That(b["alertCount"]!.GetValue<long>(), Is.EqualTo(1));
        Assert.That(b["lastAlertTransactionId"]!.GetValue<string>(), Is.EqualTo("tx-1"));
    }

    [Test]
    public async Task GetUserProfile_UnknownUser_IsFoundFalse()
    {
        var reply = await Call("get_user_profile", ("user_id", "nobody"));
        Assert.That(reply.State, Is.Null);
        Assert.That(reply.Body["found"]!.GetValue<bool>(), Is.False);
        Assert.That(reply.Body["userId"]!.GetValue<string>(), Is.EqualTo("nobody"));
    }

    // ---- get_recent_transactions ----

    [Test]
    public async Task GetRecentTransactions_NewestFirst_Limited_OnlyThisUser()
    {
        var mine = Enumerable.Range(0, 8).Select(i => new Tx($"tx-{i}", "u-1", 10m + i, 300 - (i * 30))).ToArray();
        await Ingest([.. mine, new Tx("tx-x", "u-2", 5m, 1)]);

        var reply = await Call("get_recent_transactions", ("user_id", "u-1"), ("limit", "3"));

        Assert.That(reply.State, Is.Null, reply.BodyText);
        var list = reply.Body["transactions"]!.AsArray();
        var expected = mine.OrderBy(t => t.MinutesAgo).Take(3).ToList();
        Assert.That(list.Select(t => t!["transactionId"]!.GetValue<string>()), Is.EqualTo(expected.Select(t => t.Id)));
        Assert.That(list.Select(t => t!["amount"]!.GetValue<decimal>()), Is.EqualTo(expected.Select(t => t.Amount)));
        Assert.That(list.Select(t => DateTimeOffset.Parse(t!["timestamp"]!.GetValue<string>(), CultureInfo.InvariantCulture)), Is.Ordered.Descending);
        Assert.That(list.All(t => t!["decision"]!.GetValue<string>() is "APPROVE" or "REVIEW" or "DECLINE"));
        Assert.That(list.All(t => t!["currency"]!.GetValue<string>() == "EUR" && t["merchantCategory"]!.GetValue<string>() == "5411" && t["country"]!.GetValue<string>() == "DE"));
        Assert.That(reply.Body["count"]!.GetValue<int>(), Is.EqualTo(3));
        Assert.That(reply.Body["moreOlder"]!.GetValue<bool>(), Is.True);
    }

    [Test]
    public async Task GetRecentTransactions_SinceHours_LeavesOlderOnesOut()
    {
        await Ingest(new Tx("tx-old", "u-1", 10m, 3 * 60), new Tx("tx-mid", "u-1", 11m, 90), new Tx("tx-new", "u-1", 12m, 10));

        var reply = await Call("get_recent_transactions", ("user_id", "u-1"), ("since_hours", "2"));

        Assert.That(reply.Body["transactions"]!.AsArray().Select(t => t!["transactionId"]!.GetValue<string>()), Is.EqualTo(new[] { "tx-new", "tx-mid" }));
        Assert.That(reply.Body["moreOlder"]!.GetValue<bool>(), Is.False);
    }

    [Test]
    public async Task GetRecentTransactions_UnknownUser_IsAnEmptyList()
    {
        var reply = await Call("get_recent_transactions", ("user_id", "nobody"));
        Assert.That(reply.State, Is.Null);
        Assert.That(reply.Body["transactions"]!.AsArray(), Is.Empty);
        Assert.That(reply.Body["count"]!.GetValue<int>(), Is.Zero);
    }

    // ---- get_transaction and record_analyst_decision ----

    [Test]
    public async Task GetTransaction_ReturnsTheTransactionAndItsAutomatedDecision()
    {
        await Ingest(new Tx("tx-1", "u-1", 950m, 20, Mcc: "6051", Channel: "web"));
        var stored = (await Decisions("tx-1")).Single();

        var reply = await Call("get_transaction", ("transaction_id", "tx-1"));

        Assert.That(reply.State, Is.Null, reply.BodyText);
        var tx = reply.Body["transaction"]!;
        var auto = reply.Body["automatedDecision"]!;
        Assert.Multiple(() =>
        {
            Assert.That(reply.Body["found"]!.GetValue<bool>(), Is.True);
            Assert.That(tx["userId"]!.GetValue<string>(), Is.EqualTo("u-1"));
            Assert.That(tx["amount"]!.GetValue<decimal>(), Is.EqualTo(950m));
            Assert.That(tx["merchantCategory"]!.GetValue<string>(), Is.EqualTo("6051"));
            Assert.That(tx["channel"]!.GetValue<string>(), Is.EqualTo("web"));
            Assert.That(auto["decision"]!.GetValue<string>(), Is.EqualTo(stored["decision"].S));
            Assert.That(auto["score"]!.GetValue<double>(), Is.EqualTo(double.Parse(stored["score"].N, CultureInfo.InvariantCulture)));
            Assert.That(auto["confidence"]!.GetValue<double>(), Is.EqualTo(double.Parse(stored["confidence"].N, CultureInfo.InvariantCulture)));
            Assert.That(auto["rulesVersion"]!.GetValue<string>(), Is.EqualTo(stored["rulesVersion"].S));
            Assert.That(auto["reasons"]!.AsArray().Select(r => r!["rule"]!.GetValue<string>()), Is.EqualTo(stored["reasons"].L.Select(r => r.M["rule"].S)));
            Assert.That(auto["reasons"]!.AsArray(), Is.Not.Empty, "a high-risk category fires a rule");
            Assert.That(reply.Body["analystDecisions"]!.AsArray(), Is.Empty);
        });
    }

    [Test]
    public async Task GetTransaction_Unknown_IsFoundFalse()
    {
        var reply = await Call("get_transaction", ("transaction_id", "tx-missing"));
        Assert.That(reply.State, Is.Null);
        Assert.That(reply.Body["found"]!.GetValue<bool>(), Is.False);
        Assert.That(reply.Body.ContainsKey("automatedDecision"), Is.False);
    }

    [Test]
    public async Task RecordAnalystDecision_IsStoredBesideTheAutomatedOne_AndGetTransactionShowsIt()
    {
        await Ingest(new Tx("tx-1", "u-7", 120m, 20));
        var automatedBefore = (await Decisions("tx-1")).Single();

        var first = await Call("record_analyst_decision", ("transaction_id", "tx-1"), ("decision", "ESCALATE"), ("reason", "amount unusual for the merchant"));
        _clock.Now = Now.AddMinutes(5);
        var second = await Call("record_analyst_decision", ("transaction_id", "tx-1"), ("decision", "approve"), ("reason", "customer confirmed by phone"));
        var view = await Call("get_transaction", ("transaction_id", "tx-1"));

        Assert.That(first.State, Is.Null, first.BodyText);
        Assert.That(first.Body["status"]!.GetValue<string>(), Is.EqualTo("recorded"));
        Assert.That(first.Body["decidedAt"]!.GetValue<string>(), Is.EqualTo(Iso(Now)));
        Assert.That(second.Body["decision"]!.GetValue<string>(), Is.EqualTo("APPROVE"));

        var rows = await Decisions("tx-1");
        var firstKey = AnalystToolHandlers.AnalystDecisionKey("session-0001", "tx-1", "ESCALATE", "amount unusual for the merchant");
        Assert.That(rows.Select(r => r["decisionKey"].S), Is.EquivalentTo(new[]
        {
            "AUTOMATED", firstKey, AnalystToolHandlers.AnalystDecisionKey("session-0001", "tx-1", "APPROVE", "customer confirmed by phone"),
        }));
        var analyst = rows.Single(r => r["decisionKey"].S == firstKey);
        Assert.Multiple(() =>
        {
            Assert.That(analyst["userId"].S, Is.EqualTo("u-7"), "copied from the transaction");
            Assert.That(analyst["decidedAt"].S, Is.EqualTo(Iso(Now)));
            Assert.That(analyst["decision"].S, Is.EqualTo("ESCALATE"));
            Assert.That(analyst["reason"].S, Is.EqualTo("amount unusual for the merchant"));
            Assert.That(analyst["source"].S, Is.EqualTo("bedrock-agent"));
            Assert.That(analyst["sessionId"].S, Is.EqualTo("session-0001"));
            Assert.That(analyst["agentId"].S, Is.EqualTo("AGENT12345"));
            Assert.That(long.Parse(analyst["expiresAt"].N, CultureInfo.InvariantCulture), Is.EqualTo(Now.AddDays(90).ToUnixTimeSeconds()));
        });
        var automatedAfter = rows.Single(r => r["decisionKey"].S == "AUTOMATED");
        Assert.That(automatedAfter["decision"].S, Is.EqualTo(automatedBefore["decision"].S), "the automated decision is kept");
        Assert.That(automatedAfter["score"].N, Is.EqualTo(automatedBefore["score"].N));

        var listed = view.Body["analystDecisions"]!.AsArray();
        Assert.That(listed.Select(d => d!["decision"]!.GetValue<string>()), Is.EqualTo(new[] { "ESCALATE", "APPROVE" }), "oldest first");
        Assert.That(listed.Select(d => d!["reason"]!.GetValue<string>()), Is.EqualTo(new[] { "amount unusual for the merchant", "customer confirmed by phone" }));
        Assert.That(listed[0]!["source"]!.GetValue<string>(), Is.EqualTo("bedrock-agent"));
        Assert.That(view.Body["automatedDecision"]!["decision"]!.GetValue<string>(), Is.EqualTo(automatedBefore["decision"].S));
        Assert.That(_log.ToString(), Does.Not.Contain("customer confirmed"), "reasons are not logged");
    }

    [Test]
    public async Task RecordAnalystDecision_OnAnUnknownTransaction_IsAReprompt_AndWritesNothing()
    {
        await Ingest(new Tx("tx-1", "u-1", 10m, 20));

        var reply = await Call("record_analyst_decision", ("transaction_id", "tx-nope"), ("decision", "DECLINE"), ("reason", "looks like card testing"));

        Assert.That(reply.State, Is.EqualTo("REPROMPT"));
        Assert.That(reply.Body["error"]!.GetValue<string>(), Does.Contain("no transaction with id 'tx-nope'").And.Contain("nothing recorded"));
        Assert.That(await Decisions("tx-nope"), Is.Empty);
        var scan = await _dynamo.ScanAsync(new ScanRequest { TableName = _settings.DecisionsTable });
        Assert.That(scan.Items.Select(i => i["decisionKey"].S), Is.EqualTo(new[] { "AUTOMATED" }));
    }

    [Test]
    public async Task RecordAnalystDecision_RetriedByBedrockLater_IsOneRow_WithTheFirstAttemptsTime()
    {
        // Bedrock retries an action-group invocation whose Lambda call timed out or failed, possibly after the first
        // attempt wrote its row: same session, same parameters, a later clock.
        await Ingest(new Tx("tx-1", "u-1", 10m, 20));

        var first = await Call("record_analyst_decision", ("transaction_id", "tx-1"), ("decision", "DECLINE"), ("reason", "card testing"));
        _clock.Now = Now.AddSeconds(31);
        var retry = await Call("record_analyst_decision", ("transaction_id", "tx-1"), ("decision", "DECLINE"), ("reason", "card testing"));
        _clock.Now = Now.AddMinutes(10);
        var retryAgain = await Call("record_analyst_decision", ("transaction_id", "tx-1"), ("decision", "decline"), ("reason", "card testing"));

        Assert.That(first.Body["status"]!.GetValue<string>(), Is.EqualTo("recorded"), first.BodyText);
        Assert.That(retry.State, Is.Null, retry.BodyText);
        Assert.That(retry.Body["status"]!.GetValue<string>(), Is.EqualTo("already-recorded"));
        Assert.That(retryAgain.Body["status"]!.GetValue<string>(), Is.EqualTo("already-recorded"), "the decision is normalised before the key is derived");
        Assert.That(retry.Body["decidedAt"]!.GetValue<string>(), Is.EqualTo(Iso(Now)), "the answer is the first attempt's record");
        var analyst = (await Decisions("tx-1")).Where(r => r["decisionKey"].S.StartsWith("ANALYST#", StringComparison.Ordinal)).ToList();
        Assert.That(analyst, Has.Count.EqualTo(1));
        Assert.That((analyst[0]["decision"].S, analyst[0]["reason"].S, analyst[0]["decidedAt"].S), Is.EqualTo(("DECLINE", "card testing", Iso(Now))));
    }

    [Test]
    public async Task RecordAnalystDecision_AnotherDecisionReasonOrSession_IsAnotherRow_AndNothingIsOverwritten()
    {
        await Ingest(new Tx("tx-1", "u-1", 10m, 20));
        var tools = Tools();
        async Task<AgentEvents.Reply> Record(string session, string decision, string reason)
        {
            var e = AgentEvents.Event("record_analyst_decision", ("transaction_id", "tx-1"), ("decision", decision), ("reason", reason));
            e["sessionId"] = session;
            return AgentEvents.Read(await tools.Process(e.ToJsonString(), CancellationToken.None));
        }

        var replies = new[]
        {
            await Record("session-a", "DECLINE", "card testing"),
            await Record("session-a", "APPROVE", "card testing"),
            await Record("session-a", "DECLINE", "card testing, confirmed"),
            await Record("session-b", "DECLINE", "card testing"),
            await Record("session-a", "DECLINE", "card testing"),
        };

        Assert.That(replies.Select(r => r.Body["status"]!.GetValue<string>()), Is.EqualTo(new[] { "recorded", "recorded", "recorded", "recorded", "already-recorded" }));
        var analyst = (await Decisions("tx-1")).Where(r => r["decisionKey"].S.StartsWith("ANALYST#", StringComparison.Ordinal)).ToList();
        Assert.That(analyst.Select(r => (r["sessionId"].S, r["decision"].S, r["reason"].S)), Is.EquivalentTo(new[]
        {
            ("session-a", "DECLINE", "card testing"), ("session-a", "APPROVE", "card testing"),
            ("session-a", "DECLINE", "card testing, confirmed"), ("session-b", "DECLINE", "card testing"),
        }));
    }

    [Test]
    public async Task RecordAnalystDecision_ConcurrentRetries_WriteOneRow()
    {
        // Two invocations of the same call at once (a retry while the first is still running): the conditional put on
        // the derived key lets exactly one write.
        await Ingest(new Tx("tx-1", "u-1", 10m, 20));

        var replies = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => Call("record_analyst_decision", ("transaction_id", "tx-1"), ("decision", "ESCALATE"), ("reason", "needs a second look"))));

        Assert.That(replies.Select(r => r.State), Has.All.Null, string.Join("\n", replies.Select(r => r.BodyText)));
        Assert.That(replies.Count(r => r.Body["status"]!.GetValue<string>() == "recorded"), Is.EqualTo(1));
        Assert.That(replies.Count(r => r.Body["status"]!.GetValue<string>() == "already-recorded"), Is.EqualTo(5));
        Assert.That((await Decisions("tx-1")).Count(r => r["decisionKey"].S.StartsWith("ANALYST#", StringComparison.Ordinal)), Is.EqualTo(1));
    }

    // ---- record_analyst_decision: an APPROVE of a REVIEW teaches the user's profile, once ----

    // Two approved transactions days ago (DE, groceries, no channel or device), then one 30 minutes ago that the scorer
    // sends to REVIEW: a new country, device, channel and merchant category (0.2 + 0.15 + 0.1 + 0.1 with the default rules).
    private async Task SeedReview(string user = "u-r", string reviewId = "tx-review")
    {
        await Ingest(new Tx($"{user}-a", user, 50m, 3 * 1440), new Tx($"{user}-b", user, 30m, 2 * 1440));
        await Ingest(new Tx(reviewId, user, 45m, 30, Country: "FR", Mcc: "5999", Channel: "web", Device: "d-9"));
        Assert.That((await TransactionRow(reviewId))["decision"].S, Is.EqualTo("REVIEW"), "test setup: the scorer sent it to REVIEW");
        Assert.That((await TransactionRow(reviewId)).ContainsKey("profileLearnedAt"), Is.False, "test setup: not learnt at the save");
    }

    // The profile UserProfile.Learn computes from a stored profile row and a stored transaction row.
    private static FraudTf.Functions.Shared.Scoring.UserProfile Learnt(Dictionary<string, AttributeValue> profileRow, Dictionary<string, AttributeValue> tx) =>
        FraudTf.Functions.Storage.ProfileRows.Read(profileRow).Profile.Learn(
            DateTimeOffset.Parse(tx["timestamp"].S, CultureInfo.InvariantCulture), tx["country"].S, tx["merchantCategory"].S,
            tx.TryGetValue("deviceId", out var d) ? d.S : null, tx.TryGetValue("channel", out var c) ? c.S : null,
            tx.TryGetValue("amountReference", out var a) ? double.Parse(a.N, CultureInfo.InvariantCulture) : null);

    private static void AssertSameProfile(FraudTf.Functions.Shared.Scoring.UserProfile actual, FraudTf.Functions.Shared.Scoring.UserProfile expected)
    {
        Assert.Multiple(() =>
        {
            Assert.That(actual.Count, Is.EqualTo(expected.Count), "txCount");
            Assert.That(actual.AmountCount, Is.EqualTo(expected.AmountCount), "amountCount");
            Assert.That(actual.LogMean, Is.EqualTo(expected.LogMean), "logAmountMean");
            Assert.That(actual.LogM2, Is.EqualTo(expected.LogM2), "logAmountM2");
            Assert.That(actual.MaxAmount, Is.EqualTo(expected.MaxAmount), "maxAmount");
            Assert.That(actual.Countries, Is.EquivalentTo(expected.Countries), "countries");
            Assert.That(actual.MerchantCategories, Is.EquivalentTo(expected.MerchantCategories), "merchantCategories");
            Assert.That(actual.Devices, Is.EquivalentTo(expected.Devices), "devices");
            Assert.That(actual.Channels, Is.EquivalentTo(expected.Channels), "channels");
            Assert.That(actual.LastCountry, Is.EqualTo(expected.LastCountry), "lastCountry");
            Assert.That(actual.LastAt, Is.EqualTo(expected.LastAt), "lastTransactionAt");
        });
    }

    private static string Json(Dictionary<string, AttributeValue> item) =>
        string.Join(";", item.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}={p.Value.S}{p.Value.N}{string.Join(",", p.Value.SS ?? [])}{p.Value.BOOL}"));

    [Test]
    public async Task ApproveOfAReview_TeachesTheProfileExactlyAsUserProfileLearn_AndMarksTheTransaction()
    {
        await SeedReview();
        var before = await ProfileRow("u-r");
        var tx = await TransactionRow("tx-review");
        _clock.Now = Now.AddMinutes(7);

        var reply = await Call("record_analyst_decision", ("transaction_id", "tx-review"), ("decision", "APPROVE"), ("reason", "customer confirmed the trip"));

        Assert.That(reply.State, Is.Null, reply.BodyText);
        Assert.Multiple(() =>
        {
            Assert.That(reply.Body["status"]!.GetValue<string>(), Is.EqualTo("recorded"));
            Assert.That(reply.Body["automatedDecision"]!.GetValue<string>(), Is.EqualTo("REVIEW"));
            Assert.That(reply.Body["profileLearned"]!.GetValue<bool>(), Is.True);
            Assert.That(reply.Body["note"]!.GetValue<string>(), Does.Contain("profile learnt this transaction"));
        });
        var after = FraudTf.Functions.Storage.ProfileRows.Read(await ProfileRow("u-r"));
        var expected = Learnt(before, tx);
        AssertSameProfile(after.Profile, expected);
        Assert.Multiple(() =>
        {
            Assert.That(after.Profile.Count, Is.EqualTo(3), "two approved by the scorer, one by the analyst");
            Assert.That(after.Profile.AmountCount, Is.EqualTo(3));
            Assert.That(after.Profile.Countries, Is.EquivalentTo(new[] { "DE", "FR" }));
            Assert.That(after.Profile.MerchantCategories, Is.EquivalentTo(new[] { "5411", "5999" }));
            Assert.That(after.Profile.Devices, Is.EquivalentTo(new[] { "d-9" }));
            Assert.That(after.Profile.Channels, Is.EquivalentTo(new[] { "web" }));
            Assert.That(after.Profile.LastCountry, Is.EqualTo("FR"));
            Assert.That(after.Version, Is.EqualTo(FraudTf.Functions.Storage.ProfileRows.Read(before).Version + 1), "the version moves, so a concurrent save conflicts");
            Assert.That(after.Problems, Is.Empty);
        });
        var marked = await TransactionRow("tx-review");
        Assert.That(marked["profileLearnedAt"].S, Is.EqualTo(Iso(Now.AddMinutes(7))));
        Assert.That(Json(marked.Where(p => p.Key != "profileLearnedAt").ToDictionary()), Is.EqualTo(Json(tx)), "nothing else of the transaction changes");
        Assert.That((await Decisions("tx-review")).Count(r => r["decisionKey"].S.StartsWith("ANALYST#", StringComparison.Ordinal)), Is.EqualTo(1));
    }

    [Test]
    public async Task ApproveOfAReview_WithoutAReferenceAmount_LearnsAllButTheAmountStatistics()
    {
        // amountReference is absent when the currency had no rate.
        await SeedReview();
        await _dynamo.UpdateItemAsync(new UpdateItemRequest
        {
            TableName = _settings.TransactionsTable,
            Key = new Dictionary<string, AttributeValue> { ["transactionId"] = new() { S = "tx-review" } },
            UpdateExpression = "REMOVE amountReference",
        });
        var before = await ProfileRow("u-r");

        var reply = await Call("record_analyst_decision", ("transaction_id", "tx-review"), ("decision", "APPROVE"), ("reason", "confirmed"));

        Assert.That(reply.Body["profileLearned"]!.GetValue<bool>(), Is.True, reply.BodyText);
        var after = FraudTf.Functions.Storage.ProfileRows.Read(await ProfileRow("u-r")).Profile;
        var was = FraudTf.Functions.Storage.ProfileRows.Read(before).Profile;
        Assert.That(after.Count, Is.EqualTo(was.Count + 1));
        Assert.That((after.AmountCount, after.LogMean, after.LogM2, after.MaxAmount), Is.EqualTo((was.AmountCount, was.LogMean, was.LogM2, was.MaxAmount)));
        Assert.That(after.Countries, Does.Contain("FR"));
    }

    [Test]
    public async Task ApproveOfAReview_RetriedIdentically_LearnsNothingMore()
    {
        await SeedReview();
        var first = await Call("record_analyst_decision", ("transaction_id", "tx-review"), ("decision", "APPROVE"), ("reason", "confirmed"));
        var learnt = await ProfileRow("u-r");
        var marked = await TransactionRow("tx-review");
        _clock.Now = Now.AddSeconds(31);

        var retry = await Call("record_analyst_decision", ("transaction_id", "tx-review"), ("decision", "APPROVE"), ("reason", "confirmed"));

        Assert.That(first.Body["profileLearned"]!.GetValue<bool>(), Is.True, first.BodyText);
        Assert.That(retry.State, Is.Null, retry.BodyText);
        Assert.Multiple(async () =>
        {
            Assert.That(retry.Body["status"]!.GetValue<string>(), Is.EqualTo("already-recorded"));
            Assert.That(retry.Body["profileLearned"]!.GetValue<bool>(), Is.False, "this call learnt nothing");
            Assert.That(retry.Body["note"]!.GetValue<string>(), Does.Contain("recorded before").And.Contain("profile learnt this transaction at " + Iso(Now)));
            Assert.That(retry.Body["decidedAt"]!.GetValue<string>(), Is.EqualTo(Iso(Now)));
            Assert.That(Json(await ProfileRow("u-r")), Is.EqualTo(Json(learnt)), "the profile is as the first call left it");
            Assert.That(Json(await TransactionRow("tx-review")), Is.EqualTo(Json(marked)));
        });
    }

    [Test]
    public async Task ASecondApproval_FromAnotherSessionOrWithAnotherReason_IsRecorded_ButLearnsNothingMore()
    {
        await SeedReview();
        var tools = Tools();
        async Task<AgentEvents.Reply> Approve(string session, string reason)
        {
            var e = AgentEvents.Event("record_analyst_decision", ("transaction_id", "tx-review"), ("decision", "APPROVE"), ("reason", reason));
            e["sessionId"] = session;
            return AgentEvents.Read(await tools.Process(e.ToJsonString(), CancellationToken.None));
        }

        var first = await Approve("session-a", "customer confirmed the trip");
        var learnt = await ProfileRow("u-r");
        _clock.Now = Now.AddMinutes(3);
        var otherReason = await Approve("session-a", "trip confirmed again");
        var otherSession = await Approve("session-b", "customer confirmed the trip");

        Assert.That(first.Body["profileLearned"]!.GetValue<bool>(), Is.True, first.BodyText);
        foreach (var r in new[] { otherReason, otherSession })
        {
            Assert.That(r.Body["status"]!.GetValue<string>(), Is.EqualTo("recorded"), r.BodyText);
            Assert.That(r.Body["profileLearned"]!.GetValue<bool>(), Is.False);
            Assert.That(r.Body["note"]!.GetValue<string>(), Does.Contain("already learnt this transaction at " + Iso(Now)));
        }

        Assert.That(Json(await ProfileRow("u-r")), Is.EqualTo(Json(learnt)));
        Assert.That((await TransactionRow("tx-review"))["profileLearnedAt"].S, Is.EqualTo(Iso(Now)), "the first approval's time");
        Assert.That((await Decisions("tx-review")).Count(r => r["decisionKey"].S.StartsWith("ANALYST#", StringComparison.Ordinal)), Is.EqualTo(3));
    }

    [Test]
    public async Task ConcurrentApprovals_OfOneReview_LearnItOnce()
    {
        await SeedReview();
        var before = FraudTf.Functions.Storage.ProfileRows.Read(await ProfileRow("u-r")).Profile;
        var tools = Tools();
        var calls = Enumerable.Range(0, 6).Select(async i =>
        {
            // Three identical calls (Bedrock retries) and three with their own reasons (other approvals), all at once.
            var e = AgentEvents.Event("record_analyst_decision", ("transaction_id", "tx-review"), ("decision", "APPROVE"), ("reason", i < 3 ? "confirmed" : $"confirmed {i}"));
            return AgentEvents.Read(await tools.Process(e.ToJsonString(), CancellationToken.None));
        });

        var replies = await Task.WhenAll(calls);

        Assert.That(replies.Select(r => r.State), Has.All.Null, string.Join("\n", replies.Select(r => r.BodyText)));
        Assert.That(replies.Count(r => r.Body["profileLearned"]!.GetValue<bool>()), Is.EqualTo(1));
        Assert.That(replies.Count(r => r.Body["status"]!.GetValue<string>() == "already-recorded"), Is.EqualTo(2));
        Assert.That(FraudTf.Functions.Storage.ProfileRows.Read(await ProfileRow("u-r")).Profile.Count, Is.EqualTo(before.Count + 1));
        Assert.That((await Decisions("tx-review")).Count(r => r["decisionKey"].S.StartsWith("ANALYST#", StringComparison.Ordinal)), Is.EqualTo(4));
    }

    [TestCase("DECLINE")]
    [TestCase("ESCALATE")]
    public async Task DeclineOrEscalate_OfAReview_LeavesTheProfileAlone(string decision)
    {
        await SeedReview();
        var profile = await ProfileRow("u-r");
        var tx = await TransactionRow("tx-review");

        var reply = await Call("record_analyst_decision", ("transaction_id", "tx-review"), ("decision", decision), ("reason", "not the customer"));

        Assert.That(reply.Body["status"]!.GetValue<string>(), Is.EqualTo("recorded"), reply.BodyText);
        Assert.That(reply.Body["profileLearned"]!.GetValue<bool>(), Is.False);
        Assert.That(reply.Body["note"]!.GetValue<string>(), Does.Contain("profile was not changed").And.Contain($"a {decision} never does"));
        Assert.That(Json(await ProfileRow("u-r")), Is.EqualTo(Json(profile)), "not even the version moves");
        Assert.That(Json(await TransactionRow("tx-review")), Is.EqualTo(Json(tx)));
    }

    [Test]
    public async Task ApproveOfAnApprovedOrDeclinedTransaction_LeavesTheProfileAlone()
    {
        await Ingest(new Tx("h-a", "u-h", 50m, 3 * 1440), new Tx("h-b", "u-h", 30m, 2 * 1440));
        // A small grocery payment is approved; a large quasi-cash payment online, from a short history, is declined
        // (AMOUNT_TIER 0.35 + MERCHANT_CATEGORY_RISK 0.35 + NEW_MERCHANT_CATEGORY 0.1 + NEW_CHANNEL 0.1).
        await Ingest(new Tx("h-approved", "u-h", 20m, 40), new Tx("h-declined", "u-h", 6000m, 20, Mcc: "6051", Channel: "web"));
        Assert.That((await TransactionRow("h-approved"))["decision"].S, Is.EqualTo("APPROVE"), "test setup");
        Assert.That((await TransactionRow("h-declined"))["decision"].S, Is.EqualTo("DECLINE"), "test setup");
        var profile = await ProfileRow("u-h");
        var declined = await TransactionRow("h-declined");

        var onApproved = await Call("record_analyst_decision", ("transaction_id", "h-approved"), ("decision", "APPROVE"), ("reason", "fine"));
        var onDeclined = await Call("record_analyst_decision", ("transaction_id", "h-declined"), ("decision", "APPROVE"), ("reason", "customer says it was them"));

        Assert.Multiple(async () =>
        {
            Assert.That(onApproved.Body["status"]!.GetValue<string>(), Is.EqualTo("recorded"), onApproved.BodyText);
            Assert.That(onApproved.Body["profileLearned"]!.GetValue<bool>(), Is.False);
            Assert.That(onApproved.Body["note"]!.GetValue<string>(), Does.Contain("scorer approved this transaction"));
            Assert.That(onDeclined.Body["status"]!.GetValue<string>(), Is.EqualTo("recorded"), onDeclined.BodyText);
            Assert.That(onDeclined.Body["profileLearned"]!.GetValue<bool>(), Is.False);
            Assert.That(onDeclined.Body["note"]!.GetValue<string>(), Does.Contain("scorer declined this transaction").And.Contain("did not happen"));
            Assert.That(Json(await ProfileRow("u-h")), Is.EqualTo(Json(profile)));
            Assert.That(Json(await TransactionRow("h-declined")), Is.EqualTo(Json(declined)), "no profileLearnedAt on a declined payment");
        });
    }

    [Test]
    public async Task AProfileChangedBetweenReadAndWrite_IsReadAgain_AndLearntOnce()
    {
        await SeedReview();
        Dictionary<string, AttributeValue>? moved = null;
        // Just before the tools' first TransactWriteItems, the stream processor saves another approved payment of the user:
        // the profile's version moves under the approval, whose profile update then fails its condition.
        var (dynamo, control) = TransactWriteSpy.Wrap(_dynamo, async () =>
        {
            await Ingest(new Tx("tx-meanwhile", "u-r", 25m, 10));
            Assert.That((await TransactionRow("tx-meanwhile"))["decision"].S, Is.EqualTo("APPROVE"), "test setup");
            moved = await ProfileRow("u-r");
        });
        var tx = await TransactionRow("tx-review");

        var reply = AgentEvents.Read(await Tools(dynamo).Process(
            AgentEvents.Call("record_analyst_decision", ("transaction_id", "tx-review"), ("decision", "APPROVE"), ("reason", "confirmed")), CancellationToken.None));

        Assert.That(reply.State, Is.Null, reply.BodyText);
        Assert.That(reply.Body["profileLearned"]!.GetValue<bool>(), Is.True);
        Assert.That(control.TransactWrites, Is.EqualTo(2), "the first attempt failed on the version, the second wrote");
        var after = FraudTf.Functions.Storage.ProfileRows.Read(await ProfileRow("u-r"));
        AssertSameProfile(after.Profile, Learnt(moved!, tx));
        Assert.That(after.Profile.Count, Is.EqualTo(4), "two before, the payment saved meanwhile, the approved review");
        Assert.That(after.Profile.LastCountry, Is.EqualTo("DE"), "the payment saved meanwhile (DE) is later than the reviewed one (FR)");
        Assert.That((await Decisions("tx-review")).Count(r => r["decisionKey"].S.StartsWith("ANALYST#", StringComparison.Ordinal)), Is.EqualTo(1));
    }

    [Test]
    public async Task AnotherApprovalCommittingFirst_RecordsThisDecisionAlone_AndSaysTheProfileAlreadyLearntIt()
    {
        // Both approvals read the transaction as not learnt; the other one commits just before this one's TransactWriteItems.
        await SeedReview();
        Dictionary<string, AttributeValue>? learnt = null;
        var (dynamo, control) = TransactWriteSpy.Wrap(_dynamo, async () =>
        {
            var e = AgentEvents.Event("record_analyst_decision", ("transaction_id", "tx-review"), ("decision", "APPROVE"), ("reason", "confirmed by phone"));
            e["sessionId"] = "session-other";
            var other = AgentEvents.Read(await Tools().Process(e.ToJsonString(), CancellationToken.None));
            Assert.That(other.Body["profileLearned"]!.GetValue<bool>(), Is.True, other.BodyText);
            learnt = await ProfileRow("u-r");
        });

        var reply = AgentEvents.Read(await Tools(dynamo).Process(
            AgentEvents.Call("record_analyst_decision", ("transaction_id", "tx-review"), ("decision", "APPROVE"), ("reason", "confirmed")), CancellationToken.None));

        Assert.That(reply.State, Is.Null, reply.BodyText);
        Assert.That(reply.Body["status"]!.GetValue<string>(), Is.EqualTo("recorded"));
        Assert.That(reply.Body["profileLearned"]!.GetValue<bool>(), Is.False);
        Assert.That(reply.Body["note"]!.GetValue<string>(), Does.Contain("already learnt this transaction"));
        Assert.That(control.TransactWrites, Is.EqualTo(1), "no second attempt: the decision row is then written alone");
        Assert.That(Json(await ProfileRow("u-r")), Is.EqualTo(Json(learnt!)), "learnt once, by the other approval");
        Assert.That((await Decisions("tx-review")).Count(r => r["decisionKey"].S.StartsWith("ANALYST#", StringComparison.Ordinal)), Is.EqualTo(2));
    }

    [Test]
    public async Task Approval_NamesOnlyTheAttributesTheSynthesizedGrantsAllow()
    {
        // The agent-tools role (cdktf.out) limits the attributes each table's writes may name (dynamodb:Attributes: the
        // item's, the update's and the condition's, keys included). The approval's real TransactWriteItems must fit in them.
        var stack = FraudTf.Functions.Tests.Support.SynthesizedStack.LoadOrIgnore();
        var policy = FraudTf.Functions.Tests.Support.SynthesizedStack.Resource(stack, "aws_iam_role_policy", "/analyst/agent-tools/role/policy");
        var statements = JsonNode.Parse(policy["policy"]!.GetValue<string>())!["Statement"]!.AsArray();
        List<string> Allowed(string sid) => statements.Single(st => st!["Sid"]!.GetValue<string>() == sid)!
            ["Condition"]!["ForAllValues:StringEquals"]!["dynamodb:Attributes"]!.AsArray().Select(a => a!.GetValue<string>()).ToList();
        var sids = new Dictionary<string, string>
        {
            [_settings.DecisionsTable] = "DecisionsTableWrite",
            [_settings.TransactionsTable] = "TransactionsTableWrite",
            [_settings.UserProfilesTable] = "UserProfilesTableWrite",
        };
        await SeedReview();
        var (dynamo, spy) = TransactWriteSpy.Wrap(_dynamo);

        var reply = AgentEvents.Read(await Tools(dynamo).Process(
            AgentEvents.Call("record_analyst_decision", ("transaction_id", "tx-review"), ("decision", "APPROVE"), ("reason", "confirmed")), CancellationToken.None));

        Assert.That(reply.Body["profileLearned"]!.GetValue<bool>(), Is.True, reply.BodyText);
        var items = spy.Requests.Single().TransactItems;
        Assert.That(items.Select(i => i.Put is not null ? $"Put {i.Put.TableName}" : $"Update {i.Update.TableName}"), Is.EqualTo(new[]
        {
            $"Put {_settings.DecisionsTable}", $"Update {_settings.TransactionsTable}", $"Update {_settings.UserProfilesTable}",
        }));
        foreach (var i in items)
        {
            var (table, named) = i.Put is { } put
                ? (put.TableName, put.Item.Keys.Concat(ExpressionNames(put.ConditionExpression, put.ExpressionAttributeNames)))
                : (i.Update.TableName, i.Update.Key.Keys
                    .Concat(ExpressionNames(i.Update.UpdateExpression, i.Update.ExpressionAttributeNames))
                    .Concat(ExpressionNames(i.Update.ConditionExpression, i.Update.ExpressionAttributeNames)));
            var allowed = Allowed(sids[table]);
            Assert.That(named.Distinct().ToList(), Is.SubsetOf(allowed), $"{table}: allowed {string.Join(", ", allowed)}");
        }

        Assert.That(ExpressionNames(items[1].Update.UpdateExpression, items[1].Update.ExpressionAttributeNames), Is.EqualTo(new[] { "profileLearnedAt" }),
            "the transaction's only change");
    }

    // Attribute names of an expression: literal words that are neither keywords, functions nor :values, and #names resolved.
    private static IEnumerable<string> ExpressionNames(string? expression, Dictionary<string, string>? names) =>
        expression is null
            ? []
            : System.Text.RegularExpressions.Regex.Matches(expression, @"(?<![:\w])(#?[A-Za-z_]\w*)\b(?!\s*\()")
                .Select(m => m.Value)
                .Where(w => w is not ("SET" or "ADD" or "REMOVE" or "DELETE" or "AND" or "OR" or "NOT" or "BETWEEN" or "IN"))
                .Select(w => w.StartsWith('#') ? names![w] : w)
                .Distinct();

    // ---- get_active_fraud_patterns ----

    private async Task PutPattern(string id, int version, bool active, string description, double weight, string[]? categories = null, string? minAmount = null)
    {
        var item = new Dictionary<string, AttributeValue>
        {
            ["patternId"] = new() { S = id },
            ["version"] = new() { N = version.ToString(CultureInfo.InvariantCulture) },
            ["description"] = new() { S = description },
            ["weight"] = new() { N = weight.ToString(CultureInfo.InvariantCulture) },
        };
        if (active)
        {
            item["activeStatus"] = new AttributeValue { S = "ACTIVE" };
        }

        if (categories is not null)
        {
            item["merchantCategories"] = new AttributeValue { SS = [.. categories] };
        }

        if (minAmount is not null)
        {
            item["minAmount"] = new AttributeValue { N = minAmount };
        }

        await _dynamo.PutItemAsync(new PutItemRequest { TableName = _settings.PatternsTable, Item = item });
    }

    private async Task SeedPatterns()
    {
        await PutPattern("crypto-cashout", 1, false, "superseded", 0.1, ["6051"]);
        await PutPattern("crypto-cashout", 2, true, "quasi-cash above 900", 0.6, ["6051", "4829"], "900");
        await PutPattern("any-category-burst", 1, true, "bursts in any category", 0.3);
        await PutPattern("grocery-odd-hours", 3, true, "groceries at odd hours", 0.2, ["5411"]);
    }

    [Test]
    public async Task GetActiveFraudPatterns_ReturnsTheCurrentVersionOfEachActivePattern()
    {
        await SeedPatterns();

        var reply = await Call("get_active_fraud_patterns");

        Assert.That(reply.State, Is.Null, reply.BodyText);
        var list = reply.Body["patterns"]!.AsArray();
        Assert.That(list.Select(p => p!["patternId"]!.GetValue<string>()), Is.EqualTo(new[] { "any-category-burst", "crypto-cashout", "grocery-odd-hours" }));
        var crypto = list.Single(p => p!["patternId"]!.GetValue<string>() == "crypto-cashout")!;
        Assert.That(crypto["version"]!.GetValue<long>(), Is.EqualTo(2));
        Assert.That(crypto["weight"]!.GetValue<double>(), Is.EqualTo(0.6));
        Assert.That(crypto["minAmount"]!.GetValue<decimal>(), Is.EqualTo(900m));
        Assert.That(crypto["merchantCategories"]!.AsArray().Select(c => c!.GetValue<string>()), Is.EqualTo(new[] { "4829", "6051" }));
        Assert.That(reply.Body["matching"]!.GetValue<int>(), Is.EqualTo(3));
        Assert.That(reply.Body.ContainsKey("note"), Is.False);
    }

    [Test]
    public async Task GetActiveFraudPatterns_ByMerchantCategory_IncludesPatternsForEveryCategory()
    {
        await SeedPatterns();

        var reply = await Call("get_active_fraud_patterns", ("merchant_category", "6051"));

        Assert.That(reply.Body["patterns"]!.AsArray().Select(p => p!["patternId"]!.GetValue<string>()), Is.EqualTo(new[] { "any-category-burst", "crypto-cashout" }));
        Assert.That(reply.Body["merchantCategory"]!.GetValue<string>(), Is.EqualTo("6051"));
    }

    [Test]
    public async Task GetActiveFraudPatterns_Limit_SaysHowManyMoreMatch()
    {
        await SeedPatterns();

        var reply = await Call("get_active_fraud_patterns", ("limit", "1"));

        Assert.That(reply.Body["patterns"]!.AsArray(), Has.Count.EqualTo(1));
        Assert.That(reply.Body["matching"]!.GetValue<int>(), Is.EqualTo(3));
        Assert.That(reply.Body["note"]!.GetValue<string>(), Does.StartWith("2 more matching patterns"));
    }

    // ---- the Lambda entry point with the SDK configured from the environment ----

    [Test]
    public async Task Handler_WithSdkClientFromTheEnvironment_AnswersAToolCall()
    {
        await Ingest(new Tx("tx-env", "u-env", 42m, 15));
        var vars = new Dictionary<string, string?>
        {
            ["AWS_REGION"] = "us-east-1",
            ["AWS_ACCESS_KEY_ID"] = "local",
            ["AWS_SECRET_ACCESS_KEY"] = "local",
            ["AWS_ENDPOINT_URL_DYNAMODB"] = DynamoDbLocal.Endpoint,
            ["TRANSACTIONS_TABLE"] = _settings.TransactionsTable,
            ["DECISIONS_TABLE"] = _settings.DecisionsTable,
            ["USER_PROFILES_TABLE"] = _settings.UserProfilesTable,
            ["PATTERNS_TABLE"] = _settings.PatternsTable,
        };
        using (new ScopedEnvironment(vars))
        {
            var function = new AgentFunction();
            await using var output = await function.Handler(new MemoryStream(Encoding.UTF8.GetBytes(AgentEvents.Call("get_transaction", ("transaction_id", "tx-env")))));
            using var reader = new StreamReader(output);
            var reply = AgentEvents.Read(await reader.ReadToEndAsync());
            Assert.That(reply.State, Is.Null, reply.BodyText);
            Assert.That(reply.Body["transaction"]!["userId"]!.GetValue<string>(), Is.EqualTo("u-env"));
        }
    }

    [Test]
    public void ThrottledRead_IsThrown()
    {
        var (throttled, control) = ThrottlingReads.Wrap(_dynamo);
        control.Throttle = true;
        Assert.ThrowsAsync<ProvisionedThroughputExceededException>(() =>
            Tools(throttled).Process(AgentEvents.Call("get_recent_transactions", ("user_id", "u-1")), CancellationToken.None));
    }
}

/// <summary>Wraps the DynamoDB Local client; while <see cref="Throttle"/> is set, every Query fails as a throttled table would.</summary>
public class ThrottlingReads : System.Reflection.DispatchProxy
{
    private IAmazonDynamoDB _inner = null!;

    /// <summary>Whether queries fail.</summary>
    public bool Throttle { get; set; }

    /// <summary>Wraps <paramref name="inner"/>.</summary>
    public static (IAmazonDynamoDB Client, ThrottlingReads Control) Wrap(IAmazonDynamoDB inner)
    {
        var client = Create<IAmazonDynamoDB, ThrottlingReads>();
        var control = (ThrottlingReads)(object)client;
        control._inner = inner;
        return (client, control);
    }

    /// <inheritdoc />
    protected override object? Invoke(System.Reflection.MethodInfo? method, object?[]? args)
    {
        if (Throttle && method?.Name == nameof(IAmazonDynamoDB.QueryAsync))
        {
            return Task.FromException<QueryResponse>(new ProvisionedThroughputExceededException("Rate exceeded"));
        }

        try
        {
            return method!.Invoke(_inner, args);
        }
        catch (System.Reflection.TargetInvocationException e) when (e.InnerException is not null)
        {
            throw e.InnerException;
        }
    }
}

/// <summary>Wraps the DynamoDB Local client: records every TransactWriteItems request, and runs a hook once, just before the first is sent.</summary>
public class TransactWriteSpy : System.Reflection.DispatchProxy
{
    private IAmazonDynamoDB _inner = null!;
    private Func<Task>? _hook;
    private readonly System.Collections.Concurrent.ConcurrentQueue<TransactWriteItemsRequest> _requests = new();

    /// <summary>TransactWriteItems calls sent.</summary>
    public int TransactWrites => _requests.Count;

    /// <summary>The TransactWriteItems requests sent, in order.</summary>
    public IReadOnlyList<TransactWriteItemsRequest> Requests => _requests.ToList();

    /// <summary>Wraps <paramref name="inner"/>; <paramref name="hook"/> runs before the first TransactWriteItems.</summary>
    public static (IAmazonDynamoDB Client, TransactWriteSpy Control) Wrap(IAmazonDynamoDB inner, Func<Task>? hook = null)
    {
        var client = Create<IAmazonDynamoDB, TransactWriteSpy>();
        var control = (TransactWriteSpy)(object)client;
        control._inner = inner;
        control._hook = hook;
        return (client, control);
    }

    /// <inheritdoc />
    protected override object? Invoke(System.Reflection.MethodInfo? method, object?[]? args)
    {
        if (method?.Name == nameof(IAmazonDynamoDB.TransactWriteItemsAsync))
        {
            return Send(method, args);
        }

        try
        {
            return method!.Invoke(_inner, args);
        }
        catch (System.Reflection.TargetInvocationException e) when (e.InnerException is not null)
        {
            throw e.InnerException;
        }
    }

    private async Task<TransactWriteItemsResponse> Send(System.Reflection.MethodInfo method, object?[]? args)
    {
        _requests.Enqueue((TransactWriteItemsRequest)args![0]!);
        if (_requests.Count == 1 && _hook is not null)
        {
            await _hook();
        }

        return await (Task<TransactWriteItemsResponse>)method.Invoke(_inner, args)!;
    }
}
