using Constructs;

namespace FraudTf.Platform;

/// <summary>The AWS provider every FraudTf stack uses: region, allowed accounts and default tags from the environment config.</summary>
public static class AwsProviderDefaults
{
    /// <summary>
    /// The hashicorp/aws versions a stack admits at plan time, a choice separate from the bindings' schema (6.25.0,
    /// the last CDKTF prebuilt; 6.66.0 with CDK Terrain, the same constraint: the lower bound follows what the stacks
    /// write, and make terrain-check proves terrain's stacks equal to the default's, so they write nothing newer than
    /// 6.25; docs/cdk-terrain.md): the C# bindings only decide which arguments the app can write, while the provider
    /// that plans the JSON validates the values. Lambda's <c>dotnet10</c> runtime is accepted from 6.27.0 on (the
    /// provider validates <c>runtime</c> against the enum of the AWS SDK for Go it was built with;
    /// hashicorp/terraform-provider-aws#45864), and 6.x keeps every argument of 6.25 (no breaking change within a
    /// major version), so any 6.x from 6.27.0 on plans these stacks. The lock file that <c>make plan</c> keeps
    /// (<c>.terraform.lock.hcl</c>) records the one version actually used, the same for every environment.
    /// The offline gate (GATE-PROV-001) checks that this lower bound accepts every runtime the stacks use.
    /// </summary>
    public const string ProviderVersionConstraint = ">= 6.27.0, < 7.0.0";

    /// <summary>
    /// Adds the <c>aws</c> provider to <paramref name="scope"/>: <c>allowed_account_ids</c> makes Terraform refuse to act
    /// on any other account (a dev stack can never be applied to prod), and <c>default_tags</c> tags every resource.
    /// </summary>
    public static AwsProvider Create(Construct scope, EnvironmentConfig config) =>
        Create(scope, config.Region, config.AllowedAccountIds, config.DefaultTags);

    /// <summary>As <see cref="Create(Construct, EnvironmentConfig)"/>, from the three values it reads.</summary>
    public static AwsProvider Create(Construct scope, string region, IReadOnlyList<string> allowedAccountIds, IReadOnlyDictionary<string, string> defaultTags)
    {
        var stack = TerraformStack.Of(scope);
        // Spelled out so plain Terraform and OpenTofu resolve the same provider; 1.10 is the first with S3 native locking.
        stack.AddOverride("terraform.required_providers.aws.source", "hashicorp/aws");
        stack.AddOverride("terraform.required_providers.aws.version", ProviderVersionConstraint);
        stack.AddOverride("terraform.required_version", ">= 1.10.0");
        return new AwsProvider(scope, "aws", new AwsProviderConfig
        {
            Region = region,
            AllowedAccountIds = allowedAccountIds.ToArray(),
            DefaultTags = new[]
            {
                new AwsProviderDefaultTags { Tags = new Dictionary<string, string>(defaultTags) },
            },
        });
    }
}
