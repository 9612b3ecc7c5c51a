using System.Collections.Concurrent;
using System.Net;

namespace FraudTf.Local.Fronts;

/// <summary>A table throttled from <paramref name="From"/> to <paramref name="Until"/> (an injected failure).</summary>
/// <param name="Table">The table name.</param>
/// <param name="From">Start.</param>
/// <param name="Until">End.</param>
public sealed record ThrottleWindow(string Table, DateTimeOffset From, DateTimeOffset Until);

/// <summary>
/// The front of DynamoDB Local that the functions call (their <c>AWS_ENDPOINT_URL_DYNAMODB</c>). It forwards every call
/// unchanged and adds what DynamoDB Local does not have: throttling on demand, and the table metrics CloudWatch would
/// publish about it. While a <see cref="ThrottleWindow"/> covers a table, every call touching that table (its
/// <c>TableName</c>, the tables of <c>RequestItems</c> or <c>TransactItems</c>) is answered with HTTP 400
/// <c>ProvisionedThroughputExceededException</c>, the error DynamoDB returns when a table's throughput is exceeded
/// (DynamoDB developer guide, "Error handling with DynamoDB"; on-demand tables throttle too, "DynamoDB throttling"), and
/// each refused call puts <c>AWS/DynamoDB ReadThrottleEvents</c> or <c>WriteThrottleEvents</c> (by the operation) and
/// <c>ThrottledRequests</c> with dimensions TableName (and Operation), as the metric reference lists them. Not done:
/// the <c>ThrottlingReasons</c> detail, and transactions are refused whole (AWS may instead cancel them with a
/// <c>ThrottlingError</c> reason, which the stream processor classifies the same way).
/// </summary>
public sealed class DynamoDbFront(string upstream, IMetricSink metrics, TimeProvider time) : ForwardingFront(upstream)
{
    private static readonly HashSet<string> Reads = new(StringComparer.Ordinal) { "GetItem", "BatchGetItem", "Query", "Scan", "TransactGetItems" };
    private readonly ConcurrentBag<ThrottleWindow> _throttles = [];
    private readonly ConcurrentDictionary<string, long> _calls = new(StringComparer.Ordinal);
    private long _throttled;

    /// <summary>Calls forwarded, by operation.</summary>
    public IReadOnlyDictionary<string, long> Calls => _calls;

    /// <summary>Calls refused with a throttling error.</summary>
    public long Throttled => Interlocked.Read(ref _throttled);

    /// <summary>Throttles a table for a window.</summary>
    public void Throttle(ThrottleWindow window) => _throttles.Add(window);

    /// <inheritdoc />
    protected override async Task Handle(HttpListenerContext context, CancellationToken ct)
    {
        var body = await ReadBody(context.Request, ct);
        var target = context.Request.Headers["X-Amz-Target"] ?? "";
        var operation = target[(target.IndexOf('.') + 1)..];
        var now = time.GetUtcNow();
        var throttled = _throttles.IsEmpty ? [] : Tables(body).Where(t => _throttles.Any(w => w.Table == t && now >= w.From && now < w.Until)).ToList();
        if (throttled.Count > 0)
        {
            Interlocked.Increment(ref _throttled);
            foreach (var table in throttled)
            {
                metrics.Put(new Datapoint("AWS/DynamoDB", Reads.Contains(operation) ? "ReadThrottleEvents" : "WriteThrottleEvents", new Dictionary<string, string> { ["TableName"] = table }, now, 1, "Count"));
                metrics.Put(new Datapoint("AWS/DynamoDB", "ThrottledRequests", new Dictionary<string, string> { ["TableName"] = table, ["Operation"] = operation }, now, 1, "Count"));
            }

            var error = new JsonObject
            {
                ["__type"] = "com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException",
                ["message"] = $"The level of configured provisioned throughput for the table was exceeded (local run: injected throttle on {string.Join(", ", throttled)}).",
            };
            await Respond(context.Response, 400, "application/x-amz-json-1.0", Encoding.UTF8.GetBytes(error.ToJsonString()), ct);
            return;
        }

        _calls.AddOrUpdate(operation, 1, (_, n) => n + 1);
        await Relay(context.Response, await Forward(context.Request, body, ct), false, ct);
    }

    /// <summary>The tables a DynamoDB JSON request touches.</summary>
    public static IReadOnlyList<string> Tables(byte[] body)
    {
        if (body.Length == 0)
        {
            return [];
        }

        var request = JsonNode.Parse(body) as JsonObject;
        var tables = new HashSet<string>(StringComparer.Ordinal);
        if (request?["TableName"]?.GetValue<string>() is { } name)
        {
            tables.Add(name);
        }

        foreach (var (table, _) in request?["RequestItems"] as JsonObject ?? [])
        {
            tables.Add(table);
        }

        foreach (var item in request?["TransactItems"] as JsonArray ?? [])
        {
            foreach (var (_, op) in item as JsonObject ?? [])
            {
                if (op?["TableName"]?.GetValue<string>() is { } t)
                {
                    tables.Add(t);
                }
            }
        }

        return tables.Order(StringComparer.Ordinal).ToList();
    }
}
