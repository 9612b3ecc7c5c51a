using Amazon;
using Amazon.Runtime.Signing;

namespace FraudTf.Functions.KnowledgeBaseSetup;

/// <summary>
/// Signs an HTTP request with AWS Signature Version 4, using AWSSDK.Core's own signer
/// (<see cref="AWSSigV4Signer"/>, the SDK's public standalone signing API: canonical request, string to sign, signing key
/// and signature are all the SDK's). Nothing is canonicalised here. A request is signed only for the one endpoint the
/// caller was configured with: credentials never sign a request for any other host.
/// </summary>
public static class SigV4
{
    /// <summary>
    /// Adds the SigV4 headers the SDK's signer returns (X-Amz-Date, X-Amz-Content-SHA256, X-Amz-Security-Token when the
    /// credentials have a session token, Authorization) to <paramref name="request"/>. The signed headers are
    /// <c>host</c> (scheme default port omitted, as HttpClient sends it), the payload hash, the date and the token.
    /// Throws <see cref="InvalidOperationException"/> when the request's scheme, host or port is not
    /// <paramref name="configuredEndpoint"/>'s.
    /// </summary>
    public static void Sign(HttpRequestMessage request, byte[] body, ImmutableCredentials credentials, string region, string service, DateTime signedAtUtc,
        Uri configuredEndpoint)
    {
        var uri = request.RequestUri ?? throw new ArgumentException("the request has no URI");
        if (!SameEndpoint(uri, configuredEndpoint))
        {
            throw new InvalidOperationException(
                $"refusing to sign a request for {uri.Scheme}://{uri.Authority}: this function signs {service} requests only for its configured endpoint " +
                $"{configuredEndpoint.Scheme}://{configuredEndpoint.Authority}. Fix: pass the configured endpoint (COLLECTION_ENDPOINT for the vector index, " +
                "the Bedrock Agent endpoint of AWS_REGION for ingestion), or change the function's configuration.");
        }

        var result = AWSSigV4Signer.Sign(
            new AWSSigningRequest { HttpMethod = request.Method, RequestUri = uri, Content = body },
            new AWSSigV4Parameters
            {
                Credentials = string.IsNullOrEmpty(credentials.Token)
                    ? new BasicAWSCredentials(credentials.AccessKey, credentials.SecretKey)
                    : new SessionAWSCredentials(credentials.AccessKey, credentials.SecretKey, credentials.Token),
                Region = RegionEndpoint.GetBySystemName(region),
                Service = service,
                SignPayload = true,
                SignedAt = signedAtUtc,
            });
        foreach (var (name, value) in result.Headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }
    }

    /// <summary>True when both URIs have the same scheme, host (case-insensitive) and port.</summary>
    public static bool SameEndpoint(Uri a, Uri b) =>
        string.Equals(a.Scheme, b.Scheme, StringComparison.OrdinalIgnoreCase)
        && string.Equals(a.IdnHost, b.IdnHost, StringComparison.OrdinalIgnoreCase)
        && a.Port == b.Port;
}
