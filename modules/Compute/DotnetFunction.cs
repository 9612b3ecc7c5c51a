using Constructs;
using FraudTf.Config;
using FraudTf.Security;
using FraudTf.Streaming;

namespace FraudTf.Compute;

/// <summary>How a function without a dead-letter queue is invoked: synchronously, by <paramref name="Invoker"/>.</summary>
/// <param name="Invoker">The caller, e.g. "its Kinesis event source mapping".</param>
/// <param name="OnFailure">What the caller does with a failed invocation (completes "failures return to the caller, which ...").</param>
public sealed record SynchronousInvocation(string Invoker, string OnFailure)
{
    /// <summary>The reason recorded for the function's FTF-LAM-002 exception.</summary>
    public string Reason =>
        $"Invoked only synchronously by {Invoker}: a dead-letter queue applies to asynchronous invocations only (Lambda developer guide, " +
        $"\"Capturing records of asynchronous invocations\"); failures return to the caller, which {OnFailure}.";
}

/// <summary>Where a <see cref="DotnetFunction"/> runs in a VPC: the VPC and its private subnets (ids may be references).</summary>
/// <param name="VpcId">The VPC of the function's security group.</param>
/// <param name="SubnetIds">The private subnets Lambda puts the function's network interfaces in.</param>
/// <param name="SubnetArns">The same subnets' ARNs (the execution role may create network interfaces in them only).</param>
public sealed record FunctionVpcPlacement(string VpcId, IReadOnlyList<string> SubnetIds, IReadOnlyList<string> SubnetArns);

/// <summary>
/// Settings of a <see cref="DotnetFunction"/>: name, description, code, size, keys, log retention, account and region are
/// required, and either a dead-letter queue or who invokes it synchronously; the rest has documented defaults.
/// </summary>
public sealed record DotnetFunctionConfig
{
    /// <summary>Function name, e.g. <c>fraud-detection-stream-processor-dev</c> (a literal: <see cref="DotnetFunction.FunctionName"/> returns it).</summary>
    public required string FunctionName { get; init; }

    /// <summary>What the function does (shown in the console and the plan).</summary>
    public required string Description { get; init; }

    /// <summary>
    /// The function's built code (<see cref="FunctionArtifacts.For"/>, e.g. of <c>functions/StreamProcessor</c>): the zip
    /// shipped as a Terraform asset, its <c>source_code_hash</c>, and the AWS calls of its code.
    /// </summary>
    public required FunctionArtifact Code { get; init; }

    /// <summary>Handler, <c>Assembly::Namespace.Class::Method</c>. Default: <c>&lt;assembly&gt;::&lt;assembly&gt;.Function::Handler</c>.</summary>
    public string? Handler { get; init; }

    /// <summary>Memory, timeout and reserved concurrency.</summary>
    public required FunctionSettings Settings { get; init; }

    /// <summary>Environment variables: resource names only, never secrets (encrypted with <see cref="EnvironmentKey"/>). Default: none.</summary>
    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();

    /// <summary>Key encrypting the environment variables (the data key).</summary>
    public required EncryptionKey EnvironmentKey { get; init; }

    /// <summary>Key encrypting the log group (the logs key).</summary>
    public required EncryptionKey LogKey { get; init; }

    /// <summary>Retention of the log group, in days.</summary>
    public required int LogRetentionDays { get; init; }

    /// <summary>
    /// Dead-letter queue of failed asynchronous invocations, or null (the default) for a function that is never invoked
    /// asynchronously: Lambda uses <c>dead_letter_config</c> for asynchronous invocations only (Lambda developer guide,
    /// "Capturing records of asynchronous invocations"), so a synchronously invoked function or an event source
    /// mapping's target gets neither the setting nor the grant. Such a function says why in <see cref="SynchronousInvocation"/>
    /// (recorded as its FTF-LAM-002 exception).
    /// </summary>
    public EncryptedQueue? DeadLetterQueue { get; init; }

    /// <summary>
    /// For a function without <see cref="DeadLetterQueue"/>: who invokes it synchronously and what becomes of a failed
    /// invocation. Recorded on the function as the reason of its FTF-LAM-002 (CKV_AWS_116) exception. Required exactly
    /// when <see cref="DeadLetterQueue"/> is null. Default: none.
    /// </summary>
    public SynchronousInvocation? SynchronousInvocation { get; init; }

    /// <summary>
    /// AWS requests the code signs and sends itself, without an SDK client (e.g. the OpenSearch Serverless index setup):
    /// their IAM actions can't be read from the code, so they are declared here with their reason and added to the
    /// function's <c>sdk_calls</c>. Required exactly when the code uses a SigV4 signer of AWSSDK.Core. Default: none.
    /// </summary>
    public IReadOnlyList<SignedRequest> SignedRequests { get; init; } = [];

    /// <summary>
    /// Why the function has no error, duration and throttle alarms, or null (the default) for a function that has them.
    /// For a function whose failures surface elsewhere, e.g. one invoked only by Terraform during apply (the apply fails
    /// with its error). The stack's monitoring alarms on every function without this reason.
    /// </summary>
    public string? WithoutAlarms { get; init; }

    /// <summary>The account of the function (for ARNs and the role's trust policy).</summary>
    public required string AccountId { get; init; }

    /// <summary>Region of the function.</summary>
    public required string Region { get; init; }

    /// <summary>AWS partition. Default: <c>aws</c>.</summary>
    public string Partition { get; init; } = "aws";

    /// <summary>Lambda runtime. Default: <c>dotnet10</c>.</summary>
    public string Runtime { get; init; } = "dotnet10";
}

/// <summary>
/// A .NET Lambda function deploying a built artifact (<see cref="DotnetFunctionConfig.Code"/>: published and zipped by
/// <see cref="FraudTf.Compute.Build.FunctionBuilder"/> before any stack is created), shipped as a Terraform asset.
/// Each function has active X-Ray tracing, reserved concurrency, environment variables encrypted with the
/// customer-managed key, its own KMS-encrypted log group with retention, a dead-letter queue when it is invoked
/// asynchronously, and an execution role holding only what grants added (<see cref="Role"/>).
/// <para>The AWS calls of the code, read from the built assemblies (<see cref="FunctionArtifact.CodeCalls"/>), are written
/// on the function as <c>"//".sdk_calls</c>, so tests and the deployability gate check the role against them.</para>
/// </summary>
public sealed class DotnetFunction : Construct, IGrantee
{
    /// <summary>Creates the function from its built code, with its role and its log group.</summary>
    public DotnetFunction(Construct scope, string id, DotnetFunctionConfig config) : base(scope, id)
    {
        Validate(id, config);
        Config = config;
        var package = config.Code.Package;
        SdkCalls = DeclaredAndScanned(id, config, CodeCalls);
        var asset = new TerraformAsset(this, "code", new TerraformAssetConfig
        {
            Path = package.ZipPath,
            Type = AssetType.FILE,
        });

        LogGroup = new CloudwatchLogGroup(this, "logs", new CloudwatchLogGroupConfig
        {
            Name = $"/aws/lambda/{config.FunctionName}",
            RetentionInDays = config.LogRetentionDays,
            KmsKeyId = config.LogKey.KeyArn,
        });

        Role = new ServiceRole(this, "role", new ServiceRoleConfig
        {
            RoleName = config.FunctionName,
            ServicePrincipal = "lambda.amazonaws.com",
            AccountId = config.AccountId,
            Description = $"Execution role of {config.FunctionName}",
        });
        var logGroupArn = $"arn:{config.Partition}:logs:{config.Region}:{config.AccountId}:log-group:/aws/lambda/{config.FunctionName}";
        Role.Policy.Add(new PolicyStatement { Sid = "WriteOwnLogs", Actions = Permissions.LogsWrite, Resources = [$"{logGroupArn}:*"] });
        Role.Policy.Add(new PolicyStatement { Sid = "WriteTraces", Actions = Permissions.XRayWrite, Resources = ["*"] });
        // Lambda decrypts the environment variables with the execution role's credentials and the encryption context
        // aws:lambda:FunctionArn = the unqualified function ARN (seen in CloudTrail; research facts item 4). The ARN is
        // built from the name, not referenced, so the role does not depend on the function it serves.
        Role.Policy.Add(new PolicyStatement
        {
            Sid = "DecryptOwnEnvironment",
            Actions = ["kms:Decrypt"],
            Resources = [config.EnvironmentKey.KeyArn],
            Conditions = [new PolicyCondition("StringEquals", "kms:EncryptionContext:aws:lambda:FunctionArn", [UnqualifiedArn(config)])],
        });
        config.DeadLetterQueue?.GrantSendMessage(Role);

        var assembly = package.AssemblyName;
        Function = new LambdaFunction(this, "this", new LambdaFunctionConfig
        {
            FunctionName = config.FunctionName,
            Description = config.Description,
            Role = Role.RoleArn,
            Runtime = config.Runtime,
            Architectures = ["x86_64"],
            Handler = config.Handler ?? $"{assembly}::{assembly}.Function::Handler",
            Filename = asset.Path,
            SourceCodeHash = package.SourceBase64Sha256,
            MemorySize = config.Settings.MemoryMb,
            Timeout = config.Settings.TimeoutSeconds,
            ReservedConcurrentExecutions = config.Settings.ReservedConcurrency,
            TracingConfig = new LambdaFunctionTracingConfig { Mode = "Active" },
            DeadLetterConfig = config.DeadLetterQueue is null ? null : new LambdaFunctionDeadLetterConfig { TargetArn = config.DeadLetterQueue.QueueArn },
            KmsKeyArn = config.EnvironmentKey.KeyArn,
            Environment = config.Environment.Count == 0
                ? null
                : new LambdaFunctionEnvironment { Variables = new SortedDictionary<string, string>(config.Environment.ToDictionary(p => p.Key, p => p.Value), StringComparer.Ordinal) },
            LoggingConfig = new LambdaFunctionLoggingConfig { LogFormat = "JSON", LogGroup = LogGroup.Name },
            DependsOn = [LogGroup, Role.InlinePolicy],
        });
        Function.AddOverride("//.sdk_calls", SdkCalls.ToArray());
        if (config.SynchronousInvocation is { } sync)
        {
            FraudTf.Security.Policy.PolicyExceptions.Except(Function, "FTF-LAM-002", sync.Reason);
        }
    }

    /// <summary>
    /// Runs the function in private subnets (<c>vpc_config</c>) with a security group of its own (<see cref="SecurityGroup"/>,
    /// no rule: whoever connects the function adds its egress), and gives the execution role what Lambda needs to manage
    /// the function's network interfaces (Lambda developer guide, "Giving Lambda functions access to resources in an Amazon
    /// VPC", "Required IAM permissions"; the actions of the managed policy AWSLambdaVPCAccessExecutionRole without its logs
    /// actions): creating, deleting and re-addressing network interfaces of the account and region, in these subnets, with
    /// this group; and, in a policy of its own with a reasoned FTF-IAM-002 exception, the two Describe actions, which
    /// support no resource-level permission ("ec2:DescribeNetworkInterfaces – This action only works if it's allowed on all
    /// resources"). Call once.
    /// </summary>
    public SecurityGroup ConnectToVpc(FunctionVpcPlacement placement)
    {
        if (SecurityGroup is not null)
        {
            throw new InvalidOperationException($"DotnetFunction '{Node.Path}' is connected to a VPC already. Fix: call ConnectToVpc once.");
        }

        var c = Config;
        SecurityGroup = new SecurityGroup(this, "network", new SecurityGroupConfig
        {
            Name = c.FunctionName,
            Description = $"Function {c.FunctionName}: egress only to the VPC endpoints of the AWS APIs it calls",
            VpcId = placement.VpcId,
            Tags = new Dictionary<string, string> { ["Name"] = c.FunctionName },
        });
        Function.PutVpcConfig(new LambdaFunctionVpcConfig { SubnetIds = placement.SubnetIds.ToArray(), SecurityGroupIds = [SecurityGroup.Id] });
        var ec2 = $"arn:{c.Partition}:ec2:{c.Region}:{c.AccountId}";
        Role.Policy.Add(new PolicyStatement
        {
            Sid = "ManageOwnNetworkInterfaces",
            Actions = Permissions.LambdaVpcNetworkInterfaces,
            Resources = [$"{ec2}:network-interface/*", .. placement.SubnetArns, SecurityGroup.Arn],
        });
        var describe = new PolicyDocument().Add(new PolicyStatement
        {
            Sid = "DescribeNetworkInterfaces",
            Actions = Permissions.LambdaVpcDescribe,
            Resources = ["*"],
        });
        VpcDescribePolicy = new IamRolePolicy(this, "vpc-describe", new IamRolePolicyConfig
        {
            Name = "vpc-describe",
            Role = Role.Role.Id,
            Policy = describe.ToJson(),
        });
        FraudTf.Security.Policy.PolicyExceptions.Except(VpcDescribePolicy, "FTF-IAM-002",
            "Lambda describes the network interfaces and subnets of a VPC function with its execution role; ec2:DescribeNetworkInterfaces " +
            "and ec2:DescribeSubnets support no resource-level permission (Service Authorization Reference, Amazon EC2; Lambda developer guide, " +
            "\"Required IAM permissions\": DescribeNetworkInterfaces only works if allowed on all resources). Read-only, this policy holds nothing else.");
        // Lambda creates the network interfaces when it creates the function: both policies must exist first.
        DependOn(VpcDescribePolicy);
        return SecurityGroup;
    }

    /// <summary>
    /// Makes Terraform create <paramref name="resource"/> before the function (<c>depends_on</c>, by address: Fqn renders as an
    /// interpolation, which depends_on does not accept). For what the function needs at its first invocation, which may come
    /// during the same apply (an <c>aws_lambda_invocation</c>): its network path, e.g. VPC endpoints and security group rules.
    /// </summary>
    public void DependOn(TerraformResource resource) =>
        Function.DependsOn = [.. Function.DependsOn ?? [], $"{resource.TerraformResourceType}.{resource.FriendlyUniqueId}"];

    /// <summary>True: every function traces actively (<c>tracing_config.mode = "Active"</c>, CKV_AWS_50).</summary>
    public bool ActiveTracing => true;

    /// <summary>The function's security group once it runs in a VPC (<see cref="ConnectToVpc"/>); null otherwise.</summary>
    public SecurityGroup? SecurityGroup { get; private set; }

    /// <summary>The execution role's policy of the two Describe actions of a VPC function (<see cref="ConnectToVpc"/>); null otherwise.</summary>
    public IamRolePolicy? VpcDescribePolicy { get; private set; }

    /// <summary>What the scan of the function's own assemblies found (actions and the SDK members behind them).</summary>
    public SdkCallReport CodeCalls => Config.Code.CodeCalls;

    /// <summary>
    /// The IAM actions the code calls, sorted: the SDK calls read from its assemblies plus the declared
    /// <see cref="DotnetFunctionConfig.SignedRequests"/>. Written on the function as <c>"//".sdk_calls</c>.
    /// </summary>
    public IReadOnlyList<string> SdkCalls { get; }

    /// <summary>The function's unqualified ARN, built from its name (no reference to the function resource).</summary>
    public static string UnqualifiedArn(DotnetFunctionConfig config) =>
        $"arn:{config.Partition}:lambda:{config.Region}:{config.AccountId}:function:{config.FunctionName}";

    private static IReadOnlyList<string> DeclaredAndScanned(string id, DotnetFunctionConfig c, SdkCallReport scan)
    {
        if (scan.SignsRequestsItself && c.SignedRequests.Count == 0)
        {
            throw new ArgumentException($"DotnetFunction '{id}' ({c.FunctionName}): the code of {c.Code.ProjectPath} signs AWS requests itself (a SigV4 signer of AWSSDK.Core), " +
                "so their IAM actions can't be read from it. Fix: declare each request's action and reason in DotnetFunctionConfig.SignedRequests.");
        }

        if (!scan.SignsRequestsItself && c.SignedRequests.Count > 0)
        {
            throw new ArgumentException($"DotnetFunction '{id}' ({c.FunctionName}): SignedRequests declares {string.Join(", ", c.SignedRequests.Select(r => r.Action))}, " +
                $"but the code of {c.Code.ProjectPath} signs no request itself. Fix: drop the declaration (SDK client calls are read from the code).");
        }

        foreach (var r in c.SignedRequests.Where(r => !System.Text.RegularExpressions.Regex.IsMatch(r.Action, "^[a-z0-9-]+:[A-Za-z0-9]+$") || r.Reason.Trim().Length < 20))
        {
            throw new ArgumentException($"DotnetFunction '{id}': signed request '{r.Action}' needs an explicit action (service:Action, no wildcard) and a reason of at least 20 characters.");
        }

        return scan.Actions.Concat(c.SignedRequests.Select(r => r.Action)).Distinct().Order(StringComparer.Ordinal).ToList();
    }

    /// <summary>The settings the function was created with.</summary>
    public DotnetFunctionConfig Config { get; }

    /// <summary>The underlying <c>aws_lambda_function</c>.</summary>
    public LambdaFunction Function { get; }

    /// <summary>The execution role; grants add to <see cref="ServiceRole.Policy"/>.</summary>
    public ServiceRole Role { get; }

    /// <summary>The function's log group.</summary>
    public CloudwatchLogGroup LogGroup { get; }

    /// <summary>Function ARN (token).</summary>
    public string FunctionArn => Function.Arn;

    /// <summary>Function name: the configured literal (docs/security.md, "Names"); <c>Function.FunctionName</c> is the Terraform reference.</summary>
    public string FunctionName => Config.FunctionName;

    /// <summary>The function as a grantee: its execution role (grants go to <see cref="Role"/>'s policy).</summary>
    public string GranteeName => Role.GranteeName;

    /// <summary>The execution role's inline policy.</summary>
    public PolicyDocument Policy => Role.Policy;

    /// <summary>The execution role's ARN.</summary>
    public string RoleArn => Role.RoleArn;

    /// <summary>Invocations that failed (Sum per period).</summary>
    public FraudTf.Monitoring.Metric MetricErrors() => Lambda("Errors", "Sum", "errors");

    /// <summary>p99 duration in milliseconds.</summary>
    public FraudTf.Monitoring.Metric MetricDurationP99() => Lambda("Duration", "p99", "p99 duration (ms)");

    /// <summary>Average duration in milliseconds.</summary>
    public FraudTf.Monitoring.Metric MetricDurationAverage() => Lambda("Duration", "Average", "average duration (ms)");

    /// <summary>Invocations refused for lack of concurrency (Sum).</summary>
    public FraudTf.Monitoring.Metric MetricThrottles() => Lambda("Throttles", "Sum", "throttles");

    /// <summary>Invocations (Sum).</summary>
    public FraudTf.Monitoring.Metric MetricInvocations() => Lambda("Invocations", "Sum", "invocations");

    private FraudTf.Monitoring.Metric Lambda(string name, string statistic, string label) =>
        new("AWS/Lambda", name, new Dictionary<string, string> { ["FunctionName"] = Config.FunctionName }, statistic, $"{Node.Id} {label}");

    private static void Validate(string id, DotnetFunctionConfig c)
    {
        void Fail(string message) => throw new ArgumentException($"DotnetFunction '{id}' ({c.FunctionName}): {message}");
        if (c.FunctionName.Length > 64)
        {
            Fail($"the name has {c.FunctionName.Length} characters. Fix: Lambda allows at most 64.");
        }

        if (c.Settings.MemoryMb is < 128 or > 10240)
        {
            Fail($"MemoryMb = {c.Settings.MemoryMb}. Fix: use 128 to 10240.");
        }

        if (c.Settings.TimeoutSeconds is < 1 or > 900)
        {
            Fail($"TimeoutSeconds = {c.Settings.TimeoutSeconds}. Fix: use 1 to 900.");
        }

        if (c.Settings.ReservedConcurrency < 1)
        {
            Fail($"ReservedConcurrency = {c.Settings.ReservedConcurrency}: 0 would stop the function. Fix: use at least 1.");
        }

        if ((c.DeadLetterQueue is null) == (c.SynchronousInvocation is null))
        {
            Fail(c.DeadLetterQueue is null
                ? "neither DeadLetterQueue nor SynchronousInvocation is set. Fix: give the dead-letter queue of a function invoked asynchronously, or say who invokes it synchronously (SynchronousInvocation)."
                : "both DeadLetterQueue and SynchronousInvocation are set. Fix: a function invoked asynchronously has a dead-letter queue; one invoked only synchronously has none.");
        }

        foreach (var name in c.Environment.Keys.Where(k => !System.Text.RegularExpressions.Regex.IsMatch(k, "^[A-Za-z][A-Za-z0-9_]*$")))
        {
            Fail($"environment variable name '{name}' is invalid. Fix: letters, digits and underscores, starting with a letter.");
        }
    }
}
