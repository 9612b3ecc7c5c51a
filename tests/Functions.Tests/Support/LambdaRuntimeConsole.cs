using System.Text;
using FraudTf.Functions.Shared.Logging;
using FraudTf.Local.Functions;

namespace FraudTf.Functions.Tests.Support;

/// <summary>The function's <c>logging_config.log_format</c>.</summary>
public enum LambdaLogFormat
{
    /// <summary>Plain text: the runtime prefixes each Console line with time, request id and level.</summary>
    Text,

    /// <summary>JSON: the runtime wraps each Console line in a JSON object (the platform's setting).</summary>
    Json,
}

/// <summary>One log event as CloudWatch Logs stores it, and which stream of the process it came from.</summary>
/// <param name="Message">The stored event's message.</param>
/// <param name="Source">"Console.Out", "Console.Error" or "stdout" (the raw standard output).</param>
public sealed record CloudWatchLogEvent(string Message, string Source);

/// <summary>
/// Runs code under a console that formats exactly as the Lambda .NET managed runtime does, and collects the log events
/// CloudWatch Logs would store. No emulator reproduces this, so this class implements the documented behaviour:
/// <list type="bullet">
/// <item><c>Console.Out</c> and <c>Console.Error</c> are replaced by <see cref="RuntimeConsoleWriter"/> (tools/Local/Functions, the
/// same writer the local function host installs), as Amazon.Lambda.RuntimeSupport's LogLevelLoggerWriter does (
/// aws/aws-lambda-dotnet Libraries/src/Amazon.Lambda.RuntimeSupport/Helpers/ConsoleLoggerWriter.cs). Every
/// <c>WriteLine</c> becomes one event, formatted by the log format: Text,
/// <c>&lt;yyyy-MM-ddTHH:mm:ss.fffZ&gt;\t&lt;requestId&gt;\tinfo\t&lt;line&gt;</c> (<c>fail</c> for Console.Error;
/// DefaultLogMessageFormatter); JSON, <c>{"timestamp":…,"level":"Information","requestId":…,"message":"&lt;line&gt;"}</c>
/// (<c>"Error"</c> for Console.Error; JsonLogMessageFormatter). A line without message arguments is not parsed as a
/// template (braces stay). <c>Write</c> without a line end passes through unformatted, as the runtime's wrapper does.</item>
/// <item>The raw standard output (what <c>Console.OpenStandardOutput()</c> gives, here <see cref="RawStdout"/>) bypasses
/// that formatting: each line becomes one event as written, under both formats. Lambda developer guide, "Configuring
/// JSON and plain text log formats": "Lambda doesn't double-encode any logs that are already JSON encoded". Not verified
/// here: what Lambda does with a raw line that is not a JSON object under the JSON format (kept as written, assumed);
/// StructuredOutput never writes one.</item>
/// </list>
/// Console is process-wide: tests using this class must not run in parallel with others writing to Console.
/// </summary>
public sealed class LambdaRuntimeConsole : IDisposable
{
    private readonly List<CloudWatchLogEvent> _events = [];
    private readonly Lock _lock = new();
    private readonly TextWriter _previousOut;
    private readonly TextWriter _previousError;
    private readonly RawStream _raw;

    private LambdaRuntimeConsole(LambdaLogFormat format, string requestId)
    {
        Format = format;
        RequestId = requestId;
        _previousOut = Console.Out;
        _previousError = Console.Error;
        _raw = new RawStream(this);
        RawStdout = new StructuredOutput(_raw);
        var shared = format == LambdaLogFormat.Json ? RuntimeLogFormat.Json : RuntimeLogFormat.Text;
        Console.SetOut(new RuntimeConsoleWriter(shared, error: false, () => RequestId, m => Add(m, "Console.Out")));
        Console.SetError(new RuntimeConsoleWriter(shared, error: true, () => RequestId, m => Add(m, "Console.Error")));
    }

    /// <summary>The log format being reproduced.</summary>
    public LambdaLogFormat Format { get; }

    /// <summary>The request id the runtime stamps on Console lines.</summary>
    public string RequestId { get; }

    /// <summary>The process's raw standard output: give it to the function where Lambda gives it <see cref="StructuredOutput.Standard"/>.</summary>
    public StructuredOutput RawStdout { get; }

    /// <summary>The events stored so far, in the order written.</summary>
    public IReadOnlyList<CloudWatchLogEvent> Events
    {
        get
        {
            lock (_lock)
            {
                return _events.ToList();
            }
        }
    }

    /// <summary>Replaces Console.Out and Console.Error until disposed.</summary>
    public static LambdaRuntimeConsole Start(LambdaLogFormat format, string requestId = "8f507cfc-0f8e-4d8e-b4a8-3b9e2c7f1e01") => new(format, requestId);

    /// <summary>Restores the previous Console writers.</summary>
    public void Dispose()
    {
        Console.SetOut(_previousOut);
        Console.SetError(_previousError);
    }

    private void Add(string message, string source)
    {
        lock (_lock)
        {
            _events.Add(new CloudWatchLogEvent(message, source));
        }
    }

    // The raw standard output: bytes split into events at line feeds, stored as written.
    private sealed class RawStream(LambdaRuntimeConsole console) : Stream
    {
        private readonly MemoryStream _line = new();

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            foreach (var b in buffer)
            {
                WriteByte(b);
            }
        }

        public override void WriteByte(byte value)
        {
            if (value == (byte)'\n')
            {
                console.Add(Encoding.UTF8.GetString(_line.ToArray()), "stdout");
                _line.SetLength(0);
            }
            else
            {
                _line.WriteByte(value);
            }
        }
    }
}
