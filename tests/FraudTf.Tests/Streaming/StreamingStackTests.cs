using FraudTf.Functions.Shared.Scoring;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using FraudTf.Functions.Shared.Events;
using FraudTf.Tests.Support;

namespace FraudTf.Tests.Streaming;

/// <summary>Streams, functions, the event source mapping, bus, pipes, rules, topic and queue as synthesized.</summary>
[TestFixture]
public class StreamingStackTests
{
    private static readonly string[] Functions = ["stream-processor", "alert-handler"];

    private static JsonObject Stack(string env) => Synth.Shared.Stack($"fraud-detection-{env}");

    private static string Ref(JsonObject stack, string type, string path, string attribute) => $"${{{stack.Address(type, path)}.{attribute}}}";

    private static JsonNode Policy(JsonObject resource, string attribute = "policy") => JsonNode.Parse(resource[attribute]!.GetValue<string>())!;

    private static IEnumerable<JsonNode> Statements(JsonNode policy) => policy["Statement"]!.AsArray()!.Select(s => s!);

    private static IEnumerable<string> Values(JsonNode? node) => node switch
    {
        null => [],
        JsonArray a => a.Select(v => v!.GetValue<string>()),
        _ => [node.GetValue<string>()],
    };

    [TestCaseSource(typeof(TestEnvironments), nameof(TestEnvironments.All))]
    public void KinesisStreams_OnDemandKmsEncryptedWithSeedRetention(string env)
    {
        var stack = Stack(env);
        foreach (var (path, name, hours) in new[] { ("/transactions-stream/this", "transactions", 48), ("/events-stream/this", "events", 24) })
        {
            var s = stack.Resource("aws_kinesis_stream", path);
            Assert.Multiple(() =>
            {
                Assert.That(s["name"]!.GetValue<string>(), Is.EqualTo($"fraud-detection-{name}-{env}"));
                Assert.That(s["stream_mode_details"]!["stream_mode"]!.GetValue<string>(), Is.EqualTo("ON_DEMAND"));
                Assert.That(s["shard_count"], Is.Null, "on-demand streams have no shard count");
                Assert.That(s["retention_period"]!.GetValue<int>(), Is.EqualTo(hours));
                Assert.That(s["encryption_type"]!.GetValue<string>(), Is.EqualTo("KMS"));
                Assert.That(s["kms_key_id"]!.GetValue<string>(), Is.EqualTo(Ref(stack, "aws_kms_key", "/keys/data/this", "arn")));
            });
        }
    }

    [TestCaseSource(typeof(TestEnvironments), nameof(TestEnvironments.All))]
    public void DeadLetterQueue_FourteenDaysKmsTlsOnlyAndOpenOnlyToTheRules(string env)
    {
        var stack = Stack(env);
        var q = stack.Resource("aws_sqs_queue", "/dlq/this");
        var policy = Policy(stack.Resource("aws_sqs_queue_policy", "/dlq/policy"));
        var allow = Statements(policy).Single(s => s["Sid"]!.GetValue<string>() == "AllowRuleTargetDeadLetters");

        Assert.Multiple(() =>
        {
            Assert.That(q["name"]!.GetValue<string>(), Is.EqualTo($"fraud-detection-dlq-{env}"));
            Assert.That(q["message_retention_seconds"]!.GetValue<int>(), Is.EqualTo(14 * 86400));
            Assert.That(q["kms_master_key_id"]!.GetValue<string>(), Is.EqualTo(Ref(stack, "aws_kms_key", "/keys/messaging/this", "arn")));
            Assert.That(Statements(policy).Single(s => s["Sid"]!.GetValue<string>() == "DenyInsecureTransport")["Effect"]!.GetValue<string>(), Is.EqualTo("Deny"));
            Assert.That(allow["Principal"]!["Service"]!.GetValue<string>(), Is.EqualTo("events.amazonaws.com"));
            Assert.That(Values(allow["Condition"]!["ArnEquals"]!["aws:SourceArn"]), Is.EquivalentTo(new[]
            {
                Ref(stack, "aws_cloudwatch_event_rule", "/events/transaction-received-rule", "arn"),
                Ref(stack, "aws_cloudwatch_event_rule", "/events/fraud-detected-rule", "arn"),
            }));
        });
    }

    [TestCaseSource(typeof(TestEnvironments), nameof(TestEnvironments.All))]
    public void AlertsTopic_KmsEncryptedAndPublishableOnlyByTheFraudDetectedRule(string env)
    {
        var stack = Stack(env);
        var topic = stack.Resource("aws_sns_topic", "/alerts-topic/this");
        var policy = Policy(stack.Resource("aws_sns_topic_policy", "/alerts-topic/policy"));
        var allow = Statements(policy).Single(s => s["Sid"]!.GetValue<string>() == "AllowFraudDetectedRule");

        Assert.That(topic["name"]!.GetValue<string>(), Is.EqualTo($"fraud-detection-alerts-{env}"));
        Assert.That(topic["kms_master_key_id"]!.GetValue<string>(), Is.EqualTo(Ref(stack, "aws_kms_key", "/keys/messaging/this", "arn")));
        Assert.That(Values(allow["Condition"]!["ArnEquals"]!["aws:SourceArn"]).Single(), Is.EqualTo(Ref(stack, "aws_cloudwatch_event_rule", "/events/fraud-detected-rule", "arn")));
    }

    [TestCaseSource(typeof(TestEnvironments), nameof(TestEnvironments.All))]
    public void Functions_Dotnet10TracedWithEncryptedEnvironmentAndConfiguredSize_DlqOnlyWhenInvokedAsynchronously(string env)
    {
        var stack = Stack(env);
        var config = FraudTf.Config.EnvironmentConfigLoader.LoadAll(Repo.EnvironmentsDir).Single(c => c.Environment == env);
        foreach (var (name, settings, assembly) in new[]
                 {
                     ("stream-processor", config.Functions.For("StreamProcessor"), "FraudTf.Functions.StreamProcessor"),
                     ("alert-handler", config.Functions.For("AlertHandler"), "FraudTf.Functions.AlertHandler"),
                 })
        {
            var f = stack.Resource("aws_lambda_function", $"/{name}/this");
            Assert.Multiple(() =>
            {
                Assert.That(f["function_name"]!.GetValue<string>(), Is.EqualTo($"fraud-detection-{name}-{env}"));
                Assert.That(f["runtime"]!.GetValue<string>(), Is.EqualTo("dotnet10"));
                Assert.That(f["handler"]!.GetValue<string>(), Is.EqualTo($"{assembly}::{assembly}.Function::Handler"));
                Assert.That(f["memory_size"]!.GetValue<int>(), Is.EqualTo(settings.MemoryMb));
                Assert.That(f["timeout"]!.GetValue<int>(), Is.EqualTo(settings.TimeoutSeconds));
                Assert.That(f["reserved_concurrent_executions"]!.GetValue<int>(), Is.EqualTo(settings.ReservedConcurrency));
                Assert.That(f["tracing_config"]!["mode"]!.GetValue<string>(), Is.EqualTo("Active"));
                if (name == "alert-handler")
                {
                    // The EventBridge rule invokes it asynchronously: failed events go to the dead-letter queue.
                    Assert.That(f["dead_letter_config"]!["target_arn"]!.GetValue<string>(), Is.EqualTo(Ref(stack, "aws_sqs_queue", "/dlq/this", "arn")));
                }
                else
                {
                    // Its Kinesis event source mapping invokes it synchronously; failed records go to the mapping's on-failure destination.
                    Assert.That(f["dead_letter_config"], Is.Null);
                    Assert.That(f["//"]!["policy_exceptions"]!["FTF-LAM-002"]!.GetValue<string>(), Does.Contain("Kinesis event source mapping").And.Contain("on-failure destination"));
                }

                Assert.That(f["kms_key_arn"]!.GetValue<string>(), Is.EqualTo(Ref(stack, "aws_kms_key", "/keys/data/this", "arn")));
                Assert.That(f["role"]!.GetValue<string>(), Is.EqualTo(Ref(stack, "aws_iam_role", $"/{name}/role/this", "arn")));
                Assert.That(f["environment"]!["variables"]!["ENVIRONMENT"]!.GetValue<string>(), Is.EqualTo(env));
                Assert.That(f["logging_config"]!["log_group"]!.GetValue<string>(), Is.EqualTo(Ref(stack, "aws_cloudwatch_log_group", $"/{name}/logs", "name")));
            });
        }
    }

    [Test]
    public void FunctionSizes_DifferByEnvironmentFromConfig()
    {
        Assert.That(Stack("dev").Resource("aws_lambda_function", "/stream-processor/this")["reserved_concurrent_executions"]!.GetValue<int>(), Is.EqualTo(10));
        Assert.That(Stack("prod").Resource("aws_lambda_function", "/stream-processor/this")["reserved_concurrent_executions"]!.GetValue<int>(), Is.EqualTo(100));
        Assert.That(Stack("prod").Resource("aws_lambda_function", "/stream-processor/this")["memory_size"]!.GetValue<int>(), Is.EqualTo(1024));
    }

    [TestCaseSource(typeof(TestEnvironments), nameof(TestEnvironments.All))]
    public void FunctionCode_IsAZipUnderCdktfOutWhoseHashMatchesSourceCodeHash(string env)
    {
        foreach (var name in Functions)
        {
            var f = Stack(env).Resource("aws_lambda_function", $"/{name}/this");
            var filename = f["filename"]!.GetValue<string>();
            var stackDir = Path.Combine(Synth.Shared.OutDir, "stacks", $"fraud-detection-{env}");
            var zip = Path.GetFullPath(Path.Combine(stackDir, filename));

            Assert.That(filename, Does.StartWith("assets/").And.EndWith(".zip"), "a path relative to the stack folder, no absolute path");
            Assert.That(File.Exists(zip), Is.True, zip);
            Assert.That(f["source_code_hash"]!.GetValue<string>(), Is.EqualTo(Convert.ToBase64String(SHA256.HashData(File.ReadAllBytes(zip)))));
        }
    }

    [Test]
    public void FunctionCode_IsTheSameArtifactInEveryEnvironment()
    {
        foreach (var name in Functions)
        {
            var hashes = TestEnvironments.All.Select(e => Stack(e).Resource("aws_lambda_function", $"/{name}/this")["source_code_hash"]!.GetValue<string>()).Distinct();
            Assert.That(hashes.Count(), Is.EqualTo(1), $"{name}: promotion ships the same zip to every environment");
        }
    }

    [TestCaseSource(typeof(TestEnvironments), nameof(TestEnvironments.All))]
    public void LogGroups_KmsEncryptedWithRetentionFromConfig(string env)
    {
        var stack = Stack(env);
        var days = env == "prod" ? 365 : 30;
        foreach (var name in Functions)
        {
            var g = stack.Resource("aws_cloudwatch_log_group", $"/{name}/logs");
            Assert.That(g["name"]!.GetValue<string>(), Is.EqualTo($"/aws/lambda/fraud-detection-{name}-{env}"));
            Assert.That(g["retention_in_days"]!.GetValue<int>(), Is.EqualTo(days));
            Assert.That(g["kms_key_id"]!.GetValue<string>(), Is.EqualTo(Ref(stack, "aws_kms_key", "/keys/logs/this", "arn")));
        }
    }

    [TestCaseSource(typeof(TestEnvironments), nameof(TestEnvironments.All))]
    public void EveryRole_HasExplicitActionsAndScopedResources(string env)
    {
        var stack = Stack(env);
        foreach (var (id, rolePolicy) in stack.Resources("aws_iam_role_policy"))
        {
            foreach (var s in Statements(Policy(rolePolicy)))
            {
                var actions = Values(s["Action"]).ToList();
                var resources = Values(s["Resource"]).ToList();
                Assert.That(actions, Has.None.Contains("*"), $"{id} {s["Sid"]}");
                if (resources.Contains("*"))
                {
                    Assert.That(actions.All(a => a.StartsWith("xray:", StringComparison.Ordinal)), Is.True, $"{id} {s["Sid"]}: only X-Ray may use Resource *");
                }
            }
        }

        Assert.That(stack.Resources("aws_iam_role_policy"), Has.Count.EqualTo(10),
            "five functions (stream processor, alert handler, agent tools, index setup, knowledge-base sync), the agent, the knowledge base, two pipes, the events-to-Kinesis role");
    }

    [TestCaseSource(typeof(TestEnvironments), nameof(TestEnvironments.All))]
    public void FunctionRoles_TrustOnlyLambdaOfThisAccount(string env)
    {
        var stack = Stack(env);
        foreach (var name in Functions)
        {
            var trust = Statements(Policy(stack.Resource("aws_iam_role", $"/{name}/role/this"), "assume_role_policy")).Single();
            Assert.That(trust["Principal"]!["Service"]!.GetValue<string>(), Is.EqualTo("lambda.amazonaws.com"));
            Assert.That(trust["Action"]!.GetValue<string>(), Is.EqualTo("sts:AssumeRole"));
            Assert.That(trust["Condition"]!["StringEquals"]!["aws:SourceAccount"]!.GetValue<string>(), Is.Not.Empty);
            Assert.That(trust["Resource"], Is.Null, "a trust policy has no Resource element");
            Assert.That(trust["Condition"]!["ArnEquals"], Is.Null, "lambda roles keep the account condition only");
        }
    }

    [TestCaseSource(typeof(TestEnvironments), nameof(TestEnvironments.All))]
    public void PipeRoles_TrustPipesOnlyOnBehalfOfTheirOwnPipe(string env)
    {
        var stack = Stack(env);
        var config = FraudTf.Config.EnvironmentConfigLoader.LoadAll(Repo.EnvironmentsDir).Single(c => c.Environment == env);
        foreach (var id in new[] { "decisions-pipe", "transactions-pipe" })
        {
            var pipeName = stack.Resource("aws_pipes_pipe", $"/events/{id}")["name"]!.GetValue<string>();
            var trust = Statements(Policy(stack.Resource("aws_iam_role", $"/events/{id}-role/this"), "assume_role_policy")).Single();

            Assert.That(trust["Principal"]!["Service"]!.GetValue<string>(), Is.EqualTo("pipes.amazonaws.com"));
            Assert.That(trust["Condition"]!["StringEquals"]!["aws:SourceAccount"]!.GetValue<string>(), Is.EqualTo(config.AccountId));
            Assert.That(Values(trust["Condition"]!["ArnEquals"]!["aws:SourceArn"]), Is.EqualTo(new[] { $"arn:aws:pipes:{config.Region}:{config.AccountId}:pipe/{pipeName}" }),
                "the ARN of this role's pipe, built from its name (the pipe references the role)");
        }
    }

    [TestCaseSource(typeof(TestEnvironments), nameof(TestEnvironments.All))]
    public void EventsToKinesisRole_TrustsEventBridgeOnlyOnBehalfOfTheTwoRules(string env)
    {
        var stack = Stack(env);
        var config = FraudTf.Config.EnvironmentConfigLoader.LoadAll(Repo.EnvironmentsDir).Single(c => c.Environment == env);
        var bus = stack.Resource("aws_cloudwatch_event_bus", "/events/bus")["name"]!.GetValue<string>();
        var rules = new[] { "/events/transaction-received-rule", "/events/fraud-detected-rule" }
            .Select(p => $"arn:aws:events:{config.Region}:{config.AccountId}:rule/{bus}/{stack.Resource("aws_cloudwatch_event_rule", p)["name"]!.GetValue<string>()}");
        var trust = Statements(Policy(stack.Resource("aws_iam_role", "/events/events-role/this"), "assume_role_policy")).Single();

        Assert.That(trust["Principal"]!["Service"]!.GetValue<string>(), Is.EqualTo("events.amazonaws.com"));
        Assert.That(trust["Condition"]!["StringEquals"]!["aws:SourceAccount"]!.GetValue<string>(), Is.EqualTo(config.AccountId));
        Assert.That(Values(trust["Condition"]!["ArnEquals"]!["aws:SourceArn"]), Is.EquivalentTo(rules), "rule ARNs on a custom bus: rule/<bus>/<name>");
    }

    [Test]
    public void StreamProcessorRole_ReadsTheTransactionsStreamWritesTablesAndSendsToTheDlq()
    {
        var stack = Stack("dev");
        var statements = Statements(Policy(stack.Resource("aws_iam_role_policy", "/stream-processor/role/policy"))).ToDictionary(s => s["Sid"]!.GetValue<string>());
        var streamArn = Ref(stack, "aws_kinesis_stream", "/transactions-stream/this", "arn");

        Assert.Multiple(() =>
        {
            Assert.That(Values(statements["TransactionsStreamStreamRead"]["Action"]), Does.Contain("kinesis:GetRecords"));
            Assert.That(Values(statements["TransactionsStreamStreamRead"]["Resource"]), Does.Contain(streamArn));
            Assert.That(Values(statements["TransactionsTableWrite"]["Action"]), Does.Contain("dynamodb:PutItem"));
            Assert.That(Values(statements["PatternsTableRead"]["Action"]), Does.Not.Contain("dynamodb:PutItem"));
            Assert.That(statements.ContainsKey("PatternsTableWrite"), Is.False, "the scorer only reads patterns");
            Assert.That(Values(statements["DlqQueueSendMessage"]["Resource"]).Single(), Is.EqualTo(Ref(stack, "aws_sqs_queue", "/dlq/this", "arn")));
            Assert.That(Values(statements["DlqQueueSendMessage"]["Action"]), Is.EqualTo(new[] { "sqs:SendMessage" }));
            // Lambda decrypts environment variables with the encryption context aws:lambda:FunctionArn = the unqualified ARN.
            Assert.That(statements["DecryptOwnEnvironment"]["Condition"]!["StringEquals"]!["kms:EncryptionContext:aws:lambda:FunctionArn"]!.GetValue<string>(),
                Is.EqualTo("arn:aws:lambda:us-east-1:111111111111:function:fraud-detection-stream-processor-dev"));
            Assert.That(statements["DecryptOwnEnvironment"]["Condition"]!["StringEquals"]!.AsObject().Select(p => p.Key), Is.EqualTo(new[] { "kms:EncryptionContext:aws:lambda:FunctionArn" }));
            Assert.That(Values(statements["WriteOwnLogs"]["Resource"]).Single(),
                Is.EqualTo("arn:aws:logs:us-east-1:111111111111:log-group:/aws/lambda/fraud-detection-stream-processor-dev:*"));
        });
    }

    [Test]
    public void AlertHandlerRole_PutsObjectsUnderItsPrefixesOnly()
    {
        var stack = Stack("dev");
        var statements = Statements(Policy(stack.Resource("aws_iam_role_policy", "/alert-handler/role/policy"))).ToDictionary(s => s["Sid"]!.GetValue<string>());

        Assert.That(Values(statements["DecisionTrailsBucketBucketPut"]["Resource"]).Single(),
            Is.EqualTo(Ref(stack, "aws_s3_bucket", "/storage/decision-trails-bucket/this", "arn") + "/trails/*"));
        Assert.That(Values(statements["AuditLogsBucketBucketPut"]["Resource"]).Single(),
            Is.EqualTo(Ref(stack, "aws_s3_bucket", "/storage/audit-logs-bucket/this", "arn") + "/audit/*"));
        Assert.That(statements.Values.SelectMany(s => Values(s["Action"])), Has.None.EqualTo("s3:DeleteObject"));
    }

    [TestCaseSource(typeof(TestEnvironments), nameof(TestEnvironments.All))]
    public void EventSourceMapping_ReadsTheTransactionsStreamWithBoundedRetriesAndPartialFailures(string env)
    {
        var stack = Stack(env);
        var m = stack.Resource("aws_lambda_event_source_mapping", "/transactions-to-stream-processor/this");
        var parallel = env == "prod" ? 4 : 2;

        Assert.Multiple(() =>
        {
            Assert.That(m["event_source_arn"]!.GetValue<string>(), Is.EqualTo(Ref(stack, "aws_kinesis_stream", "/transactions-stream/this", "arn")));
            Assert.That(m["function_name"]!.GetValue<string>(), Is.EqualTo(Ref(stack, "aws_lambda_function", "/stream-processor/this", "arn")));
            Assert.That(m["starting_position"]!.GetValue<string>(), Is.EqualTo("TRIM_HORIZON"));
            Assert.That(m["batch_size"]!.GetValue<int>(), Is.EqualTo(100));
            Assert.That(m["maximum_batching_window_in_seconds"]!.GetValue<int>(), Is.EqualTo(1));
            Assert.That(m["parallelization_factor"]!.GetValue<int>(), Is.EqualTo(parallel));
            Assert.That(m["bisect_batch_on_function_error"]!.GetValue<bool>(), Is.True);
            // Retry until the record age (only transient errors are thrown), which ends an hour before the stream's retention.
            Assert.That(m["maximum_retry_attempts"]!.GetValue<int>(), Is.EqualTo(-1));
            var retention = stack.Resource("aws_kinesis_stream", "/transactions-stream/this")["retention_period"]!.GetValue<int>();
            Assert.That(m["maximum_record_age_in_seconds"]!.GetValue<int>(), Is.EqualTo((retention - 1) * 3600));
            Assert.That(m["function_response_types"]!.AsArray().Select(v => v!.GetValue<string>()), Is.EqualTo(new[] { "ReportBatchItemFailures" }));
            Assert.That(m["destination_config"]!["on_failure"]!["destination_arn"]!.GetValue<string>(), Is.EqualTo(Ref(stack, "aws_s3_bucket", "/storage/failed-batches-bucket/this", "arn")),
                "an S3 destination receives the whole invocation record, with the batch's data");
        });
    }

    [Test]
    public void EventSourceMapping_SettingsComeFromConfig()
    {
        var config = ConfigFixture.Load("staging", j => j["streaming"] = new JsonObject { ["batchSize"] = 250, ["parallelizationFactor"] = 7 });

        var m = Synth.Run([config]).Stack("fraud-detection-staging").Resource("aws_lambda_event_source_mapping", "/transactions-to-stream-processor/this");

        Assert.That(m["batch_size"]!.GetValue<int>(), Is.EqualTo(250));
        Assert.That(m["parallelization_factor"]!.GetValue<int>(), Is.EqualTo(7));
    }

    [TestCaseSource(typeof(TestEnvironments), nameof(TestEnvironments.All))]
    public void Rules_MatchTheirSourceAndDetailTypeOnTheCustomBus(string env)
    {
        var stack = Stack(env);
        var bus = Ref(stack, "aws_cloudwatch_event_bus", "/events/bus", "name");
        foreach (var (path, source, detailType) in new[]
                 {
                     ("/events/transaction-received-rule", "fraud-detection.transactions", "TransactionReceived"),
                     ("/events/fraud-detected-rule", "fraud-detection.decisions", "FraudDetected"),
                 })
        {
            var rule = stack.Resource("aws_cloudwatch_event_rule", path);
            var pattern = JsonNode.Parse(rule["event_pattern"]!.GetValue<string>())!;
            Assert.That(rule["event_bus_name"]!.GetValue<string>(), Is.EqualTo(bus));
            Assert.That(Values(pattern["source"]), Is.EqualTo(new[] { source }));
            Assert.That(Values(pattern["detail-type"]), Is.EqualTo(new[] { detailType }));
            Assert.That(Values(pattern["account"]), Is.EqualTo(new[] { ConfigFixture.Real(env)["accountId"]!.GetValue<string>() }), "only events put in the stack's own account");
            Assert.That(pattern.AsObject().Select(p => p.Key), Is.EquivalentTo(new[] { "source", "detail-type", "account" }));
        }

        Assert.That(stack.Resource("aws_cloudwatch_event_bus", "/events/bus")["name"]!.GetValue<string>(), Is.EqualTo($"fraud-detection-bus-{env}"));
    }

    [TestCaseSource(typeof(TestEnvironments), nameof(TestEnvironments.All))]
    public void Bus_DeniesPutEventsToEveryPrincipalButThePipesRoles(string env)
    {
        var stack = Stack(env);
        var policies = stack.Resources("aws_cloudwatch_event_bus_policy").Values.ToList();
        Assert.That(policies, Has.Count.EqualTo(1), "one resource policy, on the platform's bus");
        var busPolicy = policies[0];
        var statements = Statements(Policy(busPolicy)).ToList();
        var pipeRoles = stack.Resources("aws_pipes_pipe").Values.Select(p => p["role_arn"]!.GetValue<string>()).ToList();

        Assert.Multiple(() =>
        {
            Assert.That(busPolicy["event_bus_name"]!.GetValue<string>(), Is.EqualTo(Ref(stack, "aws_cloudwatch_event_bus", "/events/bus", "name")));
            Assert.That(statements, Has.Count.EqualTo(1), "a Deny only: same-account principals still need an IAM Allow, and only the pipes' roles have one");
            var deny = statements[0];
            Assert.That(deny["Effect"]!.GetValue<string>(), Is.EqualTo("Deny"));
            Assert.That(deny["Principal"]!.GetValue<string>(), Is.EqualTo("*"));
            Assert.That(Values(deny["Action"]), Is.EqualTo(new[] { "events:PutEvents" }));
            Assert.That(Values(deny["Resource"]), Is.EqualTo(new[] { Ref(stack, "aws_cloudwatch_event_bus", "/events/bus", "arn") }));
            Assert.That(deny["Condition"]!.AsObject().Select(c => c.Key), Is.EqualTo(new[] { "ArnNotEquals" }), "no other condition narrows the Deny");
            Assert.That(deny["Condition"]!["ArnNotEquals"]!.AsObject().Select(c => c.Key), Is.EqualTo(new[] { "aws:PrincipalArn" }));
            Assert.That(Values(deny["Condition"]!["ArnNotEquals"]!["aws:PrincipalArn"]), Is.EquivalentTo(pipeRoles), "exactly the two pipes' roles");
            Assert.That(pipeRoles, Has.Count.EqualTo(2));
        });

        // Every role the stack allows events:PutEvents on the bus is a pipe's role: the policy's exceptions are no wider.
        var bus = Ref(stack, "aws_cloudwatch_event_bus", "/events/bus", "arn");
        var putters = stack.Resources("aws_iam_role_policy").Values
            .Where(p => Statements(Policy(p)).Any(st => st["Effect"]!.GetValue<string>() == "Allow"
                && Values(st["Action"]).Contains("events:PutEvents") && Values(st["Resource"]).Contains(bus)))
            .Select(p => p["role"]!.GetValue<string>().Replace(".id}", ".arn}", StringComparison.Ordinal))
            .ToList();
        Assert.That(putters, Is.EquivalentTo(pipeRoles));
    }

    [TestCaseSource(typeof(TestEnvironments), nameof(TestEnvironments.All))]
    public void Targets_RouteFraudDetectedToHandlerTopicAndStream_AllWithRetriesAndDlq(string env)
    {
        var stack = Stack(env);
        var dlq = Ref(stack, "aws_sqs_queue", "/dlq/this", "arn");
        var fraudRule = Ref(stack, "aws_cloudwatch_event_rule", "/events/fraud-detected-rule", "name");
        var targets = stack.Resources("aws_cloudwatch_event_target").Values.ToList();

        Assert.That(targets.Where(t => t["rule"]!.GetValue<string>() == fraudRule).Select(t => t["arn"]!.GetValue<string>()), Is.EquivalentTo(new[]
        {
            Ref(stack, "aws_lambda_function", "/alert-handler/this", "arn"),
            Ref(stack, "aws_sns_topic", "/alerts-topic/this", "arn"),
            Ref(stack, "aws_kinesis_stream", "/events-stream/this", "arn"),
        }));
        Assert.That(targets, Has.Count.EqualTo(4));
        foreach (var t in targets)
        {
            Assert.That(t["dead_letter_config"]!["arn"]!.GetValue<string>(), Is.EqualTo(dlq));
            Assert.That(t["retry_policy"]!["maximum_retry_attempts"]!.GetValue<int>(), Is.EqualTo(8));
            Assert.That(t["retry_policy"]!["maximum_event_age_in_seconds"]!.GetValue<int>(), Is.EqualTo(3600));
        }
    }

    [TestCaseSource(typeof(TestEnvironments), nameof(TestEnvironments.All))]
    public void AlertHandlerPermission_IsRestrictedToTheFraudDetectedRule(string env)
    {
        var stack = Stack(env);
        var p = stack.Resource("aws_lambda_permission", "/events/alert-handler-permission");

        Assert.That(p["principal"]!.GetValue<string>(), Is.EqualTo("events.amazonaws.com"));
        Assert.That(p["action"]!.GetValue<string>(), Is.EqualTo("lambda:InvokeFunction"));
        Assert.That(p["source_arn"]!.GetValue<string>(), Is.EqualTo(Ref(stack, "aws_cloudwatch_event_rule", "/events/fraud-detected-rule", "arn")));
        Assert.That(p["function_name"]!.GetValue<string>(), Is.EqualTo(Ref(stack, "aws_lambda_function", "/alert-handler/this", "function_name")));
    }

    [TestCaseSource(typeof(TestEnvironments), nameof(TestEnvironments.All))]
    public void DecisionsPipe_FiltersNewAutomatedReviewOrDeclineIntoFraudDetectedEvents(string env)
    {
        var stack = Stack(env);
        var pipe = stack.Resource("aws_pipes_pipe", "/events/decisions-pipe");
        var filter = JsonNode.Parse(pipe["source_parameters"]!["filter_criteria"]!["filter"]!.AsArray().Single()!["pattern"]!.GetValue<string>())!;
        var ddb = pipe["source_parameters"]!["dynamodb_stream_parameters"]!;

        Assert.Multiple(() =>
        {
            Assert.That(pipe["source"]!.GetValue<string>(), Is.EqualTo(Ref(stack, "aws_dynamodb_table", "/storage/decisions-table/this", "stream_arn")));
            Assert.That(pipe["target"]!.GetValue<string>(), Is.EqualTo(Ref(stack, "aws_cloudwatch_event_bus", "/events/bus", "arn")));
            Assert.That(Values(filter["eventName"]), Is.EqualTo(new[] { "INSERT" }));
            Assert.That(Values(filter["dynamodb"]!["NewImage"]!["decision"]!["S"]), Is.EquivalentTo(new[] { "REVIEW", "DECLINE" }));
            Assert.That(Values(filter["dynamodb"]!["NewImage"]!["decisionKey"]!["S"]), Is.EqualTo(new[] { "AUTOMATED" }));
            Assert.That(filter["dynamodb"]!["NewImage"]!["rulesVersion"]!["S"]!.AsArray().Single()!["exists"]!.GetValue<bool>(), Is.True,
                "only the stream processor writes rulesVersion: an analyst or forged row is never an alert");
            Assert.That(ddb["starting_position"]!.GetValue<string>(), Is.EqualTo("TRIM_HORIZON"), "decisions written before the pipe runs still become alerts");
            Assert.That(pipe["target_parameters"]!["eventbridge_event_bus_parameters"]!["detail_type"]!.GetValue<string>(), Is.EqualTo("FraudDetected"));
            Assert.That(pipe["target_parameters"]!["eventbridge_event_bus_parameters"]!["source"]!.GetValue<string>(), Is.EqualTo("fraud-detection.decisions"));
            Assert.That(ddb["dead_letter_config"]!["arn"]!.GetValue<string>(), Is.EqualTo(Ref(stack, "aws_sqs_queue", "/dlq/this", "arn")));
            Assert.That(ddb["maximum_retry_attempts"]!.GetValue<int>(), Is.EqualTo(10));
        });
    }

    private static readonly Regex Placeholder = new("<([^<>]+)>");

    /// <summary>The placeholders of a pipe's input template and whether each is quoted (a leaf) or not (an object or array).</summary>
    private static List<(string Path, bool Quoted)> Placeholders(string template) =>
        Placeholder.Matches(template).Select(m => (m.Groups[1].Value, m.Index > 0 && template[m.Index - 1] == '"' && template[m.Index + m.Length] == '"')).ToList();

    [TestCaseSource(typeof(TestEnvironments), nameof(TestEnvironments.All))]
    public void DecisionsPipe_ForwardsTheFraudDetectedContractOnly_WithTheStreamRecordId(string env)
    {
        var template = Stack(env).Resource("aws_pipes_pipe", "/events/decisions-pipe")["target_parameters"]!["input_template"]!.GetValue<string>();
        var placeholders = Placeholders(template);
        // With every placeholder replaced by a sample, the template is one JSON object whose keys are the contract's fields.
        var sample = JsonNode.Parse(Placeholder.Replace(template, m => m.Value.EndsWith(".L>", StringComparison.Ordinal) ? "[]" : "x"))!.AsObject();

        Assert.Multiple(() =>
        {
            Assert.That(template, Is.EqualTo(FraudDetectedDetail.InputTemplate), "built from the contract the alert handler reads");
            Assert.That(sample.Select(p => p.Key), Is.EqualTo(FraudDetectedDetail.Fields.Select(f => f.Name)));
            Assert.That(placeholders, Does.Contain(("$.eventID", true)), "the stream record's eventID: the consumers' idempotency key");
            Assert.That(placeholders.Select(p => p.Path), Has.None.EqualTo("$.dynamodb.NewImage").And.None.EqualTo("$.dynamodb").And.None.StartWith("aws.pipes.event"),
                "never the whole image or event");
            Assert.That(placeholders.Where(p => !p.Quoted).Select(p => p.Path), Is.EqualTo(new[] { "$.dynamodb.NewImage.reasons.L" }), "only the reasons list is spliced as JSON");
        });
    }

    [TestCaseSource(typeof(TestEnvironments), nameof(TestEnvironments.All))]
    public void TransactionsPipe_ForwardsIdsAndRoutingFieldsOnly_AndStartsAtTrimHorizon(string env)
    {
        var pipe = Stack(env).Resource("aws_pipes_pipe", "/events/transactions-pipe");
        var template = pipe["target_parameters"]!["input_template"]!.GetValue<string>();
        var paths = Placeholders(template).Select(p => p.Path).ToList();

        Assert.That(paths, Is.EquivalentTo(new[]
        {
            "$.eventID", "$.dynamodb.NewImage.transactionId.S", "$.dynamodb.NewImage.userId.S", "$.dynamodb.NewImage.timestamp.S", "$.dynamodb.NewImage.decision.S",
        }), "no amount, merchant, country, channel, device id or IP address: no consumer of TransactionReceived needs them");
        Assert.That(Placeholders(template).All(p => p.Quoted), Is.True, "all leaves");
        Assert.That(pipe["source_parameters"]!["dynamodb_stream_parameters"]!["starting_position"]!.GetValue<string>(), Is.EqualTo("TRIM_HORIZON"));
    }

    [TestCaseSource(typeof(TestEnvironments), nameof(TestEnvironments.All))]
    public void DecisionsPipe_DeclaresTheStreamProcessorAsItsOnlyEventProducer(string env)
    {
        var stack = Stack(env);
        var producers = stack.Resource("aws_pipes_pipe", "/events/decisions-pipe")["//"]!["event_producers"]!.AsArray().Select(v => v!.GetValue<string>());

        Assert.That(producers, Is.EqualTo(new[] { Ref(stack, "aws_iam_role", "/stream-processor/role/this", "arn") }));
        Assert.That(stack.Resource("aws_pipes_pipe", "/events/transactions-pipe")["//"]!["event_producers"], Is.Null);
    }

    [TestCaseSource(typeof(TestEnvironments), nameof(TestEnvironments.All))]
    public void AlertsTopicTarget_SendsAShortAlertBuiltFromTheEventDetail(string env)
    {
        var target = Stack(env).Resource("aws_cloudwatch_event_target", "/events/fraud-detected-to-alerts-topic");
        var transformer = target["input_transformer"]!;
        var paths = transformer["input_paths"]!.AsObject().ToDictionary(p => p.Key, p => p.Value!.GetValue<string>());
        var template = transformer["input_template"]!.GetValue<string>();
        var used = Placeholder.Matches(template).Select(m => m.Groups[1].Value).Distinct().ToList();
        var message = JsonNode.Parse(Placeholder.Replace(template, m => m.Groups[1].Value == "reasons" ? "[]" : "x"))!;

        Assert.Multiple(() =>
        {
            Assert.That(used, Is.EquivalentTo(paths.Keys), "every variable is defined and used");
            Assert.That(paths.Values, Has.All.StartWith("$.detail."), "fields of the pipe's detail only, not aws.events.event");
            Assert.That(paths.Values.Select(v => v["$.detail.".Length..]), Is.SubsetOf(FraudDetectedDetail.Fields.Select(f => f.Name)));
            Assert.That(paths.Values, Is.SupersetOf(new[] { "$.detail.transactionId", "$.detail.userId", "$.detail.decision", "$.detail.score", "$.detail.decidedAt", "$.detail.reasons" }));
            Assert.That(message["summary"]!.GetValue<string>(), Does.StartWith("Fraud alert:"));
        });
    }

    [Test]
    public void TransactionsPipe_TurnsEveryInsertIntoTransactionReceived()
    {
        var stack = Stack("dev");
        var pipe = stack.Resource("aws_pipes_pipe", "/events/transactions-pipe");
        var filter = JsonNode.Parse(pipe["source_parameters"]!["filter_criteria"]!["filter"]!.AsArray().Single()!["pattern"]!.GetValue<string>())!;

        Assert.That(pipe["source"]!.GetValue<string>(), Is.EqualTo(Ref(stack, "aws_dynamodb_table", "/storage/transactions-table/this", "stream_arn")));
        Assert.That(Values(filter["eventName"]), Is.EqualTo(new[] { "INSERT" }));
        Assert.That(pipe["target_parameters"]!["eventbridge_event_bus_parameters"]!["detail_type"]!.GetValue<string>(), Is.EqualTo("TransactionReceived"));
    }

    [Test]
    public void PipeRole_ReadsOnlyItsTableStreamAndPutsOnlyOnTheBus()
    {
        var stack = Stack("dev");
        var statements = Statements(Policy(stack.Resource("aws_iam_role_policy", "/events/decisions-pipe-role/policy"))).ToDictionary(s => s["Sid"]!.GetValue<string>());

        Assert.That(Values(statements["DecisionsTableStreamRead"]["Resource"]).Single(), Is.EqualTo(Ref(stack, "aws_dynamodb_table", "/storage/decisions-table/this", "stream_arn")));
        Assert.That(Values(statements["PutEventsOnBus"]["Resource"]).Single(), Is.EqualTo(Ref(stack, "aws_cloudwatch_event_bus", "/events/bus", "arn")));
        Assert.That(statements.Keys, Has.None.Contains("Transactions"));
    }

    [Test]
    public void StreamProcessor_GetsScoringSettingsFromTheEnvironmentFile()
    {
        var config = ConfigFixture.Load("staging", j => j["scoring"] = new JsonObject { ["declineThreshold"] = 0.9, ["transactionTtlDays"] = 30 });

        var vars = Synth.Run([config]).Stack("fraud-detection-staging").Resource("aws_lambda_function", "/stream-processor/this")["environment"]!["variables"]!;

        Assert.That(JsonNode.Parse(vars["SCORING_RULES"]!.GetValue<string>())!["declineThreshold"]!.GetValue<double>(), Is.EqualTo(0.9));
        Assert.That(vars["TRANSACTION_TTL_DAYS"]!.GetValue<string>(), Is.EqualTo("30"));
        Assert.That(vars["PATTERN_CACHE_SECONDS"]!.GetValue<string>(), Is.EqualTo("60"));
        Assert.That(Stack("dev").Resource("aws_lambda_function", "/stream-processor/this")["environment"]!["variables"]!["SCORING_RULES"]!.GetValue<string>(),
            Is.EqualTo("{\"currencyRates\":\"2026-12-01\",\"declineThreshold\":0.8,\"reviewThreshold\":0.4,\"travelRegions\":\"2026-12-01\"}"), "what environments/dev.json's scoring block sets, and nothing else");
        Assert.That(ScoringRules.FromJson(Stack("dev").Resource("aws_lambda_function", "/stream-processor/this")["environment"]!["variables"]!["SCORING_RULES"]!.GetValue<string>()).ReviewThreshold,
            Is.EqualTo(0.4), "read back by the function's own reader");
    }
}
