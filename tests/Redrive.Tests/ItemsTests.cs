using System.Text;

namespace FraudTf.Redrive.Tests;

/// <summary>The shapes the redrive reads: the documented invocation records and the quarantine messages.</summary>
public class ItemsTests
{
    // Lambda developer guide, "Retain discarded batch records for a Kinesis Data Streams event source": the SQS/SNS
    // example (metadata only); the S3 record adds "payload".
    private const string MetadataOnly = """
        {"requestContext":{"requestId":"c9b8fa9f-5a7f-xmpl-af9c-0c604cde93a5","functionArn":"arn:aws:lambda:us-east-2:123456789012:function:myfunction",
         "condition":"RetryAttemptsExhausted","approximateInvokeCount":1},
         "responseContext":{"statusCode":200,"executedVersion":"$LATEST","functionError":"Unhandled"},
         "version":"1.0","timestamp":"2019-11-14T00:38:06.021Z",
         "KinesisBatchInfo":{"shardId":"shardId-000000000001","startSequenceNumber":"49601189658422359378836298521827638475320189012309704722",
         "endSequenceNumber":"49601189658422359378836298522902373528957594348623495186","approximateArrivalOfFirstRecord":"2019-11-14T00:38:04.835Z",
         "approximateArrivalOfLastRecord":"2019-11-14T00:38:05.580Z","batchSize":500,"streamArn":"arn:aws:kinesis:us-east-2:123456789012:stream/mystream"}}
        """;

    [Test]
    public void TheDocumentedMetadataOnlyRecordIsReadBackFromItsRange()
    {
        var (record, problem) = InvocationRecord.Parse(Encoding.UTF8.GetBytes(MetadataOnly));

        Assert.That(problem, Is.Null);
        Assert.That(record!.PayloadRecords, Is.Null, "no payload: the records must be read back from the stream");
        Assert.That(record.Batch, Is.EqualTo(new BatchInfo("shardId-000000000001", "49601189658422359378836298521827638475320189012309704722",
            "49601189658422359378836298522902373528957594348623495186", 500, "arn:aws:kinesis:us-east-2:123456789012:stream/mystream")));
        Assert.That(record.Batch.StreamName, Is.EqualTo("mystream"));
        Assert.That(record.Condition, Is.EqualTo("RetryAttemptsExhausted"));
    }

    [Test]
    public void APayloadThatIsNotAKinesisEventIsReported()
    {
        var broken = MetadataOnly.TrimEnd()[..^1] + ""","payload":"{\"Records\":[{\"kinesis\":{\"partitionKey\":\"u\"}}]}"}""";

        var (record, problem) = InvocationRecord.Parse(Encoding.UTF8.GetBytes(broken));

        Assert.That(record, Is.Null);
        Assert.That(problem, Does.Contain("not a Kinesis event"));
    }

    [Test]
    public void SequenceNumbersCompareAsNumbersNotStrings()
    {
        Assert.That(SequenceNumbers.Compare("9", "10"), Is.Negative);
        Assert.That(SequenceNumbers.Compare("49601189658422359378836298522902373528957594348623495186", "49601189658422359378836298521827638475320189012309704722"), Is.Positive);
    }

    [TestCase("""{"source":"stream-processor","reason":"r","sequenceNumber":"1","partitionKey":"k"}""", "neither inline data nor an S3 pointer")]
    [TestCase("""{"source":"stream-processor","reason":"r","partitionKey":"k","data":"AA=="}""", "without sequenceNumber")]
    [TestCase("""{"source":"alert-handler"}""", "source 'alert-handler'")]
    [TestCase("not json", "not JSON")]
    public void MessagesThatAreNotQuarantinedRecordsSayWhy(string body, string why)
    {
        var (record, problem) = QuarantinedRecord.Parse(body);

        Assert.That(record, Is.Null);
        Assert.That(problem, Does.Contain(why));
    }
}

/// <summary>The redrive reads the messages the stream processor writes: built with the shared contract type itself.</summary>
public class QuarantineContractTests
{
    private static string Serialize(FraudTf.Functions.Shared.Transactions.QuarantineMessage m) => System.Text.Json.JsonSerializer.Serialize(m);

    [Test]
    public void AnInlineQuarantineMessageOfTheStreamProcessorIsRead()
    {
        var data = Encoding.UTF8.GetBytes("{\"transactionId\":\"t-1\"}");
        var body = Serialize(new FraudTf.Functions.Shared.Transactions.QuarantineMessage
        {
            QuarantineId = "q1", Reason = "MissingField", Detail = "amount: missing", SequenceNumber = "4960", PartitionKey = "u-1",
            EventSourceArn = "arn:aws:kinesis:us-east-1:111111111111:stream/fraud-detection-transactions-dev",
            QuarantinedAt = "2026-12-02T00:00:00Z", Data = Convert.ToBase64String(data),
        });

        var (record, problem) = QuarantinedRecord.Parse(body);

        Assert.That(problem, Is.Null);
        Assert.That(record!.InlineData, Is.EqualTo(data));
        Assert.That((record.Reason, record.SequenceNumber, record.PartitionKey), Is.EqualTo(("MissingField", "4960", "u-1")));
    }

    [Test]
    public void AQuarantineMessagePointingToS3IsRead()
    {
        var body = Serialize(new FraudTf.Functions.Shared.Transactions.QuarantineMessage
        {
            QuarantineId = "q2", Reason = "TooLarge", Detail = "record has 1048576 bytes", SequenceNumber = "4961", PartitionKey = "u-2",
            QuarantinedAt = "2026-12-02T00:00:00Z",
            Object = new FraudTf.Functions.Shared.Transactions.QuarantinedObject
            {
                Bucket = "fraud-detection-quarantine-dev", Key = "quarantine/2026/12/02/q2", Size = 1048576,
                Sha256 = new string('a', 64), Content = "record",
            },
        });

        var (record, problem) = QuarantinedRecord.Parse(body);

        Assert.That(problem, Is.Null);
        Assert.That(record!.InlineData, Is.Null);
        Assert.That(record.Pointer, Is.Not.Null);
        Assert.That(record.Pointer!.ToString(), Does.Contain("fraud-detection-quarantine-dev").And.Contain("quarantine/2026/12/02/q2"));
    }
}
