namespace FraudTf.Cost;

/// <summary>
/// One priced quantity of one resource: <see cref="Quantity"/> units a month at <see cref="Price"/>, and the
/// assumption that produced the quantity, in words.
/// </summary>
public sealed record CostLine(string Item, double Quantity, Price Price, string Basis)
{
    /// <summary>Monthly cost in USD.</summary>
    public double MonthlyUsd => Quantity * Price.UnitUsd;
}

/// <summary>The monthly cost of one resource of the stack, line by line.</summary>
public sealed record ResourceCost(string Address, string Type, string DisplayName, IReadOnlyList<CostLine> Lines)
{
    /// <summary>Sum of the lines, in USD per month.</summary>
    public double MonthlyUsd => Lines.Sum(l => l.MonthlyUsd);
}

/// <summary>One limit that caps the transactions per second an environment sustains.</summary>
/// <param name="Limit">What limits, e.g. "Lambda concurrency of fraud-detection-stream-processor-prod".</param>
/// <param name="MaxTps">Transactions per second the environment sustains under this limit alone.</param>
/// <param name="Basis">How the figure follows from the stack and the assumptions.</param>
/// <param name="ForTenTimes">What to change to sustain 10x the profile's peak ("" when it already does).</param>
/// <param name="ScalesOnDemand">True for an on-demand limit that rises by itself after traffic has reached it (a new stream or table).</param>
public sealed record CapacityLimit(string Limit, double MaxTps, string Basis, string ForTenTimes, bool ScalesOnDemand = false);

/// <summary>Capacity of one environment under its traffic profile.</summary>
public sealed record CapacityReport(
    double PeakTps,
    IReadOnlyList<CapacityLimit> Limits,
    IReadOnlyList<string> PerKeyLimits,
    IReadOnlyList<string> AgentLimits)
{
    /// <summary>The limit that binds first (lowest <see cref="CapacityLimit.MaxTps"/>).</summary>
    public CapacityLimit Binding => Limits.OrderBy(l => l.MaxTps).ThenBy(l => l.Limit, StringComparer.Ordinal).First();

    /// <summary>Peak transactions per second the environment sustains as configured.</summary>
    public double SustainedTps => Binding.MaxTps;

    /// <summary>The first limit that does not rise by itself (once on-demand streams and tables have scaled); null if none.</summary>
    public CapacityLimit? FixedBinding => Limits.Where(l => !l.ScalesOnDemand).OrderBy(l => l.MaxTps).ThenBy(l => l.Limit, StringComparer.Ordinal).FirstOrDefault();
}

/// <summary>
/// The monthly cost and the capacity of one environment's synthesized stack under its traffic profile.
/// Build it with <see cref="CostApi.Report(StackDocument, EnvironmentConfig, PriceBook, AssumptionBook)"/>.
/// </summary>
public sealed record CostReport(
    string Environment,
    string StackFile,
    TrafficConfig Traffic,
    PriceBook Prices,
    IReadOnlyList<ResourceCost> Resources,
    IReadOnlyList<(string Type, int Count, string Why)> FreeResources,
    CapacityReport Capacity,
    IReadOnlyList<Assumption> Assumptions,
    IReadOnlyList<string> Findings)
{
    /// <summary>Total monthly cost in USD.</summary>
    public double TotalUsd => Resources.Sum(r => r.MonthlyUsd);

    /// <summary>The private-networking resources (endpoints, NAT gateways, their addresses); none when networking is off.</summary>
    public IReadOnlyList<ResourceCost> Networking => Resources.Where(r => CostModels.NetworkTypes.Contains(r.Type)).ToList();

    /// <summary>Monthly cost of <see cref="Networking"/> in USD.</summary>
    public double NetworkingUsd => Networking.Sum(r => r.MonthlyUsd);

    /// <summary>Monthly cost per Terraform type, largest first.</summary>
    public IReadOnlyList<(string Type, double Usd)> ByType => Resources
        .GroupBy(r => r.Type).Select(g => (g.Key, g.Sum(r => r.MonthlyUsd)))
        .OrderByDescending(t => t.Item2).ThenBy(t => t.Key, StringComparer.Ordinal).ToList();
}

/// <summary>How one resource's monthly cost differs between two reports (absent on one side = 0 there).</summary>
public sealed record ResourceCostDelta(string Address, string Type, string? FromName, string? ToName, double FromUsd, double ToUsd)
{
    /// <summary><see cref="ToUsd"/> minus <see cref="FromUsd"/>.</summary>
    public double DeltaUsd => ToUsd - FromUsd;
}

/// <summary>
/// The difference between two cost reports, per resource (matched by Terraform address, which is the same in every
/// environment's stack) and in total. Build it with <see cref="CostApi.Diff"/>.
/// </summary>
public sealed record CostDiff(string FromLabel, string ToLabel, double FromTotalUsd, double ToTotalUsd, IReadOnlyList<ResourceCostDelta> Resources)
{
    /// <summary>Total of <c>to</c> minus total of <c>from</c>, USD per month.</summary>
    public double DeltaUsd => ToTotalUsd - FromTotalUsd;

    /// <summary>The resources whose cost changed (by more than a hundredth of a cent), largest change first.</summary>
    public IReadOnlyList<ResourceCostDelta> Changed => Resources.Where(r => Math.Abs(r.DeltaUsd) >= 0.0001)
        .OrderByDescending(r => Math.Abs(r.DeltaUsd)).ThenBy(r => r.Address, StringComparer.Ordinal).ToList();
}
