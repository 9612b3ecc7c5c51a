using FraudTf.Local.Run;

namespace FraudTf.Local.Tests.Run;

/// <summary>The arguments of make local: what they mean, and the errors that name the value and the fix.</summary>
public class LocalOptionsTests
{
    [Test]
    public void TheMakefileArgumentsAreRead()
    {
        var o = LocalOptions.Parse(["--env", "prod", "--scenario", "card-testing", "--duration", "2m", "--rate", "12.5", "--seed", "7", "--fault", "throttle:user-profiles:3-8, corrupt-profile:2"], "/repo");
        Assert.Multiple(() =>
        {
            Assert.That(o.Environment, Is.EqualTo("prod"));
            Assert.That(o.Scenario, Is.EqualTo("card-testing"));
            Assert.That(o.Duration, Is.EqualTo(TimeSpan.FromMinutes(2)));
            Assert.That(o.Rate, Is.EqualTo(12.5));
            Assert.That(o.Seed, Is.EqualTo(7));
            Assert.That(o.Faults, Is.EqualTo(new[] { new Fault("throttle", "user-profiles", 3, 8), new Fault("corrupt-profile", "2", 0, 0) }));
            Assert.That(o.ReportPath, Is.EqualTo(Path.Combine("/repo", "cdktf.out", "local-prod.md")));
        });
    }

    [Test]
    public void EmptyMakeVariablesMeanTheDefaults()
    {
        var o = LocalOptions.Parse(["--env", "", "--fault", ""], "/repo");
        Assert.Multiple(() =>
        {
            Assert.That(o.Environment, Is.EqualTo("dev"));
            Assert.That(o.Faults, Is.Empty);
            Assert.That(o.Duration, Is.EqualTo(TimeSpan.FromSeconds(30)));
            Assert.That(o.Rate, Is.EqualTo(20));
        });
    }

    [TestCase("--duration", "5x", "DURATION=5x")]
    [TestCase("--duration", "-3", "DURATION=-3")]
    [TestCase("--rate", "0", "RATE=0")]
    [TestCase("--fault", "throttle:x", "FAULT 'throttle:x'")]
    [TestCase("--fault", "throttle:t:5-2", "FAULT 'throttle:t:5-2'")]
    [TestCase("--fault", "corrupt-profile:0", "FAULT 'corrupt-profile:0'")]
    [TestCase("--fault", "flood:all", "FAULT 'flood:all'")]
    public void ABadValueIsNamedWithItsFix(string name, string value, string named)
    {
        var e = Assert.Throws<ArgumentException>(() => LocalOptions.Parse([name, value], "/repo"));
        Assert.That(e!.Message, Does.Contain(named).And.Contain("Fix:"));
    }
}
