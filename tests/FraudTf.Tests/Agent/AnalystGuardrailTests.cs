using FraudTf.Agent;
using FraudTf.Tests.Support;

namespace FraudTf.Tests.Agent;

/// <summary><see cref="AnalystGuardrail"/> alone on a fresh stack: the guardrail built from <see cref="GuardrailPolicy"/> and its version.</summary>
[TestFixture]
public class AnalystGuardrailTests
{
    [Test]
    public void Guardrail_IsNamedAndEncryptedAsConfigured_AndFiltersThePolicy()
    {
        var s = new FreshStack();
        var guardrail = new AnalystGuardrail(s.Stack, "guardrail", new AnalystGuardrailConfig { GuardrailName = "fraud-detection-analyst-guardrail-test", Key = s.Key() });

        var json = s.Single("aws_bedrock_guardrail");
        var pii = json["sensitive_information_policy_config"]![0]!["pii_entities_config"]!.AsArray();

        Assert.Multiple(() =>
        {
            Assert.That(json["name"]!.GetValue<string>(), Is.EqualTo("fraud-detection-analyst-guardrail-test"));
            Assert.That(json["kms_key_arn"]!.GetValue<string>(), Is.EqualTo(s.Resolve(guardrail.Config.Key.KeyArn)));
            Assert.That(pii.Single(p => p!["type"]!.GetValue<string>() == "CREDIT_DEBIT_CARD_NUMBER")!["action"]!.GetValue<string>(), Is.EqualTo("BLOCK"));
            Assert.That(pii, Has.Count.EqualTo(GuardrailPolicy.PiiEntities.Count));
            Assert.That(json["topic_policy_config"]![0]!["topics_config"]![0]!["name"]!.GetValue<string>(), Is.EqualTo(GuardrailPolicy.DeniedTopicName));
            Assert.That(json["blocked_input_messaging"]!.GetValue<string>(), Is.EqualTo(GuardrailPolicy.BlockedInputMessage));
        });
    }

    [Test]
    public void Version_CarriesThePolicyFingerprint_AndIsKeptOnReplacement()
    {
        var s = new FreshStack();
        _ = new AnalystGuardrail(s.Stack, "guardrail", new AnalystGuardrailConfig { GuardrailName = "g", Key = s.Key() });

        var version = s.Single("aws_bedrock_guardrail_version");

        Assert.That(version["description"]!.GetValue<string>(), Is.EqualTo($"Guardrail policy {GuardrailPolicy.Fingerprint[..16]}"));
        Assert.That(version["skip_destroy"]!.GetValue<bool>(), Is.True);
        Assert.That(version["guardrail_arn"]!.GetValue<string>(), Does.StartWith("${aws_bedrock_guardrail."));
    }
}
