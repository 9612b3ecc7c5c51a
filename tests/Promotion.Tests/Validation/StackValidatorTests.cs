using System.Text.Json.Nodes;
using FraudTf.Promotion.Tests.Support;
using FraudTf.Promotion.Validation;

namespace FraudTf.Promotion.Tests.Validation;

/// <summary>Each check of the offline validation: passes on a valid stack and fails on a deliberately broken one.</summary>
public class StackValidatorTests
{
    /// <summary>A small valid stack: provider, key, stream referencing the key, table, data source, variable, local, output.</summary>
    private static JsonObject Valid() => JsonNode.Parse("""
        {
          "//": { "metadata": { "stackName": "t" } },
          "terraform": { "required_providers": { "aws": { "source": "hashicorp/aws", "version": "6.25.0" } } },
          "provider": { "aws": [ { "region": "us-east-1", "allowed_account_ids": ["111111111111"], "default_tags": [ { "tags": { "a": "b" } } ] } ] },
          "variable": { "retention": { "type": "number", "default": 24 } },
          "locals": { "prefix": "fraud" },
          "data": { "aws_caller_identity": { "current": {} } },
          "resource": {
            "aws_kms_key": { "key": { "description": "k", "enable_key_rotation": true, "//": { "metadata": { "path": "t/key", "anything": 1 } } } },
            "aws_kinesis_stream": {
              "stream": {
                "name": "${local.prefix}-s",
                "retention_period": "${var.retention}",
                "kms_key_id": "${aws_kms_key.key.arn}",
                "encryption_type": "KMS",
                "stream_mode_details": { "stream_mode": "ON_DEMAND" },
                "tags": { "account": "${data.aws_caller_identity.current.account_id}" },
                "depends_on": ["aws_kms_key.key"],
                "lifecycle": { "prevent_destroy": true }
              }
            },
            "aws_dynamodb_table": {
              "table": {
                "name": "t", "hash_key": "id", "billing_mode": "PAY_PER_REQUEST",
                "attribute": [ { "name": "id", "type": "S" } ],
                "point_in_time_recovery": { "enabled": true },
                "server_side_encryption": { "enabled": true, "kms_key_arn": "${aws_kms_key.key.arn}" }
              }
            }
          },
          "output": { "stream_arn": { "value": "${aws_kinesis_stream.stream.arn}" } }
        }
        """)!.AsObject();

    private static IReadOnlyList<ValidationError> Validate(JsonObject stack) => StackValidator.Validate("t", stack, Schema.Aws);

    [Test]
    public void AValidStackHasNoProblem()
    {
        Assert.That(Validate(Valid()), Is.Empty);
    }

    [Test]
    public void AnUnknownResourceTypeFails()
    {
        var stack = Valid();
        stack["resource"]!["aws_kinesis_streams"] = new JsonObject { ["s"] = new JsonObject { ["name"] = "x" } };
        var e = Validate(stack).Single();
        Assert.That(e.Check, Is.EqualTo("unknown-type"));
        Assert.That(e.Address, Is.EqualTo("aws_kinesis_streams"));
        Assert.That(e.Message, Does.Contain("Did you mean 'aws_kinesis_stream'?"));
    }

    [Test]
    public void AnUnknownDataSourceTypeFails()
    {
        var stack = Valid();
        stack["data"]!["aws_caller_identities"] = new JsonObject { ["c"] = new JsonObject() };
        var e = Validate(stack).Single();
        Assert.That((e.Check, e.Address), Is.EqualTo(("unknown-type", "data.aws_caller_identities")));
        Assert.That(e.Message, Does.Contain("is not a data source"));
    }

    [Test]
    public void AnUnknownArgumentFailsWithASuggestion()
    {
        var stack = Valid();
        stack["resource"]!["aws_kinesis_stream"]!["stream"]!["retention_perod"] = 48;
        var e = Validate(stack).Single();
        Assert.That((e.Check, e.Address, e.Path), Is.EqualTo(("unknown-argument", "aws_kinesis_stream.stream", "retention_perod")));
        Assert.That(e.Message, Does.Contain("Did you mean 'retention_period'?"));
    }

    [Test]
    public void AnUnknownArgumentInsideANestedBlockFails()
    {
        // What an AddOverride("point_in_time_recovery.enable", true) with a typo would produce.
        var stack = Valid();
        stack["resource"]!["aws_dynamodb_table"]!["table"]!["point_in_time_recovery"]!["enable"] = true;
        var e = Validate(stack).Single();
        Assert.That((e.Check, e.Path), Is.EqualTo(("unknown-argument", "point_in_time_recovery.enable")));
        Assert.That(e.Message, Does.Contain("aws_dynamodb_table.point_in_time_recovery"));
    }

    [Test]
    public void AnUnknownArgumentInABlockListElementNamesItsIndex()
    {
        var stack = Valid();
        stack["resource"]!["aws_dynamodb_table"]!["table"]!["attribute"]![0]!["kind"] = "S";
        var e = Validate(stack).Single();
        Assert.That(e.Path, Is.EqualTo("attribute[0].kind"));
    }

    [Test]
    public void AnUnknownLifecycleArgumentFails()
    {
        var stack = Valid();
        stack["resource"]!["aws_kinesis_stream"]!["stream"]!["lifecycle"]!["prevent_destroyed"] = true;
        var e = Validate(stack).Single();
        Assert.That((e.Check, e.Path), Is.EqualTo(("unknown-argument", "lifecycle.prevent_destroyed")));
        Assert.That(e.Message, Does.Contain("Did you mean 'prevent_destroy'?"));
    }

    [Test]
    public void AnUnknownProviderArgumentFails()
    {
        var stack = Valid();
        stack["provider"]!["aws"]![0]!["allowed_accounts"] = new JsonArray("1");
        var e = Validate(stack).Single();
        Assert.That((e.Check, e.Address, e.Path), Is.EqualTo(("unknown-argument", "provider.aws[0]", "allowed_accounts")));
    }

    [Test]
    public void AMissingRequiredArgumentFails()
    {
        var stack = Valid();
        stack["resource"]!["aws_kinesis_stream"]!["stream"]!.AsObject().Remove("name");
        var e = Validate(stack).Single();
        Assert.That((e.Check, e.Address, e.Path), Is.EqualTo(("missing-required", "aws_kinesis_stream.stream", "name")));
    }

    [Test]
    public void AMissingRequiredArgumentOfANestedBlockFails()
    {
        var stack = Valid();
        stack["resource"]!["aws_dynamodb_table"]!["table"]!["point_in_time_recovery"]!.AsObject().Remove("enabled");
        var e = Validate(stack).Single();
        Assert.That((e.Check, e.Path), Is.EqualTo(("missing-required", "point_in_time_recovery.enabled")));
    }

    [Test]
    public void AReferenceToAnUndeclaredResourceFails()
    {
        var stack = Valid();
        stack["resource"]!["aws_kinesis_stream"]!["stream"]!["kms_key_id"] = "${aws_kms_key.other.arn}";
        var e = Validate(stack).Single();
        Assert.That((e.Check, e.Address, e.Path), Is.EqualTo(("unknown-reference", "aws_kinesis_stream.stream", "kms_key_id")));
        Assert.That(e.Message, Does.Contain("aws_kms_key.other is not declared"));
    }

    [Test]
    public void AReferenceToAnAttributeTheTypeDoesNotHaveFails()
    {
        var stack = Valid();
        stack["output"]!["stream_arn"]!["value"] = "${aws_kinesis_stream.stream.stream_arn}";
        var e = Validate(stack).Single();
        Assert.That((e.Check, e.Address), Is.EqualTo(("unknown-attribute", "output.stream_arn")));
        Assert.That(e.Message, Does.Contain("'stream_arn' is not an attribute of aws_kinesis_stream"));
    }

    [Test]
    public void AReferenceToAnUndeclaredDataSourceFails()
    {
        var stack = Valid();
        stack["resource"]!["aws_kinesis_stream"]!["stream"]!["tags"]!["account"] = "${data.aws_caller_identity.other.account_id}";
        var e = Validate(stack).Single();
        Assert.That(e.Check, Is.EqualTo("unknown-reference"));
        Assert.That(e.Message, Does.Contain("data source aws_caller_identity.other is not declared"));
    }

    [Test]
    public void AReferenceToAnAttributeOfADataSourceIsChecked()
    {
        var stack = Valid();
        stack["resource"]!["aws_kinesis_stream"]!["stream"]!["tags"]!["account"] = "${data.aws_caller_identity.current.account}";
        Assert.That(Validate(stack).Single().Check, Is.EqualTo("unknown-attribute"));
    }

    [TestCase("${var.retention_hours}", "variable 'retention_hours'")]
    [TestCase("${local.prefx}-s", "local value 'prefx'")]
    public void AReferenceToAnUndeclaredVariableOrLocalFails(string value, string expected)
    {
        var stack = Valid();
        stack["resource"]!["aws_kinesis_stream"]!["stream"]!["name"] = value;
        var e = Validate(stack).Single();
        Assert.That(e.Check, Is.EqualTo("unknown-reference"));
        Assert.That(e.Message, Does.Contain(expected));
    }

    [Test]
    public void ADependsOnEntryThatIsNotDeclaredFails()
    {
        var stack = Valid();
        stack["resource"]!["aws_kinesis_stream"]!["stream"]!["depends_on"] = new JsonArray("aws_kms_key.gone");
        var e = Validate(stack).Single();
        Assert.That((e.Check, e.Path), Is.EqualTo(("unknown-reference", "depends_on[0]")));
    }

    [Test]
    public void ADependsOnEntryWrittenAsAnInterpolationFails_EvenWhenItNamesADeclaredResource()
    {
        var stack = Valid();
        stack["resource"]!["aws_kinesis_stream"]!["stream"]!["depends_on"] = new JsonArray("aws_kms_key.key", "${aws_kms_key.key}");
        var e = Validate(stack).Single();
        Assert.That((e.Check, e.Path), Is.EqualTo(("bad-meta-argument", "depends_on[1]")));
        Assert.That(e.Message, Does.Contain("Fix: write 'aws_kms_key.key'"));
    }

    [Test]
    public void AProviderMetaArgumentMustNameAConfiguredProvider()
    {
        var stack = Valid();
        stack["provider"]!["aws"]!.AsArray().Add(new JsonObject { ["alias"] = "replica", ["region"] = "eu-west-1" });
        stack["resource"]!["aws_kms_key"]!["key"]!["provider"] = "aws.replica";
        Assert.That(Validate(stack), Is.Empty);
        stack["resource"]!["aws_kms_key"]!["key"]!["provider"] = "aws.replicas";
        var e = Validate(stack).Single();
        Assert.That((e.Check, e.Address, e.Path), Is.EqualTo(("unknown-reference", "aws_kms_key.key", "provider")));
        Assert.That(e.Message, Does.Contain("configured: aws, aws.replica"));
    }

    [Test]
    public void ReferencesInsideFunctionCallsAndIndexesAreResolved()
    {
        var stack = Valid();
        stack["resource"]!["aws_kinesis_stream"]!["stream"]!["name"] = "${element(split(\"/\", aws_kms_key.key.arn), 1)}";
        stack["output"]!["stream_arn"]!["value"] = "${aws_kinesis_stream.stream.stream_mode_details[0].stream_mode}";
        Assert.That(Validate(stack), Is.Empty);
        stack["output"]!["stream_arn"]!["value"] = "${upper(aws_kinesis_stream.stream.nope[0])}";
        Assert.That(Validate(stack).Single().Check, Is.EqualTo("unknown-attribute"));
    }

    [Test]
    public void CdktfMetadataAndLiteralDollarBracesAreNotValidated()
    {
        var stack = Valid();
        stack["resource"]!["aws_kms_key"]!["key"]!["//"]!["ref"] = "${aws_nothing.x.y}";
        stack["resource"]!["aws_kms_key"]!["key"]!["description"] = "literal $${aws_kms_key.none.arn} text";
        Assert.That(Validate(stack), Is.Empty);
    }

    [Test]
    public void AnUnknownTopLevelKeyFails()
    {
        var stack = Valid();
        stack["resources"] = new JsonObject();
        var e = Validate(stack).Single();
        Assert.That((e.Check, e.Path), Is.EqualTo(("unknown-argument", "resources")));
    }

    [Test]
    public void ABrokenOverrideOnARealStackIsFound()
    {
        var stack = RealStacks.Stack("fraud-detection-dev");
        var (id, table) = stack["resource"]!["aws_dynamodb_table"]!.AsObject().First();
        table!["lifecycle"] = new JsonObject { ["prevent_destroy"] = true };
        table["server_side_encryption"]!["kms_key"] = "x";
        var errors = StackValidator.Validate("fraud-detection-dev", stack, Schema.Aws);
        Assert.That(errors.Select(e => (e.Address, e.Path)), Is.EqualTo(new[] { ($"aws_dynamodb_table.{id}", "server_side_encryption.kms_key") }));
    }
}
