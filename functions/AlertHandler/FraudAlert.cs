using FraudTf.Functions.Shared.Events;

namespace FraudTf.Functions.AlertHandler;

// Alike on purpose: an init-only record of required, documented fields, the shape of every input record here
// (Settings, IndexRequest, TrafficOptions); the fields are this event's.
/// <summary>
/// A FraudDetected event: the <see cref="FraudDetectedDetail"/> fields the decisions pipe's input template puts in the
/// event's detail (functions/Shared/Events/PipeEvents.cs is the contract both sides are built from).
/// </summary>
public sealed record FraudAlert
{
    /// <summary>The DynamoDB stream record's eventID: the idempotency key (the same for every delivery of the decision).</summary>
    public required string RecordId { get; init; }

    /// <summary>The EventBridge event id (changes when a pipe re-publishes the record; kept for the audit record only).</summary>
    public required string EventId { get; init; }

    /// <summary>The transaction.</summary>
    public required string TransactionId { get; init; }

    /// <summary>The user.</summary>
    public required string UserId { get; init; }

    /// <summary>REVIEW or DECLINE.</summary>
    public required string Decision { get; init; }

    /// <summary>Risk score.</summary>
    public required decimal Score { get; init; }

    /// <summary>Confidence.</summary>
    public required decimal Confidence { get; init; }

    /// <summary>Version of the rules that decided.</summary>
    public required string RulesVersion { get; init; }

    /// <summary>When the decision was taken.</summary>
    public required DateTimeOffset DecidedAt { get; init; }

    /// <summary>The reasons, as plain JSON objects (rule, weight, explanation).</summary>
    public required JsonArray Reasons { get; init; }

    /// <summary>True when <paramref name="s"/> is 1 to <paramref name="max"/> of A-Z a-z 0-9 - _ . : starting with a letter or digit.</summary>
    public static bool IsId(string s, int max) =>
        s.Length >= 1 && s.Length <= max && char.IsAsciiLetterOrDigit(s[0]) && s.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or ':');

    /// <summary>Parses an event; on failure returns null and says why in <paramref name="problem"/>.</summary>
    public static FraudAlert? Parse(string raw, out string? problem)
    {
        problem = null;
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(raw);
        }
        catch (JsonException)
        {
            problem = "the event is not JSON";
            return null;
        }

        static string? Str(JsonNode? n) => n is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;
        var eventId = Str(root?["id"]);
        if (root is not JsonObject || eventId is null)
        {
            problem = "the event has no id";
            return null;
        }

        var detailType = Str(root["detail-type"]);
        var source = Str(root["source"]);
        if (detailType != PlatformEvents.FraudDetected || source != PlatformEvents.DecisionsSource)
        {
            problem = $"unexpected detail-type '{detailType}' from source '{source}'";
            return null;
        }

        if (root["detail"] is not JsonObject detail)
        {
            problem = "the event has no detail object";
            return null;
        }

        string? S(string name) => Str(detail[name]) is { Length: > 0 } s ? s : null;
        var required = new[]
        {
            FraudDetectedDetail.RecordId, FraudDetectedDetail.TransactionId, FraudDetectedDetail.UserId, FraudDetectedDetail.Decision,
            FraudDetectedDetail.Score, FraudDetectedDetail.Confidence, FraudDetectedDetail.RulesVersion, FraudDetectedDetail.DecidedAt,
        };
        var missing = required.FirstOrDefault(f => S(f) is null);
        if (missing is not null)
        {
            problem = $"the decision has no '{missing}'";
            return null;
        }

        // Re-validated here, whatever the pipe's filter let through: the ids become S3 keys (trail, audit record) and
        // DynamoDB keys (the marker, the user's profile), the decision a count. The rules are the stream processor's
        // (TransactionParser: ids of 1-64 letters, digits or _.:- starting with a letter or digit); a stream record's
        // eventID is up to 128 such characters.
        var recordId = S(FraudDetectedDetail.RecordId)!;
        var transactionId = S(FraudDetectedDetail.TransactionId)!;
        var userId = S(FraudDetectedDetail.UserId)!;
        var decision = S(FraudDetectedDetail.Decision)!;
        foreach (var (field, value, max) in new[]
                 {
                     (FraudDetectedDetail.RecordId, recordId, 128), (FraudDetectedDetail.TransactionId, transactionId, 64), (FraudDetectedDetail.UserId, userId, 64),
                 })
        {
            if (!IsId(value, max))
            {
                problem = $"the decision's '{field}' is not an id (1-{max} of A-Z a-z 0-9 - _ . :, starting with a letter or digit)";
                return null;
            }
        }

        if (!AutomatedDecision.AlertingDecisions.Contains(decision, StringComparer.Ordinal))
        {
            problem = $"the decision '{decision}' is not an alerting decision ({string.Join(", ", AutomatedDecision.AlertingDecisions)})";
            return null;
        }

        if (!DateTimeOffset.TryParse(S(FraudDetectedDetail.DecidedAt), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var decidedAt) ||
            !decimal.TryParse(S(FraudDetectedDetail.Score), NumberStyles.Float, CultureInfo.InvariantCulture, out var score) ||
            !decimal.TryParse(S(FraudDetectedDetail.Confidence), NumberStyles.Float, CultureInfo.InvariantCulture, out var confidence))
        {
            problem = "the decision's decidedAt, score or confidence is malformed";
            return null;
        }

        var reasons = new JsonArray();
        foreach (var r in detail[FraudDetectedDetail.Reasons] as JsonArray ?? [])
        {
            reasons.Add(new JsonObject
            {
                ["rule"] = Str(r?["M"]?["rule"]?["S"]),
                ["weight"] = decimal.TryParse(Str(r?["M"]?["weight"]?["N"]), NumberStyles.Float, CultureInfo.InvariantCulture, out var w) ? w : null,
                ["explanation"] = Str(r?["M"]?["explanation"]?["S"]),
            });
        }

        return new FraudAlert
        {
            RecordId = recordId,
            EventId = eventId,
            TransactionId = transactionId,
            UserId = userId,
            Decision = decision,
            Score = score,
            Confidence = confidence,
            RulesVersion = S(FraudDetectedDetail.RulesVersion)!,
            DecidedAt = decidedAt.ToUniversalTime(),
            Reasons = reasons,
        };
    }
}
