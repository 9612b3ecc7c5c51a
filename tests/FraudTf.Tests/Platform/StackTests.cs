using System.Text.Json.Nodes;
using FraudTf.Tests.Support;

namespace FraudTf.Tests.Platform;

[TestFixture]
public class StackTests
{
    private static readonly Dictionary<string, string> Accounts = new() { ["dev"] = "111111111111", ["staging"] = "222222222222", ["prod"] = "333333333333" };

    [Test]
    public void Synth_ProducesOneStackPerEnvironmentPlusItsBootstrapStack()
    {
        Assert.That(Synth.Shared.Stacks.Keys, Is.EquivalentTo(new[]
        {
            "fraud-detection-dev", "fraud-detection-staging", "fraud-detection-prod",
            "fraud-detection-bootstrap-dev", "fraud-detection-bootstrap-staging", "fraud-detection-bootstrap-prod",
        }));
    }

    [TestCaseSource(typeof(TestEnvironments), nameof(TestEnvironments.All))]
    public void Backend_IsS3WithPerEnvironmentKeyEncryptionAndBothLocks(string env)
    {
        var s3 = Synth.Shared.Stack($"fraud-detection-{env}")["terraform"]!["backend"]!["s3"]!;

        Assert.Multiple(() =>
        {
            Assert.That(s3["key"]!.GetValue<string>(), Is.EqualTo($"fraud-detection/{env}/terraform.tfstate"));
            Assert.That(s3["bucket"]!.GetValue<string>(), Is.EqualTo($"fraud-detection-tfstate-{Accounts[env]}-{env}"));
            Assert.That(s3["region"]!.GetValue<string>(), Is.EqualTo("us-east-1"));
            Assert.That(s3["encrypt"]!.GetValue<bool>(), Is.True);
            Assert.That(s3["kms_key_id"]!.GetValue<string>(), Is.EqualTo($"alias/fraud-detection-tfstate-{env}"));
            Assert.That(s3["dynamodb_table"]!.GetValue<string>(), Is.EqualTo($"fraud-detection-tflock-{env}"));
            Assert.That(s3["use_lockfile"]!.GetValue<bool>(), Is.True);
        });
    }

    [Test]
    public void BackendKeys_AreDistinctAcrossEnvironments()
    {
        var keys = TestEnvironments.All.Select(e => Synth.Shared.Stack($"fraud-detection-{e}")["terraform"]!["backend"]!["s3"]!["key"]!.GetValue<string>()).ToList();

        Assert.That(keys, Is.Unique);
    }

    [TestCaseSource(typeof(TestEnvironments), nameof(TestEnvironments.All))]
    public void Provider_PinsAllowedAccountAndDefaultTags(string env)
    {
        foreach (var name in new[] { $"fraud-detection-{env}", $"fraud-detection-bootstrap-{env}" })
        {
            var aws = Synth.Shared.Stack(name)["provider"]!["aws"]!.AsArray().Single()!;
            var tags = aws["default_tags"]!.AsArray().Single()!["tags"]!.AsObject();

            Assert.Multiple(() =>
            {
                Assert.That(aws["allowed_account_ids"]!.AsArray().Select(a => a!.GetValue<string>()), Is.EqualTo(new[] { Accounts[env] }), name);
                Assert.That(aws["region"]!.GetValue<string>(), Is.EqualTo("us-east-1"));
                Assert.That(tags["project"]!.GetValue<string>(), Is.EqualTo("fraud-detection"));
                Assert.That(tags["environment"]!.GetValue<string>(), Is.EqualTo(env));
                Assert.That(tags["managed-by"]!.GetValue<string>(), Is.EqualTo("cdktf"));
                Assert.That(tags["cost-centre"]!.GetValue<string>(), Is.EqualTo("fraud-platform"));
            });
        }
    }

    [TestCaseSource(typeof(TestEnvironments), nameof(TestEnvironments.All))]
    public void Terraform_RequiresAVersionWithS3NativeLockingAndTheHashicorpAwsProvider(string env)
    {
        var terraform = Synth.Shared.Stack($"fraud-detection-{env}")["terraform"]!;

        Assert.That(terraform["required_version"]!.GetValue<string>(), Is.EqualTo(">= 1.10.0"));
        Assert.That(terraform["required_providers"]!["aws"]!["source"]!.GetValue<string>(), Is.EqualTo("hashicorp/aws"));
        // Plan-time provider, not the bindings' schema version: dotnet10 is accepted from 6.27.0 on.
        Assert.That(terraform["required_providers"]!["aws"]!["version"]!.GetValue<string>(), Is.EqualTo(">= 6.27.0, < 7.0.0"));
    }

    [TestCaseSource(typeof(TestEnvironments), nameof(TestEnvironments.All))]
    public void Bootstrap_UsesLocalState(string env)
    {
        var backend = Synth.Shared.Stack($"fraud-detection-bootstrap-{env}")["terraform"]!["backend"]!.AsObject();

        Assert.That(backend.Select(p => p.Key), Is.EqualTo(new[] { "local" }));
        Assert.That(backend["local"]!["path"]!.GetValue<string>(), Is.EqualTo($"terraform.fraud-detection-bootstrap-{env}.tfstate"));
    }

    [TestCaseSource(typeof(TestEnvironments), nameof(TestEnvironments.All))]
    public void Bootstrap_StateBucketIsVersionedKmsEncryptedTlsOnlyPrivateAndProtected(string env)
    {
        var stack = Synth.Shared.Stack($"fraud-detection-bootstrap-{env}");
        var bucket = stack.Resource("aws_s3_bucket", "/state/this");
        var keyAddress = stack.Address("aws_kms_key", "/state-key/this");

        Assert.Multiple(() =>
        {
            Assert.That(bucket["bucket"]!.GetValue<string>(), Is.EqualTo($"fraud-detection-tfstate-{Accounts[env]}-{env}"));
            Assert.That(bucket["lifecycle"]!["prevent_destroy"]!.GetValue<bool>(), Is.True);
            Assert.That(bucket["force_destroy"]!.GetValue<bool>(), Is.False);
            Assert.That(stack.Resource("aws_s3_bucket_versioning", "/state/versioning")["versioning_configuration"]!["status"]!.GetValue<string>(), Is.EqualTo("Enabled"));
            var sse = stack.Resource("aws_s3_bucket_server_side_encryption_configuration", "/state/encryption")["rule"]!.AsArray().Single()!;
            Assert.That(sse["apply_server_side_encryption_by_default"]!["sse_algorithm"]!.GetValue<string>(), Is.EqualTo("aws:kms"));
            Assert.That(sse["apply_server_side_encryption_by_default"]!["kms_master_key_id"]!.GetValue<string>(), Is.EqualTo($"${{{keyAddress}.arn}}"));
            Assert.That(sse["bucket_key_enabled"]!.GetValue<bool>(), Is.True);
            var pab = stack.Resource("aws_s3_bucket_public_access_block", "/state/public-access-block");
            foreach (var setting in new[] { "block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets" })
            {
                Assert.That(pab[setting]!.GetValue<bool>(), Is.True, setting);
            }

            var policy = JsonNode.Parse(stack.Resource("aws_s3_bucket_policy", "/state/policy")["policy"]!.GetValue<string>())!;
            var deny = policy["Statement"]!.AsArray().Single(s => s!["Sid"]!.GetValue<string>() == "DenyInsecureTransport")!;
            Assert.That(deny["Effect"]!.GetValue<string>(), Is.EqualTo("Deny"));
            Assert.That(deny["Condition"]!["Bool"]!["aws:SecureTransport"]!.GetValue<string>(), Is.EqualTo("false"));
        });
    }

    [TestCaseSource(typeof(TestEnvironments), nameof(TestEnvironments.All))]
    public void Bootstrap_LockTableHasLockIdKeyKmsPitrAndProtection(string env)
    {
        var stack = Synth.Shared.Stack($"fraud-detection-bootstrap-{env}");
        var table = stack.Resource("aws_dynamodb_table", "/lock-table");

        Assert.Multiple(() =>
        {
            Assert.That(table["name"]!.GetValue<string>(), Is.EqualTo($"fraud-detection-tflock-{env}"));
            Assert.That(table["hash_key"]!.GetValue<string>(), Is.EqualTo("LockID"));
            Assert.That(table["attribute"]!.AsArray().Single()!["type"]!.GetValue<string>(), Is.EqualTo("S"));
            Assert.That(table["billing_mode"]!.GetValue<string>(), Is.EqualTo("PAY_PER_REQUEST"));
            Assert.That(table["server_side_encryption"]!["enabled"]!.GetValue<bool>(), Is.True);
            Assert.That(table["server_side_encryption"]!["kms_key_arn"]!.GetValue<string>(), Does.StartWith("${aws_kms_key."));
            Assert.That(table["point_in_time_recovery"]!["enabled"]!.GetValue<bool>(), Is.True);
            Assert.That(table["deletion_protection_enabled"]!.GetValue<bool>(), Is.True);
            Assert.That(table["lifecycle"]!["prevent_destroy"]!.GetValue<bool>(), Is.True);
        });
    }

    [TestCaseSource(typeof(TestEnvironments), nameof(TestEnvironments.All))]
    public void Bootstrap_StateKeyRotatesAndHasAliasFromConfig(string env)
    {
        var stack = Synth.Shared.Stack($"fraud-detection-bootstrap-{env}");
        var key = stack.Resource("aws_kms_key", "/state-key/this");
        var alias = stack.Resource("aws_kms_alias", "/state-key/alias");
        var policy = JsonNode.Parse(key["policy"]!.GetValue<string>())!;

        Assert.Multiple(() =>
        {
            Assert.That(key["enable_key_rotation"]!.GetValue<bool>(), Is.True);
            Assert.That(alias["name"]!.GetValue<string>(), Is.EqualTo($"alias/fraud-detection-tfstate-{env}"));
            foreach (var s in policy["Statement"]!.AsArray())
            {
                Assert.That(s!["Principal"]!.ToJsonString(), Does.Not.Contain("\"*\""), "no wildcard principal in a key policy");
                Assert.That(s["Action"]!.ToJsonString(), Does.Not.Contain("kms:*"));
            }

            Assert.That(policy["Statement"]![0]!["Principal"]!["AWS"]!.GetValue<string>(), Is.EqualTo($"arn:aws:iam::{Accounts[env]}:root"));
        });
    }

    [TestCaseSource(typeof(TestEnvironments), nameof(TestEnvironments.All))]
    public void Bootstrap_StateBucketLogsToItsAccessLogBucket(string env)
    {
        var stack = Synth.Shared.Stack($"fraud-detection-bootstrap-{env}");
        var logging = stack.Resource("aws_s3_bucket_logging", "/state/logging");
        var logBucketAddress = stack.Address("aws_s3_bucket", "/state-access-logs/this");

        Assert.That(logging["target_bucket"]!.GetValue<string>(), Is.EqualTo($"${{{logBucketAddress}.bucket}}"));
        Assert.That(logging["target_prefix"]!.GetValue<string>(), Is.EqualTo("state/"));
    }
}
