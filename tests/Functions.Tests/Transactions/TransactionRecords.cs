using System.Text.Json.Nodes;

namespace FraudTf.Functions.Tests.Transactions;

/// <summary>The valid transaction records the parser tests start from, and the time they are parsed at.</summary>
internal static class TransactionRecords
{
    /// <summary>The time every parser test parses at: the records' timestamps are two minutes before it.</summary>
    public static readonly DateTimeOffset Now = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);

    /// <summary>A valid record with the required fields only (a fresh copy, for the test to change).</summary>
    public static JsonObject Required() => new()
    {
        ["transactionId"] = "tx-0001",
        ["userId"] = "user-42",
        ["amount"] = 125.50m,
        ["currency"] = "EUR",
        ["merchantId"] = "m-77",
        ["merchantCategory"] = "5411",
        ["country"] = "DE",
        ["timestamp"] = "2026-11-25T11:58:00Z",
    };

    /// <summary>A valid record with every field, the optional ones included (a fresh copy).</summary>
    public static JsonObject Full()
    {
        var o = Required();
        o["deviceId"] = "dev-1";
        o["ipAddress"] = "192.0.2.1";
        o["channel"] = "web";
        return o;
    }
}
