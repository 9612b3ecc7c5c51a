using System.Diagnostics;
using System.Text.Json;
using FraudTf.Local.Functions;

namespace FraudTf.Local.Tests.Functions;

/// <summary>
/// The synthesized functions run from their zips under the local host, each instance in its own process, as the Lambda
/// .NET managed runtime runs them (Runtime API, Console formatting, timeouts, init errors, AWS/Lambda metrics).
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class LocalFunctionTests
{
    private const string StreamProcessor = "stream-processor_this_5F922BB5";

    // Unreachable endpoints: any AWS call fails at once instead of reaching AWS.
    private static readonly Dictionary<string, string> Aws = new()
    {
        ["AWS_ACCESS_KEY_ID"] = "local",
        ["AWS_SECRET_ACCESS_KEY"] = "local",
        ["AWS_ENDPOINT_URL_DYNAMODB"] = "http://127.0.0.1:1",
        ["AWS_ENDPOINT_URL_S3"] = "http://127.0.0.1:1",
        ["AWS_ENDPOINT_URL_SQS"] = "http://127.0.0.1:1",
        ["AWS_MAX_ATTEMPTS"] = "1",
    };

    [Test]
    public async Task StreamProcessorZip_AnswersAnEmptyBatch_LogsItsEmfRaw_AndAThrowFormattedAsTheManagedRuntimeDoes()
    {
        var stack = Repo.Stack("dev");
        stack.SetAttribute("aws_sqs_queue", "dlq_this_C3757C70", "url", "http://127.0.0.1:1/111111111111/dlq"); // as the local SQS would
        var logs = new RecordingLogSink();
        var metrics = new RecordingMetricSink();
        var function = LocalFunction.FromStack(stack, StreamProcessor, Path.Combine(Repo.Root(), "cdktf.out"), Aws, logs, metrics, instances: 1);
        IReadOnlyList<int> pids;
        var taskRoot = function.Spec.TaskRoot;
        try
        {
            var logGroup = stack.Resolve(stack.Resource("aws_lambda_function", StreamProcessor)["logging_config"]!["log_group"]!.GetValue<string>());
            Assert.That(function.LogGroup, Is.EqualTo(logGroup));

            // Cold start: the process starts, inits and runs the first invocation.
            var clock = Stopwatch.StartNew();
            var first = await function.Invoke("{\"Records\":[]}", CancellationToken.None);
            var cold = clock.Elapsed;
            var warm = new List<TimeSpan>();
            for (var i = 0; i < 5; i++)
            {
                clock.Restart();
                var again = await function.Invoke("{\"Records\":[]}", CancellationToken.None);
                warm.Add(clock.Elapsed);
                Assert.That(again.Failed, Is.False, again.ErrorMessage);
            }

            await TestContext.Out.WriteLineAsync($"stream processor: cold start (first invocation) {cold.TotalMilliseconds:0} ms; warm {string.Join(", ", warm.Select(w => w.TotalMilliseconds.ToString("0.0", System.Globalization.CultureInfo.InvariantCulture)))} ms");

            // The partial batch response of an empty batch (ReportBatchItemFailures).
            Assert.That(first.Failed, Is.False, first.ErrorMessage);
            Assert.That(JsonDocument.Parse(first.Payload!).RootElement.GetProperty("batchItemFailures").GetArrayLength(), Is.EqualTo(0));

            // A handler exception: reported with the exception's class name (RuntimeSupport's ExceptionInfo), and written
            // through Console.Error, so JSON log format wraps it: level Error, the request id, the text escaped in message.
            var bad = await function.Invoke("this is not JSON", CancellationToken.None);
            Assert.That(bad.ErrorType, Is.EqualTo("JsonException"));
            var errorEvent = await logs.WaitFor(e => e.Message.Contains(bad.RequestId, StringComparison.Ordinal), "carrying the failed request id");
            var error = JsonDocument.Parse(errorEvent.Message).RootElement;
            Assert.Multiple(() =>
            {
                Assert.That(errorEvent.LogGroup, Is.EqualTo(logGroup));
                Assert.That(error.GetProperty("level").GetString(), Is.EqualTo("Error"));
                Assert.That(error.GetProperty("requestId").GetString(), Is.EqualTo(bad.RequestId));
                Assert.That(error.GetProperty("message").GetString(), Does.StartWith("System.Text.Json.JsonException"));
                Assert.That(error.TryGetProperty("_aws", out _), Is.False);
            });

            // The EMF document the function writes to the raw standard output is stored as written: _aws at its root.
            var emf = await logs.WaitFor(e => e.Message.StartsWith('{') && JsonDocument.Parse(e.Message).RootElement.TryGetProperty("_aws", out _), "with _aws at its root");
            Assert.That(emf.LogGroup, Is.EqualTo(logGroup));

            // AWS/Lambda metrics per invocation, dimension FunctionName (what the stack's alarms read).
            var points = metrics.Points.Where(p => p.Namespace == "AWS/Lambda" && p.Dimensions["FunctionName"] == function.FunctionName).ToList();
            Assert.Multiple(() =>
            {
                Assert.That(points.Where(p => p.Name == "Invocations").Sum(p => p.Value), Is.EqualTo(7));
                Assert.That(points.Where(p => p.Name == "Errors").Sum(p => p.Value), Is.EqualTo(1));
                Assert.That(points.Count(p => p.Name == "Duration" && p.Unit == "Milliseconds"), Is.EqualTo(7));
            });
            pids = function.StartedProcessIds;
            Assert.That(pids, Has.Count.EqualTo(1), "one instance served every invocation");
        }
        finally
        {
            await function.DisposeAsync();
        }

        AssertAllExited(pids);
        Assert.That(Directory.Exists(taskRoot), Is.False, "the unzipped package is deleted");
    }

    [Test]
    public async Task ConsoleLines_AreFormattedPerLogFormat_RawLinesAreNot()
    {
        foreach (var format in new[] { RuntimeLogFormat.Json, RuntimeLogFormat.Text })
        {
            var logs = new RecordingLogSink();
            await using var function = LocalFunction.Start(Fake(format), logs, new RecordingMetricSink());
            var result = await function.Invoke("{\"console\":\"hello {braces}\",\"error\":\"oops\",\"raw\":\"{\\\"_aws\\\":{}}\"}", CancellationToken.None);
            Assert.That(result.Failed, Is.False, result.ErrorMessage);
            var hello = await logs.WaitFor(e => e.Message.Contains("hello", StringComparison.Ordinal), "hello");
            var oops = await logs.WaitFor(e => e.Message.Contains("oops", StringComparison.Ordinal), "oops");
            var raw = await logs.WaitFor(e => e.Message.Contains("_aws", StringComparison.Ordinal), "raw");
            var init = await logs.WaitFor(e => e.Message.Contains("init", StringComparison.Ordinal), "init");
            Assert.That(raw.Message, Is.EqualTo("{\"_aws\":{}}"), "raw standard output is stored as written");
            if (format == RuntimeLogFormat.Json)
            {
                Assert.That(hello.Message, Does.Match("^\\{\"timestamp\":\"\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z\",\"level\":\"Information\",\"requestId\":\"" + result.RequestId + "\",\"message\":\"hello {braces}\"\\}$"));
                Assert.That(JsonDocument.Parse(oops.Message).RootElement.GetProperty("level").GetString(), Is.EqualTo("Error"));
                Assert.That(JsonDocument.Parse(init.Message).RootElement.TryGetProperty("requestId", out _), Is.False, "no request id during init");
            }
            else
            {
                Assert.That(hello.Message, Does.Match("^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z\t" + result.RequestId + "\tinfo\thello \\{braces\\}$"));
                Assert.That(oops.Message, Does.Contain("\tfail\toops"));
            }
        }
    }

    [Test]
    public async Task AnInvocationPastItsTimeout_FailsWithSandboxTimedout_ItsInstanceIsReplaced_AndTheNextOneWorks()
    {
        var metrics = new RecordingMetricSink();
        var function = LocalFunction.Start(Fake(RuntimeLogFormat.Json) with { Timeout = TimeSpan.FromSeconds(1) }, new RecordingLogSink(), metrics);
        IReadOnlyList<int> pids;
        try
        {
            var slow = await function.Invoke("{\"sleepMs\":30000}", CancellationToken.None);
            Assert.That(slow.ErrorType, Is.EqualTo("Sandbox.Timedout"));
            Assert.That(slow.ErrorMessage, Is.EqualTo($"RequestId: {slow.RequestId} Error: Task timed out after 1.00 seconds"));
            // Ended by its 1 s timeout, not by its 30 s sleep; the margin is for a loaded machine (CI), not for the runtime.
            Assert.That(slow.Duration, Is.LessThan(TimeSpan.FromSeconds(15)), "the timeout ended the invocation, not the function's 30 s sleep");

            var next = await function.Invoke("{\"echo\":\"after\"}", CancellationToken.None);
            Assert.That(next.Failed, Is.False, next.ErrorMessage);
            pids = function.StartedProcessIds;
            Assert.That(pids, Has.Count.EqualTo(2), "the timed-out instance was replaced by a new process");
            Assert.That(JsonDocument.Parse(next.Payload!).RootElement.GetProperty("pid").GetInt32(), Is.EqualTo(pids[1]));
            AssertAllExited([pids[0]]);
            Assert.That(metrics.Points.Where(p => p.Name == "Errors").Select(p => p.Value), Is.EqualTo(new[] { 1.0, 0.0 }), "a timeout counts as an error");
        }
        finally
        {
            await function.DisposeAsync();
        }

        AssertAllExited(pids);
    }

    [Test]
    public async Task AConstructorFailure_IsReportedAsAnInitError_AndFailsTheInvocation()
    {
        var spec = Fake(RuntimeLogFormat.Json);
        var environment = new Dictionary<string, string>(spec.Environment) { ["FAKE_INIT_ERROR"] = "setting X is missing" };
        var logs = new RecordingLogSink();
        await using var function = LocalFunction.Start(spec with { Environment = environment }, logs, new RecordingMetricSink());
        var result = await function.Invoke("{}", CancellationToken.None);
        Assert.That(result.ErrorType, Is.EqualTo("InvalidOperationException"));
        Assert.That(result.ErrorMessage, Is.EqualTo("setting X is missing"));
        var logged = await logs.WaitFor(e => e.Message.Contains("setting X is missing", StringComparison.Ordinal), "with the init error");
        Assert.That(JsonDocument.Parse(logged.Message).RootElement.GetProperty("level").GetString(), Is.EqualTo("Error"));
    }

    [Test]
    public async Task InvocationsWaitWhenEveryInstanceIsBusy()
    {
        await using var function = LocalFunction.Start(Fake(RuntimeLogFormat.Json) with { Instances = 1 }, new RecordingLogSink(), new RecordingMetricSink());
        await function.Invoke("{}", CancellationToken.None);
        var clock = Stopwatch.StartNew();
        var results = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => function.Invoke("{\"sleepMs\":300}", CancellationToken.None)));
        Assert.That(results.All(r => !r.Failed), Is.True);
        Assert.That(clock.Elapsed, Is.GreaterThanOrEqualTo(TimeSpan.FromMilliseconds(900)), "one instance ran them one after another");
        Assert.That(function.StartedProcessIds, Has.Count.EqualTo(1));
    }

    private static LocalFunctionSpec Fake(RuntimeLogFormat format)
    {
        const string handler = "Local.Tests::FraudTf.Local.Tests.Functions.FakeFunction::Handler";
        var root = TestContext.CurrentContext.TestDirectory;
        var environment = LocalFunction.LambdaEnvironment("fake", handler, root, 256, format, "/aws/lambda/fake", "us-east-1", "dotnet10", new Dictionary<string, string>(), new Dictionary<string, string>());
        return new LocalFunctionSpec("fake", "arn:aws:lambda:us-east-1:111111111111:function:fake", handler, root, TimeSpan.FromSeconds(30), 256, format, "/aws/lambda/fake", environment, 1);
    }

    private static void AssertAllExited(IEnumerable<int> pids)
    {
        foreach (var pid in pids)
        {
            var alive = true;
            try
            {
                using var process = Process.GetProcessById(pid);
                alive = !process.HasExited;
            }
            catch (ArgumentException)
            {
                alive = false;
            }

            Assert.That(alive, Is.False, $"process {pid} is still running");
        }
    }
}
