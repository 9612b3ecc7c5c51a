using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using FraudTf.Functions.Shared.Transactions;

namespace FraudTf.Functions.Tests.Transactions;

/// <summary>
/// <see cref="TransactionParser.Parse"/>'s fast path (<c>TryParseFast</c>, a scan of the bytes) against the parser that
/// decides every record (<c>ParseWithReader</c>, Utf8JsonReader): on generated and adversarial records (each field at and
/// beyond its bounds, of each JSON type, escaped, non-ASCII, with control characters; white space of every kind at every
/// place; every truncation, deletion and replacement of a byte; random records of random fields in random order) the
/// fast path accepts only records the reader's path accepts, with the same transaction to the bit (the amount's decimal
/// bits and scale, the timestamp's ticks and offset), and <see cref="TransactionParser.Parse"/> gives the reader's path's
/// verdict for every record. It also checks that the usual records do take the fast path.
/// </summary>
[TestFixture]
public class TransactionParserFastPathTests
{
    private static readonly DateTimeOffset Now = TransactionRecords.Now;

    private static readonly string[] FieldNames =
        ["transactionId", "userId", "amount", "currency", "merchantId", "merchantCategory", "country", "timestamp", "deviceId", "ipAddress", "channel"];

    // Raw JSON values (text as written in the record), to place in any field.
    private static readonly string[] RawValues =
    [
        "null", "true", "false", "0", "-0", "1", "-1", "{}", "[]", "[1]", "{\"a\":1}", "\"\"", "\"x\"",
        // numbers: bounds, scales, exponents, forms JSON refuses
        "125.50", "125.5", "1000000000", "1000000000.0", "1000000000.0000", "1000000000.00001", "1000000000.0001", "999999999.9999",
        "0.0001", "0.00010", "0.00005", "0.00001", "1.23450", "1.23456", "1.234500000000", "12.5e0", "1e9", "1E9", "1e+9", "1.0e9", "10e8", "0.1e10",
        "1e10", "1e-4", "1E-5", "5e-5", "1e300", "1e-300", "1e99999", "79228162514264337593543950335", "79228162514264337593543950336",
        "0.0000000000000000000000000001", "0.00000000000000000000000000001", "123456789012345678901234567890", "01", "1.", ".5", "+1", "-", "1e", "1e+",
        "0x10", "NaN", "Infinity", "1.5.2", "1_000", "2.50", "10.10000000", "10.100000000", "9999999999.99999999", "99999999999.5", "1000000000.00000000",
        "0.00000001", "0.10000000", "123.4560", "7", "42.0", "4294967296.0001", "18446744073.7095", "0.1E1", "5.0e-1",
        // ids
        "\"tx-0001\"", "\"A\"", "\"9\"", "\"_abc\"", "\".abc\"", "\"-abc\"", "\"ab c\"", "\"ab/c\"", "\"Ab9_.:-\"", "\"ab\\u0063\"", "\"ab\\/c\"", "\"ab\\\"c\"",
        "\"é\"", "\"tx-é\"", "\"tx\u007f\"", "\"tx\tb\"", "\"tx\u0001\"", "\"tx\\ud800\"", "\"tx\\ud83d\\ude00\"", "\"😀\"",
        Quote(new string('a', 64)), Quote(new string('a', 65)), Quote(new string('a', 128)), Quote(new string('a', 129)),
        // codes
        "\"EUR\"", "\"USD\"", "\"eur\"", "\"EUr\"", "\"XXX\"", "\"EU\"", "\"EURO\"", "\"\\u0045UR\"", "\"E\\u0055R\"", "\"ÉUR\"", "\"AAA\"", "\"ZZZ\"", "\"ZWG\"", "\"AED\"",
        "\"DE\"", "\"FR\"", "\"de\"", "\"D\"", "\"DEU\"", "\"ZZ\"", "\"AD\"", "\"ZW\"", "\"D\\u0045\"",
        "\"5411\"", "\"0000\"", "\"9999\"", "\"541\"", "\"54111\"", "\"541a\"", "\"54\\u00311\"", "\"٥٤١١\"", "\"5411 \"",
        "\"web\"", "\"mobile\"", "\"pos\"", "\"atm\"", "\"phone\"", "\"WEB\"", "\"webb\"", "\"we\"", "\"w\\u0065b\"",
        // IP addresses
        "\"192.0.2.1\"", "\"0.0.0.0\"", "\"255.255.255.255\"", "\"256.0.0.1\"", "\"1.2.3\"", "\"1.2\"", "\"1\"", "\"12345\"", "\"1.2.3.4.5\"", "\"1.2.3.\"",
        "\".1.2.3\"", "\"1..2.3\"", "\"01.2.3.4\"", "\"1.2.3.04\"", "\"1.2.3.004\"", "\"1.2.3.0004\"", "\"0x7f.0.0.1\"", "\"1.2.3.4 \"", "\" 1.2.3.4\"",
        "\"2001:db8::1\"", "\"::1\"", "\"::\"", "\"::ffff:1.2.3.4\"", "\"fe80::1%eth0\"", "\"[::1]\"", "\"[::1]:80\"", "\"1.2.3.4:80\"", "\"2001:db8::g\"", "\"1:2:3:4:5:6:7:8:9\"",
        "\"4294967295\"", "\"1.2.3.-4\"", "\"1.2.3.+4\"",
        // timestamps
        "\"2026-11-25T11:58:00Z\"", "\"2026-11-25T11:58:00.1234567Z\"", "\"2026-11-25T11:58:00.12345678Z\"", "\"2026-11-25T11:58:00.Z\"",
        "\"2026-11-25T11:58:00+01:00\"", "\"2026-11-25T13:10:00+01:00\"", "\"2026-11-25T11:58:00-14:00\"", "\"2026-11-25T11:58:00+14:01\"",
        "\"2026-11-25T11:58:00+05:60\"", "\"2026-11-25T11:58:00+0100\"", "\"2026-11-25 11:58:00Z\"", "\"2026-11-25T11:58:00\"", "\"2026-02-29T10:00:00Z\"",
        "\"2024-02-29T10:00:00Z\"", "\"2026-04-31T10:00:00Z\"", "\"2026-11-25T24:00:00Z\"", "\"2026-11-25T23:59:60Z\"", "\"2026-11-25T12:05:00Z\"",
        "\"2026-11-25T12:05:00.0000001Z\"", "\"2024-11-24T12:00:00Z\"", "\"2024-11-23T23:59:59.9999999Z\"", "\"2024-11-24T11:59:59.9999999Z\"",
        "\"2026-11-25t11:58:00z\"", "\"2026-11-25T11:58:00\\u005A\"", "\"２０２６-11-25T11:58:00Z\"", "\"2026-11-25T11:58:00.5+00:00\"", "\"0001-01-01T00:00:00+01:00\"",
    ];

    private static string Quote(string s) => "\"" + s + "\"";

    // A valid record as (name, raw value) members.
    private static List<(string Name, string Value)> Members(bool full = true)
    {
        var o = full ? TransactionRecords.Full() : TransactionRecords.Required();
        return o.Select(p => (p.Key, p.Value!.ToJsonString())).ToList();
    }

    private static string Json(IEnumerable<(string Name, string Value)> members, string colon = ":", string comma = ",") =>
        "{" + string.Join(comma, members.Select(m => $"\"{m.Name}\"{colon}{m.Value}")) + "}";

    private static IEnumerable<byte[]> Corpus()
    {
        var valid = Json(Members());
        yield return Encoding.UTF8.GetBytes(valid);
        yield return Encoding.UTF8.GetBytes(Json(Members(full: false)));

        // Each field: missing, and every raw value.
        foreach (var field in FieldNames)
        {
            yield return Encoding.UTF8.GetBytes(Json(Members().Where(m => m.Name != field)));
            foreach (var value in RawValues)
            {
                var members = Members();
                var at = members.FindIndex(m => m.Name == field);
                if (at < 0)
                {
                    members.Add((field, value));
                }
                else
                {
                    members[at] = (field, value);
                }

                yield return Encoding.UTF8.GetBytes(Json(members));
            }
        }

        // Names: escaped, unknown, repeated, of another case, with a control character or non-ASCII.
        foreach (var name in new[] { "user\\u0049d", "userid", "UserId", "extra", "user Id", "userIdé", "user\tId", "", "$comment" })
        {
            yield return Encoding.UTF8.GetBytes(Json(Members().Append((name, "\"x\""))));
        }

        foreach (var field in FieldNames)
        {
            var members = Members();
            var m = members.First(x => x.Name == field);
            yield return Encoding.UTF8.GetBytes(Json(members.Append(m)));
            yield return Encoding.UTF8.GetBytes(Json(members.Append((field, "null"))));
            yield return Encoding.UTF8.GetBytes(Json(members.Prepend((field, "null"))));
        }

        // White space, JSON's and other, around every token.
        foreach (var ws in new[] { " ", "\t", "\n", "\r", " \r\n\t ", "\f", "\v", "\u00a0", "\u2028", "\uFEFF", "/**/" })
        {
            yield return Encoding.UTF8.GetBytes(ws + valid);
            yield return Encoding.UTF8.GetBytes(valid + ws);
            yield return Encoding.UTF8.GetBytes(Json(Members(), colon: ws + ":" + ws, comma: ws + "," + ws));
            yield return Encoding.UTF8.GetBytes("{" + ws + valid[1..^1] + ws + "}");
        }

        // Other roots, trailing data, nesting.
        foreach (var raw in new[] { "", " ", "{}", "[]", "null", "1", "\"x\"", "{", "}", "[" + valid + "]", valid + valid, valid + ",", valid + "}", valid + "x", valid + "\0", valid[..^1] + ",}", valid.Replace(":", "::", StringComparison.Ordinal) })
        {
            yield return Encoding.UTF8.GetBytes(raw);
        }

        // Every truncation, every byte deleted, and each byte replaced by a few others.
        var bytes = Encoding.UTF8.GetBytes(valid);
        for (var n = 0; n < bytes.Length; n++)
        {
            yield return bytes[..n];
            yield return [.. bytes[..n], .. bytes[(n + 1)..]];
            foreach (var b in "\"\\{}[],: 0a-.\t\u007f"u8.ToArray().Append((byte)0xC3).Append((byte)0x80).Append((byte)0x00))
            {
                var copy = (byte[])bytes.Clone();
                copy[n] = b;
                yield return copy;
                yield return [.. bytes[..n], b, .. bytes[n..]];
            }
        }

        // Random records: random fields (sometimes unknown or repeated) in random order, random values, random white space.
        var random = new Random(18);
        string[] spaces = ["", "", "", " ", "\n", "\t", "\r\n", "  "];
        for (var r = 0; r < 20_000; r++)
        {
            var members = Members().OrderBy(_ => random.Next()).Where(_ => random.Next(40) != 0).ToList();
            for (var k = random.Next(3); k > 0 && members.Count > 0; k--)
            {
                var at = random.Next(members.Count);
                members[at] = (members[at].Name, RawValues[random.Next(RawValues.Length)]);
            }

            if (random.Next(30) == 0)
            {
                members.Add(random.Next(2) == 0 ? ("extra", "1") : members[random.Next(members.Count)]);
            }

            string S() => spaces[random.Next(spaces.Length)];
            var text = new StringBuilder(S() + "{" + S());
            for (var i = 0; i < members.Count; i++)
            {
                text.Append(i > 0 ? S() + "," + S() : "").Append('"').Append(members[i].Name).Append('"').Append(S()).Append(':').Append(S()).Append(members[i].Value);
            }

            yield return Encoding.UTF8.GetBytes(text.Append(S() + "}" + S()).ToString());
        }

        yield return Encoding.UTF8.GetBytes(new string(' ', TransactionParser.MaxRecordBytes - valid.Length) + valid);
        yield return Encoding.UTF8.GetBytes(new string(' ', TransactionParser.MaxRecordBytes - valid.Length + 1) + valid);
    }

    private static string Verdict(ParseResult r) => r.Transaction is { } t ? Verdict(t) : $"{r.Reason}|{r.Detail}";

    private static string Verdict(Transaction t) =>
        string.Join('|', "valid", t.TransactionId, t.UserId, t.Amount.ToString(CultureInfo.InvariantCulture), string.Join(',', decimal.GetBits(t.Amount)), t.Currency,
            t.MerchantId, t.MerchantCategory, t.Country, t.Timestamp.UtcTicks, t.Timestamp.Offset, t.DeviceId ?? "-", t.IpAddress ?? "-", t.Channel ?? "-");

    [Test]
    public void FastPath_AcceptsOnlyWhatTheReadersPathAccepts_WithTheSameTransaction()
    {
        var corpus = Corpus().ToList();
        var fast = 0;
        var differences = new List<string>();
        foreach (var bytes in corpus)
        {
            var reference = Verdict(TransactionParser.ParseWithReader(bytes, Now));
            var parsed = Verdict(TransactionParser.Parse(bytes, Now));
            var quick = TransactionParser.TryParseFast(bytes, Now);
            if (quick is not null)
            {
                fast++;
            }

            if ((quick is not null && Verdict(quick) != reference) || parsed != reference)
            {
                differences.Add($"{Encoding.UTF8.GetString(bytes)}\n  reader: {reference}\n  fast:   {(quick is null ? "-" : Verdict(quick))}\n  Parse:  {parsed}");
            }
        }

        Assert.That(corpus, Has.Count.GreaterThan(30_000));
        Assert.That(differences, Is.Empty, string.Join("\n", differences.Take(10)));
        Assert.That(fast, Is.GreaterThan(1000), "the corpus exercises the fast path's acceptance");
    }

    [Test]
    public void UsualRecords_TakeTheFastPath()
    {
        var full = TransactionRecords.Full();
        var ipv6 = TransactionRecords.Full();
        ipv6["ipAddress"] = "2001:db8::1";
        var nulls = TransactionRecords.Required();
        nulls["deviceId"] = null;
        nulls["ipAddress"] = null;
        nulls["channel"] = null;
        foreach (var record in new[] { full.ToJsonString(), TransactionRecords.Required().ToJsonString(), ipv6.ToJsonString(), nulls.ToJsonString(),
            full.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true }) })
        {
            var t = TransactionParser.TryParseFast(Encoding.UTF8.GetBytes(record), Now);
            Assert.That(t, Is.Not.Null, record);
            Assert.That(Verdict(t!), Is.EqualTo(Verdict(TransactionParser.ParseWithReader(Encoding.UTF8.GetBytes(record), Now))));
        }
    }

    [Test]
    public void CodesAreTheListsOwnStrings_AndMerchantCategoriesAreShared()
    {
        var a = TransactionParser.Parse(Encoding.UTF8.GetBytes(TransactionRecords.Full().ToJsonString()), Now).Transaction!;
        var b = TransactionParser.Parse(Encoding.UTF8.GetBytes(TransactionRecords.Full().ToJsonString()), Now).Transaction!;

        Assert.Multiple(() =>
        {
            Assert.That(IsoCodes.Currencies.Single(c => c == a.Currency), Is.SameAs(a.Currency));
            Assert.That(IsoCodes.Countries.Single(c => c == a.Country), Is.SameAs(a.Country));
            Assert.That(IsoCodes.Channels.Single(c => c == a.Channel), Is.SameAs(a.Channel));
            Assert.That(b.MerchantCategory, Is.SameAs(a.MerchantCategory));
        });
    }
}
