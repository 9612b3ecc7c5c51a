using System.Text.Json.Nodes;
using FraudTf.Functions.Shared.Settings;
using FraudTf.Functions.StreamProcessor;
using FraudTf.Local.Stack;

namespace FraudTf.Backtest;

/// <summary>
/// The scoring rules an environment's stream processor gets: the <c>SCORING_RULES</c> variable of the stack's stream
/// processor function (<c>aws_lambda_function</c> whose handler is <see cref="Handler"/>), read by the function's own
/// <see cref="Settings.ReadRules"/> (unset or empty: the defaults of <see cref="ScoringRules"/>). One contract: the
/// backtest never has rules of its own.
/// </summary>
public static class StackRules
{
    /// <summary>The stream processor's handler string, as the stack declares it.</summary>
    public const string Handler = "FraudTf.Functions.StreamProcessor::FraudTf.Functions.StreamProcessor.Function::Handler";

    /// <summary>The rules of <paramref name="stack"/>'s stream processor, and the raw <c>SCORING_RULES</c> value (null when unset).</summary>
    public static (ScoringRules Rules, string? Raw) FromStack(LocalStack stack)
    {
        var functions = stack.Resources("aws_lambda_function").Where(f => f.Body["handler"]?.GetValue<string>() == Handler).ToList();
        if (functions.Count != 1)
        {
            throw new InvalidOperationException($"{stack.Path} has {functions.Count} stream processor functions (handler {Handler}); expected 1. Fix: synthesize again with 'make synth'.");
        }

        var raw = (functions[0].Body["environment"]?["variables"] as JsonObject)?[FunctionEnvironment.ScoringRules]?.GetValue<string>();
        return (Settings.ReadRules(new SettingsReader(name => name == FunctionEnvironment.ScoringRules ? raw : null)), raw);
    }
}
