using FraudTf.Config;
using FraudTf.Platform;
using HashiCorp.Cdktf;

namespace FraudTf;

/// <summary>Entry point: validates every environment's config, then synthesizes one stack per environment plus its bootstrap stack.</summary>
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

        var app = new App();
        FraudTfApp.AddStacks(app, configs);
        app.Synth();
        return 0;
    }
}
