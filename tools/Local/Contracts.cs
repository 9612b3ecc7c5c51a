namespace FraudTf.Local;

/// <summary>One log event as CloudWatch Logs would store it: a line a function wrote, in the log group of its stack.</summary>
/// <param name="LogGroup">The log group name (resolved from the function's <c>logging_config.log_group</c>).</param>
/// <param name="Function">The function name.</param>
/// <param name="Timestamp">When the line was written.</param>
/// <param name="Message">The stored event's message (after the managed runtime's formatting).</param>
public sealed record LogEvent(string LogGroup, string Function, DateTimeOffset Timestamp, string Message);

/// <summary>Receives log events (CloudWatch Logs: EMF extraction and metric filters read them).</summary>
public interface ILogSink
{
    /// <summary>Stores one event.</summary>
    void Write(LogEvent logEvent);
}

/// <summary>One metric datapoint, as CloudWatch stores it.</summary>
/// <param name="Namespace">Namespace, e.g. <c>AWS/Lambda</c> or <c>FraudDetection</c>.</param>
/// <param name="Name">Metric name.</param>
/// <param name="Dimensions">Dimension name to value.</param>
/// <param name="Timestamp">Its time.</param>
/// <param name="Value">Its value.</param>
/// <param name="Unit">Its unit, if given.</param>
public sealed record Datapoint(string Namespace, string Name, IReadOnlyDictionary<string, string> Dimensions, DateTimeOffset Timestamp, double Value, string? Unit = null);

/// <summary>Receives metric datapoints (the local CloudWatch).</summary>
public interface IMetricSink
{
    /// <summary>Stores one datapoint.</summary>
    void Put(Datapoint datapoint);
}

/// <summary>The outcome of one invocation of a function.</summary>
/// <param name="RequestId">The request id the runtime gave it.</param>
/// <param name="Payload">The response payload (null when it failed).</param>
/// <param name="ErrorType">The error type when the function failed (threw, timed out or crashed), else null.</param>
/// <param name="ErrorMessage">The error message when it failed.</param>
/// <param name="Duration">How long it ran.</param>
public sealed record InvocationResult(string RequestId, string? Payload, string? ErrorType, string? ErrorMessage, TimeSpan Duration)
{
    /// <summary>True when the invocation failed (Lambda's "function error").</summary>
    public bool Failed => ErrorType is not null;
}

/// <summary>Invokes a function synchronously (RequestResponse), as an event source mapping or Pipes does.</summary>
public interface IFunctionInvoker
{
    /// <summary>The function's name.</summary>
    string FunctionName { get; }

    /// <summary>Runs one invocation with <paramref name="payload"/> (JSON) and returns its outcome; never throws for a function error.</summary>
    Task<InvocationResult> Invoke(string payload, CancellationToken ct);
}

/// <summary>Sends a message to a queue by its ARN (the local SQS): dead-letter queues of pipes, targets and functions.</summary>
public interface IQueueSender
{
    /// <summary>Sends <paramref name="body"/> with optional string message attributes.</summary>
    Task Send(string queueArn, string body, IReadOnlyDictionary<string, string>? attributes, CancellationToken ct);
}
