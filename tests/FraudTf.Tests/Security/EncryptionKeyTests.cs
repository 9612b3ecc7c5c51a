using System.Text.Json.Nodes;
using FraudTf.Security;
using FraudTf.Tests.Support;

namespace FraudTf.Tests.Security;

/// <summary><see cref="EncryptionKey"/> alone on a fresh stack: defaults, key policy, options and validations.</summary>
[TestFixture]
public class EncryptionKeyTests
{
    private static EncryptionKeyConfig Config => new() { AliasName = "fraud-detection-data-test", Description = "test data", AccountId = FreshStack.Account };

    [Test]
    public void Defaults_RotatedYearly_ThirtyDayDeletionWindow_SymmetricWithAnAlias()
    {
        var s = new FreshStack();
        var key = new EncryptionKey(s.Stack, "data", Config);

        var stack = s.Synth();
        var json = stack.Resources("aws_kms_key").Values.Single();
        var alias = stack.Resources("aws_kms_alias").Values.Single();

        Assert.Multiple(() =>
        {
            Assert.That(json["enable_key_rotation"]!.GetValue<bool>(), Is.True);
            Assert.That(json["rotation_period_in_days"]!.GetValue<int>(), Is.EqualTo(365));
            Assert.That(json["deletion_window_in_days"]!.GetValue<int>(), Is.EqualTo(30));
            Assert.That(json["customer_master_key_spec"]!.GetValue<string>(), Is.EqualTo("SYMMETRIC_DEFAULT"));
            Assert.That(json["description"]!.GetValue<string>(), Is.EqualTo("test data"));
            Assert.That(alias["name"]!.GetValue<string>(), Is.EqualTo("alias/fraud-detection-data-test"));
            Assert.That(key.AliasName, Is.EqualTo("alias/fraud-detection-data-test"));
        });
    }

    [Test]
    public void KeyPolicy_LetsTheAccountRootAdministerWithExplicitActions_AndNoServiceByDefault()
    {
        var s = new FreshStack();
        _ = new EncryptionKey(s.Stack, "data", Config);

        var statements = JsonNode.Parse(s.Single("aws_kms_key")["policy"]!.GetValue<string>())!["Statement"]!.AsArray();

        Assert.That(statements, Has.Count.EqualTo(1));
        Assert.That(statements[0]!["Principal"]!["AWS"]!.GetValue<string>(), Is.EqualTo("arn:aws:iam::111111111111:root"));
        Assert.That(statements[0]!["Action"]!.AsArray().Select(a => a!.GetValue<string>()), Is.EqualTo(EncryptionKey.AdministrationActions));
    }

    [Test]
    public void AdministrationActions_AreExplicit_AndIncludeTheAliasActions()
    {
        Assert.That(EncryptionKey.AdministrationActions, Has.None.Contains("*"));
        Assert.That(EncryptionKey.AdministrationActions, Does.Contain("kms:PutKeyPolicy"), "the account must be able to fix the key policy");
        // Alias permission must come from the key policy when it enumerates actions (KMS guide, "Controlling access to aliases").
        Assert.That(EncryptionKey.AdministrationActions, Is.SupersetOf(new[] { "kms:CreateAlias", "kms:UpdateAlias", "kms:DeleteAlias" }));
    }

    [Test]
    public void Options_PartitionWindowRotationAndServiceAccess_AreWrittenOut()
    {
        var s = new FreshStack();
        _ = new EncryptionKey(s.Stack, "data", Config with
        {
            Partition = "aws-us-gov",
            DeletionWindowInDays = 7,
            RotationPeriodInDays = 90,
            ServiceAccess =
            [
                new KeyServiceAccess
                {
                    ServicePrincipal = "events.amazonaws.com",
                    Actions = ["kms:Decrypt"],
                    Conditions = [new PolicyCondition("StringEquals", "aws:SourceAccount", [FreshStack.Account])],
                },
            ],
        });

        var json = s.Single("aws_kms_key");
        var statements = JsonNode.Parse(json["policy"]!.GetValue<string>())!["Statement"]!.AsArray();

        Assert.Multiple(() =>
        {
            Assert.That(json["deletion_window_in_days"]!.GetValue<int>(), Is.EqualTo(7));
            Assert.That(json["rotation_period_in_days"]!.GetValue<int>(), Is.EqualTo(90));
            Assert.That(statements[0]!["Principal"]!["AWS"]!.GetValue<string>(), Is.EqualTo("arn:aws-us-gov:iam::111111111111:root"));
            Assert.That(statements[1]!["Sid"]!.GetValue<string>(), Is.EqualTo("Service0Events"));
            Assert.That(statements[1]!["Principal"]!["Service"]!.GetValue<string>(), Is.EqualTo("events.amazonaws.com"));
        });
    }

    [Test]
    public void DeletionWindowOutOfRange_Fails()
    {
        var s = new FreshStack();

        var e = Assert.Throws<ArgumentException>(() => new EncryptionKey(s.Stack, "k", Config with { DeletionWindowInDays = 3 }));

        Assert.That(e!.Message, Does.Contain("EncryptionKey 'k': DeletionWindowInDays = 3 is out of range. Fix: use 7 to 30 days."));
    }

    [Test]
    public void RotationPeriodOutOfRange_Fails()
    {
        var s = new FreshStack();

        var e = Assert.Throws<ArgumentException>(() => new EncryptionKey(s.Stack, "k", Config with { RotationPeriodInDays = 30 }));

        Assert.That(e!.Message, Does.Contain("EncryptionKey 'k': RotationPeriodInDays = 30 is out of range. Fix: use 90 to 2560 days."));
    }

    [Test]
    public void ServiceAccessWithoutCondition_Fails()
    {
        var s = new FreshStack();

        var e = Assert.Throws<ArgumentException>(() => new EncryptionKey(s.Stack, "k", Config with
        {
            ServiceAccess = [new KeyServiceAccess { ServicePrincipal = "sns.amazonaws.com", Actions = ["kms:Decrypt"], Conditions = [] }],
        }));

        Assert.That(e!.Message, Does.Contain("service sns.amazonaws.com has no condition. Fix: scope it, e.g. with aws:SourceAccount."));
    }
}
