using System.Security.Cryptography;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace FraudTf.Promotion.Comparison;

/// <summary>
/// A difference between the default CDK's synthesized output and another CDK's (CDK Terrain) that is accepted on
/// purpose, as narrowly as possible: which files, one JSON path, the default's value and the other CDK's value, and why.
/// </summary>
/// <param name="Files">Path of the files under the output folder (<c>/</c>-separated); <c>*</c> matches any characters.</param>
/// <param name="Path">JSON path inside the file, as <see cref="EnvironmentValues.Paths"/> spells it (<c>//.metadata.version</c>).</param>
/// <param name="From">The default CDK's value (JSON text of the leaf, strings unquoted).</param>
/// <param name="To">The other CDK's value.</param>
/// <param name="Reason">Why the CDKs differ here (at least 20 characters).</param>
public sealed record AcceptedCdkDifference(string Files, string Path, string From, string To, string Reason)
{
    /// <summary>Whether this entry covers the difference <paramref name="from"/> → <paramref name="to"/> at <paramref name="path"/> of <paramref name="file"/>.</summary>
    public bool Covers(string file, string? path, string? from, string? to) =>
        path == Path && from == From && to == To &&
        Regex.IsMatch(file, "^" + string.Join(".*", Files.Split('*').Select(Regex.Escape)) + "$");

    /// <summary>Loads the list <paramref name="file"/> (<c>{"accepted": [{files, path, from, to, reason}]}</c>); errors name the entry and field.</summary>
    public static IReadOnlyList<AcceptedCdkDifference> Load(string file, string display)
    {
        if (!File.Exists(file))
        {
            throw new UserError($"{display} does not exist. Fix: give the list of accepted differences (bindings/terrain/accepted-differences.json).");
        }

        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(File.ReadAllText(file), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip });
        }
        catch (JsonException e)
        {
            throw new UserError($"{display} is not JSON: {e.Message}");
        }

        using (doc)
        {
            if (!doc.RootElement.TryGetProperty("accepted", out var list) || list.ValueKind != JsonValueKind.Array)
            {
                throw new UserError($"{display}: field 'accepted' must be an array of {{files, path, from, to, reason}}.");
            }

            var result = new List<AcceptedCdkDifference>();
            var i = 0;
            foreach (var e in list.EnumerateArray())
            {
                string Field(string name) =>
                    e.TryGetProperty(name, out var p) && p.ValueKind == JsonValueKind.String && !string.IsNullOrWhiteSpace(p.GetString())
                        ? p.GetString()!
                        : throw new UserError($"{display}: accepted[{i}].{name} is missing or not a string. Fix: give every entry files, path, from, to and reason.");

                var item = new AcceptedCdkDifference(Field("files"), Field("path"), Field("from"), Field("to"), Field("reason"));
                if (item.Reason.Trim().Length < 20)
                {
                    throw new UserError($"{display}: accepted[{i}].reason = \"{item.Reason}\" is too short. Fix: say in at least 20 characters why the CDKs differ here.");
                }

                result.Add(item);
                i++;
            }

            return result;
        }
    }
}

/// <summary>One difference between the two outputs: a JSON leaf, or a whole file (absent on one side, other bytes).</summary>
/// <param name="File">The file, relative to the output folder (<c>stacks/fraud-detection-dev/cdk.tf.json</c>).</param>
/// <param name="Path">The JSON path of the leaf; null for a whole-file difference.</param>
/// <param name="Expected">The default CDK's value (null: absent there).</param>
/// <param name="Actual">The other CDK's value (null: absent there).</param>
/// <param name="Accepted">The accepted difference covering it, if any.</param>
public sealed record CdkOutputDifference(string File, string? Path, string? Expected, string? Actual, AcceptedCdkDifference? Accepted)
{
    /// <summary><c>file: path: expected -> actual</c>, <c>(absent)</c> for a missing value.</summary>
    public override string ToString() =>
        $"{File}: {(Path is null ? "" : Path + ": ")}{Expected ?? "(absent)"} -> {Actual ?? "(absent)"}";
}

/// <summary>The comparison of two synthesized outputs (manifest.json and every file under stacks/).</summary>
/// <param name="Files">How many distinct files the two outputs hold together.</param>
/// <param name="Differences">Every difference, accepted or not, in file and path order.</param>
/// <param name="Unused">Accepted entries no difference used (the list may be stale; not a failure).</param>
public sealed record CdkOutputComparison(int Files, IReadOnlyList<CdkOutputDifference> Differences, IReadOnlyList<AcceptedCdkDifference> Unused)
{
    /// <summary>The differences no accepted entry covers.</summary>
    public IReadOnlyList<CdkOutputDifference> Unexpected => Differences.Where(d => d.Accepted is null).ToList();

    /// <summary>True when every difference is accepted.</summary>
    public bool Passed => Unexpected.Count == 0;
}

/// <summary>
/// Compares the output of the same app synthesized by two CDKs file by file: JSON files leaf by leaf (every leaf,
/// the <c>//</c> metadata included, empty objects and arrays too), any other file (the Lambda zips) byte for byte.
/// </summary>
public static class CdkOutputDiff
{
    /// <summary>Compares <paramref name="expectedDir"/> (the default CDK's output folder) with <paramref name="actualDir"/>.</summary>
    public static CdkOutputComparison Compare(string expectedDir, string actualDir, IReadOnlyList<AcceptedCdkDifference> accepted)
    {
        var a = OutputFiles(expectedDir);
        var b = OutputFiles(actualDir);
        var differences = new List<CdkOutputDifference>();
        var used = new HashSet<AcceptedCdkDifference>();
        void Add(string file, string? path, string? expected, string? actual)
        {
            var by = accepted.FirstOrDefault(x => x.Covers(file, path, expected, actual));
            if (by is not null)
            {
                used.Add(by);
            }

            differences.Add(new CdkOutputDifference(file, path, expected, actual, by));
        }

        var files = a.Union(b).Order(StringComparer.Ordinal).ToList();
        foreach (var file in files)
        {
            var fa = Path.Combine(expectedDir, file);
            var fb = Path.Combine(actualDir, file);
            if (!a.Contains(file) || !b.Contains(file))
            {
                Add(file, null, a.Contains(file) ? Sha(fa) : null, b.Contains(file) ? Sha(fb) : null);
                continue;
            }

            var bytesA = File.ReadAllBytes(fa);
            var bytesB = File.ReadAllBytes(fb);
            if (bytesA.AsSpan().SequenceEqual(bytesB))
            {
                continue;
            }

            var (ja, jb) = (ParseJson(file, bytesA), ParseJson(file, bytesB));
            if (ja is null || jb is null)
            {
                Add(file, null, Sha(bytesA), Sha(bytesB));
                continue;
            }

            var la = Leaves(ja);
            var lb = Leaves(jb);
            foreach (var path in la.Keys.Union(lb.Keys).Order(StringComparer.Ordinal))
            {
                la.TryGetValue(path, out var va);
                lb.TryGetValue(path, out var vb);
                if (va?.Raw != vb?.Raw)
                {
                    Add(file, path, va?.Text, vb?.Text);
                }
            }
        }

        return new CdkOutputComparison(files.Count, differences, accepted.Where(x => !used.Contains(x)).ToList());
    }

    // manifest.json and everything under stacks/ (the reports other tools write into cdktf.out are not the CDK's output).
    private static HashSet<string> OutputFiles(string dir)
    {
        if (!Directory.Exists(Path.Combine(dir, "stacks")))
        {
            throw new UserError($"{dir}/stacks does not exist: nothing synthesized there. Fix: synthesize first (make synth, make terrain-check).");
        }

        var files = Directory.GetFiles(Path.Combine(dir, "stacks"), "*", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(dir, f).Replace('\\', '/')).ToHashSet(StringComparer.Ordinal);
        if (File.Exists(Path.Combine(dir, "manifest.json")))
        {
            files.Add("manifest.json");
        }

        return files;
    }

    private static JsonNode? ParseJson(string file, byte[] bytes)
    {
        if (!file.EndsWith(".json", StringComparison.Ordinal))
        {
            return null;
        }

        try
        {
            return JsonNode.Parse(bytes);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private sealed record Leaf(string Raw, string Text);

    private static Dictionary<string, Leaf> Leaves(JsonNode node)
    {
        var result = new Dictionary<string, Leaf>(StringComparer.Ordinal);
        foreach (var (path, leaf) in EnvironmentValues.Paths(node, emptyContainersAsLeaves: true))
        {
            result[path] = new Leaf(leaf?.ToJsonString() ?? "null", EnvironmentValues.Text(leaf));
        }

        return result;
    }

    private static string Sha(string file) => Sha(File.ReadAllBytes(file));

    private static string Sha(byte[] bytes) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(bytes))[..16];
}
