namespace FraudTf.Backtest;

/// <summary>One scored record reduced to what the metrics need.</summary>
/// <param name="Scenario">Its scenario label.</param>
/// <param name="IsFraud">Its ground truth.</param>
/// <param name="Score">The score the decision compares with the thresholds.</param>
public readonly record struct LabelledScore(string Scenario, bool IsFraud, double Score);

/// <summary>Counts of a confusion matrix; flagged = REVIEW or DECLINE (score at or above the review threshold).</summary>
/// <param name="TruePositives">Fraud, flagged.</param>
/// <param name="FalseNegatives">Fraud, approved.</param>
/// <param name="FalsePositives">Legitimate, flagged.</param>
/// <param name="TrueNegatives">Legitimate, approved.</param>
public readonly record struct Confusion(int TruePositives, int FalseNegatives, int FalsePositives, int TrueNegatives)
{
    /// <summary>Fraudulent records.</summary>
    public int Fraud => TruePositives + FalseNegatives;

    /// <summary>Legitimate records.</summary>
    public int Legitimate => FalsePositives + TrueNegatives;

    /// <summary>Flagged records.</summary>
    public int Flagged => TruePositives + FalsePositives;

    /// <summary>Fraud among the flagged: TP / (TP + FP); null when nothing is flagged.</summary>
    public double? Precision => Flagged == 0 ? null : (double)TruePositives / Flagged;

    /// <summary>Flagged among the fraud: TP / (TP + FN); null without fraud.</summary>
    public double? Recall => Fraud == 0 ? null : (double)TruePositives / Fraud;

    /// <summary>Flagged among the legitimate: FP / (FP + TN); null without legitimate records.</summary>
    public double? FalsePositiveRate => Legitimate == 0 ? null : (double)FalsePositives / Legitimate;

    /// <summary>Harmonic mean of precision and recall; null when either is undefined, 0 when both are 0.</summary>
    public double? F1 => Precision is not { } p || Recall is not { } r ? null : p + r == 0 ? 0 : 2 * p * r / (p + r);

    /// <summary>The confusion of <paramref name="scores"/> at <paramref name="threshold"/> (flagged when score &gt;= threshold, as <c>FraudScorer</c> compares).</summary>
    public static Confusion Of(IEnumerable<LabelledScore> scores, double threshold)
    {
        int tp = 0, fn = 0, fp = 0, tn = 0;
        foreach (var s in scores)
        {
            var flagged = s.Score >= threshold;
            if (s.IsFraud)
            {
                if (flagged) tp++; else fn++;
            }
            else
            {
                if (flagged) fp++; else tn++;
            }
        }

        return new Confusion(tp, fn, fp, tn);
    }
}

/// <summary>The figures of one scenario at one threshold.</summary>
/// <param name="Scenario">The scenario.</param>
/// <param name="Counts">Its confusion counts.</param>
public sealed record ScenarioMetrics(string Scenario, Confusion Counts);

/// <summary>One row of the threshold sweep.</summary>
/// <param name="Threshold">The review threshold tried.</param>
/// <param name="Counts">The overall confusion at it.</param>
/// <param name="IsEnvironment">True for the environment's own review threshold.</param>
public sealed record SweepPoint(double Threshold, Confusion Counts, bool IsEnvironment);

/// <summary>The backtest's arithmetic: per scenario, overall, and the threshold sweep.</summary>
public static class BacktestMetrics
{
    /// <summary>Per scenario (in <paramref name="order"/>, then any other scenario by name), at <paramref name="threshold"/>.</summary>
    public static IReadOnlyList<ScenarioMetrics> PerScenario(IReadOnlyList<LabelledScore> scores, double threshold, IReadOnlyList<string> order) =>
        scores.GroupBy(s => s.Scenario, StringComparer.Ordinal)
            .OrderBy(g => order.Contains(g.Key) ? order.ToList().IndexOf(g.Key) : int.MaxValue).ThenBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => new ScenarioMetrics(g.Key, Confusion.Of(g, threshold))).ToList();

    /// <summary>The review thresholds of the sweep: 0.05 to 0.95 in steps of 0.05, plus <paramref name="environment"/> when off the grid.</summary>
    public static IReadOnlyList<double> Thresholds(double environment) =>
        Enumerable.Range(1, 19).Select(i => Math.Round(i * 0.05, 2)).Append(environment).Distinct().Order().ToList();

    /// <summary>The overall confusion at each of <see cref="Thresholds"/>, marking <paramref name="environment"/>.</summary>
    public static IReadOnlyList<SweepPoint> Sweep(IReadOnlyList<LabelledScore> scores, double environment) =>
        Thresholds(environment).Select(t => new SweepPoint(t, Confusion.Of(scores, t), t == environment)).ToList();
}
