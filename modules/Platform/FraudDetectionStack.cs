using Constructs;
using FraudTf.Config;
using FraudTf.Security;
using FraudTf.Security.Policy;
using FraudTf.Storage;
using HashiCorp.Cdktf;

namespace FraudTf.Platform;

/// <summary>
/// The fraud-detection platform of one environment (<c>fraud-detection-&lt;env&gt;</c>), with its own remote state:
/// S3 backend at <c>fraud-detection/&lt;env&gt;/terraform.tfstate</c>, encrypted with the environment's state key,
/// locked by both the DynamoDB lock table and S3 native locking (<c>use_lockfile</c>, Terraform &gt;= 1.10).
/// The state bucket, key and lock table come from the environment's <see cref="StateBootstrapStack"/>.
/// </summary>
public sealed class FraudDetectionStack : TerraformStack
{
    /// <summary>Creates the stack for <paramref name="config"/>.</summary>
    public FraudDetectionStack(Construct scope, EnvironmentConfig config) : base(scope, config.StackName)
    {
        Config = config;
        Backend = new S3Backend(this, new S3BackendConfig
        {
            Bucket = config.State.Bucket,
            Key = config.State.Key,
            Region = config.State.Region,
            Encrypt = true,
            // An alias name (accepted by Terraform >= 1.10): the key id is only known after the bootstrap deploy.
            KmsKeyId = config.State.KmsKeyAlias,
            DynamodbTable = config.State.LockTable,
        });
        // CDKTF 0.21's S3BackendConfig has no use_lockfile; S3 native locking is added as a plain override.
        AddOverride("terraform.backend.s3.use_lockfile", true);
        Provider = AwsProviderDefaults.Create(this, config);
        Keys = new PlatformKeys(this, "keys", config);
        Storage = new FraudStorage(this, "storage", config, Keys);
        SecurityPolicyAspect.Apply(this);
    }

    /// <summary>The environment's customer-managed keys.</summary>
    public PlatformKeys Keys { get; }

    /// <summary>Tables and buckets.</summary>
    public FraudStorage Storage { get; }

    /// <summary>The environment this stack deploys.</summary>
    public EnvironmentConfig Config { get; }

    /// <summary>The S3 backend holding this environment's state.</summary>
    public S3Backend Backend { get; }

    /// <summary>The AWS provider (region, allowed accounts, default tags).</summary>
    public HashiCorp.Cdktf.Providers.Aws.Provider.AwsProvider Provider { get; }
}
