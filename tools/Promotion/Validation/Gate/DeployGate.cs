using System.Reflection;

namespace FraudTf.Promotion.Validation.Gate;

/// <summary>One problem a deployability rule found.</summary>
/// <param name="RuleId">The rule, e.g. <c>GATE-SNS-001</c>.</param>
/// <param name="Address">Terraform address of the resource at fault (<c>terraform</c> for the settings block).</param>
/// <param name="Message">What fails at plan or apply time, or what silently does nothing, and how to fix it.</param>
public sealed record GateFinding(string RuleId, string Address, string Message);

// Alike on purpose: every rule in Rules/ has this class's shape (Id, Title, Source, Limits, then Check walking
// stack.OfType(...)), so the rules read side by side as a catalog, as cdk-nag's and tflint's do; duplicates pairs
// them by shape. What their checks share is in GateQueries and Gate1Support.
/// <summary>
/// A plan- or apply-time rule over a synthesized stack: something the provider schema accepts but the provider's own
/// validation, AWS's authorization or AWS's runtime behaviour rejects or ignores. Each rule names its source (the
/// provider code or AWS document the rule restates), as tflint-ruleset-aws does. Rules are found by reflection:
/// a new rule is a new class in <c>Rules/</c>, nothing to register.
/// </summary>
public abstract class GateRule
{
    /// <summary>Stable id, <c>GATE-&lt;AREA&gt;-&lt;NNN&gt;</c>.</summary>
    public abstract string Id { get; }

    /// <summary>One line: what the rule guarantees.</summary>
    public abstract string Title { get; }

    /// <summary>Where the rule's fact comes from (provider source file, AWS document and section).</summary>
    public abstract string Source { get; }

    /// <summary>What only a real <c>terraform plan</c> or apply can tell beyond this rule (empty when nothing).</summary>
    public virtual string Limits => "";

    /// <summary>The rule's findings on <paramref name="stack"/>.</summary>
    public abstract IEnumerable<GateFinding> Check(GateStack stack);

    /// <summary>A finding of this rule on <paramref name="resource"/>.</summary>
    protected GateFinding Finding(StackResource resource, string message) => new(Id, resource.Address, message);

    /// <summary>A finding of this rule on a non-resource address (<c>terraform</c>, <c>provider.aws</c>).</summary>
    protected GateFinding Finding(string address, string message) => new(Id, address, message);
}

/// <summary>The outcome of the gate on one stack: findings that fail it and findings excepted with a recorded reason.</summary>
public sealed record GateResult(string Stack, IReadOnlyList<GateFinding> Failures, IReadOnlyList<(GateFinding Finding, string Reason)> Excepted);

/// <summary>
/// The deployability gate: every <see cref="GateRule"/> over a stack. A resource may skip one rule with a reason
/// recorded in its JSON (<c>"//".gate_exceptions.&lt;RULE-ID&gt;</c>, at least <see cref="MinimumReasonLength"/>
/// characters), as the security policy's exceptions are; excepted findings are reported, not failed.
/// </summary>
public static class DeployGate
{
    /// <summary>Shortest accepted exception reason.</summary>
    public const int MinimumReasonLength = 20;

    /// <summary>Every rule, ordered by id.</summary>
    public static IReadOnlyList<GateRule> Rules { get; } = typeof(GateRule).Assembly.GetTypes()
        .Where(t => t.IsSubclassOf(typeof(GateRule)) && !t.IsAbstract && t.GetConstructor(Type.EmptyTypes) is not null)
        .Select(t => (GateRule)Activator.CreateInstance(t)!)
        .OrderBy(r => r.Id, StringComparer.Ordinal)
        .ToList();

    /// <summary>The rule with <paramref name="id"/>, or null.</summary>
    public static GateRule? Rule(string id) => Rules.FirstOrDefault(r => r.Id == id);

    /// <summary>Runs every rule (or only <paramref name="only"/>) on <paramref name="stack"/>.</summary>
    public static GateResult Check(string name, JsonObject stack, IEnumerable<GateRule>? only = null)
    {
        var index = new GateStack(name, stack);
        var failures = new List<GateFinding>();
        var excepted = new List<(GateFinding, string)>();
        foreach (var rule in only ?? Rules)
        {
            foreach (var f in rule.Check(index))
            {
                var reason = index.ByAddress.GetValueOrDefault(f.Address)?.ExceptionReason(f.RuleId)?.Trim();
                if (reason is { Length: >= MinimumReasonLength })
                {
                    excepted.Add((f, reason));
                }
                else
                {
                    failures.Add(reason is null ? f : f with
                    {
                        Message = f.Message + $" (The recorded exception's reason has {reason.Length} characters; give at least {MinimumReasonLength}.)",
                    });
                }
            }
        }

        // An exception naming a rule that does not exist is itself a mistake (a typo would silently except nothing).
        foreach (var r in index.Resources)
        {
            if (r.Metadata("gate_exceptions") is JsonObject ex)
            {
                foreach (var (id, _) in ex.Where(e => Rule(e.Key) is null))
                {
                    failures.Add(new GateFinding("GATE-GEN-001", r.Address,
                        $"'//'.gate_exceptions names '{id}', which is not a gate rule. Fix: use one of {string.Join(", ", Rules.Select(x => x.Id))}."));
                }
            }
        }

        return new GateResult(name, failures, excepted);
    }
}
