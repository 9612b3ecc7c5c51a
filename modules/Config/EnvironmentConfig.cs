namespace FraudTf.Config;

// Alike on purpose: the config model is one record per section of the file, each of documented required init
// properties that the loader always fills (defaults included), so every setting is read and documented the same way.
/// <summary>
/// The validated settings of one deployment environment, loaded from <c>environments/&lt;env&gt;.json</c> (one file per
/// environment: a new file is a new environment) by <see cref="EnvironmentConfigLoader"/>. Constructs receive it (or the part
/// they need) from <c>main.cs</c>; they never read files or environment variables themselves.
/// </summary>
public sealed record EnvironmentConfig
{
    /// <summary>Environment name: the name of its file, <c>environments/&lt;env&gt;.json</c> (see <see cref="EnvironmentConfigLoader.EnvironmentNameRule"/>).</summary>
    public required string Environment { get; init; }

    /// <summary>
    /// What the environment is for (<c>tier</c>, required): it chooses the default of every setting the file leaves out,
    /// so no default depends on the environment's name. See <see cref="EnvironmentTier"/>.
    /// </summary>
    public required EnvironmentTier Tier { get; init; }

    /// <summary>
    /// The environment this one's build is promoted to next (<c>promotesTo</c>), or null for the last environment of its
    /// promotion chain. The loader orders the environments along these links; the deploy of a production-tier environment
    /// must ship what the environment promoting to it received (the promotion guard, tools/Promotion).
    /// </summary>
    public string? PromotesTo { get; init; }

    /// <summary>The file this config came from, relative to the repository root (used in messages).</summary>
    public required string SourceFile { get; init; }

    /// <summary>The 12-digit AWS account the environment is deployed to.</summary>
    public required string AccountId { get; init; }

    /// <summary>The AWS region the environment is deployed to, e.g. <c>us-east-1</c>.</summary>
    public required string Region { get; init; }

    /// <summary>Accounts the AWS provider may act on (<c>allowed_account_ids</c>); always contains <see cref="AccountId"/>.</summary>
    public required IReadOnlyList<string> AllowedAccountIds { get; init; }

    /// <summary>Prefix of every resource name: names are <c>&lt;prefix&gt;-&lt;name&gt;-&lt;env&gt;</c>. Default <c>fraud-detection</c>.</summary>
    public required string NamePrefix { get; init; }

    /// <summary>Cost centre written into the <c>cost-centre</c> default tag.</summary>
    public required string CostCentre { get; init; }

    /// <summary>Extra default tags on every resource (the reserved keys project, environment, managed-by and cost-centre excluded).</summary>
    public required IReadOnlyDictionary<string, string> Tags { get; init; }

    /// <summary>Where this environment's Terraform state lives.</summary>
    public required StateConfig State { get; init; }

    /// <summary>Retention periods of logs and data.</summary>
    public required RetentionConfig Retention { get; init; }

    /// <summary>Protection of stateful resources against deletion.</summary>
    public required ProtectionConfig Protection { get; init; }

    /// <summary>Size and limits of each Lambda function, by its folder under <c>functions/</c>.</summary>
    public required FunctionsConfig Functions { get; init; }

    /// <summary>The traffic the environment is sized and costed for (read by tools/Cost, not by the stack).</summary>
    public required TrafficConfig Traffic { get; init; }

    /// <summary>Kinesis retention and the stream processor's event source mapping.</summary>
    public required StreamingConfig Streaming { get; init; }

    /// <summary>The stream processor's scoring rules and data retention.</summary>
    public required ScoringConfig Scoring { get; init; }

    /// <summary>Alarm thresholds.</summary>
    public required MonitoringConfig Monitoring { get; init; }

    /// <summary>Who receives the alarm topic's and the alerts topic's messages.</summary>
    public required NotificationsConfig Notifications { get; init; }

    /// <summary>The fraud-analyst Bedrock agent and its knowledge base.</summary>
    public required AgentConfig Agent { get; init; }

    /// <summary>Who may write the trusted inputs (transactions stream, patterns table, knowledge-base documents).</summary>
    public required WritersConfig Writers { get; init; }

    /// <summary>
    /// Private networking (<c>network</c>): the functions in private subnets of a VPC, a VPC endpoint for every AWS API they
    /// call and a knowledge-base collection reachable only through its VPC endpoint. Default: null (off: the functions run
    /// outside any VPC and the collection's endpoint is public, as its recorded FTF-AOSS-002 exception explains).
    /// </summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public NetworkConfig? Network { get; init; }

    /// <summary>Where the environment deploys and how its resources are named (what the composite constructs take).</summary>
    [System.Text.Json.Serialization.JsonIgnore] // its values are the fields above (the promotion tool serializes the config)
    public DeploymentTarget Target => new() { NamePrefix = NamePrefix, Environment = Environment, AccountId = AccountId, Region = Region };

    /// <summary>The AWS partition of <see cref="Region"/>: <c>aws</c>, or <c>aws-us-gov</c> for GovCloud regions.</summary>
    public string Partition => Target.Partition;

    /// <summary>ARN of the account's root principal (the account itself, in resource policies).</summary>
    public string AccountRootArn => Target.AccountRootArn;

    /// <summary>The stack name of this environment: <c>&lt;prefix&gt;-&lt;env&gt;</c>.</summary>
    public string StackName => Target.StackName;

    /// <summary>The name of a resource of this environment: <c>&lt;prefix&gt;-&lt;name&gt;-&lt;env&gt;</c>.</summary>
    public string ResourceName(string name) => Target.ResourceName(name);

    /// <summary>The tags applied to every resource through the provider's <c>default_tags</c>.</summary>
    public IReadOnlyDictionary<string, string> DefaultTags
    {
        get
        {
            var tags = new SortedDictionary<string, string>(StringComparer.Ordinal)
            {
                ["project"] = NamePrefix,
                ["environment"] = Environment,
                ["managed-by"] = "cdktf",
                ["cost-centre"] = CostCentre,
            };
            foreach (var (k, v) in Tags)
            {
                tags[k] = v;
            }

            return tags;
        }
    }
}

/// <summary>Remote state of one environment: an S3 bucket with a DynamoDB lock table and S3 native locking.</summary>
public sealed record StateConfig
{
    /// <summary>The state bucket (created by the environment's bootstrap stack).</summary>
    public required string Bucket { get; init; }

    /// <summary>Region of the state bucket and lock table. Default: the environment's region.</summary>
    public required string Region { get; init; }

    /// <summary>The DynamoDB lock table (created by the bootstrap stack). Default: <c>&lt;prefix&gt;-tflock-&lt;env&gt;</c>.</summary>
    public required string LockTable { get; init; }

    /// <summary>The state object key: <c>&lt;prefix&gt;/&lt;env&gt;/terraform.tfstate</c>.</summary>
    public required string Key { get; init; }

    /// <summary>Alias of the KMS key that encrypts the state objects. Default: <c>alias/&lt;prefix&gt;-tfstate-&lt;env&gt;</c>.</summary>
    public required string KmsKeyAlias { get; init; }
}

/// <summary>Retention periods, in days.</summary>
public sealed record RetentionConfig
{
    /// <summary>Retention of the Lambda functions' CloudWatch log groups. Default 30 days (365 in the production tier).</summary>
    public required int LogRetentionDays { get; init; }

    /// <summary>Object Lock default retention of the audit-logs bucket, after which audit objects expire. Default 365.</summary>
    public required int AuditLogRetentionDays { get; init; }

    /// <summary>Days until decision trails expire. Default 2555 (7 years).</summary>
    public required int DecisionTrailExpirationDays { get; init; }

    /// <summary>Days until superseded model artifacts (noncurrent versions) expire. Default 90.</summary>
    public required int ModelNoncurrentVersionExpirationDays { get; init; }

    /// <summary>Days until S3 server access logs expire. Default 90 (365 in the production tier).</summary>
    public required int AccessLogExpirationDays { get; init; }

    /// <summary>
    /// Days the failed-batches bucket keeps the invocation records of discarded batches (with their data) before they
    /// expire: the time operators have to fix the cause and run <c>make redrive</c>. Default 30 (7 to 36500).
    /// </summary>
    public int FailedBatchExpirationDays { get; init; } = 30;
}

/// <summary>Protection of stateful resources (tables and data buckets).</summary>
public sealed record ProtectionConfig
{
    /// <summary>DynamoDB deletion protection plus Terraform <c>prevent_destroy</c> on tables and data buckets. Default true in the production tier, false in the others.</summary>
    public required bool DeletionProtection { get; init; }

    /// <summary>Object Lock mode of the audit-logs bucket: COMPLIANCE (nobody can shorten it; default in the production tier) or GOVERNANCE (default in the others).</summary>
    public required string AuditLogLockMode { get; init; }
}

/// <summary>
/// Size and limits of every Lambda function, keyed by the function's folder under <c>functions/</c> (<c>StreamProcessor</c>
/// for functions/StreamProcessor). By convention a function's settings are <c>functions.&lt;folder in camelCase&gt;</c> of the
/// environment file (the agent's two keep their place in <c>agent</c>), and a function the file does not size gets its
/// tier's defaults: its own where <see cref="EnvironmentConfigLoader.FunctionSizes"/> lists them, else <see cref="Standard"/>.
/// A new function therefore needs no change here.
/// </summary>
public sealed record FunctionsConfig
{
    /// <summary>The settings the file gives or the loader's table defaults, by function folder name.</summary>
    public required IReadOnlyDictionary<string, FunctionSettings> ByFolder { get; init; }

    /// <summary>The tier's standard size, for every function not in <see cref="ByFolder"/>. Default 256 MB, 30 s, 5 concurrent (production tier 512 MB, 30 s, 20).</summary>
    public required FunctionSettings Standard { get; init; }

    /// <summary>The settings of the function in <c>functions/&lt;folder&gt;</c>.</summary>
    public FunctionSettings For(string folder) => ByFolder.TryGetValue(folder, out var settings) ? settings : Standard;

    /// <summary>Equal when the standard size and every function's settings are.</summary>
    public bool Equals(FunctionsConfig? other) =>
        other is not null && Standard == other.Standard && ByFolder.Count == other.ByFolder.Count
        && ByFolder.All(f => other.ByFolder.TryGetValue(f.Key, out var settings) && settings == f.Value);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Standard, ByFolder.Count);
}

/// <summary>Kinesis retention and how the stream processor reads the transactions stream.</summary>
public sealed record StreamingConfig
{
    /// <summary>Retention of the transactions stream in hours. Default 48.</summary>
    public required int TransactionsRetentionHours { get; init; }

    /// <summary>Retention of the events stream in hours. Default 24.</summary>
    public required int EventsRetentionHours { get; init; }

    /// <summary>Records per invocation (1-10000). Default 100.</summary>
    public required int BatchSize { get; init; }

    /// <summary>Seconds to gather a batch before invoking (0-300). Default 1.</summary>
    public required int BatchingWindowSeconds { get; init; }

    /// <summary>Concurrent batches per shard (1-10). Default 2 (production tier 4).</summary>
    public required int ParallelizationFactor { get; init; }

    /// <summary>
    /// Retries of a failing batch before Lambda discards it to the on-failure bucket: -1 (the default) retries until the
    /// records reach <see cref="MaximumRecordAgeSeconds"/>, or 0 to 10000. Unbounded is safe because the stream processor
    /// throws only for transient errors (a permanent problem of one record is quarantined and the batch goes on); a batch
    /// that keeps failing blocks its shard until its records reach the maximum age (the iterator-age alarm fires first).
    /// </summary>
    public required int MaximumRetryAttempts { get; init; }

    /// <summary>
    /// Records older than this (60 s to the transactions stream's retention, at most 604800 s) are discarded with their
    /// batch to the on-failure bucket (with the batch's data). Default: <see cref="DefaultRecordAge"/>.
    /// </summary>
    public required int MaximumRecordAgeSeconds { get; init; }

    /// <summary>The largest <c>maximum_record_age_in_seconds</c> the Lambda API accepts (7 days).</summary>
    public const int MaximumRecordAgeLimit = 604800;

    /// <summary>
    /// The default record age for a stream kept <paramref name="retentionHours"/>: the retention less one hour, at most
    /// <see cref="MaximumRecordAgeLimit"/>. An outage of up to the retention then loses nothing: the failing batch is
    /// discarded, with its data, to the on-failure bucket an hour before Kinesis may trim its records.
    /// </summary>
    public static int DefaultRecordAge(int retentionHours) => (int)Math.Min(((long)retentionHours - 1) * 3600, MaximumRecordAgeLimit);
}

/// <summary>Size and limits of one function, from the environment config.</summary>
public sealed record AgentConfig
{
    /// <summary>Foundation model id of the agent, e.g. <c>anthropic.claude-sonnet-4-5-20250929-v1:0</c>.</summary>
    public required string FoundationModel { get; init; }

    /// <summary>
    /// Cross-region inference profile the agent calls instead of the model itself, e.g.
    /// <c>us.anthropic.claude-sonnet-4-5-20250929-v1:0</c>; empty to call the model directly (only for models offered
    /// on demand in the region). Current Claude models are offered through inference profiles only.
    /// </summary>
    public required string InferenceProfile { get; init; }

    /// <summary>Regions the inference profile routes to (the agent role may invoke the model there only).</summary>
    public required IReadOnlyList<string> InferenceProfileRegions { get; init; }

    /// <summary>The agent's instruction, a text file relative to the repository root.</summary>
    public required string InstructionFile { get; init; }

    /// <summary>Seconds a session stays alive without interaction (60-3600). Default 600 (production tier 900).</summary>
    public required int IdleSessionTtlSeconds { get; init; }

    /// <summary>Embedding model of the knowledge base, e.g. <c>amazon.titan-embed-text-v2:0</c>.</summary>
    public required string EmbeddingModel { get; init; }

    /// <summary>Vector dimensions the embedding model produces (Titan v2: 256, 512 or 1024).</summary>
    public required int EmbeddingDimensions { get; init; }

    /// <summary>Folder of the knowledge base's source documents, relative to the repository root.</summary>
    public required string KnowledgeBaseDocuments { get; init; }

    /// <summary>OpenSearch Serverless standby replicas (a second availability zone; doubles the minimum OCUs). Default true in the production tier, false in the others.</summary>
    public required bool StandbyReplicas { get; init; }

}

/// <summary>
/// The <c>network</c> block: either a VPC this stack creates (<see cref="Cidr"/>, <see cref="AvailabilityZones"/>,
/// <see cref="NatGateway"/>) or an existing one (<see cref="VpcId"/>, <see cref="SubnetIds"/>); exactly one of the two shapes.
/// </summary>
public sealed record NetworkConfig
{
    /// <summary>IPv4 CIDR of the VPC to create (/16 to /24), e.g. <c>10.20.0.0/16</c>; null for an existing VPC.</summary>
    public string? Cidr { get; init; }

    /// <summary>Availability zones of a created VPC: one private subnet in each (2-6). Default 2; 0 for an existing VPC.</summary>
    public int AvailabilityZones { get; init; }

    /// <summary>
    /// A created VPC with a NAT gateway per zone (public subnets, an internet gateway) and HTTPS egress to the internet from
    /// the functions. Default false: no internet path at all, every AWS API the functions call has a VPC endpoint.
    /// </summary>
    public bool NatGateway { get; init; }

    /// <summary>The existing VPC (<c>vpc-</c> and 8 or 17 hex digits); null when the stack creates one.</summary>
    public string? VpcId { get; init; }

    /// <summary>The existing VPC's private subnets the functions and endpoints use (at least 2, distinct); empty when the stack creates the VPC.</summary>
    public IReadOnlyList<string> SubnetIds { get; init; } = [];

    /// <summary>True when the stack creates the VPC (<see cref="Cidr"/> given), false when it uses <see cref="VpcId"/>.</summary>
    public bool CreatesVpc => Cidr is not null;

    /// <summary>Equal when every setting is (the subnet ids in order).</summary>
    public bool Equals(NetworkConfig? other) =>
        other is not null && Cidr == other.Cidr && AvailabilityZones == other.AvailabilityZones && NatGateway == other.NatGateway
        && VpcId == other.VpcId && SubnetIds.SequenceEqual(other.SubnetIds);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Cidr, AvailabilityZones, NatGateway, VpcId, SubnetIds.Count);
}

/// <summary>Memory, timeout and concurrency of one Lambda function.</summary>
public sealed record FunctionSettings
{
    /// <summary>Memory in MB (128-10240); CPU scales with it.</summary>
    public required int MemoryMb { get; init; }

    /// <summary>Timeout in seconds (1-900).</summary>
    public required int TimeoutSeconds { get; init; }

    /// <summary>Reserved concurrency: the most instances that may run at once (and a guaranteed share of the account's pool).</summary>
    public required int ReservedConcurrency { get; init; }
}

/// <summary>
/// The stream processor's scoring settings. <see cref="RuleOverrides"/> holds only what the environment file sets
/// (camelCase names of the function's ScoringRules); everything else keeps the function's defaults, which live in
/// one place (functions/Shared/Scoring/ScoringRules.cs); modules/Config/ScoringConfigLoader.cs validates them.
/// </summary>
public sealed record ScoringConfig
{
    /// <summary>Rule settings given in the environment file, passed to the function as SCORING_RULES (JSON).</summary>
    public required IReadOnlyDictionary<string, object> RuleOverrides { get; init; }

    /// <summary>How long the active fraud patterns are cached in the function, in seconds. Default 60.</summary>
    public required int PatternCacheSeconds { get; init; }

    /// <summary>Days transactions and decisions are kept (DynamoDB TTL). Default 90 (production tier 365).</summary>
    public required int TransactionTtlDays { get; init; }
}

/// <summary>Alarm thresholds (per environment).</summary>
public sealed record MonitoringConfig
{
    /// <summary>Function errors per minute that raise the alarm. Default 1.</summary>
    public required int FunctionErrors { get; init; }

    /// <summary>p99 duration, as a fraction of the function's timeout, that raises the alarm. Default 0.8.</summary>
    public required double FunctionP99DurationOfTimeout { get; init; }

    /// <summary>Throttled invocations per minute that raise the alarm. Default 1.</summary>
    public required int FunctionThrottles { get; init; }

    /// <summary>Kinesis iterator age (ms) that raises the alarm. Default 60000 (production tier 30000).</summary>
    public required int IteratorAgeMilliseconds { get; init; }

    /// <summary>Throttled Kinesis writes or DynamoDB requests per minute that raise the alarms. Default 1.</summary>
    public required int Throttles { get; init; }

    /// <summary>Messages in the dead-letter queue that raise the alarm. Default 1.</summary>
    public required int DeadLetters { get; init; }

    /// <summary>FraudDetected decisions per 5 minutes that count as a spike. Default 50 (production tier 500).</summary>
    public required int FraudSpikePer5Minutes { get; init; }

    /// <summary>p99 of the stream processor's batch latency (ms) that raises the alarm. Default 2000.</summary>
    public required int ProcessingLatencyP99Milliseconds { get; init; }

    /// <summary>Rejected records per 5 minutes that raise the alarm. Default 10 (production tier 100).</summary>
    public required int RejectedRecordsPer5Minutes { get; init; }
}

/// <summary>
/// The traffic profile of an environment: what the cost and capacity report (tools/Cost) assumes. Volumes come from
/// the averages, capacity checks from the peak; retention, memory, batch sizes and the like come from the stack itself.
/// </summary>
public sealed record TrafficConfig
{
    /// <summary>Transactions per second on average over a month. Default 1 (preproduction tier 10, production tier 100).</summary>
    public required double AverageTps { get; init; }

    /// <summary>Transactions per second at the busiest minute. Default 5 (preproduction tier 50, production tier 500); at least the average.</summary>
    public required double PeakTps { get; init; }

    /// <summary>Average size of one transaction record on the stream, in bytes (the contract allows 16384). Default 600.</summary>
    public required int RecordSizeBytes { get; init; }

    /// <summary>Share of transactions decided REVIEW or DECLINE, i.e. that become FraudDetected events (0-1). Default 0.02.</summary>
    public required double FraudRate { get; init; }

    /// <summary>Users with a behaviour profile (rows of the user-profiles table). Default 1000 (preproduction tier 50000, production tier 5000000).</summary>
    public required int ActiveUsers { get; init; }

    /// <summary>Analyst sessions with the Bedrock agent per day. Default 20 (preproduction tier 50, production tier 500).</summary>
    public required int AgentSessionsPerDay { get; init; }

    /// <summary>Questions (turns) per agent session. Default 4.</summary>
    public required int AgentTurnsPerSession { get; init; }

    /// <summary>Model input tokens per turn, all orchestration steps together (instruction, tool schemas, history, retrieved text). Default 15000.</summary>
    public required int AgentInputTokensPerTurn { get; init; }

    /// <summary>Model output tokens per turn, all orchestration steps together. Default 800.</summary>
    public required int AgentOutputTokensPerTurn { get; init; }

    /// <summary>Calls of the agent-tools function per turn. Default 2.</summary>
    public required int AgentToolCallsPerTurn { get; init; }

    /// <summary>Knowledge-base retrievals per turn. Default 1.</summary>
    public required int KnowledgeBaseQueriesPerTurn { get; init; }

    /// <summary>Size of the knowledge base's source documents, in megabytes. Default 5.</summary>
    public required double KnowledgeBaseMegabytes { get; init; }
}

/// <summary>
/// The subscribers of the environment's two topics: the alarm topic (<c>&lt;prefix&gt;-alarms-&lt;env&gt;</c>, CloudWatch
/// alarm and OK notifications) and the alerts topic (<c>&lt;prefix&gt;-alerts-&lt;env&gt;</c>, FraudDetected events).
/// </summary>
public sealed record NotificationsConfig
{
    /// <summary>Subscribers of the alarm topic (<c>notifications.alarms</c>).</summary>
    public required TopicNotifications Alarms { get; init; }

    /// <summary>Subscribers of the alerts topic (<c>notifications.alerts</c>).</summary>
    public required TopicNotifications Alerts { get; init; }
}

/// <summary>
/// The subscriptions of one topic, or why it has none. Exactly one of the two is given: a topic without subscribers
/// delivers nothing, so leaving it unsubscribed takes a written reason.
/// </summary>
public sealed record TopicNotifications
{
    /// <summary>The subscriptions, in config order; empty only together with <see cref="UnsubscribedReason"/>.</summary>
    public required IReadOnlyList<TopicSubscription> Subscriptions { get; init; }

    /// <summary>Why the topic has no subscription (at least 20 characters); null when it has subscriptions.</summary>
    public string? UnsubscribedReason { get; init; }
}

/// <summary>One subscriber of a topic.</summary>
/// <param name="Name">
/// Stable id of the subscription (lowercase letters, digits and hyphens): it names the Terraform resource, so an endpoint
/// can change without the address changing and environments that use the same names compare block by block.
/// </param>
/// <param name="Protocol">One of <see cref="Protocols"/>.</param>
/// <param name="Endpoint">An e-mail address, an https:// URL, an SQS queue ARN or a Lambda function ARN, by protocol.</param>
public sealed record TopicSubscription(string Name, string Protocol, string Endpoint)
{
    /// <summary>The SNS protocols FraudTf subscribes: e-mail, HTTPS, SQS and Lambda.</summary>
    public static readonly IReadOnlyList<string> Protocols = ["email", "https", "sqs", "lambda"];
}
