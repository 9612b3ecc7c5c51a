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
    /// and checked against the data-access policy), recorded as the network policy's FTF-AOSS-002 exception. Required:
    /// the construct has no VPC-endpoint option yet, so the public endpoint is an explicit, written choice.
    /// </summary>
    public required string PublicEndpointReason { get; init; }
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
                    ["Rules"] = new object[] { new Dictionary<string, object> { ["ResourceType"] = "collection", ["Resource"] = collectionResource } },
                    ["AllowFromPublic"] = true,
                },
            }, Relaxed),
        });
        PolicyExceptions.Except(NetworkPolicy, "FTF-AOSS-002", config.PublicEndpointReason);

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
