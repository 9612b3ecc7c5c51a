using AlertSettings = FraudTf.Functions.AlertHandler.Settings;
using StreamSettings = FraudTf.Functions.StreamProcessor.Settings;

namespace FraudTf.Functions.Tests.Support;

/// <summary>
/// The functions' settings as the integration tests name their resources: every table, bucket and queue under one
/// per-test prefix (the tables are created by <c>DynamoDbLocal.CreateTables(client, prefix)</c>).
/// </summary>
public static class TestSettings
{
    /// <summary>The dead-letter queue URL the tests' SQS fakes accept.</summary>
    public const string DeadLetterQueueUrl = "https://sqs.us-east-1.amazonaws.com/111111111111/fraud-detection-dlq-test";

    /// <summary>The stream processor's settings over the tables of <paramref name="prefix"/>.</summary>
    public static StreamSettings StreamProcessor(string prefix) => new()
    {
        TransactionsTable = $"{prefix}-transactions",
        DecisionsTable = $"{prefix}-decisions",
        UserProfilesTable = $"{prefix}-user-profiles",
        PatternsTable = $"{prefix}-patterns",
        DeadLetterQueueUrl = DeadLetterQueueUrl,
        QuarantineBucket = $"{prefix}-quarantine",
        Environment = "test",
    };

    /// <summary>The alert handler's settings over the tables and buckets of <paramref name="prefix"/>.</summary>
    public static AlertSettings AlertHandler(string prefix) => new()
    {
        DecisionTrailsBucket = $"{prefix}-trails",
        AuditLogsBucket = $"{prefix}-audit",
        UserProfilesTable = $"{prefix}-user-profiles",
        TransactionsTable = $"{prefix}-transactions",
        DecisionsTable = $"{prefix}-decisions",
        DeadLetterQueueUrl = DeadLetterQueueUrl,
    };
}
