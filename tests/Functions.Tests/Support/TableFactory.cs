using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using FraudTf.Functions.Shared.Tables;

namespace FraudTf.Functions.Tests.Support;

/// <summary>Creates DynamoDB Local tables from the shared schemas (also compiled into bench/FunctionsBench).</summary>
public static class TableFactory
{
    /// <summary>Creates <paramref name="schema"/> as table <paramref name="name"/>, on demand, keys and indexes as the storage module defines them.</summary>
    public static async Task Create(IAmazonDynamoDB client, TableSchema schema, string name)
    {
        var keys = new List<KeySchemaElement> { new(schema.PartitionKey.Name, KeyType.HASH) };
        if (schema.SortKey is not null)
        {
            keys.Add(new KeySchemaElement(schema.SortKey.Name, KeyType.RANGE));
        }

        await client.CreateTableAsync(new CreateTableRequest
        {
            TableName = name,
            BillingMode = BillingMode.PAY_PER_REQUEST,
            KeySchema = keys,
            AttributeDefinitions = schema.KeyAttributes.Select(a => new AttributeDefinition(a.Name, new ScalarAttributeType(a.Type))).ToList(),
            GlobalSecondaryIndexes = schema.Indexes.Count == 0 ? null : schema.Indexes.Select(i => new GlobalSecondaryIndex
            {
                IndexName = i.Name,
                KeySchema = i.SortKey is null
                    ? [new KeySchemaElement(i.PartitionKey.Name, KeyType.HASH)]
                    : [new KeySchemaElement(i.PartitionKey.Name, KeyType.HASH), new KeySchemaElement(i.SortKey.Name, KeyType.RANGE)],
                Projection = new Projection
                {
                    ProjectionType = new ProjectionType(i.ProjectionType),
                    NonKeyAttributes = i.ProjectionType == "INCLUDE" ? i.NonKeyAttributes.ToList() : null,
                },
            }).ToList(),
        });
    }
}
