
// Alike on purpose: the usings are those of the stream processor's integration tests, whose setup this drives too.
// Usage: dotnet FunctionsBench.dll <repo root> [runs]            all benchmarks (starts DynamoDB Local itself)
//        dotnet FunctionsBench.dll --cold-start <endpoint> <prefix>  one process: construct + first event (internal)
//        dotnet FunctionsBench.dll --decode <runs>                   decode + validate + score, new and old decoder (JSON; pin it to one core)
//        dotnet FunctionsBench.dll --decode-profile <variant> <seconds>  one variant of --decode (new, old, newDecode, oldDecode, score) for that much CPU, to profile
//        dotnet FunctionsBench.dll --batch <repo root> <runs>        100 records of 20 users on DynamoDB Local, concurrent and sequential (JSON)
//        dotnet FunctionsBench.dll --batch-trace <repo root> <warm-ups>  one such batch's DynamoDB calls, start, end and duration
var now = new DateTimeOffset(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);
if (args is ["--decode", var decodeRuns])
{
    Console.WriteLine(FraudTf.Bench.ProcessorBench.Decode(int.Parse(decodeRuns, CultureInfo.InvariantCulture)).ToJsonString());
    return;
}

if (args is ["--decode-profile", var profileVariant, var profileSeconds])
{
    Console.WriteLine(FraudTf.Bench.ProcessorBench.Decode(0, profileVariant, double.Parse(profileSeconds, CultureInfo.InvariantCulture)).ToJsonString());
    return;
}

if (args is ["--batch", var batchRoot, var batchRuns])
{
    Console.WriteLine((await FraudTf.Bench.ProcessorBench.Batch(batchRoot, int.Parse(batchRuns, CultureInfo.InvariantCulture))).ToJsonString());
    return;
}

if (args is ["--batch-trace", var traceRoot, var traceWarmUps])
{
    Console.WriteLine(await FraudTf.Bench.ProcessorBench.Trace(traceRoot, int.Parse(traceWarmUps, CultureInfo.InvariantCulture)));
    return;
}

if (args is ["--cold-start", var coldEndpoint, var coldPrefix])
{
    var f = NewFunction(coldEndpoint, coldPrefix);
    var response = await f.Process(Batch(1, "cold", now), CancellationToken.None);
    var sinceStart = DateTime.Now - Process.GetCurrentProcess().StartTime;
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{sinceStart.TotalMilliseconds:0} {response.BatchItemFailures.Count}"));
    return;
}

var root = args.Length > 0 ? args[0] : ".";
var runs = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 5;
Console.WriteLine($"machine: {Environment.ProcessorCount} cores, {RuntimeInformationText()}; runs: {runs}");

// 1. Scoring throughput, in process, one thread. Baseline in the same run: parsing the same records.
var rules = new ScoringRules();
var rnd = new Random(42);
var txs = Enumerable.Range(0, 200_000).Select(i => new Transaction
{
    TransactionId = $"t{i}", UserId = $"u{i % 1000}", Amount = 10 + rnd.Next(0, 2000), Currency = "EUR", MerchantId = "m",
    MerchantCategory = i % 50 == 0 ? "7995" : "5411", Country = i % 30 == 0 ? "FR" : "DE", Timestamp = now, Channel = "web",
}).ToArray();
var profile = new UserProfile();
for (var i = 0; i < 50; i++)
{
    profile = profile.Learn(txs[i], rules.Rates.ToReference(txs[i].Amount, txs[i].Currency));
}

var patterns = Enumerable.Range(0, 20).Select(i => new FraudPattern
{
    PatternId = $"p{i}", Version = 1, Description = "bench", Weight = 0.2, MerchantCategories = [$"{6000 + i}"], MinAmount = 500,
}).ToList();
var raw = txs.Take(20_000).Select(t => Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new
{
    transactionId = t.TransactionId, userId = t.UserId, amount = t.Amount, currency = t.Currency, merchantId = t.MerchantId,
    merchantCategory = t.MerchantCategory, country = t.Country, timestamp = "2026-11-25T11:00:00Z",
}))).ToArray();

// One earlier transaction of the user within every window (the velocity, amount-velocity and card-testing rules read it).
IReadOnlyList<RecentTransaction> recent = [new RecentTransaction(now.AddSeconds(-30), 20)];
var scoring = Median(runs, () =>
{
    var w = Stopwatch.StartNew();
    var sum = 0.0;
    foreach (var t in txs)
    {
        sum += FraudScorer.Score(t, profile, recent, patterns, rules).Score;
    }

    GC.KeepAlive(sum);
    return txs.Length / w.Elapsed.TotalSeconds;
});
var parsing = Median(runs, () =>
{
    var w = Stopwatch.StartNew();
    var ok = 0;
    foreach (var r in raw)
    {
        ok += TransactionParser.Parse(r, now).IsValid ? 1 : 0;
    }

    GC.KeepAlive(ok);
    return raw.Length / w.Elapsed.TotalSeconds;
});
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"scoring throughput (1 thread): median {scoring:N0} records/s; baseline parse+validate: {parsing:N0} records/s; ratio scoring/parsing {scoring / parsing:0.0}x"));

// 2. A 100-record batch end to end against DynamoDB Local; 3. cold start to the first handled event.
await using var local = await FraudTf.Bench.DynamoLocal.Start(root);
var endpoint = local.Endpoint;
{
    var dynamo = local.Client;
    const string prefix = "bench";
    foreach (var schema in FraudTables.All)
    {
        await FraudTf.Functions.Tests.Support.TableFactory.Create(dynamo, schema, $"{prefix}-{schema.LogicalName}");
    }

    var function = NewFunction(endpoint, prefix);
    await function.Process(Batch(100, "warmup", now), CancellationToken.None);
    var batchMs = Median(runs, () =>
    {
        var w = Stopwatch.StartNew();
        var r = function.Process(Batch(100, $"b{Guid.NewGuid():N}", now), CancellationToken.None).GetAwaiter().GetResult();
        if (r.BatchItemFailures.Count > 0)
        {
            throw new InvalidOperationException("batch failed");
        }

        return w.Elapsed.TotalMilliseconds;
    });
    var oneMs = Median(runs, () =>
    {
        var w = Stopwatch.StartNew();
        function.Process(Batch(1, $"s{Guid.NewGuid():N}", now), CancellationToken.None).GetAwaiter().GetResult();
        return w.Elapsed.TotalMilliseconds;
    });
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"100-record batch on DynamoDB Local: median {batchMs:0} ms ({100_000 / batchMs:0} records/s); baseline 1-record batch: {oneMs:0.0} ms; ratio {batchMs / oneMs:0.0}x"));

    // 4. The agent's tools (issue 7) on the same tables, after the batches above wrote transactions, decisions and
    // profiles. Baseline in the same run: one raw GetItem on the transactions table with the same client settings.
    var tools = new FraudTf.Functions.AgentTools.Function(new FraudTf.Functions.AgentTools.Settings
    {
        TransactionsTable = $"{prefix}-transactions", DecisionsTable = $"{prefix}-decisions", UserProfilesTable = $"{prefix}-user-profiles",
        PatternsTable = $"{prefix}-patterns", Environment = "bench",
    }, new AmazonDynamoDBClient(new BasicAWSCredentials("local", "local"), new AmazonDynamoDBConfig { ServiceURL = endpoint, AuthenticationRegion = "us-east-1" }),
        new FraudTf.Functions.Shared.Logging.StructuredOutput(Stream.Null), TimeProvider.System);
    static string ToolCall(string function, params (string Name, string Value)[] parameters) => new System.Text.Json.Nodes.JsonObject
    {
        ["messageVersion"] = "1.0",
        ["agent"] = new System.Text.Json.Nodes.JsonObject { ["name"] = "bench", ["id"] = "AGENTBENCH", ["alias"] = "TSTALIASID", ["version"] = "DRAFT" },
        ["inputText"] = "bench", ["sessionId"] = "bench-session", ["actionGroup"] = "fraud-analyst-tools", ["function"] = function,
        ["parameters"] = new System.Text.Json.Nodes.JsonArray(parameters.Select(p => (System.Text.Json.Nodes.JsonNode)new System.Text.Json.Nodes.JsonObject { ["name"] = p.Name, ["type"] = "string", ["value"] = p.Value }).ToArray()),
        ["sessionAttributes"] = new System.Text.Json.Nodes.JsonObject(), ["promptSessionAttributes"] = new System.Text.Json.Nodes.JsonObject(),
    }.ToJsonString();
    await tools.Process(ToolCall("get_transaction", ("transaction_id", "warmup-1")), CancellationToken.None);
    var getItemMs = Median(runs, () =>
    {
        var w = Stopwatch.StartNew();
        for (var i = 0; i < 20; i++)
        {
            dynamo.GetItemAsync(new GetItemRequest { TableName = $"{prefix}-transactions", Key = new() { ["transactionId"] = new AttributeValue { S = $"warmup-{i}" } } }).GetAwaiter().GetResult();
        }

        return w.Elapsed.TotalMilliseconds / 20;
    });
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"agent tools on DynamoDB Local, median per call of 20 (baseline: one raw GetItem {getItemMs:0.00} ms):"));
    var decision = 0;
    foreach (var (name, call) in new (string, Func<string>)[]
    {
        ("get_transaction", () => ToolCall("get_transaction", ("transaction_id", "warmup-3"))),
        ("get_user_profile", () => ToolCall("get_user_profile", ("user_id", "warmup-u3"))),
        ("get_recent_transactions (limit 20)", () => ToolCall("get_recent_transactions", ("user_id", "warmup-u3"), ("limit", "20"), ("since_hours", "2160"))),
        ("get_active_fraud_patterns", () => ToolCall("get_active_fraud_patterns", ("limit", "20"))),
        ("record_analyst_decision", () => ToolCall("record_analyst_decision", ("transaction_id", $"warmup-{decision++ % 100}"), ("decision", "ESCALATE"), ("reason", $"bench {Guid.NewGuid():N}"))),
    })
    {
        var ms = Median(runs, () =>
        {
            var w = Stopwatch.StartNew();
            for (var i = 0; i < 20; i++)
            {
                var response = tools.Process(call(), CancellationToken.None).GetAwaiter().GetResult();
                if (response.Contains("\"responseState\"", StringComparison.Ordinal))
                {
                    throw new InvalidOperationException($"{name} failed: {response}");
                }
            }

            return w.Elapsed.TotalMilliseconds / 20;
        });
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {name}: {ms:0.00} ms ({ms / getItemMs:0.0}x GetItem)"));
    }

    var self = Environment.ProcessPath!;
    var dll = typeof(FraudScorer).Assembly.Location;
    var cold = Median(runs, () =>
    {
        var psi = new ProcessStartInfo(self, [Path.Combine(AppContext.BaseDirectory, "FunctionsBench.dll"), "--cold-start", endpoint, prefix]) { RedirectStandardOutput = true };
        using var p = Process.Start(psi)!;
        var line = p.StandardOutput.ReadToEnd().Trim();
        p.WaitForExit();
        return double.Parse(line.Split(' ')[0], CultureInfo.InvariantCulture);
    });
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"cold start (new process to first handled event, DynamoDB Local): median {cold:0} ms"));
    GC.KeepAlive(dll);
}

foreach (var zip in Directory.GetFiles(Path.Combine(root, ".build", "functions"), "*.zip", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
{
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"zip {Path.GetFileName(zip)}: {new FileInfo(zip).Length / 1024.0:0} KiB"));
}

static Function NewFunction(string endpoint, string prefix)
{
    var settings = new Settings
    {
        TransactionsTable = $"{prefix}-transactions", DecisionsTable = $"{prefix}-decisions", UserProfilesTable = $"{prefix}-user-profiles",
        PatternsTable = $"{prefix}-patterns", DeadLetterQueueUrl = "http://127.0.0.1:9/unused", QuarantineBucket = $"{prefix}-quarantine", Environment = "bench",
    };
    var dynamo = new AmazonDynamoDBClient(new BasicAWSCredentials("local", "local"), new AmazonDynamoDBConfig { ServiceURL = endpoint, AuthenticationRegion = "us-east-1" });
    var sqs = new AmazonSQSClient(new BasicAWSCredentials("local", "local"), new AmazonSQSConfig { ServiceURL = "http://127.0.0.1:9", AuthenticationRegion = "us-east-1" });
    var s3 = new Amazon.S3.AmazonS3Client(new BasicAWSCredentials("local", "local"), new Amazon.S3.AmazonS3Config { ServiceURL = "http://127.0.0.1:9", AuthenticationRegion = "us-east-1", ForcePathStyle = true });
    return new Function(settings, dynamo, sqs, s3, new FraudTf.Functions.Shared.Logging.StructuredOutput(Stream.Null), TimeProvider.System);
}

static KinesisEvent Batch(int n, string tag, DateTimeOffset now) => new()
{
    Records = Enumerable.Range(0, n).Select(i => new KinesisEventRecord
    {
        Kinesis = new KinesisData
        {
            SequenceNumber = i.ToString(CultureInfo.InvariantCulture),
            Data = Convert.ToBase64String(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new
            {
                transactionId = $"{tag}-{i}", userId = $"{tag}-u{i % 20}", amount = 25 + i, currency = "EUR", merchantId = "m",
                merchantCategory = "5411", country = "DE", timestamp = now.AddMinutes(-i).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
            }))),
        },
    }).ToList(),
};

static double Median(int runs, Func<double> measure)
{
    var values = Enumerable.Range(0, runs).Select(_ => measure()).Order().ToArray();
    return values[values.Length / 2];
}

static string RuntimeInformationText() => System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription;
