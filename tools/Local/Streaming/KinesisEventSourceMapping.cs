using System.Security.Cryptography;
using System.Text.Json;
using FraudTf.Redrive;
using FraudTf.Stacks;

namespace FraudTf.Local.Streaming;

/// <summary>The settings of one Kinesis event source mapping, as read from its <c>aws_lambda_event_source_mapping</c> block.</summary>
/// <param name="ResourceName">The mapping's name in the stack.</param>
/// <param name="Uuid">The mapping's UUID (AWS assigns one at creation; here derived from the stack path and resource name, so it is stable).</param>
/// <param name="StreamArn">The stream (<c>event_source_arn</c>).</param>
/// <param name="StreamName">Its name.</param>
/// <param name="FunctionArn">The function (<c>function_name</c>).</param>
/// <param name="FunctionName">Its name.</param>
/// <param name="RoleArn">The function's execution role (each record's <c>invokeIdentityArn</c>).</param>
/// <param name="BatchSize"><c>batch_size</c> (AWS default 100).</param>
/// <param name="BatchingWindow"><c>maximum_batching_window_in_seconds</c> (default 0).</param>
/// <param name="ParallelizationFactor"><c>parallelization_factor</c> (default 1).</param>
/// <param name="BisectBatchOnFunctionError"><c>bisect_batch_on_function_error</c> (default false).</param>
/// <param name="MaximumRetryAttempts"><c>maximum_retry_attempts</c> (default -1: until the record expires).</param>
/// <param name="MaximumRecordAgeSeconds"><c>maximum_record_age_in_seconds</c> (default -1: never).</param>
/// <param name="ReportBatchItemFailures"><c>function_response_types</c> holds <c>ReportBatchItemFailures</c>.</param>
/// <param name="StartingPosition"><c>starting_position</c>: TRIM_HORIZON or LATEST.</param>
/// <param name="OnFailureDestinationArn"><c>destination_config.on_failure.destination_arn</c>, if any.</param>
/// <param name="Enabled"><c>enabled</c> (default true).</param>
public sealed record KinesisMappingSettings(
    string ResourceName, string Uuid, string StreamArn, string StreamName, string FunctionArn, string FunctionName, string RoleArn,
    int BatchSize, TimeSpan BatchingWindow, int ParallelizationFactor, bool BisectBatchOnFunctionError, int MaximumRetryAttempts,
    int MaximumRecordAgeSeconds, bool ReportBatchItemFailures, string StartingPosition, string? OnFailureDestinationArn, bool Enabled);

/// <summary>
/// A local Lambda event source mapping for a Kinesis stream, configured from the synthesized stack. Behaviour follows the
/// Lambda developer guide: "Using Lambda with Kinesis Data Streams" (polling each shard, batching up to <c>batch_size</c>
/// or until <c>maximum_batching_window_in_seconds</c> passes or the 6 MB payload limit, the event shape), "Lambda
/// parameters for Amazon Kinesis Data Streams event source mappings" (defaults), "Polling and batching streams"
/// (<c>parallelization_factor</c>: up to N concurrent batches per shard, records of one partition key in order),
/// "Configuring partial batch response with Kinesis" (<c>ReportBatchItemFailures</c>: checkpoint at the lowest reported
/// sequence number; an empty or null list is success; an invalid or missing item identifier, a failure of the first
/// record, or a function error fail the whole batch), and "Retain discarded batch records for a Kinesis Data Streams
/// event source" (bisect without using a retry; discard after <c>maximum_retry_attempts</c> or past
/// <c>maximum_record_age_in_seconds</c>; the invocation record, with the payload for S3).
/// <para>Where it differs from AWS:</para>
/// <list type="bullet">
/// <item>Retry delay: AWS documents that a failed batch is retried but not the delay; here 500 ms doubling per retry, at
/// most 30 s (<see cref="RetryBackoff"/>). Polling: AWS polls each shard about once per second (<see cref="PollInterval"/>,
/// default 1 s; a shard with more records is read again at once).</item>
/// <item>Lanes: records go to lane <c>MD5(partition key) mod N</c>; AWS's assignment is not documented, only the per-key order.</item>
/// <item>The shard list is read periodically; resharding and the stream's retention period are not modelled (kinesalite
/// keeps records 24 h). Checkpoints live in memory: a restart reads from <c>starting_position</c> again.</item>
/// <item>The mapping's UUID is derived, not assigned; <c>AT_TIMESTAMP</c>, tumbling windows, filters and enhanced fan-out
/// consumers are not supported (the stack uses none).</item>
/// </list>
/// </summary>
public sealed class KinesisEventSourceMapping : IShardSource<StreamRecord>, IBatchHandler<StreamRecord>
{
    private readonly IKinesisApi _kinesis;
    private readonly IFunctionInvoker _function;
    private readonly IFailedBatchDestination _onFailure;
    private readonly IMetricSink _metrics;
    private readonly TimeProvider _time;
    private readonly string _region;
    private readonly StreamPoller<StreamRecord> _poller;

    private KinesisEventSourceMapping(KinesisMappingSettings settings, string region, IKinesisApi kinesis, IFunctionInvoker function, IFailedBatchDestination onFailure, IMetricSink metrics, TimeProvider time)
    {
        Settings = settings;
        _region = region;
        _kinesis = kinesis;
        _function = function;
        _onFailure = onFailure;
        _metrics = metrics;
        _time = time;
        _poller = new StreamPoller<StreamRecord>(this, this, time, settings.BatchSize, settings.BatchingWindow, settings.ParallelizationFactor,
            new RetrySettings(settings.MaximumRetryAttempts, settings.MaximumRecordAgeSeconds, settings.BisectBatchOnFunctionError, BisectOnPartialFailure: false));
    }

    /// <summary>The settings read from the stack.</summary>
    public KinesisMappingSettings Settings { get; }

    /// <summary>What the mapping has done so far.</summary>
    public StreamCounters Counters => _poller.Counters;

    /// <summary>How long to wait before reading a shard again when the last read found nothing new (default 1 s).</summary>
    public TimeSpan PollInterval { get => _poller.PollInterval; set => _poller.PollInterval = value; }

    /// <summary>The delay before retry n (1, 2, …) of a failed batch (default 500 ms × 2^(n-1), at most 30 s).</summary>
    public Func<int, TimeSpan> RetryBackoff { get => _poller.Backoff; set => _poller.Backoff = value; }

    /// <summary>The last error reading the stream (the mapping keeps polling).</summary>
    public Exception? LastError => _poller.LastError;

    /// <summary>
    /// The mapping <c>aws_lambda_event_source_mapping.&lt;mappingResourceName&gt;</c> of <paramref name="stack"/>, reading
    /// its stream with <paramref name="kinesis"/> and invoking <paramref name="function"/>, which must be the mapping's
    /// function.
    /// </summary>
    public static KinesisEventSourceMapping FromStack(LocalStack stack, string mappingResourceName, IKinesisApi kinesis, IFunctionInvoker function,
        IFailedBatchDestination onFailure, IMetricSink metrics, TimeProvider time)
    {
        var body = stack.Resource("aws_lambda_event_source_mapping", mappingResourceName);
        var where = $"aws_lambda_event_source_mapping.{mappingResourceName} ({LocalStack.ConstructPath(body)})";
        string Required(string arg) => body[arg]?.GetValue<string>() ?? throw new InvalidOperationException($"{where} has no {arg}. Fix: set it in the stack.");
        var streamArn = stack.Resolve(Required("event_source_arn"));
        if (!streamArn.StartsWith("arn:aws:kinesis:", StringComparison.Ordinal) || !streamArn.Contains(":stream/", StringComparison.Ordinal))
        {
            throw new NotSupportedException($"{where} reads {streamArn}, not a Kinesis stream: this runner is for Kinesis mappings only. Fix: use the runner of that source.");
        }

        var functionRef = Required("function_name");
        var functionArn = stack.Resolve(functionRef);
        var functionName = functionArn[(functionArn.LastIndexOf(':') + 1)..];
        if (!string.Equals(functionName, function.FunctionName, StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"{where} invokes {functionName}, but the invoker given runs {function.FunctionName}. Fix: pass the invoker of {functionName}.");
        }

        var role = TerraformReference.ParseWhole(functionRef) is { Type: "aws_lambda_function" } f
            && stack.Resource(f.Type, f.Name)["role"]?.GetValue<string>() is { } r ? stack.Resolve(r) : $"arn:aws:iam::{stack.Account}:role/{functionName}";
        var start = body["starting_position"]?.GetValue<string>() ?? "LATEST";
        if (start is not ("TRIM_HORIZON" or "LATEST"))
        {
            throw new NotSupportedException($"{where} starts at {start}: only TRIM_HORIZON and LATEST are supported locally. Fix: use one of them, or teach KinesisEventSourceMapping AT_TIMESTAMP.");
        }

        var settings = new KinesisMappingSettings(
            mappingResourceName,
            DerivedUuid(stack.Path, mappingResourceName),
            streamArn,
            streamArn[(streamArn.LastIndexOf('/') + 1)..],
            functionArn,
            functionName,
            role,
            LocalStack.Int(body, "batch_size", 100),
            TimeSpan.FromSeconds(LocalStack.Int(body, "maximum_batching_window_in_seconds", 0)),
            LocalStack.Int(body, "parallelization_factor", 1),
            Bool(body["bisect_batch_on_function_error"], false),
            LocalStack.Int(body, "maximum_retry_attempts", -1),
            LocalStack.Int(body, "maximum_record_age_in_seconds", -1),
            (body["function_response_types"] as JsonArray ?? []).Any(t => t?.GetValue<string>() == "ReportBatchItemFailures"),
            start,
            body["destination_config"]?["on_failure"]?["destination_arn"]?.GetValue<string>() is { } d ? stack.Resolve(d) : null,
            Bool(body["enabled"], true));
        return new KinesisEventSourceMapping(settings, stack.Region, kinesis, function, onFailure, metrics, time);
    }

    /// <summary>Polls every shard and invokes the function until <paramref name="ct"/> is cancelled (returns at once when the mapping is disabled).</summary>
    public Task Run(CancellationToken ct) => Settings.Enabled ? _poller.Run(ct) : Task.CompletedTask;

    /// <summary>Completes once every shard is read to its tip and no batch is in flight or waiting for a retry (at once for a disabled mapping).</summary>
    public Task Drain(CancellationToken ct) => Settings.Enabled ? _poller.Drain(ct) : Task.CompletedTask;

    /// <summary>The invocation event Lambda sends for <paramref name="batch"/> of <paramref name="shardId"/>.</summary>
    public string Event(string shardId, IReadOnlyList<StreamRecord> batch)
    {
        var records = new JsonArray();
        foreach (var r in batch)
        {
            records.Add(new JsonObject
            {
                ["kinesis"] = new JsonObject
                {
                    ["kinesisSchemaVersion"] = "1.0",
                    ["partitionKey"] = r.PartitionKey,
                    ["sequenceNumber"] = r.SequenceNumber,
                    ["data"] = Convert.ToBase64String(r.Data),
                    ["approximateArrivalTimestamp"] = Math.Round(Arrival(r).ToUnixTimeMilliseconds() / 1000.0, 3),
                },
                ["eventSource"] = "aws:kinesis",
                ["eventVersion"] = "1.0",
                ["eventID"] = $"{shardId}:{r.SequenceNumber}",
                ["eventName"] = "aws:kinesis:record",
                ["invokeIdentityArn"] = Settings.RoleArn,
                ["awsRegion"] = _region,
                ["eventSourceARN"] = Settings.StreamArn,
            });
        }

        return new JsonObject { ["Records"] = records }.ToJsonString();
    }

    async Task<IReadOnlyList<ShardInfo>> IShardSource<StreamRecord>.Shards(CancellationToken ct) =>
        (await _kinesis.ListShards(Settings.StreamName, ct)).Select(s => new ShardInfo(s, null)).ToList();

    Task<string> IShardSource<StreamRecord>.Iterator(string shardId, string? afterSequence, CancellationToken ct) =>
        afterSequence is null
            ? _kinesis.ShardIterator(Settings.StreamName, shardId, Settings.StartingPosition, null, ct)
            : _kinesis.ShardIterator(Settings.StreamName, shardId, "AFTER_SEQUENCE_NUMBER", afterSequence, ct);

    async Task<SourcePage<StreamRecord>> IShardSource<StreamRecord>.Read(string shardId, string iterator, int limit, CancellationToken ct)
    {
        var page = await _kinesis.GetRecords(iterator, limit, ct);
        return new SourcePage<StreamRecord>(page.Records, page.NextShardIterator, page.Records.Count == 0 && page.MillisBehindLatest == 0);
    }

    string IShardSource<StreamRecord>.Sequence(StreamRecord record) => record.SequenceNumber;

    /// <summary>When the record arrived (records without a timestamp count as arrived now).</summary>
    public DateTimeOffset Arrival(StreamRecord record) => record.ApproximateArrivalTimestamp ?? _time.GetUtcNow();

    string IShardSource<StreamRecord>.LaneKey(StreamRecord record) => record.PartitionKey;

    int IShardSource<StreamRecord>.Size(StreamRecord record) => ((record.Data.Length + 2) / 3 * 4) + 400;

    void IBatchHandler<StreamRecord>.OnRead(string shardId, IReadOnlyList<StreamRecord> records)
    {
        // GetRecords.IteratorAgeMilliseconds: the age of the last record of the GetRecords call (0 when it returned none).
        var now = _time.GetUtcNow();
        var age = records.Count == 0 ? 0 : Math.Max(0, (now - Arrival(records[^1])).TotalMilliseconds);
        _metrics.Put(new Datapoint("AWS/Kinesis", "GetRecords.IteratorAgeMilliseconds",
            new Dictionary<string, string> { ["StreamName"] = Settings.StreamName }, now, age, "Milliseconds"));
    }

    async Task<BatchOutcome> IBatchHandler<StreamRecord>.Invoke(string shardId, IReadOnlyList<StreamRecord> batch, int attempt, CancellationToken ct)
    {
        // IteratorAge: the age of the last record in the batch when the invocation starts.
        var now = _time.GetUtcNow();
        _metrics.Put(new Datapoint("AWS/Lambda", "IteratorAge", new Dictionary<string, string> { ["FunctionName"] = Settings.FunctionName },
            now, Math.Max(0, (now - Arrival(batch[^1])).TotalMilliseconds), "Milliseconds"));
        var result = await _function.Invoke(Event(shardId, batch), ct);
        if (result.Failed)
        {
            return new BatchOutcome(BatchOutcomeKind.Failed, FunctionError: "Unhandled", RequestId: result.RequestId);
        }

        return Settings.ReportBatchItemFailures ? PartialResponse(batch, result.Payload, result.RequestId) : BatchOutcome.Success with { RequestId = result.RequestId };
    }

    /// <summary>
    /// Reads a partial batch response ("Configuring partial batch response with Kinesis"): no payload, an empty object, a
    /// null or empty <c>batchItemFailures</c> is a success; an item identifier that is null, empty, not a string or not a
    /// sequence number of the batch, or a payload that is not a JSON object, fails the whole batch; otherwise the batch
    /// failed from the lowest reported sequence number on.
    /// </summary>
    internal static BatchOutcome PartialResponse(IReadOnlyList<StreamRecord> batch, string? payload, string? requestId)
    {
        var failed = new BatchOutcome(BatchOutcomeKind.Failed, RequestId: requestId);
        if (string.IsNullOrWhiteSpace(payload) || payload.Trim() == "null")
        {
            return BatchOutcome.Success with { RequestId = requestId };
        }

        JsonNode? response;
        try
        {
            response = JsonNode.Parse(payload);
        }
        catch (JsonException)
        {
            return failed;
        }

        if (response is not JsonObject o)
        {
            return failed;
        }

        if (o["batchItemFailures"] is not JsonArray failures || failures.Count == 0)
        {
            return BatchOutcome.Success with { RequestId = requestId };
        }

        var lowest = int.MaxValue;
        foreach (var f in failures)
        {
            if (f?["itemIdentifier"] is not JsonValue v || !v.TryGetValue<string>(out var id) || id.Length == 0)
            {
                return failed;
            }

            var index = batch.ToList().FindIndex(r => r.SequenceNumber == id);
            if (index < 0)
            {
                return failed;
            }

            lowest = Math.Min(lowest, index);
        }

        return lowest == 0 ? failed : new BatchOutcome(BatchOutcomeKind.Partial, lowest, RequestId: requestId);
    }

    async Task IBatchHandler<StreamRecord>.Discard(string shardId, IReadOnlyList<StreamRecord> batch, string condition, int invokeCount, BatchOutcome? last, CancellationToken ct)
    {
        var now = _time.GetUtcNow();
        await _onFailure.Send(new DiscardedBatch(Settings.Uuid, shardId, now, InvocationRecord(shardId, batch, condition, invokeCount, last, now)), ct);
    }

    /// <summary>
    /// The invocation record of a discarded batch, as in the guide's example Amazon S3 invocation record:
    /// <c>requestContext</c> (requestId, functionArn, condition, approximateInvokeCount), <c>responseContext</c>
    /// (statusCode, executedVersion, functionError; only when the function was invoked), <c>version</c>, <c>timestamp</c>,
    /// <c>KinesisBatchInfo</c> and <c>payload</c> (the invocation event, as a JSON string).
    /// </summary>
    internal JsonObject InvocationRecord(string shardId, IReadOnlyList<StreamRecord> batch, string condition, int invokeCount, BatchOutcome? last, DateTimeOffset now)
    {
        static string Iso(DateTimeOffset t, bool millis) => t.UtcDateTime.ToString(millis ? "yyyy-MM-dd'T'HH:mm:ss.fff'Z'" : "yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        var record = new JsonObject
        {
            ["requestContext"] = new JsonObject
            {
                ["requestId"] = last?.RequestId ?? Guid.NewGuid().ToString(),
                ["functionArn"] = Settings.FunctionArn,
                ["condition"] = condition,
                ["approximateInvokeCount"] = invokeCount,
            },
        };
        if (last is not null)
        {
            var response = new JsonObject { ["statusCode"] = 200, ["executedVersion"] = "$LATEST" };
            if (last.FunctionError is { } error)
            {
                response["functionError"] = error;
            }

            record["responseContext"] = response;
        }

        record["version"] = "1.0";
        record["timestamp"] = Iso(now, millis: true);
        record["KinesisBatchInfo"] = new JsonObject
        {
            ["shardId"] = shardId,
            ["startSequenceNumber"] = batch[0].SequenceNumber,
            ["endSequenceNumber"] = batch[^1].SequenceNumber,
            ["approximateArrivalOfFirstRecord"] = Iso(Arrival(batch[0]), millis: false),
            ["approximateArrivalOfLastRecord"] = Iso(Arrival(batch[^1]), millis: false),
            ["batchSize"] = batch.Count,
            ["streamArn"] = Settings.StreamArn,
        };
        record["payload"] = Event(shardId, batch);
        return record;
    }

    /// <summary>A UUID (version 8 layout) from the SHA-256 of the stack path and the resource name: stable across runs.</summary>
    private static string DerivedUuid(string stackPath, string resource)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes($"{Path.GetFileName(Path.GetDirectoryName(stackPath))}/{resource}"));
        hash[6] = (byte)((hash[6] & 0x0F) | 0x80);
        hash[8] = (byte)((hash[8] & 0x3F) | 0x80);
        return new Guid(hash.AsSpan(0, 16), bigEndian: true).ToString();
    }

    private static bool Bool(JsonNode? node, bool fallback) => node is null ? fallback
        : node.GetValueKind() == JsonValueKind.String ? bool.Parse(node.GetValue<string>()) : node.GetValue<bool>();
}
