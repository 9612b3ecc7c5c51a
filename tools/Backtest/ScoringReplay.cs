using FraudTf.Functions.Shared.Transactions;
using FraudTf.Functions.StreamProcessor;

namespace FraudTf.Backtest;

/// <summary>One record the replay scored, with what the scorer was given.</summary>
/// <param name="Index">Position of the record in send order.</param>
/// <param name="Record">The generated record and its label.</param>
/// <param name="Transaction">The transaction as <see cref="TransactionParser"/> read it.</param>
/// <param name="ProfileBefore">The user's profile the scorer saw (before this transaction).</param>
/// <param name="Recent">The user's stored transactions the scorer saw (any decision, within the longest rule window before this one).</param>
/// <param name="Result">The scorer's result.</param>
/// <param name="RawScore">The score the decision compares: the fired rules' weights summed and capped at 1, unrounded (<see cref="ScoreResult.Score"/> is rounded to 4 places).</param>
public sealed record ScoredRecord(int Index, LabelledRecord Record, Transaction Transaction, UserProfile ProfileBefore, IReadOnlyList<RecentTransaction> Recent, ScoreResult Result, double RawScore);

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
/// <item>the user's stored transactions (any decision) in [t - LongestWindow, t], with their reference amounts (the
/// function queries byUserTime BETWEEN the batch's first timestamp minus the longest window and its last one; the scorer
/// counts what lies in each rule's window, so the batching does not change the result);</item>
/// <item><see cref="FraudScorer.Score"/>(t, profile, activity, patterns: [], rules);</item>
/// <item>after every save the transaction joins the user's activity, and the profile learns it only when the decision
/// is APPROVE (<see cref="TransactionStore.LearnsFrom"/>, the function's own rule): fraud never trains the profile. The
/// replay has no analyst, so a REVIEW is never learnt later.</item>
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
        var window = Rules.LongestWindow;
        var stored = new HashSet<string>(StringComparer.Ordinal);
        var profiles = new Dictionary<string, UserProfile>(StringComparer.Ordinal);
        var history = new Dictionary<string, List<RecentTransaction>>(StringComparer.Ordinal);
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

            var recent = InWindow(times, t.Timestamp - window, t.Timestamp);
            var profile = profiles.GetValueOrDefault(t.UserId) ?? new UserProfile();
            var result = FraudScorer.Score(t, profile, recent, patterns, Rules);
            scored.Add(new ScoredRecord(i, record, t, profile, recent, result, RawScore(result)));

            // The save: transaction stored (every decision), the profile learns only what the function would learn.
            stored.Add(t.TransactionId);
            if (TransactionStore.LearnsFrom(result.Decision))
            {
                profiles[t.UserId] = profile.Learn(t, result.ReferenceAmount);
            }
            else
            {
                profiles.TryAdd(t.UserId, profile);
            }

            var entry = new RecentTransaction(t.Timestamp, result.ReferenceAmount);
            var at = LowerBound(times, t.Timestamp);
            times.Insert(at, entry);
        }

        return new ReplayResult(scored, rejected, duplicates, profiles);
    }

    /// <summary>The score the scorer compares with its thresholds: the sum of the fired rules' weights, capped at 1 (the scorer's own expression, unrounded).</summary>
    public static double RawScore(ScoreResult result) => FraudScorer.RawScore(result.Reasons);

    // Entries in [from, to] of a list sorted by time (equal timestamps allowed).
    private static List<RecentTransaction> InWindow(List<RecentTransaction> sorted, DateTimeOffset from, DateTimeOffset to) =>
        sorted.GetRange(LowerBound(sorted, from), UpperBound(sorted, to) - LowerBound(sorted, from));

    private static int LowerBound(List<RecentTransaction> sorted, DateTimeOffset value)
    {
        int lo = 0, hi = sorted.Count;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (sorted[mid].Timestamp < value) lo = mid + 1; else hi = mid;
        }

        return lo;
    }

    private static int UpperBound(List<RecentTransaction> sorted, DateTimeOffset value)
    {
        int lo = 0, hi = sorted.Count;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (sorted[mid].Timestamp <= value) lo = mid + 1; else hi = mid;
        }

        return lo;
    }
}
