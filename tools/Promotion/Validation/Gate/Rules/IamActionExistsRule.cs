using FraudTf.Promotion.Validation.Gate.Data;

// Alike on purpose: every gate rule has GateRule's shape (id, scanner ids, rationale, a check over the stack index
// that returns findings with their fix); the likeness is the template, each rule's check is its own.
namespace FraudTf.Promotion.Validation.Gate.Rules;

/// <summary>
/// GATE-IAM-001: every action a policy of the stack names exists. IAM accepts any <c>service:Action</c> text in a policy
/// (an unknown action is only a policy-validation warning), then never matches it: a misspelled Allow grants nothing (the
/// call fails with AccessDenied at run time) and a misspelled Deny protects nothing. The service prefix must be in the
/// catalogue (<see cref="IamActionCatalogue"/>) and the action, or its wildcard pattern, must match at least one action of
/// that service; comparison is case-insensitive, as IAM's.
/// Source: AWS Service Authorization Reference, "Actions defined by ..." of each service (catalogue header gives the
/// date); IAM User Guide, "IAM JSON policy elements: Action" (case-insensitive, wildcards) and IAM Access Analyzer
/// policy check "Unrecognized action" / "Unrecognized service prefix".
/// </summary>
public sealed class IamActionExistsRule : GateRule
{
    /// <inheritdoc />
    public override string Id => "GATE-IAM-001";

    /// <inheritdoc />
    public override string Title => "Every IAM action named by a policy of the stack exists (known service prefix, matching action)";

    /// <inheritdoc />
    public override string Source =>
        "AWS Service Authorization Reference, \"Actions defined by <service>\" (catalogue in Validation/Gate/Data/IamActionCatalogue.cs, dated in its header); " +
        "IAM User Guide, \"IAM JSON policy elements: Action\"; IAM Access Analyzer policy checks \"Unrecognized action\", \"Unrecognized service prefix\"";

    /// <inheritdoc />
    public override string Limits =>
        "An action AWS added after the catalogue's date is reported as unknown until the catalogue is refreshed; policies built by data sources or references are not read.";

    /// <inheritdoc />
    public override IEnumerable<GateFinding> Check(GateStack stack)
    {
        foreach (var (owner, argument, statements) in GateQueries.Policies(stack))
        {
            for (var i = 0; i < statements.Count; i++)
            {
                var s = statements[i];
                foreach (var action in s.Actions.Concat(s.NotActions))
                {
                    if (Problem(action) is { } problem)
                    {
                        yield return Finding(owner, $"{owner.Address}.{argument}, statement {GateQueries.Label(s, i)}: {problem}");
                    }
                }
            }
        }
    }

    /// <summary>Why <paramref name="action"/> names no action, or null when it names at least one.</summary>
    public static string? Problem(string action)
    {
        if (action == "*" || action.Contains("${", StringComparison.Ordinal))
        {
            return null;
        }

        var colon = action.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0 || colon == action.Length - 1)
        {
            return $"'{action}' is not an IAM action (expected <service prefix>:<action>). Fix: write it as e.g. dynamodb:GetItem.";
        }

        var prefix = action[..colon];
        var name = action[(colon + 1)..];
        if (!IamActionCatalogue.Actions.TryGetValue(prefix, out var actions))
        {
            var close = IamActionCatalogue.Actions.Keys.OrderBy(k => FraudTf.Config.ConfigReader.Distance(k, prefix)).First();
            var hint = FraudTf.Config.ConfigReader.Distance(close, prefix) <= 2 ? $" (did you mean '{close}'?)" : "";
            return $"service prefix '{prefix}' of '{action}' is not in the IAM action catalogue{hint}. " +
                "Fix: correct the prefix, or, if it is a service the project now uses, add its actions to " +
                "tools/Promotion/Validation/Gate/Data/IamActionCatalogue.cs from its AWS Service Authorization Reference page.";
        }

        if (actions.Any(a => GateStack.ActionMatches(name, a)))
        {
            return null;
        }

        var nearest = actions.Select(a => (a, d: FraudTf.Config.ConfigReader.Distance(a, name))).OrderBy(x => x.d).ThenBy(x => x.a, StringComparer.Ordinal).First();
        var suggestion = !name.Contains('*') && !name.Contains('?') && nearest.d <= 3 ? $" Did you mean '{prefix}:{nearest.a}'?" : "";
        return $"'{action}' matches no action of service '{prefix}' (AWS Service Authorization Reference): IAM accepts it and never matches it, " +
            $"so an Allow grants nothing and a Deny denies nothing.{suggestion} Fix: use the exact action name.";
    }
}
