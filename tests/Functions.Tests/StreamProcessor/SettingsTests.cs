using FraudTf.Functions.StreamProcessor;

namespace FraudTf.Functions.Tests.StreamProcessor;

[TestFixture]
public class SettingsTests
{
    private static readonly Dictionary<string, string?> Required = new()
    {
        ["TRANSACTIONS_TABLE"] = "t", ["DECISIONS_TABLE"] = "d", ["USER_PROFILES_TABLE"] = "u", ["PATTERNS_TABLE"] = "p", ["DLQ_URL"] = "q",
        ["QUARANTINE_BUCKET"] = "b",
    };

    [Test]
    public void ScoringRulesFromTheStack_OverrideOnlyWhatTheyName()
    {
        var vars = new Dictionary<string, string?>(Required)
        {
            ["SCORING_RULES"] = "{\"merchantCategoryRisk\":{\"1234\":0.3},\"reviewThreshold\":0.4,\"velocity\":[{\"windowSeconds\":60,\"transactions\":8,\"weight\":0.4}]}",
            ["TRANSACTION_TTL_DAYS"] = "30",
        };

        var s = Settings.FromEnvironment(n => vars.GetValueOrDefault(n));

        Assert.That(s.Rules.ReviewThreshold, Is.EqualTo(0.4));
        Assert.That(s.Rules.Velocity, Is.EqualTo(new[] { new FraudTf.Functions.Shared.Scoring.VelocityLimit(60, 8, 0.4) }), "a list given replaces the default whole");
        Assert.That(s.Rules.MerchantCategoryRisk, Is.EqualTo(new Dictionary<string, double> { ["1234"] = 0.3 }), "a map given replaces the default whole");
        Assert.That(s.Rules.DeclineThreshold, Is.EqualTo(0.8), "not named: the default");
        Assert.That(s.TransactionTtlDays, Is.EqualTo(30));
    }

    [Test]
    public void EmptyScoringRules_KeepDefaults()
    {
        var vars = new Dictionary<string, string?>(Required) { ["SCORING_RULES"] = "{}" };

        Assert.That(Settings.FromEnvironment(n => vars.GetValueOrDefault(n)).Rules, Is.EqualTo(new FraudTf.Functions.Shared.Scoring.ScoringRules()).Using<FraudTf.Functions.Shared.Scoring.ScoringRules>((a, b) => a.ReviewThreshold == b.ReviewThreshold && a.Version == b.Version));
    }

    [Test]
    public void MissingVariable_IsNamed()
    {
        var vars = new Dictionary<string, string?>(Required);
        vars.Remove("PATTERNS_TABLE");

        var e = Assert.Throws<FraudTf.Functions.Shared.Settings.SettingsException>(() => Settings.FromEnvironment(n => vars.GetValueOrDefault(n)));

        Assert.That(e!.Message, Does.Contain("environment variable PATTERNS_TABLE is not set"));
    }

    [Test]
    public void MalformedNumber_IsNamed()
    {
        var vars = new Dictionary<string, string?>(Required) { ["TRANSACTION_TTL_DAYS"] = "ninety" };

        var e = Assert.Throws<FraudTf.Functions.Shared.Settings.SettingsException>(() => Settings.FromEnvironment(n => vars.GetValueOrDefault(n)));

        Assert.That(e!.Message, Does.Contain("TRANSACTION_TTL_DAYS = 'ninety' is not a positive whole number"));
    }
}
