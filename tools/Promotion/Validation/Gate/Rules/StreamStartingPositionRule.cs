// Alike on purpose: every gate rule has GateRule's shape (id, scanner ids, rationale, a check over the stack index
// that returns findings with their fix); the likeness is the template, each rule's check is its own.
namespace FraudTf.Promotion.Validation.Gate.Rules;

/// <summary>
/// GATE-STREAM-001: a stream consumer that starts at <c>LATEST</c> skips every record written before it is active: on
/// the first deploy (a producer in the same apply writes before the pipe or mapping is running) and whenever the
/// consumer is replaced. EventBridge Pipes (DynamoDB or Kinesis source) and Lambda event source mappings are checked.
/// </summary>
// EventBridge Pipes API reference, DynamoDBStreamStartPosition / KinesisStreamStartPosition, and the CDK enum that
//   mirrors them: LATEST "Start reading just after the most recent stream record in the shard"; TRIM_HORIZON "Start
//   reading at the last (untrimmed) stream record, which is the oldest record in the shard".
// Lambda API reference, CreateEventSourceMapping, StartingPosition: "LATEST ... Start reading just after the most recent
//   record in the shard"; EventBridge User Guide, "Amazon DynamoDB stream as a source" (eb-pipes-dynamodb.html).
public sealed class StreamStartingPositionRule : GateRule
{
    private static readonly string[] PipePaths =
    [
        "source_parameters.dynamodb_stream_parameters.starting_position",
        "source_parameters.kinesis_stream_parameters.starting_position",
    ];

    /// <inheritdoc />
    public override string Id => "GATE-STREAM-001";

    /// <inheritdoc />
    public override string Title => "Stream consumers start at TRIM_HORIZON, so no record written before they run is lost";

    /// <inheritdoc />
    public override string Source =>
        "EventBridge Pipes API reference, DynamoDBStreamStartPosition and KinesisStreamStartPosition (LATEST: \"Start reading just " +
        "after the most recent stream record in the shard\"); Lambda API reference, CreateEventSourceMapping, StartingPosition; " +
        "EventBridge User Guide, Amazon DynamoDB stream as a source";

    /// <inheritdoc />
    public override string Limits =>
        "TRIM_HORIZON replays up to the stream's retention (24 h for DynamoDB streams) on creation: the consumer must be idempotent.";

    /// <inheritdoc />
    public override IEnumerable<GateFinding> Check(GateStack stack)
    {
        foreach (var pipe in stack.OfType("aws_pipes_pipe"))
        {
            foreach (var path in PipePaths)
            {
                foreach (var (at, value) in Gate1Support.All(pipe.Body, path))
                {
                    if (Gate1Support.LiteralString(value) == "LATEST")
                    {
                        yield return Finding(pipe, Message(at, "the pipe"));
                    }
                }
            }
        }

        foreach (var mapping in stack.OfType("aws_lambda_event_source_mapping"))
        {
            if (mapping.String("starting_position") == "LATEST")
            {
                yield return Finding(mapping, Message("starting_position", "the mapping"));
            }
        }
    }

    private static string Message(string path, string consumer) =>
        $"{path} = LATEST: records written to the stream before {consumer} is running (items written in the same apply, during " +
        $"creation, or while {consumer} is being replaced) are never delivered. Fix: start at TRIM_HORIZON and make the consumer " +
        "idempotent (it may see up to the stream's retention of older records when it is created).";
}
