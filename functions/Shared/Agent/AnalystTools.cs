namespace FraudTf.Functions.Shared.Agent;

/// <summary>One parameter of an agent tool (Bedrock action-group function schema: <c>string</c>, <c>number</c>,
/// <c>integer</c>, <c>boolean</c> or <c>array</c>).</summary>
public sealed record ToolParameter(string Name, string Type, string Description, bool Required);

/// <summary>One tool of the analyst agent: a function of its action group.</summary>
public sealed record ToolDefinition(string Name, string Description, IReadOnlyList<ToolParameter> Parameters);

// Alike on purpose: one documented definition a tool, the same shape for each, as Bedrock's function schema is.
/// <summary>
/// The tools the fraud-analyst agent may call, in one place: the stack describes them to Bedrock as the action
/// group's function schema, and the agent-tools Lambda dispatches on the same names and validates the same
/// parameters. Names follow Bedrock's pattern (letters, digits, single <c>_</c> or <c>-</c>).
/// </summary>
public static class AnalystTools
{
    /// <summary>Name of the action group that carries the tools.</summary>
    public const string ActionGroupName = "fraud-analyst-tools";

    /// <summary>Largest number of transactions <see cref="GetRecentTransactions"/> returns.</summary>
    public const int MaxTransactions = 50;

    /// <summary>Largest number of patterns <see cref="GetActiveFraudPatterns"/> returns.</summary>
    public const int MaxPatterns = 50;

    /// <summary>Longest reason <see cref="RecordAnalystDecision"/> accepts, in characters.</summary>
    public const int MaxReasonLength = 1000;

    /// <summary>Decisions an analyst may record.</summary>
    public static readonly IReadOnlyList<string> AnalystDecisions = ["APPROVE", "DECLINE", "ESCALATE"];

    /// <summary>A user's behaviour profile.</summary>
    public static readonly ToolDefinition GetUserProfile = new(
        "get_user_profile",
        "Returns a user's behaviour profile, learnt from approved transactions only (the scorer's APPROVE, and a REVIEW once an analyst approves it): how many, their typical amount (geometric mean), the spread of the log amounts and the largest amount, all in the reference currency of the scoring rules; how many devices, the channels, countries and merchant categories used; the country and time of the latest one; and flags set by fraud alerts.",
        [new("user_id", "string", "The user's id, as it appears on transactions.", true)]);

    /// <summary>A user's recent transactions with the decision taken on each.</summary>
    public static readonly ToolDefinition GetRecentTransactions = new(
        "get_recent_transactions",
        "Returns a user's most recent transactions, newest first, with amount, currency, merchant, merchant category, country and the automated decision.",
        [
            new("user_id", "string", "The user's id.", true),
            new("limit", "integer", $"How many transactions to return, 1 to {MaxTransactions}. Default 20.", false),
            new("since_hours", "integer", "Only transactions of the last N hours, 1 to 2160 (90 days). Default 168 (a week).", false),
        ]);

    /// <summary>One transaction with its automated decision and every analyst review.</summary>
    public static readonly ToolDefinition GetTransaction = new(
        "get_transaction",
        "Returns one transaction with its automated decision (score, confidence and the reasons of each rule that fired) and every analyst decision recorded on it.",
        [new("transaction_id", "string", "The transaction's id.", true)]);

    /// <summary>The fraud patterns the scorer currently applies.</summary>
    public static readonly ToolDefinition GetActiveFraudPatterns = new(
        "get_active_fraud_patterns",
        "Returns the fraud patterns the scorer currently applies (current version of each), with description, weight and the merchant categories, countries, channels and minimum amount each one matches.",
        [
            new("merchant_category", "string", "Only patterns matching this merchant category code (4 digits). Optional.", false),
            new("limit", "integer", $"How many patterns to return, 1 to {MaxPatterns}. Default 20.", false),
        ]);

    /// <summary>Records the analyst's decision on a transaction.</summary>
    public static readonly ToolDefinition RecordAnalystDecision = new(
        "record_analyst_decision",
        "Records the analyst's decision on a transaction (APPROVE, DECLINE or ESCALATE) with the reason. It is added to the transaction's decision history; the automated decision is kept. APPROVE of a transaction the scorer sent to REVIEW also teaches the user's profile that transaction, once (its country, merchant category, device, channel and amount then look normal for the user); no other decision changes the profile (an approved DECLINE is not learnt: the payment did not happen). The answer says whether the profile learnt it (profileLearned) and why not.",
        [
            new("transaction_id", "string", "The transaction's id.", true),
            new("decision", "string", "APPROVE, DECLINE or ESCALATE.", true),
            new("reason", "string", $"Why, in at most {MaxReasonLength} characters. Do not include card numbers or other personal data.", true),
        ]);

    /// <summary>Every tool, in the order the schema lists them.</summary>
    public static readonly IReadOnlyList<ToolDefinition> All =
        [GetUserProfile, GetRecentTransactions, GetTransaction, GetActiveFraudPatterns, RecordAnalystDecision];
}
