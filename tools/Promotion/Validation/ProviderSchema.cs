using System.Diagnostics;
using System.Text.Json;

namespace FraudTf.Promotion.Validation;

/// <summary>The arguments of a resource, data source, provider or nested block, derived from the provider's jsii package.</summary>
public sealed class BlockSchema
{
    /// <summary>Arguments and nested blocks by Terraform name.</summary>
    public required IReadOnlyDictionary<string, ArgumentSchema> Arguments { get; init; }

    /// <summary>Readable attributes (arguments plus computed ones); empty for nested blocks.</summary>
    public required IReadOnlySet<string> Attributes { get; init; }
}

/// <summary>One argument: required or not, and its nested block schema when it is a block.</summary>
public sealed record ArgumentSchema(bool Required, BlockSchema? Block, bool IsList);

/// <summary>
/// The AWS provider schema the validator checks against: every resource and data source type of the selected CDK's
/// pinned provider package with its arguments (required or optional, nested blocks) and readable attributes. Generated
/// by <c>tools/Promotion/schema/aws-schema.mjs</c> into <c>.bindings/schema/</c> (cached per provider package and version).
/// </summary>
public sealed class ProviderSchema
{
    /// <summary>Terraform AWS provider version the schema describes: the bindings' TerraformAwsProviderVersion (6.25.0 on CDKTF, 6.66.0 on CDK Terrain).</summary>
    public required string ProviderVersion { get; init; }

    /// <summary>Resource types (<c>aws_kinesis_stream</c>).</summary>
    public required IReadOnlyDictionary<string, BlockSchema> Resources { get; init; }

    /// <summary>Data source types without the <c>data.</c> prefix (<c>aws_iam_policy_document</c>).</summary>
    public required IReadOnlyDictionary<string, BlockSchema> DataSources { get; init; }

    /// <summary>The <c>provider "aws"</c> block.</summary>
    public required BlockSchema Provider { get; init; }

    private static readonly Dictionary<(string Root, string Cdk), ProviderSchema> Cache = new();

    /// <summary>The environment variable naming the CDK when no <c>--cdk</c> is given (make exports CDK).</summary>
    public const string CdkVariable = "CDK";

    /// <summary>The CDK named by the environment (<see cref="CdkVariable"/>), else the default <c>cdktf</c>.</summary>
    public static string CdkFromEnvironment() => Environment.GetEnvironmentVariable(CdkVariable) is { Length: > 0 } cdk ? cdk : "cdktf";

    /// <summary>
    /// Loads the AWS provider schema of CDK <paramref name="cdk"/> (<c>cdktf</c> or <c>terrain</c>: its bindings' facts
    /// name the provider package) in the repository at <paramref name="repoRoot"/>, generating it first (node, ~5 s,
    /// once per package version) when it is not cached yet.
    /// </summary>
    public static ProviderSchema ForRepository(string repoRoot, string cdk)
    {
        lock (Cache)
        {
            if (Cache.TryGetValue((repoRoot, cdk), out var cached))
            {
                return cached;
            }

            var script = Path.Combine(repoRoot, "tools", "Promotion", "schema", "aws-schema.mjs");
            var relative = RunNode(repoRoot, script, "--cdk", cdk, "--print-path").Trim();
            var file = Path.Combine(repoRoot, relative);
            if (!File.Exists(file))
            {
                RunNode(repoRoot, script, "--cdk", cdk);
            }

            var schema = Load(file);
            Cache[(repoRoot, cdk)] = schema;
            return schema;
        }
    }

    /// <summary>Parses a schema file written by aws-schema.mjs.</summary>
    public static ProviderSchema Load(string file)
    {
        using var doc = JsonDocument.Parse(File.ReadAllBytes(file));
        var root = doc.RootElement;
        return new ProviderSchema
        {
            ProviderVersion = root.GetProperty("providerVersion").GetString()!,
            Resources = ReadTypes(root.GetProperty("resources")),
            DataSources = ReadTypes(root.GetProperty("dataSources")),
            Provider = ReadBlock(root.GetProperty("providerConfig").GetProperty("aws")),
        };
    }

    private static Dictionary<string, BlockSchema> ReadTypes(JsonElement types)
    {
        var result = new Dictionary<string, BlockSchema>(StringComparer.Ordinal);
        foreach (var t in types.EnumerateObject())
        {
            result[t.Name] = ReadBlock(t.Value);
        }

        return result;
    }

    private static BlockSchema ReadBlock(JsonElement e)
    {
        var args = new Dictionary<string, ArgumentSchema>(StringComparer.Ordinal);
        foreach (var a in e.GetProperty("args").EnumerateObject())
        {
            args[a.Name] = new ArgumentSchema(
                a.Value.TryGetProperty("r", out _),
                a.Value.TryGetProperty("b", out var b) ? ReadBlock(b) : null,
                a.Value.TryGetProperty("l", out _));
        }

        var attrs = new HashSet<string>(StringComparer.Ordinal);
        if (e.TryGetProperty("attrs", out var list))
        {
            foreach (var x in list.EnumerateArray())
            {
                attrs.Add(x.GetString()!);
            }
        }

        return new BlockSchema { Arguments = args, Attributes = attrs };
    }

    private static string RunNode(string repoRoot, string script, params string[] args)
    {
        var psi = new ProcessStartInfo("node") { WorkingDirectory = repoRoot, RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add(script);
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        using var p = Process.Start(psi) ?? throw new InvalidOperationException("could not start node");
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"tools/Promotion/schema/aws-schema.mjs failed (exit {p.ExitCode}): {stderr.Trim()}");
        }

        return stdout.Result;
    }
}
