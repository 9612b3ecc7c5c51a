using System.Reflection;

namespace FraudTf.Platform;

/// <summary>How a CDK writes its <c>manifest.json</c>: the JSON library its <c>Manifest</c> class calls (both sort keys, two-space indent).</summary>
public enum ManifestJsonLayout
{
    /// <summary>json-stable-stringify (CDKTF): an empty array or object spans two lines (<c>[\n  ]</c>).</summary>
    JsonStableStringify,

    /// <summary>safe-stable-stringify (CDK Terrain): an empty array or object is <c>[]</c> / <c>{}</c>, as JSON.stringify writes it.</summary>
    SafeStableStringify,
}

/// <summary>
/// The facts of the CDK this assembly was built against (the generated <c>Bindings.props</c> of bindings/build.mjs,
/// chosen by <c>-p:Cdk</c>, stored as <c>[AssemblyMetadata("FraudTf.&lt;name&gt;", ...)]</c>): what code reads instead of
/// a literal that would hold for one CDK only.
/// </summary>
/// <param name="Cdk">The CDK's name in the build switch: <c>cdktf</c> or <c>terrain</c>.</param>
/// <param name="CoreVersion">The version of the CDK's core package (<c>0.21.0</c>, <c>0.24.0</c>): the <c>version</c> of manifest.json.</param>
/// <param name="ManifestLayout">How the CDK writes manifest.json.</param>
/// <param name="TerraformAwsProviderVersion">The AWS provider version the bindings describe (<c>6.25.0</c>, <c>6.66.0</c>).</param>
public sealed record CdkFacts(string Cdk, string CoreVersion, ManifestJsonLayout ManifestLayout, string TerraformAwsProviderVersion)
{
    /// <summary>The facts of the CDK the app was built against (from FraudTf.dll).</summary>
    public static CdkFacts OfThisBuild { get; } = Of(typeof(CdkFacts).Assembly);

    /// <summary>
    /// The facts <paramref name="assembly"/> carries (any assembly built with bindings/Cdk.props and the default
    /// <c>CdkAssemblyMetadata</c>); a missing fact names the key and how to get it.
    /// </summary>
    public static CdkFacts Of(Assembly assembly)
    {
        var facts = assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .Where(a => a.Key.StartsWith("FraudTf.", StringComparison.Ordinal))
            .ToDictionary(a => a.Key["FraudTf.".Length..], a => a.Value ?? "", StringComparer.Ordinal);

        string Fact(string name) => facts.TryGetValue(name, out var v) && v.Length > 0
            ? v
            : throw new InvalidOperationException($"{assembly.GetName().Name} carries no fact FraudTf.{name}: it was built with bindings of an older " +
                                                  "bindings/build.mjs. Fix: make bindings [CDK=terrain], then rebuild.");

        var layout = Fact("CdkManifestJson") switch
        {
            "json-stable-stringify" => ManifestJsonLayout.JsonStableStringify,
            "safe-stable-stringify" => ManifestJsonLayout.SafeStableStringify,
            var other => throw new InvalidOperationException($"FraudTf.CdkManifestJson = '{other}' is not a JSON writer the synth cache knows. " +
                                                             "Fix: teach StableJson (modules/Platform/SynthCache.cs) that layout."),
        };
        return new CdkFacts(Fact("Cdk"), Fact("CdkCoreVersion"), layout, Fact("TerraformAwsProviderVersion"));
    }
}
