namespace FraudTf.Security.Policy.Rules;

// Alike on purpose: every rule file has this shape (a static class of SecurityRule records: Id, ScannerIds, Title, Fix,
// ResourceTypes, Evaluate), one file per service as cdk-nag's rule packs; the engine (SecurityPolicy) is elsewhere.
/// <summary>
/// The rules over every resource: coverage (FTF-GEN-001: every type is checked by a rule or listed as having no
/// controls) and the validity of policy exceptions (FTF-GEN-002). They need every other rule, so their checks are the
/// engine's (<see cref="SecurityPolicy.IsCovered"/>) and the exceptions' (<see cref="PolicyExceptions"/>).
/// </summary>
internal static class GeneralRules
{
    /// <summary>The rules, in report order.</summary>
    public static IReadOnlyList<SecurityRule> Rules { get; } =
    [
        new()
        {
            Id = SecurityPolicy.CoverageRuleId, ScannerIds = "FraudTf",
            Title = "Every resource type is checked by a rule or listed as having no controls",
            Fix = "add its rules to a file of modules/Security/Policy/Rules/ and register them in SecurityPolicy.cs, or list it as having no controls",
            ResourceTypes = [],
        },
        new()
        {
            Id = SecurityPolicy.ExceptionRuleId, ScannerIds = "FraudTf",
            Title = "Policy exceptions name a known rule that applies to the resource, with a reason of at least 20 characters",
            Fix = "call PolicyExceptions.Except(resource, \"<rule id>\", \"<reason of at least 20 characters>\") with a rule id of SecurityPolicy.Rules, on the resource the rule reports",
            ResourceTypes = [], Exceptable = false,
        },
    ];
}
