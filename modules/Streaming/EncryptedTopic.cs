using Constructs;
using FraudTf.Security;
using HashiCorp.Cdktf.Providers.Aws.SnsTopic;
using HashiCorp.Cdktf.Providers.Aws.SnsTopicPolicy;

namespace FraudTf.Streaming;

/// <summary>
/// An SNS topic encrypted with a customer-managed key, with a topic policy that lets the owning account manage it,
/// denies non-TLS publishing, and lets named AWS services publish only from named source ARNs.
/// </summary>
public sealed class EncryptedTopic : Construct
{
    /// <summary>Creates the topic <paramref name="topicName"/> encrypted with <paramref name="key"/>, managed by <paramref name="accountRootArn"/>.</summary>
    public EncryptedTopic(Construct scope, string id, string topicName, EncryptionKey key, string accountRootArn) : base(scope, id)
    {
        Key = key;
        Topic = new SnsTopic(this, "this", new SnsTopicConfig
        {
            Name = topicName,
            KmsMasterKeyId = key.KeyArn,
        });
        PolicyDocument = new PolicyDocument()
            .Add(new PolicyStatement
            {
                Sid = "OwnerManagesTopic",
                Principal = PolicyPrincipal.Aws(accountRootArn),
                Actions = ["sns:GetTopicAttributes", "sns:ListSubscriptionsByTopic", "sns:Publish", "sns:SetTopicAttributes", "sns:Subscribe"],
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
            });
        Policy = new SnsTopicPolicy(this, "policy", new SnsTopicPolicyConfig
        {
            Arn = Topic.Arn,
            Policy = PolicyDocument.ToLazyJson(),
        });
    }

    /// <summary>The key encrypting the topic.</summary>
    public EncryptionKey Key { get; }

    /// <summary>The underlying <c>aws_sns_topic</c>.</summary>
    public SnsTopic Topic { get; }

    /// <summary>The topic policy document (rendered at synth).</summary>
    public PolicyDocument PolicyDocument { get; }

    /// <summary>The topic policy resource.</summary>
    public SnsTopicPolicy Policy { get; }

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
}
