using Constructs;

namespace FraudTf.Streaming;

// Alike on purpose: every construct of modules/ takes one settings record (required, then defaulted init properties,
// each documented) and exposes its Config, underlying resources and their ARNs the same way (issue 17's construct API).
/// <summary>Settings of an <see cref="EncryptedQueue"/>: the name, key and region are required (a queue is always encrypted with the key and TLS-only).</summary>
public sealed record EncryptedQueueConfig
{
    /// <summary>Queue name (a literal: <see cref="EncryptedQueue.QueueName"/> returns it).</summary>
    public required string QueueName { get; init; }

    /// <summary>Customer-managed key (the environment's messaging key).</summary>
    public required EncryptionKey Key { get; init; }

    /// <summary>Region (for kms:ViaService conditions).</summary>
    public required string Region { get; init; }

    /// <summary>How long messages are kept, 1-14 days. Default: 14 (the maximum: a dead-letter queue must not lose anything early).</summary>
    public int RetentionDays { get; init; } = 14;
}

/// <summary>
/// An SQS queue encrypted with a customer-managed key, with a queue policy that denies non-TLS access and lets
/// named AWS services send to it only from named source ARNs (<see cref="AllowSendFrom"/>).
/// </summary>
public sealed class EncryptedQueue : Construct
{
    /// <summary>Creates the queue and its policy.</summary>
    public EncryptedQueue(Construct scope, string id, EncryptedQueueConfig config) : base(scope, id)
    {
        if (config.RetentionDays is < 1 or > 14)
        {
            throw new ArgumentException($"EncryptedQueue '{id}' ({config.QueueName}): RetentionDays = {config.RetentionDays}. Fix: SQS keeps messages 1 to 14 days.");
        }

        Config = config;
        Queue = new SqsQueue(this, "this", new SqsQueueConfig
        {
            Name = config.QueueName,
            KmsMasterKeyId = config.Key.KeyArn,
            KmsDataKeyReusePeriodSeconds = 300,
            MessageRetentionSeconds = config.RetentionDays * 86400,
        });
        PolicyDocument = new PolicyDocument().Add(new PolicyStatement
        {
            Sid = "DenyInsecureTransport",
            Effect = "Deny",
            Principal = PolicyPrincipal.Everyone,
            Actions = ["sqs:*"],
            Resources = [Queue.Arn],
            Conditions = [new PolicyCondition("Bool", "aws:SecureTransport", ["false"])],
        });
        Policy = new SqsQueuePolicy(this, "policy", new SqsQueuePolicyConfig
        {
            QueueUrl = Queue.Url,
            Policy = PolicyDocument.ToLazyJson(),
        });
    }

    /// <summary>The settings the queue was created with.</summary>
    public EncryptedQueueConfig Config { get; }

    /// <summary>The underlying <c>aws_sqs_queue</c>.</summary>
    public SqsQueue Queue { get; }

    /// <summary>The queue policy document (rendered at synth).</summary>
    public PolicyDocument PolicyDocument { get; }

    /// <summary>The queue policy resource.</summary>
    public SqsQueuePolicy Policy { get; }

    /// <summary>Queue ARN (token).</summary>
    public string QueueArn => Queue.Arn;

    /// <summary>Queue URL (token).</summary>
    public string QueueUrl => Queue.Url;

    /// <summary>Queue name: the configured literal (docs/security.md, "Names"); <c>Queue.Name</c> is the Terraform reference.</summary>
    public string QueueName => Config.QueueName;

    /// <summary>Lets <paramref name="grantee"/> send messages (and encrypt them with the queue's key).</summary>
    public FraudTf.Security.Grant GrantSend(IGrantee grantee) => GrantSending(grantee, "Send", Permissions.SqsSend);

    /// <summary>
    /// Lets <paramref name="grantee"/> call SendMessage only (and encrypt with the queue's key through SQS):
    /// for a function whose code sends to the queue, or whose dead-letter queue or on-failure destination it is (Lambda
    /// sends those with the execution role). Granting it again for another reason is the same statement.
    /// </summary>
    public FraudTf.Security.Grant GrantSendMessage(IGrantee grantee) =>
        GrantSending(grantee, "SendMessage", Permissions.SqsSendMessage);

    /// <summary>
    /// Adds <paramref name="actions"/> on the queue (statement <paramref name="sid"/>) and the key's produce actions
    /// through SQS (statement <paramref name="sid"/>Key) to <paramref name="grantee"/>'s policy.
    /// </summary>
    private FraudTf.Security.Grant GrantSending(IGrantee grantee, string sid, IReadOnlyList<string> actions)
    {
        var policy = grantee.Policy;
        var before = policy.Statements.Count;
        policy.Add(new PolicyStatement { Sid = Sid(sid), Actions = actions, Resources = [Queue.Arn] });
        policy.Add(KeyGrants.ViaService(Config.Key, Permissions.KmsProduce, "sqs", Config.Region, Sid(sid + "Key")));

        return FraudTf.Security.Grant.Since(Config.QueueName, grantee, before);
    }

    /// <summary>Lets <paramref name="servicePrincipal"/> send to the queue, only on behalf of <paramref name="sourceArns"/>.</summary>
    public void AllowSendFrom(string sid, string servicePrincipal, IReadOnlyList<string> sourceArns) =>
        PolicyDocument.Add(new PolicyStatement
        {
            Sid = sid,
            Principal = PolicyPrincipal.Service(servicePrincipal),
            Actions = ["sqs:SendMessage"],
            Resources = [Queue.Arn],
            Conditions = [new PolicyCondition("ArnEquals", "aws:SourceArn", sourceArns)],
        });

    /// <summary>Messages waiting (Maximum).</summary>
    public FraudTf.Monitoring.Metric MetricVisibleMessages() => Sqs("ApproximateNumberOfMessagesVisible", "Maximum", "messages visible");

    /// <summary>Age of the oldest message (Maximum, seconds).</summary>
    public FraudTf.Monitoring.Metric MetricOldestMessageAgeSeconds() => Sqs("ApproximateAgeOfOldestMessage", "Maximum", "oldest message age (s)");

    private FraudTf.Monitoring.Metric Sqs(string name, string statistic, string label) =>
        new("AWS/SQS", name, new Dictionary<string, string> { ["QueueName"] = Config.QueueName }, statistic, $"{Config.QueueName} {label}");

    private string Sid(string what) => StatementIds.For(Node.Id, "Queue", what);
}
