using FraudTf.Compute.Build;
using FraudTf.Platform;

namespace FraudTf;

/// <summary>
/// Entry point: validates every environment's config, decides which stacks must be synthesized (<see cref="SynthCache"/>:
/// the others are reused), builds the functions, then synthesizes those stacks (one per environment plus its bootstrap stack).
/// </summary>
public static class Program
{
    /// <summary>Synthesizes into <c>cdktf.out/</c> (or the folder the CDKTF CLI passes in CDKTF_OUTDIR).</summary>
    public static int Main(string[] args)
    {
        if (args is ["--help"] or ["-h"])
        {
            Console.WriteLine("usage: FraudTf [environments-folder]  (default: environments). Synthesizes every environment into cdktf.out/ " +
                              "(or CDKTF_OUTDIR), reusing each stack whose inputs are unchanged (docs/operations.md). " +
                              $"{SynthOptions.EnvironmentsVariable}=<env>[,<env>]: only those environments; {SynthOptions.FullSynthVariable}=1: reuse nothing; " +
                              $"{PhaseTiming.Variable}=1: print each phase's wall and CPU time to standard error.");
            return 0;
        }

        var timing = PhaseTiming.FromEnvironment();
        var environmentsDir = args.Length > 0 ? args[0] : "environments";
        // Alike on purpose, the three try blocks below: each step's known failure (a config error, a bad FRAUDTF_ENV, a
        // failed function build) is the user's to fix, so its message alone and exit 1; any other exception keeps its trace.
        IReadOnlyList<EnvironmentConfig> configs;
        try
        {
            configs = EnvironmentConfigLoader.LoadAll(environmentsDir);
        }
        catch (ConfigValidationException e)
        {
            Console.Error.WriteLine(e.Message);
            return 1;
        }

        timing.End("load the environment files");

        // Which stacks can be reused is decided before jsii, node or a function build starts (SynthCache).
        var root = RepoRoot();
        var outDir = Path.GetFullPath(Environment.GetEnvironmentVariable("CDKTF_OUTDIR") is { Length: > 0 } o ? o : "cdktf.out");
        SynthCache cache;
        try
        {
            cache = SynthCache.Plan(root, environmentsDir, outDir, configs, SynthOptions.FromEnvironment(root));
        }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine(e.Message);
            return 1;
        }

        timing.End("plan the synth cache");
        foreach (var decision in cache.Decisions)
        {
            Console.WriteLine(decision);
        }

        cache.PrepareOutput();
        timing.End("put the reused stacks in place");
        var toSynthesize = cache.ToSynthesize;
        if (toSynthesize.Count > 0)
        {
            // The jsii runtime runs on the machine's Node 20, past its end of life for jsii: without this, every synth
            // prints a large warning box (the node child process inherits the variable). Set only when not set already.
            if (Environment.GetEnvironmentVariable("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION") is null)
            {
                Environment.SetEnvironmentVariable("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20");
            }

            // The functions are built (or taken from .build/) before any construct exists; the stacks deploy what was built.
            FunctionArtifacts functions;
            try
            {
                functions = FunctionArtifacts.Build(root);
            }
            catch (FunctionBuildException e)
            {
                Console.Error.WriteLine(e.Message);
                return 1;
            }

            timing.End("function artifacts");
            var app = new App(new AppConfig { Outdir = outDir });
            timing.End("start jsii (node) and create the App");
            FraudTfApp.AddStacks(app, configs, functions, root, toSynthesize.Contains);
            timing.End("create the stacks' constructs");
            app.Synth();
            timing.End("app.Synth()");
        }

        cache.Complete();
        timing.End("store the outputs, write manifest.json");
        return 0;
    }

    /// <summary>
    /// With <see cref="Variable"/> set to <c>1</c>, prints how long each phase of the run took (wall and CPU time of this
    /// process, the node child's excluded) to standard error, one line per phase: where a synth's time goes.
    /// </summary>
    private sealed class PhaseTiming
    {
        /// <summary>The environment variable that turns the phase lines on.</summary>
        public const string Variable = "FRAUDTF_SYNTH_TIMING";

        private readonly System.Diagnostics.Stopwatch? _wall;
        private TimeSpan _lastWall;
        private TimeSpan _lastCpu;

        private PhaseTiming(bool on)
        {
            _wall = on ? System.Diagnostics.Stopwatch.StartNew() : null;
            _lastCpu = on ? System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime : TimeSpan.Zero;
        }

        /// <summary>On when <see cref="Variable"/> is <c>1</c>.</summary>
        public static PhaseTiming FromEnvironment() => new(Environment.GetEnvironmentVariable(Variable) == "1");

        /// <summary>Prints the time since the previous phase ended (or since the start), labelled <paramref name="phase"/>.</summary>
        public void End(string phase)
        {
            if (_wall is null)
            {
                return;
            }

            var wall = _wall.Elapsed;
            var cpu = System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime;
            Console.Error.WriteLine($"timing: {phase}: {(wall - _lastWall).TotalMilliseconds:F0} ms wall, {(cpu - _lastCpu).TotalMilliseconds:F0} ms cpu (total {wall.TotalMilliseconds:F0} ms since Main)");
            _lastWall = wall;
            _lastCpu = cpu;
        }
    }

    /// <summary>The folder holding cdktf.json (the CDKTF CLI runs the app there; make does too).</summary>
    private static string RepoRoot()
    {
        var dir = new DirectoryInfo(Directory.GetCurrentDirectory());
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "cdktf.json")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("cdktf.json not found: run FraudTf from the repository (make synth does).");
    }
}
