using FraudTf.Functions.Shared.Transactions;
using FraudTf.Functions.StreamProcessor.Scoring;

namespace FraudTf.Functions.Tests.Scoring;

[TestFixture]
public class FraudScorerTests
{
    private static readonly ScoringRules Rules = new();

    private static Transaction Tx(decimal amount = 50m, string country = "DE", string mcc = "5411", string? channel = "web") => new()
    {
        TransactionId = "tx-1",
        UserId = "u-1",
        Amount = amount,
        Currency = "EUR",
        MerchantId = "m-1",
        MerchantCategory = mcc,
        Country = country,
        Timestamp = new DateTimeOffset(2026, 11, 25, 12, 0, 0, TimeSpan.Zero),
        Channel = channel,
    };

    /// <summary>A profile built from real updates: amounts 40, 45, 50, 55, 60 (mean 50, sd ~7.9), in DE, category 5411.</summary>
    private static UserProfile History(int count = 5)
    {
        var p = new UserProfile();
        for (var i = 0; i < count; i++)
        {
            p = p.With(Tx(40m + (5m * (i % 5))));
        }

        return p;
    }

    private static ScoreResult Score(Transaction t, UserProfile? p = null, int recent = 1, IReadOnlyList<FraudPattern>? patterns = null) =>
        FraudScorer.Score(t, p ?? History(), recent, patterns ?? [], Rules);

    [Test]
    public void OrdinaryTransaction_IsApprovedWithNoReasons()
    {
        var r = Score(Tx());

        Assert.That(r.Decision, Is.EqualTo(Decision.APPROVE));
        Assert.That(r.Score, Is.Zero);
        Assert.That(r.Reasons, Is.Empty);
        Assert.That(r.RulesVersion, Is.EqualTo(Rules.EffectiveVersion).And.StartsWith(Rules.Version + "+"));
    }

    [Test]
    public void Profile_WelfordMeanAndStdDev()
    {
        var p = History();

        Assert.That(p.Count, Is.EqualTo(5));
        Assert.That(p.Mean, Is.EqualTo(50).Within(1e-9));
        Assert.That(p.StdDev, Is.EqualTo(Math.Sqrt(62.5)).Within(1e-9), "sample sd of 40,45,50,55,60");
    }

    [Test]
    public void Amount_JustBelowZThreshold_DoesNotFire()
    {
        var sd = Math.Sqrt(62.5);
        var r = Score(Tx((decimal)(50 + (2.99 * sd))));

        Assert.That(r.Reasons.Select(x => x.Rule), Does.Not.Contain("AMOUNT_ZSCORE"));
    }

    [Test]
    public void Amount_AtZThreshold_Fires()
    {
        var sd = Math.Sqrt(62.5);
        var r = Score(Tx(decimal.Round((decimal)(50 + (3.0 * sd)), 4) + 0.0001m));

        var reason = r.Reasons.Single(x => x.Rule == "AMOUNT_ZSCORE");
        Assert.That(reason.Weight, Is.EqualTo(Rules.AmountWeight));
        Assert.That(reason.Explanation, Does.Contain("3.0 standard deviations above the user's mean 50 over 5 transactions"));
    }

    [Test]
    public void Amount_RuleNeedsMinimumHistory()
    {
        var r = Score(Tx(10_000m), History(4));

        Assert.That(r.Reasons.Select(x => x.Rule), Does.Not.Contain("AMOUNT_ZSCORE"));
    }

    [Test]
    public void Amount_UserWithConstantAmounts_UsesFiftyPercentAboveMean()
    {
        var p = new UserProfile();
        for (var i = 0; i < 5; i++)
        {
            p = p.With(Tx(20m));
        }

        Assert.That(Score(Tx(30m), p).Reasons.Select(x => x.Rule), Does.Contain("AMOUNT_ZSCORE"));
        Assert.That(Score(Tx(30m - 0.01m), p).Reasons.Select(x => x.Rule), Does.Not.Contain("AMOUNT_ZSCORE"));
    }

    [TestCase(4, false)]
    [TestCase(5, true)]
    [TestCase(12, true)]
    public void Velocity_FiresAtTheLimit(int recent, bool fires)
    {
        var r = Score(Tx(), recent: recent);

        Assert.That(r.Reasons.Any(x => x.Rule == "VELOCITY"), Is.EqualTo(fires));
    }

    [Test]
    public void NewCountry_FiresForKnownUserOnly()
    {
        Assert.That(Score(Tx(country: "FR")).Reasons.Single().Rule, Is.EqualTo("NEW_COUNTRY"));
        Assert.That(Score(Tx(country: "FR"), new UserProfile()).Reasons, Is.Empty, "a first transaction has nothing to compare with");
    }

    [Test]
    public void NewMerchantCategory_Fires()
    {
        var r = Score(Tx(mcc: "5812"));

        Assert.That(r.Reasons.Single().Rule, Is.EqualTo("NEW_MERCHANT_CATEGORY"));
        Assert.That(r.Reasons.Single().Weight, Is.EqualTo(Rules.NewMerchantCategoryWeight));
    }

    [Test]
    public void HighRiskMerchantCategory_FiresEvenForNewUsers()
    {
        var r = Score(Tx(mcc: "7995"), new UserProfile());

        Assert.That(r.Reasons.Single().Rule, Is.EqualTo("HIGH_RISK_MERCHANT_CATEGORY"));
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
            Countries = ["NG", "RU"],
            Channels = ["web"],
            MinAmount = 1m,
        };

        var hit = Score(Tx(country: "NG"), patterns: [pattern]);
        var wrongChannel = Score(Tx(country: "NG", channel: "pos"), patterns: [pattern]);
        var noChannel = Score(Tx(country: "NG", channel: null), patterns: [pattern]);

        var reason = hit.Reasons.Single(x => x.Rule == "PATTERN:card-testing");
        Assert.That(reason.Explanation, Does.Contain("v3"));
        Assert.That(wrongChannel.Reasons.Any(x => x.Rule.StartsWith("PATTERN", StringComparison.Ordinal)), Is.False);
        Assert.That(noChannel.Reasons.Any(x => x.Rule.StartsWith("PATTERN", StringComparison.Ordinal)), Is.False);
    }

    [Test]
    public void Thresholds_DecideReviewAndDecline()
    {
        // New country (0.2) + new category (0.1) + high-risk category (0.25) = 0.55: REVIEW.
        var review = Score(Tx(country: "FR", mcc: "7995"));
        // + velocity (0.3) = 0.85: DECLINE.
        var decline = Score(Tx(country: "FR", mcc: "7995"), recent: 5);
        // + unusual amount (0.35) = 1.2, capped at 1.
        var capped = Score(Tx(amount: 5_000m, country: "FR", mcc: "7995"), recent: 5);

        Assert.That(review.Decision, Is.EqualTo(Decision.REVIEW));
        Assert.That(review.Score, Is.EqualTo(0.55).Within(1e-9));
        Assert.That(decline.Decision, Is.EqualTo(Decision.DECLINE));
        Assert.That(decline.Score, Is.EqualTo(0.85).Within(1e-9));
        Assert.That(capped.Score, Is.EqualTo(1.0));
        Assert.That(capped.Reasons, Has.Count.EqualTo(5));
    }

    [Test]
    public void ScoreExactlyAtReviewThreshold_IsReview()
    {
        var rules = Rules with { ReviewThreshold = 0.3, VelocityWeight = 0.3 };

        var r = FraudScorer.Score(Tx(), History(), 5, [], rules);

        Assert.That(r.Decision, Is.EqualTo(Decision.REVIEW));
    }

    [Test]
    public void Confidence_IsInRangeAndGrowsWithHistory()
    {
        var newUser = Score(Tx(), new UserProfile());
        var knownUser = Score(Tx(), History(20));
        var atThreshold = FraudScorer.Score(Tx(), History(20), 5, [], Rules with { ReviewThreshold = 0.3 });

        Assert.That(newUser.Confidence, Is.InRange(0.0, 1.0));
        Assert.That(knownUser.Confidence, Is.GreaterThan(newUser.Confidence));
        Assert.That(knownUser.Confidence, Is.EqualTo(1.0).Within(1e-9), "score 0, far from thresholds, full history");
        Assert.That(atThreshold.Confidence, Is.EqualTo(0.5).Within(1e-9), "on a threshold only history counts");
    }

    [Test]
    public void Confidence_IsSurestAtTheFarEndOfEachDecision()
    {
        double C(double score) => FraudScorer.Confidence(score, 100, Rules);
        Assert.Multiple(() =>
        {
            Assert.That(C(0), Is.EqualTo(1.0).Within(1e-9), "score 0: the surest approval");
            Assert.That(C(1), Is.EqualTo(1.0).Within(1e-9), "score 1: the surest decline (it used to be less sure than score 0)");
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
        var a = Score(Tx(amount: 999m, country: "FR"), recent: 7);
        var b = Score(Tx(amount: 999m, country: "FR"), recent: 7);

        Assert.That(b.Score, Is.EqualTo(a.Score));
        Assert.That(b.Reasons, Is.EqualTo(a.Reasons));
        Assert.That(b.Confidence, Is.EqualTo(a.Confidence));
    }
}
