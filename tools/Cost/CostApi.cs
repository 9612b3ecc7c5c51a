namespace FraudTf.Cost;

/// <summary>
/// The cost and capacity report as a library (the CLI, <c>make cost</c> and the promotion report use it):
/// <list type="bullet">
/// <item><see cref="ForEnvironment"/>: the report of one environment's synthesized stack, all inputs from the repository;</item>
/// <item><see cref="Report(StackDocument, EnvironmentConfig, PriceBook, AssumptionBook)"/>: the same from inputs already loaded
/// (e.g. a stack synthesized before a change);</item>
/// <item><see cref="Diff"/>: per resource and in total, what one report costs more or less than another
/// (two environments, or a stack before and after a change);</item>
/// <item><see cref="CostMarkdown"/>: both as Markdown.</item>
/// </list>
/// Every input problem throws <see cref="CostDataException"/> (or <see cref="ConfigValidationException"/> for the
/// environment files) with a message naming the file, the key or resource, and the fix.
/// </summary>
public static class CostApi
{
    /// <summary>The price file, relative to the repository root.</summary>
    public static string PricesFile(string region) => $"tools/Cost/data/prices-{region}.json";

    /// <summary>The assumptions file, relative to the repository root.</summary>
    public const string AssumptionsFile = "tools/Cost/data/assumptions.json";

    /// <summary>
    /// The stream processor's measured figures (batch durations, CPU per record), relative to the repository root:
    /// written by <c>bench/processor.sh</c> with its machine, load and date, and checked in; its <c>values</c> join the
    /// assumptions (a key in both files is an error), each naming that source.
    /// </summary>
    public const string MeasuredFile = "bench/measured/stream-processor.json";

    /// <summary>The synthesized stack of <paramref name="config"/>, relative to the repository root.</summary>
    public static string StackFile(EnvironmentConfig config) => $"cdktf.out/stacks/{config.StackName}/cdk.tf.json";

    /// <summary>Loads every environment config (validated by the app's strict loader) from <c>environments/</c>.</summary>
    public static IReadOnlyList<EnvironmentConfig> LoadEnvironments(string repoRoot) =>
        EnvironmentConfigLoader.LoadAll(Path.Combine(repoRoot, "environments"));

    /// <summary>
    /// The report of environment <paramref name="environment"/>: its stack from <c>cdktf.out/</c> (run synth first),
    /// its traffic profile from <c>environments/</c>, prices of its region, the assumptions from <c>tools/Cost/data/</c> and
    /// the measured figures (<see cref="MeasuredFile"/>).
    /// </summary>
    public static CostReport ForEnvironment(string repoRoot, string environment, string? stackPath = null)
    {
        var configs = LoadEnvironments(repoRoot);
        var config = configs.FirstOrDefault(c => c.Environment == environment)
            ?? throw new CostDataException($"unknown environment '{environment}'. Fix: use one of {string.Join(", ", configs.Select(c => c.Environment))}.");
        var stackDisplay = stackPath ?? StackFile(config);
        var stack = CostStack.Load(stackPath ?? Path.Combine(repoRoot, StackFile(config)), stackDisplay);
        return Report(stack, config, LoadPrices(repoRoot, config.Region), LoadAssumptions(repoRoot));
    }

    /// <summary>The price book of <paramref name="region"/> from the repository.</summary>
    public static PriceBook LoadPrices(string repoRoot, string region) =>
        PriceBook.Load(Path.Combine(repoRoot, PricesFile(region)), PricesFile(region));

    /// <summary>The assumptions from the repository, with the benchmark's measured figures (<see cref="MeasuredFile"/>).</summary>
    public static AssumptionBook LoadAssumptions(string repoRoot) =>
        AssumptionBook.Load(Path.Combine(repoRoot, AssumptionsFile), AssumptionsFile)
            .With(AssumptionBook.Load(Path.Combine(repoRoot, MeasuredFile), MeasuredFile));

    /// <summary>The monthly cost of every resource of <paramref name="stack"/> and the environment's capacity.</summary>
    public static CostReport Report(StackDocument stack, EnvironmentConfig config, PriceBook prices, AssumptionBook assumptions)
    {
        if (prices.Region != config.Region)
        {
            throw new CostDataException($"{prices.File}: prices are for {prices.Region}, but {config.SourceFile} deploys to {config.Region}. " +
                                        $"Fix: add {PricesFile(config.Region)} with that region's prices.");
        }

        var a = assumptions.Fresh();
        var w = new Workload(stack, config, a);
        var models = new CostModels(w, prices);
        var costs = new List<ResourceCost>();
        var free = new SortedDictionary<string, int>(StringComparer.Ordinal);
        foreach (var r in stack.Resources)
        {
            if (CostModels.Free.ContainsKey(r.Type))
            {
                free[r.Type] = free.GetValueOrDefault(r.Type) + 1;
                continue;
            }

            costs.Add(new ResourceCost(r.Address, r.Type, DisplayName(stack, r), models.For(r)));
        }

        var capacity = Capacity.Analyse(w);
        return new CostReport(config.Environment, stack.File, config.Traffic, prices, costs,
            free.Select(f => (f.Key, f.Value, CostModels.Free[f.Key])).ToList(), capacity, a.Used, models.Findings);
    }

    /// <summary>
    /// Per resource (matched by Terraform address) and in total, how much <paramref name="to"/> costs more (positive)
    /// or less than <paramref name="from"/>. Labels default to the reports' environments.
    /// </summary>
    public static CostDiff Diff(CostReport from, CostReport to, string? fromLabel = null, string? toLabel = null)
    {
        var a = from.Resources.ToDictionary(r => r.Address, StringComparer.Ordinal);
        var b = to.Resources.ToDictionary(r => r.Address, StringComparer.Ordinal);
        var rows = a.Keys.Union(b.Keys).Order(StringComparer.Ordinal).Select(k =>
        {
            a.TryGetValue(k, out var x);
            b.TryGetValue(k, out var y);
            return new ResourceCostDelta(k, (x ?? y)!.Type, x?.DisplayName, y?.DisplayName, x?.MonthlyUsd ?? 0, y?.MonthlyUsd ?? 0);
        }).ToList();
        return new CostDiff(fromLabel ?? from.Environment, toLabel ?? to.Environment, from.TotalUsd, to.TotalUsd, rows);
    }

    private static string DisplayName(StackDocument stack, StackResource r)
    {
        if (r.Type == "aws_kms_key" && stack.Referencing(r, "aws_kms_alias").Select(x => x.Str("name")).FirstOrDefault(n => n is not null) is { } alias)
        {
            return alias;
        }

        // Networking parts: the endpoint's service, or the Name tag (NAT gateways and their addresses).
        if (CostModels.NetworkTypes.Contains(r.Type))
        {
            foreach (var attribute in new[] { "name", "service_name", "tags.Name" })
            {
                if (r.Str(attribute) is { } v && !v.Contains("${", StringComparison.Ordinal))
                {
                    return v;
                }
            }
        }

        foreach (var attribute in new[] { "name", "function_name", "bucket", "alarm_name", "dashboard_name", "rule_name", "agent_name" })
        {
            if (r.Str(attribute) is { } v && !v.Contains("${", StringComparison.Ordinal))
            {
                return v;
            }
        }

        return r.Name;
    }
}
