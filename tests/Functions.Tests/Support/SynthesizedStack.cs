using System.Text.Json.Nodes;
using FraudTf.Functions.Tests.Integration;

namespace FraudTf.Functions.Tests.Support;

/// <summary>
/// Reads a stack synthesized by <c>make synth</c> (cdktf.out/stacks/&lt;stack&gt;/cdk.tf.json), so seam tests use the
/// pipe filters and templates the app really deploys. Tests that need it are ignored, with the reason, when the folder
/// is missing (make test synthesizes first).
/// </summary>
public static class SynthesizedStack
{
    /// <summary>The parsed stack, or an ignored test saying how to get it.</summary>
    public static JsonObject LoadOrIgnore(string stack = "fraud-detection-dev")
    {
        var path = Path.Combine(DynamoDbLocal.RepoRoot(), "cdktf.out", "stacks", stack, "cdk.tf.json");
        if (!File.Exists(path))
        {
            Assert.Ignore($"{path} is missing: this seam test reads the synthesized stack. Fix: run 'make synth' first (make test does).");
        }

        return JsonNode.Parse(File.ReadAllText(path))!.AsObject();
    }

    /// <summary>The single resource of <paramref name="type"/> whose construct path ends with <paramref name="pathSuffix"/>.</summary>
    public static JsonObject Resource(JsonObject stack, string type, string pathSuffix)
    {
        var matches = (stack["resource"]?[type] as JsonObject ?? [])
            .Select(p => p.Value!.AsObject())
            .Where(r => r["//"]?["metadata"]?["path"]?.GetValue<string>().EndsWith(pathSuffix, StringComparison.Ordinal) == true)
            .ToList();
        Assert.That(matches, Has.Count.EqualTo(1), $"expected one {type} at a path ending '{pathSuffix}' in the synthesized stack");
        return matches[0];
    }

    /// <summary>A pipe's single filter pattern, parsed.</summary>
    public static JsonNode PipeFilter(JsonObject pipe) =>
        JsonNode.Parse(pipe["source_parameters"]!["filter_criteria"]!["filter"]!.AsArray().Single()!["pattern"]!.GetValue<string>())!;

    /// <summary>A pipe's input template.</summary>
    public static string PipeInputTemplate(JsonObject pipe) => pipe["target_parameters"]!["input_template"]!.GetValue<string>();

    /// <summary>The source and detail-type a pipe's event-bus target gives its events.</summary>
    public static (string Source, string DetailType) PipeBusParameters(JsonObject pipe)
    {
        var p = pipe["target_parameters"]!["eventbridge_event_bus_parameters"]!;
        return (p["source"]!.GetValue<string>(), p["detail_type"]!.GetValue<string>());
    }
}
