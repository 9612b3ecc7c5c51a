using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using FraudTf.Backtest;
using FraudTf.Functions.Shared.Settings;
using FraudTf.Functions.Shared.Transactions;
using FraudTf.Functions.StreamProcessor;
using FraudTf.Functions.Shared.Scoring;
using FraudTf.Functions.Storage;
using FraudTf.Local.Stack;
using FraudTf.Local.Traffic;

namespace FraudTf.Local.Tests.Backtest;

/// <summary>
/// The backtest against the stream processor's own code: the rules of the dev stack, the replay's counts against the
/// generator's labels, the velocity window, the profile update through TransactionStore.Save, the sweep, determinism.
/// </summary>
[TestFixture]
public sealed class BacktestReplayTests
{
    private static readonly DateTimeOffset Anchor = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private BacktestResult _run = null!;

    private static BacktestOptions Options(int seed = 42) => new()
    {
        Environment = "dev",
        Seed = seed,
        RecordsPerSecond = 30,
        Duration = TimeSpan.FromSeconds(600),
        Anchor = Anchor,
        OutDir = Path.Combine(Repo.Root(), "cdktf.out"),
    };

    [OneTimeSetUp]
    public void Run()
    {
        Repo.Stack("dev"); // fails with the fix when nothing is synthesized
        _run = BacktestRun.Execute(Options());
    }

    [Test]
    public void Rules_AreTheFunctionsParseOfTheDevStacksScoringRules()
    {
        var stack = Repo.Stack("dev");
        var function = stack.Resources("aws_lambda_function").Single(f => f.Body["handler"]?.GetValue<string>() == StackRules.Handler);
        var variables = function.Body["environment"]!["variables"]!.AsObject().ToDictionary(p => p.Key, p => p.Value!.GetValue<string>());
        // The function's whole settings from the stack's variables, as Lambda gives them (references unresolved: only presence matters).
        var settings = Settings.FromEnvironment(name => variables.GetValueOrDefault(name));

        var (rules, raw) = StackRules.FromStack(stack);

        Assert.Multiple(() =>
        {
            Assert.That(raw, Is.EqualTo(variables[FunctionEnvironment.ScoringRules]));
            Assert.That(JsonSerializer.Serialize(rules), Is.EqualTo(JsonSerializer.Serialize(settings.Rules)));
            Assert.That(JsonSerializer.Serialize(_run.Rules), Is.EqualTo(JsonSerializer.Serialize(settings.Rules)), "the backtest scores with them");
        });
    }

    [Test]
    public void Rules_FollowAChangedStack_AndAMalformedValueIsTheFunctionsError()
    {
        static LocalStack With(string value)
        {
            var json = JsonNode.Parse(File.ReadAllText(Repo.Stack("dev").Path))!.AsObject();
            var function = json["resource"]!["aws_lambda_function"]!.AsObject().Single(p => p.Value!["handler"]?.GetValue<string>() == StackRules.Handler);
            function.Value!["environment"]!["variables"]![FunctionEnvironment.ScoringRules] = value;
            return LocalStack.FromJson("test", json);
        }

        var changed = StackRules.FromStack(With("{\"reviewThreshold\":0.3,\"NewDeviceWeight\":0.6}")).Rules;

        Assert.Multiple(() =>
        {
            Assert.That((changed.ReviewThreshold, changed.NewDeviceWeight, changed.DeclineThreshold), Is.EqualTo((0.3, 0.6, 0.8)), "overrides case-insensitive, the rest defaults");
            Assert.That(() => StackRules.FromStack(With("{\"velocityWeight\":0.6}")), Throws.TypeOf<SettingsException>().With.Message.Contains("velocityWeight"), "an unknown field is refused, not ignored");
            Assert.That(() => StackRules.FromStack(With("{not json")), Throws.TypeOf<SettingsException>().With.Message.Contains(FunctionEnvironment.ScoringRules));
        });
    }

    [Test]
    public void Replay_RejectsTheMalformed_SkipsTheReplays_ScoresTheRest()
    {
        var labels = Labels.From(_run.Records);
        int Count(RecordKind kind) => labels.Lines.Count(l => l.Kind == kind);

        Assert.Multiple(() =>
        {
            Assert.That(Count(RecordKind.Malformed), Is.GreaterThan(0));
            Assert.That(Count(RecordKind.Replay), Is.GreaterThan(0));
            Assert.That(_run.Replay.Rejected, Is.EqualTo(new Dictionary<string, int> { [Scenarios.Malformed] = Count(RecordKind.Malformed) }));
            Assert.That(_run.Replay.Duplicates, Is.EqualTo(new Dictionary<string, int> { [Scenarios.DuplicateReplay] = Count(RecordKind.Replay) }));
            Assert.That(_run.Replay.Scored.Select(s => s.Record.TransactionId), Is.EqualTo(labels.Lines.Where(l => l.Kind == RecordKind.Valid).Select(l => l.TransactionId)),
                "every valid record scored once, in send order");
            Assert.That(_run.Replay.Scored.Where(s => s.Record.IsFraud).Select(s => s.Record.Scenario).Distinct(), Is.EquivalentTo(Scenarios.Fraud));
        });
    }

    [Test]
    public void Replay_Activity_IsTheStoredTransactionsInTheLongestWindowUpToTheTransaction()
    {
        var t0 = Anchor.AddHours(-2);
        LabelledRecord Record(string id, TimeSpan at)
        {
            var tx = new Transaction
            {
                TransactionId = id, UserId = "u1", Amount = 10m, Currency = "USD", MerchantId = "m1", MerchantCategory = "5411", Country = "US", Timestamp = t0 + at,
            };
            return new LabelledRecord("u1", JsonSerializer.SerializeToUtf8Bytes(tx, TrafficGenerator.BodyJson), Scenarios.Legitimate, false, id, RecordKind.Valid, tx.Timestamp);
        }

        // One velocity limit of 10 minutes and 5 transactions, so the longest window is 10 minutes.
        var rules = new ScoringRules { Velocity = [new VelocityLimit(600, 5, 0.3)], AmountVelocity = [new AmountVelocityLimit(600, 1e9, 0.3)], CardTesting = new CardTestingRule(600, 5, 2, 0.5) };
        LabelledRecord[] records =
        [
            Record("a", TimeSpan.Zero), Record("b", TimeSpan.FromMinutes(1)), Record("b", TimeSpan.FromMinutes(1)), Record("c", TimeSpan.FromMinutes(2)),
            new("u1", "{\"transactionId\":"u8.ToArray(), Scenarios.Malformed, false, null, RecordKind.Malformed, t0),
            Record("d", TimeSpan.FromMinutes(3)),
            Record("e", TimeSpan.FromMinutes(10)), // window [t0, t0+10m]: a (at its lower bound), b, c, d
            Record("f", TimeSpan.FromMinutes(10) + TimeSpan.FromMilliseconds(1)), // a is 1 ms out
            Record("g", TimeSpan.FromSeconds(30)), // late: only a is in [t0-9m30s, t0+30s]; later ones are not counted
        ];

        var replay = new ScoringReplay(rules, Anchor).Run(records);

        Assert.Multiple(() =>
        {
            Assert.That(replay.Scored.Select(s => (s.Transaction.TransactionId, s.Recent.Count)),
                Is.EqualTo(new[] { ("a", 0), ("b", 1), ("c", 2), ("d", 3), ("e", 4), ("f", 4), ("g", 1) }));
            Assert.That(replay.Scored.SelectMany(s => s.Recent).All(r => r.ReferenceAmount == 10), Is.True, "each with its amount in the reference currency (USD)");
            Assert.That(replay.Duplicates[Scenarios.Legitimate], Is.EqualTo(1), "the second b: its id is stored");
            Assert.That(replay.Rejected[Scenarios.Malformed], Is.EqualTo(1));
            Assert.That(replay.Scored.Single(s => s.Transaction.TransactionId == "e").Result.Reasons.Select(r => r.Rule), Does.Contain(RuleIds.Velocity), "5 in the window reaches the limit of 5");
            Assert.That(replay.Scored.Single(s => s.Transaction.TransactionId == "d").Result.Reasons.Select(r => r.Rule), Does.Not.Contain(RuleIds.Velocity));
        });
    }

    [Test]
    public void Replay_ProfileLearnsOnlyApprovedTransactions_AsTheFunctionsSaveWritesThem()
    {
        // A user with a flagged transaction before their last one: the profile must skip exactly the flagged ones.
        var byUser = _run.Replay.Scored.GroupBy(s => s.Transaction.UserId).Select(g => g.ToList()).ToList();
        var user = byUser.First(g => g.SkipLast(1).Any(s => s.Result.Decision != Decision.APPROVE) && g.Any(s => s.Result.Decision == Decision.APPROVE));
        var dynamo = CapturingDynamo.Create();
        var store = new TransactionStore(dynamo, new Settings
        {
            TransactionsTable = "transactions", DecisionsTable = "decisions", UserProfilesTable = "profiles", PatternsTable = "patterns",
            DeadLetterQueueUrl = "https://sqs.invalid/q", QuarantineBucket = "quarantine",
        });

        var state = ProfileState.New;
        var stored = new Dictionary<string, AttributeValue>();
        for (var i = 0; i < user.Count; i++)
        {
            var s = user[i];
            Assert.That(Snapshot(s.ProfileBefore), Is.EqualTo(Snapshot(state.Profile)), $"profile before record {i} of {s.Transaction.UserId}");
            var (outcome, _) = store.Save(s.Transaction, s.Result, state, "arn", i.ToString(System.Globalization.CultureInfo.InvariantCulture), Anchor, CancellationToken.None).Result;
            Assert.That(outcome, Is.EqualTo(SaveOutcome.Saved));
            var update = ((CapturingDynamo)(object)dynamo).Requests[^1].TransactItems[2].Update;
            // The row as the function wrote it (SET name = :name), read back the way its next batch reads it.
            foreach (var assignment in update.UpdateExpression["SET ".Length..].Split(", "))
            {
                var (name, value) = (assignment.Split(" = ")[0], assignment.Split(" = ")[1]);
                stored[name] = update.ExpressionAttributeValues[value];
            }

            var put = ((CapturingDynamo)(object)dynamo).Requests[^1].TransactItems[0].Put.Item;
            Assert.That(put.ContainsKey("profileLearnedAt"), Is.EqualTo(s.Result.Decision == Decision.APPROVE), "the transaction row says whether the profile learnt it");
            state = ProfileRows.Read(stored);
        }

        Assert.That(Snapshot(_run.Replay.Profiles[user[0].Transaction.UserId]), Is.EqualTo(Snapshot(state.Profile)), "the replay's final profile");
        Assert.That(state.Profile.Count, Is.EqualTo(user.Count(s => s.Result.Decision == Decision.APPROVE)), "only approved transactions were learnt");
        Assert.That(state.Version, Is.EqualTo(user.Count), "every save moved the version");
    }

    [Test]
    public void Sweep_IsMonotone_AndTheEnvironmentsPointMatchesTheDecisions()
    {
        var sweep = _run.Sweep;
        var env = sweep.Single(p => p.IsEnvironment);

        Assert.Multiple(() =>
        {
            for (var i = 1; i < sweep.Count; i++)
            {
                Assert.That(sweep[i].Counts.TruePositives, Is.LessThanOrEqualTo(sweep[i - 1].Counts.TruePositives), $"recall rose from {sweep[i - 1].Threshold} to {sweep[i].Threshold}");
                Assert.That(sweep[i].Counts.FalsePositives, Is.LessThanOrEqualTo(sweep[i - 1].Counts.FalsePositives), $"FPR rose from {sweep[i - 1].Threshold} to {sweep[i].Threshold}");
            }

            Assert.That(env.Threshold, Is.EqualTo(_run.Rules.ReviewThreshold));
            Assert.That(env.Counts.Flagged, Is.EqualTo(_run.Replay.Scored.Count(s => s.Result.Decision != Decision.APPROVE)), "flagged by the sweep's comparison = REVIEW or DECLINE by the scorer's");
            Assert.That(_run.Replay.Scored.All(s => BacktestReport.DecisionOf(s.RawScore, _run.Rules) == s.Result.Decision), Is.True);
            Assert.That(_run.Overall, Is.EqualTo(env.Counts));
        });
    }

    [Test]
    public void SameSeed_GivesTheSameReport_AnotherSeedAnother()
    {
        var again = BacktestRun.Execute(Options());
        var other = BacktestRun.Execute(Options(seed: 7));

        Assert.Multiple(() =>
        {
            Assert.That(BacktestReport.Markdown(again, "c.svg"), Is.EqualTo(BacktestReport.Markdown(_run, "c.svg")));
            Assert.That(BacktestReport.PrecisionRecallChart(again), Is.EqualTo(BacktestReport.PrecisionRecallChart(_run)));
            Assert.That(BacktestReport.Summary(again, null), Is.EqualTo(BacktestReport.Summary(_run, null)));
            Assert.That(BacktestReport.Markdown(other, "c.svg"), Is.Not.EqualTo(BacktestReport.Markdown(_run, "c.svg")));
        });
    }

    [Test]
    public void UnknownEnvironment_SaysWhichAreSynthesized()
    {
        Assert.That(() => BacktestRun.Execute(Options() with { Environment = "qa" }),
            Throws.TypeOf<FileNotFoundException>().With.Message.Contains("'qa' is not synthesized").And.Message.Contains("dev").And.Message.Contains("Fix:"));
    }

    private static string Snapshot(UserProfile p) => string.Join("|",
        p.Count, p.AmountCount, p.LogMean.ToString("R", System.Globalization.CultureInfo.InvariantCulture), p.LogM2.ToString("R", System.Globalization.CultureInfo.InvariantCulture),
        p.MaxAmount.ToString("R", System.Globalization.CultureInfo.InvariantCulture), p.LastCountry, p.LastAt?.UtcTicks,
        string.Join(",", p.Countries.Order(StringComparer.Ordinal)), string.Join(",", p.MerchantCategories.Order(StringComparer.Ordinal)),
        string.Join(",", p.Devices.Order(StringComparer.Ordinal)), string.Join(",", p.Channels.Order(StringComparer.Ordinal)));
}

/// <summary>An IAmazonDynamoDB that records TransactWriteItems requests and answers them as committed; any other call fails.</summary>
public class CapturingDynamo : DispatchProxy
{
    /// <summary>The requests received, in order.</summary>
    public List<TransactWriteItemsRequest> Requests { get; } = [];

    /// <summary>A new capturing client.</summary>
    public static IAmazonDynamoDB Create() => Create<IAmazonDynamoDB, CapturingDynamo>();

    /// <inheritdoc />
    protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
    {
        if (targetMethod?.Name == nameof(IAmazonDynamoDB.TransactWriteItemsAsync) && args?[0] is TransactWriteItemsRequest request)
        {
            Requests.Add(request);
            return Task.FromResult(new TransactWriteItemsResponse());
        }

        throw new NotSupportedException($"{targetMethod?.Name} is not expected in this test");
    }
}
