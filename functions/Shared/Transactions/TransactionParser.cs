using System.Buffers;
using System.Buffers.Binary;
using System.Buffers.Text;
using System.Globalization;
using System.Net;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;

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
/// <para>One pass: <see cref="Decode"/> decodes the base64 into a stack (or pooled) buffer, and a single
/// <see cref="Utf8JsonReader"/> pass over those bytes checks the syntax and takes each field's value as it goes (no
/// document, no copy, no regular expression); the checks then run on the values taken, in a fixed order, so the first
/// problem reported is the same whatever the order of the fields. A record is rejected for the first of: size, UTF-8,
/// JSON syntax (of the whole record), not an object, an unknown or repeated field (in the record's order), a missing
/// required field (in <c>Required</c>'s order), then the fields' types and values (transactionId, userId, merchantId,
/// merchantCategory, currency, country, amount, timestamp, deviceId, ipAddress, channel).</para>
/// </summary>
public static partial class TransactionParser
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

    // The fields, in the order missing required fields are reported; the first eight are required.
    private const int TransactionIdField = 0, UserIdField = 1, AmountField = 2, CurrencyField = 3, MerchantIdField = 4,
        MerchantCategoryField = 5, CountryField = 6, TimestampField = 7, DeviceIdField = 8, IpAddressField = 9, ChannelField = 10;

    private static readonly string[] Fields =
        ["transactionId", "userId", "amount", "currency", "merchantId", "merchantCategory", "country", "timestamp", "deviceId", "ipAddress", "channel"];

    private const int RequiredCount = 8;

    // Records whose ASCII copy and decoded bytes together fit this size are decoded in the thread's scratch buffer
    // (a stackalloc'd one was zeroed for every record); larger ones (at most a Kinesis record, 1 MiB) in a pooled array.
    private const int StackBytes = 2048;

    [ThreadStatic]
    private static byte[]? scratch;

    private const string IdRule = "1-64 letters, digits or _.:- starting with a letter or digit";

    private static readonly JsonReaderOptions ReaderOptions = new() { MaxDepth = 8 };

    // The code lists, looked up by the characters read (no string is made for a known code: the list's own is used).
    private static readonly HashSet<string>.AlternateLookup<ReadOnlySpan<char>> Currencies = Lookup(IsoCodes.Currencies);
    private static readonly HashSet<string>.AlternateLookup<ReadOnlySpan<char>> Countries = Lookup(IsoCodes.Countries);
    private static readonly HashSet<string>.AlternateLookup<ReadOnlySpan<char>> Channels = Lookup(IsoCodes.Channels);
    private static readonly string ChannelList = string.Join(", ", IsoCodes.Channels.Order(StringComparer.Ordinal));

    /// <summary>
    /// Decodes a Kinesis record's data (base64, as the event carries it) and parses it: <see cref="RejectReason.BadEncoding"/>
    /// when it is not valid base64 (white space is ignored, as <see cref="Convert.FromBase64String"/> does), else
    /// <see cref="Parse"/>. The usual data (ASCII base64 without white space) is narrowed to bytes and decoded by the
    /// vectorized <see cref="Base64.DecodeFromUtf8(ReadOnlySpan{byte}, Span{byte}, out int, out int, bool)"/> (the UTF-16
    /// decoder of <see cref="Convert.TryFromBase64Chars"/> took a quarter of this method's time); anything else (white
    /// space, a character outside ASCII, invalid base64) takes <see cref="Convert.TryFromBase64Chars"/>, which decides.
    /// </summary>
    public static ParseResult Decode(string? base64, DateTimeOffset now)
    {
        var chars = (base64 ?? "").AsSpan();
        var size = chars.Length + (chars.Length + 3) / 4 * 3;
        byte[]? rented = null;
        var buffer = size <= StackBytes ? (scratch ??= new byte[StackBytes]).AsSpan(0, size) : (rented = ArrayPool<byte>.Shared.Rent(size));
        try
        {
            var ascii = buffer[..chars.Length];
            var bytes = buffer[chars.Length..size];
            return (Ascii.FromUtf16(chars, ascii, out _) == OperationStatus.Done && Base64.DecodeFromUtf8(ascii, bytes, out _, out var length) == OperationStatus.Done)
                || Convert.TryFromBase64Chars(chars, bytes, out length)
                ? Parse(bytes[..length], now)
                : ParseResult.Reject(RejectReason.BadEncoding, "the Kinesis data is not valid base64");
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    /// <summary>
    /// Parses <paramref name="utf8Json"/>; <paramref name="now"/> bounds the timestamp. A valid record of the usual form
    /// (ASCII, no escapes, no repeated or unknown field) is accepted by <see cref="TryParseFast"/>, a scan of the bytes
    /// that makes only the strings the transaction keeps; anything else, and every record it does not accept, goes
    /// through <see cref="ParseWithReader"/>, which gives the verdict (the fast path never rejects).
    /// </summary>
    public static ParseResult Parse(ReadOnlySpan<byte> utf8Json, DateTimeOffset now) =>
        TryParseFast(utf8Json, now) is { } transaction ? new ParseResult { Transaction = transaction } : ParseWithReader(utf8Json, now);

    /// <summary>The parser that decides every record: <see cref="Utf8JsonReader"/>, checks in the fixed order, the first problem reported.</summary>
    internal static ParseResult ParseWithReader(ReadOnlySpan<byte> utf8Json, DateTimeOffset now)
    {
        if (utf8Json.Length > MaxRecordBytes)
        {
            return ParseResult.Reject(RejectReason.TooLarge, $"record has {utf8Json.Length} bytes; the limit is {MaxRecordBytes}");
        }

        if (!System.Text.Unicode.Utf8.IsValid(utf8Json))
        {
            return ParseResult.Reject(RejectReason.NotJson, "not valid UTF-8");
        }

        var values = new Values();
        ParseResult? structure;
        try
        {
            structure = Read(utf8Json, ref values);
        }
        catch (JsonException e)
        {
            return ParseResult.Reject(RejectReason.NotJson, $"not valid JSON at byte {e.BytePositionInLine}, line {e.LineNumber}");
        }

        if (structure is not null)
        {
            return structure;
        }

        for (var field = 0; field < RequiredCount; field++)
        {
            if (values.Kind(field) is JsonTokenType.None or JsonTokenType.Null)
            {
                return ParseResult.Reject(RejectReason.MissingField, $"required field '{Fields[field]}' is missing");
            }
        }

        return Check(ref values, now);
    }

    // The one pass over the bytes: syntax (to the end of the record, so a syntax error anywhere wins, as before), the
    // root's kind, unknown and repeated fields; takes each known field's value. Returns the first structural problem.
    // A string escaping an unpaired UTF-16 surrogate ("\ud800") is valid JSON syntax but no text: the reader refuses
    // to make a string of it (InvalidOperationException), and the record is rejected as not JSON (the parser before
    // this one let that exception through and failed the whole batch).
    private static ParseResult? Read(ReadOnlySpan<byte> utf8Json, ref Values values)
    {
        var reader = new Utf8JsonReader(utf8Json, ReaderOptions);
        try
        {
            return Read(ref reader, ref values);
        }
        catch (InvalidOperationException)
        {
            return ParseResult.Reject(RejectReason.NotJson, $"not valid JSON: the string at byte {reader.TokenStartIndex} escapes an unpaired UTF-16 surrogate");
        }
    }

    private static ParseResult? Read(ref Utf8JsonReader reader, ref Values values)
    {
        reader.Read();
        ParseResult? problem = null;
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            var kind = reader.TokenType switch
            {
                JsonTokenType.StartArray => JsonValueKind.Array,
                JsonTokenType.String => JsonValueKind.String,
                JsonTokenType.Number => JsonValueKind.Number,
                JsonTokenType.True => JsonValueKind.True,
                JsonTokenType.False => JsonValueKind.False,
                _ => JsonValueKind.Null,
            };
            reader.Skip();
            problem = ParseResult.Reject(RejectReason.NotAnObject, $"a transaction must be a JSON object, not {kind}");
        }
        else
        {
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var field = FieldOf(ref reader);
                if (problem is null && (field < 0 || values.Kind(field) != JsonTokenType.None))
                {
                    var name = reader.GetString()!;
                    problem = field < 0
                        ? ParseResult.Reject(RejectReason.UnknownField, $"unknown field '{Truncate(name)}'")
                        : ParseResult.Reject(RejectReason.UnknownField, $"field '{name}' appears twice");
                }

                reader.Read();
                if (problem is null)
                {
                    values.Take(field, ref reader);
                }

                reader.Skip();
            }
        }

        while (reader.Read())
        {
            // Anything after the root value is a syntax error the reader throws.
        }

        return problem;
    }

    // The index of the property name the reader is on in Fields, or -1.
    private static int FieldOf(ref Utf8JsonReader reader)
    {
        if (reader.ValueIsEscaped)
        {
            return Array.IndexOf(Fields, reader.GetString());
        }

        return FieldOf(reader.ValueSpan);
    }

    // The index of an unescaped property name in Fields, or -1.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int FieldOf(ReadOnlySpan<byte> name)
    {
        if (name.Length is < 6 or > 16)
        {
            return -1;
        }

        // Compared as two overlapping words (4 bytes each for the names of 6 and 7 bytes, 8 for the longer ones), which
        // cover every byte of a name of that length.
        var head = NameWord(name, 0);
        var tail = NameWord(name, name.Length - (name.Length < 8 ? 4 : 8));
        return name.Length switch
        {
            6 => IsName(head, tail, UserIdField) ? UserIdField : IsName(head, tail, AmountField) ? AmountField : -1,
            7 => IsName(head, tail, CountryField) ? CountryField : IsName(head, tail, ChannelField) ? ChannelField : -1,
            8 => IsName(head, tail, CurrencyField) ? CurrencyField : IsName(head, tail, DeviceIdField) ? DeviceIdField : -1,
            9 => IsName(head, tail, TimestampField) ? TimestampField : IsName(head, tail, IpAddressField) ? IpAddressField : -1,
            10 => IsName(head, tail, MerchantIdField) ? MerchantIdField : -1,
            13 => IsName(head, tail, TransactionIdField) ? TransactionIdField : -1,
            16 => IsName(head, tail, MerchantCategoryField) ? MerchantCategoryField : -1,
            _ => -1,
        };
    }

    private static readonly ulong[] NameHeads = Fields.Select(f => NameWord(Encoding.ASCII.GetBytes(f), 0)).ToArray();
    private static readonly ulong[] NameTails = Fields.Select(f => NameWord(Encoding.ASCII.GetBytes(f), f.Length - (f.Length < 8 ? 4 : 8))).ToArray();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool IsName(ulong head, ulong tail, int field) => head == NameHeads[field] && tail == NameTails[field];

    // The word of a name at at: 4 bytes for a name shorter than 8, else 8.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong NameWord(ReadOnlySpan<byte> name, int at) =>
        name.Length < 8 ? BinaryPrimitives.ReadUInt32LittleEndian(name[at..]) : BinaryPrimitives.ReadUInt64LittleEndian(name[at..]);

    // The checks of the values taken, in the fixed order of the class summary; the first problem is reported.
    private static ParseResult Check(ref Values v, DateTimeOffset now)
    {
        ParseResult? error = null;
        var transactionId = Id(ref v, TransactionIdField, 64, IdRule, ref error);
        var userId = Id(ref v, UserIdField, 64, IdRule, ref error);
        var merchantId = Id(ref v, MerchantIdField, 64, IdRule, ref error);

        var mcc = String(ref v, MerchantCategoryField, ref error);
        if (mcc is not null && !(mcc.Length == 4 && char.IsAsciiDigit(mcc[0]) && char.IsAsciiDigit(mcc[1]) && char.IsAsciiDigit(mcc[2]) && char.IsAsciiDigit(mcc[3])))
        {
            error ??= ParseResult.Reject(RejectReason.InvalidValue, "'merchantCategory' must be a four-digit merchant category code");
        }

        var currency = Code(ref v, CurrencyField, "'currency' must be an active ISO 4217 code in upper case, e.g. EUR", ref error);
        var country = Code(ref v, CountryField, "'country' must be an ISO 3166-1 alpha-2 code in upper case, e.g. DE", ref error);

        var amount = v.Amount;
        if (v.Kind(AmountField) != JsonTokenType.Number)
        {
            error ??= ParseResult.Reject(RejectReason.WrongType, "'amount' must be a JSON number");
        }
        else if (!v.AmountIsDecimal)
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

        var timestamp = default(DateTimeOffset);
        if (v.Kind(TimestampField) != JsonTokenType.String)
        {
            error ??= ParseResult.Reject(RejectReason.WrongType, "'timestamp' must be a string");
        }
        else if (!TryParseTimestamp(v.Text(TimestampField).AsSpan(), out timestamp))
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

        var deviceId = v.Kind(DeviceIdField) is JsonTokenType.None or JsonTokenType.Null ? null : Id(ref v, DeviceIdField, 128, "1-128 letters, digits or _.:-", ref error);
        var ip = v.Kind(IpAddressField) is JsonTokenType.None or JsonTokenType.Null ? null : String(ref v, IpAddressField, ref error);
        if (ip is not null && !((ip.Contains('.') || ip.Contains(':')) && IPAddress.TryParse(ip, out _)))
        {
            error ??= ParseResult.Reject(RejectReason.InvalidValue, "'ipAddress' must be an IPv4 or IPv6 address");
        }

        var channel = v.Kind(ChannelField) is JsonTokenType.None or JsonTokenType.Null ? null : Code(ref v, ChannelField, $"'channel' must be one of {ChannelList}", ref error);

        return error ?? new ParseResult
        {
            Transaction = new Transaction
            {
                TransactionId = transactionId!,
                UserId = userId!,
                Amount = amount,
                Currency = currency!,
                MerchantId = merchantId!,
                MerchantCategory = mcc!,
                Country = country!,
                Timestamp = timestamp,
                DeviceId = deviceId,
                IpAddress = ip,
                Channel = channel,
            },
        };
    }

    // A string field's value; WrongType when it is not a string.
    private static string? String(ref Values v, int field, ref ParseResult? error)
    {
        if (v.Kind(field) != JsonTokenType.String)
        {
            error ??= ParseResult.Reject(RejectReason.WrongType, $"'{Fields[field]}' must be a string");
            return null;
        }

        return v.Text(field);
    }

    // An id: 1 to max of A-Z a-z 0-9 _ . : -, starting with a letter or digit.
    private static string? Id(ref Values v, int field, int max, string rule, ref ParseResult? error)
    {
        var s = String(ref v, field, ref error);
        if (s is not null && !IsId(s, max))
        {
            error ??= ParseResult.Reject(RejectReason.InvalidValue, $"'{Fields[field]}' must be {rule}");
        }

        return s;
    }

    private static bool IsId(string s, int max)
    {
        if (s.Length == 0 || s.Length > max || !char.IsAsciiLetterOrDigit(s[0]))
        {
            return false;
        }

        foreach (var c in s)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not ('_' or '.' or ':' or '-'))
            {
                return false;
            }
        }

        return true;
    }

    // A code of a list (currency, country, channel): WrongType when not a string, InvalidValue when not in the list.
    private static string? Code(ref Values v, int field, string expectation, ref ParseResult? error)
    {
        var s = String(ref v, field, ref error);
        if (s is not null && !v.IsKnownCode(field))
        {
            error ??= ParseResult.Reject(RejectReason.InvalidValue, expectation);
        }

        return s;
    }

    // yyyy-MM-ddTHH:mm:ss[.f{1,7}](Z|+HH:mm|-HH:mm), ASCII digits, a valid date and time, an offset of at most 14 hours
    // and a UTC instant within DateTimeOffset's range (what DateTimeOffset.TryParse accepted of that shape before).
    // Of characters (the reader's path) or of the value's bytes (the fast path): one code, compiled for each.
    private static bool TryParseTimestamp<T>(ReadOnlySpan<T> s, out DateTimeOffset value)
        where T : unmanaged, IBinaryInteger<T>
    {
        value = default;
        if (s.Length < 20 || At(s, 4) != '-' || At(s, 7) != '-' || At(s, 10) != 'T' || At(s, 13) != ':' || At(s, 16) != ':'
            || !Digits(s, 0, 4, out var year) || !Digits(s, 5, 2, out var month) || !Digits(s, 8, 2, out var day)
            || !Digits(s, 11, 2, out var hour) || !Digits(s, 14, 2, out var minute) || !Digits(s, 17, 2, out var second))
        {
            return false;
        }

        var i = 19;
        long fraction = 0;
        if (At(s, i) == '.')
        {
            var start = ++i;
            while (i < s.Length && i - start < 8 && IsDigit(At(s, i)))
            {
                fraction = fraction * 10 + (At(s, i) - '0');
                i++;
            }

            var n = i - start;
            if (n is 0 or > 7)
            {
                return false;
            }

            for (; n < 7; n++)
            {
                fraction *= 10;
            }
        }

        int offsetMinutes;
        if (i == s.Length - 1 && At(s, i) == 'Z')
        {
            offsetMinutes = 0;
        }
        else if (i == s.Length - 6 && (At(s, i) == '+' || At(s, i) == '-') && At(s, i + 3) == ':' && Digits(s, i + 1, 2, out var oh) && Digits(s, i + 4, 2, out var om) && om < 60)
        {
            offsetMinutes = (oh * 60 + om) * (At(s, i) == '-' ? -1 : 1);
            if (Math.Abs(offsetMinutes) > 14 * 60)
            {
                return false;
            }
        }
        else
        {
            return false;
        }

        if (year < 1 || month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month) || hour > 23 || minute > 59 || second > 59)
        {
            return false;
        }

        var utcTicks = new DateTime(year, month, day, hour, minute, second).Ticks + fraction - (offsetMinutes * TimeSpan.TicksPerMinute);
        if (utcTicks < DateTime.MinValue.Ticks || utcTicks > DateTime.MaxValue.Ticks)
        {
            return false;
        }

        value = new DateTimeOffset(utcTicks, TimeSpan.Zero);
        return true;
    }

    private static bool Digits<T>(ReadOnlySpan<T> s, int at, int count, out int value)
        where T : unmanaged, IBinaryInteger<T>
    {
        value = 0;
        for (var i = at; i < at + count; i++)
        {
            if (!IsDigit(At(s, i)))
            {
                return false;
            }

            value = value * 10 + (At(s, i) - '0');
        }

        return true;
    }

    // The character code at i (a char's, or a byte's: the fast path reads ASCII only).
    private static int At<T>(ReadOnlySpan<T> s, int i)
        where T : unmanaged, IBinaryInteger<T> => int.CreateTruncating(s[i]);

    private static bool IsDigit(int c) => (uint)(c - '0') <= 9;

    private static HashSet<string>.AlternateLookup<ReadOnlySpan<char>> Lookup(IReadOnlySet<string> codes) =>
        new HashSet<string>(codes, StringComparer.Ordinal).GetAlternateLookup<ReadOnlySpan<char>>();

    private static string Truncate(string s) => s.Length <= 40 ? s : s[..40] + "...";

    // What the pass took of each known field: its token kind and, for a string, its text; for a code field whose text is
    // a known code, the list's own string (no new string for it); for the amount, its decimal value.
    private ref struct Values
    {
        private Fixed11<JsonTokenType> _kinds;
        private Fixed11<string?> _texts;
        private Fixed11<bool> _known;

        public decimal Amount;
        public bool AmountIsDecimal;

        public readonly JsonTokenType Kind(int field) => _kinds[field];

        public readonly string Text(int field) => _texts[field]!;

        public readonly bool IsKnownCode(int field) => _known[field];

        // Takes the value the reader is on for field (-1: none).
        public void Take(int field, ref Utf8JsonReader reader)
        {
            if (field < 0)
            {
                return;
            }

            _kinds[field] = reader.TokenType;
            if (reader.TokenType == JsonTokenType.String)
            {
                var codes = field switch { CurrencyField => Currencies, CountryField => Countries, ChannelField => Channels, _ => default };
                if (codes.Set is not null && !reader.ValueIsEscaped && reader.ValueSpan.Length <= 8)
                {
                    Span<char> chars = stackalloc char[8];
                    var n = Encoding.UTF8.GetChars(reader.ValueSpan, chars);
                    if (codes.TryGetValue(chars[..n], out var code))
                    {
                        _texts[field] = code;
                        _known[field] = true;
                        return;
                    }
                }

                _texts[field] = reader.GetString();
                _known[field] = codes.Set is not null && codes.Set.Contains(_texts[field]!);
            }
            else if (field == AmountField && reader.TokenType == JsonTokenType.Number)
            {
                AmountIsDecimal = reader.TryGetDecimal(out Amount);
            }
        }
    }

    [System.Runtime.CompilerServices.InlineArray(11)]
    private struct Fixed11<T>
    {
        private T _element;
    }
}
