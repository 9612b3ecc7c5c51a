namespace FraudTf.Promotion.Validation.Gate.Data;

/// <summary>
/// The first hashicorp/aws provider version whose <c>aws_lambda_function.runtime</c> validation accepts each Lambda
/// runtime identifier. The provider validates <c>runtime</c> with <c>enum.Validate[awstypes.Runtime]()</c>
/// (hashicorp/terraform-provider-aws <c>internal/service/lambda/function.go</c>) against the <c>Runtime</c> enum of the
/// aws-sdk-go-v2 <c>service/lambda/types</c> it was built with, so a runtime is accepted from the first provider release
/// built against an SDK that has the constant. Enum values are never removed, so deprecated runtimes stay accepted.
/// </summary>
internal static class Gate1LambdaRuntimes
{
    /// <summary>
    /// Runtimes accepted by every 6.x release (the gate starts at 6.0.0: the app's bindings are 6.x, and 5.x is not
    /// tracked here). Source: the complete list in the last 5.x provider's error, quoted in
    /// hashicorp/terraform-provider-aws#45888 ("expected runtime to be one of [...], got dotnet10"); 6.0.0 was built
    /// after it, so it accepts each of them.
    /// </summary>
    private static readonly string[] Before6 =
    [
        "nodejs", "nodejs4.3", "nodejs6.10", "nodejs8.10", "nodejs10.x", "nodejs12.x", "nodejs14.x", "nodejs16.x", "java8",
        "java8.al2", "java11", "python2.7", "python3.6", "python3.7", "python3.8", "python3.9", "dotnetcore1.0",
        "dotnetcore2.0", "dotnetcore2.1", "dotnetcore3.1", "dotnet6", "dotnet8", "nodejs4.3-edge", "go1.x", "ruby2.5",
        "ruby2.7", "provided", "provided.al2", "nodejs18.x", "python3.10", "java17", "ruby3.2", "ruby3.3", "ruby3.4",
        "python3.11", "nodejs20.x", "provided.al2023", "python3.12", "java21", "python3.13", "nodejs22.x",
    ];

    /// <summary>Runtime identifier → first provider version that accepts it.</summary>
    public static IReadOnlyDictionary<string, string> FirstAccepted { get; } = Build();

    private static Dictionary<string, string> Build()
    {
        var table = Before6.ToDictionary(r => r, _ => "6.0.0", StringComparer.Ordinal);

        // CHANGELOG 6.21.0 (Nov 13 2025): "resource/aws_lambda_function: Add support for `nodejs24.x` `runtime` value
        // (#45024)", same for `java25` and `python3.14`. PR #45024 reports 6.19.0 (nodejs24.x) and 6.20.0 (java25,
        // python3.14) already accepted them; the gate keeps the documented release, the conservative one.
        table["nodejs24.x"] = "6.21.0";
        table["java25"] = "6.21.0";
        table["python3.14"] = "6.21.0";

        // dotnet10: aws-sdk-go-v2 release 2025-12-11 added RuntimeDotnet10; first in provider 6.27.0 (Dec 17 2025),
        // hashicorp/terraform-provider-aws#45864 (comment of 2026-01-08) and #45888. 6.25.0 rejects it at plan.
        table["dotnet10"] = "6.27.0";
        return table;
    }
}
