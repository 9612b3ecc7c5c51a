using System.Text.RegularExpressions;

// Alike on purpose: every gate rule has GateRule's shape (id, scanner ids, rationale, a check over the stack index
// that returns findings with their fix); the likeness is the template, each rule's check is its own.
namespace FraudTf.Promotion.Validation.Gate.Rules;

/// <summary>
/// GATE-ENUM-001: the provider-enforced enums and ranges of the arguments this project uses. The provider schema
/// (what <c>make validate</c>'s schema check reads) only says "string" or "number"; the provider's
/// <c>ValidateFunc</c>/<c>ValidateDiagFunc</c> rejects other values at plan. Each entry cites the provider source file
/// (hashicorp/terraform-provider-aws, <c>internal/service/...</c>) whose validation it restates.
/// </summary>
public sealed class ProviderEnumRule : GateRule
{
    private sealed record Entry(string Type, string Path, string Source, Func<JsonNode, string?> Problem, bool EmptyAllowed = false);

    private static readonly Entry[] Entries =
    [
        // internal/service/lambda/function.go: architectures Elem enum.Validate[awstypes.Architecture]();
        // tracing_config.mode enum.Validate[awstypes.TracingMode](); logging_config.log_format enum LogFormat;
        // application_log_level enum ApplicationLogLevel and system_log_level enum SystemLogLevel (both Default "");
        // memory_size validation.IntBetween(128, 10240); timeout validation.IntBetween(1, 900).
        new("aws_lambda_function", "architectures", "internal/service/lambda/function.go", OneOf("x86_64", "arm64")),
        new("aws_lambda_function", "tracing_config.mode", "internal/service/lambda/function.go", OneOf("Active", "PassThrough")),
        new("aws_lambda_function", "logging_config.log_format", "internal/service/lambda/function.go", OneOf("JSON", "Text")),
        new("aws_lambda_function", "logging_config.application_log_level", "internal/service/lambda/function.go",
            OneOf("TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL"), EmptyAllowed: true),
        new("aws_lambda_function", "logging_config.system_log_level", "internal/service/lambda/function.go",
            OneOf("DEBUG", "INFO", "WARN"), EmptyAllowed: true),
        new("aws_lambda_function", "memory_size", "internal/service/lambda/function.go", Between(128, 10240)),
        new("aws_lambda_function", "timeout", "internal/service/lambda/function.go", Between(1, 900)),

        // internal/service/logs/group.go: retention_in_days validation.IntInSlice([]int{0, 1, 3, ..., 3653}).
        new("aws_cloudwatch_log_group", "retention_in_days", "internal/service/logs/group.go",
            InSet(0, 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653)),

        // internal/service/cloudwatch/metric_alarm.go: comparison_operator enum.Validate[awstypes.ComparisonOperator]();
        // treat_missing_data validation.StringInSlice(missingData_Values(), true) (case-insensitive); statistic
        // enum.Validate[awstypes.Statistic](); period validation.Any(IntInSlice{10, 20, 30}, IntDivisibleBy(60));
        // extended_statistic validation.StringMatch(<the regular expression below>).
        new("aws_cloudwatch_metric_alarm", "comparison_operator", "internal/service/cloudwatch/metric_alarm.go",
            OneOf("GreaterThanOrEqualToThreshold", "GreaterThanThreshold", "LessThanThreshold", "LessThanOrEqualToThreshold",
                "LessThanLowerOrGreaterThanUpperThreshold", "LessThanLowerThreshold", "GreaterThanUpperThreshold")),
        new("aws_cloudwatch_metric_alarm", "treat_missing_data", "internal/service/cloudwatch/metric_alarm.go",
            OneOfIgnoringCase("missing", "ignore", "breaching", "notBreaching")),
        new("aws_cloudwatch_metric_alarm", "statistic", "internal/service/cloudwatch/metric_alarm.go",
            OneOf("SampleCount", "Average", "Sum", "Minimum", "Maximum")),
        new("aws_cloudwatch_metric_alarm", "period", "internal/service/cloudwatch/metric_alarm.go", Period),
        new("aws_cloudwatch_metric_alarm", "extended_statistic", "internal/service/cloudwatch/metric_alarm.go",
            Matches(@"^((p|(tm)|(wm)|(tc)|(ts))((\d{1,2}(\.\d{1,2})?)|(100))|(IQM)|(((TM)|(WM)|(PR)|(TC)|(TS)))\((\d+(\.\d+)?%?)?:(\d+(\.\d+)?%?)?\))$",
                "a percentile such as p99 or p99.9, a trimmed statistic such as tm90 or TM(10%:90%), or IQM")),

        // internal/service/lambda/event_source_mapping.go: starting_position enum.Validate[awstypes.EventSourcePosition]();
        // function_response_types Elem enum.Validate[awstypes.FunctionResponseType]().
        new("aws_lambda_event_source_mapping", "starting_position", "internal/service/lambda/event_source_mapping.go",
            OneOf("TRIM_HORIZON", "LATEST", "AT_TIMESTAMP")),
        new("aws_lambda_event_source_mapping", "function_response_types", "internal/service/lambda/event_source_mapping.go",
            OneOf("ReportBatchItemFailures")),

        // internal/service/pipes/source_parameters.go: dynamodb_stream_parameters.starting_position
        // enum.Validate[types.DynamoDBStreamStartPosition](); kinesis_stream_parameters.starting_position
        // enum.Validate[types.KinesisStreamStartPosition](); on_partial_batch_item_failure
        // enum.Validate[types.OnPartialBatchItemFailureStreams]() in both.
        new("aws_pipes_pipe", "source_parameters.dynamodb_stream_parameters.starting_position", "internal/service/pipes/source_parameters.go",
            OneOf("TRIM_HORIZON", "LATEST")),
        new("aws_pipes_pipe", "source_parameters.dynamodb_stream_parameters.on_partial_batch_item_failure",
            "internal/service/pipes/source_parameters.go", OneOf("AUTOMATIC_BISECT")),
        new("aws_pipes_pipe", "source_parameters.kinesis_stream_parameters.starting_position", "internal/service/pipes/source_parameters.go",
            OneOf("TRIM_HORIZON", "LATEST", "AT_TIMESTAMP")),
        new("aws_pipes_pipe", "source_parameters.kinesis_stream_parameters.on_partial_batch_item_failure",
            "internal/service/pipes/source_parameters.go", OneOf("AUTOMATIC_BISECT")),

        // internal/service/dynamodb/table.go: billing_mode enum.Validate[awstypes.BillingMode](); stream_view_type
        // validation.StringInSlice(append(enum.Values[awstypes.StreamViewType](), ""), false); attribute.type
        // enum.Validate[awstypes.ScalarAttributeType]().
        new("aws_dynamodb_table", "billing_mode", "internal/service/dynamodb/table.go", OneOf("PROVISIONED", "PAY_PER_REQUEST")),
        new("aws_dynamodb_table", "stream_view_type", "internal/service/dynamodb/table.go",
            OneOf("KEYS_ONLY", "NEW_IMAGE", "OLD_IMAGE", "NEW_AND_OLD_IMAGES"), EmptyAllowed: true),
        new("aws_dynamodb_table", "attribute.type", "internal/service/dynamodb/table.go", OneOf("S", "N", "B")),

        // internal/service/kinesis/stream.go: stream_mode_details.stream_mode enum.Validate[types.StreamMode]();
        // encryption_type enum.Validate[types.EncryptionType]().
        new("aws_kinesis_stream", "stream_mode_details.stream_mode", "internal/service/kinesis/stream.go", OneOf("ON_DEMAND", "PROVISIONED")),
        new("aws_kinesis_stream", "encryption_type", "internal/service/kinesis/stream.go", OneOf("NONE", "KMS")),

        // internal/service/sns/topic_subscription.go: protocol validation.StringInSlice(subscriptionProtocol_Values(), false).
        new("aws_sns_topic_subscription", "protocol", "internal/service/sns/topic_subscription.go",
            OneOf("application", "email", "email-json", "firehose", "http", "https", "lambda", "sms", "sqs")),

        // internal/service/s3/bucket_lifecycle_configuration.go: transition and noncurrent_version_transition
        // storage_class enum TransitionStorageClass; transition_default_minimum_object_size enum
        // TransitionDefaultMinimumObjectSize.
        new("aws_s3_bucket_lifecycle_configuration", "rule.transition.storage_class", "internal/service/s3/bucket_lifecycle_configuration.go",
            OneOf("GLACIER", "STANDARD_IA", "ONEZONE_IA", "INTELLIGENT_TIERING", "DEEP_ARCHIVE", "GLACIER_IR")),
        new("aws_s3_bucket_lifecycle_configuration", "rule.noncurrent_version_transition.storage_class",
            "internal/service/s3/bucket_lifecycle_configuration.go",
            OneOf("GLACIER", "STANDARD_IA", "ONEZONE_IA", "INTELLIGENT_TIERING", "DEEP_ARCHIVE", "GLACIER_IR")),
        new("aws_s3_bucket_lifecycle_configuration", "transition_default_minimum_object_size",
            "internal/service/s3/bucket_lifecycle_configuration.go", OneOf("varies_by_storage_class", "all_storage_classes_128K")),

        // internal/service/kms/key.go: key_usage enum.Validate[awstypes.KeyUsageType](); customer_master_key_spec
        // enum.Validate[awstypes.KeySpec](); deletion_window_in_days validation.IntBetween(7, 30);
        // rotation_period_in_days validation.IntBetween(90, 2560).
        new("aws_kms_key", "key_usage", "internal/service/kms/key.go",
            OneOf("ENCRYPT_DECRYPT", "SIGN_VERIFY", "GENERATE_VERIFY_MAC", "KEY_AGREEMENT")),
        new("aws_kms_key", "customer_master_key_spec", "internal/service/kms/key.go",
            OneOf("SYMMETRIC_DEFAULT", "RSA_2048", "RSA_3072", "RSA_4096", "HMAC_224", "HMAC_256", "HMAC_384", "HMAC_512",
                "ECC_NIST_P256", "ECC_NIST_P384", "ECC_NIST_P521", "ECC_SECG_P256K1", "SM2", "ML_DSA_44", "ML_DSA_65", "ML_DSA_87")),
        new("aws_kms_key", "deletion_window_in_days", "internal/service/kms/key.go", Between(7, 30)),
        new("aws_kms_key", "rotation_period_in_days", "internal/service/kms/key.go", Between(90, 2560)),

        // internal/service/s3/bucket_object_lock_configuration.go: rule.default_retention.mode
        // enum.Validate[types.ObjectLockRetentionMode]().
        new("aws_s3_bucket_object_lock_configuration", "rule.default_retention.mode", "internal/service/s3/bucket_object_lock_configuration.go",
            OneOf("GOVERNANCE", "COMPLIANCE")),
    ];

    /// <inheritdoc />
    public override string Id => "GATE-ENUM-001";

    /// <inheritdoc />
    public override string Title => "Arguments hold values the AWS provider's own validation accepts (enums, ranges, formats)";

    /// <inheritdoc />
    public override string Source =>
        "hashicorp/terraform-provider-aws ValidateFunc/ValidateDiagFunc of: internal/service/lambda/function.go, " +
        "internal/service/lambda/event_source_mapping.go, internal/service/logs/group.go, internal/service/cloudwatch/metric_alarm.go, " +
        "internal/service/pipes/source_parameters.go, internal/service/dynamodb/table.go, internal/service/kinesis/stream.go, " +
        "internal/service/sns/topic_subscription.go, internal/service/s3/bucket_lifecycle_configuration.go, internal/service/kms/key.go, " +
        "internal/service/s3/bucket_object_lock_configuration.go";

    /// <inheritdoc />
    public override string Limits =>
        "Values computed from expressions (${...}) are only known at plan and are skipped. SDK enums grow with provider " +
        "releases: a value newer than this rule's table (e.g. a new KMS key spec) is reported until the table records it.";

    /// <inheritdoc />
    public override IEnumerable<GateFinding> Check(GateStack stack)
    {
        foreach (var entry in Entries)
        {
            foreach (var resource in stack.OfType(entry.Type))
            {
                foreach (var (path, value) in Gate1Support.All(resource.Body, entry.Path))
                {
                    if (value is JsonValue v && v.TryGetValue<string>(out var s) && (Gate1Support.IsExpression(s) || (entry.EmptyAllowed && s.Length == 0)))
                    {
                        continue;
                    }

                    if (entry.Problem(value) is { } problem)
                    {
                        yield return Finding(resource,
                            $"{path} = {value.ToJsonString()} is rejected at plan by hashicorp/aws ({entry.Source}): {problem}.");
                    }
                }
            }
        }
    }

    private static Func<JsonNode, string?> OneOf(params string[] values) => node =>
        Gate1Support.LiteralText(node) is { } s && values.Contains(s, StringComparer.Ordinal)
            ? null
            : $"the value must be one of {string.Join(", ", values)} (case-sensitive). Fix: use one of them";

    private static Func<JsonNode, string?> OneOfIgnoringCase(params string[] values) => node =>
        Gate1Support.LiteralText(node) is { } s && values.Contains(s, StringComparer.OrdinalIgnoreCase)
            ? null
            : $"the value must be one of {string.Join(", ", values)}. Fix: use one of them";

    private static Func<JsonNode, string?> Between(long min, long max) => node =>
        !Gate1Support.TryInteger(node, out var n, out _)
            ? $"the value must be a whole number from {min} to {max}. Fix: give a whole number in that range"
            : n < min || n > max
                ? $"the value must be from {min} to {max}. Fix: give a value in that range"
                : null;

    private static Func<JsonNode, string?> InSet(params long[] values) => node =>
        Gate1Support.TryInteger(node, out var n, out _) && values.Contains(n)
            ? null
            : $"the value must be one of {string.Join(", ", values)}. Fix: use the nearest of them that keeps what you need";

    private static string? Period(JsonNode node) =>
        Gate1Support.TryInteger(node, out var n, out _) && (n is 10 or 20 or 30 || (n > 0 && n % 60 == 0))
            ? null
            : "the period must be 10, 20, 30 or a multiple of 60 seconds. Fix: use 60 (or 10/20/30 for high-resolution metrics)";

    private static Func<JsonNode, string?> Matches(string pattern, string what) => node =>
        Gate1Support.LiteralText(node) is { } s && Regex.IsMatch(s, pattern, RegexOptions.CultureInvariant)
            ? null
            : $"the value must be {what}. Fix: use a statistic in that format";
}
