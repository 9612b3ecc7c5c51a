using Constructs;
using FraudTf.Security.Policy;

namespace FraudTf.Agent;

/// <summary>Who may do what inside a <see cref="VectorCollection"/> (one rule of its data-access policy).</summary>
/// <param name="Name">Short name of the rule, for the statement's description.</param>
/// <param name="PrincipalArn">The IAM role (ARN, may be a token).</param>
/// <param name="IndexPermissions">Permissions on the collection's index, e.g. <c>aoss:ReadDocument</c>.</param>
/// <param name="CollectionPermissions">Permissions on the collection itself, e.g. <c>aoss:DescribeCollectionItems</c>.</param>
public sealed record VectorCollectionAccess(
    string Name, string PrincipalArn, IReadOnlyList<string> IndexPermissions, IReadOnlyList<string> CollectionPermissions);

/// <summary>Where a <see cref="VectorCollection"/> puts its OpenSearch Serverless VPC endpoint: the VPC, subnets and security groups (ids may be references).</summary>
/// <param name="VpcId">The VPC.</param>
/// <param name="SubnetIds">The private subnets (one endpoint network interface each).</param>
/// <param name="SecurityGroupIds">The endpoint's security groups (HTTPS in from the functions that call the collection).</param>
public sealed record CollectionEndpointPlacement(string VpcId, IReadOnlyList<string> SubnetIds, IReadOnlyList<string> SecurityGroupIds);

// Alike on purpose: every construct of modules/ takes one settings record (required, then defaulted init properties,
// each documented) and exposes its Config, underlying resources and their ARNs the same way (issue 17's construct API).
/// <summary>Settings of a <see cref="VectorCollection"/>: all required (a collection is always encrypted with the key).</summary>
public sealed record VectorCollectionConfig
{
    /// <summary>Collection name (3-32 lowercase letters, digits and hyphens); also the name of its three policies.</summary>
    public required string CollectionName { get; init; }

    /// <summary>The one index the collection holds, e.g. <c>fraud-patterns</c>.</summary>
    public required string IndexName { get; init; }

    /// <summary>Customer-managed key encrypting the collection.</summary>
    public required EncryptionKey Key { get; init; }

    /// <summary>Standby replicas in a second availability zone (doubles the minimum capacity units): no default, as it is a cost choice.</summary>
    public required bool StandbyReplicas { get; init; }

    /// <summary>
    /// Why the collection endpoint is reachable from outside a VPC (<c>AllowFromPublic</c>; every request is still SigV4-signed
    /// and checked against the data-access policy), recorded as the network policy's FTF-AOSS-002 exception. Exactly one of
    /// this and <see cref="PrivateEndpoint"/> is given: the public endpoint is an explicit, written choice. Default: none.
    /// </summary>
    public string? PublicEndpointReason { get; init; }

    /// <summary>
    /// Makes the collection private: an OpenSearch Serverless VPC endpoint (<c>aws_opensearchserverless_vpc_endpoint</c>) in
    /// these subnets, and a network policy with <c>AllowFromPublic: false</c> that lets in only that endpoint
    /// (<c>SourceVPCEs</c>) and Amazon Bedrock (<c>SourceServices: ["bedrock.amazonaws.com"]</c>, for the knowledge base).
    /// Default: none (then <see cref="PublicEndpointReason"/> is required).
    /// </summary>
    public CollectionEndpointPlacement? PrivateEndpoint { get; init; }
}

/// <summary>
/// An OpenSearch Serverless vector-search collection with its three policies, each scoped to this collection only:
/// encryption with the customer-managed key (not the AWS-owned one), network access to the collection endpoint only
/// (no dashboards), and a data-access policy naming the roles that may use the index, each with only its permissions
/// (<see cref="Grant"/>). The collection depends on its encryption and network policies, which must exist first.
/// </summary>
public sealed class VectorCollection : Construct
{
    private static readonly System.Text.RegularExpressions.Regex NamePattern = new("^[a-z][a-z0-9-]{2,31}$");
    private static readonly JsonSerializerOptions Relaxed = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    private readonly List<VectorCollectionAccess> _access = [];

    /// <summary>Creates the collection and its encryption and network policies; the data-access policy is rendered at synth.</summary>
    public VectorCollection(Construct scope, string id, VectorCollectionConfig config) : base(scope, id)
    {
        if (!NamePattern.IsMatch(config.CollectionName))
        {
            throw new ArgumentException($"VectorCollection '{id}': name '{config.CollectionName}' is invalid. " +
                                        "Fix: use 3 to 32 lowercase letters, digits and hyphens, starting with a letter.");
        }

        if ((config.PublicEndpointReason is null) == (config.PrivateEndpoint is null))
        {
            throw new ArgumentException($"VectorCollection '{id}': give exactly one of PublicEndpointReason and PrivateEndpoint. " +
                                        "Fix: PrivateEndpoint (a VPC endpoint, no public access) when the platform has a VPC, else the reason for the public endpoint.");
        }

        Config = config;
        var name = config.CollectionName;
        var collectionResource = new[] { $"collection/{name}" };

        EncryptionPolicy = new OpensearchserverlessSecurityPolicy(this, "encryption-policy", new OpensearchserverlessSecurityPolicyConfig
        {
            Name = name,
            Type = "encryption",
            Description = $"Encrypts collection {name} with the customer-managed key",
            // A literal JSON document (the key ARN is an interpolation inside it), so the security policy can read it at synth.
            Policy = JsonSerializer.Serialize(new Dictionary<string, object>
            {
                ["Rules"] = new object[] { new Dictionary<string, object> { ["ResourceType"] = "collection", ["Resource"] = collectionResource } },
                ["AWSOwnedKey"] = false,
                ["KmsARN"] = config.Key.KeyArn,
            }, Relaxed),
        });

        var collectionRule = new object[] { new Dictionary<string, object> { ["ResourceType"] = "collection", ["Resource"] = collectionResource } };
        if (config.PrivateEndpoint is { } placement)
        {
            VpcEndpoint = new OpensearchserverlessVpcEndpoint(this, "vpc-endpoint", new OpensearchserverlessVpcEndpointConfig
            {
                // 3-32 lowercase letters, digits and hyphens, like the collection's name (unique per account and region).
                Name = name,
                VpcId = placement.VpcId,
                SubnetIds = placement.SubnetIds.ToArray(),
                SecurityGroupIds = placement.SecurityGroupIds.ToArray(),
            });
            // OpenSearch Serverless developer guide, "Network access for Amazon OpenSearch Serverless": private access from
            // OpenSearch Serverless-managed VPC endpoints (SourceVPCEs) and from AWS services such as Amazon Bedrock (SourceServices).
            NetworkPolicy = new OpensearchserverlessSecurityPolicy(this, "network-policy", new OpensearchserverlessSecurityPolicyConfig
            {
                Name = name,
                Type = "network",
                Description = $"Private access to collection {name}: its VPC endpoint and Amazon Bedrock only; no dashboards",
                Policy = JsonSerializer.Serialize(new object[]
                {
                    new Dictionary<string, object>
                    {
                        ["Description"] = "Collection endpoint from the platform's VPC endpoint and the Bedrock knowledge base only",
                        ["Rules"] = collectionRule,
                        ["AllowFromPublic"] = false,
                        ["SourceVPCEs"] = new[] { VpcEndpoint.Id },
                        ["SourceServices"] = new[] { "bedrock.amazonaws.com" },
                    },
                }, Relaxed),
            });
        }
        else
        {
            NetworkPolicy = new OpensearchserverlessSecurityPolicy(this, "network-policy", new OpensearchserverlessSecurityPolicyConfig
            {
                Name = name,
                Type = "network",
                Description = $"Endpoint access to collection {name}; no dashboards",
                Policy = JsonSerializer.Serialize(new object[]
                {
                    new Dictionary<string, object>
                    {
                        ["Description"] = "Collection endpoint only; every request is SigV4-signed and checked against the data-access policy",
                        ["Rules"] = collectionRule,
                        ["AllowFromPublic"] = true,
                    },
                }, Relaxed),
            });
            PolicyExceptions.Except(NetworkPolicy, "FTF-AOSS-002", config.PublicEndpointReason!);
        }

        Collection = new OpensearchserverlessCollection(this, "this", new OpensearchserverlessCollectionConfig
        {
            Name = name,
            Type = "VECTORSEARCH",
            Description = $"Vector store of the fraud-analyst knowledge base (index {config.IndexName})",
            StandbyReplicas = config.StandbyReplicas ? "ENABLED" : "DISABLED",
            DependsOn = [EncryptionPolicy, NetworkPolicy],
        });

        AccessPolicy = new OpensearchserverlessAccessPolicy(this, "access-policy", new OpensearchserverlessAccessPolicyConfig
        {
            Name = name,
            Type = "data",
            Description = $"Who may use index {config.IndexName} of collection {name}",
            Policy = Lazy.StringValue(new Producer(RenderAccessPolicy), null),
        });
    }

    /// <summary>The settings the collection was created with.</summary>
    public VectorCollectionConfig Config { get; }

    /// <summary>The underlying <c>aws_opensearchserverless_collection</c>.</summary>
    public OpensearchserverlessCollection Collection { get; }

    /// <summary>Encryption policy (customer-managed key).</summary>
    public OpensearchserverlessSecurityPolicy EncryptionPolicy { get; }

    /// <summary>The collection's OpenSearch Serverless VPC endpoint (<see cref="VectorCollectionConfig.PrivateEndpoint"/>); null for a public collection.</summary>
    public OpensearchserverlessVpcEndpoint? VpcEndpoint { get; }

    /// <summary>Network policy (collection endpoint only).</summary>
    public OpensearchserverlessSecurityPolicy NetworkPolicy { get; }

    /// <summary>Data-access policy (rendered at synth from <see cref="Grant"/>).</summary>
    public OpensearchserverlessAccessPolicy AccessPolicy { get; }

    /// <summary>Collection ARN (token).</summary>
    public string CollectionArn => Collection.Arn;

    /// <summary>Collection endpoint, <c>https://&lt;id&gt;.&lt;region&gt;.aoss.amazonaws.com</c> (token).</summary>
    public string Endpoint => Collection.CollectionEndpoint;

    /// <summary>Names a role in the data-access policy with the given permissions on the index and the collection.</summary>
    public void Grant(VectorCollectionAccess access)
    {
        foreach (var p in access.IndexPermissions.Concat(access.CollectionPermissions).Where(p => !p.StartsWith("aoss:", StringComparison.Ordinal) || p.Contains('*')))
        {
            throw new ArgumentException($"VectorCollection '{Node.Id}': permission '{p}' of {access.Name} is not an explicit aoss: permission. Fix: list permissions such as aoss:ReadDocument.");
        }

        _access.Add(access);
    }

    private string RenderAccessPolicy()
    {
        if (_access.Count == 0)
        {
            throw new InvalidOperationException($"VectorCollection '{Node.Path}': nobody was granted access. Fix: call Grant for the roles that use the index.");
        }

        var name = Config.CollectionName;
        var rules = new JsonArray();
        foreach (var a in _access)
        {
            var ruleList = new JsonArray();
            if (a.IndexPermissions.Count > 0)
            {
                ruleList.Add(new JsonObject
                {
                    ["ResourceType"] = "index",
                    ["Resource"] = new JsonArray($"index/{name}/{Config.IndexName}"),
                    ["Permission"] = new JsonArray(a.IndexPermissions.Order(StringComparer.Ordinal).Select(p => (JsonNode)p!).ToArray()),
                });
            }

            if (a.CollectionPermissions.Count > 0)
            {
                ruleList.Add(new JsonObject
                {
                    ["ResourceType"] = "collection",
                    ["Resource"] = new JsonArray($"collection/{name}"),
                    ["Permission"] = new JsonArray(a.CollectionPermissions.Order(StringComparer.Ordinal).Select(p => (JsonNode)p!).ToArray()),
                });
            }

            rules.Add(new JsonObject
            {
                ["Description"] = a.Name,
                ["Rules"] = ruleList,
                ["Principal"] = new JsonArray(a.PrincipalArn),
            });
        }

        return rules.ToJsonString(Relaxed);
    }

    private sealed class Producer : Amazon.JSII.Runtime.Deputy.DeputyBase, IStringProducer
    {
        private readonly Func<string> _produce;

        public Producer(Func<string> produce) => _produce = produce;

        public string? Produce(IResolveContext context) => _produce();
    }
}
