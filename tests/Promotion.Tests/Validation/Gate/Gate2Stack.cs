using System.Text.Json.Nodes;
using FraudTf.Promotion.Validation.Gate;

namespace FraudTf.Promotion.Tests.Validation.Gate;

/// <summary>A small synthesized-stack fixture for the gate rules: resources added by type and name, then one rule run over it.</summary>
internal sealed class Gate2Stack
{
    private readonly JsonObject resources = new();

    /// <summary>Adds (or replaces) resource <paramref name="type"/>.<paramref name="name"/> with a JSON body.</summary>
    public Gate2Stack Add(string type, string name, string body)
    {
        if (resources[type] is not JsonObject byName)
        {
            byName = new JsonObject();
            resources[type] = byName;
        }

        byName[name] = JsonNode.Parse(body)!.AsObject();
        return this;
    }

    /// <summary>Removes resource <paramref name="type"/>.<paramref name="name"/>.</summary>
    public Gate2Stack Remove(string type, string name)
    {
        (resources[type] as JsonObject)?.Remove(name);
        return this;
    }

    /// <summary>The body of resource <paramref name="type"/>.<paramref name="name"/>, to edit.</summary>
    public JsonObject Body(string type, string name) => resources[type]![name]!.AsObject();

    /// <summary>The stack JSON.</summary>
    public JsonObject Json => new() { ["resource"] = resources.DeepClone() };

    /// <summary>Runs the gate with only rule <paramref name="ruleId"/> (exceptions applied as in make validate).</summary>
    public GateResult Gate(string ruleId) => DeployGate.Check("t", Json, [DeployGate.Rule(ruleId) ?? throw new AssertionException($"rule {ruleId} is not registered")]);

    /// <summary>The failures of rule <paramref name="ruleId"/>.</summary>
    public IReadOnlyList<GateFinding> Failures(string ruleId) => Gate(ruleId).Failures;

    /// <summary>A policy document (as Terraform holds it: a JSON string) of the given statements (each a JSON object text).</summary>
    public static string Policy(params string[] statements) =>
        new JsonObject
        {
            ["Version"] = "2012-10-17",
            ["Statement"] = new JsonArray(statements.Select(s => (JsonNode?)JsonNode.Parse(s)).ToArray()),
        }.ToJsonString();

    /// <summary>A resource body holding <paramref name="policy"/> in argument "policy", plus other arguments (JSON object text without braces).</summary>
    public static string WithPolicy(string otherArguments, string policy) =>
        "{" + otherArguments + (otherArguments.Length > 0 ? "," : "") + "\"policy\":" + JsonValue.Create(policy).ToJsonString() + "}";
}
