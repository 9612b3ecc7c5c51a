using System.Collections.Concurrent;
using System.Reflection;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Amazon.SQS;
using Amazon.SQS.Model;

namespace FraudTf.Functions.Tests.Integration;

/// <summary>
/// An IAmazonSQS that records SendMessage calls (no SQS emulator runs on this machine). Any other call fails the test,
/// so the code under test cannot silently depend on more of SQS than this fake knows.
/// </summary>
public class RecordingSqs : DispatchProxy
{
    /// <summary>Messages sent, in order.</summary>
    public ConcurrentQueue<SendMessageRequest> Sent { get; } = new();

    /// <summary>When set, the next sends fail with this exception (a transient SQS failure).</summary>
    public Exception? FailWith { get; set; }

    /// <summary>Creates the fake.</summary>
    public static (IAmazonSQS Client, RecordingSqs Fake) Create()
    {
        var client = Create<IAmazonSQS, RecordingSqs>();
        return (client, (RecordingSqs)(object)client);
    }

    /// <inheritdoc />
    protected override object? Invoke(MethodInfo? method, object?[]? args)
    {
        if (method?.Name == nameof(IAmazonSQS.SendMessageAsync) && args?[0] is SendMessageRequest request)
        {
            if (FailWith is not null)
            {
                return Task.FromException<SendMessageResponse>(FailWith);
            }

            Sent.Enqueue(request);
            return Task.FromResult(new SendMessageResponse { MessageId = Guid.NewGuid().ToString() });
        }

        if (method?.Name == nameof(IDisposable.Dispose))
        {
            return null;
        }

        throw new NotSupportedException($"RecordingSqs does not support {method?.Name}");
    }
}

/// <summary>
/// Wraps the real DynamoDB Local client and makes the next N TransactWriteItems calls fail with DynamoDB's
/// throttling error, as a busy table would: everything else goes to the real engine.
/// </summary>
public class ThrottlingDynamo : DispatchProxy
{
    private IAmazonDynamoDB _inner = null!;

    /// <summary>How many TransactWriteItems calls still fail.</summary>
    public int ThrottleNextWrites { get; set; }

    /// <summary>Wraps <paramref name="inner"/>.</summary>
    public static (IAmazonDynamoDB Client, ThrottlingDynamo Control) Wrap(IAmazonDynamoDB inner)
    {
        var client = Create<IAmazonDynamoDB, ThrottlingDynamo>();
        var control = (ThrottlingDynamo)(object)client;
        control._inner = inner;
        return (client, control);
    }

    /// <inheritdoc />
    protected override object? Invoke(MethodInfo? method, object?[]? args)
    {
        if (method?.Name == nameof(IAmazonDynamoDB.TransactWriteItemsAsync) && ThrottleNextWrites > 0)
        {
            ThrottleNextWrites--;
            return Task.FromException<TransactWriteItemsResponse>(
                new ProvisionedThroughputExceededException("The level of configured provisioned throughput for the table was exceeded"));
        }

        try
        {
            return method!.Invoke(_inner, args);
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            throw e.InnerException;
        }
    }
}
