namespace FraudTf.Local.Traffic;

/// <summary>
/// Issue 16's detection goals over the labelled scenarios, measured at prod's thresholds by <c>make backtest</c> and
/// <c>make local</c> alike: overall recall of the fraud scenarios' fraudulent records, and the false-positive rate on
/// every legitimate valid record (including the history a fraud scenario builds first).
/// </summary>
public static class DetectionGoals
{
    /// <summary>Overall recall at least this.</summary>
    public const double Recall = 0.9;

    /// <summary>False-positive rate on legitimate traffic at most this.</summary>
    public const double FalsePositiveRate = 0.01;

    /// <summary>One line: each goal, the measured value, met or not (null values: not measured).</summary>
    public static string Verdict(double? recall, double? falsePositiveRate) => string.Create(CultureInfo.InvariantCulture,
        $"recall >= {Recall} {Judge(recall, r => r >= Recall)}, false-positive rate <= {FalsePositiveRate:0%} {Judge(falsePositiveRate, f => f <= FalsePositiveRate)}");

    private static string Judge(double? value, Func<double, bool> met) =>
        value is not { } v ? "not measured" : met(v) ? "met" : "NOT met";
}
