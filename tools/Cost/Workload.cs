namespace FraudTf.Cost;

/// <summary>How often a function runs and for how long, averaged over a month.</summary>
internal sealed record FunctionLoad(double InvocationsPerSecond, double MsPerInvocation, double RecordsPerSecond, string Basis);

/// <summary>
/// The platform's workload: rates derived from the traffic profile and the stack's wiring (which pipe puts which
/// event type, which rule feeds which target, which mapping feeds which function). Per-transaction work of the
/// functions is read from the assumptions file, whose sources point at the function code.
/// </summary>
internal sealed class Workload
{
    public Workload(StackDocument stack, EnvironmentConfig env, AssumptionBook a)
    {
        Stack = stack;
        Env = env;
        A = a;
        Traffic = env.Traffic;
        HoursPerMonth = a.Get("month.hours", "every monthly figure");
    }

    public StackDocument Stack { get; }
    public EnvironmentConfig Env { get; }
    public TrafficConfig Traffic { get; }
    public AssumptionBook A { get; }
    public double HoursPerMonth { get; }
    public double SecondsPerMonth => HoursPerMonth * 3600;
    public double DaysPerMonth => HoursPerMonth / 24;

    /// <summary>Transactions per second, monthly average.</summary>
    public double Tps => Traffic.AverageTps;

    /// <summary>FraudDetected events (REVIEW or DECLINE decisions) per second, monthly average.</summary>
    public double FraudPerSecond => Traffic.AverageTps * Traffic.FraudRate;

    /// <summary>Agent turns per month.</summary>
    public double AgentTurnsPerMonth => Traffic.AgentSessionsPerDay * DaysPerMonth * Traffic.AgentTurnsPerSession;

    /// <summary>The name of a resource without the environment's prefix and suffix: <c>transactions</c>.</summary>
    public string Logical(string? resourceName)
    {
        var n = resourceName ?? "";
        var prefix = Env.NamePrefix + "-";
        var suffix = "-" + Env.Environment;
        if (n.StartsWith(prefix, StringComparison.Ordinal))
        {
            n = n[prefix.Length..];
        }

        return n.EndsWith(suffix, StringComparison.Ordinal) ? n[..^suffix.Length] : n;
    }

    /// <summary>Events per second of an EventBridge detail type.</summary>
    public double DetailTypeRate(string? detailType, string neededBy) => detailType switch
    {
        "TransactionReceived" => Tps,
        "FraudDetected" => FraudPerSecond,
        _ => throw new CostDataException($"{Stack.File}: {neededBy} carries events of detail type '{detailType}', which the traffic model does not know. " +
                                         "Fix: add its rate to Workload.DetailTypeRate (tools/Cost/Workload.cs)."),
    };

    /// <summary>Events per second a pipe puts on its bus (after its filter).</summary>
    public double PipeRate(StackResource pipe) =>
        DetailTypeRate(pipe.Str("target_parameters.eventbridge_event_bus_parameters.detail_type"), pipe.Address);

    /// <summary>Events per second an event rule matches (the detail types of its pattern).</summary>
    public double RuleRate(StackResource rule)
    {
        var pattern = rule.Str("event_pattern") ?? throw new CostDataException($"{Stack.File}: {rule.Address} has no event_pattern. Fix: adapt Workload.RuleRate.");
        using var doc = JsonDocument.Parse(pattern);
        if (!doc.RootElement.TryGetProperty("detail-type", out var types))
        {
            throw new CostDataException($"{Stack.File}: {rule.Address} matches no detail-type, so its rate is unknown. Fix: match on detail-type, or adapt Workload.RuleRate.");
        }

        return types.EnumerateArray().Sum(t => DetailTypeRate(t.GetString(), rule.Address));
    }

    /// <summary>Records per second written to a Kinesis stream, and their average size.</summary>
    public (double PerSecond, double Bytes, double PeakPerSecond) StreamRecords(StackResource stream)
    {
        var producers = Stack.OfType("aws_cloudwatch_event_target").Where(t => Stack.Resolve(t.Str("arn")) == stream).ToList();
        if (producers.Count > 0)
        {
            var rate = producers.Sum(t => RuleRate(Stack.Resolve(t.Str("rule")) ?? throw Unresolved(t, "rule")));
            var bytes = Traffic.RecordSizeBytes + A.Get("kinesis.eventEnvelopeBytes", stream.Address);
            return (rate, bytes, Tps > 0 ? rate * Traffic.PeakTps / Tps : 0);
        }

        if (Logical(stream.Str("name")) == "transactions")
        {
            return (Tps, Traffic.RecordSizeBytes, Traffic.PeakTps);
        }

        throw new CostDataException($"{Stack.File}: no producer known for stream {stream.Str("name")} ({stream.Address}). " +
                                    "Fix: add an event target that writes to it, or its rate to Workload.StreamRecords (tools/Cost/Workload.cs).");
    }

    /// <summary>Shards of an on-demand stream: the initial 4, or what 2x the peak needs once it has scaled.</summary>
    public int Shards(StackResource stream)
    {
        if (stream.Str("stream_mode_details.stream_mode") == "PROVISIONED" || stream.Num("shard_count") is > 0)
        {
            return (int)stream.RequiredNum("shard_count", Stack.File);
        }

        var (_, bytes, peak) = StreamRecords(stream);
        var initial = A.Get("kinesis.onDemandInitialShards", stream.Address);
        var byRecords = Math.Ceiling(2 * peak / A.Get("kinesis.shardWriteRecordsPerSecond", stream.Address));
        var byBytes = Math.Ceiling(2 * peak * bytes / A.Get("kinesis.shardWriteBytesPerSecond", stream.Address));
        return (int)Math.Max(initial, Math.Max(byRecords, byBytes));
    }

    /// <summary>The function a resource's attribute (an ARN or name reference) points to.</summary>
    private bool Targets(StackResource r, string path, StackResource function) => Stack.Resolve(r.Str(path)) == function;

    /// <summary>How often <paramref name="function"/> runs, from whatever triggers it in the stack.</summary>
    public FunctionLoad Load(StackResource function)
    {
        var name = Logical(function.Str("function_name"));
        var loads = new List<FunctionLoad>();
        foreach (var m in Stack.OfType("aws_lambda_event_source_mapping").Where(m => Targets(m, "function_name", function)))
        {
            var stream = Stack.Resolve(m.Str("event_source_arn")) ?? throw Unresolved(m, "event_source_arn");
            var (rate, _, _) = StreamRecords(stream);
            var batch = m.Num("batch_size") ?? 100;
            var window = Math.Max(m.Num("maximum_batching_window_in_seconds") ?? 0, 1);
            var pf = m.Num("parallelization_factor") ?? 1;
            var lanes = Shards(stream) * pf;
            var perBatch = rate <= 0 ? 0 : Math.Clamp(rate / lanes * window, 1, batch);
            var first = A.Get($"lambda.batchMs.{name}.first", function.Address);
            var hundred = A.Get($"lambda.batchMs.{name}.hundred", function.Address);
            var ms = first + (perBatch - 1) * (hundred - first) / 99;
            loads.Add(new FunctionLoad(perBatch > 0 ? rate / perBatch : 0, ms, rate,
                Fmt($"{rate:#,0.###} records/s over {lanes:0} lanes ({Shards(stream)} shards x parallelization {pf:0}), window {window:0} s, batch <= {batch:0}: {perBatch:#,0.##} records per batch, {ms:#,0.#} ms each (linear between the benchmark's 1 and 100-record batches)")));
        }

        foreach (var t in Stack.OfType("aws_cloudwatch_event_target").Where(t => Targets(t, "arn", function)))
        {
            var rule = Stack.Resolve(t.Str("rule")) ?? throw Unresolved(t, "rule");
            var rate = RuleRate(rule);
            var ms = A.Get($"lambda.msPerInvocation.{name}", function.Address);
            loads.Add(new FunctionLoad(rate, ms, rate, Fmt($"{rate:#,0.####} events/s from rule {rule.Str("name")}, {ms:0} ms each")));
        }

        foreach (var g in Stack.OfType("aws_bedrockagent_agent_action_group").Where(g => Targets(g, "action_group_executor.lambda", function)))
        {
            var rate = AgentTurnsPerMonth * Traffic.AgentToolCallsPerTurn / SecondsPerMonth;
            var ms = A.Get($"lambda.msPerInvocation.{name}", function.Address);
            loads.Add(new FunctionLoad(rate, ms, rate, Fmt($"{Traffic.AgentSessionsPerDay} sessions/day x {Traffic.AgentTurnsPerSession} turns x {Traffic.AgentToolCallsPerTurn} tool calls (action group {g.Str("action_group_name")}), {ms:0} ms each")));
        }

        foreach (var i in Stack.OfType("aws_lambda_invocation").Where(i => Targets(i, "function_name", function)))
        {
            var perMonth = A.Get($"lambda.invocationsPerMonth.{name}", function.Address);
            var ms = A.Get($"lambda.msPerInvocation.{name}", function.Address);
            loads.Add(new FunctionLoad(perMonth / SecondsPerMonth, ms, 0, Fmt($"{perMonth:0} invocation(s) a month by {i.Address} at apply, {ms:0} ms each")));
        }

        if (loads.Count == 0)
        {
            throw new CostDataException($"{Stack.File}: nothing in the stack invokes function {function.Str("function_name")} ({function.Address}), so its cost is unknown. " +
                                        "Fix: teach Workload.Load (tools/Cost/Workload.cs) its trigger.");
        }

        var inv = loads.Sum(l => l.InvocationsPerSecond);
        var avgMs = inv > 0 ? loads.Sum(l => l.InvocationsPerSecond * l.MsPerInvocation) / inv : loads[0].MsPerInvocation;
        return new FunctionLoad(inv, avgMs, loads.Sum(l => l.RecordsPerSecond), string.Join("; ", loads.Select(l => l.Basis)));
    }

    /// <summary>Days transactions and decisions are kept (the stream processor's TRANSACTION_TTL_DAYS in the stack).</summary>
    public double TransactionTtlDays(string neededBy) =>
        Stack.OfType("aws_lambda_function").Select(f => f.Num("environment.variables.TRANSACTION_TTL_DAYS")).FirstOrDefault(d => d is not null)
        ?? throw new CostDataException($"{Stack.File}: no function sets TRANSACTION_TTL_DAYS, which {neededBy} needs for its item count. Fix: keep the variable, or adapt tools/Cost.");

    public CostDataException Unresolved(StackResource r, string attribute) =>
        new($"{Stack.File}: {r.Address}.{attribute} references no resource of the stack. Fix: reference a resource of the same stack.");

    public static string Fmt(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
