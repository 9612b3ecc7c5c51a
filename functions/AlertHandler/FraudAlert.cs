using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace FraudTf.Functions.AlertHandler;

/// <summary>A FraudDetected event, read from the DynamoDB stream record the pipe put in the event's detail.</summary>
public sealed record FraudAlert
{
    /// <summary>EventBridge event id (idempotency key).</summary>
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

        string? Str(JsonNode? n) => n is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;
        var image = root?["detail"]?["dynamodb"]?["NewImage"];
        var eventId = Str(root?["id"]);
        var detailType = Str(root?["detail-type"]);
        if (root is not JsonObject || eventId is null)
        {
            problem = "the event has no id";
            return null;
        }

        if (detailType != "FraudDetected")
        {
            problem = $"unexpected detail-type '{detailType}'";
            return null;
        }

        if (image is not JsonObject)
        {
            problem = "the event's detail has no dynamodb.NewImage";
            return null;
        }

        string? S(string name) => Str(image[name]?["S"]);
        string? N(string name) => Str(image[name]?["N"]);
        var required = new[] { "transactionId", "userId", "decision", "rulesVersion", "decidedAt" };
        var missing = required.FirstOrDefault(f => S(f) is null) ?? new[] { "score", "confidence" }.FirstOrDefault(f => N(f) is null);
        if (missing is not null)
        {
            problem = $"the decision has no '{missing}'";
            return null;
        }

        if (!DateTimeOffset.TryParse(S("decidedAt"), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var decidedAt) ||
            !decimal.TryParse(N("score"), NumberStyles.Float, CultureInfo.InvariantCulture, out var score) ||
            !decimal.TryParse(N("confidence"), NumberStyles.Float, CultureInfo.InvariantCulture, out var confidence))
        {
            problem = "the decision's decidedAt, score or confidence is malformed";
            return null;
        }

        var reasons = new JsonArray();
        foreach (var r in image["reasons"]?["L"]?.AsArray() ?? [])
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
            EventId = eventId,
            TransactionId = S("transactionId")!,
            UserId = S("userId")!,
            Decision = S("decision")!,
            Score = score,
            Confidence = confidence,
            RulesVersion = S("rulesVersion")!,
            DecidedAt = decidedAt.ToUniversalTime(),
            Reasons = reasons,
        };
    }
}
