using FraudTf.Promotion.Tests.Support;
using FraudTf.Promotion.Validation.Gate;

namespace FraudTf.Promotion.Tests.Validation.Gate;

/// <summary>
/// Runs this set's rules on the real synthesized stacks and prints every finding (explicit: the stacks are fixed by the
/// app, and this shows what is left to fix).
/// </summary>
[Explicit("Prints the findings of the GATE-SNS/CW/LAM/IAM/BRK/TRUST rules on the real stacks; run on demand.")]
public class Gate2RealStacksTests
{
    [Test]
    public void PrintFindingsOnTheRealStacks()
    {
        var rules = Gate2RulesTests.Ids.Select(id => DeployGate.Rule(id)!).ToList();
        var total = 0;
        foreach (var name in RealStacks.Names)
        {
            var result = DeployGate.Check(name, RealStacks.Stack(name), rules);
            TestContext.Out.WriteLine($"== {name}: {result.Failures.Count} failure(s), {result.Excepted.Count} excepted");
            foreach (var f in result.Failures)
            {
                TestContext.Out.WriteLine($"{f.RuleId} {f.Address}: {f.Message}");
            }

            foreach (var (f, reason) in result.Excepted)
            {
                TestContext.Out.WriteLine($"EXCEPTED {f.RuleId} {f.Address}: {reason}");
            }

            total += result.Failures.Count;
        }

        TestContext.Out.WriteLine($"total failures: {total}");
        Assert.That(RealStacks.Names, Is.Not.Empty);
    }
}
