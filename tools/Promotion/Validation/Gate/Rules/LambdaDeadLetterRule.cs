// Alike on purpose: every gate rule has GateRule's shape (id, scanner ids, rationale, a check over the stack index
// that returns findings with their fix); the likeness is the template, each rule's check is its own.
namespace FraudTf.Promotion.Validation.Gate.Rules;

/// <summary>
/// GATE-LAM-001: a function's <c>dead_letter_config</c> matches how it is invoked. Lambda sends to a function's dead-letter
/// queue only events of asynchronous invocations that failed every retry; a function invoked only synchronously (event
/// source mappings, <c>aws_lambda_invocation</c>, a Bedrock agent's action group, a pipe with REQUEST_RESPONSE) never
/// uses it, so the configuration (and the role's permission on the queue) suggests a safety net that does not exist.
/// Conversely, a function invoked asynchronously (EventBridge rule target, SNS subscription, S3 notification, CloudWatch
/// Logs subscription, pipe with FIRE_AND_FORGET) with neither a dead-letter queue nor an on-failure destination loses
/// the events that still fail after Lambda's retries (two by default).
/// Source: AWS Lambda Developer Guide, "Retaining records of asynchronous invocations" (section "Adding a dead-letter
/// queue") and "Invoking a Lambda function asynchronously"; Lambda API CreateFunction.DeadLetterConfig ("where Lambda sends
/// asynchronous events when they fail processing"); provider internal/service/lambda/invocation.go (RequestResponse).
/// </summary>
public sealed class LambdaDeadLetterRule : GateRule
{
    /// <inheritdoc />
    public override string Id => "GATE-LAM-001";

    /// <inheritdoc />
    public override string Title => "A function's dead_letter_config is used (async invoker) and every async-invoked function keeps its failed events";

    /// <inheritdoc />
    public override string Source =>
        "AWS Lambda Developer Guide, \"Retaining records of asynchronous invocations\" (Adding a dead-letter queue) and \"Invoking a Lambda function asynchronously\"; " +
        "Lambda API CreateFunction.DeadLetterConfig; terraform-provider-aws internal/service/lambda/invocation.go (InvocationType RequestResponse)";

    /// <inheritdoc />
    public override string Limits =>
        "Invokers outside the stack (another stack, an application calling Invoke with InvocationType Event) are invisible here; record them with a gate exception.";

    /// <inheritdoc />
    public override IEnumerable<GateFinding> Check(GateStack stack)
    {
        foreach (var function in stack.OfType("aws_lambda_function"))
        {
            var asyncInvokers = AsyncInvokers(stack, function).ToList();
            var hasDlq = GateStack.At(function.Body, "dead_letter_config.target_arn") is { } target && target.ToString().Length > 0;
            if (hasDlq && asyncInvokers.Count == 0)
            {
                var sync = SyncInvokers(stack, function).ToList();
                var invokedBy = sync.Count == 0 ? "none in this stack" : string.Join(", ", sync);
                yield return Finding(function,
                    $"{function.Address} ({function.String("function_name") ?? function.ConstructPath ?? function.Address}) has a dead_letter_config that is never used: Lambda sends only failed " +
                    $"asynchronous events there, and nothing in the stack invokes the function asynchronously. It is invoked by: {invokedBy}. " +
                    "Fix: remove dead_letter_config (and the role's sqs:SendMessage on the queue), and handle failures where the invoker is: " +
                    "an event source mapping's destination_config.on_failure, a pipe's dead_letter_config, the caller of a synchronous invocation.");
            }

            if (!hasDlq && asyncInvokers.Count > 0 && !HasOnFailureDestination(stack, function))
            {
                yield return Finding(function,
                    $"{function.Address} ({function.String("function_name") ?? function.ConstructPath ?? function.Address}) is invoked asynchronously by {string.Join(", ", asyncInvokers)} " +
                    "but has neither a dead_letter_config nor an aws_lambda_function_event_invoke_config with destination_config.on_failure: " +
                    "an event that still fails after Lambda's retries is discarded (an EventBridge target's own dead_letter_config only catches " +
                    "events EventBridge could not hand to Lambda, not function errors). Fix: add dead_letter_config { target_arn = <queue arn> } " +
                    "or an aws_lambda_function_event_invoke_config with destination_config.on_failure.destination, and the role's permission to send to it.");
            }
        }
    }

    /// <summary>Resources of the stack that invoke <paramref name="function"/> asynchronously, as addresses.</summary>
    private static IEnumerable<string> AsyncInvokers(GateStack stack, StackResource function)
    {
        bool Targets(JsonNode? value) => GateQueries.Designates(value, function, "function_name", ":function:");

        foreach (var t in stack.OfType("aws_cloudwatch_event_target").Where(t => Targets(t.Body["arn"])))
        {
            yield return t.Address;
        }

        foreach (var s in stack.OfType("aws_sns_topic_subscription")
                     .Where(s => string.Equals(s.String("protocol"), "lambda", StringComparison.OrdinalIgnoreCase) && Targets(s.Body["endpoint"])))
        {
            yield return s.Address;
        }

        foreach (var n in stack.OfType("aws_s3_bucket_notification")
                     .Where(n => (n.Body["lambda_function"] as JsonArray ?? []).Any(l => Targets(l?["lambda_function_arn"]))))
        {
            yield return n.Address;
        }

        foreach (var l in stack.OfType("aws_cloudwatch_log_subscription_filter").Where(l => Targets(l.Body["destination_arn"])))
        {
            yield return l.Address;
        }

        foreach (var p in stack.OfType("aws_pipes_pipe").Where(p => Targets(p.Body["target"])
                     && p.At("target_parameters.lambda_function_parameters.invocation_type")?.ToString() == "FIRE_AND_FORGET"))
        {
            yield return p.Address;
        }
    }

    /// <summary>Resources of the stack that invoke <paramref name="function"/> synchronously, as "type address" labels.</summary>
    private static IEnumerable<string> SyncInvokers(GateStack stack, StackResource function)
    {
        bool Targets(JsonNode? value) => GateQueries.Designates(value, function, "function_name", ":function:");

        foreach (var m in stack.OfType("aws_lambda_event_source_mapping").Where(m => Targets(m.Body["function_name"])))
        {
            yield return $"{m.Address} (event source mapping: synchronous)";
        }

        foreach (var i in stack.OfType("aws_lambda_invocation").Where(i => Targets(i.Body["function_name"])))
        {
            yield return $"{i.Address} (RequestResponse)";
        }

        foreach (var g in stack.OfType("aws_bedrockagent_agent_action_group").Where(g => Targets(g.At("action_group_executor.lambda"))))
        {
            yield return $"{g.Address} (the agent waits for the result)";
        }

        foreach (var p in stack.OfType("aws_pipes_pipe").Where(p => Targets(p.Body["target"])
                     && p.At("target_parameters.lambda_function_parameters.invocation_type")?.ToString() != "FIRE_AND_FORGET"))
        {
            yield return $"{p.Address} (REQUEST_RESPONSE)";
        }
    }

    private static bool HasOnFailureDestination(GateStack stack, StackResource function) =>
        stack.OfType("aws_lambda_function_event_invoke_config").Any(c =>
            GateQueries.Designates(c.Body["function_name"], function, "function_name", ":function:")
            && c.At("destination_config.on_failure.destination") is { } d && d.ToString().Length > 0);
}
