using static FraudTf.Security.Policy.PolicyJson;

namespace FraudTf.Security.Policy.Rules;

// Alike on purpose: every rule file has this shape (a static class of SecurityRule records: Id, ScannerIds, Title, Fix,
// ResourceTypes, Evaluate), one file per service as cdk-nag's rule packs; the engine (SecurityPolicy) is elsewhere.
/// <summary>
/// The rules of IAM roles and policies: explicit actions, Resource <c>"*"</c> only where no resource-level permission
/// exists, no privilege escalation, named principals in trust policies, literal documents the rules can read.
/// </summary>
internal static class IamRules
{
    // Declared before Rules: static initializers run in textual order.
    private static readonly string[] IamTypes = ["aws_iam_role", "aws_iam_role_policy", "aws_iam_policy"];

    /// <summary>The rules, in report order.</summary>
    public static IReadOnlyList<SecurityRule> Rules { get; } =
    [
        new()
        {
            Id = "FTF-IAM-001", ScannerIds = "CKV_AWS_62, CKV_AWS_63; Trivy AVD-AWS-0057",
            Title = "IAM policies allow explicit actions only (no *, no service:*, no prefix*, no NotAction)",
            Fix = "list the actions explicitly (keep them in modules/Security/Permissions.cs)",
            ResourceTypes = IamTypes,
            Evaluate = (r, _) => IamPolicies(r).SelectMany(p => IamWildcardActions(p)),
        },
        new()
        {
            Id = "FTF-IAM-002", ScannerIds = "CKV_AWS_355, CKV_AWS_289, CKV_AWS_290; Trivy AVD-AWS-0057",
            Title = "IAM policies allow Resource \"*\" only for actions without resource-level permissions",
            Fix = "grant on the ARNs of the resources used; Resource \"*\" only for actions of SecurityPolicy.ActionsWithoutResourceLevelPermissions",
            ResourceTypes = IamTypes,
            Evaluate = (r, _) => IamPolicies(r).SelectMany(p => IamWildcardResources(p)),
        },
        new()
        {
            Id = "FTF-IAM-003", ScannerIds = "CKV_AWS_286, CKV_AWS_287, CKV_AWS_288",
            Title = "IAM policies allow no privilege escalation or credential exfiltration",
            Fix = "remove the action; iam:PassRole, sts:AssumeRole and lambda:UpdateFunctionCode only on named ARNs",
            ResourceTypes = IamTypes,
            Evaluate = (r, _) => IamPolicies(r).SelectMany(p => IamEscalation(p)),
        },
        new()
        {
            Id = "FTF-IAM-004", ScannerIds = "CKV_AWS_60",
            Title = "IAM role trust policies name the principals that may assume the role (never \"*\")",
            Fix = "trust a Service principal (e.g. lambda.amazonaws.com) or specific role or account ARNs",
            ResourceTypes = ["aws_iam_role"],
            Evaluate = (r, _) => IamTrust(r),
        },
        new()
        {
            Id = "FTF-IAM-005", ScannerIds = "CKV_AWS_62, CKV_AWS_63, CKV_AWS_355, CKV_AWS_286-290; Trivy AVD-AWS-0057",
            Title = "IAM policies are literal JSON documents, so the IAM rules can check them at synth",
            Fix = "render the policy with FraudTf.Security.PolicyDocument (not a data source or a computed value)",
            ResourceTypes = IamTypes,
            Evaluate = (r, _) => IamPolicies(r).Where(p => p.Problem is not null).Select(p => $"{p.Name} {p.Problem}"),
        },
    ];

    private sealed record IamPolicy(string Name, IReadOnlyList<PolicyStatementView> Statements, string? Problem);

    private static IEnumerable<IamPolicy> IamPolicies(StackResource r)
    {
        var documents = new List<(string Name, JsonNode? Node)>();
        if (r.Type == "aws_iam_role")
        {
            documents.Add(("assume_role_policy", r.Body["assume_role_policy"]));
            var i = 0;
            foreach (var inline in Blocks(r.Body["inline_policy"]))
            {
                var name = Str(inline["name"]);
                documents.Add(($"inline_policy[{i}]{(name is null ? "" : $" ({name})")}.policy", inline["policy"]));
                i++;
            }
        }
        else
        {
            documents.Add(("policy", r.Body["policy"]));
        }

        foreach (var (name, node) in documents)
        {
            if (node is null)
            {
                continue;
            }

            yield return PolicyText.TryParse(node, out var statements, out var problem)
                ? new IamPolicy(name, statements, null)
                : new IamPolicy(name, [], problem);
        }
    }

    private static IEnumerable<string> IamWildcardActions(IamPolicy p)
    {
        foreach (var s in p.Statements.Where(s => s.IsAllow))
        {
            if (s.HasNotAction)
            {
                yield return $"{p.Name} {s.Label} allows NotAction (every action but those listed)";
            }

            var wildcards = s.Actions.Where(a => a.Contains('*') || a.Contains('?')).ToList();
            if (wildcards.Count > 0)
            {
                yield return $"{p.Name} {s.Label} allows wildcard action{(wildcards.Count > 1 ? "s" : "")} {string.Join(", ", wildcards.Select(Quote))}";
            }
        }
    }

    private static IEnumerable<string> IamWildcardResources(IamPolicy p)
    {
        foreach (var s in p.Statements.Where(s => s.IsAllow))
        {
            if (s.HasNotResource)
            {
                yield return $"{p.Name} {s.Label} allows on NotResource (every resource but those listed)";
            }

            if (!s.Resources.Contains("*"))
            {
                continue;
            }

            var restrictable = s.Actions
                .Where(a => !SecurityPolicy.ActionsWithoutResourceLevelPermissions.Contains(a, StringComparer.OrdinalIgnoreCase))
                .ToList();
            if (restrictable.Count > 0 || s.HasNotAction)
            {
                var listed = restrictable.Count > 0 ? string.Join(", ", restrictable.Select(Quote)) : "NotAction";
                yield return $"{p.Name} {s.Label} allows {listed} on Resource \"*\"";
            }
        }
    }

    private static IEnumerable<string> IamEscalation(IamPolicy p)
    {
        foreach (var s in p.Statements.Where(s => s.IsAllow))
        {
            var always = s.Actions.Where(a => SecurityPolicy.PrivilegeEscalationActions.Contains(a, StringComparer.OrdinalIgnoreCase)).ToList();
            var onAny = s.Resources.Contains("*")
                ? s.Actions.Where(a => SecurityPolicy.PrivilegeEscalationActionsOnAnyResource.Contains(a, StringComparer.OrdinalIgnoreCase)).ToList()
                : [];
            if (always.Count > 0)
            {
                yield return $"{p.Name} {s.Label} allows privilege-escalation action{(always.Count > 1 ? "s" : "")} {string.Join(", ", always.Select(Quote))}";
            }

            if (onAny.Count > 0)
            {
                yield return $"{p.Name} {s.Label} allows {string.Join(", ", onAny.Select(Quote))} on Resource \"*\"";
            }
        }
    }

    private static IEnumerable<string> IamTrust(StackResource r)
    {
        var node = r.Body["assume_role_policy"];
        if (node is null || !PolicyText.TryParse(node, out var statements, out _))
        {
            return []; // a missing trust policy fails terraform validate; an unreadable one is FTF-IAM-005
        }

        return statements.Where(s => s.IsAllow).SelectMany(s =>
            (s.HasNotPrincipal ? [$"assume_role_policy {s.Label} allows NotPrincipal (every principal but those named)"] : Array.Empty<string>())
            .Concat(ResourcePolicyRules.IsWildcardPrincipal(s.Principal) ? [$"assume_role_policy {s.Label} lets Principal {s.Principal!.ToJsonString()} assume the role"] : Array.Empty<string>()));
    }
}
