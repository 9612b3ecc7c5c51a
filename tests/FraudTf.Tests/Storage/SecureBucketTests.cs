using System.Text.Json.Nodes;
using FraudTf.Security;
using FraudTf.Storage;
using FraudTf.Tests.Support;

namespace FraudTf.Tests.Storage;

/// <summary><see cref="SecureBucket"/> (and its access-log variant) alone on a fresh stack: defaults, options, validations and grants.</summary>
[TestFixture]
public class SecureBucketTests
{
    private static SecureBucketConfig Config(EncryptionKey? key) => new()
    {
        BucketName = "fraud-detection-test-dev",
        Key = key,
        Region = "us-east-1",
    };

    private static AccessLogBucketConfig LogsConfig => new()
    {
        BucketName = "fraud-detection-access-logs-dev",
        AccountId = FreshStack.Account,
        Region = FreshStack.Region,
        ExpirationDays = 90,
    };

    private static SecureBucket NewBucket(FreshStack s, Func<SecureBucketConfig, SecureBucketConfig>? change = null, string id = "b") =>
        new(s.Stack, id, (change ?? (c => c))(Config(s.Key())));

    private static JsonArray Statements(JsonObject stack) =>
        JsonNode.Parse(stack.Resources("aws_s3_bucket_policy").Values.Single()["policy"]!.GetValue<string>())!["Statement"]!.AsArray();

    [Test]
    public void Defaults_AreProtective_KmsVersioningPublicAccessBlockedTlsOnlyAndPreventDestroy()
    {
        var s = new FreshStack();
        var bucket = NewBucket(s);

        var stack = s.Synth();
        var b = stack.Resources("aws_s3_bucket").Values.Single();
        var block = stack.Resources("aws_s3_bucket_public_access_block").Values.Single();
        var sse = stack.Resources("aws_s3_bucket_server_side_encryption_configuration").Values.Single()["rule"]![0]!;
        var tls = Statements(stack).Single(st => st!["Sid"]!.GetValue<string>() == "DenyInsecureTransport")!;
        var abort = stack.Resources("aws_s3_bucket_lifecycle_configuration").Values.Single()["rule"]!.AsArray()
            .Single(r => r!["id"]!.GetValue<string>() == "abort-incomplete-multipart-uploads")!;

        Assert.Multiple(() =>
        {
            Assert.That(b["lifecycle"]!["prevent_destroy"]!.GetValue<bool>(), Is.True);
            Assert.That(b["force_destroy"]!.GetValue<bool>(), Is.False);
            Assert.That(b["object_lock_enabled"]!.GetValue<bool>(), Is.False);
            Assert.That(new[] { "block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets" }.Select(k => block[k]!.GetValue<bool>()), Has.All.True);
            Assert.That(stack.Resources("aws_s3_bucket_ownership_controls").Values.Single()["rule"]!["object_ownership"]!.GetValue<string>(), Is.EqualTo("BucketOwnerEnforced"));
            Assert.That(stack.Resources("aws_s3_bucket_versioning").Values.Single()["versioning_configuration"]!["status"]!.GetValue<string>(), Is.EqualTo("Enabled"));
            Assert.That(sse["apply_server_side_encryption_by_default"]!["sse_algorithm"]!.GetValue<string>(), Is.EqualTo("aws:kms"));
            Assert.That(sse["apply_server_side_encryption_by_default"]!["kms_master_key_id"]!.GetValue<string>(), Is.EqualTo(s.Resolve(bucket.Config.Key!.KeyArn)));
            Assert.That(tls["Effect"]!.GetValue<string>(), Is.EqualTo("Deny"));
            Assert.That(tls["Condition"]!["Bool"]!["aws:SecureTransport"]!.ToJsonString(), Does.Contain("false"));
            Assert.That(abort["abort_incomplete_multipart_upload"]![0]!["days_after_initiation"]!.GetValue<int>(), Is.EqualTo(7));
            Assert.That(stack.Resources("aws_s3_bucket_logging"), Is.Empty, "no access logs unless a target is given");
        });
    }

    [Test]
    public void DeletionProtectionOff_DropsPreventDestroy()
    {
        var s = new FreshStack();
        _ = NewBucket(s, c => c with { DeletionProtection = false });

        Assert.That(s.Synth().Resources("aws_s3_bucket").Values.Single()["lifecycle"], Is.Null);
    }

    [Test]
    public void BucketName_IsTheConfiguredLiteral_AndTheLoggingTargetAReference()
    {
        var s = new FreshStack();
        var logs = SecureBucket.ForAccessLogs(s.Stack, "logs", LogsConfig);
        var bucket = NewBucket(s, c => c with { AccessLogs = new AccessLogTarget(logs, "b/") });

        var logging = s.Synth().Resources("aws_s3_bucket_logging").Values.Single();

        Assert.That(bucket.BucketName, Is.EqualTo("fraud-detection-test-dev"));
        // Terraform must create the target first: the logging configuration refers to it.
        Assert.That(logging["target_bucket"]!.GetValue<string>(), Is.EqualTo(s.Resolve(logs.Bucket.Bucket)).And.StartsWith("${aws_s3_bucket."));
        Assert.That(logging["target_prefix"]!.GetValue<string>(), Is.EqualTo("b/"));
    }

    [Test]
    public void ForAccessLogs_UsesSseS3_LetsOnlyTheAccountDeliver_AndRecordsItsTwoExceptions()
    {
        var s = new FreshStack();
        _ = SecureBucket.ForAccessLogs(s.Stack, "logs", LogsConfig);

        var stack = s.Synth();
        var bucket = stack.Resources("aws_s3_bucket").Values.Single();
        var delivery = Statements(stack).Single(st => st!["Sid"]!.GetValue<string>() == "AllowS3ServerAccessLogDelivery")!;
        var expiry = stack.Resources("aws_s3_bucket_lifecycle_configuration").Values.Single()["rule"]!.AsArray()
            .Single(r => r!["id"]!.GetValue<string>() == "current-versions")!;

        Assert.Multiple(() =>
        {
            Assert.That(stack.Resources("aws_s3_bucket_server_side_encryption_configuration").Values.Single()["rule"]![0]!["apply_server_side_encryption_by_default"]!["sse_algorithm"]!.GetValue<string>(),
                Is.EqualTo("AES256"));
            Assert.That(bucket["//"]!["policy_exceptions"]!.AsObject().Select(p => p.Key), Is.EquivalentTo(new[] { "FTF-S3-002", "FTF-S3-004" }));
            Assert.That(bucket["lifecycle"]!["prevent_destroy"]!.GetValue<bool>(), Is.True, "protected by default, as every bucket");
            Assert.That(delivery["Principal"]!["Service"]!.GetValue<string>(), Is.EqualTo("logging.s3.amazonaws.com"));
            Assert.That(delivery["Resource"]!.ToJsonString(), Does.Contain("arn:aws:s3:::fraud-detection-access-logs-dev/*"));
            Assert.That(delivery["Condition"]!["StringEquals"]!["aws:SourceAccount"]!.ToJsonString(), Does.Contain(FreshStack.Account));
            Assert.That(expiry["expiration"]![0]!["days"]!.GetValue<int>(), Is.EqualTo(90));
        });
    }

    [Test]
    public void ForAccessLogs_InAnotherPartition_NamesItInTheDeliveryStatement_AndCanBeLeftUnprotected()
    {
        var s = new FreshStack();
        _ = SecureBucket.ForAccessLogs(s.Stack, "logs", LogsConfig with { BucketName = "logs", Partition = "aws-us-gov", DeletionProtection = false });

        var stack = s.Synth();

        Assert.That(Statements(stack).Single(st => st!["Sid"]!.GetValue<string>() == "AllowS3ServerAccessLogDelivery")!["Resource"]!.ToJsonString(),
            Does.Contain("arn:aws-us-gov:s3:::logs/*"));
        Assert.That(stack.Resources("aws_s3_bucket").Values.Single()["lifecycle"], Is.Null);
    }

    [Test]
    public void MissingKeyWithoutReason_Fails()
    {
        var s = new FreshStack();

        var e = Assert.Throws<ArgumentException>(() => new SecureBucket(s.Stack, "b", Config(null)));

        Assert.That(e!.Message, Does.Contain("SecureBucket 'b' (fraud-detection-test-dev): no KMS key given. Fix:"));
    }

    [Test]
    public void ObjectLock_IsSetWithTheConfiguredModeAndDays()
    {
        var s = new FreshStack();
        _ = NewBucket(s, c => c with { ObjectLockRetentionDays = 365, ObjectLockMode = "GOVERNANCE", WriteOncePrefixes = ["audit/"] });

        var stack = s.Synth();
        var retention = stack.Resources("aws_s3_bucket_object_lock_configuration").Values.Single()["rule"]!["default_retention"]!;

        Assert.That(stack.Resources("aws_s3_bucket").Values.Single()["object_lock_enabled"]!.GetValue<bool>(), Is.True);
        Assert.That(retention["mode"]!.GetValue<string>(), Is.EqualTo("GOVERNANCE"));
        Assert.That(retention["days"]!.GetValue<int>(), Is.EqualTo(365));
    }

    [TestCase(0)]
    [TestCase(36501)]
    public void ObjectLockRetentionOutOfRange_Fails(int days)
    {
        var s = new FreshStack();

        var e = Assert.Throws<ArgumentException>(() => NewBucket(s, c => c with { ObjectLockRetentionDays = days }));

        Assert.That(e!.Message, Does.Contain($"ObjectLockRetentionDays = {days} is out of range. Fix: use 1 to 36500 days."));
    }

    [Test]
    public void UnknownObjectLockMode_Fails()
    {
        var s = new FreshStack();

        var e = Assert.Throws<ArgumentException>(() => NewBucket(s, c => c with { ObjectLockRetentionDays = 10, ObjectLockMode = "STRICT" }));

        Assert.That(e!.Message, Does.Contain("ObjectLockMode = 'STRICT' is not a mode. Fix: use GOVERNANCE or COMPLIANCE."));
    }

    [Test]
    public void AbortOfMultipartUploadsUnderADay_Fails()
    {
        var s = new FreshStack();

        var e = Assert.Throws<ArgumentException>(() => NewBucket(s, c => c with { AbortIncompleteMultipartUploadDays = 0 }));

        Assert.That(e!.Message, Does.Contain("AbortIncompleteMultipartUploadDays = 0. Fix: use at least 1 day."));
    }

    [Test]
    public void TransitionsOutOfOrder_Fail()
    {
        var s = new FreshStack();

        var e = Assert.Throws<ArgumentException>(() => NewBucket(s, c => c with
        {
            Transitions = [new StorageTransition(90, "GLACIER"), new StorageTransition(30, "STANDARD_IA")],
        }));

        Assert.That(e!.Message, Does.Contain("transition to STANDARD_IA after 30 days does not come after the previous one (90 days)"));
    }

    [Test]
    public void WithTransitions_TheSmallObjectSettingIsWrittenOut()
    {
        var s = new FreshStack();
        var key = s.Key();
        _ = new SecureBucket(s.Stack, "b", Config(key) with { Transitions = [new StorageTransition(30, "STANDARD_IA")] });
        _ = new SecureBucket(s.Stack, "c", Config(key) with
        {
            BucketName = "fraud-detection-other-dev",
            Transitions = [new StorageTransition(90, "GLACIER")],
            TransitionDefaultMinimumObjectSize = "varies_by_storage_class",
        });

        var lifecycles = s.Synth().Resources("aws_s3_bucket_lifecycle_configuration").Values
            .Select(l => l["transition_default_minimum_object_size"]!.GetValue<string>()).Order().ToList();

        // Written out even where it is S3's default, so the plan shows the choice (GATE-S3-001 requires it).
        Assert.That(lifecycles, Is.EqualTo(new[] { "all_storage_classes_128K", "varies_by_storage_class" }));
    }

    [Test]
    public void UnknownSmallObjectSetting_Fails()
    {
        var s = new FreshStack();

        var e = Assert.Throws<ArgumentException>(() => NewBucket(s, c => c with
        {
            Transitions = [new StorageTransition(30, "STANDARD_IA")],
            TransitionDefaultMinimumObjectSize = "128K",
        }));

        Assert.That(e!.Message, Does.Contain("TransitionDefaultMinimumObjectSize = '128K'. Fix: use all_storage_classes_128K or varies_by_storage_class."));
    }

    [Test]
    public void ExpirationBeforeTheLastTransition_Fails()
    {
        var s = new FreshStack();

        var e = Assert.Throws<ArgumentException>(() => NewBucket(s, c => c with { Transitions = [new StorageTransition(30, "STANDARD_IA")], ExpirationDays = 20 }));

        Assert.That(e!.Message, Does.Contain("ExpirationDays = 20 is not after the last transition (30 days)"));
    }

    [Test]
    public void ExpirationShorterThanTheObjectLock_Fails()
    {
        var s = new FreshStack();

        var e = Assert.Throws<ArgumentException>(() => NewBucket(s, c => c with { ObjectLockRetentionDays = 365, ExpirationDays = 100 }));

        Assert.That(e!.Message, Does.Contain("ExpirationDays = 100 is shorter than the object-lock retention (365 days)"));
    }

    [TestCase("trails")]
    [TestCase("/trails/")]
    [TestCase("trails/*")]
    [TestCase("")]
    public void AWriteOncePrefixThatIsNotAFolder_Fails(string prefix)
    {
        var s = new FreshStack();

        var e = Assert.Throws<ArgumentException>(() => NewBucket(s, c => c with { WriteOncePrefixes = [prefix] }));

        Assert.That(e!.Message, Does.Contain($"write-once prefix '{prefix}' is not a folder. Fix:"));
    }

    [Test]
    public void AWriteOncePrefixListedTwice_Fails()
    {
        var s = new FreshStack();

        var e = Assert.Throws<ArgumentException>(() => NewBucket(s, c => c with { WriteOncePrefixes = ["a/", "a/"] }));

        Assert.That(e!.Message, Does.Contain("WriteOncePrefixes lists a prefix twice. Fix: list each prefix once."));
    }

    [Test]
    public void WriteOncePrefixes_DenyUnconditionalPutsThere_AndAreRecorded()
    {
        var s = new FreshStack();
        var bucket = NewBucket(s, c => c with { WriteOncePrefixes = ["decision-trails/"] });

        var stack = s.Synth();
        var deny = Statements(stack).Single(st => st!["Sid"]!.GetValue<string>() == "DenyUnconditionalPutDecisionTrails")!;

        Assert.That(deny["Condition"]!["Null"]!["s3:if-none-match"]!.ToJsonString(), Does.Contain("true"));
        Assert.That(stack.Resources("aws_s3_bucket").Values.Single()["//"]!["write_once_prefixes"]![0]!.GetValue<string>(), Is.EqualTo("decision-trails/"));
        Assert.That(bucket.PolicyDocument.ToJson(), Does.Contain("s3:if-none-match"));
    }

    [Test]
    public void WithoutWriteOncePrefixes_NoPutIsDenied()
    {
        var s = new FreshStack();
        var bucket = NewBucket(s);

        Assert.That(bucket.PolicyDocument.ToJson(), Does.Not.Contain("s3:if-none-match"));
    }

    [Test]
    public void RestrictedPrefixes_DenyObjectWritesToAllButTheNamedWriters()
    {
        var s = new FreshStack();
        var bucket = NewBucket(s, c => c with { RestrictedPrefixes = [new PrefixWriters("knowledge-base/", ["arn:aws:iam::111111111111:role/deployer"], "the deployer")] });

        var deny = bucket.PolicyDocument.Statements.Single(st => st.Sid == "OnlyNamedWritersChangePrefix0");

        Assert.That(deny.Effect, Is.EqualTo("Deny"));
        Assert.That(s.Resolve(deny.Resources.Single()), Does.EndWith(".arn}/knowledge-base/*"));
        Assert.That(deny.Conditions.Single().Values, Does.Contain("arn:aws:iam::111111111111:role/deployer"));
    }

    [Test]
    public void GrantPutObjects_AllowsPutUnderThePrefixOnly_AndTheKeyThroughS3()
    {
        var s = new FreshStack();
        var bucket = NewBucket(s, id: "decision-trails");
        var policy = new PolicyDocument();

        bucket.GrantPutObjects(new TestGrantee(policy), "trails/");

        var put = policy.Statements.Single(st => st.Sid == "DecisionTrailsBucketPut");
        var putKey = policy.Statements.Single(st => st.Sid == "DecisionTrailsBucketPutKey");
        Assert.Multiple(() =>
        {
            Assert.That(put.Actions, Is.EquivalentTo(new[] { "s3:PutObject" }), "single-part PutObject is all the code calls");
            Assert.That(s.Resolve(put.Resources.Single()), Is.EqualTo(s.Resolve($"{bucket.BucketArn}/trails/*")).And.EndsWith(".arn}/trails/*"));
            Assert.That(putKey.Actions, Does.Contain("kms:GenerateDataKey"));
            Assert.That(putKey.Conditions.Single().Values.Single(), Is.EqualTo("s3.us-east-1.amazonaws.com"));
            Assert.That(policy.Statements.SelectMany(st => st.Actions), Has.None.Contains("Delete").And.None.Contains("GetObject"));
        });
    }

    [Test]
    public void GrantRead_AllowsListOnTheBucketAndGetOnItsObjects()
    {
        var s = new FreshStack();
        var bucket = NewBucket(s, id: "models");
        var policy = new PolicyDocument();

        bucket.GrantRead(new TestGrantee(policy));

        Assert.That(s.Resolve(policy.Statements.Single(st => st.Sid == "ModelsBucketList").Resources.Single()), Is.EqualTo(s.Resolve(bucket.BucketArn)));
        Assert.That(s.Resolve(policy.Statements.Single(st => st.Sid == "ModelsBucketRead").Resources.Single()), Is.EqualTo(s.Resolve($"{bucket.BucketArn}/*")));
        Assert.That(policy.Statements.Single(st => st.Sid == "ModelsBucketReadKey").Actions, Is.EquivalentTo(new[] { "kms:Decrypt", "kms:DescribeKey" }));
    }

    [Test]
    public void GrantReadPrefix_ListsAndReadsUnderThePrefixOnly_AndRefusesANonFolder()
    {
        var s = new FreshStack();
        var bucket = NewBucket(s, id: "models");
        var policy = new PolicyDocument();

        bucket.GrantReadPrefix(new TestGrantee(policy), "knowledge-base/");

        Assert.That(policy.Statements.Single(st => st.Sid == "ModelsBucketListPrefix").Conditions.Single().Values, Is.EqualTo(new[] { "knowledge-base/", "knowledge-base/*" }));
        Assert.That(s.Resolve(policy.Statements.Single(st => st.Sid == "ModelsBucketReadPrefix").Resources.Single()), Does.EndWith(".arn}/knowledge-base/*"));
        Assert.That(() => bucket.GrantReadPrefix(new TestGrantee(new PolicyDocument()), "knowledge-base"),
            Throws.ArgumentException.With.Message.Contains("must be a folder ending in '/'. Fix:"));
    }
}
