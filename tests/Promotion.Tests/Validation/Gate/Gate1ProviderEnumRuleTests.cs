using FraudTf.Promotion.Validation.Gate.Rules;
using static FraudTf.Promotion.Tests.Validation.Gate.Gate1Fixtures;

namespace FraudTf.Promotion.Tests.Validation.Gate;

/// <summary>GATE-ENUM-001: provider-enforced enums and ranges.</summary>
public class Gate1ProviderEnumRuleTests
{
    /// <summary>Every checked argument with an accepted value, written both as cdktf writes blocks (objects and arrays).</summary>
    private const string Compliant = """
        {
          "aws_lambda_function": { "f": {
            "architectures": ["arm64"], "tracing_config": { "mode": "PassThrough" },
            "logging_config": [ { "log_format": "JSON", "application_log_level": "INFO", "system_log_level": "" } ],
            "memory_size": 10240, "timeout": "900" } },
          "aws_cloudwatch_log_group": { "g": { "retention_in_days": 3653 } },
          "aws_cloudwatch_metric_alarm": {
            "a": { "comparison_operator": "LessThanLowerOrGreaterThanUpperThreshold", "treat_missing_data": "NotBreaching", "statistic": "Sum", "period": 20 },
            "b": { "extended_statistic": "p99.9", "period": 120 },
            "c": { "extended_statistic": "TM(10%:90%)", "period": "${var.period}" } },
          "aws_lambda_event_source_mapping": { "m": { "starting_position": "AT_TIMESTAMP", "function_response_types": ["ReportBatchItemFailures"] } },
          "aws_pipes_pipe": { "p": { "source_parameters": { "dynamodb_stream_parameters": { "starting_position": "TRIM_HORIZON", "on_partial_batch_item_failure": "AUTOMATIC_BISECT" } } },
                              "k": { "source_parameters": [ { "kinesis_stream_parameters": [ { "starting_position": "AT_TIMESTAMP" } ] } ] } },
          "aws_dynamodb_table": { "t": { "billing_mode": "PAY_PER_REQUEST", "stream_view_type": "NEW_AND_OLD_IMAGES", "attribute": [ { "name": "a", "type": "S" }, { "name": "b", "type": "B" } ] } },
          "aws_kinesis_stream": { "s": { "stream_mode_details": { "stream_mode": "PROVISIONED" }, "encryption_type": "KMS" } },
          "aws_sns_topic_subscription": { "e": { "protocol": "email-json" } },
          "aws_s3_bucket_lifecycle_configuration": { "l": { "transition_default_minimum_object_size": "varies_by_storage_class",
            "rule": [ { "transition": [ { "storage_class": "GLACIER_IR" }, { "storage_class": "DEEP_ARCHIVE" } ] }, { "noncurrent_version_transition": [ { "storage_class": "ONEZONE_IA" } ] } ] } },
          "aws_kms_key": { "k": { "key_usage": "ENCRYPT_DECRYPT", "customer_master_key_spec": "SYMMETRIC_DEFAULT", "deletion_window_in_days": 7, "rotation_period_in_days": 2560 } },
          "aws_s3_bucket_object_lock_configuration": { "o": { "rule": { "default_retention": { "mode": "COMPLIANCE", "days": 1 } } } }
        }
        """;

    [Test]
    public void AcceptedValuesPass()
    {
        Assert.That(Failures<ProviderEnumRule>(Stack(Compliant)), Is.Empty);
    }

    [TestCase("aws_lambda_function", """{ "architectures": ["x86-64"] }""", "architectures[0]")]
    [TestCase("aws_lambda_function", """{ "tracing_config": { "mode": "active" } }""", "tracing_config.mode")]
    [TestCase("aws_lambda_function", """{ "logging_config": [ { "log_format": "json" } ] }""", "logging_config[0].log_format")]
    [TestCase("aws_lambda_function", """{ "logging_config": { "log_format": "JSON", "application_log_level": "VERBOSE" } }""", "logging_config.application_log_level")]
    [TestCase("aws_lambda_function", """{ "logging_config": { "log_format": "JSON", "system_log_level": "ERROR" } }""", "logging_config.system_log_level")]
    [TestCase("aws_lambda_function", """{ "memory_size": 64 }""", "memory_size")]
    [TestCase("aws_lambda_function", """{ "memory_size": "20000" }""", "memory_size")]
    [TestCase("aws_lambda_function", """{ "timeout": 901 }""", "timeout")]
    [TestCase("aws_lambda_function", """{ "timeout": 1.5 }""", "timeout")]
    [TestCase("aws_cloudwatch_log_group", """{ "retention_in_days": 31 }""", "retention_in_days")]
    [TestCase("aws_cloudwatch_metric_alarm", """{ "comparison_operator": "GreaterThan" }""", "comparison_operator")]
    [TestCase("aws_cloudwatch_metric_alarm", """{ "treat_missing_data": "zero" }""", "treat_missing_data")]
    [TestCase("aws_cloudwatch_metric_alarm", """{ "statistic": "Avg" }""", "statistic")]
    [TestCase("aws_cloudwatch_metric_alarm", """{ "period": 45 }""", "period")]
    [TestCase("aws_cloudwatch_metric_alarm", """{ "extended_statistic": "p999" }""", "extended_statistic")]
    [TestCase("aws_lambda_event_source_mapping", """{ "starting_position": "EARLIEST" }""", "starting_position")]
    [TestCase("aws_lambda_event_source_mapping", """{ "function_response_types": ["ReportItemFailures"] }""", "function_response_types[0]")]
    [TestCase("aws_pipes_pipe", """{ "source_parameters": { "dynamodb_stream_parameters": { "starting_position": "AT_TIMESTAMP" } } }""", "source_parameters.dynamodb_stream_parameters.starting_position")]
    [TestCase("aws_pipes_pipe", """{ "source_parameters": { "dynamodb_stream_parameters": { "on_partial_batch_item_failure": "BISECT" } } }""", "source_parameters.dynamodb_stream_parameters.on_partial_batch_item_failure")]
    [TestCase("aws_pipes_pipe", """{ "source_parameters": { "kinesis_stream_parameters": { "starting_position": "OLDEST" } } }""", "source_parameters.kinesis_stream_parameters.starting_position")]
    [TestCase("aws_pipes_pipe", """{ "source_parameters": { "kinesis_stream_parameters": { "on_partial_batch_item_failure": "SPLIT" } } }""", "source_parameters.kinesis_stream_parameters.on_partial_batch_item_failure")]
    [TestCase("aws_dynamodb_table", """{ "billing_mode": "ON_DEMAND" }""", "billing_mode")]
    [TestCase("aws_dynamodb_table", """{ "stream_view_type": "NEW" }""", "stream_view_type")]
    [TestCase("aws_dynamodb_table", """{ "attribute": [ { "name": "a", "type": "S" }, { "name": "b", "type": "STRING" } ] }""", "attribute[1].type")]
    [TestCase("aws_kinesis_stream", """{ "stream_mode_details": { "stream_mode": "ONDEMAND" } }""", "stream_mode_details.stream_mode")]
    [TestCase("aws_kinesis_stream", """{ "encryption_type": "SSE" }""", "encryption_type")]
    [TestCase("aws_sns_topic_subscription", """{ "protocol": "webhook" }""", "protocol")]
    [TestCase("aws_s3_bucket_lifecycle_configuration", """{ "rule": [ { "transition": [ { "storage_class": "GLACIER" }, { "storage_class": "GLACIER_FLEXIBLE" } ] } ] }""", "rule[0].transition[1].storage_class")]
    [TestCase("aws_s3_bucket_lifecycle_configuration", """{ "rule": [ { "noncurrent_version_transition": [ { "storage_class": "ARCHIVE" } ] } ] }""", "rule[0].noncurrent_version_transition[0].storage_class")]
    [TestCase("aws_s3_bucket_lifecycle_configuration", """{ "transition_default_minimum_object_size": "128K" }""", "transition_default_minimum_object_size")]
    [TestCase("aws_kms_key", """{ "key_usage": "ENCRYPT" }""", "key_usage")]
    [TestCase("aws_kms_key", """{ "customer_master_key_spec": "AES_256" }""", "customer_master_key_spec")]
    [TestCase("aws_kms_key", """{ "deletion_window_in_days": 5 }""", "deletion_window_in_days")]
    [TestCase("aws_kms_key", """{ "rotation_period_in_days": 30 }""", "rotation_period_in_days")]
    [TestCase("aws_s3_bucket_object_lock_configuration", """{ "rule": { "default_retention": { "mode": "LEGAL_HOLD" } } }""", "rule.default_retention.mode")]
    public void AValueTheProviderRejectsFails(string type, string body, string path)
    {
        var f = Failures<ProviderEnumRule>(One(type, body)).Single();
        Assert.Multiple(() =>
        {
            Assert.That(f.RuleId, Is.EqualTo("GATE-ENUM-001"));
            Assert.That(f.Address, Is.EqualTo($"{type}.r"));
            Assert.That(f.Message, Does.StartWith(path + " = "));
            Assert.That(f.Message, Does.Contain("rejected at plan by hashicorp/aws (internal/service/"));
            Assert.That(f.Message, Does.Contain("Fix:"));
        });
    }

    [Test]
    public void ExpressionsAreSkipped()
    {
        var stack = One("aws_lambda_function", """{ "memory_size": "${var.memory}", "architectures": ["${var.arch}"], "tracing_config": { "mode": "${local.mode}" } }""");
        Assert.That(Failures<ProviderEnumRule>(stack), Is.Empty);
    }
}
