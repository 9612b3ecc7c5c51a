using FraudTf.Tests.Support;
using FraudTf.Functions.Shared.Tables;
using FraudTf.Security;
using FraudTf.Storage;
using FraudTf.Streaming;
using HashiCorp.Cdktf;

namespace FraudTf.Tests.Storage;

/// <summary>Construct-level validation errors and grant helpers of the storage and security modules.</summary>
[TestFixture]
public class ConstructTests
{
    private static TerraformStack NewStack() => new(new App(), "test");

    private static string R(TerraformStack stack, string token) =>
        (string)Tokenization.Resolve(token, new ResolveOptions { Scope = stack, Resolver = new DefaultTokenResolver(new StringConcat()) });

    private static EncryptionKey NewKey(TerraformStack stack) =>
        new(stack, "key", new EncryptionKeyConfig { AliasName = "k", Description = "test", AccountId = "111111111111" });

    private static SecureBucketConfig BucketConfig(EncryptionKey? key) => new()
    {
        BucketName = "fraud-detection-test-dev",
        Key = key,
        Region = "us-east-1",
    };

    [Test]
    public void EncryptionKey_RejectsDeletionWindowOutOfRange()
    {
        var e = Assert.Throws<ArgumentException>(() => new EncryptionKey(NewStack(), "k",
            new EncryptionKeyConfig { AliasName = "k", Description = "d", AccountId = "111111111111", DeletionWindowInDays = 3 }));

        Assert.That(e!.Message, Does.Contain("DeletionWindowInDays = 3 is out of range. Fix: use 7 to 30 days."));
    }

    [Test]
    public void EncryptionKey_RejectsRotationPeriodOutOfRange()
    {
        var e = Assert.Throws<ArgumentException>(() => new EncryptionKey(NewStack(), "k",
            new EncryptionKeyConfig { AliasName = "k", Description = "d", AccountId = "111111111111", RotationPeriodInDays = 30 }));

        Assert.That(e!.Message, Does.Contain("RotationPeriodInDays = 30 is out of range. Fix: use 90 to 2560 days."));
    }

    [Test]
    public void EncryptionKey_RejectsServiceAccessWithoutCondition()
    {
        var e = Assert.Throws<ArgumentException>(() => new EncryptionKey(NewStack(), "k", new EncryptionKeyConfig
        {
            AliasName = "k",
            Description = "d",
            AccountId = "111111111111",
            ServiceAccess = [new KeyServiceAccess { ServicePrincipal = "sns.amazonaws.com", Actions = ["kms:Decrypt"], Conditions = [] }],
        }));

        Assert.That(e!.Message, Does.Contain("service sns.amazonaws.com has no condition"));
    }

    [Test]
    public void EncryptionKey_AdministrationActionsAreExplicit()
    {
        Assert.That(EncryptionKey.AdministrationActions, Has.None.Contains("*"));
        Assert.That(EncryptionKey.AdministrationActions, Does.Contain("kms:PutKeyPolicy"), "the account must be able to fix the key policy");
        // Alias permission must come from the key policy when it enumerates actions (KMS guide, "Controlling access to aliases").
        Assert.That(EncryptionKey.AdministrationActions, Is.SupersetOf(new[] { "kms:CreateAlias", "kms:UpdateAlias", "kms:DeleteAlias" }));
    }

    [Test]
    public void SecureBucket_RejectsMissingKeyWithoutReason()
    {
        var e = Assert.Throws<ArgumentException>(() => new SecureBucket(NewStack(), "b", BucketConfig(null)));

        Assert.That(e!.Message, Does.Contain("no KMS key given. Fix:"));
    }

    [Test]
    public void SecureBucket_RejectsTransitionsOutOfOrder()
    {
        var stack = NewStack();
        var e = Assert.Throws<ArgumentException>(() => new SecureBucket(stack, "b", BucketConfig(NewKey(stack)) with
        {
            Transitions = [new StorageTransition(90, "GLACIER"), new StorageTransition(30, "STANDARD_IA")],
        }));

        Assert.That(e!.Message, Does.Contain("transition to STANDARD_IA after 30 days does not come after the previous one (90 days)"));
    }

    [Test]
    public void SecureBucket_WithTransitions_StatesWhatHappensToSmallObjects()
    {
        var stack = NewStack();
        var key = NewKey(stack);
        new SecureBucket(stack, "b", BucketConfig(key) with { Transitions = [new StorageTransition(30, "STANDARD_IA")] });
        new SecureBucket(stack, "c", BucketConfig(key) with
        {
            BucketName = "fraud-detection-other-dev",
            Transitions = [new StorageTransition(90, "GLACIER")],
            TransitionDefaultMinimumObjectSize = "varies_by_storage_class",
        });
        var lifecycles = System.Text.Json.Nodes.JsonNode.Parse(Testing.Synth(stack))!["resource"]!["aws_s3_bucket_lifecycle_configuration"]!.AsObject()
            .Select(p => p.Value!["transition_default_minimum_object_size"]!.GetValue<string>()).Order().ToList();

        // Written out even where it is S3's default, so the plan shows the choice (GATE-S3-001 requires it).
        Assert.That(lifecycles, Is.EqualTo(new[] { "all_storage_classes_128K", "varies_by_storage_class" }));
    }

    [Test]
    public void SecureBucket_RejectsAnUnknownSmallObjectSetting()
    {
        var stack = NewStack();
        var e = Assert.Throws<ArgumentException>(() => new SecureBucket(stack, "b", BucketConfig(NewKey(stack)) with
        {
            Transitions = [new StorageTransition(30, "STANDARD_IA")],
            TransitionDefaultMinimumObjectSize = "128K",
        }));

        Assert.That(e!.Message, Does.Contain("TransitionDefaultMinimumObjectSize = '128K'. Fix: use all_storage_classes_128K or varies_by_storage_class."));
    }

    [Test]
    public void SecureBucket_RejectsExpirationBeforeLastTransition()
    {
        var stack = NewStack();
        var e = Assert.Throws<ArgumentException>(() => new SecureBucket(stack, "b", BucketConfig(NewKey(stack)) with
        {
            Transitions = [new StorageTransition(30, "STANDARD_IA")],
            ExpirationDays = 20,
        }));

        Assert.That(e!.Message, Does.Contain("ExpirationDays = 20 is not after the last transition (30 days)"));
    }

    [Test]
    public void SecureBucket_RejectsExpirationShorterThanObjectLock()
    {
        var stack = NewStack();
        var e = Assert.Throws<ArgumentException>(() => new SecureBucket(stack, "b", BucketConfig(NewKey(stack)) with
        {
            ObjectLockRetentionDays = 365,
            ExpirationDays = 100,
        }));

        Assert.That(e!.Message, Does.Contain("ExpirationDays = 100 is shorter than the object-lock retention (365 days)"));
    }

    [TestCase("trails")]
    [TestCase("/trails/")]
    [TestCase("trails/*")]
    [TestCase("")]
    public void SecureBucket_RejectsAWriteOncePrefixThatIsNotAFolder(string prefix)
    {
        var stack = NewStack();
        var e = Assert.Throws<ArgumentException>(() => new SecureBucket(stack, "b", BucketConfig(NewKey(stack)) with { WriteOncePrefixes = [prefix] }));

        Assert.That(e!.Message, Does.Contain($"write-once prefix '{prefix}' is not a folder. Fix:"));
    }

    [Test]
    public void SecureBucket_RejectsAWriteOncePrefixListedTwice()
    {
        var stack = NewStack();
        var e = Assert.Throws<ArgumentException>(() => new SecureBucket(stack, "b", BucketConfig(NewKey(stack)) with { WriteOncePrefixes = ["a/", "a/"] }));

        Assert.That(e!.Message, Does.Contain("lists a prefix twice"));
    }

    [Test]
    public void SecureBucket_WithoutWriteOncePrefixes_DeniesNoPut()
    {
        var stack = NewStack();
        var bucket = new SecureBucket(stack, "b", BucketConfig(NewKey(stack)));

        Assert.That(bucket.PolicyDocument.ToJson(), Does.Not.Contain("s3:if-none-match"));
    }

    [Test]
    public void SecureBucket_RejectsUnknownObjectLockMode()
    {
        var stack = NewStack();
        var e = Assert.Throws<ArgumentException>(() => new SecureBucket(stack, "b", BucketConfig(NewKey(stack)) with
        {
            ObjectLockRetentionDays = 10,
            ObjectLockMode = "STRICT",
        }));

        Assert.That(e!.Message, Does.Contain("ObjectLockMode = 'STRICT' is not a mode. Fix: use GOVERNANCE or COMPLIANCE."));
    }

    [Test]
    public void DataTable_RejectsMoreThanTwentyIndexes()
    {
        var stack = NewStack();
        var schema = FraudTables.UserProfiles with
        {
            Indexes = Enumerable.Range(0, 21).Select(i => new IndexSchema($"i{i}", new KeyAttribute($"a{i}", "S"), null, "KEYS_ONLY", [])).ToList(),
        };

        var e = Assert.Throws<ArgumentException>(() => new DataTable(stack, "t",
            new DataTableConfig { Schema = schema, TableName = "t", Key = NewKey(stack), Region = "us-east-1" }));

        Assert.That(e!.Message, Does.Contain("21 global secondary indexes. Fix: DynamoDB allows at most 20."));
    }

    [Test]
    public void DataTable_RejectsIncludeProjectionWithoutAttributes()
    {
        var stack = NewStack();
        var schema = FraudTables.UserProfiles with
        {
            Indexes = [new IndexSchema("byX", new KeyAttribute("x", "S"), null, "INCLUDE", [])],
        };

        var e = Assert.Throws<ArgumentException>(() => new DataTable(stack, "t",
            new DataTableConfig { Schema = schema, TableName = "t", Key = NewKey(stack), Region = "us-east-1" }));

        Assert.That(e!.Message, Does.Contain("index byX has projection INCLUDE but no attributes"));
    }

    [Test]
    public void DataTable_StreamArnOfTableWithoutStream_FailsClearly()
    {
        var stack = NewStack();
        var table = new DataTable(stack, "t", new DataTableConfig { Schema = FraudTables.UserProfiles, TableName = "t", Key = NewKey(stack), Region = "us-east-1" });

        var e = Assert.Throws<InvalidOperationException>(() => _ = table.StreamArn);

        Assert.That(e!.Message, Does.Contain("has no stream"));
    }

    [Test]
    public void Grant_AllowsExactlyTheNamedOperations_ReadsOnTableAndIndexes_WritesOnTable_KeyViaDynamoDbOnly()
    {
        var stack = NewStack();
        var key = NewKey(stack);
        var table = new DataTable(stack, "t", new DataTableConfig { Schema = FraudTables.Transactions, TableName = "t", Key = key, Region = "eu-west-1" });
        var policy = new PolicyDocument();

        var grant = table.Grant(new TestGrantee(policy), TableAccess.BatchGetItem | TableAccess.Query | TableAccess.PutItem);

        Assert.That(grant.Statements, Is.EqualTo(policy.Statements), "the grant returns every statement it added: reads, writes, the key");
        Assert.That(grant.Actions, Does.Contain("dynamodb:PutItem").And.Contain("kms:GenerateDataKey"));
        Assert.That(grant.Grantee.GranteeName, Is.EqualTo("test-role"));
        var read = policy.Statements.Single(s => s.Sid == "TransactionsTableRead");
        var write = policy.Statements.Single(s => s.Sid == "TransactionsTableWrite");
        var writeKey = policy.Statements.Single(s => s.Sid == "TransactionsTableKey");
        Assert.Multiple(() =>
        {
            Assert.That(read.Actions, Is.EqualTo(new[] { "dynamodb:BatchGetItem", "dynamodb:Query" }));
            Assert.That(read.Resources, Has.Count.EqualTo(2), "Query also reaches the indexes");
            Assert.That(read.Resources[1], Does.EndWith("/index/*"));
            Assert.That(write.Actions, Is.EqualTo(new[] { "dynamodb:PutItem" }), "no UpdateItem, DeleteItem or BatchWriteItem the code doesn't call");
            Assert.That(write.Resources, Has.Count.EqualTo(1));
            Assert.That(write.Conditions, Is.Empty);
            Assert.That(R(stack, writeKey.Resources.Single()), Is.EqualTo(R(stack, key.KeyArn)).And.StartsWith("${aws_kms_key."));
            Assert.That(writeKey.Actions, Does.Contain("kms:GenerateDataKey"), "writes encrypt");
            Assert.That(writeKey.Conditions.Single().Key, Is.EqualTo("kms:ViaService"));
            Assert.That(writeKey.Conditions.Single().Values.Single(), Is.EqualTo("dynamodb.eu-west-1.amazonaws.com"));
            Assert.That(policy.Statements.SelectMany(s => s.Actions), Has.None.Contains("*").And.None.Contains("DescribeTable"));
        });
    }

    [Test]
    public void Grant_ReadOnlyWithoutQuery_IsOnTheTableOnlyWithADecryptOnlyKey()
    {
        var stack = NewStack();
        var table = new DataTable(stack, "t", new DataTableConfig { Schema = FraudTables.Transactions, TableName = "t", Key = NewKey(stack), Region = "eu-west-1" });
        var policy = new PolicyDocument();

        table.Grant(new TestGrantee(policy), TableAccess.GetItem);

        Assert.That(policy.Statements.Single(s => s.Sid == "TransactionsTableRead").Resources, Has.Count.EqualTo(1));
        Assert.That(policy.Statements.Any(s => s.Sid == "TransactionsTableWrite"), Is.False);
        Assert.That(policy.Statements.Single(s => s.Sid == "TransactionsTableKey").Actions, Is.EquivalentTo(new[] { "kms:Decrypt", "kms:DescribeKey" }));
    }

    [Test]
    public void Grant_WithWritableAttributes_ConditionsTheWritesOnThemPlusEveryKeyAttribute()
    {
        var stack = NewStack();
        var table = new DataTable(stack, "t", new DataTableConfig { Schema = FraudTables.Decisions, TableName = "t", Key = NewKey(stack), Region = "us-east-1" });
        var policy = new PolicyDocument();

        table.Grant(new TestGrantee(policy), TableAccess.GetItem | TableAccess.PutItem, ["reason", "decision"]);

        var write = policy.Statements.Single(s => s.Sid == "DecisionsTableWrite");
        var condition = write.Conditions.Single();
        Assert.Multiple(() =>
        {
            Assert.That(condition.Operator, Is.EqualTo("ForAllValues:StringEquals"));
            Assert.That(condition.Key, Is.EqualTo("dynamodb:Attributes"));
            // DynamoDB requires the table's and its indexes' key attributes in the list (developer guide, fine-grained access control).
            Assert.That(condition.Values, Is.EqualTo(new[] { "decidedAt", "decision", "decisionKey", "reason", "transactionId", "userId" }));
            Assert.That(policy.Statements.Single(s => s.Sid == "DecisionsTableRead").Conditions, Is.Empty, "reads are not restricted");
        });
    }

    [Test]
    public void Grant_Mistakes_FailWithAFix()
    {
        var stack = NewStack();
        var table = new DataTable(stack, "t", new DataTableConfig { Schema = FraudTables.Decisions, TableName = "t", Key = NewKey(stack), Region = "us-east-1" });

        Assert.That(() => table.Grant(new TestGrantee(new PolicyDocument()), TableAccess.None), Throws.ArgumentException.With.Message.Contains("Fix:"));
        Assert.That(() => table.Grant(new TestGrantee(new PolicyDocument()), TableAccess.GetItem, ["decision"]), Throws.ArgumentException.With.Message.Contains("without a write"));
        var policy = new PolicyDocument();
        table.Grant(new TestGrantee(policy), TableAccess.GetItem);
        Assert.That(() => table.Grant(new TestGrantee(policy), TableAccess.PutItem), Throws.InvalidOperationException.With.Message.Contains("granted twice"));
    }

    [Test]
    public void GrantStreamRead_AllowsOnlyStreamActionsOnTheStream()
    {
        var stack = NewStack();
        var table = new DataTable(stack, "t", new DataTableConfig { Schema = FraudTables.Decisions, TableName = "t", Key = NewKey(stack), Region = "us-east-1" });
        var policy = new PolicyDocument();

        table.GrantStreamRead(new TestGrantee(policy));

        var stream = policy.Statements.Single(s => s.Sid == "DecisionsTableStreamRead");
        Assert.That(stream.Actions, Is.EquivalentTo(new[] { "dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator", "dynamodb:ListStreams" }));
        Assert.That(R(stack, stream.Resources.Single()), Is.EqualTo(R(stack, table.StreamArn)).And.EndsWith(".stream_arn}"));
    }

    [Test]
    public void GrantPutObjects_AllowsPutUnderPrefixOnlyAndKeyViaS3()
    {
        var stack = NewStack();
        var key = NewKey(stack);
        var bucket = new SecureBucket(stack, "decision-trails", BucketConfig(key));
        var policy = new PolicyDocument();

        bucket.GrantPutObjects(new TestGrantee(policy), "trails/");

        var put = policy.Statements.Single(s => s.Sid == "DecisionTrailsBucketPut");
        var putKey = policy.Statements.Single(s => s.Sid == "DecisionTrailsBucketPutKey");
        Assert.Multiple(() =>
        {
            Assert.That(put.Actions, Is.EquivalentTo(new[] { "s3:PutObject" }), "single-part PutObject is all the code calls");
            Assert.That(R(stack, put.Resources.Single()), Is.EqualTo(R(stack, $"{bucket.BucketArn}/trails/*")).And.EndsWith(".arn}/trails/*"));
            Assert.That(putKey.Actions, Does.Contain("kms:GenerateDataKey"));
            Assert.That(putKey.Conditions.Single().Values.Single(), Is.EqualTo("s3.us-east-1.amazonaws.com"));
            Assert.That(policy.Statements.SelectMany(s => s.Actions), Has.None.Contains("Delete").And.None.Contains("GetObject"));
        });
    }

    [Test]
    public void GrantRead_AllowsListOnBucketAndGetOnObjects()
    {
        var stack = NewStack();
        var bucket = new SecureBucket(stack, "models", BucketConfig(NewKey(stack)));
        var policy = new PolicyDocument();

        bucket.GrantRead(new TestGrantee(policy));

        Assert.That(R(stack, policy.Statements.Single(s => s.Sid == "ModelsBucketList").Resources.Single()), Is.EqualTo(R(stack, bucket.BucketArn)));
        Assert.That(R(stack, policy.Statements.Single(s => s.Sid == "ModelsBucketRead").Resources.Single()), Is.EqualTo(R(stack, $"{bucket.BucketArn}/*")));
        Assert.That(policy.Statements.Single(s => s.Sid == "ModelsBucketReadKey").Actions, Is.EquivalentTo(new[] { "kms:Decrypt", "kms:DescribeKey" }));
    }

    [Test]
    public void SameGrantTwice_IsOneStatement()
    {
        var stack = NewStack();
        var queue = new EncryptedQueue(stack, "dlq", new EncryptedQueueConfig { QueueName = "q", Key = NewKey(stack), Region = "us-east-1" });
        var policy = new PolicyDocument();

        // A function's code sends to its dead-letter queue, and Lambda sends its failed events there too: one grant.
        var first = queue.GrantSendMessage(new TestGrantee(policy));
        var second = queue.GrantSendMessage(new TestGrantee(policy));

        Assert.That(policy.Statements.Count(s => s.Sid == "DlqQueueSendMessage"), Is.EqualTo(1));
        Assert.That(first.Statements.Select(s => s.Sid), Is.EqualTo(new[] { "DlqQueueSendMessage", "DlqQueueSendMessageKey" }), "the grant returns what it added");
        Assert.That(second.Statements, Is.Empty, "the same grant again adds nothing");
        Assert.That(policy.Statements.Single(s => s.Sid == "DlqQueueSendMessage").Actions, Is.EqualTo(new[] { "sqs:SendMessage" }));
    }

    [Test]
    public void DifferentStatementsUnderOneSid_Fail()
    {
        var policy = new PolicyDocument().Add(new PolicyStatement { Sid = "A", Actions = ["s3:GetObject"], Resources = ["arn:aws:s3:::b/*"] });

        var e = Assert.Throws<InvalidOperationException>(() => policy.Add(new PolicyStatement { Sid = "A", Actions = ["s3:PutObject"], Resources = ["arn:aws:s3:::b/*"] }));

        Assert.That(e!.Message, Does.Contain("'A' is used twice for different statements"));
    }
}
