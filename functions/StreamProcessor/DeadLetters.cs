using System.Text.Json;
using Amazon.SQS;
using Amazon.SQS.Model;
using FraudTf.Functions.Shared.Events;

namespace FraudTf.Functions.StreamProcessor;

/// <summary>Sends a record that can never be processed to the dead-letter queue, with the reason and the original bytes.</summary>
public sealed class DeadLetters(IAmazonSQS sqs, string queueUrl)
{
    /// <summary>Sends <paramref name="record"/> with <paramref name="reason"/>; throws when SQS fails (the caller retries the record).</summary>
    public Task Send(KinesisEventRecord record, string reason, string detail, CancellationToken ct)
    {
        var body = JsonSerializer.Serialize(new Dictionary<string, string?>
        {
            ["source"] = "stream-processor",
            ["reason"] = reason,
            ["detail"] = detail,
            ["eventSourceArn"] = record.EventSourceArn,
            ["sequenceNumber"] = record.Kinesis.SequenceNumber,
            ["partitionKey"] = record.Kinesis.PartitionKey,
            ["data"] = record.Kinesis.Data,
        });
        return sqs.SendMessageAsync(new SendMessageRequest
        {
            QueueUrl = queueUrl,
            MessageBody = body,
            MessageAttributes = new Dictionary<string, MessageAttributeValue>
            {
                ["reason"] = new() { DataType = "String", StringValue = reason },
            },
        }, ct);
    }
}
