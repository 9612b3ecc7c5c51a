using static FraudTf.Security.Policy.PolicyJson;

namespace FraudTf.Security.Policy.Rules;

// Alike on purpose: every rule file has this shape (a static class of SecurityRule records: Id, ScannerIds, Title, Fix,
// ResourceTypes, Evaluate), one file per service as cdk-nag's rule packs; the engine (SecurityPolicy) is elsewhere.
/// <summary>
/// The rules of private networking (the optional <c>network</c> block): security groups open to no whole address space,
/// a default security group without rules, no public addresses at launch, and VPC endpoint policies that name their
/// principals, actions and resources. Routes, gateways and the VPC itself have no control of their own here
/// (<see cref="SecurityPolicy.NoControlTypes"/>); docs/networking.md says why flow logs are not required.
/// </summary>
internal static class NetworkRules
{
    private static readonly string[] Anywhere = ["0.0.0.0/0", "::/0"];

    /// <summary>The rules, in report order.</summary>
    public static IReadOnlyList<SecurityRule> Rules { get; } =
    [
        new()
        {
            Id = "FTF-NET-001", ScannerIds = "CKV_AWS_24, CKV_AWS_25, CKV_AWS_260, CKV_AWS_382; Trivy AVD-AWS-0104/0107",
            Title = "Security group rules allow no traffic from or to the whole internet (0.0.0.0/0, ::/0)",
            Fix = "reference a security group or a prefix list (PrivateNetwork.Connect does); egress to the internet only with network.natGateway, as a recorded exception",
            ResourceTypes = ["aws_vpc_security_group_ingress_rule", "aws_vpc_security_group_egress_rule", "aws_security_group"],
            Evaluate = (r, _) => OpenRules(r),
        },
        new()
        {
            Id = "FTF-NET-002", ScannerIds = "CKV2_AWS_12",
            Title = "The VPC's default security group has no rules",
            Fix = "manage it with aws_default_security_group and no ingress or egress blocks (Terraform then removes its rules; PrivateNetwork does)",
            ResourceTypes = ["aws_default_security_group"],
            Evaluate = (r, _) => Blocks(r.Body["ingress"]).Count + Blocks(r.Body["egress"]).Count > 0
                ? [$"the default security group keeps {Blocks(r.Body["ingress"]).Count} ingress and {Blocks(r.Body["egress"]).Count} egress rules"]
                : [],
        },
        new()
        {
            Id = "FTF-NET-003", ScannerIds = "CKV_AWS_130",
            Title = "Subnets assign no public IP address at launch",
            Fix = "set map_public_ip_on_launch = false (PrivateNetwork does for every subnet, the NAT gateways' included)",
            ResourceTypes = ["aws_subnet"],
            Evaluate = (r, _) => IsTrue(r.Body["map_public_ip_on_launch"]) ? ["map_public_ip_on_launch is true"] : [],
        },
        new()
        {
            Id = "FTF-NET-004", ScannerIds = "FraudTf (CKV_AWS_62/63/355 applied to VPC endpoint policies)",
            Title = "VPC endpoint policies are literal, name their principals and actions, and use Resource \"*\" only for actions without resource-level permissions",
            Fix = "let PrivateNetwork render the policy from the connected functions' grants (named roles, their actions, their resources)",
            ResourceTypes = ["aws_vpc_endpoint"],
            Evaluate = (r, _) => EndpointPolicy(r),
        },
    ];

    private static IEnumerable<string> OpenRules(StackResource r)
    {
        if (r.Type == "aws_security_group")
        {
            foreach (var direction in new[] { "ingress", "egress" })
            {
                foreach (var (block, i) in Blocks(r.Body[direction]).Select((b, i) => (b, i)))
                {
                    foreach (var cidr in Strings(block["cidr_blocks"]).Concat(Strings(block["ipv6_cidr_blocks"])).Where(c => Anywhere.Contains(c)))
                    {
                        yield return $"{direction}[{i}] allows {cidr}";
                    }
                }
            }

            yield break;
        }

        foreach (var attribute in new[] { "cidr_ipv4", "cidr_ipv6" })
        {
            if (Str(r.Body[attribute]) is { } cidr && Anywhere.Contains(cidr))
            {
                yield return $"{attribute} is {cidr} ({(r.Type.Contains("ingress", StringComparison.Ordinal) ? "from" : "to")} the whole internet)";
            }
        }
    }

    private static IEnumerable<string> EndpointPolicy(StackResource r)
    {
        if (!PolicyText.TryParse(r.Body["policy"], out var statements, out var problem))
        {
            yield return r.Body["policy"] is null
                ? "the endpoint has no policy, so the default one allows every action on every resource to every principal"
                : $"policy {problem}";
            yield break;
        }

        foreach (var s in statements.Where(s => s.IsAllow))
        {
            if (s.Principal is null || ResourcePolicyRules.IsWildcardPrincipal(s.Principal) || s.HasNotPrincipal)
            {
                yield return $"policy {s.Label} allows any principal";
            }

            foreach (var a in s.Actions.Where(a => a.Contains('*') || a.Contains('?')))
            {
                yield return $"policy {s.Label} allows the wildcard action {Quote(a)}";
            }

            if (s.HasNotAction || s.HasNotResource)
            {
                yield return $"policy {s.Label} uses NotAction or NotResource";
            }

            if (s.Resources.Contains("*"))
            {
                var restrictable = s.Actions.Where(a => !SecurityPolicy.ActionsWithoutResourceLevelPermissions.Contains(a, StringComparer.OrdinalIgnoreCase)).ToList();
                if (restrictable.Count > 0)
                {
                    yield return $"policy {s.Label} allows {string.Join(", ", restrictable.Select(Quote))} on Resource \"*\"";
                }
            }
        }
    }
}
