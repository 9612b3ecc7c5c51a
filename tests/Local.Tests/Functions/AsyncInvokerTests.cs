using System.Text.Json;
using FraudTf.Local.Functions;

namespace FraudTf.Local.Tests.Functions;

/// <summary>Lambda's asynchronous invocation: retries, dead-letter queue, destinations ("Configuring error handling for asynchronous invocation").</summary>
[TestFixture]
public sealed class AsyncInvokerTests
{
    private const string Dlq = "arn:aws:sqs:us-east-1:111111111111:dlq";
    private static readonly TimeSpan[] Compressed = [TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(200)];

    [Test]
    public async Task AnEventThatAlwaysFails_IsRetriedTwiceAfterTheDelays_ThenSentToTheDlqWithLambdasAttributes()
    {
        var function = new ScriptedFunction(failures: int.MaxValue);
        var queues = new RecordingQueueSender();
        await using var invoker = new AsyncInvoker(function, Settings() with { DeadLetterQueueArn = Dlq }, queues);
        var id = invoker.Enqueue("{\"detail\":1}");
        await invoker.Drain(new CancellationTokenSource(TimeSpan.FromSeconds(10)).Token);

        var calls = function.Calls;
        Assert.That(calls, Has.Count.EqualTo(3), "the first try and 2 retries (Lambda's default)");
        Assert.That(calls[1] - calls[0], Is.GreaterThanOrEqualTo(TimeSpan.FromMilliseconds(95)));
        Assert.That(calls[2] - calls[1], Is.GreaterThanOrEqualTo(TimeSpan.FromMilliseconds(195)));
        var sent = queues.Sent.Single();
        Assert.Multiple(() =>
        {
            Assert.That(sent.Arn, Is.EqualTo(Dlq));
            Assert.That(sent.Body, Is.EqualTo("{\"detail\":1}"), "the DLQ receives the event itself");
            Assert.That(sent.Attributes!["RequestID"], Is.EqualTo(id));
            Assert.That(sent.Attributes["ErrorCode"], Is.EqualTo("200"));
            Assert.That(sent.Attributes["ErrorMessage"], Is.EqualTo("attempt 3 failed"));
            Assert.That(invoker.Counters, Is.EqualTo(new AsyncInvokerCounters(1, 0, 2, 1, 1, 0)));
        });
    }

    [Test]
    public async Task AnEventThatFailsOnce_SucceedsOnTheRetry_AndNothingIsDeadLettered()
    {
        var queues = new RecordingQueueSender();
        await using var invoker = new AsyncInvoker(new ScriptedFunction(failures: 1), Settings() with { DeadLetterQueueArn = Dlq }, queues);
        invoker.Enqueue("{}");
        await invoker.Drain(new CancellationTokenSource(TimeSpan.FromSeconds(10)).Token);
        Assert.That(queues.Sent, Is.Empty);
        Assert.That(invoker.Counters, Is.EqualTo(new AsyncInvokerCounters(1, 1, 1, 0, 0, 0)));
    }

    [Test]
    public async Task AnEventOlderThanTheMaximumAge_IsNotRetried_AndItsRecordSaysEventAgeExceeded()
    {
        const string destination = "arn:aws:sqs:us-east-1:111111111111:failures";
        var function = new ScriptedFunction(failures: int.MaxValue);
        var queues = new RecordingQueueSender();
        var settings = Settings() with { MaximumEventAge = TimeSpan.FromMilliseconds(50), OnFailureDestinationArn = destination };
        await using var invoker = new AsyncInvoker(function, settings, queues);
        var id = invoker.Enqueue("{\"a\":1}");
        await invoker.Drain(new CancellationTokenSource(TimeSpan.FromSeconds(10)).Token);
        Assert.That(function.Calls, Has.Count.EqualTo(1));
        var record = JsonDocument.Parse(queues.Sent.Single().Body).RootElement;
        Assert.Multiple(() =>
        {
            Assert.That(record.GetProperty("requestContext").GetProperty("condition").GetString(), Is.EqualTo("EventAgeExceeded"));
            Assert.That(record.GetProperty("requestContext").GetProperty("requestId").GetString(), Is.EqualTo(id));
            Assert.That(record.GetProperty("requestContext").GetProperty("approximateInvokeCount").GetInt32(), Is.EqualTo(1));
            Assert.That(record.GetProperty("requestPayload").GetProperty("a").GetInt32(), Is.EqualTo(1));
            Assert.That(record.GetProperty("responseContext").GetProperty("functionError").GetString(), Is.EqualTo("Unhandled"));
            Assert.That(record.GetProperty("responsePayload").GetProperty("errorType").GetString(), Is.EqualTo("ArgumentException"));
        });
    }

    [Test]
    public void FromStack_TheAlertHandler_HasLambdasDefaults_AndItsDeadLetterQueue()
    {
        var stack = Repo.Stack("dev");
        var invoker = AsyncInvoker.FromStack(stack, "alert-handler_this_30887118", new ScriptedFunction(0), new RecordingQueueSender(), Compressed);
        Assert.Multiple(() =>
        {
            Assert.That(invoker.Settings.MaximumRetryAttempts, Is.EqualTo(2));
            Assert.That(invoker.Settings.MaximumEventAge, Is.EqualTo(TimeSpan.FromHours(6)));
            Assert.That(invoker.Settings.DeadLetterQueueArn, Is.EqualTo(stack.Attribute("aws_sqs_queue", "dlq_this_C3757C70", "arn")));
            Assert.That(invoker.Settings.RetryDelays, Is.EqualTo(Compressed));
        });
    }

    private static AsyncInvokeSettings Settings() =>
        new("arn:aws:lambda:us-east-1:111111111111:function:scripted", 2, TimeSpan.FromHours(6), null, null, null, Compressed);
}
