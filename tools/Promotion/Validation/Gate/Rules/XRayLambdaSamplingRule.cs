// Alike on purpose: every gate rule has GateRule's shape (id, scanner ids, rationale, a check over the stack index
// that returns findings with their fix); the likeness is the template, each rule's check is its own.
namespace FraudTf.Promotion.Validation.Gate.Rules;

/// <summary>
/// GATE-XRAY-001: an <c>aws_xray_sampling_rule</c> whose <c>service_type</c> is <c>AWS::Lambda::Function</c> deploys and
/// does nothing: Lambda's active tracing samples at a fixed rate (or follows an upstream sampling decision in the trace
/// header) and does not apply X-Ray sampling rules.
/// </summary>
// Lambda Developer Guide, "Visualize Lambda function invocations using AWS X-Ray"
//   (docs.aws.amazon.com/lambda/latest/dg/services-xray.html): "The sampling rate is 1 request per second and 5 percent of
//   additional requests. You can't configure the X-Ray sampling rate for your functions."
// X-Ray Developer Guide, "Configuring sampling rules" (xray-console-sampling.html): sampling rules apply to API Gateway,
//   AppSync, Step Functions and X-Ray SDK/ADOT-instrumented applications; Lambda is not listed.
public sealed class XRayLambdaSamplingRule : GateRule
{
    /// <inheritdoc />
    public override string Id => "GATE-XRAY-001";

    /// <inheritdoc />
    public override string Title => "No X-Ray sampling rule targets Lambda functions (Lambda ignores sampling rules)";

    /// <inheritdoc />
    public override string Source =>
        "Lambda Developer Guide, \"Visualize Lambda function invocations using AWS X-Ray\": \"The sampling rate is 1 request per " +
        "second and 5 percent of additional requests. You can't configure the X-Ray sampling rate for your functions.\"; X-Ray " +
        "Developer Guide, \"Configuring sampling rules\" (API Gateway, AppSync, Step Functions, SDK/ADOT-instrumented compute)";

    /// <inheritdoc />
    public override string Limits =>
        "A rule matching Lambda through wildcards (service_type \"*\") is not reported: it may serve other, rule-aware services.";

    /// <inheritdoc />
    public override IEnumerable<GateFinding> Check(GateStack stack)
    {
        foreach (var rule in stack.OfType("aws_xray_sampling_rule"))
        {
            if (string.Equals(rule.String("service_type"), "AWS::Lambda::Function", StringComparison.OrdinalIgnoreCase))
            {
                yield return Finding(rule,
                    "service_type AWS::Lambda::Function: Lambda's active tracing samples 1 request per second and 5 percent of the " +
                    "rest (or follows the upstream caller's decision in the trace header) and never applies X-Ray sampling rules, " +
                    "so this rule changes nothing. Fix: remove it, or target the rule-aware entry point (API Gateway, Step Functions, " +
                    "an SDK-instrumented caller) whose decision Lambda follows.");
            }
        }
    }
}
