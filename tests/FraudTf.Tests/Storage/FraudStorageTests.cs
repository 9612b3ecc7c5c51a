using System.Text.Json.Nodes;
using FraudTf.Storage;
using FraudTf.Tests.Support;

namespace FraudTf.Tests.Storage;

/// <summary>The storage composite alone on a fresh stack: what it builds from its config record, and nothing from elsewhere.</summary>
[TestFixture]
public class FraudStorageTests
{
    private static IReadOnlyList<string> Strings(JsonNode? node) =>
        node is JsonArray a ? a.Select(x => x!.GetValue<string>()).ToList() : node is null ? [] : [node.GetValue<string>()];

    [Test]
    public void TablesAndBuckets_AreNamedFromTheTargetsPrefixAndEnvironment()
    {
        var stack = new CompositeStack();
        _ = stack.Storage;
        var json = stack.Synth();

        Assert.Multiple(() =>
        {
            Assert.That(json.Resources("aws_dynamodb_table").Values.Select(t => t["name"]!.GetValue<string>()),
                Is.EquivalentTo(new[] { "acme-transactions-qa", "acme-decisions-qa", "acme-user-profiles-qa", "acme-patterns-qa" }));
            Assert.That(json.Resources("aws_s3_bucket").Values.Select(b => b["bucket"]!.GetValue<string>()), Is.EquivalentTo(new[]
            {
                "acme-access-logs-qa", "acme-audit-logs-qa", "acme-decision-trails-qa", "acme-quarantine-qa", "acme-models-qa", "acme-failed-batches-qa",
            }));
        });
    }

    [Test]
    public void EveryTable_IsEncryptedWithTheGivenDataKey_AndProtectedAsTheConfigSays()
    {
        foreach (var protect in new[] { true, false })
        {
            var stack = new CompositeStack();
            var storage = new FraudStorage(stack.Stack, "storage", stack.StorageConfig with
            {
                Protection = CompositeStack.Dev.Protection with { DeletionProtection = protect },
            });

            Assert.Multiple(() =>
            {
                Assert.That(storage.Tables.Select(t => t.Config.Key), Has.All.SameAs(stack.DataKey));
                Assert.That(storage.Tables.Select(t => t.Config.DeletionProtection), Has.All.EqualTo(protect));
                Assert.That(storage.Models.Config.DeletionProtection, Is.EqualTo(protect));
            });
        }
    }

    [Test]
    public void Quarantine_ExpiresAfterTheGivenDays_AuditLogsLockWithTheGivenMode()
    {
        var stack = new CompositeStack();
        var storage = new FraudStorage(stack.Stack, "storage", stack.StorageConfig with
        {
            QuarantineExpirationDays = 17,
            Protection = CompositeStack.Dev.Protection with { AuditLogLockMode = "GOVERNANCE" },
        });

        Assert.Multiple(() =>
        {
            Assert.That(storage.Quarantine.Config.ExpirationDays, Is.EqualTo(17));
            Assert.That(storage.AuditLogs.Config.ObjectLockMode, Is.EqualTo("GOVERNANCE"), "not the bucket's default (COMPLIANCE)");
            Assert.That(storage.Config.Target, Is.EqualTo(CompositeStack.Target));
        });
    }

    [Test]
    public void KnowledgeBaseDocuments_AreWritableOnlyByTheGivenWriters()
    {
        var stack = new CompositeStack();
        string[] writers = ["arn:aws:iam::111111111111:role/deployer"];
        _ = new FraudStorage(stack.Stack, "storage", stack.StorageConfig with { KnowledgeBaseWriters = writers });
        var json = stack.Synth();

        var deny = json.Resources("aws_s3_bucket_policy").Values
            .SelectMany(p => JsonNode.Parse(p["policy"]!.GetValue<string>())!["Statement"]!.AsArray())
            .Single(s => Strings(s!["Resource"]).Any(r => r.EndsWith("/knowledge-base/*", StringComparison.Ordinal)) && s!["Effect"]!.GetValue<string>() == "Deny")!;

        Assert.That(Strings(deny["Condition"]!["ArnNotEquals"]!["aws:PrincipalArn"]), Is.EqualTo(writers));
    }
}
