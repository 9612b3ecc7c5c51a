using FraudTf.Promotion.Tests.Support;
using FraudTf.Promotion.Validation.Gate;
using FraudTf.Promotion.Validation.Gate.Rules;

namespace FraudTf.Promotion.Tests.Validation.Gate;

/// <summary>
/// The GATE-PROV/ENUM/LIMIT/KMS/XRAY/STREAM/S3 rules on the real synthesized stacks, printing every finding. Explicit
/// until the stacks are fixed; then it becomes an assertion that they have none.
/// </summary>
[Explicit("Prints today's findings of the gate1 rules on the real stacks; the stacks are being fixed")]
public class Gate1RealStacksTests
{
    private static readonly GateRule[] Rules =
    [
        new ProviderRuntimeRule(), new ProviderEnumRule(), new AwsLimitsRule(), new KmsKeyAdministrationRule(),
        new KmsEncryptionContextRule(), new XRayLambdaSamplingRule(), new StreamStartingPositionRule(), new S3LifecycleSmallObjectsRule(),
    ];

    [Test]
    public void PrintFindingsOnTheRealStacks()
    {
        Assert.That(RealStacks.Names, Has.Count.EqualTo(6));
        var total = 0;
        foreach (var name in RealStacks.Names)
        {
            var result = DeployGate.Check(name, RealStacks.Stack(name), Rules);
            TestContext.Out.WriteLine($"{name}: {result.Failures.Count} finding(s), {result.Excepted.Count} excepted");
            foreach (var f in result.Failures.OrderBy(f => f.RuleId, StringComparer.Ordinal).ThenBy(f => f.Address, StringComparer.Ordinal))
            {
                TestContext.Out.WriteLine($"  [{f.RuleId}] {f.Address}: {f.Message}");
            }

            foreach (var (f, reason) in result.Excepted)
            {
                TestContext.Out.WriteLine($"  ~ excepted [{f.RuleId}] {f.Address}: {reason}");
            }

            total += result.Failures.Count;
        }

        TestContext.Out.WriteLine($"total: {total} finding(s)");
        Assert.That(Rules.Select(r => DeployGate.Rule(r.Id)), Has.None.Null, "every rule is registered with the gate");
    }
}
