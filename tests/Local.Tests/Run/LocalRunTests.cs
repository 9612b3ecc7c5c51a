using System.Diagnostics;
using Amazon.DynamoDBv2.Model;
using Amazon.S3.Model;
using FraudTf.Functions.Shared.Metrics;
using FraudTf.Functions.Shared.Tables;
using FraudTf.Local.Observability;
using FraudTf.Local.Run;
using FraudTf.Local.Traffic;

namespace FraudTf.Local.Tests.Run;

/// <summary>
/// A short <c>make local</c> of the synthesized dev stack, as part of <c>make test</c>: the engines, the functions from their
/// zips, the runners and a fixed-seed traffic of every scenario (malformed records and replays included), with two
/// injected failures: the user-profiles table throttled for three seconds, and two stored profiles corrupt. Seed 2 at
/// 30 records/s for 10 s gives, with today's scorer, one flagged transaction, so the alert path runs too; the tests say
/// what they need of the seed, so a scorer change that flags nothing fails them loudly rather than passing vacuously.
/// Whether the throttle outlasts the SDK's own retries depends on this machine's load: when it does, the mapping
/// delivers records again (<see cref="LocalReport.Redelivered"/>), which the processor must absorb: a stored record
/// comes back as a duplicate, a quarantined one is quarantined again under the same id. The counts below hold either way.
/// </summary>
[TestFixture]
[NonParallelizable]
[Category("Integration")]
public class LocalRunTests
{
    private LocalRun _run = null!;
    private LocalReport _report = null!;
    private LocalWorld _world = null!;
    private string _out = null!;

    [OneTimeSetUp]
    public async Task RunIt()
    {
        _out = Path.Combine(Path.GetTempPath(), "fraudtf-local-test-" + Guid.NewGuid().ToString("N"));
        CopyDirectory(Path.Combine(Repo.Root(), "cdktf.out", "stacks", "fraud-detection-dev"), Path.Combine(_out, "stacks", "fraud-detection-dev"));
        var options = LocalOptions.Parse(
            ["--env", "dev", "--duration", "10", "--rate", "30", "--seed", "2", "--fault", "throttle:user-profiles:3-6,corrupt-profile:2", "--out", _out], Repo.Root());
        _run = new LocalRun(options, TestContext.Progress);
        _report = await _run.Execute(CancellationToken.None);
        _world = _run.World!;
        TestContext.Progress.WriteLine(_report.Terminal());
    }

    [OneTimeTearDown]
    public async Task Stop()
    {
        await _run.DisposeAsync();
        Directory.Delete(_out, recursive: true);
    }

    [Test]
    public void NothingIsLostAndEveryRecordEndsInOnePlace()
    {
        Assert.Multiple(() =>
        {
            Assert.That(_report.Lost, Is.Empty);
            Assert.That(_report.Sent, Is.EqualTo(300));
            Assert.That(_report.SentMalformed, Is.GreaterThan(0), "the seed sends malformed records");
            Assert.That(_report.Quarantined.Values.Sum(), Is.EqualTo(_report.SentMalformed), "every malformed record is quarantined, once");
            Assert.That(_report.Stored, Is.EqualTo(_report.SentValid), "every valid transaction is stored");
            Assert.That(_report.Decisions.Values.Sum(), Is.EqualTo(_report.SentValid), "one decision per transaction");
            Assert.That(_report.Discarded, Is.Zero, "no batch was discarded (the throttle was absorbed by retries)");
        });
    }

    [Test]
    public void ReplaysChangeNothing()
    {
        Assert.Multiple(() =>
        {
            Assert.That(_report.SentReplays, Is.GreaterThan(0), "the seed sends replays");
            Assert.That(_report.DuplicatesSkipped, Is.InRange(_report.SentReplays, _report.SentReplays + _report.Redelivered), "every replay is recognised as a duplicate (and so is every redelivered stored record)");
            Assert.That(_report.Stored, Is.EqualTo(_report.SentValid), "a replay adds no transaction");
        });
    }

    [Test]
    public async Task EveryAlertHasItsTrailAndAuditRecordAndOneSnsMessage()
    {
        var flagged = _report.Decisions.Where(d => d.Key is "REVIEW" or "DECLINE").Sum(d => d.Value);
        Assert.That(flagged, Is.GreaterThan(0), "seed 2 must flag at least one transaction for the alert path to run; pick another seed if the scorer changed");
        using var dynamo = _world.Dynamo();
        using var s3 = _world.S3();
        var markers = (await dynamo.ScanAsync(new ScanRequest { TableName = _world.Table("decisions"), ConsistentRead = true })).Items
            .Where(i => i[DecisionAttributes.DecisionKey].S.StartsWith(DecisionKeys.AlertMarkerPrefix, StringComparison.Ordinal)).ToList();
        var trails = (await s3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = _world.Bucket("decision-trails"), Prefix = "trails/" })).S3Objects ?? [];
        var audits = (await s3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = _world.Bucket("audit-logs"), Prefix = "audit/" })).S3Objects ?? [];
        Assert.That(markers, Has.Count.EqualTo(flagged), "one alert per flagged decision, no duplicate");
        foreach (var marker in markers)
        {
            var recordId = marker[DecisionAttributes.DecisionKey].S[DecisionKeys.AlertMarkerPrefix.Length..];
            var transactionId = marker[DecisionAttributes.TransactionId].S;
            Assert.Multiple(() =>
            {
                Assert.That(trails.Select(o => o.Key), Has.One.EndsWith($"/{transactionId}.json"), $"trail of {transactionId}");
                Assert.That(audits.Select(o => o.Key), Has.One.EndsWith($"/{recordId}.json"), $"audit record of {recordId}");
            });
        }

        Assert.That(_report.Alerts["alerts-topic messages"], Is.EqualTo(flagged), "the rule's SNS target got one message per alert");
    }

    [Test]
    public void TheMetricsMatchTheCounts()
    {
        double Total(string name) => _report.Metrics.Where(m => m.Namespace == PlatformMetrics.Namespace && m.Name == name && m.Dimensions == "Environment=dev").Sum(m => m.Sum);
        var flagged = _report.Decisions.Where(d => d.Key is "REVIEW" or "DECLINE").Sum(d => d.Value);
        Assert.Multiple(() =>
        {
            Assert.That(Total(PlatformMetrics.TransactionsProcessed), Is.EqualTo(_report.Stored));
            Assert.That(Total(PlatformMetrics.RecordsRejected), Is.InRange(_report.Quarantined.Values.Sum(), _report.Quarantined.Values.Sum() + _report.Redelivered),
                "one rejection per quarantined record (again for a redelivered one)");
            Assert.That(Total(PlatformMetrics.DuplicatesSkipped), Is.EqualTo(_report.DuplicatesSkipped));
            Assert.That(Total(PlatformMetrics.FraudDetected), Is.EqualTo(flagged));
            Assert.That(Total(PlatformMetrics.AlertsHandled), Is.EqualTo(_report.Alerts["alerts handled (markers)"]));
            Assert.That(Total(PlatformMetrics.CorruptStoredRows), Is.InRange(2, 2 + _report.Redelivered), "the two corrupted profiles, read until the first save rewrites them");
            var filter = _report.Metrics.Single(m => m.Namespace == PlatformMetrics.Namespace && m.Name == PlatformMetrics.FraudEventsLogged);
            Assert.That(filter.Sum, Is.EqualTo(flagged), "the log metric filter counts the same flagged transactions as the embedded metric");
        });
    }

    [Test]
    public void TheInjectedFailuresShowInTheirMetricsAndTheExpectedAlarmsFire()
    {
        static string Name(string suffix) => $"fraud-detection-{suffix}-dev";
        ReportAlarm Alarm(string suffix) => _report.Alarms.Single(a => a.Name == Name(suffix));
        var throttles = _report.Metrics.Where(m => m.Namespace == "AWS/DynamoDB" && m.Name is "ReadThrottleEvents" or "WriteThrottleEvents"
            && m.Dimensions == "TableName=fraud-detection-user-profiles-dev").Sum(m => m.Sum);
        Assert.Multiple(() =>
        {
            Assert.That(Alarm("corrupt-stored-rows").Fired, Is.True, "corrupt stored rows: one datapoint above 0 fires it");
            Assert.That(Alarm("dlq-messages").Fired, Is.True, "quarantined records wait in the dead-letter queue");
            Assert.That(throttles, Is.GreaterThan(0), "the throttled table's calls were refused and counted");
            // Which calls the window catches (the profiles' reads, or the transactions that update them) depends on timing,
            // and so does which one-minute periods they fall in: CloudWatch's periods start on the minute, so a 10 s run
            // that straddles a minute gives two datapoints. Each alarm is checked against its own data, with its period,
            // threshold and M of N read from the synthesized stack: it fires exactly when M of its periods breach.
            var stackAlarms = AlarmEvaluator.FromStack(_world.Stack).Alarms;
            var profileThrottleAlarms = new[] { "read", "write" }.Select(kind => stackAlarms.Single(a => a.AlarmName == Name($"user-profiles-{kind}-throttles"))).ToList();
            foreach (var alarm in profileThrottleAlarms)
            {
                var breaching = BreachingPeriods(alarm);
                var reported = _report.Alarms.Single(a => a.Name == alarm.AlarmName);
                Assert.That(reported.Fired, Is.EqualTo(breaching >= alarm.DatapointsToAlarm), $"{alarm.AlarmName}: {breaching} breaching period(s), {alarm.DatapointsToAlarm} needed");
                Assert.That(reported.Detail, breaching >= alarm.DatapointsToAlarm
                    ? Does.StartWith($"Threshold Crossed: {breaching} out of the last {alarm.EvaluationPeriods} datapoints")
                    : Does.Contain($"{breaching} of {alarm.DatapointsToAlarm} breaching datapoints"), alarm.AlarmName);
            }

            Assert.That(profileThrottleAlarms.Sum(BreachingPeriods), Is.GreaterThan(0), "the injected throttle breached at least one period of the profiles table's throttle alarms");
            Assert.That(Alarm("fraud-spike").Fired, Is.False);
            Assert.That(_report.Alarms.Where(a => a.Fired && a.Name.Contains("errors", StringComparison.Ordinal)), Is.Empty,
                "no function error alarm: the throttle is retried, never a function error");
            Assert.That(_report.Alarms.Where(a => a.Fired).Select(a => a.Name), Is.SubsetOf(new[]
            {
                "fraud-detection-corrupt-stored-rows-dev", "fraud-detection-dlq-messages-dev",
                "fraud-detection-rejected-records-dev", // only when redelivered malformed records push the rejections above 10
                "fraud-detection-user-profiles-read-throttles-dev", "fraud-detection-user-profiles-write-throttles-dev", // only as checked above
            }));
        });
    }

    // The periods of the run in which the alarm's metric (namespace, name, dimensions) breaches its threshold (Sum over
    // 60 s, as every throttle alarm of the stack uses): evaluations run on whole minutes, so 60 s periods are the clock's minutes.
    private int BreachingPeriods(AlarmDefinition alarm)
    {
        Assert.That((alarm.Statistic.Name, alarm.PeriodSeconds), Is.EqualTo(("Sum", 60)), $"{alarm.AlarmName}: the test sums each whole minute");
        return _run.Datapoints.Where(alarm.Reads)
            .GroupBy(d => d.Timestamp.ToUnixTimeSeconds() / alarm.PeriodSeconds)
            .Count(period => alarm.Breaches(period.Sum(d => d.Value)));
    }

    [Test]
    public void TheReportIsWrittenWithItsChartsAndTheTrafficLabels()
    {
        var markdown = File.ReadAllText(Path.Combine(_out, "local-dev.md"));
        Assert.Multiple(() =>
        {
            Assert.That(markdown, Does.Contain("| 300 |"));
            foreach (var (file, _) in _report.Charts)
            {
                Assert.That(File.Exists(Path.Combine(_out, file)), Is.True, file);
                Assert.That(markdown, Does.Contain($"]({file})"));
            }

            Assert.That(_report.Charts, Has.Count.GreaterThanOrEqualTo(2));
            var labels = Labels.ReadJsonLines(new StreamReader(Path.Combine(_out, "local-dev-traffic.jsonl")));
            Assert.That(labels.Lines, Has.Count.EqualTo(300));
            Assert.That(_report.Scenarios.Single(s => s.Scenario == Scenarios.Legitimate).Transactions, Is.EqualTo(
                labels.Lines.Count(l => l.Kind == RecordKind.Valid && !l.IsFraud)));
        });
    }

    /// <summary>Copies a folder (the synthesized stack into a run's own output folder).</summary>
    internal static void CopyDirectory(string from, string to)
    {
        foreach (var dir in Directory.GetDirectories(from, "*", SearchOption.AllDirectories))
        {
            Directory.CreateDirectory(dir.Replace(from, to, StringComparison.Ordinal));
        }

        Directory.CreateDirectory(to);
        foreach (var file in Directory.GetFiles(from, "*", SearchOption.AllDirectories))
        {
            File.Copy(file, file.Replace(from, to, StringComparison.Ordinal));
        }
    }
}

/// <summary>Stopping a run, by cancellation as Ctrl-C does, leaves nothing running.</summary>
[TestFixture]
[NonParallelizable]
[Category("Integration")]
public class LocalRunCancellationTests
{
    [Test]
    public async Task CancellingARunWhileItSendsStopsEveryProcessItStarted()
    {
        var output = Path.Combine(Path.GetTempPath(), "fraudtf-local-cancel-" + Guid.NewGuid().ToString("N"));
        LocalRunTests.CopyDirectory(Path.Combine(Repo.Root(), "cdktf.out", "stacks", "fraud-detection-dev"), Path.Combine(output, "stacks", "fraud-detection-dev"));
        var options = LocalOptions.Parse(["--env", "dev", "--duration", "60", "--rate", "10", "--seed", "1", "--out", output], Repo.Root());
        using var cancel = new CancellationTokenSource();
        var progress = new StringWriter();
        var run = new LocalRun(options, TextWriter.Synchronized(progress));
        var pids = run.PidFilePath;
        var execution = run.Execute(cancel.Token);
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (!progress.ToString().Contains("sending ", StringComparison.Ordinal))
        {
            Assert.That(DateTime.UtcNow, Is.LessThan(deadline), "the run did not start sending: " + progress);
            Assert.That(execution.IsFaulted, Is.False, () => execution.Exception!.ToString());
            await Task.Delay(200);
        }

        await Task.Delay(2000);
        var children = ProcessesOf(Environment.ProcessId);
        Assert.That(children, Has.Count.GreaterThanOrEqualTo(3 + 2), "three engines and at least one instance of each function were running");
        await cancel.CancelAsync();
        Assert.CatchAsync<OperationCanceledException>(() => execution);
        await run.DisposeAsync();
        Directory.Delete(output, recursive: true);
        Assert.Multiple(() =>
        {
            Assert.That(File.Exists(pids), Is.False, "the pid file is removed once everything stopped");
            Assert.That(ProcessesOf(Environment.ProcessId), Is.Empty, "no engine or function process of this run is left");
        });
    }

    /// <summary>Live processes started for the run of process <paramref name="parent"/> (they carry FRAUDTF_LOCAL_PARENT_PID; Linux /proc).</summary>
    private static List<int> ProcessesOf(int parent)
    {
        var marker = $"FRAUDTF_LOCAL_PARENT_PID={parent}";
        var found = new List<int>();
        foreach (var dir in Directory.GetDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid))
            {
                continue;
            }

            try
            {
                var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                var state = stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[0];
                if (state != "Z" && File.ReadAllText(Path.Combine(dir, "environ")).Split('\0').Contains(marker))
                {
                    found.Add(pid);
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // The process ended while being read.
            }
        }

        return found;
    }
}
