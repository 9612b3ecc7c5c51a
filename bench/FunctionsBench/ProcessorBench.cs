using System.Collections.Concurrent;
using System.Net.Sockets;
using System.Reflection;
using System.Text.Json.Nodes;
using FraudTf.Bench.Legacy;

namespace FraudTf.Bench;

/// <summary>
/// The stream processor's benchmarks of issue 18 (bench/processor.sh): decode + validate + score on one thread against
/// the old decoder in the same run, and a 100-record batch of 20 users on DynamoDB Local as the processor saves it (users
/// concurrently, records saved together) against, in the same run, one record per transaction (users concurrently) and
/// the sequential path of before issue 18 (one record per transaction, one at a time), each user's save order checked.
/// </summary>
public static class ProcessorBench
{
    private static readonly DateTimeOffset Now = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);

    // CPU seconds of one measurement (and of each variant's warm-up) of the decode bench.
    private const double MeasureSeconds = 0.5;

    /// <summary>Records/s of decode + validate + score and of decode + validate, new and old decoder, and of score alone,
    /// medians of <paramref name="runs"/>; as JSON.</summary>
    public static JsonObject Decode(int runs, string? profileVariant = null, double profileSeconds = 0)
    {
        var rules = new ScoringRules();
        var rnd = new Random(42);
        // 20,000 records as the Kinesis event carries them (base64), every optional field set (the slowest valid shape).
        var data = Enumerable.Range(0, 20_000).Select(i => Convert.ToBase64String(Encoding.UTF8.GetBytes(new JsonObject
        {
            ["transactionId"] = $"tx-{i:D8}", ["userId"] = $"user-{i % 1000:D5}", ["amount"] = 10 + rnd.Next(0, 200_000) / 100m,
            ["currency"] = i % 7 == 0 ? "USD" : "EUR", ["merchantId"] = $"m-{i % 300}", ["merchantCategory"] = i % 50 == 0 ? "7995" : "5411",
            ["country"] = i % 30 == 0 ? "FR" : "DE", ["timestamp"] = Now.AddSeconds(-i).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
            ["deviceId"] = $"dev-{i % 5000:D6}", ["ipAddress"] = $"192.0.2.{i % 250}", ["channel"] = i % 3 == 0 ? "mobile" : "web",
        }.ToJsonString()))).ToArray();
        // A user with history, as bench/functions-runtime.sh scores (a new user's profile takes other paths of the scorer).
        var profile = new UserProfile();
        foreach (var t in data.Take(50).Select(d => TransactionParser.Decode(d, Now).Transaction!))
        {
            profile = profile.Learn(t, rules.Rates.ToReference(t.Amount, t.Currency));
        }

        IReadOnlyList<RecentTransaction> recent = [new RecentTransaction(Now.AddSeconds(-30), 20)];
        var patterns = Enumerable.Range(0, 20).Select(i => new FraudPattern
        {
            PatternId = $"p{i}", Version = 1, Description = "bench", Weight = 0.2, MerchantCategories = [$"{6000 + i}"], MinAmount = 500,
        }).ToList();

        var parsed = data.Select(d => TransactionParser.Decode(d, Now).Transaction!).ToArray();
        var sink = 0.0;
        void Pass(Func<string, DateTimeOffset, ParseResult> decode, bool score)
        {
            foreach (var d in data)
            {
                var t = decode(d, Now).Transaction ?? throw new InvalidOperationException("a bench record was rejected");
                sink += score ? FraudScorer.Score(t, profile, recent, patterns, rules).Score : 1;
            }
        }

        void ScoreOnly()
        {
            foreach (var t in parsed)
            {
                sink += FraudScorer.Score(t, profile, recent, patterns, rules).Score;
            }
        }

        (string Name, Action Pass)[] variants =
        [
            ("new", () => Pass(TransactionParser.Decode, true)), ("old", () => Pass(LegacyTransactionParser.Decode, true)),
            ("newDecode", () => Pass(TransactionParser.Decode, false)), ("oldDecode", () => Pass(LegacyTransactionParser.Decode, false)),
            ("score", ScoreOnly),
        ];

        // --decode-profile: one variant only, for profileSeconds of CPU (to run under dotnet-trace), its rate printed.
        if (profileVariant is not null)
        {
            var pass = variants.Single(v => v.Name == profileVariant).Pass;
            var start = Environment.CpuUsage.TotalTime;
            var allocated = GC.GetAllocatedBytesForCurrentThread();
            var paused = GC.GetTotalPauseDuration();
            var collections = GC.CollectionCount(0);
            long records = 0;
            while ((Environment.CpuUsage.TotalTime - start).TotalSeconds < profileSeconds)
            {
                pass();
                records += data.Length;
            }

            GC.KeepAlive(sink);
            var cpu = (Environment.CpuUsage.TotalTime - start).TotalSeconds;
            return new JsonObject
            {
                ["variant"] = profileVariant, ["recordsPerSecond"] = Math.Round(records / cpu),
                ["bytesAllocatedPerRecord"] = Math.Round((GC.GetAllocatedBytesForCurrentThread() - allocated) / (double)records, 1),
                ["gen0Collections"] = GC.CollectionCount(0) - collections,
                ["gcPauseShare"] = Math.Round((GC.GetTotalPauseDuration() - paused).TotalSeconds / cpu, 4),
            };
        }

        // Warm-up: rounds of every variant until no variant's rate rose more than 5% over the previous round (at least 3,
        // at most 12 rounds; each variant in each round for MeasureSeconds of CPU). Tiered compilation with TieredPGO
        // (tier 0, instrumented tier, tier 1, on-stack replacement of the loops) reaches the final code only after many
        // calls and a delay that new tier-0 code keeps extending; the former warm-up, one pass of 20,000 records a
        // decoder (0.4 s), left the measurement on tier-0 and instrumented code: 45,000 records/s where tier 1 does
        // 400,000 (seen here: the new decoder at 35-43 k/s for its first 1.5 CPU seconds, then 400 k/s).
        var previous = variants.Select(v => Rate(v.Pass)).ToArray();
        var warmUpRounds = 1;
        while (warmUpRounds < 12)
        {
            warmUpRounds++;
            var rates = variants.Select(v => Rate(v.Pass)).ToArray();
            var rising = rates.Zip(previous).Any(x => x.First > x.Second * 1.05);
            previous = rates;
            if (warmUpRounds >= 3 && !rising)
            {
                break;
            }
        }

        // Alternate the variants in every run so that all see the same load.
        var results = new List<double[]>();
        for (var r = 0; r < runs; r++)
        {
            results.Add(variants.Select(v => Rate(v.Pass)).ToArray());
        }

        GC.KeepAlive(sink);
        double Median(int i) => results.Select(x => x[i]).Order().ElementAt(results.Count / 2);
        var newRate = Median(0);
        var oldRate = Median(1);
        return new JsonObject
        {
            ["records"] = data.Length,
            ["secondsPerMeasurement"] = MeasureSeconds,
            ["warmUpRounds"] = warmUpRounds,
            ["decodeValidateScorePerSecond"] = Math.Round(newRate),
            ["oldDecodeValidateScorePerSecond"] = Math.Round(oldRate),
            ["decodeValidatePerSecond"] = Math.Round(Median(2)),
            ["oldDecodeValidatePerSecond"] = Math.Round(Median(3)),
            ["scorePerSecond"] = Math.Round(Median(4)),
            ["ratio"] = Math.Round(newRate / oldRate, 2),
            ["microsecondsPerRecord"] = Math.Round(1e6 / newRate, 3),
        };

        // Records per second of this process's CPU time (Environment.CpuUsage: getrusage, microseconds; the former
        // Process.TotalProcessorTime counts 10 ms clock ticks on Linux, 20-50% of one pass): passes of the 20,000 records
        // until MeasureSeconds of CPU have elapsed. CPU time, not the wall clock: on a shared machine the wall clock also
        // counts the time other processes hold the core; the process's CPU time does include its JIT and GC threads.
        double Rate(Action pass)
        {
            var start = Environment.CpuUsage.TotalTime;
            long records = 0;
            TimeSpan spent;
            do
            {
                pass();
                records += data.Length;
                spent = Environment.CpuUsage.TotalTime - start;
            }
            while (spent.TotalSeconds < MeasureSeconds);

            return records / spent.TotalSeconds;
        }
    }

    /// <summary>
    /// Milliseconds of a 100-record batch of 20 users (5 records each, interleaved) on DynamoDB Local: as the processor
    /// runs it (the default MaxConcurrency, records saved together), one record per transaction at the same concurrency,
    /// and one record per transaction one at a time (the baseline), medians of <paramref name="runs"/>, alternated; and a
    /// 1-record batch.
    /// Every batch checks that each user's saves reached DynamoDB in the batch's order.
    /// </summary>
    public static async Task<JsonObject> Batch(string root, int runs)
    {
        const int WarmUpRounds = 8;
        await using var local = await DynamoLocal.Start(root);
        var order = await Tables(local);
        var concurrent = NewFunction(order.Client, Prefix, Settings(Prefix).MaxConcurrency, saveTogether: true);
        var oneByOne = NewFunction(order.Client, Prefix, Settings(Prefix).MaxConcurrency, saveTogether: false);
        var sequential = NewFunction(order.Client, Prefix, 1, saveTogether: false);
        // A hot shard's function is warm: each variant's code is run until the runtime has compiled it at tier 1 (a method
        // is recompiled after 30 calls and a 100 ms quiet period, so a few rounds with pauses), as the decode bench does;
        // a cold function's first batch is the cold-start benchmark's (bench/functions-runtime.sh).
        for (var w = 0; w < WarmUpRounds; w++)
        {
            await Run(concurrent, 100, $"warm-c{w}", order);
            await Run(oneByOne, 100, $"warm-p{w}", order);
            await Run(sequential, 100, $"warm-s{w}", order);
            await Task.Delay(150);
        }
        var c = new List<double>();
        var p = new List<double>();
        var s = new List<double>();
        var one = new List<double>();
        for (var r = 0; r < runs; r++)
        {
            c.Add(await Run(concurrent, 100, $"c{r}", order));
            p.Add(await Run(oneByOne, 100, $"p{r}", order));
            s.Add(await Run(sequential, 100, $"s{r}", order));
            one.Add(await Run(concurrent, 1, $"o{r}", order));
        }

        var (single, sixteen) = await TransactWrites(local.Client, $"{Prefix}-transactions", runs);
        static double Median(List<double> v) => v.Order().ElementAt(v.Count / 2);
        return new JsonObject
        {
            ["oneTransactWriteMs"] = Math.Round(single, 2),
            ["sixteenConcurrentTransactWritesMs"] = Math.Round(sixteen, 2),
            ["users"] = 20,
            ["maxConcurrency"] = Settings(Prefix).MaxConcurrency,
            ["concurrentBatchMs"] = Math.Round(Median(c), 1),
            ["oneByOneConcurrentBatchMs"] = Math.Round(Median(p), 1),
            ["sequentialBatchMs"] = Math.Round(Median(s), 1),
            ["oneRecordBatchMs"] = Math.Round(Median(one), 1),
            ["ratio"] = Math.Round(Median(s) / Median(c), 2),
            ["perUserOrderChecked"] = true,
        };
    }

    /// <summary>
    /// Where a 100-record batch of 20 users' time goes, as the processor saves it: after <paramref name="warmUps"/>
    /// batches, <paramref name="batches"/> batches, each as one line (when its reads ended, when its transactions started
    /// and ended, in ms from its start), then every DynamoDB call of the median batch (method, items of a transaction,
    /// start, end, duration); as text.
    /// </summary>
    public static async Task<string> Trace(string root, int warmUps, int batches = 15)
    {
        await using var local = await DynamoLocal.Start(root);
        var order = await Tables(local);
        order.TraceCalls = true;
        var function = NewFunction(order.Client, Prefix, Settings(Prefix).MaxConcurrency, saveTogether: true);
        for (var i = 0; i < warmUps; i++)
        {
            await Run(function, 100, $"warm{i}", order);
        }

        const string write = nameof(IAmazonDynamoDB.TransactWriteItemsAsync);
        var traced = new List<(double Ms, string Summary, List<string> Calls)>();
        for (var i = 0; i < batches; i++)
        {
            order.Calls.Clear();
            var start = order.Clock.Elapsed;
            var ms = await Run(function, 100, $"traced{i}", order);
            await Task.Delay(50); // the last call's continuation
            var calls = order.Calls.OrderBy(c => c.Start).ToList();
            double At(TimeSpan t) => (t - start).TotalMilliseconds;
            var writes = calls.Where(c => c.Method == write).ToList();
            traced.Add((ms,
                string.Create(CultureInfo.InvariantCulture, $"batch {ms,6:0.0} ms: reads done at {At(calls.Where(c => c.Method != write).Max(c => c.End)),5:0.0}, {writes.Count} transactions from {At(writes.Min(c => c.Start)),5:0.0} to {At(writes.Max(c => c.End)),6:0.0}"),
                [.. calls.Select(c => string.Create(CultureInfo.InvariantCulture,
                    $"{At(c.Start),8:0.0} {At(c.End),8:0.0} {(c.End - c.Start).TotalMilliseconds,7:0.0} ms  {c.Method}{(c.Items > 0 ? $" ({c.Items} items)" : "")}"))]));
        }

        var median = traced.OrderBy(t => t.Ms).ElementAt(traced.Count / 2);
        return string.Join('\n', [.. traced.Select(t => t.Summary), $"calls of the median batch ({median.Ms:0.0} ms):", "   start      end    took", .. median.Calls]);
    }

    // What DynamoDB Local does with concurrent transactions, apart from the processor: the median milliseconds of one
    // TransactWriteItems (a conditional put of a new item) alone, and of 16 of them issued at once (one client, as the
    // processor's lanes share one), medians of 10 x runs. 16 at once taking about 16 times one means the emulator runs
    // them one at a time.
    private static async Task<(double Single, double Sixteen)> TransactWrites(IAmazonDynamoDB dynamo, string table, int runs)
    {
        var n = 0;
        Task Write() => dynamo.TransactWriteItemsAsync(new TransactWriteItemsRequest
        {
            TransactItems =
            [
                new TransactWriteItem
                {
                    Put = new Put
                    {
                        TableName = table, ConditionExpression = "attribute_not_exists(transactionId)",
                        Item = new Dictionary<string, AttributeValue> { ["transactionId"] = new($"probe-{Interlocked.Increment(ref n)}") },
                    },
                },
            ],
        });
        var single = new List<double>();
        var sixteen = new List<double>();
        for (var i = 0; i < 10 * runs + 5; i++)
        {
            var w = Stopwatch.StartNew();
            await Write();
            single.Add(w.Elapsed.TotalMilliseconds);
            w.Restart();
            await Task.WhenAll(Enumerable.Range(0, 16).Select(_ => Write()));
            sixteen.Add(w.Elapsed.TotalMilliseconds);
        }

        // The first 5 of each are the warm-up (connections, the emulator's JIT).
        static double Median(IEnumerable<double> v) => v.Order().ElementAt(v.Count() / 2);
        return (Median(single.Skip(5)), Median(sixteen.Skip(5)));
    }

    // One batch of n records of min(n, 20) users; returns its milliseconds after checking success and per-user order.
    private static async Task<double> Run(Function function, int n, string tag, OrderRecorder order)
    {
        var users = Math.Min(n, 20);
        var batch = new KinesisEvent
        {
            Records = Enumerable.Range(0, n).Select(i => new KinesisEventRecord
            {
                Kinesis = new KinesisData
                {
                    SequenceNumber = i.ToString("D6", CultureInfo.InvariantCulture),
                    Data = Convert.ToBase64String(Encoding.UTF8.GetBytes(new JsonObject
                    {
                        ["transactionId"] = $"{tag}-{i}", ["userId"] = $"{tag}-u{i % users}", ["amount"] = 25 + i, ["currency"] = "EUR", ["merchantId"] = "m",
                        ["merchantCategory"] = "5411", ["country"] = "DE", ["timestamp"] = DateTimeOffset.UtcNow.AddMinutes(-100 + i).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
                    }.ToJsonString())),
                },
            }).ToList(),
        };
        order.Writes.Clear();
        var w = Stopwatch.StartNew();
        var response = await function.Process(batch, CancellationToken.None);
        var ms = w.Elapsed.TotalMilliseconds;
        if (response.BatchItemFailures.Count > 0 || order.Writes.Count != n)
        {
            throw new InvalidOperationException($"batch {tag} failed: {response.BatchItemFailures.Count} reported, {order.Writes.Count} of {n} saved");
        }

        foreach (var user in order.Writes.ToArray().GroupBy(x => x.User))
        {
            var ids = user.Select(x => int.Parse(x.TransactionId[(tag.Length + 1)..], CultureInfo.InvariantCulture)).ToList();
            if (!ids.SequenceEqual(ids.Order()))
            {
                throw new InvalidOperationException($"batch {tag}: {user.Key}'s records were saved out of order: {string.Join(",", ids)}");
            }
        }

        return ms;
    }

    // The bench's tables (prefix "bench-", the stack's schemas) on the emulator, and a recording client of it.
    private const string Prefix = "bench";

    private static async Task<OrderRecorder> Tables(DynamoLocal local)
    {
        foreach (var schema in FraudTables.All)
        {
            await FraudTf.Functions.Tests.Support.TableFactory.Create(local.Client, schema, $"{Prefix}-{schema.LogicalName}");
        }

        return OrderRecorder.Wrap(local.NewClient());
    }

    private static Settings Settings(string prefix) => new()
    {
        TransactionsTable = $"{prefix}-transactions", DecisionsTable = $"{prefix}-decisions", UserProfilesTable = $"{prefix}-user-profiles",
        PatternsTable = $"{prefix}-patterns", DeadLetterQueueUrl = "http://127.0.0.1:9/unused", QuarantineBucket = $"{prefix}-quarantine", Environment = "bench",
    };

    private static Function NewFunction(IAmazonDynamoDB dynamo, string prefix, int maxConcurrency, bool saveTogether)
    {
        var sqs = new AmazonSQSClient(new BasicAWSCredentials("local", "local"), new AmazonSQSConfig { ServiceURL = "http://127.0.0.1:9", AuthenticationRegion = "us-east-1" });
        var s3 = new Amazon.S3.AmazonS3Client(new BasicAWSCredentials("local", "local"), new Amazon.S3.AmazonS3Config { ServiceURL = "http://127.0.0.1:9", AuthenticationRegion = "us-east-1", ForcePathStyle = true });
        return new Function(Settings(prefix) with { MaxConcurrency = maxConcurrency, SaveTogether = saveTogether }, dynamo, sqs, s3, new FraudTf.Functions.Shared.Logging.StructuredOutput(Stream.Null), TimeProvider.System);
    }

    /// <summary>An IAmazonDynamoDB that records (user, transaction id) of every transaction row TransactWriteItems calls write, in the order the calls start.</summary>
    public class OrderRecorder : DispatchProxy
    {
        private IAmazonDynamoDB _inner = null!;

        /// <summary>The calls recorded.</summary>
        public ConcurrentQueue<(string User, string TransactionId)> Writes { get; } = new();

        /// <summary>Whether <see cref="Calls"/> records (--batch-trace only: the timed batches of --batch pay nothing for it).</summary>
        public bool TraceCalls { get; set; }

        /// <summary>Every call while <see cref="TraceCalls"/>: its method, the items of a TransactWriteItems (else 0), and its start and end on <see cref="Clock"/>.</summary>
        public ConcurrentQueue<(string Method, int Items, TimeSpan Start, TimeSpan End)> Calls { get; } = new();

        /// <summary>The clock of <see cref="Calls"/>.</summary>
        public Stopwatch Clock { get; } = Stopwatch.StartNew();

        /// <summary>The wrapping client.</summary>
        public IAmazonDynamoDB Client { get; private set; } = null!;

        /// <summary>Wraps <paramref name="inner"/>.</summary>
        public static OrderRecorder Wrap(IAmazonDynamoDB inner)
        {
            var client = Create<IAmazonDynamoDB, OrderRecorder>();
            var recorder = (OrderRecorder)(object)client;
            recorder._inner = inner;
            recorder.Client = client;
            return recorder;
        }

        /// <inheritdoc />
        protected override object? Invoke(MethodInfo? method, object?[]? args)
        {
            // Every transaction row of the call, in its order (the processor saves several records of a user, and several
            // users, in one call).
            foreach (var item in (args?[0] as TransactWriteItemsRequest)?.TransactItems ?? [])
            {
                if (item.Put is { TableName: { } table } put && table.EndsWith("-transactions", StringComparison.Ordinal))
                {
                    Writes.Enqueue((put.Item["userId"].S, put.Item["transactionId"].S));
                }
            }

            try
            {
                var started = Clock.Elapsed;
                var result = method!.Invoke(_inner, args);
                if (TraceCalls && result is Task task)
                {
                    var items = (args?[0] as TransactWriteItemsRequest)?.TransactItems?.Count ?? 0;
                    task.ContinueWith(_ => Calls.Enqueue((method.Name, items, started, Clock.Elapsed)), TaskScheduler.Default);
                }

                return result;
            }
            catch (TargetInvocationException e) when (e.InnerException is not null)
            {
                throw e.InnerException;
            }
        }
    }
}

/// <summary>DynamoDB Local (tests/emulators) on a free port of 127.0.0.1, in memory, stopped on dispose.</summary>
public sealed class DynamoLocal : IAsyncDisposable
{
    private readonly Process _java;

    private DynamoLocal(Process java, string endpoint)
    {
        _java = java;
        Endpoint = endpoint;
        Client = NewClient();
    }

    /// <summary>Its endpoint URL.</summary>
    public string Endpoint { get; }

    /// <summary>A client of it, for setup.</summary>
    public AmazonDynamoDBClient Client { get; }

    /// <summary>Starts it from the repository at <paramref name="root"/> and waits until it answers.</summary>
    public static async Task<DynamoLocal> Start(string root)
    {
        var emulator = Path.Combine(root, "tests", "emulators", "node_modules", "amplify-dynamodb-simulator", "emulator");
        var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        var port = ((IPEndPoint)l.LocalEndpoint).Port;
        l.Stop();
        var java = Process.Start(new ProcessStartInfo("java",
            [$"-Djava.library.path={Path.Combine(emulator, "DynamoDBLocal_lib")}", "-jar", Path.Combine(emulator, "DynamoDBLocal.jar"), "-inMemory", "-sharedDb", "-disableTelemetry", "-port", port.ToString(CultureInfo.InvariantCulture)])
        { WorkingDirectory = emulator, RedirectStandardOutput = true, RedirectStandardError = true })!;
        java.BeginOutputReadLine();
        java.BeginErrorReadLine();
        var local = new DynamoLocal(java, $"http://127.0.0.1:{port}");
        for (var i = 0; ; i++)
        {
            try
            {
                await local.Client.ListTablesAsync(new ListTablesRequest());
                return local;
            }
            catch when (i < 300)
            {
                await Task.Delay(100);
            }
        }
    }

    /// <summary>A new client of it.</summary>
    public AmazonDynamoDBClient NewClient() =>
        new(new BasicAWSCredentials("local", "local"), new AmazonDynamoDBConfig { ServiceURL = Endpoint, AuthenticationRegion = "us-east-1" });

    /// <inheritdoc />
    public ValueTask DisposeAsync()
    {
        Client.Dispose();
        _java.Kill(entireProcessTree: true);
        _java.Dispose();
        return ValueTask.CompletedTask;
    }
}
