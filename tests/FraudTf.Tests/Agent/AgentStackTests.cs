using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using FraudTf.Agent;
using FraudTf.Config;
using FraudTf.Functions.Shared.Agent;
using FraudTf.Functions.Shared.Tables;
using FraudTf.Tests.Support;

namespace FraudTf.Tests.Agent;

/// <summary>The fraud-analyst agent, its guardrail, tools, knowledge base, vector store and alias as synthesized.</summary>
[TestFixture]
public class AgentStackTests
{

    private static JsonObject Stack(string env) => Synth.Shared.Stack($"fraud-detection-{env}");

    private static string Ref(JsonObject stack, string type, string path, string attribute) => $"${{{stack.Address(type, path)}.{attribute}}}";

    private static JsonNode Json(JsonObject resource, string attribute) => JsonNode.Parse(resource[attribute]!.GetValue<string>())!;

    private static List<JsonObject> Statements(JsonObject stack, string rolePath) =>
        Json(stack.Resource("aws_iam_role_policy", $"{rolePath}/policy"), "policy")["Statement"]!.AsArray().Select(s => s!.AsObject()).ToList();

    private static JsonObject Statement(List<JsonObject> statements, string sid) =>
        statements.Single(s => s["Sid"]!.GetValue<string>() == sid);

    private static List<string> Values(JsonNode? node) => node switch
    {
        JsonArray a => a.Select(x => x!.GetValue<string>()).ToList(),
        null => [],
        _ => [node.GetValue<string>()],
    };

    private static string Sha256(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    private static EnvironmentConfig Config(string env) => EnvironmentConfigLoader.LoadAll(Repo.EnvironmentsDir).Single(c => c.Environment == env);

    [TestCaseSource(typeof(TestEnvironments), nameof(TestEnvironments.All))]
    public void Agent_UsesTheConfiguredModelInstructionKeyAndGuardrail(string env)
    {
        var stack = Stack(env);
        var config = Config(env);
        var agent = stack.Resource("aws_bedrockagent_agent", "/analyst/this");

        Assert.That(agent["agent_name"]!.GetValue<string>(), Is.EqualTo($"fraud-detection-analyst-{env}"));
        Assert.That(agent["foundation_model"]!.GetValue<string>(), Is.EqualTo(config.Agent.InferenceProfile));
        Assert.That(config.Agent.InferenceProfile, Does.EndWith(config.Agent.FoundationModel));
        var instruction = File.ReadAllText(Path.Combine(Repo.Root, "agent/instruction.md")).Replace("\r\n", "\n").Trim();
        Assert.That(agent["instruction"]!.GetValue<string>(), Is.EqualTo(instruction));
        Assert.That(agent["idle_session_ttl_in_seconds"]!.GetValue<int>(), Is.EqualTo(config.Agent.IdleSessionTtlSeconds));
        Assert.That(agent["customer_encryption_key_arn"]!.GetValue<string>(), Is.EqualTo(Ref(stack, "aws_kms_key", "/keys/data/this", "arn")));
        Assert.That(agent["agent_resource_role_arn"]!.GetValue<string>(), Is.EqualTo(Ref(stack, "aws_iam_role", "/analyst/role/this", "arn")));
        Assert.That(agent["prepare_agent"]!.GetValue<bool>(), Is.True);
        var guardrail = agent["guardrail_configuration"]!.AsArray().Single()!;
        Assert.That(guardrail["guardrail_identifier"]!.GetValue<string>(), Is.EqualTo(Ref(stack, "aws_bedrock_guardrail", "/analyst/guardrail/this", "guardrail_id")));
        Assert.That(guardrail["guardrail_version"]!.GetValue<string>(), Is.EqualTo(Ref(stack, "aws_bedrock_guardrail_version", "/analyst/guardrail/version", "version")));
        Assert.That(Values(agent["depends_on"]), Does.Contain(stack.Address("aws_iam_role_policy", "/analyst/role/policy")));
    }

    [Test]
    public void IdleSessionTtl_IsLongerInProd()
    {
        Assert.That(Stack("prod").Resource("aws_bedrockagent_agent", "/analyst/this")["idle_session_ttl_in_seconds"]!.GetValue<int>(), Is.EqualTo(900));
        Assert.That(Stack("dev").Resource("aws_bedrockagent_agent", "/analyst/this")["idle_session_ttl_in_seconds"]!.GetValue<int>(), Is.EqualTo(600));
    }

    [TestCaseSource(typeof(TestEnvironments), nameof(TestEnvironments.All))]
    public void Guardrail_BlocksCardDataMasksContactDataDeniesEvasionAndIsVersioned(string env)
    {
        var stack = Stack(env);
        var guardrail = stack.Resource("aws_bedrock_guardrail", "/analyst/guardrail/this");

        Assert.That(guardrail["kms_key_arn"]!.GetValue<string>(), Is.EqualTo(Ref(stack, "aws_kms_key", "/keys/data/this", "arn")));
        var pii = guardrail["sensitive_information_policy_config"]![0]!["pii_entities_config"]!.AsArray()
            .ToDictionary(p => p!["type"]!.GetValue<string>(), p => p!["action"]!.GetValue<string>());
        Assert.That(pii["CREDIT_DEBIT_CARD_NUMBER"], Is.EqualTo("BLOCK"));
        Assert.That(pii["CREDIT_DEBIT_CARD_CVV"], Is.EqualTo("BLOCK"));
        Assert.That(pii["US_BANK_ACCOUNT_NUMBER"], Is.EqualTo("BLOCK"));
        Assert.That(pii["EMAIL"], Is.EqualTo("ANONYMIZE"));
        Assert.That(pii["PHONE"], Is.EqualTo("ANONYMIZE"));
        var filters = guardrail["content_policy_config"]![0]!["filters_config"]!.AsArray();
        var promptAttack = filters.Single(f => f!["type"]!.GetValue<string>() == "PROMPT_ATTACK")!;
        Assert.That(promptAttack["input_strength"]!.GetValue<string>(), Is.EqualTo("HIGH"));
        Assert.That(promptAttack["output_strength"]!.GetValue<string>(), Is.EqualTo("NONE"), "Bedrock filters prompt attacks on input only");
        var topic = guardrail["topic_policy_config"]![0]!["topics_config"]!.AsArray().Single()!;
        Assert.That(topic["type"]!.GetValue<string>(), Is.EqualTo("DENY"));
        Assert.That(topic["name"]!.GetValue<string>(), Is.EqualTo("FraudEvasion"));

        var version = stack.Resource("aws_bedrock_guardrail_version", "/analyst/guardrail/version");
        Assert.That(version["guardrail_arn"]!.GetValue<string>(), Is.EqualTo(Ref(stack, "aws_bedrock_guardrail", "/analyst/guardrail/this", "guardrail_arn")));
        Assert.That(version["skip_destroy"]!.GetValue<bool>(), Is.True, "older agent versions keep their guardrail version");
        Assert.That(version["description"]!.GetValue<string>(), Does.Contain(GuardrailPolicy.Fingerprint[..16]));
    }

    [TestCaseSource(typeof(TestEnvironments), nameof(TestEnvironments.All))]
    public void ActionGroup_DescribesEveryToolOfTheCatalogAndCallsTheToolsFunction(string env)
    {
        var stack = Stack(env);
        var group = stack.Resource("aws_bedrockagent_agent_action_group", "/analyst/action-group");

        Assert.That(group["action_group_name"]!.GetValue<string>(), Is.EqualTo(AnalystTools.ActionGroupName));
        Assert.That(group["agent_id"]!.GetValue<string>(), Is.EqualTo(Ref(stack, "aws_bedrockagent_agent", "/analyst/this", "agent_id")));
        Assert.That(group["agent_version"]!.GetValue<string>(), Is.EqualTo("DRAFT"));
        Assert.That(group["prepare_agent"]!.GetValue<bool>(), Is.True);
        Assert.That(group["action_group_executor"]![0]!["lambda"]!.GetValue<string>(), Is.EqualTo(Ref(stack, "aws_lambda_function", "/analyst/agent-tools/this", "arn")));
        var functions = group["function_schema"]![0]!["member_functions"]![0]!["functions"]!.AsArray();
        Assert.That(functions.Select(f => f!["name"]!.GetValue<string>()), Is.EqualTo(AnalystTools.All.Select(t => t.Name)));
        foreach (var tool in AnalystTools.All)
        {
            var schema = functions.Single(f => f!["name"]!.GetValue<string>() == tool.Name)!;
            Assert.That(schema["description"]!.GetValue<string>(), Is.EqualTo(tool.Description));
            var parameters = schema["parameters"]!.AsArray();
            Assert.That(parameters.Select(p => (p!["map_block_key"]!.GetValue<string>(), p["type"]!.GetValue<string>(), p["required"]!.GetValue<bool>())),
                Is.EqualTo(tool.Parameters.Select(p => (p.Name, p.Type, p.Required))), tool.Name);
            Assert.That(parameters, Has.Count.LessThanOrEqualTo(5), "Bedrock allows at most 5 parameters per function");
            Assert.That(tool.Name, Does.Match("^([0-9a-zA-Z][_-]?){1,100}$"));
        }

        Assert.That(Values(group["depends_on"]), Is.EquivalentTo(new[]
        {
            stack.Address("aws_lambda_permission", "/analyst/tools-permission"),
            stack.Address("aws_bedrockagent_agent_knowledge_base_association", "/analyst/knowledge-base-association"),
        }));
    }

    [TestCaseSource(typeof(TestEnvironments), nameof(TestEnvironments.All))]
    public void ToolsFunction_MayBeCalledByThisAgentOnly(string env)
    {
        var stack = Stack(env);
        var permission = stack.Resource("aws_lambda_permission", "/analyst/tools-permission");

        Assert.That(permission["principal"]!.GetValue<string>(), Is.EqualTo("bedrock.amazonaws.com"));
        Assert.That(permission["action"]!.GetValue<string>(), Is.EqualTo("lambda:InvokeFunction"));
        Assert.That(permission["source_arn"]!.GetValue<string>(), Is.EqualTo(Ref(stack, "aws_bedrockagent_agent", "/analyst/this", "agent_arn")));
        Assert.That(permission["source_account"]!.GetValue<string>(), Is.EqualTo(Config(env).AccountId));
        Assert.That(permission["function_name"]!.GetValue<string>(), Is.EqualTo(Ref(stack, "aws_lambda_function", "/analyst/agent-tools/this", "function_name")));
    }

    [TestCaseSource(typeof(TestEnvironments), nameof(TestEnvironments.All))]
    public void ToolsFunction_ReadsTheTablesAppendsDecisionsAndOnlyTeachesProfiles(string env)
    {
        var stack = Stack(env);
        var function = stack.Resource("aws_lambda_function", "/analyst/agent-tools/this");
        Assert.That(function["function_name"]!.GetValue<string>(), Is.EqualTo($"fraud-detection-agent-tools-{env}"));
        Assert.That(function["handler"]!.GetValue<string>(), Is.EqualTo("FraudTf.Functions.AgentTools::FraudTf.Functions.AgentTools.Function::Handler"));
        var environment = function["environment"] is JsonArray a ? a[0]! : function["environment"]!;
        var variables = environment["variables"]!.AsObject();
        Assert.That(variables.Select(v => v.Key), Is.EquivalentTo(new[]
            { "DECISIONS_TABLE", "ENVIRONMENT", "PATTERNS_TABLE", "TRANSACTIONS_TABLE", "TRANSACTION_TTL_DAYS", "USER_PROFILES_TABLE" }));
        Assert.That(variables["DECISIONS_TABLE"]!.GetValue<string>(), Is.EqualTo($"fraud-detection-decisions-{env}"));

        var statements = Statements(stack, "/analyst/agent-tools/role");
        var writes = statements.Where(s => Values(s["Action"]).Any(a => a is "dynamodb:PutItem" or "dynamodb:UpdateItem" or "dynamodb:DeleteItem" or "dynamodb:BatchWriteItem"))
            .ToDictionary(s => Values(s["Resource"]).Single());
        var decisions = Ref(stack, "aws_dynamodb_table", "/storage/decisions-table/this", "arn");
        var transactions = Ref(stack, "aws_dynamodb_table", "/storage/transactions-table/this", "arn");
        var profiles = Ref(stack, "aws_dynamodb_table", "/storage/user-profiles-table/this", "arn");
        Assert.That(writes.Keys, Is.EquivalentTo(new[] { decisions, transactions, profiles }));
        List<string> Attributes(string table) => Values(writes[table]["Condition"]!["ForAllValues:StringEquals"]!["dynamodb:Attributes"]).ToList();
        // An analyst row's attributes only: never the scorer's, so a tools-written row can't pass for an automated decision.
        Assert.That(Values(writes[decisions]["Action"]), Is.EquivalentTo(new[] { "dynamodb:PutItem" }));
        Assert.That(Attributes(decisions), Does.Contain("decision").And.Contain("reason").And.Contain("decisionKey"));
        Assert.That(Attributes(decisions), Has.None.AnyOf("score", "confidence", "rulesVersion", "reasons"));
        // An approved REVIEW: the transaction's profileLearnedAt (with the table's and its index's keys, as DynamoDB requires
        // of dynamodb:Attributes), never its data or decision; the profile's learnt attributes, never the alert handler's.
        Assert.That(Values(writes[transactions]["Action"]), Is.EquivalentTo(new[] { "dynamodb:UpdateItem" }));
        Assert.That(Attributes(transactions), Is.EquivalentTo(new[] { "profileLearnedAt", "timestamp", "transactionId", "userId" }));
        Assert.That(Values(writes[profiles]["Action"]), Is.EquivalentTo(new[] { "dynamodb:UpdateItem" }));
        Assert.That(Attributes(profiles), Is.EquivalentTo(ProfileAttributes.Learned.Append(ProfileAttributes.UserId)));
        Assert.That(function["dead_letter_config"], Is.Null, "invoked synchronously by the action group");
        var reads = statements.Where(s => Values(s["Action"]).Any(a => a is "dynamodb:Query" or "dynamodb:GetItem")).SelectMany(s => Values(s["Resource"])).ToList();
        foreach (var table in new[] { "transactions", "decisions", "user-profiles", "patterns" })
        {
            Assert.That(reads, Does.Contain(Ref(stack, "aws_dynamodb_table", $"/storage/{table}-table/this", "arn")), table);
        }

        Assert.That(statements.SelectMany(s => Values(s["Action"])), Has.None.Contains("*"));
    }

    [TestCaseSource(typeof(TestEnvironments), nameof(TestEnvironments.All))]
    public void AgentRole_InvokesOnlyItsModelThroughItsProfileAndUsesOnlyItsKnowledgeBaseAndGuardrail(string env)
    {
        var stack = Stack(env);
        var config = Config(env);
        var trust = JsonNode.Parse(stack.Resource("aws_iam_role", "/analyst/role/this")["assume_role_policy"]!.GetValue<string>())!["Statement"]![0]!;
        Assert.That(trust["Principal"]!["Service"]!.GetValue<string>(), Is.EqualTo("bedrock.amazonaws.com"));
        Assert.That(trust["Condition"]!["StringEquals"]!["aws:SourceAccount"]!.GetValue<string>(), Is.EqualTo(config.AccountId));
        Assert.That(trust["Condition"]!["ArnLike"]!["aws:SourceArn"]!.GetValue<string>(), Is.EqualTo($"arn:aws:bedrock:us-east-1:{config.AccountId}:agent/*"));

        var statements = Statements(stack, "/analyst/role");
        var profileArn = $"arn:aws:bedrock:us-east-1:{config.AccountId}:inference-profile/{config.Agent.InferenceProfile}";
        Assert.That(Values(Statement(statements, "InvokeConfiguredInferenceProfile")["Resource"]), Is.EqualTo(new[] { profileArn }));
        var throughProfile = Statement(statements, "InvokeConfiguredModelThroughProfileOnly");
        Assert.That(Values(throughProfile["Resource"]), Is.EqualTo(config.Agent.InferenceProfileRegions.Order(StringComparer.Ordinal)
            .Select(r => $"arn:aws:bedrock:{r}::foundation-model/{config.Agent.FoundationModel}")));
        Assert.That(Values(throughProfile["Condition"]!["StringEquals"]!["bedrock:InferenceProfileArn"]), Is.EqualTo(new[] { profileArn }));
        Assert.That(Values(Statement(statements, "QueryOwnKnowledgeBase")["Resource"]),
            Is.EqualTo(new[] { Ref(stack, "aws_bedrockagent_knowledge_base", "/analyst/knowledge-base/this", "arn") }));
        Assert.That(Values(Statement(statements, "ApplyOwnGuardrail")["Resource"]),
            Is.EqualTo(new[] { Ref(stack, "aws_bedrock_guardrail", "/analyst/guardrail/this", "guardrail_arn") }));
        var key = Statement(statements, "UseDataKeyThroughBedrock");
        Assert.That(key["Condition"]!["StringEquals"]!["kms:ViaService"]!.GetValue<string>(), Is.EqualTo("bedrock.us-east-1.amazonaws.com"));
        foreach (var s in statements)
        {
            Assert.That(Values(s["Action"]), Has.None.Contains("*"), s["Sid"]!.GetValue<string>());
            Assert.That(Values(s["Resource"]), Has.None.EqualTo("*"), s["Sid"]!.GetValue<string>());
        }

        Assert.That(statements.SelectMany(s => Values(s["Action"])).Distinct().Order(), Is.EqualTo(new[]
        {
            "bedrock:ApplyGuardrail", "bedrock:GetFoundationModel", "bedrock:GetInferenceProfile", "bedrock:InvokeModel",
            "bedrock:InvokeModelWithResponseStream", "bedrock:Retrieve", "kms:Decrypt", "kms:GenerateDataKey",
        }));
    }

    [TestCaseSource(typeof(TestEnvironments), nameof(TestEnvironments.All))]
    public void KnowledgeBaseRole_ReadsOnlyItsPrefixEmbedsWithItsModelAndUsesItsCollection(string env)
    {
        var stack = Stack(env);
        var statements = Statements(stack, "/analyst/knowledge-base/role");
        var bucketArn = Ref(stack, "aws_s3_bucket", "/storage/models-bucket/this", "arn");

        var list = statements.Single(s => Values(s["Action"]).SequenceEqual(["s3:ListBucket"]));
        Assert.That(Values(list["Resource"]), Is.EqualTo(new[] { bucketArn }));
        Assert.That(Values(list["Condition"]!["StringLike"]!["s3:prefix"]), Is.EqualTo(new[] { AnalystKnowledgeBase.SourcePrefix, AnalystKnowledgeBase.SourcePrefix + "*" }));
        var read = statements.Single(s => Values(s["Action"]).Contains("s3:GetObject"));
        Assert.That(Values(read["Resource"]), Is.EqualTo(new[] { $"{bucketArn}/{AnalystKnowledgeBase.SourcePrefix}*" }));
        Assert.That(Values(Statement(statements, "EmbedWithConfiguredModel")["Resource"]),
            Is.EqualTo(new[] { "arn:aws:bedrock:us-east-1::foundation-model/amazon.titan-embed-text-v2:0" }));
        Assert.That(Values(Statement(statements, "UseOwnVectorCollection")["Resource"]),
            Is.EqualTo(new[] { Ref(stack, "aws_opensearchserverless_collection", "/analyst/knowledge-base/collection/this", "arn") }));
        Assert.That(statements.SelectMany(s => Values(s["Action"])), Has.None.Contains("s3:PutObject").And.None.Contains("*"));
    }

    [TestCaseSource(typeof(TestEnvironments), nameof(TestEnvironments.All))]
    public void VectorCollection_IsEncryptedWithTheDataKeyAndOpenOnlyToTheTwoRoles(string env)
    {
        var stack = Stack(env);
        var collection = stack.Resource("aws_opensearchserverless_collection", "/analyst/knowledge-base/collection/this");
        Assert.That(collection["name"]!.GetValue<string>(), Is.EqualTo($"fraud-detection-kb-{env}"));
        Assert.That(collection["type"]!.GetValue<string>(), Is.EqualTo("VECTORSEARCH"));
        Assert.That(collection["standby_replicas"]!.GetValue<string>(), Is.EqualTo(env == "prod" ? "ENABLED" : "DISABLED"));
        Assert.That(Values(collection["depends_on"]), Is.EquivalentTo(new[]
        {
            stack.Address("aws_opensearchserverless_security_policy", "/collection/encryption-policy"),
            stack.Address("aws_opensearchserverless_security_policy", "/collection/network-policy"),
        }));

        var encryption = Json(stack.Resource("aws_opensearchserverless_security_policy", "/collection/encryption-policy"), "policy");
        Assert.That(encryption["AWSOwnedKey"]!.GetValue<bool>(), Is.False);
        Assert.That(encryption["KmsARN"]!.GetValue<string>(), Is.EqualTo(Ref(stack, "aws_kms_key", "/keys/data/this", "arn")));
        Assert.That(encryption["Rules"]![0]!["Resource"]![0]!.GetValue<string>(), Is.EqualTo($"collection/fraud-detection-kb-{env}"));

        var networkResource = stack.Resource("aws_opensearchserverless_security_policy", "/collection/network-policy");
        var network = Json(networkResource, "policy").AsArray().Single()!;
        Assert.That(network["Rules"]!.AsArray().Select(r => r!["ResourceType"]!.GetValue<string>()), Is.EqualTo(new[] { "collection" }), "no dashboards");
        Assert.That(networkResource["//"]!["policy_exceptions"]!["FTF-AOSS-002"]!.GetValue<string>(), Does.Contain("no VPC"));

        var access = Json(stack.Resource("aws_opensearchserverless_access_policy", "/collection/access-policy"), "policy").AsArray();
        var byPrincipal = access.ToDictionary(a => a!["Principal"]!.AsArray().Single()!.GetValue<string>(),
            a => a!["Rules"]!.AsArray().SelectMany(r => r!["Permission"]!.AsArray().Select(p => p!.GetValue<string>())).ToList());
        Assert.That(byPrincipal.Keys, Is.EquivalentTo(new[]
        {
            Ref(stack, "aws_iam_role", "/analyst/knowledge-base/role/this", "arn"),
            Ref(stack, "aws_iam_role", "/analyst/knowledge-base/index-setup/role/this", "arn"),
        }));
        Assert.That(byPrincipal[Ref(stack, "aws_iam_role", "/analyst/knowledge-base/role/this", "arn")], Is.EquivalentTo(AnalystKnowledgeBase.KnowledgeBaseIndexPermissions));
        Assert.That(byPrincipal[Ref(stack, "aws_iam_role", "/analyst/knowledge-base/index-setup/role/this", "arn")], Is.EquivalentTo(new[] { "aoss:CreateIndex", "aoss:DescribeIndex" }));
        Assert.That(access.SelectMany(a => a!["Rules"]!.AsArray()).Select(r => r!["Resource"]![0]!.GetValue<string>()).Distinct(),
            Is.EqualTo(new[] { $"index/fraud-detection-kb-{env}/fraud-patterns" }));
    }

    [TestCaseSource(typeof(TestEnvironments), nameof(TestEnvironments.All))]
    public void IndexIsCreatedDuringApply_AfterTheAccessPolicy_BeforeTheKnowledgeBase(string env)
    {
        var stack = Stack(env);
        var invocation = stack.Resource("aws_lambda_invocation", "/analyst/knowledge-base/index-creation");
        Assert.That(invocation["function_name"]!.GetValue<string>(),
            Is.EqualTo(Ref(stack, "aws_lambda_function", "/analyst/knowledge-base/index-setup/this", "function_name")));
        Assert.That(invocation["lifecycle_scope"]!.GetValue<string>(), Is.EqualTo("CRUD"));
        Assert.That(Values(invocation["depends_on"]), Does.Contain(stack.Address("aws_opensearchserverless_access_policy", "/collection/access-policy")));
        var input = Json(invocation, "input");
        Assert.That(input["collectionEndpoint"]!.GetValue<string>(),
            Is.EqualTo(Ref(stack, "aws_opensearchserverless_collection", "/analyst/knowledge-base/collection/this", "collection_endpoint")));
        Assert.That(input["dimensions"]!.GetValue<int>(), Is.EqualTo(1024));

        var kb = stack.Resource("aws_bedrockagent_knowledge_base", "/analyst/knowledge-base/this");
        Assert.That(Values(kb["depends_on"]), Does.Contain(stack.Address("aws_lambda_invocation", "/analyst/knowledge-base/index-creation")));
        var vector = kb["knowledge_base_configuration"]![0]!["vector_knowledge_base_configuration"]![0]!;
        Assert.That(vector["embedding_model_configuration"]![0]!["bedrock_embedding_model_configuration"]![0]!["dimensions"]!.GetValue<int>(),
            Is.EqualTo(input["dimensions"]!.GetValue<int>()), "the index and the knowledge base agree on dimensions");
        var storage = kb["storage_configuration"]![0]!["opensearch_serverless_configuration"]![0]!;
        Assert.That(storage["vector_index_name"]!.GetValue<string>(), Is.EqualTo(input["indexName"]!.GetValue<string>()));
        var mapping = storage["field_mapping"]![0]!;
        Assert.That(mapping["vector_field"]!.GetValue<string>(), Is.EqualTo(input["vectorField"]!.GetValue<string>()));
        Assert.That(mapping["text_field"]!.GetValue<string>(), Is.EqualTo(input["textField"]!.GetValue<string>()));
        Assert.That(mapping["metadata_field"]!.GetValue<string>(), Is.EqualTo(input["metadataField"]!.GetValue<string>()));
        Assert.That(storage["collection_arn"]!.GetValue<string>(),
            Is.EqualTo(Ref(stack, "aws_opensearchserverless_collection", "/analyst/knowledge-base/collection/this", "arn")));
    }

    [TestCaseSource(typeof(TestEnvironments), nameof(TestEnvironments.All))]
    public void Ingestion_StartsAfterTheDocumentsAndDataSource_AndAgainWhenADocumentChanges(string env)
    {
        var stack = Stack(env);
        var ingestion = stack.Resource("aws_lambda_invocation", "/analyst/knowledge-base/ingestion");
        Assert.That(ingestion["function_name"]!.GetValue<string>(), Is.EqualTo(Ref(stack, "aws_lambda_function", "/analyst/knowledge-base/sync/this", "function_name")));
        Assert.That(ingestion["lifecycle_scope"]!.GetValue<string>(), Is.EqualTo("CRUD"));
        var input = Json(ingestion, "input");
        Assert.That(input["operation"]!.GetValue<string>(), Is.EqualTo("start-ingestion"));
        Assert.That(input["knowledgeBaseId"]!.GetValue<string>(), Is.EqualTo(Ref(stack, "aws_bedrockagent_knowledge_base", "/analyst/knowledge-base/this", "id")));
        Assert.That(input["dataSourceId"]!.GetValue<string>(), Is.EqualTo(Ref(stack, "aws_bedrockagent_data_source", "/analyst/knowledge-base/data-source", "data_source_id")));
        var documents = stack.Resources("aws_s3_object").Values
            .Where(o => o["key"]!.GetValue<string>().StartsWith(AnalystKnowledgeBase.SourcePrefix, StringComparison.Ordinal))
            .OrderBy(o => o["key"]!.GetValue<string>(), StringComparer.Ordinal)
            .Select(o => $"{o["key"]!.GetValue<string>()[AnalystKnowledgeBase.SourcePrefix.Length..]}\n{o["source_hash"]!.GetValue<string>()}\n");
        Assert.That(input["documentsSha256"]!.GetValue<string>(), Is.EqualTo(Sha256(string.Concat(documents))), "the hash of the uploaded documents");
        var dependsOn = Values(ingestion["depends_on"]);
        Assert.That(dependsOn, Does.Contain(stack.Address("aws_bedrockagent_data_source", "/analyst/knowledge-base/data-source")));
        Assert.That(dependsOn.Count(d => d.StartsWith("aws_s3_object.", StringComparison.Ordinal)), Is.EqualTo(documents.Count()));

        var statements = Statements(stack, "/analyst/knowledge-base/sync/role");
        var start = Statement(statements, "StartIngestionOfOwnKnowledgeBase");
        Assert.That(Values(start["Action"]), Is.EqualTo(new[] { "bedrock:StartIngestionJob" }));
        Assert.That(Values(start["Resource"]), Is.EqualTo(new[] { Ref(stack, "aws_bedrockagent_knowledge_base", "/analyst/knowledge-base/this", "arn") }));
        Assert.That(statements.SelectMany(s => Values(s["Action"])), Has.None.StartWith("aoss:"), "the sync role cannot touch the vector store");
        Assert.That(Statements(stack, "/analyst/knowledge-base/index-setup/role").SelectMany(s => Values(s["Action"])), Has.None.StartWith("bedrock:"),
            "the index-setup role cannot start ingestion");
        Assert.That(stack.Resource("aws_lambda_function", "/analyst/knowledge-base/sync/this")["source_code_hash"]!.GetValue<string>(),
            Is.EqualTo(stack.Resource("aws_lambda_function", "/analyst/knowledge-base/index-setup/this")["source_code_hash"]!.GetValue<string>()), "one package, two roles");
    }

    [TestCaseSource(typeof(TestEnvironments), nameof(TestEnvironments.All))]
    public void Documents_AreUploadedUnderThePrefixWithTheirContentHash_AndTheDataSourceReadsThatPrefix(string env)
    {
        var stack = Stack(env);
        var folder = Path.Combine(Repo.Root, "agent/knowledge-base");
        var files = Directory.GetFiles(folder, "*.md").Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList();
        var objects = stack.Resources("aws_s3_object").Values
            .Where(o => o["key"]!.GetValue<string>().StartsWith(AnalystKnowledgeBase.SourcePrefix, StringComparison.Ordinal)).ToList();

        Assert.That(objects.Select(o => o["key"]!.GetValue<string>()).Order(StringComparer.Ordinal),
            Is.EqualTo(files.Select(f => AnalystKnowledgeBase.SourcePrefix + f)));
        foreach (var o in objects)
        {
            var text = File.ReadAllText(Path.Combine(folder, Path.GetFileName(o["key"]!.GetValue<string>()))).Replace("\r\n", "\n");
            Assert.That(o["source_hash"]!.GetValue<string>(), Is.EqualTo(Sha256(text)));
            Assert.That(o["content"]!.GetValue<string>(), Is.EqualTo(text));
            Assert.That(o["server_side_encryption"]!.GetValue<string>(), Is.EqualTo("aws:kms"));
            Assert.That(o["bucket"]!.GetValue<string>(), Is.EqualTo(Ref(stack, "aws_s3_bucket", "/storage/models-bucket/this", "id")));
        }

        var source = stack.Resource("aws_bedrockagent_data_source", "/analyst/knowledge-base/data-source");
        var s3 = source["data_source_configuration"]![0]!["s3_configuration"]![0]!;
        Assert.That(s3["bucket_arn"]!.GetValue<string>(), Is.EqualTo(Ref(stack, "aws_s3_bucket", "/storage/models-bucket/this", "arn")));
        Assert.That(Values(s3["inclusion_prefixes"]), Is.EqualTo(new[] { AnalystKnowledgeBase.SourcePrefix }));
        Assert.That(source["server_side_encryption_configuration"]![0]!["kms_key_arn"]!.GetValue<string>(), Is.EqualTo(Ref(stack, "aws_kms_key", "/keys/data/this", "arn")));
    }

    [TestCaseSource(typeof(TestEnvironments), nameof(TestEnvironments.All))]
    public void Alias_IsNamedAfterTheEnvironment_CarriesTheFingerprint_AndWaitsForTheDraft(string env)
    {
        var stack = Stack(env);
        var alias = stack.Resource("aws_bedrockagent_agent_alias", "/analyst/alias");
        var group = stack.Resource("aws_bedrockagent_agent_action_group", "/analyst/action-group");

        Assert.That(alias["agent_alias_name"]!.GetValue<string>(), Is.EqualTo(env));
        Assert.That(alias["routing_configuration"], Is.Null, "without a routing configuration every update makes a new version and points the alias at it");
        var config = Config(env);
        var stamp = $"model {config.Agent.InferenceProfile}; ttl {config.Agent.IdleSessionTtlSeconds} s; kb {config.Agent.EmbeddingModel} {config.Agent.EmbeddingDimensions}";
        var match = System.Text.RegularExpressions.Regex.Match(alias["description"]!.GetValue<string>(), $"^{env} alias; agent ([0-9a-f]{{16}}); (.*)$");
        Assert.That(match.Success, Is.True, alias["description"]!.GetValue<string>());
        Assert.That(match.Groups[2].Value, Is.EqualTo(stamp), "settings from config are written as they are, so the promotion report can explain them");
        Assert.That(group["description"]!.GetValue<string>(), Does.EndWith($"agent {match.Groups[1].Value}; {stamp}"), "the action group is updated (and prepares the DRAFT) on the same change");
        Assert.That(group["description"]!.GetValue<string>().Length, Is.LessThanOrEqualTo(200));
        Assert.That(alias["description"]!.GetValue<string>().Length, Is.LessThanOrEqualTo(200));
        Assert.That(Values(alias["depends_on"]), Is.EquivalentTo(new[]
        {
            stack.Address("aws_bedrockagent_agent", "/analyst/this"),
            stack.Address("aws_bedrockagent_agent_action_group", "/analyst/action-group"),
            stack.Address("aws_bedrockagent_agent_knowledge_base_association", "/analyst/knowledge-base-association"),
        }));
    }

    [Test]
    public void TheContentFingerprint_IsTheSameInEveryEnvironment()
    {
        var fingerprints = TestEnvironments.All.Select(e => System.Text.RegularExpressions.Regex.Match(
            Stack(e).Resource("aws_bedrockagent_agent_alias", "/analyst/alias")["description"]!.GetValue<string>(), "agent ([0-9a-f]{16});").Groups[1].Value);

        Assert.That(fingerprints.Distinct().ToList(), Has.Count.EqualTo(1), "the same instruction, tools, guardrail and documents are promoted");
    }

    [Test]
    public void EveryEnvironment_HasItsOwnAgentAndAlias()
    {
        Assert.That(TestEnvironments.All.Select(e => Stack(e).Resource("aws_bedrockagent_agent", "/analyst/this")["agent_name"]!.GetValue<string>()), Is.Unique);
        Assert.That(TestEnvironments.All.Select(e => Stack(e).Resource("aws_bedrockagent_agent_alias", "/analyst/alias")["agent_alias_name"]!.GetValue<string>()),
            Is.EqualTo(TestEnvironments.All));
    }

    [Test]
    public void TheToolsAndIndexSetupFunctions_ShipTheSameArtifactInEveryEnvironment()
    {
        foreach (var path in new[] { "/analyst/agent-tools/this", "/analyst/knowledge-base/index-setup/this" })
        {
            Assert.That(TestEnvironments.All.Select(e => Stack(e).Resource("aws_lambda_function", path)["source_code_hash"]!.GetValue<string>()).Distinct().Count(),
                Is.EqualTo(1), path);
        }
    }
}
