using FraudTf.Local.Stack;

namespace FraudTf.Backtest;

/// <summary>What to backtest.</summary>
public sealed record BacktestOptions
{
    /// <summary>The environment whose synthesized stack gives the rules.</summary>
    public string Environment { get; init; } = "dev";

    /// <summary>Seed of the traffic generator.</summary>
    public int Seed { get; init; } = 42;

    /// <summary>Records per second of the generated traffic (times <see cref="Duration"/>: the record count).</summary>
    public double RecordsPerSecond { get; init; } = 100;

    /// <summary>Length of the generated run (100 records/s x 600 s = 60,000 records).</summary>
    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(600);

    /// <summary>The end of the simulated day (and the parser's "now"). Default: today's UTC midnight, as make local.</summary>
    public DateTimeOffset Anchor { get; init; } = new(DateTime.UtcNow.Date, TimeSpan.Zero);

    /// <summary>The cdktf.out folder: stacks are read from it, the report written to it.</summary>
    public string OutDir { get; init; } = "cdktf.out";
}

/// <summary>The outcome of a backtest: inputs, the replay's counts, and the figures.</summary>
/// <param name="Options">What was run.</param>
/// <param name="StackPath">The stack the rules were read from.</param>
/// <param name="RawRules">The stack's SCORING_RULES value (null when unset).</param>
/// <param name="Rules">The effective rules.</param>
/// <param name="Records">Generated records.</param>
/// <param name="Replay">The replay's result.</param>
public sealed record BacktestResult(BacktestOptions Options, string StackPath, string? RawRules, ScoringRules Rules, IReadOnlyList<LabelledRecord> Records, ReplayResult Replay)
{
    /// <summary>The scored records reduced to label and score.</summary>
    public IReadOnlyList<LabelledScore> Scores { get; } = Replay.Scored.Select(s => new LabelledScore(s.Record.Scenario, s.Record.IsFraud, s.RawScore)).ToList();

    /// <summary>Per scenario at the environment's review threshold.</summary>
    public IReadOnlyList<ScenarioMetrics> PerScenario => BacktestMetrics.PerScenario(Scores, Rules.ReviewThreshold, Scenarios.All);

    /// <summary>Overall at the environment's review threshold.</summary>
    public Confusion Overall => Confusion.Of(Scores, Rules.ReviewThreshold);

    /// <summary>The threshold sweep.</summary>
    public IReadOnlyList<SweepPoint> Sweep => BacktestMetrics.Sweep(Scores, Rules.ReviewThreshold);
}

/// <summary>Runs a backtest (generate, replay, measure) and writes its report.</summary>
public static class BacktestRun
{
    /// <summary>Generates the traffic of <paramref name="o"/> and replays it with the rules of its environment's stack.</summary>
    public static BacktestResult Execute(BacktestOptions o)
    {
        var stack = LoadStack(o.OutDir, o.Environment);
        var (rules, raw) = StackRules.FromStack(stack);
        var traffic = TrafficGenerator.Generate(new TrafficOptions { Seed = o.Seed, RecordsPerSecond = o.RecordsPerSecond, Duration = o.Duration, Start = o.Anchor });
        var replay = new ScoringReplay(rules, o.Anchor).Run(traffic.Records);
        return new BacktestResult(o, stack.Path, raw, rules, traffic.Records, replay);
    }

    /// <summary>The stack of <paramref name="environment"/>, or an error naming the environments that are synthesized.</summary>
    public static LocalStack LoadStack(string outDir, string environment)
    {
        var path = Path.Combine(outDir, "stacks", $"fraud-detection-{environment}", "cdk.tf.json");
        if (!File.Exists(path))
        {
            var known = Directory.Exists(Path.Combine(outDir, "stacks"))
                ? Directory.GetDirectories(Path.Combine(outDir, "stacks"), "fraud-detection-*").Select(Path.GetFileName)
                    .Where(n => !n!.StartsWith("fraud-detection-bootstrap-", StringComparison.Ordinal)).Select(n => n!["fraud-detection-".Length..]).Order(StringComparer.Ordinal).ToList()
                : [];
            throw new FileNotFoundException(known.Count == 0
                ? $"{path} does not exist: nothing is synthesized in {outDir}. Fix: run 'make backtest' (it synthesizes first) or 'make synth'."
                : $"{path} does not exist: environment '{environment}' is not synthesized (synthesized: {string.Join(", ", known)}). Fix: ENV must name a file of environments/, e.g. make backtest ENV={known[0]}.");
        }

        return LocalStack.Load(outDir, environment);
    }

    /// <summary>Writes <c>backtest-&lt;env&gt;.md</c> and its precision-recall chart into the out folder; returns the report's path.</summary>
    public static string WriteReport(BacktestResult r)
    {
        Directory.CreateDirectory(r.Options.OutDir);
        var chart = $"backtest-{r.Options.Environment}-pr.svg";
        File.WriteAllText(Path.Combine(r.Options.OutDir, chart), BacktestReport.PrecisionRecallChart(r));
        var path = Path.Combine(r.Options.OutDir, $"backtest-{r.Options.Environment}.md");
        File.WriteAllText(path, BacktestReport.Markdown(r, chart));
        return path;
    }

    internal static string Inv(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
