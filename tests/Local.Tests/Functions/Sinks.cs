namespace FraudTf.Local.Tests.Functions;

/// <summary>Collects log events.</summary>
internal sealed class RecordingLogSink : ILogSink
{
    private readonly List<LogEvent> _events = [];

    public IReadOnlyList<LogEvent> Events
    {
        get
        {
            lock (_events)
            {
                return _events.ToList();
            }
        }
    }

    public void Write(LogEvent logEvent)
    {
        lock (_events)
        {
            _events.Add(logEvent);
        }
    }

    /// <summary>Waits until an event matches (output is read asynchronously from the process).</summary>
    public async Task<LogEvent> WaitFor(Func<LogEvent, bool> match, string what)
    {
        for (var i = 0; i < 200; i++)
        {
            if (Events.FirstOrDefault(match) is { } found)
            {
                return found;
            }

            await Task.Delay(25);
        }

        Assert.Fail($"no log event {what}; got:\n{string.Join("\n", Events.Select(e => e.Message))}");
        throw new InvalidOperationException();
    }
}

/// <summary>Collects datapoints.</summary>
internal sealed class RecordingMetricSink : IMetricSink
{
    private readonly List<Datapoint> _points = [];

    public IReadOnlyList<Datapoint> Points
    {
        get
        {
            lock (_points)
            {
                return _points.ToList();
            }
        }
    }

    public void Put(Datapoint datapoint)
    {
        lock (_points)
        {
            _points.Add(datapoint);
        }
    }
}

/// <summary>Records what would be sent to SQS.</summary>
internal sealed class RecordingQueueSender : IQueueSender
{
    private readonly List<(string Arn, string Body, IReadOnlyDictionary<string, string>? Attributes)> _sent = [];

    public IReadOnlyList<(string Arn, string Body, IReadOnlyDictionary<string, string>? Attributes)> Sent
    {
        get
        {
            lock (_sent)
            {
                return _sent.ToList();
            }
        }
    }

    public Task Send(string queueArn, string body, IReadOnlyDictionary<string, string>? attributes, CancellationToken ct)
    {
        lock (_sent)
        {
            _sent.Add((queueArn, body, attributes));
        }

        return Task.CompletedTask;
    }
}

/// <summary>A function that fails its first <c>failures</c> invocations, recording when each came.</summary>
internal sealed class ScriptedFunction(int failures) : IFunctionInvoker
{
    private readonly List<DateTimeOffset> _calls = [];

    public string FunctionName => "scripted";

    public IReadOnlyList<DateTimeOffset> Calls
    {
        get
        {
            lock (_calls)
            {
                return _calls.ToList();
            }
        }
    }

    public Task<InvocationResult> Invoke(string payload, CancellationToken ct)
    {
        int n;
        lock (_calls)
        {
            _calls.Add(DateTimeOffset.UtcNow);
            n = _calls.Count;
        }

        var id = Guid.NewGuid().ToString();
        return Task.FromResult(n <= failures
            ? new InvocationResult(id, null, "ArgumentException", $"attempt {n} failed", TimeSpan.FromMilliseconds(1))
            : new InvocationResult(id, "{\"ok\":true}", null, null, TimeSpan.FromMilliseconds(1)));
    }
}
