using FraudTf.Config;
using FraudTf.Monitoring;
using FraudTf.Tests.Support;

namespace FraudTf.Tests.Monitoring;

/// <summary>The monitoring composite alone on a fresh stack, over the functions, streams, tables, queue and pipes it watches.</summary>
[TestFixture]
public class FraudMonitoringTests
{
    private static FraudMonitoringConfig Config(CompositeStack stack, EnvironmentTier tier = EnvironmentTier.Development) => new()
    {
        Target = CompositeStack.Target,
        Tier = tier,
        Thresholds = CompositeStack.Dev.Monitoring,
        AlarmNotifications = CompositeStack.Dev.Notifications.Alarms,
        MessagingKey = stack.MessagingKey,
        Functions = [stack.StreamProcessor, stack.AlertHandler],
        Streams = [stack.EventsStream],
        ConsumedStreams = [],
        Tables = stack.Storage.Tables,
        DeadLetterQueue = stack.DeadLetterQueue,
        Events = stack.Events,
        StreamProcessor = stack.StreamProcessor,
        FailedBatches = new FailedBatchesWatch(stack.Storage.FailedBatches, FraudTf.Storage.FraudStorage.FailedBatchesFilterId),
    };

    [Test]
    public void TopicAlarmsAndDashboard_AreNamedFromTheTargetsPrefix_NeverTheDefaultOne()
    {
        var stack = new CompositeStack();
        var monitoring = new FraudMonitoring(stack.Stack, "monitoring", Config(stack));
        var json = stack.Synth();

        var alarmNames = json.Resources("aws_cloudwatch_metric_alarm").Values.Select(a => a["alarm_name"]!.GetValue<string>()).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(alarmNames, Is.Not.Empty);
            Assert.That(alarmNames, Has.All.StartWith("acme-").And.All.EndWith("-qa"));
            Assert.That(json.Resources("aws_cloudwatch_dashboard").Values.Single()["dashboard_name"]!.GetValue<string>(), Is.EqualTo("acme-qa"));
            Assert.That(json.Resources("aws_sns_topic").Values.Select(t => t["name"]!.GetValue<string>()), Does.Contain("acme-alarms-qa"));
            Assert.That(json.Resources("aws_cloudwatch_metric_alarm").Values.Concat(json.Resources("aws_cloudwatch_dashboard").Values).Select(r => r.ToJsonString()),
                Has.None.Contains("fraud-detection"), "no alarm or dashboard hard-codes the platform's default prefix");
            Assert.That(monitoring.Alarms, Has.Count.EqualTo(alarmNames.Count));
        });
    }

    [Test]
    public void EveryGivenFunction_GetsItsAlarms()
    {
        var stack = new CompositeStack();
        var monitoring = new FraudMonitoring(stack.Stack, "monitoring", Config(stack));

        Assert.That(monitoring.Specs.Select(s => s.Id), Does.Contain("stream-processor-errors").And.Contain("alert-handler-errors"));
    }

    [TestCase(EnvironmentTier.Production, "breaching")]
    [TestCase(EnvironmentTier.Development, "notBreaching")]
    public void MissingData_BreachesOnlyInTheProductionTier(EnvironmentTier tier, string treatment)
    {
        var stack = new CompositeStack();
        _ = new FraudMonitoring(stack.Stack, "monitoring", Config(stack, tier));
        var json = stack.Synth();

        var stalled = json.Resources("aws_cloudwatch_metric_alarm").Values.Single(a => a["alarm_name"]!.GetValue<string>() == "acme-no-transactions-processed-qa");
        Assert.That(stalled["treat_missing_data"]!.GetValue<string>(), Is.EqualTo(treatment));
    }
}
