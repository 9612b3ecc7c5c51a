using System.Text.Json;

namespace FraudTf.Functions.AlertHandler;

/// <summary>
/// Entry point of the alert handler (FraudDetected events from EventBridge).
/// Minimal for now: it logs the event id; the alert code fills this in.
/// </summary>
public sealed class Function
{
    /// <summary>Handles one EventBridge event.</summary>
    public async Task<Stream> Handler(Stream input)
    {
        using var doc = await JsonDocument.ParseAsync(input);
        var id = doc.RootElement.TryGetProperty("id", out var v) ? v.GetString() : null;
        Console.WriteLine(JsonSerializer.Serialize(new Dictionary<string, object?> { ["message"] = "event received", ["eventId"] = id }));
        return new MemoryStream("{}"u8.ToArray());
    }
}
