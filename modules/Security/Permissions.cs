namespace FraudTf.Security;

/// <summary>
/// Every IAM action list FraudTf grants, in one place (as aws-cdk keeps them in perms.ts), so a reviewer can see
/// what each intent-named grant allows. All explicit: no wildcards.
/// </summary>
public static class Permissions
{
    /// <summary>
    /// The DynamoDB item action each <see cref="TableAccess"/> flag grants: the action a request of that name is authorized
    /// with (Service Authorization Reference, "Actions defined by Amazon DynamoDB"). TransactWriteItems has no action of
    /// its own: each item is authorized as PutItem, UpdateItem, DeleteItem or ConditionCheckItem, and TransactGetItems as
    /// GetItem (DynamoDB developer guide, "Using IAM with DynamoDB transactions").
    /// </summary>
    public static readonly IReadOnlyDictionary<TableAccess, string> DynamoDbItemActions = new SortedDictionary<TableAccess, string>
    {
        [TableAccess.GetItem] = "dynamodb:GetItem",
        [TableAccess.BatchGetItem] = "dynamodb:BatchGetItem",
        [TableAccess.Query] = "dynamodb:Query",
        [TableAccess.Scan] = "dynamodb:Scan",
        [TableAccess.ConditionCheckItem] = "dynamodb:ConditionCheckItem",
        [TableAccess.PutItem] = "dynamodb:PutItem",
        [TableAccess.UpdateItem] = "dynamodb:UpdateItem",
        [TableAccess.DeleteItem] = "dynamodb:DeleteItem",
        [TableAccess.BatchWriteItem] = "dynamodb:BatchWriteItem",
    };

    /// <summary>The flags of <see cref="TableAccess"/> that only read (their statements also cover the table's indexes).</summary>
    public const TableAccess DynamoDbReads = TableAccess.GetItem | TableAccess.BatchGetItem | TableAccess.Query | TableAccess.Scan | TableAccess.ConditionCheckItem;

    /// <summary>The flags of <see cref="TableAccess"/> that write items.</summary>
    public const TableAccess DynamoDbWrites = TableAccess.PutItem | TableAccess.UpdateItem | TableAccess.DeleteItem | TableAccess.BatchWriteItem;

    /// <summary>The DynamoDB actions of <paramref name="access"/>, sorted ordinally.</summary>
    public static IReadOnlyList<string> DynamoDb(TableAccess access) =>
        DynamoDbItemActions.Where(p => access.HasFlag(p.Key)).Select(p => p.Value).Order(StringComparer.Ordinal).ToList();

    /// <summary>Reading a table's DynamoDB stream (Lambda event source mappings, EventBridge Pipes).</summary>
    public static readonly IReadOnlyList<string> DynamoDbStreamRead =
        ["dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator", "dynamodb:ListStreams"];

    /// <summary>Reading objects of a bucket.</summary>
    public static readonly IReadOnlyList<string> S3ReadObjects = ["s3:GetObject", "s3:GetObjectVersion"];

    /// <summary>Listing a bucket (granted on the bucket ARN, not its objects).</summary>
    public static readonly IReadOnlyList<string> S3ListBucket = ["s3:ListBucket"];

    /// <summary>
    /// Writing objects into a bucket with single-part PutObject (what the functions call; a multipart upload would also
    /// need s3:AbortMultipartUpload, which no function makes).
    /// </summary>
    public static readonly IReadOnlyList<string> S3PutObjects = ["s3:PutObject"];

    /// <summary>KMS use needed to read data encrypted with a customer-managed key.</summary>
    public static readonly IReadOnlyList<string> KmsDecrypt = ["kms:Decrypt", "kms:DescribeKey"];

    /// <summary>KMS use needed to write data encrypted with a customer-managed key (S3 multipart and bucket keys need Decrypt too).</summary>
    public static readonly IReadOnlyList<string> KmsEncryptDecrypt =
        ["kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey", "kms:ReEncryptFrom", "kms:ReEncryptTo"];

    /// <summary>Writing records into a Kinesis stream.</summary>
    public static readonly IReadOnlyList<string> KinesisWrite =
        ["kinesis:DescribeStreamSummary", "kinesis:ListShards", "kinesis:PutRecord", "kinesis:PutRecords"];

    /// <summary>Consuming a Kinesis stream (Lambda event source mappings; ListStreams is left out: it needs Resource *).</summary>
    public static readonly IReadOnlyList<string> KinesisRead =
        ["kinesis:DescribeStream", "kinesis:DescribeStreamSummary", "kinesis:GetRecords", "kinesis:GetShardIterator", "kinesis:ListShards", "kinesis:SubscribeToShard"];

    /// <summary>KMS use of a producer writing into an encrypted stream, queue or topic.</summary>
    public static readonly IReadOnlyList<string> KmsProduce = ["kms:Decrypt", "kms:GenerateDataKey"];

    /// <summary>Sending messages to a queue, for services that also read its attributes (EventBridge Pipes dead-letter queues).</summary>
    public static readonly IReadOnlyList<string> SqsSend = ["sqs:GetQueueAttributes", "sqs:SendMessage"];

    /// <summary>
    /// Sending messages to a queue, SendMessage only: what a function's code calls, and all Lambda needs of the execution
    /// role for a dead-letter queue or an event source mapping's on-failure destination (AWS SAM adds exactly this for a
    /// function's DeadLetterQueue; Lambda developer guide, "Capturing records of asynchronous invocations").
    /// </summary>
    public static readonly IReadOnlyList<string> SqsSendMessage = ["sqs:SendMessage"];

    /// <summary>Publishing to a topic.</summary>
    public static readonly IReadOnlyList<string> SnsPublish = ["sns:Publish"];

    /// <summary>Putting events on an event bus.</summary>
    public static readonly IReadOnlyList<string> EventsPut = ["events:PutEvents"];

    /// <summary>Writing a function's logs into its own log group.</summary>
    public static readonly IReadOnlyList<string> LogsWrite = ["logs:CreateLogStream", "logs:PutLogEvents"];

    /// <summary>Sending X-Ray traces (these actions support no resource-level permissions).</summary>
    public static readonly IReadOnlyList<string> XRayWrite =
        ["xray:GetSamplingRules", "xray:GetSamplingTargets", "xray:PutTelemetryRecords", "xray:PutTraceSegments"];

    /// <summary>
    /// Lambda's management of a VPC function's network interfaces, with resource-level permissions (Lambda developer guide,
    /// "Giving Lambda functions access to resources in an Amazon VPC", "Required IAM permissions").
    /// </summary>
    public static readonly IReadOnlyList<string> LambdaVpcNetworkInterfaces =
        ["ec2:AssignPrivateIpAddresses", "ec2:CreateNetworkInterface", "ec2:DeleteNetworkInterface", "ec2:UnassignPrivateIpAddresses"];

    /// <summary>The Describe actions Lambda needs for a VPC function: no resource-level permissions (Resource <c>*</c> only).</summary>
    public static readonly IReadOnlyList<string> LambdaVpcDescribe = ["ec2:DescribeNetworkInterfaces", "ec2:DescribeSubnets"];

    /// <summary>Calling a foundation model (directly or through an inference profile).</summary>
    public static readonly IReadOnlyList<string> BedrockInvokeModel = ["bedrock:InvokeModel", "bedrock:InvokeModelWithResponseStream"];

    /// <summary>Reading the definition of the inference profile an agent calls.</summary>
    public static readonly IReadOnlyList<string> BedrockGetInferenceProfile = ["bedrock:GetInferenceProfile"];

    /// <summary>Reading the definition of a foundation model.</summary>
    public static readonly IReadOnlyList<string> BedrockGetFoundationModel = ["bedrock:GetFoundationModel"];

    /// <summary>Querying a knowledge base.</summary>
    public static readonly IReadOnlyList<string> BedrockRetrieve = ["bedrock:Retrieve"];

    /// <summary>Starting an ingestion job of a knowledge base's data source.</summary>
    public static readonly IReadOnlyList<string> BedrockStartIngestionJob = ["bedrock:StartIngestionJob"];

    /// <summary>Applying a guardrail to model input and output.</summary>
    public static readonly IReadOnlyList<string> BedrockApplyGuardrail = ["bedrock:ApplyGuardrail"];

    /// <summary>Data-plane access to an OpenSearch Serverless collection (what may be done inside is the data-access policy's business).</summary>
    public static readonly IReadOnlyList<string> AossApiAccess = ["aoss:APIAccessAll"];

    /// <summary>Every way to change a table's items (a resource policy denies them to all but the table's writers).</summary>
    public static readonly IReadOnlyList<string> DynamoDbItemWrites =
        ["dynamodb:BatchWriteItem", "dynamodb:DeleteItem", "dynamodb:PartiQLDelete", "dynamodb:PartiQLInsert", "dynamodb:PartiQLUpdate", "dynamodb:PutItem", "dynamodb:UpdateItem"];

    /// <summary>Every way to put records into a Kinesis stream (a resource policy denies them to all but its producers).</summary>
    public static readonly IReadOnlyList<string> KinesisRecordWrites = ["kinesis:PutRecord", "kinesis:PutRecords"];

    /// <summary>Every way to create, replace or delete an object (a bucket policy denies them on a prefix to all but its writers).</summary>
    public static readonly IReadOnlyList<string> S3ObjectWrites = ["s3:DeleteObject", "s3:DeleteObjectVersion", "s3:PutObject"];
}

/// <summary>
/// The item operations a role may make on a DynamoDB table (<c>DataTable.Grant</c>): name exactly what the code calls,
/// nothing more. <see cref="Permissions.DynamoDbItemActions"/> maps each flag to its IAM action.
/// </summary>
[Flags]
public enum TableAccess
{
    /// <summary>No access.</summary>
    None = 0,

    /// <summary><c>dynamodb:GetItem</c> (GetItem, and each item of TransactGetItems).</summary>
    GetItem = 1,

    /// <summary><c>dynamodb:BatchGetItem</c>.</summary>
    BatchGetItem = 2,

    /// <summary><c>dynamodb:Query</c> on the table and its indexes.</summary>
    Query = 4,

    /// <summary><c>dynamodb:Scan</c> on the table and its indexes.</summary>
    Scan = 8,

    /// <summary><c>dynamodb:ConditionCheckItem</c> (a ConditionCheck item of TransactWriteItems).</summary>
    ConditionCheckItem = 16,

    /// <summary><c>dynamodb:PutItem</c> (PutItem, and a Put item of TransactWriteItems).</summary>
    PutItem = 32,

    /// <summary><c>dynamodb:UpdateItem</c> (UpdateItem, and an Update item of TransactWriteItems).</summary>
    UpdateItem = 64,

    /// <summary><c>dynamodb:DeleteItem</c> (DeleteItem, and a Delete item of TransactWriteItems).</summary>
    DeleteItem = 128,

    /// <summary><c>dynamodb:BatchWriteItem</c>.</summary>
    BatchWriteItem = 256,
}
