using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Reflection;
using System.Runtime.Loader;
using System.Text;
using System.Text.Json;
using FraudTf.Local.Functions;

namespace FraudTf.Local.Host;

/// <summary>
/// The local equivalent of Amazon.Lambda.RuntimeSupport (aws/aws-lambda-dotnet), the bootstrap of the .NET managed
/// runtime: loads the function named by <c>_HANDLER</c> (<c>Assembly::Namespace.Class::Method</c>) from
/// <c>LAMBDA_TASK_ROOT</c>, creates its class once (init), then serves invocations from the Lambda Runtime API at
/// <c>AWS_LAMBDA_RUNTIME_API</c> (AWS Lambda developer guide, "Using the Lambda runtime API for custom runtimes").
/// <list type="bullet">
/// <item>Started as the runtime's bootstrap script starts RuntimeSupport (aws-lambda-dotnet,
/// <c>LambdaRuntimeDockerfiles/Images/net8/amd64/bootstrap.sh</c>): <c>dotnet exec --depsfile &lt;task&gt;/&lt;asm&gt;.deps.json
/// --runtimeconfig &lt;task&gt;/&lt;asm&gt;.runtimeconfig.json &lt;runtime dll&gt; &lt;handler&gt;</c>, so the function's
/// assemblies are the application's, and the assembly is loaded from the default load context by name, as
/// RuntimeSupport's UserCodeLoader does (<c>AssemblyLoadContext.Default.LoadFromAssemblyName</c>). When the default context
/// cannot find it (started without <c>--depsfile</c>), an AssemblyLoadContext resolving from the task root with the
/// function's .deps.json (AssemblyDependencyResolver) is used instead.</item>
/// <item>Init: the class's parameterless constructor; a failure is written to Console.Error and reported with
/// <c>POST /runtime/init/error</c>, then the process exits (LambdaBootstrap.InitializeAsync).</item>
/// <item>Invoke loop (LambdaBootstrap.InvokeOnceAsync): <c>GET /runtime/invocation/next</c>, the handler
/// (<c>Task&lt;Stream&gt; Method(Stream)</c> or <c>Stream Method(Stream)</c>), then <c>POST /runtime/invocation/{id}/response</c>,
/// or, when it threw, the exception on Console.Error and <c>POST /runtime/invocation/{id}/error</c> with
/// <c>{"errorType":&lt;exception class name&gt;,"errorMessage","stackTrace":[…],"cause"}</c> (RuntimeSupport's ExceptionInfo).
/// <c>Lambda-Runtime-Trace-Id</c> is set as <c>_X_AMZN_TRACE_ID</c>.</item>
/// <item>Console.Out and Console.Error are replaced by <see cref="RuntimeConsoleWriter"/> for <c>AWS_LAMBDA_LOG_FORMAT</c>;
/// the raw standard output (<c>Console.OpenStandardOutput()</c>) is untouched. The GC heap limit is set from
/// <c>AWS_LAMBDA_FUNCTION_MEMORY_SIZE</c>, as LambdaBootstrap.AdjustMemorySettings does.</item>
/// </list>
/// Differs from AWS: no ILambdaContext parameter and no serializer attribute (the platform's handlers take a Stream);
/// events go to standard output instead of the telemetry log descriptor (a Text event with a line break becomes two);
/// a constructor failure is reported with the constructor's exception type (RuntimeSupport wraps some load failures in
/// its own LambdaValidationException). Local only: it exits when the runtime API stops answering, or when the process
/// <c>FRAUDTF_LOCAL_PARENT_PID</c> names ends, so no instance outlives the orchestrator.
/// </summary>
public static class Program
{
    private static readonly Lock StdoutLock = new();
    private static volatile string? _requestId;

    /// <summary>Runs the bootstrap; the optional argument is the handler (it takes precedence over <c>_HANDLER</c>, as in the bootstrap script).</summary>
    public static async Task<int> Main(string[] args)
    {
        var hostError = Console.Error;
        var handler = args.Length > 0 && args[0].Length > 0 ? args[0] : Environment.GetEnvironmentVariable("_HANDLER");
        var taskRoot = Environment.GetEnvironmentVariable("LAMBDA_TASK_ROOT");
        var api = Environment.GetEnvironmentVariable("AWS_LAMBDA_RUNTIME_API");
        if (string.IsNullOrEmpty(taskRoot) || !Directory.Exists(taskRoot))
        {
            hostError.WriteLine($"Error: LAMBDA_TASK_ROOT ('{taskRoot}') is not a folder. Fix: set it to the unzipped function package.");
            return 101;
        }

        if (string.IsNullOrEmpty(handler))
        {
            hostError.WriteLine("Error: No Lambda Handler function was specified. Fix: set _HANDLER to Assembly::Namespace.Class::Method.");
            return 103;
        }

        if (string.IsNullOrEmpty(api))
        {
            hostError.WriteLine("Error: AWS_LAMBDA_RUNTIME_API is not set. Fix: set it to the host:port of the runtime API.");
            return 107;
        }

        AdjustMemorySettings();
        StartParentWatchdog(hostError);

        var format = RuntimeConsoleWriter.ParseFormat(Environment.GetEnvironmentVariable("AWS_LAMBDA_LOG_FORMAT"));
        var stdout = Console.OpenStandardOutput();
        void Emit(string message)
        {
            var bytes = Encoding.UTF8.GetBytes(message + "\n");
            lock (StdoutLock)
            {
                stdout.Write(bytes);
                stdout.Flush();
            }
        }

        Console.SetOut(new RuntimeConsoleWriter(format, error: false, () => _requestId, Emit));
        Console.SetError(new RuntimeConsoleWriter(format, error: true, () => _requestId, Emit));

        using var http = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { BaseAddress = new Uri($"http://{api}/2018-06-01/runtime/"), Timeout = Timeout.InfiniteTimeSpan };

        Func<Stream, Task<Stream?>> invoke;
        try
        {
            invoke = Init(handler, taskRoot);
        }
        catch (Exception e)
        {
            var error = Unwrap(e);
            Console.Error.WriteLine(error);
            try
            {
                await Post(http, "init/error", ErrorJson(error), error.GetType().Name);
            }
            catch (HttpRequestException post)
            {
                hostError.WriteLine($"could not report the init error to the runtime API at {api}: {post.Message}");
            }

            return 1;
        }

        while (true)
        {
            HttpResponseMessage next;
            try
            {
                next = await http.GetAsync("invocation/next", HttpCompletionOption.ResponseContentRead);
                next.EnsureSuccessStatusCode();
            }
            catch (HttpRequestException e)
            {
                hostError.WriteLine($"the runtime API at {api} stopped answering ({e.Message}): exiting");
                return 0;
            }

            var requestId = Header(next, "Lambda-Runtime-Aws-Request-Id") ?? throw new InvalidOperationException("invocation/next answered without Lambda-Runtime-Aws-Request-Id");
            if (Header(next, "Lambda-Runtime-Trace-Id") is { } trace)
            {
                Environment.SetEnvironmentVariable("_X_AMZN_TRACE_ID", trace);
            }

            var input = new MemoryStream(await next.Content.ReadAsByteArrayAsync());
            _requestId = requestId;
            byte[]? body = null;
            Exception? failure = null;
            try
            {
                var output = await invoke(input);
                if (output is not null)
                {
                    using var copy = new MemoryStream();
                    await output.CopyToAsync(copy);
                    await output.DisposeAsync();
                    body = copy.ToArray();
                }
            }
            catch (Exception e)
            {
                failure = Unwrap(e);
                Console.Error.WriteLine(failure);
            }

            try
            {
                if (failure is null)
                {
                    await Post(http, $"invocation/{requestId}/response", body ?? [], null);
                }
                else
                {
                    await Post(http, $"invocation/{requestId}/error", ErrorJson(failure), failure.GetType().Name);
                }
            }
            catch (HttpRequestException e)
            {
                hostError.WriteLine($"the runtime API at {api} stopped answering ({e.Message}): exiting");
                return 0;
            }
            finally
            {
                _requestId = null;
            }
        }
    }

    private static Func<Stream, Task<Stream?>> Init(string handler, string taskRoot)
    {
        var parts = handler.Split("::");
        if (parts.Length != 3 || parts.Any(string.IsNullOrWhiteSpace))
        {
            throw new ArgumentException($"handler '{handler}' is not Assembly::Namespace.Class::Method. Fix: the function's handler argument.");
        }

        var assembly = Load(parts[0], taskRoot);
        var type = assembly.GetType(parts[1]) ?? throw new TypeLoadException($"Unable to load type '{parts[1]}' from assembly '{parts[0]}'.");
        var method = type.GetMethod(parts[2], BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static, [typeof(Stream)])
            ?? throw new MissingMethodException($"Unable to find method '{parts[2]}(Stream)' in type '{parts[1]}' from assembly '{parts[0]}'. Fix: the handler must be 'Task<Stream> {parts[2]}(Stream)' (the platform's handlers take and return a Stream).");
        var target = method.IsStatic ? null : Activator.CreateInstance(type);
        if (method.ReturnType == typeof(Task<Stream>))
        {
            var call = method.CreateDelegate<Func<Stream, Task<Stream>>>(target);
            return async s => await call(s);
        }

        if (method.ReturnType == typeof(Stream))
        {
            var call = method.CreateDelegate<Func<Stream, Stream>>(target);
            return s => Task.FromResult<Stream?>(call(s));
        }

        throw new MissingMethodException($"'{parts[1]}.{parts[2]}' returns {method.ReturnType}; this host runs handlers returning Task<Stream> or Stream.");
    }

    // As UserCodeLoader: by name from the default context (the function's deps.json is the application's with --depsfile);
    // else from the task root, resolved with the function's deps.json.
    private static Assembly Load(string name, string taskRoot)
    {
        try
        {
            return AssemblyLoadContext.Default.LoadFromAssemblyName(new AssemblyName(name));
        }
        catch (FileNotFoundException)
        {
            var path = Path.Combine(taskRoot, name + ".dll");
            if (!File.Exists(path))
            {
                throw new FileNotFoundException($"Could not find the specified handler assembly with the file name '{name}'. The assembly should be located in the root of your uploaded .zip file.", path);
            }

            return new TaskRootLoadContext(path).LoadFromAssemblyPath(path);
        }
    }

    private static Exception Unwrap(Exception e) => e is TargetInvocationException { InnerException: { } inner } ? Unwrap(inner) : e;

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? values.FirstOrDefault() : null;

    private static async Task Post(HttpClient http, string path, byte[] body, string? errorType)
    {
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = content };
        if (errorType is not null)
        {
            request.Headers.TryAddWithoutValidation("Lambda-Runtime-Function-Error-Type", errorType);
        }

        using var response = await http.SendAsync(request);
        if (response.StatusCode is not (HttpStatusCode.Accepted or HttpStatusCode.OK))
        {
            Console.Error.WriteLine($"runtime API answered {(int)response.StatusCode} to POST {path}: {await response.Content.ReadAsStringAsync()}");
        }
    }

    private static byte[] ErrorJson(Exception e)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            WriteError(w, e);
        }

        return buffer.ToArray();
    }

    private static void WriteError(Utf8JsonWriter w, Exception e)
    {
        w.WriteStartObject();
        w.WriteString("errorType", e.GetType().Name);
        w.WriteString("errorMessage", e.Message);
        w.WriteStartArray("stackTrace");
        foreach (var line in (e.StackTrace ?? string.Empty).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            w.WriteStringValue(line);
        }

        w.WriteEndArray();
        if (e.InnerException is { } inner)
        {
            w.WritePropertyName("cause");
            WriteError(w, inner);
        }

        w.WriteEndObject();
    }

    // LambdaBootstrap.AdjustMemorySettings: the GC does not see Lambda's memory limit, so the runtime sets it.
    private static void AdjustMemorySettings()
    {
        if (!int.TryParse(Environment.GetEnvironmentVariable("AWS_LAMBDA_FUNCTION_MEMORY_SIZE"), out var megabytes) || megabytes <= 0)
        {
            return;
        }

        var bytes = (ulong)megabytes * 1024 * 1024;
        if ((ulong)GC.GetGCMemoryInfo().TotalAvailableMemoryBytes < bytes)
        {
            return;
        }

        AppContext.SetData("GCHeapHardLimit", bytes);
        GC.RefreshMemoryLimit();
    }

    private static void StartParentWatchdog(TextWriter hostError)
    {
        if (!int.TryParse(Environment.GetEnvironmentVariable("FRAUDTF_LOCAL_PARENT_PID"), out var parentPid))
        {
            return;
        }

        var thread = new Thread(() =>
        {
            while (true)
            {
                try
                {
                    using var parent = Process.GetProcessById(parentPid);
                    if (parent.HasExited)
                    {
                        break;
                    }
                }
                catch (ArgumentException)
                {
                    break;
                }

                Thread.Sleep(500);
            }

            hostError.WriteLine($"the orchestrator (pid {parentPid}) is gone: exiting");
            Environment.Exit(137);
        })
        { IsBackground = true, Name = "parent watchdog" };
        thread.Start();
    }

    // Resolves the function's dependencies from its task root, with its .deps.json where present.
    private sealed class TaskRootLoadContext(string mainAssembly) : AssemblyLoadContext("function")
    {
        private readonly AssemblyDependencyResolver _resolver = new(mainAssembly);
        private readonly string _root = Path.GetDirectoryName(mainAssembly)!;

        protected override Assembly? Load(AssemblyName assemblyName)
        {
            var path = _resolver.ResolveAssemblyToPath(assemblyName) ?? Path.Combine(_root, assemblyName.Name + ".dll");
            return File.Exists(path) ? LoadFromAssemblyPath(path) : null;
        }

        protected override IntPtr LoadUnmanagedDll(string unmanagedDllName) =>
            _resolver.ResolveUnmanagedDllToPath(unmanagedDllName) is { } path ? LoadUnmanagedDllFromPath(path) : IntPtr.Zero;
    }
}
