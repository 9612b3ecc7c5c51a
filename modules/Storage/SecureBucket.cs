using Constructs;
using FraudTf.Security.Policy;

namespace FraudTf.Storage;

/// <summary>A key prefix whose objects only the named principals may create, replace or delete.</summary>
/// <param name="Prefix">Key prefix, e.g. <c>knowledge-base/</c>.</param>
/// <param name="WriterArns">IAM role or user ARNs allowed to write there (empty: nobody).</param>
/// <param name="Why">Who they are and why others must not write (recorded in the policy's statement id context).</param>
public sealed record PrefixWriters(string Prefix, IReadOnlyList<string> WriterArns, string Why);

/// <summary>A lifecycle transition of current object versions to another storage class.</summary>
public sealed record StorageTransition(int Days, string StorageClass);

/// <summary>Where a bucket's server access logs go.</summary>
public sealed record AccessLogTarget(SecureBucket Bucket, string Prefix);

// Alike on purpose: every construct of modules/ takes one settings record (required, then defaulted init properties,
// each documented) and exposes its Config, underlying resources and their ARNs the same way (issue 17's construct API).
/// <summary>Settings of a server-access-log target bucket (<see cref="SecureBucket.ForAccessLogs"/>).</summary>
public sealed record AccessLogBucketConfig
{
    /// <summary>Globally unique bucket name.</summary>
    public required string BucketName { get; init; }

    /// <summary>The account whose buckets may deliver logs into it (<c>aws:SourceAccount</c>).</summary>
    public required string AccountId { get; init; }

    /// <summary>Region of the bucket.</summary>
    public required string Region { get; init; }

    /// <summary>Days after which log objects expire.</summary>
    public required int ExpirationDays { get; init; }

    /// <summary>AWS partition of the account. Default: <c>aws</c>.</summary>
    public string Partition { get; init; } = "aws";

    /// <summary>Terraform <c>prevent_destroy</c>, as <see cref="SecureBucketConfig.DeletionProtection"/>. Default: true.</summary>
    public bool DeletionProtection { get; init; } = true;
}

/// <summary>
/// Settings of a <see cref="SecureBucket"/>. The name, the key and the region are required; the rest is protective by
/// default (docs/security.md, "Construct defaults").
/// </summary>
public sealed record SecureBucketConfig
{
    /// <summary>Globally unique bucket name (a literal: <see cref="SecureBucket.BucketName"/> returns it).</summary>
    public required string BucketName { get; init; }

    /// <summary>The customer-managed key for SSE-KMS. Null only for a server-access-log target, which AWS requires to use SSE-S3
    /// (then <see cref="SseS3Reason"/> must say so).</summary>
    public required EncryptionKey? Key { get; init; }

    /// <summary>Region of the bucket (for the <c>kms:ViaService</c> condition of grants).</summary>
    public required string Region { get; init; }

    /// <summary>Why this bucket uses SSE-S3 instead of the customer-managed key; required when <see cref="Key"/> is null. Default: none.</summary>
    public string? SseS3Reason { get; init; }

    /// <summary>Where server access logs go. Default: none, which the security policy rejects unless excepted.</summary>
    public AccessLogTarget? AccessLogs { get; init; }

    /// <summary>S3 Object Lock default retention in days (GOVERNANCE or COMPLIANCE mode). Default: no object lock.</summary>
    public int? ObjectLockRetentionDays { get; init; }

    /// <summary>Object Lock mode. Default: COMPLIANCE (no one, root included, can shorten it).</summary>
    public string ObjectLockMode { get; init; } = "COMPLIANCE";

    /// <summary>
    /// Transitions of current versions. Default: none. Transitions pay only for large objects: objects under 128 KB
    /// are billed 128 KB in STANDARD_IA, carry 40 KB of overhead in the Glacier classes, and every transition is a
    /// request; S3 also skips them by default (see <see cref="TransitionDefaultMinimumObjectSize"/>).
    /// </summary>
    public IReadOnlyList<StorageTransition> Transitions { get; init; } = [];

    /// <summary>
    /// What S3 does with objects under 128 KB when <see cref="Transitions"/> are set, written out so the choice is
    /// visible: <c>all_storage_classes_128K</c> (the default for lifecycle configurations since September 2024: small
    /// objects never transition) or <c>varies_by_storage_class</c> (small objects move to the Glacier classes only).
    /// S3 user guide, "Transitioning objects using Amazon S3 Lifecycle". Default: <c>all_storage_classes_128K</c>.
    /// </summary>
    public string TransitionDefaultMinimumObjectSize { get; init; } = "all_storage_classes_128K";

    /// <summary>Days after which current versions expire. Default: never.</summary>
    public int? ExpirationDays { get; init; }

    /// <summary>Days after which noncurrent versions expire. Default: never.</summary>
    public int? NoncurrentVersionExpirationDays { get; init; }

    /// <summary>Days after which incomplete multipart uploads are aborted. Default: 7.</summary>
    public int AbortIncompleteMultipartUploadDays { get; init; } = 7;

    /// <summary>
    /// Terraform <c>prevent_destroy</c> (<c>force_destroy</c> is always false, so a bucket holding objects is never
    /// emptied by Terraform). Default: true, as a table's deletion protection; set false only for throwaway environments.
    /// </summary>
    public bool DeletionProtection { get; init; } = true;

    /// <summary>Extra bucket policy statements (e.g. the log-delivery grant of a log bucket). Default: none.</summary>
    public IReadOnlyList<PolicyStatement> ExtraPolicyStatements { get; init; } = [];

    /// <summary>
    /// Prefixes whose objects only named principals may create, replace or delete, whatever their IAM policies say
    /// (a Deny on <c>aws:PrincipalArn</c>): for inputs another component trusts. Default: none.
    /// </summary>
    public IReadOnlyList<PrefixWriters> RestrictedPrefixes { get; init; } = [];

    /// <summary>
    /// Key prefixes (folders ending in <c>/</c>) whose objects are written once and never overwritten: the bucket policy
    /// denies, to every principal, an <c>s3:PutObject</c> under each prefix that is not conditional (no
    /// <c>If-None-Match</c> header), and the bucket records them as <c>"//".write_once_prefixes</c>. Writers must put with
    /// <c>If-None-Match: *</c> and treat 412/409 as "already written"; CopyObject and multipart uploads into these
    /// prefixes are then refused. Default: none.
    /// </summary>
    public IReadOnlyList<string> WriteOncePrefixes { get; init; } = [];
}

/// <summary>
/// An S3 bucket with the controls every FraudTf bucket has: versioning, SSE-KMS with a customer-managed key and
/// bucket keys, all four public-access-block settings, BucketOwnerEnforced, a TLS-only bucket policy, abort of
/// incomplete multipart uploads and, when given, server access logging, object lock and lifecycle transitions.
/// </summary>
public sealed class SecureBucket : Construct
{
    /// <summary>Creates the bucket and its configuration resources.</summary>
    public SecureBucket(Construct scope, string id, SecureBucketConfig config) : base(scope, id)
    {
        Validate(id, config);
        Config = config;
        Bucket = new S3Bucket(this, "this", new S3BucketConfig
        {
            Bucket = config.BucketName,
            ObjectLockEnabled = config.ObjectLockRetentionDays is not null,
            ForceDestroy = false,
            Lifecycle = config.DeletionProtection ? new TerraformResourceLifecycle { PreventDestroy = true } : null,
        });

        OwnershipControls = new S3BucketOwnershipControls(this, "ownership", new S3BucketOwnershipControlsConfig
        {
            Bucket = Bucket.Id,
            Rule = new S3BucketOwnershipControlsRule { ObjectOwnership = "BucketOwnerEnforced" },
        });

        PublicAccessBlock = new S3BucketPublicAccessBlock(this, "public-access-block", new S3BucketPublicAccessBlockConfig
        {
            Bucket = Bucket.Id,
            BlockPublicAcls = true,
            BlockPublicPolicy = true,
            IgnorePublicAcls = true,
            RestrictPublicBuckets = true,
        });

        Versioning = new S3BucketVersioningA(this, "versioning", new S3BucketVersioningAConfig
        {
            Bucket = Bucket.Id,
            VersioningConfiguration = new S3BucketVersioningVersioningConfiguration { Status = "Enabled" },
        });

        Encryption = new S3BucketServerSideEncryptionConfigurationA(this, "encryption", new S3BucketServerSideEncryptionConfigurationAConfig
        {
            Bucket = Bucket.Id,
            Rule = new[]
            {
                new S3BucketServerSideEncryptionConfigurationRuleA
                {
                    ApplyServerSideEncryptionByDefault = config.Key is null
                        ? new S3BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultA { SseAlgorithm = "AES256" }
                        : new S3BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultA
                        {
                            SseAlgorithm = "aws:kms",
                            KmsMasterKeyId = config.Key.KeyArn,
                        },
                    BucketKeyEnabled = config.Key is not null,
                },
            },
        });

        PolicyDocument = new PolicyDocument();
        PolicyDocument.Add(new PolicyStatement
        {
            Sid = "DenyInsecureTransport",
            Effect = "Deny",
            Principal = PolicyPrincipal.Everyone,
            Actions = ["s3:*"],
            Resources = [Bucket.Arn, $"{Bucket.Arn}/*"],
            Conditions = [new PolicyCondition("Bool", "aws:SecureTransport", ["false"])],
        });
        foreach (var (p, i) in config.RestrictedPrefixes.Select((p, i) => (p, i)))
        {
            PolicyDocument.Add(WriteRestriction.DenyAllBut($"OnlyNamedWritersChangePrefix{i}", Permissions.S3ObjectWrites, [$"{Bucket.Arn}/{p.Prefix}*"], p.WriterArns));
        }

        foreach (var s in config.ExtraPolicyStatements)
        {
            PolicyDocument.Add(s);
        }

        // S3 user guide, "Enforce conditional writes on Amazon S3 buckets": deny puts that carry no If-None-Match.
        foreach (var prefix in config.WriteOncePrefixes)
        {
            PolicyDocument.Add(new PolicyStatement
            {
                Sid = "DenyUnconditionalPut" + string.Concat(prefix.TrimEnd('/').Split('/', '-', '_', '.').Select(w => w.Length == 0 ? "" : char.ToUpperInvariant(w[0]) + w[1..])),
                Effect = "Deny",
                Principal = PolicyPrincipal.Everyone,
                Actions = ["s3:PutObject"],
                Resources = [$"{Bucket.Arn}/{prefix}*"],
                Conditions = [new PolicyCondition("Null", "s3:if-none-match", ["true"])],
            });
        }

        if (config.WriteOncePrefixes.Count > 0)
        {
            Bucket.AddOverride("//.write_once_prefixes", config.WriteOncePrefixes.ToArray());
        }

        Policy = new S3BucketPolicy(this, "policy", new S3BucketPolicyConfig
        {
            Bucket = Bucket.Id,
            Policy = PolicyDocument.ToJson(),
            DependsOn = [PublicAccessBlock],
        });

        Lifecycle = new S3BucketLifecycleConfiguration(this, "lifecycle", new S3BucketLifecycleConfigurationConfig
        {
            Bucket = Bucket.Id,
            Rule = BuildLifecycleRules(config),
            TransitionDefaultMinimumObjectSize = config.Transitions.Count > 0 ? config.TransitionDefaultMinimumObjectSize : null,
            DependsOn = [Versioning],
        });

        if (config.AccessLogs is not null)
        {
            Logging = new S3BucketLoggingA(this, "logging", new S3BucketLoggingAConfig
            {
                Bucket = Bucket.Id,
                // A reference, not the literal name: logging can be set only once the target bucket exists.
                TargetBucket = config.AccessLogs.Bucket.Bucket.Bucket,
                TargetPrefix = config.AccessLogs.Prefix,
            });
        }

        if (config.ObjectLockRetentionDays is { } days)
        {
            ObjectLock = new S3BucketObjectLockConfigurationA(this, "object-lock", new S3BucketObjectLockConfigurationAConfig
            {
                Bucket = Bucket.Id,
                Rule = new S3BucketObjectLockConfigurationRuleA
                {
                    DefaultRetention = new S3BucketObjectLockConfigurationRuleDefaultRetentionA
                    {
                        Mode = config.ObjectLockMode,
                        Days = days,
                    },
                },
                DependsOn = [Versioning],
            });
        }
    }

    /// <summary>The settings the bucket was created with.</summary>
    public SecureBucketConfig Config { get; }

    /// <summary>The underlying <c>aws_s3_bucket</c> (escape hatch).</summary>
    public S3Bucket Bucket { get; }

    /// <summary>Bucket name: the configured literal (docs/security.md, "Names"); <c>Bucket.Bucket</c> is the Terraform reference.</summary>
    public string BucketName => Config.BucketName;

    /// <summary>Bucket ARN (a token).</summary>
    public string BucketArn => Bucket.Arn;

    /// <summary>The ownership-controls resource.</summary>
    public S3BucketOwnershipControls OwnershipControls { get; }

    /// <summary>The public-access-block resource.</summary>
    public S3BucketPublicAccessBlock PublicAccessBlock { get; }

    /// <summary>The versioning resource.</summary>
    public S3BucketVersioningA Versioning { get; }

    /// <summary>The default-encryption resource.</summary>
    public S3BucketServerSideEncryptionConfigurationA Encryption { get; }

    /// <summary>The bucket policy document (TLS-only plus any extra statements).</summary>
    public PolicyDocument PolicyDocument { get; }

    /// <summary>The bucket policy resource.</summary>
    public S3BucketPolicy Policy { get; }

    /// <summary>The lifecycle configuration resource.</summary>
    public S3BucketLifecycleConfiguration Lifecycle { get; }

    /// <summary>The access-logging resource, when access logs are configured.</summary>
    public S3BucketLoggingA? Logging { get; }

    /// <summary>The object-lock configuration, when object lock is on.</summary>
    public S3BucketObjectLockConfigurationA? ObjectLock { get; }

    /// <summary>Lets <paramref name="grantee"/> read objects (and list the bucket), decrypting with the bucket's key.</summary>
    public FraudTf.Security.Grant GrantRead(IGrantee grantee)
    {
        var policy = grantee.Policy;
        var before = policy.Statements.Count;
        policy.Add(new PolicyStatement { Sid = Sid("List"), Actions = Permissions.S3ListBucket, Resources = [Bucket.Arn] });
        policy.Add(new PolicyStatement { Sid = Sid("Read"), Actions = Permissions.S3ReadObjects, Resources = [$"{Bucket.Arn}/*"] });
        if (Config.Key is not null)
        {
            policy.Add(KeyGrants.ViaService(Config.Key, Permissions.KmsDecrypt, "s3", Config.Region, Sid("ReadKey")));
        }

        return FraudTf.Security.Grant.Since(Config.BucketName, grantee, before);
    }

    /// <summary>
    /// Lets <paramref name="grantee"/> list and read the objects under <paramref name="prefix"/> only
    /// (ListBucket conditioned on <c>s3:prefix</c>), decrypting with the bucket's key.
    /// </summary>
    public FraudTf.Security.Grant GrantReadPrefix(IGrantee grantee, string prefix)
    {
        var policy = grantee.Policy;
        var before = policy.Statements.Count;
        if (string.IsNullOrEmpty(prefix) || !prefix.EndsWith('/'))
        {
            throw new ArgumentException($"SecureBucket '{Node.Id}': prefix '{prefix}' must be a folder ending in '/'. Fix: use e.g. \"knowledge-base/\", or GrantRead for the whole bucket.");
        }

        policy.Add(new PolicyStatement
        {
            Sid = Sid("ListPrefix"),
            Actions = Permissions.S3ListBucket,
            Resources = [Bucket.Arn],
            Conditions = [new PolicyCondition("StringLike", "s3:prefix", [prefix, $"{prefix}*"])],
        });
        policy.Add(new PolicyStatement { Sid = Sid("ReadPrefix"), Actions = Permissions.S3ReadObjects, Resources = [$"{Bucket.Arn}/{prefix}*"] });
        if (Config.Key is not null)
        {
            policy.Add(KeyGrants.ViaService(Config.Key, Permissions.KmsDecrypt, "s3", Config.Region, Sid("ReadPrefixKey")));
        }

        return FraudTf.Security.Grant.Since(Config.BucketName, grantee, before);
    }

    /// <summary>
    /// Lets <paramref name="grantee"/> put objects under <paramref name="prefix"/> (default: anywhere),
    /// encrypting with the bucket's key. No read, no delete.
    /// </summary>
    public FraudTf.Security.Grant GrantPutObjects(IGrantee grantee, string prefix = "")
    {
        var policy = grantee.Policy;
        var before = policy.Statements.Count;
        policy.Add(new PolicyStatement { Sid = Sid("Put"), Actions = Permissions.S3PutObjects, Resources = [$"{Bucket.Arn}/{prefix}*"] });
        if (Config.Key is not null)
        {
            policy.Add(KeyGrants.ViaService(Config.Key, Permissions.KmsEncryptDecrypt, "s3", Config.Region, Sid("PutKey")));
        }

        return FraudTf.Security.Grant.Since(Config.BucketName, grantee, before);
    }

    private string Sid(string what) => StatementIds.For(Node.Id, "Bucket", what);

    /// <summary>
    /// A bucket that receives other buckets' server access logs, as far as AWS allows it to meet the same rules: SSE-S3
    /// (log delivery cannot write SSE-KMS), no logging of itself, no Object Lock default retention, a policy letting
    /// only this account's buckets deliver logs, and expiry after <see cref="AccessLogBucketConfig.ExpirationDays"/>. The
    /// two departures from the security policy are recorded as written exceptions on the bucket.
    /// </summary>
    public static SecureBucket ForAccessLogs(Construct scope, string id, AccessLogBucketConfig config)
    {
        var bucket = new SecureBucket(scope, id, new SecureBucketConfig
        {
            BucketName = config.BucketName,
            Key = null,
            SseS3Reason = "S3 server access log delivery supports only SSE-S3 on the target bucket.",
            Region = config.Region,
            ExpirationDays = config.ExpirationDays,
            NoncurrentVersionExpirationDays = 1,
            DeletionProtection = config.DeletionProtection,
            ExtraPolicyStatements = [LogDeliveryStatement(config.AccountId, config.BucketName, config.Partition)],
        });
        PolicyExceptions.Except(bucket.Bucket, "FTF-S3-002",
            "Server access log targets must use SSE-S3: S3 log delivery cannot write with SSE-KMS.");
        PolicyExceptions.Except(bucket.Bucket, "FTF-S3-004",
            "This is the access-log target itself; logging it into itself would loop.");
        return bucket;
    }

    /// <summary>
    /// The bucket-policy statement that lets S3 server access logging deliver into <paramref name="logBucketName"/>,
    /// only for source buckets of <paramref name="accountId"/> (BucketOwnerEnforced buckets take no ACL grant).
    /// </summary>
    public static PolicyStatement LogDeliveryStatement(string accountId, string logBucketName, string partition = "aws") => new()
    {
        Sid = "AllowS3ServerAccessLogDelivery",
        Principal = PolicyPrincipal.Service("logging.s3.amazonaws.com"),
        Actions = ["s3:PutObject"],
        Resources = [$"arn:{partition}:s3:::{logBucketName}/*"],
        Conditions = [new PolicyCondition("StringEquals", "aws:SourceAccount", [accountId])],
    };

    private static void Validate(string id, SecureBucketConfig c)
    {
        void Fail(string message) => throw new ArgumentException($"SecureBucket '{id}' ({c.BucketName}): {message}");
        if (c.Key is null && string.IsNullOrWhiteSpace(c.SseS3Reason))
        {
            Fail("no KMS key given. Fix: pass the environment's data key, or set SseS3Reason when AWS requires SSE-S3 (server access log targets).");
        }

        if (c.ObjectLockRetentionDays is { } d && (d < 1 || d > 36500))
        {
            Fail($"ObjectLockRetentionDays = {d} is out of range. Fix: use 1 to 36500 days.");
        }

        if (c.ObjectLockMode is not ("GOVERNANCE" or "COMPLIANCE"))
        {
            Fail($"ObjectLockMode = '{c.ObjectLockMode}' is not a mode. Fix: use GOVERNANCE or COMPLIANCE.");
        }

        foreach (var p in c.WriteOncePrefixes)
        {
            if (p.Length < 2 || !p.EndsWith('/') || p.StartsWith('/') || p.Any(ch => !(char.IsAsciiLetterOrDigit(ch) || ch is '/' or '-' or '_' or '.')))
            {
                Fail($"write-once prefix '{p}' is not a folder. Fix: use letters, digits, '-', '_', '.' and '/', not starting with '/' and ending with '/', e.g. \"trails/\".");
            }
        }

        if (c.WriteOncePrefixes.Distinct(StringComparer.Ordinal).Count() != c.WriteOncePrefixes.Count)
        {
            Fail("WriteOncePrefixes lists a prefix twice. Fix: list each prefix once.");
        }

        if (c.AbortIncompleteMultipartUploadDays < 1)
        {
            Fail($"AbortIncompleteMultipartUploadDays = {c.AbortIncompleteMultipartUploadDays}. Fix: use at least 1 day.");
        }

        if (c.TransitionDefaultMinimumObjectSize is not ("all_storage_classes_128K" or "varies_by_storage_class"))
        {
            Fail($"TransitionDefaultMinimumObjectSize = '{c.TransitionDefaultMinimumObjectSize}'. Fix: use all_storage_classes_128K or varies_by_storage_class.");
        }

        var last = 0;
        foreach (var t in c.Transitions)
        {
            if (t.Days <= last)
            {
                Fail($"transition to {t.StorageClass} after {t.Days} days does not come after the previous one ({last} days). Fix: order transitions by increasing days.");
            }

            last = t.Days;
        }

        if (c.ExpirationDays is { } e && e <= last)
        {
            Fail($"ExpirationDays = {e} is not after the last transition ({last} days). Fix: expire after the last transition.");
        }

        if (c.ObjectLockRetentionDays is { } lockDays && c.ExpirationDays is { } exp && exp < lockDays)
        {
            Fail($"ExpirationDays = {exp} is shorter than the object-lock retention ({lockDays} days). Fix: expire no earlier than the retention ends.");
        }
    }

    private static S3BucketLifecycleConfigurationRule[] BuildLifecycleRules(SecureBucketConfig c)
    {
        var rules = new List<S3BucketLifecycleConfigurationRule>
        {
            new()
            {
                Id = "abort-incomplete-multipart-uploads",
                Status = "Enabled",
                Filter = new[] { new S3BucketLifecycleConfigurationRuleFilter { Prefix = "" } },
                AbortIncompleteMultipartUpload = new[]
                {
                    new S3BucketLifecycleConfigurationRuleAbortIncompleteMultipartUpload { DaysAfterInitiation = c.AbortIncompleteMultipartUploadDays },
                },
            },
        };

        if (c.Transitions.Count > 0 || c.ExpirationDays is not null)
        {
            rules.Add(new S3BucketLifecycleConfigurationRule
            {
                Id = "current-versions",
                Status = "Enabled",
                Filter = new[] { new S3BucketLifecycleConfigurationRuleFilter { Prefix = "" } },
                Transition = c.Transitions.Count == 0
                    ? null
                    : c.Transitions.Select(t => new S3BucketLifecycleConfigurationRuleTransition { Days = t.Days, StorageClass = t.StorageClass }).ToArray(),
                Expiration = c.ExpirationDays is { } days
                    ? new[] { new S3BucketLifecycleConfigurationRuleExpiration { Days = days } }
                    : null,
            });
        }

        if (c.NoncurrentVersionExpirationDays is { } nc)
        {
            rules.Add(new S3BucketLifecycleConfigurationRule
            {
                Id = "noncurrent-versions",
                Status = "Enabled",
                Filter = new[] { new S3BucketLifecycleConfigurationRuleFilter { Prefix = "" } },
                NoncurrentVersionExpiration = new[] { new S3BucketLifecycleConfigurationRuleNoncurrentVersionExpiration { NoncurrentDays = nc } },
            });
        }

        return rules.ToArray();
    }
}
