namespace FraudTf.Functions.Shared.Settings;

// Alike on purpose: a name catalog, the shape of the others in functions/Shared (see PlatformEvents).
/// <summary>
/// The names of the environment variables the stack sets on the functions and the functions read: defined once, used by
/// the CDKTF stack's environment dictionaries (modules/Platform, modules/Agent) and by each function's settings. Values
/// are resource names and tuning numbers, never secrets. A renamed constant breaks the build on both sides; a variable
/// one side forgets fails <c>Observability/EnvironmentContractTests</c>, which compares what each function reads with what
/// the synthesized stack sets for it.
/// </summary>
public static class FunctionEnvironment
{
    /// <summary>The transactions table's name.</summary>
    public const string TransactionsTable = "TRANSACTIONS_TABLE";

    /// <summary>The decisions table's name.</summary>
    public const string DecisionsTable = "DECISIONS_TABLE";

    /// <summary>The user-profiles table's name.</summary>
    public const string UserProfilesTable = "USER_PROFILES_TABLE";

    /// <summary>The fraud-patterns table's name.</summary>
    public const string PatternsTable = "PATTERNS_TABLE";

    /// <summary>The dead-letter (quarantine) queue's URL.</summary>
    public const string DeadLetterQueueUrl = "DLQ_URL";

    /// <summary>The bucket of the stream processor's quarantine (records too large for a queue message, under <c>quarantine/</c>).</summary>
    public const string QuarantineBucket = "QUARANTINE_BUCKET";

    /// <summary>The environment's name (dev, staging, prod): the <c>Environment</c> metric dimension and a log field.</summary>
    public const string Environment = "ENVIRONMENT";

    /// <summary>Seconds the stream processor caches the active patterns.</summary>
    public const string PatternCacheSeconds = "PATTERN_CACHE_SECONDS";

    /// <summary>Days transactions and decisions are kept (TTL).</summary>
    public const string TransactionTtlDays = "TRANSACTION_TTL_DAYS";

    /// <summary>JSON overrides of the scoring rules.</summary>
    public const string ScoringRules = "SCORING_RULES";

    /// <summary>The decision-trails bucket's name.</summary>
    public const string DecisionTrailsBucket = "DECISION_TRAILS_BUCKET";

    /// <summary>The audit-logs bucket's name.</summary>
    public const string AuditLogsBucket = "AUDIT_LOGS_BUCKET";

    /// <summary>
    /// The vector-index setup's retry budget in seconds. Not set by the stack (the default fits the function's timeout):
    /// listed in <see cref="NotSetByStack"/>.
    /// </summary>
    public const string VectorIndexRetryBudgetSeconds = "VECTOR_INDEX_RETRY_BUDGET_SECONDS";

    /// <summary>
    /// The OpenSearch Serverless collection endpoint the index-setup function may sign requests for (set on that function
    /// only; the knowledge-base sync function shares the package and signs for no collection).
    /// </summary>
    public const string CollectionEndpoint = "COLLECTION_ENDPOINT";

    /// <summary>The region, set by Lambda itself (a reserved variable the stack cannot set).</summary>
    public const string AwsRegion = "AWS_REGION";

    /// <summary>The AWS SDKs' service-specific endpoint override for the Bedrock Agent API (tests and local runs only).</summary>
    public const string BedrockAgentEndpoint = "AWS_ENDPOINT_URL_BEDROCK_AGENT";

    /// <summary>The AWS SDKs' global endpoint override (tests and local runs only).</summary>
    public const string AwsEndpointUrl = "AWS_ENDPOINT_URL";

    /// <summary>
    /// Variables a function may read that the stack deliberately does not set, each with why: Lambda's reserved runtime
    /// variables, the SDKs' endpoint overrides (for local runs), and tuning knobs whose defaults are the deployed value.
    /// The contract test accepts a read of these without a matching stack entry, and nothing else.
    /// </summary>
    public static IReadOnlyDictionary<string, string> NotSetByStack { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        [AwsRegion] = "reserved: Lambda sets it in every execution environment",
        [BedrockAgentEndpoint] = "an AWS SDK endpoint override, for tests and local runs only",
        [AwsEndpointUrl] = "an AWS SDK endpoint override, for tests and local runs only",
        [CollectionEndpoint] = "set on the index-setup function only: the knowledge-base sync function shares its package and must sign for no collection",
        [VectorIndexRetryBudgetSeconds] = "a tuning knob: its default (240 s) is what the stack deploys with the function's 300 s timeout",
    };
}
