using Amazon.DynamoDBv2;

namespace FraudTf.Functions.Storage;

/// <summary>The patterns table's rows the functions read: the current version of every active pattern.</summary>
public static class PatternRows
{
    /// <summary>
    /// Every row of the sparse <c>byActiveStatus</c> index (the current version of each active pattern), all pages, as
    /// stored: the stream processor reads them as data that may be corrupt, the analyst tools show them.
    /// </summary>
    public static Task<List<Dictionary<string, AttributeValue>>> QueryActive(IAmazonDynamoDB dynamo, string table, CancellationToken ct) =>
        Paged.QueryAll(dynamo, start => new QueryRequest
        {
            TableName = table,
            IndexName = PatternAttributes.ByActiveStatusIndex,
            KeyConditionExpression = "#s = :active",
            ExpressionAttributeNames = new Dictionary<string, string> { ["#s"] = PatternAttributes.ActiveStatus },
            ExpressionAttributeValues = new Dictionary<string, AttributeValue> { [":active"] = new() { S = "ACTIVE" } },
            ExclusiveStartKey = start,
        }, ct);
}
