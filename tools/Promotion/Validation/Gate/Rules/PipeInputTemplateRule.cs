using System.Text.RegularExpressions;

// Alike on purpose: every gate rule has GateRule's shape (id, scanner ids, rationale, a check over the stack index
// that returns findings with their fix); the likeness is the template, each rule's check is its own.
namespace FraudTf.Promotion.Validation.Gate.Rules;

/// <summary>
/// GATE-TRUST-003: a pipe from a DynamoDB stream to an event bus sends a chosen payload. Without
/// <c>target_parameters.input_template</c> the whole stream record, with every attribute of the new (and old) image, becomes
/// the event's detail, and reaches every rule and target of the bus, including fields those consumers must not see. A
/// template that splices a whole image (<c>&lt;$.dynamodb.NewImage&gt;</c>, <c>&lt;$.dynamodb&gt;</c>, <c>&lt;$&gt;</c>,
/// <c>&lt;aws.pipes.event&gt;</c>, <c>&lt;aws.pipes.event.json&gt;</c>) forwards the same and is reported too.
/// Source: Amazon EventBridge User Guide, "Amazon DynamoDB stream as a source in EventBridge Pipes" (the event is the
/// stream record with its Keys, NewImage, OldImage) and "Amazon EventBridge Pipes input transformation" (InputTemplate,
/// reserved variables).
/// </summary>
public sealed partial class PipeInputTemplateRule : GateRule
{
    [GeneratedRegex(@"<\s*(\$|\$\.dynamodb|\$\.dynamodb\.(NewImage|OldImage)|aws\.pipes\.event|aws\.pipes\.event\.json)\s*>")]
    private static partial Regex WholeRecord();

    /// <inheritdoc />
    public override string Id => "GATE-TRUST-003";

    /// <inheritdoc />
    public override string Title => "A DynamoDB-stream pipe to an event bus has an input_template that selects fields";

    /// <inheritdoc />
    public override string Source =>
        "Amazon EventBridge User Guide, \"Amazon DynamoDB stream as a source in EventBridge Pipes\" and \"Amazon EventBridge Pipes input transformation\"";

    /// <inheritdoc />
    public override string Limits => "Whether each field the template keeps may be seen by every rule target of the bus is for review.";

    /// <inheritdoc />
    public override IEnumerable<GateFinding> Check(GateStack stack)
    {
        foreach (var pipe in stack.OfType("aws_pipes_pipe"))
        {
            var source = pipe.String("source") ?? "";
            var target = pipe.String("target") ?? "";
            var fromTable = GateQueries.ReferencedOfType(stack, pipe.Body["source"], "aws_dynamodb_table") is not null
                || Regex.IsMatch(source, @"^arn:[^:]+:dynamodb:[^:]*:[^:]*:table/[^/]+/stream/");
            var toBus = GateQueries.ReferencedOfType(stack, pipe.Body["target"], "aws_cloudwatch_event_bus") is not null
                || Regex.IsMatch(target, @"^arn:[^:]+:events:[^:]*:[^:]*:event-bus/");
            if (!fromTable || !toBus)
            {
                continue;
            }

            var template = pipe.At("target_parameters.input_template")?.ToString();
            if (string.IsNullOrWhiteSpace(template))
            {
                yield return Finding(pipe,
                    $"Pipe {pipe.Address} ({pipe.String("name") ?? pipe.ConstructPath ?? pipe.Address}) sends DynamoDB stream records to event bus {target} without " +
                    "target_parameters.input_template: every attribute of the item's new and old image becomes the event detail and reaches every " +
                    "rule and target of the bus. Fix: set input_template to the fields consumers need, e.g. " +
                    "{\"transactionId\": \"<$.dynamodb.NewImage.transactionId.S>\", \"eventId\": \"<$.eventID>\"} (quote string paths, not objects).");
            }
            else if (WholeRecord().Match(template) is { Success: true } m)
            {
                yield return Finding(pipe,
                    $"Pipe {pipe.Address} ({pipe.String("name") ?? pipe.ConstructPath ?? pipe.Address}) has an input_template that forwards a whole record or image ({m.Value}): " +
                    "every attribute of the item reaches every rule and target of the bus. Fix: select the individual fields consumers need " +
                    "(<$.dynamodb.NewImage.<attr>.S>).");
            }
        }
    }
}
