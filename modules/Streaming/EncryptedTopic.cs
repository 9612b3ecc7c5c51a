using Constructs;

namespace FraudTf.Streaming;

// Alike on purpose: every construct of modules/ takes one settings record (required, then defaulted init properties,
// each documented) and exposes its Config, underlying resources and their ARNs the same way (issue 17's construct API).
/// <summary>Settings of an <see cref="EncryptedTopic"/>: all required (a topic is always encrypted with the key and TLS-only).</summary>
public sealed record EncryptedTopicConfig
{
    /// <summary>Topic name.</summary>
    public required string TopicName { get; init; }

    /// <summary>Customer-managed key (the environment's messaging key).</summary>
    public required EncryptionKey Key { get; init; }

    /// <summary>The account that owns the topic; its root principal manages and publishes (<c>OwnerManagesTopic</c>).</summary>
    public required string AccountId { get; init; }

    /// <summary>
    /// Who the topic delivers to: one subscription per entry, or, when there is none, the reason why (recorded as a
    /// <see cref="EncryptedTopic.UnsubscribedGateRule"/> exception).
    /// </summary>
    public required TopicNotifications Notifications { get; init; }

    /// <summary>AWS partition of the account. Default: <c>aws</c>.</summary>
    public string Partition { get; init; } = "aws";
}

/// <summary>
/// An SNS topic encrypted with a customer-managed key, its subscriptions (from the environment config), and a topic
/// policy that lets the owning account manage and publish, denies non-TLS publishing, lets named AWS services publish
/// only from named source ARNs, and denies subscribing any endpoint the config does not list.
/// </summary>
public sealed class EncryptedTopic : Construct
{
    /// <summary>The deployability-gate rule a topic without subscribers is excepted from, with its reason.</summary>
    public const string UnsubscribedGateRule = "GATE-SNS-001";

    /// <summary>
    /// Creates the topic, its policy and one subscription per entry of <see cref="EncryptedTopicConfig.Notifications"/>
    /// (or, when it has none, its <see cref="TopicNotifications.UnsubscribedReason"/> recorded as a gate exception).
    /// </summary>
    public EncryptedTopic(Construct scope, string id, EncryptedTopicConfig config) : base(scope, id)
    {
        var topicName = config.TopicName;
        var notifications = config.Notifications;
        Validate(topicName, notifications);
        Config = config;
        Topic = new SnsTopic(this, "this", new SnsTopicConfig
        {
            Name = topicName,
            KmsMasterKeyId = config.Key.KeyArn,
        });
        if (notifications.Subscriptions.Count == 0)
        {
            Topic.AddOverride($"//.gate_exceptions.{UnsubscribedGateRule}", notifications.UnsubscribedReason!);
        }

        PolicyDocument = new PolicyDocument()
            .Add(new PolicyStatement
            {
                // No sns:Subscribe here: subscriptions are made by Terraform from the config, and the statement below
                // denies every other endpoint to everyone, the account's own principals included.
                Sid = "OwnerManagesTopic",
                Principal = PolicyPrincipal.Aws($"arn:{config.Partition}:iam::{config.AccountId}:root"),
                Actions = ["sns:GetTopicAttributes", "sns:ListSubscriptionsByTopic", "sns:Publish", "sns:SetTopicAttributes"],
                Resources = [Topic.Arn],
            })
            .Add(new PolicyStatement
            {
                Sid = "DenyInsecureTransport",
                Effect = "Deny",
                Principal = PolicyPrincipal.Everyone,
                Actions = ["sns:Publish"],
                Resources = [Topic.Arn],
                Conditions = [new PolicyCondition("Bool", "aws:SecureTransport", ["false"])],
            })
            .Add(SubscribeDeny(Topic.Arn, SubscribedEndpoints));
        Policy = new SnsTopicPolicy(this, "policy", new SnsTopicPolicyConfig
        {
            Arn = Topic.Arn,
            Policy = PolicyDocument.ToLazyJson(),
        });

        var subscriptions = new List<SnsTopicSubscription>();
        var permissions = new List<LambdaPermission>();
        foreach (var s in notifications.Subscriptions)
        {
            LambdaPermission? permission = null;
            if (s.Protocol == "lambda")
            {
                // SNS invokes the function asynchronously as sns.amazonaws.com; the permission is scoped to this topic.
                var (function, qualifier) = SplitFunctionArn(s.Endpoint);
                permission = new LambdaPermission(this, $"subscription-{s.Name}-permission", new LambdaPermissionConfig
                {
                    StatementId = $"AllowSns-{topicName}-{s.Name}",
                    Action = "lambda:InvokeFunction",
                    FunctionName = function,
                    Qualifier = qualifier,
                    Principal = "sns.amazonaws.com",
                    SourceArn = Topic.Arn,
                });
                permissions.Add(permission);
            }

            var web = s.Protocol == "https";
            subscriptions.Add(new SnsTopicSubscription(this, $"subscription-{s.Name}", new SnsTopicSubscriptionConfig
            {
                TopicArn = Topic.Arn,
                Protocol = s.Protocol,
                Endpoint = s.Endpoint,
                // The SNS envelope (Type, MessageId, TopicArn, Timestamp, Signature) is kept for queues and web hooks:
                // consumers deduplicate on MessageId (delivery is at least once), tell the topics apart by TopicArn, and
                // an https endpoint verifies the signature. Lambda and e-mail have no raw mode.
                RawMessageDelivery = s.Protocol is "sqs" or "https" ? false : null,
                // The endpoint must answer SNS's SubscriptionConfirmation itself (see README, operator guide). With
                // auto-confirmation off the provider does not wait for it, so confirmation_timeout_in_minutes (read only
                // while waiting) is left at its default (provider internal/service/sns/topic_subscription.go, Create).
                EndpointAutoConfirms = web ? false : null,
                DependsOn = permission is null ? null : [permission],
            }));
        }

        Subscriptions = subscriptions;
        SubscriptionPermissions = permissions;
    }

    /// <summary>The settings the topic was created with.</summary>
    public EncryptedTopicConfig Config { get; }

    /// <summary>The key encrypting the topic.</summary>
    public EncryptionKey Key => Config.Key;

    /// <summary>Who the topic delivers to, as configured.</summary>
    public TopicNotifications Notifications => Config.Notifications;

    /// <summary>Topic name: the configured literal (docs/security.md, "Names"); <c>Topic.Name</c> is the Terraform reference.</summary>
    public string TopicName => Config.TopicName;

    /// <summary>The endpoints that may be subscribed, sorted (the topic policy denies Subscribe for any other).</summary>
    public IReadOnlyList<string> SubscribedEndpoints =>
        Notifications.Subscriptions.Select(s => s.Endpoint).Order(StringComparer.Ordinal).ToList();

    /// <summary>The underlying <c>aws_sns_topic</c>.</summary>
    public SnsTopic Topic { get; }

    /// <summary>The topic policy document (rendered at synth).</summary>
    public PolicyDocument PolicyDocument { get; }

    /// <summary>The topic policy resource.</summary>
    public SnsTopicPolicy Policy { get; }

    /// <summary>One <c>aws_sns_topic_subscription</c> per configured subscriber, in config order.</summary>
    public IReadOnlyList<SnsTopicSubscription> Subscriptions { get; }

    /// <summary>The <c>aws_lambda_permission</c> letting this topic invoke each subscribed function.</summary>
    public IReadOnlyList<LambdaPermission> SubscriptionPermissions { get; }

    /// <summary>Topic ARN (token).</summary>
    public string TopicArn => Topic.Arn;

    /// <summary>Lets <paramref name="servicePrincipal"/> publish, only on behalf of <paramref name="sourceArns"/>.</summary>
    public void AllowPublishFrom(string sid, string servicePrincipal, IReadOnlyList<string> sourceArns) =>
        PolicyDocument.Add(new PolicyStatement
        {
            Sid = sid,
            Principal = PolicyPrincipal.Service(servicePrincipal),
            Actions = ["sns:Publish"],
            Resources = [Topic.Arn],
            Conditions = [new PolicyCondition("ArnEquals", "aws:SourceArn", sourceArns)],
        });

    /// <summary>
    /// The statement that keeps the topic's audience to the configured endpoints: Deny sns:Subscribe to every principal
    /// unless the endpoint is one of <paramref name="endpoints"/>; with none, every Subscribe is denied. An explicit Deny in
    /// the resource policy also binds principals of the topic's own account, whose identity policies could otherwise allow it.
    /// Source: SNS Developer Guide, "Amazon SNS API permissions: Actions and resources reference", service-specific keys:
    /// "sns:endpoint: The URL, email address, or ARN from a Subscribe request or a previously confirmed subscription"
    /// (https://docs.aws.amazon.com/sns/latest/dg/sns-access-policy-language-api-permissions-reference.html; condition key
    /// names are case-insensitive). StringNotEquals: the endpoints are exact values, no wildcards.
    /// </summary>
    public static PolicyStatement SubscribeDeny(string topicArn, IReadOnlyList<string> endpoints) => endpoints.Count == 0
        ? new PolicyStatement
        {
            Sid = "DenyAllSubscriptions",
            Effect = "Deny",
            Principal = PolicyPrincipal.Everyone,
            Actions = ["sns:Subscribe"],
            Resources = [topicArn],
        }
        : new PolicyStatement
        {
            Sid = "DenySubscribeOtherEndpoints",
            Effect = "Deny",
            Principal = PolicyPrincipal.Everyone,
            Actions = ["sns:Subscribe"],
            Resources = [topicArn],
            Conditions = [new PolicyCondition("StringNotEquals", "sns:Endpoint", endpoints)],
        };

    private static void Validate(string topicName, TopicNotifications n)
    {
        var reason = n.UnsubscribedReason?.Trim() ?? "";
        if (n.Subscriptions.Count == 0 && reason.Length < EnvironmentConfigLoader.MinimumUnsubscribedReasonLength)
        {
            throw new ArgumentException(
                $"Topic {topicName} has no subscription and no reason (at least {EnvironmentConfigLoader.MinimumUnsubscribedReasonLength} characters) why: " +
                "its messages would reach nobody. Fix: subscribe an endpoint or give TopicNotifications.UnsubscribedReason.", nameof(n));
        }

        if (n.Subscriptions.Count > 0 && n.UnsubscribedReason is not null)
        {
            throw new ArgumentException(
                $"Topic {topicName} has subscriptions and an UnsubscribedReason. Fix: remove the reason or the subscriptions.", nameof(n));
        }

        foreach (var s in n.Subscriptions)
        {
            if (!TopicSubscription.Protocols.Contains(s.Protocol))
            {
                throw new ArgumentException(
                    $"Topic {topicName}: subscription '{s.Name}' has protocol '{s.Protocol}'. Fix: use one of {string.Join(", ", TopicSubscription.Protocols)}.", nameof(n));
            }
        }

        foreach (var g in n.Subscriptions.GroupBy(s => s.Name).Where(g => g.Count() > 1))
        {
            throw new ArgumentException($"Topic {topicName}: subscription name '{g.Key}' is used twice. Fix: give each subscription its own name.", nameof(n));
        }
    }

    // arn:aws:lambda:us-east-1:111111111111:function:name[:qualifier] -> (unqualified ARN, qualifier or null)
    private static (string Function, string? Qualifier) SplitFunctionArn(string arn)
    {
        var parts = arn.Split(':');
        return parts.Length == 8 ? (string.Join(':', parts[..7]), parts[7]) : (arn, null);
    }
}
