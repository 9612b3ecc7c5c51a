using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.SQS;
using FraudTf.Functions.Shared.Transactions;
using FraudTf.Functions.StreamProcessor;

namespace FraudTf.Functions.Tests.StreamProcessor;

/// <summary>Which failures are retried and which send the record to quarantine; the timestamps and values that are poison.</summary>
[TestFixture]
public class FailureClassificationTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);

    private static T Service<T>(string code, HttpStatusCode status) where T : AmazonServiceException
    {
        var e = (T)Activator.CreateInstance(typeof(T), "message")!;
        e.ErrorCode = code;
        e.StatusCode = status;
        return e;
    }

    private static TransactionCanceledException Cancelled(params string[] codes) => new("Transaction cancelled")
    {
        ErrorCode = "TransactionCanceledException",
        StatusCode = HttpStatusCode.BadRequest,
        CancellationReasons = codes.Select(c => new CancellationReason { Code = c }).ToList(),
    };

    public static IEnumerable<TestCaseData> Transient()
    {
        yield return new TestCaseData(Service<ProvisionedThroughputExceededException>("ProvisionedThroughputExceededException", HttpStatusCode.BadRequest)).SetName("DynamoDB ProvisionedThroughputExceeded");
        yield return new TestCaseData(Service<AmazonDynamoDBException>("ThrottlingException", HttpStatusCode.BadRequest)).SetName("DynamoDB ThrottlingException");
        yield return new TestCaseData(Service<RequestLimitExceededException>("RequestLimitExceeded", HttpStatusCode.BadRequest)).SetName("DynamoDB RequestLimitExceeded");
        yield return new TestCaseData(Service<AmazonDynamoDBException>("InternalServerError", HttpStatusCode.InternalServerError)).SetName("DynamoDB 500");
        yield return new TestCaseData(Service<AmazonDynamoDBException>("Whatever", HttpStatusCode.ServiceUnavailable)).SetName("any 5xx");
        yield return new TestCaseData(Service<TransactionInProgressException>("TransactionInProgressException", HttpStatusCode.BadRequest)).SetName("TransactionInProgress (same token in flight)");
        yield return new TestCaseData(Cancelled("None", "TransactionConflict", "None")).SetName("TransactionCanceled: TransactionConflict");
        yield return new TestCaseData(Cancelled("ThrottlingError", "None", "None")).SetName("TransactionCanceled: ThrottlingError");
        yield return new TestCaseData(Service<AmazonSQSException>("ThrottlingException", HttpStatusCode.BadRequest)).SetName("SQS throttling");
        yield return new TestCaseData(Service<AmazonS3Exception>("SlowDown", HttpStatusCode.ServiceUnavailable)).SetName("S3 SlowDown");
        yield return new TestCaseData(Service<AmazonS3Exception>("RequestTimeout", HttpStatusCode.BadRequest)).SetName("S3 RequestTimeout");
        yield return new TestCaseData(new TimeoutException("profile kept changing")).SetName("TimeoutException");
        yield return new TestCaseData(new TaskCanceledException("HTTP timeout")).SetName("HttpClient timeout (TaskCanceled)");
        yield return new TestCaseData(new HttpRequestException("connection reset")).SetName("HttpRequestException");
        yield return new TestCaseData(new AmazonClientException("Unable to connect")).SetName("AmazonClientException (no answer)");
    }

    public static IEnumerable<TestCaseData> Environmental()
    {
        yield return new TestCaseData(Service<AmazonDynamoDBException>("AccessDeniedException", HttpStatusCode.BadRequest)).SetName("DynamoDB AccessDenied");
        yield return new TestCaseData(Service<ResourceNotFoundException>("ResourceNotFoundException", HttpStatusCode.BadRequest)).SetName("DynamoDB table missing");
        yield return new TestCaseData(Service<AmazonS3Exception>("AccessDenied", HttpStatusCode.Forbidden)).SetName("S3 AccessDenied");
        yield return new TestCaseData(Service<AmazonSQSException>("KMS.DisabledException", HttpStatusCode.BadRequest)).SetName("SQS key disabled");
        yield return new TestCaseData(Service<IdempotentParameterMismatchException>("IdempotentParameterMismatchException", HttpStatusCode.BadRequest)).SetName("IdempotentParameterMismatch (a token defect)");
    }

    public static IEnumerable<TestCaseData> Permanent()
    {
        yield return new TestCaseData(Service<AmazonDynamoDBException>("ValidationException", HttpStatusCode.BadRequest)).SetName("DynamoDB ValidationException");
        yield return new TestCaseData(Cancelled("None", "None", "ValidationError")).SetName("TransactionCanceled: ValidationError");
        yield return new TestCaseData(Cancelled("None", "ItemCollectionSizeLimitExceeded", "None")).SetName("TransactionCanceled: item collection full");
        yield return new TestCaseData(Service<AmazonSQSException>("InvalidParameterValue", HttpStatusCode.BadRequest)).SetName("SQS message too large");
        yield return new TestCaseData(new OverflowException()).SetName("OverflowException");
        yield return new TestCaseData(new FormatException()).SetName("FormatException");
        yield return new TestCaseData(new ArgumentOutOfRangeException("t")).SetName("ArgumentOutOfRange (date arithmetic)");
        yield return new TestCaseData(new KeyNotFoundException()).SetName("KeyNotFoundException");
    }

    [TestCaseSource(nameof(Transient))]
    public void Transient_IsRetried(Exception e) => Assert.That(Failures.Classify(e), Is.EqualTo(FailureKind.Transient));

    [TestCaseSource(nameof(Environmental))]
    public void Environmental_IsRetried_NotQuarantined(Exception e) => Assert.That(Failures.Classify(e), Is.EqualTo(FailureKind.Environment));

    [TestCaseSource(nameof(Permanent))]
    public void Permanent_GoesToQuarantine(Exception e) => Assert.That(Failures.Classify(e), Is.EqualTo(FailureKind.Permanent));

    [Test]
    public void Describe_NamesTypeAndCode_NeverTheMessage()
    {
        var e = Service<AmazonDynamoDBException>("ValidationException", HttpStatusCode.BadRequest);

        Assert.That(Failures.Describe(e), Is.EqualTo("AmazonDynamoDBException (ValidationException)"));
        Assert.That(Failures.Describe(new OverflowException("value 12345 too large")), Does.Not.Contain("12345"));
    }

    private static JsonObject Tx(string timestamp) => new()
    {
        ["transactionId"] = "tx-1", ["userId"] = "u-1", ["amount"] = 10, ["currency"] = "EUR", ["merchantId"] = "m-1",
        ["merchantCategory"] = "5411", ["country"] = "DE", ["timestamp"] = timestamp,
    };

    [TestCase("0001-01-01T00:00:00Z", "days in the past")]
    [TestCase("0001-01-01T00:00:00+05:00", "ISO 8601")]
    [TestCase("9999-12-31T23:59:59Z", "in the future")]
    [TestCase("9999-12-31T23:59:59-05:00", "ISO 8601")]
    [TestCase("2024-11-23T12:00:00Z", "days in the past")]
    public void TimestampsNearTheEndsOfTheCalendar_AreInvalidValues(string timestamp, string detail)
    {
        var r = TransactionParser.Parse(Encoding.UTF8.GetBytes(Tx(timestamp).ToJsonString()), Now);

        Assert.That(r.Reason, Is.EqualTo(RejectReason.InvalidValue));
        Assert.That(r.Detail, Does.Contain(detail));
    }

    [Test]
    public void ATimestampWithinTheMaximumAge_IsValid()
    {
        var r = TransactionParser.Parse(Encoding.UTF8.GetBytes(Tx(Now.AddDays(-700).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture)).ToJsonString()), Now);

        Assert.That(r.IsValid, Is.True, r.Detail);
    }

    [TestCase("1e400")]
    [TestCase("79228162514264337593543950336")]
    [TestCase("-1e400")]
    public void AmountsThatOverflow_AreInvalidValues(string amount)
    {
        var raw = Tx("2026-11-25T11:00:00Z").ToJsonString().Replace("\"amount\":10", $"\"amount\":{amount}", StringComparison.Ordinal);

        var r = TransactionParser.Parse(Encoding.UTF8.GetBytes(raw), Now);

        Assert.That(r.Reason, Is.EqualTo(RejectReason.InvalidValue), r.Detail);
    }
}
