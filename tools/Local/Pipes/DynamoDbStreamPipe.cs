using System.Diagnostics;
using System.Text.Json;
using FraudTf.Local.Streaming;

namespace FraudTf.Local.Pipes;

/// <summary>What the target did with one <see cref="IPipeTarget.Put"/>: the indexes of the entries it did not accept.</summary>
/// <param name="FailedEntries">Indexes (into the events put) of the entries that failed; empty when all were accepted.</param>
/// <param name="Error">Why, for the log (e.g. the first entry's error code).</param>
public sealed record PipeTargetResult(IReadOnlyList<int> FailedEntries, string? Error = null)
{
    /// <summary>All entries accepted.</summary>
    public static PipeTargetResult Success { get; } = new([]);
}

/// <summary>A pipe's target (the lead's event bus: one PutEvents entry per event).</summary>
public interface IPipeTarget
{
    /// <summary>Puts the batch's transformed events with the pipe's source and detail type; returns which entries failed (throws when the whole call failed).</summary>
    Task<PipeTargetResult> Put(IReadOnlyList<string> transformedEvents, string source, string detailType, CancellationToken ct);
}

/// <summary>The settings of one pipe with a DynamoDB stream source and an event-bus target, as read from its <c>aws_pipes_pipe</c> block.</summary>
/// <param name="ResourceName">The pipe's name in the stack.</param>
/// <param name="PipeName">Its <c>name</c> (the metrics' PipeName).</param>
/// <param name="PipeArn">Its ARN.</param>
/// <param name="StreamArn">The source stream (given by the engine: DynamoDB Local assigns it).</param>
/// <param name="BatchSize"><c>batch_size</c> (AWS default 1 for a pipe's stream source).</param>
/// <param name="BatchingWindow"><c>maximum_batching_window_in_seconds</c> (default 0).</param>
/// <param name="ParallelizationFactor"><c>parallelization_factor</c> (default 1).</param>
/// <param name="MaximumRetryAttempts"><c>maximum_retry_attempts</c> (default -1: until the record expires).</param>
/// <param name="MaximumRecordAgeSeconds"><c>maximum_record_age_in_seconds</c> (default -1: never).</param>
/// <param name="AutomaticBisect"><c>on_partial_batch_item_failure</c> is <c>AUTOMATIC_BISECT</c>.</param>
/// <param name="StartingPosition"><c>starting_position</c>: TRIM_HORIZON or LATEST.</param>
/// <param name="DeadLetterArn"><c>dead_letter_config.arn</c>, if any.</param>
/// <param name="Filters">The <c>filter_criteria</c> patterns (a record passes when one matches; none: every record passes).</param>
/// <param name="InputTemplate"><c>target_parameters.input_template</c>, if any (none: the record itself is the event).</param>
/// <param name="Source"><c>eventbridge_event_bus_parameters.source</c> (default here <c>Pipe &lt;name&gt;</c>, as AWS documents for a pipe's events).</param>
/// <param name="DetailType"><c>eventbridge_event_bus_parameters.detail_type</c> (AWS default <c>Event from aws:dynamodb</c>).</param>
public sealed record PipeSettings(
    string ResourceName, string PipeName, string PipeArn, string StreamArn, int BatchSize, TimeSpan BatchingWindow, int ParallelizationFactor,
    int MaximumRetryAttempts, int MaximumRecordAgeSeconds, bool AutomaticBisect, string StartingPosition, string? DeadLetterArn,
    IReadOnlyList<JsonNode> Filters, string? InputTemplate, string Source, string DetailType);

/// <summary>
/// A local EventBridge pipe from a DynamoDB stream to an event bus, configured from the synthesized stack. Behaviour follows
/// the EventBridge user guide: "Amazon DynamoDB stream as a source for EventBridge Pipes" (the record shape, order kept per
/// shard, <c>batch_size</c>, window, retries, record age), "Event filtering in Amazon EventBridge Pipes" (events that match
/// no filter are dropped before batching, and do not count toward the batch), "Amazon EventBridge Pipes input
/// transformation" (the template applied to each record, <see cref="LocalPipes.ApplyInputTemplate"/>), "Amazon EventBridge
/// Pipes batching and concurrency" / partial batch failure (a target's partially failed PutEvents; with
/// <c>AUTOMATIC_BISECT</c> the batch is halved and each half retried until all records are processed or one failed record
/// is left), "Amazon EventBridge Pipes error handling and troubleshooting" (customer errors retried up to
/// <c>maximum_retry_attempts</c> or the record age, then the batch goes to the dead-letter queue) and "Logging and
/// monitoring Amazon EventBridge Pipes" (AWS/EventBridge/Pipes metrics with dimension PipeName: Invocations, EventCount,
/// Duration, ExecutionFailed, ExecutionPartiallyFailed, ExecutionThrottled, TargetStageFailed,
/// TargetStagePartiallyFailed, TargetStageDuration).
/// <para>Where it differs from AWS or goes beyond what AWS documents:</para>
/// <list type="bullet">
/// <item>The dead-letter message's exact body is not documented for pipes; here it is the Lambda stream-failure shape:
/// <c>context</c> (condition, partnerResourceArn, approximateInvokeCount), <c>version</c>, <c>timestamp</c> and
/// <c>DDBStreamBatchInfo</c> (shard, start and end sequence numbers, arrival of the first and last record, batch size,
/// stream ARN): metadata, not the records.</item>
/// <item>Whether a bisection uses a retry is not documented; here it does not (as Lambda's bisect). A whole-batch failure
/// (the target threw, every entry failed, or the template could not be applied) is retried, not bisected. Without
/// <c>AUTOMATIC_BISECT</c>, a partial failure is retried from its first failed entry.</item>
/// <item>Retry delay: 500 ms doubling, at most 30 s (AWS: "gradually back off", not quantified). Internal errors (reading the
/// stream) are retried forever, as AWS does. Checkpoints live in memory; <c>ExecutionThrottled</c> is always 0.</item>
/// </list>
/// </summary>
public sealed class DynamoDbStreamPipe : IShardSource<JsonObject>, IBatchHandler<JsonObject>
{
    private const string Namespace = "AWS/EventBridge/Pipes";
    private readonly IDynamoDbStreamsApi _streams;
    private readonly IPipeTarget _target;
    private readonly IQueueSender _deadLetters;
    private readonly IMetricSink _metrics;
    private readonly TimeProvider _time;
    private readonly StreamPoller<JsonObject> _poller;

    // Alike on purpose: the local services take the same collaborators (targets, dead letters, metrics, time) by
    // constructor, as LocalEventBus and KinesisEventSourceMapping do.
    private DynamoDbStreamPipe(PipeSettings settings, IDynamoDbStreamsApi streams, IPipeTarget target, IQueueSender deadLetters, IMetricSink metrics, TimeProvider time)
    {
        Settings = settings;
        _streams = streams;
        _target = target;
        _deadLetters = deadLetters;
        _metrics = metrics;
        _time = time;
        _poller = new StreamPoller<JsonObject>(this, this, time, settings.BatchSize, settings.BatchingWindow, settings.ParallelizationFactor,
            new RetrySettings(settings.MaximumRetryAttempts, settings.MaximumRecordAgeSeconds, BisectOnFailure: false, BisectOnPartialFailure: settings.AutomaticBisect),
            Passes);
    }

    /// <summary>The settings read from the stack.</summary>
    public PipeSettings Settings { get; }

    /// <summary>What the pipe has done so far (<see cref="StreamCounters.FilteredOut"/>: records its filter dropped).</summary>
    public StreamCounters Counters => _poller.Counters;

    /// <summary>How long to wait before reading a shard again when the last read found nothing new (default 1 s).</summary>
    public TimeSpan PollInterval { get => _poller.PollInterval; set => _poller.PollInterval = value; }

    /// <summary>The delay before retry n (1, 2, …) of a failed batch (default 500 ms × 2^(n-1), at most 30 s).</summary>
    public Func<int, TimeSpan> RetryBackoff { get => _poller.Backoff; set => _poller.Backoff = value; }

    /// <summary>The last error reading the stream (the pipe keeps polling).</summary>
    public Exception? LastError => _poller.LastError;

    /// <summary>
    /// The pipe <c>aws_pipes_pipe.&lt;pipeResourceName&gt;</c> of <paramref name="stack"/>, reading the stream
    /// <paramref name="streamArn"/> (its table's stream, as the engine named it) and putting to <paramref name="target"/>.
    /// </summary>
    public static DynamoDbStreamPipe FromStack(LocalStack stack, string pipeResourceName, IDynamoDbStreamsApi streams, string streamArn, IPipeTarget target,
        IQueueSender deadLetters, IMetricSink metrics, TimeProvider time)
    {
        var body = stack.Resource("aws_pipes_pipe", pipeResourceName);
        var where = $"aws_pipes_pipe.{pipeResourceName} ({LocalStack.ConstructPath(body)})";
        if (body["source_parameters"]?["dynamodb_stream_parameters"] is not JsonObject p)
        {
            throw new NotSupportedException($"{where} has no source_parameters.dynamodb_stream_parameters: this runner is for DynamoDB stream sources only. Fix: use the runner of that source.");
        }

        var name = stack.Resolve(body["name"]?.GetValue<string>() ?? throw new InvalidOperationException($"{where} has no name. Fix: name the pipe in the stack."));
        var start = p["starting_position"]?.GetValue<string>() ?? throw new InvalidOperationException($"{where} has no starting_position (AWS requires one). Fix: set it.");
        if (start is not ("TRIM_HORIZON" or "LATEST"))
        {
            throw new NotSupportedException($"{where} starts at {start}: a DynamoDB stream pipe starts at TRIM_HORIZON or LATEST. Fix: use one of them.");
        }

        var bisect = p["on_partial_batch_item_failure"]?.GetValue<string>();
        if (bisect is not (null or "AUTOMATIC_BISECT"))
        {
            throw new NotSupportedException($"{where} has on_partial_batch_item_failure {bisect}; AWS allows only AUTOMATIC_BISECT. Fix: use it or leave it unset.");
        }

        var filters = (body["source_parameters"]?["filter_criteria"]?["filter"] as JsonArray ?? [])
            .Select(f => f?["pattern"]?.GetValue<string>() is { } s ? JsonNode.Parse(s)! : throw new InvalidOperationException($"{where} has a filter without a pattern. Fix: give every filter a pattern."))
            .ToList();
        var targetParameters = body["target_parameters"] as JsonObject;
        var bus = targetParameters?["eventbridge_event_bus_parameters"] as JsonObject;
        var settings = new PipeSettings(
            pipeResourceName,
            name,
            $"arn:aws:pipes:{stack.Region}:{stack.Account}:pipe/{name}",
            streamArn,
            LocalStack.Int(p, "batch_size", 1),
            TimeSpan.FromSeconds(LocalStack.Int(p, "maximum_batching_window_in_seconds", 0)),
            LocalStack.Int(p, "parallelization_factor", 1),
            LocalStack.Int(p, "maximum_retry_attempts", -1),
            LocalStack.Int(p, "maximum_record_age_in_seconds", -1),
            bisect is not null,
            start,
            p["dead_letter_config"]?["arn"]?.GetValue<string>() is { } dlq ? stack.Resolve(dlq) : null,
            filters,
            targetParameters?["input_template"]?.GetValue<string>(),
            bus?["source"]?.GetValue<string>() is { } src ? stack.Resolve(src) : $"Pipe {name}",
            bus?["detail_type"]?.GetValue<string>() is { } dt ? stack.Resolve(dt) : "Event from aws:dynamodb");
        return new DynamoDbStreamPipe(settings, streams, target, deadLetters, metrics, time);
    }

    /// <summary>Polls every shard and puts to the target until <paramref name="ct"/> is cancelled.</summary>
    public Task Run(CancellationToken ct) => _poller.Run(ct);

    /// <summary>Completes once every shard is read to its tip and no batch is in flight or waiting for a retry.</summary>
    public Task Drain(CancellationToken ct) => _poller.Drain(ct);

    /// <summary>Whether <paramref name="record"/> passes the pipe's filter (one pattern matches, or there is none).</summary>
    public bool Passes(JsonObject record) => Settings.Filters.Count == 0 || Settings.Filters.Any(f => LocalPipes.Matches(f, record));

    /// <summary>The event the target receives for <paramref name="record"/>: the input template applied, or the record itself.</summary>
    public string Transform(JsonObject record) =>
        Settings.InputTemplate is { } t ? LocalPipes.ApplyInputTemplate(t, record) : record.ToJsonString();

    // Alike on purpose: this pipe and KinesisEventSourceMapping are the two IShardSource adapters of StreamPoller (the
    // shared polling, batching and retries); each maps its own service's shards, iterators and records.
    async Task<IReadOnlyList<ShardInfo>> IShardSource<JsonObject>.Shards(CancellationToken ct) =>
        (await _streams.Shards(Settings.StreamArn, ct)).Select(s => new ShardInfo(s.ShardId, s.ParentShardId)).ToList();

    Task<string> IShardSource<JsonObject>.Iterator(string shardId, string? afterSequence, CancellationToken ct) =>
        afterSequence is null
            ? _streams.ShardIterator(Settings.StreamArn, shardId, Settings.StartingPosition, null, ct)
            : _streams.ShardIterator(Settings.StreamArn, shardId, "AFTER_SEQUENCE_NUMBER", afterSequence, ct);

    async Task<SourcePage<JsonObject>> IShardSource<JsonObject>.Read(string shardId, string iterator, int limit, CancellationToken ct)
    {
        var page = await _streams.GetRecords(iterator, limit, ct);
        foreach (var r in page.Records)
        {
            r["eventSourceARN"] = Settings.StreamArn; // Pipes (like Lambda) adds the stream ARN to each record
        }

        return new SourcePage<JsonObject>(page.Records, page.NextShardIterator, page.Records.Count == 0);
    }

    string IShardSource<JsonObject>.Sequence(JsonObject record) =>
        record["dynamodb"]?["SequenceNumber"]?.GetValue<string>() ?? throw new FormatException($"a stream record without dynamodb.SequenceNumber: {record.ToJsonString()}");

    /// <summary>When the change was made (<c>dynamodb.ApproximateCreationDateTime</c>, epoch seconds).</summary>
    public DateTimeOffset Arrival(JsonObject record) =>
        record["dynamodb"]?["ApproximateCreationDateTime"] is JsonValue v && v.TryGetValue<double>(out var seconds)
            ? DateTimeOffset.FromUnixTimeMilliseconds((long)(seconds * 1000))
            : _time.GetUtcNow();

    string IShardSource<JsonObject>.LaneKey(JsonObject record) => record["dynamodb"]?["Keys"]?.ToJsonString() ?? "";

    int IShardSource<JsonObject>.Size(JsonObject record) => record.ToJsonString().Length;

    void IBatchHandler<JsonObject>.OnRead(string shardId, IReadOnlyList<JsonObject> records)
    {
    }

    async Task<BatchOutcome> IBatchHandler<JsonObject>.Invoke(string shardId, IReadOnlyList<JsonObject> batch, int attempt, CancellationToken ct)
    {
        var started = Stopwatch.GetTimestamp();
        var now = _time.GetUtcNow();
        Put("Invocations", 1, now);
        Put("EventCount", batch.Count, now);
        BatchOutcome outcome;
        string? error = null;
        try
        {
            var events = batch.Select(Transform).ToList();
            var result = await _target.Put(events, Settings.Source, Settings.DetailType, ct);
            var failed = result.FailedEntries.Where(i => i >= 0 && i < batch.Count).Distinct().Order().ToList();
            error = result.Error;
            outcome = failed.Count == 0 ? BatchOutcome.Success
                : failed.Count == batch.Count ? new BatchOutcome(BatchOutcomeKind.Failed, FunctionError: result.Error)
                : new BatchOutcome(BatchOutcomeKind.Partial, failed[0], FunctionError: result.Error);
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            error = e.Message;
            outcome = new BatchOutcome(BatchOutcomeKind.Failed, FunctionError: e.GetType().Name);
        }

        var ms = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        var end = _time.GetUtcNow();
        Put("Duration", ms, end, "Milliseconds");
        Put("TargetStageDuration", ms, end, "Milliseconds");
        Put("ExecutionThrottled", 0, end);
        Put("ExecutionFailed", outcome.Kind == BatchOutcomeKind.Failed ? 1 : 0, end);
        Put("ExecutionPartiallyFailed", outcome.Kind == BatchOutcomeKind.Partial ? 1 : 0, end);
        Put("TargetStageFailed", outcome.Kind == BatchOutcomeKind.Failed ? 1 : 0, end);
        Put("TargetStagePartiallyFailed", outcome.Kind == BatchOutcomeKind.Partial ? 1 : 0, end);
        LastTargetError = error ?? LastTargetError;
        return outcome;
    }

    /// <summary>The last error the target reported (for the log).</summary>
    public string? LastTargetError { get; private set; }

    async Task IBatchHandler<JsonObject>.Discard(string shardId, IReadOnlyList<JsonObject> batch, string condition, int invokeCount, BatchOutcome? last, CancellationToken ct)
    {
        if (Settings.DeadLetterArn is not { } dlq)
        {
            return; // no dead-letter queue: the batch is dropped, as AWS does
        }

        await _deadLetters.Send(dlq, DeadLetter(shardId, batch, condition, invokeCount, _time.GetUtcNow()).ToJsonString(), null, ct);
    }

    /// <summary>The dead-letter message for a discarded batch (metadata: which records of which shard, and why).</summary>
    internal JsonObject DeadLetter(string shardId, IReadOnlyList<JsonObject> batch, string condition, int invokeCount, DateTimeOffset now)
    {
        static string Iso(DateTimeOffset t, bool millis) => t.UtcDateTime.ToString(millis ? "yyyy-MM-dd'T'HH:mm:ss.fff'Z'" : "yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        string Seq(JsonObject r) => ((IShardSource<JsonObject>)this).Sequence(r);
        return new JsonObject
        {
            ["context"] = new JsonObject
            {
                ["condition"] = condition,
                ["partnerResourceArn"] = Settings.PipeArn,
                ["approximateInvokeCount"] = invokeCount,
            },
            ["version"] = "1.0",
            ["timestamp"] = Iso(now, millis: true),
            ["DDBStreamBatchInfo"] = new JsonObject
            {
                ["shardId"] = shardId,
                ["startSequenceNumber"] = Seq(batch[0]),
                ["endSequenceNumber"] = Seq(batch[^1]),
                ["approximateArrivalOfFirstRecord"] = Iso(Arrival(batch[0]), millis: false),
                ["approximateArrivalOfLastRecord"] = Iso(Arrival(batch[^1]), millis: false),
                ["batchSize"] = batch.Count,
                ["streamArn"] = Settings.StreamArn,
            },
        };
    }

    private void Put(string metric, double value, DateTimeOffset at, string? unit = null) =>
        _metrics.Put(new Datapoint(Namespace, metric, new Dictionary<string, string> { ["PipeName"] = Settings.PipeName }, at, value, unit ?? "None"));
}
