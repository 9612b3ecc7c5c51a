namespace FraudTf.Config;

/// <summary>
/// Where an environment deploys and how its resources are named: the part of <see cref="EnvironmentConfig"/> every
/// composite construct needs (names, ARNs, descriptions), so they take this instead of the whole environment.
/// </summary>
public sealed record DeploymentTarget
{
    /// <summary>Prefix of every resource name (<c>namePrefix</c>): names are <c>&lt;prefix&gt;-&lt;name&gt;-&lt;env&gt;</c>.</summary>
    public required string NamePrefix { get; init; }

    /// <summary>Environment name (the name of its file, <c>environments/&lt;env&gt;.json</c>).</summary>
    public required string Environment { get; init; }

    /// <summary>The 12-digit AWS account deployed to.</summary>
    public required string AccountId { get; init; }

    /// <summary>The AWS region deployed to, e.g. <c>us-east-1</c>.</summary>
    public required string Region { get; init; }

    /// <summary>The AWS partition of <see cref="Region"/>: <c>aws</c>, or <c>aws-us-gov</c> for GovCloud regions.</summary>
    public string Partition => Region.StartsWith("us-gov-", StringComparison.Ordinal) ? "aws-us-gov" : "aws";

    /// <summary>ARN of the account's root principal (the account itself, in resource policies).</summary>
    public string AccountRootArn => $"arn:{Partition}:iam::{AccountId}:root";

    /// <summary>The name of the environment's stack (and of its dashboard): <c>&lt;prefix&gt;-&lt;env&gt;</c>.</summary>
    public string StackName => $"{NamePrefix}-{Environment}";

    /// <summary>The name of a resource of this environment: <c>&lt;prefix&gt;-&lt;name&gt;-&lt;env&gt;</c>.</summary>
    public string ResourceName(string name) => $"{NamePrefix}-{name}-{Environment}";
}
