using System.Globalization;
using static FraudTf.Security.Policy.PolicyJson;

namespace FraudTf.Security.Policy.Rules;

// Alike on purpose: every rule file has this shape (a static class of SecurityRule records: Id, ScannerIds, Title, Fix,
// ResourceTypes, Evaluate), one file per service as cdk-nag's rule packs; the engine (SecurityPolicy) is elsewhere.
/// <summary>The rules of CloudWatch log groups (encryption, retention) and metric alarms (actions, dimensions).</summary>
internal static class CloudWatchRules
{
    /// <summary>The rules, in report order.</summary>
    public static IReadOnlyList<SecurityRule> Rules { get; } =
    [
        new()
        {
            Id = "FTF-LOG-001", ScannerIds = "CKV_AWS_158; Trivy AVD-AWS-0017",
            Title = "CloudWatch log groups are encrypted with a customer-managed KMS key",
            Fix = "set kms_key_id = <customer-managed key ARN> (the key policy must allow logs.<region>.amazonaws.com)",
            ResourceTypes = ["aws_cloudwatch_log_group"],
            Evaluate = (r, _) => IsSet(Str(r.Body["kms_key_id"])) ? [] : ["kms_key_id is not set"],
        },
        new()
        {
            Id = "FTF-LOG-002", ScannerIds = "CKV_AWS_66",
            Title = "CloudWatch log groups have a retention period",
            Fix = "set retention_in_days to a positive value allowed by CloudWatch Logs (e.g. 30, 90, 365)",
            ResourceTypes = ["aws_cloudwatch_log_group"],
            Evaluate = (r, _) => Number(r.Body["retention_in_days"]) switch
            {
                null when IsReference(Str(r.Body["retention_in_days"])) => [],
                null => ["retention_in_days is not set (logs are kept forever)"],
                double days when days <= 0 => [$"retention_in_days is {days.ToString(CultureInfo.InvariantCulture)} (logs are kept forever)"],
                _ => [],
            },
        },
        new()
        {
            Id = "FTF-LOG-003", ScannerIds = "CKV_AWS_338",
            Title = "Audit-relevant log groups (tag audit-relevant = \"true\") keep logs for at least a year",
            Fix = "set retention_in_days to 365 or more on log groups tagged audit-relevant = \"true\"",
            ResourceTypes = ["aws_cloudwatch_log_group"],
            Evaluate = (r, _) => Str(r.Body["tags"]?["audit-relevant"]) == "true"
                && Number(r.Body["retention_in_days"]) is { } days and > 0 and < 365
                ? [$"the log group is tagged audit-relevant = \"true\" but retention_in_days is {days.ToString(CultureInfo.InvariantCulture)}, less than 365"] : [],
        },
        new()
        {
            Id = "FTF-CW-001", ScannerIds = "CKV_AWS_319",
            Title = "CloudWatch alarms have actions, enabled",
            Fix = "leave actions_enabled unset (or true) and set alarm_actions to the alarm topic's ARN",
            ResourceTypes = ["aws_cloudwatch_metric_alarm"],
            Evaluate = (r, _) => AlarmActions(r),
        },
        new()
        {
            Id = "FTF-CW-002", ScannerIds = "FraudTf (a common pitfall: an AWS-namespace alarm without dimensions watches nothing)",
            Title = "Alarms on AWS service metrics carry the dimension of the resource they watch",
            Fix = "build the alarm from the construct's MetricXxx() helper, which sets the dimension (e.g. FunctionName)",
            ResourceTypes = ["aws_cloudwatch_metric_alarm"],
            Evaluate = (r, _) => Str(r.Body["namespace"]) is { } ns && ns.StartsWith("AWS/", StringComparison.Ordinal) &&
                                 (r.Body["dimensions"] is not JsonObject d || d.Count == 0)
                ? [$"the alarm on {ns} {Str(r.Body["metric_name"])} has no dimensions, so it watches no resource"]
                : [],
        },
    ];

    private static IEnumerable<string> AlarmActions(StackResource r)
    {
        var enabled = r.Body["actions_enabled"];
        if (enabled is not null && IsFalse(enabled))
        {
            yield return "actions_enabled is false";
        }

        if (!Strings(r.Body["alarm_actions"]).Any(IsSet))
        {
            yield return "alarm_actions is empty (the alarm notifies no one)";
        }
    }
}
