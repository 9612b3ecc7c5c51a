using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using FraudTf.Compute.Build;

namespace FraudTf.Platform;

/// <summary>What one synth run of the app is asked to do (<see cref="FromEnvironment"/> reads it the way make and the CDKTF CLI pass it).</summary>
public sealed record SynthOptions
{
    /// <summary>Environment variable naming the environments to synthesize (comma-separated, e.g. <c>dev</c>); empty or unset: all.</summary>
    public const string EnvironmentsVariable = "FRAUDTF_ENV";

    /// <summary>Environment variable that, set to <c>1</c>, <c>true</c> or <c>yes</c>, synthesizes every selected stack without reuse.</summary>
    public const string FullSynthVariable = "FRAUDTF_FULL_SYNTH";

    /// <summary>The environments whose stacks (platform and bootstrap) are synthesized or reused; null: every environment.</summary>
    public IReadOnlySet<string>? Environments { get; init; }

    /// <summary>Synthesize every selected stack, reusing nothing (the outputs are still stored for the next run).</summary>
    public bool Full { get; init; }

    /// <summary>Where the previous outputs are kept, by stack and key (<c>&lt;repo&gt;/.build/synth</c> for the app).</summary>
    public required string StoreDir { get; init; }

    /// <summary>The folder of the running app's build: its assemblies are an input of every stack (<see cref="AppContext.BaseDirectory"/> for the app).</summary>
    public required string AppBuildDir { get; init; }

    /// <summary>
    /// The CDK the app was built against (<see cref="CdkFacts.OfThisBuild"/> unless set): its version and layout of
    /// manifest.json, and its pinned files, which are inputs of every stack.
    /// </summary>
    public CdkFacts Cdk { get; init; } = CdkFacts.OfThisBuild;

    /// <summary>The options of the app run in <paramref name="repoRoot"/>, from <see cref="EnvironmentsVariable"/> and <see cref="FullSynthVariable"/>.</summary>
    public static SynthOptions FromEnvironment(string repoRoot)
    {
        var envs = (Environment.GetEnvironmentVariable(EnvironmentsVariable) ?? "")
            .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var full = Environment.GetEnvironmentVariable(FullSynthVariable)?.Trim().ToLowerInvariant() is "1" or "true" or "yes";
        return new SynthOptions
        {
            Environments = envs.Length == 0 ? null : envs.ToHashSet(StringComparer.Ordinal),
            Full = full,
            StoreDir = Path.Combine(repoRoot, ".build", "synth"),
            AppBuildDir = AppContext.BaseDirectory,
        };
    }
}

/// <summary>What a synth run does with one stack.</summary>
public enum SynthAction
{
    /// <summary>Its inputs are unchanged: the stored output is put into the output folder as it is.</summary>
    Reuse,

    /// <summary>Synthesized by the app (inputs changed, no stored output, or a full synth was asked for).</summary>
    Synthesize,

    /// <summary>Not selected (<see cref="SynthOptions.Environments"/>): its folder in the output is left as it is.</summary>
    Untouched,
}

/// <summary>The decision for one stack, and why (<see cref="ToString"/> is the line the app prints).</summary>
/// <param name="Stack">The stack name.</param>
/// <param name="Action">What is done with it.</param>
/// <param name="Reason">Why, in a few words (e.g. <c>environments/dev.json changed</c>).</param>
/// <param name="Key">The stack's input key (lowercase hex SHA-256).</param>
public sealed record SynthDecision(string Stack, SynthAction Action, string Reason, string Key)
{
    /// <summary>One line: <c>fraud-detection-dev: reused (inputs unchanged, key 1a2b3c4d5e6f)</c>.</summary>
    public override string ToString() => Action switch
    {
        SynthAction.Reuse => $"{Stack}: reused ({Reason}, key {Key[..12]})",
        SynthAction.Synthesize => $"{Stack}: synthesized ({Reason})",
        _ => $"{Stack}: untouched ({Reason})",
    };
}

/// <summary>
/// Synthesizes only what changed. Every stack gets a key, the SHA-256 of its inputs: the app's build (its assemblies,
/// which embed the jsii bindings), the pinned versions (package-lock.json, bindings/aws-provider.txt,
/// .bindings/Bindings.props, cdktf.json; for CDK Terrain also bindings/terrain/package-lock.json and
/// .bindings/terrain/Bindings.props), the CDKTF settings passed in the environment (CDKTF_CONTEXT_JSON,
/// SYNTH_HCL_OUTPUT, ...), the node executable, the stack's environment file and, for a platform stack, each function
/// project's build inputs (as <see cref="FunctionBuilder.ComputeInputHash"/> reads them, with the installed .NET SDKs
/// instead of <c>dotnet --version</c>) and the agent's instruction and documents. A stack whose key has a stored output
/// is not synthesized: the output (cdk.tf.json and assets) is copied into the output folder byte for byte, and its
/// manifest entry is put back into manifest.json. The decision needs no jsii, no node and no build.
/// <para>
/// Store: <c>&lt;StoreDir&gt;/&lt;stack&gt;/&lt;key, 16 digits&gt;/</c> holding <c>entry.json</c> (the inputs, the manifest
/// entry) and <c>stack/</c>; the three most recently used keys of a stack are kept. Reuse is safe because the synth is
/// deterministic (a test compares a stored and a fresh synth byte for byte).
/// </para>
/// </summary>
public sealed class SynthCache
{
    private const string Recipe = "fraudtf-synth-cache/1";
    private const int KeptPerStack = 3;
    private const string ManifestFile = "manifest.json";

    // The CDKTF settings the CLI passes to the app (cdktf lib reads them): they can change what is synthesized.
    private static readonly string[] CdktfVariables =
        ["CDKTF_CONTEXT_JSON", "SYNTH_HCL_OUTPUT", "CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS", "CDKTF_TARGET_STACK_ID"];

    private static readonly string[] PinnedFiles = ["package-lock.json", "bindings/aws-provider.txt", ".bindings/Bindings.props", "cdktf.json"];

    // A CDK other than the default pins its packages in bindings/<cdk>/ and has its props in .bindings/<cdk>/.
    private static IEnumerable<string> PinnedFilesOf(CdkFacts cdk) => cdk.Cdk == "cdktf"
        ? PinnedFiles
        : [.. PinnedFiles, $"bindings/{cdk.Cdk}/package-lock.json", $".bindings/{cdk.Cdk}/Bindings.props"];

    private readonly string _outDir;
    private readonly SynthOptions _options;
    private readonly List<StackPlan> _stacks;
    private JsonObject? _previousManifest;

    private SynthCache(string outDir, SynthOptions options, List<StackPlan> stacks)
    {
        _outDir = outDir;
        _options = options;
        _stacks = stacks;
    }

    /// <summary>Every stack of the app, in the app's order, with what this run does with it.</summary>
    public IReadOnlyList<SynthDecision> Decisions => _stacks.Select(s => s.Decision).ToList();

    /// <summary>The names of the stacks the app must create and synthesize in this run.</summary>
    public IReadOnlySet<string> ToSynthesize => _stacks.Where(s => s.Decision.Action == SynthAction.Synthesize).Select(s => s.Name).ToHashSet(StringComparer.Ordinal);

    /// <summary>
    /// Computes every stack's key and decides, without touching the output: the stacks of <paramref name="configs"/>
    /// (loaded from <paramref name="environmentsDir"/>) of the repository <paramref name="repoRoot"/>, for the output folder <paramref name="outDir"/>.
    /// </summary>
    /// <exception cref="ArgumentException"><see cref="SynthOptions.Environments"/> names an environment that has no file.</exception>
    public static SynthCache Plan(string repoRoot, string environmentsDir, string outDir, IReadOnlyList<EnvironmentConfig> configs, SynthOptions options)
    {
        var known = configs.Select(c => c.Environment).ToList();
        var unknown = options.Environments?.Where(e => !known.Contains(e, StringComparer.Ordinal)).Order(StringComparer.Ordinal).ToList() ?? [];
        if (unknown.Count > 0)
        {
            throw new ArgumentException($"{SynthOptions.EnvironmentsVariable} (make synth ENV=...) names {string.Join(", ", unknown)}, which has no environment file. " +
                                        $"Fix: name one of {string.Join(", ", known)} (environments/<env>.json), or leave it empty for all.");
        }

        var common = new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            ["recipe"] = Recipe,
            ["the app's build"] = HashFolderFiles(options.AppBuildDir, f => f.EndsWith(".dll", StringComparison.Ordinal) ||
                                                                           f.EndsWith(".deps.json", StringComparison.Ordinal) || f.EndsWith(".runtimeconfig.json", StringComparison.Ordinal)),
            ["CDKTF settings (" + string.Join(", ", CdktfVariables) + ")"] = HashText(string.Join('\n', CdktfVariables.Select(v => v + "=" + Environment.GetEnvironmentVariable(v)))),
            ["the node executable"] = HashText(NodeIdentity()),
        };
        foreach (var file in PinnedFilesOf(options.Cdk))
        {
            common[file] = HashFile(Path.Combine(repoRoot, file));
        }

        // The function packages: built the same for every environment, so hashed once.
        var functions = new SortedDictionary<string, string>(StringComparer.Ordinal) { ["the .NET SDKs"] = HashText(SdkIdentity()) };
        foreach (var project in FunctionProjects.Discover(repoRoot))
        {
            functions[project] = HashFunctionInputs(repoRoot, project);
        }

        var stacks = new List<StackPlan>();
        foreach (var config in configs)
        {
            var envFile = Path.Combine(environmentsDir, config.Environment + ".json");
            var selected = options.Environments?.Contains(config.Environment) ?? true;
            // The bootstrap stack is given only its StateBootstrapInputs, so it is keyed on their values: an edit of the
            // file that leaves them alone does not synthesize it.
            var bootstrap = StateBootstrapInputs.From(config);
            stacks.Add(Decide(bootstrap.StackName, new SortedDictionary<string, string>(common, StringComparer.Ordinal)
            {
                [$"the state bootstrap values of {config.SourceFile}"] = HashText(bootstrap.ToCanonicalJson()),
            }, selected, options));

            var platform = new SortedDictionary<string, string>(common, StringComparer.Ordinal) { [config.SourceFile] = HashFile(envFile) };
            foreach (var (label, hash) in functions)
            {
                platform[label] = hash;
            }

            platform[config.Agent.InstructionFile] = HashFile(Path.Combine(repoRoot, config.Agent.InstructionFile));
            platform[config.Agent.KnowledgeBaseDocuments + "/"] = HashFolderFiles(Path.Combine(repoRoot, config.Agent.KnowledgeBaseDocuments), _ => true);
            stacks.Add(Decide(config.StackName, platform, selected, options));
        }

        return new SynthCache(Path.GetFullPath(outDir), options, stacks);
    }

    /// <summary>
    /// Readies the output folder for the app's synth: removes the folders of stacks the app no longer has and of the
    /// stacks about to be synthesized, and puts each reused stack's stored output in place (copied only when the
    /// folder differs from it). Call before the app synthesizes.
    /// </summary>
    public void PrepareOutput()
    {
        var stacksDir = Path.Combine(_outDir, "stacks");
        Directory.CreateDirectory(stacksDir);
        _previousManifest = ReadJson(Path.Combine(_outDir, ManifestFile));
        var names = _stacks.Select(s => s.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var dir in Directory.GetDirectories(stacksDir).Where(d => !names.Contains(Path.GetFileName(d))))
        {
            Directory.Delete(dir, recursive: true);
        }

        foreach (var stack in _stacks)
        {
            var target = Path.Combine(stacksDir, stack.Name);
            if (stack.Decision.Action == SynthAction.Synthesize && Directory.Exists(target))
            {
                Directory.Delete(target, recursive: true);
            }
            else if (stack.Decision.Action == SynthAction.Reuse)
            {
                var stored = Path.Combine(stack.EntryDir!, "stack");
                if (!SameFiles(stored, target))
                {
                    if (Directory.Exists(target))
                    {
                        Directory.Delete(target, recursive: true);
                    }

                    CopyTree(stored, target);
                }

                // Most recently used first when the store is trimmed.
                File.SetLastWriteTimeUtc(Path.Combine(stack.EntryDir!, "entry.json"), DateTime.UtcNow);
            }
        }
    }

    /// <summary>
    /// After the app's synth (or instead of it, when nothing was synthesized): stores each synthesized stack's output
    /// under its key and writes manifest.json listing every stack whose output is in the folder, exactly as a full
    /// synth of the app's CDK writes it (<see cref="SynthOptions.Cdk"/>: its version, its JSON layout).
    /// </summary>
    /// <exception cref="InvalidOperationException">The app's synth wrote a manifest of another CDK version than the bindings' facts say.</exception>
    public void Complete()
    {
        var fresh = ReadJson(Path.Combine(_outDir, ManifestFile));
        var version = _options.Cdk.CoreVersion;
        if (ToSynthesize.Count > 0 && fresh?["version"]?.GetValue<string>() is { } written && written != version)
        {
            throw new InvalidOperationException($"{ManifestFile} says CDK version {written}, the bindings' facts {version} (FraudTf.CdkCoreVersion): " +
                                                "the app runs another CDK than it was built with. Fix: make bindings [CDK=...], then rebuild.");
        }

        var entries = new SortedDictionary<string, JsonNode?>(StringComparer.Ordinal);
        foreach (var stack in _stacks)
        {
            JsonNode? entry = null;
            switch (stack.Decision.Action)
            {
                case SynthAction.Synthesize:
                    entry = fresh?["stacks"]?[stack.Name]?.DeepClone() ??
                            throw new InvalidOperationException($"{stack.Name} was synthesized but is not in {ManifestFile}: the app did not create it.");
                    Store(stack, entry, version);
                    break;
                case SynthAction.Reuse:
                    var stored = ReadJson(Path.Combine(stack.EntryDir!, "entry.json"))!;
                    entry = stored["manifest"]!.DeepClone();
                    break;
                default:
                    if (Directory.Exists(Path.Combine(_outDir, "stacks", stack.Name)) && _previousManifest?["stacks"]?[stack.Name] is { } previous)
                    {
                        entry = previous.DeepClone();
                    }

                    break;
            }

            if (entry is not null)
            {
                entries[stack.Name] = entry;
            }
        }

        var manifest = new JsonObject { ["stacks"] = new JsonObject(entries), ["version"] = version };
        var text = StableJson.Write(manifest, _options.Cdk.ManifestLayout);
        var path = Path.Combine(_outDir, ManifestFile);
        if (!File.Exists(path) || File.ReadAllText(path) != text)
        {
            File.WriteAllText(path, text);
        }
    }

    private static StackPlan Decide(string name, SortedDictionary<string, string> inputs, bool selected, SynthOptions options)
    {
        var key = HashText(string.Join('\n', inputs.Select(i => i.Key + "=" + i.Value)));
        var stackStore = Path.Combine(options.StoreDir, name);
        var entryDir = Path.Combine(stackStore, key[..16]);
        if (!selected)
        {
            return new StackPlan(name, inputs, null, new SynthDecision(name, SynthAction.Untouched,
                $"not selected by {SynthOptions.EnvironmentsVariable}={string.Join(",", options.Environments!.Order(StringComparer.Ordinal))}", key));
        }

        if (options.Full)
        {
            return new StackPlan(name, inputs, entryDir, new SynthDecision(name, SynthAction.Synthesize, $"full synth asked for ({SynthOptions.FullSynthVariable}=1)", key));
        }

        var stored = ReadJson(Path.Combine(entryDir, "entry.json"));
        if (stored?["key"]?.GetValue<string>() == key && Directory.Exists(Path.Combine(entryDir, "stack")))
        {
            return new StackPlan(name, inputs, entryDir, new SynthDecision(name, SynthAction.Reuse, "inputs unchanged", key));
        }

        return new StackPlan(name, inputs, entryDir, new SynthDecision(name, SynthAction.Synthesize, WhatChanged(stackStore, inputs), key));
    }

    // Names the inputs that differ from the most recently used stored entry of the stack.
    private static string WhatChanged(string stackStore, SortedDictionary<string, string> inputs)
    {
        var latest = Directory.Exists(stackStore)
            ? Directory.GetDirectories(stackStore).Select(d => Path.Combine(d, "entry.json")).Where(File.Exists)
                .OrderByDescending(File.GetLastWriteTimeUtc).Select(ReadJson).FirstOrDefault(e => e?["inputs"] is JsonObject)
            : null;
        if (latest is null)
        {
            return "no stored output";
        }

        var before = latest["inputs"]!.AsObject();
        var changed = inputs.Where(i => before[i.Key]?.GetValue<string>() != i.Value).Select(i => i.Key)
            .Concat(before.Select(b => b.Key).Where(k => !inputs.ContainsKey(k))).Distinct().Order(StringComparer.Ordinal).ToList();
        return changed.Count switch
        {
            0 => "stored output incomplete",
            <= 3 => string.Join(", ", changed) + " changed",
            _ => $"{string.Join(", ", changed.Take(3))} and {changed.Count - 3} more changed",
        };
    }

    // Copies the stack's fresh output into a new entry (written aside, then renamed), then trims the stack's store.
    private void Store(StackPlan stack, JsonNode manifestEntry, string version)
    {
        var entryDir = stack.EntryDir!;
        var stackStore = Path.GetDirectoryName(entryDir)!;
        Directory.CreateDirectory(stackStore);
        var temp = Path.Combine(stackStore, $".tmp-{Guid.NewGuid():N}");
        CopyTree(Path.Combine(_outDir, "stacks", stack.Name), Path.Combine(temp, "stack"));
        var inputs = new JsonObject();
        foreach (var (label, hash) in stack.Inputs)
        {
            inputs[label] = hash;
        }

        var entry = new JsonObject { ["key"] = stack.Decision.Key, ["version"] = version, ["inputs"] = inputs, ["manifest"] = manifestEntry.DeepClone() };
        File.WriteAllText(Path.Combine(temp, "entry.json"), entry.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true }));
        if (Directory.Exists(entryDir))
        {
            Directory.Delete(entryDir, recursive: true);
        }

        try
        {
            Directory.Move(temp, entryDir);
        }
        catch (IOException) when (Directory.Exists(entryDir))
        {
            // Another synth stored the same key meanwhile: the same inputs, so the same output.
            Directory.Delete(temp, recursive: true);
        }
        foreach (var old in Directory.GetDirectories(stackStore)
                     .Where(d => !Path.GetFileName(d).StartsWith('.') && File.Exists(Path.Combine(d, "entry.json")))
                     .OrderByDescending(d => File.GetLastWriteTimeUtc(Path.Combine(d, "entry.json"))).Skip(KeptPerStack))
        {
            Directory.Delete(old, recursive: true);
        }
    }

    private static JsonObject? ReadJson(string path)
    {
        try
        {
            return File.Exists(path) ? JsonNode.Parse(File.ReadAllText(path)) as JsonObject : null;
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }
    }

    // Same relative paths, sizes and modification times (a copy keeps the time): a cheap check that nothing was edited.
    private static bool SameFiles(string a, string b) =>
        Directory.Exists(b) && Listing(a).SequenceEqual(Listing(b));

    private static IEnumerable<(string, long, DateTime)> Listing(string root) =>
        Directory.GetFiles(root, "*", SearchOption.AllDirectories)
            .Select(f => (Path.GetRelativePath(root, f), new FileInfo(f)))
            .Select(x => (x.Item1, x.Item2.Length, x.Item2.LastWriteTimeUtc))
            .OrderBy(x => x.Item1, StringComparer.Ordinal);

    private static void CopyTree(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.GetFiles(from, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target, overwrite: true);
            File.SetLastWriteTimeUtc(target, File.GetLastWriteTimeUtc(file));
        }
    }

    private static string HashText(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    private static string HashFile(string path) => File.Exists(path) ? Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(path))) : "absent";

    // Every file of a folder (recursively) passing the filter: relative path, length and bytes, in ordinal order.
    private static string HashFolderFiles(string folder, Func<string, bool> include)
    {
        if (!Directory.Exists(folder))
        {
            return "absent";
        }

        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var file in Directory.GetFiles(folder, "*", SearchOption.AllDirectories)
                     .Select(f => Path.GetRelativePath(folder, f).Replace('\\', '/')).Where(include).Order(StringComparer.Ordinal))
        {
            var bytes = File.ReadAllBytes(Path.Combine(folder, file));
            hash.AppendData(Encoding.UTF8.GetBytes($"{file}\0{bytes.LongLength}\0"));
            hash.AppendData(bytes);
        }

        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    // The files a function's build reads (FunctionProjects.Inputs, as FunctionBuilder hashes them).
    private static string HashFunctionInputs(string repoRoot, string project)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var (relative, full) in FunctionProjects.Inputs(Path.TrimEndingDirectorySeparator(Path.GetFullPath(repoRoot)), project))
        {
            var bytes = File.ReadAllBytes(full);
            hash.AppendData(Encoding.UTF8.GetBytes($"{relative}\0{bytes.LongLength}\0"));
            hash.AppendData(bytes);
        }

        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    // The installed SDKs (the folder names under <dotnet>/sdk): the one `dotnet --version` picks is among them, so a
    // changed SDK changes this without starting dotnet. The runtime folder is <dotnet>/shared/Microsoft.NETCore.App/<version>/.
    private static string SdkIdentity()
    {
        var dotnetRoot = Path.GetFullPath(Path.Combine(RuntimeEnvironment.GetRuntimeDirectory(), "..", "..", ".."));
        var sdk = Path.Combine(dotnetRoot, "sdk");
        return Directory.Exists(sdk) ? string.Join('\n', Directory.GetDirectories(sdk).Select(Path.GetFileName).Order(StringComparer.Ordinal)) : "none";
    }

    // The node executable the jsii runtime starts (first on PATH): path, size and modification time.
    private static string NodeIdentity()
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var node = new FileInfo(Path.Combine(dir, OperatingSystem.IsWindows() ? "node.exe" : "node"));
            if (node.Exists)
            {
                var target = node.ResolveLinkTarget(returnFinalTarget: true) as FileInfo ?? node;
                return $"{target.FullName} {target.Length} {target.LastWriteTimeUtc:O}";
            }
        }

        return "none";
    }

    private sealed record StackPlan(string Name, SortedDictionary<string, string> Inputs, string? EntryDir, SynthDecision Decision);
}

/// <summary>
/// JSON text as the CDKs write manifest.json, with two spaces: object keys in UTF-16 code-unit order, each member and
/// element on its own line. json-stable-stringify (CDKTF, <c>space: 2</c>) writes an empty array as <c>[</c>, newline,
/// <c>]</c>; safe-stable-stringify (CDK Terrain, <c>(value, null, 2)</c>) as <c>[]</c> (and <c>{}</c>).
/// </summary>
public static class StableJson
{
    /// <summary>The text of <paramref name="node"/> in <paramref name="layout"/> (default: CDKTF's).</summary>
    public static string Write(JsonNode? node, ManifestJsonLayout layout = ManifestJsonLayout.JsonStableStringify)
    {
        var sb = new StringBuilder();
        Write(sb, node, 0, layout == ManifestJsonLayout.SafeStableStringify);
        return sb.ToString();
    }

    private static void Write(StringBuilder sb, JsonNode? node, int level, bool compactEmpty)
    {
        var indent = "\n" + new string(' ', 2 * level);
        switch (node)
        {
            case JsonObject { Count: 0 } when compactEmpty:
                sb.Append("{}");
                break;
            case JsonArray { Count: 0 } when compactEmpty:
                sb.Append("[]");
                break;
            case JsonObject obj:
                sb.Append('{');
                var firstMember = true;
                foreach (var (key, value) in obj.OrderBy(p => p.Key, StringComparer.Ordinal))
                {
                    sb.Append(firstMember ? "" : ",").Append(indent).Append("  ");
                    firstMember = false;
                    WriteString(sb, key);
                    sb.Append(": ");
                    Write(sb, value, level + 1, compactEmpty);
                }

                sb.Append(indent).Append('}');
                break;
            case JsonArray array:
                sb.Append('[');
                var firstItem = true;
                foreach (var item in array)
                {
                    sb.Append(firstItem ? "" : ",").Append(indent).Append("  ");
                    firstItem = false;
                    Write(sb, item, level + 1, compactEmpty);
                }

                sb.Append(indent).Append(']');
                break;
            case JsonValue value when value.TryGetValue<string>(out var s):
                WriteString(sb, s);
                break;
            case null:
                sb.Append("null");
                break;
            default:
                sb.Append(node.ToJsonString());
                break;
        }
    }

    // JSON.stringify's escaping: quote, backslash and control characters only; everything else as it is.
    private static void WriteString(StringBuilder sb, string s)
    {
        sb.Append('"');
        foreach (var c in s)
        {
            switch (c)
            {
                case '"': sb.Append("\\\""); break;
                case '\\': sb.Append("\\\\"); break;
                case '\b': sb.Append("\\b"); break;
                case '\f': sb.Append("\\f"); break;
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\t': sb.Append("\\t"); break;
                default:
                    if (c < 0x20)
                    {
                        sb.Append("\\u").Append(((int)c).ToString("x4", System.Globalization.CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        sb.Append(c);
                    }

                    break;
            }
        }

        sb.Append('"');
    }
}
