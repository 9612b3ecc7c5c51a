using System.Reflection;
using FraudTf.Functions.StreamProcessor;
using FraudTf.Functions.Shared.Settings;
using FraudTf.Functions.Shared.Scoring;

namespace FraudTf.Functions.Tests.Scoring;

/// <summary>
/// Issue 16: the rulesVersion a decision records is a hash of the effective rule set, so two environments with different
/// weights can never claim the same version.
/// </summary>
public class RulesVersionTests
{
    private static readonly ScoringRules Defaults = new();

    /// <summary>
    /// Every setting of the rule set except its label and the table versions (a table version only exists with its file:
    /// the tables' content is covered by <see cref="TheTablesContentIsPartOfTheVersion"/>), changed one at a time; lists
    /// and records are changed inside, so a nested weight counts too.
    /// </summary>
    private static IEnumerable<TestCaseData> EveryChangedSetting() =>
        typeof(ScoringRules).GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.CanWrite && p.Name is not (nameof(ScoringRules.Version) or nameof(ScoringRules.CurrencyRatesVersion) or nameof(ScoringRules.TravelRegionsVersion)))
            .Select(p => new TestCaseData(p.Name).SetName($"Changing_{p.Name}_ChangesTheVersion"));

    [TestCaseSource(nameof(EveryChangedSetting))]
    public void AnyChangedSettingChangesTheVersionEvenWithTheSameLabel(string property)
    {
        var p = typeof(ScoringRules).GetProperty(property)!;
        var value = p.GetValue(Defaults)!;
        object changed = value switch
        {
            double d => d + 0.01,
            int i => i + 1,
            IReadOnlyList<AmountTier> tiers => tiers.Select((t, i) => i == 0 ? t with { Weight = t.Weight + 0.01 } : t).ToList(),
            IReadOnlyList<VelocityLimit> limits => limits.Select((l, i) => i == 0 ? l with { Transactions = l.Transactions + 1 } : l).ToList(),
            IReadOnlyList<AmountVelocityLimit> limits => limits.Select((l, i) => i == 0 ? l with { Amount = l.Amount + 1 } : l).ToList(),
            CardTestingRule rule => rule with { MaxAmount = rule.MaxAmount + 0.5 },
            IReadOnlyDictionary<string, double> map => map.ToDictionary(e => e.Key, e => e.Key == map.Keys.First() ? e.Value + 0.01 : e.Value),
            _ => throw new NotSupportedException($"ScoringRules.{property} is a {p.PropertyType.Name}: teach this test to change it"),
        };
        var rules = Defaults with { };
        p.SetValue(rules, changed);

        Assert.Multiple(() =>
        {
            Assert.That(rules.Version, Is.EqualTo(Defaults.Version), "the label stayed the same");
            Assert.That(rules.EffectiveVersion, Is.Not.EqualTo(Defaults.EffectiveVersion));
        });
    }

    [Test]
    public void TheTablesContentIsPartOfTheVersion()
    {
        // The version hashes the rules' JSON and the selected tables' bytes: recompute it from its parts.
        var json = System.Text.Json.JsonSerializer.Serialize(Defaults, new System.Text.Json.JsonSerializerOptions { PropertyNamingPolicy = System.Text.Json.JsonNamingPolicy.CamelCase });
        var material = $"{json}\nrates {Defaults.Rates.ContentHash}\ntravel {Defaults.Travel.ContentHash}";
        var expected = $"{Defaults.Version}+{Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(material)))[..12]}";

        Assert.Multiple(() =>
        {
            Assert.That(Defaults.EffectiveVersion, Is.EqualTo(expected));
            Assert.That(json, Does.Contain("\"currencyRates\":\"2026-12-01\"").And.Contain("\"travelRegions\":\"2026-12-01\""));
            Assert.That(Defaults.Rates.ContentHash, Does.Match("^[0-9a-f]{64}$"));
        });
    }

    [Test]
    public void MapOrderDoesNotChangeTheVersion()
    {
        var forward = Defaults with { MerchantCategoryRisk = new Dictionary<string, double> { ["7995"] = 0.3, ["6051"] = 0.2 } };
        var backward = Defaults with { MerchantCategoryRisk = new Dictionary<string, double> { ["6051"] = 0.2, ["7995"] = 0.3 } };

        Assert.That(forward.EffectiveVersion, Is.EqualTo(backward.EffectiveVersion));
    }

    [Test]
    public void TheSameRulesGiveTheSameVersionWhereverTheyAreRead()
    {
        var fromEnvironment = Settings.ReadRules(new SettingsReader(n => n == FunctionEnvironment.ScoringRules ? "{\"reviewThreshold\":0.5}" : null));
        Assert.Multiple(() =>
        {
            Assert.That(fromEnvironment.EffectiveVersion, Is.EqualTo(Defaults.EffectiveVersion), "0.5 is the default: the same effective rule set");
            Assert.That(new ScoringRules().EffectiveVersion, Is.EqualTo(Defaults.EffectiveVersion));
            Assert.That(Defaults.EffectiveVersion, Does.Match(@"^2026-12-02\.2\+[0-9a-f]{12}$"));
        });
    }

    [Test]
    public void TheLabelIsPartOfTheVersion() =>
        Assert.That((Defaults with { Version = "2027-01-01.1" }).EffectiveVersion, Does.StartWith("2027-01-01.1+").And.Not.EqualTo(Defaults.EffectiveVersion));
}
