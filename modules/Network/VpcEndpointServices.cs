namespace FraudTf.Network;

/// <summary>How a VPC reaches an AWS API privately.</summary>
public enum EndpointKind
{
    /// <summary>A gateway endpoint (<c>aws_vpc_endpoint</c> of type Gateway): routes in the private route tables to the service's prefix list; no charge.</summary>
    Gateway,

    /// <summary>An interface endpoint (<c>aws_vpc_endpoint</c> of type Interface, AWS PrivateLink): a network interface per subnet, private DNS on.</summary>
    Interface,

    /// <summary>The knowledge base collection's OpenSearch Serverless VPC endpoint (<c>aws_opensearchserverless_vpc_endpoint</c>), made by the collection.</summary>
    Collection,
}

/// <summary>The VPC endpoint of one AWS API.</summary>
/// <param name="Name">The endpoint service name after <c>com.amazonaws.&lt;region&gt;.</c>, e.g. <c>sqs</c>; also the endpoint's construct id.</param>
/// <param name="Kind">Gateway, interface or the collection's endpoint.</param>
/// <param name="IamPrefixes">The IAM service prefixes of the actions made through it: the functions' role statements of these prefixes become its endpoint policy.</param>
public sealed record EndpointService(string Name, EndpointKind Kind, IReadOnlyList<string> IamPrefixes);

/// <summary>
/// The one mapping from what a function calls to the VPC endpoint that carries the call, used by <see cref="PrivateNetwork"/>.
/// Keys: the AWS SDK for .NET namespace of a client the code calls (as <see cref="FraudTf.Compute.SdkCallScanner"/> reads it,
/// e.g. <c>Amazon.SQS</c>), <c>signed:&lt;iam action&gt;</c> for requests the code signs itself
/// (<see cref="FraudTf.Compute.DotnetFunctionConfig.SignedRequests"/>), and <see cref="Tracing"/> for what the Lambda runtime
/// sends for a function with active tracing. A function that calls a key missing here fails synth with networking on.
/// Endpoint service names: AWS PrivateLink guide, "AWS services that integrate with AWS PrivateLink"; gateway endpoints
/// exist for S3 and DynamoDB only (VPC guide, "Gateway endpoints").
/// </summary>
public static class VpcEndpointServices
{
    /// <summary>The key of the runtime's own traffic for a function with active X-Ray tracing.</summary>
    public const string Tracing = "runtime:xray";

    /// <summary>The endpoint of each key.</summary>
    public static readonly IReadOnlyDictionary<string, EndpointService> ByKey = new SortedDictionary<string, EndpointService>(StringComparer.Ordinal)
    {
        ["Amazon.DynamoDBv2"] = new("dynamodb", EndpointKind.Gateway, ["dynamodb"]),
        ["Amazon.S3"] = new("s3", EndpointKind.Gateway, ["s3"]),
        ["Amazon.SQS"] = new("sqs", EndpointKind.Interface, ["sqs"]),
        ["Amazon.KeyManagementService"] = new("kms", EndpointKind.Interface, ["kms"]),
        ["Amazon.CloudWatchLogs"] = new("logs", EndpointKind.Interface, ["logs"]),
        ["Amazon.CloudWatch"] = new("monitoring", EndpointKind.Interface, ["cloudwatch"]),
        ["Amazon.SimpleNotificationService"] = new("sns", EndpointKind.Interface, ["sns"]),
        ["Amazon.Kinesis"] = new("kinesis-streams", EndpointKind.Interface, ["kinesis"]),
        ["Amazon.EventBridge"] = new("events", EndpointKind.Interface, ["events"]),
        ["Amazon.CloudWatchEvents"] = new("events", EndpointKind.Interface, ["events"]),
        ["Amazon.BedrockRuntime"] = new("bedrock-runtime", EndpointKind.Interface, ["bedrock"]),
        ["Amazon.BedrockAgent"] = new("bedrock-agent", EndpointKind.Interface, ["bedrock"]),
        ["Amazon.BedrockAgentRuntime"] = new("bedrock-agent-runtime", EndpointKind.Interface, ["bedrock"]),
        // Requests the code signs itself, by action: the index setup's to the collection endpoint, the sync's to Agents for
        // Amazon Bedrock (StartIngestionJob is an API of bedrock-agent.<region>.amazonaws.com).
        ["signed:aoss:APIAccessAll"] = new("aoss-collection", EndpointKind.Collection, ["aoss"]),
        ["signed:bedrock:StartIngestionJob"] = new("bedrock-agent", EndpointKind.Interface, ["bedrock"]),
        // Lambda emits the function's own segment itself, but the X-Ray daemon it runs inside the execution environment
        // relays the segments of the function's process to the X-Ray API, and AWS does not document that this relay bypasses
        // the function's VPC network interface: the X-Ray endpoint (X-Ray developer guide, "Using AWS X-Ray with interface VPC
        // endpoints") keeps tracing working without an internet path. See docs/networking.md.
        [Tracing] = new("xray", EndpointKind.Interface, ["xray"]),
    };

    /// <summary>
    /// The keys of what a function calls: the SDK namespaces behind its scanned actions (<c>"Assembly: Namespace.Type::Method"</c>
    /// evidence; a paginator's <c>.Model</c> namespace is its service's), <c>signed:&lt;action&gt;</c> of its signed requests, and
    /// <see cref="Tracing"/> when it traces actively. Each with the actions that need it, for messages.
    /// </summary>
    public static IReadOnlyDictionary<string, IReadOnlyList<string>> KeysOf(
        IReadOnlyDictionary<string, IReadOnlyList<string>> evidence, IEnumerable<string> signedActions, bool activeTracing)
    {
        var result = new SortedDictionary<string, SortedSet<string>>(StringComparer.Ordinal);
        void Add(string key, string action)
        {
            if (!result.TryGetValue(key, out var set))
            {
                result[key] = set = new SortedSet<string>(StringComparer.Ordinal);
            }

            set.Add(action);
        }

        foreach (var (action, members) in evidence)
        {
            foreach (var member in members)
            {
                Add(NamespaceOf(member), action);
            }
        }

        foreach (var action in signedActions)
        {
            Add($"signed:{action}", action);
        }

        if (activeTracing)
        {
            Add(Tracing, "xray:PutTraceSegments");
        }

        return result.ToDictionary(p => p.Key, p => (IReadOnlyList<string>)p.Value.ToList(), StringComparer.Ordinal);
    }

    /// <summary>The SDK namespace of one evidence line, <c>Assembly: Amazon.SQS.IAmazonSQS::SendMessageAsync</c> → <c>Amazon.SQS</c>.</summary>
    public static string NamespaceOf(string evidence)
    {
        var member = evidence[(evidence.IndexOf(": ", StringComparison.Ordinal) + 2)..];
        var type = member.Split("::")[0];
        var ns = type[..Math.Max(0, type.LastIndexOf('.'))];
        return ns.EndsWith(".Model", StringComparison.Ordinal) ? ns[..^".Model".Length] : ns;
    }
}
