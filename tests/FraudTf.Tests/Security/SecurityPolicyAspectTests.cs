using System.Text.Json.Nodes;
using FraudTf.Security.Policy;

namespace FraudTf.Tests.Security;

/// <summary>The aspect in a real CDKTF app: the jsii validation callback runs at synth and fails it on a violation.</summary>
[TestFixture]
public class SecurityPolicyAspectTests
{
    private const string KeyPolicy =
        """{"Version":"2012-10-17","Statement":[{"Sid":"Root","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111111111111:root"},"Action":"kms:DescribeKey","Resource":"*"}]}""";

    private const string Reason = "Test key: rotation is irrelevant for a key that never encrypts data.";

    private sealed record TestApp(App App, TerraformStack Stack, KmsKey Key, string OutDir);

    private static TestApp NewApp(bool rotation, bool applyAspect = true)
    {
        var outDir = Path.Combine(Path.GetTempPath(), "fraudtf-tests", Guid.NewGuid().ToString("N"));
        var app = new App(new AppConfig { Outdir = outDir });
        var stack = new TerraformStack(app, "policy-test");
        new LocalBackend(stack, new LocalBackendConfig { Path = "terraform.policy-test.tfstate" });
        new AwsProvider(stack, "aws", new AwsProviderConfig
        {
            Region = "us-east-1",
            DefaultTags = new[] { new AwsProviderDefaultTags { Tags = new Dictionary<string, string> { ["project"] = "test" } } },
        });
        var key = new KmsKey(stack, "key", new KmsKeyConfig
        {
            Description = "test",
            EnableKeyRotation = rotation,
            DeletionWindowInDays = 7,
            Policy = KeyPolicy,
        });
        if (applyAspect)
        {
            SecurityPolicyAspect.Apply(stack);
        }

        return new TestApp(app, stack, key, outDir);
    }

    private static JsonObject SynthesizedStack(TestApp t) =>
        JsonNode.Parse(File.ReadAllText(Path.Combine(t.OutDir, "stacks", "policy-test", "cdk.tf.json")))!.AsObject();

    [Test]
    public void Synth_WithAViolation_ThrowsNamingTheRuleAndTheResource()
    {
        var t = NewApp(rotation: false);

        var error = Assert.Catch(() => t.App.Synth());

        Assert.That(error!.Message, Does.Contain("Validation failed"));
        Assert.That(error.Message, Does.Contain($"[aws_kms_key.{t.Key.FriendlyUniqueId} at policy-test/key] FTF-KMS-001 (CKV_AWS_7; Trivy AVD-AWS-0065): enable_key_rotation is not true"));
    }

    [Test]
    public void Synth_OfACompliantStack_Succeeds()
    {
        var t = NewApp(rotation: true);

        t.App.Synth();

        Assert.That(SynthesizedStack(t)["resource"]!["aws_kms_key"]![t.Key.FriendlyUniqueId]!["enable_key_rotation"]!.GetValue<bool>(), Is.True);
    }

    [Test]
    public void Except_WritesTheReasonNextToTheMetadata_AndLetsSynthPass()
    {
        var t = NewApp(rotation: false);
        PolicyExceptions.Except(t.Key, "FTF-KMS-001", Reason);

        t.App.Synth();

        var comment = SynthesizedStack(t)["resource"]!["aws_kms_key"]![t.Key.FriendlyUniqueId]!["//"]!;
        Assert.Multiple(() =>
        {
            Assert.That(comment["policy_exceptions"]!["FTF-KMS-001"]!.GetValue<string>(), Is.EqualTo(Reason));
            Assert.That(comment["metadata"]!["path"]!.GetValue<string>(), Is.EqualTo("policy-test/key"));
            Assert.That(comment["metadata"]!["uniqueId"]!.GetValue<string>(), Is.EqualTo(t.Key.FriendlyUniqueId));
        });
    }

    [Test]
    public void Except_OfAnotherRule_DoesNotLetSynthPass()
    {
        var t = NewApp(rotation: false);
        PolicyExceptions.Except(t.Key, "FTF-KMS-002", "Reason long enough but for another rule.");

        var error = Assert.Catch(() => t.App.Synth());

        Assert.That(error!.Message, Does.Contain("FTF-KMS-001"));
    }

    [Test]
    public void Apply_Twice_ReportsEachViolationOnce()
    {
        var t = NewApp(rotation: false);
        SecurityPolicyAspect.Apply(t.Stack);

        var error = Assert.Catch(() => t.App.Synth());

        Assert.That(error!.Message.Split("FTF-KMS-001").Length - 1, Is.EqualTo(1), error.Message);
    }

    [Test]
    public void StackJson_IsWhatSynthWrites()
    {
        var t = NewApp(rotation: true, applyAspect: false);
        PolicyExceptions.Except(t.Key, "FTF-KMS-003", "Checked by hand: the only principal is the account root.");

        var resolved = SecurityPolicyAspect.StackJson(t.Stack);
        t.App.Synth();

        Assert.That(JsonNode.DeepEquals(resolved, SynthesizedStack(t)), Is.True,
            $"ToTerraform:\n{resolved.ToJsonString()}\ncdk.tf.json:\n{SynthesizedStack(t).ToJsonString()}");
    }

    [Test]
    public void ToTerraform_ReturnsADictionaryOfPlainValues()
    {
        var t = NewApp(rotation: true, applyAspect: false);

        var resolved = t.Stack.ToTerraform();

        Assert.That(resolved, Is.InstanceOf<IDictionary<string, object>>());
        var key = (IDictionary<string, object>)((IDictionary<string, object>)((IDictionary<string, object>)resolved)["resource"])["aws_kms_key"];
        Assert.That(((IDictionary<string, object>)key[t.Key.FriendlyUniqueId])["deletion_window_in_days"], Is.EqualTo(7.0));
        Assert.That(SecurityPolicyAspect.StackJson(t.Stack)["resource"]!["aws_kms_key"]![t.Key.FriendlyUniqueId]!["deletion_window_in_days"]!.ToJsonString(), Is.EqualTo("7"));
    }

    [Test]
    public void Except_UnknownRuleId_Throws()
    {
        var t = NewApp(rotation: true, applyAspect: false);

        var e = Assert.Throws<ArgumentException>(() => PolicyExceptions.Except(t.Key, "FTF-KMS-999", Reason));

        Assert.That(e!.Message, Does.Contain("Unknown security rule id 'FTF-KMS-999'").And.Contain("FTF-KMS-001"));
    }

    [Test]
    public void Except_ShortReason_Throws()
    {
        var t = NewApp(rotation: true, applyAspect: false);

        var e = Assert.Throws<ArgumentException>(() => PolicyExceptions.Except(t.Key, "FTF-KMS-001", "   too short        "));

        Assert.That(e!.Message, Does.Contain("has 9 characters; give at least 20"));
    }

    [Test]
    public void Except_RuleOfAnotherResourceType_Throws()
    {
        var t = NewApp(rotation: true, applyAspect: false);

        var e = Assert.Throws<ArgumentException>(() => PolicyExceptions.Except(t.Key, "FTF-S3-002", Reason));

        Assert.That(e!.Message, Does.Contain("FTF-S3-002 checks aws_s3_bucket, not aws_kms_key"));
    }

    [Test]
    public void Except_TheExceptionRuleItself_Throws()
    {
        var t = NewApp(rotation: true, applyAspect: false);

        var e = Assert.Throws<ArgumentException>(() => PolicyExceptions.Except(t.Key, SecurityPolicy.ExceptionRuleId, Reason));

        Assert.That(e!.Message, Does.Contain("cannot be excepted"));
    }

    /// <summary>A stack subclass, as the app's stacks are.</summary>
    private sealed class DerivedStack : TerraformStack
    {
        public DerivedStack(App app) : base(app, "derived")
        {
            new AwsProvider(this, "aws", new AwsProviderConfig { Region = "us-east-1" });
            new KmsKey(this, "key", new KmsKeyConfig { EnableKeyRotation = true });
            SecurityPolicyAspect.Apply(this);
        }
    }

    [Test]
    public void Synth_OfAStackSubclass_RunsTheValidation()
    {
        var app = new App(new AppConfig { Outdir = Path.Combine(Path.GetTempPath(), "fraudtf-tests", Guid.NewGuid().ToString("N")) });
        _ = new DerivedStack(app);

        var error = Assert.Catch(() => app.Synth());

        Assert.That(error!.Message, Does.Contain("[aws_kms_key.key at derived/key] FTF-KMS-002"));
    }

    [Test]
    public void Visit_IgnoresNodesThatAreNotStacks()
    {
        var t = NewApp(rotation: false, applyAspect: false);
        var aspect = new SecurityPolicyAspect();

        aspect.Visit(t.Key);
        t.App.Synth();

        Assert.That(File.Exists(Path.Combine(t.OutDir, "stacks", "policy-test", "cdk.tf.json")), Is.True);
    }
}
