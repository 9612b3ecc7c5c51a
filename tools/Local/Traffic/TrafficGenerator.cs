using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using FraudTf.Functions.Shared.Transactions;

// Alike on purpose: the options records here, the functions' Settings records and PackagedFunction share the shape of an
// init-only record of documented properties; they describe different things.
namespace FraudTf.Local.Traffic;

/// <summary>What to generate.</summary>
public sealed record TrafficOptions
{
    /// <summary>Seed of the generator: the same options give the same bytes.</summary>
    public required int Seed { get; init; }

    /// <summary>Records per second of the run (the sender's pace).</summary>
    public required double RecordsPerSecond { get; init; }

    /// <summary>Length of the run; the record count is RecordsPerSecond x Duration, rounded.</summary>
    public required TimeSpan Duration { get; init; }

    /// <summary>
    /// The end of the simulated period: every event time lies in [Start - SimulatedSpan, Start), so none is in the future
    /// of a consumer that starts at Start (the parser refuses timestamps more than 5 minutes ahead). Pass the run's
    /// start; the generator never reads a clock.
    /// </summary>
    public required DateTimeOffset Start { get; init; }

    /// <summary>The scenario mix. Omitted: <see cref="TrafficMix.Default"/>.</summary>
    public TrafficMix Mix { get; init; } = TrafficMix.Default;

    /// <summary>Size of the legitimate population. Omitted: one user per 8 legitimate records (at least 1).</summary>
    public int? Users { get; init; }

    /// <summary>
    /// The simulated time the run covers. Omitted: one day, so the daily rhythm shows in a short run. Between 1 hour and
    /// 365 days (the parser refuses timestamps older than 731 days).
    /// </summary>
    public TimeSpan SimulatedSpan { get; init; } = TimeSpan.FromDays(1);

    /// <summary>How many records the run has: RecordsPerSecond x Duration, rounded half away from zero.</summary>
    public int Count => (int)Math.Round(RecordsPerSecond * Duration.TotalSeconds, MidpointRounding.AwayFromZero);
}

/// <summary>The generated records, in send order, and the legitimate population that produced the legitimate ones.</summary>
/// <param name="Records">The records in send order.</param>
/// <param name="Users">The legitimate users' habits (the fraud scenarios' users are not in it).</param>
public sealed record GeneratedTraffic(IReadOnlyList<LabelledRecord> Records, IReadOnlyList<UserHabits> Users);

/// <summary>
/// Labelled, deterministic transaction traffic for the transactions stream: a legitimate population with habits, fraud
/// scenarios, malformed records and duplicate replays, in send order. Only <see cref="System.Random"/> seeded with
/// <see cref="TrafficOptions.Seed"/>; no clock, no I/O (a backtest runs the same records in process).
/// <para>
/// Simulated time: all transactions of the simulated span (default one day ending at <see cref="TrafficOptions.Start"/>)
/// are drawn with their event times, sorted by event time, and sent at a constant rate; so a run of any length covers the
/// whole simulated day, and quiet simulated night hours pass faster in run time than busy daytime hours. Legitimate event
/// times follow <see cref="Habits.HourlyActivity"/> in the user's local time (home country's standard offset); fraud
/// episodes keep their real-world pace (card testing within minutes, a burst within a minute) in simulated time.
/// </para>
/// <para>
/// Partition key: the user id (the payer), so one user's records map to one shard and stay in order (Amazon Kinesis Data
/// Streams Developer Guide, "Terminology and concepts": records with the same partition key go to the same shard).
/// </para>
/// <para>
/// Labels: a fraud scenario's records include the history it builds first for its victim (account takeover, amount
/// spike): those carry the scenario's name with IsFraud false, and count towards the scenario's share. A replay carries
/// the scenario <c>duplicate-replay</c>, its original's transaction id and IsFraud. Malformed records have no
/// transaction id. Ids reveal nothing of the label (users, merchants and devices are random numbers from one space).
/// </para>
/// <para>
/// Malformed mix (of the malformed share): invalid JSON 20%, wrong type 20%, missing field 20%, bad currency 15%,
/// negative amount 15%, oversized 10% (see <see cref="MalformedKind"/>).
/// </para>
/// </summary>
public sealed class TrafficGenerator
{
    /// <summary>The serializer options of the transaction body: the shared <see cref="Transaction"/> type in camelCase, nulls left out (source-generated).</summary>
    public static JsonSerializerOptions BodyJson => TrafficJsonContext.Default.Options;

    private static readonly (MalformedKind Kind, double Weight)[] MalformedMix =
    [
        (MalformedKind.InvalidJson, 20), (MalformedKind.WrongType, 20), (MalformedKind.MissingField, 20),
        (MalformedKind.BadCurrency, 15), (MalformedKind.NegativeAmount, 15), (MalformedKind.Oversized, 10),
    ];

    private static readonly string[] BadCurrencies = ["eur", "usd", "EURO", "US$", "XBT", "ZZZ", "€"];

    private readonly TrafficOptions _o;
    private readonly Random _rng;
    private readonly HashSet<string> _ids = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Country, string Mcc), List<string>> _merchantPools = [];
    private readonly DateTimeOffset _from;
    private readonly DateTimeOffset _to;
    private long _order;

    private TrafficGenerator(TrafficOptions options)
    {
        _o = options;
        _rng = new Random(options.Seed);
        _to = options.Start;
        _from = options.Start - options.SimulatedSpan;
    }

    /// <summary>Generates the traffic of <paramref name="options"/>.</summary>
    public static GeneratedTraffic Generate(TrafficOptions options)
    {
        Validate(options);
        return new TrafficGenerator(options).Run();
    }

    private static void Validate(TrafficOptions o)
    {
        if (!(o.RecordsPerSecond > 0) || double.IsInfinity(o.RecordsPerSecond))
        {
            throw new ArgumentException($"RecordsPerSecond is {o.RecordsPerSecond.ToString(CultureInfo.InvariantCulture)}. Fix: give a rate above 0, e.g. 50.", nameof(o));
        }

        if (o.Duration <= TimeSpan.Zero)
        {
            throw new ArgumentException($"Duration is {o.Duration}. Fix: give a positive duration, e.g. 60 seconds.", nameof(o));
        }

        var count = o.RecordsPerSecond * o.Duration.TotalSeconds;
        if (count < 0.5 || count > 10_000_000)
        {
            throw new ArgumentException($"RecordsPerSecond x Duration is {count.ToString("0.##", CultureInfo.InvariantCulture)} records. Fix: make it between 1 and 10,000,000.", nameof(o));
        }

        if (o.SimulatedSpan < TimeSpan.FromHours(1) || o.SimulatedSpan > TimeSpan.FromDays(365))
        {
            throw new ArgumentException($"SimulatedSpan is {o.SimulatedSpan}. Fix: give between 1 hour and 365 days (the parser refuses timestamps older than {TransactionParser.MaxAge.TotalDays} days).", nameof(o));
        }

        if (o.Users is < 1)
        {
            throw new ArgumentException($"Users is {o.Users}. Fix: give at least 1, or omit it (one user per 8 legitimate records).", nameof(o));
        }
    }

    private GeneratedTraffic Run()
    {
        var total = _o.Count;
        var counts = _o.Mix.Split(total);
        var runTag = _rng.Next(0x100000, 0x1000000).ToString("x6", CultureInfo.InvariantCulture);

        var drafts = new List<Draft>(total);
        foreach (var scenario in Scenarios.Fraud)
        {
            var remaining = counts[scenario];
            while (remaining >= MinEpisode(scenario))
            {
                var episode = Episode(scenario, remaining);
                drafts.AddRange(episode);
                remaining -= episode.Count;
            }

            counts[scenario] -= remaining;
            counts[Scenarios.Legitimate] += remaining;
        }

        if (counts[Scenarios.Legitimate] + drafts.Count == 0 && counts[Scenarios.DuplicateReplay] > 0)
        {
            // Nothing valid to replay: the replays' share becomes legitimate traffic.
            counts[Scenarios.Legitimate] += counts[Scenarios.DuplicateReplay];
            counts[Scenarios.DuplicateReplay] = 0;
        }

        var legitCount = counts[Scenarios.Legitimate];
        var users = Enumerable.Range(0, _o.Users ?? Math.Max(1, (int)Math.Round(legitCount / 8.0))).Select(_ => NewHabits()).ToList();
        var cumulative = new double[users.Count];
        var sum = 0.0;
        for (var i = 0; i < users.Count; i++)
        {
            sum += users[i].Activity;
            cumulative[i] = sum;
        }

        UserHabits PickUser()
        {
            var i = Array.BinarySearch(cumulative, _rng.NextDouble() * sum);
            return users[Math.Min(users.Count - 1, i < 0 ? ~i : i)];
        }

        for (var i = 0; i < legitCount; i++)
        {
            var user = PickUser();
            drafts.Add(new Draft(HabitTransaction(user, SampleTime(user.Home, _from, _to)), Scenarios.Legitimate, false, null, _order++));
        }

        for (var i = 0; i < counts[Scenarios.Malformed]; i++)
        {
            var user = PickUser();
            var defect = Weighted(MalformedMix);
            drafts.Add(new Draft(HabitTransaction(user, SampleTime(user.Home, _from, _to)), Scenarios.Malformed, false, defect, _order++));
        }

        drafts.Sort((a, b) => a.Tx.Timestamp != b.Tx.Timestamp ? a.Tx.Timestamp.CompareTo(b.Tx.Timestamp) : a.Order.CompareTo(b.Order));

        var records = new List<LabelledRecord>(total);
        var valid = 0;
        var malformed = 0;
        foreach (var d in drafts)
        {
            if (d.Defect is { } defect)
            {
                var tx = d.Tx with { TransactionId = string.Create(CultureInfo.InvariantCulture, $"t{runTag}-x{malformed++:D6}") };
                records.Add(new LabelledRecord(tx.UserId, Malform(tx, defect), d.Scenario, false, null, RecordKind.Malformed, tx.Timestamp, defect));
            }
            else
            {
                var tx = d.Tx with { TransactionId = string.Create(CultureInfo.InvariantCulture, $"t{runTag}-{valid++:D7}") };
                records.Add(new LabelledRecord(tx.UserId, JsonSerializer.SerializeToUtf8Bytes(tx, TrafficJsonContext.Default.Transaction), d.Scenario, d.IsFraud, tx.TransactionId, RecordKind.Valid, tx.Timestamp));
            }
        }

        return new GeneratedTraffic(WithReplays(records, counts[Scenarios.DuplicateReplay]), users);
    }

    /// <summary>Inserts exact re-sends of recent valid records (a producer retrying after a timeout), each after its original.</summary>
    private List<LabelledRecord> WithReplays(List<LabelledRecord> records, int count)
    {
        if (count == 0)
        {
            return records;
        }

        var validIndexes = records.Select((r, i) => (r, i)).Where(x => x.r.Kind == RecordKind.Valid).Select(x => x.i).ToList();
        var inserts = new List<(int Before, int Seq, LabelledRecord Record)>(count);
        for (var j = 0; j < count; j++)
        {
            var before = _rng.Next(1, records.Count + 1);
            var c = validIndexes.BinarySearch(before);
            c = c < 0 ? ~c : c; // valid records strictly before `before`
            if (c == 0)
            {
                before = validIndexes[0] + 1;
                c = 1;
            }

            var original = records[validIndexes[_rng.Next(Math.Max(0, c - 50), c)]];
            inserts.Add((before, j, original with { Data = original.Data.ToArray(), Scenario = Scenarios.DuplicateReplay, Kind = RecordKind.Replay }));
        }

        inserts.Sort((a, b) => a.Before != b.Before ? a.Before.CompareTo(b.Before) : a.Seq.CompareTo(b.Seq));
        var result = new List<LabelledRecord>(records.Count + count);
        var k = 0;
        for (var i = 0; i <= records.Count; i++)
        {
            while (k < inserts.Count && inserts[k].Before == i)
            {
                result.Add(inserts[k++].Record);
            }

            if (i < records.Count)
            {
                result.Add(records[i]);
            }
        }

        return result;
    }

    private static int MinEpisode(string scenario) => scenario switch
    {
        Scenarios.CardTesting => 8,
        Scenarios.AccountTakeover => 7,
        Scenarios.VelocityBurst => 6,
        Scenarios.HighRiskMerchant => 1,
        Scenarios.AmountSpike => 7,
        _ => throw new ArgumentOutOfRangeException(nameof(scenario), scenario, "not a fraud scenario"),
    };

    private List<Draft> Episode(string scenario, int budget) => scenario switch
    {
        Scenarios.CardTesting => CardTesting(budget),
        Scenarios.AccountTakeover => AccountTakeover(budget),
        Scenarios.VelocityBurst => VelocityBurst(budget),
        Scenarios.HighRiskMerchant => HighRiskMerchant(budget),
        Scenarios.AmountSpike => AmountSpike(budget),
        _ => throw new ArgumentOutOfRangeException(nameof(scenario), scenario, "not a fraud scenario"),
    };

    /// <summary>A stolen card (no history) tried with 8-20 small amounts at new online merchants within 2-15 minutes.</summary>
    private List<Draft> CardTesting(int budget)
    {
        var n = Math.Min(budget, _rng.Next(8, 21));
        var window = TimeSpan.FromMinutes(2 + (13 * _rng.NextDouble()));
        var country = Weighted(Habits.Countries.Where(c => c.HomeWeight > 0 && c.MinorDigits == 2 && c.PerUsd < 2).Select(c => (c, c.HomeWeight)).ToList());
        var user = NewId("u", 7);
        var device = NewId("d", 12);
        var ip = NewIp();
        var start = _from + ((_o.SimulatedSpan - window) * _rng.NextDouble());
        var result = new List<Draft>(n);
        for (var i = 0; i < n; i++)
        {
            var tx = Tx(user, Math.Round(0.50m + (decimal)(_rng.NextDouble() * 4.49), 2), country, NewId("m", 7),
                Habits.CardTestingCategories[_rng.Next(Habits.CardTestingCategories.Count)], Ms(start + (window * _rng.NextDouble())), device, ip, "web");
            result.Add(new Draft(tx, Scenarios.CardTesting, true, null, _order++));
        }

        return result;
    }

    /// <summary>
    /// A user builds 5-10 transactions of history (IsFraud false) in the first 60% of the span; then, within up to an
    /// hour, 2-5 large purchases from a new country, a new device and a new IP, in the account's currency.
    /// </summary>
    private List<Draft> AccountTakeover(int budget)
    {
        var h = _rng.Next(5, 11);
        var k = _rng.Next(2, 6);
        if (h + k > budget)
        {
            k = 2;
            h = budget - k;
        }

        var victim = NewHabits();
        var result = History(victim, h, Scenarios.AccountTakeover, _from + (_o.SimulatedSpan * 0.6));
        var maxHistory = result.Max(d => d.Tx.Amount);
        var earliest = Max(result.Max(d => d.Tx.Timestamp), _from + (_o.SimulatedSpan * 0.6));
        var window = TimeSpan.FromMinutes(Math.Min(5 + (55 * _rng.NextDouble()), (_to - earliest).TotalMinutes / 2));
        var start = earliest + ((_to - window - earliest) * _rng.NextDouble());
        var origin = Weighted(Habits.Countries.Where(c => c.OriginWeight > 0 && c.Code != victim.Home.Code).Select(c => (c, c.OriginWeight)).ToList());
        var device = NewId("d", 12);
        var ip = NewIp();
        var times = Enumerable.Range(0, k).Select(_ => Ms(start + (window * _rng.NextDouble()))).Order().ToList();
        foreach (var t in times)
        {
            var large = Math.Max(victim.MedianAmount * (5 + (15 * _rng.NextDouble())), (double)maxHistory * (1.5 + (1.5 * _rng.NextDouble())));
            var mcc = Habits.TakeoverCategories[_rng.Next(Habits.TakeoverCategories.Count)];
            var tx = Tx(victim.UserId, Amount(large, victim.Home), origin, Merchant(origin.Code, mcc), mcc, t, device, ip, _rng.NextDouble() < 0.5 ? "web" : "mobile")
                with { Currency = victim.Home.Currency };
            result.Add(new Draft(tx, Scenarios.AccountTakeover, true, null, _order++));
        }

        return result;
    }

    /// <summary>
    /// A user making 6-15 transactions of their usual size and categories within 20-60 seconds, scripted from one of
    /// their devices (web or mobile, one IP): no card-present purchase happens seconds apart.
    /// </summary>
    private List<Draft> VelocityBurst(int budget)
    {
        var n = Math.Min(budget, _rng.Next(6, 16));
        var user = NewHabits();
        var window = TimeSpan.FromSeconds(20 + (40 * _rng.NextDouble()));
        var start = _from + ((_o.SimulatedSpan - window) * _rng.NextDouble());
        var device = user.Devices[_rng.Next(user.Devices.Count)];
        var ip = user.IpAddresses[_rng.Next(user.IpAddresses.Count)];
        var channel = _rng.NextDouble() < 0.5 ? "web" : "mobile";
        return Enumerable.Range(0, n).Select(_ => Ms(start + (window * _rng.NextDouble()))).Order().ToList()
            .Select(t => new Draft(HabitTransaction(user, t) with { Channel = channel, DeviceId = device, IpAddress = ip }, Scenarios.VelocityBurst, true, null, _order++)).ToList();
    }

    /// <summary>1-3 online payments (median 400 USD) at gambling, crypto, money-transfer or stored-value merchants within 2 hours.</summary>
    private List<Draft> HighRiskMerchant(int budget)
    {
        var n = Math.Min(budget, _rng.Next(1, 4));
        var user = NewHabits();
        var window = TimeSpan.FromHours(Math.Min(2, _o.SimulatedSpan.TotalHours / 2));
        var start = _from + ((_o.SimulatedSpan - window) * _rng.NextDouble());
        var result = new List<Draft>(n);
        foreach (var t in Enumerable.Range(0, n).Select(_ => Ms(start + (window * _rng.NextDouble()))).Order().ToList())
        {
            var mcc = Habits.HighRiskCategories[_rng.Next(Habits.HighRiskCategories.Count)];
            var amount = Amount(LogNormal(400 * (double)user.Home.PerUsd, 0.6), user.Home);
            var tx = Tx(user.UserId, amount, user.Home, Merchant(user.Home.Code, mcc), mcc, t, user.Devices[_rng.Next(user.Devices.Count)],
                user.IpAddresses[_rng.Next(user.IpAddresses.Count)], "web");
            result.Add(new Draft(tx, Scenarios.HighRiskMerchant, true, null, _order++));
        }

        return result;
    }

    /// <summary>A user builds 6-12 transactions of history (IsFraud false), then one of their usual kind at 15-50x their median.</summary>
    private List<Draft> AmountSpike(int budget)
    {
        var h = Math.Min(budget - 1, _rng.Next(6, 13));
        var victim = NewHabits();
        var result = History(victim, h, Scenarios.AmountSpike, _from + (_o.SimulatedSpan * 0.7));
        var maxHistory = (double)result.Max(d => d.Tx.Amount);
        var earliest = result.Max(d => d.Tx.Timestamp);
        var t = Ms(earliest + ((_to - earliest) * _rng.NextDouble()));
        var spike = Math.Max(victim.MedianAmount * (15 + (35 * _rng.NextDouble())), maxHistory * (3 + (2 * _rng.NextDouble())));
        result.Add(new Draft(HabitTransaction(victim, t) with { Amount = Amount(spike, victim.Home) }, Scenarios.AmountSpike, true, null, _order++));
        return result;
    }

    private List<Draft> History(UserHabits user, int count, string scenario, DateTimeOffset until) =>
        Enumerable.Range(0, count).Select(_ => SampleTime(user.Home, _from, until)).Order().ToList()
            .Select(t => new Draft(HabitTransaction(user, t), scenario, false, null, _order++)).ToList();

    private UserHabits NewHabits()
    {
        var home = Weighted(Habits.Countries.Where(c => c.HomeWeight > 0).Select(c => (c, c.HomeWeight)).ToList());
        var medianUsd = Math.Clamp(LogNormal(35, 0.7), 3, 2000);
        var sigma = 0.35 + (0.5 * _rng.NextDouble());
        var categoryCount = _rng.Next(2, 6);
        var categories = new List<string>();
        while (categories.Count < categoryCount)
        {
            var mcc = Weighted(Habits.EverydayCategories);
            if (!categories.Contains(mcc))
            {
                categories.Add(mcc);
            }
        }

        var merchants = categories.ToDictionary(c => c, c => (IReadOnlyList<string>)Enumerable.Range(0, _rng.Next(2, 6)).Select(_ => Merchant(home.Code, c)).Distinct().ToList());
        var devices = Enumerable.Range(0, _rng.Next(1, 4)).Select(_ => NewId("d", 12)).ToList();
        var ips = Enumerable.Range(0, _rng.Next(1, 3)).Select(_ => NewIp()).ToList();
        var channels = new List<(string, double)> { ("pos", 1 + (2 * _rng.NextDouble())) };
        if (_rng.NextDouble() < 0.7)
        {
            channels.Add(("web", 0.5 + (1.5 * _rng.NextDouble())));
        }

        if (_rng.NextDouble() < 0.6)
        {
            channels.Add(("mobile", 0.5 + (1.5 * _rng.NextDouble())));
        }

        return new UserHabits(NewId("u", 7), home, medianUsd * (double)home.PerUsd, sigma, categories, merchants, devices, ips, channels, LogNormal(1, 0.7));
    }

    /// <summary>A transaction within the user's habits at <paramref name="t"/>.</summary>
    private Transaction HabitTransaction(UserHabits user, DateTimeOffset t)
    {
        var mcc = user.Categories[_rng.Next(user.Categories.Count)];
        var favourites = user.Merchants[mcc];
        var merchant = _rng.NextDouble() < 0.8 ? favourites[_rng.Next(favourites.Count)] : Merchant(user.Home.Code, mcc);
        var channel = Weighted(user.Channels);
        var online = channel != "pos";
        return Tx(user.UserId, Amount(TruncatedLogNormal(user.MedianAmount, user.Sigma), user.Home), user.Home, merchant, mcc, t,
            online ? user.Devices[_rng.Next(user.Devices.Count)] : null, online ? user.IpAddresses[_rng.Next(user.IpAddresses.Count)] : null, channel);
    }

    private static Transaction Tx(string user, decimal amount, CountryProfile country, string merchant, string mcc, DateTimeOffset t, string? device, string? ip, string channel) => new()
    {
        TransactionId = "",
        UserId = user,
        Amount = amount,
        Currency = country.Currency,
        MerchantId = merchant,
        MerchantCategory = mcc,
        Country = country.Code,
        Timestamp = t,
        DeviceId = device,
        IpAddress = ip,
        Channel = channel,
    };

    private byte[] Malform(Transaction tx, MalformedKind defect)
    {
        var body = JsonSerializer.SerializeToUtf8Bytes(tx, TrafficJsonContext.Default.Transaction);
        if (defect == MalformedKind.InvalidJson)
        {
            return body[..((body.Length / 2) + _rng.Next(-10, 11))];
        }

        var node = JsonNode.Parse(body)!.AsObject();
        string Name(string property) => JsonNamingPolicy.CamelCase.ConvertName(property);
        switch (defect)
        {
            case MalformedKind.WrongType:
                node[Name(nameof(Transaction.Amount))] = tx.Amount.ToString(CultureInfo.InvariantCulture);
                break;
            case MalformedKind.MissingField:
                string[] required = [nameof(Transaction.TransactionId), nameof(Transaction.UserId), nameof(Transaction.Amount), nameof(Transaction.Currency),
                    nameof(Transaction.MerchantId), nameof(Transaction.MerchantCategory), nameof(Transaction.Country), nameof(Transaction.Timestamp)];
                node.Remove(Name(required[_rng.Next(required.Length)]));
                break;
            case MalformedKind.BadCurrency:
                node[Name(nameof(Transaction.Currency))] = BadCurrencies[_rng.Next(BadCurrencies.Length)];
                break;
            case MalformedKind.NegativeAmount:
                node[Name(nameof(Transaction.Amount))] = -tx.Amount;
                break;
            case MalformedKind.Oversized:
                // A producer bug attaching a blob: a device id far over the parser's 16 KiB record limit.
                node[Name(nameof(Transaction.DeviceId))] = string.Concat(Enumerable.Repeat(NewId("d", 12), (TransactionParser.MaxRecordBytes / 13) + 64));
                break;
        }

        return Encoding.UTF8.GetBytes(node.ToJsonString(new JsonSerializerOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }));
    }

    /// <summary>A time in [from, to) drawn from the hourly activity curve in the country's local time (rejection sampling).</summary>
    private DateTimeOffset SampleTime(CountryProfile country, DateTimeOffset from, DateTimeOffset to)
    {
        var max = Habits.HourlyActivity.Max();
        while (true)
        {
            var t = from + ((to - from) * _rng.NextDouble());
            var localHour = t.UtcDateTime.AddMinutes(country.UtcOffsetMinutes).Hour;
            if (_rng.NextDouble() * max < Habits.HourlyActivity[localHour])
            {
                return Ms(t);
            }
        }
    }

    private static DateTimeOffset Ms(DateTimeOffset t) => new(t.UtcTicks - (t.UtcTicks % TimeSpan.TicksPerMillisecond), TimeSpan.Zero);

    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;

    private static decimal Amount(double value, CountryProfile country)
    {
        var amount = Math.Round((decimal)value, country.MinorDigits, MidpointRounding.AwayFromZero);
        var unit = country.MinorDigits == 0 ? 1m : 0.01m;
        return amount < unit ? unit : amount;
    }

    private double StandardNormal()
    {
        var u1 = 1.0 - _rng.NextDouble();
        var u2 = _rng.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }

    private double LogNormal(double median, double sigma) => median * Math.Exp(sigma * StandardNormal());

    /// <summary>Lognormal truncated at 3 sigma (redrawn beyond), so a user's amounts stay within their habit.</summary>
    private double TruncatedLogNormal(double median, double sigma)
    {
        while (true)
        {
            var z = StandardNormal();
            if (Math.Abs(z) <= 3)
            {
                return median * Math.Exp(sigma * z);
            }
        }
    }

    private T Weighted<T>(IReadOnlyList<(T Item, double Weight)> items)
    {
        var x = _rng.NextDouble() * items.Sum(i => i.Weight);
        foreach (var (item, weight) in items)
        {
            x -= weight;
            if (x < 0)
            {
                return item;
            }
        }

        return items[^1].Item;
    }

    private string Merchant(string country, string mcc)
    {
        if (!_merchantPools.TryGetValue((country, mcc), out var pool))
        {
            pool = [];
            _merchantPools[(country, mcc)] = pool;
        }

        if (pool.Count < 25)
        {
            pool.Add(NewId("m", 7));
            return pool[^1];
        }

        return pool[_rng.Next(pool.Count)];
    }

    private string NewId(string prefix, int digits)
    {
        while (true)
        {
            var id = digits == 12
                ? prefix + _rng.NextInt64(0x1000_0000_0000, 0x1_0000_0000_0000).ToString("x12", CultureInfo.InvariantCulture)
                : prefix + _rng.Next(1, 10_000_000).ToString("D7", CultureInfo.InvariantCulture);
            if (_ids.Add(id))
            {
                return id;
            }
        }
    }

    private string NewIp()
    {
        int first;
        do
        {
            first = _rng.Next(11, 224);
        }
        while (first is 127 or 169 or 172 or 192 or 198 or 203 or 100);

        return string.Create(CultureInfo.InvariantCulture, $"{first}.{_rng.Next(0, 256)}.{_rng.Next(0, 256)}.{_rng.Next(1, 255)}");
    }

    private sealed record Draft(Transaction Tx, string Scenario, bool IsFraud, MalformedKind? Defect, long Order);
}

/// <summary>Source-generated serialization of the transaction body (works with reflection disabled, e.g. trimmed or AOT hosts).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(Transaction))]
internal sealed partial class TrafficJsonContext : JsonSerializerContext;
