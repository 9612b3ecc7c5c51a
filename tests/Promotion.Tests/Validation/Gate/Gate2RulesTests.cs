using FraudTf.Promotion.Validation.Gate;

namespace FraudTf.Promotion.Tests.Validation.Gate;

/// <summary>The rules of this set are registered (found by reflection) and each names its source.</summary>
public class Gate2RulesTests
{
    /// <summary>Ids of the rules this test set covers.</summary>
    public static readonly string[] Ids =
    [
        "GATE-SNS-001", "GATE-SNS-002", "GATE-CW-001", "GATE-LAM-001", "GATE-IAM-001", "GATE-IAM-003", "GATE-BRK-001",
        "GATE-TRUST-001", "GATE-TRUST-002", "GATE-TRUST-003", "GATE-TRUST-004",
    ];

    [TestCaseSource(nameof(Ids))]
    public void TheRuleIsRegisteredWithTitleAndSource(string id)
    {
        var rule = DeployGate.Rule(id);
        Assert.That(rule, Is.Not.Null, $"{id} is not found by reflection");
        Assert.That(rule!.Title, Is.Not.Empty);
        Assert.That(rule.Source, Does.Match("Guide|Reference|provider|internal/"));
    }

    [TestCaseSource(nameof(Ids))]
    public void AnEmptyStackHasNoFinding(string id)
    {
        Assert.That(new Gate2Stack().Failures(id), Is.Empty);
    }
}
