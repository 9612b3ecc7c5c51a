using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace FraudTf.Functions.Shared.Transactions;

/// <summary>Why a record was rejected; also the dimension of the RecordsRejected metric.</summary>
public enum RejectReason
{
    /// <summary>The Kinesis data was not valid base64.</summary>
    BadEncoding,

    /// <summary>The record is larger than <see cref="TransactionParser.MaxRecordBytes"/>.</summary>
    TooLarge,

    /// <summary>The record is not JSON (or not UTF-8).</summary>
    NotJson,

    /// <summary>The JSON is not an object.</summary>
    NotAnObject,

    /// <summary>A required field is missing or null.</summary>
    MissingField,

    /// <summary>A field has the wrong JSON type (e.g. the amount as a string).</summary>
    WrongType,

    /// <summary>A field's value is out of range or malformed.</summary>
    InvalidValue,

    /// <summary>A field the schema does not know, or a field given twice.</summary>
    UnknownField,

    /// <summary>
    /// The record is valid but scoring or storing it failed permanently (a value DynamoDB refuses, an overflow, a
    /// stored row it depends on that cannot be read): retrying would fail the same way.
    /// </summary>
    Unprocessable,
}

/// <summary>The outcome of parsing one record: a transaction, or why it was rejected.</summary>
public sealed record ParseResult
{
    /// <summary>The transaction, when valid.</summary>
    public Transaction? Transaction { get; init; }

    /// <summary>Why the record was rejected, when invalid.</summary>
    public RejectReason? Reason { get; init; }

    /// <summary>A short explanation naming the field (never the field's value: no personal data in logs).</summary>
    public string? Detail { get; init; }

    /// <summary>True when <see cref="Transaction"/> is set.</summary>
    public bool IsValid => Transaction is not null;

    internal static ParseResult Reject(RejectReason reason, string detail) => new() { Reason = reason, Detail = detail };
}

/// <summary>
/// Strict parser of transaction records: required fields, JSON types, ranges, formats, a size limit, and no
/// unknown or duplicated fields. It never throws on bad input; it says what is wrong.
/// </summary>
public static class TransactionParser
{
    /// <summary>Largest accepted record, in bytes of UTF-8 JSON.</summary>
    public const int MaxRecordBytes = 16 * 1024;

    /// <summary>Largest accepted amount (in any currency).</summary>
    public const decimal MaxAmount = 1_000_000_000m;

    /// <summary>How far in the future a timestamp may be (clock skew of the producer).</summary>
    public static readonly TimeSpan MaxClockSkew = TimeSpan.FromMinutes(5);

    /// <summary>
    /// How far in the past a timestamp may be: a record waits at most the stream's retention (365 days at most) and
    /// then the quarantine's before it is processed, so an older timestamp (e.g. year 1) is a producer's error, and
    /// would underflow the velocity window.
    /// </summary>
    public static readonly TimeSpan MaxAge = TimeSpan.FromDays(731);

    private static readonly string[] Required =
        ["transactionId", "userId", "amount", "currency", "merchantId", "merchantCategory", "country", "timestamp"];

    private static readonly HashSet<string> Known =
        [.. Required, "deviceId", "ipAddress", "channel"];

    // Plain Regex fields, not [GeneratedRegex]: the generator names its file-local class after a hash of the build path,
    // which would make the DLL (and the Lambda zip) differ between checkouts.
    private static readonly Regex IdPattern = new(@"^[A-Za-z0-9][A-Za-z0-9_.:\-]{0,63}$", RegexOptions.CultureInvariant);

    private static readonly Regex DeviceIdPattern = new(@"^[A-Za-z0-9][A-Za-z0-9_.:\-]{0,127}$", RegexOptions.CultureInvariant);

    private static readonly Regex MccPattern = new(@"^[0-9]{4}$", RegexOptions.CultureInvariant);

    private static readonly Regex IsoTimestampPattern =
        new(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,7})?(Z|[+\-]\d{2}:\d{2})$", RegexOptions.CultureInvariant);

    /// <summary>Parses <paramref name="utf8Json"/>; <paramref name="now"/> bounds the timestamp.</summary>
    public static ParseResult Parse(ReadOnlySpan<byte> utf8Json, DateTimeOffset now)
    {
        if (utf8Json.Length > MaxRecordBytes)
        {
            return ParseResult.Reject(RejectReason.TooLarge, $"record has {utf8Json.Length} bytes; the limit is {MaxRecordBytes}");
        }

        if (!System.Text.Unicode.Utf8.IsValid(utf8Json))
        {
            return ParseResult.Reject(RejectReason.NotJson, "not valid UTF-8");
        }

        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(utf8Json.ToArray(), new JsonDocumentOptions { MaxDepth = 8 });
        }
        catch (JsonException e)
        {
            return ParseResult.Reject(RejectReason.NotJson, $"not valid JSON at byte {e.BytePositionInLine}, line {e.LineNumber}");
        }

        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return ParseResult.Reject(RejectReason.NotAnObject, $"a transaction must be a JSON object, not {root.ValueKind}");
            }

            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var p in root.EnumerateObject())
            {
                if (!Known.Contains(p.Name))
                {
                    return ParseResult.Reject(RejectReason.UnknownField, $"unknown field '{Truncate(p.Name)}'");
                }

                if (!seen.Add(p.Name))
                {
                    return ParseResult.Reject(RejectReason.UnknownField, $"field '{p.Name}' appears twice");
                }
            }

            foreach (var field in Required)
            {
                if (!root.TryGetProperty(field, out var v) || v.ValueKind == JsonValueKind.Null)
                {
                    return ParseResult.Reject(RejectReason.MissingField, $"required field '{field}' is missing");
                }
            }

            return ParseFields(root, now);
        }
    }

    private static ParseResult ParseFields(JsonElement root, DateTimeOffset now)
    {
        ParseResult? error = null;
        string Str(string field, Regex pattern, string expectation)
        {
            var v = root.GetProperty(field);
            if (v.ValueKind != JsonValueKind.String)
            {
                error ??= ParseResult.Reject(RejectReason.WrongType, $"'{field}' must be a string");
                return "";
            }

            var s = v.GetString()!;
            if (!pattern.IsMatch(s))
            {
                error ??= ParseResult.Reject(RejectReason.InvalidValue, $"'{field}' must be {expectation}");
            }

            return s;
        }

        string? Optional(string field, Func<string, bool> valid, string expectation)
        {
            if (!root.TryGetProperty(field, out var v) || v.ValueKind == JsonValueKind.Null)
            {
                return null;
            }

            if (v.ValueKind != JsonValueKind.String)
            {
                error ??= ParseResult.Reject(RejectReason.WrongType, $"'{field}' must be a string");
                return null;
            }

            var s = v.GetString()!;
            if (!valid(s))
            {
                error ??= ParseResult.Reject(RejectReason.InvalidValue, $"'{field}' must be {expectation}");
            }

            return s;
        }

        var transactionId = Str("transactionId", IdPattern, "1-64 letters, digits or _.:- starting with a letter or digit");
        var userId = Str("userId", IdPattern, "1-64 letters, digits or _.:- starting with a letter or digit");
        var merchantId = Str("merchantId", IdPattern, "1-64 letters, digits or _.:- starting with a letter or digit");
        var mcc = Str("merchantCategory", MccPattern, "a four-digit merchant category code");

        var currencyEl = root.GetProperty("currency");
        var currency = currencyEl.ValueKind == JsonValueKind.String ? currencyEl.GetString()! : null;
        if (currency is null)
        {
            error ??= ParseResult.Reject(RejectReason.WrongType, "'currency' must be a string");
        }
        else if (!IsoCodes.Currencies.Contains(currency))
        {
            error ??= ParseResult.Reject(RejectReason.InvalidValue, "'currency' must be an active ISO 4217 code in upper case, e.g. EUR");
        }

        var countryEl = root.GetProperty("country");
        var country = countryEl.ValueKind == JsonValueKind.String ? countryEl.GetString()! : null;
        if (country is null)
        {
            error ??= ParseResult.Reject(RejectReason.WrongType, "'country' must be a string");
        }
        else if (!IsoCodes.Countries.Contains(country))
        {
            error ??= ParseResult.Reject(RejectReason.InvalidValue, "'country' must be an ISO 3166-1 alpha-2 code in upper case, e.g. DE");
        }

        var amountEl = root.GetProperty("amount");
        decimal amount = 0;
        if (amountEl.ValueKind != JsonValueKind.Number)
        {
            error ??= ParseResult.Reject(RejectReason.WrongType, "'amount' must be a JSON number");
        }
        else if (!amountEl.TryGetDecimal(out amount))
        {
            error ??= ParseResult.Reject(RejectReason.InvalidValue, "'amount' is not representable as a decimal");
        }
        else if (amount <= 0 || amount > MaxAmount)
        {
            error ??= ParseResult.Reject(RejectReason.InvalidValue, $"'amount' must be greater than 0 and at most {MaxAmount.ToString(CultureInfo.InvariantCulture)}");
        }
        else if (amount.Scale > 4 && decimal.Round(amount, 4) != amount)
        {
            error ??= ParseResult.Reject(RejectReason.InvalidValue, "'amount' has more than 4 decimal places");
        }

        var tsEl = root.GetProperty("timestamp");
        var timestamp = default(DateTimeOffset);
        if (tsEl.ValueKind != JsonValueKind.String)
        {
            error ??= ParseResult.Reject(RejectReason.WrongType, "'timestamp' must be a string");
        }
        else if (!IsoTimestampPattern.IsMatch(tsEl.GetString()!) ||
                 !DateTimeOffset.TryParse(tsEl.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.None, out timestamp))
        {
            error ??= ParseResult.Reject(RejectReason.InvalidValue, "'timestamp' must be ISO 8601 with a time zone, e.g. 2026-11-25T10:15:00Z");
        }
        else if (timestamp > now + MaxClockSkew)
        {
            error ??= ParseResult.Reject(RejectReason.InvalidValue, $"'timestamp' is more than {MaxClockSkew.TotalMinutes} minutes in the future");
        }
        else if (timestamp < now - MaxAge)
        {
            error ??= ParseResult.Reject(RejectReason.InvalidValue, $"'timestamp' is more than {MaxAge.TotalDays} days in the past");
        }

        var deviceId = Optional("deviceId", s => DeviceIdPattern.IsMatch(s), "1-128 letters, digits or _.:-");
        var ip = Optional("ipAddress", s => (s.Contains('.') || s.Contains(':')) && IPAddress.TryParse(s, out _), "an IPv4 or IPv6 address");
        var channel = Optional("channel", IsoCodes.Channels.Contains, $"one of {string.Join(", ", IsoCodes.Channels.Order())}");

        if (error is not null)
        {
            return error;
        }

        return new ParseResult
        {
            Transaction = new Transaction
            {
                TransactionId = transactionId,
                UserId = userId,
                Amount = amount,
                Currency = currency!,
                MerchantId = merchantId,
                MerchantCategory = mcc,
                Country = country!,
                Timestamp = timestamp.ToUniversalTime(),
                DeviceId = deviceId,
                IpAddress = ip,
                Channel = channel,
            },
        };
    }

    private static string Truncate(string s) => s.Length <= 40 ? s : s[..40] + "...";
}
