using Constructs;
using FraudTf.Security.Policy;

namespace FraudTf.Platform;

/// <summary>
/// Creates what an environment's remote state needs, with local state, so a new account is set up by one deploy:
/// the state KMS key (alias from config), the versioned, KMS-encrypted, TLS-only state bucket with
/// <c>prevent_destroy</c>, its server-access-log bucket, and the DynamoDB lock table. Stack name
/// <c>&lt;prefix&gt;-bootstrap-&lt;env&gt;</c>.
/// </summary>
public sealed class StateBootstrapStack : TerraformStack
{
    /// <summary>Creates the bootstrap stack of an environment from its <paramref name="inputs"/> (only those: the synth
    /// cache keys this stack on them).</summary>
    public StateBootstrapStack(Construct scope, StateBootstrapInputs inputs) : base(scope, inputs.StackName)
    {
        var (target, state) = (inputs.Target, inputs.State);
        new LocalBackend(this, new LocalBackendConfig { Path = $"terraform.{inputs.StackName}.tfstate" });
        AwsProviderDefaults.Create(this, target.Region, inputs.AllowedAccountIds, inputs.DefaultTags);

        StateKey = new EncryptionKey(this, "state-key", new EncryptionKeyConfig
        {
            AliasName = state.KmsKeyAlias["alias/".Length..],
            Description = $"Encrypts the Terraform state and lock table of {target.StackName}",
            AccountId = target.AccountId,
            Partition = target.Partition,
        });

        AccessLogBucket = SecureBucket.ForAccessLogs(this, "state-access-logs", new AccessLogBucketConfig
        {
            BucketName = $"{state.Bucket}-access-logs",
            AccountId = target.AccountId,
            Region = target.Region,
            Partition = target.Partition,
            ExpirationDays = 365,
            DeletionProtection = true,
        });

        StateBucket = new SecureBucket(this, "state", new SecureBucketConfig
        {
            BucketName = state.Bucket,
            Key = StateKey,
            Region = target.Region,
            AccessLogs = new AccessLogTarget(AccessLogBucket, "state/"),
            NoncurrentVersionExpirationDays = 365,
            DeletionProtection = true,
        });

        LockTable = new DynamodbTable(this, "lock-table", new DynamodbTableConfig
        {
            Name = state.LockTable,
            BillingMode = "PAY_PER_REQUEST",
            HashKey = "LockID",
            Attribute = new[] { new DynamodbTableAttribute { Name = "LockID", Type = "S" } },
            ServerSideEncryption = new DynamodbTableServerSideEncryption { Enabled = true, KmsKeyArn = StateKey.KeyArn },
            PointInTimeRecovery = new DynamodbTablePointInTimeRecovery { Enabled = true },
            DeletionProtectionEnabled = true,
            Lifecycle = new TerraformResourceLifecycle { PreventDestroy = true },
        });

        SecurityPolicyAspect.Apply(this);

        new TerraformOutput(this, "state_bucket", new TerraformOutputConfig { Value = StateBucket.Bucket.Bucket });
        new TerraformOutput(this, "state_lock_table", new TerraformOutputConfig { Value = LockTable.Name });
        new TerraformOutput(this, "state_kms_key_arn", new TerraformOutputConfig { Value = StateKey.KeyArn });
    }

    /// <summary>The KMS key encrypting state objects and the lock table.</summary>
    public EncryptionKey StateKey { get; }

    /// <summary>The state bucket.</summary>
    public SecureBucket StateBucket { get; }

    /// <summary>The bucket receiving the state bucket's server access logs.</summary>
    public SecureBucket AccessLogBucket { get; }

    /// <summary>The DynamoDB lock table (hash key <c>LockID</c>).</summary>
    public DynamodbTable LockTable { get; }
}
