using System.Text.Json.Nodes;
using FraudTf.Config;
using FraudTf.Functions.Shared.Tables;
using FraudTf.Security;
using FraudTf.Storage;
using FraudTf.Streaming;
using FraudTf.Tests.Support;

namespace FraudTf.Tests.Security;

/// <summary>
/// The inputs the scorer and the agent trust accept writes only from their writers (issue 13, item 9): a resource
/// policy on each table and stream, and on the knowledge-base prefix of the models bucket, denies writes to every
/// principal but the named ones, and the named ones are exactly the roles the stack lets write there: a table or stream
/// names the grantees of its write grants (in the order of the grants), then the writers of the config.
/// </summary>
public class TrustedWritersTests
{

    private static JsonObject Stack(string env) => Synth.Shared.Stack($"fraud-detection-{env}");

    private static JsonNode Policy(JsonObject resource) => JsonNode.Parse(resource["policy"]!.GetValue<string>())!;

    private static IReadOnlyList<string> Strings(JsonNode? node) =>
        node is JsonArray a ? a.Select(x => x!.GetValue<string>()).ToList() : node is null ? [] : [node.GetValue<string>()];

    /// <summary>Role references (<c>${aws_iam_role.x.arn}</c>) whose inline policy allows one of <paramref name="actions"/> on <paramref name="resourceRef"/>.</summary>
    private static SortedSet<string> RolesAllowed(JsonObject stack, string resourceRef, IReadOnlyList<string> actions)
    {
        var roles = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var (_, rp) in stack.Resources("aws_iam_role_policy"))
        {
            var statements = Policy(rp)["Statement"]!.AsArray();
            if (statements.Any(s => s!["Effect"]!.GetValue<string>() == "Allow"
                                    && Strings(s["Action"]).Intersect(actions).Any()
                                    && Strings(s["Resource"]).Contains(resourceRef)))
            {
                var role = rp["role"]!.GetValue<string>(); // ${aws_iam_role.X.name} or .id
                roles.Add(role[..role.LastIndexOf('.')] + ".arn}");
            }
        }

        return roles;
    }

    private static readonly string[] ItemWrites =
        ["dynamodb:BatchWriteItem", "dynamodb:DeleteItem", "dynamodb:PartiQLDelete", "dynamodb:PartiQLInsert", "dynamodb:PartiQLUpdate", "dynamodb:PutItem", "dynamodb:UpdateItem"];

    [TestCaseSource(typeof(TestEnvironments), nameof(TestEnvironments.All))]
    public void EveryTable_DeniesItemWritesToAllButTheRolesGrantedThem(string env)
    {
        var stack = Stack(env);
        var config = EnvironmentConfigLoader.LoadAll(Repo.EnvironmentsDir).Single(c => c.Environment == env);
        var policies = stack.Resources("aws_dynamodb_resource_policy").Values.ToList();
        Assert.That(policies, Has.Count.EqualTo(stack.Resources("aws_dynamodb_table").Count), "one resource policy per table");

        foreach (var policy in policies)
        {
            var tableRef = policy["resource_arn"]!.GetValue<string>();
            var deny = Policy(policy)["Statement"]!.AsArray().Single()!;
            var named = new SortedSet<string>(Strings(deny["Condition"]?["ArnNotEquals"]?["aws:PrincipalArn"]), StringComparer.Ordinal);
            var granted = RolesAllowed(stack, tableRef, ItemWrites);
            var external = tableRef.Contains("patterns") ? config.Writers.Patterns : [];

            Assert.Multiple(() =>
            {
                Assert.That(deny["Effect"]!.GetValue<string>(), Is.EqualTo("Deny"));
                Assert.That(deny["Principal"]!.GetValue<string>(), Is.EqualTo("*"));
                Assert.That(Strings(deny["Action"]), Is.EquivalentTo(ItemWrites), tableRef);
                Assert.That(Strings(deny["Resource"]), Is.EqualTo(new[] { tableRef }));
                // A role granted writes but missing here would be denied at run time; one named here but not granted is a stale writer.
                Assert.That(named, Is.EquivalentTo(granted.Concat(external)), tableRef);
            });
        }
    }

    [TestCaseSource(typeof(TestEnvironments), nameof(TestEnvironments.All))]
    public void Streams_AcceptRecordsOnlyFromTheirProducers(string env)
    {
        var stack = Stack(env);
        var config = EnvironmentConfigLoader.LoadAll(Repo.EnvironmentsDir).Single(c => c.Environment == env);
        var byStream = stack.Resources("aws_kinesis_resource_policy").Values
            .ToDictionary(p => p["resource_arn"]!.GetValue<string>(), p => Policy(p)["Statement"]!.AsArray().Single()!);
        var streams = stack.Resources("aws_kinesis_stream").ToDictionary(s => s.Value["name"]!.GetValue<string>(), s => $"${{aws_kinesis_stream.{s.Key}.arn}}");

        var transactions = byStream[streams[$"fraud-detection-transactions-{env}"]];
        var events = byStream[streams[$"fraud-detection-events-{env}"]];
        Assert.Multiple(() =>
        {
            Assert.That(Strings(transactions["Action"]), Is.EquivalentTo(new[] { "kinesis:PutRecord", "kinesis:PutRecords" }));
            Assert.That(Strings(transactions["Condition"]!["ArnNotEquals"]!["aws:PrincipalArn"]), Is.EqualTo(config.Writers.Transactions));
            Assert.That(Strings(events["Condition"]!["ArnNotEquals"]!["aws:PrincipalArn"]),
                Is.EquivalentTo(RolesAllowed(stack, streams[$"fraud-detection-events-{env}"], ["kinesis:PutRecord", "kinesis:PutRecords"])));
        });
    }

    [TestCaseSource(typeof(TestEnvironments), nameof(TestEnvironments.All))]
    public void KnowledgeBaseDocuments_OnlyTheDeployerWritesThem(string env)
    {
        var stack = Stack(env);
        var config = EnvironmentConfigLoader.LoadAll(Repo.EnvironmentsDir).Single(c => c.Environment == env);
        var bucket = stack.Resources("aws_s3_bucket").Single(b => b.Value["bucket"]!.GetValue<string>() == $"fraud-detection-models-{env}");
        var policy = stack.Resources("aws_s3_bucket_policy").Values.Single(p => p["bucket"]!.GetValue<string>() == $"${{aws_s3_bucket.{bucket.Key}.id}}");
        var deny = Policy(policy)["Statement"]!.AsArray().Single(s => Strings(s!["Action"]).Contains("s3:PutObject"))!;
        var dataSourcePrefix = stack.Resources("aws_bedrockagent_data_source").Values.Single()["data_source_configuration"]![0]!
            ["s3_configuration"]![0]!["inclusion_prefixes"]![0]!.GetValue<string>();

        Assert.Multiple(() =>
        {
            Assert.That(deny["Effect"]!.GetValue<string>(), Is.EqualTo("Deny"));
            Assert.That(Strings(deny["Action"]), Is.EquivalentTo(new[] { "s3:DeleteObject", "s3:DeleteObjectVersion", "s3:PutObject" }));
            var resource = Strings(deny["Resource"]).Single();
            Assert.That(resource, Does.EndWith("/knowledge-base/*"));
            Assert.That(dataSourcePrefix, Does.StartWith("knowledge-base/"), "the data source reads inside the protected prefix");
            Assert.That(Strings(deny["Condition"]!["ArnNotEquals"]!["aws:PrincipalArn"]), Is.EqualTo(config.Writers.KnowledgeBase));
        });
    }

    /// <summary>A role for the construct tests below: its own policy and ARN.</summary>
    private sealed record Role(string Name) : IGrantee
    {
        public string GranteeName => Name;

        public PolicyDocument Policy { get; } = new();

        public string RoleArn => $"arn:aws:iam::111111111111:role/{Name}";
    }

    private static (TerraformStack Stack, EncryptionKey Key) NewStack()
    {
        var stack = new TerraformStack(new App(), "test");
        return (stack, new EncryptionKey(stack, "key", new EncryptionKeyConfig { AliasName = "k", Description = "test", AccountId = "111111111111" }));
    }

    private static DataTable NewTable(TerraformStack stack, EncryptionKey key) => new(stack, "table", new DataTableConfig
    {
        Schema = FraudTables.Decisions,
        TableName = "fraud-detection-decisions-test",
        Key = key,
        Region = "us-east-1",
    });

    private static DataStream NewStream(TerraformStack stack, EncryptionKey key) => new(stack, "stream", new DataStreamConfig
    {
        StreamName = "fraud-detection-events-test",
        Key = key,
        Region = "us-east-1",
        RetentionHours = 24,
    });

    /// <summary>The principals the single writers policy of type <paramref name="type"/> lets write.</summary>
    private static IReadOnlyList<string> Restriction(TerraformStack stack, string type)
    {
        var policy = JsonNode.Parse(Testing.Synth(stack))!.AsObject().Resources(type).Values.Single();
        var deny = Policy(policy)["Statement"]!.AsArray().Single()!;
        return Strings(deny["Condition"]?["ArnNotEquals"]?["aws:PrincipalArn"]);
    }

    [Test]
    public void TableRestriction_NamesTheWriteGranteesInGrantOrder_ThenTheExtraWriters_NotTheReaders()
    {
        var (stack, key) = NewStack();
        var table = NewTable(stack, key);
        table.Grant(new Role("reader"), TableAccess.GetItem | TableAccess.Query);
        table.Grant(new Role("second"), TableAccess.PutItem);
        table.Grant(new Role("first"), TableAccess.GetItem | TableAccess.UpdateItem, ["reason"]);

        table.RestrictWritesToGrantees(["arn:aws:iam::111111111111:role/outside"], "who writes");

        Assert.Multiple(() =>
        {
            Assert.That(table.WriteGrantees.Select(g => g.GranteeName), Is.EqualTo(new[] { "second", "first" }));
            Assert.That(Restriction(stack, "aws_dynamodb_resource_policy"), Is.EqualTo(new[]
            {
                "arn:aws:iam::111111111111:role/second", "arn:aws:iam::111111111111:role/first", "arn:aws:iam::111111111111:role/outside",
            }));
        });
    }

    [Test]
    public void TableWriteGrant_AfterTheRestriction_FailsNamingTheFix()
    {
        var (stack, key) = NewStack();
        var table = NewTable(stack, key);
        table.RestrictWritesToGrantees([], "nobody");

        var e = Assert.Throws<InvalidOperationException>(() => table.Grant(new Role("late"), TableAccess.PutItem));
        Assert.That(e!.Message, Does.Contain("write grant to late after RestrictWritesToGrantees").And.Contain("Fix: make every grant before restricting the writers."));
        Assert.DoesNotThrow(() => table.Grant(new Role("reader"), TableAccess.GetItem), "a read grant changes no restriction");
    }

    [Test]
    public void TableRestriction_CalledTwice_Fails()
    {
        var (stack, key) = NewStack();
        var table = NewTable(stack, key);
        table.RestrictWritesToGrantees([], "nobody");

        Assert.Throws<InvalidOperationException>(() => table.RestrictWritesToGrantees([], "again"));
    }

    [Test]
    public void StreamRestriction_NamesEachWriteGranteeOnce_ThenTheExtraProducers_NotTheReaders()
    {
        var (stack, key) = NewStack();
        var stream = NewStream(stack, key);
        var producer = new Role("producer");
        stream.GrantRead(new Role("consumer"));
        stream.GrantWrite(producer);
        stream.GrantWrite(producer);

        stream.RestrictWritesToGrantees(["arn:aws:iam::111111111111:role/outside"], "the producers");

        Assert.That(Restriction(stack, "aws_kinesis_resource_policy"), Is.EqualTo(new[] { producer.RoleArn, "arn:aws:iam::111111111111:role/outside" }));
    }

    [Test]
    public void StreamWriteGrant_AfterTheRestriction_FailsNamingTheFix()
    {
        var (stack, key) = NewStack();
        var stream = NewStream(stack, key);
        stream.RestrictWritesToGrantees([], "nobody");

        var e = Assert.Throws<InvalidOperationException>(() => stream.GrantWrite(new Role("late")));
        Assert.That(e!.Message, Does.Contain("write grant to late after RestrictWritesToGrantees").And.Contain("Fix: make every grant before restricting the producers."));
    }

    [Test]
    public void MissingWriters_FailsNamingTheFieldAndTheFix()
    {
        var errors = ConfigFixture.Errors(ConfigFixture.Folder("dev", j => j.Remove("writers")));

        Assert.That(errors.Single(), Does.StartWith("environments/dev.json: field 'writers'").And.Contain("Fix: add \"writers\""));
    }

    [TestCase("arn:aws:iam::111111111111:role/*", "must be an IAM role or user ARN")]
    [TestCase("arn:aws:iam::999999999999:role/producer", "is not in the environment's account 111111111111")]
    [TestCase("arn:aws:sts::111111111111:assumed-role/producer/session", "must be an IAM role or user ARN")]
    public void AWrongTransactionsWriter_FailsWithTheValueAndTheFix(string arn, string problem)
    {
        var errors = ConfigFixture.Errors(ConfigFixture.Folder("dev", j => j["writers"]!["transactions"] = new JsonArray(arn)));

        Assert.That(errors.Single(), Does.StartWith("environments/dev.json: field 'writers.transactions[0]'").And.Contain(arn).And.Contain(problem).And.Contain("Fix:"));
    }

    [Test]
    public void NoProducer_IsAnError_ButNoPatternWriterIsAllowed()
    {
        var errors = ConfigFixture.Errors(ConfigFixture.Folder("dev", j => j["writers"]!["transactions"] = new JsonArray()));
        var noPatterns = ConfigFixture.Load("dev", j => j["writers"]!["patterns"] = new JsonArray());

        Assert.That(errors.Single(), Does.StartWith("environments/dev.json: field 'writers.transactions'").And.Contain("non-empty"));
        Assert.That(noPatterns.Writers.Patterns, Is.Empty);
    }

    [Test]
    public void ADuplicateWriter_IsAnError()
    {
        const string arn = "arn:aws:iam::111111111111:role/analyst";
        var errors = ConfigFixture.Errors(ConfigFixture.Folder("dev", j => j["writers"]!["patterns"] = new JsonArray(arn, arn)));

        Assert.That(errors.Single(), Does.StartWith("environments/dev.json: field 'writers.patterns'").And.Contain("lists a principal twice"));
    }
}
