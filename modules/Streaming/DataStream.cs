using Constructs;

namespace FraudTf.Streaming;

// Alike on purpose: every construct of modules/ takes one settings record (required, then defaulted init properties,
// each documented) and exposes its Config, underlying resources and their ARNs the same way (issue 17's construct API).
/// <summary>Settings of a <see cref="DataStream"/>: the name, key and region are required (a stream is always encrypted with the key).</summary>
public sealed record DataStreamConfig
{
    /// <summary>Stream name (a literal: <see cref="DataStream.StreamName"/> returns it).</summary>
    public required string StreamName { get; init; }

    /// <summary>Customer-managed key for server-side encryption.</summary>
    public required EncryptionKey Key { get; init; }

    /// <summary>Region of the stream (for the kms:ViaService condition of grants).</summary>
    public required string Region { get; init; }

    /// <summary>How long records stay readable, 24-8760 hours. Default: 24.</summary>
    public int RetentionHours { get; init; } = 24;
}

/// <summary>
/// A Kinesis data stream in on-demand capacity mode (no shards to size; scales with traffic), encrypted with a
/// customer-managed key. Grants for producers and consumers.
/// </summary>
public sealed class DataStream : Construct
{
    /// <summary>Creates the stream.</summary>
    public DataStream(Construct scope, string id, DataStreamConfig config) : base(scope, id)
    {
        if (config.RetentionHours is < 24 or > 8760)
        {
            throw new ArgumentException($"DataStream '{id}' ({config.StreamName}): RetentionHours = {config.RetentionHours}. Fix: use 24 to 8760 hours.");
        }

        Config = config;
        _writers = new TrustedWriters($"DataStream '{config.StreamName}'", "producer");
        Stream = new KinesisStream(this, "this", new KinesisStreamConfig
        {
            Name = config.StreamName,
            RetentionPeriod = config.RetentionHours,
            EncryptionType = "KMS",
            KmsKeyId = config.Key.KeyArn,
            StreamModeDetails = new KinesisStreamStreamModeDetails { StreamMode = "ON_DEMAND" },
        });
    }

    /// <summary>The settings the stream was created with.</summary>
    public DataStreamConfig Config { get; }

    /// <summary>The underlying <c>aws_kinesis_stream</c>.</summary>
    public KinesisStream Stream { get; }

    /// <summary>Stream ARN (token).</summary>
    public string StreamArn => Stream.Arn;

    /// <summary>Stream name: the configured literal (docs/security.md, "Names"); <c>Stream.Name</c> is the Terraform reference.</summary>
    public string StreamName => Config.StreamName;

    private readonly TrustedWriters _writers;

    /// <summary>Every grantee <see cref="GrantWrite"/> let put records, in the order of the grants.</summary>
    public IReadOnlyList<IGrantee> WriteGrantees => _writers.Grantees;

    /// <summary>The stream's resource policy restricting its producers, once <see cref="RestrictWritesToGrantees"/> was called.</summary>
    public KinesisResourcePolicy? WritersPolicy { get; private set; }

    /// <summary>
    /// Lets only the roles granted writes (<see cref="WriteGrantees"/>, in the order of their grants) and then
    /// <paramref name="extraProducerArns"/> (IAM role or user ARNs from outside the stack, in the order given) put records
    /// into the stream, whatever their IAM policies say: a resource policy denies PutRecord and PutRecords to any other
    /// principal (<c>aws:PrincipalArn</c>). The consumers trust what they read, so no other principal of the account may
    /// write. No grantee and no extra producer means no principal may write. <paramref name="producers"/> says who they
    /// are (<c>"//".writers</c>). Call once, after every grant: a write grant made later is an error.
    /// </summary>
    public void RestrictWritesToGrantees(IReadOnlyList<string> extraProducerArns, string producers)
    {
        var doc = _writers.Restrict("OnlyTheStreamsProducersPutRecords", Permissions.KinesisRecordWrites, Stream.Arn, extraProducerArns);
        WritersPolicy = new KinesisResourcePolicy(this, "writers-policy", new KinesisResourcePolicyConfig
        {
            ResourceArn = Stream.Arn,
            Policy = doc.ToJson(),
        });
        WritersPolicy.AddOverride("//.writers", producers);
    }

    /// <summary>Lets <paramref name="grantee"/> put records (and encrypt them with the stream's key).</summary>
    public FraudTf.Security.Grant GrantWrite(IGrantee grantee)
    {
        var policy = grantee.Policy;
        var before = policy.Statements.Count;
        _writers.Add(grantee);
        policy.Add(new PolicyStatement { Sid = Sid("Write"), Actions = Permissions.KinesisWrite, Resources = [Stream.Arn] });
        policy.Add(KeyGrants.ViaService(Config.Key, Permissions.KmsProduce, "kinesis", Config.Region, Sid("WriteKey")));

        return FraudTf.Security.Grant.Since(Config.StreamName, grantee, before);
    }

    /// <summary>Lets <paramref name="grantee"/> consume the stream (and decrypt its records).</summary>
    public FraudTf.Security.Grant GrantRead(IGrantee grantee)
    {
        var policy = grantee.Policy;
        var before = policy.Statements.Count;
        policy.Add(new PolicyStatement { Sid = Sid("Read"), Actions = Permissions.KinesisRead, Resources = [Stream.Arn, $"{Stream.Arn}/consumer/*"] });
        policy.Add(KeyGrants.ViaService(Config.Key, Permissions.KmsDecrypt, "kinesis", Config.Region, Sid("ReadKey")));

        return FraudTf.Security.Grant.Since(Config.StreamName, grantee, before);
    }

    /// <summary>Age of the oldest record read (Maximum, milliseconds): how far consumers lag.</summary>
    public FraudTf.Monitoring.Metric MetricIteratorAgeMilliseconds() => Kinesis("GetRecords.IteratorAgeMilliseconds", "Maximum", "iterator age (ms)");

    /// <summary>Writes refused for exceeding the stream's throughput (Sum).</summary>
    public FraudTf.Monitoring.Metric MetricWriteThrottles() => Kinesis("WriteProvisionedThroughputExceeded", "Sum", "write throttles");

    /// <summary>Records written (Sum).</summary>
    public FraudTf.Monitoring.Metric MetricIncomingRecords() => Kinesis("IncomingRecords", "Sum", "incoming records");

    private FraudTf.Monitoring.Metric Kinesis(string name, string statistic, string label) =>
        new("AWS/Kinesis", name, new Dictionary<string, string> { ["StreamName"] = Config.StreamName }, statistic, $"{Config.StreamName} {label}");

    private string Sid(string what) => StatementIds.For(Node.Id, "Stream", what);
}
