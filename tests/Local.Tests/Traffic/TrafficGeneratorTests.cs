using System.Text;
using FraudTf.Functions.Shared.Transactions;
using FraudTf.Local.Traffic;

namespace FraudTf.Local.Tests.Traffic;

/// <summary>
/// The labelled traffic: deterministic per seed, exactly rate x duration records, the documented mix, bodies the stream
/// processor's own parser accepts (or rejects for the intended reason), and each scenario's defining real-world pattern.
/// </summary>
public class TrafficGeneratorTests
{
    private static readonly DateTimeOffset Start = new(2026, 12, 2, 9, 0, 0, TimeSpan.Zero);

    private static readonly Lazy<GeneratedTraffic> Big = new(() => TrafficGenerator.Generate(Options(7, 200, 100)));

    private static TrafficOptions Options(int seed, double rate, double seconds, TrafficMix? mix = null) => new()
    {
        Seed = seed,
        RecordsPerSecond = rate,
        Duration = TimeSpan.FromSeconds(seconds),
        Start = Start,
        Mix = mix ?? TrafficMix.Default,
    };

    private static Transaction Parse(LabelledRecord r)
    {
        var result = TransactionParser.Parse(r.Data, Start);
        Assert.That(result.IsValid, Is.True, () => $"{r.Scenario} record rejected: {result.Reason} {result.Detail}: {Encoding.UTF8.GetString(r.Data)}");
        return result.Transaction!;
    }

    private static decimal Usd(Transaction t) => t.Amount / Habits.Countries.First(c => c.Currency == t.Currency).PerUsd;

    [Test]
    public void TheSameSeedGivesByteIdenticalRecordsAndLabels()
    {
        var a = TrafficGenerator.Generate(Options(42, 50, 30));
        var b = TrafficGenerator.Generate(Options(42, 50, 30));
        Assert.Multiple(() =>
        {
            Assert.That(b.Records, Has.Count.EqualTo(a.Records.Count));
            Assert.That(b.Records.Select(r => Convert.ToBase64String(r.Data)), Is.EqualTo(a.Records.Select(r => Convert.ToBase64String(r.Data))));
            Assert.That(b.Records.Select(r => r.PartitionKey), Is.EqualTo(a.Records.Select(r => r.PartitionKey)));
            Assert.That(Labels.From(b.Records).ToJsonLines(), Is.EqualTo(Labels.From(a.Records).ToJsonLines()));
        });
    }

    [Test]
    public void ADifferentSeedGivesDifferentRecords()
    {
        var a = TrafficGenerator.Generate(Options(42, 50, 30));
        var b = TrafficGenerator.Generate(Options(43, 50, 30));
        var same = a.Records.Zip(b.Records).Count(p => p.First.Data.AsSpan().SequenceEqual(p.Second.Data));
        Assert.That(same, Is.Zero);
    }

    [TestCase(50, 60, 3000)]
    [TestCase(7.3, 11, 80)]
    [TestCase(0.5, 3, 2)]
    [TestCase(1000, 0.25, 250)]
    public void TheCountIsRateTimesDurationRounded(double rate, double seconds, int expected)
    {
        Assert.That(TrafficGenerator.Generate(Options(1, rate, seconds)).Records, Has.Count.EqualTo(expected));
    }

    [Test]
    public void TheDefaultMixIsWithinHalfAPercentOfEachShare()
    {
        var records = Big.Value.Records;
        var byScenario = records.GroupBy(r => r.Scenario).ToDictionary(g => g.Key, g => (double)g.Count() / records.Count);
        Assert.Multiple(() =>
        {
            foreach (var (scenario, share) in TrafficMix.Default.Shares)
            {
                Assert.That(byScenario.GetValueOrDefault(scenario), Is.EqualTo(share).Within(0.005), scenario);
            }

            Assert.That(records.Count(r => r.Kind == RecordKind.Replay), Is.EqualTo(records.Count(r => r.Scenario == Scenarios.DuplicateReplay)));
            Assert.That(records.Count(r => r.Kind == RecordKind.Malformed), Is.EqualTo(records.Count(r => r.Scenario == Scenarios.Malformed)));
        });
    }

    [Test]
    public void OneScenarioComesOnALegitimateBackgroundOnly()
    {
        var records = TrafficGenerator.Generate(Options(3, 100, 30, TrafficMix.Parse("card-testing"))).Records;
        Assert.Multiple(() =>
        {
            Assert.That(records.Select(r => r.Scenario).Distinct().Order(), Is.EqualTo(new[] { Scenarios.CardTesting, Scenarios.Legitimate }));
            Assert.That((double)records.Count(r => r.Scenario == Scenarios.CardTesting) / records.Count, Is.EqualTo(0.1).Within(0.01));
            Assert.That(() => TrafficMix.Parse("card-testin"), Throws.ArgumentException.With.Message.Contains("Fix:"));
        });
    }

    [Test]
    public void EveryValidRecordPassesTheStreamProcessorsParserWithItsLabelledIdAndPartitionKey()
    {
        var valid = Big.Value.Records.Where(r => r.Kind == RecordKind.Valid).ToList();
        Assert.That(valid, Has.Count.GreaterThan(15_000));
        Assert.Multiple(() =>
        {
            foreach (var r in valid)
            {
                var t = Parse(r);
                Assert.That(t.TransactionId, Is.EqualTo(r.TransactionId));
                Assert.That(t.UserId, Is.EqualTo(r.PartitionKey), "the partition key is the user id");
                Assert.That(t.Timestamp, Is.EqualTo(r.EventTime));
            }
        });
    }

    [Test]
    public void EveryMalformedRecordFailsTheParserForItsIntendedReason()
    {
        var malformed = Big.Value.Records.Where(r => r.Kind == RecordKind.Malformed).ToList();
        var expected = new Dictionary<MalformedKind, RejectReason>
        {
            [MalformedKind.InvalidJson] = RejectReason.NotJson,
            [MalformedKind.WrongType] = RejectReason.WrongType,
            [MalformedKind.MissingField] = RejectReason.MissingField,
            [MalformedKind.BadCurrency] = RejectReason.InvalidValue,
            [MalformedKind.NegativeAmount] = RejectReason.InvalidValue,
            [MalformedKind.Oversized] = RejectReason.TooLarge,
        };
        Assert.Multiple(() =>
        {
            Assert.That(malformed.Select(r => r.Defect!.Value).Distinct().Order(), Is.EqualTo(Enum.GetValues<MalformedKind>()), "every defect occurs");
            foreach (var r in malformed)
            {
                var result = TransactionParser.Parse(r.Data, Start);
                Assert.That(result.Reason, Is.EqualTo(expected[r.Defect!.Value]), () => $"{r.Defect}: {result.Detail}");
                Assert.That(r.TransactionId, Is.Null);
            }

            var badCurrency = malformed.Where(r => r.Defect == MalformedKind.BadCurrency).Select(r => TransactionParser.Parse(r.Data, Start).Detail);
            Assert.That(badCurrency, Has.All.Contains("currency"));
            var negative = malformed.Where(r => r.Defect == MalformedKind.NegativeAmount).Select(r => TransactionParser.Parse(r.Data, Start).Detail);
            Assert.That(negative, Has.All.Contains("amount"));
        });
    }

    [Test]
    public void ReplaysAreByteIdenticalToAnEarlierValidRecordWithTheSamePartitionKey()
    {
        var records = Big.Value.Records;
        var seen = new Dictionary<string, LabelledRecord>();
        var replays = 0;
        Assert.Multiple(() =>
        {
            foreach (var r in records)
            {
                if (r.Kind == RecordKind.Valid)
                {
                    seen[r.TransactionId!] = r;
                }
                else if (r.Kind == RecordKind.Replay)
                {
                    replays++;
                    Assert.That(seen.TryGetValue(r.TransactionId!, out var original), Is.True, "the original was sent before");
                    Assert.That(r.Data, Is.EqualTo(original!.Data));
                    Assert.That(r.PartitionKey, Is.EqualTo(original.PartitionKey));
                    Assert.That(r.IsFraud, Is.EqualTo(original.IsFraud));
                }
            }
        });
        Assert.That(replays, Is.GreaterThan(300));
    }

    [Test]
    public void EventTimesLieInTheSimulatedDayAndEachUsersRecordsAreInEventTimeOrder()
    {
        var records = Big.Value.Records.Where(r => r.Kind != RecordKind.Replay).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(records.Min(r => r.EventTime), Is.GreaterThanOrEqualTo(Start.AddDays(-1)));
            Assert.That(records.Max(r => r.EventTime), Is.LessThan(Start));
            Assert.That(records.Select(r => r.EventTime), Is.Ordered, "send order is event-time order");
        });
    }

    [Test]
    public void LegitimateUsersStayWithinTheirHabits()
    {
        var users = Big.Value.Users.ToDictionary(u => u.UserId);
        var legit = Big.Value.Records.Where(r => r.Scenario == Scenarios.Legitimate).ToList();
        Assert.Multiple(() =>
        {
            foreach (var r in legit)
            {
                var t = Parse(r);
                var u = users[t.UserId];
                var unit = u.Home.MinorDigits == 0 ? 1m : 0.01m;
                Assert.That(t.Country, Is.EqualTo(u.Home.Code));
                Assert.That(t.Currency, Is.EqualTo(u.Home.Currency));
                Assert.That(u.Categories, Does.Contain(t.MerchantCategory));
                Assert.That(u.Channels.Select(c => c.Channel), Does.Contain(t.Channel));
                Assert.That(t.DeviceId is null || u.Devices.Contains(t.DeviceId), Is.True, "a device of the user's");
                Assert.That((double)t.Amount, Is.InRange((u.MedianAmount * Math.Exp(-3 * u.Sigma)) - (double)unit, (u.MedianAmount * Math.Exp(3 * u.Sigma)) + (double)unit));
            }

            Assert.That(users.Values.Select(u => u.Devices.Count), Has.All.InRange(1, 3), "few devices");
            Assert.That(users.Values.Select(u => u.Home.Code).Distinct().Count(), Is.GreaterThan(10), "a mix of home countries");
            Assert.That(users.Values.Select(u => u.MedianAmount / (double)u.Home.PerUsd).Distinct().Count(), Is.EqualTo(users.Count), "medians vary by user");
        });
    }

    [Test]
    public void LegitimateTrafficFollowsTheUsersLocalDailyRhythm()
    {
        var users = Big.Value.Users.ToDictionary(u => u.UserId);
        var hours = Big.Value.Records.Where(r => r.Scenario == Scenarios.Legitimate)
            .Select(r => r.EventTime.UtcDateTime.AddMinutes(users[r.PartitionKey].Home.UtcOffsetMinutes).Hour).ToList();
        var day = hours.Count(h => h is >= 10 and < 20) / 10.0;
        var night = hours.Count(h => h is >= 1 and < 5) / 4.0;
        Assert.That(day / night, Is.GreaterThan(8), "per hour, local daytime has far more transactions than the small hours");
    }

    [Test]
    public void CardTestingIsManySmallAmountsAtNewMerchantsWithinMinutes()
    {
        var records = Big.Value.Records.Where(r => r.Kind == RecordKind.Valid).ToList();
        var legitMerchants = records.Where(r => r.Scenario != Scenarios.CardTesting).Select(r => Parse(r).MerchantId).ToHashSet();
        var cards = records.Where(r => r.Scenario == Scenarios.CardTesting).GroupBy(r => r.PartitionKey).ToList();
        Assert.That(cards, Has.Count.GreaterThan(10));
        Assert.Multiple(() =>
        {
            foreach (var card in cards)
            {
                var txs = card.Select(Parse).ToList();
                Assert.That(card.All(r => r.IsFraud), Is.True);
                Assert.That(txs, Has.Count.GreaterThanOrEqualTo(8));
                Assert.That(txs.Select(t => t.Amount), Has.All.InRange(0.5m, 4.99m));
                Assert.That(txs.Max(t => t.Timestamp) - txs.Min(t => t.Timestamp), Is.LessThanOrEqualTo(TimeSpan.FromMinutes(15)));
                Assert.That(txs.Select(t => t.MerchantId).Distinct().Count(), Is.EqualTo(txs.Count), "a new merchant each time");
                Assert.That(txs.Select(t => t.MerchantId).Intersect(legitMerchants), Is.Empty, "merchants nobody else used");
                Assert.That(records.Count(r => r.PartitionKey == card.Key && r.Scenario != Scenarios.CardTesting), Is.Zero, "a card with no history");
            }
        });
    }

    [Test]
    public void AccountTakeoverIsANewCountryAndDeviceAfterHistoryThenLargeAmounts()
    {
        var groups = Big.Value.Records.Where(r => r.Kind == RecordKind.Valid && r.Scenario == Scenarios.AccountTakeover).GroupBy(r => r.PartitionKey).ToList();
        Assert.That(groups, Has.Count.GreaterThan(10));
        Assert.Multiple(() =>
        {
            foreach (var g in groups)
            {
                var history = g.Where(r => !r.IsFraud).Select(Parse).ToList();
                var fraud = g.Where(r => r.IsFraud).Select(Parse).ToList();
                Assert.That(history, Has.Count.GreaterThanOrEqualTo(5));
                Assert.That(fraud, Has.Count.InRange(2, 5));
                Assert.That(fraud.Min(t => t.Timestamp), Is.GreaterThan(history.Max(t => t.Timestamp)), "history first");
                Assert.That(fraud.Select(t => t.Country).Intersect(history.Select(t => t.Country)), Is.Empty, "a new country");
                Assert.That(fraud.Select(t => t.DeviceId), Has.None.Null);
                Assert.That(fraud.Select(t => t.DeviceId).Intersect(history.Select(t => t.DeviceId)), Is.Empty, "a new device");
                Assert.That(fraud.Min(t => t.Amount), Is.GreaterThan(history.Max(t => t.Amount)), "larger than anything before");
                Assert.That(fraud.Max(t => t.Timestamp) - fraud.Min(t => t.Timestamp), Is.LessThanOrEqualTo(TimeSpan.FromHours(1)));
            }
        });
    }

    [Test]
    public void VelocityBurstIsManyNormalTransactionsOfOneUserWithinAMinute()
    {
        var groups = Big.Value.Records.Where(r => r.Kind == RecordKind.Valid && r.Scenario == Scenarios.VelocityBurst).GroupBy(r => r.PartitionKey).ToList();
        var legitMedianUsd = Big.Value.Records.Where(r => r.Scenario == Scenarios.Legitimate && r.Kind == RecordKind.Valid).Select(r => Usd(Parse(r))).Order().ElementAt(10_000);
        Assert.That(groups, Has.Count.GreaterThan(10));
        Assert.Multiple(() =>
        {
            foreach (var g in groups)
            {
                var txs = g.Select(Parse).ToList();
                Assert.That(g.All(r => r.IsFraud), Is.True);
                Assert.That(txs, Has.Count.GreaterThanOrEqualTo(6));
                Assert.That(txs.Max(t => t.Timestamp) - txs.Min(t => t.Timestamp), Is.LessThanOrEqualTo(TimeSpan.FromMinutes(1)));
                Assert.That(txs.Select(t => t.Country).Distinct().Count(), Is.EqualTo(1), "the user's usual country");
                Assert.That(txs.Select(t => t.DeviceId).Distinct().Count(), Is.EqualTo(1), "one device");
                Assert.That(txs.Select(t => t.Channel), Has.All.AnyOf("web", "mobile"), "online");
                Assert.That(txs.Select(Usd).Max(), Is.LessThan(legitMedianUsd * 100), "normal-size amounts");
            }
        });
    }

    [Test]
    public void HighRiskMerchantIsGamblingCryptoOrMoneyTransferWithLargerAmounts()
    {
        var records = Big.Value.Records.Where(r => r.Kind == RecordKind.Valid).ToList();
        var risky = records.Where(r => r.Scenario == Scenarios.HighRiskMerchant).Select(Parse).ToList();
        var legit = records.Where(r => r.Scenario == Scenarios.Legitimate).Select(Parse).ToList();
        static decimal Median(IEnumerable<decimal> xs)
        {
            var s = xs.Order().ToList();
            return s[s.Count / 2];
        }

        Assert.Multiple(() =>
        {
            Assert.That(risky, Has.Count.GreaterThan(100));
            Assert.That(risky.Select(t => t.MerchantCategory), Has.All.AnyOf(Habits.HighRiskCategories.ToArray()));
            Assert.That(legit.Select(t => t.MerchantCategory).Intersect(Habits.HighRiskCategories), Is.Empty, "legitimate users do not use them here");
            Assert.That(Median(risky.Select(Usd)), Is.GreaterThan(Median(legit.Select(Usd)) * 5));
        });
    }

    [Test]
    public void AmountSpikeIsOneAmountFarAboveTheUsersHistoryInTheirUsualCountry()
    {
        var groups = Big.Value.Records.Where(r => r.Kind == RecordKind.Valid && r.Scenario == Scenarios.AmountSpike).GroupBy(r => r.PartitionKey).ToList();
        Assert.That(groups, Has.Count.GreaterThan(10));
        Assert.Multiple(() =>
        {
            foreach (var g in groups)
            {
                var history = g.Where(r => !r.IsFraud).Select(Parse).ToList();
                var spike = g.Where(r => r.IsFraud).Select(Parse).ToList();
                Assert.That(history, Has.Count.GreaterThanOrEqualTo(6));
                Assert.That(spike, Has.Count.EqualTo(1));
                Assert.That(spike[0].Timestamp, Is.GreaterThanOrEqualTo(history.Max(t => t.Timestamp)));
                Assert.That(spike[0].Amount, Is.GreaterThan(3 * history.Max(t => t.Amount)));
                Assert.That(history.Select(t => t.Country), Has.All.EqualTo(spike[0].Country));
                Assert.That(history.Select(t => t.Currency), Has.All.EqualTo(spike[0].Currency));
            }
        });
    }

    [Test]
    public void LabelsMapEveryTransactionIdAndRoundTripAsJsonLines()
    {
        var records = TrafficGenerator.Generate(Options(5, 100, 20)).Records;
        var labels = Labels.From(records);
        var text = labels.ToJsonLines();
        var back = Labels.ReadJsonLines(new StringReader(text));
        Assert.Multiple(() =>
        {
            Assert.That(labels.ByTransactionId.Keys, Is.EquivalentTo(records.Where(r => r.Kind == RecordKind.Valid).Select(r => r.TransactionId)));
            Assert.That(labels.Counts.Values.Sum(), Is.EqualTo(records.Count));
            Assert.That(labels.CountsByScenario[Scenarios.Legitimate], Is.EqualTo(records.Count(r => r.Scenario == Scenarios.Legitimate)));
            Assert.That(back.Lines, Is.EqualTo(labels.Lines));
            Assert.That(back.ToJsonLines(), Is.EqualTo(text));
            Assert.That(text.Split('\n')[0], Does.StartWith("{\"index\":0,\"partitionKey\":"));
            Assert.That(() => Labels.ReadJsonLines(new StringReader("{\"index\":1}")), Throws.TypeOf<InvalidDataException>().With.Message.Contains("Fix:"));
        });
    }

    [Test]
    public void InvalidOptionsSayWhatToFix()
    {
        Assert.Multiple(() =>
        {
            Assert.That(() => TrafficGenerator.Generate(Options(1, 0, 10)), Throws.ArgumentException.With.Message.Contains("RecordsPerSecond").And.Message.Contains("Fix:"));
            Assert.That(() => TrafficGenerator.Generate(Options(1, 10, 0)), Throws.ArgumentException.With.Message.Contains("Duration"));
            Assert.That(() => TrafficGenerator.Generate(Options(1, 10, 10) with { SimulatedSpan = TimeSpan.FromDays(800) }), Throws.ArgumentException.With.Message.Contains("SimulatedSpan"));
        });
    }
}
