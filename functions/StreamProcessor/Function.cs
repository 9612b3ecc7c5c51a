using System.Text.Json;

namespace FraudTf.Functions.StreamProcessor;

/// <summary>
/// Entry point of the stream processor (Kinesis transactions stream, partial batch responses).
/// Minimal for now: it acknowledges every record; the scoring code fills this in.
/// </summary>
public sealed class Function
{
    /// <summary>Handles one Kinesis batch: returns <c>{"batchItemFailures":[]}</c>.</summary>
    public async Task<Stream> Handler(Stream input)
    {
        using var doc = await JsonDocument.ParseAsync(input);
        var count = doc.RootElement.TryGetProperty("Records", out var records) ? records.GetArrayLength() : 0;
        Console.WriteLine(JsonSerializer.Serialize(new Dictionary<string, object> { ["message"] = "batch received", ["records"] = count }));
        return new MemoryStream("{\"batchItemFailures\":[]}"u8.ToArray());
    }
}
