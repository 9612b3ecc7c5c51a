using System.Text.Json;
using FraudTf.Config;

namespace FraudTf.Promotion.Comparison;

/// <summary>One field of the <c>network</c> block that differs between the two environments (absent on a side: null).</summary>
public sealed record NetworkField(string Field, string? From, string? To);

/// <summary>
/// How the two environments' private networking (the <c>network</c> block, docs/networking.md) differs: off, a created VPC
/// or an existing one on each side, and the fields that differ. A per-environment value like any other: the blocks it adds
/// or removes and the values it changes (functions' <c>vpc_config</c>, their network-interface grants, the collection's
/// network policy) are expected, and the report lists them in their own section.
/// </summary>
/// <param name="FromMode">The source's networking in words ("off", "created VPC 10.20.0.0/16, 2 zones, no NAT", ...).</param>
/// <param name="ToMode">The target's networking in words.</param>
/// <param name="Fields">The fields of the block that differ, <c>network.cidr</c> and so on.</param>
public sealed record NetworkChange(string FromMode, string ToMode, IReadOnlyList<NetworkField> Fields)
{
    /// <summary>The field the report names as the explanation of the differences networking makes.</summary>
    public const string Field = "network";

    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    /// <summary>The change between two configs' networking; null when both are off or both are the same.</summary>
    public static NetworkChange? Of(EnvironmentConfig from, EnvironmentConfig to)
    {
        if (from.Network is null && to.Network is null || from.Network is not null && from.Network.Equals(to.Network))
        {
            return null;
        }

        var a = Leaves(from.Network);
        var b = Leaves(to.Network);
        var fields = a.Keys.Union(b.Keys).Order(StringComparer.Ordinal)
            .Select(k => new NetworkField($"{Field}.{k}", a.GetValueOrDefault(k), b.GetValueOrDefault(k)))
            .Where(f => f.From != f.To)
            .ToList();
        return new NetworkChange(Mode(from.Network), Mode(to.Network), fields);
    }

    /// <summary>The networking of one environment in words.</summary>
    public static string Mode(NetworkConfig? n) => n switch
    {
        null => "off",
        { CreatesVpc: true } => $"created VPC {n.Cidr}, {n.AvailabilityZones} zones, {(n.NatGateway ? "NAT gateway per zone" : "no NAT")}",
        _ => $"existing VPC {n.VpcId}, {n.SubnetIds.Count} subnets",
    };

    /// <summary>The substitution shown as the explanation of a difference networking makes.</summary>
    public Substitution AsSubstitution => new(Field, FromMode, ToMode);

    private static Dictionary<string, string> Leaves(NetworkConfig? n) =>
        n is null ? [] : EnvironmentValues.Leaves(JsonSerializer.SerializeToNode(n, Json));
}

/// <summary>
/// Which blocks and values of a stack are private networking's (docs/networking.md): what turning it on adds or a changed
/// network block changes.
/// </summary>
public static class NetworkBlocks
{
    /// <summary>The construct id of a function's role policy that holds the Describe actions a VPC function needs.</summary>
    public const string DescribePolicyId = "vpc-describe";

    /// <summary>The Sid of the execution role's statement that lets a function manage its own network interfaces.</summary>
    public const string InterfacesStatementSid = "ManageOwnNetworkInterfaces";

    /// <summary>Whether the block at <paramref name="address"/> (its body <paramref name="node"/>) is networking's.</summary>
    public static bool IsNetworking(string address, JsonNode? node)
    {
        var data = address.StartsWith("data.", StringComparison.Ordinal);
        var type = (data ? address[5..] : address).Split('.')[0];
        if (data ? NetworkTypes.DataSources.Contains(type) : NetworkTypes.Resources.Contains(type))
        {
            return true;
        }

        return type == "aws_iam_role_policy" && node is JsonObject o && StackResource.ConstructPathOf(o) is { } path
               && path.EndsWith("/" + DescribePolicyId, StringComparison.Ordinal);
    }

    /// <summary>
    /// Whether a value difference is one networking makes: anything in a networking block; a function's <c>vpc_config</c>
    /// and its dependency on the Describe policy; an execution role policy that differs only by the network-interface
    /// statement (the rest equal, or explained by <paramref name="explains"/>); the collection's network policy.
    /// </summary>
    public static bool Explains(string address, JsonNode? fromBlock, JsonNode? toBlock, string path, string? from, string? to,
        IReadOnlySet<string> networkingAddresses, Func<string, string, bool> explains)
    {
        if (networkingAddresses.Contains(address))
        {
            return true;
        }

        var type = address.Split('.')[0];
        switch (type)
        {
            case "aws_lambda_function" when path == "vpc_config" || path.StartsWith("vpc_config.", StringComparison.Ordinal) || path.StartsWith("vpc_config[", StringComparison.Ordinal):
                return true;
            case "aws_lambda_function" when path.StartsWith("depends_on[", StringComparison.Ordinal):
                return new[] { from, to }.Any(v => v is not null && networkingAddresses.Contains(v.Trim('$', '{', '}')));
            case "aws_iam_role_policy" when path == "policy" && from is not null && to is not null:
            {
                var (a, removedA) = WithoutInterfacesStatement(from);
                var (b, removedB) = WithoutInterfacesStatement(to);
                return (removedA || removedB) && removedA != removedB && (a == b || explains(a, b));
            }

            case "aws_opensearchserverless_security_policy" when path is "policy" or "description":
                return fromBlock?["type"]?.GetValue<string>() == "network" && toBlock?["type"]?.GetValue<string>() == "network";
            default:
                return false;
        }
    }

    /// <summary>A policy document without its network-interface statement (both sides written the same way), and whether it had one.</summary>
    private static (string Policy, bool Removed) WithoutInterfacesStatement(string policy)
    {
        try
        {
            if (JsonNode.Parse(policy) is JsonObject doc && doc["Statement"] is JsonArray statements)
            {
                var keep = statements.Where(s => s?["Sid"]?.GetValue<string>() != InterfacesStatementSid).Select(s => s?.DeepClone()).ToList();
                var removed = keep.Count != statements.Count;
                doc["Statement"] = new JsonArray(keep.ToArray());
                return (doc.ToJsonString(), removed);
            }
        }
        catch (JsonException)
        {
            // Not JSON: compared as text by the caller.
        }

        return (policy, false);
    }
}
