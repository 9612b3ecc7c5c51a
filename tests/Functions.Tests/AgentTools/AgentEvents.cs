using System.Collections.Concurrent;
using System.Reflection;
using System.Text.Json.Nodes;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;

namespace FraudTf.Functions.Tests.Agent;

/// <summary>Builds Bedrock action-group events (function details) and reads the function's responses.</summary>
public static class AgentEvents
{
    /// <summary>An event calling <paramref name="function"/> with string parameters.</summary>
    public static string Call(string function, params (string Name, string Value)[] parameters) => Event(function, parameters).ToJsonString();

    /// <summary>The event as a JSON object, to be altered by a test.</summary>
    public static JsonObject Event(string function, params (string Name, string Value)[] parameters) => new()
    {
        ["messageVersion"] = "1.0",
        ["agent"] = new JsonObject { ["name"] = "fraud-analyst", ["id"] = "AGENT12345", ["alias"] = "TSTALIASID", ["version"] = "DRAFT" },
        ["inputText"] = "look at this transaction",
        ["sessionId"] = "session-0001",
        ["actionGroup"] = "fraud-analyst-tools",
        ["function"] = function,
        ["parameters"] = new JsonArray(parameters.Select(p => (JsonNode)new JsonObject { ["name"] = p.Name, ["type"] = "string", ["value"] = p.Value }).ToArray()),
        ["sessionAttributes"] = new JsonObject { ["case"] = "c-42" },
        ["promptSessionAttributes"] = new JsonObject { ["analyst"] = "a-7" },
    };

    /// <summary>The parts of a response a test looks at.</summary>
    public sealed record Reply(JsonObject Raw, string? State, string BodyText, JsonObject Body);

    /// <summary>Parses a response and its body.</summary>
    public static Reply Read(string response)
    {
        var raw = JsonNode.Parse(response)!.AsObject();
        var fr = raw["response"]!["functionResponse"]!;
        var body = fr["responseBody"]!["TEXT"]!["body"]!.GetValue<string>();
        return new Reply(raw, fr["responseState"]?.GetValue<string>(), body, JsonNode.Parse(body)!.AsObject());
    }
}

/// <summary>An IAmazonDynamoDB that answers GetItem and Query with nothing and records them; anything else, or any
/// call when <see cref="FailWith"/> is set, fails.</summary>
public class EmptyDynamo : DispatchProxy
{
    /// <summary>Requests received, in order.</summary>
    public ConcurrentQueue<object> Calls { get; } = new();

    /// <summary>When set, every call fails with it (a throttled or failing DynamoDB).</summary>
    public Exception? FailWith { get; set; }

    /// <summary>Creates the fake.</summary>
    public static (IAmazonDynamoDB Client, EmptyDynamo Fake) Create()
    {
        var client = Create<IAmazonDynamoDB, EmptyDynamo>();
        return (client, (EmptyDynamo)(object)client);
    }

    /// <inheritdoc />
    protected override object? Invoke(MethodInfo? method, object?[]? args)
    {
        if (method?.Name == nameof(IDisposable.Dispose))
        {
            return null;
        }

        if (args is { Length: > 0 } && args[0] is not null)
        {
            Calls.Enqueue(args[0]!);
        }

        return method?.Name switch
        {
            nameof(IAmazonDynamoDB.GetItemAsync) => FailWith is null ? Task.FromResult(new GetItemResponse()) : Task.FromException<GetItemResponse>(FailWith),
            nameof(IAmazonDynamoDB.QueryAsync) => FailWith is null ? Task.FromResult(new QueryResponse { Items = [] }) : Task.FromException<QueryResponse>(FailWith),
            _ => throw new NotSupportedException($"EmptyDynamo does not support {method?.Name}"),
        };
    }
}
