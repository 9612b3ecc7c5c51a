using System.Globalization;
using Amazon.DynamoDBv2.Model;
using FraudTf.Functions.Shared.Metrics;
using FraudTf.Functions.StreamProcessor;
using FraudTf.Functions.Tests.Support;

namespace FraudTf.Functions.Tests.Integration;

/// <summary>
/// The stream processor saves a batch's records together (issue 18), on DynamoDB Local: a lane's records in units of one
/// transaction with one profile update per user, several lanes' units in one TransactWriteItems of at most 100 items
/// (DynamoDB's limit), and the decisions, profiles and versions equal to saving one record per transaction.
/// </summary>
public partial class StreamProcessorPoisonTests
{
    [Test]
    public async Task HundredRecordsOfTwentyUsers_SavedInThreeTransactionsOfAtMost100Items_SameResultAsOneByOne()
    {
        var records = Enumerable.Range(0, 100).Select(i => Record(i, Tx($"tx-{i:D3}", $"u-{i % 20:D2}", amount: 20 + (i * 37 % 400), minutesAgo: 200 - i))).ToArray();
        var together = NewFunction();

        Assert.That((await together.Function.Process(Batch(records), CancellationToken.None)).BatchItemFailures, Is.Empty);

        // 20 units of 5 records (10 rows and 1 profile update each), 9 to a transaction: 99 + 99 + 22 items.
        Assert.That(together.Dynamo.ItemsPerWrite.Order(), Is.EqualTo(new[] { 22, 99, 99 }));
        Assert.That(together.Dynamo.Writes.Select(w => w.TransactionId).Order(), Is.EqualTo(records.Select((_, i) => $"tx-{i:D3}")), "every record written once");
        foreach (var user in Enumerable.Range(0, 20).Select(u => $"u-{u:D2}"))
        {
            var profile = (await Profile(user))!;
            Assert.That((profile["txCount"].N, profile["profileVersion"].N), Is.EqualTo(("5", "5")), $"{user}: the version counts saves, saved together or not");
        }

        var prefix = $"o{Guid.NewGuid():N}"[..12];
        await DynamoDbLocal.CreateTables(_dynamo, prefix);
        var oneByOneSettings = TestSettings.StreamProcessor(prefix) with { SaveTogether = false };
        var oneByOne = NewFunction(oneByOneSettings);
        Assert.That((await oneByOne.Function.Process(Batch(records), CancellationToken.None)).BatchItemFailures, Is.Empty);
        Assert.That(oneByOne.Dynamo.ItemsPerWrite, Has.Count.EqualTo(100).And.All.EqualTo(3), "one record per transaction");
        Assert.That(await Decisions(_settings.DecisionsTable), Is.EqualTo(await Decisions(oneByOneSettings.DecisionsTable)));
        Assert.That(MetricSum(together.Log, PlatformMetrics.ConfidenceScore), Is.EqualTo(MetricSum(oneByOne.Log, PlatformMetrics.ConfidenceScore)));
    }

    [Test]
    public async Task SixtyRecordsOfOneUser_SavedInTwoUnitsInOrder_EachConditionedOnTheVersionBefore()
    {
        // A card-testing burst: more records of one user than one transaction holds (49 records and the profile update).
        var records = Enumerable.Range(0, 60).Select(i => Record(i, Tx($"tx-{i:D2}", "u-hot", amount: 1 + i % 3, minutesAgo: 61 - i))).ToArray();
        var h = NewFunction();

        Assert.That((await h.Function.Process(Batch(records), CancellationToken.None)).BatchItemFailures, Is.Empty);

        Assert.That(h.Dynamo.ItemsPerWrite, Is.EqualTo(new[] { 99, 23 }), "49 records, then 11, one after the other");
        Assert.That(h.Dynamo.Writes.Select(w => w.TransactionId), Is.EqualTo(records.Select((_, i) => $"tx-{i:D2}")), "in the batch's order");
        Assert.That(h.Dynamo.MaxWritesInFlight, Is.EqualTo(1), "a user's second unit waits for its first");
        var profile = (await Profile("u-hot"))!;
        var approved = (await Decisions(_settings.DecisionsTable)).Count(d => d.Split('|')[1] == "APPROVE");
        Assert.That((profile["txCount"].N, profile["profileVersion"].N), Is.EqualTo((approved.ToString(CultureInfo.InvariantCulture), "60")),
            "learnt from every APPROVE; the version counts all 60 saves");
    }

    [Test]
    public async Task RecordRepeatedInTheBatch_IsSavedOnce_TheRepeatIsADuplicate()
    {
        var records = new[] { Record(1, Tx("tx-1", "u-a", minutesAgo: 30)), Record(2, Tx("tx-2", "u-a", minutesAgo: 20)), Record(3, Tx("tx-1", "u-a", minutesAgo: 30)) };
        var h = NewFunction();

        Assert.That((await h.Function.Process(Batch(records), CancellationToken.None)).BatchItemFailures, Is.Empty);

        Assert.That(h.Dynamo.ItemsPerWrite, Is.EqualTo(new[] { 5 }), "two records' rows and one profile update");
        Assert.That(MetricSum(h.Log, PlatformMetrics.DuplicatesSkipped), Is.EqualTo(1));
        Assert.That(MetricSum(h.Log, PlatformMetrics.TransactionsProcessed), Is.EqualTo(2));
        Assert.That((await Profile("u-a"))!["txCount"].N, Is.EqualTo("2"));
    }

    [Test]
    public async Task ProfileChangedByAnotherWriterBeforeTheSave_TheUserIsSavedOneByOne_LearningOnTopOfTheChange_OthersStayTogether()
    {
        // u-a has a stored profile; between the batch's reads and its save, an analyst's approval (the agent tools) moves
        // its version: the transaction holding u-a fails its condition, u-b is saved alone, u-a one by one, reading again.
        await _dynamo.PutItemAsync(new PutItemRequest
        {
            TableName = _settings.UserProfilesTable,
            Item = new() { ["userId"] = new("u-a"), ["txCount"] = new() { N = "10" }, ["profileVersion"] = new() { N = "10" } },
        });
        var records = new[]
        {
            Record(1, Tx("tx-1", "u-a", minutesAgo: 30)), Record(2, Tx("tx-2", "u-b", minutesAgo: 29)),
            Record(3, Tx("tx-3", "u-a", minutesAgo: 20)), Record(4, Tx("tx-4", "u-b", minutesAgo: 19)),
        };
        var h = NewFunction();
        h.Dynamo.BeforeNextWrite = () => _dynamo.UpdateItemAsync(new UpdateItemRequest
        {
            TableName = _settings.UserProfilesTable,
            Key = new() { ["userId"] = new("u-a") },
            UpdateExpression = "SET txCount = :c, profileVersion = :v",
            ExpressionAttributeValues = new() { [":c"] = new() { N = "11" }, [":v"] = new() { N = "11" } },
        });

        var response = await h.Function.Process(Batch(records), CancellationToken.None);

        Assert.That(response.BatchItemFailures, Is.Empty, h.Log.ToString());
        Assert.That(await StoredIds(_settings.TransactionsTable), Is.EquivalentTo(new[] { "tx-1", "tx-2", "tx-3", "tx-4" }));
        Assert.That(h.Log.ToString(), Does.Contain("records saved together failed; each lane is tried alone").And.Contains("TransactionCanceledException"));
        var a = (await Profile("u-a"))!;
        Assert.That((a["txCount"].N, a["profileVersion"].N), Is.EqualTo(("13", "13")), "u-a learnt its two records on top of the concurrent change, none lost, none twice");
        var b = (await Profile("u-b"))!;
        Assert.That((b["txCount"].N, b["profileVersion"].N), Is.EqualTo(("2", "2")));
        Assert.That(h.Dynamo.ItemsPerWrite, Is.EqualTo(new[] { 10, 5, 5, 3, 3, 3 }),
            "both users together (failed), each alone (u-b saved, u-a failed), then u-a one by one: its first save on the version read before (failed), read again, saved, then its second");
    }

    [Test]
    public async Task SecondUnitOfALaneFailsTransiently_ItsFirstRecordIsReported_TheFirstUnitStaysSaved()
    {
        var records = Enumerable.Range(0, 60).Select(i => Record(i, Tx($"tx-{i:D2}", "u-hot", minutesAgo: 61 - i))).ToArray();
        var h = NewFunction();
        h.Dynamo.ThrottleTransactions["tx-55"] = 1; // in the second unit (records 49 to 59)

        var first = await h.Function.Process(Batch(records), CancellationToken.None);

        Assert.That(first.BatchItemFailures.Select(f => f.ItemIdentifier), Is.EqualTo(new[] { records[49].Kinesis.SequenceNumber }), "the second unit's first record");
        Assert.That(await StoredIds(_settings.TransactionsTable), Is.EquivalentTo(Enumerable.Range(0, 49).Select(i => $"tx-{i:D2}")), "the first unit, whole; nothing of the second");
        Assert.That((await Profile("u-hot"))!["profileVersion"].N, Is.EqualTo("49"));

        var second = await h.Function.Process(From(Batch(records), first), CancellationToken.None);

        Assert.That(second.BatchItemFailures, Is.Empty);
        Assert.That(await StoredIds(_settings.TransactionsTable), Has.Count.EqualTo(60));
        Assert.That((await Profile("u-hot"))!["profileVersion"].N, Is.EqualTo("60"), "each record saved once");
    }

    [Test]
    public async Task PackWhoseAnswerIsLost_IsNotTriedAgain_EveryUnitsFirstRecordIsReported_TheRedeliverySkipsWhatWasWritten()
    {
        var users = new[] { "u-a", "u-b", "u-c", "u-d" };
        var records = Enumerable.Range(0, 12).Select(i => Record(i, Tx($"tx-{i:D2}", users[i % 4], minutesAgo: 60 - i))).ToArray();
        var h = NewFunction();
        h.Dynamo.CommitThenFailNextWrites = 1;

        var first = await h.Function.Process(Batch(records), CancellationToken.None);

        Assert.That(first.BatchItemFailures.Select(f => f.ItemIdentifier), Is.EqualTo(new[] { records[0].Kinesis.SequenceNumber }));
        Assert.That(h.Dynamo.ItemsPerWrite, Is.EqualTo(new[] { 28 }), "one call, not tried again unit by unit (its rows would read as duplicates)");
        Assert.That(await StoredIds(_settings.TransactionsTable), Has.Count.EqualTo(12), "it had committed");

        h.Log.Clear();
        var second = await h.Function.Process(From(Batch(records), first), CancellationToken.None);

        Assert.That(second.BatchItemFailures, Is.Empty);
        Assert.That(MetricSum(h.Log, PlatformMetrics.DuplicatesSkipped), Is.EqualTo(12));
        foreach (var user in users)
        {
            var profile = (await Profile(user))!;
            Assert.That((profile["txCount"].N, profile["profileVersion"].N), Is.EqualTo(("3", "3")), $"{user} learnt once");
        }
    }
}
