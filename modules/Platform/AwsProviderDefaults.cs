using Constructs;
using FraudTf.Config;
using HashiCorp.Cdktf.Providers.Aws.Provider;

namespace FraudTf.Platform;

/// <summary>The AWS provider every FraudTf stack uses: region, allowed accounts and default tags from the environment config.</summary>
public static class AwsProviderDefaults
{
    /// <summary>
    /// Adds the <c>aws</c> provider to <paramref name="scope"/>: <c>allowed_account_ids</c> makes Terraform refuse to act
    /// on any other account (a dev stack can never be applied to prod), and <c>default_tags</c> tags every resource.
    /// </summary>
    public static AwsProvider Create(Construct scope, EnvironmentConfig config)
    {
        var stack = HashiCorp.Cdktf.TerraformStack.Of(scope);
        // Spelled out so plain Terraform and OpenTofu resolve the same provider; 1.10 is the first with S3 native locking.
        stack.AddOverride("terraform.required_providers.aws.source", "hashicorp/aws");
        stack.AddOverride("terraform.required_version", ">= 1.10.0");
        return new AwsProvider(scope, "aws", new AwsProviderConfig
        {
            Region = config.Region,
            AllowedAccountIds = config.AllowedAccountIds.ToArray(),
            DefaultTags = new[]
            {
                new AwsProviderDefaultTags { Tags = new Dictionary<string, string>(config.DefaultTags) },
            },
        });
    }
}
