using System.Globalization;
using System.Text;
using System.Text.Json;

namespace FraudTf.Local.Functions;

/// <summary>The function's <c>logging_config.log_format</c>, as the managed runtime reads it from <c>AWS_LAMBDA_LOG_FORMAT</c>.</summary>
public enum RuntimeLogFormat
{
    /// <summary>Plain text: each Console line is prefixed with time, request id and level.</summary>
    Text,

    /// <summary>JSON: each Console line is wrapped in a JSON object (the platform's setting).</summary>
    Json,
}

/// <summary>
/// What the Lambda .NET managed runtime puts in place of <c>Console.Out</c> and <c>Console.Error</c>, shared by the local
/// host (tools/Local/Host links this file) and the in-process test console of Functions.Tests, so both format alike.
/// Follows aws/aws-lambda-dotnet, Amazon.Lambda.RuntimeSupport, <c>Helpers/ConsoleLoggerWriter.cs</c> (WrapperTextWriter:
/// every <c>WriteLine</c> overload becomes one formatted event; <c>Write</c> without a line end passes through unformatted)
/// and <c>Helpers/Logging/DefaultLogMessageFormatter.cs</c> / <c>JsonLogMessageFormatter.cs</c>:
/// Text, <c>&lt;yyyy-MM-ddTHH:mm:ss.fffZ&gt;\t&lt;requestId&gt;\tinfo\t&lt;line&gt;</c> (<c>fail</c> for Console.Error);
/// JSON, <c>{"timestamp":…,"level":"Information","requestId":…,"message":"&lt;line&gt;"}</c> (<c>"Error"</c> for Console.Error).
/// A line without message arguments is not parsed as a template (braces stay).
/// Differs from AWS: the runtime sends events through the telemetry log file descriptor, so a multi-line Text event stays
/// one event there; here the host writes it to standard output, where a line break starts a new event (JSON events never
/// contain one: the message is escaped).
/// </summary>
public sealed class RuntimeConsoleWriter : TextWriter
{
    private readonly RuntimeLogFormat _format;
    private readonly bool _error;
    private readonly Func<string?> _requestId;
    private readonly Action<string> _emit;
    private readonly StringBuilder _pending = new();

    /// <summary>A writer for Console.Out (<paramref name="error"/> false) or Console.Error (true).</summary>
    /// <param name="format">The function's log format.</param>
    /// <param name="error">True for Console.Error (level Error / fail).</param>
    /// <param name="requestId">The request id of the invocation running now (null during init).</param>
    /// <param name="emit">Receives each log event's message, formatted or passed through, without a line end.</param>
    public RuntimeConsoleWriter(RuntimeLogFormat format, bool error, Func<string?> requestId, Action<string> emit)
    {
        _format = format;
        _error = error;
        _requestId = requestId;
        _emit = emit;
    }

    /// <inheritdoc />
    public override Encoding Encoding => Encoding.UTF8;

    /// <inheritdoc />
    public override IFormatProvider FormatProvider => CultureInfo.InvariantCulture;

    /// <summary>Reads <c>AWS_LAMBDA_LOG_FORMAT</c> (<c>JSON</c> or <c>Text</c>; anything else, or unset, is Text, as the runtime does).</summary>
    public static RuntimeLogFormat ParseFormat(string? value) =>
        string.Equals(value, "JSON", StringComparison.OrdinalIgnoreCase) ? RuntimeLogFormat.Json : RuntimeLogFormat.Text;

    /// <summary>Formats one Console line as the runtime stores it.</summary>
    /// <param name="format">The log format.</param>
    /// <param name="line">The line written.</param>
    /// <param name="requestId">The request id (omitted from JSON when null, as during init).</param>
    /// <param name="error">True for Console.Error.</param>
    /// <param name="utcNow">The event's time.</param>
    public static string FormatLine(RuntimeLogFormat format, string line, string? requestId, bool error, DateTimeOffset utcNow)
    {
        var timestamp = utcNow.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture);
        if (format == RuntimeLogFormat.Text)
        {
            return $"{timestamp}\t{requestId}\t{(error ? "fail" : "info")}\t{line}";
        }

        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("timestamp", timestamp);
            w.WriteString("level", error ? "Error" : "Information");
            if (requestId is not null)
            {
                w.WriteString("requestId", requestId);
            }

            w.WriteString("message", line);
            w.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <inheritdoc />
    public override void WriteLine(string? value) => Formatted(value);

    /// <inheritdoc />
    public override void WriteLine() => Formatted(string.Empty);

    /// <inheritdoc />
    public override void WriteLine(object? value) => Formatted(value?.ToString());

    /// <inheritdoc />
    public override void WriteLine(bool value) => Formatted(value.ToString(FormatProvider));

    /// <inheritdoc />
    public override void WriteLine(char value) => Formatted(value.ToString(FormatProvider));

    /// <inheritdoc />
    public override void WriteLine(char[]? buffer) => Formatted(buffer is null ? string.Empty : new string(buffer));

    /// <inheritdoc />
    public override void WriteLine(char[] buffer, int index, int count) => Formatted(new string(buffer, index, count));

    /// <inheritdoc />
    public override void WriteLine(ReadOnlySpan<char> buffer) => Formatted(new string(buffer));

    /// <inheritdoc />
    public override void WriteLine(int value) => Formatted(value.ToString(FormatProvider));

    /// <inheritdoc />
    public override void WriteLine(long value) => Formatted(value.ToString(FormatProvider));

    /// <inheritdoc />
    public override void WriteLine(double value) => Formatted(value.ToString(FormatProvider));

    /// <inheritdoc />
    public override void WriteLine(decimal value) => Formatted(value.ToString(FormatProvider));

    /// <inheritdoc />
    public override void WriteLine(float value) => Formatted(value.ToString(FormatProvider));

    /// <inheritdoc />
    public override void WriteLine(uint value) => Formatted(value.ToString(FormatProvider));

    /// <inheritdoc />
    public override void WriteLine(ulong value) => Formatted(value.ToString(FormatProvider));

    /// <inheritdoc />
    public override void WriteLine(StringBuilder? value) => Formatted(value?.ToString());

    /// <inheritdoc />
    public override void WriteLine([System.Diagnostics.CodeAnalysis.StringSyntax("CompositeFormat")] string format, params object?[] arg) =>
        Formatted(string.Format(FormatProvider, format, arg));

    /// <inheritdoc />
    public override Task WriteLineAsync(string? value)
    {
        Formatted(value);
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public override Task WriteLineAsync()
    {
        Formatted(string.Empty);
        return Task.CompletedTask;
    }

    /// <summary>Unformatted writes reach the log stream as they are; a line feed closes the event.</summary>
    public override void Write(char value)
    {
        lock (_pending)
        {
            if (value == '\n')
            {
                var line = _pending.ToString().TrimEnd('\r');
                _pending.Clear();
                _emit(line);
            }
            else
            {
                _pending.Append(value);
            }
        }
    }

    private void Formatted(string? line) => _emit(FormatLine(_format, line ?? string.Empty, _requestId(), _error, DateTimeOffset.UtcNow));
}
