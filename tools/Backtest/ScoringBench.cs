using System.Diagnostics;
using FraudTf.Functions.Shared.Transactions;

namespace FraudTf.Backtest;

/// <summary>One timed run: records per second of the scorer and of the baseline (the parser over the same records).</summary>
/// <param name="ScoringPerSecond">FraudScorer.Score calls per second.</param>
/// <param name="ParsingPerSecond">TransactionParser.Parse calls per second over the same records' bytes.</param>
public readonly record struct BenchRun(double ScoringPerSecond, double ParsingPerSecond);

/// <summary>
/// Scoring throughput in process: <see cref="FraudScorer.Score"/> over the replay's pre-parsed transactions with the
/// profiles and velocity counts they were scored with (generation, parsing and state updates excluded), passes over
/// the set until at least <c>minSeconds</c> elapsed (after as long a warm-up); the baseline, measured in the same run, is
/// <see cref="TransactionParser.Parse"/> over the same records' bytes. One thread (pin the process to one core).
/// </summary>
public static class ScoringBench
{
    /// <summary>Times scoring and parsing of <paramref name="scored"/>, once each.</summary>
    public static BenchRun Run(IReadOnlyList<ScoredRecord> scored, ScoringRules rules, DateTimeOffset now, double minSeconds = 1.0)
    {
        var items = scored.ToArray();
        IReadOnlyList<FraudPattern> patterns = [];
        long sink = 0;
        var scoring = Time(minSeconds, items.Length, () =>
        {
            foreach (var s in items)
            {
                sink += (int)FraudScorer.Score(s.Transaction, s.ProfileBefore, s.Recent, patterns, rules).Decision;
            }
        });
        var parsing = Time(minSeconds, items.Length, () =>
        {
            foreach (var s in items)
            {
                sink += TransactionParser.Parse(s.Record.Data, now).IsValid ? 1 : 0;
            }
        });
        GC.KeepAlive(sink);
        return new BenchRun(scoring, parsing);
    }

    private static double Time(double minSeconds, int perPass, Action pass)
    {
        // Warm-up for as long as a measurement: tiered compilation replaces the first-tier code (and on-stack replaces
        // the loops) only after many calls, which a single pass does not reach (seen here: 3x faster from the 4th run on).
        var watch = Stopwatch.StartNew();
        do
        {
            pass();
        }
        while (watch.Elapsed.TotalSeconds < minSeconds);

        watch.Restart();
        long records = 0;
        do
        {
            pass();
            records += perPass;
        }
        while (watch.Elapsed.TotalSeconds < minSeconds);

        return records / watch.Elapsed.TotalSeconds;
    }
}
