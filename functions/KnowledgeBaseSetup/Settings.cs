using FraudTf.Functions.Shared.Settings;

namespace FraudTf.Functions.KnowledgeBaseSetup;

/// <summary>The function's settings, from its environment variables (none set by the stack: see
/// <see cref="FunctionEnvironment.NotSetByStack"/>).</summary>
public sealed record Settings
{
    /// <summary><see cref="FunctionEnvironment.AwsRegion"/> (set by Lambda): the signing region.</summary>
    public required string Region { get; init; }

    /// <summary><see cref="FunctionEnvironment.VectorIndexRetryBudgetSeconds"/>: how long 403s (data-access policies still
    /// propagating), 5xx and connection errors are retried, in total. Default 240 (the function's timeout is 300).</summary>
    public TimeSpan RetryBudget { get; init; } = TimeSpan.FromSeconds(240);

    /// <summary>First delay between retries; it doubles up to <see cref="MaxRetryDelay"/>.</summary>
    public TimeSpan InitialRetryDelay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Longest delay between retries.</summary>
    public TimeSpan MaxRetryDelay { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>Timeout of one HTTP request.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// The Bedrock Agent (build-time) API: AWS_ENDPOINT_URL_BEDROCK_AGENT, else AWS_ENDPOINT_URL, else
    /// <c>https://bedrock-agent.&lt;region&gt;.amazonaws.com</c> (the SDKs' endpoint variables, for tests).
    /// </summary>
    public Uri? BedrockAgentEndpoint { get; init; }

    /// <summary>
    /// <see cref="FunctionEnvironment.CollectionEndpoint"/>: the OpenSearch Serverless collection endpoint this function may
    /// sign requests for (the stack sets it on the index-setup function). An invocation naming another collection is
    /// refused; without it, the function creates no index (the knowledge-base sync function, which shares this package, has none).
    /// </summary>
    public Uri? CollectionEndpoint { get; init; }

    /// <summary>The Bedrock Agent endpoint to call: <see cref="BedrockAgentEndpoint"/> or the regional default.</summary>
    public Uri BedrockAgent => BedrockAgentEndpoint ?? new Uri($"https://bedrock-agent.{Region}.amazonaws.com");

    /// <summary>Reads the settings; a missing or invalid variable is a <see cref="SettingsException"/> naming it.</summary>
    public static Settings FromEnvironment(Func<string, string?>? read = null) => From(new SettingsReader(read));

    /// <summary>Reads the settings through <paramref name="env"/> (which records the names read).</summary>
    public static Settings From(SettingsReader env) => new()
    {
        Region = env.Required(FunctionEnvironment.AwsRegion),
        RetryBudget = TimeSpan.FromSeconds(env.Int(FunctionEnvironment.VectorIndexRetryBudgetSeconds, 240, min: 1, max: 900)),
        BedrockAgentEndpoint = env.OptionalAbsoluteUri(FunctionEnvironment.BedrockAgentEndpoint) ?? env.OptionalAbsoluteUri(FunctionEnvironment.AwsEndpointUrl),
        CollectionEndpoint = CollectionEndpointOf(env),
    };

    // The collection's https URL without a path (http only on loopback, for tests).
    private static Uri? CollectionEndpointOf(SettingsReader env)
    {
        var collection = env.OptionalAbsoluteUri(FunctionEnvironment.CollectionEndpoint);
        if (collection is not null && (collection.AbsolutePath != "/" || collection.Query.Length > 0
                || !(collection.Scheme == Uri.UriSchemeHttps || (collection.Scheme == Uri.UriSchemeHttp && collection.IsLoopback))))
        {
            throw new SettingsException($"environment variable {FunctionEnvironment.CollectionEndpoint} = '{collection}' is not the collection's https URL without a path " +
                                        "(e.g. https://<id>.<region>.aoss.amazonaws.com). Fix: set it to the collection's collection_endpoint.");
        }

        return collection;
    }
}
