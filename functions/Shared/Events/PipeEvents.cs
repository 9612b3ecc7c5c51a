using System.Text;
using FraudTf.Functions.Shared.Tables;

namespace FraudTf.Functions.Shared.Events;

// The contract between the EventBridge Pipes (whose input templates the app builds from the fields below) and the
// consumers of their events (the alert handler reads the same field names). Change a field here and both sides change.

// Alike on purpose: the classes of this file and the other name catalogs of functions/Shared (LogContract, FraudTables,
// PlatformMetrics, FunctionEnvironment, RuleIds, AnalystTools) share one shape, documented constants, one class a contract.
/// <summary>Sources and detail-types of the events the pipes put on the environment's bus.</summary>
public static class PlatformEvents
{
    /// <summary>Event source of TransactionReceived events (the transactions pipe).</summary>
    public const string TransactionsSource = "fraud-detection.transactions";

    /// <summary>Event source of FraudDetected events (the decisions pipe).</summary>
    public const string DecisionsSource = "fraud-detection.decisions";

    /// <summary>Detail-type of a new transaction.</summary>
    public const string TransactionReceived = "TransactionReceived";

    /// <summary>Detail-type of a new automated decision of REVIEW or DECLINE.</summary>
    public const string FraudDetected = "FraudDetected";
}

/// <summary>
/// One field of a pipe's event detail: its name, the JSON path into the DynamoDB stream record it comes from, and
/// whether the path is a leaf value (quoted in the template, so it arrives as a JSON string) or an object/array
/// (unquoted). EventBridge Pipes user guide, "Amazon EventBridge Pipes input transformation": "put quotes around
/// variables that refer to JSON path parameters, but do not put quotes around variables that refer to JSON objects or
/// arrays".
/// </summary>
/// <param name="Name">Field name in the event's <c>detail</c>.</param>
/// <param name="SourcePath">JSON path into one stream record, e.g. <c>$.dynamodb.NewImage.userId.S</c>.</param>
/// <param name="IsLeaf">True for a string/number leaf (quoted), false for an object or array (spliced as JSON).</param>
public sealed record PipeField(string Name, string SourcePath, bool IsLeaf = true);

/// <summary>Builds a pipe's <c>target_parameters.input_template</c> from its fields.</summary>
public static class PipeTemplate
{
    /// <summary>
    /// The template: one JSON object, fields in the given order, e.g. <c>{"recordId":"&lt;$.eventID&gt;",...}</c>.
    /// Field names are plain identifiers and paths contain no quote, so no escaping is needed (checked).
    /// </summary>
    public static string Build(IReadOnlyList<PipeField> fields)
    {
        var b = new StringBuilder("{");
        for (var i = 0; i < fields.Count; i++)
        {
            var f = fields[i];
            if (f.Name.Any(c => !char.IsAsciiLetterOrDigit(c)) || f.SourcePath.IndexOfAny(['"', '<', '>', '{', '}', '\\']) >= 0 || !f.SourcePath.StartsWith("$.", StringComparison.Ordinal))
            {
                throw new ArgumentException($"pipe field '{f.Name}' <- '{f.SourcePath}': a field name must be letters and digits and a path must start with '$.' and hold no quote, brace, angle bracket or backslash. Fix: rename the field or the path.");
            }

            if (i > 0)
            {
                b.Append(',');
            }

            b.Append('"').Append(f.Name).Append("\":");
            b.Append(f.IsLeaf ? $"\"<{f.SourcePath}>\"" : $"<{f.SourcePath}>");
        }

        return b.Append('}').ToString();
    }

    /// <summary>Path of a string attribute of the record's new image.</summary>
    public static string NewImageS(string attribute) => $"$.dynamodb.NewImage.{attribute}.S";

    /// <summary>Path of a number attribute of the record's new image (DynamoDB JSON carries numbers as strings).</summary>
    public static string NewImageN(string attribute) => $"$.dynamodb.NewImage.{attribute}.N";
}

/// <summary>
/// Attributes of the AUTOMATED decision row that only the stream processor writes (functions/StreamProcessor,
/// TransactionStore.Save). Analyst rows (functions/AgentTools, record_analyst_decision) carry none of the scoring
/// attributes, so the decisions pipe requires <see cref="ProducerAttribute"/> and an analyst row can never become an alert.
/// </summary>
public static class AutomatedDecision
{
    /// <summary>Sort-key value of the scorer's decision.</summary>
    public const string DecisionKeyValue = DecisionKeys.Automated;

    /// <summary>APPROVE, REVIEW or DECLINE.</summary>
    public const string Decision = "decision";

    /// <summary>Risk score (number).</summary>
    public const string Score = "score";

    /// <summary>Confidence (number).</summary>
    public const string Confidence = "confidence";

    /// <summary>Version of the scoring rules (string).</summary>
    public const string RulesVersion = "rulesVersion";

    /// <summary>Reasons: a list of maps {rule, weight, explanation}.</summary>
    public const string Reasons = "reasons";

    /// <summary>
    /// The attribute the decisions pipe's filter requires (<c>exists</c>) besides <c>decisionKey = AUTOMATED</c>: only the
    /// stream processor writes it. A role that may write decision rows but must not raise alerts (the agent tools) must
    /// not be allowed to write it (dynamodb:Attributes).
    /// </summary>
    public const string ProducerAttribute = RulesVersion;

    /// <summary>The decisions that raise a FraudDetected event.</summary>
    public static readonly IReadOnlyList<string> AlertingDecisions = [FraudTf.Functions.Shared.Logging.DecisionValues.Review, FraudTf.Functions.Shared.Logging.DecisionValues.Decline];
}

/// <summary>
/// The <c>detail</c> of a FraudDetected event, as the decisions pipe's input template builds it from the DynamoDB stream
/// record of a new AUTOMATED decision: ids, the decision and its explanation, and the stream record's <c>eventID</c>
/// (<see cref="RecordId"/>), the key consumers must be idempotent on. Numbers arrive as JSON strings (DynamoDB's
/// <c>N</c> text); <see cref="Reasons"/> is the DynamoDB list (<c>[{"M": {"rule": {"S": ...}, ...}}]</c>).
/// </summary>
public static class FraudDetectedDetail
{
    /// <summary>The DynamoDB stream record's eventID: the same for every delivery of this decision (pipe retries, a
    /// replaced pipe re-reading the stream), unlike the EventBridge event id.</summary>
    public const string RecordId = "recordId";

    /// <summary>The transaction.</summary>
    public const string TransactionId = "transactionId";

    /// <summary>The user.</summary>
    public const string UserId = "userId";

    /// <summary>REVIEW or DECLINE.</summary>
    public const string Decision = "decision";

    /// <summary>Risk score (string holding a number).</summary>
    public const string Score = "score";

    /// <summary>Confidence (string holding a number).</summary>
    public const string Confidence = "confidence";

    /// <summary>Version of the rules that decided.</summary>
    public const string RulesVersion = "rulesVersion";

    /// <summary>ISO 8601 UTC time of the decision.</summary>
    public const string DecidedAt = "decidedAt";

    /// <summary>The reasons (DynamoDB list of maps).</summary>
    public const string Reasons = "reasons";

    /// <summary>The fields, in template order.</summary>
    public static readonly IReadOnlyList<PipeField> Fields =
    [
        new(RecordId, "$.eventID"),
        new(TransactionId, PipeTemplate.NewImageS(DecisionAttributes.TransactionId)),
        new(UserId, PipeTemplate.NewImageS(DecisionAttributes.UserId)),
        new(Decision, PipeTemplate.NewImageS(AutomatedDecision.Decision)),
        new(Score, PipeTemplate.NewImageN(AutomatedDecision.Score)),
        new(Confidence, PipeTemplate.NewImageN(AutomatedDecision.Confidence)),
        new(RulesVersion, PipeTemplate.NewImageS(AutomatedDecision.RulesVersion)),
        new(DecidedAt, PipeTemplate.NewImageS(DecisionAttributes.DecidedAt)),
        new(Reasons, $"$.dynamodb.NewImage.{AutomatedDecision.Reasons}.L", IsLeaf: false),
    ];

    /// <summary>The decisions pipe's input template.</summary>
    public static string InputTemplate => PipeTemplate.Build(Fields);
}

/// <summary>
/// The <c>detail</c> of a TransactionReceived event: ids and routing fields only. The transactions table's new image also
/// holds the amount, merchant, country, channel, device id and IP address; no consumer of the event needs them (the events
/// stream keeps events for replay and downstream routing), and a consumer that does can read the item by id while the
/// table keeps it.
/// </summary>
public static class TransactionReceivedDetail
{
    /// <summary>The DynamoDB stream record's eventID (idempotency key of consumers).</summary>
    public const string RecordId = "recordId";

    /// <summary>The transaction.</summary>
    public const string TransactionId = "transactionId";

    /// <summary>The user (a consumer's partition or routing key).</summary>
    public const string UserId = "userId";

    /// <summary>ISO 8601 UTC time of the transaction.</summary>
    public const string Timestamp = "timestamp";

    /// <summary>The scorer's decision (APPROVE, REVIEW, DECLINE): lets a rule route by outcome without reading the table.</summary>
    public const string Decision = "decision";

    /// <summary>The fields, in template order.</summary>
    public static readonly IReadOnlyList<PipeField> Fields =
    [
        new(RecordId, "$.eventID"),
        new(TransactionId, PipeTemplate.NewImageS(TransactionAttributes.TransactionId)),
        new(UserId, PipeTemplate.NewImageS(TransactionAttributes.UserId)),
        new(Timestamp, PipeTemplate.NewImageS(TransactionAttributes.Timestamp)),
        new(Decision, PipeTemplate.NewImageS(TransactionAttributes.Decision)),
    ];

    /// <summary>The transactions pipe's input template.</summary>
    public static string InputTemplate => PipeTemplate.Build(Fields);
}
