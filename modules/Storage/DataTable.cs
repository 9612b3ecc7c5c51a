using Constructs;
using FraudTf.Functions.Shared.Tables;

namespace FraudTf.Storage;

// Alike on purpose: every construct of modules/ takes one settings record (required, then defaulted init properties,
// each documented) and exposes its Config, underlying resources and their ARNs the same way (issue 17's construct API).
/// <summary>Settings of a <see cref="DataTable"/>: the schema, name, key and region are required; the rest is protective by default (docs/security.md, "Construct defaults").</summary>
public sealed record DataTableConfig
{
    /// <summary>Keys, indexes, TTL and stream of the table (shared with the Lambda code).</summary>
    public required TableSchema Schema { get; init; }

    /// <summary>Table name (a literal: <see cref="DataTable.TableName"/> returns it).</summary>
    public required string TableName { get; init; }

    /// <summary>Customer-managed key for server-side encryption (a table always uses one).</summary>
    public required EncryptionKey Key { get; init; }

    /// <summary>Region of the table (for <c>kms:ViaService</c> conditions of grants).</summary>
    public required string Region { get; init; }

    /// <summary>DynamoDB deletion protection and Terraform <c>prevent_destroy</c>. Default: true; set false only for throwaway environments.</summary>
    public bool DeletionProtection { get; init; } = true;

    /// <summary>Point-in-time recovery. Default: true.</summary>
    public bool PointInTimeRecovery { get; init; } = true;
}

/// <summary>
/// A DynamoDB table built from a <see cref="TableSchema"/>: on-demand billing, SSE with the customer-managed key,
/// point-in-time recovery, TTL and stream as the schema says, deletion protection from config. Grants by intent.
/// </summary>
public sealed class DataTable : Construct
{
    /// <summary>Creates the table.</summary>
    public DataTable(Construct scope, string id, DataTableConfig config) : base(scope, id)
    {
        var schema = config.Schema;
        if (schema.Indexes.Count > 20)
        {
            throw new ArgumentException($"DataTable '{id}': {schema.Indexes.Count} global secondary indexes. Fix: DynamoDB allows at most 20.");
        }

        foreach (var index in schema.Indexes.Where(i => i.ProjectionType == "INCLUDE" && i.NonKeyAttributes.Count == 0))
        {
            throw new ArgumentException($"DataTable '{id}': index {index.Name} has projection INCLUDE but no attributes. Fix: list them or use KEYS_ONLY.");
        }

        Config = config;
        _writers = new TrustedWriters($"DataTable '{config.TableName}'", "writer");
        Table = new DynamodbTable(this, "this", new DynamodbTableConfig
        {
            Name = config.TableName,
            BillingMode = "PAY_PER_REQUEST",
            HashKey = schema.PartitionKey.Name,
            RangeKey = schema.SortKey?.Name,
            Attribute = schema.KeyAttributes.Select(a => new DynamodbTableAttribute { Name = a.Name, Type = a.Type }).ToArray(),
            GlobalSecondaryIndex = schema.Indexes.Count == 0
                ? null
                : schema.Indexes.Select(i => new DynamodbTableGlobalSecondaryIndex
                {
                    Name = i.Name,
                    HashKey = i.PartitionKey.Name,
                    RangeKey = i.SortKey?.Name,
                    ProjectionType = i.ProjectionType,
                    NonKeyAttributes = i.ProjectionType == "INCLUDE" ? i.NonKeyAttributes.ToArray() : null,
                }).ToArray(),
            Ttl = schema.TtlAttribute is null ? null : new DynamodbTableTtl { Enabled = true, AttributeName = schema.TtlAttribute },
            StreamEnabled = schema.StreamViewType is not null,
            StreamViewType = schema.StreamViewType,
            ServerSideEncryption = new DynamodbTableServerSideEncryption { Enabled = true, KmsKeyArn = config.Key.KeyArn },
            PointInTimeRecovery = new DynamodbTablePointInTimeRecovery { Enabled = config.PointInTimeRecovery },
            DeletionProtectionEnabled = config.DeletionProtection,
            Lifecycle = config.DeletionProtection ? new TerraformResourceLifecycle { PreventDestroy = true } : null,
        });
    }

    /// <summary>The settings the table was created with.</summary>
    public DataTableConfig Config { get; }

    /// <summary>The underlying <c>aws_dynamodb_table</c> (escape hatch).</summary>
    public DynamodbTable Table { get; }

    /// <summary>Table name: the configured literal (docs/security.md, "Names"); <c>Table.Name</c> is the Terraform reference.</summary>
    public string TableName => Config.TableName;

    /// <summary>Table ARN (token).</summary>
    public string TableArn => Table.Arn;

    /// <summary>Stream ARN (token); throws when the schema has no stream.</summary>
    public string StreamArn => Config.Schema.StreamViewType is not null
        ? Table.StreamArn
        : throw new InvalidOperationException($"table {Config.TableName} has no stream. Fix: set StreamViewType in its schema.");

    /// <summary>ARN pattern of the table's indexes.</summary>
    public string IndexArns => $"{Table.Arn}/index/*";

    /// <summary>
    /// Lets <paramref name="grantee"/> make exactly the item operations of <paramref name="access"/> (name
    /// what the code calls: <c>TableAccess.GetItem | TableAccess.Query</c>), with the table's key through DynamoDB only.
    /// Reads (<see cref="Permissions.DynamoDbReads"/>) are one statement <c>&lt;Table&gt;Read</c> on the table and its
    /// indexes; writes one statement <c>&lt;Table&gt;Write</c> on the table. When <paramref name="writableAttributes"/> is
    /// given, the writes may name only those attributes (<c>ForAllValues:StringEquals dynamodb:Attributes</c>; the
    /// table's and its indexes' key attributes are added, as DynamoDB requires: developer guide, "Using IAM policy
    /// conditions for fine-grained access control"). Granting the same table twice to one policy is an error: name
    /// every operation in one call.
    /// </summary>
    public FraudTf.Security.Grant Grant(IGrantee grantee, TableAccess access, IReadOnlyCollection<string>? writableAttributes = null)
    {
        var policy = grantee.Policy;
        var before = policy.Statements.Count;
        var reads = access & Permissions.DynamoDbReads;
        var writes = access & Permissions.DynamoDbWrites;
        if (access == TableAccess.None)
        {
            throw new ArgumentException($"DataTable '{Config.TableName}': Grant with no access. Fix: name the operations the code makes, e.g. TableAccess.GetItem.", nameof(access));
        }

        if (writableAttributes is not null && writes == TableAccess.None)
        {
            throw new ArgumentException($"DataTable '{Config.TableName}': writable attributes given without a write operation. Fix: drop them or grant PutItem/UpdateItem.", nameof(writableAttributes));
        }

        if (policy.Statements.Any(s => s.Sid == Sid("Read") || s.Sid == Sid("Write")))
        {
            throw new InvalidOperationException($"DataTable '{Config.TableName}' is granted twice to the same policy. Fix: name every operation in one Grant call.");
        }

        if (writes != TableAccess.None)
        {
            _writers.EnsureNotRestricted(grantee);
        }

        if (reads != TableAccess.None)
        {
            // Query and Scan also work on indexes; GetItem and BatchGetItem don't, but sharing one statement keeps the policy short.
            var onIndexes = (reads & (TableAccess.Query | TableAccess.Scan)) != TableAccess.None;
            policy.Add(new PolicyStatement { Sid = Sid("Read"), Actions = Permissions.DynamoDb(reads), Resources = onIndexes ? Resources() : [Table.Arn] });
        }

        if (writes != TableAccess.None)
        {
            policy.Add(new PolicyStatement
            {
                Sid = Sid("Write"),
                Actions = Permissions.DynamoDb(writes),
                Resources = [Table.Arn],
                Conditions = writableAttributes is null ? [] : [new PolicyCondition("ForAllValues:StringEquals", "dynamodb:Attributes", WithKeyAttributes(writableAttributes))],
            });
            _writers.Add(grantee);
        }

        policy.Add(writes == TableAccess.None
            ? KeyGrants.ViaService(Config.Key, Permissions.KmsDecrypt, "dynamodb", Config.Region, Sid("Key"))
            : KeyGrants.ViaService(Config.Key, Permissions.KmsEncryptDecrypt, "dynamodb", Config.Region, Sid("Key")));

        return FraudTf.Security.Grant.Since(Config.TableName, grantee, before);
    }

    /// <summary>The attribute names of the table's and its indexes' keys, sorted.</summary>
    public IReadOnlyList<string> KeyAttributeNames => Config.Schema.KeyAttributes.Select(a => a.Name).Distinct().Order(StringComparer.Ordinal).ToList();

    private List<string> WithKeyAttributes(IReadOnlyCollection<string> attributes)
    {
        if (attributes.Count == 0 || attributes.Any(string.IsNullOrWhiteSpace))
        {
            throw new ArgumentException($"DataTable '{Config.TableName}': the writable attribute list is empty or holds a blank name. Fix: list the attributes the code writes.");
        }

        return attributes.Concat(KeyAttributeNames).Distinct().Order(StringComparer.Ordinal).ToList();
    }

    /// <summary>Lets <paramref name="grantee"/> read the table's stream (and decrypt its records).</summary>
    public FraudTf.Security.Grant GrantStreamRead(IGrantee grantee)
    {
        var policy = grantee.Policy;
        var before = policy.Statements.Count;
        policy.Add(new PolicyStatement { Sid = Sid("StreamRead"), Actions = Permissions.DynamoDbStreamRead, Resources = [StreamArn] });
        policy.Add(KeyGrants.ViaService(Config.Key, Permissions.KmsDecrypt, "dynamodb", Config.Region, Sid("StreamKey")));

        return FraudTf.Security.Grant.Since(Config.TableName, grantee, before);
    }

    private readonly TrustedWriters _writers;

    /// <summary>Every grantee <see cref="Grant"/> gave an item write, in the order of the grants.</summary>
    public IReadOnlyList<IGrantee> WriteGrantees => _writers.Grantees;

    /// <summary>The table's resource policy restricting its writers, once <see cref="RestrictWritesToGrantees"/> was called.</summary>
    public DynamodbResourcePolicy? WritersPolicy { get; private set; }

    /// <summary>
    /// Lets only the roles granted an item write (<see cref="WriteGrantees"/>, in the order of their grants) and then
    /// <paramref name="extraWriterArns"/> (IAM role or user ARNs from outside the stack, in the order given) change the
    /// table's items, whatever their IAM policies say: a resource policy denies every item write
    /// (<see cref="Permissions.DynamoDbItemWrites"/>) to any other principal (<c>aws:PrincipalArn</c>). The scorer and
    /// the agent trust what they read here, so a principal of the account with a broad IAM policy must not be able to
    /// plant rows. Reads, table management and the policy itself stay governed by IAM (an administrator can always
    /// replace the policy). No grantee and no extra writer means no principal may write items. <paramref name="writers"/>
    /// says who they are (<c>"//".writers</c>). Call once, after every grant: a write grant made later is an error.
    /// </summary>
    public void RestrictWritesToGrantees(IReadOnlyList<string> extraWriterArns, string writers)
    {
        var doc = _writers.Restrict("OnlyTheTablesWritersChangeItems", Permissions.DynamoDbItemWrites, Table.Arn, extraWriterArns);
        WritersPolicy = new DynamodbResourcePolicy(this, "writers-policy", new DynamodbResourcePolicyConfig
        {
            ResourceArn = Table.Arn,
            Policy = doc.ToJson(),
        });
        WritersPolicy.AddOverride("//.writers", writers);
    }

    // Alike on purpose: every construct offers its CloudWatch metrics as one-line Metric* methods over a private helper
    // that fixes the namespace and dimensions (DotnetFunction's, DataStream's and EncryptedQueue's read the same).
    /// <summary>Throttled read requests (Sum).</summary>
    public FraudTf.Monitoring.Metric MetricReadThrottles() => Dynamo("ReadThrottleEvents", "Sum", "read throttles");

    /// <summary>Throttled write requests (Sum).</summary>
    public FraudTf.Monitoring.Metric MetricWriteThrottles() => Dynamo("WriteThrottleEvents", "Sum", "write throttles");

    /// <summary>Read capacity units consumed (Sum).</summary>
    public FraudTf.Monitoring.Metric MetricConsumedReadCapacity() => Dynamo("ConsumedReadCapacityUnits", "Sum", "read units");

    /// <summary>Write capacity units consumed (Sum).</summary>
    public FraudTf.Monitoring.Metric MetricConsumedWriteCapacity() => Dynamo("ConsumedWriteCapacityUnits", "Sum", "write units");

    private FraudTf.Monitoring.Metric Dynamo(string name, string statistic, string label) =>
        new("AWS/DynamoDB", name, new Dictionary<string, string> { ["TableName"] = Config.TableName }, statistic, $"{Config.Schema.LogicalName} {label}");

    private string[] Resources() => Config.Schema.Indexes.Count > 0 ? [Table.Arn, IndexArns] : [Table.Arn];

    private string Sid(string what) => StatementIds.For(Config.Schema.LogicalName, "Table", what);
}
