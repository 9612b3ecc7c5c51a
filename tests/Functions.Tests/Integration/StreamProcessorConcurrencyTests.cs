using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using FraudTf.Functions.Shared.Events;
using FraudTf.Functions.Shared.Metrics;
using FraudTf.Functions.StreamProcessor;
using FraudTf.Functions.Tests.Support;

namespace FraudTf.Functions.Tests.Integration;

/// <summary>
/// The stream processor with users processed concurrently (issue 18), on DynamoDB Local: each user's records are
/// saved in the batch's order whatever the others do, the result equals the sequential one, and the failure report
/// names the lowest record not durably done, so the mapping's redelivery from it (aws-semantics.md: Lambda checkpoints
/// at the lowest reported sequence number) loses nothing of any user and quarantines nothing twice.
/// </summary>
public partial class StreamProcessorPoisonTests
{
    private static readonly string[] ThreeUsers = ["u-a", "u-b", "u-c"];

    [Test]
    public async Task TwentyUsers_SavedConcurrently_EachUsersRecordsInTheBatchOrder_SameDecisionsAsSequential()
    {
        // 100 records of 20 users, interleaved; users with slow writes (0 to 9 ms) finish out of step with the others.
        var records = Enumerable.Range(0, 100).Select(i => Record(i, Tx($"tx-{i:D3}", $"u-{i % 20:D2}", amount: 20 + (i * 37 % 400), minutesAgo: 200 - i))).ToArray();
        var concurrent = NewFunction(_settings with { MaxConcurrency = 8 });
        concurrent.Dynamo.WriteDelay = user => TimeSpan.FromMilliseconds(int.Parse(user[2..], System.Globalization.CultureInfo.InvariantCulture) % 10);

        var response = await concurrent.Function.Process(Batch(records), CancellationToken.None);

        Assert.That(response.BatchItemFailures, Is.Empty);
        Assert.That(concurrent.Dynamo.MaxWritesInFlight, Is.InRange(2, 8), "users' records saved in several transactions at once, at most MaxConcurrency");
        foreach (var user in records.Select((_, i) => $"u-{i % 20:D2}").Distinct())
        {
            var expected = Enumerable.Range(0, 100).Where(i => i % 20 == int.Parse(user[2..], System.Globalization.CultureInfo.InvariantCulture)).Select(i => $"tx-{i:D3}");
            Assert.That(concurrent.Dynamo.Writes.Where(w => w.User == user).Select(w => w.TransactionId), Is.EqualTo(expected), $"{user}'s saves in the batch's order");
            Assert.That((await Profile(user))!["txCount"].N, Is.EqualTo("5"));
        }

        // The same batch, one record at a time, on tables of its own: every decision (score, reasons with their measured
        // values) is the same, so concurrency changed no user's view of their own history.
        var prefix = $"s{Guid.NewGuid():N}"[..12];
        await DynamoDbLocal.CreateTables(_dynamo, prefix);
        var sequentialSettings = TestSettings.StreamProcessor(prefix) with { MaxConcurrency = 1 };
        var sequential = NewFunction(sequentialSettings);
        Assert.That((await sequential.Function.Process(Batch(records), CancellationToken.None)).BatchItemFailures, Is.Empty);
        Assert.That(sequential.Dynamo.MaxWritesInFlight, Is.EqualTo(1));
        Assert.That(await Decisions(sequentialSettings.DecisionsTable), Is.EqualTo(await Decisions(_settings.DecisionsTable)));
        Assert.That(MetricSum(concurrent.Log, PlatformMetrics.TransactionsProcessed), Is.EqualTo(100));
        Assert.That(MetricSum(concurrent.Log, PlatformMetrics.ConfidenceScore), Is.EqualTo(MetricSum(sequential.Log, PlatformMetrics.ConfidenceScore)), "the batch's metrics summed in the batch's order");
    }

    [Test]
    public async Task ThrottledRecordOfUserA_ReportedWhileUserBIsStored_TheRedeliveryLosesNothingAndQuarantinesOnce()
    {
        // 30 records of u-a, u-b, u-c in turn, and two poison records: one before u-a's throttled record, one after it.
        var batch = new List<KinesisEventRecord>();
        var seq = 0;
        var seqOf = new Dictionary<string, string>();
        string? poisonBefore = null, poisonAfter = null;
        for (var i = 0; i < 30; i++)
        {
            batch.Add(Record(seq++, Tx($"tx-{i:D2}", ThreeUsers[i % 3], minutesAgo: 60 - i)));
            seqOf[$"tx-{i:D2}"] = batch[^1].Kinesis.SequenceNumber;
            if (i == 4)
            {
                batch.Add(Record(seq++, "not json"));
                poisonBefore = batch[^1].Kinesis.SequenceNumber;
            }

            if (i == 20)
            {
                batch.Add(Record(seq++, "{\"transactionId\": 7}"));
                poisonAfter = batch[^1].Kinesis.SequenceNumber;
            }
        }

        // Each throttled record's partition refuses the two calls that touch it: the three users' records together, then
        // its user's records alone (a user's records in a batch are saved together or not at all).
        var h = NewFunction(_settings with { MaxConcurrency = 3 });
        h.Dynamo.ThrottleTransactions["tx-06"] = 2; // u-a's third record
        h.Dynamo.ThrottleTransactions["tx-14"] = 2; // u-c's fifth record

        var first = await h.Function.Process(Batch(batch), CancellationToken.None);

        var failedA = seqOf["tx-00"];
        Assert.That(first.BatchItemFailures.Select(f => f.ItemIdentifier), Is.EqualTo(new[] { failedA }), "one record reported, the lowest not done: u-a's first (its records were not saved), though u-c's failed too");
        var afterFirst = await StoredIds(_settings.TransactionsTable);
        int N(string id) => int.Parse(id[3..], System.Globalization.CultureInfo.InvariantCulture);
        Assert.That(afterFirst.Count(id => N(id) % 3 == 1), Is.EqualTo(10), "every u-b record stored, before and after u-a's failure");
        Assert.That(afterFirst.Where(id => N(id) % 3 == 0), Is.Empty, "u-a's records wait, in order, for the redelivery");
        Assert.That(afterFirst.Where(id => N(id) % 3 == 2), Is.Empty, "u-c's too");
        Assert.That(Quarantined(h.Sqs), Is.Empty, "both poison records lie after the reported record: quarantined with the redelivery, once");

        var redelivery = From(Batch(batch), first);
        h.Log.Clear();
        var second = await h.Function.Process(redelivery, CancellationToken.None);

        Assert.That(second.BatchItemFailures, Is.Empty);
        Assert.That(await StoredIds(_settings.TransactionsTable), Is.EquivalentTo(Enumerable.Range(0, 30).Select(i => $"tx-{i:D2}")), "every record stored exactly once");
        Assert.That(Quarantined(h.Sqs).Select(q => q.SequenceNumber), Is.EqualTo(new[] { poisonBefore, poisonAfter }), "each poison record once");
        Assert.That(MetricSum(h.Log, PlatformMetrics.DuplicatesSkipped), Is.EqualTo(afterFirst.Count(id => string.CompareOrdinal(seqOf[id], failedA) > 0)),
            "the records after the reported one that were stored come again and are skipped");
        foreach (var user in ThreeUsers)
        {
            Assert.That((await Profile(user))!["txCount"].N, Is.EqualTo("10"), $"{user} counted once per record");
        }
    }

    [Test]
    public async Task EnvironmentalFailure_StopsEveryLane_AndTheReportedRecordPrecedesEveryRecordNotStored()
    {
        var records = Enumerable.Range(0, 40).Select(i => Record(i, Tx($"tx-{i:D2}", $"u-{i % 8}", minutesAgo: 60 - i))).ToArray();
        var h = NewFunction(_settings with { MaxConcurrency = 4 });
        h.Dynamo.FailWritesOf = "u-5";
        h.Dynamo.WriteFailure = new AmazonDynamoDBException("User is not authorized to perform: dynamodb:TransactWriteItems") { ErrorCode = "AccessDeniedException", StatusCode = System.Net.HttpStatusCode.BadRequest };

        var first = await h.Function.Process(Batch(records), CancellationToken.None);

        var reported = first.BatchItemFailures.Single().ItemIdentifier;
        var stored = (await StoredIds(_settings.TransactionsTable)).ToHashSet();
        var notStored = records.Where((_, i) => !stored.Contains($"tx-{i:D2}")).Select(r => r.Kinesis.SequenceNumber).ToList();
        Assert.That(notStored, Has.Count.GreaterThan(5), "the batch stopped: more than u-5's own records wait");
        Assert.That(reported, Is.EqualTo(notStored.Min(StringComparer.Ordinal)), "everything before the checkpoint is stored");
        Assert.That(h.Sqs.Sent, Is.Empty, "an environmental failure is not the record's: nothing quarantined");
        Assert.That(h.Log.Lines.Count(l => l.Contains("\"record failed; it will be retried\"", StringComparison.Ordinal)), Is.EqualTo(1), "the batch's environmental failure, logged once");

        h.Dynamo.FailWritesOf = null;
        var second = await h.Function.Process(From(Batch(records), first), CancellationToken.None);
        Assert.That(second.BatchItemFailures, Is.Empty);
        Assert.That(await StoredIds(_settings.TransactionsTable), Is.EquivalentTo(records.Select((_, i) => $"tx-{i:D2}")));
    }

    [Test]
    public async Task PatternsUnreadable_NoLaneRuns_TheFailureIsLoggedOnce_AndTheRedeliveryStoresEveryRecord(
        [Values("AccessDeniedException", "ProvisionedThroughputExceededException")] string errorCode)
    {
        // A poison record first, 40 valid records of 8 users, a poison record after them.
        var records = new List<KinesisEventRecord> { Record(0, "not json") };
        records.AddRange(Enumerable.Range(1, 40).Select(i => Record(i, Tx($"tx-{i:D2}", $"u-{i % 8}", minutesAgo: 60 - i))));
        records.Add(Record(41, "{\"transactionId\": 7}"));
        var h = NewFunction(_settings with { MaxConcurrency = 4 });
        h.Dynamo.PatternsFailure = new AmazonDynamoDBException("the patterns cannot be read") { ErrorCode = errorCode, StatusCode = System.Net.HttpStatusCode.BadRequest };

        var first = await h.Function.Process(Batch(records), CancellationToken.None);

        var failures = h.Log.Lines.Select(l => System.Text.Json.Nodes.JsonNode.Parse(l)!).Where(l => (string?)l[FraudTf.Functions.Shared.Logging.LogFields.Message] == "record failed; it will be retried").ToList();
        Assert.Multiple(async () =>
        {
            Assert.That(first.BatchItemFailures.Select(f => f.ItemIdentifier), Is.EqualTo(new[] { Seq(1) }), "the first valid record: the poison record before it is done");
            Assert.That(failures.Select(l => (string?)l[FraudTf.Functions.Shared.Logging.LogFields.SequenceNumber]), Is.EqualTo(new[] { Seq(1) }), "one line for the batch, not one per lane");
            Assert.That(h.Dynamo.Writes, Is.Empty, "no lane ran");
            Assert.That(await StoredIds(_settings.TransactionsTable), Is.Empty);
            Assert.That(Quarantined(h.Sqs).Select(q => q.SequenceNumber), Is.EqualTo(new[] { Seq(0) }), "only the poison record before the reported one");
            Assert.That(MetricSum(h.Log, PlatformMetrics.RecordsRetried), Is.EqualTo(41), "every record from the reported one on comes again");
        });

        h.Dynamo.PatternsFailure = null;
        var second = await h.Function.Process(From(Batch(records), first), CancellationToken.None);

        Assert.That(second.BatchItemFailures, Is.Empty);
        Assert.That(await StoredIds(_settings.TransactionsTable), Is.EquivalentTo(Enumerable.Range(1, 40).Select(i => $"tx-{i:D2}")));
        Assert.That(Quarantined(h.Sqs).Select(q => q.SequenceNumber), Is.EqualTo(new[] { Seq(0), Seq(41) }), "each poison record once");
    }

    // Every decision of a table: transaction id, decision, score and reasons (rule, value, threshold), ordered by id.
    private async Task<List<string>> Decisions(string table)
    {
        var rows = new List<string>();
        Dictionary<string, AttributeValue>? start = null;
        do
        {
            var r = await _dynamo.ScanAsync(new ScanRequest { TableName = table, ExclusiveStartKey = start, ConsistentRead = true });
            rows.AddRange(r.Items.Select(i => string.Join('|', i["transactionId"].S, i["decision"].S, i["score"].N,
                string.Join(',', i["reasons"].L.Select(x => $"{x.M["rule"].S}:{(x.M.TryGetValue("value", out var v) ? v.N : "")}:{(x.M.TryGetValue("threshold", out var t) ? t.N : "")}")))));
            start = r.LastEvaluatedKey is { Count: > 0 } k ? k : null;
        }
        while (start is not null);

        return rows.Order(StringComparer.Ordinal).ToList();
    }
}
