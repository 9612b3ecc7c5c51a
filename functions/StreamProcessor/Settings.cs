using FraudTf.Functions.Shared.Settings;
using FraudTf.Functions.Shared.Scoring;

namespace FraudTf.Functions.StreamProcessor;

/// <summary>The function's settings, from its environment variables (set by the CDKTF stack). Names only, never secrets.</summary>
public sealed record Settings
{
    /// <summary><see cref="FunctionEnvironment.TransactionsTable"/>.</summary>
    public required string TransactionsTable { get; init; }

    /// <summary><see cref="FunctionEnvironment.DecisionsTable"/>.</summary>
    public required string DecisionsTable { get; init; }

    /// <summary><see cref="FunctionEnvironment.UserProfilesTable"/>.</summary>
    public required string UserProfilesTable { get; init; }

    /// <summary><see cref="FunctionEnvironment.PatternsTable"/>.</summary>
    public required string PatternsTable { get; init; }

    /// <summary><see cref="FunctionEnvironment.DeadLetterQueueUrl"/>: where permanently invalid records go, with the reason.</summary>
    public required string DeadLetterQueueUrl { get; init; }

    /// <summary><see cref="FunctionEnvironment.QuarantineBucket"/>: where quarantined records too large for a queue message go (under <c>quarantine/</c>).</summary>
    public required string QuarantineBucket { get; init; }

    /// <summary><see cref="FunctionEnvironment.Environment"/> (metric dimension). Default "unknown".</summary>
    public string Environment { get; init; } = "unknown";

    /// <summary><see cref="FunctionEnvironment.TransactionTtlDays"/>: how long transactions and decisions are kept. Default 90.</summary>
    public int TransactionTtlDays { get; init; } = 90;

    /// <summary><see cref="FunctionEnvironment.PatternCacheSeconds"/>: how long the active patterns are cached in memory. Default 60.</summary>
    public int PatternCacheSeconds { get; init; } = 60;

    /// <summary>
    /// How many users' records a batch processes at once (each user's in order). Not an environment variable: the
    /// default, <see cref="DefaultMaxConcurrency"/>, fits every memory size the stacks deploy; tests and benchmarks set it.
    /// </summary>
    public int MaxConcurrency { get; init; } = DefaultMaxConcurrency;

    /// <summary>
    /// True (the default): a lane's records are saved together, several lanes' in one TransactWriteItems of up to 100
    /// items; false: every record in its own transaction, the path a lane takes when saving together fails. Not read from
    /// the environment: the benchmark's baseline and tests set it.
    /// </summary>
    public bool SaveTogether { get; init; } = true;

    /// <summary>
    /// The default of <see cref="MaxConcurrency"/>: 8 per processor the function sees, from 8 to 32. A record costs
    /// about 10 µs of CPU (decode, score, build the request) and then waits several milliseconds for its DynamoDB
    /// transaction, so one vCPU keeps many records in flight; each holds one request and its response (a few KB), so
    /// memory never binds. Lambda gives a function vCPU in proportion to its memory (Lambda developer guide, "Configure
    /// Lambda function memory"), and <see cref="System.Environment.ProcessorCount"/> reflects it.
    /// </summary>
    public static int DefaultMaxConcurrency => Math.Clamp(8 * System.Environment.ProcessorCount, 8, 32);

    /// <summary><see cref="FunctionEnvironment.ScoringRules"/>: JSON of <see cref="ScoringRules"/>; defaults when absent.</summary>
    public ScoringRules Rules { get; init; } = new();

    /// <summary>Reads the settings; a missing or malformed variable is a <see cref="SettingsException"/> naming it.</summary>
    public static Settings FromEnvironment(Func<string, string?>? read = null) => From(new SettingsReader(read));

    /// <summary>Reads the settings through <paramref name="env"/> (which records the names read).</summary>
    public static Settings From(SettingsReader env) => new()
    {
        TransactionsTable = env.Required(FunctionEnvironment.TransactionsTable),
        DecisionsTable = env.Required(FunctionEnvironment.DecisionsTable),
        UserProfilesTable = env.Required(FunctionEnvironment.UserProfilesTable),
        PatternsTable = env.Required(FunctionEnvironment.PatternsTable),
        DeadLetterQueueUrl = env.Required(FunctionEnvironment.DeadLetterQueueUrl),
        QuarantineBucket = env.Required(FunctionEnvironment.QuarantineBucket),
        Environment = env.Optional(FunctionEnvironment.Environment, "unknown"),
        TransactionTtlDays = env.Int(FunctionEnvironment.TransactionTtlDays, 90),
        PatternCacheSeconds = env.Int(FunctionEnvironment.PatternCacheSeconds, 60),
        Rules = ReadRules(env),
    };

    /// <summary>
    /// The scoring rules from <see cref="FunctionEnvironment.ScoringRules"/> as the function reads them (defaults when
    /// unset or empty; a malformed value is a <see cref="SettingsException"/>). Public so that the backtest
    /// (tools/Backtest) reads the stack's value through this very code.
    /// </summary>
    public static ScoringRules ReadRules(SettingsReader env)
    {
        var rules = env.Parsed(FunctionEnvironment.ScoringRules, new ScoringRules(), "a JSON object of scoring-rule overrides", ScoringRules.FromJson);
        try
        {
            // The selected tables are part of the rules: a version the package does not hold fails at start, not per record.
            _ = rules.Rates;
            _ = rules.Travel;
        }
        catch (ReferenceTableException e)
        {
            throw new SettingsException($"environment variable {FunctionEnvironment.ScoringRules} selects a table that cannot be used: {e.Message}");
        }

        return rules;
    }
}
