using Amazon.DynamoDBv2;

namespace FraudTf.Functions.Storage;

/// <summary>DynamoDB reads that span pages.</summary>
public static class Paged
{
    /// <summary>
    /// Every item a query returns, all pages, in the order DynamoDB returns them. <paramref name="page"/> builds the
    /// request of one page from the key to start after (null for the first page).
    /// </summary>
    public static async Task<List<Dictionary<string, AttributeValue>>> QueryAll(
        IAmazonDynamoDB dynamo, Func<Dictionary<string, AttributeValue>?, QueryRequest> page, CancellationToken ct)
    {
        var items = new List<Dictionary<string, AttributeValue>>();
        Dictionary<string, AttributeValue>? start = null;
        do
        {
            var r = await dynamo.QueryAsync(page(start), ct);
            items.AddRange(r.Items ?? []);
            start = r.LastEvaluatedKey is { Count: > 0 } k ? k : null;
        }
        while (start is not null);

        return items;
    }
}
