namespace FraudTf.Functions.AgentTools;

/// <summary>One parameter of an action-group call as Bedrock sends it (the value is always a string).</summary>
public sealed record AgentParameter(string Name, string Type, string? Value);

/// <summary>
/// The input event of a Bedrock agent action group defined with function details:
/// <c>{"messageVersion":"1.0","agent":{...},"inputText","sessionId","actionGroup","function","parameters":[{"name","type","value"}],
/// "sessionAttributes":{},"promptSessionAttributes":{}}</c>.
/// </summary>
public sealed record AgentRequest
{
    /// <summary>messageVersion (1.0).</summary>
    public string MessageVersion { get; init; } = "1.0";

    /// <summary>The action group called (echoed in the response).</summary>
    public string ActionGroup { get; init; } = "";

    /// <summary>The function (tool) called (echoed in the response).</summary>
    public string Function { get; init; } = "";

    /// <summary>The agent's session id (recorded with analyst decisions).</summary>
    public string SessionId { get; init; } = "";

    /// <summary>agent.id.</summary>
    public string AgentId { get; init; } = "";

    /// <summary>agent.alias.</summary>
    public string AgentAlias { get; init; } = "";

    /// <summary>The parameters, in the order sent.</summary>
    public IReadOnlyList<AgentParameter> Parameters { get; init; } = [];

    /// <summary>sessionAttributes, echoed unchanged.</summary>
    public JsonObject SessionAttributes { get; init; } = [];

    /// <summary>promptSessionAttributes, echoed unchanged.</summary>
    public JsonObject PromptSessionAttributes { get; init; } = [];

    /// <summary>Parses the event. Returns null with <paramref name="problem"/> set when it is not an action-group event
    /// (not JSON, not an object, or a field of the wrong type); the fields it can read are still returned in <paramref name="partial"/>.</summary>
    public static AgentRequest? Parse(string json, out string? problem, out AgentRequest partial)
    {
        partial = new AgentRequest();
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(json);
        }
        catch (JsonException e)
        {
            problem = $"the event is not valid JSON (line {e.LineNumber}, byte {e.BytePositionInLine})";
            return null;
        }

        if (root is not JsonObject o)
        {
            problem = "the event is not a JSON object";
            return null;
        }

        string? issue = null;
        string Str(JsonNode? n, string field)
        {
            if (n is null)
            {
                return "";
            }

            if (n is JsonValue v && v.TryGetValue<string>(out var s))
            {
                return s;
            }

            issue ??= $"field {field} is not a string";
            return "";
        }

        JsonObject Obj(JsonNode? n, string field)
        {
            if (n is null)
            {
                return [];
            }

            if (n is JsonObject obj)
            {
                return (JsonObject)obj.DeepClone();
            }

            issue ??= $"field {field} is not an object";
            return [];
        }

        var agent = o["agent"] as JsonObject;
        var parameters = new List<AgentParameter>();
        switch (o["parameters"])
        {
            case null:
                break;
            case JsonArray array:
                for (var i = 0; i < array.Count; i++)
                {
                    if (array[i] is not JsonObject p)
                    {
                        issue ??= $"parameters[{i}] is not an object";
                        continue;
                    }

                    string? value = p["value"] switch
                    {
                        null => null,
                        JsonValue v when v.TryGetValue<string>(out var s) => s,
                        JsonValue v => v.ToJsonString(), // tolerate a number or boolean sent unquoted
                        _ => null,
                    };
                    parameters.Add(new AgentParameter(Str(p["name"], $"parameters[{i}].name"), Str(p["type"], $"parameters[{i}].type"), value));
                }

                break;
            default:
                issue ??= "field parameters is not an array";
                break;
        }

        partial = new AgentRequest
        {
            MessageVersion = Str(o["messageVersion"], "messageVersion") is { Length: > 0 } mv ? mv : "1.0",
            ActionGroup = Str(o["actionGroup"], "actionGroup"),
            Function = Str(o["function"], "function"),
            SessionId = Str(o["sessionId"], "sessionId"),
            AgentId = Str(agent?["id"], "agent.id"),
            AgentAlias = Str(agent?["alias"], "agent.alias"),
            Parameters = parameters,
            SessionAttributes = Obj(o["sessionAttributes"], "sessionAttributes"),
            PromptSessionAttributes = Obj(o["promptSessionAttributes"], "promptSessionAttributes"),
        };
        if (issue is null && partial.Function.Length == 0)
        {
            issue = "the event has no function (is this a Bedrock action-group event of the function-details kind?)";
        }

        problem = issue;
        return issue is null ? partial : null;
    }
}

/// <summary>How a tool call ended, as Bedrock's <c>responseState</c>.</summary>
public enum ToolState
{
    /// <summary>Success: no responseState.</summary>
    Ok,

    /// <summary>REPROMPT: the body goes back to the model so it can correct the call.</summary>
    Reprompt,

    /// <summary>FAILURE: the agent ends the turn with a dependency failure.</summary>
    Failure,
}

/// <summary>What a tool returns: a state and the text the model reads (compact JSON).</summary>
public sealed record ToolResult(ToolState State, string Body)
{
    /// <summary>Success with <paramref name="body"/> serialised compactly.</summary>
    public static ToolResult Ok(JsonNode body) => new(ToolState.Ok, body.ToJsonString());

    /// <summary>REPROMPT with an error message.</summary>
    public static ToolResult Reprompt(string message) => new(ToolState.Reprompt, new JsonObject { ["error"] = message }.ToJsonString());

    /// <summary>FAILURE with an error message.</summary>
    public static ToolResult Failure(string message) => new(ToolState.Failure, new JsonObject { ["error"] = message }.ToJsonString());

    /// <summary>The Lambda response Bedrock expects for a function-details action group.</summary>
    public JsonObject ToResponse(AgentRequest request)
    {
        var functionResponse = new JsonObject();
        if (State != ToolState.Ok)
        {
            functionResponse["responseState"] = State == ToolState.Reprompt ? "REPROMPT" : "FAILURE";
        }

        functionResponse["responseBody"] = new JsonObject { ["TEXT"] = new JsonObject { ["body"] = Body } };
        return new JsonObject
        {
            ["messageVersion"] = "1.0",
            ["response"] = new JsonObject
            {
                ["actionGroup"] = request.ActionGroup,
                ["function"] = request.Function,
                ["functionResponse"] = functionResponse,
            },
            ["sessionAttributes"] = request.SessionAttributes.DeepClone(),
            ["promptSessionAttributes"] = request.PromptSessionAttributes.DeepClone(),
        };
    }
}

/// <summary>A call the model can correct (bad or unknown parameter, unknown id): answered with REPROMPT, never thrown out of the handler.</summary>
public sealed class ToolInputException(string message) : Exception(message);
