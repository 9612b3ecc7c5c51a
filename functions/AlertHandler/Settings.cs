using FraudTf.Functions.Shared.Settings;

namespace FraudTf.Functions.AlertHandler;

// Alike on purpose: each function has its own Settings record holding only the variables it reads (the names from
// FunctionEnvironment), so a function's configuration says what it uses; AgentTools' Settings has the same shape, and
// so has every init-only input record here (FraudAlert, IndexRequest, TrafficOptions).
/// <summary>The alert handler's settings, from its environment variables (set by the CDKTF stack). Names only, never secrets.</summary>
public sealed record Settings
{
    /// <summary><see cref="FunctionEnvironment.DecisionTrailsBucket"/>.</summary>
    public required string DecisionTrailsBucket { get; init; }

    /// <summary><see cref="FunctionEnvironment.AuditLogsBucket"/>.</summary>
    public required string AuditLogsBucket { get; init; }

    /// <summary><see cref="FunctionEnvironment.UserProfilesTable"/>.</summary>
    public required string UserProfilesTable { get; init; }

    /// <summary><see cref="FunctionEnvironment.TransactionsTable"/> (the decision's inputs).</summary>
    public required string TransactionsTable { get; init; }

    /// <summary><see cref="FunctionEnvironment.DecisionsTable"/> (where the handled-decision marker is kept).</summary>
    public required string DecisionsTable { get; init; }

    /// <summary><see cref="FunctionEnvironment.DeadLetterQueueUrl"/>.</summary>
    public required string DeadLetterQueueUrl { get; init; }

    /// <summary><see cref="FunctionEnvironment.Environment"/> (metric dimension). Default "unknown".</summary>
    public string Environment { get; init; } = "unknown";

    /// <summary>
    /// <see cref="FunctionEnvironment.TransactionTtlDays"/>: how long transactions and decisions are kept (the stream
    /// processor's setting, same variable). A handled-decision marker expires with its decision: <c>decidedAt</c> + this
    /// many days. Default 90.
    /// </summary>
    public int TransactionTtlDays { get; init; } = 90;

    /// <summary>Reads the settings; a missing or malformed variable is a <see cref="SettingsException"/> naming it.</summary>
    public static Settings FromEnvironment(Func<string, string?>? read = null) => From(new SettingsReader(read));

    /// <summary>Reads the settings through <paramref name="env"/> (which records the names read).</summary>
    public static Settings From(SettingsReader env) => new()
    {
        DecisionTrailsBucket = env.Required(FunctionEnvironment.DecisionTrailsBucket),
        AuditLogsBucket = env.Required(FunctionEnvironment.AuditLogsBucket),
        UserProfilesTable = env.Required(FunctionEnvironment.UserProfilesTable),
        TransactionsTable = env.Required(FunctionEnvironment.TransactionsTable),
        DecisionsTable = env.Required(FunctionEnvironment.DecisionsTable),
        DeadLetterQueueUrl = env.Required(FunctionEnvironment.DeadLetterQueueUrl),
        TransactionTtlDays = env.Int(FunctionEnvironment.TransactionTtlDays, 90),
        Environment = env.Optional(FunctionEnvironment.Environment, "unknown"),
    };
}
