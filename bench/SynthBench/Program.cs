using FraudTf.Compute;
using FraudTf.Config;
using FraudTf.Platform;

// Usage (from the repository root; bench/synth.sh runs it):
//   SynthBench empty <outdir>        the floor: an app with one stack and one AWS provider block, synthesized
//   SynthBench alarms <N> <outdir>   the same plus N CloudWatch metric alarms (one construct each, no children)
//   SynthBench census                the real app's construct instances by kind, and the leaves that hold no resource
Environment.SetEnvironmentVariable("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION",
    Environment.GetEnvironmentVariable("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION") ?? "20");
switch (args)
{
    case ["empty", var outDir]:
        Synthesize(outDir, 0);
        return 0;
    case ["alarms", var n, var outDir] when int.TryParse(n, out var count) && count >= 0:
        Synthesize(outDir, count);
        return 0;
    case ["census"]:
        Census();
        return 0;
    default:
        Console.Error.WriteLine("usage: SynthBench empty <outdir> | alarms <N> <outdir> | census");
        return 2;
}

static void Synthesize(string outDir, int alarms)
{
    var app = new App(new AppConfig { Outdir = outDir });
    var stack = new TerraformStack(app, "bench");
    new AwsProvider(stack, "aws", new AwsProviderConfig { Region = "eu-west-1" });
    for (var i = 0; i < alarms; i++)
    {
        new CloudwatchMetricAlarm(stack, $"alarm-{i}", new CloudwatchMetricAlarmConfig
        {
            AlarmName = $"bench-{i}",
            Namespace = "Bench",
            MetricName = "Errors",
            Statistic = "Sum",
            Period = 60,
            EvaluationPeriods = 1,
            Threshold = 1,
            ComparisonOperator = "GreaterThanOrEqualToThreshold",
        });
    }

    app.Synth();
}

// Every construct instance of the real app (each one is a jsii object: the per-instance cost), by kind. A construct of
// the project's own classes that has no children and is no Terraform element holds a value only: removing it would
// save its instance without changing the output (it has no logical id of its own), if nothing needs it as a scope.
static void Census()
{
    var root = Directory.GetCurrentDirectory();
    var app = new App(new AppConfig { Outdir = Path.Combine(Path.GetTempPath(), "fraudtf-census-" + Guid.NewGuid().ToString("N")) });
    FraudTfApp.AddStacks(app, EnvironmentConfigLoader.LoadAll(Path.Combine(root, "environments")), FunctionArtifacts.Build(root), root);
    var all = app.Node.FindAll();
    var elements = all.OfType<TerraformElement>().ToList();
    var stacks = all.OfType<TerraformStack>().Count();
    var plain = all.Where(c => c is not TerraformElement and not TerraformStack and not App).ToList();
    var leaves = plain.Where(c => c.Node.Children.Length == 0).ToList();
    Console.WriteLine($"construct instances: {all.Length} (app 1, stacks {stacks}, Terraform elements {elements.Count}, other constructs {plain.Count})");
    Console.WriteLine($"other constructs with children (scopes: their paths are in the logical ids): {plain.Count - leaves.Count}");
    Console.WriteLine($"other constructs without children (hold a value only): {leaves.Count}");
    foreach (var group in leaves.GroupBy(c => c.GetType().FullName).OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal))
    {
        Console.WriteLine($"  {group.Count(),5}  {group.Key}");
    }

    foreach (var group in plain.Except(leaves).GroupBy(c => c.GetType().FullName).OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal).Take(15))
    {
        Console.WriteLine($"  scope {group.Count(),5}  {group.Key}");
    }
}
