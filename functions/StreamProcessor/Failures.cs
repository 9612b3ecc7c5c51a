using System.Net;
using System.Net.Sockets;
using Amazon.DynamoDBv2.Model;
using Amazon.Runtime;

namespace FraudTf.Functions.StreamProcessor;

/// <summary>What to do with a record whose processing threw.</summary>
public enum FailureKind
{
    /// <summary>
    /// Worth retrying: throttling, timeouts, 5xx, a transaction conflict, a lost connection. The record is reported in
    /// <c>batchItemFailures</c> and Kinesis redelivers it (and everything after it).
    /// </summary>
    Transient,

    /// <summary>
    /// Retrying changes nothing, because of the environment rather than of the record (access denied, a missing table
    /// or key, invalid credentials): every record would fail alike, so quarantining would move the whole stream
    /// aside. Retried like <see cref="Transient"/>; after the mapping's retries the batch goes to its on-failure
    /// destination, and the alarms on retries and iterator age tell the operator.
    /// </summary>
    Environment,

    /// <summary>
    /// A problem of this record or of the data it depends on (a value DynamoDB refuses, an arithmetic overflow, any
    /// other exception of our own code): retrying fails the same way, so the record goes to quarantine and the batch
    /// goes on.
    /// </summary>
    Permanent,
}

/// <summary>
/// Classifies exceptions of the stream processor (DynamoDB, SQS and S3 through the AWS SDK, and its own code). The
/// AWS error codes are those of the services' API references ("Common Errors" and each operation's "Errors"): a
/// throttling or 5xx error is transient, an authorization or missing-resource error is environmental, any other
/// 4xx error and any non-AWS exception are permanent for the record.
/// </summary>
public static class Failures
{
    /// <summary>Throttling error codes (DynamoDB, SQS, S3, KMS, STS).</summary>
    public static readonly IReadOnlySet<string> ThrottlingCodes = new HashSet<string>(StringComparer.Ordinal)
    {
        "ProvisionedThroughputExceededException", "ProvisionedThroughputExceeded", "ThrottlingException", "Throttling",
        "ThrottlingError", "RequestLimitExceeded", "RequestThrottled", "RequestThrottledException", "TooManyRequestsException",
        "SlowDown", "LimitExceededException", "KMS.ThrottlingException", "KMSThrottlingException",
        "TransactionConflict", "TransactionConflictException", "TransactionInProgressException",
        "RequestTimeout", "RequestTimeoutException", "InternalServerError", "InternalFailure", "InternalError",
        "ServiceUnavailable", "ServiceUnavailableException",
    };

    /// <summary>Error codes that say the environment, not the record, is wrong.</summary>
    public static readonly IReadOnlySet<string> EnvironmentCodes = new HashSet<string>(StringComparer.Ordinal)
    {
        "AccessDenied", "AccessDeniedException", "UnrecognizedClientException", "InvalidClientTokenId", "ExpiredToken",
        "ExpiredTokenException", "InvalidAccessKeyId", "SignatureDoesNotMatch", "MissingAuthenticationToken",
        "ResourceNotFoundException", "NoSuchBucket", "AWS.SimpleQueueService.NonExistentQueue", "QueueDoesNotExist",
        "KMS.DisabledException", "KMS.KMSInvalidStateException", "KMS.NotFoundException", "KMS.AccessDeniedException",
        "KMSDisabledException", "KMSInvalidStateException", "KMSNotFoundException", "KMSAccessDeniedException",
        "KmsAccessDenied", "KmsDisabled", "KmsNotFound", "InvalidSecurity", "RequestExpired",
    };

    /// <summary>How to treat <paramref name="e"/>; see <see cref="FailureKind"/>.</summary>
    public static FailureKind Classify(Exception e)
    {
        switch (e)
        {
            case AggregateException { InnerExceptions.Count: 1 } a:
                return Classify(a.InnerExceptions[0]);
            case TransactionCanceledException t:
                // The cancellation reasons say which item failed and why (TransactWriteItems API reference): a conflict
                // with another transaction or throttling of one item is transient; a ValidationError (a value DynamoDB
                // refuses) or an item collection over 10 GB is the record's own; an unexpected ConditionalCheckFailed
                // (the store handles the expected ones) is permanent too, retrying would fail the same way.
                var codes = (t.CancellationReasons ?? []).Select(r => r.Code).Where(c => c is not null and not "None").ToList();
                return codes.Any(c => ThrottlingCodes.Contains(c!)) ? FailureKind.Transient : FailureKind.Permanent;
            case IdempotentParameterMismatchException:
                // The same ClientRequestToken with other parameters within 10 minutes: the token is derived from every
                // input that changes the request (TransactionStore.RequestToken), so this is a defect, not the record's.
                return FailureKind.Environment;
            case AmazonServiceException s:
                if (s.ErrorCode is { } code && ThrottlingCodes.Contains(code))
                {
                    return FailureKind.Transient;
                }

                if (s.ErrorCode is { } env && EnvironmentCodes.Contains(env) || s.StatusCode is HttpStatusCode.Forbidden or HttpStatusCode.Unauthorized)
                {
                    return FailureKind.Environment;
                }

                if ((int)s.StatusCode >= 500 || s.StatusCode is HttpStatusCode.TooManyRequests or HttpStatusCode.RequestTimeout || s.StatusCode == 0)
                {
                    // 0: no HTTP status at all (the request never got an answer).
                    return FailureKind.Transient;
                }

                return FailureKind.Permanent;
            case AmazonClientException:
                // Raised by the SDK before or without a service answer (connection refused, DNS, a response it could not read).
                return FailureKind.Transient;
            case TimeoutException or OperationCanceledException or HttpRequestException or IOException or SocketException or WebException:
                return FailureKind.Transient;
            default:
                return e.InnerException is AmazonServiceException or HttpRequestException or IOException or SocketException or TimeoutException
                    ? Classify(e.InnerException)
                    : FailureKind.Permanent;
        }
    }

    /// <summary>
    /// True when DynamoDB answered that the request was not carried out: a cancelled transaction (its reasons say why;
    /// nothing was written) or any other 4xx answer (throttled, refused, invalid: rejected before any write), except a
    /// transaction still in progress under the same token. A timeout, a 5xx or a lost connection is not definite: the
    /// write may have happened.
    /// </summary>
    public static bool NotWritten(Exception e) => e switch
    {
        Amazon.DynamoDBv2.Model.TransactionCanceledException => true,
        Amazon.Runtime.AmazonServiceException s => (int)s.StatusCode is >= 400 and < 500 && s.ErrorCode != "TransactionInProgressException",
        _ => false,
    };

    /// <summary>What an exception was, for logs: its type and AWS error code, never its message (it may quote values).</summary>
    public static string Describe(Exception e) =>
        e is AmazonServiceException { ErrorCode: { Length: > 0 } code } ? $"{e.GetType().Name} ({code})" : e.GetType().Name;
}
