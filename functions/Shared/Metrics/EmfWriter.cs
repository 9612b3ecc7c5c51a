using System.Text.Json;
using FraudTf.Functions.Shared.Logging;

namespace FraudTf.Functions.Shared.Metrics;

/// <summary>A metric value with its CloudWatch unit.</summary>
/// <param name="Name">Metric name.</param>
/// <param name="Value">Value.</param>
/// <param name="Unit">CloudWatch unit: Count, Milliseconds, None, ... (<see cref="MetricUnits"/>).</param>
public sealed record MetricValue(string Name, double Value, string Unit);

/// <summary>
/// Writes metrics in CloudWatch Embedded Metric Format: one JSON document per call, on the raw standard output
/// (<see cref="StructuredOutput"/>), so the document is the root object of its log event and CloudWatch Logs extracts
/// metrics of <see cref="PlatformMetrics.Namespace"/> from it ("Specification: Embedded metric format": the <c>_aws</c>
/// member must be at the root). Written through <c>Console</c>, the same document would be prefixed or escaped by the
/// Lambda runtime and yield no metric and no error.
/// </summary>
public sealed class EmfWriter
{
    /// <summary>The metric namespace of the platform (<see cref="PlatformMetrics.Namespace"/>).</summary>
    public const string Namespace = PlatformMetrics.Namespace;

    private readonly StructuredOutput _out;
    private readonly Func<DateTimeOffset> _clock;

    /// <summary>Creates a writer to <paramref name="output"/>; <paramref name="clock"/> gives the timestamp (UTC now by default).</summary>
    public EmfWriter(StructuredOutput output, Func<DateTimeOffset>? clock = null)
    {
        _out = output;
        _clock = clock ?? (() => DateTimeOffset.UtcNow);
    }

    /// <summary>Emits <paramref name="metrics"/> with the given dimensions (each dimension key becomes a property).</summary>
    public void Emit(IReadOnlyDictionary<string, string> dimensions, params MetricValue[] metrics)
    {
        // Limits of the specification: at most 30 dimensions per set and 100 metrics per directive.
        if (dimensions.Count > 30 || metrics.Length is 0 or > 100)
        {
            throw new ArgumentException($"an EMF document takes 1 to 100 metrics and at most 30 dimensions (got {metrics.Length} and {dimensions.Count}). Fix: split the call.");
        }

        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteStartObject("_aws");
            w.WriteNumber("Timestamp", _clock().ToUnixTimeMilliseconds());
            w.WriteStartArray("CloudWatchMetrics");
            w.WriteStartObject();
            w.WriteString("Namespace", Namespace);
            w.WriteStartArray("Dimensions");
            w.WriteStartArray();
            foreach (var key in dimensions.Keys.Order(StringComparer.Ordinal))
            {
                w.WriteStringValue(key);
            }

            w.WriteEndArray();
            w.WriteEndArray();
            w.WriteStartArray("Metrics");
            foreach (var m in metrics)
            {
                w.WriteStartObject();
                w.WriteString("Name", m.Name);
                w.WriteString("Unit", m.Unit);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
            w.WriteEndArray();
            w.WriteEndObject();
            foreach (var (k, v) in dimensions.OrderBy(p => p.Key, StringComparer.Ordinal))
            {
                w.WriteString(k, v);
            }

            foreach (var m in metrics)
            {
                w.WriteNumber(m.Name, double.IsFinite(m.Value) ? m.Value : 0);
            }

            w.WriteEndObject();
        }

        _out.WriteLine(buffer.GetBuffer().AsSpan(0, (int)buffer.Length));
    }
}
