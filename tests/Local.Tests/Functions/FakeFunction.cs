using System.Text;
using System.Text.Json;

namespace FraudTf.Local.Tests.Functions;

/// <summary>
/// A function the host tests run in place of a synthesized one, for behaviours no real handler shows on demand:
/// Console lines, raw standard output lines, a hang past the timeout, a throw, an init failure. Loaded by the host from
/// this test assembly's output folder (its task root); it must not touch NUnit.
/// </summary>
public sealed class FakeFunction
{
    /// <summary>Init: fails when <c>FAKE_INIT_ERROR</c> is set, as a constructor reading a missing setting does.</summary>
    public FakeFunction()
    {
        Console.WriteLine("init {not a template}");
        if (Environment.GetEnvironmentVariable("FAKE_INIT_ERROR") is { Length: > 0 } message)
        {
            throw new InvalidOperationException(message);
        }
    }

    /// <summary>Runs the commands of the payload: <c>console</c>, <c>error</c>, <c>raw</c>, <c>sleepMs</c>, <c>throw</c>; echoes <c>echo</c> and its process id.</summary>
    public async Task<Stream> Handler(Stream input)
    {
        using var json = await JsonDocument.ParseAsync(input);
        var root = json.RootElement;
        if (root.TryGetProperty("console", out var console))
        {
            Console.WriteLine(console.GetString());
        }

        if (root.TryGetProperty("error", out var error))
        {
            Console.Error.WriteLine(error.GetString());
        }

        if (root.TryGetProperty("raw", out var raw))
        {
            var stdout = Console.OpenStandardOutput();
            stdout.Write(Encoding.UTF8.GetBytes(raw.GetString() + "\n"));
            stdout.Flush();
        }

        if (root.TryGetProperty("sleepMs", out var sleep))
        {
            await Task.Delay(sleep.GetInt32());
        }

        if (root.TryGetProperty("throw", out var message))
        {
            throw new ArgumentException(message.GetString());
        }

        var echo = root.TryGetProperty("echo", out var e) ? e.GetString() : null;
        return new MemoryStream(JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object?> { ["echo"] = echo, ["pid"] = Environment.ProcessId }));
    }
}
