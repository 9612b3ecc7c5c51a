using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Amazon.S3;
using Amazon.S3.Model;
using FraudTf.Functions.Shared.Logging;
using FraudTf.Functions.Shared.Metrics;
using FraudTf.Functions.Shared.Tables;
using FraudTf.Local.Events;
using FraudTf.Local.Fronts;
using FraudTf.Local.Functions;
using FraudTf.Local.Observability;
using FraudTf.Local.Pipes;
using FraudTf.Local.Streaming;
using FraudTf.Local.Traffic;
using FraudTf.Redrive;
using FraudTf.Stacks;

// Alike on purpose: the files of the partial class LocalRun share their usings and header; the tests and functions
// that use the same AWS SDK clients and shared contracts list the same namespaces.
namespace FraudTf.Local.Run;

public sealed partial class LocalRun
{
    private async Task<LocalReport> Collect(
        LocalStack stack, GeneratedTraffic traffic, Labels labels, IReadOnlyList<SentRecord> sent, DateTimeOffset start,
        IAmazonDynamoDB dynamo, IAmazonS3 s3, LocalSqs sqs, LocalSns sns, KinesisApi kinesis, LocalCloudWatch cloudWatch,
        List<KinesisEventSourceMapping> mappings, List<DynamoDbStreamPipe> pipes, Dictionary<string, AsyncInvoker> invokers, LocalEventBus bus,
        DynamoDbFront dynamoFront, S3Front s3Front, CancellationToken ct)
    {
        var table = World!.Table;
        var bucket = World.Bucket;

        var stored = (await Scan(dynamo, table("transactions"), ct)).Select(i => i[TransactionAttributes.TransactionId].S).ToHashSet(StringComparer.Ordinal);
        var decisionRows = await Scan(dynamo, table("decisions"), ct);
        var decisions = decisionRows.Where(i => i[DecisionAttributes.DecisionKey].S == DecisionKeys.Automated)
            .ToDictionary(i => i[DecisionAttributes.TransactionId].S, i => (Decision: i["decision"].S, DecidedAt: DateTimeOffset.Parse(i[DecisionAttributes.DecidedAt].S, CultureInfo.InvariantCulture)), StringComparer.Ordinal);
        var markers = decisionRows.Count(i => i[DecisionAttributes.DecisionKey].S.StartsWith(DecisionKeys.AlertMarkerPrefix, StringComparison.Ordinal));

        // Where each sent record ended: quarantined (by sequence number), in a discarded batch (shard and range), or stored.
        var quarantined = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var queue in sqs.Queues)
        {
            foreach (var message in sqs.Messages(queue))
            {
                if (QuarantinedRecord.Parse(message.Body) is ({ } q, null))
                {
                    quarantined.TryAdd(q.SequenceNumber, q.Reason);
                }
            }
        }

        var discarded = new List<BatchInfo>();
        var failedBucket = bucket("failed-batches");
        foreach (var key in await Keys(s3, failedBucket, "", ct))
        {
            using var obj = await s3.GetObjectAsync(failedBucket, key, ct);
            using var buffer = new MemoryStream();
            await obj.ResponseStream.CopyToAsync(buffer, ct);
            if (InvocationRecord.Parse(buffer.ToArray()) is ({ } r, null))
            {
                discarded.Add(r.Batch);
            }
        }

        bool InDiscarded(SentRecord s) => discarded.Any(b => b.ShardId == s.ShardId
            && SequenceNumbers.Compare(s.SequenceNumber, b.StartSequenceNumber) >= 0 && SequenceNumbers.Compare(s.SequenceNumber, b.EndSequenceNumber) <= 0);

        var lost = new List<string>();
        var discardedCount = 0;
        foreach (var s in sent)
        {
            var record = traffic.Records[s.Index];
            var inBatch = InDiscarded(s);
            discardedCount += inBatch ? 1 : 0;
            var accounted = quarantined.ContainsKey(s.SequenceNumber) || inBatch
                || (record.Kind != RecordKind.Malformed && record.TransactionId is { } id && stored.Contains(id));
            if (!accounted)
            {
                lost.Add($"{s.SequenceNumber} ({record.Scenario}, {record.Kind})");
            }
        }

        // Detection, per scenario: fraud records of each fraud scenario (recall), every other valid transaction (false-positive rate).
        var firstSends = sent.Select(s => (Sent: s, Record: traffic.Records[s.Index])).Where(x => x.Record.Kind == RecordKind.Valid).ToList();
        var outcomes = new List<ScenarioOutcome>();
        foreach (var scenario in Scenarios.Fraud)
        {
            var decided = firstSends.Where(x => x.Record.Scenario == scenario && x.Record.IsFraud && decisions.ContainsKey(x.Record.TransactionId!)).ToList();
            if (decided.Count > 0)
            {
                outcomes.Add(new ScenarioOutcome(scenario, true, decided.Count, decided.Count(x => Flagged(decisions[x.Record.TransactionId!].Decision))));
            }
        }

        var legitimate = firstSends.Where(x => !x.Record.IsFraud && decisions.ContainsKey(x.Record.TransactionId!)).ToList();
        outcomes.Add(new ScenarioOutcome(Scenarios.Legitimate, false, legitimate.Count, legitimate.Count(x => Flagged(decisions[x.Record.TransactionId!].Decision))));

        // Latency from the PutRecords call that wrote a transaction to its decision, and to its alert handled.
        var sentAt = firstSends.ToDictionary(x => x.Record.TransactionId!, x => x.Sent.SentAt, StringComparer.Ordinal);
        var toDecision = decisions.Where(d => sentAt.ContainsKey(d.Key)).Select(d => (d.Value.DecidedAt - sentAt[d.Key]).TotalMilliseconds).ToList();
        var alertGroups = stack.Resources("aws_lambda_function").Where(f => f.Body["handler"]!.GetValue<string>().Contains("AlertHandler", StringComparison.Ordinal))
            .Select(f => stack.Resolve(f.Body["logging_config"]!["log_group"]!.GetValue<string>())).ToHashSet(StringComparer.Ordinal);
        var toAlert = new List<double>();
        foreach (var e in alertGroups.SelectMany(cloudWatch.Events))
        {
            if (e.Message.StartsWith('{') && JsonNode.Parse(e.Message) is JsonObject line && line["message"]?.GetValue<string>() == "alert handled"
                && line[LogFields.TransactionId]?.GetValue<string>() is { } tx && sentAt.TryGetValue(tx, out var at))
            {
                toAlert.Add((e.Timestamp - at).TotalMilliseconds);
            }
        }

        var lastDecision = decisions.Count == 0 ? start : decisions.Values.Max(d => d.DecidedAt);
        var processingSeconds = Math.Max(0.001, (lastDecision - start).TotalSeconds);
        var alertsTopic = stack.Resources("aws_sns_topic").Select(t => stack.Attribute("aws_sns_topic", t.Name, "arn")).Single(a => a.Contains("alerts", StringComparison.Ordinal));
        var alerts = new Dictionary<string, int>(StringComparer.Ordinal)
        {
            ["alerts handled (markers)"] = markers,
            ["decision trails"] = (await Keys(s3, bucket("decision-trails"), "trails/", ct)).Count,
            ["audit records"] = (await Keys(s3, bucket("audit-logs"), "audit/", ct)).Count,
            ["alerts-topic messages"] = sns.Published.Count(p => p.TopicArn == alertsTopic),
            ["events-stream records"] = await CountRecords(stack, kinesis, ct),
            ["conditional writes refused (already written)"] = (int)s3Front.Refused,
        };

        var end = _time.GetUtcNow();
        Datapoints = cloudWatch.AllDatapoints();
        var alarms = AlarmEvaluator.FromStack(stack).Evaluate(Datapoints, start, end)
            .Select(a => a.Transitions.FirstOrDefault(t => t.To == AlarmState.Alarm) is { } fired
                ? new ReportAlarm(a.Alarm.AlarmName, true, (fired.Time - start).TotalSeconds, fired.Reason)
                : new ReportAlarm(a.Alarm.AlarmName, false, null, $"{a.State}: {a.Closeness}")).ToList();
        foreach (var fired in alarms.Where(a => a.Fired))
        {
            // The alarm's action: the alarms topic (and its subscriptions) would get the notification.
            var alarm = stack.Resources("aws_cloudwatch_metric_alarm").First(r => stack.Resolve(r.Body["alarm_name"]!.GetValue<string>()) == fired.Name);
            foreach (var action in alarm.Body["alarm_actions"] as JsonArray ?? [])
            {
                sns.Publish(stack.Resolve(action!.GetValue<string>()), $"ALARM: {fired.Name}: {fired.Detail}");
            }
        }

        var totals = cloudWatch.Totals();
        var quarantineReasons = quarantined.Values.GroupBy(r => r, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        var runners = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var m in mappings)
        {
            runners["event source mapping"] = Describe(m.Counters);
        }

        foreach (var p in pipes)
        {
            runners[$"pipe {p.Settings.PipeName}"] = Describe(p.Counters);
        }

        foreach (var (arn, i) in invokers)
        {
            runners[$"async invocations of {arn[(arn.LastIndexOf(':') + 1)..]}"] = i.Counters.ToString();
        }

        runners["event bus"] = string.Join(", ", bus.Counters.OrderBy(c => c.Key, StringComparer.Ordinal).Select(c => $"{c.Key}: {c.Value}"));
        runners["DynamoDB calls"] = string.Join(", ", dynamoFront.Calls.OrderBy(c => c.Key, StringComparer.Ordinal).Select(c => $"{c.Key} {c.Value}")) + $"; throttled {dynamoFront.Throttled}";
        runners["SNS"] = string.Join(", ", sns.Published.GroupBy(p => p.TopicArn).Select(g => $"{g.Key[(g.Key.LastIndexOf(':') + 1)..]}: {g.Count()} message(s) to {string.Join(" and ", g.First().Deliveries)}"));

        var report = new LocalReport
        {
            Options = _options,
            Machine = Machine(),
            Sent = sent.Count,
            SentValid = labels.Lines.Count(l => l.Kind == RecordKind.Valid),
            SentMalformed = labels.Lines.Count(l => l.Kind == RecordKind.Malformed),
            SentReplays = labels.Lines.Count(l => l.Kind == RecordKind.Replay),
            Stored = stored.Count,
            Quarantined = quarantineReasons,
            Discarded = discardedCount,
            Redelivered = Math.Max(0, mappings.Sum(m => m.Counters.RecordsInvoked) - sent.Count),
            DuplicatesSkipped = CustomTotal(totals, PlatformMetrics.DuplicatesSkipped),
            Lost = lost,
            Decisions = decisions.Values.GroupBy(d => d.Decision, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal),
            Scenarios = outcomes,
            DecisionLatency = (LocalReport.Percentile(toDecision, 50), LocalReport.Percentile(toDecision, 95), toDecision.Count),
            AlertLatency = (LocalReport.Percentile(toAlert, 50), LocalReport.Percentile(toAlert, 95), toAlert.Count),
            Alerts = alerts,
            Metrics = totals.Select(t => new ReportMetric(t.Namespace, t.Name, string.Join(", ", t.Dimensions.OrderBy(d => d.Key, StringComparer.Ordinal).Select(d => $"{d.Key}={d.Value}")), t.Sum, t.SampleCount))
                .OrderBy(m => m.Namespace, StringComparer.Ordinal).ThenBy(m => m.Name, StringComparer.Ordinal).ThenBy(m => m.Dimensions, StringComparer.Ordinal).ToList(),
            Alarms = alarms,
            Throughput = decisions.Count / processingSeconds,
            ProcessingSeconds = processingSeconds,
            Runners = runners,
        };
        return WriteReport(report, cloudWatch, start, end);
    }

    private static bool Flagged(string decision) => decision is "REVIEW" or "DECLINE";

    /// <summary>A platform metric's total over its environment-only series (not again per Reason).</summary>
    private static double CustomTotal(IReadOnlyList<MetricTotal> totals, string name) =>
        totals.Where(t => t.Namespace == PlatformMetrics.Namespace && t.Name == name && t.Dimensions.Count == 1).Sum(t => t.Sum);

    private static async Task<List<Dictionary<string, AttributeValue>>> Scan(IAmazonDynamoDB dynamo, string table, CancellationToken ct)
    {
        var items = new List<Dictionary<string, AttributeValue>>();
        Dictionary<string, AttributeValue>? start = null;
        do
        {
            var page = await dynamo.ScanAsync(new ScanRequest { TableName = table, ExclusiveStartKey = start, ConsistentRead = true }, ct);
            items.AddRange(page.Items);
            start = page.LastEvaluatedKey is { Count: > 0 } k ? k : null;
        }
        while (start is not null);
        return items;
    }

    private static async Task<List<string>> Keys(IAmazonS3 s3, string bucket, string prefix, CancellationToken ct)
    {
        var keys = new List<string>();
        string? token = null;
        do
        {
            var page = await s3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket, Prefix = prefix, ContinuationToken = token }, ct);
            keys.AddRange((page.S3Objects ?? []).Select(o => o.Key));
            token = page.IsTruncated == true ? page.NextContinuationToken : null;
        }
        while (token is not null);
        return keys;
    }

    private static async Task<int> CountRecords(LocalStack stack, KinesisApi kinesis, CancellationToken ct)
    {
        var consumed = stack.Resources("aws_lambda_event_source_mapping").Select(m => TerraformReference.ParseWhole(m.Body["event_source_arn"]!.GetValue<string>())?.Name).ToHashSet(StringComparer.Ordinal);
        var count = 0;
        foreach (var (_, body) in stack.Resources("aws_kinesis_stream").Where(s => !consumed.Contains(s.Name)))
        {
            var stream = stack.Resolve(body["name"]!.GetValue<string>());
            foreach (var shard in await kinesis.ListShards(stream, ct))
            {
                var iterator = await kinesis.ShardIterator(stream, shard, "TRIM_HORIZON", null, ct);
                while (iterator is not null)
                {
                    var page = await kinesis.GetRecords(iterator, 10_000, ct);
                    count += page.Records.Count;
                    if (page.Records.Count == 0 || page.MillisBehindLatest == 0)
                    {
                        break;
                    }

                    iterator = page.NextShardIterator!;
                }
            }
        }

        return count;
    }
}
