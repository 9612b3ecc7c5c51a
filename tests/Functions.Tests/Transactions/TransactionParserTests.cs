using System.Text;
using System.Text.Json.Nodes;
using FraudTf.Functions.Shared.Transactions;

namespace FraudTf.Functions.Tests.Transactions;

[TestFixture]
public class TransactionParserTests
{
    private static readonly DateTimeOffset Now = TransactionRecords.Now;

    private static JsonObject Valid() => TransactionRecords.Required();

    private static ParseResult Parse(JsonObject o) => TransactionParser.Parse(Encoding.UTF8.GetBytes(o.ToJsonString()), Now);

    private static ParseResult Parse(string raw) => TransactionParser.Parse(Encoding.UTF8.GetBytes(raw), Now);

    [Test]
    public void ValidRecord_ParsesEveryField()
    {
        var o = Valid();
        o["deviceId"] = "dev-1";
        o["ipAddress"] = "203.0.113.7";
        o["channel"] = "mobile";

        var t = Parse(o).Transaction!;

        Assert.Multiple(() =>
        {
            Assert.That(t.TransactionId, Is.EqualTo("tx-0001"));
            Assert.That(t.UserId, Is.EqualTo("user-42"));
            Assert.That(t.Amount, Is.EqualTo(125.50m));
            Assert.That(t.Currency, Is.EqualTo("EUR"));
            Assert.That(t.MerchantId, Is.EqualTo("m-77"));
            Assert.That(t.MerchantCategory, Is.EqualTo("5411"));
            Assert.That(t.Country, Is.EqualTo("DE"));
            Assert.That(t.Timestamp, Is.EqualTo(new DateTimeOffset(2026, 11, 25, 11, 58, 0, TimeSpan.Zero)));
            Assert.That(t.DeviceId, Is.EqualTo("dev-1"));
            Assert.That(t.IpAddress, Is.EqualTo("203.0.113.7"));
            Assert.That(t.Channel, Is.EqualTo("mobile"));
        });
    }

    [Test]
    public void TimestampWithOffset_IsNormalizedToUtc()
    {
        var o = Valid();
        o["timestamp"] = "2026-11-25T13:58:00+02:00";

        Assert.That(Parse(o).Transaction!.Timestamp.Offset, Is.EqualTo(TimeSpan.Zero));
        Assert.That(Parse(o).Transaction!.Timestamp.UtcDateTime, Is.EqualTo(new DateTime(2026, 11, 25, 11, 58, 0, DateTimeKind.Utc)));
    }

    [Test]
    public void OptionalFieldsMayBeNull()
    {
        var o = Valid();
        o["deviceId"] = null;

        Assert.That(Parse(o).IsValid, Is.True);
    }

    [TestCase("transactionId")]
    [TestCase("userId")]
    [TestCase("amount")]
    [TestCase("currency")]
    [TestCase("merchantId")]
    [TestCase("merchantCategory")]
    [TestCase("country")]
    [TestCase("timestamp")]
    public void MissingRequiredField_IsRejected(string field)
    {
        var o = Valid();
        o.Remove(field);

        var r = Parse(o);

        Assert.That(r.Reason, Is.EqualTo(RejectReason.MissingField));
        Assert.That(r.Detail, Is.EqualTo($"required field '{field}' is missing"));
    }

    [Test]
    public void NullRequiredField_IsMissing()
    {
        var o = Valid();
        o["userId"] = null;

        Assert.That(Parse(o).Reason, Is.EqualTo(RejectReason.MissingField));
    }

    [TestCase("amount", "\"125.50\"", "'amount' must be a JSON number")]
    [TestCase("transactionId", "42", "'transactionId' must be a string")]
    [TestCase("country", "true", "'country' must be a string")]
    [TestCase("timestamp", "1764070680", "'timestamp' must be a string")]
    [TestCase("channel", "[\"web\"]", "'channel' must be a string")]
    public void WrongType_IsRejected(string field, string json, string detail)
    {
        var o = Valid();
        o[field] = JsonNode.Parse(json);

        var r = Parse(o);

        Assert.That(r.Reason, Is.EqualTo(RejectReason.WrongType));
        Assert.That(r.Detail, Is.EqualTo(detail));
    }

    [TestCase("amount", "0")]
    [TestCase("amount", "-10")]
    [TestCase("amount", "1000000000.01")]
    [TestCase("amount", "1e300")]
    [TestCase("amount", "1.23456")]
    [TestCase("currency", "\"eur\"")]
    [TestCase("currency", "\"XYZ\"")]
    [TestCase("country", "\"Germany\"")]
    [TestCase("country", "\"XX\"")]
    [TestCase("merchantCategory", "\"541\"")]
    [TestCase("merchantCategory", "\"54a1\"")]
    [TestCase("transactionId", "\"\"")]
    [TestCase("transactionId", "\"has space\"")]
    [TestCase("userId", "\"-starts-with-dash\"")]
    [TestCase("timestamp", "\"2026-11-25 11:58:00\"")]
    [TestCase("timestamp", "\"2026-11-25T11:58:00\"")]
    [TestCase("timestamp", "\"25/11/2026\"")]
    [TestCase("timestamp", "\"2026-13-25T11:58:00Z\"")]
    [TestCase("timestamp", "\"2026-11-25T12:06:00Z\"")]
    [TestCase("ipAddress", "\"999.1.1.1\"")]
    [TestCase("ipAddress", "\"12345\"")]
    [TestCase("channel", "\"fax\"")]
    public void InvalidValue_IsRejected(string field, string json)
    {
        var o = Valid();
        o[field] = JsonNode.Parse(json);

        var r = Parse(o);

        Assert.That(r.Reason, Is.EqualTo(RejectReason.InvalidValue), r.Detail);
        Assert.That(r.Detail, Does.StartWith($"'{field}'"));
    }

    [Test]
    public void AmountAtTheBoundaries()
    {
        var o = Valid();
        o["amount"] = 0.0001m;
        Assert.That(Parse(o).IsValid, Is.True, "smallest positive amount with 4 decimals");
        o["amount"] = 1_000_000_000m;
        Assert.That(Parse(o).IsValid, Is.True, "the maximum itself");
    }

    [Test]
    public void TimestampFiveMinutesAhead_IsAcceptedAsClockSkew()
    {
        var o = Valid();
        o["timestamp"] = "2026-11-25T12:05:00Z";

        Assert.That(Parse(o).IsValid, Is.True);
    }

    [Test]
    public void UnknownField_IsRejected()
    {
        var o = Valid();
        o["cardNumber"] = "4111111111111111";

        var r = Parse(o);

        Assert.That(r.Reason, Is.EqualTo(RejectReason.UnknownField));
        Assert.That(r.Detail, Is.EqualTo("unknown field 'cardNumber'"));
        Assert.That(r.Detail, Does.Not.Contain("4111"), "no field values in the reason");
    }

    [Test]
    public void DuplicateField_IsRejected()
    {
        var r = Parse("{\"transactionId\":\"a\",\"transactionId\":\"b\",\"userId\":\"u\",\"amount\":1,\"currency\":\"EUR\",\"merchantId\":\"m\",\"merchantCategory\":\"5411\",\"country\":\"DE\",\"timestamp\":\"2026-11-25T11:58:00Z\"}");

        Assert.That(r.Reason, Is.EqualTo(RejectReason.UnknownField));
        Assert.That(r.Detail, Is.EqualTo("field 'transactionId' appears twice"));
    }

    [TestCase("not json at all")]
    [TestCase("{\"transactionId\": ")]
    [TestCase("")]
    public void NotJson_IsRejected(string raw) => Assert.That(Parse(raw).Reason, Is.EqualTo(RejectReason.NotJson));

    [Test]
    public void InvalidUtf8_IsRejectedAsNotJson()
    {
        var r = TransactionParser.Parse(new byte[] { 0x7B, 0x22, 0xC3, 0x28, 0x22, 0x3A, 0x31, 0x7D }, Now);

        Assert.That(r.Reason, Is.EqualTo(RejectReason.NotJson));
    }

    [TestCase("[1,2,3]")]
    [TestCase("\"a string\"")]
    [TestCase("42")]
    public void NotAnObject_IsRejected(string raw) => Assert.That(Parse(raw).Reason, Is.EqualTo(RejectReason.NotAnObject));

    [Test]
    public void OversizedRecord_IsRejectedBeforeParsing()
    {
        var raw = new byte[TransactionParser.MaxRecordBytes + 1];
        Array.Fill(raw, (byte)' ');

        var r = TransactionParser.Parse(raw, Now);

        Assert.That(r.Reason, Is.EqualTo(RejectReason.TooLarge));
        Assert.That(r.Detail, Does.Contain($"the limit is {TransactionParser.MaxRecordBytes}"));
    }

    [Test]
    public void DeeplyNestedJson_IsRejectedWithoutThrowing()
    {
        var raw = new string('[', 100) + new string(']', 100);

        Assert.That(Parse(raw).Reason, Is.EqualTo(RejectReason.NotJson));
    }
}
