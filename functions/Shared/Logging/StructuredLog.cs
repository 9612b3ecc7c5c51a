using System.Globalization;
using System.Text.Json;

namespace FraudTf.Functions.Shared.Logging;

/// <summary>One field of a structured log line: a name from <see cref="LogFields"/> and a value (null fields are left out).</summary>
/// <param name="Name">Field name.</param>
/// <param name="Value">string, number, bool, a sequence of strings, or null.</param>
public readonly record struct LogField(string Name, object? Value);

/// <summary>
/// Structured JSON log lines on the raw standard output (<see cref="StructuredOutput"/>), so each is the root object of
/// its CloudWatch log event under both log formats and the metric filters (<see cref="Metrics.LogPatterns"/>) read its
/// fields: <c>{"timestamp":"2026-11-25T12:00:00.000Z","level":"WARN","message":"…", …fields}</c>. Ids and codes only,
/// never personal data or record content.
/// </summary>
public sealed class StructuredLog
{
    private readonly StructuredOutput _output;
    private readonly Func<DateTimeOffset> _clock;

    /// <summary>Writes to <paramref name="output"/>; <paramref name="clock"/> gives the timestamp (UTC now by default).</summary>
    public StructuredLog(StructuredOutput output, Func<DateTimeOffset>? clock = null)
    {
        _output = output;
        _clock = clock ?? (() => DateTimeOffset.UtcNow);
    }

    /// <summary>An <see cref="LogLevels.Info"/> line.</summary>
    public void Info(string message, params LogField[] fields) => Write(LogLevels.Info, message, fields);

    /// <summary>A <see cref="LogLevels.Warn"/> line.</summary>
    public void Warn(string message, params LogField[] fields) => Write(LogLevels.Warn, message, fields);

    /// <summary>An <see cref="LogLevels.Error"/> line.</summary>
    public void Error(string message, params LogField[] fields) => Write(LogLevels.Error, message, fields);

    /// <summary>Writes one line at <paramref name="level"/>.</summary>
    public void Write(string level, string message, IEnumerable<LogField> fields)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString(LogFields.Timestamp, _clock().UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture));
            w.WriteString(LogFields.Level, level);
            w.WriteString(LogFields.Message, message);
            foreach (var f in fields)
            {
                if (f.Name is LogFields.Timestamp or LogFields.Level or LogFields.Message)
                {
                    throw new ArgumentException($"log field '{f.Name}' is written by StructuredLog itself. Fix: use another field name.", nameof(fields));
                }

                if (f.Value is null)
                {
                    continue;
                }

                w.WritePropertyName(f.Name);
                WriteValue(w, f.Value);
            }

            w.WriteEndObject();
        }

        _output.WriteLine(buffer.GetBuffer().AsSpan(0, (int)buffer.Length));
    }

    private static void WriteValue(Utf8JsonWriter w, object value)
    {
        switch (value)
        {
            // Alike on purpose: one arm per JSON value type the writer has a method for.
            case string s:
                w.WriteStringValue(s);
                break;
            case bool b:
                w.WriteBooleanValue(b);
                break;
            case int i:
                w.WriteNumberValue(i);
                break;
            case long l:
                w.WriteNumberValue(l);
                break;
            case double d when double.IsFinite(d):
                w.WriteNumberValue(d);
                break;
            case decimal m:
                w.WriteNumberValue(m);
                break;
            case IEnumerable<string> strings:
                w.WriteStartArray();
                foreach (var s in strings)
                {
                    w.WriteStringValue(s);
                }

                w.WriteEndArray();
                break;
            default:
                w.WriteStringValue(Convert.ToString(value, CultureInfo.InvariantCulture));
                break;
        }
    }
}
