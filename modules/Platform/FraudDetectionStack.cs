using Constructs;
using FraudTf.Functions.Shared.Metrics;
using FraudTf.Functions.Shared.Settings;
using FraudTf.Security.Policy;

namespace FraudTf.Platform;

/// <summary>
/// The fraud-detection platform of one environment (<c>fraud-detection-&lt;env&gt;</c>), with its own remote state:
/// S3 backend at <c>fraud-detection/&lt;env&gt;/terraform.tfstate</c>, encrypted with the environment's state key,
/// locked by both the DynamoDB lock table and S3 native locking (<c>use_lockfile</c>, Terraform &gt;= 1.10).
/// The state bucket, key and lock table come from the environment's <see cref="StateBootstrapStack"/>.
/// </summary>
public sealed class FraudDetectionStack : TerraformStack
{
    private readonly FunctionArtifacts _functions;

    /// <summary>
    /// Creates the stack for <paramref name="config"/>, deploying the functions' built code from <paramref name="functions"/>.
    /// <paramref name="repoRoot"/> is where the agent's instruction and documents are read from (never written into the output).
    /// </summary>
    public FraudDetectionStack(Construct scope, EnvironmentConfig config, FunctionArtifacts functions, string repoRoot) : base(scope, config.StackName)
    {
        CheckSizedFunctions(config, functions);
        Config = config;
        _functions = functions;
        Backend = new S3Backend(this, new S3BackendConfig
        {
            Bucket = config.State.Bucket,
            Key = config.State.Key,
            Region = config.State.Region,
            Encrypt = true,
            // An alias name (accepted by Terraform >= 1.10): the key id is only known after the bootstrap deploy.
            KmsKeyId = config.State.KmsKeyAlias,
            // Obsolete in CDK Terrain 0.24 (which has a typed use_lockfile) but still what this backend writes on both CDKs.
#pragma warning disable CS0618
            DynamodbTable = config.State.LockTable,
#pragma warning restore CS0618
        });
        // CDKTF 0.21's S3BackendConfig has no use_lockfile; S3 native locking is added as a plain override.
        AddOverride("terraform.backend.s3.use_lockfile", true);
        Provider = AwsProviderDefaults.Create(this, config);
        Keys = new PlatformKeys(this, "keys", new PlatformKeysConfig
        {
            NamePrefix = config.NamePrefix,
            Environment = config.Environment,
            AccountId = config.AccountId,
            Region = config.Region,
            Partition = config.Partition,
        });
        Storage = new FraudStorage(this, "storage", new FraudStorageConfig
        {
            Target = config.Target,
            DataKey = Keys.Data,
            Protection = config.Protection,
            Retention = config.Retention,
            QuarantineExpirationDays = config.Scoring.TransactionTtlDays,
            KnowledgeBaseWriters = config.Writers.KnowledgeBase,
        });

        // Private networking (network block, off when absent): the VPC and the endpoints' security group come first, so the
        // knowledge base's collection can put its VPC endpoint in it; the functions are connected once they all exist.
        Network = config.Network is null ? null : new FraudTf.Network.PrivateNetwork(this, "network", new FraudTf.Network.PrivateNetworkConfig
        {
            Target = config.Target,
            Settings = config.Network,
        });

        // Streaming: the transactions stream feeds the stream processor; table streams become events on the bus.
        TransactionsStream = new DataStream(this, "transactions-stream", new DataStreamConfig
        {
            StreamName = config.ResourceName("transactions"),
            Key = Keys.Data,
            Region = config.Region,
            RetentionHours = config.Streaming.TransactionsRetentionHours,
        });
        EventsStream = new DataStream(this, "events-stream", new DataStreamConfig
        {
            StreamName = config.ResourceName("events"),
            Key = Keys.Data,
            Region = config.Region,
            RetentionHours = config.Streaming.EventsRetentionHours,
        });
        DeadLetterQueue = new EncryptedQueue(this, "dlq", new EncryptedQueueConfig
        {
            QueueName = config.ResourceName("dlq"),
            Key = Keys.Messaging,
            Region = config.Region,
        });
        AlertsTopic = new EncryptedTopic(this, "alerts-topic", new EncryptedTopicConfig
        {
            TopicName = config.ResourceName("alerts"),
            Key = Keys.Messaging,
            AccountId = config.AccountId,
            Partition = config.Partition,
            Notifications = config.Notifications.Alerts,
        });

        // Alike on purpose: each function's environment is spelled out in full (the FunctionEnvironment names its code reads),
        // so what a function is told is read at its definition; the functions share names, not a list.
        StreamProcessor = Function("stream-processor", "functions/StreamProcessor",
            "Scores every transaction of the transactions stream", new Dictionary<string, string>
            {
                [FunctionEnvironment.TransactionsTable] = Storage.Transactions.Config.TableName,
                [FunctionEnvironment.DecisionsTable] = Storage.Decisions.Config.TableName,
                [FunctionEnvironment.UserProfilesTable] = Storage.UserProfiles.Config.TableName,
                [FunctionEnvironment.PatternsTable] = Storage.Patterns.Config.TableName,
                [FunctionEnvironment.DeadLetterQueueUrl] = DeadLetterQueue.QueueUrl,
                [FunctionEnvironment.QuarantineBucket] = Storage.Quarantine.Config.BucketName,
                [FunctionEnvironment.Environment] = config.Environment,
                [FunctionEnvironment.PatternCacheSeconds] = config.Scoring.PatternCacheSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
                [FunctionEnvironment.TransactionTtlDays] = config.Scoring.TransactionTtlDays.ToString(System.Globalization.CultureInfo.InvariantCulture),
                [FunctionEnvironment.ScoringRules] = System.Text.Json.JsonSerializer.Serialize(config.Scoring.RuleOverrides),
            }, deadLetterQueue: null, new SynchronousInvocation("its Kinesis event source mapping",
                "retries the batch (bisected, until the configured attempts or record age) and then writes the whole invocation record, with the batch's data, to the mapping's on-failure destination, the failed-batches bucket (make redrive re-publishes it)"));
        // Exactly what functions/StreamProcessor calls (its "//".sdk_calls): TransactionStore reads with BatchGetItem,
        // GetItem and Query, and saves with one TransactWriteItems of a Put (transactions), a Put (decisions) and an
        // Update (user profile: only what its learning writes, ProfileAttributes.Learned); Quarantine sends unprocessable records to the DLQ,
        // and puts those too large for a message under the quarantine bucket's prefix.
        Storage.Transactions.Grant(StreamProcessor, TableAccess.BatchGetItem | TableAccess.Query | TableAccess.PutItem);
        Storage.Decisions.Grant(StreamProcessor, TableAccess.PutItem);
        Storage.UserProfiles.Grant(StreamProcessor, TableAccess.GetItem | TableAccess.BatchGetItem | TableAccess.UpdateItem,
            FraudTf.Functions.Shared.Tables.ProfileAttributes.Learned);
        Storage.Patterns.Grant(StreamProcessor, TableAccess.Query);
        DeadLetterQueue.GrantSendMessage(StreamProcessor);
        Storage.Quarantine.GrantPutObjects(StreamProcessor, FraudStorage.QuarantinePrefix);
        // The metrics its code emits (one contract with functions/Shared/Metrics), for the offline gate's alarm check.
        DeclareEmittedMetrics(StreamProcessor, PlatformMetrics.StreamProcessor);
        TransactionsSource = new KinesisEventSource(this, "transactions-to-stream-processor", new KinesisEventSourceConfig
        {
            Stream = TransactionsStream,
            Function = StreamProcessor,
            OnFailure = Storage.FailedBatches,
            AccountId = config.AccountId,
            BatchSize = config.Streaming.BatchSize,
            BatchingWindowSeconds = config.Streaming.BatchingWindowSeconds,
            ParallelizationFactor = config.Streaming.ParallelizationFactor,
            MaximumRetryAttempts = config.Streaming.MaximumRetryAttempts,
            MaximumRecordAgeSeconds = config.Streaming.MaximumRecordAgeSeconds,
        });

        AlertHandler = Function("alert-handler", "functions/AlertHandler",
            "Writes decision trails and audit records for FraudDetected events", new Dictionary<string, string>
            {
                [FunctionEnvironment.DecisionTrailsBucket] = Storage.DecisionTrails.Config.BucketName,
                [FunctionEnvironment.AuditLogsBucket] = Storage.AuditLogs.Config.BucketName,
                [FunctionEnvironment.UserProfilesTable] = Storage.UserProfiles.Config.TableName,
                [FunctionEnvironment.TransactionsTable] = Storage.Transactions.Config.TableName,
                [FunctionEnvironment.DecisionsTable] = Storage.Decisions.Config.TableName,
                [FunctionEnvironment.DeadLetterQueueUrl] = DeadLetterQueue.QueueUrl,
                [FunctionEnvironment.Environment] = config.Environment,
                [FunctionEnvironment.TransactionTtlDays] = config.Scoring.TransactionTtlDays.ToString(System.Globalization.CultureInfo.InvariantCulture),
            }, DeadLetterQueue, null);
        // Exactly what functions/AlertHandler calls: GetItem of the event's marker (decisions) and of the transaction,
        // PutObject of the trail and the audit record, UpdateItem of the profile's alert fields, PutItem of the marker
        // (keys, user, time and TTL only: it can never write a decision), SendMessage of malformed events to the DLQ.
        Storage.DecisionTrails.GrantPutObjects(AlertHandler, FraudStorage.TrailsPrefix);
        Storage.AuditLogs.GrantPutObjects(AlertHandler, FraudStorage.AuditPrefix);
        Storage.UserProfiles.Grant(AlertHandler, TableAccess.UpdateItem, ["flagged", "lastAlertAt", "lastAlertTransactionId", "alertCount"]);
        Storage.Transactions.Grant(AlertHandler, TableAccess.GetItem);
        Storage.Decisions.Grant(AlertHandler, TableAccess.GetItem | TableAccess.PutItem,
            [FraudTf.Functions.Shared.Tables.DecisionAttributes.UserId, FraudTf.Functions.Shared.Tables.DecisionAttributes.DecidedAt,
                FraudTf.Functions.Shared.Tables.CommonAttributes.ExpiresAt]);
        DeadLetterQueue.GrantSendMessage(AlertHandler);
        DeclareEmittedMetrics(AlertHandler, PlatformMetrics.AlertHandler);

        Events = new FraudEvents(this, "events", new FraudEventsConfig
        {
            Target = config.Target,
            Transactions = Storage.Transactions,
            Decisions = Storage.Decisions,
            EventsStream = EventsStream,
            AlertHandler = AlertHandler,
            AlertsTopic = AlertsTopic,
            DeadLetterQueue = DeadLetterQueue,
            DecisionProducers = [StreamProcessor.Role],
        });

        Analyst = new FraudTf.Agent.FraudAnalystAgent(this, "analyst", new FraudTf.Agent.FraudAnalystAgentConfig
        {
            Target = config.Target,
            Settings = config.Agent,
            ToolsSize = config.Functions.For("AgentTools"),
            KnowledgeBaseSetupSize = config.Functions.For("KnowledgeBaseSetup"),
            SourceFile = config.SourceFile,
            LogRetentionDays = config.Retention.LogRetentionDays,
            TransactionTtlDays = config.Scoring.TransactionTtlDays,
            RepoRoot = repoRoot,
            ToolsCode = functions.For("functions/AgentTools"),
            KnowledgeBaseSetupCode = functions.For("functions/KnowledgeBaseSetup"),
            Storage = Storage,
            DataKey = Keys.Data,
            LogKey = Keys.Logs,
            CollectionEndpoint = Network?.CollectionPlacement,
        });
        if (Network is not null)
        {
            Network.RegisterCollectionEndpoint(Analyst.KnowledgeBase.Collection.VpcEndpoint!);
            // Every function of the stack, in the order it was created: in the private subnets, with its endpoints.
            foreach (var function in Node.FindAll().OfType<DotnetFunction>())
            {
                Network.Connect(function);
            }
        }

        Monitoring = new FraudTf.Monitoring.FraudMonitoring(this, "monitoring", new FraudTf.Monitoring.FraudMonitoringConfig
        {
            Target = config.Target,
            Tier = config.Tier,
            Thresholds = config.Monitoring,
            AlarmNotifications = config.Notifications.Alarms,
            MessagingKey = Keys.Messaging,
            // Every function of the stack, in the order it was created, but those that say why they need no alarms.
            Functions = Node.FindAll().OfType<DotnetFunction>().Where(f => f.Config.WithoutAlarms is null).ToList(),
            Streams = [TransactionsStream, EventsStream],
            // The events stream is a fan-out point for consumers outside this stack (replay, model training): none
            // reads it here, so no iterator-age alarm (it would never get a data point); each consumer alarms on its own lag.
            ConsumedStreams = [TransactionsStream],
            Tables = Storage.Tables,
            DeadLetterQueue = DeadLetterQueue,
            Events = Events,
            StreamProcessor = StreamProcessor,
            FailedBatches = new FraudTf.Monitoring.FailedBatchesWatch(Storage.FailedBatches, FraudStorage.FailedBatchesFilterId),
        });

        RestrictWriters(config);
        SecurityPolicyAspect.Apply(this);
    }

    /// <summary>
    /// The inputs the scorer and the agent trust accept writes only from their writers, whatever IAM policies the
    /// account holds: the roles each table and stream granted a write (in the order of their grants, so every grant
    /// above comes first), then <c>writers.*</c> of the config for the writers outside the stack. A new writer needs only
    /// its grant to be let in; name it in the table's text too, which tells reviewers why each writer writes (<c>"//".writers</c>).
    /// </summary>
    private void RestrictWriters(EnvironmentConfig config)
    {
        Storage.Transactions.RestrictWritesToGrantees([],
            "the stream processor (transactions), the agent tools (profileLearnedAt when an analyst's approval teaches the profile)");
        Storage.Decisions.RestrictWritesToGrantees([],
            "the stream processor (automated decisions), the alert handler (handled-event markers), the agent tools (analyst decisions)");
        Storage.UserProfiles.RestrictWritesToGrantees([],
            "the stream processor (behaviour), the alert handler (alert counts) and the agent tools (behaviour, when an analyst approves a REVIEW)");
        Storage.Patterns.RestrictWritesToGrantees(config.Writers.Patterns, "writers.patterns of the environment file");
        TransactionsStream.RestrictWritesToGrantees(config.Writers.Transactions, "writers.transactions of the environment file (the producers)");
        EventsStream.RestrictWritesToGrantees([], "the EventBridge rules' role");
    }

    /// <summary>The environment's private network (VPC, subnets, endpoints), or null when the environment file has no <c>network</c> block.</summary>
    public FraudTf.Network.PrivateNetwork? Network { get; }

    /// <summary>The AI fraud analyst: Bedrock agent, guardrail, tools, knowledge base and alias.</summary>
    public FraudTf.Agent.FraudAnalystAgent Analyst { get; }

    /// <summary>Alarms, dashboard, metric filters and tracing.</summary>
    public FraudTf.Monitoring.FraudMonitoring Monitoring { get; }

    /// <summary>Kinesis stream of incoming transactions (48 h by default).</summary>
    public DataStream TransactionsStream { get; }

    /// <summary>Kinesis stream of platform events (24 h by default).</summary>
    public DataStream EventsStream { get; }

    /// <summary>The environment's dead-letter queue, <c>fraud-detection-dlq-&lt;env&gt;</c>.</summary>
    public EncryptedQueue DeadLetterQueue { get; }

    /// <summary>SNS topic notified of FraudDetected events.</summary>
    public EncryptedTopic AlertsTopic { get; }

    /// <summary>The stream processor function.</summary>
    public DotnetFunction StreamProcessor { get; }

    /// <summary>The transactions stream → stream processor mapping.</summary>
    public KinesisEventSource TransactionsSource { get; }

    /// <summary>The alert handler function.</summary>
    public DotnetFunction AlertHandler { get; }

    /// <summary>Event bus, pipes, rules and targets.</summary>
    public FraudEvents Events { get; }

    // "//".emits_metrics: the embedded-metric-format metrics the function's code emits (namespace, name, sorted dimension keys).
    private static void DeclareEmittedMetrics(DotnetFunction function, IReadOnlyList<EmittedMetric> metrics) =>
        function.Function.AddOverride("//.emits_metrics", metrics.Select(m => new Dictionary<string, object>
        {
            ["namespace"] = PlatformMetrics.Namespace,
            ["name"] = m.Name,
            ["dimensions"] = m.Dimensions.Order(StringComparer.Ordinal).ToArray(),
        }).ToArray());

    // A platform function <prefix>-<id>-<env> deploying the code built from projectDir (a folder under functions/), sized
    // by the environment's settings of that folder (FunctionsConfig: by convention, no config change for a new function).
    private DotnetFunction Function(string id, string projectDir, string description,
        IReadOnlyDictionary<string, string> environment, EncryptedQueue? deadLetterQueue, SynchronousInvocation? synchronous) =>
        new(this, id, new DotnetFunctionConfig
        {
            FunctionName = Config.ResourceName(id),
            Description = description,
            Code = _functions.For(projectDir),
            Settings = Config.Functions.For(Path.GetFileName(projectDir)),
            Environment = environment,
            EnvironmentKey = Keys.Data,
            LogKey = Keys.Logs,
            LogRetentionDays = Config.Retention.LogRetentionDays,
            DeadLetterQueue = deadLetterQueue,
            SynchronousInvocation = synchronous,
            AccountId = Config.AccountId,
            Region = Config.Region,
            Partition = Config.Partition,
        });

    // Every function the environment file sizes is a function folder of the repository (a misspelt field would size nothing).
    private static void CheckSizedFunctions(EnvironmentConfig config, FunctionArtifacts functions)
    {
        var folders = functions.All.Select(a => Path.GetFileName(a.ProjectPath)).ToHashSet(StringComparer.Ordinal);
        foreach (var folder in config.Functions.ByFolder.Keys.Where(f => !folders.Contains(f)).Order(StringComparer.Ordinal))
        {
            static string Field(string f) => $"functions.{char.ToLowerInvariant(f[0])}{f[1..]}";
            var near = folders.Where(f => ConfigReader.Distance(f, folder) <= 3).Order(StringComparer.Ordinal).FirstOrDefault();
            var hint = near is null ? "" : $"did you mean '{Field(near)}'? ";
            throw new ArgumentException($"{config.SourceFile}: field '{Field(folder)}' sizes functions/{folder}, which is no function folder " +
                                        $"(have: {string.Join(", ", folders.Order(StringComparer.Ordinal))}). Fix: {hint}name the function's folder in camelCase, or remove the field.");
        }
    }

    /// <summary>The environment's customer-managed keys.</summary>
    public PlatformKeys Keys { get; }

    /// <summary>Tables and buckets.</summary>
    public FraudStorage Storage { get; }

    /// <summary>The environment this stack deploys.</summary>
    public EnvironmentConfig Config { get; }

    /// <summary>The S3 backend holding this environment's state.</summary>
    public S3Backend Backend { get; }

    /// <summary>The AWS provider (region, allowed accounts, default tags).</summary>
    public AwsProvider Provider { get; }
}
