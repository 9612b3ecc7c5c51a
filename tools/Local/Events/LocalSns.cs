using System.Collections.Concurrent;

namespace FraudTf.Local.Events;

/// <summary>A message published to a topic, and the subscriptions it would be delivered to.</summary>
/// <param name="TopicArn">The topic.</param>
/// <param name="Message">The message.</param>
/// <param name="PublishedAt">When.</param>
/// <param name="Deliveries">The subscriptions (<c>protocol:endpoint</c>) it would go to.</param>
public sealed record PublishedMessage(string TopicArn, string Message, DateTimeOffset PublishedAt, IReadOnlyList<string> Deliveries);

/// <summary>
/// A local runner of SNS topics (no emulator here): records every message published to a topic of the stack and the
/// subscriptions (<c>aws_sns_topic_subscription</c>: protocol and endpoint) it would be delivered to. Nothing is sent
/// anywhere (no e-mail, no cross-account queue): the report lists what would have been. Publishing to a topic the stack
/// does not define fails, as SNS answers NotFound.
/// </summary>
public sealed class LocalSns
{
    private readonly ConcurrentQueue<PublishedMessage> _published = new();
    private readonly Dictionary<string, List<string>> _subscriptions;
    private readonly TimeProvider _time;

    private LocalSns(Dictionary<string, List<string>> subscriptions, TimeProvider time)
    {
        _subscriptions = subscriptions;
        _time = time;
    }

    /// <summary>The stack's topics and subscriptions.</summary>
    public static LocalSns FromStack(LocalStack stack, TimeProvider time)
    {
        var topics = stack.Resources("aws_sns_topic").ToDictionary(t => stack.Attribute("aws_sns_topic", t.Name, "arn"), _ => new List<string>(), StringComparer.Ordinal);
        foreach (var (_, body) in stack.Resources("aws_sns_topic_subscription"))
        {
            var topic = stack.Resolve(body["topic_arn"]!.GetValue<string>());
            if (topics.TryGetValue(topic, out var list))
            {
                list.Add($"{body["protocol"]!.GetValue<string>()}:{stack.Resolve(body["endpoint"]!.GetValue<string>())}");
            }
        }

        return new LocalSns(topics, time);
    }

    /// <summary>Everything published, in order.</summary>
    public IReadOnlyList<PublishedMessage> Published => _published.ToList();

    /// <summary>Publishes <paramref name="message"/> to <paramref name="topicArn"/>.</summary>
    public PublishedMessage Publish(string topicArn, string message)
    {
        if (!_subscriptions.TryGetValue(topicArn, out var subscribers))
        {
            throw new InvalidOperationException($"NotFound: topic {topicArn} does not exist in this stack");
        }

        var published = new PublishedMessage(topicArn, message, _time.GetUtcNow(), subscribers);
        _published.Enqueue(published);
        return published;
    }
}
