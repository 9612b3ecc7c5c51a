using System.Text;
using System.Text.Json;

namespace FraudTf.Functions.Shared.Metrics;

/// <summary>A metric value with its CloudWatch unit.</summary>
/// <param name="Name">Metric name.</param>
/// <param name="Value">Value.</param>
/// <param name="Unit">CloudWatch unit: Count, Milliseconds, None, ...</param>
public sealed record MetricValue(string Name, double Value, string Unit);

/// <summary>
/// Writes metrics in CloudWatch Embedded Metric Format: one JSON line per call on the given writer (stdout in
/// Lambda), which CloudWatch Logs turns into metrics of <see cref="Namespace"/> without any API call.
/// </summary>
public sealed class EmfWriter
{
    /// <summary>The metric namespace of the platform.</summary>
    public const string Namespace = "FraudDetection";

    private readonly TextWriter _out;
    private readonly Func<DateTimeOffset> _clock;

    /// <summary>Creates a writer to <paramref name="output"/>; <paramref name="clock"/> gives the timestamp (UTC now by default).</summary>
    public EmfWriter(TextWriter output, Func<DateTimeOffset>? clock = null)
    {
        _out = output;
        _clock = clock ?? (() => DateTimeOffset.UtcNow);
    }

    /// <summary>Emits <paramref name="metrics"/> with the given dimensions (each dimension key becomes a property).</summary>
    public void Emit(IReadOnlyDictionary<string, string> dimensions, params MetricValue[] metrics)
    {
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
                w.WriteNumber(m.Name, m.Value);
            }

            w.WriteEndObject();
        }

        _out.WriteLine(Encoding.UTF8.GetString(buffer.ToArray()));
    }
}
