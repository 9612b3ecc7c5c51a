using FraudTf.Promotion.Validation;

namespace FraudTf.Promotion;

/// <summary>Command line of the promotion tooling; every command is a thin wrapper around a tested function.</summary>
public static class Program
{
    private const string Usage = """
        usage: FraudTf.Promotion <command> [options]   (run from the repository root; make does)
          validate [--out cdktf.out] [--stack NAME]... [--verbose true] [--cdk cdktf|terrain (default: $CDK, else cdktf)]
                                                            check every synthesized stack against the AWS provider schema and
                                                            the deployability gate (--verbose lists the recorded exceptions)
          gate-rules                                        the deployability gate's rules, their sources and limits (Markdown)
          cdk-diff --actual DIR [--expected cdktf.out] [--accepted bindings/terrain/accepted-differences.json]
                                                            another CDK's output (manifest.json, stacks/) against the default's,
                                                            file by file; exit 1 on a difference the list does not accept
          promote --from ENV --to ENV [--out cdktf.out] [--report FILE] [--plan-summary FILE]
                                                            promotion report (Markdown); exit 1 on unexpected drift
          plan-summary --env ENV --plan-json FILE --out FILE   readable summary of `terraform show -json` output
          guard-plan --env ENV --plan-json FILE             refuse destroys/replaces of stateful resources (ALLOW_DESTROY="reason" overrides)
          guard-promotion --env ENV [--receipt FILE] [--out cdktf.out]
                                                            refuse to deploy ENV unless it matches what the previous environment received (FORCE_REASON="reason" overrides)
          receipt --env ENV [--out cdktf.out] [--receipt FILE] [--commit SHA]
                                                            record what ENV received (after a successful deploy)
        """;

    /// <summary>Runs one command; exit 0 = ok, 1 = a check failed (drift, guard refused, invalid stack), 2 = usage or input error.</summary>
    public static int Main(string[] args)
    {
        if (args.Length == 0 || args[0] is "--help" or "-h" or "help")
        {
            Console.WriteLine(Usage);
            return args.Length == 0 ? 2 : 0;
        }

        try
        {
            var options = Options.Parse(args[1..]);
            var root = RepoRoot();
            return args[0] switch
            {
                "validate" => Commands.Validate(root, options),
                "gate-rules" => Commands.GateRules(),
                "cdk-diff" => Commands.CdkDiff(root, options),
                "promote" => Commands.Promote(root, options),
                "plan-summary" => Commands.PlanSummary(root, options),
                "guard-plan" => Commands.GuardPlan(root, options),
                "guard-promotion" => Commands.GuardPromotion(root, options),
                "receipt" => Commands.Receipt(root, options),
                _ => throw new UserError($"unknown command '{args[0]}'.\n{Usage}"),
            };
        }
        catch (UserError e)
        {
            // Alike on purpose: the console tools end as main.cs does (the error on stderr, an exit code), each with its own exceptions.
            Console.Error.WriteLine($"error: {e.Message}");
            return 2;
        }
    }

    /// <summary>The folder holding cdktf.json, from the current directory upwards.</summary>
    public static string RepoRoot()
    {
        var dir = new DirectoryInfo(Directory.GetCurrentDirectory());
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "cdktf.json")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new UserError("cdktf.json not found: run the tool from the repository (make does).");
    }
}

/// <summary>Parsed <c>--name value</c> options (a name may repeat).</summary>
public sealed class Options
{
    private readonly Dictionary<string, List<string>> _values = new(StringComparer.Ordinal);

    /// <summary>Parses <paramref name="args"/>; every option takes one value.</summary>
    public static Options Parse(IReadOnlyList<string> args)
    {
        var o = new Options();
        for (var i = 0; i < args.Count; i++)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal) || i + 1 >= args.Count)
            {
                throw new UserError($"unexpected argument '{args[i]}': options are '--name value'.");
            }

            var name = args[i][2..];
            if (!o._values.TryGetValue(name, out var list))
            {
                o._values[name] = list = [];
            }

            list.Add(args[++i]);
        }

        return o;
    }

    /// <summary>The value of <paramref name="name"/>, or <paramref name="fallback"/>; null when neither.</summary>
    public string? Get(string name, string? fallback = null) => _values.TryGetValue(name, out var l) ? l[^1] : fallback;

    /// <summary>The value of a required option; a clear error when absent.</summary>
    public string Required(string name, string example) =>
        Get(name) ?? throw new UserError($"--{name} is required (e.g. --{name} {example}).");

    /// <summary>Every value given for <paramref name="name"/>.</summary>
    public IReadOnlyList<string> All(string name) => _values.TryGetValue(name, out var l) ? l : [];
}
