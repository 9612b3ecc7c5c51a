using FraudTf.Functions.Shared.Scoring;
using FraudTf.Functions.Shared.Transactions;

namespace FraudTf.Functions.Tests.Scoring;

/// <summary>Each rule of scoring v2 at and around its threshold, the currency conversion, the profile's learning, the decision and its confidence.</summary>
[TestFixture]
public class FraudScorerTests
{
    private static readonly ScoringRules Rules = new();
    private static readonly DateTimeOffset At = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);

    private static Transaction Tx(decimal amount = 50m, string currency = "USD", string country = "US", string mcc = "5411", string? channel = "pos",
        string? device = null, DateTimeOffset? at = null) => new()
    {
        TransactionId = "tx-1",
        UserId = "u-1",
        Amount = amount,
        Currency = currency,
        MerchantId = "m-1",
        MerchantCategory = mcc,
        Country = country,
        Timestamp = at ?? At,
        Channel = channel,
        DeviceId = device,
    };

    /// <summary>A profile learnt from approved transactions: amounts 40, 45, 50, 55, 60 USD, in the US, category 5411, at a pos, 3 days before.</summary>
    private static UserProfile History(int count = 5, decimal step = 5m)
    {
        var p = new UserProfile();
        for (var i = 0; i < count; i++)
        {
            var t = Tx(40m + (step * (i % 5)), at: At.AddDays(-3).AddHours(i));
            p = p.Learn(t, Rules.Rates.ToReference(t.Amount, t.Currency));
        }

        return p;
    }

    private static ScoreResult Score(Transaction t, UserProfile? p = null, IReadOnlyList<RecentTransaction>? recent = null, IReadOnlyList<FraudPattern>? patterns = null, ScoringRules? rules = null) =>
        FraudScorer.Score(t, p ?? History(), recent ?? [], patterns ?? [], rules ?? Rules);

    private static IReadOnlyList<string> Fired(ScoreResult r) => r.Reasons.Select(x => x.Rule).ToList();

    // An amount at z spreads above the profile's log mean, in USD.
    private static decimal AtZ(UserProfile p, double z) => Math.Round((decimal)Math.Exp(p.LogMean + (z * Math.Max(p.LogStdDev, Rules.AmountMinSpread))), 4);

    [Test]
    public void OrdinaryTransaction_IsApprovedWithNoReasons()
    {
        var r = Score(Tx());

        Assert.That(r.Decision, Is.EqualTo(Decision.APPROVE));
        Assert.That(r.Score, Is.Zero);
        Assert.That(r.Reasons, Is.Empty);
        Assert.That(r.ReferenceAmount, Is.EqualTo(50));
        Assert.That(r.RulesVersion, Is.EqualTo(Rules.EffectiveVersion).And.StartsWith(Rules.Version + "+"));
    }

    [Test]
    public void Currency_IsConvertedWithTheSelectedTable_AndAmountsOfDifferentCurrenciesAreComparable()
    {
        var eur = Score(Tx(92m, "EUR"));
        var jpy = Score(Tx(15_000m, "JPY"));
        var inEuros = new UserProfile();
        var inDollars = new UserProfile();
        foreach (var (usd, eurAmount) in new[] { (40m, 36.8m), (50m, 46m), (60m, 55.2m) })
        {
            inDollars = inDollars.Learn(Tx(usd), Rules.Rates.ToReference(usd, "USD"));
            inEuros = inEuros.Learn(Tx(eurAmount, "EUR"), Rules.Rates.ToReference(eurAmount, "EUR"));
        }

        Assert.Multiple(() =>
        {
            Assert.That(Rules.Rates.Base, Is.EqualTo("USD"));
            Assert.That(Rules.Rates.UnitsPerBase["EUR"], Is.EqualTo(0.92));
            Assert.That(eur.ReferenceAmount, Is.EqualTo(100).Within(1e-9), "92 EUR at 0.92 per USD");
            Assert.That(jpy.ReferenceAmount, Is.EqualTo(100).Within(1e-9), "15,000 JPY at 150 per USD");
            Assert.That(inEuros.LogMean, Is.EqualTo(inDollars.LogMean).Within(1e-12), "the same spending in two currencies: one profile");
            Assert.That(inEuros.MaxAmount, Is.EqualTo(60).Within(1e-9));
        });
    }

    [Test]
    public void CurrencyWithoutARate_IsRecorded_AndTheAmountRulesStandAside()
    {
        var r = Score(Tx(1_000_000m, "AFN"));

        Assert.Multiple(() =>
        {
            Assert.That(r.ReferenceAmount, Is.Null);
            Assert.That(Fired(r), Is.EqualTo(new[] { RuleIds.CurrencyNotConverted }), "no amount rule judges an amount it cannot convert");
            Assert.That(r.Reasons[0].Weight, Is.EqualTo(Rules.UnconvertedCurrencyWeight).And.Zero, "recorded; adds nothing by default");
            Assert.That(History().Learn(Tx(1m, "AFN"), null).AmountCount, Is.EqualTo(5), "the profile does not learn the amount either");
        });
    }

    [TestCase(2.99, false)]
    [TestCase(3.01, true)]
    [TestCase(6, true)]
    public void AmountUnusual_FiresAtItsThresholdOfSpreads(double z, bool fires)
    {
        var p = History();
        var r = Score(Tx(AtZ(p, z)), p);

        Assert.That(Fired(r).Contains(RuleIds.AmountUnusual), Is.EqualTo(fires));
        if (fires)
        {
            var reason = r.Reasons.Single(x => x.Rule == RuleIds.AmountUnusual);
            Assert.That(reason.Value, Is.EqualTo(z).Within(0.01), "the stored value is the z it measured");
            Assert.That(reason.Threshold, Is.EqualTo(Rules.AmountZThreshold));
            Assert.That(reason.Weight, Is.EqualTo(Rules.AmountWeight));
            Assert.That(reason.Explanation, Does.Contain("spreads above the user's typical").And.Contain("over 5 approved transactions"));
        }
    }

    [Test]
    public void AmountUnusual_AUserWhoseAmountsNeverVaried_HasTheMinimumSpread()
    {
        var p = History(step: 0m); // five times 40 USD
        var atThreshold = Math.Exp(Math.Log(40) + (Rules.AmountZThreshold * Rules.AmountMinSpread)); // 84.68 USD

        Assert.That(p.LogStdDev, Is.Zero);
        Assert.That(Fired(Score(Tx((decimal)atThreshold + 0.01m), p)), Does.Contain(RuleIds.AmountUnusual));
        Assert.That(Fired(Score(Tx((decimal)atThreshold - 0.01m), p)), Does.Not.Contain(RuleIds.AmountUnusual));
    }

    [TestCase(179.99, false)]
    [TestCase(180, true)]
    public void AmountAboveMax_FiresAtThreeTimesTheLargestApprovedAmount(double amount, bool fires)
    {
        var r = Score(Tx((decimal)amount), History()); // largest 60 USD

        Assert.That(Fired(r).Contains(RuleIds.AmountAboveMax), Is.EqualTo(fires));
        if (fires)
        {
            Assert.That(r.Reasons.Single(x => x.Rule == RuleIds.AmountAboveMax).Value, Is.EqualTo(3.0));
        }
    }

    [TestCase(999.99, null)]
    [TestCase(1000, 0.2)]
    [TestCase(4999, 0.2)]
    [TestCase(5000, 0.35)]
    [TestCase(9999, 0.35)]
    public void AmountTier_AppliesToUsersWithoutEnoughHistory_HighestTierOnly(double usd, double? weight)
    {
        var r = Score(Tx((decimal)usd), History(4));

        var tiers = r.Reasons.Where(x => x.Rule == RuleIds.AmountTier).ToList();
        Assert.That(tiers.Select(x => (double?)x.Weight), Is.EqualTo(weight is null ? Array.Empty<double?>() : new[] { weight }));
        Assert.That(Fired(r), Does.Not.Contain(RuleIds.AmountUnusual), "four amounts are no baseline yet");
    }

    [Test]
    public void AmountTier_IsInTheReferenceCurrency()
    {
        Assert.That(Fired(Score(Tx(920m, "EUR"), new UserProfile())), Does.Contain(RuleIds.AmountTier), "920 EUR = 1,000 USD");
        Assert.That(Fired(Score(Tx(919m, "EUR"), new UserProfile())), Does.Not.Contain(RuleIds.AmountTier));
        Assert.That(Fired(Score(Tx(140_000m, "JPY"), new UserProfile())), Does.Not.Contain(RuleIds.AmountTier), "933 USD");
    }

    [Test]
    public void IssueExample_ABrandNewUsersFirstPurchaseOf9999AtAGamblingMerchantOnline_IsReviewedAtLeast()
    {
        var r = Score(Tx(9_999m, mcc: "7995", country: "NG", channel: "web", device: "d-9"), new UserProfile());

        Assert.That(r.Decision, Is.Not.EqualTo(Decision.APPROVE));
        Assert.That(Fired(r), Is.EquivalentTo(new[] { RuleIds.AmountTier, RuleIds.NewUserCardNotPresent, RuleIds.MerchantCategoryRisk }));
    }

    [TestCase(0, "web", true)]
    [TestCase(0, "mobile", true)]
    [TestCase(0, "phone", true)]
    [TestCase(0, "pos", false)]
    [TestCase(0, null, false)]
    [TestCase(1, "web", false)]
    public void NewUserCardNotPresent_FiresForAUserWithNoApprovedTransaction_PayingWithoutTheCard(int history, string? channel, bool fires)
    {
        var r = Score(Tx(channel: channel), History(history));

        Assert.That(Fired(r).Contains(RuleIds.NewUserCardNotPresent), Is.EqualTo(fires));
    }

    [TestCase(15.0, 2, true)]
    [TestCase(15.001, 2, false)]
    [TestCase(59, 3, true)]
    public void Velocity_CountsTheUsersTransactionsInTheWindowIncludingThisOne(double secondsBefore, int transactions, bool fires)
    {
        // transactions - 1 earlier ones, the first of them secondsBefore this one (the others just before it).
        var recent = Enumerable.Range(0, transactions - 1).Select(i => new RecentTransaction(At.AddSeconds(-secondsBefore + (i * 0.001)), 10)).ToList();

        var r = Score(Tx(), recent: recent);

        Assert.That(Fired(r).Contains(RuleIds.Velocity), Is.EqualTo(fires));
        if (fires)
        {
            var reason = r.Reasons.Single(x => x.Rule == RuleIds.Velocity);
            Assert.That((reason.Value, reason.Weight), Is.EqualTo(((double?)transactions, 0.5)));
        }
    }

    [Test]
    public void Velocity_OfTheLimitsReached_TheHeaviestApplies_AndLaterOrOlderTransactionsDoNotCount()
    {
        var rules = Rules with { Velocity = [new VelocityLimit(600, 3, 0.3), new VelocityLimit(3600, 4, 0.6)] };
        var recent = new[]
        {
            new RecentTransaction(At.AddMinutes(-5), 10), new RecentTransaction(At.AddMinutes(-9), 10), new RecentTransaction(At.AddMinutes(-50), 10),
            new RecentTransaction(At.AddSeconds(1), 10), new RecentTransaction(At.AddHours(-2), 10),
        };

        var r = Score(Tx(), recent: recent, rules: rules);

        var reason = r.Reasons.Single(x => x.Rule == RuleIds.Velocity);
        Assert.That((reason.Value, reason.Threshold, reason.Weight), Is.EqualTo(((double?)4, (double?)4, 0.6)));
        Assert.That(reason.Explanation, Is.EqualTo("4 transactions in 1 hour(s) (limit 4)"));
    }

    [TestCase(2_000, 999.99, false)]
    [TestCase(2_000, 1000, true)]
    public void AmountVelocity_SumsTheReferenceAmountsInTheWindow(double before, double now, bool fires)
    {
        var recent = new[] { new RecentTransaction(At.AddMinutes(-30), before), new RecentTransaction(At.AddMinutes(-10), null), new RecentTransaction(At.AddHours(-2), 5_000) };

        var r = Score(Tx((decimal)now, channel: "pos"), recent: recent);

        Assert.That(Fired(r).Contains(RuleIds.AmountVelocity), Is.EqualTo(fires), "3,000 USD in an hour; an amount without a rate and one outside the hour do not count");
    }

    [TestCase(5.0, 4.99, 800, true)]
    [TestCase(5.01, 4.99, 800, false)]
    [TestCase(4.99, 5.01, 800, false)]
    [TestCase(4.99, 4.99, 901, false)]
    public void CardTesting_ASmallAmountAfterAnotherSmallOneInTheWindow(double amount, double earlier, int secondsBefore, bool fires)
    {
        var recent = new[] { new RecentTransaction(At.AddSeconds(-secondsBefore), earlier) };

        var r = Score(Tx((decimal)amount, channel: "web", device: "d-1"), History(0), recent);

        Assert.That(Fired(r).Contains(RuleIds.CardTesting), Is.EqualTo(fires));
        if (fires)
        {
            Assert.That(r.Decision, Is.Not.EqualTo(Decision.APPROVE), "card testing alone is reviewed");
        }
    }

    [Test]
    public void NewCountryDeviceChannelAndCategory_FireForAKnownUserOnly()
    {
        var p = History().Learn(Tx(channel: "web", device: "d-1"), 50);
        var novel = Score(Tx(country: "CA", mcc: "5812", channel: "mobile", device: "d-2", at: At.AddDays(2)), p);
        var usual = Score(Tx(channel: "web", device: "d-1"), p);
        var newUser = Score(Tx(country: "CA", mcc: "5812", channel: "pos", device: "d-2"), new UserProfile());

        Assert.Multiple(() =>
        {
            Assert.That(Fired(novel), Is.EquivalentTo(new[] { RuleIds.NewCountry, RuleIds.NewDevice, RuleIds.NewChannel, RuleIds.NewMerchantCategory }));
            Assert.That(novel.Reasons.Sum(x => x.Weight), Is.EqualTo(Rules.NewCountryWeight + Rules.NewDeviceWeight + Rules.NewChannelWeight + Rules.NewMerchantCategoryWeight).Within(1e-12));
            Assert.That(usual.Reasons, Is.Empty);
            Assert.That(newUser.Reasons, Is.Empty, "a first transaction has nothing to compare with");
            Assert.That(Fired(Score(Tx(channel: "pos", device: null), p)), Is.Empty, "no device id: nothing to judge");
        });
    }

    [TestCase("DE", 5.9, true)]   // north-america -> western-europe: 6 hours
    [TestCase("DE", 6.0, false)]
    [TestCase("CA", 0.5, false)]  // same region, 1 hour within: 0.5 h apart is too fast, but...
    [TestCase("AQ", 0.1, false)]  // in no region: never judged
    public void ImpossibleTravel_AnotherCountrySoonerThanTheTableAllows(string country, double hoursLater, bool fires)
    {
        var p = History().Learn(Tx(at: At), 50); // last approved: US at At
        var r = Score(Tx(country: country, at: At.AddHours(hoursLater)), p);

        if (country == "CA")
        {
            // US -> CA within north-america (1 hour): 0.5 hours is too fast.
            Assert.That(Fired(r), Does.Contain(RuleIds.ImpossibleTravel));
            return;
        }

        Assert.That(Fired(r).Contains(RuleIds.ImpossibleTravel), Is.EqualTo(fires));
        if (fires)
        {
            var reason = r.Reasons.Single(x => x.Rule == RuleIds.ImpossibleTravel);
            Assert.That((reason.Value, reason.Threshold), Is.EqualTo(((double?)5.9, (double?)6)));
            Assert.That(reason.Explanation, Does.Contain("in DE 5.9 hours after an approved transaction in US"));
        }
    }

    [Test]
    public void ImpossibleTravel_JudgesTheTimeBetweenEitherWay_AndTheTableCoversEveryCountryButAntarctica()
    {
        var p = History().Learn(Tx(at: At), 50);
        var earlierAbroad = Score(Tx(country: "JP", at: At.AddHours(-3)), p); // a late record from 3 hours before, 10 hours away

        Assert.That(Fired(earlierAbroad), Does.Contain(RuleIds.ImpossibleTravel));
        Assert.That(IsoCodes.Countries.Where(c => !Rules.Travel.RegionOf.ContainsKey(c)), Is.EqualTo(new[] { "AQ" }));
        Assert.That(Rules.Travel.MinHours("US", "JP"), Is.EqualTo(Rules.Travel.MinHours("JP", "US")), "symmetric");
    }

    [TestCase("7995", 0.35)]
    [TestCase("7801", 0.35)]
    [TestCase("7802", 0.35)]
    [TestCase("6540", 0.35)]
    [TestCase("6051", 0.35)]
    [TestCase("4829", 0.35)]
    [TestCase("5944", 0.1)]
    [TestCase("5411", null)]
    public void MerchantCategoryRisk_FromTheTable_EvenForNewUsers(string mcc, double? weight)
    {
        var r = Score(Tx(mcc: mcc), new UserProfile());

        Assert.That(r.Reasons.Where(x => x.Rule == RuleIds.MerchantCategoryRisk).Select(x => (double?)x.Weight),
            Is.EqualTo(weight is null ? Array.Empty<double?>() : new[] { weight }));
    }

    [Test]
    public void Pattern_MatchesWhenEveryConditionHolds()
    {
        var pattern = new FraudPattern
        {
            PatternId = "card-testing",
            Version = 3,
            Description = "small online purchases abroad",
            Weight = 0.4,
            Countries = ["US"],
            Channels = ["web"],
            MinAmount = 1m,
        };

        var hit = Score(Tx(channel: "web"), History().Learn(Tx(channel: "web"), 50), patterns: [pattern]);
        var wrongChannel = Score(Tx(channel: "pos"), patterns: [pattern]);
        var noChannel = Score(Tx(channel: null), patterns: [pattern]);

        var reason = hit.Reasons.Single(x => x.Rule == "PATTERN:card-testing");
        Assert.That(reason.Explanation, Does.Contain("v3"));
        Assert.That(wrongChannel.Reasons.Any(x => x.Rule.StartsWith(RuleIds.PatternPrefix, StringComparison.Ordinal)), Is.False);
        Assert.That(noChannel.Reasons.Any(x => x.Rule.StartsWith(RuleIds.PatternPrefix, StringComparison.Ordinal)), Is.False);
    }

    [Test]
    public void Thresholds_DecideReviewAndDecline_AndTheScoreIsCappedAtOne()
    {
        var p = History().Learn(Tx(at: At), 50);
        // New country (0.2) + risky category (0.35) + new category (0.1) = 0.65: REVIEW.
        var review = Score(Tx(country: "CA", mcc: "7995", at: At.AddHours(3)), p);
        // + impossible travel to Germany 3 hours after the US (0.4) = 1.05, capped at 1: DECLINE.
        var decline = Score(Tx(country: "DE", mcc: "7995", at: At.AddHours(3)), p);

        Assert.Multiple(() =>
        {
            Assert.That(review.Decision, Is.EqualTo(Decision.REVIEW));
            Assert.That(review.Score, Is.EqualTo(0.65).Within(1e-9));
            Assert.That(decline.Decision, Is.EqualTo(Decision.DECLINE));
            Assert.That(decline.Score, Is.EqualTo(1.0));
            Assert.That(FraudScorer.RawScore(decline.Reasons), Is.EqualTo(1.0));
        });
    }

    [Test]
    public void ScoreExactlyAtReviewThreshold_IsReview()
    {
        var rules = Rules with { ReviewThreshold = 0.35 };

        var r = FraudScorer.Score(Tx(mcc: "7995"), History().Learn(Tx(mcc: "7995"), 50), [], [], rules);

        Assert.That((r.Score, r.Decision), Is.EqualTo((0.35, Decision.REVIEW)));
    }

    [Test]
    public void Profile_LearnsLogAmountsSetsAndTheLatestCountry()
    {
        var p = new UserProfile()
            .Learn(Tx(100m, at: At, device: "d-1", channel: "web"), 100)
            .Learn(Tx(10m, country: "CA", at: At.AddHours(5), channel: "pos"), 10)
            .Learn(Tx(1_000m, country: "MX", at: At.AddHours(1)), 1_000); // late record: not the latest

        Assert.Multiple(() =>
        {
            Assert.That((p.Count, p.AmountCount), Is.EqualTo((3L, 3L)));
            Assert.That(p.LogMean, Is.EqualTo(Math.Log(100)).Within(1e-12), "ln 10, ln 100, ln 1000");
            Assert.That(p.LogStdDev, Is.EqualTo(Math.Log(10)).Within(1e-12));
            Assert.That(p.TypicalAmount, Is.EqualTo(100).Within(1e-9));
            Assert.That(p.MaxAmount, Is.EqualTo(1_000));
            Assert.That((p.LastCountry, p.LastAt), Is.EqualTo(("CA", (DateTimeOffset?)At.AddHours(5))));
            Assert.That(p.Countries, Is.EquivalentTo(new[] { "US", "CA", "MX" }));
            Assert.That(p.Devices, Is.EquivalentTo(new[] { "d-1" }));
            Assert.That(p.Channels, Is.EquivalentTo(new[] { "web", "pos" }));
        });
    }

    [Test]
    public void Profile_KeepsAtMostMaxDevices()
    {
        var p = new UserProfile();
        for (var i = 0; i < UserProfile.MaxDevices + 5; i++)
        {
            p = p.Learn(Tx(device: $"d-{i}"), 50);
        }

        Assert.That(p.Devices, Has.Count.EqualTo(UserProfile.MaxDevices));
        Assert.That(Fired(Score(Tx(device: $"d-{UserProfile.MaxDevices + 1}"), p)), Does.Contain(RuleIds.NewDevice), "a device beyond the cap stays new");
    }

    [Test]
    public void Confidence_IsInRangeAndGrowsWithHistory()
    {
        var newUser = Score(Tx(), new UserProfile());
        var knownUser = Score(Tx(), History(20));

        Assert.That(newUser.Confidence, Is.InRange(0.0, 1.0));
        Assert.That(knownUser.Confidence, Is.GreaterThan(newUser.Confidence));
        Assert.That(knownUser.Confidence, Is.EqualTo(1.0).Within(1e-9), "score 0, far from thresholds, full history");
    }

    [Test]
    public void Confidence_IsSurestAtTheFarEndOfEachDecision()
    {
        double C(double score) => FraudScorer.Confidence(score, 100, Rules);
        Assert.Multiple(() =>
        {
            Assert.That(C(0), Is.EqualTo(1.0).Within(1e-9), "score 0: the surest approval");
            Assert.That(C(1), Is.EqualTo(1.0).Within(1e-9), "score 1: the surest decline");
            Assert.That(C(Rules.ReviewThreshold), Is.EqualTo(0.5).Within(1e-9), "on the review threshold only history counts");
            Assert.That(C(Rules.DeclineThreshold), Is.EqualTo(0.5).Within(1e-9), "on the decline threshold only history counts");
            Assert.That(C((Rules.ReviewThreshold + Rules.DeclineThreshold) / 2), Is.EqualTo(1.0).Within(1e-9), "the middle of REVIEW");
        });
    }

    [Test]
    public void Confidence_IsMonotoneInsideEachDecisionAndInHistory()
    {
        var steps = Enumerable.Range(0, 1001).Select(i => i / 1000.0).ToList();
        var approve = steps.Where(s => s < Rules.ReviewThreshold).Select(s => FraudScorer.Confidence(s, 10, Rules)).ToList();
        var decline = steps.Where(s => s >= Rules.DeclineThreshold).Select(s => FraudScorer.Confidence(s, 10, Rules)).ToList();
        var byHistory = Enumerable.Range(0, 50).Select(h => FraudScorer.Confidence(0.65, h, Rules)).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(approve, Is.Ordered.Descending, "an approval is less sure as its score rises toward REVIEW");
            Assert.That(decline, Is.Ordered.Ascending, "a decline is surer as its score rises");
            Assert.That(byHistory, Is.Ordered.Ascending, "more history never makes a decision less sure");
            Assert.That(steps.Select(s => FraudScorer.Confidence(s, 3, Rules)), Has.All.InRange(0.0, 1.0));
        });
    }

    [Test]
    public void SameInput_SameOutput()
    {
        var recent = new[] { new RecentTransaction(At.AddSeconds(-5), 3) };
        var a = Score(Tx(amount: 4m, country: "FR", channel: "web", device: "d-7"), recent: recent);
        var b = Score(Tx(amount: 4m, country: "FR", channel: "web", device: "d-7"), recent: recent);

        Assert.That(b.Score, Is.EqualTo(a.Score));
        Assert.That(b.Reasons, Is.EqualTo(a.Reasons));
        Assert.That(b.Confidence, Is.EqualTo(a.Confidence));
    }
}
