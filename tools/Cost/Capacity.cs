namespace FraudTf.Cost;

/// <summary>
/// The limits that cap an environment's transactions per second, from the stack (mappings, concurrency, tables) and
/// the assumptions file (service limits as documented), and what to change for 10x the profile's peak.
/// </summary>
internal static class Capacity
{
    // The highest parallelization_factor an event source mapping takes (Lambda API reference, CreateEventSourceMapping:
    // ParallelizationFactor, 1 to 10).
    private const int MaxParallelizationFactor = 10;

    public static CapacityReport Analyse(Workload w)
    {
        var s = w.Stack;
        var a = w.A;
        var peak = w.Traffic.PeakTps;
        var target = 10 * peak;
        var limits = new List<CapacityLimit>();
        var perShardLines = new List<string>();
        string F(FormattableString f) => Workload.Fmt(f);

        // Kinesis: a new on-demand stream takes 4 MB/s or 4000 records/s, then 2x its 30-day peak.
        foreach (var k in s.OfType("aws_kinesis_stream"))
        {
            var (rate, bytes, _) = w.StreamRecords(k);
            var perTx = w.Tps > 0 ? rate / w.Tps : 1;
            var records = a.Get("kinesis.onDemandInitialWriteRecordsPerSecond", k.Address);
            var byteLimit = a.Get("kinesis.onDemandInitialWriteBytesPerSecond", k.Address);
            var maxRecords = Math.Min(records, byteLimit / bytes);
            var max = maxRecords / perTx;
            var quota = a.Get("kinesis.onDemandMaxWriteBytesPerSecond", k.Address) / bytes / perTx;
            var shards = Math.Ceiling(Math.Max(target * perTx / a.Get("kinesis.shardWriteRecordsPerSecond", k.Address),
                target * perTx * bytes / a.Get("kinesis.shardWriteBytesPerSecond", k.Address)));
            limits.Add(new CapacityLimit(F($"Kinesis write, stream {k.Str("name")} (new on-demand)"), max,
                F($"{records:#,0} records/s or {byteLimit / 1048576:0} MB/s at {bytes:0} B a record, {perTx:0.##} record(s) per transaction; then 2x the 30-day peak, up to {quota:#,0} TPS (default quota)"),
                target <= max ? "" : target <= quota
                    ? F($"on-demand doubles within 15 minutes from the 30-day peak: ramp to {target:#,0} TPS over days, or warm the stream (On-demand Advantage) / switch to PROVISIONED with {shards:0} shards before a sudden 10x")
                    : F($"request a higher on-demand throughput quota, or use PROVISIONED with {shards:0} shards"), ScalesOnDemand: true));
        }

        // Lambda: lanes = shards x parallelization factor, capped by reserved concurrency; each lane processes
        // batch records in the measured batch duration.
        foreach (var m in s.OfType("aws_lambda_event_source_mapping"))
        {
            var f = s.Resolve(m.Str("function_name")) ?? throw w.Unresolved(m, "function_name");
            var stream = s.Resolve(m.Str("event_source_arn")) ?? throw w.Unresolved(m, "event_source_arn");
            var name = w.Logical(f.Str("function_name"));
            var batch = m.Num("batch_size") ?? 100;
            var pf = m.Num("parallelization_factor") ?? 1;
            var shards = a.Get("kinesis.onDemandInitialShards", stream.Address);
            var reserved = f.Num("reserved_concurrent_executions") ?? a.Get("lambda.accountConcurrency", f.Address);
            var first = a.Get($"lambda.batchMs.{name}.first", f.Address);
            var hundred = a.Get($"lambda.batchMs.{name}.hundred", f.Address);
            var ms = first + (batch - 1) * (hundred - first) / 99;
            var perLane = batch / (ms / 1000);
            var lanes = Math.Min(shards * pf, reserved);
            var max = lanes * perLane;
            var neededLanes = Math.Ceiling(target / perLane);
            var neededPf = Math.Ceiling(neededLanes / shards);
            var fix = target <= max ? "" : neededPf <= MaxParallelizationFactor
                ? F($"{neededLanes:0} concurrent batches: streaming.parallelizationFactor {neededPf:0} (max {MaxParallelizationFactor}) on {shards:0} shards and functions.{Camel(name)}.reservedConcurrency >= {neededLanes:0}")
                : F($"{neededLanes:0} concurrent batches: more shards ({Math.Ceiling(neededLanes / MaxParallelizationFactor):0} at parallelization {MaxParallelizationFactor}), reservedConcurrency >= {neededLanes:0}, or a faster batch (the benchmark ran on DynamoDB Local)");
            // Per shard: parallelization_factor batches of the shard at once, against the shard's write limit.
            var (_, recordBytes, _) = w.StreamRecords(stream);
            var shardRecords = a.Get("kinesis.shardWriteRecordsPerSecond", stream.Address);
            var shardBytes = a.Get("kinesis.shardWriteBytesPerSecond", stream.Address);
            var shardLimit = Math.Min(shardRecords, shardBytes / recordBytes);
            var perShard = pf * perLane;
            var perRecordMs = ms / batch;
            perShardLines.Add(F($"{f.Str("function_name")} per shard: parallelization_factor {pf:0} x {batch:0} records per {ms:0} ms batch ({perRecordMs:0.##} ms a record, measured: {a.Entry($"lambda.batchMs.{name}.hundred", f.Address).Source}) = {perShard:#,0} records/s, against the shard's write limit of {shardRecords:#,0} records/s or {shardBytes / 1048576:0} MiB/s ({shardLimit:#,0} records/s at {recordBytes:0} B a record): {KeepsUp(perShard, perLane, shardLimit)}"));
            limits.Add(new CapacityLimit(F($"Lambda {f.Str("function_name")}: {lanes:0} concurrent batches"), max,
                F($"min({shards:0} shards x parallelization_factor {pf:0}, reserved_concurrent_executions {reserved:0}) x {batch:0} records per {ms:0} ms batch ({perLane:#,0} records/s each)"), fix));
        }

        // Event-driven functions (the alert handler): reserved concurrency x events per second each.
        foreach (var f in s.OfType("aws_lambda_function"))
        {
            var rules = s.OfType("aws_cloudwatch_event_target").Where(t => s.Resolve(t.Str("arn")) == f).Select(t => s.Resolve(t.Str("rule"))!).ToList();
            if (rules.Count == 0 || w.Tps <= 0)
            {
                continue;
            }

            var name = w.Logical(f.Str("function_name"));
            var perTx = rules.Sum(w.RuleRate) / w.Tps;
            if (perTx <= 0)
            {
                continue;
            }

            var ms = a.Get($"lambda.msPerInvocation.{name}", f.Address);
            var reserved = f.Num("reserved_concurrent_executions") ?? a.Get("lambda.accountConcurrency", f.Address);
            var max = reserved * 1000 / ms / perTx;
            var needed = Math.Ceiling(target * perTx * ms / 1000);
            limits.Add(new CapacityLimit(F($"Lambda {f.Str("function_name")}: {reserved:0} concurrent"), max,
                F($"reserved_concurrent_executions {reserved:0} x {1000 / ms:0} events/s each ({ms:0} ms), {perTx:0.####} events per transaction (fraudRate)"),
                target <= max ? "" : F($"functions.{Camel(name)}.reservedConcurrency >= {needed:0}")));
        }

        // DynamoDB: a new on-demand table serves 4000 WRU/s and 12000 RRU/s at once, 40000 by default quota.
        var models = new CostModelsProbe(w);
        foreach (var t in s.OfType("aws_dynamodb_table"))
        {
            var (reads, writes) = models.UnitsPerTransaction(t);
            if (writes <= 0)
            {
                continue; // not written per transaction (patterns: read from a cache), so it does not cap the rate
            }

            var newWrite = a.Get("dynamodb.newTableWriteUnitsPerSecond", t.Address);
            var newRead = a.Get("dynamodb.newTableReadUnitsPerSecond", t.Address);
            var quota = a.Get("dynamodb.tableMaxUnitsPerSecond", t.Address);
            var max = Math.Min(writes > 0 ? newWrite / writes : double.MaxValue, reads > 0 ? newRead / reads : double.MaxValue);
            if (max == double.MaxValue)
            {
                continue;
            }

            var quotaTps = Math.Min(writes > 0 ? quota / writes : double.MaxValue, reads > 0 ? quota / reads : double.MaxValue);
            limits.Add(new CapacityLimit(F($"DynamoDB {t.Str("name")} (new on-demand table)"), max,
                F($"{writes:0.##} WRU and {reads:0.##} RRU per transaction against {newWrite:#,0} WRU/s and {newRead:#,0} RRU/s from creation (then 2x the previous peak, up to {quotaTps:#,0} TPS at the {quota:#,0}/s table quota)"),
                target <= max ? "" : target <= quotaTps
                    ? F($"set warm throughput (warm_throughput.write_units_per_second >= {Math.Ceiling(target * writes):#,0}) before a sudden 10x, or ramp traffic")
                    : F($"request a table throughput quota above {Math.Ceiling(target * Math.Max(writes, reads)):#,0} units/s and set warm throughput"), ScalesOnDemand: true));
        }

        var perKey = perShardLines;
        var partitionWrites = a.Get("dynamodb.partitionWriteUnitsPerSecond", "per-key limits");
        var partitionReads = a.Get("dynamodb.partitionReadUnitsPerSecond", "per-key limits");
        foreach (var t in s.OfType("aws_dynamodb_table"))
        {
            var name = w.Logical(t.Str("name"));
            var hash = t.Str("hash_key");
            switch (name)
            {
                case "user-profiles":
                    perKey.Add(F($"{t.Str("name")}: partition key {hash}, every transaction of a user updates one item in a transaction (2 WRU): one user can make at most {partitionWrites / 2:#,0} transactions/s; a bot hammering one account would be throttled there first (retried, then dead-lettered)"));
                    break;
                case "transactions":
                    perKey.Add(F($"{t.Str("name")}: partition key {hash} (unique per transaction) spreads writes evenly; the byUserTime index is keyed by userId: one user's index writes cap at {partitionWrites:#,0}/s"));
                    break;
                case "patterns":
                    var lanes = s.OfType("aws_lambda_event_source_mapping").Sum(m => a.Get("kinesis.onDemandInitialShards", m.Address) * (m.Num("parallelization_factor") ?? 1));
                    perKey.Add(F($"{t.Str("name")}: the sparse index byActiveStatus has one partition key value, so all reads of active patterns hit one partition ({partitionReads:#,0} RRU/s); with the cache, {lanes:0} instances read it {lanes / 60:0.##} times a second: {partitionReads / Math.Max(lanes / 60, 1e-9):#,0}x headroom"));
                    break;
                case "decisions":
                    perKey.Add(F($"{t.Str("name")}: partition key {hash} (one per transaction); the byUserDecidedAt index is keyed by userId, {partitionWrites:#,0} writes/s per user"));
                    break;
            }
        }

        var agent = new List<string>();
        var agents = s.OfType("aws_bedrockagent_agent").ToList();
        if (agents.Count > 0)
        {
            var t = w.Traffic;
            var share = a.Get("bedrock.peakConcurrentSessionsShare", "Bedrock capacity");
            var callsPerTurn = a.Get("bedrock.modelCallsPerTurn", "Bedrock capacity");
            var rpm = a.Get("bedrock.requestsPerMinuteQuota", "Bedrock capacity");
            var tpm = a.Get("bedrock.tokensPerMinuteQuota", "Bedrock capacity");
            var turnsPerMinute = t.AgentSessionsPerDay * share * t.AgentTurnsPerSession / 10;
            var tokensPerTurn = t.AgentInputTokensPerTurn + t.AgentOutputTokensPerTurn;
            var maxTurnsPerMinute = Math.Min(rpm / callsPerTurn, tpm / Math.Max(tokensPerTurn, 1));
            var maxSessions = maxTurnsPerMinute * 10 / share / t.AgentTurnsPerSession;
            agent.Add(F($"Bedrock {agents[0].Str("foundation_model")}: busiest 10 minutes = {share:0.##} of {t.AgentSessionsPerDay:#,0} sessions/day = {turnsPerMinute:0.#} turns/min, i.e. {turnsPerMinute * callsPerTurn:0.#} requests/min (quota {rpm:#,0}, assumed) and {turnsPerMinute * tokensPerTurn:#,0} tokens/min (quota {tpm:#,0}, assumed)"));
            agent.Add(F($"sessions/day the assumed quotas sustain at this shape: {maxSessions:#,0}; 10x sessions ({t.AgentSessionsPerDay * 10:#,0}/day) {(t.AgentSessionsPerDay * 10 <= maxSessions ? "fits" : F($"needs a tokens-per-minute quota of {turnsPerMinute * 10 * tokensPerTurn:#,0} and {turnsPerMinute * 10 * callsPerTurn:#,0} requests/min (Service Quotas)"))}"));
        }

        return new CapacityReport(peak, limits.OrderBy(l => l.MaxTps).ThenBy(l => l.Limit, StringComparer.Ordinal).ToList(), perKey, agent);
    }

    // Whether parallelization_factor batches of a shard at once (perShard records/s, perLane each) keep up with a shard
    // written at its limit, and if not what would: a higher factor up to the maximum, or else more shards.
    private static string KeepsUp(double perShard, double perLane, double shardLimit)
    {
        if (perShard >= shardLimit)
        {
            return Workload.Fmt($"keeps up with a shard written at its limit ({perShard / shardLimit:0.#}x)");
        }

        var neededPf = Math.Ceiling(shardLimit / perLane);
        if (neededPf <= MaxParallelizationFactor)
        {
            return Workload.Fmt($"falls behind a shard written at its limit ({perShard / shardLimit:0.##}x); parallelization_factor {neededPf:0} would keep up");
        }

        var atMax = MaxParallelizationFactor * perLane;
        return Workload.Fmt($"falls behind a shard written at its limit ({perShard / shardLimit:0.##}x), and so would parallelization_factor {MaxParallelizationFactor} (the maximum: {atMax:#,0} records/s, {atMax / shardLimit:0.##}x); what keeps up is more shards, each written at no more than {atMax:#,0} records/s ({Math.Ceiling(shardLimit / atMax):0}x the shards for the same writes), or a faster batch");
    }

    private static string Camel(string kebab)
    {
        var parts = kebab.Split('-');
        return parts[0] + string.Concat(parts.Skip(1).Select(p => p.Length > 0 ? char.ToUpperInvariant(p[0]) + p[1..] : p));
    }

    /// <summary>Request units per transaction of a table, from the same workload model the costs use.</summary>
    private sealed class CostModelsProbe(Workload w)
    {
        public (double Reads, double Writes) UnitsPerTransaction(StackResource table)
        {
            if (w.Tps <= 0)
            {
                return (0, 0);
            }

            var lines = new CostModels(w, ProbePrices).For(table);
            var s = w.SecondsPerMonth * w.Tps;
            return (lines.Where(l => l.Item == "read request units").Sum(l => l.Quantity) / s,
                    lines.Where(l => l.Item == "write request units").Sum(l => l.Quantity) / s);
        }

        private static readonly PriceBook ProbePrices = PriceBook.Parse(
            "{\"region\":\"probe\",\"readOn\":\"-\",\"source\":\"-\",\"prices\":{" +
            "\"dynamodb.writeRequestUnits\":{\"usd\":0,\"per\":1},\"dynamodb.readRequestUnits\":{\"usd\":0,\"per\":1}," +
            "\"dynamodb.storage\":{\"usd\":0,\"per\":1},\"dynamodb.pointInTimeRecovery\":{\"usd\":0,\"per\":1},\"dynamodb.streamReadRequestUnits\":{\"usd\":0,\"per\":1}}}",
            "(capacity probe)");
    }
}
