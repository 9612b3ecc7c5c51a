using Constructs;

namespace FraudTf.Security;

// Alike on purpose: every construct of modules/ takes one settings record (required, then defaulted init properties,
// each documented) and exposes its Config, underlying resources and their ARNs the same way (issue 17's construct API).
/// <summary>Settings of a <see cref="ServiceRole"/>: the name, service, account and description are required; the trust is always limited to the account.</summary>
public sealed record ServiceRoleConfig
{
    /// <summary>Role name.</summary>
    public required string RoleName { get; init; }

    /// <summary>The service that assumes the role, e.g. <c>lambda.amazonaws.com</c>.</summary>
    public required string ServicePrincipal { get; init; }

    /// <summary>The account the role lives in: only that account's service calls may assume it (aws:SourceAccount).</summary>
    public required string AccountId { get; init; }

    /// <summary>What the role is for (shown in the console and the plan).</summary>
    public required string Description { get; init; }

    /// <summary>
    /// ARN pattern of the resources on whose behalf the service may assume the role (<c>aws:SourceArn</c>, ArnLike), e.g.
    /// <c>arn:aws:bedrock:us-east-1:111111111111:agent/*</c>. Default: none (the account condition always applies).
    /// </summary>
    public string? SourceArnLike { get; init; }

    /// <summary>
    /// The ARNs of the only resources on whose behalf the service may assume the role (<c>aws:SourceArn</c>): ArnEquals,
    /// or ArnLike when one contains a wildcard. E.g. a pipe's <c>arn:aws:pipes:us-east-1:111111111111:pipe/NAME</c> or
    /// the rules whose targets use the role. Build them from names, not from the resources' <c>arn</c> attributes, when
    /// the resource itself references the role (that would be a cycle). Default: none (the account condition only);
    /// not together with <see cref="SourceArnLike"/>.
    /// </summary>
    public IReadOnlyList<string> SourceArns { get; init; } = [];
}

/// <summary>
/// An IAM role assumed by one AWS service on behalf of this account only, with one inline policy assembled from
/// intent-named grants (<see cref="Policy"/>). The policy is rendered at synth, so grants may be added until then.
/// </summary>
public sealed class ServiceRole : Construct, IGrantee
{
    /// <summary>Creates the role and its inline policy.</summary>
    public ServiceRole(Construct scope, string id, ServiceRoleConfig config) : base(scope, id)
    {
        Config = config;
        if (config.SourceArnLike is not null && config.SourceArns.Count > 0)
        {
            throw new ArgumentException($"ServiceRole '{config.RoleName}': both SourceArnLike and SourceArns are set. Fix: give the source ARNs in one of them.");
        }

        var conditions = new List<PolicyCondition> { new("StringEquals", "aws:SourceAccount", [config.AccountId]) };
        if (config.SourceArnLike is not null)
        {
            conditions.Add(new PolicyCondition("ArnLike", "aws:SourceArn", [config.SourceArnLike]));
        }
        else if (config.SourceArns.Count > 0)
        {
            var wildcard = config.SourceArns.Any(a => a.IndexOfAny(['*', '?']) >= 0);
            conditions.Add(new PolicyCondition(wildcard ? "ArnLike" : "ArnEquals", "aws:SourceArn", config.SourceArns));
        }

        var trust = new PolicyDocument().Add(new PolicyStatement
        {
            Sid = "AssumedByServiceForThisAccountOnly",
            Principal = PolicyPrincipal.Service(config.ServicePrincipal),
            Actions = ["sts:AssumeRole"],
            Resources = [],
            Conditions = conditions,
        });
        Role = new IamRole(this, "this", new IamRoleConfig
        {
            Name = config.RoleName,
            Description = config.Description,
            AssumeRolePolicy = trust.ToJson(),
        });
        Policy = new PolicyDocument();
        InlinePolicy = new IamRolePolicy(this, "policy", new IamRolePolicyConfig
        {
            Name = "least-privilege",
            Role = Role.Id,
            Policy = Policy.ToLazyJson(),
        });
    }

    /// <summary>The settings the role was created with.</summary>
    public ServiceRoleConfig Config { get; }

    /// <summary>The underlying <c>aws_iam_role</c>.</summary>
    public IamRole Role { get; }

    /// <summary>The inline policy resource.</summary>
    public IamRolePolicy InlinePolicy { get; }

    /// <summary>The role's permissions: grants add statements here.</summary>
    public PolicyDocument Policy { get; }

    /// <summary>Role ARN (token).</summary>
    public string RoleArn => Role.Arn;

    /// <inheritdoc />
    public string GranteeName => Config.RoleName;
}
