using FraudTf.Functions.Shared.Tables;
using FraudTf.Security;
using FraudTf.Storage;
using FraudTf.Tests.Support;

namespace FraudTf.Tests.Storage;

/// <summary><see cref="DataTable"/> alone on a fresh stack: its defaults, options, validations and grants.</summary>
[TestFixture]
public class DataTableTests
{
    private static DataTableConfig Config(FreshStack s, TableSchema? schema = null) => new()
    {
        Schema = schema ?? FraudTables.Decisions,
        TableName = "fraud-detection-decisions-test",
        Key = s.Key(),
        Region = "us-east-1",
    };

    [Test]
    public void Defaults_AreProtective_KeyPointInTimeRecoveryAndDeletionProtection()
    {
        var s = new FreshStack();
        var config = Config(s);
        _ = new DataTable(s.Stack, "t", config);

        var table = s.Single("aws_dynamodb_table");

        Assert.Multiple(() =>
        {
            Assert.That(table["name"]!.GetValue<string>(), Is.EqualTo("fraud-detection-decisions-test"));
            Assert.That(table["billing_mode"]!.GetValue<string>(), Is.EqualTo("PAY_PER_REQUEST"));
            Assert.That(table["server_side_encryption"]!["enabled"]!.GetValue<bool>(), Is.True);
            Assert.That(table["server_side_encryption"]!["kms_key_arn"]!.GetValue<string>(), Is.EqualTo(s.Resolve(config.Key.KeyArn)));
            Assert.That(table["point_in_time_recovery"]!["enabled"]!.GetValue<bool>(), Is.True);
            Assert.That(table["deletion_protection_enabled"]!.GetValue<bool>(), Is.True);
            Assert.That(table["lifecycle"]!["prevent_destroy"]!.GetValue<bool>(), Is.True);
        });
    }

    [Test]
    public void DeletionProtectionOff_DropsBothDeletionProtectionAndPreventDestroy()
    {
        var s = new FreshStack();
        _ = new DataTable(s.Stack, "t", Config(s) with { DeletionProtection = false });

        var table = s.Single("aws_dynamodb_table");

        Assert.That(table["deletion_protection_enabled"]!.GetValue<bool>(), Is.False);
        Assert.That(table["lifecycle"], Is.Null);
    }

    [Test]
    public void PointInTimeRecoveryOff_IsWrittenOut()
    {
        var s = new FreshStack();
        _ = new DataTable(s.Stack, "t", Config(s) with { PointInTimeRecovery = false });

        Assert.That(s.Single("aws_dynamodb_table")["point_in_time_recovery"]!["enabled"]!.GetValue<bool>(), Is.False);
    }

    [Test]
    public void Schema_GivesKeysIndexesTtlAndStream()
    {
        var s = new FreshStack();
        _ = new DataTable(s.Stack, "t", Config(s, FraudTables.Decisions));

        var table = s.Single("aws_dynamodb_table");

        Assert.Multiple(() =>
        {
            Assert.That(table["hash_key"]!.GetValue<string>(), Is.EqualTo(FraudTables.Decisions.PartitionKey.Name));
            Assert.That(table["global_secondary_index"]!.AsArray(), Has.Count.EqualTo(FraudTables.Decisions.Indexes.Count));
            Assert.That(table["stream_enabled"]!.GetValue<bool>(), Is.EqualTo(FraudTables.Decisions.StreamViewType is not null));
            Assert.That(table["ttl"]?["attribute_name"]?.GetValue<string>(), Is.EqualTo(FraudTables.Decisions.TtlAttribute));
        });
    }

    [Test]
    public void TableName_IsTheConfiguredLiteral_NotAReference()
    {
        var s = new FreshStack();
        var table = new DataTable(s.Stack, "t", Config(s));

        Assert.That(table.TableName, Is.EqualTo("fraud-detection-decisions-test"));
        Assert.That(s.Resolve(table.Table.Name), Does.StartWith("${aws_dynamodb_table."), "the escape hatch is the reference");
    }

    [Test]
    public void MoreThanTwentyIndexes_FailWithTheLimit()
    {
        var s = new FreshStack();
        var schema = FraudTables.UserProfiles with
        {
            Indexes = Enumerable.Range(0, 21).Select(i => new IndexSchema($"i{i}", new KeyAttribute($"a{i}", "S"), null, "KEYS_ONLY", [])).ToList(),
        };

        var e = Assert.Throws<ArgumentException>(() => new DataTable(s.Stack, "t", Config(s, schema)));

        Assert.That(e!.Message, Does.Contain("DataTable 't': 21 global secondary indexes. Fix: DynamoDB allows at most 20."));
    }

    [Test]
    public void IncludeProjectionWithoutAttributes_Fails()
    {
        var s = new FreshStack();
        var schema = FraudTables.UserProfiles with { Indexes = [new IndexSchema("byX", new KeyAttribute("x", "S"), null, "INCLUDE", [])] };

        var e = Assert.Throws<ArgumentException>(() => new DataTable(s.Stack, "t", Config(s, schema)));

        Assert.That(e!.Message, Does.Contain("index byX has projection INCLUDE but no attributes. Fix: list them or use KEYS_ONLY."));
    }

    [Test]
    public void StreamArn_OfATableWithoutStream_FailsWithAFix()
    {
        var s = new FreshStack();
        var table = new DataTable(s.Stack, "t", Config(s, FraudTables.UserProfiles));

        var e = Assert.Throws<InvalidOperationException>(() => _ = table.StreamArn);

        Assert.That(e!.Message, Does.Contain("has no stream. Fix: set StreamViewType in its schema."));
    }

    [Test]
    public void Grant_AllowsExactlyTheNamedOperations_ReadsOnTableAndIndexes_WritesOnTable_KeyViaDynamoDbOnly()
    {
        var s = new FreshStack();
        var table = new DataTable(s.Stack, "t", Config(s, FraudTables.Transactions) with { TableName = "t", Region = "eu-west-1" });
        var policy = new PolicyDocument();

        var grant = table.Grant(new TestGrantee(policy), TableAccess.BatchGetItem | TableAccess.Query | TableAccess.PutItem);

        Assert.That(grant.Statements, Is.EqualTo(policy.Statements), "the grant returns every statement it added: reads, writes, the key");
        Assert.That(grant.Actions, Does.Contain("dynamodb:PutItem").And.Contain("kms:GenerateDataKey"));
        Assert.That(grant.Grantee.GranteeName, Is.EqualTo("test-role"));
        var read = policy.Statements.Single(st => st.Sid == "TransactionsTableRead");
        var write = policy.Statements.Single(st => st.Sid == "TransactionsTableWrite");
        var writeKey = policy.Statements.Single(st => st.Sid == "TransactionsTableKey");
        Assert.Multiple(() =>
        {
            Assert.That(read.Actions, Is.EqualTo(new[] { "dynamodb:BatchGetItem", "dynamodb:Query" }));
            Assert.That(read.Resources, Has.Count.EqualTo(2), "Query also reaches the indexes");
            Assert.That(read.Resources[1], Does.EndWith("/index/*"));
            Assert.That(write.Actions, Is.EqualTo(new[] { "dynamodb:PutItem" }), "no UpdateItem, DeleteItem or BatchWriteItem the code doesn't call");
            Assert.That(write.Resources, Has.Count.EqualTo(1));
            Assert.That(write.Conditions, Is.Empty);
            Assert.That(s.Resolve(writeKey.Resources.Single()), Is.EqualTo(s.Resolve(table.Config.Key.KeyArn)).And.StartsWith("${aws_kms_key."));
            Assert.That(writeKey.Actions, Does.Contain("kms:GenerateDataKey"), "writes encrypt");
            Assert.That(writeKey.Conditions.Single().Key, Is.EqualTo("kms:ViaService"));
            Assert.That(writeKey.Conditions.Single().Values.Single(), Is.EqualTo("dynamodb.eu-west-1.amazonaws.com"));
            Assert.That(policy.Statements.SelectMany(st => st.Actions), Has.None.Contains("*").And.None.Contains("DescribeTable"));
        });
    }

    [Test]
    public void Grant_ReadOnlyWithoutQuery_IsOnTheTableOnlyWithADecryptOnlyKey()
    {
        var s = new FreshStack();
        var table = new DataTable(s.Stack, "t", Config(s, FraudTables.Transactions));
        var policy = new PolicyDocument();

        table.Grant(new TestGrantee(policy), TableAccess.GetItem);

        Assert.That(policy.Statements.Single(st => st.Sid == "TransactionsTableRead").Resources, Has.Count.EqualTo(1));
        Assert.That(policy.Statements.Any(st => st.Sid == "TransactionsTableWrite"), Is.False);
        Assert.That(policy.Statements.Single(st => st.Sid == "TransactionsTableKey").Actions, Is.EquivalentTo(new[] { "kms:Decrypt", "kms:DescribeKey" }));
    }

    [Test]
    public void Grant_WithWritableAttributes_ConditionsTheWritesOnThemPlusEveryKeyAttribute()
    {
        var s = new FreshStack();
        var table = new DataTable(s.Stack, "t", Config(s, FraudTables.Decisions));
        var policy = new PolicyDocument();

        table.Grant(new TestGrantee(policy), TableAccess.GetItem | TableAccess.PutItem, ["reason", "decision"]);

        var condition = policy.Statements.Single(st => st.Sid == "DecisionsTableWrite").Conditions.Single();
        Assert.Multiple(() =>
        {
            Assert.That(condition.Operator, Is.EqualTo("ForAllValues:StringEquals"));
            Assert.That(condition.Key, Is.EqualTo("dynamodb:Attributes"));
            // DynamoDB requires the table's and its indexes' key attributes in the list (developer guide, fine-grained access control).
            Assert.That(condition.Values, Is.EqualTo(new[] { "decidedAt", "decision", "decisionKey", "reason", "transactionId", "userId" }));
            Assert.That(policy.Statements.Single(st => st.Sid == "DecisionsTableRead").Conditions, Is.Empty, "reads are not restricted");
        });
    }

    [Test]
    public void Grant_Mistakes_FailWithAFix()
    {
        var s = new FreshStack();
        var table = new DataTable(s.Stack, "t", Config(s, FraudTables.Decisions));

        Assert.That(() => table.Grant(new TestGrantee(new PolicyDocument()), TableAccess.None),
            Throws.ArgumentException.With.Message.Contains("Grant with no access. Fix:"));
        Assert.That(() => table.Grant(new TestGrantee(new PolicyDocument()), TableAccess.GetItem, ["decision"]),
            Throws.ArgumentException.With.Message.Contains("writable attributes given without a write operation"));
        Assert.That(() => table.Grant(new TestGrantee(new PolicyDocument()), TableAccess.PutItem, [" "]),
            Throws.ArgumentException.With.Message.Contains("empty or holds a blank name"));
        var policy = new PolicyDocument();
        table.Grant(new TestGrantee(policy), TableAccess.GetItem);
        Assert.That(() => table.Grant(new TestGrantee(policy), TableAccess.PutItem), Throws.InvalidOperationException.With.Message.Contains("granted twice"));
    }

    [Test]
    public void GrantStreamRead_AllowsOnlyStreamActionsOnTheStream()
    {
        var s = new FreshStack();
        var table = new DataTable(s.Stack, "t", Config(s, FraudTables.Decisions));
        var policy = new PolicyDocument();

        table.GrantStreamRead(new TestGrantee(policy));

        var stream = policy.Statements.Single(st => st.Sid == "DecisionsTableStreamRead");
        Assert.That(stream.Actions, Is.EquivalentTo(new[] { "dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator", "dynamodb:ListStreams" }));
        Assert.That(s.Resolve(stream.Resources.Single()), Is.EqualTo(s.Resolve(table.StreamArn)).And.EndsWith(".stream_arn}"));
    }

    [Test]
    public void RestrictWritesToGrantees_DeniesItemWritesToEveryoneElse_AndOnlyOnce()
    {
        var s = new FreshStack();
        var table = new DataTable(s.Stack, "t", Config(s));

        table.RestrictWritesToGrantees(["arn:aws:iam::111111111111:role/writer"], "the test writer");

        var policy = s.Single("aws_dynamodb_resource_policy");
        Assert.That(policy["//"]!["writers"]!.GetValue<string>(), Is.EqualTo("the test writer"));
        Assert.That(policy["policy"]!.GetValue<string>(), Does.Contain("\"Deny\"").And.Contain("arn:aws:iam::111111111111:role/writer"));
        Assert.That(() => table.RestrictWritesToGrantees([], "again"), Throws.InvalidOperationException.With.Message.Contains("RestrictWritesToGrantees was already called. Fix:"));
    }

    [Test]
    public void Metrics_CarryTheConfiguredTableNameAsDimension()
    {
        var s = new FreshStack();
        var table = new DataTable(s.Stack, "t", Config(s));

        Assert.That(table.MetricReadThrottles().Dimensions["TableName"], Is.EqualTo("fraud-detection-decisions-test"));
    }
}
