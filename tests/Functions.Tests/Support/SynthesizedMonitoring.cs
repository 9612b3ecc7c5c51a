using System.Text.Json.Nodes;

namespace FraudTf.Functions.Tests.Support;

/// <summary>A metric an alarm or a dashboard widget of the synthesized stack reads.</summary>
/// <param name="Namespace">Namespace.</param>
/// <param name="Name">Metric name.</param>
/// <param name="Dimensions">Dimension name to value.</param>
/// <param name="ReadBy">The alarm or widget that reads it.</param>
public sealed record ReadMetric(string Namespace, string Name, IReadOnlyDictionary<string, string> Dimensions, string ReadBy);

/// <summary>A log metric filter of the synthesized stack.</summary>
/// <param name="Address">Resource name in the stack.</param>
/// <param name="Pattern">The filter pattern.</param>
/// <param name="LogGroup">The log group reference it filters.</param>
/// <param name="MetricNamespace">Namespace of the metric it publishes.</param>
/// <param name="MetricName">Name of the metric it publishes.</param>
public sealed record SynthesizedFilter(string Address, string Pattern, string LogGroup, string MetricNamespace, string MetricName);

/// <summary>Reads the monitoring of a stack synthesized by <c>make synth</c>: what alarms and dashboards read, the metric filters, the functions.</summary>
public static class SynthesizedMonitoring
{
    /// <summary>Every metric of <paramref name="ns"/> that an alarm or the dashboard reads.</summary>
    public static IReadOnlyList<ReadMetric> ReadMetrics(JsonObject stack, string ns)
    {
        var result = new List<ReadMetric>();
        foreach (var (name, alarm) in stack["resource"]?["aws_cloudwatch_metric_alarm"] as JsonObject ?? [])
        {
            if (alarm!["namespace"]?.GetValue<string>() == ns)
            {
                var dims = (alarm["dimensions"] as JsonObject ?? []).ToDictionary(p => p.Key, p => p.Value!.GetValue<string>(), StringComparer.Ordinal);
                result.Add(new ReadMetric(ns, alarm["metric_name"]!.GetValue<string>(), dims, $"alarm {name}"));
            }
        }

        foreach (var (name, dashboard) in stack["resource"]?["aws_cloudwatch_dashboard"] as JsonObject ?? [])
        {
            var body = JsonNode.Parse(dashboard!["dashboard_body"]!.GetValue<string>())!;
            foreach (var widget in body["widgets"]!.AsArray())
            {
                foreach (var line in widget!["properties"]?["metrics"] as JsonArray ?? [])
                {
                    var parts = line!.AsArray().Where(p => p is JsonValue).Select(p => p!.GetValue<string>()).ToList();
                    if (parts.Count >= 2 && parts[0] == ns)
                    {
                        var dims = new Dictionary<string, string>(StringComparer.Ordinal);
                        for (var i = 2; i + 1 < parts.Count; i += 2)
                        {
                            dims[parts[i]] = parts[i + 1];
                        }

                        result.Add(new ReadMetric(ns, parts[1], dims, $"dashboard {name}, widget '{widget["properties"]!["title"]}'"));
                    }
                }
            }
        }

        return result;
    }

    /// <summary>The stack's log metric filters.</summary>
    public static IReadOnlyList<SynthesizedFilter> MetricFilters(JsonObject stack) =>
        (stack["resource"]?["aws_cloudwatch_log_metric_filter"] as JsonObject ?? [])
        .Select(p => new SynthesizedFilter(p.Key, p.Value!["pattern"]!.GetValue<string>(), p.Value["log_group_name"]!.GetValue<string>(),
            p.Value["metric_transformation"]!["namespace"]!.GetValue<string>(), p.Value["metric_transformation"]!["name"]!.GetValue<string>()))
        .ToList();

    /// <summary>The stack's Lambda functions, by the assembly of their handler (e.g. FraudTf.Functions.StreamProcessor).</summary>
    public static IReadOnlyList<(string Address, string Assembly, JsonObject Function)> Functions(JsonObject stack) =>
        (stack["resource"]?["aws_lambda_function"] as JsonObject ?? [])
        .Select(p => (p.Key, p.Value!["handler"]!.GetValue<string>().Split("::")[0], p.Value.AsObject()))
        .ToList();

    /// <summary>The single function whose handler is in <paramref name="assembly"/>.</summary>
    public static JsonObject Function(JsonObject stack, string assembly)
    {
        var matches = Functions(stack).Where(f => f.Assembly == assembly).ToList();
        Assert.That(matches, Has.Count.EqualTo(1), $"expected one function of {assembly} in the synthesized stack");
        return matches[0].Function;
    }

    /// <summary>A function's environment variables as synthesized (values may be Terraform references).</summary>
    public static IReadOnlyDictionary<string, string> Variables(JsonObject function) =>
        (function["environment"]?["variables"] as JsonObject ?? []).ToDictionary(p => p.Key, p => p.Value!.GetValue<string>(), StringComparer.Ordinal);

    /// <summary>The log group reference of a function (<c>logging_config.log_group</c>).</summary>
    public static string LogGroup(JsonObject function) => function["logging_config"]!["log_group"]!.GetValue<string>();

    /// <summary>The function's log format (Text when unset, Lambda's default).</summary>
    public static LambdaLogFormat LogFormat(JsonObject function) =>
        function["logging_config"]?["log_format"]?.GetValue<string>() == "JSON" ? LambdaLogFormat.Json : LambdaLogFormat.Text;
}
