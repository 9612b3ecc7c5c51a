using System.Diagnostics;
using System.Net;
using System.Text.Json;
using FraudTf.Local.Engines;

namespace FraudTf.Local.Functions;

/// <summary>
/// The Lambda Runtime API (AWS Lambda developer guide, "Using the Lambda runtime API for custom runtimes") for the
/// instances of one function, on 127.0.0.1. Each instance has its own endpoint (a port), as each Lambda execution
/// environment has its own <c>AWS_LAMBDA_RUNTIME_API</c>; invocations wait in one queue until an instance asks for one.
/// <list type="bullet">
/// <item><c>GET /2018-06-01/runtime/invocation/next</c> blocks until an invocation is queued, then answers with its payload
/// and the headers <c>Lambda-Runtime-Aws-Request-Id</c>, <c>Lambda-Runtime-Deadline-Ms</c> (now + the function's timeout),
/// <c>Lambda-Runtime-Invoked-Function-Arn</c> and <c>Lambda-Runtime-Trace-Id</c>.</item>
/// <item><c>POST /runtime/invocation/{id}/response</c> completes it (202; a payload above 6 MB fails it with
/// <c>Function.ResponseSizeTooLarge</c>, the synchronous invocation limit of "Lambda quotas");
/// <c>POST /runtime/invocation/{id}/error</c> fails it with the posted <c>errorType</c> and <c>errorMessage</c>;
/// <c>POST /runtime/init/error</c> records an init failure.</item>
/// <item>An invocation still running at its deadline fails with <c>Sandbox.Timedout</c> and
/// "Task timed out after N.NN seconds", and its instance is stopped: Lambda ends an execution environment whose
/// invocation timed out and initializes a new one for the next ("Understanding the Lambda execution environment
/// lifecycle", Failures during the invoke phase). An instance that exits while running an invocation fails it with
/// <c>Runtime.ExitError</c>; one that fails init fails the oldest queued invocation with the error it reported
/// (Lambda returns the init error to the invocation that started the environment).</item>
/// <item>Instances are started on demand (the constructor's start callback) when an invocation waits and no started
/// instance is free, up to the instance count: cold starts happen on invocations, as with on-demand concurrency.</item>
/// </list>
/// Differs from AWS: invocations beyond the instance count queue instead of being throttled (429); no Extensions or
/// Telemetry API; no response streaming.
/// </summary>
public sealed class RuntimeApiServer : IAsyncDisposable
{
    /// <summary>The largest response payload of a synchronous invocation (6 MB, "Lambda quotas").</summary>
    public const int MaxResponseBytes = 6 * 1024 * 1024;

    private readonly string _functionArn;
    private readonly TimeSpan _timeout;
    private readonly Action<int> _startInstance;
    private readonly Action<int> _stopInstance;
    private readonly HttpListener _listener = new();
    private readonly Slot[] _slots;
    private readonly Dictionary<int, Slot> _byPort = [];
    private readonly LinkedList<Invocation> _pending = new();
    private readonly Lock _lock = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _loop;

    /// <summary>Starts listening; nothing runs until the first invocation.</summary>
    /// <param name="functionArn">The function's ARN (the <c>Lambda-Runtime-Invoked-Function-Arn</c> header).</param>
    /// <param name="timeout">The function's <c>timeout</c>.</param>
    /// <param name="instances">How many instances may run at once (each gets its own endpoint).</param>
    /// <param name="startInstance">Starts the instance with that index (its endpoint is <see cref="Endpoint"/>); must not block long.</param>
    /// <param name="stopInstance">Kills the instance with that index; <see cref="InstanceExited"/> must follow.</param>
    public RuntimeApiServer(string functionArn, TimeSpan timeout, int instances, Action<int> startInstance, Action<int> stopInstance)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(instances, 1);
        _functionArn = functionArn;
        _timeout = timeout;
        _startInstance = startInstance;
        _stopInstance = stopInstance;
        _slots = new Slot[instances];
        var ports = EngineProcess.StartOnFreePorts(_listener, instances, retries: 3);
        for (var i = 0; i < instances; i++)
        {
            _slots[i] = new Slot(i, ports[i]);
            _byPort[ports[i]] = _slots[i];
        }

        _loop = Task.Run(Serve);
    }

    /// <summary>The <c>AWS_LAMBDA_RUNTIME_API</c> value (host:port) of instance <paramref name="instance"/>.</summary>
    public string Endpoint(int instance) => $"127.0.0.1:{_slots[instance].Port.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>Invocations queued and not yet taken by an instance.</summary>
    public int Queued
    {
        get
        {
            lock (_lock)
            {
                return _pending.Count;
            }
        }
    }

    /// <summary>Queues one invocation and completes with its outcome (never throws for a function error).</summary>
    public Task<InvocationResult> Invoke(string payload, CancellationToken ct)
    {
        var invocation = new Invocation(Guid.NewGuid().ToString(), Encoding.UTF8.GetBytes(payload));
        List<Action> actions;
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_stopping.IsCancellationRequested, this);
            invocation.Node = _pending.AddLast(invocation);
            actions = Pump();
        }

        Run(actions);
        if (ct.CanBeCanceled)
        {
            // A caller that gives up removes a queued invocation; one already running runs on, as in Lambda.
            ct.Register(() =>
            {
                lock (_lock)
                {
                    if (invocation.Node?.List is null)
                    {
                        return;
                    }

                    _pending.Remove(invocation.Node);
                    invocation.Node = null;
                }

                invocation.Completion.TrySetCanceled(ct);
            });
        }

        return invocation.Completion.Task;
    }

    /// <summary>Tells the server the process of instance <paramref name="instance"/> ended (its output drained).</summary>
    public void InstanceExited(int instance, int exitCode)
    {
        var slot = _slots[instance];
        List<Action> actions;
        Invocation? running;
        Invocation? initVictim = null;
        (string Type, string Message)? initError;
        HttpListenerContext? waiting;
        lock (_lock)
        {
            running = slot.Current;
            waiting = slot.WaitingNext;
            initError = slot.InitError;
            var neverReady = slot.State == SlotState.Starting;
            slot.Current = null;
            slot.WaitingNext = null;
            slot.InitError = null;
            slot.State = SlotState.Empty;
            if (neverReady && _pending.First is { } first)
            {
                initVictim = first.Value;
                _pending.RemoveFirst();
                initVictim.Node = null;
            }

            actions = _stopping.IsCancellationRequested ? [] : Pump();
        }

        waiting?.Response.Abort();
        running?.Finish(null, "Runtime.ExitError", $"RequestId: {running.Id} Error: Runtime exited with error: exit status {exitCode.ToString(CultureInfo.InvariantCulture)}");
        if (initVictim is not null)
        {
            var (type, message) = initError ?? ("Runtime.ExitError", $"RequestId: {initVictim.Id} Error: Runtime exited with error: exit status {exitCode.ToString(CultureInfo.InvariantCulture)} before init completed");
            initVictim.Finish(null, type, message);
        }

        Run(actions);
    }

    /// <summary>Stops listening and fails whatever is queued or running.</summary>
    public async ValueTask DisposeAsync()
    {
        List<Invocation> abandoned;
        lock (_lock)
        {
            if (_stopping.IsCancellationRequested)
            {
                return;
            }

            _stopping.Cancel();
            abandoned = [.. _pending, .. _slots.Select(s => s.Current).OfType<Invocation>()];
            _pending.Clear();
        }

        foreach (var invocation in abandoned)
        {
            invocation.Finish(null, "Local.Shutdown", "the local function was stopped before this invocation completed");
        }

        _listener.Stop();
        _listener.Close();
        try
        {
            await _loop;
        }
        catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or OperationCanceledException)
        {
            // Stopped.
        }
    }

    private static void Run(List<Action> actions)
    {
        foreach (var action in actions)
        {
            action();
        }
    }

    // Under _lock: hands queued invocations to waiting instances, and starts instances for the rest.
    private List<Action> Pump()
    {
        var actions = new List<Action>();
        while (_pending.First is { } first && _slots.FirstOrDefault(s => s.State == SlotState.Waiting) is { } slot)
        {
            var invocation = first.Value;
            _pending.RemoveFirst();
            invocation.Node = null;
            var context = slot.WaitingNext!;
            slot.WaitingNext = null;
            slot.State = SlotState.Running;
            slot.Current = invocation;
            invocation.Slot = slot;
            invocation.Clock = Stopwatch.StartNew();
            var deadline = DateTimeOffset.UtcNow + _timeout;
            actions.Add(() => Answer(context, invocation, deadline));
            actions.Add(() => _ = Deadline(invocation));
        }

        var starting = _slots.Count(s => s.State == SlotState.Starting);
        foreach (var slot in _slots.Where(s => s.State == SlotState.Empty))
        {
            if (_pending.Count <= starting)
            {
                break;
            }

            slot.State = SlotState.Starting;
            starting++;
            var index = slot.Index;
            actions.Add(() =>
            {
                try
                {
                    _startInstance(index);
                }
                catch (Exception e)
                {
                    Trace.TraceError($"could not start instance {index}: {e}");
                    InstanceExited(index, -1);
                }
            });
        }

        return actions;
    }

    private void Answer(HttpListenerContext context, Invocation invocation, DateTimeOffset deadline)
    {
        try
        {
            var response = context.Response;
            response.StatusCode = 200;
            response.ContentType = "application/json";
            response.Headers["Lambda-Runtime-Aws-Request-Id"] = invocation.Id;
            response.Headers["Lambda-Runtime-Deadline-Ms"] = deadline.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);
            response.Headers["Lambda-Runtime-Invoked-Function-Arn"] = _functionArn;
            response.Headers["Lambda-Runtime-Trace-Id"] = $"Root=1-{DateTimeOffset.UtcNow.ToUnixTimeSeconds():x8}-{Guid.NewGuid():N}"[..40] + ";Sampled=0";
            response.ContentLength64 = invocation.Payload.Length;
            response.OutputStream.Write(invocation.Payload);
            response.Close();
        }
        catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or IOException)
        {
            // The instance went away while being answered: its exit fails the invocation.
        }
    }

    private async Task Deadline(Invocation invocation)
    {
        try
        {
            await Task.WhenAny(invocation.Completion.Task, Task.Delay(_timeout, _stopping.Token));
        }
        catch (OperationCanceledException)
        {
            return;
        }

        Slot? slot;
        lock (_lock)
        {
            if (invocation.Completion.Task.IsCompleted || invocation.Slot?.Current != invocation)
            {
                return;
            }

            slot = invocation.Slot;
            slot.Current = null;
            slot.State = SlotState.Stopping;
        }

        var seconds = _timeout.TotalSeconds.ToString("0.00", CultureInfo.InvariantCulture);
        invocation.Finish(null, "Sandbox.Timedout", $"RequestId: {invocation.Id} Error: Task timed out after {seconds} seconds");
        _stopInstance(slot.Index);
    }

    private async Task Serve()
    {
        while (!_stopping.IsCancellationRequested)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            _ = Task.Run(() => Handle(context));
        }
    }

    private async Task Handle(HttpListenerContext context)
    {
        try
        {
            var request = context.Request;
            var slot = _byPort.GetValueOrDefault(request.LocalEndPoint.Port);
            var path = request.Url?.AbsolutePath ?? string.Empty;
            const string prefix = "/2018-06-01/runtime/";
            if (slot is null || !path.StartsWith(prefix, StringComparison.Ordinal))
            {
                Reply(context, 404, "UnknownPath", $"{request.HttpMethod} {path} is not a runtime API path");
                return;
            }

            var route = path[prefix.Length..].Split('/');
            switch (request.HttpMethod, route)
            {
                case ("GET", ["invocation", "next"]):
                    Next(slot, context);
                    return;
                case ("POST", ["invocation", var id, "response"]):
                    Complete(slot, id, await ReadBody(request), null, context);
                    return;
                case ("POST", ["invocation", var id, "error"]):
                    Complete(slot, id, await ReadBody(request), request.Headers["Lambda-Runtime-Function-Error-Type"] ?? "Runtime.Unknown", context);
                    return;
                case ("POST", ["init", "error"]):
                    var (type, message) = ParseError(await ReadBody(request), request.Headers["Lambda-Runtime-Function-Error-Type"] ?? "Runtime.Unknown");
                    lock (_lock)
                    {
                        slot.InitError = (type, message);
                    }

                    Reply(context, 202, null, null);
                    return;
                default:
                    Reply(context, 404, "UnknownPath", $"{request.HttpMethod} {path} is not a runtime API path");
                    return;
            }
        }
        catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or IOException)
        {
            // The instance went away mid-request.
        }
    }

    private void Next(Slot slot, HttpListenerContext context)
    {
        List<Action> actions;
        lock (_lock)
        {
            if (_stopping.IsCancellationRequested || slot.State is SlotState.Stopping or SlotState.Empty)
            {
                context.Response.Abort();
                return;
            }

            slot.WaitingNext = context;
            slot.State = SlotState.Waiting;
            slot.InitError = null;
            actions = Pump();
        }

        Run(actions);
    }

    private void Complete(Slot slot, string id, byte[] body, string? errorHeader, HttpListenerContext context)
    {
        Invocation? invocation;
        lock (_lock)
        {
            invocation = slot.Current?.Id == id ? slot.Current : null;
            if (invocation is not null)
            {
                slot.Current = null;
                slot.State = SlotState.Busy;
            }
        }

        if (invocation is null)
        {
            Reply(context, 400, "InvalidRequestID", $"request id {id} is not the invocation running on this instance (it completed, timed out or never existed)");
            return;
        }

        if (errorHeader is not null)
        {
            var (type, message) = ParseError(body, errorHeader);
            invocation.Finish(null, type, message);
            Reply(context, 202, null, null);
        }
        else if (body.Length > MaxResponseBytes)
        {
            invocation.Finish(null, "Function.ResponseSizeTooLarge", $"Response payload size ({body.Length.ToString(CultureInfo.InvariantCulture)} bytes) exceeded maximum allowed payload size ({MaxResponseBytes.ToString(CultureInfo.InvariantCulture)} bytes).");
            Reply(context, 413, "RequestEntityTooLarge", "response payload too large");
        }
        else
        {
            invocation.Finish(Encoding.UTF8.GetString(body), null, null);
            Reply(context, 202, null, null);
        }
    }

    private static (string Type, string Message) ParseError(byte[] body, string headerType)
    {
        try
        {
            using var json = JsonDocument.Parse(body);
            var root = json.RootElement;
            var type = root.TryGetProperty("errorType", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString()! : headerType;
            var message = root.TryGetProperty("errorMessage", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString()! : string.Empty;
            return (type, message);
        }
        catch (JsonException)
        {
            return (headerType, Encoding.UTF8.GetString(body));
        }
    }

    private static async Task<byte[]> ReadBody(HttpListenerRequest request)
    {
        using var buffer = new MemoryStream();
        await request.InputStream.CopyToAsync(buffer);
        return buffer.ToArray();
    }

    private static void Reply(HttpListenerContext context, int status, string? errorType, string? message)
    {
        var response = context.Response;
        response.StatusCode = status;
        var body = errorType is null
            ? "{\"status\":\"OK\"}"u8.ToArray()
            : JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, string> { ["errorType"] = errorType, ["errorMessage"] = message ?? string.Empty });
        response.ContentType = "application/json";
        response.ContentLength64 = body.Length;
        response.OutputStream.Write(body);
        response.Close();
    }

    private enum SlotState
    {
        Empty,
        Starting,
        Waiting,
        Running,
        Busy,
        Stopping,
    }

    private sealed class Slot(int index, int port)
    {
        public int Index { get; } = index;

        public int Port { get; } = port;

        public SlotState State { get; set; }

        public HttpListenerContext? WaitingNext { get; set; }

        public Invocation? Current { get; set; }

        public (string Type, string Message)? InitError { get; set; }
    }

    private sealed class Invocation(string id, byte[] payload)
    {
        public string Id { get; } = id;

        public byte[] Payload { get; } = payload;

        public TaskCompletionSource<InvocationResult> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public LinkedListNode<Invocation>? Node { get; set; }

        public Slot? Slot { get; set; }

        public Stopwatch? Clock { get; set; }

        public void Finish(string? payload, string? errorType, string? errorMessage) =>
            Completion.TrySetResult(new InvocationResult(Id, payload, errorType, errorMessage, Clock?.Elapsed ?? TimeSpan.Zero));
    }
}
