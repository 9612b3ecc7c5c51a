using System.Text;
using FraudTf.Functions.Shared.Logging;

namespace FraudTf.Functions.Tests.Support;

/// <summary>
/// A <see cref="StructuredOutput"/> over memory, for tests that read a function's EMF documents and structured log lines
/// directly (converts implicitly to the StructuredOutput a function's constructor takes). Tests of what CloudWatch stores
/// use <see cref="LambdaRuntimeConsole"/> instead.
/// </summary>
public sealed class CapturedOutput : IDisposable
{
    private readonly MemoryStream _stream = new();

    /// <summary>Creates an empty capture.</summary>
    public CapturedOutput() => Output = new StructuredOutput(_stream);

    /// <summary>The output to give the function.</summary>
    public StructuredOutput Output { get; }

    /// <summary>The lines written so far.</summary>
    public IReadOnlyList<string> Lines => ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);

    /// <summary>The output as a function's writer.</summary>
    public static implicit operator StructuredOutput(CapturedOutput c) => c.Output;

    /// <summary>Forgets what was written so far.</summary>
    public void Clear() => _stream.SetLength(0);

    /// <summary>Everything written, as text.</summary>
    public override string ToString() => Encoding.UTF8.GetString(_stream.ToArray());

    /// <inheritdoc/>
    public void Dispose() => _stream.Dispose();
}
