using FraudTf.Backtest;

// make backtest [ENV=dev] [SEED=42]: FraudTf.Backtest --env dev --seed 42 [--rate 100] [--duration 600] [--out cdktf.out]
// bench/scoring.sh: FraudTf.Backtest --bench [--runs 5] (scoring and parsing throughput, one line per run, then medians)
try
{
    var o = new BacktestOptions();
    var bench = false;
    var runs = 5;
    for (var i = 0; i < args.Length; i++)
    {
        string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value. Fix: e.g. {args[i]} 42.");
        switch (args[i])
        {
            case "--env": o = o with { Environment = Value().Trim() is { Length: > 0 } e ? e : "dev" }; break;
            case "--seed": o = o with { Seed = ParseInt("--seed", Value()) }; break;
            case "--rate": o = o with { RecordsPerSecond = ParseInt("--rate", Value()) }; break;
            case "--duration": o = o with { Duration = TimeSpan.FromSeconds(ParseInt("--duration", Value())) }; break;
            case "--out": o = o with { OutDir = Value() }; break;
            case "--bench": bench = true; break;
            case "--runs": runs = ParseInt("--runs", Value()); break;
            default: throw new ArgumentException($"unknown argument '{args[i]}'. Fix: use --env, --seed, --rate, --duration, --out, --bench, --runs.");
        }
    }

    var result = BacktestRun.Execute(o);
    if (bench)
    {
        // A discarded warm-up run of 3 s each: on one pinned core, tiered compilation's background JIT (tier 0 ->
        // instrumented -> tier 1) took the first two or three 2-second runs to finish (seen: 3x slower, both loops).
        ScoringBench.Run(result.Replay.Scored, result.Rules, o.Anchor, minSeconds: 3);
        var list = new List<BenchRun>();
        for (var r = 1; r <= runs; r++)
        {
            var run = ScoringBench.Run(result.Replay.Scored, result.Rules, o.Anchor);
            list.Add(run);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"run {r}: scoring {run.ScoringPerSecond:0} records/s, parsing {run.ParsingPerSecond:0} records/s"));
        }

        static double Median(IEnumerable<double> v) { var s = v.Order().ToList(); return s[(s.Count - 1) / 2]; }
        var scoring = Median(list.Select(l => l.ScoringPerSecond));
        var parsing = Median(list.Select(l => l.ParsingPerSecond));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"scoring: {scoring:0} records/s (median of {runs}; min {list.Min(l => l.ScoringPerSecond):0}, max {list.Max(l => l.ScoringPerSecond):0}) over {result.Replay.Scored.Count} pre-parsed transactions; goal > 1,000,000"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"baseline, TransactionParser.Parse of the same records: {parsing:0} records/s (median of {runs}); scoring / parsing: {scoring / parsing:0.00}"));
        return 0;
    }

    var path = BacktestRun.WriteReport(result);
    Console.Write(BacktestReport.Summary(result, path));
    return 0;
}
catch (Exception e) when (e is ArgumentException or FileNotFoundException or InvalidOperationException or FraudTf.Functions.Shared.Settings.SettingsException)
{
    Console.Error.WriteLine($"error: {e.Message}");
    return 2;
}

static int ParseInt(string name, string v) => int.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && n > 0
    ? n
    : throw new ArgumentException($"{name} is '{v}'. Fix: give a whole number above 0.");
