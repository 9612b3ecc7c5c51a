using FraudTf.Cost;
using static Cost.Tests.Fixture;

namespace Cost.Tests;

/// <summary>Each service's arithmetic against hand-computed cases (fixture: 1 TPS, 600 B records, fraud rate 0.1, $1 per unit).</summary>
[TestFixture]
public class ServiceArithmeticTests
{
    private const double Tolerance = 1e-6;

    [Test]
    public void Kinesis_StreamHours_IngestRoundedToKb_OneConsumer()
    {
        var r = Report(BaseStack());

        Assert.Multiple(() =>
        {
            Assert.That(r.Line("aws_kinesis_stream.tx", "stream hours").Quantity, Is.EqualTo(730));
            // 1 record/s x 2,628,000 s x 1 KB (600 B rounds up) = 2,628,000 KB
            Assert.That(r.Line("aws_kinesis_stream.tx", "data ingested").Quantity, Is.EqualTo(2_628_000.0 * 1024 / Gb).Within(Tolerance));
            Assert.That(r.Line("aws_kinesis_stream.tx", "data retrieved").Quantity, Is.EqualTo(2_628_000.0 * 1024 / Gb).Within(Tolerance));
            Assert.That(r.Resources.Single(x => x.Address == "aws_kinesis_stream.tx").Lines.Any(l => l.Item == "extended retention"), Is.False,
                "24 h retention has no extended-retention charge");
        });
    }

    [Test]
    public void Kinesis_RecordOverOneKb_BilledAsTwo_And48HoursRetention_Charged()
    {
        var stack = BaseStack();
        stack["aws_kinesis_stream"]!["tx"]!["retention_period"] = 48;
        var r = Report(stack, Environment(t => t["recordSizeBytes"] = 1500));

        Assert.Multiple(() =>
        {
            Assert.That(r.Line("aws_kinesis_stream.tx", "data ingested").Quantity, Is.EqualTo(2_628_000.0 * 2048 / Gb).Within(Tolerance));
            // 24 h beyond the included 24: 1500 B x 3600 x 24 stored
            Assert.That(r.Line("aws_kinesis_stream.tx", "extended retention").Quantity, Is.EqualTo(1500.0 * 3600 * 24 / Gb).Within(Tolerance));
        });
    }

    [Test]
    public void Lambda_LowRate_OneRecordPerInvocation()
    {
        var r = Report(BaseStack());

        Assert.Multiple(() =>
        {
            // 1 record/s over 8 lanes (4 shards x 2) within a 1 s window: every record is its own 10 ms batch
            Assert.That(r.Line("aws_lambda_function.sp", "requests").Quantity, Is.EqualTo(2_628_000).Within(Tolerance));
            Assert.That(r.Line("aws_lambda_function.sp", "duration").Quantity, Is.EqualTo(2_628_000 * 0.010 * 1).Within(Tolerance));
            Assert.That(r.Line("aws_lambda_function.sp", "duration").Price.Key, Is.EqualTo("lambda.durationX86"));
        });
    }

    [Test]
    public void Lambda_HigherRate_BatchesFill_DurationInterpolated()
    {
        var r = Report(BaseStack(), Environment(t => { t["averageTps"] = 100; t["peakTps"] = 100; }));

        Assert.Multiple(() =>
        {
            // 100/s over 8 lanes = 12.5 records per 1 s batch, 10 + 11.5 x 1 ms = 21.5 ms; 8 invocations/s
            Assert.That(r.Line("aws_lambda_function.sp", "requests").Quantity, Is.EqualTo(8 * SecondsPerMonth).Within(1e-3));
            Assert.That(r.Line("aws_lambda_function.sp", "duration").Quantity, Is.EqualTo(8 * SecondsPerMonth * 0.0215).Within(1e-3));
        });
    }

    [Test]
    public void Lambda_PeakScalesOnDemandShards_MoreLanes()
    {
        var r = Report(BaseStack(), Environment(t => { t["averageTps"] = 100; t["peakTps"] = 5000; }));

        // 2 x 5000 peak / 1000 per shard = 10 shards, 20 lanes: 5 records per batch (14 ms), 20 invocations/s
        Assert.That(r.Line("aws_lambda_function.sp", "requests").Quantity, Is.EqualTo(20 * SecondsPerMonth).Within(1e-3));
        Assert.That(r.Line("aws_lambda_function.sp", "duration").Quantity, Is.EqualTo(20 * SecondsPerMonth * 0.014).Within(1e-3));
    }

    [Test]
    public void Lambda_Arm64_UsesTheArmPrice()
    {
        var stack = BaseStack();
        stack["aws_lambda_function"]!["sp"]!["architectures"] = new System.Text.Json.Nodes.JsonArray("arm64");

        Assert.That(Report(stack).Line("aws_lambda_function.sp", "duration").Price.Key, Is.EqualTo("lambda.durationArm"));
    }

    [Test]
    public void Lambda_PricePerMillionRequests_Applied()
    {
        var prices = Prices(new Dictionary<string, (double, double)> { ["lambda.requests"] = (0.20, 1_000_000) });

        Assert.That(Report(BaseStack(), prices: prices).Line("aws_lambda_function.sp", "requests").MonthlyUsd, Is.EqualTo(2.628 * 0.20).Within(Tolerance));
    }

    private static System.Text.Json.Nodes.JsonObject WithTransactionsTable(string record = "") => BaseStack()
        .With("aws_dynamodb_table", "txt", """
            {"name":"fraud-detection-transactions-dev","billing_mode":"PAY_PER_REQUEST","point_in_time_recovery":{"enabled":true},
             "global_secondary_index":[{"name":"byUserTime","projection_type":"INCLUDE"}]}
            """);

    [Test]
    public void DynamoDb_Transactions_TransactionalWritesIndexReadsStoragePitr()
    {
        var r = Report(WithTransactionsTable());

        Assert.Multiple(() =>
        {
            // 600 + 400 B = 1 KB: transactional put 2 WRU + 1 index write = 3 WRU per transaction
            Assert.That(r.Line("aws_dynamodb_table.txt", "write request units").Quantity, Is.EqualTo(3 * SecondsPerMonth).Within(1e-3));
            // 1 RRU id lookup + 0.5 velocity query per transaction, 1 RRU per fraud event (0.1/s)
            Assert.That(r.Line("aws_dynamodb_table.txt", "read request units").Quantity, Is.EqualTo(1.6 * SecondsPerMonth).Within(1e-3));
            // 86,400 x 10 days items x (1000 + 100) B x (1 + 0.7 INCLUDE index)
            Assert.That(r.Line("aws_dynamodb_table.txt", "storage").Quantity, Is.EqualTo(864_000 * 1100 * 1.7 / Gb).Within(Tolerance));
            Assert.That(r.Line("aws_dynamodb_table.txt", "point-in-time recovery").Quantity, Is.EqualTo(864_000 * 1100 * 1.7 / Gb).Within(Tolerance));
        });
    }

    [Test]
    public void DynamoDb_LargerItems_CostMoreWriteUnits()
    {
        var r = Report(WithTransactionsTable(), Environment(t => t["recordSizeBytes"] = 1500));

        // 1900 B = 2 WRU per item: 2 x 2 transactional + 2 index = 6 WRU per transaction
        Assert.That(r.Line("aws_dynamodb_table.txt", "write request units").Quantity, Is.EqualTo(6 * SecondsPerMonth).Within(1e-3));
    }

    [Test]
    public void DynamoDb_StreamReadByPipe_Charged_PitrOff_NotCharged()
    {
        var stack = WithTransactionsTable()
            .With("aws_cloudwatch_event_bus", "bus", """{"name":"fraud-detection-bus-dev"}""")
            .With("aws_pipes_pipe", "p", """
                {"name":"fraud-detection-transaction-received-dev","source":"${aws_dynamodb_table.txt.stream_arn}","target":"${aws_cloudwatch_event_bus.bus.arn}",
                 "target_parameters":{"eventbridge_event_bus_parameters":{"detail_type":"TransactionReceived"}}}
                """);
        stack["aws_dynamodb_table"]!["txt"]!["point_in_time_recovery"]!["enabled"] = false;
        var r = Report(stack);

        Assert.Multiple(() =>
        {
            // 1 poll/s x 2 shards x 1 pipe
            Assert.That(r.Line("aws_dynamodb_table.txt", "stream reads by pipes").Quantity, Is.EqualTo(2 * SecondsPerMonth));
            Assert.That(r.Resources.Single(x => x.Address == "aws_dynamodb_table.txt").Lines.Any(l => l.Item == "point-in-time recovery"), Is.False);
        });
    }

    [Test]
    public void DynamoDb_UserProfiles_ItemsFromActiveUsers()
    {
        var r = Report(BaseStack().With("aws_dynamodb_table", "up", """{"name":"fraud-detection-user-profiles-dev","billing_mode":"PAY_PER_REQUEST"}"""),
            Environment(t => t["activeUsers"] = 2000));

        Assert.Multiple(() =>
        {
            Assert.That(r.Line("aws_dynamodb_table.up", "storage").Quantity, Is.EqualTo(2000 * 1100 / Gb).Within(Tolerance));
            // transactional update 2 WRU per transaction + transactional flag update 2 WRU per fraud event (0.1/s)
            Assert.That(r.Line("aws_dynamodb_table.up", "write request units").Quantity, Is.EqualTo(2.2 * SecondsPerMonth).Within(1e-3));
        });
    }

    private const string TrailsLifecycle = """
        {"bucket":"${aws_s3_bucket.trails.id}","rule":[
          {"id":"abort","status":"Enabled","abort_incomplete_multipart_upload":[{"days_after_initiation":7}]},
          {"id":"current","status":"Enabled","expiration":[{"days":365}],
           "transition":[{"days":30,"storage_class":"STANDARD_IA"},{"days":90,"storage_class":"GLACIER"}]}]}
        """;

    [Test]
    public void S3_Lifecycle_StorageByClass_MinimumSizes_Transitions()
    {
        var r = Report(BaseStack()
            .With("aws_s3_bucket", "trails", """{"bucket":"fraud-detection-decision-trails-dev"}""")
            .With("aws_s3_bucket_lifecycle_configuration", "lc", TrailsLifecycle));
        const double perDay = 0.1 * 86400; // 8,640 trails a day (fraud events)

        Assert.Multiple(() =>
        {
            Assert.That(r.Line("aws_s3_bucket.trails", "Standard storage").Quantity, Is.EqualTo(perDay * 30 * 2048 / Gb).Within(Tolerance));
            Assert.That(r.Line("aws_s3_bucket.trails", "Standard-IA storage").Quantity, Is.EqualTo(perDay * 60 * 131072 / Gb).Within(Tolerance), "128 KB minimum");
            Assert.That(r.Line("aws_s3_bucket.trails", "Glacier Flexible Retrieval storage").Quantity, Is.EqualTo(perDay * 275 * (2048 + 32768) / Gb).Within(Tolerance));
            Assert.That(r.Line("aws_s3_bucket.trails", "GLACIER object metadata at Standard").Quantity, Is.EqualTo(perDay * 275 * 8192 / Gb).Within(Tolerance));
            Assert.That(r.Line("aws_s3_bucket.trails", "transitions to STANDARD_IA").Quantity, Is.EqualTo(perDay * DaysPerMonth).Within(1e-3));
            Assert.That(r.Line("aws_s3_bucket.trails", "transitions to GLACIER").Quantity, Is.EqualTo(perDay * DaysPerMonth).Within(1e-3));
            Assert.That(r.Line("aws_s3_bucket.trails", "PUT requests").Quantity, Is.EqualTo(perDay * DaysPerMonth).Within(1e-3));
        });
    }

    [Test]
    public void S3_SmallObjectsArchived_FindingSaysStandardIsCheaper()
    {
        var r = Report(BaseStack()
            .With("aws_s3_bucket", "trails", """{"bucket":"fraud-detection-decision-trails-dev"}""")
            .With("aws_s3_bucket_lifecycle_configuration", "lc", TrailsLifecycle));

        Assert.That(r.Findings.Single(), Does.StartWith("fraud-detection-decision-trails-dev: the lifecycle transitions and archive classes cost $"));
    }

    [Test]
    public void S3_LargeObjectsArchived_NoFinding()
    {
        var r = Report(BaseStack()
                .With("aws_s3_bucket", "trails", """{"bucket":"fraud-detection-decision-trails-dev"}""")
                .With("aws_s3_bucket_lifecycle_configuration", "lc", TrailsLifecycle),
            prices: Prices(new Dictionary<string, (double, double)>
            {
                ["s3.standard"] = (0.023, 1), ["s3.standardIa"] = (0.0125, 1), ["s3.glacierFlexible"] = (0.0036, 1),
                ["s3.transitionToStandardIa"] = (0.01, 1000), ["s3.transitionToGlacierFlexible"] = (0.03, 1000),
            }),
            assumptions: Assumptions(overrides: new Dictionary<string, double> { ["s3.decision-trails.objectBytes"] = 10 * 1024 * 1024 }));

        Assert.That(r.Findings, Is.Empty, "10 MB objects are cheaper archived");
    }

    [Test]
    public void S3_ObjectLockLongerThanExpiration_KeepsObjectsLonger()
    {
        var r = Report(BaseStack()
            .With("aws_s3_bucket", "trails", """{"bucket":"fraud-detection-decision-trails-dev"}""")
            .With("aws_s3_bucket_lifecycle_configuration", "lc", TrailsLifecycle)
            .With("aws_s3_bucket_object_lock_configuration", "ol", """{"bucket":"${aws_s3_bucket.trails.id}","rule":{"default_retention":{"days":400}}}"""));

        Assert.That(r.Line("aws_s3_bucket.trails", "Glacier Flexible Retrieval storage").Quantity, Is.EqualTo(8640.0 * 310 * (2048 + 32768) / Gb).Within(Tolerance));
    }

    [Test]
    public void CloudWatch_Alarms_Dashboard_Filters_Logs()
    {
        var r = Report(BaseStack()
            .With("aws_cloudwatch_metric_alarm", "std", """{"alarm_name":"a","period":60}""")
            .With("aws_cloudwatch_metric_alarm", "hires", """{"alarm_name":"b","period":10}""")
            .With("aws_cloudwatch_metric_alarm", "math", """{"alarm_name":"c","metric_query":[{"id":"m1","metric":{"period":60}},{"id":"m2","metric":{"period":60}},{"id":"e","expression":"m1+m2"}]}""")
            .With("aws_cloudwatch_dashboard", "d", """{"dashboard_name":"x"}""")
            .With("aws_cloudwatch_log_metric_filter", "f", """{"name":"f"}""")
            .With("aws_cloudwatch_log_group", "lg", """{"name":"/aws/lambda/fraud-detection-stream-processor-dev","retention_in_days":30}"""));

        // 1 invocation/s x (100 B platform + 50 B EMF) + 1 record/s x 10 B = 160 B/s
        var ingested = 160 * SecondsPerMonth / Gb;
        Assert.Multiple(() =>
        {
            Assert.That(r.Line("aws_cloudwatch_metric_alarm.std", "alarm metrics").Price.Key, Is.EqualTo("cloudwatch.standardAlarmMetric"));
            Assert.That(r.Line("aws_cloudwatch_metric_alarm.hires", "alarm metrics").Price.Key, Is.EqualTo("cloudwatch.highResolutionAlarmMetric"));
            Assert.That(r.Line("aws_cloudwatch_metric_alarm.math", "alarm metrics").Quantity, Is.EqualTo(2), "two metrics, the expression is free");
            Assert.That(r.Line("aws_cloudwatch_dashboard.d", "dashboard").Quantity, Is.EqualTo(1));
            Assert.That(r.Line("aws_cloudwatch_log_metric_filter.f", "custom metric").Quantity, Is.EqualTo(1));
            Assert.That(r.Line("aws_cloudwatch_log_group.lg", "logs ingested").Quantity, Is.EqualTo(ingested).Within(Tolerance));
            Assert.That(r.Line("aws_cloudwatch_log_group.lg", "logs stored").Quantity, Is.EqualTo(ingested * (30 / DaysPerMonth) * 0.5).Within(Tolerance));
            // From the function's "//".emits_metrics: 2 metrics by Environment + 1 by Environment and 4 reasons.
            Assert.That(r.Line("aws_cloudwatch_log_group.lg", "EMF custom metrics").Quantity, Is.EqualTo(6));
        });
    }

    [Test]
    public void Kms_KeyMonth_And_RequestsPerEncryptedResource()
    {
        var r = Report(BaseStack()
            .With("aws_kms_key", "k", """{"enable_key_rotation":true}""")
            .With("aws_kms_alias", "a", """{"name":"alias/x","target_key_id":"${aws_kms_key.k.id}"}""")
            .With("aws_sqs_queue", "q", """{"name":"fraud-detection-dlq-dev","kms_master_key_id":"${aws_kms_key.k.arn}"}""")
            .With("aws_sns_topic", "t", """{"name":"fraud-detection-alerts-dev","kms_master_key_id":"${aws_kms_key.k.arn}"}"""));

        Assert.Multiple(() =>
        {
            Assert.That(r.Line("aws_kms_key.k", "key").Quantity, Is.EqualTo(1));
            // 2 encrypted resources (the alias does not count) x 1000 requests x 2 callers
            Assert.That(r.Line("aws_kms_key.k", "requests").Quantity, Is.EqualTo(4000));
            Assert.That(r.Resources.Single(x => x.Address == "aws_kms_key.k").DisplayName, Is.EqualTo("alias/x"));
        });
    }

    private static System.Text.Json.Nodes.JsonObject EventStack() => BaseStack()
        .With("aws_dynamodb_table", "dec", """{"name":"fraud-detection-decisions-dev","billing_mode":"PAY_PER_REQUEST"}""")
        .With("aws_dynamodb_table", "txt", """{"name":"fraud-detection-transactions-dev","billing_mode":"PAY_PER_REQUEST"}""")
        .With("aws_cloudwatch_event_bus", "bus", """{"name":"fraud-detection-bus-dev"}""")
        .With("aws_pipes_pipe", "fraud", """
            {"name":"fd","source":"${aws_dynamodb_table.dec.stream_arn}","target":"${aws_cloudwatch_event_bus.bus.arn}",
             "target_parameters":{"eventbridge_event_bus_parameters":{"detail_type":"FraudDetected"}}}
            """)
        .With("aws_pipes_pipe", "received", """
            {"name":"tr","source":"${aws_dynamodb_table.txt.stream_arn}","target":"${aws_cloudwatch_event_bus.bus.arn}",
             "target_parameters":{"eventbridge_event_bus_parameters":{"detail_type":"TransactionReceived"}}}
            """)
        .With("aws_cloudwatch_event_rule", "rule", """{"name":"fraud-detection-fraud-detected-dev","event_pattern":"{\"detail-type\":[\"FraudDetected\"]}"}""")
        .With("aws_sns_topic", "alerts", """{"name":"fraud-detection-alerts-dev"}""")
        .With("aws_sns_topic", "alarms", """{"name":"fraud-detection-alarms-dev"}""")
        .With("aws_cloudwatch_metric_alarm", "al", """{"alarm_name":"x","period":60,"alarm_actions":["${aws_sns_topic.alarms.arn}"]}""")
        .With("aws_cloudwatch_event_target", "to-topic", """{"arn":"${aws_sns_topic.alerts.arn}","rule":"${aws_cloudwatch_event_rule.rule.name}"}""")
        .With("aws_lambda_function", "ah", """{"function_name":"fraud-detection-alert-handler-dev","memory_size":256,"reserved_concurrent_executions":5,"tracing_config":{"mode":"Active"}}""")
        .With("aws_cloudwatch_event_target", "to-fn", """{"arn":"${aws_lambda_function.ah.arn}","rule":"${aws_cloudwatch_event_rule.rule.name}"}""")
        .With("aws_sqs_queue", "dlq", """{"name":"fraud-detection-dlq-dev"}""");

    [Test]
    public void Events_PipesBusTopicsQueueAndAlertHandler()
    {
        var r = Report(EventStack());

        Assert.Multiple(() =>
        {
            Assert.That(r.Line("aws_pipes_pipe.fraud", "requests").Quantity, Is.EqualTo(0.1 * SecondsPerMonth).Within(1e-3));
            Assert.That(r.Line("aws_pipes_pipe.received", "requests").Quantity, Is.EqualTo(SecondsPerMonth).Within(1e-3));
            Assert.That(r.Line("aws_cloudwatch_event_bus.bus", "custom events").Quantity, Is.EqualTo(1.1 * SecondsPerMonth).Within(1e-3));
            Assert.That(r.Line("aws_sns_topic.alerts", "publishes").Quantity, Is.EqualTo(0.1 * SecondsPerMonth).Within(1e-3));
            Assert.That(r.Line("aws_sns_topic.alarms", "publishes").Quantity, Is.EqualTo(7), "alarm notifications only");
            Assert.That(r.Line("aws_sqs_queue.dlq", "requests").Quantity, Is.EqualTo(0.01 * SecondsPerMonth).Within(1e-3));
            Assert.That(r.Line("aws_lambda_function.ah", "requests").Quantity, Is.EqualTo(0.1 * SecondsPerMonth).Within(1e-3));
            // 262,800 events x 100 ms x 0.25 GB
            Assert.That(r.Line("aws_lambda_function.ah", "duration").Quantity, Is.EqualTo(0.1 * SecondsPerMonth * 0.1 * 0.25).Within(1e-3));
        });
    }

    [Test]
    public void Subscriptions_OneDeliveryPerPublish_EmailAndHttpsBilled_SqsAndLambdaFree()
    {
        var r = Report(EventStack()
            .With("aws_sns_topic_subscription", "mail", """{"topic_arn":"${aws_sns_topic.alarms.arn}","protocol":"email","endpoint":"a@example.com"}""")
            .With("aws_sns_topic_subscription", "hook", """{"topic_arn":"${aws_sns_topic.alerts.arn}","protocol":"https","endpoint":"https://h.example.com/"}""")
            .With("aws_sns_topic_subscription", "queue", """{"topic_arn":"${aws_sns_topic.alerts.arn}","protocol":"sqs","endpoint":"arn:aws:sqs:us-east-1:111111111111:q"}"""));

        Assert.Multiple(() =>
        {
            Assert.That(r.Line("aws_sns_topic_subscription.mail", "e-mail deliveries").Quantity, Is.EqualTo(7), "the alarm topic's 7 notifications");
            Assert.That(r.Line("aws_sns_topic_subscription.hook", "HTTP/S deliveries").Quantity, Is.EqualTo(0.1 * SecondsPerMonth).Within(1e-3));
            Assert.That(r.Line("aws_sns_topic_subscription.queue", "deliveries").Quantity, Is.EqualTo(0.1 * SecondsPerMonth).Within(1e-3));
            Assert.That(r.Line("aws_sns_topic_subscription.queue", "deliveries").MonthlyUsd, Is.Zero);
        });
    }

    [Test]
    public void DynamoDb_Decisions_TheAlertHandlersMarkerIsATransactionalWrite()
    {
        var r = Report(EventStack());

        // 1 transaction/s: a transactional put of a decision item (2 WRU per KB, the item is under 1 KB, no index here);
        // 0.1 fraud events/s: the marker, written in the same transaction as the profile flag, 2 WRU.
        Assert.That(r.Line("aws_dynamodb_table.dec", "write request units").Quantity, Is.EqualTo((1 * 2 + 0.1 * 2) * SecondsPerMonth).Within(1e-3));
    }

    [Test]
    public void XRay_LambdasFixedRatePerTracedFunction()
    {
        var r = Report(EventStack());

        // Lambda traces the first invocation each second and 5% of the rest, per function (no sampling rule applies):
        // the alert handler runs 0.1/s, all traced.
        Assert.That(r.Line("aws_lambda_function.ah", "traces recorded").Quantity, Is.EqualTo(0.1 * SecondsPerMonth).Within(1e-3));
    }

    [Test]
    public void XRay_AboveOneInvocationPerSecondOnlyFivePercentOfTheRestAreTraced()
    {
        // 100 transactions/s at a 10% fraud rate: the alert handler runs 10/s, so 1 + 5% of 9 traces a second.
        var r = Report(EventStack(), Environment(t => { t["averageTps"] = 100; t["peakTps"] = 500; }));

        Assert.That(r.Line("aws_lambda_function.ah", "requests").Quantity, Is.EqualTo(10 * SecondsPerMonth).Within(1e-3));
        Assert.That(r.Line("aws_lambda_function.ah", "traces recorded").Quantity, Is.EqualTo((1 + 9 * 0.05) * SecondsPerMonth).Within(1e-3));
    }

    private static System.Text.Json.Nodes.JsonObject AgentStack(string standby = "DISABLED", string model = "us.anthropic.claude-sonnet-4-5-20250929-v1:0") => BaseStack()
        .With("aws_bedrockagent_agent", "agent", $$"""{"agent_name":"fraud-detection-analyst-dev","foundation_model":"{{model}}"}""")
        .With("aws_opensearchserverless_collection", "coll", $$"""{"name":"fraud-detection-kb-dev","type":"VECTORSEARCH","standby_replicas":"{{standby}}"}""")
        .With("aws_bedrockagent_knowledge_base", "kb", """
            {"name":"fraud-detection-knowledge-base-dev",
             "knowledge_base_configuration":[{"type":"VECTOR","vector_knowledge_base_configuration":[{
               "embedding_model_arn":"arn:aws:bedrock:us-east-1::foundation-model/amazon.titan-embed-text-v2:0",
               "embedding_model_configuration":[{"bedrock_embedding_model_configuration":[{"dimensions":1024,"embedding_data_type":"FLOAT32"}]}]}]}],
             "storage_configuration":[{"type":"OPENSEARCH_SERVERLESS","opensearch_serverless_configuration":[{"collection_arn":"${aws_opensearchserverless_collection.coll.arn}"}]}]}
            """)
        .With("aws_bedrock_guardrail", "g", """
            {"name":"fraud-detection-analyst-guardrail-dev","content_policy_config":[{"filters_config":[{"type":"HATE"}]}],
             "sensitive_information_policy_config":[{"pii_entities_config":[{"type":"EMAIL","action":"ANONYMIZE"}]}]}
            """)
        .With("aws_lambda_function", "tools", """{"function_name":"fraud-detection-agent-tools-dev","memory_size":512}""")
        .With("aws_bedrockagent_agent_action_group", "ag", """{"action_group_name":"tools","action_group_executor":[{"lambda":"${aws_lambda_function.tools.arn}"}]}""");

    [Test]
    public void Bedrock_AgentTokens_KnowledgeBaseEmbeddings_Guardrail_ToolCalls()
    {
        var r = Report(AgentStack());
        var turns = 10 * 2 * DaysPerMonth; // 608.33 turns a month

        Assert.Multiple(() =>
        {
            Assert.That(r.Line("aws_bedrockagent_agent.agent", "input tokens").Quantity, Is.EqualTo(turns * 1000).Within(1e-6));
            Assert.That(r.Line("aws_bedrockagent_agent.agent", "output tokens").Quantity, Is.EqualTo(turns * 100).Within(1e-6));
            Assert.That(r.Line("aws_bedrockagent_agent.agent", "input tokens").Price.Key, Is.EqualTo("bedrock.model.us.anthropic.claude-sonnet-4-5-20250929-v1:0.input"));
            Assert.That(r.Line("aws_bedrockagent_knowledge_base.kb", "query embeddings").Quantity, Is.EqualTo(turns * 50).Within(1e-6));
            Assert.That(r.Line("aws_bedrockagent_knowledge_base.kb", "document embeddings").Quantity, Is.EqualTo(1024 * 1024 / 4.0));
            Assert.That(r.Line("aws_bedrockagent_knowledge_base.kb", "query embeddings").Price.Key, Is.EqualTo("bedrock.model.amazon.titan-embed-text-v2:0.input"));
            Assert.That(r.Line("aws_bedrock_guardrail.g", "content filters").Quantity, Is.EqualTo(turns * 2).Within(1e-6));
            Assert.That(r.Line("aws_bedrock_guardrail.g", "sensitive-information filters").Quantity, Is.EqualTo(turns * 2).Within(1e-6));
            Assert.That(r.Resources.Single(x => x.Address == "aws_bedrock_guardrail.g").Lines.Any(l => l.Item == "denied topics"), Is.False, "no topic policy, no charge");
            Assert.That(r.Line("aws_lambda_function.tools", "requests").Quantity, Is.EqualTo(turns * 1).Within(1e-6));
        });
    }

    [TestCase("DISABLED", 1 * 730)]
    [TestCase("ENABLED", 2 * 730)]
    public void OpenSearchServerless_MinimumOcus_ByStandbyReplicas(string standby, double ocuHours)
    {
        var r = Report(AgentStack(standby));

        Assert.That(r.Line("aws_opensearchserverless_collection.coll", "OCU hours").Quantity, Is.EqualTo(ocuHours));
        // 1 MB / 4 B per token / 256 tokens = 1024 chunks x (1024 x 4 B vector + 256 x 4 B text)
        Assert.That(r.Line("aws_opensearchserverless_collection.coll", "storage").Quantity, Is.EqualTo(1024 * (4096 + 1024) / Gb).Within(Tolerance));
    }
}
