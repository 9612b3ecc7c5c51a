namespace FraudTf.Security.Policy;

// Alike on purpose: a record of documented required init properties, as the settings records of the constructs and
// the functions' settings are; each rule in Rules/ is one instance of it.
/// <summary>
/// One control of the synth-time security policy: a stable id (<c>FTF-&lt;AREA&gt;-&lt;NNN&gt;</c>), the ids of the
/// scanner checks it mirrors (checkov, Trivy), what it requires and how to fix a violation.
/// </summary>
public sealed record SecurityRule
{
    /// <summary>Stable rule id, e.g. <c>FTF-S3-001</c>. Used in messages and in policy exceptions; never renumbered.</summary>
    public required string Id { get; init; }

    /// <summary>The scanner checks this rule mirrors, e.g. <c>CKV_AWS_7; Trivy AVD-AWS-0065</c>.</summary>
    public required string ScannerIds { get; init; }

    /// <summary>What the rule requires, in one line.</summary>
    public required string Title { get; init; }

    /// <summary>How to fix a violation.</summary>
    public required string Fix { get; init; }

    /// <summary>The Terraform resource types the rule checks (and that an exception of it may be put on); empty means every type.</summary>
    public required IReadOnlyList<string> ResourceTypes { get; init; }

    /// <summary>Whether a policy exception may skip the rule for one resource. Default true.</summary>
    public bool Exceptable { get; init; } = true;

    /// <summary>Whether the rule checks resources of <paramref name="resourceType"/>.</summary>
    public bool AppliesTo(string resourceType) => ResourceTypes.Count == 0 || ResourceTypes.Contains(resourceType, StringComparer.Ordinal);

    /// <summary>
    /// The check: the problems of one resource, given its stack for the rules that look at other resources (each problem a
    /// clause without a final period); empty when compliant.
    /// </summary>
    internal Func<StackResource, StackDocument, IEnumerable<string>> Evaluate { get; init; } = (_, _) => [];
}

/// <summary>One rule broken by one resource of a synthesized stack.</summary>
public sealed record PolicyViolation
{
    /// <summary>The id of the broken rule, e.g. <c>FTF-KMS-001</c>.</summary>
    public required string RuleId { get; init; }

    /// <summary>Terraform address of the resource, <c>type.logicalId</c>.</summary>
    public required string Address { get; init; }

    /// <summary>Construct path of the resource (from its <c>"//".metadata.path</c>).</summary>
    public required string ConstructPath { get; init; }

    /// <summary>
    /// The full message: <c>[&lt;address&gt; at &lt;construct path&gt;] &lt;RULE-ID&gt; (&lt;scanner ids&gt;): &lt;what is wrong&gt;. Fix: &lt;fix&gt;</c>.
    /// </summary>
    public required string Message { get; init; }

    /// <summary>The message.</summary>
    public override string ToString() => Message;
}

