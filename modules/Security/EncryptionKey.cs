using Constructs;

namespace FraudTf.Security;

/// <summary>An AWS service that may use a key, with the conditions that scope its use to this account.</summary>
public sealed record KeyServiceAccess
{
    /// <summary>Service principal, e.g. <c>logs.us-east-1.amazonaws.com</c>.</summary>
    public required string ServicePrincipal { get; init; }

    /// <summary>The KMS actions the service needs (explicit, no wildcards).</summary>
    public required IReadOnlyList<string> Actions { get; init; }

    /// <summary>Conditions that scope the service's use (source account, encryption context, ...). At least one is required.</summary>
    public required IReadOnlyList<PolicyCondition> Conditions { get; init; }
}

// Alike on purpose: every construct of modules/ takes one settings record (required, then defaulted init properties,
// each documented) and exposes its Config, underlying resources and their ARNs the same way (issue 17's construct API).
/// <summary>Settings of an <see cref="EncryptionKey"/>: the alias, description and account are required; rotation is always on.</summary>
public sealed record EncryptionKeyConfig
{
    /// <summary>Alias name without the <c>alias/</c> prefix, e.g. <c>fraud-detection-data-dev</c>.</summary>
    public required string AliasName { get; init; }

    /// <summary>What the key protects; shown in the console and the plan.</summary>
    public required string Description { get; init; }

    /// <summary>The account that owns the key; its root principal administers the key through IAM.</summary>
    public required string AccountId { get; init; }

    /// <summary>AWS partition of the account. Default: <c>aws</c>.</summary>
    public string Partition { get; init; } = "aws";

    /// <summary>Services that may use the key, each scoped by conditions. Default: none (IAM principals of the account only).</summary>
    public IReadOnlyList<KeyServiceAccess> ServiceAccess { get; init; } = [];

    /// <summary>Waiting period before a scheduled deletion takes effect, 7-30 days. Default: 30 (the longest).</summary>
    public int DeletionWindowInDays { get; init; } = 30;

    /// <summary>Days between automatic rotations, 90-2560. Default: 365.</summary>
    public int RotationPeriodInDays { get; init; } = 365;
}

/// <summary>
/// A customer-managed, symmetric KMS key with rotation on, an alias and an explicit key policy: the account's
/// root principal administers and delegates use of the key through IAM (actions listed, no wildcard principal),
/// and each AWS service that needs the key gets only its actions under conditions that pin it to this account.
/// </summary>
public sealed class EncryptionKey : Construct
{
    /// <summary>
    /// KMS actions the account root needs to administer the key (kept explicit instead of <c>kms:*</c>). The alias
    /// actions are among them: creating, retargeting or deleting an alias needs permission on the key itself, and
    /// because this policy lists actions instead of delegating <c>kms:*</c>, IAM permissions cannot add them
    /// (KMS developer guide, "Controlling access to aliases"); without them every <c>aws_kms_alias</c>, including
    /// the state key's alias that each backend names, fails with AccessDenied. GATE-KMS-001 checks this list.
    /// </summary>
    public static readonly IReadOnlyList<string> AdministrationActions =
    [
        "kms:CancelKeyDeletion", "kms:CreateAlias", "kms:CreateGrant", "kms:Decrypt", "kms:DeleteAlias", "kms:DescribeKey", "kms:DisableKey",
        "kms:DisableKeyRotation", "kms:EnableKey", "kms:EnableKeyRotation", "kms:Encrypt", "kms:GenerateDataKey",
        "kms:GenerateDataKeyWithoutPlaintext", "kms:GetKeyPolicy", "kms:GetKeyRotationStatus", "kms:ListGrants",
        "kms:ListKeyRotations", "kms:ListResourceTags", "kms:PutKeyPolicy", "kms:ReEncryptFrom", "kms:ReEncryptTo",
        "kms:RetireGrant", "kms:RevokeGrant", "kms:RotateKeyOnDemand", "kms:ScheduleKeyDeletion", "kms:TagResource",
        "kms:UntagResource", "kms:UpdateAlias", "kms:UpdateKeyDescription",
    ];

    /// <summary>Creates the key, its policy and its alias.</summary>
    public EncryptionKey(Construct scope, string id, EncryptionKeyConfig config) : base(scope, id)
    {
        if (config.DeletionWindowInDays is < 7 or > 30)
        {
            throw new ArgumentException(
                $"EncryptionKey '{id}': DeletionWindowInDays = {config.DeletionWindowInDays} is out of range. Fix: use 7 to 30 days.");
        }

        if (config.RotationPeriodInDays is < 90 or > 2560)
        {
            throw new ArgumentException(
                $"EncryptionKey '{id}': RotationPeriodInDays = {config.RotationPeriodInDays} is out of range. Fix: use 90 to 2560 days.");
        }

        foreach (var s in config.ServiceAccess.Where(s => s.Conditions.Count == 0))
        {
            throw new ArgumentException(
                $"EncryptionKey '{id}': service {s.ServicePrincipal} has no condition. Fix: scope it, e.g. with aws:SourceAccount.");
        }

        Config = config;
        Policy = BuildPolicy(config);
        Key = new KmsKey(this, "this", new KmsKeyConfig
        {
            Description = config.Description,
            EnableKeyRotation = true,
            RotationPeriodInDays = config.RotationPeriodInDays,
            DeletionWindowInDays = config.DeletionWindowInDays,
            KeyUsage = "ENCRYPT_DECRYPT",
            CustomerMasterKeySpec = "SYMMETRIC_DEFAULT",
            Policy = Policy.ToJson(),
        });
        Alias = new KmsAlias(this, "alias", new KmsAliasConfig
        {
            Name = $"alias/{config.AliasName}",
            TargetKeyId = Key.KeyId,
        });
    }

    /// <summary>The settings the key was created with.</summary>
    public EncryptionKeyConfig Config { get; }

    /// <summary>The key policy.</summary>
    public PolicyDocument Policy { get; }

    /// <summary>The underlying <c>aws_kms_key</c> (escape hatch).</summary>
    public KmsKey Key { get; }

    /// <summary>The underlying <c>aws_kms_alias</c>.</summary>
    public KmsAlias Alias { get; }

    /// <summary>ARN of the key (a token).</summary>
    public string KeyArn => Key.Arn;

    /// <summary>Full alias name, e.g. <c>alias/fraud-detection-data-dev</c>.</summary>
    public string AliasName => $"alias/{Config.AliasName}";

    private static PolicyDocument BuildPolicy(EncryptionKeyConfig config)
    {
        var doc = new PolicyDocument();
        doc.Add(new PolicyStatement
        {
            Sid = "AccountRootAdministersKeyAndDelegatesToIam",
            Principal = PolicyPrincipal.Aws($"arn:{config.Partition}:iam::{config.AccountId}:root"),
            Actions = AdministrationActions,
            Resources = ["*"],
        });
        var i = 0;
        foreach (var s in config.ServiceAccess)
        {
            doc.Add(new PolicyStatement
            {
                Sid = $"Service{i++}{string.Concat(s.ServicePrincipal.Split('.')[0].Select((c, n) => n == 0 ? char.ToUpperInvariant(c) : c))}",
                Principal = PolicyPrincipal.Service(s.ServicePrincipal),
                Actions = s.Actions,
                Resources = ["*"],
                Conditions = s.Conditions,
            });
        }

        return doc;
    }
}
