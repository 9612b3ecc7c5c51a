using FraudTf.Functions.Shared.Settings;

namespace FraudTf.Functions.AgentTools;

// Alike on purpose: each function has its own Settings record with only the variables it reads (see the alert
// handler's); the init-only record shape is the one of every input record here.
/// <summary>The function's settings, from its environment variables (set by the CDKTF stack; the same names as the
/// stream processor's, from <see cref="FunctionEnvironment"/>). Names only, never secrets.</summary>
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

    /// <summary><see cref="FunctionEnvironment.Environment"/> (logged). Default "unknown".</summary>
    public string Environment { get; init; } = "unknown";

    /// <summary><see cref="FunctionEnvironment.TransactionTtlDays"/>: how long analyst decisions are kept, like the automated ones. Default 90.</summary>
    public int TransactionTtlDays { get; init; } = 90;

    /// <summary>Reads the settings; a missing or malformed variable is a <see cref="SettingsException"/> naming it.</summary>
    public static Settings FromEnvironment(Func<string, string?>? read = null) => From(new SettingsReader(read));

    /// <summary>Reads the settings through <paramref name="env"/> (which records the names read).</summary>
    public static Settings From(SettingsReader env) => new()
    {
        TransactionsTable = env.Required(FunctionEnvironment.TransactionsTable),
        DecisionsTable = env.Required(FunctionEnvironment.DecisionsTable),
        UserProfilesTable = env.Required(FunctionEnvironment.UserProfilesTable),
        PatternsTable = env.Required(FunctionEnvironment.PatternsTable),
        Environment = env.Optional(FunctionEnvironment.Environment, "unknown"),
        TransactionTtlDays = env.Int(FunctionEnvironment.TransactionTtlDays, 90),
    };
}
