using System.Text.Json;

namespace FraudTf.Local.Observability;

/// <summary>One <c>aws_cloudwatch_log_metric_filter</c> of the stack, as the local CloudWatch applies it.</summary>
/// <param name="ResourceName">Its name in the stack.</param>
/// <param name="FilterName">Its <c>name</c>.</param>
/// <param name="LogGroup">The log group it reads (resolved <c>log_group_name</c>).</param>
/// <param name="Pattern">The parsed <c>pattern</c>.</param>
/// <param name="Namespace">The metric namespace.</param>
/// <param name="MetricName">The metric name.</param>
/// <param name="Value">The metric value: a number, or a <c>$.field</c> selector read from the matching event.</param>
/// <param name="DefaultValue">The value published for a minute with events but no match; null when not set.</param>
/// <param name="Unit">The unit, or null.</param>
/// <param name="Dimensions">Dimension name to <c>$.field</c> selector (empty when none).</param>
public sealed record MetricFilterDefinition(string ResourceName, string FilterName, string LogGroup, FilterPattern Pattern, string Namespace, string MetricName,
    string Value, double? DefaultValue, string? Unit, IReadOnlyDictionary<string, string> Dimensions);

/// <summary>The datapoints of one metric (namespace, name, dimension set) over the run, for the report.</summary>
/// <param name="Namespace">Namespace.</param>
/// <param name="Name">Metric name.</param>
/// <param name="Dimensions">Dimension set.</param>
/// <param name="SampleCount">Number of datapoints.</param>
/// <param name="Sum">Sum of their values.</param>
/// <param name="Minimum">Lowest value.</param>
/// <param name="Maximum">Highest value.</param>
/// <param name="Unit">Unit of the first datapoint that had one, or null.</param>
/// <param name="First">Time of the earliest datapoint.</param>
/// <param name="Last">Time of the latest datapoint.</param>
public sealed record MetricTotal(string Namespace, string Name, IReadOnlyDictionary<string, string> Dimensions, int SampleCount, double Sum, double Minimum, double Maximum,
    string? Unit, DateTimeOffset First, DateTimeOffset Last)
{
    /// <summary>Sum / SampleCount.</summary>
    public double Average => SampleCount == 0 ? 0 : Sum / SampleCount;

    /// <summary>"Namespace/Name [k=v, …]", for tables.</summary>
    public string Label => MetricKey.Label(Namespace, Name, Dimensions);
}

/// <summary>
/// The local CloudWatch (Logs and metrics): stores the functions' log events per log group, extracts embedded-metric-format
/// metrics from them, applies the stack's metric filters, and stores the datapoints other runners put (e.g.
/// <c>AWS/Lambda Errors</c>). Alarms are evaluated over its datapoints by <see cref="AlarmEvaluator"/>.
/// <list type="bullet">
/// <item>EMF: <see cref="EmbeddedMetrics"/> ("Specification: Embedded metric format"), every log group, the metric's
/// time is <c>_aws.Timestamp</c>.</item>
/// <item>Metric filters: every <c>aws_cloudwatch_log_metric_filter</c> of the stack, on the events of its
/// <c>log_group_name</c> (resolved with <see cref="LocalStack.Resolve"/>), pattern per <see cref="FilterPattern"/>
/// (CloudWatch Logs user guide, "Filter pattern syntax for metric filters"). A match publishes <c>value</c> (a number, or
/// the number at <c>$.field</c>; no datapoint when that field is not a number) at the event's time, with
/// <c>dimensions</c> read from the event (no datapoint when one is missing). <c>default_value</c>, per the same guide
/// ("Configuring metric values for a metric filter"): "If your metric filter doesn't find a match, CloudWatch reports the
/// metric's default value", worked per minute: a minute (UTC, whole minutes) in which the log group received events and
/// none matched publishes one datapoint of the default value; a minute without events publishes nothing. A filter with
/// both dimensions and a default value is refused, as CloudWatch refuses it. (The API reference words the default as "the
/// value to emit when a filter pattern does not match a log event"; the per-minute reading only changes SampleCount.)</item>
/// <item>Time window: CloudWatch Logs rejects events more than 14 days old or more than 2 hours in the future (PutLogEvents)
/// and CloudWatch accepts datapoints up to two weeks old and two hours ahead (PutMetricData); outside that window against
/// <see cref="TimeProvider"/>'s now, an event or datapoint is counted in <see cref="Rejected"/> and not stored; so is a
/// datapoint whose value is NaN or infinite ("special values (for example, NaN, +Infinity, -Infinity) are not supported",
/// PutMetricData).</item>
/// </list>
/// Differs from AWS: nothing is aggregated at storage (every datapoint is kept raw, so percentiles are exact, where
/// CloudWatch keeps percentiles approximately); no retention, no ingestion delay; metric filters see events in the order
/// written. Thread-safe.
/// </summary>
public sealed class LocalCloudWatch : ILogSink, IMetricSink
{
    private static readonly TimeSpan MaxAge = TimeSpan.FromDays(14);
    private static readonly TimeSpan MaxAhead = TimeSpan.FromHours(2);

    private readonly Lock _lock = new();
    private readonly TimeProvider _time;
    private readonly Dictionary<string, List<LogEvent>> _events = new(StringComparer.Ordinal);
    private readonly List<Datapoint> _datapoints = [];
    private readonly Dictionary<MetricFilterDefinition, (HashSet<long> EventMinutes, HashSet<long> MatchMinutes)> _minutes = [];
    private int _rejected;

    private LocalCloudWatch(IReadOnlyList<MetricFilterDefinition> filters, TimeProvider time)
    {
        MetricFilters = filters;
        _time = time;
        foreach (var f in filters)
        {
            _minutes[f] = ([], []);
        }
    }

    /// <summary>The metric filters of the stack.</summary>
    public IReadOnlyList<MetricFilterDefinition> MetricFilters { get; }

    /// <summary>Events and datapoints refused: a timestamp outside CloudWatch's window, or a value that is not a finite number (see the class summary).</summary>
    public int Rejected
    {
        get
        {
            lock (_lock)
            {
                return _rejected;
            }
        }
    }

    /// <summary>Reads every <c>aws_cloudwatch_log_metric_filter</c> of <paramref name="stack"/>; <paramref name="time"/> gives "now" for the acceptance window.</summary>
    public static LocalCloudWatch FromStack(LocalStack stack, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(stack);
        ArgumentNullException.ThrowIfNull(time);
        var filters = new List<MetricFilterDefinition>();
        foreach (var (name, body) in stack.Resources("aws_cloudwatch_log_metric_filter"))
        {
            filters.Add(ReadFilter(stack, name, body));
        }

        return new LocalCloudWatch(filters, time);
    }

    /// <summary>An empty CloudWatch with the given filters (tests).</summary>
    public static LocalCloudWatch WithFilters(IReadOnlyList<MetricFilterDefinition> filters, TimeProvider time) => new(filters, time);

    private static MetricFilterDefinition ReadFilter(LocalStack stack, string name, JsonObject body)
    {
        var where = $"aws_cloudwatch_log_metric_filter.{name} ({LocalStack.ConstructPath(body)})";
        string Str(JsonNode? node, string arg) => node is JsonValue v && v.GetValueKind() is JsonValueKind.String or JsonValueKind.Number
            ? (v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : v.ToJsonString())
            : throw new InvalidOperationException($"{where} has no '{arg}'. Fix: set it in the monitoring module.");

        var t = body["metric_transformation"] switch
        {
            JsonArray { Count: 1 } a => a[0]!.AsObject(),
            JsonObject o => o,
            _ => throw new NotSupportedException($"{where}: expected exactly one metric_transformation block. Fix: give the filter one transformation."),
        };
        FilterPattern pattern;
        try
        {
            pattern = FilterPattern.Parse(Str(body["pattern"], "pattern"));
        }
        catch (Exception e) when (e is FormatException or NotSupportedException)
        {
            throw new NotSupportedException($"{where}: {e.Message}", e);
        }

        var dims = (t["dimensions"] as JsonObject ?? []).ToDictionary(p => p.Key, p => Str(p.Value, "dimensions." + p.Key), StringComparer.Ordinal);
        double? defaultValue = t["default_value"] is { } dv ? double.Parse(Str(dv, "default_value"), NumberStyles.Float, CultureInfo.InvariantCulture) : null;
        if (dims.Count > 0 && defaultValue is not null)
        {
            throw new NotSupportedException($"{where} sets both dimensions and default_value, which CloudWatch refuses (\"If you assign dimensions to metrics that metric filters generate, you can't specify default values\"). Fix: drop default_value.");
        }

        if (dims.Count > 3)
        {
            throw new NotSupportedException($"{where} has {dims.Count} dimensions; CloudWatch allows up to three. Fix: drop some.");
        }

        var value = Str(t["value"], "metric_transformation.value");
        if (!value.StartsWith("$.", StringComparison.Ordinal) && !double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out _))
        {
            throw new NotSupportedException($"{where}: metric value '{value}' is neither a number nor a $.field selector; the local CloudWatch implements only those. Fix: use one.");
        }

        return new MetricFilterDefinition(name, body["name"]?.GetValue<string>() ?? name, stack.Resolve(Str(body["log_group_name"], "log_group_name")), pattern,
            Str(t["namespace"], "metric_transformation.namespace"), Str(t["name"], "metric_transformation.name"), value, defaultValue,
            t["unit"] is JsonValue u ? u.GetValue<string>() : null, dims);
    }

    /// <inheritdoc />
    public void Write(LogEvent logEvent)
    {
        ArgumentNullException.ThrowIfNull(logEvent);
        var json = FilterPattern.ParseEvent(logEvent.Message);
        var extracted = EmbeddedMetrics.Extract(logEvent.Message);
        lock (_lock)
        {
            if (!InWindow(logEvent.Timestamp))
            {
                _rejected++;
                return;
            }

            if (!_events.TryGetValue(logEvent.LogGroup, out var list))
            {
                _events[logEvent.LogGroup] = list = [];
            }

            list.Add(logEvent);
            foreach (var m in extracted)
            {
                foreach (var d in m.Datapoints())
                {
                    StoreChecked(d);
                }
            }

            foreach (var f in MetricFilters)
            {
                if (!string.Equals(f.LogGroup, logEvent.LogGroup, StringComparison.Ordinal))
                {
                    continue;
                }

                var minute = logEvent.Timestamp.ToUnixTimeSeconds() / 60;
                var (eventMinutes, matchMinutes) = _minutes[f];
                eventMinutes.Add(minute);
                if (!f.Pattern.Matches(json))
                {
                    continue;
                }

                matchMinutes.Add(minute);
                if (FilterDatapoint(f, json, logEvent.Timestamp) is { } d)
                {
                    StoreChecked(d);
                }
            }
        }
    }

    private static Datapoint? FilterDatapoint(MetricFilterDefinition f, JsonObject? json, DateTimeOffset time)
    {
        double value;
        if (f.Value.StartsWith("$.", StringComparison.Ordinal))
        {
            if (json is null || FilterPattern.Select(json, f.Value).Node is not JsonValue v || v.GetValueKind() != JsonValueKind.Number)
            {
                return null;
            }

            value = v.GetValue<double>();
        }
        else
        {
            value = double.Parse(f.Value, NumberStyles.Float, CultureInfo.InvariantCulture);
        }

        var dims = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, selector) in f.Dimensions)
        {
            if (json is null || FilterPattern.Select(json, selector).Node is not JsonValue dv)
            {
                return null;
            }

            dims[name] = dv.GetValueKind() == JsonValueKind.String ? dv.GetValue<string>() : dv.ToJsonString();
        }

        return new Datapoint(f.Namespace, f.MetricName, dims, time, value, f.Unit);
    }

    /// <inheritdoc />
    public void Put(Datapoint datapoint)
    {
        ArgumentNullException.ThrowIfNull(datapoint);
        lock (_lock)
        {
            StoreChecked(datapoint);
        }
    }

    private void StoreChecked(Datapoint d)
    {
        if (InWindow(d.Timestamp) && double.IsFinite(d.Value))
        {
            _datapoints.Add(d);
        }
        else
        {
            _rejected++;
        }
    }

    private bool InWindow(DateTimeOffset t)
    {
        var now = _time.GetUtcNow();
        return t >= now - MaxAge && t <= now + MaxAhead;
    }

    /// <summary>The log groups that received events, sorted.</summary>
    public IReadOnlyList<string> LogGroups
    {
        get
        {
            lock (_lock)
            {
                return _events.Keys.Order(StringComparer.Ordinal).ToList();
            }
        }
    }

    /// <summary>The events stored in <paramref name="logGroup"/>, in the order written.</summary>
    public IReadOnlyList<LogEvent> Events(string logGroup)
    {
        lock (_lock)
        {
            return _events.TryGetValue(logGroup, out var list) ? list.ToList() : [];
        }
    }

    /// <summary>Every datapoint: those put, those extracted from EMF, those of metric filters including their default values.</summary>
    public IReadOnlyList<Datapoint> AllDatapoints()
    {
        lock (_lock)
        {
            var all = _datapoints.ToList();
            foreach (var f in MetricFilters)
            {
                if (f.DefaultValue is not { } dv)
                {
                    continue;
                }

                var (eventMinutes, matchMinutes) = _minutes[f];
                all.AddRange(eventMinutes.Where(m => !matchMinutes.Contains(m)).Order()
                    .Select(m => new Datapoint(f.Namespace, f.MetricName, new Dictionary<string, string>(), DateTimeOffset.FromUnixTimeSeconds(m * 60), dv, f.Unit)));
            }

            return all;
        }
    }

    /// <summary>The datapoints of one metric: <paramref name="ns"/>, <paramref name="name"/> and exactly <paramref name="dimensions"/> (none when null), by time.</summary>
    public IReadOnlyList<Datapoint> Datapoints(string ns, string name, IReadOnlyDictionary<string, string>? dimensions = null) =>
        AllDatapoints().Where(d => MetricKey.Matches(d, ns, name, dimensions ?? new Dictionary<string, string>())).OrderBy(d => d.Timestamp).ToList();

    /// <summary>One total per metric (namespace, name, dimension set), sorted by label.</summary>
    public IReadOnlyList<MetricTotal> Totals() =>
        AllDatapoints().GroupBy(d => MetricKey.Label(d.Namespace, d.Name, d.Dimensions), StringComparer.Ordinal)
            .Select(g =>
            {
                var first = g.First();
                return new MetricTotal(first.Namespace, first.Name, first.Dimensions, g.Count(), g.Sum(d => d.Value), g.Min(d => d.Value), g.Max(d => d.Value),
                    g.Select(d => d.Unit).FirstOrDefault(u => u is not null), g.Min(d => d.Timestamp), g.Max(d => d.Timestamp));
            })
            .OrderBy(t => t.Label, StringComparer.Ordinal).ToList();

    /// <summary>
    /// A statistic of one metric per period of <paramref name="periodSeconds"/> from <paramref name="from"/> to
    /// <paramref name="to"/> (periods start at <paramref name="from"/>; a period without datapoints is left out, as
    /// GetMetricStatistics leaves it out): a series for the report's charts.
    /// </summary>
    public IReadOnlyList<(DateTimeOffset PeriodStart, double Value)> Series(string ns, string name, IReadOnlyDictionary<string, string>? dimensions, string statistic,
        int periodSeconds, DateTimeOffset from, DateTimeOffset to)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(periodSeconds, 1);
        var stat = Statistic.Parse(statistic, "Series");
        return Datapoints(ns, name, dimensions)
            .Where(d => d.Timestamp >= from && d.Timestamp < to)
            .GroupBy(d => (long)Math.Floor((d.Timestamp - from).TotalSeconds / periodSeconds))
            .OrderBy(g => g.Key)
            .Select(g => (from.AddSeconds(g.Key * periodSeconds), stat.Of(g.Select(d => d.Value).ToList())))
            .ToList();
    }
}

/// <summary>Metric identity helpers: CloudWatch identifies a metric by namespace, name and its exact dimension set.</summary>
public static class MetricKey
{
    /// <summary>True when <paramref name="d"/> is the metric <paramref name="ns"/>/<paramref name="name"/> with exactly <paramref name="dimensions"/>.</summary>
    public static bool Matches(Datapoint d, string ns, string name, IReadOnlyDictionary<string, string> dimensions) =>
        d.Namespace == ns && d.Name == name && d.Dimensions.Count == dimensions.Count
        && dimensions.All(p => d.Dimensions.TryGetValue(p.Key, out var v) && v == p.Value);

    /// <summary>"Namespace/Name [k=v, …]" with dimensions sorted by name.</summary>
    public static string Label(string ns, string name, IReadOnlyDictionary<string, string> dimensions) =>
        dimensions.Count == 0 ? $"{ns}/{name}" : $"{ns}/{name} [{string.Join(", ", dimensions.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}={p.Value}"))}]";
}
