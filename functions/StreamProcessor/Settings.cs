using System.Text.Json;
using FraudTf.Functions.StreamProcessor.Scoring;

namespace FraudTf.Functions.StreamProcessor;

/// <summary>The function's settings, from its environment variables (set by the CDKTF stack). Names only, never secrets.</summary>
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

    /// <summary>DLQ_URL: where permanently invalid records go, with the reason.</summary>
    public required string DeadLetterQueueUrl { get; init; }

    /// <summary>QUARANTINE_BUCKET: where quarantined records too large for a queue message go (under <c>quarantine/</c>).</summary>
    public required string QuarantineBucket { get; init; }

    /// <summary>ENVIRONMENT (metric dimension). Default "unknown".</summary>
    public string Environment { get; init; } = "unknown";

    /// <summary>TRANSACTION_TTL_DAYS: how long transactions and decisions are kept. Default 90.</summary>
    public int TransactionTtlDays { get; init; } = 90;

    /// <summary>PATTERN_CACHE_SECONDS: how long the active patterns are cached in memory. Default 60.</summary>
    public int PatternCacheSeconds { get; init; } = 60;

    /// <summary>SCORING_RULES: JSON of <see cref="ScoringRules"/>; defaults when absent.</summary>
    public ScoringRules Rules { get; init; } = new();

    /// <summary>Reads the settings; a missing required variable is an error naming it.</summary>
    public static Settings FromEnvironment(Func<string, string?>? read = null)
    {
        read ??= System.Environment.GetEnvironmentVariable;
        string Required(string name) => read(name) is { Length: > 0 } v
            ? v
            : throw new InvalidOperationException($"environment variable {name} is not set (the stack sets it; set it when running the function elsewhere)");
        int Int(string name, int fallback) => read(name) is { Length: > 0 } v
            ? int.TryParse(v, out var n) && n > 0 ? n : throw new InvalidOperationException($"environment variable {name} = '{v}' is not a positive whole number")
            : fallback;

        return new Settings
        {
            TransactionsTable = Required("TRANSACTIONS_TABLE"),
            DecisionsTable = Required("DECISIONS_TABLE"),
            UserProfilesTable = Required("USER_PROFILES_TABLE"),
            PatternsTable = Required("PATTERNS_TABLE"),
            DeadLetterQueueUrl = Required("DLQ_URL"),
            QuarantineBucket = Required("QUARANTINE_BUCKET"),
            Environment = read("ENVIRONMENT") ?? "unknown",
            TransactionTtlDays = Int("TRANSACTION_TTL_DAYS", 90),
            PatternCacheSeconds = Int("PATTERN_CACHE_SECONDS", 60),
            Rules = read("SCORING_RULES") is { Length: > 0 } json
                ? JsonSerializer.Deserialize<ScoringRules>(json, new JsonSerializerOptions { PropertyNameCaseInsensitive = true })
                  ?? new ScoringRules()
                : new ScoringRules(),
        };
    }
}
