using Constructs;

namespace FraudTf.Agent;

// Alike on purpose: every construct of modules/ takes one settings record (required, then defaulted init properties,
// each documented) and exposes its Config, underlying resources and their ARNs the same way (issue 17's construct API).
/// <summary>Settings of an <see cref="AnalystKnowledgeBase"/>.</summary>
public sealed record AnalystKnowledgeBaseConfig
{
    /// <summary>Names (<c>&lt;prefix&gt;-&lt;name&gt;-&lt;env&gt;</c>), account, region and partition of the knowledge base and its parts.</summary>
    public required DeploymentTarget Target { get; init; }

    /// <summary>The agent's settings (<c>agent</c>: documents folder, embedding model and dimensions, standby replicas).</summary>
    public required AgentConfig Settings { get; init; }

    /// <summary>Size of the index-setup and sync functions (the settings of functions/KnowledgeBaseSetup).</summary>
    public required FunctionSettings SetupSize { get; init; }

    /// <summary>The environment file the settings came from (named in errors about them).</summary>
    public required string SourceFile { get; init; }

    /// <summary>Retention of the setup functions' log groups, in days (<c>retention.logRetentionDays</c>).</summary>
    public required int LogRetentionDays { get; init; }

    /// <summary>The repository root (absolute; the documents are read from it, never written into the output).</summary>
    public required string RepoRoot { get; init; }

    /// <summary>The built code of the index-setup and sync functions (<c>functions/KnowledgeBaseSetup</c>).</summary>
    public required FunctionArtifact SetupCode { get; init; }

    /// <summary>Bucket the documents are uploaded to (the model-artifacts bucket).</summary>
    public required SecureBucket SourceBucket { get; init; }

    /// <summary>Key of the data: the collection, the data source's transient data and the documents' bucket.</summary>
    public required EncryptionKey DataKey { get; init; }

    /// <summary>Key of the log groups (the index-setup function's).</summary>
    public required EncryptionKey LogKey { get; init; }

    /// <summary>
    /// Where the knowledge base's collection puts its OpenSearch Serverless VPC endpoint when the environment has private
    /// networking (the collection then allows that endpoint and Amazon Bedrock only). Default: null (a public collection
    /// endpoint, with its recorded FTF-AOSS-002 exception).
    /// </summary>
    public CollectionEndpointPlacement? CollectionEndpoint { get; init; }

}

/// <summary>
/// The fraud-analyst agent's knowledge base of fraud patterns and rules:
/// <list type="bullet">
/// <item>the documents of <c>agent.knowledgeBaseDocuments</c>, uploaded under <see cref="SourcePrefix"/> of the
/// model-artifacts bucket as <c>aws_s3_object</c>s whose <c>source_hash</c> is the SHA-256 of their text, so an unchanged
/// document is no change in the plan;</item>
/// <item>an OpenSearch Serverless vector collection (<see cref="VectorCollection"/>) and its vector index, which the
/// provider cannot create: the <c>vector-index-setup</c> function creates it during the same apply, called by an
/// <c>aws_lambda_invocation</c> after the data-access policy exists and before the knowledge base is created;</item>
/// <item>the knowledge base (embedding model from config) and its S3 data source, encrypted with the data key;</item>
/// <item>the knowledge base's role: read its source prefix only, embed with its model only, use its collection only.</item>
/// </list>
/// </summary>
public sealed class AnalystKnowledgeBase : Construct
{
    /// <summary>Folder of the bucket holding the documents.</summary>
    public const string SourcePrefix = "knowledge-base/fraud-patterns/";

    /// <summary>Name of the vector index in the collection.</summary>
    public const string IndexName = "fraud-patterns";

    /// <summary>Field of the index holding the embeddings.</summary>
    public const string VectorField = "embedding";

    /// <summary>Field of the index holding the chunk's text.</summary>
    public const string TextField = "text";

    /// <summary>Field of the index holding Bedrock's metadata.</summary>
    public const string MetadataField = "metadata";

    /// <summary>Permissions of the knowledge base's role inside the collection.</summary>
    public static readonly IReadOnlyList<string> KnowledgeBaseIndexPermissions =
        ["aoss:DescribeIndex", "aoss:ReadDocument", "aoss:WriteDocument"];

    /// <summary>Permissions of the index-setup role inside the collection (create and inspect the index; no documents).</summary>
    public static readonly IReadOnlyList<string> IndexSetupPermissions = ["aoss:CreateIndex", "aoss:DescribeIndex"];

    /// <summary>Creates the documents, the vector store, the index step, the knowledge base and its data source.</summary>
    public AnalystKnowledgeBase(Construct scope, string id, AnalystKnowledgeBaseConfig config) : base(scope, id)
    {
        var env = config.Target;
        var agent = config.Settings;
        Config = config;
        Documents = KnowledgeBaseDocuments.Read(config.RepoRoot, agent.KnowledgeBaseDocuments, config.SourceFile);
        EmbeddingModelArn = BedrockArns.FoundationModel(env.Partition, env.Region, agent.EmbeddingModel);

        DocumentObjects = Documents.Select(d => new S3Object(this, $"document-{Slug(d.FileName)}", new S3ObjectConfig
        {
            Bucket = config.SourceBucket.Bucket.Id,
            Key = SourcePrefix + d.FileName,
            Content = TerraformText.Literal(d.Content),
            ContentType = d.FileName.EndsWith(".md", StringComparison.OrdinalIgnoreCase) ? "text/markdown; charset=utf-8" : "text/plain; charset=utf-8",
            ServerSideEncryption = "aws:kms",
            KmsKeyId = config.DataKey.KeyArn,
            SourceHash = d.Sha256,
        })).ToList();

        Collection = new VectorCollection(this, "collection", new VectorCollectionConfig
        {
            CollectionName = env.ResourceName("kb"),
            IndexName = IndexName,
            Key = config.DataKey,
            StandbyReplicas = agent.StandbyReplicas,
            PrivateEndpoint = config.CollectionEndpoint,
            PublicEndpointReason = config.CollectionEndpoint is not null ? null :
                "The platform has no VPC, so the knowledge base's index-setup function reaches the collection over its public endpoint. " +
                "Every request must still be SigV4-signed by a role the data-access policy names (the knowledge-base role and the " +
                "index-setup role only); dashboards are not reachable at all. Move to SourceVPCEs when the platform gets a VPC.",
        });

        // The role of the knowledge base: its documents, its embedding model, its collection. Nothing else.
        Role = new ServiceRole(this, "role", new ServiceRoleConfig
        {
            RoleName = env.ResourceName("knowledge-base"),
            ServicePrincipal = "bedrock.amazonaws.com",
            AccountId = env.AccountId,
            Description = $"Role of the fraud-analyst knowledge base of {env.Environment}",
            SourceArnLike = $"arn:{env.Partition}:bedrock:{env.Region}:{env.AccountId}:knowledge-base/*",
        });
        config.SourceBucket.GrantReadPrefix(Role, SourcePrefix);
        Role.Policy.Add(new PolicyStatement { Sid = "EmbedWithConfiguredModel", Actions = Permissions.BedrockInvokeModel, Resources = [EmbeddingModelArn] });
        Role.Policy.Add(new PolicyStatement { Sid = "UseOwnVectorCollection", Actions = Permissions.AossApiAccess, Resources = [Collection.CollectionArn] });
        Role.Policy.Add(KeyGrants.ViaService(config.DataKey, Permissions.KmsEncryptDecrypt, "bedrock", env.Region, "EncryptIngestionData"));
        Collection.Grant(new VectorCollectionAccess("knowledge base reads and writes the index", Role.RoleArn, KnowledgeBaseIndexPermissions, []));

        // The index: created by a function during apply, once the collection and the access policy exist.
        IndexSetup = new DotnetFunction(this, "index-setup", SetupFunction("vector-index-setup",
            $"Creates vector index {IndexName} of collection {Collection.Config.CollectionName} during terraform apply") with
        {
            // The only endpoint the function signs requests for (it refuses an input naming another).
            Environment = new Dictionary<string, string> { [FraudTf.Functions.Shared.Settings.FunctionEnvironment.CollectionEndpoint] = Collection.Endpoint },
            SignedRequests = [new SignedRequest("aoss:APIAccessAll", IndexSetupRequest)],
            SynchronousInvocation = new SynchronousInvocation("Terraform (aws_lambda_invocation) during apply",
                "fails the apply with the function's error; the next apply invokes it again (creating the index is idempotent)"),
        });
        IndexSetup.Role.Policy.Add(new PolicyStatement { Sid = "UseOwnVectorCollection", Actions = Permissions.AossApiAccess, Resources = [Collection.CollectionArn] });
        Collection.Grant(new VectorCollectionAccess("index setup creates the index", IndexSetup.Role.RoleArn, IndexSetupPermissions, []));

        IndexCreation = new LambdaInvocation(this, "index-creation", new LambdaInvocationConfig
        {
            FunctionName = IndexSetup.Function.FunctionName,
            LifecycleScope = "CRUD",
            Input = JsonSerializer.Serialize(new Dictionary<string, object>
            {
                ["collectionEndpoint"] = Collection.Endpoint,
                ["indexName"] = IndexName,
                ["dimensions"] = agent.EmbeddingDimensions,
                ["vectorField"] = VectorField,
                ["textField"] = TextField,
                ["metadataField"] = MetadataField,
            }, new JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }),
            DependsOn = [Collection.AccessPolicy, IndexSetup.Function, IndexSetup.Role.InlinePolicy],
        });

        KnowledgeBase = new BedrockagentKnowledgeBase(this, "this", new BedrockagentKnowledgeBaseConfig
        {
            Name = env.ResourceName("knowledge-base"),
            Description = "Fraud patterns, scoring rules and the analyst review playbook",
            RoleArn = Role.RoleArn,
            KnowledgeBaseConfiguration = new[]
            {
                new BedrockagentKnowledgeBaseKnowledgeBaseConfiguration
                {
                    Type = "VECTOR",
                    VectorKnowledgeBaseConfiguration = new[]
                    {
                        new BedrockagentKnowledgeBaseKnowledgeBaseConfigurationVectorKnowledgeBaseConfiguration
                        {
                            EmbeddingModelArn = EmbeddingModelArn,
                            EmbeddingModelConfiguration = new[]
                            {
                                new BedrockagentKnowledgeBaseKnowledgeBaseConfigurationVectorKnowledgeBaseConfigurationEmbeddingModelConfiguration
                                {
                                    BedrockEmbeddingModelConfiguration = new[]
                                    {
                                        new BedrockagentKnowledgeBaseKnowledgeBaseConfigurationVectorKnowledgeBaseConfigurationEmbeddingModelConfigurationBedrockEmbeddingModelConfiguration
                                        {
                                            Dimensions = agent.EmbeddingDimensions,
                                            EmbeddingDataType = "FLOAT32",
                                        },
                                    },
                                },
                            },
                        },
                    },
                },
            },
            StorageConfiguration = new[]
            {
                new BedrockagentKnowledgeBaseStorageConfiguration
                {
                    Type = "OPENSEARCH_SERVERLESS",
                    OpensearchServerlessConfiguration = new[]
                    {
                        new BedrockagentKnowledgeBaseStorageConfigurationOpensearchServerlessConfiguration
                        {
                            CollectionArn = Collection.CollectionArn,
                            VectorIndexName = IndexName,
                            FieldMapping = new[]
                            {
                                new BedrockagentKnowledgeBaseStorageConfigurationOpensearchServerlessConfigurationFieldMapping
                                {
                                    VectorField = VectorField,
                                    TextField = TextField,
                                    MetadataField = MetadataField,
                                },
                            },
                        },
                    },
                },
            },
            DependsOn = [IndexCreation, Role.InlinePolicy, Collection.AccessPolicy],
        });

        // Alike on purpose: the provider's nested blocks (one-element arrays of typed configs) are written out as the schema
        // nests them, for the knowledge base above as for its data source.
        DataSource = new BedrockagentDataSource(this, "data-source", new BedrockagentDataSourceConfig
        {
            Name = env.ResourceName("fraud-patterns"),
            Description = $"Documents under s3://{config.SourceBucket.Config.BucketName}/{SourcePrefix}",
            KnowledgeBaseId = KnowledgeBase.Id,
            DataDeletionPolicy = "DELETE",
            DataSourceConfiguration = new[]
            {
                new BedrockagentDataSourceDataSourceConfiguration
                {
                    Type = "S3",
                    S3Configuration = new[]
                    {
                        new BedrockagentDataSourceDataSourceConfigurationS3Configuration
                        {
                            BucketArn = config.SourceBucket.Bucket.Arn,
                            BucketOwnerAccountId = env.AccountId,
                            InclusionPrefixes = new[] { SourcePrefix },
                        },
                    },
                },
            },
            ServerSideEncryptionConfiguration = new[]
            {
                new BedrockagentDataSourceServerSideEncryptionConfiguration { KmsKeyArn = config.DataKey.KeyArn },
            },
            VectorIngestionConfiguration = new[]
            {
                new BedrockagentDataSourceVectorIngestionConfiguration
                {
                    ChunkingConfiguration = new[]
                    {
                        new BedrockagentDataSourceVectorIngestionConfigurationChunkingConfiguration
                        {
                            ChunkingStrategy = "FIXED_SIZE",
                            FixedSizeChunkingConfiguration = new[]
                            {
                                new BedrockagentDataSourceVectorIngestionConfigurationChunkingConfigurationFixedSizeChunkingConfiguration
                                {
                                    MaxTokens = 300,
                                    OverlapPercentage = 20,
                                },
                            },
                        },
                    },
                },
            },
        });

        // Ingestion: the same package as a second function whose role may only start ingestion jobs of this knowledge
        // base, called after the documents and the data source exist, and again whenever a document changes.
        DocumentsSha256 = KnowledgeBaseDocuments.Hash(string.Concat(Documents.Select(d => $"{d.FileName}\n{d.Sha256}\n")));
        Sync = new DotnetFunction(this, "sync", SetupFunction("knowledge-base-sync",
            $"Starts an ingestion job of data source {DataSource.Name} when the knowledge base's documents change (terraform apply)") with
        {
            SignedRequests = [new SignedRequest("bedrock:StartIngestionJob", SyncRequest)],
            SynchronousInvocation = new SynchronousInvocation("Terraform (aws_lambda_invocation) during apply",
                "fails the apply with the function's error; the next apply invokes it again (the documents' hash is the job's client token)"),
        });
        Sync.Role.Policy.Add(new PolicyStatement { Sid = "StartIngestionOfOwnKnowledgeBase", Actions = Permissions.BedrockStartIngestionJob, Resources = [KnowledgeBase.Arn] });
        Ingestion = new LambdaInvocation(this, "ingestion", new LambdaInvocationConfig
        {
            FunctionName = Sync.Function.FunctionName,
            LifecycleScope = "CRUD",
            Input = JsonSerializer.Serialize(new Dictionary<string, object>
            {
                ["operation"] = "start-ingestion",
                ["knowledgeBaseId"] = KnowledgeBase.Id,
                ["dataSourceId"] = DataSource.DataSourceId,
                ["documentsSha256"] = DocumentsSha256,
            }, new JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }),
            DependsOn = [.. DocumentObjects, DataSource, Sync.Function, Sync.Role.InlinePolicy],
        });
    }

    /// <summary>Why the index-setup and sync functions have no alarms.</summary>
    public const string ApplyTimeOnly =
        "invoked only by Terraform during apply, which fails with the function's error: an alarm would report what the apply already did";

    /// <summary>Why the index setup function's role needs aoss:APIAccessAll although its code uses no SDK client.</summary>
    public const string IndexSetupRequest =
        "functions/KnowledgeBaseSetup (Function.cs, signed by SigV4.cs for service aoss) PUTs and GETs the vector index through the " +
        "collection's data-plane endpoint (COLLECTION_ENDPOINT, the only host it signs for); every OpenSearch Serverless data-plane request is authorized as aoss:APIAccessAll " +
        "(Service Authorization Reference, Amazon OpenSearch Serverless), then by the collection's data-access policy.";

    /// <summary>Why the sync function's role needs bedrock:StartIngestionJob although its code uses no SDK client.</summary>
    public const string SyncRequest =
        "functions/KnowledgeBaseSetup (IngestionRequest.cs, signed by SigV4.cs for service bedrock) calls the Bedrock Agent " +
        "StartIngestionJob API directly; it is authorized as bedrock:StartIngestionJob (Service Authorization Reference, Amazon Bedrock).";

    /// <summary>SHA-256 (hex) of the documents' names and hashes: changes when any document does.</summary>
    public string DocumentsSha256 { get; }

    /// <summary>The function starting ingestion jobs (same package as <see cref="IndexSetup"/>, its own role).</summary>
    public DotnetFunction Sync { get; }

    /// <summary>The call of <see cref="Sync"/> during apply, again whenever <see cref="DocumentsSha256"/> changes.</summary>
    public LambdaInvocation Ingestion { get; }

    /// <summary>The settings the knowledge base was created with.</summary>
    public AnalystKnowledgeBaseConfig Config { get; }

    /// <summary>The documents, as read from the repository.</summary>
    public IReadOnlyList<KnowledgeDocument> Documents { get; }

    /// <summary>One <c>aws_s3_object</c> per document.</summary>
    public IReadOnlyList<S3Object> DocumentObjects { get; }

    /// <summary>The vector store.</summary>
    public VectorCollection Collection { get; }

    /// <summary>The function creating the vector index.</summary>
    public DotnetFunction IndexSetup { get; }

    /// <summary>The call of <see cref="IndexSetup"/> during apply.</summary>
    public LambdaInvocation IndexCreation { get; }

    /// <summary>The knowledge base's role.</summary>
    public ServiceRole Role { get; }

    /// <summary>The underlying <c>aws_bedrockagent_knowledge_base</c>.</summary>
    public BedrockagentKnowledgeBase KnowledgeBase { get; }

    /// <summary>The S3 data source.</summary>
    public BedrockagentDataSource DataSource { get; }

    /// <summary>ARN of the embedding model.</summary>
    public string EmbeddingModelArn { get; }

    /// <summary>Knowledge base ARN (token).</summary>
    public string KnowledgeBaseArn => KnowledgeBase.Arn;

    /// <summary>Knowledge base id (token).</summary>
    public string KnowledgeBaseId => KnowledgeBase.Id;

    /// <summary>
    /// What the knowledge base holds: the documents' names and hashes (the embedding settings are in the agent's
    /// <see cref="FraudAnalystAgent.VersionStamp"/> as written in config). Part of the
    /// agent's <see cref="FraudAnalystAgent.Fingerprint"/>.
    /// </summary>
    public string Fingerprint => JsonSerializer.Serialize(new
    {
        documents = Documents.Select(d => new[] { d.FileName, d.Sha256 }),
    });

    // A setup function <prefix>-<name>-<env> of the knowledge-base setup project, invoked synchronously during apply.
    private DotnetFunctionConfig SetupFunction(string name, string description) => new()
    {
        FunctionName = Config.Target.ResourceName(name),
        Description = description,
        Code = Config.SetupCode,
        Settings = Config.SetupSize,
        EnvironmentKey = Config.DataKey,
        LogKey = Config.LogKey,
        LogRetentionDays = Config.LogRetentionDays,
        AccountId = Config.Target.AccountId,
        Region = Config.Target.Region,
        Partition = Config.Target.Partition,
        WithoutAlarms = ApplyTimeOnly,
    };

    private static string Slug(string fileName) =>
        new(Path.GetFileNameWithoutExtension(fileName).ToLowerInvariant().Select(c => char.IsAsciiLetterOrDigit(c) ? c : '-').ToArray());
}
