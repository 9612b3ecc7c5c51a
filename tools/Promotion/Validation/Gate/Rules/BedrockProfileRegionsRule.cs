using System.Text.RegularExpressions;

// Alike on purpose: every gate rule has GateRule's shape (id, scanner ids, rationale, a check over the stack index
// that returns findings with their fix); the likeness is the template, each rule's check is its own.
namespace FraudTf.Promotion.Validation.Gate.Rules;

/// <summary>
/// GATE-BRK-001: a principal allowed to invoke a model through a cross-Region (geographic) inference profile is also allowed
/// the foundation model in every destination Region of the profile. Bedrock routes each request to one of those Regions and
/// authorizes the caller on the foundation-model ARN there; a Region missing from the policy makes a share of the
/// invocations fail with AccessDenied (e.g. "not authorized to perform: bedrock:InvokeModel on resource:
/// arn:aws:bedrock:us-east-2::foundation-model/..."), depending on where the request was routed.
/// Source: Amazon Bedrock User Guide, "Supported Regions and models for inference profiles" and "Prerequisites for
/// inference profiles" (permissions on the profile and on the model in each destination Region); destination Regions per
/// profile in the table below, each with its source.
/// </summary>
public sealed partial class BedrockProfileRegionsRule : GateRule
{
    /// <summary>
    /// Destination Regions of each known inference profile, by (profile id, source Region): the one table the app's
    /// config loader also uses (modules/Config/InferenceProfiles.cs, each entry with its source there). Destinations
    /// differ by source Region; the authoritative list is <c>aws bedrock get-inference-profile --inference-profile-identifier
    /// &lt;id&gt; --region &lt;source&gt;</c> (<c>models[].modelArn</c>).
    /// </summary>
    private static readonly IReadOnlyDictionary<(string Profile, string SourceRegion), (string[] Regions, string Source)> Destinations =
        FraudTf.Config.InferenceProfiles.Verified.ToDictionary(p => p.Key, p => (p.Value.ToArray(), "modules/Config/InferenceProfiles.cs"));

    private static readonly string[] InvokeActions = ["bedrock:InvokeModel", "bedrock:InvokeModelWithResponseStream"];

    [GeneratedRegex(@"^arn:(?<partition>[a-z-]+):bedrock:(?<region>[a-z0-9-]+|\*):(?<account>[^:]*):inference-profile/(?<profile>(?<geo>[a-z]+)\.(?<model>.+))$")]
    private static partial Regex ProfileArn();

    /// <inheritdoc />
    public override string Id => "GATE-BRK-001";

    /// <inheritdoc />
    public override string Title => "A role allowed a cross-Region inference profile is allowed its model in every destination Region";

    /// <inheritdoc />
    public override string Source =>
        "Amazon Bedrock User Guide, \"Supported Regions and models for inference profiles\" and \"Prerequisites for inference profiles\"; " +
        "destinations table in BedrockProfileRegionsRule (AWS ML Blog \"Securing Amazon Bedrock cross-Region inference\", Jan 2026)";

    /// <inheritdoc />
    public override string Limits =>
        "AWS may add destination Regions to a profile; only GetInferenceProfile in the source Region gives the current list.";

    /// <inheritdoc />
    public override IEnumerable<GateFinding> Check(GateStack stack)
    {
        foreach (var group in Principals(stack))
        {
            var allows = group.Where(x => x.Statement.IsAllow).ToList();
            foreach (var (policy, s) in allows)
            {
                foreach (var action in InvokeActions.Where(a => GateQueries.Grants(s, a)))
                {
                    foreach (var resource in s.Resources)
                    {
                        var m = ProfileArn().Match(resource);
                        if (!m.Success)
                        {
                            continue;
                        }

                        var profile = m.Groups["profile"].Value;
                        var source = m.Groups["region"].Value;
                        var known = Destinations.Where(d => d.Key.Profile == profile && (source == "*" || d.Key.SourceRegion == source)).ToList();
                        if (known.Count == 0)
                        {
                            yield return Finding(policy,
                                $"{policy.Address} allows {action} on inference profile {resource}, whose destination Regions GATE-BRK-001 does not know " +
                                $"for source Region {source}. Fix: add (\"{profile}\", \"{source}\") to InferenceProfiles.Verified (modules/Config/InferenceProfiles.cs) with the " +
                                $"Regions from `aws bedrock get-inference-profile --inference-profile-identifier {profile} --region {source}` " +
                                "(models[].modelArn) and where the list comes from.");
                            continue;
                        }

                        var model = m.Groups["model"].Value;
                        var missing = known.SelectMany(k => k.Value.Regions).Distinct(StringComparer.Ordinal)
                            .Select(r => $"arn:{m.Groups["partition"].Value}:bedrock:{r}::foundation-model/{model}")
                            .Where(arn => !allows.Any(x => GateQueries.Grants(x.Statement, action) && x.Statement.Resources.Any(p => ArnMatches(p, arn))))
                            .ToList();
                        if (missing.Count > 0)
                        {
                            yield return Finding(policy,
                                $"{policy.Address} allows {action} on inference profile {resource}, but not on the model in every Region the profile routes to: " +
                                $"missing {string.Join(", ", missing)}. Requests routed there fail with AccessDenied ({string.Join("; ", known.Select(k => k.Value.Source))}). " +
                                "Fix: allow the same action on those foundation-model ARNs (conditioned on bedrock:InferenceProfileArn = the profile to allow them only through it).");
                        }
                    }
                }
            }
        }
    }

    /// <summary>The identity statements of each principal: per role of the stack, and per policy attached to no role of the stack.</summary>
    private static IEnumerable<List<(StackResource Policy, GateStatement Statement)>> Principals(GateStack stack)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var role in stack.OfType("aws_iam_role"))
        {
            var statements = GateQueries.IdentityStatements(stack, role).ToList();
            seen.UnionWith(statements.Select(s => s.Policy.Address));
            yield return statements;
        }

        foreach (var policy in stack.OfType("aws_iam_role_policy").Concat(stack.OfType("aws_iam_policy")).Where(p => !seen.Contains(p.Address)))
        {
            yield return (GateStack.Statements(policy.Body["policy"]) ?? []).Select(s => (policy, s)).ToList();
        }
    }

    /// <summary>True when the IAM resource pattern (<c>*</c>, <c>?</c>) matches <paramref name="arn"/> (case-sensitive, as ARNs are).</summary>
    private static bool ArnMatches(string pattern, string arn) =>
        Regex.IsMatch(arn, "^" + Regex.Escape(pattern).Replace("\\*", ".*").Replace("\\?", ".") + "$", RegexOptions.CultureInvariant);
}
