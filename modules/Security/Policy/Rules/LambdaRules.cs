using System.Globalization;
using System.Text.RegularExpressions;
using static FraudTf.Security.Policy.PolicyJson;

namespace FraudTf.Security.Policy.Rules;

// Alike on purpose: every rule file has this shape (a static class of SecurityRule records: Id, ScannerIds, Title, Fix,
// ResourceTypes, Evaluate), one file per service as cdk-nag's rule packs; the engine (SecurityPolicy) is elsewhere.
/// <summary>
/// The rules of Lambda functions and permissions: tracing, dead-letter queue, concurrency, encrypted and secret-free
/// environment variables, permissions restricted by source ARN, supported runtimes.
/// </summary>
internal static class LambdaRules
{
    private const string Function = "aws_lambda_function";

    /// <summary>The rules, in report order.</summary>
    public static IReadOnlyList<SecurityRule> Rules { get; } =
    [
        new()
        {
            Id = "FTF-LAM-001", ScannerIds = "CKV_AWS_50; Trivy AVD-AWS-0066",
            Title = "Lambda functions have active X-Ray tracing",
            Fix = "set tracing_config { mode = \"Active\" }",
            ResourceTypes = [Function],
            Evaluate = (r, _) => Block(r.Body["tracing_config"]) is { } t && Str(t["mode"]) == "Active"
                ? [] : ["tracing_config.mode is not \"Active\""],
        },
        new()
        {
            Id = "FTF-LAM-002", ScannerIds = "CKV_AWS_116",
            Title = "Lambda functions have a dead-letter queue",
            Fix = "set dead_letter_config { target_arn = <SQS queue or SNS topic ARN> }",
            ResourceTypes = [Function],
            Evaluate = (r, _) => Block(r.Body["dead_letter_config"]) is { } d && IsSet(Str(d["target_arn"]))
                ? [] : ["dead_letter_config.target_arn is not set"],
        },
        new()
        {
            Id = "FTF-LAM-003", ScannerIds = "CKV_AWS_115",
            Title = "Lambda functions have a concurrency limit",
            Fix = "set reserved_concurrent_executions to a value >= 0",
            ResourceTypes = [Function],
            Evaluate = (r, _) => LambdaConcurrency(r),
        },
        new()
        {
            Id = "FTF-LAM-004", ScannerIds = "CKV_AWS_173",
            Title = "Lambda environment variables are encrypted with a customer-managed KMS key",
            Fix = "set kms_key_arn = <customer-managed key ARN> on the function",
            ResourceTypes = [Function],
            Evaluate = (r, _) => EnvironmentVariables(r).Count > 0 && !IsSet(Str(r.Body["kms_key_arn"]))
                ? ["the function has environment variables but kms_key_arn is not set"] : [],
        },
        new()
        {
            Id = "FTF-LAM-005", ScannerIds = "CKV_AWS_45",
            Title = "Lambda environment variables hold no secrets",
            Fix = "pass the ARN or name of a Secrets Manager secret or SSM SecureString parameter and read it at run time; never a secret value",
            ResourceTypes = [Function],
            Evaluate = (r, _) => LambdaSecrets(r),
        },
        new()
        {
            Id = "FTF-LAM-006", ScannerIds = "CKV_AWS_364; Trivy AVD-AWS-0067",
            Title = "Lambda permissions are restricted by source ARN",
            Fix = "set source_arn to the ARN of the rule, bucket, topic or API that invokes the function",
            ResourceTypes = ["aws_lambda_permission"],
            Evaluate = (r, _) => IsSet(Str(r.Body["source_arn"])) ? [] : ["source_arn is not set"],
        },
        new()
        {
            Id = "FTF-LAM-007", ScannerIds = "CKV_AWS_363",
            Title = "Lambda functions use a runtime that is not deprecated",
            Fix = "use a supported runtime, e.g. dotnet10, nodejs22.x, python3.13, java21 or provided.al2023",
            ResourceTypes = [Function],
            Evaluate = (r, _) => Str(r.Body["runtime"]) is { } runtime && IsDeprecatedRuntime(runtime)
                ? [$"runtime \"{runtime}\" is deprecated"] : [],
        },
    ];

    private static IEnumerable<string> LambdaConcurrency(StackResource r)
    {
        var node = r.Body["reserved_concurrent_executions"];
        if (node is null)
        {
            yield return "reserved_concurrent_executions is not set (the function may use the whole account's concurrency)";
        }
        else if (Number(node) is { } n && n < 0)
        {
            yield return $"reserved_concurrent_executions is {n.ToString(CultureInfo.InvariantCulture)} (unreserved)";
        }
        else if (Number(node) is null && !IsReference(Str(node)))
        {
            yield return $"reserved_concurrent_executions is {node.ToJsonString()}, not a number";
        }
    }

    private static IReadOnlyList<KeyValuePair<string, JsonNode?>> EnvironmentVariables(StackResource r) =>
        Blocks(r.Body["environment"]).Select(e => e["variables"]).OfType<JsonObject>().SelectMany(v => v).ToList();

    private static readonly Regex SecretName =
        new("SECRET|PASSWORD|PASSWD|TOKEN|API_KEY|APIKEY|PRIVATE_KEY|ACCESS_KEY|CREDENTIAL", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);

    private static readonly Regex AccessKeyValue = new("(?<![A-Z0-9])(AKIA|ASIA)[A-Z0-9]{16}(?![A-Z0-9])", RegexOptions.CultureInvariant);

    // A whole reference to a resource's ARN, name or id (e.g. "${aws_secretsmanager_secret.api.arn}") or a literal ARN
    // points at where a secret is kept; it is not a secret value.
    private static readonly Regex SecretLocation = new(@"^(arn:|\$\{[A-Za-z0-9_.\-\[\]]+\.(arn|name|id)\}$)", RegexOptions.CultureInvariant);

    private static IEnumerable<string> LambdaSecrets(StackResource r)
    {
        foreach (var (name, node) in EnvironmentVariables(r).OrderBy(v => v.Key, StringComparer.Ordinal))
        {
            var value = Str(node) ?? node?.ToJsonString() ?? "";
            if (AccessKeyValue.IsMatch(value))
            {
                yield return $"environment variable {name} holds what looks like an AWS access key id";
            }
            else if (SecretName.IsMatch(name) && !SecretLocation.IsMatch(value))
            {
                yield return $"environment variable {name} is named like a secret and holds a value, not the ARN or name of where the secret is kept";
            }
        }
    }

    private static bool IsDeprecatedRuntime(string runtime)
    {
        if (SecurityPolicy.DeprecatedLambdaRuntimes.Contains(runtime, StringComparer.Ordinal)
            || runtime.StartsWith("dotnetcore", StringComparison.Ordinal)
            || Regex.IsMatch(runtime, @"^ruby2(\.|$)", RegexOptions.CultureInvariant))
        {
            return true;
        }

        // Node.js 20 reached end of life on 2026-04-30 and its Lambda runtime is deprecated with it.
        var node = Regex.Match(runtime, @"^nodejs(\d+)?", RegexOptions.CultureInvariant);
        return node.Success && (!node.Groups[1].Success || int.Parse(node.Groups[1].Value, CultureInfo.InvariantCulture) < 22);
    }
}
