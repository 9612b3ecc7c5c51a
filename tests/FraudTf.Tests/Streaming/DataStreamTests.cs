using FraudTf.Security;
using FraudTf.Streaming;
using FraudTf.Tests.Support;

namespace FraudTf.Tests.Streaming;

/// <summary><see cref="DataStream"/> alone on a fresh stack: defaults, options, validations and grants.</summary>
[TestFixture]
public class DataStreamTests
{
    private static DataStreamConfig Config(FreshStack s) => new() { StreamName = "fraud-detection-transactions-test", Key = s.Key(), Region = "us-east-1" };

    [Test]
    public void Defaults_OnDemand_EncryptedWithTheKey_KeptADay()
    {
        var s = new FreshStack();
        var stream = new DataStream(s.Stack, "transactions", Config(s));

        var json = s.Single("aws_kinesis_stream");

        Assert.Multiple(() =>
        {
            Assert.That(json["name"]!.GetValue<string>(), Is.EqualTo("fraud-detection-transactions-test"));
            Assert.That(json["encryption_type"]!.GetValue<string>(), Is.EqualTo("KMS"));
            Assert.That(json["kms_key_id"]!.GetValue<string>(), Is.EqualTo(s.Resolve(stream.Config.Key.KeyArn)));
            Assert.That(json["retention_period"]!.GetValue<int>(), Is.EqualTo(24));
            Assert.That(json["stream_mode_details"]!["stream_mode"]!.GetValue<string>(), Is.EqualTo("ON_DEMAND"));
        });
    }

    [Test]
    public void RetentionHours_IsWrittenOut()
    {
        var s = new FreshStack();
        _ = new DataStream(s.Stack, "transactions", Config(s) with { RetentionHours = 48 });

        Assert.That(s.Single("aws_kinesis_stream")["retention_period"]!.GetValue<int>(), Is.EqualTo(48));
    }

    [TestCase(23)]
    [TestCase(8761)]
    public void RetentionOutOfRange_Fails(int hours)
    {
        var s = new FreshStack();

        var e = Assert.Throws<ArgumentException>(() => new DataStream(s.Stack, "transactions", Config(s) with { RetentionHours = hours }));

        Assert.That(e!.Message, Does.Contain($"DataStream 'transactions' (fraud-detection-transactions-test): RetentionHours = {hours}. Fix: use 24 to 8760 hours."));
    }

    [Test]
    public void StreamName_IsTheConfiguredLiteral_NotAReference()
    {
        var s = new FreshStack();
        var stream = new DataStream(s.Stack, "transactions", Config(s));

        Assert.That(stream.StreamName, Is.EqualTo("fraud-detection-transactions-test"));
        Assert.That(stream.MetricIncomingRecords().Dimensions["StreamName"], Is.EqualTo("fraud-detection-transactions-test"));
    }

    [Test]
    public void GrantWrite_AllowsPutsAndTheKeyThroughKinesis()
    {
        var s = new FreshStack();
        var stream = new DataStream(s.Stack, "transactions", Config(s));
        var policy = new PolicyDocument();

        var grant = stream.GrantWrite(new TestGrantee(policy));

        Assert.That(grant.Statements.Select(st => st.Sid), Is.EqualTo(new[] { "TransactionsStreamWrite", "TransactionsStreamWriteKey" }));
        Assert.That(policy.Statements[0].Actions, Is.EqualTo(Permissions.KinesisWrite));
        Assert.That(policy.Statements[1].Conditions.Single().Values.Single(), Is.EqualTo("kinesis.us-east-1.amazonaws.com"));
    }

    [Test]
    public void GrantRead_AllowsReadingTheStreamAndItsConsumers_AndDecrypting()
    {
        var s = new FreshStack();
        var stream = new DataStream(s.Stack, "transactions", Config(s));
        var policy = new PolicyDocument();

        stream.GrantRead(new TestGrantee(policy));

        var read = policy.Statements.Single(st => st.Sid == "TransactionsStreamRead");
        Assert.That(read.Resources.Select(s.Resolve).Last(), Does.EndWith(".arn}/consumer/*"));
        Assert.That(policy.Statements.Single(st => st.Sid == "TransactionsStreamReadKey").Actions, Is.EquivalentTo(Permissions.KmsDecrypt));
    }

    [Test]
    public void RestrictWritesToGrantees_DeniesPutsToAllButTheProducers_AndOnlyOnce()
    {
        var s = new FreshStack();
        var stream = new DataStream(s.Stack, "transactions", Config(s));

        stream.RestrictWritesToGrantees(["arn:aws:iam::111111111111:role/producer"], "the producer");

        var policy = s.Single("aws_kinesis_resource_policy");
        Assert.That(policy["//"]!["writers"]!.GetValue<string>(), Is.EqualTo("the producer"));
        Assert.That(policy["policy"]!.GetValue<string>(), Does.Contain("arn:aws:iam::111111111111:role/producer"));
        Assert.That(() => stream.RestrictWritesToGrantees([], "again"), Throws.InvalidOperationException.With.Message.Contains("RestrictWritesToGrantees was already called. Fix:"));
    }
}
