using System.Text.Json;
using System.Text.Json.Nodes;
using FraudTf.Security.Policy;

namespace FraudTf.Tests.Security;

/// <summary>
/// Every rule of <see cref="SecurityPolicy"/> against small stacks: a baseline stack that breaks no rule, and for each
/// rule cases that mutate one resource of it (violating: exactly that rule at exactly that address; compliant: no
/// violation of that rule).
/// </summary>
[TestFixture]
public class SecurityPolicyTests
{
    private const string KeyArn = "${aws_kms_key.key.arn}";
    private const string LongReason = "Reviewed: this control does not apply to this resource.";

    // ------------------------------------------------------------------------------------------------------------
    // Builders

    /// <summary>A policy document as the JSON string a resource holds.</summary>
    private static string Policy(params string[] statements) =>
        $$"""{"Version":"2012-10-17","Statement":[{{string.Join(",", statements)}}]}""";

    private static string Allow(string actions, string resources, string? principal = null) =>
        $$"""{"Effect":"Allow",{{(principal is null ? "" : $"\"Principal\":{principal},")}}"Action":{{actions}},"Resource":{{resources}}}""";

    private static string TlsOnly(string bucketArn) =>
        """{"Sid":"DenyInsecureTransport","Effect":"Deny","Principal":"*","Action":"s3:*","Resource":["BUCKET","BUCKET/*"],"Condition":{"Bool":{"aws:SecureTransport":"false"}}}"""
            .Replace("BUCKET", bucketArn, StringComparison.Ordinal);

    private static readonly string KeyPolicy = Policy(Allow("\"kms:Decrypt\"", "\"*\"", """{"AWS":"arn:aws:iam::111111111111:root"}"""));

    private static readonly string TrustPolicy = Policy("""{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}""");

    private static readonly string IdentityPolicy = Policy(
        """{"Sid":"ReadTable","Effect":"Allow","Action":["dynamodb:GetItem","dynamodb:Query"],"Resource":"${aws_dynamodb_table.table.arn}"}""",
        """{"Sid":"Tracing","Effect":"Allow","Action":["xray:PutTraceSegments","xray:PutTelemetryRecords"],"Resource":"*"}""");

    private static string S(string value) => JsonSerializer.Serialize(value);

    /// <summary>A stack with one compliant resource of every checked type.</summary>
    private static JsonObject Baseline()
    {
        var stack = new JsonObject { ["resource"] = new JsonObject(), ["data"] = new JsonObject() };
        var b = new StackBuilder(stack);
        b.Add("aws_kms_key", "key", $$"""{"enable_key_rotation":true,"policy":{{S(KeyPolicy)}}}""");
        b.Add("aws_kms_alias", "alias", """{"name":"alias/test","target_key_id":"${aws_kms_key.key.key_id}"}""");
        b.Add("aws_dynamodb_table", "table", $$$"""{"name":"t","point_in_time_recovery":{"enabled":true},"server_side_encryption":{"enabled":true,"kms_key_arn":"{{{KeyArn}}}"}}""");

        // The data bucket's companions reference it by id; the audit bucket's by .bucket and by literal name.
        AddBucket(b, "data", "fraud-data-dev", "${aws_s3_bucket.data.id}", objectLock: false);
        AddBucket(b, "audit", "fraud-audit-logs-dev", "${aws_s3_bucket.audit.bucket}", objectLock: true, literalName: true);

        b.Add("aws_kinesis_stream", "stream", $$"""{"name":"s","encryption_type":"KMS","kms_key_id":"{{KeyArn}}"}""");
        b.Add("aws_lambda_function", "fn", """
            {"function_name":"f","runtime":"dotnet10","handler":"h","role":"${aws_iam_role.role.arn}",
             "tracing_config":{"mode":"Active"},"dead_letter_config":{"target_arn":"${aws_sqs_queue.queue.arn}"},
             "reserved_concurrent_executions":10,"kms_key_arn":"KEY",
             "environment":{"variables":{"TABLE_NAME":"t","API_KEY_SECRET_ARN":"${aws_secretsmanager_secret.api.arn}"}}}
            """.Replace("KEY", KeyArn, StringComparison.Ordinal));
        b.Add("aws_lambda_permission", "permission", """{"action":"lambda:InvokeFunction","function_name":"f","principal":"events.amazonaws.com","source_arn":"${aws_cloudwatch_event_rule.rule.arn}"}""");
        b.Add("aws_sqs_queue", "queue", $$"""{"name":"q","kms_master_key_id":"{{KeyArn}}"}""");
        b.Add("aws_sqs_queue_policy", "queue-policy", $$"""{"queue_url":"${aws_sqs_queue.queue.url}","policy":{{S(Policy(Allow("\"sqs:SendMessage\"", "\"${aws_sqs_queue.queue.arn}\"", """{"Service":"sns.amazonaws.com"}""")))}}}""");
        b.Add("aws_sns_topic", "topic", $$"""{"name":"t","kms_master_key_id":"{{KeyArn}}"}""");
        b.Add("aws_sns_topic_policy", "topic-policy", $$"""{"arn":"${aws_sns_topic.topic.arn}","policy":{{S(Policy(Allow("\"sns:Publish\"", "\"${aws_sns_topic.topic.arn}\"", """{"Service":"events.amazonaws.com"}""")))}}}""");
        b.Add("aws_cloudwatch_event_bus_policy", "bus-policy", $$"""{"event_bus_name":"b","policy":{{S(Policy(Allow("\"events:PutEvents\"", "\"${aws_cloudwatch_event_bus.bus.arn}\"", """{"AWS":"arn:aws:iam::111111111111:root"}""")))}}}""");
        b.Add("aws_cloudwatch_log_group", "logs", $$$"""{"name":"/aws/lambda/f","kms_key_id":"{{{KeyArn}}}","retention_in_days":365,"tags":{"audit-relevant":"true"}}""");
        b.Add("aws_cloudwatch_metric_alarm", "alarm", """{"alarm_name":"a","actions_enabled":true,"alarm_actions":["${aws_sns_topic.topic.arn}"],"metric_name":"Errors","namespace":"AWS/Lambda","dimensions":{"FunctionName":"f"}}""");
        b.Add("aws_iam_role", "role", $$"""{"name":"r","assume_role_policy":{{S(TrustPolicy)}},"inline_policy":[{"name":"inline","policy":{{S(IdentityPolicy)}}}]}""");
        b.Add("aws_iam_role_policy", "role-policy", $$"""{"role":"r","policy":{{S(IdentityPolicy)}}}""");
        b.Add("aws_iam_policy", "managed-policy", $$"""{"name":"p","policy":{{S(IdentityPolicy)}}}""");
        b.Add("aws_bedrockagent_agent", "agent", $$"""{"agent_name":"analyst","customer_encryption_key_arn":"{{KeyArn}}","guardrail_configuration":[{"guardrail_identifier":"${aws_bedrock_guardrail.g.guardrail_id}","guardrail_version":"1"}]}""");
        b.Add("aws_bedrock_guardrail", "guardrail", $$"""{"name":"g","kms_key_arn":"{{KeyArn}}","sensitive_information_policy_config":[{"pii_entities_config":[{"type":"EMAIL","action":"ANONYMIZE"},{"type":"CREDIT_DEBIT_CARD_NUMBER","action":"BLOCK"}]}]}""");
        b.Add("aws_bedrockagent_data_source", "source", $$"""{"name":"s","knowledge_base_id":"kb","server_side_encryption_configuration":[{"kms_key_arn":"{{KeyArn}}"}]}""");
        b.Add("aws_opensearchserverless_security_policy", "encryption", AossPolicy("encryption", $$"""{"Rules":[{"ResourceType":"collection","Resource":["collection/c"]}],"AWSOwnedKey":false,"KmsARN":"{{KeyArn}}"}"""));
        b.Add("aws_opensearchserverless_security_policy", "network", AossPolicy("network", """[{"Rules":[{"ResourceType":"collection","Resource":["collection/c"]}],"AllowFromPublic":false,"SourceServices":["bedrock.amazonaws.com"]}]"""));
        b.Add("aws_opensearchserverless_access_policy", "access", AossPolicy("data", """[{"Rules":[{"ResourceType":"index","Resource":["index/c/i"],"Permission":["aoss:ReadDocument"]}],"Principal":["${aws_iam_role.role.arn}"]}]"""));
        b.Add("aws_cloudwatch_dashboard", "dashboard", """{"dashboard_name":"d","dashboard_body":"{}"}""");
        b.Add("aws_opensearchserverless_collection", "collection", """{"name":"c"}""");
        stack["data"]!.AsObject()["aws_iam_policy_document"] = JsonNode.Parse("""{"doc":{"statement":[{"actions":["*"],"resources":["*"]}]}}""");
        return stack;
    }

    private static void AddBucket(StackBuilder b, string id, string name, string reference, bool objectLock, bool literalName = false)
    {
        var lit = literalName ? name : reference;
        b.Add("aws_s3_bucket", id, $$"""{"bucket":"{{name}}","object_lock_enabled":{{(objectLock ? "true" : "false")}}}""");
        b.Add("aws_s3_bucket_public_access_block", $"{id}-pab", $$"""{"bucket":"{{reference}}","block_public_acls":true,"block_public_policy":true,"ignore_public_acls":true,"restrict_public_buckets":true}""");
        b.Add("aws_s3_bucket_server_side_encryption_configuration", $"{id}-sse", $$"""{"bucket":"{{lit}}","rule":[{"apply_server_side_encryption_by_default":{"sse_algorithm":"aws:kms","kms_master_key_id":"{{KeyArn}}"},"bucket_key_enabled":true}]}""");
        b.Add("aws_s3_bucket_versioning", $"{id}-versioning", $$$"""{"bucket":"{{{reference}}}","versioning_configuration":{"status":"Enabled"}}""");
        b.Add("aws_s3_bucket_logging", $"{id}-logging", $$"""{"bucket":"{{lit}}","target_bucket":"${aws_s3_bucket.logs.bucket}","target_prefix":"{{id}}/"}""");
        b.Add("aws_s3_bucket_lifecycle_configuration", $"{id}-lifecycle", $$"""{"bucket":"{{reference}}","rule":[{"id":"abort","status":"Enabled","abort_incomplete_multipart_upload":[{"days_after_initiation":7}],"filter":[{"prefix":""}]}]}""");
        b.Add("aws_s3_bucket_policy", $"{id}-policy", $$"""{"bucket":"{{reference}}","policy":{{S(Policy(TlsOnly($"${{aws_s3_bucket.{id}.arn}}")))}}}""");
        b.Add("aws_s3_bucket_ownership_controls", $"{id}-ownership", $$$"""{"bucket":"{{{lit}}}","rule":{"object_ownership":"BucketOwnerEnforced"}}""");
        if (objectLock)
        {
            b.Add("aws_s3_bucket_object_lock_configuration", $"{id}-object-lock", """{"bucket":"REF","rule":{"default_retention":{"mode":"COMPLIANCE","days":365}}}""".Replace("REF", reference, StringComparison.Ordinal));
        }
    }

    private static string AossPolicy(string type, string policy) =>
        new JsonObject { ["name"] = "c", ["type"] = type, ["policy"] = policy }.ToJsonString();

    private static void SetAossPolicy(JsonObject stack, string type, string id, string policy) => R(stack, type, id)["policy"] = policy;

    private static JsonObject R(JsonObject stack, string type, string id) => stack["resource"]![type]![id]!.AsObject();

    private static void Remove(JsonObject stack, string type, string id) => stack["resource"]![type]!.AsObject().Remove(id);

    private static JsonNode J(string json) => JsonNode.Parse(json)!;

    /// <summary>A mutation of the baseline, named for the test list.</summary>
    public sealed record Case(string RuleId, string Name, Action<JsonObject> Mutate, string? Address = null)
    {
        public override string ToString() => $"{RuleId} {Name}";
    }

    // ------------------------------------------------------------------------------------------------------------
    // Cases: each violating case breaks exactly one rule at one address; each compliant case keeps that rule green.

    private static IEnumerable<Case> ViolatingCases()
    {
        // DynamoDB
        yield return new("FTF-DDB-001", "pitr disabled", s => R(s, "aws_dynamodb_table", "table")["point_in_time_recovery"] = J("""{"enabled":false}"""), "aws_dynamodb_table.table");
        yield return new("FTF-DDB-001", "pitr absent", s => R(s, "aws_dynamodb_table", "table").Remove("point_in_time_recovery"), "aws_dynamodb_table.table");
        yield return new("FTF-DDB-002", "sse without key", s => R(s, "aws_dynamodb_table", "table")["server_side_encryption"] = J("""{"enabled":true}"""), "aws_dynamodb_table.table");
        yield return new("FTF-DDB-002", "sse absent", s => R(s, "aws_dynamodb_table", "table").Remove("server_side_encryption"), "aws_dynamodb_table.table");

        // S3
        yield return new("FTF-S3-001", "one setting false", s => R(s, "aws_s3_bucket_public_access_block", "data-pab")["restrict_public_buckets"] = false, "aws_s3_bucket.data");
        yield return new("FTF-S3-001", "no public access block", s => Remove(s, "aws_s3_bucket_public_access_block", "audit-pab"), "aws_s3_bucket.audit");
        yield return new("FTF-S3-002", "AES256", s => R(s, "aws_s3_bucket_server_side_encryption_configuration", "data-sse")["rule"] = J("""[{"apply_server_side_encryption_by_default":{"sse_algorithm":"AES256"}}]"""), "aws_s3_bucket.data");
        yield return new("FTF-S3-002", "aws:kms without key", s => R(s, "aws_s3_bucket_server_side_encryption_configuration", "data-sse")["rule"] = J("""[{"apply_server_side_encryption_by_default":{"sse_algorithm":"aws:kms"}}]"""), "aws_s3_bucket.data");
        yield return new("FTF-S3-002", "aws-managed key", s => R(s, "aws_s3_bucket_server_side_encryption_configuration", "data-sse")["rule"] = J("""[{"apply_server_side_encryption_by_default":{"sse_algorithm":"aws:kms","kms_master_key_id":"alias/aws/s3"}}]"""), "aws_s3_bucket.data");
        yield return new("FTF-S3-002", "no encryption configuration", s => Remove(s, "aws_s3_bucket_server_side_encryption_configuration", "audit-sse"), "aws_s3_bucket.audit");
        yield return new("FTF-S3-003", "suspended", s => R(s, "aws_s3_bucket_versioning", "data-versioning")["versioning_configuration"] = J("""{"status":"Suspended"}"""), "aws_s3_bucket.data");
        yield return new("FTF-S3-003", "no versioning", s => Remove(s, "aws_s3_bucket_versioning", "audit-versioning"), "aws_s3_bucket.audit");
        yield return new("FTF-S3-004", "no logging", s => Remove(s, "aws_s3_bucket_logging", "data-logging"), "aws_s3_bucket.data");
        yield return new("FTF-S3-004", "logging of another bucket", s => R(s, "aws_s3_bucket_logging", "data-logging")["bucket"] = "${aws_s3_bucket.other.id}", "aws_s3_bucket.data");
        yield return new("FTF-S3-005", "no lifecycle", s =>
        {
            Remove(s, "aws_s3_bucket_lifecycle_configuration", "data-lifecycle");
            PolicyException(s, "aws_s3_bucket", "data", "FTF-S3-006");
        }, "aws_s3_bucket.data");
        yield return new("FTF-S3-006", "no abort rule", s => R(s, "aws_s3_bucket_lifecycle_configuration", "data-lifecycle")["rule"] = J("""[{"id":"expire","status":"Enabled","expiration":[{"days":30}]}]"""), "aws_s3_bucket.data");
        yield return new("FTF-S3-006", "abort rule disabled", s => R(s, "aws_s3_bucket_lifecycle_configuration", "data-lifecycle")["rule"]![0]!["status"] = "Disabled", "aws_s3_bucket.data");
        yield return new("FTF-S3-007", "policy without TLS deny", s => R(s, "aws_s3_bucket_policy", "data-policy")["policy"] =
            Policy(Allow("\"s3:GetObject\"", "\"${aws_s3_bucket.data.arn}/*\"", """{"AWS":"arn:aws:iam::111111111111:root"}""")), "aws_s3_bucket.data");
        yield return new("FTF-S3-007", "no bucket policy", s => Remove(s, "aws_s3_bucket_policy", "audit-policy"), "aws_s3_bucket.audit");
        yield return new("FTF-S3-008", "ObjectWriter", s => R(s, "aws_s3_bucket_ownership_controls", "data-ownership")["rule"] = J("""{"object_ownership":"ObjectWriter"}"""), "aws_s3_bucket.data");
        yield return new("FTF-S3-008", "no ownership controls", s => Remove(s, "aws_s3_bucket_ownership_controls", "audit-ownership"), "aws_s3_bucket.audit");
        yield return new("FTF-S3-009", "audit bucket without object lock enabled", s => R(s, "aws_s3_bucket", "audit")["object_lock_enabled"] = false, "aws_s3_bucket.audit");
        yield return new("FTF-S3-010", "object-locked bucket receiving access logs", s => R(s, "aws_s3_bucket_logging", "data-logging")["target_bucket"] = "${aws_s3_bucket.audit.bucket}", "aws_s3_bucket.audit");
        yield return new("FTF-S3-009", "audit bucket without lock configuration", s => Remove(s, "aws_s3_bucket_object_lock_configuration", "audit-object-lock"), "aws_s3_bucket.audit");

        // Kinesis
        yield return new("FTF-KIN-001", "unencrypted", s =>
        {
            R(s, "aws_kinesis_stream", "stream")["encryption_type"] = "NONE";
            R(s, "aws_kinesis_stream", "stream").Remove("kms_key_id");
        }, "aws_kinesis_stream.stream");
        yield return new("FTF-KIN-001", "aws-managed key", s => R(s, "aws_kinesis_stream", "stream")["kms_key_id"] = "alias/aws/kinesis", "aws_kinesis_stream.stream");

        // Lambda
        yield return new("FTF-LAM-001", "pass-through tracing", s => R(s, "aws_lambda_function", "fn")["tracing_config"] = J("""{"mode":"PassThrough"}"""), "aws_lambda_function.fn");
        yield return new("FTF-LAM-002", "no dead-letter queue", s => R(s, "aws_lambda_function", "fn").Remove("dead_letter_config"), "aws_lambda_function.fn");
        yield return new("FTF-LAM-003", "unreserved", s => R(s, "aws_lambda_function", "fn")["reserved_concurrent_executions"] = -1, "aws_lambda_function.fn");
        yield return new("FTF-LAM-003", "not set", s => R(s, "aws_lambda_function", "fn").Remove("reserved_concurrent_executions"), "aws_lambda_function.fn");
        yield return new("FTF-LAM-004", "variables without key", s => R(s, "aws_lambda_function", "fn").Remove("kms_key_arn"), "aws_lambda_function.fn");
        yield return new("FTF-LAM-005", "password value", s => R(s, "aws_lambda_function", "fn")["environment"]!["variables"]!["DB_PASSWORD"] = "hunter2hunter2", "aws_lambda_function.fn");
        yield return new("FTF-LAM-005", "token from a variable", s => R(s, "aws_lambda_function", "fn")["environment"]!["variables"]!["github_token"] = "${var.github_token}", "aws_lambda_function.fn");
        yield return new("FTF-LAM-005", "access key value", s => R(s, "aws_lambda_function", "fn")["environment"]!["variables"]!["UPSTREAM"] = "AKIAIOSFODNN7EXAMPLE", "aws_lambda_function.fn");
        yield return new("FTF-LAM-006", "no source arn", s => R(s, "aws_lambda_permission", "permission").Remove("source_arn"), "aws_lambda_permission.permission");
        foreach (var runtime in new[] { "dotnet8", "dotnet6", "dotnetcore3.1", "nodejs18.x", "nodejs20.x", "nodejs", "python3.9", "python3.6", "java8", "ruby2.7", "ruby3.2", "go1.x", "provided" })
        {
            yield return new("FTF-LAM-007", runtime, s => R(s, "aws_lambda_function", "fn")["runtime"] = runtime, "aws_lambda_function.fn");
        }

        // SQS, SNS, resource policies
        yield return new("FTF-SQS-001", "no key", s => R(s, "aws_sqs_queue", "queue").Remove("kms_master_key_id"), "aws_sqs_queue.queue");
        yield return new("FTF-SQS-001", "aws-managed key", s => R(s, "aws_sqs_queue", "queue")["kms_master_key_id"] = "alias/aws/sqs", "aws_sqs_queue.queue");
        yield return new("FTF-SQS-001", "SSE-SQS", s =>
        {
            R(s, "aws_sqs_queue", "queue").Remove("kms_master_key_id");
            R(s, "aws_sqs_queue", "queue")["sqs_managed_sse_enabled"] = true;
        }, "aws_sqs_queue.queue");
        yield return new("FTF-SNS-001", "no key", s => R(s, "aws_sns_topic", "topic").Remove("kms_master_key_id"), "aws_sns_topic.topic");
        yield return new("FTF-SNS-001", "aws-managed key", s => R(s, "aws_sns_topic", "topic")["kms_master_key_id"] = "alias/aws/sns", "aws_sns_topic.topic");
        yield return new("FTF-POL-001", "queue policy allows *", s => R(s, "aws_sqs_queue_policy", "queue-policy")["policy"] = Policy(Allow("\"sqs:SendMessage\"", "\"*\"", "\"*\"")), "aws_sqs_queue_policy.queue-policy");
        yield return new("FTF-POL-001", "topic policy allows AWS *", s => R(s, "aws_sns_topic_policy", "topic-policy")["policy"] = Policy(Allow("\"sns:Publish\"", "\"*\"", """{"AWS":"*"}""")), "aws_sns_topic_policy.topic-policy");
        yield return new("FTF-POL-001", "bucket policy allows AWS [*]", s => R(s, "aws_s3_bucket_policy", "data-policy")["policy"] =
            Policy(TlsOnly("${aws_s3_bucket.data.arn}"), Allow("\"s3:GetObject\"", "\"*\"", """{"AWS":["arn:aws:iam::111111111111:root","*"]}""")), "aws_s3_bucket_policy.data-policy");
        yield return new("FTF-POL-001", "event bus policy allows *", s => R(s, "aws_cloudwatch_event_bus_policy", "bus-policy")["policy"] = Policy(Allow("\"events:PutEvents\"", "\"*\"", "\"*\"")), "aws_cloudwatch_event_bus_policy.bus-policy");
        yield return new("FTF-POL-001", "inline queue policy allows *", s => R(s, "aws_sqs_queue", "queue")["policy"] = Policy(Allow("\"sqs:SendMessage\"", "\"*\"", "\"*\"")), "aws_sqs_queue.queue");

        // CloudWatch
        yield return new("FTF-LOG-001", "no key", s => R(s, "aws_cloudwatch_log_group", "logs").Remove("kms_key_id"), "aws_cloudwatch_log_group.logs");
        yield return new("FTF-LOG-002", "no retention", s => R(s, "aws_cloudwatch_log_group", "logs").Remove("retention_in_days"), "aws_cloudwatch_log_group.logs");
        yield return new("FTF-LOG-002", "retention 0", s => R(s, "aws_cloudwatch_log_group", "logs")["retention_in_days"] = 0, "aws_cloudwatch_log_group.logs");
        yield return new("FTF-LOG-003", "audit-relevant kept 90 days", s => R(s, "aws_cloudwatch_log_group", "logs")["retention_in_days"] = 90, "aws_cloudwatch_log_group.logs");
        yield return new("FTF-CW-002", "AWS metric without dimensions", s => R(s, "aws_cloudwatch_metric_alarm", "alarm").Remove("dimensions"), "aws_cloudwatch_metric_alarm.alarm");
        yield return new("FTF-CW-001", "actions disabled", s => R(s, "aws_cloudwatch_metric_alarm", "alarm")["actions_enabled"] = false, "aws_cloudwatch_metric_alarm.alarm");
        yield return new("FTF-CW-001", "no alarm actions", s => R(s, "aws_cloudwatch_metric_alarm", "alarm")["alarm_actions"] = new JsonArray(), "aws_cloudwatch_metric_alarm.alarm");

        // KMS
        yield return new("FTF-KMS-001", "rotation off", s => R(s, "aws_kms_key", "key")["enable_key_rotation"] = false, "aws_kms_key.key");
        yield return new("FTF-KMS-001", "rotation unset", s => R(s, "aws_kms_key", "key").Remove("enable_key_rotation"), "aws_kms_key.key");
        yield return new("FTF-KMS-002", "no key policy", s => R(s, "aws_kms_key", "key").Remove("policy"), "aws_kms_key.key");
        yield return new("FTF-KMS-003", "key policy allows AWS *", s => R(s, "aws_kms_key", "key")["policy"] = Policy(Allow("\"kms:Decrypt\"", "\"*\"", """{"AWS":"*"}""")), "aws_kms_key.key");

        // IAM
        yield return new("FTF-IAM-001", "s3:* in a role policy", s => R(s, "aws_iam_role_policy", "role-policy")["policy"] = Policy(Allow("\"s3:*\"", "\"${aws_s3_bucket.data.arn}\"")), "aws_iam_role_policy.role-policy");
        yield return new("FTF-IAM-001", "* in a managed policy", s => R(s, "aws_iam_policy", "managed-policy")["policy"] = Policy(Allow("[\"dynamodb:GetItem\",\"*\"]", "\"${aws_dynamodb_table.table.arn}\"")), "aws_iam_policy.managed-policy");
        yield return new("FTF-IAM-001", "s3:Get* inline", s => R(s, "aws_iam_role", "role")["inline_policy"]![0]!["policy"] = Policy(Allow("\"s3:Get*\"", "\"${aws_s3_bucket.data.arn}/*\"")), "aws_iam_role.role");
        yield return new("FTF-IAM-001", "NotAction", s => R(s, "aws_iam_role_policy", "role-policy")["policy"] = Policy("""{"Effect":"Allow","NotAction":"iam:*","Resource":"${aws_s3_bucket.data.arn}"}"""), "aws_iam_role_policy.role-policy");
        yield return new("FTF-IAM-002", "logs:CreateLogGroup on *", s => R(s, "aws_iam_role_policy", "role-policy")["policy"] = Policy(Allow("[\"logs:CreateLogGroup\",\"xray:PutTraceSegments\"]", "\"*\"")), "aws_iam_role_policy.role-policy");
        yield return new("FTF-IAM-002", "* among resources", s => R(s, "aws_iam_policy", "managed-policy")["policy"] = Policy(Allow("\"dynamodb:GetItem\"", "[\"${aws_dynamodb_table.table.arn}\",\"*\"]")), "aws_iam_policy.managed-policy");
        yield return new("FTF-IAM-003", "iam:CreateAccessKey on an ARN", s => R(s, "aws_iam_role_policy", "role-policy")["policy"] = Policy(Allow("\"iam:CreateAccessKey\"", "\"arn:aws:iam::111111111111:user/x\"")), "aws_iam_role_policy.role-policy");
        yield return new("FTF-IAM-003", "iam:PassRole on * (and *)", s =>
        {
            R(s, "aws_iam_role_policy", "role-policy")["policy"] = Policy(Allow("\"iam:PassRole\"", "\"*\""));
            PolicyException(s, "aws_iam_role_policy", "role-policy", "FTF-IAM-002");
        }, "aws_iam_role_policy.role-policy");
        yield return new("FTF-IAM-004", "trust *", s => R(s, "aws_iam_role", "role")["assume_role_policy"] = Policy("""{"Effect":"Allow","Principal":"*","Action":"sts:AssumeRole"}"""), "aws_iam_role.role");
        yield return new("FTF-IAM-004", "trust AWS *", s => R(s, "aws_iam_role", "role")["assume_role_policy"] = Policy("""{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole"}"""), "aws_iam_role.role");
        yield return new("FTF-IAM-005", "data source document", s => R(s, "aws_iam_role_policy", "role-policy")["policy"] = "${data.aws_iam_policy_document.doc.json}", "aws_iam_role_policy.role-policy");
        yield return new("FTF-IAM-005", "computed trust policy", s => R(s, "aws_iam_role", "role")["assume_role_policy"] = "${jsonencode(local.trust)}", "aws_iam_role.role");

        // Bedrock
        yield return new("FTF-BRK-001", "no key", s => R(s, "aws_bedrockagent_agent", "agent").Remove("customer_encryption_key_arn"), "aws_bedrockagent_agent.agent");
        yield return new("FTF-BRK-002", "no guardrail", s => R(s, "aws_bedrockagent_agent", "agent").Remove("guardrail_configuration"), "aws_bedrockagent_agent.agent");
        yield return new("FTF-BRK-002", "guardrail without identifier", s => R(s, "aws_bedrockagent_agent", "agent")["guardrail_configuration"] = J("""[{"guardrail_version":"1"}]"""), "aws_bedrockagent_agent.agent");
        yield return new("FTF-BRK-003", "guardrail without key", s => R(s, "aws_bedrock_guardrail", "guardrail").Remove("kms_key_arn"), "aws_bedrock_guardrail.guardrail");
        yield return new("FTF-BRK-003", "guardrail without PII filters", s => R(s, "aws_bedrock_guardrail", "guardrail").Remove("sensitive_information_policy_config"), "aws_bedrock_guardrail.guardrail");
        yield return new("FTF-BRK-003", "card numbers let through", s => R(s, "aws_bedrock_guardrail", "guardrail")["sensitive_information_policy_config"] =
            J("""[{"pii_entities_config":[{"type":"CREDIT_DEBIT_CARD_NUMBER","action":"NONE"}]}]"""), "aws_bedrock_guardrail.guardrail");
        yield return new("FTF-BRK-004", "data source without key", s => R(s, "aws_bedrockagent_data_source", "source").Remove("server_side_encryption_configuration"), "aws_bedrockagent_data_source.source");

        // OpenSearch Serverless
        yield return new("FTF-AOSS-001", "AWS-owned key", s => SetAossPolicy(s, "aws_opensearchserverless_security_policy", "encryption",
            """{"Rules":[{"ResourceType":"collection","Resource":["collection/c"]}],"AWSOwnedKey":true}"""), "aws_opensearchserverless_security_policy.encryption");
        yield return new("FTF-AOSS-001", "no key ARN", s => SetAossPolicy(s, "aws_opensearchserverless_security_policy", "encryption",
            """{"Rules":[{"ResourceType":"collection","Resource":["collection/c"]}],"AWSOwnedKey":false}"""), "aws_opensearchserverless_security_policy.encryption");
        yield return new("FTF-AOSS-002", "public collection", s => SetAossPolicy(s, "aws_opensearchserverless_security_policy", "network",
            """[{"Rules":[{"ResourceType":"collection","Resource":["collection/c"]}],"AllowFromPublic":true}]"""), "aws_opensearchserverless_security_policy.network");
        yield return new("FTF-AOSS-003", "wildcard principal", s => SetAossPolicy(s, "aws_opensearchserverless_access_policy", "access",
            """[{"Rules":[{"ResourceType":"index","Resource":["index/c/i"],"Permission":["aoss:ReadDocument"]}],"Principal":["*"]}]"""), "aws_opensearchserverless_access_policy.access");
        yield return new("FTF-AOSS-003", "account root", s => SetAossPolicy(s, "aws_opensearchserverless_access_policy", "access",
            """[{"Rules":[{"ResourceType":"index","Resource":["index/c/i"],"Permission":["aoss:ReadDocument"]}],"Principal":["arn:aws:iam::111111111111:root"]}]"""), "aws_opensearchserverless_access_policy.access");
        yield return new("FTF-AOSS-003", "wildcard permission", s => SetAossPolicy(s, "aws_opensearchserverless_access_policy", "access",
            """[{"Rules":[{"ResourceType":"index","Resource":["index/c/*"],"Permission":["aoss:*"]}],"Principal":["${aws_iam_role.role.arn}"]}]"""), "aws_opensearchserverless_access_policy.access");
        // Private networking
        yield return new("FTF-NET-001", "egress to the internet", s => new StackBuilder(s).Add("aws_vpc_security_group_egress_rule", "out",
            """{"security_group_id":"sg-1","ip_protocol":"tcp","from_port":443,"to_port":443,"cidr_ipv4":"0.0.0.0/0"}"""), "aws_vpc_security_group_egress_rule.out");
        yield return new("FTF-NET-001", "ingress from the internet (IPv6)", s => new StackBuilder(s).Add("aws_vpc_security_group_ingress_rule", "in",
            """{"security_group_id":"sg-1","ip_protocol":"tcp","from_port":443,"to_port":443,"cidr_ipv6":"::/0"}"""), "aws_vpc_security_group_ingress_rule.in");
        yield return new("FTF-NET-001", "inline ingress from the internet", s => new StackBuilder(s).Add("aws_security_group", "group",
            """{"name":"g","description":"d","ingress":[{"from_port":22,"to_port":22,"protocol":"tcp","cidr_blocks":["0.0.0.0/0"]}]}"""), "aws_security_group.group");
        yield return new("FTF-NET-002", "default group with a rule", s => new StackBuilder(s).Add("aws_default_security_group", "default",
            """{"vpc_id":"vpc-1","egress":[{"from_port":0,"to_port":0,"protocol":"-1","cidr_blocks":["10.0.0.0/8"]}]}"""), "aws_default_security_group.default");
        yield return new("FTF-NET-003", "public addresses at launch", s => new StackBuilder(s).Add("aws_subnet", "subnet",
            """{"vpc_id":"vpc-1","cidr_block":"10.0.0.0/20","map_public_ip_on_launch":true}"""), "aws_subnet.subnet");
        yield return new("FTF-NET-004", "no endpoint policy", s => new StackBuilder(s).Add("aws_vpc_endpoint", "endpoint",
            """{"vpc_id":"vpc-1","service_name":"com.amazonaws.us-east-1.sqs","vpc_endpoint_type":"Interface"}"""), "aws_vpc_endpoint.endpoint");
        yield return new("FTF-NET-004", "any principal, any action", s => new StackBuilder(s).Add("aws_vpc_endpoint", "endpoint",
            """{"vpc_id":"vpc-1","service_name":"com.amazonaws.us-east-1.sqs","policy":"{\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"*\",\"Resource\":\"*\"}]}"}"""), "aws_vpc_endpoint.endpoint");
        yield return new("FTF-NET-004", "a restrictable action on every resource", s => new StackBuilder(s).Add("aws_vpc_endpoint", "endpoint",
            """{"vpc_id":"vpc-1","service_name":"com.amazonaws.us-east-1.sqs","policy":"{\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"${aws_iam_role.role.arn}\"},\"Action\":\"sqs:SendMessage\",\"Resource\":\"*\"}]}"}"""), "aws_vpc_endpoint.endpoint");

        // General
        yield return new(SecurityPolicy.CoverageRuleId, "unknown type", s => new StackBuilder(s).Add("aws_iam_role_policy_attachment", "attach", """{"role":"r","policy_arn":"arn:aws:iam::aws:policy/AdministratorAccess"}"""), "aws_iam_role_policy_attachment.attach");
        yield return new(SecurityPolicy.ExceptionRuleId, "short reason", s => R(s, "aws_kms_key", "key")["//"]!["policy_exceptions"] = J("""{"FTF-KMS-002":"too short"}"""), "aws_kms_key.key");
        yield return new(SecurityPolicy.ExceptionRuleId, "unknown rule id", s => PolicyException(s, "aws_kms_key", "key", "FTF-KMS-999"), "aws_kms_key.key");
        yield return new(SecurityPolicy.ExceptionRuleId, "rule of another type", s => PolicyException(s, "aws_kms_key", "key", "FTF-S3-002"), "aws_kms_key.key");
        yield return new(SecurityPolicy.ExceptionRuleId, "the exception rule itself", s => PolicyException(s, "aws_kms_key", "key", SecurityPolicy.ExceptionRuleId), "aws_kms_key.key");
        yield return new(SecurityPolicy.ExceptionRuleId, "not an object", s => R(s, "aws_kms_key", "key")["//"]!["policy_exceptions"] = "FTF-KMS-001", "aws_kms_key.key");
    }

    private static IEnumerable<Case> CompliantCases()
    {
        yield return new("FTF-DDB-001", "baseline", _ => { });
        yield return new("FTF-DDB-002", "baseline", _ => { });
        yield return new("FTF-S3-001", "two blocks, one complete", s => new StackBuilder(s).Add("aws_s3_bucket_public_access_block", "data-pab-2", """{"bucket":"${aws_s3_bucket.data.id}","block_public_acls":false}"""));
        yield return new("FTF-S3-002", "aws:kms:dsse", s => R(s, "aws_s3_bucket_server_side_encryption_configuration", "data-sse")["rule"] = J($$"""{"apply_server_side_encryption_by_default":[{"sse_algorithm":"aws:kms:dsse","kms_master_key_id":"{{KeyArn}}"}]}"""));
        yield return new("FTF-S3-003", "baseline (referenced by .bucket)", _ => { });
        yield return new("FTF-S3-004", "baseline (referenced by literal name)", _ => { });
        yield return new("FTF-S3-005", "baseline", _ => { });
        yield return new("FTF-S3-006", "abort rule among others", s => R(s, "aws_s3_bucket_lifecycle_configuration", "data-lifecycle")["rule"] = J("""[{"id":"expire","status":"Enabled","expiration":[{"days":30}]},{"id":"abort","status":"Enabled","abort_incomplete_multipart_upload":{"days_after_initiation":1}}]"""));
        yield return new("FTF-S3-007", "condition value as a list", s => R(s, "aws_s3_bucket_policy", "data-policy")["policy"] =
            Policy("""{"Effect":"Deny","Principal":{"AWS":"*"},"Action":"s3:*","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":["false"]}}}"""));
        yield return new("FTF-S3-008", "baseline", _ => { });
        yield return new("FTF-S3-010", "access logs into a bucket without object lock", s => R(s, "aws_s3_bucket_logging", "audit-logging")["target_bucket"] = "${aws_s3_bucket.data.id}");
        yield return new("FTF-S3-009", "non-audit bucket without object lock", s => R(s, "aws_s3_bucket", "data")["object_lock_enabled"] = false);
        yield return new("FTF-KIN-001", "baseline", _ => { });
        yield return new("FTF-LAM-001", "tracing as a list block", s => R(s, "aws_lambda_function", "fn")["tracing_config"] = J("""[{"mode":"Active"}]"""));
        yield return new("FTF-LAM-002", "baseline", _ => { });
        yield return new("FTF-LAM-003", "zero (throttled)", s => R(s, "aws_lambda_function", "fn")["reserved_concurrent_executions"] = 0);
        yield return new("FTF-LAM-004", "no variables, no key", s =>
        {
            R(s, "aws_lambda_function", "fn").Remove("environment");
            R(s, "aws_lambda_function", "fn").Remove("kms_key_arn");
        });
        yield return new("FTF-LAM-005", "secret ARN and parameter name references", s =>
        {
            var variables = R(s, "aws_lambda_function", "fn")["environment"]!["variables"]!;
            variables["DB_PASSWORD_SECRET"] = "arn:aws:secretsmanager:us-east-1:111111111111:secret:db";
            variables["TOKEN_PARAMETER"] = "${aws_ssm_parameter.token.name}";
        });
        foreach (var runtime in new[] { "dotnet10", "nodejs22.x", "python3.13", "java21", "java8.al2", "provided.al2023", "ruby3.4" })
        {
            yield return new("FTF-LAM-007", runtime, s => R(s, "aws_lambda_function", "fn")["runtime"] = runtime);
        }

        yield return new("FTF-LAM-007", "container image (no runtime)", s => R(s, "aws_lambda_function", "fn").Remove("runtime"));
        yield return new("FTF-LAM-006", "baseline", _ => { });
        yield return new("FTF-SQS-001", "baseline", _ => { });
        yield return new("FTF-SNS-001", "baseline", _ => { });
        yield return new("FTF-POL-001", "Deny with *", s => R(s, "aws_sqs_queue_policy", "queue-policy")["policy"] =
            Policy("""{"Effect":"Deny","Principal":"*","Action":"sqs:*","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"false"}}}"""));
        yield return new("FTF-LOG-001", "baseline", _ => { });
        yield return new("FTF-LOG-002", "retention 1 day", s =>
        {
            R(s, "aws_cloudwatch_log_group", "logs")["retention_in_days"] = 1;
            R(s, "aws_cloudwatch_log_group", "logs").Remove("tags");
        });
        yield return new("FTF-LOG-003", "short retention when not audit-relevant", s =>
        {
            R(s, "aws_cloudwatch_log_group", "logs")["retention_in_days"] = 30;
            R(s, "aws_cloudwatch_log_group", "logs")["tags"] = J("""{"audit-relevant":"false"}""");
        });
        yield return new("FTF-CW-002", "custom namespace without dimensions", s =>
        {
            R(s, "aws_cloudwatch_metric_alarm", "alarm")["namespace"] = "FraudDetection";
            R(s, "aws_cloudwatch_metric_alarm", "alarm").Remove("dimensions");
        });
        yield return new("FTF-CW-001", "actions_enabled unset", s => R(s, "aws_cloudwatch_metric_alarm", "alarm").Remove("actions_enabled"));
        yield return new("FTF-KMS-001", "baseline", _ => { });
        yield return new("FTF-KMS-002", "baseline", _ => { });
        yield return new("FTF-KMS-003", "service principal", s => R(s, "aws_kms_key", "key")["policy"] =
            Policy(Allow("\"kms:Decrypt\"", "\"*\"", """{"AWS":"arn:aws:iam::111111111111:root"}"""), Allow("[\"kms:Decrypt\",\"kms:GenerateDataKey*\"]", "\"*\"", """{"Service":"logs.us-east-1.amazonaws.com"}""")));
        yield return new("FTF-IAM-001", "wildcards only in resources and Deny", s => R(s, "aws_iam_role_policy", "role-policy")["policy"] =
            Policy(Allow("\"s3:GetObject\"", "\"${aws_s3_bucket.data.arn}/*\""), """{"Effect":"Deny","Action":"s3:*","Resource":"*"}"""));
        yield return new("FTF-IAM-002", "X-Ray and PutMetricData on *", s => R(s, "aws_iam_policy", "managed-policy")["policy"] =
            Policy(Allow("[\"xray:PutTraceSegments\",\"xray:PutTelemetryRecords\",\"xray:GetSamplingRules\",\"xray:GetSamplingTargets\",\"cloudwatch:PutMetricData\"]", "\"*\"")));
        yield return new("FTF-IAM-003", "iam:PassRole on one role", s => R(s, "aws_iam_role_policy", "role-policy")["policy"] =
            Policy(Allow("[\"iam:PassRole\",\"sts:AssumeRole\",\"lambda:UpdateFunctionCode\"]", "\"arn:aws:iam::111111111111:role/x\"")));
        yield return new("FTF-IAM-004", "account root principal", s => R(s, "aws_iam_role", "role")["assume_role_policy"] =
            Policy("""{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111111111111:root"},"Action":"sts:AssumeRole"}"""));
        yield return new("FTF-IAM-005", "interpolations inside the JSON", s => R(s, "aws_iam_role_policy", "role-policy")["policy"] =
            Policy(Allow("\"kms:Decrypt\"", $"\"{KeyArn}\"")));
        yield return new("FTF-BRK-001", "baseline", _ => { });
        yield return new("FTF-BRK-002", "guardrail as one block", s => R(s, "aws_bedrockagent_agent", "agent")["guardrail_configuration"] = J("""{"guardrail_identifier":"g","guardrail_version":"DRAFT"}"""));
        yield return new("FTF-BRK-003", "baseline: key and card numbers blocked", _ => { });
        yield return new("FTF-BRK-003", "card numbers anonymized", s => R(s, "aws_bedrock_guardrail", "guardrail")["sensitive_information_policy_config"] =
            J("""[{"pii_entities_config":[{"type":"CREDIT_DEBIT_CARD_NUMBER","action":"ANONYMIZE"}]}]"""));
        yield return new("FTF-BRK-004", "baseline", _ => { });
        yield return new("FTF-AOSS-001", "baseline", _ => { });
        yield return new("FTF-AOSS-001", "network policies are not encryption policies", s => SetAossPolicy(s, "aws_opensearchserverless_security_policy", "network",
            """[{"Rules":[{"ResourceType":"collection","Resource":["collection/c"]}],"AllowFromPublic":false,"SourceVPCEs":["vpce-1"]}]"""));
        yield return new("FTF-AOSS-002", "baseline: Bedrock only", _ => { });
        yield return new("FTF-AOSS-002", "public access with a written exception", s =>
        {
            SetAossPolicy(s, "aws_opensearchserverless_security_policy", "network", """[{"Rules":[{"ResourceType":"collection","Resource":["collection/c"]}],"AllowFromPublic":true}]""");
            PolicyException(s, "aws_opensearchserverless_security_policy", "network", "FTF-AOSS-002");
        });
        yield return new("FTF-AOSS-003", "baseline: one role, one permission", _ => { });
        yield return new("FTF-NET-001", "egress to a group and a prefix list", s => new StackBuilder(s)
            .Add("aws_vpc_security_group_egress_rule", "to-group", """{"security_group_id":"sg-1","ip_protocol":"tcp","from_port":443,"to_port":443,"referenced_security_group_id":"sg-2"}""")
            .Add("aws_vpc_security_group_egress_rule", "to-list", """{"security_group_id":"sg-1","ip_protocol":"tcp","from_port":443,"to_port":443,"prefix_list_id":"pl-1"}""")
            .Add("aws_security_group", "group", """{"name":"g","description":"d","vpc_id":"vpc-1"}"""));
        yield return new("FTF-NET-001", "egress to the internet with a written exception (NAT asked)", s =>
        {
            new StackBuilder(s).Add("aws_vpc_security_group_egress_rule", "out", """{"security_group_id":"sg-1","ip_protocol":"tcp","from_port":443,"to_port":443,"cidr_ipv4":"0.0.0.0/0"}""");
            PolicyException(s, "aws_vpc_security_group_egress_rule", "out", "FTF-NET-001");
        });
        yield return new("FTF-NET-002", "default group without rules", s => new StackBuilder(s).Add("aws_default_security_group", "default", """{"vpc_id":"vpc-1"}"""));
        yield return new("FTF-NET-003", "no public addresses", s => new StackBuilder(s).Add("aws_subnet", "subnet", """{"vpc_id":"vpc-1","cidr_block":"10.0.0.0/20","map_public_ip_on_launch":false}"""));
        yield return new("FTF-NET-004", "named role, its actions, its resources; X-Ray on *", s => new StackBuilder(s).Add("aws_vpc_endpoint", "endpoint",
            """{"vpc_id":"vpc-1","service_name":"com.amazonaws.us-east-1.sqs","policy":"{\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"${aws_iam_role.role.arn}\"},\"Action\":\"sqs:SendMessage\",\"Resource\":\"arn:aws:sqs:us-east-1:111111111111:q\"},{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"${aws_iam_role.role.arn}\"},\"Action\":[\"xray:PutTraceSegments\"],\"Resource\":\"*\"}]}"}"""));
        yield return new(SecurityPolicy.CoverageRuleId, "listed types and prefixes", s => new StackBuilder(s)
            .Add("aws_opensearchserverless_collection", "collection", """{"name":"c","type":"VECTORSEARCH"}""")
            .Add("aws_pipes_pipe", "pipe", """{"name":"p"}"""));
        yield return new(SecurityPolicy.ExceptionRuleId, "valid exception", s => PolicyException(s, "aws_kms_key", "key", "FTF-KMS-001"));
    }

    /// <summary>Adds resources to a stack in the shape of cdk.tf.json: resource.type.id, each with "//".metadata.path = test/id.</summary>
    private sealed class StackBuilder(JsonObject stack)
    {
        public StackBuilder Add(string type, string id, string attributes)
        {
            var body = JsonNode.Parse(attributes)!.AsObject();
            body["//"] = new JsonObject { ["metadata"] = new JsonObject { ["path"] = $"test/{id}" } };
            var resources = stack["resource"]!.AsObject();
            if (resources[type] is not JsonObject byId)
            {
                byId = new JsonObject();
                resources[type] = byId;
            }

            byId[id] = body;
            return this;
        }
    }

    private static void PolicyException(JsonObject stack, string type, string id, string ruleId, string reason = LongReason)
    {
        var comment = R(stack, type, id)["//"]!.AsObject();
        if (comment["policy_exceptions"] is not JsonObject exceptions)
        {
            exceptions = new JsonObject();
            comment["policy_exceptions"] = exceptions;
        }

        exceptions[ruleId] = reason;
    }

    // ------------------------------------------------------------------------------------------------------------
    // Tests

    [Test]
    public void Baseline_HasNoViolation()
    {
        var violations = SecurityPolicy.Check(Baseline());

        Assert.That(violations.Select(v => v.Message), Is.Empty);
    }

    [TestCaseSource(nameof(ViolatingCases))]
    public void ViolatingCase_BreaksOnlyItsRule_TheMessageNamesAddressScannerIdsAndFix(Case c)
    {
        var stack = Baseline();
        c.Mutate(stack);

        var violations = SecurityPolicy.Check(stack);

        Assert.That(violations.Select(v => (v.RuleId, v.Address)).Distinct(), Is.EqualTo(new[] { (c.RuleId, c.Address!) }),
            string.Join("\n", violations.Select(v => v.Message)));
        Assert.That(violations[0].Message, Does.StartWith($"[{c.Address} at test/{c.Address!.Split('.')[1]}] {c.RuleId} ({SecurityPolicy.Rule(c.RuleId)!.ScannerIds}): "));
        Assert.That(violations[0].Message, Does.EndWith($". Fix: {SecurityPolicy.Rule(c.RuleId)!.Fix}"));
    }

    [TestCaseSource(nameof(CompliantCases))]
    public void CompliantCase_DoesNotBreakItsRule(Case c)
    {
        var stack = Baseline();
        c.Mutate(stack);

        var violations = SecurityPolicy.Check(stack);

        Assert.That(violations.Where(v => v.RuleId == c.RuleId).Select(v => v.Message), Is.Empty);
    }

    [Test]
    public void EveryRule_HasAViolatingAndACompliantCase()
    {
        var ids = SecurityPolicy.Rules.Select(r => r.Id).ToList();

        Assert.That(ids, Is.Unique);
        Assert.That(ids.Except(ViolatingCases().Select(c => c.RuleId)), Is.Empty, "rules without a violating case");
        Assert.That(ids.Except(CompliantCases().Select(c => c.RuleId)), Is.Empty, "rules without a compliant case");
    }

    [Test]
    public void EveryRule_HasAStableIdScannerIdsTitleAndFix()
    {
        foreach (var rule in SecurityPolicy.Rules)
        {
            Assert.That(rule.Id, Does.Match(@"^FTF-[A-Z0-9]+-\d{3}$"));
            Assert.That(rule.ScannerIds, Is.Not.Empty, rule.Id);
            Assert.That(rule.Title, Is.Not.Empty, rule.Id);
            Assert.That(rule.Fix, Is.Not.Empty, rule.Id);
        }
    }

    [Test]
    public void Message_HasTheDocumentedFormat()
    {
        var stack = Baseline();
        R(stack, "aws_kms_key", "key")["enable_key_rotation"] = false;

        var violation = SecurityPolicy.Check(stack).Single();

        Assert.That(violation.RuleId, Is.EqualTo("FTF-KMS-001"));
        Assert.That(violation.Address, Is.EqualTo("aws_kms_key.key"));
        Assert.That(violation.ConstructPath, Is.EqualTo("test/key"));
        Assert.That(violation.Message, Is.EqualTo(
            "[aws_kms_key.key at test/key] FTF-KMS-001 (CKV_AWS_7; Trivy AVD-AWS-0065): enable_key_rotation is not true. " +
            "Fix: set enable_key_rotation = true (EncryptionKey does)"));
    }

    [Test]
    public void ValidException_SuppressesOnlyItsRuleOnItsResource()
    {
        var stack = Baseline();
        R(stack, "aws_kms_key", "key")["enable_key_rotation"] = false;
        R(stack, "aws_kms_key", "key").Remove("policy");
        PolicyException(stack, "aws_kms_key", "key", "FTF-KMS-001");

        var violations = SecurityPolicy.Check(stack);

        Assert.That(violations.Select(v => (v.RuleId, v.Address)), Is.EqualTo(new[] { ("FTF-KMS-002", "aws_kms_key.key") }));
    }

    [Test]
    public void ShortReason_DoesNotSuppress_AndIsAViolationItself()
    {
        var stack = Baseline();
        R(stack, "aws_kms_key", "key")["enable_key_rotation"] = false;
        PolicyException(stack, "aws_kms_key", "key", "FTF-KMS-001", "rotation is off");

        var violations = SecurityPolicy.Check(stack);

        Assert.That(violations.Select(v => v.RuleId), Is.EquivalentTo(new[] { "FTF-GEN-002", "FTF-KMS-001" }));
        Assert.That(violations.Single(v => v.RuleId == "FTF-GEN-002").Message, Does.Contain("reason of 15 characters; at least 20 are required"));
    }

    [Test]
    public void UnknownRuleException_IsAViolation_NamingTheId()
    {
        var stack = Baseline();
        PolicyException(stack, "aws_s3_bucket", "data", "FTF-S3-042");

        var violation = SecurityPolicy.Check(stack).Single();

        Assert.That(violation.RuleId, Is.EqualTo("FTF-GEN-002"));
        Assert.That(violation.Address, Is.EqualTo("aws_s3_bucket.data"));
        Assert.That(violation.Message, Does.Contain("unknown rule id 'FTF-S3-042'"));
    }

    [Test]
    public void S3Exception_OnTheBucket_SkipsTheRuleForThatBucketOnly()
    {
        var stack = Baseline();
        Remove(stack, "aws_s3_bucket_logging", "data-logging");
        Remove(stack, "aws_s3_bucket_logging", "audit-logging");
        PolicyException(stack, "aws_s3_bucket", "data", "FTF-S3-004", "This is the access-log target itself; logging it into itself would loop.");

        var violations = SecurityPolicy.Check(stack);

        Assert.That(violations.Select(v => (v.RuleId, v.Address)), Is.EqualTo(new[] { ("FTF-S3-004", "aws_s3_bucket.audit") }));
    }

    [Test]
    public void Coverage_UnknownType_SaysWhatToDo()
    {
        var stack = Baseline();
        new StackBuilder(stack).Add("aws_s3_bucket_acl", "acl", """{"bucket":"${aws_s3_bucket.data.id}","acl":"public-read"}""");

        var violation = SecurityPolicy.Check(stack).Single();

        Assert.That(violation.Message, Is.EqualTo(
            "[aws_s3_bucket_acl.acl at test/acl] FTF-GEN-001 (FraudTf): resource type aws_s3_bucket_acl is not covered by the security policy. " +
            "Fix: add its rules to a file of modules/Security/Policy/Rules/ and register them in SecurityPolicy.cs, or list it as having no controls"));
    }

    [Test]
    public void Coverage_CanBeExceptedWithAReason()
    {
        var stack = Baseline();
        new StackBuilder(stack).Add("aws_iam_role_policy_attachment", "attach", """{"role":"r","policy_arn":"arn:aws:iam::aws:policy/AWSXRayDaemonWriteAccess"}""");
        PolicyException(stack, "aws_iam_role_policy_attachment", "attach", SecurityPolicy.CoverageRuleId);

        Assert.That(SecurityPolicy.Check(stack), Is.Empty);
    }

    [Test]
    public void Coverage_EveryTypeOfTheBindingsIsCovered()
    {
        var types = File.ReadAllLines(Path.Combine(Support.Repo.Root, "bindings", "aws-provider.txt"))
            .Select(l => l.Trim())
            .Where(l => l.StartsWith("aws_", StringComparison.Ordinal))
            .ToList();

        Assert.That(types, Is.Not.Empty);
        Assert.That(types.Where(t => !SecurityPolicy.IsCovered(t)), Is.Empty);
    }

    [Test]
    public void DataSources_AreNotChecked()
    {
        var stack = Baseline();

        Assert.That(stack["data"]!["aws_iam_policy_document"], Is.Not.Null);
        Assert.That(SecurityPolicy.Check(stack), Is.Empty);
    }

    [Test]
    public void LambdaSecrets_NameTheVariableButNeverItsValue()
    {
        var stack = Baseline();
        R(stack, "aws_lambda_function", "fn")["environment"]!["variables"]!["SERVICE_PASSWORD"] = "s3cr3t-value-123";

        var violation = SecurityPolicy.Check(stack).Single();

        Assert.That(violation.Message, Does.Contain("SERVICE_PASSWORD").And.Not.Contain("s3cr3t-value-123"));
    }

    [Test]
    public void UncheckablePolicy_SaysItMustBeLiteralJson()
    {
        var stack = Baseline();
        R(stack, "aws_iam_policy", "managed-policy")["policy"] = "${data.aws_iam_policy_document.doc.json}";

        var violation = SecurityPolicy.Check(stack).Single();

        Assert.That(violation.RuleId, Is.EqualTo("FTF-IAM-005"));
        Assert.That(violation.Message, Does.Contain("policy must be a literal JSON document so it can be checked at synth"));
    }

    [Test]
    public void BlocksAsListsOrObjects_AreBothRead()
    {
        var stack = Baseline();
        R(stack, "aws_dynamodb_table", "table")["point_in_time_recovery"] = J("""[{"enabled":true}]""");
        R(stack, "aws_dynamodb_table", "table")["server_side_encryption"] = J($$"""[{"enabled":true,"kms_key_arn":"{{KeyArn}}"}]""");
        R(stack, "aws_lambda_function", "fn")["environment"] = J("""[{"variables":{"A":"b"}}]""");

        Assert.That(SecurityPolicy.Check(stack), Is.Empty);
    }

    [Test]
    public void Check_IsOrderedByTypeThenIdThenRule()
    {
        var stack = Baseline();
        R(stack, "aws_kms_key", "key")["enable_key_rotation"] = false;
        R(stack, "aws_kms_key", "key").Remove("policy");
        R(stack, "aws_dynamodb_table", "table").Remove("point_in_time_recovery");

        var violations = SecurityPolicy.Check(stack);

        Assert.That(violations.Select(v => v.RuleId), Is.EqualTo(new[] { "FTF-DDB-001", "FTF-KMS-001", "FTF-KMS-002" }));
    }
}
