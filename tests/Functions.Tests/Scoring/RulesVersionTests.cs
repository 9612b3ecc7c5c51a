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

    /// <summary>Every setting of the rule set except its label, changed one at a time.</summary>
    private static IEnumerable<TestCaseData> EveryChangedSetting() =>
        typeof(ScoringRules).GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.CanWrite && p.Name != nameof(ScoringRules.Version))
            .Select(p => new TestCaseData(p.Name).SetName($"Changing_{p.Name}_ChangesTheVersion"));

    [TestCaseSource(nameof(EveryChangedSetting))]
    public void AnyChangedSettingChangesTheVersionEvenWithTheSameLabel(string property)
    {
        var p = typeof(ScoringRules).GetProperty(property)!;
        object changed = p.PropertyType == typeof(double) ? (double)p.GetValue(Defaults)! + 0.01
            : p.PropertyType == typeof(int) ? (int)p.GetValue(Defaults)! + 1
            : p.PropertyType == typeof(IReadOnlyList<string>) ? ((IReadOnlyList<string>)p.GetValue(Defaults)!).Append("0000").ToList()
            : throw new NotSupportedException($"ScoringRules.{property} is a {p.PropertyType.Name}: teach this test to change it");
        var rules = Defaults with { };
        p.SetValue(rules, changed);

        Assert.Multiple(() =>
        {
            Assert.That(rules.Version, Is.EqualTo(Defaults.Version), "the label stayed the same");
            Assert.That(rules.EffectiveVersion, Is.Not.EqualTo(Defaults.EffectiveVersion));
        });
    }

    [Test]
    public void TheSameRulesGiveTheSameVersionWhereverTheyAreRead()
    {
        var fromEnvironment = Settings.ReadRules(new SettingsReader(n => n == FunctionEnvironment.ScoringRules ? "{\"reviewThreshold\":0.5}" : null));
        Assert.Multiple(() =>
        {
            Assert.That(fromEnvironment.EffectiveVersion, Is.EqualTo(Defaults.EffectiveVersion), "0.5 is the default: the same effective rule set");
            Assert.That(new ScoringRules().EffectiveVersion, Is.EqualTo(Defaults.EffectiveVersion));
            Assert.That(Defaults.EffectiveVersion, Does.Match(@"^2026-11-25\.1\+[0-9a-f]{12}$"));
        });
    }

    [Test]
    public void TheLabelIsPartOfTheVersion() =>
        Assert.That((Defaults with { Version = "2027-01-01.1" }).EffectiveVersion, Does.StartWith("2027-01-01.1+").And.Not.EqualTo(Defaults.EffectiveVersion));
}
