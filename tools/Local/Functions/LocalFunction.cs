using System.Diagnostics;
using System.IO.Compression;

namespace FraudTf.Local.Functions;

/// <summary>What a local function runs: the settings Lambda reads from the function's configuration.</summary>
/// <param name="FunctionName">The function name (<c>function_name</c>).</param>
/// <param name="FunctionArn">Its ARN (the runtime API's <c>Lambda-Runtime-Invoked-Function-Arn</c>).</param>
/// <param name="Handler">The handler (<c>Assembly::Namespace.Class::Method</c>).</param>
/// <param name="TaskRoot">The unzipped package (<c>LAMBDA_TASK_ROOT</c>).</param>
/// <param name="Timeout">The function's <c>timeout</c>.</param>
/// <param name="MemorySize">Its <c>memory_size</c> in MB.</param>
/// <param name="LogFormat">Its <c>logging_config.log_format</c>.</param>
/// <param name="LogGroup">Its log group (<c>logging_config.log_group</c>, else <c>/aws/lambda/&lt;name&gt;</c>).</param>
/// <param name="Environment">Every environment variable of the process, Lambda's own included (see <see cref="LocalFunction.FromStack"/>).</param>
/// <param name="Instances">How many instances may run at once.</param>
public sealed record LocalFunctionSpec(
    string FunctionName,
    string FunctionArn,
    string Handler,
    string TaskRoot,
    TimeSpan Timeout,
    int MemorySize,
    RuntimeLogFormat LogFormat,
    string LogGroup,
    IReadOnlyDictionary<string, string> Environment,
    int Instances);

/// <summary>
/// One synthesized Lambda function run from its zip, each instance in its own process under the local host
/// (tools/Local/Host, the stand-in for the .NET managed runtime's Amazon.Lambda.RuntimeSupport), served by a
/// <see cref="RuntimeApiServer"/>. Invoked synchronously (RequestResponse) through <see cref="IFunctionInvoker"/>.
/// <list type="bullet">
/// <item>The process is started as the managed runtime's bootstrap starts it: <c>dotnet exec --depsfile &lt;task&gt;/&lt;asm&gt;.deps.json
/// --runtimeconfig &lt;task&gt;/&lt;asm&gt;.runtimeconfig.json FraudTf.Local.Host.dll &lt;handler&gt;</c> (aws-lambda-dotnet,
/// LambdaRuntimeDockerfiles bootstrap.sh), with only the environment Lambda gives ("Defined runtime environment
/// variables", Lambda developer guide): the function's <c>environment.variables</c> (resolved against the local world),
/// then the <c>awsEnvironment</c> of the orchestrator (region, credentials, local endpoints), then Lambda's reserved
/// variables: <c>_HANDLER</c>, <c>AWS_REGION</c>, <c>AWS_DEFAULT_REGION</c>, <c>AWS_EXECUTION_ENV</c> (AWS_Lambda_&lt;runtime&gt;),
/// <c>AWS_LAMBDA_FUNCTION_NAME</c>, <c>AWS_LAMBDA_FUNCTION_MEMORY_SIZE</c>, <c>AWS_LAMBDA_FUNCTION_VERSION</c> ($LATEST),
/// <c>AWS_LAMBDA_INITIALIZATION_TYPE</c> (on-demand), <c>AWS_LAMBDA_LOG_GROUP_NAME</c>, <c>AWS_LAMBDA_LOG_STREAM_NAME</c>,
/// <c>AWS_LAMBDA_LOG_FORMAT</c>, <c>AWS_LAMBDA_RUNTIME_API</c>, <c>LAMBDA_TASK_ROOT</c>, <c>LAMBDA_RUNTIME_DIR</c>, <c>TZ</c>,
/// <c>LANG</c>. Lambda sets no variable for the timeout: the runtime learns it from <c>Lambda-Runtime-Deadline-Ms</c>.
/// Nothing else of the orchestrator's environment is passed (no ambient AWS profile or credentials), except PATH, HOME,
/// TMPDIR and DOTNET_* so dotnet runs.</item>
/// <item>Every line a process writes to standard output or standard error is one <see cref="LogEvent"/> in the function's
/// log group (the host formats Console lines as the managed runtime does; raw standard output passes as written).</item>
/// <item>Each invocation puts the Lambda service metrics the stack's alarms read ("Types of metrics for Lambda functions"):
/// <c>AWS/Lambda</c> <c>Invocations</c> (1), <c>Errors</c> (1 for a function error or timeout, else 0) and <c>Duration</c>
/// (milliseconds), dimension <c>FunctionName</c>.</item>
/// </list>
/// Differs from AWS: no START/END/REPORT or platform records in the log, no Throttles/ConcurrentExecutions metrics,
/// invocations beyond the instance count wait instead of being throttled, no X-Ray daemon, the task root is writable and
/// <c>/tmp</c> is the machine's.
/// </summary>
public sealed class LocalFunction : IFunctionInvoker, IAsyncDisposable
{
    /// <summary>The name of the host assembly, which must sit next to FraudTf.Local.dll (the Local project copies it).</summary>
    public const string HostAssemblyName = "FraudTf.Local.Host.dll";

    private readonly LocalFunctionSpec _spec;
    private readonly ILogSink _logs;
    private readonly IMetricSink _metrics;
    private readonly string? _ownedFolder;
    private readonly Process?[] _processes;
    private readonly List<Process> _started = [];
    private readonly Lock _lock = new();
    private readonly RuntimeApiServer _server;
    private readonly string _hostDll;
    private bool _disposed;

    private LocalFunction(LocalFunctionSpec spec, ILogSink logs, IMetricSink metrics, string? ownedFolder)
    {
        _spec = spec;
        _logs = logs;
        _metrics = metrics;
        _ownedFolder = ownedFolder;
        _processes = new Process?[spec.Instances];
        _hostDll = HostPath();
        _server = new RuntimeApiServer(spec.FunctionArn, spec.Timeout, spec.Instances, StartInstance, StopInstance);
    }

    /// <inheritdoc />
    public string FunctionName => _spec.FunctionName;

    /// <summary>The log group its lines go to.</summary>
    public string LogGroup => _spec.LogGroup;

    /// <summary>What it runs.</summary>
    public LocalFunctionSpec Spec => _spec;

    /// <summary>The process ids of every instance started so far (running or not).</summary>
    public IReadOnlyList<int> StartedProcessIds
    {
        get
        {
            lock (_lock)
            {
                return _started.Select(p => p.Id).ToList();
            }
        }
    }

    /// <summary>
    /// The function <c>aws_lambda_function.&lt;resourceName&gt;</c> of <paramref name="stack"/>: unzips its <c>filename</c>
    /// (relative to <c>&lt;outDir&gt;/stacks/&lt;stack&gt;/</c>) into a temporary folder (deleted by <see cref="DisposeAsync"/>) and
    /// prepares up to <paramref name="instances"/> instances (started on the first invocations).
    /// </summary>
    /// <param name="stack">The synthesized stack.</param>
    /// <param name="resourceName">The function's resource name in the stack (e.g. <c>stream-processor_this_5F922BB5</c>).</param>
    /// <param name="outDir">The cdktf.out folder.</param>
    /// <param name="awsEnvironment">Region, credentials and endpoints the function's SDK clients use (AWS_ENDPOINT_URL_DYNAMODB, …).</param>
    /// <param name="logs">Receives its log events.</param>
    /// <param name="metrics">Receives its AWS/Lambda metrics.</param>
    /// <param name="instances">How many instances may run at once (e.g. its reserved concurrency, or fewer on a small machine).</param>
    public static LocalFunction FromStack(LocalStack stack, string resourceName, string outDir, IReadOnlyDictionary<string, string> awsEnvironment, ILogSink logs, IMetricSink metrics, int instances)
    {
        var body = stack.Resource("aws_lambda_function", resourceName);
        string Arg(string name) => body[name]?.GetValue<string>() is { } value ? stack.Resolve(value)
            : throw new InvalidOperationException($"aws_lambda_function.{resourceName} has no '{name}' argument. Fix: the function must be a zip package function with a handler.");
        var name = Arg("function_name");
        var runtime = Arg("runtime");
        if (!runtime.StartsWith("dotnet", StringComparison.Ordinal))
        {
            throw new NotSupportedException($"aws_lambda_function.{resourceName} ({name}) has runtime '{runtime}'; the local host runs only the .NET managed runtimes (dotnet8, dotnet10). Fix: run this function elsewhere or add a host for its runtime.");
        }

        var stackDir = Path.Combine(outDir, "stacks", Path.GetFileName(Path.GetDirectoryName(Path.GetFullPath(stack.Path)))!);
        var zip = Path.Combine(stackDir, Arg("filename"));
        if (!File.Exists(zip))
        {
            throw new FileNotFoundException($"{zip} (the package of {name}) does not exist. Fix: run 'make synth' to build and synthesize the functions.", zip);
        }

        var folder = Path.Combine(Path.GetTempPath(), "fraudtf-local", $"{name}-{Guid.NewGuid():N}");
        ZipFile.ExtractToDirectory(zip, folder);
        try
        {
            var logging = body["logging_config"];
            var logGroup = logging?["log_group"]?.GetValue<string>() is { } group ? stack.Resolve(group) : $"/aws/lambda/{name}";
            var format = RuntimeConsoleWriter.ParseFormat(logging?["log_format"]?.GetValue<string>());
            var timeout = TimeSpan.FromSeconds(body["timeout"]?.GetValue<int>() ?? 3);
            var memory = body["memory_size"]?.GetValue<int>() ?? 128;
            var variables = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var (key, value) in body["environment"]?["variables"]?.AsObject() ?? [])
            {
                variables[key] = stack.Resolve(value!.GetValue<string>());
            }

            var handler = Arg("handler");
            var arn = stack.Attribute("aws_lambda_function", resourceName, "arn");
            var region = awsEnvironment.GetValueOrDefault("AWS_REGION") ?? stack.Region;
            var environment = LambdaEnvironment(name, handler, folder, memory, format, logGroup, region, runtime, variables, awsEnvironment);
            var spec = new LocalFunctionSpec(name, arn, handler, folder, timeout, memory, format, logGroup, environment, instances);
            return new LocalFunction(spec, logs, metrics, folder);
        }
        catch
        {
            Directory.Delete(folder, recursive: true);
            throw;
        }
    }

    /// <summary>A function from an explicit spec (tests; the spec's task root is not deleted on dispose).</summary>
    public static LocalFunction Start(LocalFunctionSpec spec, ILogSink logs, IMetricSink metrics) => new(spec, logs, metrics, null);

    /// <summary>
    /// The environment Lambda gives a function's process (see the class summary): <paramref name="variables"/> then
    /// <paramref name="awsEnvironment"/>, then Lambda's reserved variables (runtime API and task root are set per instance).
    /// </summary>
    public static IReadOnlyDictionary<string, string> LambdaEnvironment(string functionName, string handler, string taskRoot, int memorySize, RuntimeLogFormat format, string logGroup, string region, string runtime, IReadOnlyDictionary<string, string> variables, IReadOnlyDictionary<string, string> awsEnvironment)
    {
        var environment = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in variables)
        {
            environment[key] = value;
        }

        foreach (var (key, value) in awsEnvironment)
        {
            environment[key] = value;
        }

        environment["_HANDLER"] = handler;
        environment["AWS_REGION"] = region;
        environment["AWS_DEFAULT_REGION"] = region;
        environment["AWS_EXECUTION_ENV"] = $"AWS_Lambda_{runtime}";
        environment["AWS_LAMBDA_FUNCTION_NAME"] = functionName;
        environment["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"] = memorySize.ToString(CultureInfo.InvariantCulture);
        environment["AWS_LAMBDA_FUNCTION_VERSION"] = "$LATEST";
        environment["AWS_LAMBDA_INITIALIZATION_TYPE"] = "on-demand";
        environment["AWS_LAMBDA_LOG_GROUP_NAME"] = logGroup;
        environment["AWS_LAMBDA_LOG_FORMAT"] = format == RuntimeLogFormat.Json ? "JSON" : "Text";
        environment["LAMBDA_TASK_ROOT"] = taskRoot;
        environment["TZ"] = ":UTC";
        environment["LANG"] = "en_US.UTF-8";
        return environment;
    }

    /// <inheritdoc />
    public async Task<InvocationResult> Invoke(string payload, CancellationToken ct)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var result = await _server.Invoke(payload, ct);
        var now = DateTimeOffset.UtcNow;
        var dimensions = new Dictionary<string, string> { ["FunctionName"] = _spec.FunctionName };
        _metrics.Put(new Datapoint("AWS/Lambda", "Invocations", dimensions, now, 1, "Count"));
        _metrics.Put(new Datapoint("AWS/Lambda", "Errors", dimensions, now, result.Failed ? 1 : 0, "Count"));
        _metrics.Put(new Datapoint("AWS/Lambda", "Duration", dimensions, now, result.Duration.TotalMilliseconds, "Milliseconds"));
        return result;
    }

    /// <summary>Stops every instance (killing its process tree, waiting for it to exit) and deletes the unzipped package.</summary>
    public async ValueTask DisposeAsync()
    {
        Process[] processes;
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            processes = _started.ToArray();
        }

        await _server.DisposeAsync();
        foreach (var process in processes)
        {
            try
            {
                process.Kill(entireProcessTree: true);
            }
            catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception)
            {
                // Already exited.
            }

            using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            try
            {
                await process.WaitForExitAsync(wait.Token);
            }
            catch (OperationCanceledException)
            {
                Trace.TraceWarning($"{_spec.FunctionName}: process {process.Id} did not exit within 10 s of being killed");
            }

            process.Dispose();
        }

        if (_ownedFolder is not null && Directory.Exists(_ownedFolder))
        {
            Directory.Delete(_ownedFolder, recursive: true);
        }
    }

    private static string HostPath()
    {
        var path = Path.Combine(AppContext.BaseDirectory, HostAssemblyName);
        if (!File.Exists(path))
        {
            path = Path.Combine(Path.GetDirectoryName(typeof(LocalFunction).Assembly.Location)!, HostAssemblyName);
        }

        return File.Exists(path) ? path
            : throw new FileNotFoundException($"{HostAssemblyName} is not next to FraudTf.Local.dll ({path}). Fix: build tools/Local/FraudTf.Local.csproj (it builds and copies the host), or the project that references it.", path);
    }

    private static string DotnetExecutable()
    {
        if (Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host))
        {
            return host;
        }

        var self = Environment.ProcessPath;
        return self is not null && Path.GetFileNameWithoutExtension(self) == "dotnet" ? self : "dotnet";
    }

    // As the bootstrap script: <asm>.deps.json and <asm>.runtimeconfig.json, else the only one of each in the task root.
    private static string PackageFile(string taskRoot, string assembly, string suffix)
    {
        var named = Path.Combine(taskRoot, assembly + suffix);
        if (File.Exists(named))
        {
            return named;
        }

        var found = Directory.GetFiles(taskRoot, "*" + suffix);
        return found.Length == 1 ? found[0]
            : throw new FileNotFoundException($"{taskRoot} has no {assembly}{suffix} (and not exactly one *{suffix}). Fix: publish the function with its {suffix} file (dotnet publish does).", named);
    }

    private void StartInstance(int index)
    {
        var assembly = _spec.Handler.Split("::")[0];
        // Alike on purpose: starting a dotnet child process with redirected output, as modules/Compute/Build/DotnetCli does;
        // this one hosts a function under the runtime API, that one runs the SDK, and the tools share no project.
        var info = new ProcessStartInfo(DotnetExecutable())
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            WorkingDirectory = _spec.TaskRoot,
        };
        foreach (var argument in new[] { "exec", "--depsfile", PackageFile(_spec.TaskRoot, assembly, ".deps.json"), "--runtimeconfig", PackageFile(_spec.TaskRoot, assembly, ".runtimeconfig.json"), _hostDll, _spec.Handler })
        {
            info.ArgumentList.Add(argument);
        }

        var inherited = info.Environment.Where(p => p.Key is "PATH" or "HOME" or "TMPDIR" || p.Key.StartsWith("DOTNET_", StringComparison.Ordinal)).ToList();
        info.Environment.Clear();
        foreach (var (key, value) in inherited)
        {
            info.Environment[key] = value;
        }

        foreach (var (key, value) in _spec.Environment)
        {
            info.Environment[key] = value;
        }

        var stream = $"{DateTime.UtcNow:yyyy'/'MM'/'dd}/[$LATEST]{Guid.NewGuid():N}";
        info.Environment["AWS_LAMBDA_LOG_STREAM_NAME"] = stream;
        info.Environment["AWS_LAMBDA_RUNTIME_API"] = _server.Endpoint(index);
        info.Environment["LAMBDA_RUNTIME_DIR"] = Path.GetDirectoryName(_hostDll)!;
        info.Environment["FRAUDTF_LOCAL_PARENT_PID"] = Environment.ProcessId.ToString(CultureInfo.InvariantCulture);

        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        process.OutputDataReceived += (_, e) => Line(e.Data);
        process.ErrorDataReceived += (_, e) => Line(e.Data);
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            process.Start();
            _processes[index] = process;
            _started.Add(process);
        }

        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _ = Task.Run(async () =>
        {
            await process.WaitForExitAsync();
            lock (_lock)
            {
                if (_processes[index] == process)
                {
                    _processes[index] = null;
                }
            }

            _server.InstanceExited(index, process.ExitCode);
        });
    }

    private void StopInstance(int index)
    {
        Process? process;
        lock (_lock)
        {
            process = _processes[index];
        }

        try
        {
            process?.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Already exited: its exit is reported anyway.
        }
    }

    private void Line(string? line)
    {
        if (line is not null)
        {
            _logs.Write(new LogEvent(_spec.LogGroup, _spec.FunctionName, DateTimeOffset.UtcNow, line));
        }
    }
}
