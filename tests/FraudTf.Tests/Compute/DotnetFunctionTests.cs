using System.Text.Json.Nodes;
using FraudTf.Compute;
using FraudTf.Security;
using FraudTf.Streaming;
using FraudTf.Tests.Support;

namespace FraudTf.Tests.Compute;

/// <summary><see cref="DotnetFunction"/> alone on a fresh stack (with its keys): defaults, options, validations and errors.</summary>
[TestFixture]
public class DotnetFunctionTests
{
    private static DotnetFunction NewFunction(FreshStack s, Func<DotnetFunctionConfig, DotnetFunctionConfig>? change = null, string project = "functions/AgentTools") =>
        new(s.Stack, "f", (change ?? (c => c))(s.FunctionConfig(project)));

    [Test]
    public void Defaults_TracedDotnet10OnX86_WithItsOwnEncryptedLogGroup_AndEncryptedEnvironment()
    {
        var s = new FreshStack();
        var function = NewFunction(s, c => c with { Environment = new Dictionary<string, string> { ["B"] = "2", ["A"] = "1" } });

        var stack = s.Synth();
        var json = stack.Resources("aws_lambda_function").Values.Single();
        var logs = stack.Resources("aws_cloudwatch_log_group").Values.Single();

        Assert.Multiple(() =>
        {
            Assert.That(json["function_name"]!.GetValue<string>(), Is.EqualTo("test-function"));
            Assert.That(json["runtime"]!.GetValue<string>(), Is.EqualTo("dotnet10"));
            Assert.That(json["architectures"]!.AsArray().Single()!.GetValue<string>(), Is.EqualTo("x86_64"));
            Assert.That(json["handler"]!.GetValue<string>(), Does.EndWith(".Function::Handler"));
            Assert.That(json["tracing_config"]!["mode"]!.GetValue<string>(), Is.EqualTo("Active"));
            Assert.That(json["kms_key_arn"]!.GetValue<string>(), Is.EqualTo(s.Resolve(function.Config.EnvironmentKey.KeyArn)));
            Assert.That(json["reserved_concurrent_executions"]!.GetValue<int>(), Is.EqualTo(1));
            Assert.That(json["environment"]!["variables"]!.AsObject().Select(p => p.Key), Is.EqualTo(new[] { "A", "B" }), "sorted");
            Assert.That(json["dead_letter_config"], Is.Null);
            Assert.That(logs["name"]!.GetValue<string>(), Is.EqualTo("/aws/lambda/test-function"));
            Assert.That(logs["retention_in_days"]!.GetValue<int>(), Is.EqualTo(30));
            Assert.That(logs["kms_key_id"]!.GetValue<string>(), Is.EqualTo(s.Resolve(function.Config.LogKey.KeyArn)));
            Assert.That(function.FunctionName, Is.EqualTo("test-function"), "the configured literal");
        });
    }

    [Test]
    public void Role_WritesOwnLogsAndTraces_AndDecryptsOnlyItsOwnEnvironment()
    {
        var s = new FreshStack();
        var function = NewFunction(s);

        var statements = function.Policy.Statements;

        Assert.That(statements.Select(st => st.Sid), Is.EqualTo(new[] { "WriteOwnLogs", "WriteTraces", "DecryptOwnEnvironment" }));
        Assert.That(statements[0].Resources.Single(), Is.EqualTo("arn:aws:logs:us-east-1:111111111111:log-group:/aws/lambda/test-function:*"));
        Assert.That(statements[2].Conditions.Single().Values.Single(), Is.EqualTo("arn:aws:lambda:us-east-1:111111111111:function:test-function"));
    }

    [Test]
    public void Options_HandlerRuntimeAndPartition_AreWrittenOut()
    {
        var s = new FreshStack();
        var function = NewFunction(s, c => c with { Handler = "A::B.C::D", Runtime = "dotnet8", Partition = "aws-us-gov" });

        var json = s.Synth().Resources("aws_lambda_function").Values.Single();

        Assert.That(json["handler"]!.GetValue<string>(), Is.EqualTo("A::B.C::D"));
        Assert.That(json["runtime"]!.GetValue<string>(), Is.EqualTo("dotnet8"));
        Assert.That(DotnetFunction.UnqualifiedArn(function.Config), Does.StartWith("arn:aws-us-gov:lambda:"));
    }

    [Test]
    public void ADeadLetterQueue_IsSetAndGranted()
    {
        var s = new FreshStack();
        var queue = new EncryptedQueue(s.Stack, "dlq", new EncryptedQueueConfig { QueueName = "dlq", Key = s.Key("queue-key"), Region = FreshStack.Region });
        var function = NewFunction(s, c => c with { SynchronousInvocation = null, DeadLetterQueue = queue });

        var json = s.Synth().Resources("aws_lambda_function").Values.Single();

        Assert.That(json["dead_letter_config"]!["target_arn"]!.GetValue<string>(), Is.EqualTo(s.Resolve(queue.QueueArn)));
        Assert.That(function.Policy.Statements.Select(st => st.Sid), Does.Contain("DlqQueueSendMessage"));
        Assert.That(json["//"]?["policy_exceptions"], Is.Null);
    }

    [Test]
    public void ASynchronousFunction_WritesSdkCallsAndTheDeadLetterExceptionOnTheFunction()
    {
        var s = new FreshStack();
        var function = NewFunction(s);

        var json = s.Synth().Resources("aws_lambda_function").Values.Single();

        Assert.That(json["//"]!["sdk_calls"]!.AsArray().Select(v => v!.GetValue<string>()), Is.EqualTo(function.SdkCalls));
        Assert.That(function.SdkCalls, Is.EqualTo(new[] { "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query", "dynamodb:UpdateItem" }),
            "AnalystToolHandlers: GetItem, Query, PutItem, and TransactWriteItems of a Put and Updates");
        Assert.That(json["//"]!["policy_exceptions"]!["FTF-LAM-002"]!.GetValue<string>(), Does.StartWith("Invoked only synchronously by the test caller"));
    }

    [Test]
    public void NeitherADeadLetterQueueNorASynchronousInvoker_Fails()
    {
        var e = Assert.Throws<ArgumentException>(() => NewFunction(new FreshStack(), c => c with { SynchronousInvocation = null }));

        Assert.That(e!.Message, Does.Contain("DotnetFunction 'f' (test-function): neither DeadLetterQueue nor SynchronousInvocation is set. Fix:"));
    }

    [Test]
    public void BothADeadLetterQueueAndASynchronousInvoker_Fail()
    {
        var s = new FreshStack();
        var queue = new EncryptedQueue(s.Stack, "dlq", new EncryptedQueueConfig { QueueName = "dlq", Key = s.Key("queue-key"), Region = FreshStack.Region });

        var e = Assert.Throws<ArgumentException>(() => NewFunction(s, c => c with { DeadLetterQueue = queue }));

        Assert.That(e!.Message, Does.Contain("both DeadLetterQueue and SynchronousInvocation are set. Fix:"));
    }

    [TestCase(127, 10, 1, "MemoryMb = 127. Fix: use 128 to 10240.")]
    [TestCase(256, 901, 1, "TimeoutSeconds = 901. Fix: use 1 to 900.")]
    [TestCase(256, 10, 0, "ReservedConcurrency = 0: 0 would stop the function. Fix: use at least 1.")]
    public void SizeOutOfRange_Fails(int memory, int timeout, int concurrency, string expected)
    {
        var e = Assert.Throws<ArgumentException>(() => NewFunction(new FreshStack(), c => c with
        {
            Settings = new FraudTf.Config.FunctionSettings { MemoryMb = memory, TimeoutSeconds = timeout, ReservedConcurrency = concurrency },
        }));

        Assert.That(e!.Message, Does.Contain(expected));
    }

    [Test]
    public void ANameOverSixtyFourCharacters_Fails()
    {
        var e = Assert.Throws<ArgumentException>(() => NewFunction(new FreshStack(), c => c with { FunctionName = new string('f', 65) }));

        Assert.That(e!.Message, Does.Contain("the name has 65 characters. Fix: Lambda allows at most 64."));
    }

    [Test]
    public void AnInvalidEnvironmentVariableName_Fails()
    {
        var e = Assert.Throws<ArgumentException>(() => NewFunction(new FreshStack(), c => c with { Environment = new Dictionary<string, string> { ["1-BAD"] = "x" } }));

        Assert.That(e!.Message, Does.Contain("environment variable name '1-BAD' is invalid. Fix:"));
    }

    [Test]
    public void CodeThatSignsItsOwnRequests_NeedsThemDeclared()
    {
        var e = Assert.Throws<ArgumentException>(() => NewFunction(new FreshStack(), project: "functions/KnowledgeBaseSetup"));

        Assert.That(e!.Message, Does.Contain("signs AWS requests itself").And.Contain("Fix: declare"));
    }

    [Test]
    public void DeclaredSignedRequestsTheCodeDoesNotMake_Fail()
    {
        var e = Assert.Throws<ArgumentException>(() => NewFunction(new FreshStack(),
            c => c with { SignedRequests = [new SignedRequest("aoss:APIAccessAll", "a reason that is long enough to pass")] }));

        Assert.That(e!.Message, Does.Contain("signs no request itself"));
    }

    [Test]
    public void DeclaredSignedRequests_AreAddedToTheSdkCalls_AndNeedAnExplicitActionAndAReason()
    {
        var s = new FreshStack();
        var function = NewFunction(s, c => c with { SignedRequests = [new SignedRequest("bedrock:StartIngestionJob", "starts the ingestion of the knowledge base")] },
            "functions/KnowledgeBaseSetup");

        Assert.That(function.SdkCalls, Is.EqualTo(new[] { "bedrock:StartIngestionJob" }));
        var e = Assert.Throws<ArgumentException>(() => NewFunction(new FreshStack(), c => c with { SignedRequests = [new SignedRequest("bedrock:*", "too short")] },
            "functions/KnowledgeBaseSetup"));
        Assert.That(e!.Message, Does.Contain("signed request 'bedrock:*' needs an explicit action (service:Action, no wildcard) and a reason of at least 20 characters."));
    }
}
