using FraudTf.Functions.Shared.Transactions;
using FraudTf.Functions.StreamProcessor.Scoring;
using FraudTf.Local.Traffic;

namespace FraudTf.Backtest;

/// <summary>One record the replay scored, with what the scorer was given.</summary>
/// <param name="Index">Position of the record in send order.</param>
/// <param name="Record">The generated record and its label.</param>
/// <param name="Transaction">The transaction as <see cref="TransactionParser"/> read it.</param>
/// <param name="ProfileBefore">The user's profile the scorer saw (before this transaction).</param>
/// <param name="Recent">The velocity count the scorer saw (the user's transactions in the window, this one included).</param>
/// <param name="Result">The scorer's result.</param>
/// <param name="RawScore">The score the decision compares: the fired rules' weights summed and capped at 1, unrounded (<see cref="ScoreResult.Score"/> is rounded to 4 places).</param>
public sealed record ScoredRecord(int Index, LabelledRecord Record, Transaction Transaction, UserProfile ProfileBefore, int Recent, ScoreResult Result, double RawScore);

/// <summary>What the replay did with the records.</summary>
/// <param name="Scored">The scored records, in send order.</param>
/// <param name="Rejected">Records the parser rejected, per scenario (quarantined by the deployed function, never scored).</param>
/// <param name="Duplicates">Records skipped because their transaction id was already stored, per scenario.</param>
/// <param name="Profiles">Every user's profile after the last record.</param>
public sealed record ReplayResult(
    IReadOnlyList<ScoredRecord> Scored,
    IReadOnlyDictionary<string, int> Rejected,
    IReadOnlyDictionary<string, int> Duplicates,
    IReadOnlyDictionary<string, UserProfile> Profiles);

/// <summary>
/// The stream processor's decision path (functions/StreamProcessor/Function.cs, TransactionStore.cs) replayed in
/// process over labelled records, one at a time in send order. What it reproduces, step by step:
/// <list type="bullet">
/// <item>parse with <see cref="TransactionParser.Parse"/> at a fixed "now" (the traffic's anchor: every event time lies
/// before it); a rejected record is counted under its scenario and not scored (the function quarantines it);</item>
/// <item>skip a transaction id already stored (the function's <c>ExistingIds</c> check and the conditional put);</item>
/// <item>velocity: the user's stored transaction timestamps in [t - VelocityWindowMinutes, t], plus one for this
/// transaction (the function queries byUserTime BETWEEN the batch's first timestamp minus the window and its last one,
/// then counts <c>ts &gt;= t - window &amp;&amp; ts &lt;= t</c>, + 1: the same set, whatever the batching);</item>
/// <item><see cref="FraudScorer.Score"/>(t, profile, recent, patterns: [], rules);</item>
/// <item>after every save, whatever the decision, the profile becomes <see cref="UserProfile.With"/>(t) and the timestamp
/// joins the user's history: today's behaviour (issue 16: fraud trains the profile), reproduced, not fixed.</item>
/// </list>
/// Where it differs from the deployed path: no DynamoDB (state in memory, so no throttling, retries, profile conflicts or
/// TTL expiry), no concurrency (one record at a time: the deployed mapping's parallelization factor can process one
/// user's records only in order too, so decisions are the same), no corrupt stored rows, no base64 layer, and no
/// patterns: the patterns table is empty in a fresh environment (as in make local), so the replay passes none.
/// </summary>
public sealed class ScoringReplay(ScoringRules rules, DateTimeOffset now)
{
    /// <summary>The rules scored with.</summary>
    public ScoringRules Rules { get; } = rules;

    /// <summary>Replays <paramref name="records"/> in order.</summary>
    public ReplayResult Run(IReadOnlyList<LabelledRecord> records)
    {
        var window = TimeSpan.FromMinutes(Rules.VelocityWindowMinutes);
        var stored = new HashSet<string>(StringComparer.Ordinal);
        var profiles = new Dictionary<string, UserProfile>(StringComparer.Ordinal);
        var history = new Dictionary<string, List<DateTimeOffset>>(StringComparer.Ordinal);
        var rejected = new Dictionary<string, int>(StringComparer.Ordinal);
        var duplicates = new Dictionary<string, int>(StringComparer.Ordinal);
        var scored = new List<ScoredRecord>(records.Count);
        IReadOnlyList<FraudPattern> patterns = [];
        for (var i = 0; i < records.Count; i++)
        {
            var record = records[i];
            if (TransactionParser.Parse(record.Data, now).Transaction is not { } t)
            {
                rejected[record.Scenario] = rejected.GetValueOrDefault(record.Scenario) + 1;
                continue;
            }

            if (stored.Contains(t.TransactionId))
            {
                duplicates[record.Scenario] = duplicates.GetValueOrDefault(record.Scenario) + 1;
                continue;
            }

            if (!history.TryGetValue(t.UserId, out var times))
            {
                times = [];
                history[t.UserId] = times;
            }

            var recent = CountInWindow(times, t.Timestamp - window, t.Timestamp) + 1;
            var profile = profiles.GetValueOrDefault(t.UserId) ?? new UserProfile();
            var result = FraudScorer.Score(t, profile, recent, patterns, Rules);
            scored.Add(new ScoredRecord(i, record, t, profile, recent, result, RawScore(result)));

            // The save: transaction stored, profile learnt from it (every decision), timestamp in the user's history.
            stored.Add(t.TransactionId);
            profiles[t.UserId] = profile.With(t);
            var at = times.BinarySearch(t.Timestamp);
            times.Insert(at < 0 ? ~at : at, t.Timestamp);
        }

        return new ReplayResult(scored, rejected, duplicates, profiles);
    }

    /// <summary>The score the scorer compares with its thresholds: the sum of the fired rules' weights, capped at 1 (the same expression, unrounded).</summary>
    public static double RawScore(ScoreResult result) => Math.Min(1.0, result.Reasons.Sum(r => r.Weight));

    // Timestamps in [from, to] of a sorted list (equal timestamps allowed).
    private static int CountInWindow(List<DateTimeOffset> sorted, DateTimeOffset from, DateTimeOffset to) =>
        UpperBound(sorted, to) - LowerBound(sorted, from);

    private static int LowerBound(List<DateTimeOffset> sorted, DateTimeOffset value)
    {
        int lo = 0, hi = sorted.Count;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (sorted[mid] < value) lo = mid + 1; else hi = mid;
        }

        return lo;
    }

    private static int UpperBound(List<DateTimeOffset> sorted, DateTimeOffset value)
    {
        int lo = 0, hi = sorted.Count;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (sorted[mid] <= value) lo = mid + 1; else hi = mid;
        }

        return lo;
    }
}
