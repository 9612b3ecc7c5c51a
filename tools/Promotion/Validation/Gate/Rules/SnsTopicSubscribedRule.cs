// Alike on purpose: every gate rule has GateRule's shape (id, scanner ids, rationale, a check over the stack index
// that returns findings with their fix); the likeness is the template, each rule's check is its own.
namespace FraudTf.Promotion.Validation.Gate.Rules;

/// <summary>
/// GATE-SNS-001: every SNS topic has a subscription in the stack. A topic without one accepts every publish (alarm
/// actions, EventBridge targets) and delivers it to nobody, so the alerts it exists for are silently lost.
/// Source: Amazon SNS Developer Guide, "Creating a subscription to an Amazon SNS topic" (to receive messages
/// published to a topic, an endpoint must be subscribed to it) and "Amazon SNS message delivery".
/// A topic subscribed outside this stack is excepted with a reason (<c>gate_exceptions</c>).
/// </summary>
public sealed class SnsTopicSubscribedRule : GateRule
{
    /// <inheritdoc />
    public override string Id => "GATE-SNS-001";

    /// <inheritdoc />
    public override string Title => "Every SNS topic has at least one aws_sns_topic_subscription in the stack";

    /// <inheritdoc />
    public override string Source =>
        "Amazon SNS Developer Guide, \"Creating a subscription to an Amazon SNS topic\" (messages reach only subscribed endpoints)";

    /// <inheritdoc />
    public override string Limits =>
        "A subscription made outside Terraform (console, another stack) is invisible here; an email subscription stays pending until confirmed.";

    /// <inheritdoc />
    public override IEnumerable<GateFinding> Check(GateStack stack)
    {
        var subscriptions = stack.OfType("aws_sns_topic_subscription").ToList();
        foreach (var topic in stack.OfType("aws_sns_topic"))
        {
            if (!subscriptions.Any(s => GateQueries.Designates(s.Body["topic_arn"], topic, "name", ":")))
            {
                yield return Finding(topic,
                    $"SNS topic {topic.Address} ({topic.String("name") ?? topic.ConstructPath ?? topic.Address}) has no aws_sns_topic_subscription whose topic_arn references it: " +
                    "whatever publishes to it (alarm actions, EventBridge targets) is delivered to nobody. " +
                    "Fix: add an aws_sns_topic_subscription (lambda, sqs, email, https) with topic_arn = this topic's arn, " +
                    "or, if it is subscribed outside this stack, record that in \"//\".gate_exceptions.GATE-SNS-001 with the reason.");
            }
        }
    }
}
