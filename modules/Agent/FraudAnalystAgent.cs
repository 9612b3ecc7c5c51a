using Constructs;
using FraudTf.Functions.Shared.Agent;

namespace FraudTf.Agent;

// Alike on purpose: every construct of modules/ takes one settings record (required, then defaulted init properties,
// each documented) and exposes its Config, underlying resources and their ARNs the same way (issue 17's construct API).
/// <summary>Settings of a <see cref="FraudAnalystAgent"/>.</summary>
public sealed record FraudAnalystAgentConfig
{
    /// <summary>Names (<c>&lt;prefix&gt;-&lt;name&gt;-&lt;env&gt;</c>), account, region and partition of the agent and its parts.</summary>
    public required DeploymentTarget Target { get; init; }

    /// <summary>The agent's settings (<c>agent</c>: model, instruction, session TTL, knowledge base).</summary>
    public required AgentConfig Settings { get; init; }

    /// <summary>Size of the agent-tools function (the settings of functions/AgentTools).</summary>
    public required FunctionSettings ToolsSize { get; init; }

    /// <summary>Size of the knowledge base's two setup functions (the settings of functions/KnowledgeBaseSetup).</summary>
    public required FunctionSettings KnowledgeBaseSetupSize { get; init; }

    /// <summary>The environment file the settings came from (named in errors about them).</summary>
    public required string SourceFile { get; init; }

    /// <summary>Retention of the functions' log groups, in days (<c>retention.logRetentionDays</c>).</summary>
    public required int LogRetentionDays { get; init; }

    /// <summary>Days an analyst decision is kept (<c>scoring.transactionTtlDays</c>, the TTL the tools write).</summary>
    public required int TransactionTtlDays { get; init; }


    /// <summary>The repository root (absolute; the instruction and documents are read from it, never written into the output).</summary>
    public required string RepoRoot { get; init; }

    /// <summary>The built code of the agent-tools function (<c>functions/AgentTools</c>).</summary>
    public required FunctionArtifact ToolsCode { get; init; }

    /// <summary>The built code of the knowledge base's setup functions (<c>functions/KnowledgeBaseSetup</c>).</summary>
    public required FunctionArtifact KnowledgeBaseSetupCode { get; init; }

    /// <summary>The platform's tables and buckets (the tools read the tables; the documents go to the model-artifacts bucket).</summary>
    public required FraudStorage Storage { get; init; }

    /// <summary>The data key: agent, guardrail, knowledge base, collection and the functions' environment variables.</summary>
    public required EncryptionKey DataKey { get; init; }

    /// <summary>The logs key: the functions' log groups.</summary>
    public required EncryptionKey LogKey { get; init; }

    /// <summary>
    /// Where the knowledge base's collection puts its OpenSearch Serverless VPC endpoint when the environment has private
    /// networking (the collection then allows that endpoint and Amazon Bedrock only). Default: null (a public collection
    /// endpoint, with its recorded FTF-AOSS-002 exception).
    /// </summary>
    public CollectionEndpointPlacement? CollectionEndpoint { get; init; }
}

/// <summary>
/// The AI fraud analyst of one environment: the Bedrock agent <c>&lt;prefix&gt;-analyst-&lt;env&gt;</c> with its
/// instruction from the repository, its model from config (through an inference profile), a guardrail with
/// personal-data filters, the tool-calling action group backed by the <c>agent-tools</c> function
/// (<see cref="AnalystTools"/>), the knowledge base of fraud patterns (<see cref="AnalystKnowledgeBase"/>), and the
/// environment's alias.
/// <para>
/// Aliases and versions: Bedrock has no "create version" call; a version is made when an alias is created or updated
/// without a routing configuration. The alias therefore carries the agent's <see cref="VersionStamp"/> (a hash of the
/// instruction, guardrail policy, tool schema and knowledge-base documents, plus the model, session TTL and embedding
/// settings as written in config) in its description
/// and depends on the agent, the action group and the knowledge-base association: any change to what the agent is
/// updates the alias in the same apply, after the DRAFT was updated and prepared, which makes a new version and moves
/// the alias to it. An unchanged agent leaves the description, and so the alias, alone.
/// </para>
/// </summary>
public sealed class FraudAnalystAgent : Construct
{
    /// <summary>Shortest and longest instruction Bedrock accepts, in characters.</summary>
    public const int MinInstructionLength = 40;

    /// <summary>Longest instruction this construct accepts (Bedrock's documented limit for agent instructions).</summary>
    public const int MaxInstructionLength = 4000;

    /// <summary>Creates the agent and everything it uses.</summary>
    public FraudAnalystAgent(Construct scope, string id, FraudAnalystAgentConfig config) : base(scope, id)
    {
        var env = config.Target;
        var agent = config.Settings;
        Config = config;
        Instruction = ReadInstruction(config.RepoRoot, agent.InstructionFile, config.SourceFile);
        var dataKey = config.DataKey;

        KnowledgeBase = new AnalystKnowledgeBase(this, "knowledge-base", new AnalystKnowledgeBaseConfig
        {
            Target = env,
            Settings = agent,
            SetupSize = config.KnowledgeBaseSetupSize,
            SourceFile = config.SourceFile,
            LogRetentionDays = config.LogRetentionDays,
            RepoRoot = config.RepoRoot,
            SetupCode = config.KnowledgeBaseSetupCode,
            SourceBucket = config.Storage.Models,
            DataKey = dataKey,
            LogKey = config.LogKey,
            CollectionEndpoint = config.CollectionEndpoint,
        });
        Guardrail = new AnalystGuardrail(this, "guardrail", new AnalystGuardrailConfig { GuardrailName = env.ResourceName("analyst-guardrail"), Key = dataKey });

        // The tools: one function over the tables, allowed to read, to add analyst decisions and to teach a profile an
        // approved REVIEW transaction, nothing else.
        // Alike on purpose: a function's settings and environment are spelled out at its definition, as in FraudDetectionStack.
        Tools = new DotnetFunction(this, "agent-tools", new DotnetFunctionConfig
        {
            FunctionName = env.ResourceName("agent-tools"),
            Description = $"Tools of the fraud-analyst agent ({string.Join(", ", AnalystTools.All.Select(t => t.Name))})",
            Code = config.ToolsCode,
            Settings = config.ToolsSize,
            EnvironmentKey = dataKey,
            LogKey = config.LogKey,
            LogRetentionDays = config.LogRetentionDays,
            AccountId = env.AccountId,
            Region = env.Region,
            Partition = env.Partition,
            Environment = new Dictionary<string, string>
            {
                [FraudTf.Functions.Shared.Settings.FunctionEnvironment.TransactionsTable] = config.Storage.Transactions.Config.TableName,
                [FraudTf.Functions.Shared.Settings.FunctionEnvironment.DecisionsTable] = config.Storage.Decisions.Config.TableName,
                [FraudTf.Functions.Shared.Settings.FunctionEnvironment.UserProfilesTable] = config.Storage.UserProfiles.Config.TableName,
                [FraudTf.Functions.Shared.Settings.FunctionEnvironment.PatternsTable] = config.Storage.Patterns.Config.TableName,
                [FraudTf.Functions.Shared.Settings.FunctionEnvironment.Environment] = env.Environment,
                [FraudTf.Functions.Shared.Settings.FunctionEnvironment.TransactionTtlDays] = config.TransactionTtlDays.ToString(System.Globalization.CultureInfo.InvariantCulture),
            },
            SynchronousInvocation = new SynchronousInvocation("the Bedrock agent's action group",
                "hands the tool's error to the agent, which reports it to the analyst in the same session; nothing is left half-written (one PutItem per decision, or one TransactWriteItems for an approval that teaches the profile)"),
        });
        // Exactly what functions/AgentTools calls. record_analyst_decision writes an ANALYST# row (PutItem, alone or as the
        // Put of a TransactWriteItems): it may name only the attributes of such a row (plus the keys), never the scorer's
        // (score, confidence, rulesVersion, reasons), so a row the tools write can't pass for an automated decision. An
        // APPROVE of a REVIEW transaction also teaches the user's profile in the same TransactWriteItems: an Update of the
        // transaction row naming only profileLearnedAt (never the transaction's data or decision), and an Update of the
        // profile naming only what its learning writes (ProfileAttributes.Learned, as the stream processor).
        config.Storage.Transactions.Grant(Tools, TableAccess.GetItem | TableAccess.Query | TableAccess.UpdateItem,
            [FraudTf.Functions.Shared.Tables.TransactionAttributes.ProfileLearnedAt]);
        config.Storage.UserProfiles.Grant(Tools, TableAccess.GetItem | TableAccess.UpdateItem,
            FraudTf.Functions.Shared.Tables.ProfileAttributes.Learned);
        config.Storage.Patterns.Grant(Tools, TableAccess.Query);
        config.Storage.Decisions.Grant(Tools, TableAccess.GetItem | TableAccess.Query | TableAccess.PutItem, AnalystDecisionAttributes);

        // The agent's role: its model (through its profile), its knowledge base, its guardrail, its key. Nothing else.
        Role = new ServiceRole(this, "role", new ServiceRoleConfig
        {
            RoleName = env.ResourceName("analyst-agent"),
            ServicePrincipal = "bedrock.amazonaws.com",
            AccountId = env.AccountId,
            Description = $"Role of the fraud-analyst agent of {env.Environment}",
            SourceArnLike = $"arn:{env.Partition}:bedrock:{env.Region}:{env.AccountId}:agent/*",
        });
        ModelArns = agent.InferenceProfile.Length == 0
            ? [BedrockArns.FoundationModel(env.Partition, env.Region, agent.FoundationModel)]
            : agent.InferenceProfileRegions.Order(StringComparer.Ordinal).Select(r => BedrockArns.FoundationModel(env.Partition, r, agent.FoundationModel)).ToList();
        if (agent.InferenceProfile.Length == 0)
        {
            Role.Policy.Add(new PolicyStatement { Sid = "InvokeConfiguredModel", Actions = Permissions.BedrockInvokeModel, Resources = ModelArns });
        }
        else
        {
            InferenceProfileArn = BedrockArns.InferenceProfile(env.Partition, env.Region, env.AccountId, agent.InferenceProfile);
            Role.Policy.Add(new PolicyStatement { Sid = "InvokeConfiguredInferenceProfile", Actions = Permissions.BedrockInvokeModel, Resources = [InferenceProfileArn] });
            Role.Policy.Add(new PolicyStatement
            {
                Sid = "InvokeConfiguredModelThroughProfileOnly",
                Actions = Permissions.BedrockInvokeModel,
                Resources = ModelArns,
                Conditions = [new PolicyCondition("StringEquals", "bedrock:InferenceProfileArn", [InferenceProfileArn])],
            });
            Role.Policy.Add(new PolicyStatement { Sid = "ReadConfiguredInferenceProfile", Actions = Permissions.BedrockGetInferenceProfile, Resources = [InferenceProfileArn] });
        }

        Role.Policy.Add(new PolicyStatement { Sid = "ReadConfiguredModel", Actions = Permissions.BedrockGetFoundationModel, Resources = ModelArns });
        Role.Policy.Add(new PolicyStatement { Sid = "QueryOwnKnowledgeBase", Actions = Permissions.BedrockRetrieve, Resources = [KnowledgeBase.KnowledgeBaseArn] });
        Role.Policy.Add(new PolicyStatement { Sid = "ApplyOwnGuardrail", Actions = Permissions.BedrockApplyGuardrail, Resources = [Guardrail.GuardrailArn] });
        Role.Policy.Add(KeyGrants.ViaService(dataKey, Permissions.KmsProduce, "bedrock", env.Region, "UseDataKeyThroughBedrock"));

        Agent = new BedrockagentAgent(this, "this", new BedrockagentAgentConfig
        {
            AgentName = env.ResourceName("analyst"),
            Description = "Helps fraud analysts review flagged transactions and records their decisions",
            AgentResourceRoleArn = Role.RoleArn,
            FoundationModel = ModelIdentifier,
            Instruction = TerraformText.Literal(Instruction),
            IdleSessionTtlInSeconds = agent.IdleSessionTtlSeconds,
            CustomerEncryptionKeyArn = dataKey.KeyArn,
            GuardrailConfiguration = new[]
            {
                new BedrockagentAgentGuardrailConfiguration
                {
                    GuardrailIdentifier = Guardrail.Guardrail.GuardrailId,
                    GuardrailVersion = Guardrail.Version.Version,
                },
            },
            PrepareAgent = true,
            DependsOn = [Role.InlinePolicy],
        });

        ToolsPermission = new LambdaPermission(this, "tools-permission", new LambdaPermissionConfig
        {
            StatementId = "AllowAnalystAgent",
            Action = "lambda:InvokeFunction",
            FunctionName = Tools.Function.FunctionName,
            Principal = "bedrock.amazonaws.com",
            SourceArn = Agent.AgentArn,
            SourceAccount = env.AccountId,
        });

        KnowledgeBaseAssociation = new BedrockagentAgentKnowledgeBaseAssociation(this, "knowledge-base-association", new BedrockagentAgentKnowledgeBaseAssociationConfig
        {
            AgentId = Agent.AgentId,
            AgentVersion = "DRAFT",
            KnowledgeBaseId = KnowledgeBase.KnowledgeBaseId,
            KnowledgeBaseState = "ENABLED",
            Description = KnowledgeBaseDescription,
        });

        Fingerprint = ComputeFingerprint(Instruction, KnowledgeBase.Fingerprint);

        // The action group is created after the knowledge base is associated, and its description carries the
        // fingerprint, so every change updates it and its prepare_agent prepares the DRAFT with everything in place.
        ActionGroup = new BedrockagentAgentActionGroup(this, "action-group", new BedrockagentAgentActionGroupConfig
        {
            ActionGroupName = AnalystTools.ActionGroupName,
            Description = $"Analyst tools over the fraud tables; {VersionStamp}",
            AgentId = Agent.AgentId,
            AgentVersion = "DRAFT",
            ActionGroupState = "ENABLED",
            PrepareAgent = true,
            SkipResourceInUseCheck = true,
            ActionGroupExecutor = new[] { new BedrockagentAgentActionGroupActionGroupExecutor { Lambda = Tools.FunctionArn } },
            FunctionSchema = new[]
            {
                new BedrockagentAgentActionGroupFunctionSchema
                {
                    MemberFunctions = new[]
                    {
                        new BedrockagentAgentActionGroupFunctionSchemaMemberFunctions
                        {
                            Functions = AnalystTools.All.Select(t => new BedrockagentAgentActionGroupFunctionSchemaMemberFunctionsFunctions
                            {
                                Name = t.Name,
                                Description = t.Description,
                                Parameters = t.Parameters.Select(p => new BedrockagentAgentActionGroupFunctionSchemaMemberFunctionsFunctionsParameters
                                {
                                    MapBlockKey = p.Name,
                                    Type = p.Type,
                                    Description = p.Description,
                                    Required = p.Required,
                                }).ToArray(),
                            }).ToArray(),
                        },
                    },
                },
            },
            DependsOn = [ToolsPermission, KnowledgeBaseAssociation],
        });

        Alias = new BedrockagentAgentAlias(this, "alias", new BedrockagentAgentAliasConfig
        {
            AgentAliasName = env.Environment,
            AgentId = Agent.AgentId,
            Description = AliasDescription,
            DependsOn = [Agent, ActionGroup, KnowledgeBaseAssociation],
        });

        // What an operator needs to talk to the agent and to sync the knowledge base (terraform output / cdktf output).
        var stack = TerraformStack.Of(this);
        new TerraformOutput(stack, "analyst_agent_id", new TerraformOutputConfig { Value = Agent.AgentId, Description = "Bedrock agent id of the fraud analyst" });
        new TerraformOutput(stack, "analyst_agent_alias_id", new TerraformOutputConfig { Value = Alias.AgentAliasId, Description = $"Id of the {env.Environment} alias" });
        new TerraformOutput(stack, "analyst_knowledge_base_id", new TerraformOutputConfig { Value = KnowledgeBase.KnowledgeBaseId, Description = "Knowledge base id" });
        new TerraformOutput(stack, "analyst_data_source_id", new TerraformOutputConfig { Value = KnowledgeBase.DataSource.DataSourceId, Description = "Data source id (for start-ingestion-job)" });
    }

    /// <summary>The settings the agent was created with.</summary>
    public FraudAnalystAgentConfig Config { get; }

    /// <summary>The instruction text (from <c>agent.instructionFile</c>).</summary>
    public string Instruction { get; }

    /// <summary>
    /// SHA-256 (hex) of the agent's content: instruction, guardrail policy, action group name and tool schema, knowledge
    /// base documents and description. With the settings of <see cref="VersionStamp"/> it changes exactly when a new
    /// agent version is needed.
    /// </summary>
    public string Fingerprint { get; }

    /// <summary>
    /// What identifies the agent's version, readable in the plan: the content <see cref="Fingerprint"/> (16 hex digits),
    /// then the settings that come from the environment file, written as they are (model, session TTL, embedding model
    /// and dimensions), so two environments differ here only where their config differs (what the promotion report
    /// expects). Part of the alias's and the action group's descriptions.
    /// </summary>
    public string VersionStamp
    {
        get
        {
            var a = Config.Settings;
            var stamp = $"agent {Fingerprint[..16]}; model {ModelIdentifier}; ttl {a.IdleSessionTtlSeconds} s; kb {a.EmbeddingModel} {a.EmbeddingDimensions}";
            // Descriptions are limited to 200 characters; a very long model id is hashed in rather than cut.
            return stamp.Length <= 150 ? stamp : $"agent {KnowledgeBaseDocuments.Hash(stamp)[..16]}";
        }
    }

    /// <summary>The alias's description: the environment and the <see cref="VersionStamp"/>.</summary>
    public string AliasDescription => $"{Config.Target.Environment} alias; {VersionStamp}";

    /// <summary>Model identifier given to the agent: the inference profile id, or the model id when there is none.</summary>
    public string ModelIdentifier => Config.Settings.InferenceProfile.Length > 0
        ? Config.Settings.InferenceProfile
        : Config.Settings.FoundationModel;

    /// <summary>ARNs of the foundation model in every region the agent may reach it.</summary>
    public IReadOnlyList<string> ModelArns { get; }

    /// <summary>ARN of the inference profile, or null when the agent calls the model directly.</summary>
    public string? InferenceProfileArn { get; }

    /// <summary>The knowledge base and its vector store.</summary>
    public AnalystKnowledgeBase KnowledgeBase { get; }

    /// <summary>The guardrail and its version.</summary>
    public AnalystGuardrail Guardrail { get; }

    /// <summary>The action group's function.</summary>
    public DotnetFunction Tools { get; }

    /// <summary>
    /// The non-key attributes of an analyst decision row (functions/AgentTools RecordAnalystDecision): the only ones the
    /// tools' PutItem on the decisions table may name (the table's and index's keys are added by the grant).
    /// </summary>
    public static readonly IReadOnlyList<string> AnalystDecisionAttributes = ["agentId", "decision", "expiresAt", "reason", "sessionId", "source"];

    /// <summary>Bedrock's permission to call <see cref="Tools"/>, for this agent only.</summary>
    public LambdaPermission ToolsPermission { get; }

    /// <summary>The agent's role.</summary>
    public ServiceRole Role { get; }

    /// <summary>The underlying <c>aws_bedrockagent_agent</c>.</summary>
    public BedrockagentAgent Agent { get; }

    /// <summary>The tools.</summary>
    public BedrockagentAgentActionGroup ActionGroup { get; }

    /// <summary>The knowledge base's association with the DRAFT.</summary>
    public BedrockagentAgentKnowledgeBaseAssociation KnowledgeBaseAssociation { get; }

    /// <summary>The environment's alias.</summary>
    public BedrockagentAgentAlias Alias { get; }

    /// <summary>What the agent is told the knowledge base holds (the association's description).</summary>
    public const string KnowledgeBaseDescription =
        "Fraud patterns, the scoring rules with their default weights and thresholds, and the analyst review playbook. " +
        "Use it to explain rule ids and to choose between APPROVE, DECLINE and ESCALATE.";

    private static string ComputeFingerprint(string instruction, string knowledgeBase) =>
        KnowledgeBaseDocuments.Hash(JsonSerializer.Serialize(new
        {
            instruction = KnowledgeBaseDocuments.Hash(instruction),
            guardrail = GuardrailPolicy.Fingerprint,
            actionGroup = AnalystTools.ActionGroupName,
            tools = AnalystTools.All,
            knowledgeBase,
            knowledgeBaseDescription = KnowledgeBaseDescription,
        }));

    private static string ReadInstruction(string repoRoot, string file, string sourceFile)
    {
        var path = Path.Combine(repoRoot, file);
        if (!File.Exists(path))
        {
            throw new ArgumentException($"{sourceFile}: field 'agent.instructionFile' = \"{file}\": the file does not exist. " +
                                        "Fix: create it with the agent's instruction, or point the field to the file that holds it.");
        }

        var text = File.ReadAllText(path, System.Text.Encoding.UTF8).Replace("\r\n", "\n", StringComparison.Ordinal).Trim();
        if (text.Length is < MinInstructionLength or > MaxInstructionLength)
        {
            throw new ArgumentException($"{sourceFile}: field 'agent.instructionFile' = \"{file}\": the instruction has {text.Length} characters. " +
                                        $"Fix: Bedrock needs {MinInstructionLength} to {MaxInstructionLength} characters; shorten it or move reference material into the knowledge base.");
        }

        return text;
    }
}
