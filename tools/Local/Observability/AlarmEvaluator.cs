using System.Text.Json;

namespace FraudTf.Local.Observability;

/// <summary>A CloudWatch alarm state.</summary>
public enum AlarmState
{
    /// <summary>INSUFFICIENT_DATA: the state of a new alarm, and of one without enough data.</summary>
    InsufficientData,

    /// <summary>OK.</summary>
    Ok,

    /// <summary>ALARM.</summary>
    Alarm,
}

/// <summary>How an alarm treats missing datapoints (<c>treat_missing_data</c>).</summary>
public enum MissingData
{
    /// <summary><c>missing</c> (the default).</summary>
    Missing,

    /// <summary><c>notBreaching</c>.</summary>
    NotBreaching,

    /// <summary><c>breaching</c>.</summary>
    Breaching,

    /// <summary><c>ignore</c>: the current state is kept.</summary>
    Ignore,
}

/// <summary>A static-threshold comparison operator.</summary>
public enum Comparison
{
    /// <summary><c>GreaterThanOrEqualToThreshold</c>.</summary>
    GreaterThanOrEqualToThreshold,

    /// <summary><c>GreaterThanThreshold</c>.</summary>
    GreaterThanThreshold,

    /// <summary><c>LessThanThreshold</c>.</summary>
    LessThanThreshold,

    /// <summary><c>LessThanOrEqualToThreshold</c>.</summary>
    LessThanOrEqualToThreshold,
}

/// <summary>One <c>aws_cloudwatch_metric_alarm</c>, as the evaluator reads it.</summary>
/// <param name="ResourceName">Its name in the stack.</param>
/// <param name="AlarmName">Its <c>alarm_name</c>.</param>
/// <param name="Namespace">Metric namespace.</param>
/// <param name="MetricName">Metric name.</param>
/// <param name="Dimensions">The metric's exact dimension set.</param>
/// <param name="Statistic">The statistic (<c>statistic</c> or <c>extended_statistic</c>).</param>
/// <param name="PeriodSeconds">Period (P).</param>
/// <param name="EvaluationPeriods">Evaluation periods (N).</param>
/// <param name="DatapointsToAlarm">Datapoints to alarm (M; N when not set).</param>
/// <param name="Threshold">Threshold.</param>
/// <param name="Comparison">Comparison operator.</param>
/// <param name="TreatMissingData">As configured (<see cref="EffectiveMissingData"/> is what applies).</param>
/// <param name="Unit">The alarm's <c>unit</c> (only datapoints of that unit count), or null.</param>
public sealed record AlarmDefinition(string ResourceName, string AlarmName, string Namespace, string MetricName, IReadOnlyDictionary<string, string> Dimensions,
    Statistic Statistic, int PeriodSeconds, int EvaluationPeriods, int DatapointsToAlarm, double Threshold, Comparison Comparison, MissingData TreatMissingData, string? Unit = null)
{
    /// <summary>
    /// What applies: <see cref="MissingData.Ignore"/> for the <c>AWS/DynamoDB</c> namespace ("Alarms that evaluate metrics
    /// in the AWS/DynamoDB namespace always ignore missing data even if you choose a different option"), else as configured.
    /// </summary>
    public MissingData EffectiveMissingData => Namespace == "AWS/DynamoDB" ? MissingData.Ignore : TreatMissingData;

    /// <summary>
    /// How long breaching data must last for this alarm to fire wherever the run falls on the clock: M periods of P seconds
    /// (its M breaching datapoints are M distinct periods, which end on the clock's whole minutes, where the evaluations run;
    /// data that straddles M−1 period boundaries, a little over (M−2)·P seconds, can be enough).
    /// </summary>
    public TimeSpan ShortestRunToFire => TimeSpan.FromSeconds((long)DatapointsToAlarm * PeriodSeconds);

    /// <summary>True when <paramref name="d"/> is a datapoint of this alarm's metric: its namespace, name and exact
    /// dimension set, and its unit when the alarm sets one.</summary>
    public bool Reads(Datapoint d) => MetricKey.Matches(d, Namespace, MetricName, Dimensions) && (Unit is null || d.Unit == Unit);

    /// <summary>True when <paramref name="value"/> breaches the threshold.</summary>
    public bool Breaches(double value) => Comparison switch
    {
        Comparison.GreaterThanOrEqualToThreshold => value >= Threshold,
        Comparison.GreaterThanThreshold => value > Threshold,
        Comparison.LessThanThreshold => value < Threshold,
        _ => value <= Threshold,
    };

    /// <summary>The operator as CloudWatch words it in a state reason ("greater than or equal to").</summary>
    public string ComparisonText => Comparison switch
    {
        Comparison.GreaterThanOrEqualToThreshold => "greater than or equal to",
        Comparison.GreaterThanThreshold => "greater than",
        Comparison.LessThanThreshold => "less than",
        _ => "less than or equal to",
    };
}

/// <summary>A state change of an alarm.</summary>
/// <param name="Time">The evaluation that changed it.</param>
/// <param name="From">Previous state.</param>
/// <param name="To">New state.</param>
/// <param name="Reason">The state reason, worded as CloudWatch words it.</param>
public sealed record AlarmTransition(DateTimeOffset Time, AlarmState From, AlarmState To, string Reason);

/// <summary>What one alarm did over a run.</summary>
/// <param name="Alarm">The alarm.</param>
/// <param name="State">Its state after the last evaluation.</param>
/// <param name="Transitions">Its state changes, in time order.</param>
/// <param name="Evaluations">How many evaluations ran.</param>
/// <param name="MostBreaching">The most breaching real datapoints among those evaluated at any one evaluation.</param>
/// <param name="Peak">The period value closest to (or beyond) the threshold's side: the highest for a greater-than alarm, the lowest for a less-than one; null when no period had data.</param>
public sealed record AlarmOutcome(AlarmDefinition Alarm, AlarmState State, IReadOnlyList<AlarmTransition> Transitions, int Evaluations, int MostBreaching, double? Peak)
{
    /// <summary>True when it went to ALARM at least once.</summary>
    public bool Fired => Transitions.Any(t => t.To == AlarmState.Alarm);

    /// <summary>How close it came: breaching datapoints seen vs needed, and the peak against the threshold.</summary>
    public string Closeness => string.Create(CultureInfo.InvariantCulture,
        $"{MostBreaching} of {Alarm.DatapointsToAlarm} breaching {(Alarm.DatapointsToAlarm == 1 ? "datapoint" : "datapoints")} needed (out of {Alarm.EvaluationPeriods} {(Alarm.EvaluationPeriods == 1 ? "period" : "periods")} of {Alarm.PeriodSeconds} s); peak {Alarm.Statistic.Name} {(Peak is { } p ? AlarmEvaluator.Number(p) : "none")} vs {Alarm.ComparisonText} {AlarmEvaluator.Number(Alarm.Threshold)}");
}

/// <summary>The decision of one evaluation.</summary>
/// <param name="State">The new state, or null to keep the current one (<c>ignore</c>).</param>
/// <param name="Breaching">Breaching real datapoints among those evaluated.</param>
/// <param name="FilledBreaching">Missing datapoints filled in as breaching.</param>
/// <param name="FilledNotBreaching">Missing datapoints filled in as not breaching.</param>
/// <param name="Evaluated">Indexes (into the range, oldest first) of the real datapoints evaluated.</param>
/// <param name="Premature">True when ALARM came from the "premature alarm state" rule with fewer than M datapoints.</param>
public sealed record AlarmDecision(AlarmState? State, int Breaching, int FilledBreaching, int FilledNotBreaching, IReadOnlyList<int> Evaluated, bool Premature = false);

/// <summary>
/// Evaluates the stack's metric alarms over the datapoints a run recorded, as CloudWatch does (CloudWatch user guide,
/// "Using Amazon CloudWatch alarms": "Evaluating an alarm", "Configuring how CloudWatch alarms treat missing data", "How
/// alarm state is evaluated when data is missing", "Avoiding premature transitions to alarm state"):
/// <list type="bullet">
/// <item>Cadence and alignment: "For any period of one minute or longer, an alarm is evaluated every minute and the
/// evaluation is based on the window of time defined by the Period and Evaluation Periods" (at the end of minute 6, a
/// 5-minute period covers minutes 2 to 6); 10 s and 30 s periods every 10 s. So evaluations run at whole UTC minutes
/// (multiples of 10 s for high resolution), and period k back covers [t − k·P, t − (k−1)·P).</item>
/// <item>Each evaluation retrieves an evaluation range of N + 2 periods (the guide's example: 5 for N = 3; AWS does not
/// publish its formula) and decides with <see cref="Decide"/>: with at least N real datapoints, the N most recent; with
/// fewer, all real ones plus missing ones filled in per <c>treat_missing_data</c>, as few as possible; M breaching → ALARM,
/// else OK; all missing → INSUFFICIENT_DATA (<c>missing</c>), kept (<c>ignore</c>), ALARM (<c>breaching</c>), OK
/// (<c>notBreaching</c>); and the premature-alarm rule: with <c>missing</c>, when every real datapoint is breaching and the
/// oldest is at least M periods old, ALARM; when it is younger, INSUFFICIENT_DATA. <c>AWS/DynamoDB</c> alarms always
/// ignore missing data. Each row of the guide's two tables is a test.</item>
/// <item>A new alarm starts in INSUFFICIENT_DATA. A period's value is its statistic over the raw datapoints
/// (<see cref="Statistic"/>) of the alarm's exact metric (namespace, name, dimension set).</item>
/// <item>State reasons are worded as CloudWatch words them ("Threshold Crossed: 2 out of the last 3 datapoints [...] were
/// greater than or equal to the threshold (1.0) (minimum 2 datapoints for OK -> ALARM transition).").</item>
/// </list>
/// A local run lasts seconds to minutes: an alarm that needs M breaching periods of P seconds fires for certain only in a
/// run of at least M·P seconds (<see cref="AlarmDefinition.ShortestRunToFire"/>); a shorter one fires it only when its data
/// straddles period boundaries (the periods end on the clock's whole minutes, as below); the report shows, for the others, how
/// close they came. The last evaluation is the first one at or after the end of the run (CloudWatch would run it with the data
/// already stored). Differs from AWS: no ingestion delay, exact percentiles, no low-sample-count percentile handling
/// beyond the default (evaluate), no actions run. Anomaly-detection operators, <c>metric_query</c> (metric math) and
/// <c>threshold_metric_id</c> are refused, naming the alarm (no stack uses them).
/// </summary>
public sealed class AlarmEvaluator
{
    private static readonly HashSet<string> IgnoredArguments = new(StringComparer.Ordinal)
    {
        "//", "alarm_name", "alarm_description", "actions_enabled", "alarm_actions", "ok_actions", "insufficient_data_actions", "tags", "tags_all",
        "provider", "depends_on", "lifecycle",
    };

    private static readonly HashSet<string> ReadArguments = new(StringComparer.Ordinal)
    {
        "metric_name", "namespace", "dimensions", "statistic", "extended_statistic", "period", "evaluation_periods", "datapoints_to_alarm", "threshold",
        "comparison_operator", "treat_missing_data", "unit", "evaluate_low_sample_count_percentiles",
    };

    private AlarmEvaluator(IReadOnlyList<AlarmDefinition> alarms) => Alarms = alarms;

    /// <summary>The alarms of the stack, in the stack's order.</summary>
    public IReadOnlyList<AlarmDefinition> Alarms { get; }

    /// <summary>Reads every <c>aws_cloudwatch_metric_alarm</c> of <paramref name="stack"/>; throws <see cref="NotSupportedException"/> naming an alarm it cannot evaluate.</summary>
    public static AlarmEvaluator FromStack(LocalStack stack)
    {
        ArgumentNullException.ThrowIfNull(stack);
        return new AlarmEvaluator(stack.Resources("aws_cloudwatch_metric_alarm").Select(r => Read(stack, r.Name, r.Body)).ToList());
    }

    /// <summary>An evaluator of the given alarms (tests).</summary>
    public static AlarmEvaluator Of(IReadOnlyList<AlarmDefinition> alarms) => new(alarms);

    private static AlarmDefinition Read(LocalStack stack, string name, JsonObject body)
    {
        var alarmName = body["alarm_name"] is JsonValue an ? stack.Resolve(an.GetValue<string>()) : name;
        var where = $"alarm '{alarmName}' (aws_cloudwatch_metric_alarm.{name}, {LocalStack.ConstructPath(body)})";
        foreach (var key in body.Select(p => p.Key))
        {
            if (key is "metric_query" or "threshold_metric_id")
            {
                throw new NotSupportedException($"{where} uses {key} (metric math or anomaly detection), which the local evaluator does not implement. Fix: alarm on a single metric, or teach AlarmEvaluator metric math.");
            }

            if (!IgnoredArguments.Contains(key) && !ReadArguments.Contains(key))
            {
                throw new NotSupportedException($"{where} sets '{key}', which the local evaluator does not understand. Fix: teach AlarmEvaluator what '{key}' does, or list it among the arguments that do not change evaluation.");
            }
        }

        string Str(string arg) => body[arg] is JsonValue v
            ? (v.GetValueKind() == JsonValueKind.String ? stack.Resolve(v.GetValue<string>()) : v.ToJsonString())
            : throw new NotSupportedException($"{where} has no '{arg}'. Fix: set it (the evaluator needs it).");
        double Num(string arg) => double.Parse(Str(arg), NumberStyles.Float, CultureInfo.InvariantCulture);

        if (body["statistic"] is not null == body["extended_statistic"] is not null)
        {
            throw new NotSupportedException($"{where} must set exactly one of statistic and extended_statistic.");
        }

        var statistic = Statistic.Parse(body["statistic"] is not null ? Str("statistic") : Str("extended_statistic"), where);
        if (body["evaluate_low_sample_count_percentiles"] is not null && Str("evaluate_low_sample_count_percentiles") != "evaluate")
        {
            throw new NotSupportedException($"{where} sets evaluate_low_sample_count_percentiles = {Str("evaluate_low_sample_count_percentiles")}; the local evaluator implements only 'evaluate' (the default).");
        }

        var comparison = Str("comparison_operator") switch
        {
            "GreaterThanOrEqualToThreshold" => Comparison.GreaterThanOrEqualToThreshold,
            "GreaterThanThreshold" => Comparison.GreaterThanThreshold,
            "LessThanThreshold" => Comparison.LessThanThreshold,
            "LessThanOrEqualToThreshold" => Comparison.LessThanOrEqualToThreshold,
            var op => throw new NotSupportedException($"{where}: comparison_operator {op} (anomaly detection) is not implemented locally. Fix: use a static threshold, or teach AlarmEvaluator anomaly bands."),
        };
        var treat = body["treat_missing_data"] is null ? MissingData.Missing : Str("treat_missing_data") switch
        {
            "missing" => MissingData.Missing,
            "notBreaching" => MissingData.NotBreaching,
            "breaching" => MissingData.Breaching,
            "ignore" => MissingData.Ignore,
            var t => throw new NotSupportedException($"{where}: treat_missing_data '{t}' is not one of missing, notBreaching, breaching, ignore."),
        };
        var period = (int)Num("period");
        var n = (int)Num("evaluation_periods");
        var m = body["datapoints_to_alarm"] is null ? n : (int)Num("datapoints_to_alarm");
        if (period is not (10 or 30) && (period < 60 || period % 60 != 0))
        {
            throw new NotSupportedException($"{where}: period {period} s is not 10, 30 or a multiple of 60 (CloudWatch's alarm periods). Fix the period.");
        }

        if (n < 1 || m < 1 || m > n || (long)n * period > 86_400)
        {
            throw new NotSupportedException($"{where}: {m} out of {n} periods of {period} s is not a valid alarm (1 ≤ M ≤ N, N·P ≤ one day).");
        }

        var dims = (body["dimensions"] as JsonObject ?? []).ToDictionary(p => p.Key, p => stack.Resolve(p.Value!.GetValue<string>()), StringComparer.Ordinal);
        return new AlarmDefinition(name, alarmName, Str("namespace"), Str("metric_name"), dims, statistic, period, n, m, Num("threshold"), comparison, treat,
            body["unit"] is null ? null : Str("unit"));
    }

    /// <summary>Evaluates every alarm over <paramref name="datapoints"/> from <paramref name="from"/> (the run's start) to <paramref name="to"/> (its end).</summary>
    public IReadOnlyList<AlarmOutcome> Evaluate(IReadOnlyList<Datapoint> datapoints, DateTimeOffset from, DateTimeOffset to) =>
        Alarms.Select(a => Evaluate(a, datapoints, from, to)).ToList();

    /// <summary>Evaluates one alarm (see the class summary for the cadence and the range).</summary>
    public static AlarmOutcome Evaluate(AlarmDefinition alarm, IReadOnlyList<Datapoint> datapoints, DateTimeOffset from, DateTimeOffset to)
    {
        ArgumentNullException.ThrowIfNull(alarm);
        var mine = datapoints.Where(alarm.Reads).OrderBy(d => d.Timestamp).ToArray();
        var ticks = mine.Select(d => d.Timestamp.UtcTicks).ToArray();
        var cadence = alarm.PeriodSeconds < 60 ? 10 : 60;
        var first = (from.ToUnixTimeSeconds() / cadence + 1) * cadence;
        var last = (long)Math.Ceiling(to.ToUnixTimeMilliseconds() / 1000.0 / cadence) * cadence;
        var range = alarm.EvaluationPeriods + 2;
        var state = AlarmState.InsufficientData;
        var transitions = new List<AlarmTransition>();
        var evaluations = 0;
        var mostBreaching = 0;
        double? peak = null;
        var greater = alarm.Comparison is Comparison.GreaterThanThreshold or Comparison.GreaterThanOrEqualToThreshold;
        for (var t = first; t <= Math.Max(first, last); t += cadence)
        {
            var slots = new (DateTimeOffset Start, double? Value)[range];
            for (var j = 0; j < range; j++)
            {
                var start = DateTimeOffset.FromUnixTimeSeconds(t - (long)(range - j) * alarm.PeriodSeconds);
                var lo = LowerBound(ticks, start.UtcTicks);
                var hi = LowerBound(ticks, start.AddSeconds(alarm.PeriodSeconds).UtcTicks);
                double? value = hi > lo ? alarm.Statistic.Of(mine[lo..hi].Select(d => d.Value).ToList()) : null;
                slots[j] = (start, value is double v && double.IsNaN(v) ? null : value);
                if (slots[j].Value is { } pv)
                {
                    peak = peak is not { } p0 ? pv : greater ? Math.Max(p0, pv) : Math.Min(p0, pv);
                }
            }

            var decision = Decide(slots.Select(s => s.Value is { } v ? alarm.Breaches(v) : (bool?)null).ToList(), alarm.EvaluationPeriods, alarm.DatapointsToAlarm, alarm.EffectiveMissingData);
            evaluations++;
            mostBreaching = Math.Max(mostBreaching, decision.Breaching);
            if (decision.State is { } next && next != state)
            {
                var when = DateTimeOffset.FromUnixTimeSeconds(t);
                transitions.Add(new AlarmTransition(when, state, next, Reason(alarm, next, decision, slots)));
                state = next;
            }
        }

        return new AlarmOutcome(alarm, state, transitions, evaluations, mostBreaching, peak);
    }

    /// <summary>
    /// One evaluation over an evaluation range (oldest first; true = breaching, false = not breaching, null = missing)
    /// for an M (<paramref name="datapointsToAlarm"/>) out of N (<paramref name="evaluationPeriods"/>) alarm: the rules of
    /// "How alarm state is evaluated when data is missing" and "Avoiding premature transitions to alarm state".
    /// </summary>
    public static AlarmDecision Decide(IReadOnlyList<bool?> range, int evaluationPeriods, int datapointsToAlarm, MissingData treat)
    {
        var n = evaluationPeriods;
        var m = datapointsToAlarm;
        var real = Enumerable.Range(0, range.Count).Where(i => range[i] is not null).ToList();
        if (real.Count >= n)
        {
            // Enough real datapoints: the N most recent; how missing data is treated does not matter.
            var evaluated = real.Skip(real.Count - n).ToList();
            var b = evaluated.Count(i => range[i] == true);
            return new AlarmDecision(b >= m ? AlarmState.Alarm : AlarmState.Ok, b, 0, 0, evaluated);
        }

        var breaching = real.Count(i => range[i] == true);
        var fill = n - real.Count;
        switch (treat)
        {
            case MissingData.Breaching:
                return new AlarmDecision(breaching + fill >= m ? AlarmState.Alarm : AlarmState.Ok, breaching, fill, 0, real);
            case MissingData.NotBreaching:
                return new AlarmDecision(breaching >= m ? AlarmState.Alarm : AlarmState.Ok, breaching, 0, fill, real);
        }

        // missing or ignore, fewer than N real datapoints.
        if (breaching >= m)
        {
            return new AlarmDecision(AlarmState.Alarm, breaching, 0, 0, real);
        }

        if (real.Count > 0 && breaching < real.Count)
        {
            // A real non-breaching datapoint: not enough breaching ones to alarm.
            return new AlarmDecision(AlarmState.Ok, breaching, 0, 0, real);
        }

        if (treat == MissingData.Ignore)
        {
            return new AlarmDecision(null, breaching, 0, 0, real);
        }

        if (real.Count > 0 && range.Count - real[0] >= m)
        {
            // Premature-alarm rule: the oldest breaching datapoint is at least M periods old and the more recent ones are breaching or missing.
            return new AlarmDecision(AlarmState.Alarm, breaching, 0, 0, real, Premature: true);
        }

        return new AlarmDecision(AlarmState.InsufficientData, breaching, 0, 0, real);
    }

    private static string Reason(AlarmDefinition a, AlarmState next, AlarmDecision d, (DateTimeOffset Start, double? Value)[] slots)
    {
        var n = a.EvaluationPeriods;
        string Points(IReadOnlyList<int> indexes) => indexes.Count == 0 ? "" :
            " [" + string.Join(", ", indexes.Reverse().Select(i => $"{Number(slots[i].Value!.Value)} ({slots[i].Start.UtcDateTime.ToString("dd/MM/yy HH:mm:ss", CultureInfo.InvariantCulture)})")) + "]";
        static string Plural(int k, string one, string many) => k == 1 ? one : many;

        if (next == AlarmState.InsufficientData)
        {
            var unknown = n - d.Evaluated.Count;
            return $"Insufficient Data: {unknown} {Plural(unknown, "datapoint was", "datapoints were")} unknown.";
        }

        if (d.Evaluated.Count == 0)
        {
            var filled = d.FilledBreaching + d.FilledNotBreaching;
            return $"Threshold Crossed: no datapoints were received for {n} {Plural(n, "period", "periods")} and {filled} missing {Plural(filled, "datapoint was", "datapoints were")} treated as [{(d.FilledBreaching > 0 ? "Breaching" : "NonBreaching")}].";
        }

        var sb = new StringBuilder("Threshold Crossed: ");
        if (next == AlarmState.Alarm)
        {
            var breaching = d.Evaluated.Where(i => slots[i].Value is { } v && a.Breaches(v)).ToList();
            var k = breaching.Count + d.FilledBreaching;
            sb.Append(CultureInfo.InvariantCulture, $"{k} out of the last {n} datapoints{Points(breaching)} {Plural(k, "was", "were")} {a.ComparisonText} the threshold ({Number(a.Threshold)})");
            if (d.FilledBreaching > 0)
            {
                sb.Append(CultureInfo.InvariantCulture, $" with {d.FilledBreaching} missing {Plural(d.FilledBreaching, "datapoint", "datapoints")} treated as [Breaching]");
            }

            sb.Append(CultureInfo.InvariantCulture, $" (minimum {a.DatapointsToAlarm} {Plural(a.DatapointsToAlarm, "datapoint", "datapoints")} for OK -> ALARM transition).");
        }
        else
        {
            var fine = d.Evaluated.Where(i => slots[i].Value is { } v && !a.Breaches(v)).ToList();
            var k = fine.Count + d.FilledNotBreaching;
            var minimum = n - a.DatapointsToAlarm + 1;
            sb.Append(CultureInfo.InvariantCulture, $"{k} out of the last {n} datapoints{Points(fine)} {Plural(k, "was", "were")} not {a.ComparisonText} the threshold ({Number(a.Threshold)})");
            if (d.FilledNotBreaching > 0)
            {
                sb.Append(CultureInfo.InvariantCulture, $" with {d.FilledNotBreaching} missing {Plural(d.FilledNotBreaching, "datapoint", "datapoints")} treated as [NonBreaching]");
            }

            sb.Append(CultureInfo.InvariantCulture, $" (minimum {minimum} {Plural(minimum, "datapoint", "datapoints")} for ALARM -> OK transition).");
        }

        return sb.ToString();
    }

    /// <summary>A value as CloudWatch prints it in a state reason (Java's double format: <c>1.0</c>, <c>0.25</c>).</summary>
    public static string Number(double value) =>
        value == Math.Floor(value) && Math.Abs(value) < 1e7 ? value.ToString("0.0", CultureInfo.InvariantCulture) : value.ToString("R", CultureInfo.InvariantCulture);

    private static int LowerBound(long[] sorted, long value)
    {
        int lo = 0, hi = sorted.Length;
        while (lo < hi)
        {
            var mid = (lo + hi) / 2;
            if (sorted[mid] < value)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo;
    }
}
