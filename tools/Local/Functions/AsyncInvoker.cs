using System.Text.Json;

namespace FraudTf.Local.Functions;

/// <summary>How Lambda handles a function's asynchronous invocations (its <c>aws_lambda_function_event_invoke_config</c> and <c>dead_letter_config</c>).</summary>
/// <param name="FunctionArn">The function's ARN (in invocation records).</param>
/// <param name="MaximumRetryAttempts">Retries after a function error (0 to 2; Lambda's default 2).</param>
/// <param name="MaximumEventAge">How long an event may wait for a retry (60 s to 6 h; Lambda's default 6 h).</param>
/// <param name="DeadLetterQueueArn">The function's <c>dead_letter_config.target_arn</c> (an SQS queue here), or null.</param>
/// <param name="OnFailureDestinationArn">The on-failure destination (an SQS queue here), or null.</param>
/// <param name="OnSuccessDestinationArn">The on-success destination (an SQS queue here), or null.</param>
/// <param name="RetryDelays">The wait before each retry: Lambda waits 1 minute before the first and 2 before the second
/// (<see cref="AsyncInvoker.LambdaRetryDelays"/>); a short local run passes compressed delays. The last applies to any further retry.</param>
public sealed record AsyncInvokeSettings(
    string FunctionArn,
    int MaximumRetryAttempts,
    TimeSpan MaximumEventAge,
    string? DeadLetterQueueArn,
    string? OnFailureDestinationArn,
    string? OnSuccessDestinationArn,
    IReadOnlyList<TimeSpan> RetryDelays);

/// <summary>Counts of an <see cref="AsyncInvoker"/>, at one moment.</summary>
/// <param name="Received">Events accepted.</param>
/// <param name="Succeeded">Events whose invocation succeeded (on the first try or a retry).</param>
/// <param name="Retried">Retries made (an event retried twice counts 2).</param>
/// <param name="Failed">Events that failed for good (retries exhausted or too old).</param>
/// <param name="DeadLettered">Failed events sent to the dead-letter queue or the on-failure destination.</param>
/// <param name="InFlight">Events queued, waiting for a retry or running.</param>
public sealed record AsyncInvokerCounters(long Received, long Succeeded, long Retried, long Failed, long DeadLettered, long InFlight);

/// <summary>
/// Lambda's asynchronous invocation (InvocationType Event: how EventBridge invokes a target function), following the
/// Lambda developer guide, "Invoking a Lambda function asynchronously", "Configuring error handling for asynchronous
/// invocation" and "Capturing records of Lambda asynchronous invocations":
/// <list type="bullet">
/// <item>an accepted event goes to an internal queue and the caller gets its request id at once;</item>
/// <item>on a function error (thrown, timed out, crashed) it is retried up to <c>maximum_retry_attempts</c> times (default
/// 2), after 1 minute and then 2 minutes (<see cref="AsyncInvokeSettings.RetryDelays"/>), unless it became older than
/// <c>maximum_event_age_in_seconds</c> (default 6 h);</item>
/// <item>when it fails for good, the event itself goes to the function's dead-letter queue with the message attributes
/// <c>RequestID</c>, <c>ErrorCode</c> (the 3-digit HTTP status of the invocation: 200 for a function error) and
/// <c>ErrorMessage</c> (first 1 KB), and an invocation record (<c>requestContext.condition</c> RetriesExhausted or
/// EventAgeExceeded, <c>requestPayload</c>, <c>responseContext</c>, <c>responsePayload</c>) to the on-failure destination;
/// a success sends an invocation record to the on-success destination.</item>
/// </list>
/// Differs from AWS: destinations and the DLQ must be SQS queues (sent through <see cref="IQueueSender"/>, where
/// <c>ErrorCode</c> is a String attribute, not a Number); throttling and system errors (retried by Lambda for up to
/// 6 h) do not occur locally; the request id is the one of the accepted event, not of each attempt; the queue is in
/// memory (lost when the process ends).
/// </summary>
public sealed class AsyncInvoker : IAsyncDisposable
{
    /// <summary>Lambda's waits before the first and second retry (1 and 2 minutes).</summary>
    public static readonly IReadOnlyList<TimeSpan> LambdaRetryDelays = [TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(2)];

    private readonly IFunctionInvoker _function;
    private readonly IQueueSender _queues;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Lock _lock = new();
    private readonly List<TaskCompletionSource> _drainWaiters = [];
    private long _received;
    private long _succeeded;
    private long _retried;
    private long _failed;
    private long _deadLettered;
    private long _inFlight;

    /// <summary>An invoker of <paramref name="function"/> with explicit settings.</summary>
    public AsyncInvoker(IFunctionInvoker function, AsyncInvokeSettings settings, IQueueSender queues)
    {
        if (settings.MaximumRetryAttempts is < 0 or > 2)
        {
            throw new ArgumentOutOfRangeException(nameof(settings), settings.MaximumRetryAttempts, "maximum_retry_attempts must be 0 to 2 (Lambda's range). Fix: the function's aws_lambda_function_event_invoke_config.");
        }

        if (settings.RetryDelays.Count == 0 && settings.MaximumRetryAttempts > 0)
        {
            throw new ArgumentException("RetryDelays is empty. Fix: pass AsyncInvoker.LambdaRetryDelays, or compressed delays for a short run.", nameof(settings));
        }

        foreach (var arn in new[] { settings.DeadLetterQueueArn, settings.OnFailureDestinationArn, settings.OnSuccessDestinationArn })
        {
            if (arn is not null && !arn.StartsWith("arn:aws:sqs:", StringComparison.Ordinal))
            {
                throw new NotSupportedException($"{function.FunctionName}: destination {arn} is not an SQS queue; the local asynchronous invoker sends only to SQS. Fix: use an SQS queue, or add the target kind to AsyncInvoker.");
            }
        }

        _function = function;
        Settings = settings;
        _queues = queues;
    }

    /// <summary>The settings in force.</summary>
    public AsyncInvokeSettings Settings { get; }

    /// <summary>The counts now.</summary>
    public AsyncInvokerCounters Counters => new(
        Interlocked.Read(ref _received),
        Interlocked.Read(ref _succeeded),
        Interlocked.Read(ref _retried),
        Interlocked.Read(ref _failed),
        Interlocked.Read(ref _deadLettered),
        Interlocked.Read(ref _inFlight));

    /// <summary>
    /// The asynchronous invocation settings of <c>aws_lambda_function.&lt;resourceName&gt;</c>: its <c>dead_letter_config</c>, and
    /// the <c>aws_lambda_function_event_invoke_config</c> whose <c>function_name</c> names it, if any (else Lambda's defaults).
    /// </summary>
    /// <param name="stack">The synthesized stack.</param>
    /// <param name="resourceName">The function's resource name.</param>
    /// <param name="function">Runs the invocations (the function's <see cref="LocalFunction"/>).</param>
    /// <param name="queues">Sends to the dead-letter queue and destinations.</param>
    /// <param name="retryDelays">The waits before retries; null for Lambda's (1 and 2 minutes).</param>
    public static AsyncInvoker FromStack(LocalStack stack, string resourceName, IFunctionInvoker function, IQueueSender queues, IReadOnlyList<TimeSpan>? retryDelays = null)
    {
        var body = stack.Resource("aws_lambda_function", resourceName);
        var name = stack.Resolve(body["function_name"]!.GetValue<string>());
        var arn = stack.Attribute("aws_lambda_function", resourceName, "arn");
        var dlq = body["dead_letter_config"]?["target_arn"]?.GetValue<string>() is { } target ? stack.Resolve(target) : null;
        var config = stack.Resources("aws_lambda_function_event_invoke_config")
            .Select(r => r.Body)
            .FirstOrDefault(c => c["function_name"]?.GetValue<string>() is { } f && stack.Resolve(f) is var resolved && (resolved == name || resolved == arn));
        string? Destination(string kind) => config?["destination_config"]?[kind]?["destination"]?.GetValue<string>() is { } d ? stack.Resolve(d) : null;
        var settings = new AsyncInvokeSettings(
            arn,
            config?["maximum_retry_attempts"]?.GetValue<int>() ?? 2,
            TimeSpan.FromSeconds(config?["maximum_event_age_in_seconds"]?.GetValue<int>() ?? 21600),
            dlq,
            Destination("on_failure"),
            Destination("on_success"),
            retryDelays ?? LambdaRetryDelays);
        return new AsyncInvoker(function, settings, queues);
    }

    /// <summary>Accepts one event (Invoke with InvocationType Event: 202) and returns its request id.</summary>
    public string Enqueue(string payload)
    {
        ObjectDisposedException.ThrowIf(_stopping.IsCancellationRequested, this);
        var requestId = Guid.NewGuid().ToString();
        Interlocked.Increment(ref _received);
        Interlocked.Increment(ref _inFlight);
        _ = Task.Run(() => Process(requestId, payload));
        return requestId;
    }

    /// <summary>Completes when no event is queued, waiting for a retry or running.</summary>
    public Task Drain(CancellationToken ct)
    {
        TaskCompletionSource waiter;
        lock (_lock)
        {
            if (Interlocked.Read(ref _inFlight) == 0)
            {
                return Task.CompletedTask;
            }

            waiter = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _drainWaiters.Add(waiter);
        }

        return waiter.Task.WaitAsync(ct);
    }

    /// <summary>Stops retrying: events waiting for a retry are dropped (as a stopped process loses Lambda's in-memory queue here).</summary>
    public ValueTask DisposeAsync()
    {
        _stopping.Cancel();
        return ValueTask.CompletedTask;
    }

    private async Task Process(string requestId, string payload)
    {
        var accepted = DateTimeOffset.UtcNow;
        try
        {
            for (var attempt = 0; ; attempt++)
            {
                var result = await _function.Invoke(payload, _stopping.Token);
                if (!result.Failed)
                {
                    Interlocked.Increment(ref _succeeded);
                    if (Settings.OnSuccessDestinationArn is { } success)
                    {
                        await Send(success, Record(requestId, payload, result, "Success", attempt + 1), null);
                    }

                    return;
                }

                string? condition = null;
                if (attempt >= Settings.MaximumRetryAttempts)
                {
                    condition = "RetriesExhausted";
                }
                else
                {
                    var delay = Settings.RetryDelays[Math.Min(attempt, Settings.RetryDelays.Count - 1)];
                    await Task.Delay(delay, _stopping.Token);
                    if (DateTimeOffset.UtcNow - accepted > Settings.MaximumEventAge)
                    {
                        condition = "EventAgeExceeded";
                    }
                }

                if (condition is not null)
                {
                    await Fail(requestId, payload, result, condition, attempt + 1);
                    return;
                }

                Interlocked.Increment(ref _retried);
            }
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            // Stopped: the event is dropped.
        }
        finally
        {
            lock (_lock)
            {
                if (Interlocked.Decrement(ref _inFlight) == 0)
                {
                    foreach (var waiter in _drainWaiters)
                    {
                        waiter.TrySetResult();
                    }

                    _drainWaiters.Clear();
                }
            }
        }
    }

    private async Task Fail(string requestId, string payload, InvocationResult result, string condition, int invokeCount)
    {
        Interlocked.Increment(ref _failed);
        var sent = false;
        if (Settings.DeadLetterQueueArn is { } dlq)
        {
            var attributes = new Dictionary<string, string>
            {
                ["RequestID"] = requestId,
                ["ErrorCode"] = "200",
                ["ErrorMessage"] = Truncate(result.ErrorMessage ?? result.ErrorType ?? string.Empty, 1024),
            };
            sent |= await Send(dlq, payload, attributes);
        }

        if (Settings.OnFailureDestinationArn is { } destination)
        {
            sent |= await Send(destination, Record(requestId, payload, result, condition, invokeCount), null);
        }

        if (sent)
        {
            Interlocked.Increment(ref _deadLettered);
        }
    }

    private async Task<bool> Send(string arn, string body, IReadOnlyDictionary<string, string>? attributes)
    {
        try
        {
            await _queues.Send(arn, body, attributes, _stopping.Token);
            return true;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Lambda counts DestinationDeliveryFailures / DeadLetterErrors and drops the record.
            Console.Error.WriteLine($"{_function.FunctionName}: could not send to {arn}: {e.Message}");
            return false;
        }
    }

    private string Record(string requestId, string payload, InvocationResult result, string condition, int invokeCount)
    {
        JsonNode? Parse(string? json)
        {
            if (json is null)
            {
                return null;
            }

            try
            {
                return JsonNode.Parse(json);
            }
            catch (JsonException)
            {
                return JsonValue.Create(json);
            }
        }

        var responseContext = new JsonObject { ["statusCode"] = 200, ["executedVersion"] = "$LATEST" };
        if (result.Failed)
        {
            responseContext["functionError"] = "Unhandled";
        }

        var record = new JsonObject
        {
            ["version"] = "1.0",
            ["timestamp"] = DateTimeOffset.UtcNow.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture),
            ["requestContext"] = new JsonObject
            {
                ["requestId"] = requestId,
                ["functionArn"] = Settings.FunctionArn + ":$LATEST",
                ["condition"] = condition,
                ["approximateInvokeCount"] = invokeCount,
            },
            ["requestPayload"] = Parse(payload),
            ["responseContext"] = responseContext,
            ["responsePayload"] = result.Failed
                ? new JsonObject { ["errorMessage"] = result.ErrorMessage, ["errorType"] = result.ErrorType }
                : Parse(result.Payload),
        };
        return record.ToJsonString();
    }

    private static string Truncate(string value, int maxBytes)
    {
        if (Encoding.UTF8.GetByteCount(value) <= maxBytes)
        {
            return value;
        }

        var length = Math.Min(value.Length, maxBytes);
        while (Encoding.UTF8.GetByteCount(value.AsSpan(0, length)) > maxBytes)
        {
            length--;
        }

        return value[..length];
    }
}
