namespace FraudTf.Promotion.Tests.Validation.Gate;

/// <summary>GATE-TRUST-002: write-once prefixes deny s3:PutObject without If-None-Match.</summary>
public class Gate2WriteOnceTests
{
    private const string Rule = "GATE-TRUST-002";
    private const string Conditional = """{"Sid":"WriteOnce","Effect":"Deny","Principal":"*","Action":"s3:PutObject","Resource":"${aws_s3_bucket.b.arn}/trails/*","Condition":{"Null":{"s3:if-none-match":"true"}}}""";

    private static Gate2Stack Stack(params string[] statements) => new Gate2Stack()
        .Add("aws_s3_bucket", "b", """{"bucket":"trails-bucket","//":{"write_once_prefixes":["trails/"]}}""")
        .Add("aws_s3_bucket_policy", "p", Gate2Stack.WithPolicy("\"bucket\":\"${aws_s3_bucket.b.id}\"", Gate2Stack.Policy(statements)));

    [Test]
    public void ADenyOfUnconditionalPutsPasses()
    {
        Assert.That(Stack(Conditional).Failures(Rule), Is.Empty);
    }

    [Test]
    public void TheMultipartExemptionAndABroaderResourceAreAccepted()
    {
        var withMultipart = Conditional.Replace("\"Condition\":{", "\"Condition\":{\"Bool\":{\"s3:ObjectCreationOperation\":\"true\"},", StringComparison.Ordinal)
            .Replace("/trails/*", "/*", StringComparison.Ordinal);
        Assert.That(Stack(withMultipart).Failures(Rule), Is.Empty);
    }

    [Test]
    public void ABucketWithoutWriteOncePrefixesIsNotChecked()
    {
        var stack = new Gate2Stack().Add("aws_s3_bucket", "b", """{"bucket":"plain"}""");
        Assert.That(stack.Failures(Rule), Is.Empty);
    }

    [Test]
    public void AWriteOnceBucketWithoutPolicyIsReported()
    {
        var stack = Stack(Conditional).Remove("aws_s3_bucket_policy", "p");
        var f = stack.Failures(Rule).Single();
        Assert.That((f.RuleId, f.Address), Is.EqualTo((Rule, "aws_s3_bucket.b")));
        Assert.That(f.Message, Does.Contain("'trails/'").And.Contain("no aws_s3_bucket_policy"));
    }

    [Test]
    public void ADenyOnAnotherPrefixIsReported()
    {
        Assert.That(Stack(Conditional.Replace("/trails/*", "/audit/*", StringComparison.Ordinal)).Failures(Rule).Single().Address, Is.EqualTo("aws_s3_bucket.b"));
    }

    [Test]
    public void ANullFalseConditionIsTheOppositeAndIsReported()
    {
        Assert.That(Stack(Conditional.Replace("\"true\"", "\"false\"", StringComparison.Ordinal)).Failures(Rule), Has.Count.EqualTo(1));
    }

    [Test]
    public void ADenyNarrowedByAnotherConditionIsReported()
    {
        var narrowed = Conditional.Replace("\"Condition\":{", "\"Condition\":{\"Bool\":{\"aws:SecureTransport\":\"false\"},", StringComparison.Ordinal);
        Assert.That(Stack(narrowed).Failures(Rule), Has.Count.EqualTo(1));
    }

    [Test]
    public void AnAllowIsNotADeny()
    {
        Assert.That(Stack(Conditional.Replace("\"Deny\"", "\"Allow\"", StringComparison.Ordinal)).Failures(Rule), Has.Count.EqualTo(1));
    }
}
