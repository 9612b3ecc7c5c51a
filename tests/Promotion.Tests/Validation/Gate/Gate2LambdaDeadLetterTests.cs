namespace FraudTf.Promotion.Tests.Validation.Gate;

/// <summary>GATE-LAM-001: a function's dead_letter_config is used only by asynchronous invocations, and async-invoked functions keep failures.</summary>
public class Gate2LambdaDeadLetterTests
{
    private const string Rule = "GATE-LAM-001";
    private const string Dlq = ""","dead_letter_config":{"target_arn":"${aws_sqs_queue.dlq.arn}"}""";

    private static Gate2Stack Stack() => new Gate2Stack()
        .Add("aws_sqs_queue", "dlq", """{"name":"dlq"}""")
        .Add("aws_lambda_function", "handler", "{\"function_name\":\"handler\"" + Dlq + "}")
        .Add("aws_cloudwatch_event_target", "to-handler", """{"rule":"r","arn":"${aws_lambda_function.handler.arn}"}""")
        .Add("aws_lambda_function", "processor", """{"function_name":"processor"}""")
        .Add("aws_kinesis_stream", "s", """{"name":"s"}""")
        .Add("aws_lambda_event_source_mapping", "m", """{"event_source_arn":"${aws_kinesis_stream.s.arn}","function_name":"${aws_lambda_function.processor.arn}","destination_config":{"on_failure":{"destination_arn":"${aws_sqs_queue.dlq.arn}"}}}""");

    [Test]
    public void ADeadLetterQueueOnAnAsyncInvokedFunctionAndNoneOnASyncOnePass()
    {
        Assert.That(Stack().Failures(Rule), Is.Empty);
    }

    [Test]
    public void ADeadLetterQueueOnAFunctionInvokedOnlySynchronouslyIsReported()
    {
        var stack = Stack()
            .Add("aws_lambda_function", "processor", "{\"function_name\":\"processor\"" + Dlq + "}")
            .Add("aws_lambda_invocation", "once", """{"function_name":"${aws_lambda_function.processor.function_name}","input":"{}"}""");
        var f = stack.Failures(Rule).Single();
        Assert.That((f.RuleId, f.Address), Is.EqualTo((Rule, "aws_lambda_function.processor")));
        Assert.That(f.Message, Does.Contain("never used")
            .And.Contain("aws_lambda_event_source_mapping.m")
            .And.Contain("aws_lambda_invocation.once"));
    }

    [Test]
    public void AnActionGroupFunctionWithADeadLetterQueueIsReported()
    {
        var stack = Stack()
            .Add("aws_lambda_function", "tools", "{\"function_name\":\"tools\"" + Dlq + "}")
            .Add("aws_bedrockagent_agent_action_group", "g", """{"action_group_executor":[{"lambda":"${aws_lambda_function.tools.arn}"}]}""");
        var f = stack.Failures(Rule).Single();
        Assert.That(f.Address, Is.EqualTo("aws_lambda_function.tools"));
        Assert.That(f.Message, Does.Contain("aws_bedrockagent_agent_action_group.g"));
    }

    [Test]
    public void ADeadLetterQueueOnAFunctionNothingInvokesSaysSo()
    {
        var stack = Stack().Add("aws_lambda_function", "lonely", "{\"function_name\":\"lonely\"" + Dlq + "}");
        var f = stack.Failures(Rule).Single();
        Assert.That(f.Address, Is.EqualTo("aws_lambda_function.lonely"));
        Assert.That(f.Message, Does.Contain("none in this stack"));
    }

    [Test]
    public void AnAsyncInvokedFunctionWithoutDeadLetterQueueOrOnFailureIsReported()
    {
        var stack = Stack().Add("aws_lambda_function", "handler", """{"function_name":"handler"}""");
        var f = stack.Failures(Rule).Single();
        Assert.That((f.RuleId, f.Address), Is.EqualTo((Rule, "aws_lambda_function.handler")));
        Assert.That(f.Message, Does.Contain("aws_cloudwatch_event_target.to-handler").And.Contain("discarded"));
    }

    [Test]
    public void AnOnFailureDestinationReplacesTheDeadLetterQueue()
    {
        var stack = Stack()
            .Add("aws_lambda_function", "handler", """{"function_name":"handler"}""")
            .Add("aws_lambda_function_event_invoke_config", "c", """{"function_name":"handler","destination_config":[{"on_failure":[{"destination":"${aws_sqs_queue.dlq.arn}"}]}]}""");
        Assert.That(stack.Failures(Rule), Is.Empty);
    }

    [Test]
    public void SnsAndS3InvokersAreAsynchronous()
    {
        var sns = Stack().Remove("aws_cloudwatch_event_target", "to-handler")
            .Add("aws_sns_topic_subscription", "sub", """{"topic_arn":"x","protocol":"lambda","endpoint":"arn:aws:lambda:us-east-1:111111111111:function:handler"}""");
        var s3 = Stack().Remove("aws_cloudwatch_event_target", "to-handler")
            .Add("aws_s3_bucket_notification", "n", """{"bucket":"b","lambda_function":[{"lambda_function_arn":"${aws_lambda_function.handler.arn}","events":["s3:ObjectCreated:*"]}]}""");
        Assert.That(sns.Failures(Rule), Is.Empty);
        Assert.That(s3.Failures(Rule), Is.Empty);
    }
}
