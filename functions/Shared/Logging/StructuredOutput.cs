namespace FraudTf.Functions.Shared.Logging;

/// <summary>
/// The functions' raw standard output: where embedded-metric-format documents and the structured log lines the metric
/// filters read are written, one JSON object per line, flushed at once, one writer at a time.
/// <para>Why not <c>Console.WriteLine</c>: the Lambda .NET managed runtime replaces <c>Console.Out</c> and
/// <c>Console.Error</c> with writers that wrap every line (Text log format: <c>&lt;timestamp&gt;\t&lt;requestId&gt;\tinfo\t&lt;line&gt;</c>;
/// JSON log format: <c>{"timestamp":…,"level":"Information","requestId":…,"message":"&lt;line, escaped&gt;"}</c>; aws-lambda-dotnet,
/// Amazon.Lambda.RuntimeSupport, ConsoleLoggerWriter and JsonLogMessageFormatter), so a JSON line written there is never
/// the root object of its log event: CloudWatch extracts no metric from it and JSON metric filters never match it. The
/// raw stream (<c>Console.OpenStandardOutput()</c>) bypasses that writer, as Powertools for AWS Lambda (.NET) does
/// (ConsoleWrapper); under the JSON log format Lambda keeps a line that is already a JSON object as it is ("Lambda
/// doesn't double-encode any logs that are already JSON encoded", Lambda developer guide, "Configuring JSON and plain text
/// log formats"), and under the Text format a raw line is stored unprefixed.</para>
/// Other diagnostics may still go through <c>Console</c>.
/// </summary>
public sealed class StructuredOutput
{
    private static readonly Lazy<StructuredOutput> StandardOutput = new(() => new StructuredOutput(Console.OpenStandardOutput()), LazyThreadSafetyMode.ExecutionAndPublication);

    private readonly Stream _stream;
    private readonly Lock _lock = new();

    /// <summary>Writes to <paramref name="stream"/> (tests pass the stream their runtime console captures).</summary>
    public StructuredOutput(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        _stream = stream;
    }

    /// <summary>The process's raw standard output, shared by every writer of the process (what the functions use in Lambda).</summary>
    public static StructuredOutput Standard => StandardOutput.Value;

    /// <summary>
    /// Writes one line: <paramref name="utf8Json"/> (a compact JSON object, no line break) and a line feed, then flushes,
    /// under a lock so lines of concurrent writers never interleave.
    /// </summary>
    public void WriteLine(ReadOnlySpan<byte> utf8Json)
    {
        if (utf8Json.Length == 0 || utf8Json[0] != (byte)'{' || utf8Json.IndexOfAny((byte)'\n', (byte)'\r') >= 0)
        {
            throw new ArgumentException("a structured line must be one compact JSON object without line breaks (Lambda splits raw standard output into log events at line breaks). Fix: write it with Utf8JsonWriter, unindented.", nameof(utf8Json));
        }

        lock (_lock)
        {
            _stream.Write(utf8Json);
            _stream.WriteByte((byte)'\n');
            _stream.Flush();
        }
    }
}
