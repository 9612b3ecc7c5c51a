using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using FraudTf.Functions.Shared.Transactions;

// Alike on purpose: the old parser, kept as it was (its repeated field checks included) as the benchmark's baseline.
namespace FraudTf.Bench.Legacy;

/// <summary>
/// The transaction parser as it was before the single-pass decoder (main at 2db5412, functions/Shared/Transactions/
/// TransactionParser.cs, unchanged but for its name): base64 decoded into an array, UTF-8 checked, copied, parsed into a
/// JsonDocument, then validated with regular expressions. Kept as the baseline the benchmark measures the new decoder
/// against in the same run, and as the reference the tests compare its verdicts with (tests/Functions.Tests links it).
/// </summary>
public static class LegacyTransactionParser
{
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
        if (utf8Json.Length > TransactionParser.MaxRecordBytes)
        {
            return Reject(RejectReason.TooLarge, $"record has {utf8Json.Length} bytes; the limit is {TransactionParser.MaxRecordBytes}");
        }

        if (!System.Text.Unicode.Utf8.IsValid(utf8Json))
        {
            return Reject(RejectReason.NotJson, "not valid UTF-8");
        }

        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(utf8Json.ToArray(), new JsonDocumentOptions { MaxDepth = 8 });
        }
        catch (JsonException e)
        {
            return Reject(RejectReason.NotJson, $"not valid JSON at byte {e.BytePositionInLine}, line {e.LineNumber}");
        }

        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return Reject(RejectReason.NotAnObject, $"a transaction must be a JSON object, not {root.ValueKind}");
            }

            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var p in root.EnumerateObject())
            {
                if (!Known.Contains(p.Name))
                {
                    return Reject(RejectReason.UnknownField, $"unknown field '{Truncate(p.Name)}'");
                }

                if (!seen.Add(p.Name))
                {
                    return Reject(RejectReason.UnknownField, $"field '{p.Name}' appears twice");
                }
            }

            foreach (var field in Required)
            {
                if (!root.TryGetProperty(field, out var v) || v.ValueKind == JsonValueKind.Null)
                {
                    return Reject(RejectReason.MissingField, $"required field '{field}' is missing");
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
                error ??= Reject(RejectReason.WrongType, $"'{field}' must be a string");
                return "";
            }

            var s = v.GetString()!;
            if (!pattern.IsMatch(s))
            {
                error ??= Reject(RejectReason.InvalidValue, $"'{field}' must be {expectation}");
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
                error ??= Reject(RejectReason.WrongType, $"'{field}' must be a string");
                return null;
            }

            var s = v.GetString()!;
            if (!valid(s))
            {
                error ??= Reject(RejectReason.InvalidValue, $"'{field}' must be {expectation}");
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
            error ??= Reject(RejectReason.WrongType, "'currency' must be a string");
        }
        else if (!IsoCodes.Currencies.Contains(currency))
        {
            error ??= Reject(RejectReason.InvalidValue, "'currency' must be an active ISO 4217 code in upper case, e.g. EUR");
        }

        var countryEl = root.GetProperty("country");
        var country = countryEl.ValueKind == JsonValueKind.String ? countryEl.GetString()! : null;
        if (country is null)
        {
            error ??= Reject(RejectReason.WrongType, "'country' must be a string");
        }
        else if (!IsoCodes.Countries.Contains(country))
        {
            error ??= Reject(RejectReason.InvalidValue, "'country' must be an ISO 3166-1 alpha-2 code in upper case, e.g. DE");
        }

        var amountEl = root.GetProperty("amount");
        decimal amount = 0;
        if (amountEl.ValueKind != JsonValueKind.Number)
        {
            error ??= Reject(RejectReason.WrongType, "'amount' must be a JSON number");
        }
        else if (!amountEl.TryGetDecimal(out amount))
        {
            error ??= Reject(RejectReason.InvalidValue, "'amount' is not representable as a decimal");
        }
        else if (amount <= 0 || amount > TransactionParser.MaxAmount)
        {
            error ??= Reject(RejectReason.InvalidValue, $"'amount' must be greater than 0 and at most {TransactionParser.MaxAmount.ToString(CultureInfo.InvariantCulture)}");
        }
        else if (amount.Scale > 4 && decimal.Round(amount, 4) != amount)
        {
            error ??= Reject(RejectReason.InvalidValue, "'amount' has more than 4 decimal places");
        }

        var tsEl = root.GetProperty("timestamp");
        var timestamp = default(DateTimeOffset);
        if (tsEl.ValueKind != JsonValueKind.String)
        {
            error ??= Reject(RejectReason.WrongType, "'timestamp' must be a string");
        }
        else if (!IsoTimestampPattern.IsMatch(tsEl.GetString()!) ||
                 !DateTimeOffset.TryParse(tsEl.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.None, out timestamp))
        {
            error ??= Reject(RejectReason.InvalidValue, "'timestamp' must be ISO 8601 with a time zone, e.g. 2026-11-25T10:15:00Z");
        }
        else if (timestamp > now + TransactionParser.MaxClockSkew)
        {
            error ??= Reject(RejectReason.InvalidValue, $"'timestamp' is more than {TransactionParser.MaxClockSkew.TotalMinutes} minutes in the future");
        }
        else if (timestamp < now - TransactionParser.MaxAge)
        {
            error ??= Reject(RejectReason.InvalidValue, $"'timestamp' is more than {TransactionParser.MaxAge.TotalDays} days in the past");
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

    private static ParseResult Reject(RejectReason reason, string detail) => new() { Reason = reason, Detail = detail };

    /// <summary>The old stream processor's decoding: Convert.FromBase64String, then <see cref="Parse"/>.</summary>
    public static ParseResult Decode(string base64, DateTimeOffset now)
    {
        byte[] bytes;
        try
        {
            bytes = Convert.FromBase64String(base64);
        }
        catch (FormatException)
        {
            return Reject(RejectReason.BadEncoding, "the Kinesis data is not valid base64");
        }

        return Parse(bytes, now);
    }

    private static string Truncate(string s) => s.Length <= 40 ? s : s[..40] + "...";
}
