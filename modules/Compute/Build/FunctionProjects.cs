using System.Xml.Linq;

namespace FraudTf.Compute.Build;

/// <summary>
/// The function projects of a repository, found by convention: every folder under <c>functions/</c> holding a
/// <c>Function.cs</c> (the entry point, <c>&lt;assembly&gt;::&lt;assembly&gt;.Function::Handler</c>) and one project file is a
/// Lambda function; a folder with a project but no <c>Function.cs</c> is a library the functions reference
/// (<c>functions/Shared</c>, <c>functions/Storage</c>). Also the project graph: the projects a function references and
/// the files its build reads.
/// </summary>
public static class FunctionProjects
{
    /// <summary>The folder of the function projects, relative to the repository root.</summary>
    public const string Folder = "functions";

    /// <summary>The file that makes a project folder a Lambda function: it declares the handler's class <c>Function</c>.</summary>
    public const string EntryPoint = "Function.cs";

    private static readonly string[] BuildSettingFiles =
    [
        "Directory.Build.props", "Directory.Build.targets", "Directory.Packages.props", "Directory.Build.rsp",
        "global.json", "nuget.config", ".editorconfig", ".globalconfig",
    ];

    private static readonly string[] IgnoredFolders = ["bin", "obj", ".vs", ".idea", ".vscode"];
    private static readonly string[] IgnoredFiles = [".DS_Store", "Thumbs.db"];

    /// <summary>
    /// The Lambda function projects under <c>functions/</c> of <paramref name="repoRoot"/>: each folder holding
    /// <see cref="EntryPoint"/>, relative to the root with forward slashes (e.g. <c>functions/StreamProcessor</c>), in ordinal order.
    /// </summary>
    public static IReadOnlyList<string> Discover(string repoRoot)
    {
        var folder = Path.Combine(Path.GetFullPath(repoRoot), Folder);
        return Directory.Exists(folder)
            ? Directory.GetDirectories(folder)
                .Where(d => File.Exists(Path.Combine(d, EntryPoint)))
                .Select(d => $"{Folder}/{Path.GetFileName(d)}")
                .Order(StringComparer.Ordinal)
                .ToList()
            : [];
    }

    /// <summary>
    /// The assemblies built from the repository's own code for <paramref name="projectDir"/>: the project's and those of the
    /// projects it references (transitively), sorted. The rest of its zip is packages (AWSSDK.*): the SDK call scan
    /// reads only these.
    /// </summary>
    public static IReadOnlyList<string> OwnAssemblies(string repoRoot, string projectDir)
    {
        var root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(repoRoot));
        return ProjectDirs(root, Normalize(projectDir)).Select(AssemblyNameOf).Distinct().Order(StringComparer.Ordinal).ToList();
    }

    /// <summary>The assembly name of the project in <paramref name="projectDir"/> (its <c>AssemblyName</c>, else its file name).</summary>
    public static string AssemblyName(string repoRoot, string projectDir) =>
        AssemblyNameOf(Path.Combine(Path.GetFullPath(repoRoot), Normalize(projectDir)));

    /// <summary>
    /// The files the build of <paramref name="project"/> reads, by path relative to <paramref name="root"/> (forward
    /// slashes, ordinal order): every file of the project and of the projects it references (transitively) except
    /// <c>bin/</c> and <c>obj/</c>, and the MSBuild/NuGet settings files from those folders up to the root.
    /// </summary>
    internal static SortedDictionary<string, string> Inputs(string root, string project)
    {
        var files = new SortedDictionary<string, string>(StringComparer.Ordinal);
        void AddFile(string full) => files[Relative(root, full)] = full;

        foreach (var dir in ProjectDirs(root, project))
        {
            foreach (var file in FilesUnder(dir))
            {
                AddFile(file);
            }

            // Settings files MSBuild, NuGet and the compiler pick up from the folders above, up to the root.
            for (var d = new DirectoryInfo(dir); d is not null && IsUnder(d.FullName, root); d = d.Parent)
            {
                foreach (var f in d.EnumerateFiles().Where(f => BuildSettingFiles.Contains(f.Name, StringComparer.OrdinalIgnoreCase)))
                {
                    AddFile(f.FullName);
                }
            }
        }

        return files;
    }

    /// <summary>The single project file of <paramref name="dir"/>.</summary>
    /// <exception cref="FunctionBuildException">The folder holds no or several project files.</exception>
    internal static string ProjectFile(string dir)
    {
        var projects = Directory.GetFiles(dir, "*.csproj");
        return projects.Length == 1
            ? projects[0]
            : throw new FunctionBuildException(dir, -1,
                $"{dir} holds {projects.Length} .csproj files. Fix: keep exactly one project file in a function's folder.", "");
    }

    /// <summary>The assembly name of the project in the absolute folder <paramref name="dir"/>.</summary>
    internal static string AssemblyNameOf(string dir)
    {
        var file = ProjectFile(dir);
        var declared = XDocument.Load(file).Descendants().LastOrDefault(e => e.Name.LocalName == "AssemblyName")?.Value.Trim();
        return string.IsNullOrEmpty(declared) || declared.Contains("$(", StringComparison.Ordinal)
            ? Path.GetFileNameWithoutExtension(file)
            : declared;
    }

    /// <summary>
    /// <paramref name="projectDir"/> relative to the repository root with forward slashes and no leading <c>./</c>.
    /// </summary>
    /// <exception cref="ArgumentException">The folder is empty or leaves the repository.</exception>
    internal static string Normalize(string projectDir)
    {
        var p = projectDir.Replace('\\', '/').Trim('/');
        while (p.StartsWith("./", StringComparison.Ordinal))
        {
            p = p[2..];
        }

        return p.Length == 0 || p.Split('/').Contains("..")
            ? throw new ArgumentException($"'{projectDir}' is not a folder inside the repository. Fix: pass e.g. functions/StreamProcessor.", nameof(projectDir))
            : p;
    }

    // The folders of the project and of the projects it references, transitively (absolute, sorted).
    private static SortedSet<string> ProjectDirs(string root, string project)
    {
        var projectDirs = new SortedSet<string>(StringComparer.Ordinal);
        var pending = new Stack<string>([Path.Combine(root, project)]);
        while (pending.Count > 0)
        {
            var dir = Path.TrimEndingDirectorySeparator(Path.GetFullPath(pending.Pop()));
            if (!projectDirs.Add(dir))
            {
                continue;
            }

            foreach (var reference in ProjectReferences(ProjectFile(dir)))
            {
                pending.Push(Path.GetDirectoryName(reference)!);
            }
        }

        return projectDirs;
    }

    private static IEnumerable<string> FilesUnder(string dir)
    {
        foreach (var file in Directory.EnumerateFiles(dir))
        {
            if (!IgnoredFiles.Contains(Path.GetFileName(file), StringComparer.OrdinalIgnoreCase))
            {
                yield return file;
            }
        }

        foreach (var sub in Directory.EnumerateDirectories(dir))
        {
            if (IgnoredFolders.Contains(Path.GetFileName(sub), StringComparer.OrdinalIgnoreCase))
            {
                continue;
            }

            foreach (var file in FilesUnder(sub))
            {
                yield return file;
            }
        }
    }

    private static IEnumerable<string> ProjectReferences(string projectFile)
    {
        var dir = Path.GetDirectoryName(projectFile)!;
        return XDocument.Load(projectFile).Descendants()
            .Where(e => e.Name.LocalName == "ProjectReference")
            .Select(e => (string?)e.Attribute("Include"))
            .Where(i => !string.IsNullOrWhiteSpace(i) && !i.Contains("$(", StringComparison.Ordinal))
            .Select(i => Path.GetFullPath(Path.Combine(dir, i!.Replace('\\', '/'))))
            .Where(File.Exists);
    }

    private static bool IsUnder(string path, string root)
    {
        var p = Path.TrimEndingDirectorySeparator(path);
        return p.Length == root.Length
            ? string.Equals(p, root, StringComparison.Ordinal)
            : p.StartsWith(root, StringComparison.Ordinal) && p[root.Length] == Path.DirectorySeparatorChar;
    }

    private static string Relative(string root, string full) => Path.GetRelativePath(root, full).Replace('\\', '/');
}
