using System.Security.Cryptography;

namespace FraudTf.Promotion.Comparison;

/// <summary>One value that differs between the two stacks, at the same Terraform address and path.</summary>
/// <param name="Address">Terraform address (<c>aws_dynamodb_table.storage_x</c>, <c>provider.aws</c>, <c>terraform</c>).</param>
/// <param name="Path">Path inside the block (<c>point_in_time_recovery.enabled</c>, <c>tags.owner</c>).</param>
/// <param name="From">The source stack's value as text; null when the path is absent there.</param>
/// <param name="To">The target stack's value as text; null when the path is absent there.</param>
/// <param name="ExplainedBy">The config substitutions that turn <paramref name="From"/> into <paramref name="To"/>; empty when unexpected.</param>
/// <param name="Accepted">The accepted difference (promotion/accepted-differences.json) covering it, when one does.</param>
public sealed record ValueDifference(string Address, string Path, string? From, string? To, IReadOnlyList<Substitution> ExplainedBy,
    AcceptedDifference? Accepted = null)
{
    /// <summary>
    /// Expected: the target value is the source value with per-environment config values substituted, or an
    /// accepted difference (with its written reason) covers it.
    /// </summary>
    public bool Expected => ExplainedBy.Count > 0 || Accepted is not null;
}

/// <summary>The code artifact of one Lambda function in both stacks.</summary>
/// <param name="Address">Terraform address of the aws_lambda_function.</param>
/// <param name="FromHash">source_code_hash in the source stack (null when the function is absent there).</param>
/// <param name="ToHash">source_code_hash in the target stack.</param>
/// <param name="FromZipSha256">SHA-256 of the zip file the source stack uploads (null when missing).</param>
/// <param name="ToZipSha256">SHA-256 of the target's zip.</param>
public sealed record LambdaArtifact(string Address, string? FromHash, string? ToHash, string? FromZipSha256, string? ToZipSha256)
{
    /// <summary>The same code is promoted: both hashes present and equal, both zips present and byte-identical.</summary>
    public bool Identical => FromHash is not null && FromHash == ToHash && FromZipSha256 is not null && FromZipSha256 == ToZipSha256;
}

/// <summary>The comparison of two environments' synthesized stacks.</summary>
public sealed record StackComparison
{
    /// <summary>Source environment (e.g. dev).</summary>
    public required string From { get; init; }

    /// <summary>Target environment (e.g. staging).</summary>
    public required string To { get; init; }

    /// <summary>Number of addressable blocks in each stack.</summary>
    public required int BlocksFrom { get; init; }

    /// <summary>Number of addressable blocks in the target stack.</summary>
    public required int BlocksTo { get; init; }

    /// <summary>Addresses only the source stack has (unexpected: the target would lose them).</summary>
    public required IReadOnlyList<string> OnlyInFrom { get; init; }

    /// <summary>Addresses only the target stack has (unexpected).</summary>
    public required IReadOnlyList<string> OnlyInTo { get; init; }

    /// <summary>Every differing value of the blocks both stacks have, in address and path order.</summary>
    public required IReadOnlyList<ValueDifference> Differences { get; init; }

    /// <summary>Every Lambda function's artifact in both stacks.</summary>
    public required IReadOnlyList<LambdaArtifact> Artifacts { get; init; }

    /// <summary>The per-environment values the classification used.</summary>
    public required IReadOnlyList<Substitution> Substitutions { get; init; }

    /// <summary>The effective scoring rules of the functions carrying SCORING_RULES (the stream processor), both sides.</summary>
    public IReadOnlyList<FunctionRules> ScoringRules { get; init; } = [];

    /// <summary>How the environments' private networking differs (their <c>network</c> blocks); null when it does not.</summary>
    public NetworkChange? Network { get; init; }

    /// <summary>Networking's blocks only the source stack has (expected: the target's <c>network</c> block does not make them).</summary>
    public IReadOnlyList<string> NetworkOnlyInFrom { get; init; } = [];

    /// <summary>Networking's blocks only the target stack has (expected: its <c>network</c> block makes them).</summary>
    public IReadOnlyList<string> NetworkOnlyInTo { get; init; } = [];

    /// <summary>Differences no config value explains.</summary>
    public IReadOnlyList<ValueDifference> Unexpected => Differences.Where(d => !d.Expected).ToList();

    /// <summary>Number of unexpected findings: blocks in one stack only, unexplained values, differing artifacts.</summary>
    public int UnexpectedCount => OnlyInFrom.Count + OnlyInTo.Count + Unexpected.Count + Artifacts.Count(a => !a.Identical);

    /// <summary>True when the target differs from the source only by per-environment values and ships the same code.</summary>
    public bool Passed => UnexpectedCount == 0;
}

/// <summary>Compares two synthesized stacks block by block (matched by Terraform address) and value by value.</summary>
public static class StackComparer
{
    /// <summary>Artifact fields compared by <see cref="LambdaArtifact"/>, not as values (the asset path and hash).</summary>
    private static readonly HashSet<string> ArtifactPaths = new(StringComparer.Ordinal) { "filename", "source_code_hash" };

    /// <summary>
    /// Compares <paramref name="fromStack"/> with <paramref name="toStack"/>. <paramref name="zipSha256"/> returns the
    /// SHA-256 of a function's zip given (which stack: true = source, the filename in the stack), or null when missing.
    /// A function's SCORING_RULES is judged whole, not by token: its difference is expected only when each stack holds
    /// exactly what its environment's scoring block produces (<paramref name="scoringRules"/>; null: no config explains
    /// one), and the rule overrides explain nothing else (they reach the stack only through SCORING_RULES).
    /// When the environments' networking differs (<paramref name="network"/>), the blocks it adds or removes and the values it
    /// changes (<see cref="NetworkBlocks"/>) are expected, explained by <c>network</c>; the network block's own values
    /// explain no token elsewhere (they reach the stack only through those blocks).
    /// </summary>
    public static StackComparison Compare(string from, string to, JsonObject fromStack, JsonObject toStack,
        IReadOnlyList<Substitution> substitutions, Func<bool, string, string?> zipSha256,
        IReadOnlyList<AcceptedDifference>? accepted = null, ConfiguredScoringRules? scoringRules = null, NetworkChange? network = null)
    {
        accepted ??= [];
        var tokenSubstitutions = TokenSubstitutions(substitutions);
        var a = StackDocument.Blocks(fromStack).ToDictionary(b => b.Address, b => b.Node, StringComparer.Ordinal);
        var b = StackDocument.Blocks(toStack).ToDictionary(b => b.Address, b => b.Node, StringComparer.Ordinal);
        var networking = network is null
            ? new HashSet<string>(StringComparer.Ordinal)
            : a.Concat(b).Where(kv => NetworkBlocks.IsNetworking(kv.Key, kv.Value)).Select(kv => kv.Key).ToHashSet(StringComparer.Ordinal);
        var differences = new List<ValueDifference>();
        foreach (var address in a.Keys.Intersect(b.Keys).Order(StringComparer.Ordinal))
        {
            var isFunction = address.StartsWith("aws_lambda_function.", StringComparison.Ordinal);
            var la = Leaves(a[address]);
            var lb = Leaves(b[address]);
            foreach (var path in la.Keys.Union(lb.Keys).Order(StringComparer.Ordinal))
            {
                if (isFunction && ArtifactPaths.Contains(path))
                {
                    continue;
                }

                la.TryGetValue(path, out var va);
                lb.TryGetValue(path, out var vb);
                if (va is not null && vb is not null && va.Raw == vb.Raw)
                {
                    continue;
                }

                // cdktf omits unset optional arguments: a boolean present on one side only is compared with false.
                var textA = va?.Text ?? (vb?.Raw is "true" or "false" ? "false" : null);
                var textB = vb?.Text ?? (va?.Raw is "true" or "false" ? "false" : null);
                IReadOnlyList<Substitution> used = [];
                var explained = isFunction && path == ScoringRulesComparer.Path
                    ? ExplainsScoringRules(va?.Text, vb?.Text, scoringRules, out used)
                    : textA is not null && textB is not null && TokenMatcher.Explains(textA, textB, tokenSubstitutions, out used);
                if (!explained && network is not null
                    && NetworkBlocks.Explains(address, a[address], b[address], path, va?.Text, vb?.Text, networking,
                        (x, y) => TokenMatcher.Explains(x, y, tokenSubstitutions, out _)))
                {
                    explained = true;
                    used = [network.AsSubstitution];
                }

                var acceptedBy = explained ? null : accepted.FirstOrDefault(x => x.Covers(from, to, address, path, vb?.Text));
                differences.Add(new ValueDifference(address, path, va?.Text, vb?.Text, explained ? used : [], acceptedBy));
            }
        }

        var artifacts = a.Keys.Union(b.Keys)
            .Where(k => k.StartsWith("aws_lambda_function.", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .Select(k =>
            {
                string? Field(Dictionary<string, JsonNode?> s, string f) =>
                    s.TryGetValue(k, out var n) && n?[f] is JsonValue v ? EnvironmentValues.Text(v) : null;
                var (fa, fb) = (Field(a, "filename"), Field(b, "filename"));
                return new LambdaArtifact(k, Field(a, "source_code_hash"), Field(b, "source_code_hash"),
                    fa is null ? null : zipSha256(true, fa), fb is null ? null : zipSha256(false, fb));
            })
            .ToList();

        return new StackComparison
        {
            From = from,
            To = to,
            BlocksFrom = a.Count,
            BlocksTo = b.Count,
            OnlyInFrom = a.Keys.Except(b.Keys).Where(k => !networking.Contains(k)).Order(StringComparer.Ordinal).ToList(),
            OnlyInTo = b.Keys.Except(a.Keys).Where(k => !networking.Contains(k)).Order(StringComparer.Ordinal).ToList(),
            Network = network,
            NetworkOnlyInFrom = a.Keys.Except(b.Keys).Where(networking.Contains).Order(StringComparer.Ordinal).ToList(),
            NetworkOnlyInTo = b.Keys.Except(a.Keys).Where(networking.Contains).Order(StringComparer.Ordinal).ToList(),
            Differences = differences,
            Artifacts = artifacts,
            Substitutions = substitutions,
            ScoringRules = ScoringRulesComparer.Compare(fromStack, toStack),
        };
    }

    /// <summary>A SCORING_RULES difference is explained when both values are exactly what the environments' configs produce.</summary>
    private static bool ExplainsScoringRules(string? fromValue, string? toValue, ConfiguredScoringRules? configured, out IReadOnlyList<Substitution> used)
    {
        used = [];
        if (configured is null || fromValue != configured.From || toValue != configured.To)
        {
            return false;
        }

        used = [new Substitution(ConfiguredScoringRules.Field, configured.From, configured.To)];
        return true;
    }

    /// <summary>
    /// The substitutions a token may use: the config's rule overrides (<c>scoring.ruleOverrides.*</c>) and network block
    /// (<c>network.*</c>, see <see cref="NetworkBlocks"/>) are dropped from
    /// each one's fields (and a substitution naming no other field is dropped), so a rule's value (say 0.45 -> 0.5)
    /// never explains an unrelated number elsewhere in the stack.
    /// </summary>
    private static List<Substitution> TokenSubstitutions(IReadOnlyList<Substitution> substitutions) =>
        substitutions
            .Select(s => s with
            {
                Field = string.Join(" or ", s.Field.Split(" or ").Where(f => !f.StartsWith(ConfiguredScoringRules.Field + ".", StringComparison.Ordinal)
                                                                            && !f.StartsWith(NetworkChange.Field + ".", StringComparison.Ordinal))),
            })
            .Where(s => s.Field.Length > 0)
            .ToList();

    /// <summary>SHA-256 (hex) of a file under <paramref name="stackDir"/>, or null when it does not exist.</summary>
    public static string? FileSha256(string stackDir, string relativePath)
    {
        var file = Path.Combine(stackDir, relativePath);
        return File.Exists(file) ? Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(file))) : null;
    }

    private sealed record Leaf(string Raw, string Text);

    // The stack's leaves, without the "//" metadata keys CDKTF writes.
    private static Dictionary<string, Leaf> Leaves(JsonNode? node)
    {
        var result = new Dictionary<string, Leaf>(StringComparer.Ordinal);
        foreach (var (path, leaf) in EnvironmentValues.Paths(node, k => k == "//"))
        {
            result[path] = new Leaf(leaf?.ToJsonString() ?? "null", EnvironmentValues.Text(leaf));
        }

        return result;
    }
}
