namespace FraudTf.Config;

/// <summary>
/// Destination regions of Bedrock cross-region inference profiles, for the profiles and source regions that were
/// verified: the agent's role must be allowed the foundation model in every region its profile routes to, or
/// requests routed there fail with AccessDenied. Destinations differ by profile and by the region the profile is
/// called from (Bedrock user guide, "Supported Regions and models for inference profiles"), so anything not listed
/// here must be given in <c>agent.inferenceProfileRegions</c>. Compiled into the app and the offline gate
/// (GATE-BRK-001), one table for both.
/// </summary>
public static class InferenceProfiles
{
    /// <summary>(profile id, source region) → destination regions, each with where it was read.</summary>
    public static IReadOnlyDictionary<(string Profile, string SourceRegion), IReadOnlyList<string>> Verified { get; } =
        new Dictionary<(string, string), IReadOnlyList<string>>
        {
            // AWS Machine Learning Blog, "Securing Amazon Bedrock cross-Region inference: Geographic and global"
            // (January 2026): "the US Anthropic Claude Sonnet 4.5 Geographic cross-Region inference requires access to
            // us-east-1, us-east-2, and us-west-2", source region us-east-1.
            [("us.anthropic.claude-sonnet-4-5-20250929-v1:0", "us-east-1")] = ["us-east-1", "us-east-2", "us-west-2"],
        };

    /// <summary>The verified destination regions of <paramref name="profile"/> called from <paramref name="sourceRegion"/>, or null.</summary>
    public static IReadOnlyList<string>? DestinationRegions(string profile, string sourceRegion) =>
        Verified.TryGetValue((profile, sourceRegion), out var regions) ? regions : null;
}
