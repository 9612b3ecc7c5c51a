namespace FraudTf.Security.Policy;

/// <summary>One statement of a policy document, normalized (single values as lists).</summary>
internal sealed record PolicyStatementView
{
    public required int Index { get; init; }

    public string? Sid { get; init; }

    public required string Effect { get; init; }

    public required IReadOnlyList<string> Actions { get; init; }

    public bool HasNotAction { get; init; }

    public required IReadOnlyList<string> Resources { get; init; }

    public bool HasNotResource { get; init; }

    public JsonNode? Principal { get; init; }

    public bool HasNotPrincipal { get; init; }

    public JsonNode? Condition { get; init; }

    public bool IsAllow => Effect.Equals("Allow", StringComparison.OrdinalIgnoreCase);

    public bool IsDeny => Effect.Equals("Deny", StringComparison.OrdinalIgnoreCase);

    /// <summary>How a message names the statement: its Sid, or its position.</summary>
    public string Label => Sid is null ? $"statement #{Index + 1}" : $"statement \"{Sid}\" (#{Index + 1})";
}

/// <summary>Parses the policy documents of synthesized resources (JSON strings, possibly holding Terraform interpolations).</summary>
internal static class PolicyText
{
    /// <summary>Parses <paramref name="node"/>; on failure <paramref name="problem"/> says why (a clause to follow the attribute name).</summary>
    public static bool TryParse(JsonNode? node, out IReadOnlyList<PolicyStatementView> statements, out string? problem)
    {
        statements = [];
        problem = null;
        JsonNode? document;
        if (node is JsonObject inline)
        {
            document = inline;
        }
        else
        {
            var text = PolicyJson.Str(node);
            if (string.IsNullOrWhiteSpace(text))
            {
                problem = "is empty";
                return false;
            }

            try
            {
                document = JsonNode.Parse(text);
            }
            catch (JsonException)
            {
                var shown = text.Length > 100 ? text[..100] + "..." : text;
                problem = text.TrimStart().StartsWith("${", StringComparison.Ordinal)
                    ? $"must be a literal JSON document so it can be checked at synth; it is the computed value {JsonSerializer.Serialize(shown)}"
                    : $"is not valid JSON: {JsonSerializer.Serialize(shown)}";
                return false;
            }
        }

        var raw = document?["Statement"];
        var list = raw switch
        {
            JsonArray a => a.OfType<JsonObject>().ToList(),
            JsonObject o => [o],
            _ => null,
        };
        if (document is not JsonObject || list is null)
        {
            problem = "must be a policy document with a Statement";
            return false;
        }

        statements = list.Select((s, i) => new PolicyStatementView
        {
            Index = i,
            Sid = PolicyJson.Str(s["Sid"]),
            Effect = PolicyJson.Str(s["Effect"]) ?? "",
            Actions = PolicyJson.Strings(s["Action"]),
            HasNotAction = s["NotAction"] is not null,
            Resources = PolicyJson.Strings(s["Resource"]),
            HasNotResource = s["NotResource"] is not null,
            Principal = s["Principal"],
            HasNotPrincipal = s["NotPrincipal"] is not null,
            Condition = s["Condition"],
        }).ToList();
        return true;
    }
}
