namespace FraudTf.Functions.Shared.Tables;

/// <summary>A key attribute of a table or index: name and DynamoDB scalar type (S, N or B).</summary>
public sealed record KeyAttribute(string Name, string Type);

/// <summary>A global secondary index.</summary>
/// <param name="Name">Index name.</param>
/// <param name="PartitionKey">Partition key of the index.</param>
/// <param name="SortKey">Sort key of the index, if any.</param>
/// <param name="ProjectionType">ALL, KEYS_ONLY or INCLUDE.</param>
/// <param name="NonKeyAttributes">Attributes projected when <paramref name="ProjectionType"/> is INCLUDE.</param>
public sealed record IndexSchema(string Name, KeyAttribute PartitionKey, KeyAttribute? SortKey, string ProjectionType, IReadOnlyList<string> NonKeyAttributes);

/// <summary>
/// The shape of one DynamoDB table, declared once: the CDKTF storage module creates the table from it and the
/// functions' integration tests create their DynamoDB Local tables from it, so both always agree.
/// </summary>
public sealed record TableSchema
{
    /// <summary>Short name used in resource names and ids, e.g. <c>transactions</c>.</summary>
    public required string LogicalName { get; init; }

    /// <summary>Partition key.</summary>
    public required KeyAttribute PartitionKey { get; init; }

    /// <summary>Sort key, if any.</summary>
    public KeyAttribute? SortKey { get; init; }

    /// <summary>Global secondary indexes.</summary>
    public IReadOnlyList<IndexSchema> Indexes { get; init; } = [];

    /// <summary>Attribute holding the expiry time (epoch seconds) for DynamoDB TTL; null when items never expire.</summary>
    public string? TtlAttribute { get; init; }

    /// <summary>DynamoDB stream view type (NEW_IMAGE, NEW_AND_OLD_IMAGES, ...); null when the table has no stream.</summary>
    public string? StreamViewType { get; init; }

    /// <summary>Every key attribute of the table and its indexes, each once (the table's attribute definitions).</summary>
    public IReadOnlyList<KeyAttribute> KeyAttributes
    {
        get
        {
            var all = new List<KeyAttribute> { PartitionKey };
            if (SortKey is not null)
            {
                all.Add(SortKey);
            }

            foreach (var index in Indexes)
            {
                all.Add(index.PartitionKey);
                if (index.SortKey is not null)
                {
                    all.Add(index.SortKey);
                }
            }

            return all.DistinctBy(a => a.Name).OrderBy(a => a.Name, StringComparer.Ordinal).ToList();
        }
    }
}
