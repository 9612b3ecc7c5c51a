namespace FraudTf.Promotion.Tests.Validation.Gate;

/// <summary>GATE-CW-001: every alarm's metric is produced by something in the stack.</summary>
public class Gate2AlarmTests
{
    private const string Rule = "GATE-CW-001";

    private static string Alarm(string ns, string metric, string dimensions) =>
        $$"""{"alarm_name":"a","namespace":"{{ns}}","metric_name":"{{metric}}","dimensions":{{dimensions}},"statistic":"Sum","period":60,"evaluation_periods":1,"threshold":1,"comparison_operator":"GreaterThanThreshold"}""";

    private static Gate2Stack Produced() => new Gate2Stack()
        .Add("aws_lambda_function", "f", """{"function_name":"scorer","//":{"emits_metrics":[{"namespace":"Fraud","name":"Scored","dimensions":["Environment"]}]}}""")
        .Add("aws_kinesis_stream", "s", """{"name":"transactions"}""")
        .Add("aws_lambda_event_source_mapping", "m", """{"event_source_arn":"${aws_kinesis_stream.s.arn}","function_name":"${aws_lambda_function.f.arn}"}""")
        .Add("aws_dynamodb_table", "t", """{"name":"decisions"}""")
        .Add("aws_cloudwatch_log_group", "g", """{"name":"/aws/lambda/scorer"}""")
        .Add("aws_cloudwatch_log_metric_filter", "errors", """{"log_group_name":"${aws_cloudwatch_log_group.g.name}","pattern":"{ $.level = \"error\" }","metric_transformation":{"namespace":"Fraud","name":"Errors","value":"1"}}""")
        .Add("aws_cloudwatch_log_metric_filter", "by-rule", """{"log_group_name":"${aws_cloudwatch_log_group.g.name}","pattern":"{ $.rule = * }","metric_transformation":[{"namespace":"Fraud","name":"RuleFired","value":"1","dimensions":{"Rule":"$.rule"}}]}""")
        .Add("aws_cloudwatch_metric_alarm", "fn-errors", Alarm("AWS/Lambda", "Errors", """{"FunctionName":"scorer"}"""))
        .Add("aws_cloudwatch_metric_alarm", "fn-ref", Alarm("AWS/Lambda", "Throttles", """{"FunctionName":"${aws_lambda_function.f.function_name}"}"""))
        .Add("aws_cloudwatch_metric_alarm", "age", Alarm("AWS/Kinesis", "GetRecords.IteratorAgeMilliseconds", """{"StreamName":"transactions"}"""))
        .Add("aws_cloudwatch_metric_alarm", "table", Alarm("AWS/DynamoDB", "WriteThrottleEvents", """{"TableName":"${aws_dynamodb_table.t.name}"}"""))
        .Add("aws_cloudwatch_metric_alarm", "account", Alarm("AWS/Lambda", "ConcurrentExecutions", "{}"))
        .Add("aws_cloudwatch_metric_alarm", "errors", Alarm("Fraud", "Errors", "{}"))
        .Add("aws_cloudwatch_metric_alarm", "by-rule", Alarm("Fraud", "RuleFired", """{"Rule":"velocity"}"""))
        .Add("aws_cloudwatch_metric_alarm", "scored", Alarm("Fraud", "Scored", """{"Environment":"dev"}"""));

    [Test]
    public void AlarmsOnProducedMetricsPass()
    {
        Assert.That(Produced().Failures(Rule), Is.Empty);
    }

    [Test]
    public void ALambdaAlarmOnAFunctionNotInTheStackIsReported()
    {
        var stack = Produced().Add("aws_cloudwatch_metric_alarm", "ghost", Alarm("AWS/Lambda", "Errors", """{"FunctionName":"scorer-old"}"""));
        var f = stack.Failures(Rule).Single();
        Assert.That((f.RuleId, f.Address), Is.EqualTo((Rule, "aws_cloudwatch_metric_alarm.ghost")));
        Assert.That(f.Message, Does.Contain("aws_lambda_function").And.Contain("scorer-old"));
    }

    [TestCase("AWS/DynamoDB", "TableName")]
    [TestCase("AWS/SQS", "QueueName")]
    [TestCase("AWS/SNS", "TopicName")]
    [TestCase("AWS/EventBridge/Pipes", "PipeName")]
    [TestCase("AWS/Events", "RuleName")]
    public void AnAwsAlarmOnAMissingResourceIsReported(string ns, string dimension)
    {
        var stack = Produced().Add("aws_cloudwatch_metric_alarm", "ghost", Alarm(ns, "Anything", $$"""{"{{dimension}}":"not-in-stack"}"""));
        Assert.That(stack.Failures(Rule).Select(f => f.Address), Is.EqualTo(new[] { "aws_cloudwatch_metric_alarm.ghost" }));
    }

    [Test]
    public void ARuleOfACustomBusNeedsTheEventBusNameDimension()
    {
        var stack = Produced()
            .Add("aws_cloudwatch_event_bus", "bus", """{"name":"fraud"}""")
            .Add("aws_cloudwatch_event_rule", "r", """{"name":"detected","event_bus_name":"${aws_cloudwatch_event_bus.bus.name}"}""")
            .Add("aws_cloudwatch_metric_alarm", "failed", Alarm("AWS/Events", "FailedInvocations", """{"RuleName":"detected"}"""));
        Assert.That(stack.Failures(Rule).Single().Message, Does.Contain("EventBusName"));
        stack.Add("aws_cloudwatch_metric_alarm", "failed", Alarm("AWS/Events", "FailedInvocations", """{"RuleName":"detected","EventBusName":"fraud"}"""));
        Assert.That(stack.Failures(Rule), Is.Empty);
    }

    [Test]
    public void AnIteratorAgeAlarmOnAStreamNobodyReadsIsReported()
    {
        var stack = Produced().Remove("aws_lambda_event_source_mapping", "m");
        var f = stack.Failures(Rule).Single();
        Assert.That(f.Address, Is.EqualTo("aws_cloudwatch_metric_alarm.age"));
        Assert.That(f.Message, Does.Contain("consumer"));
    }

    [Test]
    public void APipeOrFirehoseCountsAsAStreamConsumer()
    {
        var pipe = Produced().Remove("aws_lambda_event_source_mapping", "m").Add("aws_pipes_pipe", "p", """{"source":"${aws_kinesis_stream.s.arn}","target":"x"}""");
        var firehose = Produced().Remove("aws_lambda_event_source_mapping", "m").Add("aws_kinesis_firehose_delivery_stream", "d",
            """{"kinesis_source_configuration":[{"kinesis_stream_arn":"${aws_kinesis_stream.s.arn}"}]}""");
        Assert.That(pipe.Failures(Rule), Is.Empty);
        Assert.That(firehose.Failures(Rule), Is.Empty);
    }

    [Test]
    public void AProducerSideKinesisMetricNeedsOnlyTheStream()
    {
        var stack = Produced().Remove("aws_lambda_event_source_mapping", "m")
            .Add("aws_cloudwatch_metric_alarm", "age", Alarm("AWS/Kinesis", "WriteProvisionedThroughputExceeded", """{"StreamName":"transactions"}"""));
        Assert.That(stack.Failures(Rule), Is.Empty);
    }

    [Test]
    public void AnAwsNamespaceWithoutProducerEntryIsReported()
    {
        var stack = Produced().Add("aws_cloudwatch_metric_alarm", "api", Alarm("AWS/ApiGateway", "5XXError", """{"ApiName":"x"}"""));
        var f = stack.Failures(Rule).Single();
        Assert.That(f.Address, Is.EqualTo("aws_cloudwatch_metric_alarm.api"));
        Assert.That(f.Message, Does.Contain("no producer entry for namespace AWS/ApiGateway"));
    }

    [Test]
    public void ACustomMetricWithOtherDimensionsThanTheFilterIsReported()
    {
        var stack = Produced().Add("aws_cloudwatch_metric_alarm", "errors", Alarm("Fraud", "Errors", """{"Environment":"dev"}"""));
        var f = stack.Failures(Rule).Single();
        Assert.That(f.Address, Is.EqualTo("aws_cloudwatch_metric_alarm.errors"));
        Assert.That(f.Message, Does.Contain("aws_cloudwatch_log_metric_filter.errors with dimension keys []"));
    }

    [Test]
    public void ACustomMetricThatTheFunctionEmitsWithOtherDimensionsIsReported()
    {
        var stack = Produced().Add("aws_cloudwatch_metric_alarm", "scored", Alarm("Fraud", "Scored", "{}"));
        var f = stack.Failures(Rule).Single();
        Assert.That(f.Address, Is.EqualTo("aws_cloudwatch_metric_alarm.scored"));
        Assert.That(f.Message, Does.Contain("emits_metrics").And.Contain("[Environment]"));
    }

    [Test]
    public void ACustomMetricNobodyProducesIsReported()
    {
        var stack = Produced().Add("aws_cloudwatch_metric_alarm", "spike", Alarm("Fraud", "FraudDetected", """{"Environment":"dev"}"""));
        var f = stack.Failures(Rule).Single();
        Assert.That((f.RuleId, f.Address), Is.EqualTo((Rule, "aws_cloudwatch_metric_alarm.spike")));
        Assert.That(f.Message, Does.Contain("nothing in the stack produces it"));
    }

    [Test]
    public void MetricQueryAlarmsAreCheckedPerMetric()
    {
        var stack = Produced().Add("aws_cloudwatch_metric_alarm", "math", """
            {"alarm_name":"m","comparison_operator":"GreaterThanThreshold","evaluation_periods":1,"threshold":1,
             "metric_query":[
               {"id":"e","expression":"a+b","return_data":true},
               {"id":"a","metric":[{"namespace":"AWS/Lambda","metric_name":"Errors","dimensions":{"FunctionName":"scorer"},"period":60,"stat":"Sum"}]},
               {"id":"b","metric":{"namespace":"AWS/Lambda","metric_name":"Errors","dimensions":{"FunctionName":"missing"},"period":60,"stat":"Sum"}}]}
            """);
        var f = stack.Failures(Rule).Single();
        Assert.That(f.Address, Is.EqualTo("aws_cloudwatch_metric_alarm.math"));
        Assert.That(f.Message, Does.Contain("missing").And.Not.Contain("\"scorer\""));
    }
}
