using Constructs;
using FraudTf.Functions.Shared.Tables;

namespace FraudTf.Storage;

// Alike on purpose: every construct of modules/ takes one settings record (required, then defaulted init properties,
// each documented) and exposes its Config, underlying resources and their ARNs the same way (issue 17's construct API).
/// <summary>What <see cref="FraudStorage"/> needs: names, the data key, protection, retention and the writers it names.</summary>
public sealed record FraudStorageConfig
{
    /// <summary>Names (<c>&lt;prefix&gt;-&lt;name&gt;-&lt;env&gt;</c>), account, region and partition of the stores.</summary>
    public required DeploymentTarget Target { get; init; }

    /// <summary>The key every table and data bucket is encrypted with (the environment's data key).</summary>
    public required EncryptionKey DataKey { get; init; }

    /// <summary>Deletion protection of the tables and buckets, and the audit-logs bucket's Object Lock mode (<c>protection</c>).</summary>
    public required ProtectionConfig Protection { get; init; }

    /// <summary>How long each bucket keeps its objects (<c>retention</c>).</summary>
    public required RetentionConfig Retention { get; init; }

    /// <summary>Days a quarantined record is kept: as long as its transaction would have been (<c>scoring.transactionTtlDays</c>).</summary>
    public required int QuarantineExpirationDays { get; init; }

    /// <summary>The only principals that may change the knowledge base's documents in the models bucket (<c>writers.knowledgeBase</c>).</summary>
    public required IReadOnlyList<string> KnowledgeBaseWriters { get; init; }
}

/// <summary>
/// The data stores of one environment: the four DynamoDB tables of <see cref="FraudTables"/>, the three data
/// buckets (audit logs, decision trails, model artifacts), the failed-batches bucket of the stream processor's event
/// source mapping (with a request-metrics filter on new records), plus the bucket their server access logs go to.
/// Names follow the seed: <c>&lt;prefix&gt;-&lt;name&gt;-&lt;env&gt;</c>.
/// </summary>
public sealed class FraudStorage : Construct
{
    /// <summary>Creates the tables and buckets named by <paramref name="storage"/>'s target, encrypted with its data key.</summary>
    public FraudStorage(Construct scope, string id, FraudStorageConfig storage) : base(scope, id)
    {
        Config = storage;
        var config = storage.Target; // names, account, region and partition of every store
        var protect = storage.Protection.DeletionProtection;
        var retention = storage.Retention;

        DataTable Table(TableSchema schema) => new(this, $"{schema.LogicalName}-table", new DataTableConfig
        {
            Schema = schema,
            TableName = config.ResourceName(schema.LogicalName),
            Key = storage.DataKey,
            Region = config.Region,
            DeletionProtection = protect,
        });

        Transactions = Table(FraudTables.Transactions);
        Decisions = Table(FraudTables.Decisions);
        UserProfiles = Table(FraudTables.UserProfiles);
        Patterns = Table(FraudTables.Patterns);

        AccessLogs = SecureBucket.ForAccessLogs(this, "access-logs-bucket", new AccessLogBucketConfig
        {
            BucketName = config.ResourceName("access-logs"),
            AccountId = config.AccountId,
            Region = config.Region,
            Partition = config.Partition,
            ExpirationDays = retention.AccessLogExpirationDays,
            DeletionProtection = protect,
        });

        // Every data bucket: <prefix>-<name>-<env>, the data key, server access logs under <name>/, prevent_destroy per
        // protection.deletionProtection. Each adds only what is its own.
        SecureBucketConfig DataBucket(string name) => new()
        {
            BucketName = config.ResourceName(name),
            Key = storage.DataKey,
            Region = config.Region,
            AccessLogs = new AccessLogTarget(AccessLogs, $"{name}/"),
            DeletionProtection = protect,
        };

        AuditLogs = new SecureBucket(this, "audit-logs-bucket", DataBucket("audit-logs") with
        {
            ObjectLockRetentionDays = retention.AuditLogRetentionDays,
            ObjectLockMode = storage.Protection.AuditLogLockMode,
            ExpirationDays = retention.AuditLogRetentionDays,
            NoncurrentVersionExpirationDays = 1,
            WriteOncePrefixes = [AuditPrefix],
        });

        DecisionTrails = new SecureBucket(this, "decision-trails-bucket", DataBucket("decision-trails") with
        {
            // No transitions: a trail is a few KB. S3 skips objects under 128 KB by default, and forcing them would
            // cost more than STANDARD (128 KB minimum in STANDARD_IA, 40 KB overhead in GLACIER, a request per object);
            // the cost report's lifecycle finding priced it. Trails stay in STANDARD until they expire.
            ExpirationDays = retention.DecisionTrailExpirationDays,
            NoncurrentVersionExpirationDays = 30,
            WriteOncePrefixes = [TrailsPrefix],
        });

        // Records the stream processor can never process and that are too large for a queue message (a Kinesis record
        // can be 1 MiB): kept whole, written once per record, until they are redriven or their transactions would have
        // expired anyway (the transaction TTL).
        Quarantine = new SecureBucket(this, "quarantine-bucket", DataBucket("quarantine") with
        {
            ExpirationDays = storage.QuarantineExpirationDays,
            NoncurrentVersionExpirationDays = 1,
            WriteOncePrefixes = [QuarantinePrefix],
        });

        Models = new SecureBucket(this, "models-bucket", DataBucket("models") with
        {
            // The knowledge base's documents are what the analyst agent retrieves and trusts: only the deploying
            // principal (Terraform uploads them) may change them.
            RestrictedPrefixes = [new PrefixWriters(KnowledgeBasePrefix, storage.KnowledgeBaseWriters, "the principal that runs terraform apply")],
            NoncurrentVersionExpirationDays = retention.ModelNoncurrentVersionExpirationDays,
        });

        // The stream processor's event source mapping discards a batch here after its retries or record age: Lambda
        // writes the whole invocation record (metadata and the batch's records) under aws/lambda/ (Lambda developer guide,
        // "Retain discarded batch records for a Kinesis Data Streams event source"). make redrive re-publishes them and
        // writes its markers under redriven/. Kept long enough to fix the cause and redrive, then expired.
        FailedBatches = new SecureBucket(this, "failed-batches-bucket", DataBucket("failed-batches") with
        {
            ExpirationDays = retention.FailedBatchExpirationDays,
            NoncurrentVersionExpirationDays = 1,
        });

        // S3 request metrics for the invocation records only (not the redrive markers): PutRequests on this filter is the
        // "a batch was discarded" signal the monitoring alarms on (S3 user guide, "Creating a CloudWatch metrics
        // configuration for all the objects in your bucket" / "filtered by prefix").
        FailedBatchesMetric = new S3BucketMetric(this, "failed-batches-metric", new S3BucketMetricConfig
        {
            Bucket = FailedBatches.Bucket.Id,
            Name = FailedBatchesFilterId,
            Filter = new S3BucketMetricFilter { Prefix = FailedBatchPrefix },
        });
    }

    /// <summary>What the stores were created with.</summary>
    public FraudStorageConfig Config { get; }

    /// <summary>Prefix under which Lambda writes the invocation records of discarded batches (fixed by Lambda).</summary>
    public const string FailedBatchPrefix = "aws/lambda/";

    /// <summary>Prefix of the redrive markers in <see cref="FailedBatches"/> (one object per re-published item).</summary>
    public const string RedrivenPrefix = "redriven/";

    /// <summary>Id of the S3 request-metrics filter on <see cref="FailedBatchPrefix"/> (CloudWatch dimension FilterId).</summary>
    public const string FailedBatchesFilterId = "discarded-batches";

    /// <summary>Key prefix of the knowledge base's documents in the models bucket (writable only by <c>writers.knowledgeBase</c>).</summary>
    public const string KnowledgeBasePrefix = "knowledge-base/";

    /// <summary>Prefix of the decision trails in <see cref="DecisionTrails"/> (write-once: one trail per transaction).</summary>
    public const string TrailsPrefix = "trails/";

    /// <summary>Prefix of the alert handler's audit records in <see cref="AuditLogs"/> (write-once: one per decision record).</summary>
    public const string AuditPrefix = "audit/";

    /// <summary>Prefix of quarantined records in <see cref="Quarantine"/> (write-once: one object per record).</summary>
    public const string QuarantinePrefix = "quarantine/";

    /// <summary>Transaction history.</summary>
    public DataTable Transactions { get; }

    /// <summary>Decisions (automated and analyst).</summary>
    public DataTable Decisions { get; }

    /// <summary>User behaviour profiles.</summary>
    public DataTable UserProfiles { get; }

    /// <summary>Versioned fraud patterns.</summary>
    public DataTable Patterns { get; }

    /// <summary>All four tables.</summary>
    public IReadOnlyList<DataTable> Tables => [Transactions, Decisions, UserProfiles, Patterns];

    /// <summary>Immutable audit records (Object Lock).</summary>
    public SecureBucket AuditLogs { get; }

    /// <summary>Decision trails: small JSON objects kept in STANDARD until they expire (no transitions, see above).</summary>
    public SecureBucket DecisionTrails { get; }

    /// <summary>Quarantined records too large for the quarantine queue's messages (the queue carries a pointer).</summary>
    public SecureBucket Quarantine { get; }

    /// <summary>Versioned model artifacts.</summary>
    public SecureBucket Models { get; }

    /// <summary>The stream processor mapping's on-failure destination: invocation records of discarded batches, and redrive markers.</summary>
    public SecureBucket FailedBatches { get; }

    /// <summary>The request-metrics configuration (<c>aws_s3_bucket_metric</c>) counting new invocation records in <see cref="FailedBatches"/>.</summary>
    public S3BucketMetric FailedBatchesMetric { get; }

    /// <summary>Target of the other buckets' server access logs.</summary>
    public SecureBucket AccessLogs { get; }
}
