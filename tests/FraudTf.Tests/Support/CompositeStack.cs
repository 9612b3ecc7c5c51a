using System.Text.Json.Nodes;
using FraudTf.Compute;
using FraudTf.Config;
using FraudTf.Security;
using FraudTf.Storage;
using FraudTf.Streaming;

namespace FraudTf.Tests.Support;

/// <summary>
/// A fresh stack for the tests of one composite construct: the leaf constructs a composite wires (keys, tables and
/// buckets, streams, queue, topic, functions), created on demand under a target whose prefix is not the platform's
/// (<c>acme-&lt;name&gt;-qa</c>), so a hard-coded name shows. The config sections come from the real dev environment.
/// </summary>
public sealed class CompositeStack
{
    /// <summary>Where the composites deploy: prefix <c>acme</c>, environment <c>qa</c>.</summary>
    public static readonly DeploymentTarget Target = new() { NamePrefix = "acme", Environment = "qa", AccountId = "111111111111", Region = "eu-west-1" };

    private FraudStorage? _storage;
    private DataStream? _eventsStream;
    private EncryptedQueue? _deadLetterQueue;
    private EncryptedTopic? _alertsTopic;
    private DotnetFunction? _alertHandler;
    private DotnetFunction? _streamProcessor;
    private FraudEvents? _events;

    /// <summary>Creates the stack and the environment's three keys.</summary>
    public CompositeStack()
    {
        Stack = new TerraformStack(new App(), "test");
        DataKey = Key("data");
        LogKey = Key("logs");
        MessagingKey = Key("messaging");
    }

    /// <summary>The real dev environment (its config sections feed the composites).</summary>
    public static EnvironmentConfig Dev { get; } = EnvironmentConfigLoader.LoadAll(Repo.EnvironmentsDir).Single(c => c.Environment == "dev");

    /// <summary>The stack.</summary>
    public TerraformStack Stack { get; }

    /// <summary>The data key.</summary>
    public EncryptionKey DataKey { get; }

    /// <summary>The logs key.</summary>
    public EncryptionKey LogKey { get; }

    /// <summary>The messaging key.</summary>
    public EncryptionKey MessagingKey { get; }

    /// <summary>The settings of the storage composite under <see cref="Target"/>.</summary>
    public FraudStorageConfig StorageConfig => new()
    {
        Target = Target,
        DataKey = DataKey,
        Protection = Dev.Protection,
        Retention = Dev.Retention,
        QuarantineExpirationDays = Dev.Scoring.TransactionTtlDays,
        KnowledgeBaseWriters = Dev.Writers.KnowledgeBase,
    };

    /// <summary>The tables and buckets (created once).</summary>
    public FraudStorage Storage => _storage ??= new FraudStorage(Stack, "storage", StorageConfig);

    /// <summary>The events stream (created once).</summary>
    public DataStream EventsStream => _eventsStream ??= new DataStream(Stack, "events-stream", new DataStreamConfig
    {
        StreamName = Target.ResourceName("events"),
        Key = DataKey,
        Region = Target.Region,
        RetentionHours = 24,
    });

    /// <summary>The dead-letter queue (created once).</summary>
    public EncryptedQueue DeadLetterQueue => _deadLetterQueue ??= new EncryptedQueue(Stack, "dlq", new EncryptedQueueConfig
    {
        QueueName = Target.ResourceName("dlq"),
        Key = MessagingKey,
        Region = Target.Region,
    });

    /// <summary>The alerts topic (created once).</summary>
    public EncryptedTopic AlertsTopic => _alertsTopic ??=
        new EncryptedTopic(Stack, "alerts-topic", new EncryptedTopicConfig
        {
            TopicName = Target.ResourceName("alerts"),
            Key = MessagingKey,
            AccountId = Target.AccountId,
            Partition = Target.Partition,
            Notifications = Dev.Notifications.Alerts,
        });

    /// <summary>The alert handler, on the dead-letter queue (created once).</summary>
    public DotnetFunction AlertHandler => _alertHandler ??= Function("alert-handler", "functions/AlertHandler");

    /// <summary>The stream processor (created once).</summary>
    public DotnetFunction StreamProcessor => _streamProcessor ??= Function("stream-processor", "functions/StreamProcessor");

    /// <summary>The events composite over <see cref="Storage"/>'s tables (created once).</summary>
    public FraudEvents Events => _events ??= new FraudEvents(Stack, "events", EventsConfig);

    // Alike on purpose: wired as FraudDetectionStack wires the app's events composite, so its tests see the app's wiring.
    /// <summary>The settings of the events composite, wired to this stack's leaves.</summary>
    public FraudEventsConfig EventsConfig => new()
    {
        Target = Target,
        Transactions = Storage.Transactions,
        Decisions = Storage.Decisions,
        EventsStream = EventsStream,
        AlertHandler = AlertHandler,
        AlertsTopic = AlertsTopic,
        DeadLetterQueue = DeadLetterQueue,
        DecisionProducers = [StreamProcessor.Role],
    };

    /// <summary>The stack's Terraform JSON.</summary>
    public JsonObject Synth() => JsonNode.Parse(Testing.Synth(Stack))!.AsObject();

    // A function <prefix>-<id>-<env> of a real function folder, invoked asynchronously (on the dead-letter queue).
    private DotnetFunction Function(string id, string project) => new(Stack, id, new DotnetFunctionConfig
    {
        FunctionName = Target.ResourceName(id),
        Description = id,
        Code = FraudTf.Tests.Support.Synth.Functions.For(project),
        Settings = new FunctionSettings { MemoryMb = 256, TimeoutSeconds = 30, ReservedConcurrency = 1 },
        EnvironmentKey = DataKey,
        LogKey = LogKey,
        LogRetentionDays = 7,
        DeadLetterQueue = DeadLetterQueue,
        AccountId = Target.AccountId,
        Region = Target.Region,
    });

    private EncryptionKey Key(string name) =>
        new(Stack, $"{name}-key", new EncryptionKeyConfig { AliasName = Target.ResourceName(name), Description = name, AccountId = Target.AccountId });
}
