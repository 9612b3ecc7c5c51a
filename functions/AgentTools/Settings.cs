namespace FraudTf.Functions.AgentTools;

/// <summary>The function's settings, from its environment variables (set by the CDKTF stack; the same names as the
/// stream processor's). Names only, never secrets.</summary>
public sealed record Settings
{
    /// <summary>TRANSACTIONS_TABLE.</summary>
    public required string TransactionsTable { get; init; }

    /// <summary>DECISIONS_TABLE.</summary>
    public required string DecisionsTable { get; init; }

    /// <summary>USER_PROFILES_TABLE.</summary>
    public required string UserProfilesTable { get; init; }

    /// <summary>PATTERNS_TABLE.</summary>
    public required string PatternsTable { get; init; }

    /// <summary>ENVIRONMENT (logged). Default "unknown".</summary>
    public string Environment { get; init; } = "unknown";

    /// <summary>TRANSACTION_TTL_DAYS: how long analyst decisions are kept, like the automated ones. Default 90.</summary>
    public int TransactionTtlDays { get; init; } = 90;

    /// <summary>Reads the settings; a missing required variable is an error naming it.</summary>
    public static Settings FromEnvironment(Func<string, string?>? read = null)
    {
        read ??= System.Environment.GetEnvironmentVariable;
        string Required(string name) => read(name) is { Length: > 0 } v
            ? v
            : throw new InvalidOperationException($"environment variable {name} is not set (the stack sets it; set it when running the function elsewhere)");
        int Int(string name, int fallback) => read(name) is { Length: > 0 } v
            ? int.TryParse(v, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n) && n > 0
                ? n
                : throw new InvalidOperationException($"environment variable {name} = '{v}' is not a positive whole number")
            : fallback;

        return new Settings
        {
            TransactionsTable = Required("TRANSACTIONS_TABLE"),
            DecisionsTable = Required("DECISIONS_TABLE"),
            UserProfilesTable = Required("USER_PROFILES_TABLE"),
            PatternsTable = Required("PATTERNS_TABLE"),
            Environment = read("ENVIRONMENT") is { Length: > 0 } env ? env : "unknown",
            TransactionTtlDays = Int("TRANSACTION_TTL_DAYS", 90),
        };
    }
}
