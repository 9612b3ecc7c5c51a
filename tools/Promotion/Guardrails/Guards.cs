using FraudTf.Promotion.Comparison;
using FraudTf.Promotion.Plans;

namespace FraudTf.Promotion.Guardrails;

/// <summary>The decision of a guard: allowed or not, and every line to print (reasons, fixes, the override used).</summary>
/// <param name="Allowed">Whether the deploy may go on.</param>
/// <param name="Forced">Whether it goes on only because an override reason was given.</param>
/// <param name="Lines">What the guard found, one finding per line.</param>
public sealed record GuardResult(bool Allowed, bool Forced, IReadOnlyList<string> Lines);

/// <summary>Guardrails of <c>make deploy</c>, as pure functions of their inputs.</summary>
public static class Guards
{
    /// <summary>Shortest override reason accepted (a reason, not "y").</summary>
    public const int MinReasonLength = 10;


    /// <summary>
    /// A routine deploy must not replace or destroy a stateful resource, nor replace a network resource of
    /// <see cref="PlanSummary.NetworkReplaces"/>. Refused unless <paramref name="allowDestroyReason"/> (ALLOW_DESTROY) gives a reason of
    /// at least <see cref="MinReasonLength"/> characters.
    /// </summary>
    public static GuardResult StatefulDestroys(string environment, PlanSummary plan, string? allowDestroyReason)
    {
        var losses = plan.StatefulLosses;
        var network = plan.NetworkInterruptions;
        if (losses.Count == 0 && network.Count == 0)
        {
            return new GuardResult(true, false, [$"{environment}: the plan replaces or destroys no stateful resource."]);
        }

        var lines = losses.Select(l => $"{environment}: {l.Action.ToString().ToLowerInvariant()} of stateful {l.Address}{(l.Detail.Length > 0 ? $" ({l.Detail})" : "")}").ToList();
        lines.AddRange(network.Select(n => $"{environment}: replace of network {n.Address}{(n.Detail.Length > 0 ? $" ({n.Detail})" : "")}: {PlanSummary.NetworkReplaces[n.Type]}"));
        var reason = allowDestroyReason?.Trim();
        if (string.IsNullOrEmpty(reason) || reason.Length < MinReasonLength)
        {
            var what = new List<string>();
            if (losses.Count > 0)
            {
                what.Add($"lose the data of {losses.Count} stateful resource(s)");
            }

            if (network.Count > 0)
            {
                what.Add($"interrupt private networking by replacing {network.Count} network resource(s)");
            }

            lines.Add($"refused: the plan of {environment} would {string.Join(" and ", what)}. " +
                      "Fix: change the code so the resource is kept (a renamed construct id or a replace-forcing argument causes this), " +
                      $"or, if the {(losses.Count > 0 ? "loss is intended and backed up" : "interruption is intended (a maintenance window)")}, rerun with ALLOW_DESTROY=\"<why, at least {MinReasonLength} characters>\".");
            return new GuardResult(false, false, lines);
        }

        lines.Add($"allowed by ALLOW_DESTROY: \"{reason}\"");
        return new GuardResult(true, true, lines);
    }

    /// <summary>
    /// A deploy of <paramref name="environment"/> (prod) must ship what <paramref name="previous"/> (staging) received:
    /// its receipt exists, the previous environment's stack synthesized now equals the one it received (digest), the
    /// target runs the same Lambda artifacts, and the target differs from the previous stack only by expected
    /// per-environment values. Refused otherwise, unless <paramref name="forceReason"/> (FORCE_REASON) is given.
    /// </summary>
    public static GuardResult Promotion(string environment, string previous, DeploymentReceipt? receipt, string currentPreviousDigest,
        StackComparison previousToTarget, string? forceReason)
    {
        var problems = new List<string>();
        if (receipt is null)
        {
            problems.Add($"{previous} has no deployment receipt ({DeploymentReceipt.PathFor(previous)}): nothing proves what {previous} received. " +
                         $"Fix: deploy this commit to {previous} first (make deploy ENV={previous}) and commit the receipt it writes.");
        }
        else
        {
            if (receipt.Environment != previous)
            {
                problems.Add($"{DeploymentReceipt.PathFor(previous)} is the receipt of '{receipt.Environment}', not '{previous}'. Fix: restore the file from git.");
            }

            if (receipt.StackDigest != currentPreviousDigest)
            {
                problems.Add($"the {previous} stack synthesized from this commit (digest {currentPreviousDigest[..12]}) differs from what {previous} received " +
                             $"(digest {receipt.StackDigest[..Math.Min(12, receipt.StackDigest.Length)]}, commit {receipt.Commit}). Fix: deploy this commit to {previous} first, then promote.");
            }

            foreach (var a in previousToTarget.Artifacts)
            {
                if (!receipt.Artifacts.TryGetValue(a.Address, out var received))
                {
                    problems.Add($"{a.Address}: {previous} received no such function. Fix: deploy this commit to {previous} first.");
                }
                else if (received != a.ToHash)
                {
                    problems.Add($"{a.Address}: {environment} would run code {a.ToHash}, {previous} received {received}. Fix: promote the artifact {previous} runs (same commit).");
                }
            }
        }

        if (!previousToTarget.Passed)
        {
            problems.Add($"{environment} differs from {previous} by {previousToTarget.UnexpectedCount} unexpected difference(s). " +
                         $"Fix: run 'make promote FROM={previous} TO={environment}' and read the report.");
        }

        if (problems.Count == 0)
        {
            return new GuardResult(true, false, [$"{environment}: same stack as {previous} received (commit {receipt!.Commit}) modulo per-environment values; same Lambda artifacts."]);
        }

        var reason = forceReason?.Trim();
        if (string.IsNullOrEmpty(reason) || reason.Length < MinReasonLength)
        {
            problems.Add($"refused: {environment} can only be deployed from what {previous} received. " +
                         $"To deploy anyway (an emergency fix), rerun with FORCE_REASON=\"<why, at least {MinReasonLength} characters>\"; the reason is printed and recorded in the receipt.");
            return new GuardResult(false, false, problems);
        }

        problems.Add($"FORCED by FORCE_REASON: \"{reason}\"");
        return new GuardResult(true, true, problems);
    }
}
