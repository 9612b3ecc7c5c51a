using FraudTf.Promotion.Tests.Support;

namespace FraudTf.Promotion.Tests.Validation;

/// <summary>The schema derived from the CDK's AWS provider package (@cdktf/provider-aws, @cdktn/provider-aws) carries what the validation relies on.</summary>
public class ProviderSchemaTests
{
    [Test]
    public void ItDescribesTheProviderVersionOfTheBindings()
    {
        // The bindings' fact (TerraformAwsProviderVersion: 6.25.0 on CDKTF, 6.66.0 on CDK Terrain), not a literal: the
        // schema is read from the same CDK's provider package as the bindings.
        Assert.That(Schema.Aws.ProviderVersion, Is.EqualTo(Schema.Bindings.TerraformAwsProviderVersion));
    }

    [Test]
    public void EveryTypeOfTheBindingsListIsInTheSchema()
    {
        var lines = File.ReadAllLines(Path.Combine(RealStacks.Root, "bindings", "aws-provider.txt"))
            .Select(l => l.Split('#')[0].Trim()).Where(l => l.Length > 0 && l != "provider").ToList();
        var missing = lines.Where(l => l.StartsWith("data.", StringComparison.Ordinal)
            ? !Schema.Aws.DataSources.ContainsKey(l[5..])
            : !Schema.Aws.Resources.ContainsKey(l)).ToList();
        Assert.That(lines, Has.Count.GreaterThan(40));
        Assert.That(missing, Is.Empty);
    }

    [Test]
    public void RequiredArgumentsAndNestedBlocksComeFromTheJsiiStructs()
    {
        var table = Schema.Aws.Resources["aws_dynamodb_table"];
        Assert.That(table.Arguments["name"].Required, Is.True);
        Assert.That(table.Arguments["hash_key"].Required, Is.False);
        Assert.That(table.Arguments["attribute"].IsList, Is.True);
        Assert.That(table.Arguments["attribute"].Block!.Arguments["type"].Required, Is.True);
        Assert.That(table.Arguments["point_in_time_recovery"].Block!.Arguments.Keys, Does.Contain("recovery_period_in_days"));
    }

    [Test]
    public void ComputedAttributesAreReadable()
    {
        Assert.That(Schema.Aws.Resources["aws_dynamodb_table"].Attributes, Does.Contain("stream_arn"));
        Assert.That(Schema.Aws.Resources["aws_lambda_function"].Attributes, Does.Contain("invoke_arn"));
        Assert.That(Schema.Aws.DataSources["aws_iam_policy_document"].Attributes, Does.Contain("json"));
        Assert.That(Schema.Aws.Resources["aws_kinesis_stream"].Attributes, Does.Not.Contain("stream_arn"));
    }

    [Test]
    public void TheProviderBlockIsDescribed()
    {
        Assert.That(Schema.Aws.Provider.Arguments.Keys, Does.Contain("allowed_account_ids").And.Contain("default_tags"));
        Assert.That(Schema.Aws.Provider.Arguments["default_tags"].Block, Is.Not.Null);
    }
}
