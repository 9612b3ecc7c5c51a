using System.Buffers;
using System.Buffers.Text;
using System.Net;
using System.Numerics;
using System.Runtime.Intrinsics;
using System.Text;

namespace FraudTf.Functions.Shared.Transactions;

/// <summary>
/// The fast path of <see cref="TransactionParser.Parse"/>: one scan of the bytes for the usual record, checking each field
/// on its bytes (ids by <see cref="SearchValues"/>, codes by letter tables, the amount composed from its digits as
/// <see cref="Utf8Parser"/> makes it, which is what <see cref="System.Text.Json.Utf8JsonReader.TryGetDecimal"/> calls, the
/// timestamp digit by digit) and making only the strings the transaction keeps (no string for the timestamp, none for a
/// currency, country or channel: the code lists' own; merchant category codes are made once each).
/// It accepts a record only when <see cref="TransactionParser.ParseWithReader"/> would accept it with the same
/// transaction, and otherwise returns null without saying why: a JSON object of ASCII text whose names are known,
/// unescaped and given once, whose string values have no escape and no control character, whose other values are
/// null (optional fields) or a number (the amount) of the JSON grammar, with white space only where JSON allows it,
/// and whose every value passes its check (an IP address other than a dotted quad by the reader's path's own check).
/// Anything else (escapes, non-ASCII, a failed check) leaves the verdict to the reader's path.
/// tests/Functions.Tests/Transactions/TransactionParserFastPathTests.cs compares the two on generated and adversarial records.
/// </summary>
public static partial class TransactionParser
{
    private const byte NoValue = 0, StringValue = 1, NumberValue = 2, NullValue = 3;

    private static readonly SearchValues<byte> IdBytes = SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.:-"u8);

    // The code lists by their letters (A-Z: index base 26), holding the list's own string; null where no code is.
    private static readonly string?[] CurrencyByLetters = LetterTable(IsoCodes.Currencies, 3);
    private static readonly string?[] CountryByLetters = LetterTable(IsoCodes.Countries, 2);

    // The merchant category code strings made so far, by value (10,000 at most): a code is made once, then shared.
    private static readonly string?[] MerchantCategoryCodes = new string?[10_000];

    /// <summary>The transaction of <paramref name="utf8Json"/> when it is a valid record of the usual form; null otherwise (the reader's path decides).</summary>
    internal static Transaction? TryParseFast(ReadOnlySpan<byte> utf8Json, DateTimeOffset now)
    {
        if (utf8Json.Length > MaxRecordBytes)
        {
            return null;
        }

        var values = default(Ranges);
        if (!Scan(utf8Json, ref values))
        {
            return null;
        }

        for (var field = 0; field < RequiredCount; field++)
        {
            if (values.Kinds[field] is NoValue or NullValue)
            {
                return null;
            }
        }

        if (!IdValue(utf8Json, ref values, TransactionIdField, 64, out var transactionId)
            || !IdValue(utf8Json, ref values, UserIdField, 64, out var userId)
            || !IdValue(utf8Json, ref values, MerchantIdField, 64, out var merchantId)
            || values.Kinds[MerchantCategoryField] != StringValue || MerchantCategory(values.Span(utf8Json, MerchantCategoryField)) is not { } mcc
            || values.Kinds[CurrencyField] != StringValue || Letters(values.Span(utf8Json, CurrencyField), CurrencyByLetters) is not { } currency
            || values.Kinds[CountryField] != StringValue || Letters(values.Span(utf8Json, CountryField), CountryByLetters) is not { } country
            || values.Kinds[AmountField] != NumberValue)
        {
            return null;
        }

        var number = values.Span(utf8Json, AmountField);
        if (!TryParseAmount(number, out var amount)
            || amount <= 0 || amount > MaxAmount || (amount.Scale > 4 && decimal.Round(amount, 4) != amount))
        {
            return null;
        }

        if (values.Kinds[TimestampField] != StringValue || !TryParseTimestamp(values.Span(utf8Json, TimestampField), out var timestamp)
            || timestamp > now + MaxClockSkew || timestamp < now - MaxAge)
        {
            return null;
        }

        string? deviceId = null, ip = null, channel = null;
        if (values.Kinds[DeviceIdField] != NullValue && values.Kinds[DeviceIdField] != NoValue && !IdValue(utf8Json, ref values, DeviceIdField, 128, out deviceId))
        {
            return null;
        }

        if (values.Kinds[IpAddressField] is StringValue)
        {
            var bytes = values.Span(utf8Json, IpAddressField);
            ip = Text(bytes);
            if (!IsDottedQuad(bytes) && !((ip.Contains('.') || ip.Contains(':')) && IPAddress.TryParse(ip, out _)))
            {
                return null;
            }
        }
        else if (values.Kinds[IpAddressField] == NumberValue)
        {
            return null;
        }

        if (values.Kinds[ChannelField] is StringValue)
        {
            channel = Channel(values.Span(utf8Json, ChannelField));
            if (channel is null)
            {
                return null;
            }
        }
        else if (values.Kinds[ChannelField] == NumberValue)
        {
            return null;
        }

        return new Transaction
        {
            TransactionId = transactionId!,
            UserId = userId!,
            Amount = amount,
            Currency = currency,
            MerchantId = merchantId!,
            MerchantCategory = mcc,
            Country = country,
            Timestamp = timestamp,
            DeviceId = deviceId,
            IpAddress = ip,
            Channel = channel,
        };
    }

    // The syntax and the structure: an object of known, unescaped, unrepeated names whose values are plain strings,
    // numbers or null; each value's place is recorded. False for anything else (the reader's path decides it).
    private static bool Scan(ReadOnlySpan<byte> json, ref Ranges values)
    {
        var i = SkipWhiteSpace(json, 0);
        if (i == json.Length || json[i] != (byte)'{')
        {
            return false;
        }

        i = SkipWhiteSpace(json, i + 1);
        var seen = 0;
        while (true)
        {
            if (i == json.Length || json[i] != (byte)'"')
            {
                return false;
            }

            var nameStart = i + 1;
            var nameEnd = EndOfString(json, nameStart);
            if (nameEnd < 0)
            {
                return false;
            }

            var field = FieldOf(json[nameStart..nameEnd]);
            if (field < 0 || (seen & (1 << field)) != 0)
            {
                return false;
            }

            seen |= 1 << field;
            i = SkipWhiteSpace(json, nameEnd + 1);
            if (i == json.Length || json[i] != (byte)':')
            {
                return false;
            }

            i = SkipWhiteSpace(json, i + 1);
            if (i == json.Length)
            {
                return false;
            }

            int start, end;
            byte kind;
            if (json[i] == (byte)'"')
            {
                start = i + 1;
                end = EndOfString(json, start);
                if (end < 0)
                {
                    return false;
                }

                kind = StringValue;
                i = end + 1;
            }
            else if (json[i] == (byte)'n')
            {
                if (!json[i..].StartsWith("null"u8))
                {
                    return false;
                }

                start = end = i;
                kind = NullValue;
                i += 4;
            }
            else
            {
                start = i;
                end = EndOfNumber(json, i);
                if (end < 0)
                {
                    return false;
                }

                kind = NumberValue;
                i = end;
            }

            values.Starts[field] = start;
            values.Lengths[field] = end - start;
            values.Kinds[field] = kind;
            i = SkipWhiteSpace(json, i);
            if (i == json.Length)
            {
                return false;
            }

            if (json[i] == (byte)',')
            {
                i = SkipWhiteSpace(json, i + 1);
                continue;
            }

            return json[i] == (byte)'}' && SkipWhiteSpace(json, i + 1) == json.Length;
        }
    }

    private static int SkipWhiteSpace(ReadOnlySpan<byte> json, int i)
    {
        while (i < json.Length && json[i] is (byte)' ' or (byte)'\n' or (byte)'\r' or (byte)'\t')
        {
            i++;
        }

        return i;
    }

    // The index of the quote closing a string that starts at start, or -1 when the string has an escape, a control
    // character or a byte outside ASCII before it (or no end). Sixteen bytes at a time (most names and values end in
    // the first sixteen; SearchValues' IndexOfAny cost more in its set-up than it saved on such short strings), the
    // last few bytes of the record one at a time.
    private static int EndOfString(ReadOnlySpan<byte> json, int start)
    {
        var i = start;
        for (; i + Vector128<byte>.Count <= json.Length; i += Vector128<byte>.Count)
        {
            var v = Vector128.Create(json.Slice(i, Vector128<byte>.Count));
            var stops = Vector128.Equals(v, Vector128.Create((byte)'"')) | Vector128.Equals(v, Vector128.Create((byte)'\\'))
                | Vector128.GreaterThanOrEqual(v - Vector128.Create((byte)0x20), Vector128.Create((byte)0x60)); // < 0x20 or >= 0x80
            var found = stops.ExtractMostSignificantBits();
            if (found != 0)
            {
                var at = i + BitOperations.TrailingZeroCount(found);
                return json[at] == (byte)'"' ? at : -1;
            }
        }

        for (; i < json.Length; i++)
        {
            var b = json[i];
            if (b == (byte)'"')
            {
                return i;
            }

            if (b == (byte)'\\' || (uint)(b - 0x20) >= 0x60)
            {
                return -1;
            }
        }

        return -1;
    }

    // The end of a JSON number starting at i (-?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?), or -1 when it is none.
    // What follows it is the caller's to check.
    private static int EndOfNumber(ReadOnlySpan<byte> json, int i)
    {
        if (i < json.Length && json[i] == (byte)'-')
        {
            i++;
        }

        if (i == json.Length || !char.IsAsciiDigit((char)json[i]))
        {
            return -1;
        }

        if (json[i++] != (byte)'0')
        {
            i = SkipDigits(json, i);
        }

        if (i < json.Length && json[i] == (byte)'.')
        {
            var digits = ++i;
            i = SkipDigits(json, i);
            if (i == digits)
            {
                return -1;
            }
        }

        if (i < json.Length && json[i] is (byte)'e' or (byte)'E')
        {
            i++;
            if (i < json.Length && json[i] is (byte)'+' or (byte)'-')
            {
                i++;
            }

            var digits = i;
            i = SkipDigits(json, i);
            if (i == digits)
            {
                return -1;
            }
        }

        return i;
    }

    private static int SkipDigits(ReadOnlySpan<byte> json, int i)
    {
        while (i < json.Length && char.IsAsciiDigit((char)json[i]))
        {
            i++;
        }

        return i;
    }

    // The amount's decimal as Utf8JsonReader.TryGetDecimal makes it (Utf8Parser, the whole token): the usual form, an
    // integer part of at most 10 digits and at most 8 decimals, is composed here (its digits, and as many decimal places
    // as it has decimals, trailing zeros included); anything else (an exponent, a sign, more digits) is Utf8Parser's.
    private static bool TryParseAmount(ReadOnlySpan<byte> number, out decimal value)
    {
        var point = number.IndexOf((byte)'.');
        var whole = point < 0 ? number.Length : point;
        var decimals = point < 0 ? 0 : number.Length - point - 1;
        if (whole is >= 1 and <= 10 && decimals <= 8 && (point < 0 || decimals > 0))
        {
            ulong digits = 0;
            var plain = true;
            for (var i = 0; i < number.Length && plain; i++)
            {
                if (i != point)
                {
                    var d = (uint)(number[i] - '0');
                    plain = d <= 9;
                    digits = (digits * 10) + d;
                }
            }

            if (plain)
            {
                value = new decimal((int)(uint)digits, (int)(uint)(digits >> 32), 0, false, (byte)decimals);
                return true;
            }
        }

        value = default;
        return Utf8Parser.TryParse(number, out value, out var consumed) && consumed == number.Length;
    }

    // An id field (a string of 1 to max of A-Z a-z 0-9 _ . : -, starting with a letter or digit): its string.
    private static bool IdValue(ReadOnlySpan<byte> json, ref Ranges values, int field, int max, out string? value)
    {
        value = null;
        if (values.Kinds[field] != StringValue)
        {
            return false;
        }

        var s = values.Span(json, field);
        if (s.Length == 0 || s.Length > max || !char.IsAsciiLetterOrDigit((char)s[0]) || s.ContainsAnyExcept(IdBytes))
        {
            return false;
        }

        value = Text(s);
        return true;
    }

    // Four ASCII digits: the code's string (made once per code); null otherwise.
    private static string? MerchantCategory(ReadOnlySpan<byte> s)
    {
        if (s.Length != 4)
        {
            return null;
        }

        var n = 0;
        foreach (var b in s)
        {
            if (!char.IsAsciiDigit((char)b))
            {
                return null;
            }

            n = (n * 10) + (b - '0');
        }

        return MerchantCategoryCodes[n] ??= Text(s);
    }

    // A code of a list given by its upper-case letters: the list's string, or null when it is not in the list.
    private static string? Letters(ReadOnlySpan<byte> s, string?[] table)
    {
        var index = 0;
        var expected = table.Length;
        foreach (var b in s)
        {
            if (b is < (byte)'A' or > (byte)'Z')
            {
                return null;
            }

            index = (index * 26) + (b - 'A');
            expected /= 26;
        }

        return expected == 1 ? table[index] : null;
    }

    private static string? Channel(ReadOnlySpan<byte> s) =>
        s.SequenceEqual("web"u8) ? "web" : s.SequenceEqual("mobile"u8) ? "mobile" : s.SequenceEqual("pos"u8) ? "pos"
        : s.SequenceEqual("atm"u8) ? "atm" : s.SequenceEqual("phone"u8) ? "phone" : null;

    // d.d.d.d with four numbers of 0-255 written without leading zeros: an IPv4 address IPAddress.TryParse accepts.
    private static bool IsDottedQuad(ReadOnlySpan<byte> s)
    {
        var i = 0;
        for (var part = 0; part < 4; part++)
        {
            if (part > 0)
            {
                if (i == s.Length || s[i] != (byte)'.')
                {
                    return false;
                }

                i++;
            }

            var start = i;
            var value = 0;
            while (i < s.Length && i - start < 3 && char.IsAsciiDigit((char)s[i]))
            {
                value = (value * 10) + (s[i] - '0');
                i++;
            }

            if (i == start || value > 255 || (s[start] == (byte)'0' && i - start > 1))
            {
                return false;
            }
        }

        return i == s.Length;
    }

    // ASCII bytes as a string.
    private static string Text(ReadOnlySpan<byte> ascii) => Encoding.Latin1.GetString(ascii);

    private static string?[] LetterTable(IReadOnlySet<string> codes, int letters)
    {
        var table = new string?[(int)Math.Pow(26, letters)];
        foreach (var code in codes)
        {
            var index = 0;
            foreach (var c in code)
            {
                index = (index * 26) + (c - 'A');
            }

            // A code of other characters or length is never found here (the reader's path still knows it).
            if (code.Length == letters && code.All(char.IsAsciiLetterUpper))
            {
                table[index] = code;
            }
        }

        return table;
    }

    // Where each field's value is in the record (a string's between its quotes), and its kind.
    private struct Ranges
    {
        public Fixed11<int> Starts;
        public Fixed11<int> Lengths;
        public Fixed11<byte> Kinds;

        public readonly ReadOnlySpan<byte> Span(ReadOnlySpan<byte> json, int field) => json.Slice(Starts[field], Lengths[field]);
    }
}
