using Constructs;
using FraudTf.Functions.Shared.Events;
using FraudTf.Functions.Shared.Tables;

namespace FraudTf.Streaming;

// Alike on purpose: every construct of modules/ takes one settings record (required, then defaulted init properties,
// each documented) and exposes its Config, underlying resources and their ARNs the same way (issue 17's construct API).
/// <summary>What <see cref="FraudEvents"/> connects.</summary>
public sealed record FraudEventsConfig
{
    /// <summary>Names (<c>&lt;prefix&gt;-&lt;name&gt;-&lt;env&gt;</c>), account, region and partition of the bus, pipes, rules and roles.</summary>
    public required DeploymentTarget Target { get; init; }

    /// <summary>Source of TransactionReceived events (its stream).</summary>
    public required DataTable Transactions { get; init; }

    /// <summary>Source of FraudDetected events (its stream).</summary>
    public required DataTable Decisions { get; init; }

    /// <summary>Kinesis stream receiving every platform event (for replay and downstream consumers).</summary>
    public required DataStream EventsStream { get; init; }

    /// <summary>Function handling FraudDetected events.</summary>
    public required DotnetFunction AlertHandler { get; init; }

    /// <summary>Topic notified of FraudDetected events.</summary>
    public required EncryptedTopic AlertsTopic { get; init; }

    /// <summary>Dead-letter queue of the pipes and of every rule target.</summary>
    public required EncryptedQueue DeadLetterQueue { get; init; }

    /// <summary>
    /// The roles allowed to write decision rows that match the decisions pipe's filter, i.e. to raise alerts (the stream
    /// processor's). Recorded on the pipe as <c>"//".event_producers</c> for the deployability gate; every other writer of
    /// the decisions table must be kept from writing <see cref="AutomatedDecision.ProducerAttribute"/>.
    /// </summary>
    public required IReadOnlyList<ServiceRole> DecisionProducers { get; init; }
}

/// <summary>
/// Turns table changes into events without any hand-written API call: an EventBridge Pipe per source table stream
/// (filtered, with its detail-type set) puts events on the environment's custom bus, and rules route them:
/// <list type="bullet">
/// <item><c>TransactionReceived</c> (every new transaction) → the events stream;</item>
/// <item><c>FraudDetected</c> (a new automated decision of REVIEW or DECLINE) → the alert handler, the alerts topic and
/// the events stream.</item>
/// </list>
/// Every pipe and target has bounded retries and the dead-letter queue; the Lambda permission, topic policy and
/// queue policy are restricted to the rule or pipe ARNs, and the pipe and EventBridge roles trust their service only on
/// behalf of their own pipe or rules (<c>aws:SourceArn</c>).
/// <para>
/// Only the platform writes to the bus: its resource policy (<see cref="BusPolicy"/>) denies <c>events:PutEvents</c> to
/// every principal but the two pipes' roles (<c>aws:PrincipalArn</c>; an explicit Deny in a resource policy overrides any
/// IAM Allow, so an administrator or another function of the account cannot put a forged FraudDetected event), and each
/// rule's pattern also requires the environment's account (<c>"account"</c>, the account of the PutEvents caller), so an
/// event from another account never matches even if the policy is later widened.
/// </para>
/// <para>
/// The pipes start at TRIM_HORIZON, so records written before a pipe runs (first deploy, a replaced pipe) still become
/// events; a replaced pipe therefore re-sends up to the stream's 24 hours, and consumers are idempotent on the stream
/// record's eventID (<c>recordId</c> in the detail). Each pipe forwards only the fields of its contract
/// (<see cref="FraudDetectedDetail"/>, <see cref="TransactionReceivedDetail"/>), never the whole DynamoDB image; the
/// alerts topic gets a short alert built by an input transformer.
/// </para>
/// </summary>
public sealed class FraudEvents : Construct
{
    /// <summary>Event source of TransactionReceived events.</summary>
    public const string TransactionsSource = PlatformEvents.TransactionsSource;

    /// <summary>Event source of FraudDetected events.</summary>
    public const string DecisionsSource = PlatformEvents.DecisionsSource;

    /// <summary>Detail-type of a new transaction.</summary>
    public const string TransactionReceived = PlatformEvents.TransactionReceived;

    /// <summary>Detail-type of a transaction decided REVIEW or DECLINE.</summary>
    public const string FraudDetected = PlatformEvents.FraudDetected;

    /// <summary>Where the pipes start reading their table streams (records written before the pipe runs are not lost).</summary>
    public const string StartingPosition = "TRIM_HORIZON";

    /// <summary>Creates the bus, pipes, rules and targets.</summary>
    public FraudEvents(Construct scope, string id, FraudEventsConfig c) : base(scope, id)
    {
        var env = c.Target;
        Bus = new CloudwatchEventBus(this, "bus", new CloudwatchEventBusConfig
        {
            Name = env.ResourceName("bus"),
            Description = $"Fraud-detection events of {env.Environment}",
        });

        if (c.DecisionProducers.Count == 0)
        {
            throw new ArgumentException("FraudEvents: DecisionProducers is empty. Fix: pass the role of the function that writes AUTOMATED decisions (the stream processor's).");
        }

        TransactionsPipe = Pipe("transactions-pipe", env.ResourceName("transaction-received"), c.Transactions, c.DeadLetterQueue,
            TransactionsSource, TransactionReceived, TransactionReceivedDetail.InputTemplate,
            new { eventName = new[] { "INSERT" } }, env);
        DecisionsPipe = Pipe("decisions-pipe", env.ResourceName("fraud-detected"), c.Decisions, c.DeadLetterQueue,
            DecisionsSource, FraudDetected, FraudDetectedDetail.InputTemplate,
            new
            {
                eventName = new[] { "INSERT" },
                dynamodb = new
                {
                    NewImage = new Dictionary<string, object>
                    {
                        [DecisionAttributes.DecisionKey] = new { S = new[] { AutomatedDecision.DecisionKeyValue } },
                        [AutomatedDecision.Decision] = new { S = AutomatedDecision.AlertingDecisions },
                        // Only the stream processor writes it: a decision row from any other writer never becomes an alert.
                        [AutomatedDecision.ProducerAttribute] = new { S = new[] { new { exists = true } } },
                    },
                },
            }, env);
        DecisionsPipe.AddOverride("//.event_producers", c.DecisionProducers.Select(r => r.RoleArn).ToArray());

        // The bus accepts events only from the pipes (their roles call PutEvents on the bus).
        BusPolicy = new CloudwatchEventBusPolicy(this, "bus-policy", new CloudwatchEventBusPolicyConfig
        {
            EventBusName = Bus.Name,
            Policy = new PolicyDocument().Add(new PolicyStatement
            {
                Sid = "OnlyThePipesPutEvents",
                Effect = "Deny",
                Principal = PolicyPrincipal.Everyone,
                Actions = Permissions.EventsPut,
                Resources = [Bus.Arn],
                Conditions = [new PolicyCondition("ArnNotEquals", "aws:PrincipalArn", PipeRoles.Select(r => r.RoleArn).ToArray())],
            }).ToJson(),
        });

        Pipes = [new EventPipe("transaction-received", env.ResourceName("transaction-received")), new EventPipe("fraud-detected", env.ResourceName("fraud-detected"))];
        TransactionReceivedRule = Rule("transaction-received-rule", env.ResourceName("transaction-received"),
            EventPattern(TransactionsSource, TransactionReceived, env.AccountId), "Every new transaction, to the events stream");
        FraudDetectedRule = Rule("fraud-detected-rule", env.ResourceName("fraud-detected"),
            EventPattern(DecisionsSource, FraudDetected, env.AccountId), "Transactions decided REVIEW or DECLINE: alert handler, alerts topic, events stream");

        // EventBridge writes into the (KMS-encrypted) events stream with its own role, only on behalf of the two rules.
        EventsRole = new ServiceRole(this, "events-role", new ServiceRoleConfig
        {
            RoleName = env.ResourceName("events-to-kinesis"),
            ServicePrincipal = "events.amazonaws.com",
            AccountId = env.AccountId,
            Description = "Lets EventBridge rules put events into the events stream",
            SourceArns = [RuleArn(env, env.ResourceName("transaction-received")), RuleArn(env, env.ResourceName("fraud-detected"))],
        });
        c.EventsStream.GrantWrite(EventsRole);

        var retry = new CloudwatchEventTargetRetryPolicy { MaximumEventAgeInSeconds = 3600, MaximumRetryAttempts = 8 };
        var dlq = new CloudwatchEventTargetDeadLetterConfig { Arn = c.DeadLetterQueue.QueueArn };
        CloudwatchEventTarget StreamTarget(string targetId, CloudwatchEventRule rule) => new(this, targetId, new CloudwatchEventTargetConfig
        {
            Rule = rule.Name,
            EventBusName = Bus.Name,
            TargetId = "events-stream",
            Arn = c.EventsStream.StreamArn,
            RoleArn = EventsRole.RoleArn,
            KinesisTarget = new CloudwatchEventTargetKinesisTarget { PartitionKeyPath = "$.id" },
            RetryPolicy = retry,
            DeadLetterConfig = dlq,
        });

        StreamTarget("transaction-received-to-stream", TransactionReceivedRule);
        StreamTarget("fraud-detected-to-stream", FraudDetectedRule);
        // Alike on purpose: the two FraudDetected targets spell out the same rule, bus, retry and dead-letter settings; only
        // the topic's has an input transformer, and each target reads whole in the plan's terms.
        new CloudwatchEventTarget(this, "fraud-detected-to-alert-handler", new CloudwatchEventTargetConfig
        {
            Rule = FraudDetectedRule.Name,
            EventBusName = Bus.Name,
            TargetId = "alert-handler",
            Arn = c.AlertHandler.FunctionArn,
            RetryPolicy = retry,
            DeadLetterConfig = dlq,
        });
        new CloudwatchEventTarget(this, "fraud-detected-to-alerts-topic", new CloudwatchEventTargetConfig
        {
            Rule = FraudDetectedRule.Name,
            EventBusName = Bus.Name,
            TargetId = "alerts-topic",
            Arn = c.AlertsTopic.TopicArn,
            RetryPolicy = retry,
            DeadLetterConfig = dlq,
            InputTransformer = AlertMessage,
        });

        AlertHandlerPermission = new LambdaPermission(this, "alert-handler-permission", new LambdaPermissionConfig
        {
            StatementId = "AllowFraudDetectedRule",
            Action = "lambda:InvokeFunction",
            FunctionName = c.AlertHandler.Function.FunctionName,
            Principal = "events.amazonaws.com",
            SourceArn = FraudDetectedRule.Arn,
            SourceAccount = env.AccountId,
        });
        c.AlertsTopic.AllowPublishFrom("AllowFraudDetectedRule", "events.amazonaws.com", [FraudDetectedRule.Arn]);
        c.DeadLetterQueue.AllowSendFrom("AllowRuleTargetDeadLetters", "events.amazonaws.com", [TransactionReceivedRule.Arn, FraudDetectedRule.Arn]);

        CloudwatchEventRule Rule(string ruleId, string name, string pattern, string description) =>
            new(this, ruleId, new CloudwatchEventRuleConfig
            {
                Name = name,
                Description = description,
                EventBusName = Bus.Name,
                EventPattern = pattern,
            });
    }

    /// <summary>
    /// A rule's event pattern: the platform's source and detail-type, put by the expected account (the <c>account</c> field
    /// of an event is the account of the PutEvents caller; EventBridge user guide, "Amazon EventBridge events").
    /// </summary>
    public static string EventPattern(string source, string detailType, string accountId) =>
        JsonSerializer.Serialize(new Dictionary<string, string[]>
        {
            ["source"] = [source],
            ["detail-type"] = [detailType],
            ["account"] = [accountId],
        });

    /// <summary>The bus's resource policy: only the pipes' roles may put events on it.</summary>
    public CloudwatchEventBusPolicy BusPolicy { get; }

    /// <summary>The roles of the two pipes (the only principals allowed to put events on <see cref="Bus"/>).</summary>
    public IReadOnlyList<ServiceRole> PipeRoles => _pipeRoles;

    private readonly List<ServiceRole> _pipeRoles = [];

    /// <summary>The environment's custom event bus.</summary>
    public CloudwatchEventBus Bus { get; }

    /// <summary>Transactions table stream → TransactionReceived events.</summary>
    public PipesPipe TransactionsPipe { get; private set; }

    /// <summary>Decisions table stream → FraudDetected events.</summary>
    public PipesPipe DecisionsPipe { get; private set; }

    /// <summary>Rule matching TransactionReceived events.</summary>
    public CloudwatchEventRule TransactionReceivedRule { get; }

    /// <summary>Rule matching FraudDetected events.</summary>
    public CloudwatchEventRule FraudDetectedRule { get; }

    /// <summary>Role EventBridge uses to write into the events stream.</summary>
    public ServiceRole EventsRole { get; }

    /// <summary>Permission of the FraudDetected rule to invoke the alert handler.</summary>
    public LambdaPermission AlertHandlerPermission { get; }

    /// <summary>Failed executions of a pipe (Sum).</summary>
    public static FraudTf.Monitoring.Metric MetricPipeFailures(string pipeName) =>
        new("AWS/EventBridge/Pipes", "ExecutionFailed", new Dictionary<string, string> { ["PipeName"] = pipeName }, "Sum", $"{pipeName} failures");

    /// <summary>The two pipes, each with the stem its alarm is named after and its name.</summary>
    public IReadOnlyList<EventPipe> Pipes { get; private set; } = [];

    /// <summary>
    /// What the alerts topic receives for a FraudDetected event: a short JSON alert (a one-line summary, the ids, decision,
    /// score, time, rule version and reasons), not the event. Values are ids, enums, numbers and ISO times, which EventBridge
    /// inserts without escaping (EventBridge user guide, "Amazon EventBridge input transformation", common issues); the
    /// reasons are spliced as JSON. The topic receives it at least once per event (a target is retried; a re-published
    /// stream record is a new event), so it carries <c>recordId</c>, on which subscribers dedupe.
    /// </summary>
    public static CloudwatchEventTargetInputTransformer AlertMessage => new()
    {
        InputPaths = new Dictionary<string, string>
        {
            ["recordId"] = $"$.detail.{FraudDetectedDetail.RecordId}",
            ["transactionId"] = $"$.detail.{FraudDetectedDetail.TransactionId}",
            ["userId"] = $"$.detail.{FraudDetectedDetail.UserId}",
            ["decision"] = $"$.detail.{FraudDetectedDetail.Decision}",
            ["score"] = $"$.detail.{FraudDetectedDetail.Score}",
            ["decidedAt"] = $"$.detail.{FraudDetectedDetail.DecidedAt}",
            ["rulesVersion"] = $"$.detail.{FraudDetectedDetail.RulesVersion}",
            ["reasons"] = $"$.detail.{FraudDetectedDetail.Reasons}",
        },
        InputTemplate = "{\"summary\":\"Fraud alert: transaction <transactionId> of user <userId> decided <decision> (score <score>) at <decidedAt>\"," +
                        "\"transactionId\":\"<transactionId>\",\"userId\":\"<userId>\",\"decision\":\"<decision>\",\"score\":\"<score>\"," +
                        "\"decidedAt\":\"<decidedAt>\",\"rulesVersion\":\"<rulesVersion>\",\"reasons\":<reasons>,\"recordId\":\"<recordId>\"}",
    };

    /// <summary>ARN of a pipe of this environment, built from its name (the pipe references its role, so the role's trust
    /// policy cannot reference the pipe).</summary>
    public static string PipeArn(DeploymentTarget target, string pipeName) => $"arn:{target.Partition}:pipes:{target.Region}:{target.AccountId}:pipe/{pipeName}";

    /// <summary>ARN of a rule on this environment's custom bus, built from its name.</summary>
    public static string RuleArn(DeploymentTarget target, string ruleName) =>
        $"arn:{target.Partition}:events:{target.Region}:{target.AccountId}:rule/{target.ResourceName("bus")}/{ruleName}";

    private PipesPipe Pipe(string id, string name, DataTable source, EncryptedQueue dlq, string eventSource, string detailType,
        string inputTemplate, object filter, DeploymentTarget env)
    {
        var role = new ServiceRole(this, $"{id}-role", new ServiceRoleConfig
        {
            RoleName = $"{name}-pipe",
            ServicePrincipal = "pipes.amazonaws.com",
            AccountId = env.AccountId,
            Description = $"Lets the {name} pipe read its table stream and put {detailType} events",
            SourceArns = [PipeArn(env, name)],
        });
        _pipeRoles.Add(role);
        source.GrantStreamRead(role);
        dlq.GrantSend(role);
        role.Policy.Add(new PolicyStatement { Sid = "PutEventsOnBus", Actions = Permissions.EventsPut, Resources = [Bus.Arn] });

        return new PipesPipe(this, id, new PipesPipeConfig
        {
            Name = name,
            Description = $"{source.Config.TableName} stream → {detailType} events on {Bus.Name}",
            RoleArn = role.RoleArn,
            Source = source.StreamArn,
            Target = Bus.Arn,
            SourceParameters = new PipesPipeSourceParameters
            {
                DynamodbStreamParameters = new PipesPipeSourceParametersDynamodbStreamParameters
                {
                    StartingPosition = StartingPosition,
                    BatchSize = 10,
                    MaximumRetryAttempts = 10,
                    MaximumRecordAgeInSeconds = 3600,
                    OnPartialBatchItemFailure = "AUTOMATIC_BISECT",
                    DeadLetterConfig = new PipesPipeSourceParametersDynamodbStreamParametersDeadLetterConfig { Arn = dlq.QueueArn },
                },
                FilterCriteria = new PipesPipeSourceParametersFilterCriteria
                {
                    Filter = new[] { new PipesPipeSourceParametersFilterCriteriaFilter { Pattern = JsonSerializer.Serialize(filter) } },
                },
            },
            TargetParameters = new PipesPipeTargetParameters
            {
                InputTemplate = inputTemplate,
                EventbridgeEventBusParameters = new PipesPipeTargetParametersEventbridgeEventBusParameters
                {
                    Source = eventSource,
                    DetailType = detailType,
                },
            },
            DependsOn = [role.InlinePolicy],
        });
    }
}

/// <summary>A pipe of <see cref="FraudEvents"/>: the stem its alarm is named after, and its name.</summary>
/// <param name="Id">Stem, e.g. fraud-detected.</param>
/// <param name="Name">The pipe's name, e.g. fraud-detection-fraud-detected-dev.</param>
public sealed record EventPipe(string Id, string Name);
