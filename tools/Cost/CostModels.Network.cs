using System.Text.Json.Nodes;

namespace FraudTf.Cost;

/// <summary>
/// The cost models of private networking (issue 20, docs/networking.md): interface VPC endpoints and the collection's
/// OpenSearch Serverless endpoint (per endpoint per availability zone per hour, and per GB processed), gateway endpoints
/// (free, shown as such), NAT gateways (hour and GB) and their Elastic IPs (public IPv4 address-hours). The data an
/// endpoint processes comes from the workload: what the functions allowed by its policy send through it.
/// </summary>
internal sealed partial class CostModels
{
    private const string ConnectedNote = "both directions counted; transfer to an endpoint interface in another zone not counted (at most $0.01/GB more)";

    /// <summary>The priced types of private networking; a report with none of them has no networking section.</summary>
    public static readonly IReadOnlySet<string> NetworkTypes = new SortedSet<string>(StringComparer.Ordinal)
    {
        "aws_vpc_endpoint", "aws_opensearchserverless_vpc_endpoint", "aws_nat_gateway", "aws_eip",
    };

    /// <summary>The free types of private networking (counted in the networking section's note): every type networking
    /// adds (<see cref="FraudTf.Stacks.NetworkTypes.Resources"/>) that is not priced.</summary>
    public static readonly IReadOnlySet<string> FreeNetworkTypes =
        new SortedSet<string>(FraudTf.Stacks.NetworkTypes.Resources.Except(NetworkTypes), StringComparer.Ordinal);

    /// <summary>Traced invocations per second at Lambda's fixed rate: the first each second and 5% of the rest.</summary>
    private static double TracedPerSecond(double invocationsPerSecond) =>
        Math.Min(invocationsPerSecond, 1) + Math.Max(0, invocationsPerSecond - 1) * 0.05;

    /// <summary>The service an endpoint connects to, without the region: <c>sqs</c> for <c>com.amazonaws.us-east-1.sqs</c>.</summary>
    private string EndpointService(StackResource e)
    {
        var name = e.Str("service_name") ?? throw new CostDataException($"{w.Stack.File}: {e.Address} has no service_name. Fix: set it.");
        var prefix = $"com.amazonaws.{w.Env.Region}.";
        return name.StartsWith(prefix, StringComparison.Ordinal) ? name[prefix.Length..] : name;
    }

    /// <summary>One network interface per subnet, i.e. per availability zone: the endpoint's billed zones.</summary>
    private int EndpointZones(StackResource e)
    {
        var subnets = e.Items("subnet_ids").Count;
        return subnets > 0
            ? subnets
            : throw new CostDataException($"{w.Stack.File}: {e.Address} has no subnet_ids list, so its billed zones are unknown. " +
                                          "Fix: give the endpoint its subnets as a list (one per availability zone), or adapt CostModels.EndpointZones.");
    }

    private IReadOnlyList<CostLine> VpcEndpoint(StackResource e)
    {
        var service = EndpointService(e);
        switch (e.Str("vpc_endpoint_type") ?? "Gateway")
        {
            case "Gateway":
                return [new CostLine("gateway endpoint", 1, new Price("vpc.gatewayEndpoint", 0, 1, "gateway endpoints (no hourly or data processing charge)"),
                    F($"{service}: gateway endpoints (S3, DynamoDB) are free; the traffic they route costs nothing more"))];
            case "Interface":
            {
                var zones = EndpointZones(e);
                var (bytes, basis) = EndpointTraffic(e, service);
                return
                [
                    Line(e, "endpoint-AZ-hours", zones * w.HoursPerMonth, "privatelink.interfaceEndpointAzHours",
                        F($"{service}: {zones} subnet(s), one network interface per availability zone, x {w.HoursPerMonth:0} h")),
                    Line(e, "data processed", bytes / Gb, "privatelink.interfaceDataProcessed", basis + "; " + ConnectedNote),
                ];
            }

            default:
                throw new CostDataException($"{w.Stack.File}: {e.Address} is a {e.Str("vpc_endpoint_type")} endpoint, which has no cost model. Fix: add one to CostModels.VpcEndpoint (tools/Cost/CostModels.Network.cs).");
        }
    }

    private IReadOnlyList<CostLine> CollectionEndpoint(StackResource e)
    {
        var zones = EndpointZones(e);
        // Its callers: the functions in the VPC that a data access policy names (the index setup); the knowledge base
        // reaches the collection as the Bedrock service (the network policy's SourceServices), not through this endpoint.
        var roles = w.Stack.OfType("aws_opensearchserverless_access_policy")
            .SelectMany(p => PolicyPrincipals(p.Str("policy"))).ToHashSet();
        var callers = ConnectedFunctions().Where(f => w.Stack.Resolve(f.Str("role")) is { } role && roles.Contains(role)).ToList();
        var (bytes, basis) = OnceCallTraffic(e, callers);
        return
        [
            Line(e, "endpoint-AZ-hours", zones * w.HoursPerMonth, "opensearchServerless.vpcEndpointAzHours",
                F($"the collection's OpenSearch Serverless VPC endpoint: {zones} subnet(s), one network interface per availability zone, x {w.HoursPerMonth:0} h")),
            Line(e, "data processed", bytes / Gb, "opensearchServerless.vpcEndpointDataProcessed",
                basis + "; Bedrock's queries reach the collection as a service, not through this endpoint; " + ConnectedNote),
        ];
    }

    private IReadOnlyList<CostLine> NatGateway(StackResource n)
    {
        var gateways = w.Stack.OfType("aws_nat_gateway").Count;
        var total = A("network.natGigabytesPerMonth", n);
        return
        [
            Line(n, "NAT gateway hours", w.HoursPerMonth, "vpc.natGatewayHours", F($"one NAT gateway (natGateway: one per zone, {gateways} in the stack), all month, with or without traffic")),
            Line(n, "data processed", total / gateways, "vpc.natGatewayDataProcessed",
                F($"{total:#,0.###} GB a month through all {gateways} NAT gateway(s), shared equally: every AWS API the functions call has a VPC endpoint, so they send nothing through the NAT")),
        ];
    }

    private IReadOnlyList<CostLine> ElasticIp(StackResource ip)
    {
        var nat = w.Stack.Referencing(ip, "aws_nat_gateway").FirstOrDefault();
        return [Line(ip, "public IPv4 address-hours", w.HoursPerMonth, "vpc.publicIpv4AddressHours",
            nat is null ? "an Elastic IP, billed in use or idle, all month" : F($"the Elastic IP of NAT gateway {nat.Name}, all month"))];
    }

    /// <summary>The functions of the stack in the VPC (with <c>vpc_config</c>).</summary>
    private IEnumerable<StackResource> ConnectedFunctions() =>
        w.Stack.OfType("aws_lambda_function").Where(f => f.Items("vpc_config").Count > 0);

    /// <summary>
    /// Bytes a month that interface endpoint <paramref name="e"/> processes: what its callers (the connected functions
    /// whose roles its policy names) send to <paramref name="service"/> and receive, from the workload model.
    /// </summary>
    private (double Bytes, string Basis) EndpointTraffic(StackResource e, string service)
    {
        var policy = e.Str("policy");
        var roles = PolicyPrincipals(policy).ToHashSet();
        var callers = ConnectedFunctions().Where(f => w.Stack.Resolve(f.Str("role")) is { } role && roles.Contains(role)).ToList();
        var overhead = A("network.requestOverheadBytes", e);
        switch (service)
        {
            case "sqs":
            {
                // The queues its policy allows: each receives the dead-lettered share of transactions, one SendMessage each
                // (the quarantine's message: the record in base64 and its envelope; the rare pointer message is smaller).
                var queues = PolicyResources(policy).Where(r => r.Type == "aws_sqs_queue").Distinct().Count();
                var share = A("sqs.deadLetterShare", e);
                var messages = queues * w.Tps * share * w.SecondsPerMonth;
                var perMessage = w.Traffic.RecordSizeBytes * 4.0 / 3 + A("network.quarantineEnvelopeBytes", e) + overhead;
                return (messages * perMessage, F($"{messages:#,0} SendMessage calls a month ({share:0.####} of transactions dead-lettered, {queues} queue(s) in the policy) x {perMessage:#,0} B (the {w.Traffic.RecordSizeBytes} B record in base64 + envelope + {overhead:0} B request overhead), from {callers.Count} function(s)"));
            }

            case "xray":
            {
                var perTrace = A("network.xrayBytesPerTrace", e);
                var traces = callers.Where(f => f.Str("tracing_config.mode") == "Active")
                    .Sum(f => TracedPerSecond(w.Load(f).InvocationsPerSecond)) * w.SecondsPerMonth;
                return (traces * perTrace, F($"{traces:#,0} traced invocations a month of {callers.Count} function(s) (Lambda's fixed rate) x {perTrace:#,0} B of segments: an upper bound, as if Lambda's segments left through the VPC"));
            }

            case "bedrock-agent":
                return OnceCallTraffic(e, callers);

            default:
                throw new CostDataException($"{w.Stack.File}: {e.Address} connects to {service}, whose traffic the workload model does not know, so its data processing is unknown. " +
                                            "Fix: add the bytes its callers send a month to CostModels.EndpointTraffic (tools/Cost/CostModels.Network.cs).");
        }
    }

    /// <summary>Traffic of callers that use a service a few times per run (index setup, knowledge-base sync).</summary>
    private (double Bytes, string Basis) OnceCallTraffic(StackResource e, IReadOnlyList<StackResource> callers)
    {
        var perInvocation = A("network.onceCallBytesPerInvocation", e);
        var invocations = callers.Sum(f => w.Load(f).InvocationsPerSecond) * w.SecondsPerMonth;
        var names = callers.Count > 0 ? string.Join(", ", callers.Select(f => w.Logical(f.Str("function_name")))) : "no function of the stack";
        return (invocations * perInvocation, F($"{invocations:#,0.##} invocation(s) a month of {names} x {perInvocation:#,0} B"));
    }

    /// <summary>The resources the principals (<c>Principal.AWS</c>, or an access policy's <c>Principal</c> list) of a policy reference.</summary>
    private IEnumerable<StackResource> PolicyPrincipals(string? policy) =>
        Statements(policy).SelectMany(s => s["Principal"] switch
        {
            JsonObject o => Strings(o["AWS"]),
            var p => Strings(p),
        }).Select(w.Stack.Resolve).OfType<StackResource>();

    /// <summary>The resources the <c>Resource</c> entries of a policy's statements reference.</summary>
    private IEnumerable<StackResource> PolicyResources(string? policy) =>
        Statements(policy).SelectMany(s => Strings(s["Resource"])).Select(w.Stack.Resolve).OfType<StackResource>();

    /// <summary>The statements of an IAM policy document, or the rules of an OpenSearch Serverless access policy (an array).</summary>
    private static IEnumerable<JsonObject> Statements(string? policy)
    {
        if (string.IsNullOrEmpty(policy))
        {
            return [];
        }

        var doc = JsonNode.Parse(policy);
        var statements = doc is JsonObject o ? o["Statement"] : doc;
        return statements switch
        {
            JsonArray a => a.OfType<JsonObject>().ToList(),
            JsonObject s => [s],
            _ => [],
        };
    }

    private static IEnumerable<string> Strings(JsonNode? node) => node switch
    {
        JsonArray a => a.Select(x => x is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : null).OfType<string>(),
        JsonValue v when v.GetValueKind() == JsonValueKind.String => [v.GetValue<string>()],
        _ => [],
    };
}
