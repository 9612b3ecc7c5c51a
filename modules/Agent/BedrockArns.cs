namespace FraudTf.Agent;

/// <summary>ARNs of Bedrock models and inference profiles (built from ids, so IAM statements name exact resources).</summary>
public static class BedrockArns
{
    /// <summary><c>arn:&lt;partition&gt;:bedrock:&lt;region&gt;::foundation-model/&lt;model id&gt;</c> (foundation models have no account).</summary>
    public static string FoundationModel(string partition, string region, string modelId) =>
        $"arn:{partition}:bedrock:{region}::foundation-model/{modelId}";

    /// <summary><c>arn:&lt;partition&gt;:bedrock:&lt;region&gt;:&lt;account&gt;:inference-profile/&lt;profile id&gt;</c>.</summary>
    public static string InferenceProfile(string partition, string region, string accountId, string profileId) =>
        $"arn:{partition}:bedrock:{region}:{accountId}:inference-profile/{profileId}";
}
