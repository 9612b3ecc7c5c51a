namespace FraudTf.Local.Run;

/// <summary>An injected failure of a local run.</summary>
/// <param name="Kind">throttle (a table refuses every call for a window) or corrupt-profile (stored profile rows that cannot be read).</param>
/// <param name="Target">The table's logical name (e.g. user-profiles) for throttle; the number of users for corrupt-profile.</param>
/// <param name="From">Start, seconds after the traffic starts (throttle).</param>
/// <param name="Until">End, seconds after the traffic starts (throttle).</param>
public sealed record Fault(string Kind, string Target, double From, double Until)
{
    /// <summary>The syntax, for messages.</summary>
    public const string Syntax = "throttle:<table>:<from>-<until> (seconds after the traffic starts, e.g. throttle:user-profiles:3-8) or corrupt-profile:<users> (e.g. corrupt-profile:2)";

    /// <summary>Parses one fault.</summary>
    public static Fault Parse(string text)
    {
        var parts = text.Split(':');
        try
        {
            switch (parts[0])
            {
                case "throttle" when parts.Length == 3:
                    var window = parts[2].Split('-');
                    var from = double.Parse(window[0], CultureInfo.InvariantCulture);
                    var until = double.Parse(window[1], CultureInfo.InvariantCulture);
                    if (from < 0 || until <= from)
                    {
                        break;
                    }

                    return new Fault("throttle", parts[1], from, until);
                case "corrupt-profile" when parts.Length == 2 && int.Parse(parts[1], CultureInfo.InvariantCulture) > 0:
                    return new Fault("corrupt-profile", parts[1], 0, 0);
            }
        }
        catch (Exception e) when (e is FormatException or IndexOutOfRangeException or OverflowException)
        {
        }

        throw new ArgumentException($"FAULT '{text}' is not understood. Fix: use {Syntax}; separate several with commas.");
    }

    /// <summary>How the report names it.</summary>
    public override string ToString() => Kind == "throttle"
        ? string.Create(CultureInfo.InvariantCulture, $"table {Target} throttled from {From:0.#} s to {Until:0.#} s")
        : $"{Target} stored user profiles corrupted before the run";
}

/// <summary>What <c>make local</c> runs.</summary>
public sealed record LocalOptions
{
    /// <summary>The environment whose synthesized stack runs.</summary>
    public string Environment { get; init; } = "dev";

    /// <summary>The repository root (engines are under tests/emulators).</summary>
    public required string RepoRoot { get; init; }

    /// <summary>cdktf.out.</summary>
    public required string OutDir { get; init; }

    /// <summary>The traffic: mix (every scenario) or one scenario with the legitimate background.</summary>
    public string Scenario { get; init; } = "mix";

    /// <summary>How long traffic is sent.</summary>
    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Records per second.</summary>
    public double Rate { get; init; } = 20;

    /// <summary>The seed of the traffic.</summary>
    public int Seed { get; init; } = 42;

    /// <summary>Injected failures.</summary>
    public IReadOnlyList<Fault> Faults { get; init; } = [];

    /// <summary>How long the run may take to drain after the traffic ends.</summary>
    public TimeSpan DrainTimeout { get; init; } = TimeSpan.FromSeconds(120);

    /// <summary>Lambda's asynchronous retry delays (1 and 2 minutes in AWS), compressed for a run of seconds.</summary>
    public IReadOnlyList<TimeSpan> AsyncRetryDelays { get; init; } = [TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2)];

    /// <summary>Where the report goes (cdktf.out/local-&lt;env&gt;.md), with its charts beside it.</summary>
    public string ReportPath => Path.Combine(OutDir, $"local-{Environment}.md");

    /// <summary>Parses <c>--name value</c> arguments (the Makefile passes ENV, SCENARIO, DURATION, RATE, SEED, FAULT).</summary>
    public static LocalOptions Parse(IReadOnlyList<string> args, string repoRoot)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < args.Count; i++)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal) || (i + 1 >= args.Count && args[i] != "--baseline"))
            {
                throw new ArgumentException($"argument '{args[i]}' is not understood. Fix: pass --env, --scenario, --duration, --rate, --seed, --fault, --out, each with a value.");
            }

            if (args[i] == "--baseline")
            {
                continue;
            }

            values[args[i][2..]] = args[++i];
        }

        string? Get(string name) => values.TryGetValue(name, out var v) && v.Length > 0 ? v : null;
        var duration = Get("duration") is { } d ? ParseDuration(d) : TimeSpan.FromSeconds(30);
        var rate = Get("rate") is { } r ? double.Parse(r, CultureInfo.InvariantCulture) : 20;
        if (rate is <= 0 or > 5_000)
        {
            throw new ArgumentException($"RATE={rate} is out of range. Fix: give records per second between 1 and 5000.");
        }

        return new LocalOptions
        {
            Environment = Get("env") ?? "dev",
            RepoRoot = repoRoot,
            OutDir = Get("out") ?? Path.Combine(repoRoot, "cdktf.out"),
            Scenario = Get("scenario") ?? "mix",
            Duration = duration,
            Rate = rate,
            Seed = Get("seed") is { } s ? int.Parse(s, CultureInfo.InvariantCulture) : 42,
            Faults = (Get("fault") ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(Fault.Parse).ToList(),
        };
    }

    /// <summary>30, 30s, 2m.</summary>
    public static TimeSpan ParseDuration(string text)
    {
        var unit = text[^1];
        var number = char.IsDigit(unit) ? text : text[..^1];
        if (!double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out var n) || n <= 0 || (!char.IsDigit(unit) && unit is not 's' and not 'm'))
        {
            throw new ArgumentException($"DURATION={text} is not understood. Fix: give seconds (30 or 30s) or minutes (2m).");
        }

        return unit == 'm' ? TimeSpan.FromMinutes(n) : TimeSpan.FromSeconds(n);
    }
}
