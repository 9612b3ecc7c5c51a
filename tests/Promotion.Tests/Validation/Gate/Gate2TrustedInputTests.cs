namespace FraudTf.Promotion.Tests.Validation.Gate;

/// <summary>GATE-TRUST-001: tables, streams and knowledge-base prefixes the platform reads deny writes to all but their writers.</summary>
public class Gate2TrustedInputTests
{
    private const string Rule = "GATE-TRUST-001";

    private const string TableDeny = """{"Sid":"OnlyWriters","Effect":"Deny","Principal":"*","Action":["dynamodb:PutItem","dynamodb:UpdateItem","dynamodb:DeleteItem","dynamodb:BatchWriteItem","dynamodb:PartiQLInsert","dynamodb:PartiQLUpdate","dynamodb:PartiQLDelete"],"Resource":"*","Condition":{"ArnNotEquals":{"aws:PrincipalArn":["${aws_iam_role.fn.arn}"]}}}""";
    private const string StreamDeny = """{"Effect":"Deny","Principal":{"AWS":"*"},"Action":["kinesis:PutRecord","kinesis:PutRecords"],"Resource":"*","Condition":{"StringNotLike":{"aws:PrincipalArn":"arn:aws:iam::111111111111:role/producer-*"}}}""";
    private const string ObjectDeny = """{"Effect":"Deny","Principal":"*","Action":["s3:PutObject","s3:DeleteObject","s3:DeleteObjectVersion"],"Resource":"${aws_s3_bucket.docs.arn}/kb/*","Condition":{"ArnNotLike":{"aws:PrincipalArn":"${aws_iam_role.fn.arn}"}}}""";

    private static Gate2Stack Stack() => new Gate2Stack()
        .Add("aws_iam_role", "fn", """{"name":"fn"}""")
        .Add("aws_lambda_function", "f", """{"function_name":"f","role":"${aws_iam_role.fn.arn}"}""")
        .Add("aws_iam_role_policy", "fn", Gate2Stack.WithPolicy("\"role\":\"${aws_iam_role.fn.id}\"", Gate2Stack.Policy(
            """{"Effect":"Allow","Action":["dynamodb:GetItem","dynamodb:Query"],"Resource":["${aws_dynamodb_table.t.arn}","${aws_dynamodb_table.t.arn}/index/*"]}""")))
        .Add("aws_dynamodb_table", "t", """{"name":"transactions"}""")
        .Add("aws_dynamodb_resource_policy", "t", Gate2Stack.WithPolicy("\"resource_arn\":\"${aws_dynamodb_table.t.arn}\"", Gate2Stack.Policy(TableDeny)))
        .Add("aws_kinesis_stream", "s", """{"name":"s"}""")
        .Add("aws_lambda_event_source_mapping", "m", """{"event_source_arn":"${aws_kinesis_stream.s.arn}","function_name":"${aws_lambda_function.f.arn}"}""")
        .Add("aws_kinesis_resource_policy", "s", Gate2Stack.WithPolicy("\"resource_arn\":\"${aws_kinesis_stream.s.arn}\"", Gate2Stack.Policy(StreamDeny)))
        .Add("aws_s3_bucket", "docs", """{"bucket":"docs"}""")
        .Add("aws_s3_bucket_policy", "docs", Gate2Stack.WithPolicy("\"bucket\":\"${aws_s3_bucket.docs.id}\"", Gate2Stack.Policy(ObjectDeny)))
        .Add("aws_bedrockagent_data_source", "ds", """{"name":"ds","data_source_configuration":[{"type":"S3","s3_configuration":[{"bucket_arn":"${aws_s3_bucket.docs.arn}","inclusion_prefixes":["kb/patterns/"]}]}]}""");

    [Test]
    public void WriterOnlyResourcePoliciesPass()
    {
        Assert.That(Stack().Failures(Rule), Is.Empty);
    }

    [Test]
    public void ATableReadByAFunctionWithoutResourcePolicyIsReported()
    {
        var stack = Stack().Remove("aws_dynamodb_resource_policy", "t");
        var f = stack.Failures(Rule).Single();
        Assert.That((f.RuleId, f.Address), Is.EqualTo((Rule, "aws_dynamodb_table.t")));
        Assert.That(f.Message, Does.Contain("aws_iam_role_policy.fn").And.Contain("no aws_dynamodb_resource_policy"));
    }

    [Test]
    public void ATableNobodyReadsNeedsNoPolicy()
    {
        var stack = Stack().Remove("aws_dynamodb_resource_policy", "t").Remove("aws_iam_role_policy", "fn");
        Assert.That(stack.Failures(Rule), Is.Empty);
    }

    [Test]
    public void AReadAllowedToARoleNoFunctionOrPipeUsesDoesNotMakeItTrusted()
    {
        var stack = Stack().Remove("aws_dynamodb_resource_policy", "t");
        stack.Body("aws_lambda_function", "f")["role"] = "arn:aws:iam::111111111111:role/someone-else";
        Assert.That(stack.Failures(Rule), Is.Empty);
    }

    [Test]
    public void APipeReadingTheTableStreamMakesItTrusted()
    {
        var stack = Stack().Remove("aws_dynamodb_resource_policy", "t").Remove("aws_iam_role_policy", "fn")
            .Add("aws_pipes_pipe", "p", """{"source":"${aws_dynamodb_table.t.stream_arn}","target":"x","role_arn":"r"}""");
        Assert.That(stack.Failures(Rule).Single().Message, Does.Contain("aws_pipes_pipe.p"));
    }

    [Test]
    public void ADenyMissingWriteActionsIsReportedWithThem()
    {
        var stack = Stack().Add("aws_dynamodb_resource_policy", "t", Gate2Stack.WithPolicy("\"resource_arn\":\"${aws_dynamodb_table.t.arn}\"", Gate2Stack.Policy(
            """{"Effect":"Deny","Principal":"*","Action":["dynamodb:PutItem","dynamodb:UpdateItem","dynamodb:DeleteItem"],"Resource":"*","Condition":{"ArnNotEquals":{"aws:PrincipalArn":"x"}}}""")));
        var f = stack.Failures(Rule).Single();
        Assert.That(f.Address, Is.EqualTo("aws_dynamodb_table.t"));
        Assert.That(f.Message, Does.Contain("dynamodb:BatchWriteItem").And.Contain("dynamodb:PartiQLInsert").And.Not.Contain("for dynamodb:PutItem"));
    }

    [Test]
    public void ADenyNarrowedByAnotherConditionIsReported()
    {
        var narrowed = TableDeny.Replace("\"Condition\":{", "\"Condition\":{\"Bool\":{\"aws:SecureTransport\":\"false\"},", StringComparison.Ordinal);
        var stack = Stack().Add("aws_dynamodb_resource_policy", "t", Gate2Stack.WithPolicy("\"resource_arn\":\"${aws_dynamodb_table.t.arn}\"", Gate2Stack.Policy(narrowed)));
        Assert.That(stack.Failures(Rule).Single().Address, Is.EqualTo("aws_dynamodb_table.t"));
    }

    [Test]
    public void APolicyOnTheTableStreamDoesNotProtectTheTable()
    {
        var stack = Stack().Add("aws_dynamodb_resource_policy", "t", Gate2Stack.WithPolicy("\"resource_arn\":\"${aws_dynamodb_table.t.stream_arn}\"", Gate2Stack.Policy(TableDeny)));
        Assert.That(stack.Failures(Rule).Single().Message, Does.Contain("stream"));
    }

    [Test]
    public void AStreamReadByAMappingWithoutResourcePolicyIsReported()
    {
        var stack = Stack().Remove("aws_kinesis_resource_policy", "s");
        var f = stack.Failures(Rule).Single();
        Assert.That((f.RuleId, f.Address), Is.EqualTo((Rule, "aws_kinesis_stream.s")));
        Assert.That(f.Message, Does.Contain("aws_lambda_event_source_mapping.m"));
    }

    [Test]
    public void AKnowledgeBasePrefixWithoutBucketDenyIsReported()
    {
        var stack = Stack().Add("aws_s3_bucket_policy", "docs", Gate2Stack.WithPolicy("\"bucket\":\"${aws_s3_bucket.docs.id}\"", Gate2Stack.Policy(
            """{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":["${aws_s3_bucket.docs.arn}","${aws_s3_bucket.docs.arn}/*"],"Condition":{"Bool":{"aws:SecureTransport":"false"}}}""")));
        var f = stack.Failures(Rule).Single();
        Assert.That((f.RuleId, f.Address), Is.EqualTo((Rule, "aws_bedrockagent_data_source.ds")));
        Assert.That(f.Message, Does.Contain("s3:PutObject on <bucket arn>/kb/patterns/*"));
    }

    [Test]
    public void ABucketDenyOnAnotherPrefixDoesNotCover()
    {
        var stack = Stack().Add("aws_s3_bucket_policy", "docs", Gate2Stack.WithPolicy("\"bucket\":\"${aws_s3_bucket.docs.id}\"", Gate2Stack.Policy(
            ObjectDeny.Replace("/kb/*", "/other/*", StringComparison.Ordinal))));
        Assert.That(stack.Failures(Rule).Single().Address, Is.EqualTo("aws_bedrockagent_data_source.ds"));
    }

    [Test]
    public void ABucketDenyWithALiteralArnCovers()
    {
        var stack = Stack().Add("aws_s3_bucket_policy", "docs", Gate2Stack.WithPolicy("\"bucket\":\"docs\"", Gate2Stack.Policy(
            ObjectDeny.Replace("${aws_s3_bucket.docs.arn}/kb/*", "arn:aws:s3:::docs/kb/patterns/*", StringComparison.Ordinal))));
        Assert.That(stack.Failures(Rule), Is.Empty);
    }

    [Test]
    public void ABucketDenyMissingDeleteObjectVersionIsReported()
    {
        var stack = Stack().Add("aws_s3_bucket_policy", "docs", Gate2Stack.WithPolicy("\"bucket\":\"${aws_s3_bucket.docs.id}\"", Gate2Stack.Policy(
            ObjectDeny.Replace(",\"s3:DeleteObjectVersion\"", "", StringComparison.Ordinal))));
        var f = stack.Failures(Rule).Single();
        Assert.That(f.Message, Does.Contain("s3:DeleteObjectVersion").And.Not.Contain("s3:PutObject on"));
    }
}
