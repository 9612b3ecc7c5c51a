using System.Text.Json.Nodes;
using FraudTf.Promotion.Validation.Gate;

namespace FraudTf.Promotion.Tests.Validation.Gate;

/// <summary>Minimal stacks for the GATE-PROV/ENUM/LIMIT/KMS/XRAY/STREAM/S3 rule tests, and a runner for one rule.</summary>
internal static class Gate1Fixtures
{
    /// <summary>A stack with the AWS provider pinned to <paramref name="version"/> (none when null) and <paramref name="resources"/> (the JSON of <c>resource</c>).</summary>
    public static JsonObject Stack(string resources = "{}", string? version = "~> 6.27")
    {
        var stack = new JsonObject
        {
            ["terraform"] = new JsonObject
            {
                ["required_providers"] = new JsonObject
                {
                    ["aws"] = version is null
                        ? new JsonObject { ["source"] = "hashicorp/aws" }
                        : new JsonObject { ["source"] = "hashicorp/aws", ["version"] = version },
                },
            },
            ["resource"] = JsonNode.Parse(resources),
        };
        return stack;
    }

    /// <summary>A stack holding one resource <c>&lt;type&gt;.r</c> with <paramref name="body"/>.</summary>
    public static JsonObject One(string type, string body, string? version = "~> 6.27") =>
        Stack($$"""{ "{{type}}": { "r": {{body}} } }""", version);

    /// <summary>The gate's result on <paramref name="stack"/> with only <typeparamref name="TRule"/>.</summary>
    public static GateResult Run<TRule>(JsonObject stack) where TRule : GateRule, new() => DeployGate.Check("t", stack, [new TRule()]);

    /// <summary>The failures of <typeparamref name="TRule"/> on <paramref name="stack"/>.</summary>
    public static IReadOnlyList<GateFinding> Failures<TRule>(JsonObject stack) where TRule : GateRule, new() => Run<TRule>(stack).Failures;

    /// <summary>A policy document (as synthesized: a JSON string) with <paramref name="statements"/>.</summary>
    public static string Policy(params JsonObject[] statements) =>
        new JsonObject { ["Version"] = "2012-10-17", ["Statement"] = new JsonArray(statements.Select(s => (JsonNode)s).ToArray()) }.ToJsonString();

    /// <summary>Escapes <paramref name="text"/> as a JSON string literal (quotes included).</summary>
    public static string Quote(string text) => JsonValue.Create(text).ToJsonString();
}
