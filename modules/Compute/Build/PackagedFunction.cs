namespace FraudTf.Compute.Build;

// Alike on purpose: an init-only record of documented properties, the shape of the functions' Settings records.
/// <summary>A Lambda function's code, published and zipped by <see cref="FunctionBuilder.Build"/>.</summary>
public sealed record PackagedFunction
{
    /// <summary>The project folder, relative to the repository root, with forward slashes (e.g. <c>functions/StreamProcessor</c>).</summary>
    public required string ProjectPath { get; init; }

    /// <summary>Absolute path of the zip (under <c>.build/functions/&lt;ProjectFolderName&gt;/</c>).</summary>
    public required string ZipPath { get; init; }

    /// <summary>SHA-256 of the zip's bytes, lowercase hex.</summary>
    public required string Sha256 { get; init; }

    /// <summary>SHA-256 of the zip's bytes, base64: the format of <c>aws_lambda_function.source_code_hash</c>.</summary>
    public required string SourceBase64Sha256 { get; init; }

    /// <summary>Size of the zip in bytes.</summary>
    public required long SizeBytes { get; init; }

    /// <summary>The function's assembly name (the first part of its handler string).</summary>
    public required string AssemblyName { get; init; }

    /// <summary>
    /// SHA-256 (lowercase hex) of everything the build reads: the project's and its referenced projects' files, the
    /// MSBuild/NuGet settings files, the SDK version and the publish recipe. The zip's folder name carries its first 16 digits.
    /// </summary>
    public required string InputHash { get; init; }
}

/// <summary>
/// A function project failed to build (compile error, restore error, missing SDK). The message names the project, says
/// how to see the full error, and ends with the build's error lines and last output lines.
/// </summary>
public sealed class FunctionBuildException : Exception
{
    /// <summary>Creates the exception for <paramref name="projectDir"/> with the build's exit code and full output.</summary>
    public FunctionBuildException(string projectDir, int exitCode, string message, string output) : base(message)
    {
        ProjectDir = projectDir;
        ExitCode = exitCode;
        Output = output;
    }

    /// <summary>The project folder, relative to the repository root.</summary>
    public string ProjectDir { get; }

    /// <summary>Exit code of <c>dotnet publish</c> (-1 when it could not be started or timed out).</summary>
    public int ExitCode { get; }

    /// <summary>The complete standard output and error of the build.</summary>
    public string Output { get; }
}
