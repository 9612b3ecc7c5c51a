using System.Text.Json.Nodes;
using FraudTf.Promotion.Validation.Gate.Rules;
using static FraudTf.Promotion.Tests.Validation.Gate.Gate1Fixtures;

namespace FraudTf.Promotion.Tests.Validation.Gate;

/// <summary>GATE-KMS-001 (key policies keep administration and aliases possible) and GATE-KMS-002 (encryption-context keys).</summary>
public class Gate1KmsRulesTests
{
    private const string Root = "arn:aws:iam::111111111111:root";

    private static JsonObject Statement(string principal, params string[] actions) => new()
    {
        ["Sid"] = "Admin",
        ["Effect"] = "Allow",
        ["Principal"] = new JsonObject { ["AWS"] = principal },
        ["Action"] = new JsonArray(actions.Select(a => (JsonNode)a).ToArray()),
        ["Resource"] = "*",
    };

    private static JsonObject Key(string? policy) =>
        One("aws_kms_key", policy is null ? "{}" : new JsonObject { ["policy"] = policy }.ToJsonString());

    // The actions today's key policies enumerate: no alias action.
    private static readonly string[] EnumeratedWithoutAliases =
    [
        "kms:CancelKeyDeletion", "kms:CreateGrant", "kms:Decrypt", "kms:DescribeKey", "kms:DisableKey", "kms:DisableKeyRotation",
        "kms:EnableKey", "kms:EnableKeyRotation", "kms:Encrypt", "kms:GenerateDataKey", "kms:GetKeyPolicy", "kms:GetKeyRotationStatus",
        "kms:ListResourceTags", "kms:PutKeyPolicy", "kms:ScheduleKeyDeletion", "kms:TagResource", "kms:UntagResource", "kms:UpdateKeyDescription",
    ];

    [Test]
    public void TheDefaultKeyPolicyPasses()
    {
        Assert.That(Failures<KmsKeyAdministrationRule>(Key(Policy(Statement(Root, "kms:*")))), Is.Empty);
    }

    [Test]
    public void AKeyWithoutAPolicyPasses()
    {
        Assert.That(Failures<KmsKeyAdministrationRule>(Key(null)), Is.Empty);
    }

    [Test]
    public void AnEnumeratedPolicyWithEveryAdministrationActionPasses()
    {
        var actions = EnumeratedWithoutAliases.Concat(["kms:CreateAlias", "kms:UpdateAlias", "kms:DeleteAlias"]).ToArray();
        Assert.That(Failures<KmsKeyAdministrationRule>(Key(Policy(Statement("${aws_iam_role.admin.arn}", actions)))), Is.Empty);
    }

    [Test]
    public void AnEnumeratedPolicyWithoutAliasActionsFails()
    {
        var f = Failures<KmsKeyAdministrationRule>(Key(Policy(Statement(Root, EnumeratedWithoutAliases)))).Single();
        Assert.Multiple(() =>
        {
            Assert.That(f.RuleId, Is.EqualTo("GATE-KMS-001"));
            Assert.That(f.Address, Is.EqualTo("aws_kms_key.r"));
            Assert.That(f.Message, Does.Contain("kms:CreateAlias, kms:UpdateAlias, kms:DeleteAlias,"));
            Assert.That(f.Message, Does.Contain("every aws_kms_alias of this key fails with AccessDenied"));
            Assert.That(f.Message, Does.Not.Contain("kms:DescribeKey"));
            Assert.That(f.Message, Does.Not.Contain("no administrator can call"));
        });
    }

    [Test]
    public void AdministrationForAnyoneOrOnlyOnSomeResourceDoesNotCount()
    {
        var anyone = Statement("*", "kms:*");
        var notStar = Statement(Root, "kms:*");
        notStar["Resource"] = "arn:aws:kms:us-east-1:111111111111:key/abc";
        var f = Failures<KmsKeyAdministrationRule>(Key(Policy(anyone, notStar))).Single();
        Assert.That(f.Message, Does.Contain("kms:ScheduleKeyDeletion"));
    }

    [Test]
    public void AMissingAdministrationActionFailsWithoutTheAliasSentence()
    {
        var actions = EnumeratedWithoutAliases.Concat(["kms:CreateAlias", "kms:UpdateAlias", "kms:DeleteAlias"]).Where(a => a != "kms:PutKeyPolicy").ToArray();
        var f = Failures<KmsKeyAdministrationRule>(Key(Policy(Statement(Root, actions)))).Single();
        Assert.Multiple(() =>
        {
            Assert.That(f.Message, Does.Contain("call kms:PutKeyPolicy, so no administrator can call kms:PutKeyPolicy on it"));
            Assert.That(f.Message, Does.Not.Contain("aws_kms_alias"));
        });
    }

    [Test]
    public void AKeyPolicyThatIsNotJsonFails()
    {
        var f = Failures<KmsKeyAdministrationRule>(Key("{\"Statement\": [ {\"Effect\": \"Allow\", }")).Single();
        Assert.That(f.Message, Does.StartWith("policy is not valid JSON"));
    }

    [Test]
    public void AKeyPolicyFromAnExpressionIsSkipped()
    {
        Assert.That(Failures<KmsKeyAdministrationRule>(Key("${data.aws_iam_policy_document.key.json}")), Is.Empty);
    }

    private static JsonObject Decrypt(string conditionKey, string op = "StringEquals", JsonNode? value = null) => new()
    {
        ["Sid"] = "DecryptOwnEnvironment",
        ["Effect"] = "Allow",
        ["Action"] = "kms:Decrypt",
        ["Resource"] = "${aws_kms_key.k.arn}",
        ["Condition"] = new JsonObject { [op] = new JsonObject { [conditionKey] = value ?? "arn:aws:lambda:us-east-1:111111111111:function:f" } },
    };

    [Test]
    public void ContextKeysThatServicesSendPass()
    {
        var stack = Stack($$"""
            {
              "aws_iam_role_policy": { "p": { "policy": {{Quote(Policy(Decrypt("kms:EncryptionContext:aws:lambda:FunctionArn")))}} } },
              "aws_kms_key": { "k": { "policy": {{Quote(Policy(Statement(Root, "kms:*"), Decrypt("kms:EncryptionContext:aws:logs:arn", "ArnLike")))}} } }
            }
            """);
        Assert.That(Failures<KmsEncryptionContextRule>(stack), Is.Empty);
    }

    [Test]
    public void LambdaFunctionNameInARolePolicyFails()
    {
        var stack = One("aws_iam_role_policy", new JsonObject { ["policy"] = Policy(Decrypt("kms:EncryptionContext:LambdaFunctionName")) }.ToJsonString());
        var f = Failures<KmsEncryptionContextRule>(stack).Single();
        Assert.Multiple(() =>
        {
            Assert.That(f.RuleId, Is.EqualTo("GATE-KMS-002"));
            Assert.That(f.Address, Is.EqualTo("aws_iam_role_policy.r"));
            Assert.That(f.Message, Does.Contain("policy (statement DecryptOwnEnvironment) conditions on encryption-context key 'LambdaFunctionName'"));
            Assert.That(f.Message, Does.Contain("aws:lambda:FunctionArn"));
        });
    }

    [Test]
    public void AnUnknownKeyUnderEncryptionContextKeysInAKeyPolicyFails()
    {
        var statement = Decrypt("kms:EncryptionContextKeys", "ForAllValues:StringEquals", new JsonArray("aws:s3:arn", "Department"));
        var f = Failures<KmsEncryptionContextRule>(Key(Policy(Statement(Root, "kms:*"), statement))).Single();
        Assert.Multiple(() =>
        {
            Assert.That(f.Address, Is.EqualTo("aws_kms_key.r"));
            Assert.That(f.Message, Does.Contain("'Department'"));
        });
    }

    [Test]
    public void InlinePoliciesOfARoleAreChecked()
    {
        var role = new JsonObject
        {
            ["inline_policy"] = new JsonArray(new JsonObject { ["name"] = "p", ["policy"] = Policy(Decrypt("kms:EncryptionContext:FunctionName")) }),
        };
        var f = Failures<KmsEncryptionContextRule>(One("aws_iam_role", role.ToJsonString())).Single();
        Assert.That(f.Message, Does.StartWith("inline_policy[0].policy (statement DecryptOwnEnvironment)"));
    }
}
