using FraudTf.Promotion.Comparison;

namespace FraudTf.Promotion.Tests.Comparison;

/// <summary>The rule deciding whether a difference is explained by per-environment values.</summary>
public class TokenMatcherTests
{
    private static readonly Substitution Env = new("environment", "dev", "staging");
    private static readonly Substitution Account = new("accountId", "111111111111", "222222222222");
    private static readonly Substitution Retention = new("retention.logRetentionDays", "30", "365");
    private static readonly IReadOnlyList<Substitution> All = [Env, Account, Retention];

    [Test]
    public void ANameWithTheEnvironmentIsExplained()
    {
        Assert.That(TokenMatcher.Explains("fraud-detection-dlq-dev", "fraud-detection-dlq-staging", All, out var used), Is.True);
        Assert.That(used, Is.EqualTo(new[] { Env }));
    }

    [Test]
    public void SeveralValuesInOneStringAreExplainedTogether()
    {
        Assert.That(TokenMatcher.Explains("arn:aws:sqs:us-east-1:111111111111:q-dev", "arn:aws:sqs:us-east-1:222222222222:q-staging", All, out var used), Is.True);
        Assert.That(used, Is.EqualTo(new[] { Account, Env }));
    }

    [Test]
    public void ANumberFromConfigIsExplained()
    {
        Assert.That(TokenMatcher.Explains("30", "365", All, out var used), Is.True);
        Assert.That(used.Single().Field, Is.EqualTo("retention.logRetentionDays"));
    }

    [Test]
    public void AChangeNoConfigValueExplainsIsUnexpected()
    {
        Assert.That(TokenMatcher.Explains("256", "512", All, out var used), Is.False);
        Assert.That(used, Is.Empty);
        Assert.That(TokenMatcher.Explains("fraud-detection-dlq-dev", "fraud-detection-queue-staging", All, out _), Is.False);
    }

    [Test]
    public void OnlyWholeTokensAreSubstituted()
    {
        // "dev" inside "device" is not the environment name: the device id changing is not explained.
        Assert.That(TokenMatcher.Explains("deviceId", "stagingiceId", All, out _), Is.False);
        // 30 inside 300 is not the retention.
        Assert.That(TokenMatcher.Explains("300", "3655", All, out _), Is.False);
    }

    [Test]
    public void AValueTheTargetShouldHaveChangedButDidNotIsNotADifference()
    {
        Assert.That(TokenMatcher.Explains("same", "same", All, out var used), Is.True);
        Assert.That(used, Is.Empty);
    }

    [Test]
    public void AnAmbiguousSourceValueTriesEveryTarget()
    {
        // 90 -> 365 (access logs) and 90 -> 90 elsewhere: a 90 that stays and one that becomes 365 are both explained.
        IReadOnlyList<Substitution> subs = [new("retention.accessLogExpirationDays", "90", "365"), new("x", "90", "120")];
        Assert.That(TokenMatcher.Explains("days=90;other=90", "days=365;other=120", subs, out var used), Is.True);
        Assert.That(used, Has.Count.EqualTo(2));
    }
}
