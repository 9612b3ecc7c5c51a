using System.Text.Json.Nodes;
using FraudTf.Config;
using FraudTf.Tests.Support;

namespace FraudTf.Tests.Security;

/// <summary>
/// The inputs the scorer and the agent trust accept writes only from their writers (issue 13, item 9): a resource
/// policy on each table and stream, and on the knowledge-base prefix of the models bucket, denies writes to every
/// principal but the named ones, and the named ones are exactly the roles the stack lets write there.
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
