using System.Text.Json.Nodes;
using FraudTf.Promotion.Tests.Support;
using FraudTf.Promotion.Validation;

namespace FraudTf.Promotion.Tests.Validation;

/// <summary>Escape-hatch overrides (AddOverride) written by real cdktf constructs are validated like any argument.</summary>
public class OverrideTests
{
    private static IReadOnlyList<ValidationError> SynthAndValidate(Action<KinesisStream> edit)
    {
        var app = Testing.App();
        var stack = new TerraformStack(app, "override-test");
        _ = new AwsProvider(stack, "aws", new AwsProviderConfig { Region = "us-east-1" });
        var stream = new KinesisStream(stack, "stream", new KinesisStreamConfig { Name = "s", StreamModeDetails = new KinesisStreamStreamModeDetails { StreamMode = "ON_DEMAND" } });
        edit(stream);
        var json = JsonNode.Parse(Testing.Synth(stack))!.AsObject();
        return StackValidator.Validate("override-test", json, Schema.Aws);
    }

    [Test]
    public void ACorrectOverrideIsValid()
    {
        Assert.That(SynthAndValidate(s => s.AddOverride("retention_period", 72)), Is.Empty);
    }

    [Test]
    public void AMisspelledOverrideFails()
    {
        var errors = SynthAndValidate(s => s.AddOverride("retention_perod", 72));
        Assert.That(errors.Select(e => (e.Check, e.Path)), Is.EqualTo(new[] { ("unknown-argument", "retention_perod") }));
    }

    [Test]
    public void AMisspelledOverrideInsideABlockFails()
    {
        var errors = SynthAndValidate(s => s.AddOverride("stream_mode_details.stream_mod", "PROVISIONED"));
        Assert.That(errors.Select(e => (e.Check, e.Path)), Is.EquivalentTo(new[] { ("unknown-argument", "stream_mode_details.stream_mod") }));
    }

    [Test]
    public void AnOverrideDeletingARequiredArgumentFails()
    {
        var errors = SynthAndValidate(s => s.AddOverride("name", null!));
        Assert.That(errors.Select(e => (e.Check, e.Path)), Is.EqualTo(new[] { ("missing-required", "name") }));
    }
}
