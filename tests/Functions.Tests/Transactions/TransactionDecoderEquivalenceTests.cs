using System.Text;
using System.Text.Json.Nodes;
using FraudTf.Bench.Legacy;
using FraudTf.Functions.Shared.Transactions;

namespace FraudTf.Functions.Tests.Transactions;

/// <summary>
/// The single-pass decoder (<see cref="TransactionParser.Decode"/>) against the parser it replaced
/// (<see cref="LegacyTransactionParser"/>, the benchmark's baseline): on every record of a generated corpus (each field
/// missing, null, of each JSON type, at and beyond each bound; unknown, repeated and escaped names; every truncation of a
/// valid record; nesting, trailing data, other roots, bad UTF-8 and base64) both give the same verdict: the same reason
/// and detail, or the same transaction. The few inputs where the old parser was wrong are tested separately below.
/// </summary>
[TestFixture]
public class TransactionDecoderEquivalenceTests
{
    private static readonly DateTimeOffset Now = TransactionRecords.Now;

    private static readonly string[] FieldNames =
        ["transactionId", "userId", "amount", "currency", "merchantId", "merchantCategory", "country", "timestamp", "deviceId", "ipAddress", "channel"];

    private static JsonObject Valid() => TransactionRecords.Full();

    private static readonly JsonNode?[] OtherValues =
    [
        null, 0, -1, 1, true, false, "", "x", "EUR", "DE", "web", new JsonArray(), new JsonArray(1, "a"), new JsonObject(), new JsonObject { ["a"] = 1 },
        "a".PadRight(64, 'b'), "a".PadRight(65, 'b'), "a".PadRight(128, 'b'), "a".PadRight(129, 'b'), "_abc", "ab c", "ab/c", "Ab9_.:-", "é", "5411", "541", "54111", "541a",
        "eur", "XXX", "EURO", "de", "ZZ", "DEU", "WEB", "pos", "atm", "phone", "mobile", "192.0.2.300", "2001:db8::1", "::1", "1.2.3", "12345", "fe80::1%eth0",
        1_000_000_000m, 1_000_000_000.0001m, 0.0001m, 0.00001m, 1.23450m, 1.23456m, 999999999.9999m, 1e-30, 1e300, 12.5,
        "2026-11-25T11:58:00Z", "2026-11-25T11:58:00.1234567Z", "2026-11-25T11:58:00.12345678Z", "2026-11-25T11:58:00.Z", "2026-11-25T11:58:00+01:00",
        "2026-11-25T12:58:00+01:00", "2026-11-25T13:10:00+01:00", "2026-11-25T11:58:00-14:00", "2026-11-25T11:58:00+14:00", "2026-11-25T11:58:00+14:01",
        "2026-11-25T11:58:00+15:00", "2026-11-25T11:58:00+05:60", "2026-11-25T11:58:00+0100", "2026-11-25 11:58:00Z", "2026-11-25T11:58:00", "2026-11-25T11:58Z",
        "2026-02-29T10:00:00Z", "2028-02-29T10:00:00Z", "2026-13-01T10:00:00Z", "2026-00-10T10:00:00Z", "2026-04-31T10:00:00Z", "2026-11-25T24:00:00Z",
        "2026-11-25T23:60:00Z", "2026-11-25T23:59:60Z", "0000-01-01T00:00:00Z", "0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-01:00", "2024-11-24T12:00:00Z",
        "2024-11-23T12:00:00Z", "2026-11-25T12:05:00Z", "2026-11-25T12:05:00.0000001Z", "2026-11-25t11:58:00z", "2026-11-25T11:58:00.5+00:00", "+2026-11-25T11:58:00Z",
    ];

    private static IEnumerable<byte[]> Corpus()
    {
        yield return Bytes(Valid());
        foreach (var field in FieldNames)
        {
            var without = Valid();
            without.Remove(field);
            yield return Bytes(without);
            foreach (var value in OtherValues)
            {
                var o = Valid();
                o[field] = value?.DeepClone();
                yield return Bytes(o);
            }
        }

        // Two defects at once: the first in the fixed order wins.
        for (var a = 0; a < FieldNames.Length; a++)
        {
            for (var b = a + 1; b < FieldNames.Length; b++)
            {
                var o = Valid();
                o[FieldNames[a]] = 1.5;
                o[FieldNames[b]] = new JsonArray();
                yield return Bytes(o);
                o.Remove(FieldNames[a]);
                yield return Bytes(o);
            }
        }

        var valid = Valid().ToJsonString();
        foreach (var raw in new[]
        {
            valid.Replace("}", ",\"extra\":1}", StringComparison.Ordinal),
            valid.Replace("{", "{\"extra\":1,", StringComparison.Ordinal),
            valid.Replace("{", "{\"" + new string('x', 60) + "\":1,", StringComparison.Ordinal),
            valid.Replace("}", ",\"userId\":\"again\"}", StringComparison.Ordinal),
            valid.Replace("{", "{\"channel\":null,", StringComparison.Ordinal),
            valid.Replace("}", ",\"extra\":1,\"userId\":\"x\"}", StringComparison.Ordinal),
            valid.Replace("\"userId\"", "\"user\\u0049d\"", StringComparison.Ordinal),
            valid.Replace("\"EUR\"", "\"\\u0045UR\"", StringComparison.Ordinal),
            valid.Replace("\"DE\"", "\"D\\u0045\"", StringComparison.Ordinal),
            valid.Replace("\"web\"", "\"w\\u0065b\"", StringComparison.Ordinal),
            valid.Replace("\"tx-0001\"", "\"tx\\/0001\"", StringComparison.Ordinal),
            valid.Replace("\"tx-0001\"", "\"tx-\\u00e9\"", StringComparison.Ordinal),
            valid.Replace("\"5411\"", "\"54\\u00311\"", StringComparison.Ordinal),
            valid.Replace("}", ",\"extra\":{\"a\":{\"b\":{\"c\":{\"d\":{\"e\":{\"f\":{\"g\":1}}}}}}}}", StringComparison.Ordinal),
            valid.Replace("}", ",\"extra\":[[[[[[1]]]]]]}", StringComparison.Ordinal),
            valid + " ", valid + "\n", " \r\n\t" + valid, valid + "x", valid + "{}", valid + ",", "[" + valid + "]",
            valid.Replace(",", ",\n  ", StringComparison.Ordinal), valid.Replace(",", ",\n", StringComparison.Ordinal).Replace("}", ",}", StringComparison.Ordinal),
            "", " ", "null", "true", "false", "1", "-0.5e3", "\"text\"", "[]", "[1,2", "{}", "{", "}", "{\"a\"}", "{'a':1}", "{\"a\":1}//c", "/*c*/{}",
            "{\"transactionId\":\"a\",}", "{\"amount\":01}", "{\"amount\":1.}", "{\"amount\":NaN}", "{\"amount\":1e99999}", "\uFEFF" + valid, valid.Replace("\"", "'", StringComparison.Ordinal),
        })
        {
            yield return Encoding.UTF8.GetBytes(raw);
        }

        // Every truncation of a record written over several lines (positions and line numbers of the syntax errors).
        var lines = Encoding.UTF8.GetBytes(Valid().ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true }));
        for (var n = 0; n < lines.Length; n++)
        {
            yield return lines[..n];
        }

        yield return [0x7B, 0x22, 0xC3, 0x28, 0x22, 0x3A, 0x31, 0x7D];
        yield return [0xEF, 0xBB, 0xBF, .. Bytes(Valid())];
        yield return Encoding.UTF8.GetBytes(new string(' ', TransactionParser.MaxRecordBytes - 2) + "{}");
        yield return Encoding.UTF8.GetBytes(new string(' ', TransactionParser.MaxRecordBytes - 1) + "{}");
    }

    private static byte[] Bytes(JsonNode node) => Encoding.UTF8.GetBytes(node.ToJsonString());

    private static string Verdict(ParseResult r) => r.Transaction is { } t
        ? string.Join('|', "valid", t.TransactionId, t.UserId, t.Amount.ToString(System.Globalization.CultureInfo.InvariantCulture), t.Currency, t.MerchantId, t.MerchantCategory, t.Country,
            t.Timestamp.UtcTicks, t.Timestamp.Offset, t.DeviceId ?? "-", t.IpAddress ?? "-", t.Channel ?? "-")
        : $"{r.Reason}|{r.Detail}";

    [Test]
    public void EveryRecordOfTheCorpus_GetsTheOldParsersVerdict()
    {
        var corpus = Corpus().ToList();
        var differences = corpus
            .Select(bytes => (Text: Encoding.UTF8.GetString(bytes), Old: Verdict(LegacyTransactionParser.Parse(bytes, Now)), New: Verdict(TransactionParser.Parse(bytes, Now))))
            .Where(c => c.Old != c.New)
            .Select(c => $"{c.Text}\n  old: {c.Old}\n  new: {c.New}")
            .ToList();

        Assert.That(corpus, Has.Count.GreaterThan(1000));
        Assert.That(differences, Is.Empty, string.Join("\n", differences.Take(10)));
    }

    [Test]
    public void Base64_AsTheOldDecoderReadIt()
    {
        var valid = Convert.ToBase64String(Bytes(Valid()));
        foreach (var data in new[] { valid, valid[..^1], valid + "=", valid.Insert(8, " \r\n"), valid.Insert(8, "\u00e9"), valid + "\u00a0", "", "====", "a", "YQ==", "not base64!", Convert.ToBase64String(new byte[3000]), Convert.ToBase64String(new byte[20_000]) })
        {
            Assert.That(Verdict(TransactionParser.Decode(data, Now)), Is.EqualTo(Verdict(LegacyTransactionParser.Decode(data, Now))), data.Length > 40 ? data[..40] : data);
        }
    }

    [TestCase("tx-0001\n", "transactionId")]
    [TestCase("5411\n", "merchantCategory")]
    [TestCase("dev-1\n", "deviceId")]
    [TestCase("2026-11-25T11:58:00Z\n", "timestamp")]
    public void TrailingLineFeed_IsRejectedNow_TheOldRegexAcceptedIt(string value, string field)
    {
        // .NET's `$` also matches before a final line feed, so the old patterns let "5411\n" through as a merchant category.
        var o = Valid();
        o[field] = value;

        Assert.That(LegacyTransactionParser.Parse(Bytes(o), Now).IsValid, Is.True, "the old parser's defect");
        var r = TransactionParser.Parse(Bytes(o), Now);
        Assert.That((r.Reason, r.Detail), Is.EqualTo((RejectReason.InvalidValue, LegacyDetail(field))));
    }

    [Test]
    public void UnpairedSurrogateEscape_IsRejectedAsNotJson_WhereTheOldParserThrew()
    {
        var raw = Encoding.UTF8.GetBytes(Valid().ToJsonString().Replace("\"tx-0001\"", "\"tx\\ud800\"", StringComparison.Ordinal));

        Assert.Throws<InvalidOperationException>(() => LegacyTransactionParser.Parse(raw, Now), "the old parser failed the whole batch");
        var r = TransactionParser.Parse(raw, Now);
        Assert.That(r.Reason, Is.EqualTo(RejectReason.NotJson));
        Assert.That(r.Detail, Does.Contain("unpaired UTF-16 surrogate"));
    }

    // The detail the old parser gives for an invalid value of field (same text, new parser).
    private static string LegacyDetail(string field)
    {
        var o = Valid();
        o[field] = field == "timestamp" ? "x" : "!";
        return LegacyTransactionParser.Parse(Bytes(o), Now).Detail!;
    }
}
