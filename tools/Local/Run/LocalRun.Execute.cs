using System.Diagnostics;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Amazon.Runtime;
using Amazon.S3.Model;
using FraudTf.Functions.Shared.Metrics;
using FraudTf.Functions.Shared.Tables;
using FraudTf.Local.Engines;
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
    /// <summary>Runs the platform with the traffic, drains it, and returns what it measured.</summary>
    public async Task<LocalReport> Execute(CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        var stack = LocalStack.Load(_options.OutDir, _options.Environment);
        var mix = TrafficMix.Parse(_options.Scenario == "mix" ? null : _options.Scenario);
        var cloudWatch = LocalCloudWatch.FromStack(stack, _time);

        // Faults are checked against the stack before anything starts.
        var tableNames = stack.Resources("aws_dynamodb_table").Select(t => stack.Resolve(t.Body["name"]!.GetValue<string>())).ToList();
        var throttles = _options.Faults.Where(f => f.Kind == "throttle").Select(fault =>
            (Table: tableNames.SingleOrDefault(n => n.EndsWith($"-{fault.Target}-{_options.Environment}", StringComparison.Ordinal) || n == fault.Target)
                ?? throw new ArgumentException($"FAULT throttle:{fault.Target}: the stack has no table '{fault.Target}'. Fix: use one of {string.Join(", ", tableNames)} (or its logical name, e.g. user-profiles)."),
             Fault: fault)).ToList();
        Say($"make local: {stack.Path}");
        Say("starting DynamoDB Local, s3rver and kinesalite on 127.0.0.1 ...");
        var starting = new[]
        {
            Engines.Engines.DynamoDbLocal(_options.RepoRoot, _pids, ct),
            Engines.Engines.S3rver(_options.RepoRoot, _pids, ct),
            Engines.Engines.Kinesalite(_options.RepoRoot, _pids, ct),
        };
        try
        {
            await Task.WhenAll(starting);
        }
        finally
        {
            // Those that started are stopped with the run, even when another failed or the run was cancelled meanwhile.
            foreach (var s in starting.Where(s => s.IsCompletedSuccessfully))
            {
                Track(s.Result);
            }
        }

        var engines = starting.Select(s => s.Result).ToArray();

        var (dynamoEngine, s3Engine, kinesisEngine) = (engines[0], engines[1], engines[2]);
        var dynamoFront = Track(new DynamoDbFront(dynamoEngine.Endpoint, cloudWatch, _time));
        dynamoFront.Start();
        var s3Front = Track(new S3Front(s3Engine.Endpoint, stack, cloudWatch, _time));
        s3Front.Start();
        var sqs = Track(LocalSqs.FromStack(stack, cloudWatch, _time));
        var sns = LocalSns.FromStack(stack, _time);
        World = new LocalWorld(stack, dynamoEngine.Endpoint, s3Front.Endpoint, sqs, sns);

        using var dynamo = DynamoClient(dynamoEngine.Endpoint, stack.Region);
        using var s3 = S3Client(s3Front.Endpoint, stack.Region);
        using var http = new HttpClient();
        var credentials = new ImmutableCredentials(LocalCredentials.AccessKey, LocalCredentials.SecretKey, null);
        var kinesis = new KinesisApi(http, new Uri(kinesisEngine.Endpoint), stack.Region, () => Task.FromResult(credentials), _time);
        var streamsClient = new DynamoDbStreamsApi(http, new Uri(dynamoEngine.Endpoint), stack.Region, () => Task.FromResult(credentials), _time);

        var tableStreams = await Provisioner.CreateTables(stack, dynamo, ct);
        var buckets = await Provisioner.CreateBuckets(stack, s3, ct);
        var streams = await Provisioner.CreateStreams(stack, kinesis, ct);
        Say(Inv($"created {tableStreams.Count + stack.Resources("aws_dynamodb_table").Count - tableStreams.Count} tables, {buckets.Count} buckets, {streams.Count} streams ({string.Join(", ", streams.Select(s => $"{s.Key}: {s.Value} shards"))}), {sqs.Queues.Count} queue(s) from the stack"));

        var start = _time.GetUtcNow();
        // The simulated day ends at today's UTC midnight, not at the run's start: the same seed gives byte-identical records
        // all day (and the same records shifted by whole days on another day), every timestamp in the parser's past.
        var simulatedEnd = new DateTimeOffset(start.UtcDateTime.Date, TimeSpan.Zero);
        var traffic = TrafficGenerator.Generate(new TrafficOptions { Seed = _options.Seed, RecordsPerSecond = _options.Rate, Duration = _options.Duration, Start = simulatedEnd, Mix = mix });
        var labels = Labels.From(traffic.Records);
        Directory.CreateDirectory(_options.OutDir);
        await using (var file = File.Create(Path.Combine(_options.OutDir, $"local-{_options.Environment}-traffic.jsonl")))
        {
            labels.WriteJsonLines(file);
        }

        await ApplyCorruptProfiles(stack, dynamo, traffic, ct);

        var awsEnvironment = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["AWS_REGION"] = stack.Region,
            ["AWS_DEFAULT_REGION"] = stack.Region,
            ["AWS_ACCESS_KEY_ID"] = LocalCredentials.AccessKey,
            ["AWS_SECRET_ACCESS_KEY"] = LocalCredentials.SecretKey,
            ["AWS_ENDPOINT_URL_DYNAMODB"] = dynamoFront.Endpoint,
            ["AWS_ENDPOINT_URL_S3"] = s3Front.Endpoint,
            ["AWS_ENDPOINT_URL_SQS"] = sqs.Endpoint,
            ["AWS_EC2_METADATA_DISABLED"] = "true",
        };

        // The functions the data path invokes: the mapping's function, and the rules' Lambda targets (asynchronously).
        var functions = new Dictionary<string, LocalFunction>(StringComparer.Ordinal);
        LocalFunction Function(string reference, int instances)
        {
            var name = TerraformReference.ParseWhole(reference)?.Name ?? throw new InvalidOperationException($"'{reference}' is not a function reference");
            if (!functions.TryGetValue(name, out var f))
            {
                f = Track(LocalFunction.FromStack(stack, name, _options.OutDir, awsEnvironment, cloudWatch, cloudWatch, instances));
                functions[name] = f;
                Say($"function {f.FunctionName}: {instances} instance(s) in {f.Spec.TaskRoot}");
            }

            return f;
        }

        var mappings = new List<KinesisEventSourceMapping>();
        foreach (var (name, body) in stack.Resources("aws_lambda_event_source_mapping"))
        {
            var source = TerraformReference.ParseWhole(body["event_source_arn"]!.GetValue<string>());
            if (source?.Type != "aws_kinesis_stream")
            {
                continue;
            }

            var shards = streams[stack.Resolve($"${{aws_kinesis_stream.{source.Value.Name}.name}}")];
            var lanes = shards * LocalStack.Int(body, "parallelization_factor", 1);
            // Lambda would run one instance per lane (shards x parallelization factor). Here every instance shares this
            // machine's cores with the engines: more instances than cores only make each invocation slower (measured on
            // 2 cores: 4 instances 2.1 s per batch and 47 records/s; 2 instances 0.6 s and 52 records/s), so one per core.
            var instances = Math.Max(1, Math.Min(lanes, Environment.ProcessorCount));
            var function = Function(body["function_name"]!.GetValue<string>(), instances);
            mappings.Add(KinesisEventSourceMapping.FromStack(stack, name, kinesis, function, S3FailedBatchDestination.FromStack(stack, name, s3), cloudWatch, _time));
        }

        var asyncInvokers = new Dictionary<string, AsyncInvoker>(StringComparer.Ordinal);
        foreach (var (_, body) in stack.Resources("aws_cloudwatch_event_target"))
        {
            var target = TerraformReference.ParseWhole(body["arn"]!.GetValue<string>());
            if (target?.Type == "aws_lambda_function" && !asyncInvokers.ContainsKey(stack.Resolve(body["arn"]!.GetValue<string>())))
            {
                var function = Function(body["arn"]!.GetValue<string>(), 2);
                asyncInvokers[stack.Resolve(body["arn"]!.GetValue<string>())] = Track(AsyncInvoker.FromStack(stack, target.Value.Name, function, sqs, _options.AsyncRetryDelays));
            }
        }

        var events = new RunTargets(asyncInvokers, sns, kinesis, stack);
        var bus = LocalEventBus.FromStack(stack, events, sqs, cloudWatch, _time);
        var pipes = new List<DynamoDbStreamPipe>();
        foreach (var (name, body) in stack.Resources("aws_pipes_pipe"))
        {
            var source = TerraformReference.ParseWhole(body["source"]!.GetValue<string>());
            if (source?.Type != "aws_dynamodb_table")
            {
                continue;
            }

            var busTarget = new BusTarget(bus, stack.Resolve(body["target"]!.GetValue<string>()));
            pipes.Add(DynamoDbStreamPipe.FromStack(stack, name, streamsClient, stack.Resolve(body["source"]!.GetValue<string>()), busTarget, sqs, cloudWatch, _time));
        }

        foreach (var (table, fault) in throttles)
        {
            dynamoFront.Throttle(new ThrottleWindow(table, start + TimeSpan.FromSeconds(fault.From), start + TimeSpan.FromSeconds(fault.Until)));
        }

        using var runners = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var running = mappings.Select(m => m.Run(runners.Token)).Concat(pipes.Select(p => p.Run(runners.Token))).ToList();
        Say(Inv($"sending {traffic.Records.Count} records ({labels.FraudRecords} fraudulent) at {_options.Rate:0.#}/s for {_options.Duration.TotalSeconds:0} s, seed {_options.Seed} ..."));
        var sender = new TrafficSender(kinesis, _time);
        using var progressStop = new CancellationTokenSource();
        var progressTask = ReportProgress(sender, cloudWatch, sqs, start, progressStop.Token);
        var sent = await sender.Send(traffic.Records, SendOptions.FromStack(stack, _options.Rate), null, ct);
        Say(Inv($"sent {sent.Count} records in {(_time.GetUtcNow() - start).TotalSeconds:0.0} s; draining ..."));

        await Drain(mappings, pipes, asyncInvokers.Values, bus, ct);
        await progressStop.CancelAsync();
        await progressTask;
        await runners.CancelAsync();
        await Task.WhenAll(running.Select(async r =>
        {
            try
            {
                await r;
            }
            catch (OperationCanceledException)
            {
            }
        }));

        var report = await Collect(stack, traffic, labels, sent, start, dynamo, s3, sqs, sns, kinesis, cloudWatch, mappings, pipes, asyncInvokers, bus, dynamoFront, s3Front, ct);
        Say(Inv($"done in {clock.Elapsed.TotalSeconds:0.0} s"));
        return report;
    }

    private async Task Drain(List<KinesisEventSourceMapping> mappings, List<DynamoDbStreamPipe> pipes, IEnumerable<AsyncInvoker> invokers, LocalEventBus bus, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(_options.DrainTimeout);
        try
        {
            // Quiet twice in a row: a drained stage can feed the next (decisions -> pipe -> bus -> alert handler).
            for (var quiet = 0; quiet < 2;)
            {
                var before = Activity(mappings, pipes, bus);
                foreach (var m in mappings)
                {
                    await m.Drain(timeout.Token);
                }

                foreach (var p in pipes)
                {
                    await p.Drain(timeout.Token);
                }

                await bus.Drain(timeout.Token);
                foreach (var i in invokers)
                {
                    await i.Drain(timeout.Token);
                }

                await Task.Delay(500, timeout.Token);
                quiet = Activity(mappings, pipes, bus) == before ? quiet + 1 : 0;
            }
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            Say(Inv($"warning: the platform did not drain within {_options.DrainTimeout.TotalSeconds:0} s; the report counts what was done by then"));
        }
    }

    private static string Activity(List<KinesisEventSourceMapping> mappings, List<DynamoDbStreamPipe> pipes, LocalEventBus bus) =>
        string.Join("|", mappings.Select(m => Describe(m.Counters)).Concat(pipes.Select(p => Describe(p.Counters))).Concat(bus.Counters.OrderBy(c => c.Key, StringComparer.Ordinal).Select(c => $"{c.Key}={c.Value}")));

    private static string Describe(StreamCounters c) => Inv(
        $"batches {c.Batches}, records invoked {c.RecordsInvoked}, records delivered {c.RecordsDelivered}, retried batches {c.RetriedBatches}, bisections {c.Bisections}, discarded batches {c.DiscardedBatches} ({c.DiscardedRecords} records), filtered out {c.FilteredOut}, checkpoints {string.Join(" ", c.Checkpoints.OrderBy(k => k.Key, StringComparer.Ordinal).Select(k => $"{k.Key}@{k.Value}"))}");

    private async Task ReportProgress(TrafficSender sender, LocalCloudWatch cloudWatch, LocalSqs sqs, DateTimeOffset start, CancellationToken ct)
    {
        try
        {
            while (!ct.IsCancellationRequested)
            {
                await Task.Delay(TimeSpan.FromSeconds(2), _time, ct);
                var p = sender.Progress;
                var totals = cloudWatch.Totals();
                double Total(string name) => CustomTotal(totals, name);
                Say(Inv($"  {(_time.GetUtcNow() - start).TotalSeconds,5:0} s  sent {p.Sent}/{p.Total}  processed {Total(PlatformMetrics.TransactionsProcessed):0}  flagged {Total(PlatformMetrics.FraudDetected):0}  rejected {Total(PlatformMetrics.RecordsRejected):0}  alerts {Total(PlatformMetrics.AlertsHandled):0}  dead letters {sqs.Queues.Sum(q => sqs.Messages(q).Count)}"));
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task ApplyCorruptProfiles(LocalStack stack, IAmazonDynamoDB dynamo, GeneratedTraffic traffic, CancellationToken ct)
    {
        foreach (var fault in _options.Faults.Where(f => f.Kind == "corrupt-profile"))
        {
            var table = stack.TableName("user-profiles");
            var users = traffic.Records.Where(r => r.Kind == RecordKind.Valid && r.Scenario == Scenarios.Legitimate).Select(r => r.PartitionKey).Distinct().Take(int.Parse(fault.Target, CultureInfo.InvariantCulture));
            foreach (var user in users)
            {
                // A row a tool or an older version wrote by mistake: txCount as a string. The processor must treat it as data.
                await dynamo.PutItemAsync(new PutItemRequest
                {
                    TableName = table,
                    Item = new Dictionary<string, AttributeValue> { [ProfileAttributes.UserId] = new() { S = user }, ["txCount"] = new() { S = "many" } },
                }, ct);
            }
        }
    }

    /// <summary>The bus as a pipe's target.</summary>
    private sealed class BusTarget(LocalEventBus bus, string busArn) : IPipeTarget
    {
        public Task<PipeTargetResult> Put(IReadOnlyList<string> transformedEvents, string source, string detailType, CancellationToken ct)
        {
            bus.PutEvents(busArn, transformedEvents.Select(e => (source, detailType, e)).ToList());
            return Task.FromResult(PipeTargetResult.Success);
        }
    }

    /// <summary>Where the rules deliver: the async invokers, the topics, the streams.</summary>
    private sealed class RunTargets(IReadOnlyDictionary<string, AsyncInvoker> invokers, LocalSns sns, KinesisApi kinesis, LocalStack stack) : IEventTargets
    {
        public Task InvokeAsync(string functionArn, string payload, CancellationToken ct)
        {
            invokers[functionArn].Enqueue(payload);
            return Task.CompletedTask;
        }

        public Task Publish(string topicArn, string message, CancellationToken ct)
        {
            sns.Publish(topicArn, message);
            return Task.CompletedTask;
        }

        public Task PutRecord(string streamArn, string partitionKey, string data, CancellationToken ct) =>
            kinesis.PutRecord(streamArn[(streamArn.LastIndexOf('/') + 1)..], partitionKey, Encoding.UTF8.GetBytes(data), ct);

        public LocalStack Stack => stack;
    }
}
