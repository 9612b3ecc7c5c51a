using System.Reflection;
using System.Text.Json.Nodes;
using FraudTf.Functions.Shared.Metrics;
using FraudTf.Functions.Tests.Support;

namespace FraudTf.Functions.Tests.Observability;

/// <summary>
/// Every platform metric the synthesized stack reads (alarms and dashboard) has a producer: an EMF metric a function
/// declares (<c>"//".emits_metrics</c>, which must be the function's <see cref="PlatformMetrics"/> list) or a log metric
/// filter. The telemetry tests then show that the producer really produces it as CloudWatch stores it.
/// A function's contract list is found by convention: <c>PlatformMetrics.&lt;Name&gt;</c> for <c>functions/&lt;Name&gt;</c>,
/// none when there is no such list.
/// </summary>
[TestFixture]
public class MetricContractTests
{
    private static IEnumerable<string> Stacks() => ["fraud-detection-dev", "fraud-detection-staging", "fraud-detection-prod"];

    // PlatformMetrics.<Name> of the function whose handler is in FraudTf.Functions.<Name>, or nothing.
    private static IReadOnlyList<EmittedMetric> ContractOf(string assembly) =>
        typeof(PlatformMetrics).GetProperty(assembly[(assembly.LastIndexOf('.') + 1)..], BindingFlags.Public | BindingFlags.Static)
            ?.GetValue(null) as IReadOnlyList<EmittedMetric> ?? [];

    [TestCaseSource(nameof(Stacks))]
    public void EveryMetricReadByTheStack_HasAProducer(string stackName)
    {
        var stack = SynthesizedStack.LoadOrIgnore(stackName);
        var declared = SynthesizedMonitoring.Functions(stack)
            .SelectMany(f => (f.Function["//"]?["emits_metrics"] as JsonArray ?? []).Select(m => (
                Namespace: m!["namespace"]!.GetValue<string>(), Name: m["name"]!.GetValue<string>(),
                Keys: string.Join(",", m["dimensions"]!.AsArray().Select(d => d!.GetValue<string>())))))
            .ToHashSet();
        var filtered = SynthesizedMonitoring.MetricFilters(stack).Select(f => (f.MetricNamespace, f.MetricName)).ToHashSet();

        var orphans = SynthesizedMonitoring.ReadMetrics(stack, PlatformMetrics.Namespace)
            .Where(m => !declared.Contains((m.Namespace, m.Name, string.Join(",", m.Dimensions.Keys.Order(StringComparer.Ordinal))))
                        && !(m.Dimensions.Count == 0 && filtered.Contains((m.Namespace, m.Name))))
            .Select(m => $"{m.ReadBy}: {m.Name} [{string.Join(",", m.Dimensions.Keys)}]");

        Assert.That(orphans, Is.Empty);
    }

    [TestCaseSource(nameof(Stacks))]
    public void EachFunctionDeclares_ExactlyItsContractMetrics(string stackName)
    {
        var stack = SynthesizedStack.LoadOrIgnore(stackName);
        Assert.Multiple(() =>
        {
            foreach (var (address, assembly, function) in SynthesizedMonitoring.Functions(stack))
            {
                var declared = (function["//"]?["emits_metrics"] as JsonArray ?? [])
                    .Select(m => $"{m!["namespace"]}/{m["name"]}[{string.Join(",", m["dimensions"]!.AsArray().Select(d => d!.GetValue<string>()))}]");
                var expected = ContractOf(assembly)
                    .Select(m => $"{PlatformMetrics.Namespace}/{m.Name}[{string.Join(",", m.Dimensions.Order(StringComparer.Ordinal))}]");
                Assert.That(declared, Is.EquivalentTo(expected), address);
            }
        });
    }
}
