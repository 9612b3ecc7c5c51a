using FraudTf.Compute;
using FraudTf.Compute.Build;
using FraudTf.Config;
using FraudTf.Platform;
using HashiCorp.Cdktf;

namespace FraudTf;

/// <summary>Entry point: validates every environment's config, builds the functions, then synthesizes one stack per environment plus its bootstrap stack.</summary>
public static class Program
{
    /// <summary>Synthesizes into <c>cdktf.out/</c> (or the folder the CDKTF CLI passes in CDKTF_OUTDIR).</summary>
    public static int Main(string[] args)
    {
        if (args is ["--help"] or ["-h"])
        {
            Console.WriteLine("usage: FraudTf [environments-folder]  (default: environments). Synthesizes every environment into cdktf.out/.");
            return 0;
        }

        IReadOnlyList<EnvironmentConfig> configs;
        try
        {
            configs = EnvironmentConfigLoader.LoadAll(args.Length > 0 ? args[0] : "environments");
        }
        catch (ConfigValidationException e)
        {
            Console.Error.WriteLine(e.Message);
            return 1;
        }

        // The jsii runtime runs on the machine's Node 20, past its end of life for jsii: without this, every synth
        // prints a large warning box (the node child process inherits the variable). Set only when not set already.
        if (Environment.GetEnvironmentVariable("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION") is null)
        {
            Environment.SetEnvironmentVariable("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20");
        }

        // The functions are built (or taken from .build/) before any construct exists; the stacks deploy what was built.
        var root = RepoRoot();
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

        var app = new App();
        FraudTfApp.AddStacks(app, configs, functions, root);
        app.Synth();
        return 0;
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
