using FraudTf.Cost;

namespace FraudTf.Cost;

/// <summary>
/// The cost and capacity report's command line (<c>make cost</c>, <c>make cost-diff</c>):
/// <code>
/// FraudTf.Cost report [--root DIR] [--summary] [ENV...]     Markdown per environment to stdout and cdktf.out/cost-ENV.md
/// FraudTf.Cost diff [--root DIR] FROM_ENV TO_ENV            the cost difference of two environments' stacks (also cdktf.out/cost-FROM-to-TO.md)
/// FraudTf.Cost diff [--root DIR] --env ENV BEFORE AFTER     the cost difference a change makes (two cdk.tf.json of ENV)
/// </code>
/// Exit 0 on success, 1 when an input is invalid (the message says which and how to fix it), 2 on a usage error.
/// </summary>
public static class Program
{
    private const string Usage =
        "usage: FraudTf.Cost report [--root DIR] [--summary] [ENV...]\n" +
        "       FraudTf.Cost diff [--root DIR] FROM_ENV TO_ENV\n" +
        "       FraudTf.Cost diff [--root DIR] --env ENV BEFORE.cdk.tf.json AFTER.cdk.tf.json\n" +
        "       FraudTf.Cost docs [--root DIR]   (writes docs/cost-report.md and docs/configuration-reference.md)";

    /// <summary>Runs one command; see the type's summary.</summary>
    public static int Main(string[] args)
    {
        var rest = args.ToList();
        var root = Take(rest, "--root") ?? ".";
        if (rest.Count == 0 || rest[0] is "-h" or "--help")
        {
            Console.WriteLine(Usage);
            return rest.Count == 0 ? 2 : 0;
        }

        try
        {
            switch (rest[0])
            {
                case "report":
                {
                    var summary = rest.Remove("--summary");
                    var envs = rest.Count > 1 ? rest.Skip(1).ToList() : CostApi.LoadEnvironments(root).Select(c => c.Environment).ToList();
                    foreach (var env in envs)
                    {
                        var markdown = CostMarkdown.Report(CostApi.ForEnvironment(root, env), details: !summary);
                        Directory.CreateDirectory(Path.Combine(root, "cdktf.out"));
                        File.WriteAllText(Path.Combine(root, "cdktf.out", $"cost-{env}.md"), markdown);
                        Console.Write(markdown);
                        Console.WriteLine();
                    }

                    return 0;
                }

                case "docs":
                {
                    Console.WriteLine($"wrote {CostDocs.Write(root, CostDocs.Environments(root))}");
                    var reference = Path.Combine(root, ConfigReference.RelativePath);
                    File.WriteAllText(reference, ConfigReference.Generate(Path.Combine(root, "environments")));
                    Console.WriteLine($"wrote {reference}");
                    return 0;
                }

                case "diff":
                {
                    var env = Take(rest, "--env");
                    if (env is not null && rest.Count == 3)
                    {
                        var before = CostApi.ForEnvironment(root, env, rest[1]);
                        var after = CostApi.ForEnvironment(root, env, rest[2]);
                        Console.Write(CostMarkdown.Diff(CostApi.Diff(before, after, "before", "after")));
                        return 0;
                    }

                    if (env is null && rest.Count == 3)
                    {
                        // Also the promotion report's cost section (tools/Promotion reads cdktf.out/cost-FROM-to-TO.md).
                        var markdown = CostMarkdown.Diff(CostApi.Diff(CostApi.ForEnvironment(root, rest[1]), CostApi.ForEnvironment(root, rest[2])));
                        Directory.CreateDirectory(Path.Combine(root, "cdktf.out"));
                        File.WriteAllText(Path.Combine(root, "cdktf.out", $"cost-{rest[1]}-to-{rest[2]}.md"), markdown);
                        Console.Write(markdown);
                        return 0;
                    }

                    break;
                }
            }
        }
        catch (Exception e) when (e is CostDataException or ConfigValidationException)
        {
            Console.Error.WriteLine(e.Message);
            return 1;
        }

        Console.Error.WriteLine(Usage);
        return 2;
    }

    private static string? Take(List<string> args, string option)
    {
        var i = args.IndexOf(option);
        if (i < 0 || i + 1 >= args.Count)
        {
            return null;
        }

        var value = args[i + 1];
        args.RemoveRange(i, 2);
        return value;
    }
}
