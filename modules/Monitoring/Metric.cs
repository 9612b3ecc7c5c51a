namespace FraudTf.Monitoring;

/// <summary>
/// One CloudWatch metric with the statistic to read it by: what to measure, as returned by the constructs'
/// <c>MetricXxx()</c> helpers. Dimensions are literal names, so every alarm and widget names exactly one resource.
/// </summary>
/// <param name="Namespace">e.g. AWS/Lambda or FraudDetection.</param>
/// <param name="MetricName">e.g. Errors.</param>
/// <param name="Dimensions">e.g. FunctionName = fraud-detection-stream-processor-dev.</param>
/// <param name="Statistic">Sum, Average, Maximum, Minimum, SampleCount, or a percentile such as p99.</param>
/// <param name="Label">Human label for dashboards.</param>
/// <param name="PeriodSeconds">Aggregation period. Default 60.</param>
public sealed record Metric(string Namespace, string MetricName, IReadOnlyDictionary<string, string> Dimensions, string Statistic, string Label, int PeriodSeconds = 60)
{
    /// <summary>True for percentile statistics (alarms use extended_statistic for those).</summary>
    public bool IsPercentile => Statistic.StartsWith('p');
}
