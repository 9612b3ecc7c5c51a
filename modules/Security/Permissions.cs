namespace FraudTf.Security;

/// <summary>
/// Every IAM action list FraudTf grants, in one place (as aws-cdk keeps them in perms.ts), so a reviewer can see
/// what each intent-named grant allows. All explicit: no wildcards.
/// </summary>
public static class Permissions
{
    /// <summary>Reading items of a table and its indexes (no Scan: no function needs it).</summary>
    public static readonly IReadOnlyList<string> DynamoDbReadData =
        ["dynamodb:BatchGetItem", "dynamodb:ConditionCheckItem", "dynamodb:DescribeTable", "dynamodb:GetItem", "dynamodb:Query"];

    /// <summary>Writing items of a table (put, update, delete; transactions use these per item).</summary>
    public static readonly IReadOnlyList<string> DynamoDbWriteData =
        ["dynamodb:BatchWriteItem", "dynamodb:ConditionCheckItem", "dynamodb:DeleteItem", "dynamodb:DescribeTable", "dynamodb:PutItem", "dynamodb:UpdateItem"];

    /// <summary>Reading a table's DynamoDB stream (Lambda event source mappings, EventBridge Pipes).</summary>
    public static readonly IReadOnlyList<string> DynamoDbStreamRead =
        ["dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator", "dynamodb:ListStreams"];

    /// <summary>Reading objects of a bucket.</summary>
    public static readonly IReadOnlyList<string> S3ReadObjects = ["s3:GetObject", "s3:GetObjectVersion"];

    /// <summary>Listing a bucket (granted on the bucket ARN, not its objects).</summary>
    public static readonly IReadOnlyList<string> S3ListBucket = ["s3:ListBucket"];

    /// <summary>Writing objects into a bucket (including multipart uploads).</summary>
    public static readonly IReadOnlyList<string> S3PutObjects = ["s3:AbortMultipartUpload", "s3:PutObject"];

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

    /// <summary>Sending messages to a queue.</summary>
    public static readonly IReadOnlyList<string> SqsSend = ["sqs:GetQueueAttributes", "sqs:SendMessage"];

    /// <summary>Publishing to a topic.</summary>
    public static readonly IReadOnlyList<string> SnsPublish = ["sns:Publish"];

    /// <summary>Putting events on an event bus.</summary>
    public static readonly IReadOnlyList<string> EventsPut = ["events:PutEvents"];

    /// <summary>Writing a function's logs into its own log group.</summary>
    public static readonly IReadOnlyList<string> LogsWrite = ["logs:CreateLogStream", "logs:PutLogEvents"];

    /// <summary>Sending X-Ray traces (these actions support no resource-level permissions).</summary>
    public static readonly IReadOnlyList<string> XRayWrite =
        ["xray:GetSamplingRules", "xray:GetSamplingTargets", "xray:PutTelemetryRecords", "xray:PutTraceSegments"];

    /// <summary>Adding new items to a table (no update, no delete: an append-only history such as analyst decisions).</summary>
    public static readonly IReadOnlyList<string> DynamoDbAppendData = ["dynamodb:DescribeTable", "dynamodb:PutItem"];

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
