using Constructs;
using FraudTf.Security.Policy;

namespace FraudTf.Network;

/// <summary>
/// Settings of a <see cref="PrivateNetwork"/>: where it deploys (names, account, region) and the environment's
/// <c>network</c> block (a VPC to create or an existing one). All required: the construct exists only when networking is on.
/// </summary>
public sealed record PrivateNetworkConfig
{
    /// <summary>Where the network deploys; resources are named <c>&lt;prefix&gt;-&lt;name&gt;-&lt;env&gt;</c>.</summary>
    public required DeploymentTarget Target { get; init; }

    /// <summary>The environment file's <c>network</c> block.</summary>
    public required NetworkConfig Settings { get; init; }
}

/// <summary>
/// Private networking of one environment: the VPC (created: DNS support and hostnames, one private subnet per availability
/// zone, a route table per subnet, the default security group stripped of its rules, no internet gateway or NAT unless
/// asked; or an existing one, checked at plan time by data sources), the security group of the interface endpoints, and
/// the VPC endpoints the functions need. <see cref="Connect"/> puts a function in the private subnets and derives its
/// endpoints from what its code calls (<see cref="VpcEndpointServices"/>); each endpoint's policy allows only the calls
/// the connected functions' roles were granted, on the same resources of this environment.
/// <para>Without <c>natGateway</c> there is no route out of the VPC: a call without an endpoint would time out, so a function
/// calling a service missing from <see cref="VpcEndpointServices.ByKey"/> fails synth instead.</para>
/// </summary>
public sealed class PrivateNetwork : Construct
{
    /// <summary>How many subnets of equal size the VPC is split into (16: the prefix grows by 4), private ones first.</summary>
    public const int SubnetSlots = 16;

    private readonly Dictionary<string, VpcEndpoint> _endpoints = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<DotnetFunction>> _endpointUsers = new(StringComparer.Ordinal);
    private readonly List<string> _routeTableIds = [];
    private OpensearchserverlessVpcEndpoint? _collectionEndpoint;
    private string[]? _existingRouteTableIds;

    /// <summary>Creates (or looks up) the VPC, its private subnets and route tables, and the endpoints' security group.</summary>
    public PrivateNetwork(Construct scope, string id, PrivateNetworkConfig config) : base(scope, id)
    {
        Config = config;
        var s = config.Settings;
        var target = config.Target;
        var ec2 = $"arn:{target.Partition}:ec2:{target.Region}:{target.AccountId}";
        if (s.CreatesVpc)
        {
            var problem = EnvironmentConfigLoader.CidrProblem(s.Cidr!);
            if (problem is not null || s.AvailabilityZones is < 2 or > 6)
            {
                throw new ArgumentException($"PrivateNetwork '{id}': cidr {s.Cidr} {problem ?? ""} / availabilityZones {s.AvailabilityZones}. Fix: a /16 to /24 network address and 2 to 6 zones (the loader checks both).");
            }

            var vpc = new Vpc(this, "vpc", new VpcConfig
            {
                CidrBlock = s.Cidr!,
                EnableDnsSupport = true,
                // Private DNS names of interface endpoints need both (PrivateLink guide, "DNS attributes for your VPC").
                EnableDnsHostnames = true,
                Tags = Named("vpc"),
            });
            VpcId = vpc.Id;
            // Strip the default group of its rules: Terraform removes all of them when it adopts the group (CKV2_AWS_12).
            _ = new DefaultSecurityGroup(this, "default-security-group", new DefaultSecurityGroupConfig { VpcId = vpc.Id, Tags = Named("default") });
            // Zones by index from the region's list (no hard-coded names); zones that need an opt-in (Local Zones) are left out.
            var zones = new DataAwsAvailabilityZones(this, "zones", new DataAwsAvailabilityZonesConfig
            {
                State = "available",
                Filter = new[] { new DataAwsAvailabilityZonesFilter { Name = "opt-in-status", Values = ["opt-in-not-required"] } },
            });
            var subnetIds = new List<string>();
            var subnetArns = new List<string>();
            for (var i = 0; i < s.AvailabilityZones; i++)
            {
                // An index, not element(): a region with fewer zones fails the plan instead of wrapping around.
                var zone = $"${{{zones.Fqn}.names[{i}]}}";
                var subnet = new Subnet(this, $"private-{i}", new SubnetConfig
                {
                    VpcId = vpc.Id,
                    CidrBlock = SubnetCidr(s.Cidr!, i),
                    AvailabilityZone = zone,
                    MapPublicIpOnLaunch = false,
                    Tags = Named($"private-{i}"),
                });
                subnetIds.Add(subnet.Id);
                subnetArns.Add(subnet.Arn);
                var routes = new RouteTable(this, $"private-routes-{i}", new RouteTableConfig { VpcId = vpc.Id, Tags = Named($"private-{i}") });
                _ = new RouteTableAssociation(this, $"private-routes-{i}-association", new RouteTableAssociationConfig { SubnetId = subnet.Id, RouteTableId = routes.Id });
                _routeTableIds.Add(routes.Id);
            }

            SubnetIds = subnetIds;
            SubnetArns = subnetArns;
            if (s.NatGateway)
            {
                AddNatGateways(vpc, zones);
            }
        }
        else
        {
            // Checked at plan time: the VPC exists with the DNS attributes private endpoints need, and every subnet is in it.
            var vpc = new DataAwsVpc(this, "vpc", new DataAwsVpcConfig
            {
                Id = s.VpcId!,
                Lifecycle = new TerraformResourceLifecycle
                {
                    Postcondition =
                    [
                        new Postcondition
                        {
                            Condition = "${self.enable_dns_support && self.enable_dns_hostnames}",
                            ErrorMessage = $"{s.VpcId} (network.vpcId) must have DNS support and DNS hostnames enabled: the interface endpoints' private DNS names need both. Fix: enable them on the VPC, or use another VPC.",
                        },
                    ],
                },
            });
            VpcId = vpc.Id;
            // The route table each subnet uses: its explicitly associated one, else the VPC's main table. (data.aws_route_table
            // by subnet_id fails for a subnet on the main table, as EC2 lists implicit associations nowhere; so each subnet's
            // explicit tables are listed, possibly none, and the main table fills in.) The gateway endpoints add their routes there.
            var main = new DataAwsRouteTable(this, "main-routes", new DataAwsRouteTableConfig
            {
                VpcId = vpc.Id,
                Filter = new[] { new DataAwsRouteTableFilter { Name = "association.main", Values = ["true"] } },
            });
            var subnetIds = new List<string>();
            var routeTables = new List<string>();
            for (var i = 0; i < s.SubnetIds.Count; i++)
            {
                var subnetId = s.SubnetIds[i];
                var subnet = new DataAwsSubnet(this, $"subnet-{i}", new DataAwsSubnetConfig
                {
                    Id = subnetId,
                    Lifecycle = new TerraformResourceLifecycle
                    {
                        Postcondition =
                        [
                            new Postcondition
                            {
                                Condition = $"${{self.vpc_id == \"{s.VpcId}\"}}",
                                ErrorMessage = $"{subnetId} (network.subnetIds[{i}]) is not a subnet of {s.VpcId} (network.vpcId). Fix: list subnets of that VPC.",
                            },
                        ],
                    },
                });
                subnetIds.Add(subnet.Id);
                var explicitTables = new DataAwsRouteTables(this, $"subnet-{i}-routes", new DataAwsRouteTablesConfig
                {
                    VpcId = vpc.Id,
                    Filter = new[] { new DataAwsRouteTablesFilter { Name = "association.subnet-id", Values = [subnetId] } },
                });
                var tables = $"data.aws_route_tables.{explicitTables.FriendlyUniqueId}.ids";
                routeTables.Add($"length({tables}) > 0 ? {tables}[0] : data.aws_route_table.{main.FriendlyUniqueId}.id");
            }

            SubnetIds = subnetIds;
            SubnetArns = s.SubnetIds.Select(id => $"{ec2}:subnet/{id}").ToList();
            _existingRouteTableIds = Token.AsList($"${{distinct([{string.Join(", ", routeTables)}])}}");
        }

        EndpointSecurityGroup = new SecurityGroup(this, "endpoints", new SecurityGroupConfig
        {
            Name = target.ResourceName("endpoints"),
            Description = "Interface VPC endpoints: HTTPS from the functions' security groups only",
            VpcId = VpcId,
            Tags = Named("endpoints"),
        });
    }

    /// <summary>The settings the network was created with.</summary>
    public PrivateNetworkConfig Config { get; }

    /// <summary>The VPC id (a reference).</summary>
    public string VpcId { get; }

    /// <summary>The private subnets' ids (references), one per availability zone.</summary>
    public IReadOnlyList<string> SubnetIds { get; }

    /// <summary>The private subnets' ARNs.</summary>
    public IReadOnlyList<string> SubnetArns { get; }

    /// <summary>The security group of every interface endpoint (and the collection's): HTTPS in from the connected functions' groups.</summary>
    public SecurityGroup EndpointSecurityGroup { get; }

    /// <summary>The AWS endpoints made so far, by <see cref="EndpointService.Name"/>.</summary>
    public IReadOnlyDictionary<string, VpcEndpoint> Endpoints => _endpoints;

    /// <summary>Where the knowledge base's collection puts its OpenSearch Serverless VPC endpoint.</summary>
    public FraudTf.Agent.CollectionEndpointPlacement CollectionPlacement => new(VpcId, SubnetIds, [EndpointSecurityGroup.Id]);

    /// <summary>Registers the collection's OpenSearch Serverless VPC endpoint, which functions signing <c>aoss</c> requests reach.</summary>
    public void RegisterCollectionEndpoint(OpensearchserverlessVpcEndpoint endpoint) => _collectionEndpoint = endpoint;

    /// <summary>
    /// Puts <paramref name="function"/> in the private subnets with its own security group and gives that group egress to
    /// exactly the endpoints of what its code calls (HTTPS to the endpoints' group for interface endpoints, to the prefix
    /// list of each gateway endpoint, and with <c>natGateway</c> HTTPS to the internet), creating each endpoint on first use.
    /// The function depends on its endpoints and rules: Terraform may invoke it in the same apply (the knowledge base's
    /// index setup and sync are), and it must then have its network path.
    /// </summary>
    /// <exception cref="ArgumentException">The function calls a service that has no endpoint in <see cref="VpcEndpointServices.ByKey"/>.</exception>
    public void Connect(DotnetFunction function)
    {
        var keys = VpcEndpointServices.KeysOf(function.CodeCalls.Evidence, function.Config.SignedRequests.Select(r => r.Action),
            function.ActiveTracing);
        var missing = keys.Where(k => !VpcEndpointServices.ByKey.ContainsKey(k.Key)).ToList();
        if (missing.Count > 0)
        {
            var (key, actions) = missing[0];
            throw new ArgumentException(
                $"{function.FunctionName} ({function.Config.Code.ProjectPath}) calls {key} ({string.Join(", ", actions)}), which has no VPC endpoint: " +
                "with private networking on, the function runs in subnets without an internet path and the call would time out. " +
                $"Fix: add \"{key}\" to the mapping SDK service -> endpoint, VpcEndpointServices.ByKey (modules/Network/VpcEndpointServices.cs), " +
                "with its endpoint service name (com.amazonaws.<region>.<name>) and kind, or remove the call.");
        }

        var group = function.ConnectToVpc(new FunctionVpcPlacement(VpcId, SubnetIds, SubnetArns));
        var services = keys.Keys.Select(k => VpcEndpointServices.ByKey[k]).DistinctBy(e => e.Name).OrderBy(e => e.Name, StringComparer.Ordinal).ToList();
        var interfaces = false;
        foreach (var service in services)
        {
            switch (service.Kind)
            {
                case EndpointKind.Gateway:
                    var gateway = Endpoint(service, function);
                    function.DependOn(gateway);
                    var toGateway = new VpcSecurityGroupEgressRule(function, $"egress-{service.Name}", new VpcSecurityGroupEgressRuleConfig
                    {
                        SecurityGroupId = group.Id,
                        Description = $"HTTPS to {service.Name} through its gateway endpoint",
                        IpProtocol = "tcp",
                        FromPort = 443,
                        ToPort = 443,
                        PrefixListId = gateway.PrefixListId,
                    });
                    function.DependOn(toGateway);
                    break;
                case EndpointKind.Interface:
                    function.DependOn(Endpoint(service, function));
                    interfaces = true;
                    break;
                case EndpointKind.Collection:
                    if (_collectionEndpoint is null)
                    {
                        throw new ArgumentException($"{function.FunctionName} signs {string.Join(", ", service.IamPrefixes)} requests, but no collection VPC endpoint was registered. " +
                                                    "Fix: create the VectorCollection with PrivateEndpoint and call RegisterCollectionEndpoint before Connect.");
                    }

                    function.DependOn(_collectionEndpoint);
                    interfaces = true;
                    break;
            }
        }

        if (interfaces)
        {
            var toEndpoints = new VpcSecurityGroupEgressRule(function, "egress-endpoints", new VpcSecurityGroupEgressRuleConfig
            {
                SecurityGroupId = group.Id,
                Description = "HTTPS to the interface VPC endpoints",
                IpProtocol = "tcp",
                FromPort = 443,
                ToPort = 443,
                ReferencedSecurityGroupId = EndpointSecurityGroup.Id,
            });
            var fromFunction = new VpcSecurityGroupIngressRule(function, "endpoints-ingress", new VpcSecurityGroupIngressRuleConfig
            {
                SecurityGroupId = EndpointSecurityGroup.Id,
                Description = $"HTTPS from function {function.FunctionName}",
                IpProtocol = "tcp",
                FromPort = 443,
                ToPort = 443,
                ReferencedSecurityGroupId = group.Id,
            });
            function.DependOn(toEndpoints);
            function.DependOn(fromFunction);
        }

        if (Config.Settings.NatGateway)
        {
            var egress = new VpcSecurityGroupEgressRule(function, "egress-internet", new VpcSecurityGroupEgressRuleConfig
            {
                SecurityGroupId = group.Id,
                Description = "HTTPS to the internet through the NAT gateways (network.natGateway)",
                IpProtocol = "tcp",
                FromPort = 443,
                ToPort = 443,
                CidrIpv4 = "0.0.0.0/0",
            });
            function.DependOn(egress);
            PolicyExceptions.Except(egress, "FTF-NET-001",
                "The environment file asks for a NAT gateway (network.natGateway: true): the function may call HTTPS services outside the VPC.");
        }
    }

    // The endpoint of a service, created on first use; the function joins the roles its policy is rendered from.
    private VpcEndpoint Endpoint(EndpointService service, DotnetFunction user)
    {
        if (!_endpointUsers.TryGetValue(service.Name, out var users))
        {
            _endpointUsers[service.Name] = users = [];
        }

        users.Add(user);
        if (_endpoints.TryGetValue(service.Name, out var existing))
        {
            return existing;
        }

        var gateway = service.Kind == EndpointKind.Gateway;
        var endpoint = new VpcEndpoint(this, $"endpoint-{service.Name}", new VpcEndpointConfig
        {
            VpcId = VpcId,
            ServiceName = $"com.amazonaws.{Config.Target.Region}.{service.Name}",
            VpcEndpointType = gateway ? "Gateway" : "Interface",
            RouteTableIds = gateway ? _existingRouteTableIds ?? _routeTableIds.ToArray() : null,
            SubnetIds = gateway ? null : SubnetIds.ToArray(),
            SecurityGroupIds = gateway ? null : [EndpointSecurityGroup.Id],
            PrivateDnsEnabled = gateway ? null : true,
            Policy = Lazy.StringValue(new Producer(() => EndpointPolicy(service, users)), null),
            Tags = Named(service.Name),
        });
        _endpoints[service.Name] = endpoint;
        return endpoint;
    }

    /// <summary>
    /// The policy of <paramref name="service"/>'s endpoint: for each connected function using it, each statement of its
    /// execution role with actions of the service's prefixes, limited to those actions, on the same resources, for that role only.
    /// </summary>
    private static string EndpointPolicy(EndpointService service, IReadOnlyList<DotnetFunction> users)
    {
        var document = new PolicyDocument();
        foreach (var function in users)
        {
            var i = 0;
            var name = StatementIds.For(function.FunctionName, "", "");
            foreach (var statement in function.Role.Policy.Statements.Where(st => st.Effect == "Allow"))
            {
                var actions = statement.Actions.Where(a => service.IamPrefixes.Contains(a.Split(':')[0], StringComparer.Ordinal)).ToList();
                if (actions.Count == 0)
                {
                    continue;
                }

                document.Add(new PolicyStatement
                {
                    Sid = $"{name}{++i}",
                    Principal = PolicyPrincipal.Aws(function.RoleArn),
                    Actions = actions,
                    Resources = statement.Resources,
                });
            }
        }

        if (document.Statements.Count == 0)
        {
            throw new InvalidOperationException($"The {service.Name} endpoint allows nothing: no connected function's role grants a {string.Join("/", service.IamPrefixes)} action. Fix: grant the calls the code makes (GATE-IAM-002 lists them).");
        }

        return document.ToJson();
    }

    private void AddNatGateways(Vpc vpc, DataAwsAvailabilityZones zones)
    {
        var s = Config.Settings;
        var internet = new InternetGateway(this, "internet-gateway", new InternetGatewayConfig { VpcId = vpc.Id, Tags = Named("internet") });
        var publicRoutes = new RouteTable(this, "public-routes", new RouteTableConfig { VpcId = vpc.Id, Tags = Named("public") });
        _ = new Route(this, "public-default-route", new RouteConfig { RouteTableId = publicRoutes.Id, DestinationCidrBlock = "0.0.0.0/0", GatewayId = internet.Id });
        for (var i = 0; i < s.AvailabilityZones; i++)
        {
            // Public subnets take the slots after the private ones; they hold the NAT gateways only (no public addresses at launch).
            var subnet = new Subnet(this, $"public-{i}", new SubnetConfig
            {
                VpcId = vpc.Id,
                CidrBlock = SubnetCidr(s.Cidr!, s.AvailabilityZones + i),
                AvailabilityZone = $"${{{zones.Fqn}.names[{i}]}}",
                MapPublicIpOnLaunch = false,
                Tags = Named($"public-{i}"),
            });
            _ = new RouteTableAssociation(this, $"public-{i}-association", new RouteTableAssociationConfig { SubnetId = subnet.Id, RouteTableId = publicRoutes.Id });
            var address = new Eip(this, $"nat-{i}-address", new EipConfig { Domain = "vpc", Tags = Named($"nat-{i}"), DependsOn = [internet] });
            var nat = new NatGateway(this, $"nat-{i}", new NatGatewayConfig { AllocationId = address.AllocationId, SubnetId = subnet.Id, Tags = Named($"nat-{i}") });
            _ = new Route(this, $"private-{i}-default-route", new RouteConfig { RouteTableId = _routeTableIds[i], DestinationCidrBlock = "0.0.0.0/0", NatGatewayId = nat.Id });
        }
    }

    /// <summary>Subnet <paramref name="index"/> of the 16 equal parts of <paramref name="cidr"/> (Terraform's cidrsubnet(cidr, 4, index), computed at synth).</summary>
    public static string SubnetCidr(string cidr, int index)
    {
        var parts = cidr.Split('/');
        var prefix = int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture);
        var o = parts[0].Split('.').Select(x => uint.Parse(x, System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        var address = (o[0] << 24) | (o[1] << 16) | (o[2] << 8) | o[3];
        var size = prefix + 4;
        var subnet = address + ((uint)index << (32 - size));
        return $"{subnet >> 24}.{(subnet >> 16) & 255}.{(subnet >> 8) & 255}.{subnet & 255}/{size}";
    }

    private Dictionary<string, string> Named(string what) => new() { ["Name"] = Config.Target.ResourceName($"network-{what}") };

    private sealed class Producer : Amazon.JSII.Runtime.Deputy.DeputyBase, IStringProducer
    {
        private readonly Func<string> _produce;

        public Producer(Func<string> produce) => _produce = produce;

        public string? Produce(IResolveContext context) => _produce();
    }
}
