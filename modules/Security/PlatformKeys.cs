using Constructs;

namespace FraudTf.Security;

// Alike on purpose: every construct of modules/ takes one settings record (required, then defaulted init properties,
// each documented) and exposes its Config, underlying resources and their ARNs the same way (issue 17's construct API).
/// <summary>Settings of <see cref="PlatformKeys"/>: where the keys live and how their aliases are named.</summary>
public sealed record PlatformKeysConfig
{
    /// <summary>First part of every alias, e.g. <c>fraud-detection</c>.</summary>
    public required string NamePrefix { get; init; }

    /// <summary>The environment the keys serve, e.g. <c>dev</c>: the last part of every alias, and named in the descriptions.</summary>
    public required string Environment { get; init; }

    /// <summary>The account that owns the keys.</summary>
    public required string AccountId { get; init; }

    /// <summary>Region of the keys (the CloudWatch Logs service principal and log-group ARNs are regional).</summary>
    public required string Region { get; init; }

    /// <summary>AWS partition of the account. Default: <c>aws</c>.</summary>
    public string Partition { get; init; } = "aws";
}

/// <summary>
/// The customer-managed KMS keys of one environment, split by what they protect so that access to one kind of
/// data never implies another:
/// <list type="bullet">
/// <item><c>alias/&lt;prefix&gt;-data-&lt;env&gt;</c>: DynamoDB tables, data buckets, Kinesis streams, Lambda environment variables;</item>
/// <item><c>alias/&lt;prefix&gt;-logs-&lt;env&gt;</c>: CloudWatch log groups (the Logs service may use it only for this account's log groups);</item>
/// <item><c>alias/&lt;prefix&gt;-messaging-&lt;env&gt;</c>: SQS queues and SNS topics (EventBridge and CloudWatch alarms may use it
/// to deliver into them, only from this account).</item>
/// </list>
/// </summary>
public sealed class PlatformKeys : Construct
{
    /// <summary>Creates the three keys of <paramref name="config"/>'s environment.</summary>
    public PlatformKeys(Construct scope, string id, PlatformKeysConfig config) : base(scope, id)
    {
        Config = config;
        var account = config.AccountId;
        var sourceAccount = new PolicyCondition("StringEquals", "aws:SourceAccount", [account]);

        Data = new EncryptionKey(this, "data", new EncryptionKeyConfig
        {
            AliasName = $"{config.NamePrefix}-data-{config.Environment}",
            Description = $"Fraud-detection data of {config.Environment}: tables, buckets, streams, function settings",
            AccountId = account,
            Partition = config.Partition,
        });

        // Alike on purpose: the three keys are declared side by side with the same fields; only their aliases, descriptions
        // and the services allowed to use them differ, and those differences are the point of reading them together.
        Logs = new EncryptionKey(this, "logs", new EncryptionKeyConfig
        {
            AliasName = $"{config.NamePrefix}-logs-{config.Environment}",
            Description = $"Fraud-detection CloudWatch log groups of {config.Environment}",
            AccountId = account,
            Partition = config.Partition,
            ServiceAccess =
            [
                new KeyServiceAccess
                {
                    ServicePrincipal = $"logs.{config.Region}.amazonaws.com",
                    Actions = ["kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey", "kms:ReEncryptFrom", "kms:ReEncryptTo"],
                    Conditions =
                    [
                        new PolicyCondition("ArnLike", "kms:EncryptionContext:aws:logs:arn",
                            [$"arn:{config.Partition}:logs:{config.Region}:{account}:log-group:*"]),
                    ],
                },
            ],
        });

        Messaging = new EncryptionKey(this, "messaging", new EncryptionKeyConfig
        {
            AliasName = $"{config.NamePrefix}-messaging-{config.Environment}",
            Description = $"Fraud-detection queues and topics of {config.Environment}",
            AccountId = account,
            Partition = config.Partition,
            ServiceAccess =
            [
                new KeyServiceAccess
                {
                    ServicePrincipal = "events.amazonaws.com",
                    Actions = ["kms:Decrypt", "kms:GenerateDataKey"],
                    Conditions = [sourceAccount],
                },
                new KeyServiceAccess
                {
                    ServicePrincipal = "cloudwatch.amazonaws.com",
                    Actions = ["kms:Decrypt", "kms:GenerateDataKey"],
                    Conditions = [sourceAccount],
                },
            ],
        });
    }

    /// <summary>The settings the keys were created with.</summary>
    public PlatformKeysConfig Config { get; }

    /// <summary>Key of the data stores.</summary>
    public EncryptionKey Data { get; }

    /// <summary>Key of the log groups.</summary>
    public EncryptionKey Logs { get; }

    /// <summary>Key of queues and topics.</summary>
    public EncryptionKey Messaging { get; }
}
