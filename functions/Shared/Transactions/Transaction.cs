namespace FraudTf.Functions.Shared.Transactions;

/// <summary>
/// One transaction as it arrives on the transactions stream (JSON, camelCase). Required: transactionId, userId,
/// amount (&gt; 0), currency (ISO 4217), merchantId, merchantCategory (4-digit MCC), country (ISO 3166 alpha-2),
/// timestamp (ISO 8601 with offset). Optional: deviceId, ipAddress, channel. Anything else is rejected by
/// <see cref="TransactionParser"/>.
/// </summary>
// Alike on purpose: an init-only record of required, documented properties, the shape of the functions' Settings records.
public sealed record Transaction
{
    /// <summary>Unique id of the transaction (idempotency key).</summary>
    public required string TransactionId { get; init; }

    /// <summary>The paying user.</summary>
    public required string UserId { get; init; }

    /// <summary>Amount in <see cref="Currency"/>, greater than zero.</summary>
    public required decimal Amount { get; init; }

    /// <summary>ISO 4217 currency code, e.g. EUR.</summary>
    public required string Currency { get; init; }

    /// <summary>The merchant.</summary>
    public required string MerchantId { get; init; }

    /// <summary>Merchant category code (MCC), four digits.</summary>
    public required string MerchantCategory { get; init; }

    /// <summary>ISO 3166-1 alpha-2 country of the transaction.</summary>
    public required string Country { get; init; }

    /// <summary>When the transaction happened.</summary>
    public required DateTimeOffset Timestamp { get; init; }

    /// <summary>Device fingerprint, if known.</summary>
    public string? DeviceId { get; init; }

    /// <summary>Client IP address, if known.</summary>
    public string? IpAddress { get; init; }

    /// <summary>Channel: web, mobile, pos, atm or phone, if known.</summary>
    public string? Channel { get; init; }
}
