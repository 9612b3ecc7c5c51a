using System.Text.Json.Nodes;
using FraudTf.Config;
using FraudTf.Tests.Support;

namespace FraudTf.Tests.Config;

/// <summary>The <c>traffic</c> section: the profile the cost and capacity report (tools/Cost) assumes.</summary>
[TestFixture]
public class TrafficConfigTests
{
    [Test]
    public void RealConfigs_GrowFromDevToProd()
    {
        var configs = EnvironmentConfigLoader.LoadAll(Repo.EnvironmentsDir);
        var tps = configs.Select(c => c.Traffic.AverageTps).ToList();

        Assert.That(tps, Is.Ordered.Ascending);
        Assert.That(configs.All(c => c.Traffic.PeakTps >= c.Traffic.AverageTps), Is.True);
    }

    [Test]
    public void Defaults_PerEnvironment_WhenSectionOmitted()
    {
        var dev = ConfigFixture.Load("dev", j => j.Remove("traffic"));
        var staging = ConfigFixture.Load("staging", j => j.Remove("traffic"));
        var prod = ConfigFixture.Load("prod", j => j.Remove("traffic"));

        Assert.Multiple(() =>
        {
            Assert.That(dev.Traffic.AverageTps, Is.EqualTo(1));
            Assert.That(dev.Traffic.PeakTps, Is.EqualTo(5));
            Assert.That(staging.Traffic.AverageTps, Is.EqualTo(10));
            Assert.That(prod.Traffic.AverageTps, Is.EqualTo(100));
            Assert.That(prod.Traffic.PeakTps, Is.EqualTo(500));
            Assert.That(prod.Traffic.ActiveUsers, Is.EqualTo(5_000_000));
            Assert.That(dev.Traffic.RecordSizeBytes, Is.EqualTo(600));
            Assert.That(dev.Traffic.FraudRate, Is.EqualTo(0.02));
            Assert.That(dev.Traffic.AgentTurnsPerSession, Is.EqualTo(4));
            Assert.That(dev.Traffic.KnowledgeBaseMegabytes, Is.EqualTo(5));
        });
    }

    [Test]
    public void ExplicitValues_AreRead()
    {
        var dev = ConfigFixture.Load("dev", j => j["traffic"] = new JsonObject
        {
            ["averageTps"] = 2.5,
            ["peakTps"] = 40,
            ["recordSizeBytes"] = 1200,
            ["fraudRate"] = 0.1,
            ["agentSessionsPerDay"] = 0,
            ["agentInputTokensPerTurn"] = 9000,
        });

        Assert.Multiple(() =>
        {
            Assert.That(dev.Traffic.AverageTps, Is.EqualTo(2.5));
            Assert.That(dev.Traffic.PeakTps, Is.EqualTo(40));
            Assert.That(dev.Traffic.RecordSizeBytes, Is.EqualTo(1200));
            Assert.That(dev.Traffic.FraudRate, Is.EqualTo(0.1));
            Assert.That(dev.Traffic.AgentSessionsPerDay, Is.EqualTo(0));
            Assert.That(dev.Traffic.AgentInputTokensPerTurn, Is.EqualTo(9000));
            Assert.That(dev.Traffic.AgentOutputTokensPerTurn, Is.EqualTo(800), "an omitted field keeps its default");
        });
    }

    [Test]
    public void PeakBelowAverage_FailsNamingBoth()
    {
        var errors = ConfigFixture.Errors(ConfigFixture.Folder("staging", j =>
        {
            j["traffic"]!["averageTps"] = 20;
            j["traffic"]!["peakTps"] = 10;
        }));

        Assert.That(errors.Single(), Does.StartWith("environments/staging.json: field 'traffic.peakTps' = 10: is below averageTps (20)."));
        Assert.That(errors.Single(), Does.Contain("Fix: set peakTps to the busiest minute's rate"));
    }

    [Test]
    public void FraudRateAboveOne_FailsWithRange()
    {
        var errors = ConfigFixture.Errors(ConfigFixture.Folder("dev", j => j["traffic"]!["fraudRate"] = 2));

        Assert.That(errors.Single(), Does.StartWith("environments/dev.json: field 'traffic.fraudRate' = 2: is out of range: must be between 0 and 1."));
    }

    [Test]
    public void RecordLargerThanTheContract_Fails()
    {
        var errors = ConfigFixture.Errors(ConfigFixture.Folder("prod", j => j["traffic"]!["recordSizeBytes"] = 20000));

        Assert.That(errors.Single(), Does.Contain("field 'traffic.recordSizeBytes' = 20000: is out of range: must be between 1 and 16384"));
    }

    [Test]
    public void TpsAsString_FailsAsWrongType()
    {
        var errors = ConfigFixture.Errors(ConfigFixture.Folder("dev", j => j["traffic"]!["averageTps"] = "1"));

        Assert.That(errors.Single(), Does.StartWith("environments/dev.json: field 'traffic.averageTps' = \"1\": must be a number"));
    }

    [Test]
    public void MisspelledField_SuggestsTheRightOne()
    {
        var errors = ConfigFixture.Errors(ConfigFixture.Folder("dev", j => j["traffic"]!["peakTPS"] = 5));

        Assert.That(errors.Single(), Does.StartWith("environments/dev.json: field 'traffic.peakTPS' = 5: unknown field."));
        Assert.That(errors.Single(), Does.Contain("did you mean 'traffic.peakTps'?"));
    }
}
