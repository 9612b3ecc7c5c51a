namespace FraudTf.Stacks;

/// <summary>
/// The Terraform types that exist only for private networking (modules/Network, docs/networking.md): what a stack
/// with a <c>network</c> block has and one without has not. The cost tool prices some of them and lists the others
/// as free; the promotion report treats them as networking's.
/// </summary>
public static class NetworkTypes
{
    /// <summary>Resource types that exist only for private networking.</summary>
    public static readonly IReadOnlySet<string> Resources = new SortedSet<string>(StringComparer.Ordinal)
    {
        "aws_vpc", "aws_subnet", "aws_route_table", "aws_route_table_association", "aws_route", "aws_internet_gateway", "aws_eip",
        "aws_nat_gateway", "aws_default_security_group", "aws_security_group", "aws_vpc_security_group_egress_rule",
        "aws_vpc_security_group_ingress_rule", "aws_vpc_endpoint", "aws_opensearchserverless_vpc_endpoint",
    };

    /// <summary>Data sources that exist only for private networking (the existing VPC's checks, the zones).</summary>
    public static readonly IReadOnlySet<string> DataSources = new SortedSet<string>(StringComparer.Ordinal)
    {
        "aws_availability_zones", "aws_vpc", "aws_subnet", "aws_route_table",
    };
}
