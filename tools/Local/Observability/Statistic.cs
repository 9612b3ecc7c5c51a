using System.Text.RegularExpressions;

namespace FraudTf.Local.Observability;

/// <summary>
/// A CloudWatch statistic over the raw values of one period (CloudWatch user guide, "CloudWatch statistics definitions"):
/// <c>SampleCount</c>, <c>Sum</c>, <c>Average</c> (Sum/SampleCount), <c>Minimum</c>, <c>Maximum</c>, and percentiles
/// <c>pNN</c> / <c>pNN.NN</c>. A percentile follows the guide's definition: "p99 ... ignore[s] the 1% of the data points with
/// the highest values ... p99 is the maximum value of the remaining 99%", i.e. the nearest-rank value: sorted ascending,
/// the value at rank ⌈p/100 · n⌉. Differs from AWS: CloudWatch computes percentiles of large sets approximately; this is
/// exact. Other extended statistics (tm, wm, tc, ts, PR, IQM) are refused.
/// </summary>
public sealed partial class Statistic
{
    private readonly Func<IReadOnlyList<double>, double> _of;

    private Statistic(string name, Func<IReadOnlyList<double>, double> of)
    {
        Name = name;
        _of = of;
    }

    /// <summary>The statistic as written (<c>Sum</c>, <c>p99</c>, …).</summary>
    public string Name { get; }

    /// <summary>The percentile (0–100] when this is one, else null.</summary>
    public double? Percentile { get; private init; }

    /// <summary>Parses <paramref name="statistic"/>; <paramref name="owner"/> names who uses it, for the error.</summary>
    public static Statistic Parse(string statistic, string owner)
    {
        switch (statistic)
        {
            case "SampleCount":
                return new(statistic, v => v.Count);
            case "Sum":
                return new(statistic, v => v.Sum());
            case "Average":
                return new(statistic, v => v.Count == 0 ? double.NaN : v.Sum() / v.Count);
            case "Minimum":
                return new(statistic, v => v.Count == 0 ? double.NaN : v.Min());
            case "Maximum":
                return new(statistic, v => v.Count == 0 ? double.NaN : v.Max());
        }

        var m = PercentileSyntax().Match(statistic);
        if (m.Success)
        {
            var p = double.Parse(m.Groups[1].Value, NumberStyles.Float, CultureInfo.InvariantCulture);
            if (p is > 0 and <= 100)
            {
                return new(statistic, v => NearestRank(v, p)) { Percentile = p };
            }
        }

        throw new NotSupportedException($"{owner}: statistic '{statistic}' is not implemented locally (Sum, Average, Minimum, Maximum, SampleCount and pNN are). Fix: use one of those, or teach Statistic this one.");
    }

    /// <summary>The statistic of <paramref name="values"/> (NaN for an empty set, except SampleCount and Sum).</summary>
    public double Of(IReadOnlyList<double> values) => _of(values);

    /// <summary>The nearest-rank percentile <paramref name="p"/> (0–100] of <paramref name="values"/>; NaN when empty.</summary>
    public static double NearestRank(IReadOnlyList<double> values, double p)
    {
        if (values.Count == 0)
        {
            return double.NaN;
        }

        var sorted = values.Order().ToArray();
        var rank = (int)Math.Ceiling(Math.Round(p / 100 * sorted.Length, 9));
        return sorted[Math.Clamp(rank, 1, sorted.Length) - 1];
    }

    [GeneratedRegex(@"^p(\d{1,2}(?:\.\d{1,2})?|100)$")]
    private static partial Regex PercentileSyntax();
}
