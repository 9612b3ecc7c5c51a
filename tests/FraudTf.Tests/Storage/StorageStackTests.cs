using System.Text.Json.Nodes;
using FraudTf.Functions.Shared.Tables;
using FraudTf.Tests.Support;

namespace FraudTf.Tests.Storage;

/// <summary>The tables and buckets as synthesized in every environment stack.</summary>
[TestFixture]
public class StorageStackTests
{
    private static readonly string[] DataBuckets = ["audit-logs", "decision-trails", "models"];

    private static JsonObject Stack(string env) => Synth.Shared.Stack($"fraud-detection-{env}");

    private static string DataKeyArn(string env) => $"${{{Stack(env).Address("aws_kms_key", "/keys/data/this")}.arn}}";

    [TestCaseSource(typeof(TestEnvironments), nameof(TestEnvironments.All))]
    public void Tables_AreExactlyTheFourNamedPrefixTableEnv(string env)
    {
        var names = Stack(env).Resources("aws_dynamodb_table").Values.Select(t => t["name"]!.GetValue<string>());

        Assert.That(names, Is.EquivalentTo(new[]
        {
            $"fraud-detection-transactions-{env}", $"fraud-detection-decisions-{env}",
            $"fraud-detection-user-profiles-{env}", $"fraud-detection-patterns-{env}",
        }));
    }

    [TestCaseSource(typeof(TestEnvironments), nameof(TestEnvironments.All))]
    public void EveryTable_OnDemandKmsEncryptedWithDataKeyAndPitr(string env)
    {
        foreach (var (id, t) in Stack(env).Resources("aws_dynamodb_table"))
        {
            Assert.Multiple(() =>
            {
                Assert.That(t["billing_mode"]!.GetValue<string>(), Is.EqualTo("PAY_PER_REQUEST"), id);
                Assert.That(t["server_side_encryption"]!["enabled"]!.GetValue<bool>(), Is.True, id);
                Assert.That(t["server_side_encryption"]!["kms_key_arn"]!.GetValue<string>(), Is.EqualTo(DataKeyArn(env)), id);
                Assert.That(t["point_in_time_recovery"]!["enabled"]!.GetValue<bool>(), Is.True, id);
            });
        }
    }

    [Test]
    public void DeletionProtection_OnInProd_OffInDevAndStaging()
    {
        foreach (var env in TestEnvironments.All)
        {
            var protect = env == "prod";
            foreach (var (id, t) in Stack(env).Resources("aws_dynamodb_table"))
            {
                Assert.That(t["deletion_protection_enabled"]!.GetValue<bool>(), Is.EqualTo(protect), $"{env} {id}");
                Assert.That(t["lifecycle"]?["prevent_destroy"]?.GetValue<bool>() ?? false, Is.EqualTo(protect), $"{env} {id}");
            }

            foreach (var b in DataBuckets)
            {
                var bucket = Stack(env).Resource("aws_s3_bucket", $"/storage/{b}-bucket/this");
                Assert.That(bucket["lifecycle"]?["prevent_destroy"]?.GetValue<bool>() ?? false, Is.EqualTo(protect), $"{env} {b}");
            }
        }
    }

    [Test]
    public void DeletionProtection_CanBeTurnedOffInProdExplicitly()
    {
        var prod = ConfigFixture.Load("prod", j => j["protection"] = new JsonObject { ["deletionProtection"] = false });

        Assert.That(prod.Protection.DeletionProtection, Is.False);
    }

    [TestCaseSource(typeof(TestEnvironments), nameof(TestEnvironments.All))]
    public void Tables_MatchTheSharedSchemas(string env)
    {
        foreach (var schema in FraudTables.All)
        {
            var t = Stack(env).Resource("aws_dynamodb_table", $"/storage/{schema.LogicalName}-table/this");

            Assert.Multiple(() =>
            {
                Assert.That(t["hash_key"]!.GetValue<string>(), Is.EqualTo(schema.PartitionKey.Name), schema.LogicalName);
                Assert.That(t["range_key"]?.GetValue<string>(), Is.EqualTo(schema.SortKey?.Name), schema.LogicalName);
                Assert.That(t["attribute"]!.AsArray().Select(a => $"{a!["name"]}:{a["type"]}"),
                    Is.EquivalentTo(schema.KeyAttributes.Select(a => $"{a.Name}:{a.Type}")), schema.LogicalName);
                Assert.That(t["ttl"]?["attribute_name"]?.GetValue<string>(), Is.EqualTo(schema.TtlAttribute), schema.LogicalName);
                Assert.That(t["stream_enabled"]!.GetValue<bool>(), Is.EqualTo(schema.StreamViewType is not null), schema.LogicalName);
                Assert.That(t["stream_view_type"]?.GetValue<string>(), Is.EqualTo(schema.StreamViewType), schema.LogicalName);
            });
        }
    }

    [Test]
    public void TransactionsTable_KeyedByIdWithUserTimeIndexTtlAndFullStream()
    {
        var t = Stack("dev").Resource("aws_dynamodb_table", "/storage/transactions-table/this");
        var gsi = t["global_secondary_index"]!.AsArray().Single()!;

        Assert.Multiple(() =>
        {
            Assert.That(t["hash_key"]!.GetValue<string>(), Is.EqualTo("transactionId"));
            Assert.That(t["range_key"], Is.Null);
            Assert.That(gsi["name"]!.GetValue<string>(), Is.EqualTo("byUserTime"));
            Assert.That(gsi["hash_key"]!.GetValue<string>(), Is.EqualTo("userId"));
            Assert.That(gsi["range_key"]!.GetValue<string>(), Is.EqualTo("timestamp"));
            Assert.That(gsi["projection_type"]!.GetValue<string>(), Is.EqualTo("INCLUDE"));
            Assert.That(gsi["non_key_attributes"]!.AsArray().Select(a => a!.GetValue<string>()), Does.Contain("amount"));
            Assert.That(t["ttl"]!["enabled"]!.GetValue<bool>(), Is.True);
            Assert.That(t["ttl"]!["attribute_name"]!.GetValue<string>(), Is.EqualTo("expiresAt"));
            Assert.That(t["stream_view_type"]!.GetValue<string>(), Is.EqualTo("NEW_AND_OLD_IMAGES"));
        });
    }

    [Test]
    public void DecisionsTable_KeyedByTransactionAndDecisionKeyWithStream()
    {
        var t = Stack("dev").Resource("aws_dynamodb_table", "/storage/decisions-table/this");

        Assert.Multiple(() =>
        {
            Assert.That(t["hash_key"]!.GetValue<string>(), Is.EqualTo("transactionId"));
            Assert.That(t["range_key"]!.GetValue<string>(), Is.EqualTo("decisionKey"));
            Assert.That(t["global_secondary_index"]!.AsArray().Single()!["name"]!.GetValue<string>(), Is.EqualTo("byUserDecidedAt"));
            Assert.That(t["ttl"]!["attribute_name"]!.GetValue<string>(), Is.EqualTo("expiresAt"));
            Assert.That(t["stream_enabled"]!.GetValue<bool>(), Is.True);
        });
    }

    [Test]
    public void PatternsTable_VersionedWithSparseActiveIndex()
    {
        var t = Stack("dev").Resource("aws_dynamodb_table", "/storage/patterns-table/this");
        var gsi = t["global_secondary_index"]!.AsArray().Single()!;

        Assert.Multiple(() =>
        {
            Assert.That(t["hash_key"]!.GetValue<string>(), Is.EqualTo("patternId"));
            Assert.That(t["range_key"]!.GetValue<string>(), Is.EqualTo("version"));
            Assert.That(t["attribute"]!.AsArray().Single(a => a!["name"]!.GetValue<string>() == "version")!["type"]!.GetValue<string>(), Is.EqualTo("N"));
            Assert.That(gsi["hash_key"]!.GetValue<string>(), Is.EqualTo("activeStatus"));
            Assert.That(gsi["range_key"]!.GetValue<string>(), Is.EqualTo("patternId"));
            Assert.That(t["ttl"], Is.Null, "pattern versions never expire");
        });
    }

    [Test]
    public void UserProfilesTable_KeyedByUser()
    {
        var t = Stack("dev").Resource("aws_dynamodb_table", "/storage/user-profiles-table/this");

        Assert.That(t["hash_key"]!.GetValue<string>(), Is.EqualTo("userId"));
        Assert.That(t["global_secondary_index"], Is.Null);
    }

    [TestCaseSource(typeof(TestEnvironments), nameof(TestEnvironments.All))]
    public void DataBuckets_VersionedKmsBucketKeyPrivateOwnerEnforcedTlsOnlyLoggedAndAbortMultipart(string env)
    {
        var stack = Stack(env);
        var logBucket = $"${{{stack.Address("aws_s3_bucket", "/storage/access-logs-bucket/this")}.bucket}}";
        foreach (var b in DataBuckets)
        {
            var p = $"/storage/{b}-bucket";
            Assert.Multiple(() =>
            {
                Assert.That(stack.Resource("aws_s3_bucket", $"{p}/this")["bucket"]!.GetValue<string>(), Is.EqualTo($"fraud-detection-{b}-{env}"));
                Assert.That(stack.Resource("aws_s3_bucket_versioning", $"{p}/versioning")["versioning_configuration"]!["status"]!.GetValue<string>(), Is.EqualTo("Enabled"), b);
                var rule = stack.Resource("aws_s3_bucket_server_side_encryption_configuration", $"{p}/encryption")["rule"]!.AsArray().Single()!;
                Assert.That(rule["apply_server_side_encryption_by_default"]!["sse_algorithm"]!.GetValue<string>(), Is.EqualTo("aws:kms"), b);
                Assert.That(rule["apply_server_side_encryption_by_default"]!["kms_master_key_id"]!.GetValue<string>(), Is.EqualTo(DataKeyArn(env)), b);
                Assert.That(rule["bucket_key_enabled"]!.GetValue<bool>(), Is.True, b);
                var pab = stack.Resource("aws_s3_bucket_public_access_block", $"{p}/public-access-block");
                Assert.That(new[] { "block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets" }.All(k => pab[k]!.GetValue<bool>()), Is.True, b);
                Assert.That(stack.Resource("aws_s3_bucket_ownership_controls", $"{p}/ownership")["rule"]!["object_ownership"]!.GetValue<string>(), Is.EqualTo("BucketOwnerEnforced"), b);
                var policy = JsonNode.Parse(stack.Resource("aws_s3_bucket_policy", $"{p}/policy")["policy"]!.GetValue<string>())!;
                var deny = policy["Statement"]!.AsArray().Single(s => s!["Sid"]!.GetValue<string>() == "DenyInsecureTransport")!;
                Assert.That(deny["Condition"]!["Bool"]!["aws:SecureTransport"]!.GetValue<string>(), Is.EqualTo("false"), b);
                var rules = stack.Resource("aws_s3_bucket_lifecycle_configuration", $"{p}/lifecycle")["rule"]!.AsArray();
                var abort = rules.Single(r => r!["id"]!.GetValue<string>() == "abort-incomplete-multipart-uploads")!;
                Assert.That(abort["abort_incomplete_multipart_upload"]!.AsArray().Single()!["days_after_initiation"]!.GetValue<int>(), Is.EqualTo(7), b);
                var logging = stack.Resource("aws_s3_bucket_logging", $"{p}/logging");
                Assert.That(logging["target_bucket"]!.GetValue<string>(), Is.EqualTo(logBucket), b);
                Assert.That(logging["target_prefix"]!.GetValue<string>(), Is.EqualTo($"{b}/"), b);
            });
        }
    }

    [Test]
    public void AuditLogs_ObjectLockedForTheConfiguredRetentionThenExpire()
    {
        foreach (var (env, mode) in new[] { ("dev", "GOVERNANCE"), ("staging", "GOVERNANCE"), ("prod", "COMPLIANCE") })
        {
            var stack = Stack(env);
            var retention = stack.Resource("aws_s3_bucket_object_lock_configuration", "/storage/audit-logs-bucket/object-lock")["rule"]!["default_retention"]!;
            var rules = stack.Resource("aws_s3_bucket_lifecycle_configuration", "/storage/audit-logs-bucket/lifecycle")["rule"]!.AsArray();
            var current = rules.Single(r => r!["id"]!.GetValue<string>() == "current-versions")!;

            Assert.Multiple(() =>
            {
                Assert.That(stack.Resource("aws_s3_bucket", "/storage/audit-logs-bucket/this")["object_lock_enabled"]!.GetValue<bool>(), Is.True, env);
                Assert.That(retention["days"]!.GetValue<int>(), Is.EqualTo(365), env);
                Assert.That(retention["mode"]!.GetValue<string>(), Is.EqualTo(mode), env);
                Assert.That(current["expiration"]!.AsArray().Single()!["days"]!.GetValue<int>(), Is.EqualTo(365), env);
            });
        }
    }

    [TestCaseSource(typeof(TestEnvironments), nameof(TestEnvironments.All))]
    public void TrailsAndAuditRecords_AreWriteOnce_UnconditionalPutsDeniedAndPrefixesRecorded(string env)
    {
        var stack = Stack(env);
        foreach (var (bucket, prefix, sid) in new[] { ("decision-trails", "trails/", "DenyUnconditionalPutTrails"), ("audit-logs", "audit/", "DenyUnconditionalPutAudit") })
        {
            var p = $"/storage/{bucket}-bucket";
            var policy = JsonNode.Parse(stack.Resource("aws_s3_bucket_policy", $"{p}/policy")["policy"]!.GetValue<string>())!;
            var deny = policy["Statement"]!.AsArray().Single(s => s!["Sid"]!.GetValue<string>() == sid)!;
            var arn = $"${{{stack.Address("aws_s3_bucket", $"{p}/this")}.arn}}";

            Assert.Multiple(() =>
            {
                // S3 user guide, "Enforce conditional writes": deny s3:PutObject when the request has no If-None-Match.
                Assert.That(deny["Effect"]!.GetValue<string>(), Is.EqualTo("Deny"), bucket);
                Assert.That(deny["Principal"]!.GetValue<string>(), Is.EqualTo("*"), "every principal, the alert handler and admins included");
                Assert.That(deny["Action"]!.GetValue<string>(), Is.EqualTo("s3:PutObject"), bucket);
                Assert.That(deny["Resource"]!.GetValue<string>(), Is.EqualTo($"{arn}/{prefix}*"), "only the write-once prefix");
                Assert.That(deny["Condition"]!.AsObject().Select(c => c.Key), Is.EqualTo(new[] { "Null" }), bucket);
                Assert.That(deny["Condition"]!["Null"]!["s3:if-none-match"]!.GetValue<string>(), Is.EqualTo("true"), bucket);
                Assert.That(stack.Resource("aws_s3_bucket", $"{p}/this")["//"]!["write_once_prefixes"]!.AsArray().Select(v => v!.GetValue<string>()),
                    Is.EqualTo(new[] { prefix }), bucket);
            });
        }

        Assert.That(stack.Resource("aws_s3_bucket", "/storage/models-bucket/this")["//"]!["write_once_prefixes"], Is.Null, "model artifacts are versioned, not write-once");
    }

    [Test]
    public void AlertHandler_PutsOnlyUnderTheWriteOncePrefixes()
    {
        var stack = Stack("dev");
        var statements = JsonNode.Parse(stack.Resource("aws_iam_role_policy", "/alert-handler/role/policy")["policy"]!.GetValue<string>())!["Statement"]!.AsArray();
        var putResources = statements.Where(s => s!["Action"]!.ToJsonString().Contains("s3:PutObject", StringComparison.Ordinal))
            .SelectMany(s => s!["Resource"] is JsonArray a ? a.Select(v => v!.GetValue<string>()) : [s!["Resource"]!.GetValue<string>()]);
        var prefixes = new[] { "decision-trails", "audit-logs" }.SelectMany(b =>
            stack.Resource("aws_s3_bucket", $"/storage/{b}-bucket/this")["//"]!["write_once_prefixes"]!.AsArray()
                .Select(p => $"${{{stack.Address("aws_s3_bucket", $"/storage/{b}-bucket/this")}.arn}}/{p!.GetValue<string>()}*"));

        Assert.That(putResources, Is.EquivalentTo(prefixes), "every object the handler writes is write-once, so it must put with If-None-Match");
    }

    [Test]
    public void AuditLogRetention_ComesFromConfig()
    {
        var config = ConfigFixture.Load("staging", j => j["retention"] = new JsonObject { ["auditLogRetentionDays"] = 730 });

        var stack = Synth.Run([config]).Stack("fraud-detection-staging");

        Assert.That(stack.Resource("aws_s3_bucket_object_lock_configuration", "/storage/audit-logs-bucket/object-lock")["rule"]!["default_retention"]!["days"]!.GetValue<int>(), Is.EqualTo(730));
    }

    [Test]
    public void DecisionTrails_StayInStandardUntilTheyExpire()
    {
        var lifecycle = Stack("prod").Resource("aws_s3_bucket_lifecycle_configuration", "/storage/decision-trails-bucket/lifecycle");
        var current = lifecycle["rule"]!.AsArray().Single(r => r!["id"]!.GetValue<string>() == "current-versions")!;

        // A trail is a few KB: S3 would skip it (objects under 128 KB do not transition by default), and forcing it costs more.
        Assert.Multiple(() =>
        {
            Assert.That(current["transition"], Is.Null);
            Assert.That(lifecycle["transition_default_minimum_object_size"], Is.Null, "no transitions, nothing to decide");
            Assert.That(current["expiration"]!.AsArray().Single()!["days"]!.GetValue<int>(), Is.EqualTo(2555));
            Assert.That(current["status"]!.GetValue<string>(), Is.EqualTo("Enabled"));
        });
    }

    [Test]
    public void Models_NoncurrentVersionsExpireAfterConfiguredDays()
    {
        var rules = Stack("dev").Resource("aws_s3_bucket_lifecycle_configuration", "/storage/models-bucket/lifecycle")["rule"]!.AsArray();
        var noncurrent = rules.Single(r => r!["id"]!.GetValue<string>() == "noncurrent-versions")!;

        Assert.That(noncurrent["noncurrent_version_expiration"]!.AsArray().Single()!["noncurrent_days"]!.GetValue<int>(), Is.EqualTo(90));
        Assert.That(rules.Any(r => r!["id"]!.GetValue<string>() == "current-versions"), Is.False, "current model versions never expire");
    }

    [Test]
    public void AccessLogBucket_UsesSseS3WithWrittenExceptionAndAcceptsLogDeliveryFromThisAccountOnly()
    {
        var stack = Stack("dev");
        var bucket = stack.Resource("aws_s3_bucket", "/storage/access-logs-bucket/this");
        var sse = stack.Resource("aws_s3_bucket_server_side_encryption_configuration", "/storage/access-logs-bucket/encryption")["rule"]!.AsArray().Single()!;
        var policy = JsonNode.Parse(stack.Resource("aws_s3_bucket_policy", "/storage/access-logs-bucket/policy")["policy"]!.GetValue<string>())!;
        var delivery = policy["Statement"]!.AsArray().Single(s => s!["Sid"]!.GetValue<string>() == "AllowS3ServerAccessLogDelivery")!;

        Assert.Multiple(() =>
        {
            Assert.That(bucket["bucket"]!.GetValue<string>(), Is.EqualTo("fraud-detection-access-logs-dev"));
            Assert.That(sse["apply_server_side_encryption_by_default"]!["sse_algorithm"]!.GetValue<string>(), Is.EqualTo("AES256"));
            Assert.That(bucket["//"]!["policy_exceptions"]!["FTF-S3-002"]!.GetValue<string>(), Does.Contain("SSE-S3"));
            Assert.That(bucket["//"]!["policy_exceptions"]!["FTF-S3-004"]!.GetValue<string>(), Does.Contain("loop"));
            Assert.That(delivery["Principal"]!["Service"]!.GetValue<string>(), Is.EqualTo("logging.s3.amazonaws.com"));
            Assert.That(delivery["Action"]!.GetValue<string>(), Is.EqualTo("s3:PutObject"));
            Assert.That(delivery["Condition"]!["StringEquals"]!["aws:SourceAccount"]!.GetValue<string>(), Is.EqualTo("111111111111"));
            Assert.That(stack.Resources("aws_s3_bucket_object_lock_configuration").Keys.Any(k => k.Contains("access-logs")), Is.False,
                "a server-access-log target must not have an Object Lock default retention");
        });
    }

    [TestCaseSource(typeof(TestEnvironments), nameof(TestEnvironments.All))]
    public void ThreeKeys_RotatedWithAliasesPerEnvironment(string env)
    {
        var stack = Stack(env);

        foreach (var k in new[] { "data", "logs", "messaging" })
        {
            Assert.That(stack.Resource("aws_kms_key", $"/keys/{k}/this")["enable_key_rotation"]!.GetValue<bool>(), Is.True, k);
            Assert.That(stack.Resource("aws_kms_alias", $"/keys/{k}/alias")["name"]!.GetValue<string>(), Is.EqualTo($"alias/fraud-detection-{k}-{env}"));
        }
    }

    [Test]
    public void LogsKey_LetsCloudWatchLogsUseItOnlyForThisAccountsLogGroups()
    {
        var policy = JsonNode.Parse(Stack("staging").Resource("aws_kms_key", "/keys/logs/this")["policy"]!.GetValue<string>())!;
        var logs = policy["Statement"]!.AsArray().Single(s => s!["Principal"]!["Service"] is not null)!;

        Assert.That(logs["Principal"]!["Service"]!.GetValue<string>(), Is.EqualTo("logs.us-east-1.amazonaws.com"));
        Assert.That(logs["Condition"]!["ArnLike"]!["kms:EncryptionContext:aws:logs:arn"]!.GetValue<string>(),
            Is.EqualTo("arn:aws:logs:us-east-1:222222222222:log-group:*"));
    }

    [Test]
    public void MessagingKey_LetsEventBridgeAndCloudWatchUseItOnlyFromThisAccount()
    {
        var policy = JsonNode.Parse(Stack("prod").Resource("aws_kms_key", "/keys/messaging/this")["policy"]!.GetValue<string>())!;
        var services = policy["Statement"]!.AsArray().Where(s => s!["Principal"]!["Service"] is not null).ToList();

        Assert.That(services.Select(s => s!["Principal"]!["Service"]!.GetValue<string>()), Is.EquivalentTo(new[] { "events.amazonaws.com", "cloudwatch.amazonaws.com" }));
        Assert.That(services.All(s => s!["Condition"]!["StringEquals"]!["aws:SourceAccount"]!.GetValue<string>() == "333333333333"), Is.True);
    }
}
