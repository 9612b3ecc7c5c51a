using System.Text.Json.Nodes;
using FraudTf.Promotion.Comparison;

namespace FraudTf.Promotion.Tests.Comparison;

/// <summary>Expected and unexpected differences, blocks in one stack only, Lambda artifacts, accepted differences.</summary>
public class StackComparerTests
{
    private static readonly IReadOnlyList<Substitution> Subs =
    [
        new("environment", "staging", "prod"),
        new("functions.streamProcessor.memoryMb", "512", "1024"),
        new("protection.deletionProtection", "false", "true"),
    ];

    private static JsonObject Stack(string env, int memory = 512, string hash = "H1", bool protect = false, string? extra = null)
    {
        var s = JsonNode.Parse($$"""
            {
              "//": { "metadata": { "stackName": "fraud-detection-{{env}}" } },
              "resource": {
                "aws_lambda_function": { "fn": { "function_name": "sp-{{env}}", "memory_size": {{memory}}, "filename": "assets/fn/sp.zip",
                                                  "source_code_hash": "{{hash}}", "//": { "metadata": { "path": "fraud-detection-{{env}}/fn" } } } },
                "aws_dynamodb_table": { "t": { "name": "t-{{env}}", "billing_mode": "PAY_PER_REQUEST" } }
              }
            }
            """)!.AsObject();
        if (protect)
        {
            s["resource"]!["aws_dynamodb_table"]!["t"]!["lifecycle"] = new JsonObject { ["prevent_destroy"] = true };
        }

        if (extra is not null)
        {
            s["resource"]!["aws_sqs_queue"] = new JsonObject { [extra] = new JsonObject { ["name"] = "q" } };
        }

        return s;
    }

    private static StackComparison Compare(JsonObject a, JsonObject b, IReadOnlyList<AcceptedDifference>? accepted = null,
        Func<bool, string, string?>? zip = null) =>
        StackComparer.Compare("staging", "prod", a, b, Subs, zip ?? ((_, _) => "Z"), accepted);

    [Test]
    public void DifferencesExplainedByConfigAreExpected()
    {
        var c = Compare(Stack("staging"), Stack("prod", memory: 1024, protect: true));
        Assert.That(c.Passed, Is.True);
        Assert.That(c.Differences.Select(d => (d.Address, d.Path, d.Expected)), Is.EquivalentTo(new[]
        {
            ("aws_dynamodb_table.t", "lifecycle.prevent_destroy", true), // absent (false) -> true: protection.deletionProtection
            ("aws_dynamodb_table.t", "name", true),
            ("aws_lambda_function.fn", "function_name", true),
            ("aws_lambda_function.fn", "memory_size", true),
        }));
        Assert.That(c.Differences.Single(d => d.Path == "memory_size").ExplainedBy.Single().Field, Is.EqualTo("functions.streamProcessor.memoryMb"));
    }

    [Test]
    public void CdktfMetadataIsNotCompared()
    {
        var c = Compare(Stack("staging"), Stack("prod", memory: 1024));
        Assert.That(c.Differences.Select(d => d.Path), Has.None.Contains("//"));
    }

    [Test]
    public void AValueNoConfigExplainsIsUnexpected()
    {
        var c = Compare(Stack("staging"), Stack("prod", memory: 2048));
        Assert.That(c.Passed, Is.False);
        var d = c.Unexpected.Single();
        Assert.That((d.Address, d.Path, d.From, d.To), Is.EqualTo(("aws_lambda_function.fn", "memory_size", "512", "2048")));
        Assert.That(c.UnexpectedCount, Is.EqualTo(1));
    }

    [Test]
    public void ABlockInOneStackOnlyIsUnexpected()
    {
        var c = Compare(Stack("staging", extra: "dlq"), Stack("prod", memory: 1024, extra: "queue"));
        Assert.That(c.OnlyInFrom, Is.EqualTo(new[] { "aws_sqs_queue.dlq" }));
        Assert.That(c.OnlyInTo, Is.EqualTo(new[] { "aws_sqs_queue.queue" }));
        Assert.That(c.UnexpectedCount, Is.EqualTo(2));
    }

    [Test]
    public void IdenticalArtifactsPass()
    {
        var c = Compare(Stack("staging"), Stack("prod", memory: 1024));
        var a = c.Artifacts.Single();
        Assert.That((a.Address, a.FromHash, a.ToHash, a.Identical), Is.EqualTo(("aws_lambda_function.fn", "H1", "H1", true)));
    }

    [Test]
    public void ADifferentSourceCodeHashIsUnexpected()
    {
        var c = Compare(Stack("staging"), Stack("prod", memory: 1024, hash: "H2"));
        Assert.That(c.Artifacts.Single().Identical, Is.False);
        Assert.That(c.Passed, Is.False);
        // Reported once, as an artifact, not again as a value difference.
        Assert.That(c.Differences.Select(d => d.Path), Has.None.EqualTo("source_code_hash"));
    }

    [Test]
    public void AZipWhoseBytesDifferIsUnexpectedEvenWithTheSameHashField()
    {
        var c = Compare(Stack("staging"), Stack("prod", memory: 1024), zip: (isFrom, _) => isFrom ? "Z1" : "Z2");
        Assert.That(c.Artifacts.Single().Identical, Is.False);
    }

    [Test]
    public void AMissingZipIsNotIdentical()
    {
        var c = Compare(Stack("staging"), Stack("prod", memory: 1024), zip: (_, _) => null);
        Assert.That(c.Artifacts.Single().Identical, Is.False);
    }

    [Test]
    public void AnAcceptedDifferenceIsExpectedOnlyForItsTargetAndValue()
    {
        var accepted = new AcceptedDifference("aws_lambda_function.*", "memory_size", "prod", "2048", "prod needs more memory for its traffic peaks");
        var c = Compare(Stack("staging"), Stack("prod", memory: 2048), [accepted]);
        Assert.That(c.Passed, Is.True);
        Assert.That(c.Differences.Single(d => d.Path == "memory_size").Accepted, Is.SameAs(accepted));

        var other = Compare(Stack("staging"), Stack("prod", memory: 4096), [accepted]);
        Assert.That(other.Passed, Is.False, "a different value is not covered");
        var wrongTarget = StackComparer.Compare("dev", "staging", Stack("staging"), Stack("prod", memory: 2048), Subs, (_, _) => "Z", [accepted]);
        Assert.That(wrongTarget.Passed, Is.False, "another target environment is not covered");
    }
}
