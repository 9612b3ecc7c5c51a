using System.Diagnostics;
using FraudTf.Functions.Shared.Logging;

namespace FraudTf.Functions.AgentTools;

/// <summary>
/// The Lambda behind the fraud-analyst agent's action group (function details, not OpenAPI): dispatches the call to
/// the tool of <see cref="AnalystTools"/> with that name and answers in Bedrock's function-response format. An unknown
/// tool is a FAILURE listing the known ones; a parameter the model can correct (unknown, missing, ill-typed, out of
/// range, an unknown transaction to decide on) is a REPROMPT naming it. DynamoDB errors (throttling, 5xx) are thrown,
/// so Bedrock reports the failure instead of the model reading a half answer. Logs are JSON lines with ids only.
/// </summary>
public sealed class Function
{
    private readonly Settings _settings;
    private readonly AnalystToolHandlers _tools;
    private readonly StructuredLog _log;

    /// <summary>Used by the Lambda runtime: the SDK client configured the standard way (region, credentials, endpoints from the environment).</summary>
    public Function()
        : this(Settings.FromEnvironment(), new AmazonDynamoDBClient(), StructuredOutput.Standard, TimeProvider.System)
    {
    }

    /// <summary>Creates the function with explicit dependencies (tests).</summary>
    public Function(Settings settings, IAmazonDynamoDB dynamo, StructuredOutput output, TimeProvider time)
    {
        _settings = settings;
        _tools = new AnalystToolHandlers(dynamo, settings, time);
        _log = new StructuredLog(output, time.GetUtcNow);
    }

    /// <summary>The names of the tools this function dispatches.</summary>
    public IReadOnlyCollection<string> ToolNames => _tools.Handlers.Keys.ToList();

    /// <summary>Handles one action-group call.</summary>
    public async Task<Stream> Handler(Stream input)
    {
        using var reader = new StreamReader(input, Encoding.UTF8);
        var response = await Process(await reader.ReadToEndAsync(), CancellationToken.None);
        return new MemoryStream(Encoding.UTF8.GetBytes(response));
    }

    /// <summary>Processes the raw event JSON and returns the response JSON.</summary>
    public async Task<string> Process(string raw, CancellationToken ct)
    {
        var request = AgentRequest.Parse(raw, out var problem, out var partial);
        if (request is null)
        {
            Log(LogLevels.Error, "malformed action-group event", partial, ToolState.Failure, null, problem);
            return ToolResult.Failure($"malformed action-group event: {problem}").ToResponse(partial).ToJsonString();
        }

        var result = await Call(request, ct);
        return result.ToResponse(request).ToJsonString();
    }

    /// <summary>Runs the tool named by the request.</summary>
    public async Task<ToolResult> Call(AgentRequest request, CancellationToken ct)
    {
        var watch = Stopwatch.StartNew();
        var definition = AnalystTools.All.FirstOrDefault(t => t.Name == request.Function);
        if (definition is null || !_tools.Handlers.TryGetValue(definition.Name, out var handler))
        {
            var known = string.Join(", ", _tools.Handlers.Keys);
            Log(LogLevels.Warn, "unknown tool", request, ToolState.Failure, watch, null);
            return ToolResult.Failure($"unknown function '{Clip(request.Function)}'; the known tools are: {known}");
        }

        ToolResult result;
        try
        {
            var args = ToolArguments.Bind(definition, request.Parameters);
            result = await handler(args, request, ct);
        }
        catch (ToolInputException e)
        {
            result = ToolResult.Reprompt(e.Message);
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            Log(LogLevels.Error, "tool failed; the error is passed to Bedrock", request, ToolState.Failure, watch, e.GetType().Name);
            throw;
        }

        Log(result.State == ToolState.Ok ? LogLevels.Info : LogLevels.Warn, "tool called", request, result.State, watch, null);
        return result;
    }

    // One JSON line per call: the tool, the outcome and ids only (never parameter values other than well-formed ids,
    // never reasons or response bodies).
    private void Log(string level, string message, AgentRequest request, ToolState state, Stopwatch? watch, string? error)
    {
        var fields = new List<LogField>
        {
            new(LogFields.Environment, _settings.Environment),
            new("function", ToolArguments.IsId(request.Function) ? request.Function : "(invalid)"),
            new("outcome", state.ToString()),
            new("sessionId", ToolArguments.IsId(request.SessionId) ? request.SessionId : null),
            new("agentId", ToolArguments.IsId(request.AgentId) ? request.AgentId : null),
        };
        foreach (var p in request.Parameters)
        {
            if (p.Name is "transaction_id" or "user_id" && p.Value is { } v && ToolArguments.IsId(v))
            {
                fields.Add(new(p.Name == "user_id" ? LogFields.UserId : LogFields.TransactionId, v));
            }
        }

        if (watch is not null)
        {
            fields.Add(new(LogFields.DurationMs, Math.Round(watch.Elapsed.TotalMilliseconds, 1)));
        }

        fields.Add(new(LogFields.Error, error));
        _log.Write(level, message, fields);
    }

    private static string Clip(string v) => v.Length <= 64 ? v : v[..64] + "...";
}
