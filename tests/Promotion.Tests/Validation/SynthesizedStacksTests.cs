using FraudTf.Promotion.Tests.Support;
using FraudTf.Promotion.Validation;

namespace FraudTf.Promotion.Tests.Validation;

/// <summary>The validation of every stack the app synthesizes (the test suite's stand-in for `terraform validate`).</summary>
public class SynthesizedStacksTests
{
    [Test]
    public void TheAppSynthesizesSixStacks()
    {
        Assert.That(RealStacks.Names, Is.EqualTo(new[]
        {
            "fraud-detection-bootstrap-dev", "fraud-detection-bootstrap-prod", "fraud-detection-bootstrap-staging",
            "fraud-detection-dev", "fraud-detection-prod", "fraud-detection-staging",
        }));
    }

    [TestCase("fraud-detection-bootstrap-dev")]
    [TestCase("fraud-detection-bootstrap-staging")]
    [TestCase("fraud-detection-bootstrap-prod")]
    [TestCase("fraud-detection-dev")]
    [TestCase("fraud-detection-staging")]
    [TestCase("fraud-detection-prod")]
    public void EverySynthesizedStackIsValidAgainstTheProviderSchema(string stack)
    {
        var errors = StackValidator.Validate(stack, RealStacks.Stack(stack), Schema.Aws);
        Assert.That(errors.Select(e => e.ToString()), Is.Empty);
    }

    [TestCaseSource(nameof(StackNames))]
    public void EverySynthesizedStackPassesTheDeployabilityGate(string stack)
    {
        var result = FraudTf.Promotion.Validation.Gate.DeployGate.Check(stack, RealStacks.Stack(stack));
        Assert.That(result.Failures.Select(f => $"{f.Address}: [{f.RuleId}] {f.Message}"), Is.Empty);
        // Every exception the stacks record carries its reason (counted here so a new one is a visible change).
        Assert.That(result.Excepted.Select(e => e.Reason), Has.All.Length.GreaterThanOrEqualTo(20));
    }

    /// <summary>The stacks the schema test lists (one list for both tests; EveryStackIsCovered checks it against the synth).</summary>
    private static IEnumerable<string> StackNames() =>
        typeof(SynthesizedStacksTests).GetMethod(nameof(EverySynthesizedStackIsValidAgainstTheProviderSchema))!
            .GetCustomAttributes(typeof(TestCaseAttribute), false).Cast<TestCaseAttribute>().Select(t => (string)t.Arguments[0]!);

    [Test]
    public void EveryStackIsCovered()
    {
        // A stack added later is validated too: the test cases above must list every synthesized stack.
        var covered = typeof(SynthesizedStacksTests).GetMethod(nameof(EverySynthesizedStackIsValidAgainstTheProviderSchema))!
            .GetCustomAttributes(typeof(TestCaseAttribute), false).Cast<TestCaseAttribute>().Select(t => (string)t.Arguments[0]!).Order();
        Assert.That(covered, Is.EqualTo(RealStacks.Names));
    }
}
