using System.Collections.Concurrent;
using FraudTf.Stacks;

namespace FraudTf.Local.Events;

/// <summary>Where a rule target's delivery goes, by the kind of its ARN.</summary>
public interface IEventTargets
{
    /// <summary>Lambda target: an asynchronous invocation (accepted once queued).</summary>
    Task InvokeAsync(string functionArn, string payload, CancellationToken ct);

    /// <summary>SNS target: publish.</summary>
    Task Publish(string topicArn, string message, CancellationToken ct);

    /// <summary>Kinesis target: PutRecord.</summary>
    Task PutRecord(string streamArn, string partitionKey, string data, CancellationToken ct);
}

/// <summary>
/// A local runner of EventBridge event buses (no emulator here), configured from the stack's
/// <c>aws_cloudwatch_event_bus</c>, <c>aws_cloudwatch_event_rule</c> and <c>aws_cloudwatch_event_target</c> blocks:
/// <list type="bullet">
/// <item><see cref="PutEvents"/> gives each entry a new event id (so a re-published record is a new event, as
/// aws-semantics.md notes), the stack's account and region, and matches it against every rule of its bus with
/// <see cref="EventPattern"/> (the documented pattern semantics).</item>
/// <item>Each matched rule delivers to each of its targets, with the target's input transformer
/// (<see cref="Pipes.LocalPipes.ApplyInputTransformer"/>) or the whole event: a Lambda function is invoked
/// asynchronously; an SNS topic gets the message; a Kinesis stream gets the event with the partition key at
/// <c>kinesis_target.partition_key_path</c>.</item>
/// <item>A failed delivery is retried per the target's <c>retry_policy</c> (maximum_retry_attempts,
/// maximum_event_age_in_seconds; EventBridge retries with exponential backoff and jitter, "Event retry policy and using
/// dead-letter queues"), here with a compressed backoff (<see cref="RetryBase"/>, doubling); then it goes to the target's
/// <c>dead_letter_config</c> queue with the attributes EventBridge adds (RULE_ARN, TARGET_ARN, ERROR_CODE,
/// ERROR_MESSAGE).</item>
/// <item>Metrics (AWS/Events, dimension RuleName): MatchedEvents, TriggeredRules, Invocations, FailedInvocations.</item>
/// </list>
/// Not done: the bus's resource policy (checked offline by the gate), archives, input paths other than
/// <c>input_transformer</c> and <c>input</c>.
/// </summary>
public sealed class LocalEventBus
{
    private readonly LocalStack _stack;
    private readonly IEventTargets _targets;
    private readonly IQueueSender _deadLetters;
    private readonly IMetricSink _metrics;
    private readonly TimeProvider _time;
    private readonly List<Rule> _rules;
    private readonly ConcurrentDictionary<string, long> _counters = new(StringComparer.Ordinal);
    private int _inFlight;

    // Alike on purpose: the local services take the same collaborators (targets, dead letters, metrics, time) by
    // constructor, as DynamoDbStreamPipe and KinesisEventSourceMapping do.
    private LocalEventBus(LocalStack stack, List<Rule> rules, IEventTargets targets, IQueueSender deadLetters, IMetricSink metrics, TimeProvider time)
    {
        _stack = stack;
        _rules = rules;
        _targets = targets;
        _deadLetters = deadLetters;
        _metrics = metrics;
        _time = time;
    }

    /// <summary>First retry delay of a failed delivery (doubling after); AWS backs off over minutes, a local run cannot.</summary>
    public TimeSpan RetryBase { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Counters: events put, matched, deliveries, failed deliveries, dead-lettered.</summary>
    public IReadOnlyDictionary<string, long> Counters => _counters;

    /// <summary>The rules and targets of every bus of the stack.</summary>
    public static LocalEventBus FromStack(LocalStack stack, IEventTargets targets, IQueueSender deadLetters, IMetricSink metrics, TimeProvider time)
    {
        var rules = new List<Rule>();
        var allTargets = stack.Resources("aws_cloudwatch_event_target");
        foreach (var (address, body) in stack.Resources("aws_cloudwatch_event_rule"))
        {
            var ruleRef = $"${{aws_cloudwatch_event_rule.{address}.name}}";
            var targetsOfRule = allTargets.Where(t => t.Body["rule"]?.GetValue<string>() == ruleRef).Select(t => Target.From(stack, t.Body)).ToList();
            rules.Add(new Rule(
                stack.Resolve(body["name"]!.GetValue<string>()),
                stack.Attribute("aws_cloudwatch_event_rule", address, "arn"),
                stack.Resolve(body["event_bus_name"]?.GetValue<string>() ?? "default"),
                JsonNode.Parse(body["event_pattern"]!.GetValue<string>())!,
                targetsOfRule));
        }

        return new LocalEventBus(stack, rules, targets, deadLetters, metrics, time);
    }

    /// <summary>Puts events on a bus (by name or ARN); returns the event ids. Delivery runs in the background (see <see cref="Drain"/>).</summary>
    public IReadOnlyList<string> PutEvents(string bus, IReadOnlyList<(string Source, string DetailType, string Detail)> entries)
    {
        var name = bus.Contains(":event-bus/", StringComparison.Ordinal) ? bus[(bus.IndexOf(":event-bus/", StringComparison.Ordinal) + 11)..] : bus;
        var ids = new List<string>();
        foreach (var (source, detailType, detail) in entries)
        {
            var now = _time.GetUtcNow();
            var @event = new JsonObject
            {
                ["version"] = "0",
                ["id"] = Guid.NewGuid().ToString(),
                ["detail-type"] = detailType,
                ["source"] = source,
                ["account"] = _stack.Account,
                ["time"] = now.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
                ["region"] = _stack.Region,
                ["resources"] = new JsonArray(),
                ["detail"] = JsonNode.Parse(detail),
            };
            ids.Add(@event["id"]!.GetValue<string>());
            Count("events put");
            foreach (var rule in _rules.Where(r => r.Bus == name && EventPattern.Matches(r.Pattern, @event)))
            {
                Count($"matched {rule.Name}");
                Metric("MatchedEvents", rule.Name, 1);
                Metric("TriggeredRules", rule.Name, 1);
                foreach (var target in rule.Targets)
                {
                    Interlocked.Increment(ref _inFlight);
                    var copy = @event.DeepClone();
                    _ = Task.Run(async () =>
                    {
                        try
                        {
                            await Deliver(rule, target, copy, now);
                        }
                        finally
                        {
                            Interlocked.Decrement(ref _inFlight);
                        }
                    });
                }
            }
        }

        return ids;
    }

    /// <summary>Completes when no delivery is in flight or waiting for a retry.</summary>
    public async Task Drain(CancellationToken ct)
    {
        while (Volatile.Read(ref _inFlight) > 0)
        {
            await Task.Delay(20, ct);
        }
    }

    private async Task Deliver(Rule rule, Target target, JsonNode @event, DateTimeOffset putAt)
    {
        var input = target.Transform(@event);
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                Metric("Invocations", rule.Name, 1);
                switch (target.Kind)
                {
                    case "lambda":
                        await _targets.InvokeAsync(target.Arn, input, CancellationToken.None);
                        break;
                    case "sns":
                        await _targets.Publish(target.Arn, input, CancellationToken.None);
                        break;
                    case "kinesis":
                        var key = Pipes.LocalPipes.Select(@event, target.PartitionKeyPath!)?.ToString() ?? throw new InvalidOperationException($"the event has no {target.PartitionKeyPath}");
                        await _targets.PutRecord(target.Arn, key, input, CancellationToken.None);
                        break;
                    default:
                        throw new NotSupportedException($"target kind {target.Kind}");
                }

                Count($"delivered {rule.Name} -> {target.Id}");
                return;
            }
            catch (Exception e)
            {
                Metric("FailedInvocations", rule.Name, 1);
                Count($"failed {rule.Name} -> {target.Id}");
                var age = _time.GetUtcNow() - putAt;
                if (attempt >= target.MaxRetries || age.TotalSeconds > target.MaxAgeSeconds)
                {
                    if (target.DeadLetterArn is { } dlq)
                    {
                        await _deadLetters.Send(dlq, input, new Dictionary<string, string>
                        {
                            ["RULE_ARN"] = rule.Arn,
                            ["TARGET_ARN"] = target.Arn,
                            ["ERROR_CODE"] = e.GetType().Name,
                            ["ERROR_MESSAGE"] = e.Message.Length > 256 ? e.Message[..256] : e.Message,
                        }, CancellationToken.None);
                        Count($"dead-lettered {rule.Name} -> {target.Id}");
                    }
                    else
                    {
                        Count($"dropped {rule.Name} -> {target.Id}");
                    }

                    return;
                }

                await Task.Delay(RetryBase * Math.Pow(2, attempt), _time);
            }
        }
    }

    private void Count(string name) => _counters.AddOrUpdate(name, 1, (_, n) => n + 1);

    private void Metric(string name, string rule, double value) =>
        _metrics.Put(new Datapoint("AWS/Events", name, new Dictionary<string, string> { ["RuleName"] = rule }, _time.GetUtcNow(), value, "Count"));

    private sealed record Rule(string Name, string Arn, string Bus, JsonNode Pattern, IReadOnlyList<Target> Targets);

    private sealed record Target(string Id, string Kind, string Arn, string? PartitionKeyPath, IReadOnlyDictionary<string, string>? InputPaths, string? InputTemplate, string? Input, int MaxRetries, int MaxAgeSeconds, string? DeadLetterArn)
    {
        public static Target From(LocalStack stack, JsonObject body)
        {
            var arnRef = body["arn"]!.GetValue<string>();
            var kind = TerraformReference.ParseWhole(arnRef)?.Type switch
            {
                "aws_lambda_function" => "lambda",
                "aws_sns_topic" => "sns",
                "aws_kinesis_stream" => "kinesis",
                var other => throw new NotSupportedException($"event target {body["target_id"]} points at {other ?? arnRef}; the local bus delivers to Lambda functions, SNS topics and Kinesis streams only"),
            };
            var transformer = body["input_transformer"] as JsonObject;
            return new Target(
                body["target_id"]!.GetValue<string>(),
                kind,
                stack.Resolve(arnRef),
                body["kinesis_target"]?["partition_key_path"]?.GetValue<string>(),
                (transformer?["input_paths"] as JsonObject)?.ToDictionary(p => p.Key, p => p.Value!.GetValue<string>(), StringComparer.Ordinal),
                transformer?["input_template"]?.GetValue<string>(),
                body["input"]?.GetValue<string>(),
                LocalStack.Int(body, "retry_policy.maximum_retry_attempts", 185),
                LocalStack.Int(body, "retry_policy.maximum_event_age_in_seconds", 86_400),
                body["dead_letter_config"]?["arn"]?.GetValue<string>() is { } dlq ? stack.Resolve(dlq) : null);
        }

        public string Transform(JsonNode @event) =>
            Input ?? (InputTemplate is not null
                ? Pipes.LocalPipes.ApplyInputTransformer(InputPaths ?? new Dictionary<string, string>(), InputTemplate, @event)
                : @event.ToJsonString());
    }
}
