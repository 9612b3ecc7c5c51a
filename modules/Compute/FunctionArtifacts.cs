using FraudTf.Compute.Build;

namespace FraudTf.Compute;

/// <summary>
/// A built Lambda function, as a <see cref="DotnetFunction"/> deploys it: the zip and its hash
/// (<see cref="PackagedFunction"/>), and the AWS calls its own code makes, read from its assemblies.
/// </summary>
public sealed record FunctionArtifact
{
    /// <summary>The published and zipped project (zip path, <c>source_code_hash</c>, assembly name).</summary>
    public required PackagedFunction Package { get; init; }

    /// <summary>What the scan of the project's own assemblies found (actions, the SDK members behind them, self-signed requests).</summary>
    public required SdkCallReport CodeCalls { get; init; }

    /// <summary>The project folder, relative to the repository root (e.g. <c>functions/StreamProcessor</c>).</summary>
    public string ProjectPath => Package.ProjectPath;
}

/// <summary>
/// Every Lambda function of the repository (<see cref="FunctionProjects.Discover"/>: each folder under
/// <c>functions/</c> holding a <c>Function.cs</c>), built by <see cref="FunctionBuilder"/> and scanned by
/// <see cref="SdkCallScanner"/> before any stack is created. main.cs builds them once; every environment's stack
/// deploys the same artifacts.
/// </summary>
public sealed class FunctionArtifacts
{
    private readonly IReadOnlyDictionary<string, FunctionArtifact> _byProject;

    private FunctionArtifacts(IReadOnlyList<FunctionArtifact> all)
    {
        All = all;
        _byProject = all.ToDictionary(a => a.ProjectPath, StringComparer.Ordinal);
    }

    /// <summary>The artifacts, in ordinal order of their project folder.</summary>
    public IReadOnlyList<FunctionArtifact> All { get; }

    /// <summary>
    /// Builds (or takes from the cache) every function project under <c>functions/</c> of <paramref name="repoRoot"/>,
    /// one after the other in ordinal order, and scans each zip's own assemblies for the AWS calls of its code (or takes
    /// the report of the same zip's earlier scan, <see cref="SdkCallScanner.ScanPackage"/>).
    /// </summary>
    /// <exception cref="FunctionBuildException">A project does not build (the first failure, naming the project and the fix).</exception>
    public static FunctionArtifacts Build(string repoRoot) => new(FunctionProjects.Discover(repoRoot).Select(project =>
    {
        var package = FunctionBuilder.Build(repoRoot, project);
        return new FunctionArtifact { Package = package, CodeCalls = SdkCallScanner.ScanPackage(package, FunctionProjects.OwnAssemblies(repoRoot, project)) };
    }).ToList());

    /// <summary>The artifact of the function project in <paramref name="projectDir"/> (e.g. <c>functions/AlertHandler</c>).</summary>
    /// <exception cref="ArgumentException">No function project was built from that folder.</exception>
    public FunctionArtifact For(string projectDir) => _byProject.TryGetValue(projectDir, out var artifact)
        ? artifact
        : throw new ArgumentException(
            $"No function was built from '{projectDir}' (built: {string.Join(", ", _byProject.Keys)}). Fix: name a folder under " +
            $"{FunctionProjects.Folder}/ that holds its project and a {FunctionProjects.EntryPoint} (docs/adding-a-function.md).", nameof(projectDir));
}
