using FraudTf.Promotion.Validation.Gate.Data;

// Alike on purpose: every gate rule has GateRule's shape (id, scanner ids, rationale, a check over the stack index
// that returns findings with their fix); the likeness is the template, each rule's check is its own.
namespace FraudTf.Promotion.Validation.Gate.Rules;

/// <summary>
/// GATE-PROV-001: every <c>aws_lambda_function.runtime</c> is accepted by every AWS provider version the stack's
/// <c>required_providers.aws.version</c> admits.
/// </summary>
// Provider: hashicorp/terraform-provider-aws internal/service/lambda/function.go,
//   "runtime": { ValidateDiagFunc: enum.Validate[awstypes.Runtime]() } — the aws-sdk-go-v2 enum of the provider's build.
// dotnet10: hashicorp/terraform-provider-aws#45864, #45888 (first accepted by 6.27.0). Table: Data/Gate1LambdaRuntimes.cs.
public sealed class ProviderRuntimeRule : GateRule
{
    /// <inheritdoc />
    public override string Id => "GATE-PROV-001";

    /// <inheritdoc />
    public override string Title => "Every Lambda runtime is accepted by every AWS provider version the stack admits";

    /// <inheritdoc />
    public override string Source =>
        "hashicorp/terraform-provider-aws internal/service/lambda/function.go (runtime: enum.Validate[awstypes.Runtime]() over the " +
        "aws-sdk-go-v2 service/lambda Runtime enum of the provider build); CHANGELOG 6.21.0 (nodejs24.x, java25, python3.14); " +
        "hashicorp/terraform-provider-aws#45864 and #45888 (dotnet10 first accepted by 6.27.0); Terraform docs, Version Constraints";

    /// <inheritdoc />
    public override string Limits =>
        "The lock file decides the exact version a plan uses; the gate checks the lowest version the constraint admits. " +
        "Runtimes added to the SDK after this table was written are reported as unknown until the table records them.";

    /// <inheritdoc />
    public override IEnumerable<GateFinding> Check(GateStack stack)
    {
        var runtimes = stack.OfType("aws_lambda_function").Select(f => (Function: f, Runtime: Gate1Support.LiteralString(f.Body["runtime"]))).Where(x => x.Runtime is not null).ToList();
        string? constraintText;
        try
        {
            constraintText = stack.AwsProviderConstraint;
        }
        catch (InvalidOperationException)
        {
            constraintText = null;
        }

        if (string.IsNullOrWhiteSpace(constraintText))
        {
            yield return Finding("terraform",
                "terraform.required_providers.aws.version is missing, so any provider version may be installed, including ones that " +
                "reject this stack's values. Fix: pin the provider deliberately, e.g. '~> 6.27' (>= the newest first-accepted " +
                "version of every value the stack uses).");
            yield break;
        }

        var constraint = Gate1VersionConstraint.Parse(constraintText);
        if (constraint.Error is not null)
        {
            yield return Finding("terraform",
                $"terraform.required_providers.aws.version '{constraintText}' cannot be checked: {constraint.Error}. " +
                "Fix: give a lower bound that accepts every value the stack uses, e.g. '~> 6.27'.");
            yield break;
        }

        foreach (var (function, runtime) in runtimes)
        {
            if (!Gate1LambdaRuntimes.FirstAccepted.TryGetValue(runtime!, out var first))
            {
                yield return Finding(function,
                    $"runtime {runtime} is not a Lambda runtime any known provider accepts (hashicorp/aws validates runtime against " +
                    "the AWS SDK's enum). Fix: use a Lambda runtime identifier (e.g. dotnet10, dotnet8); if it is a new runtime, add it with " +
                    "the first provider version that accepts it and the source to Data/Gate1LambdaRuntimes.cs.");
                continue;
            }

            var firstVersion = Gate1Version.Parse(first)!;
            if (constraint.Lowest! < firstVersion)
            {
                var rejected = first == "6.0.0"
                    ? $"runtime {runtime} is only known to be accepted from hashicorp/aws 6.0.0 (the gate does not track 5.x, and the " +
                      "app's bindings are generated from a 6.x schema)"
                    : $"runtime {runtime} is rejected at plan by hashicorp/aws < {first}";
                yield return Finding(function,
                    $"{rejected}, and the constraint '{constraintText}' admits " +
                    $"{constraint.Lowest}. Fix: require '>= {first}' (e.g. '~> {firstVersion.Major}.{firstVersion.Minor}') in " +
                    $"required_providers.aws.version, or use a runtime that {constraint.Lowest} accepts.");
            }
        }
    }
}
