using System.Globalization;
using System.Security.Cryptography;
using Amazon.Runtime.Internal.Auth;

namespace FraudTf.Redrive;

/// <summary>
/// Signs a request to an AWS JSON API (a POST to <c>/</c> without query) with Signature Version 4. The canonical request
/// is built here (AWSSDK.Core 4.1 keeps its canonicalisation internal; for a POST to <c>/</c> it is fixed); the string to
/// sign, the signing key and the signature come from AWSSDK.Core's
/// <see cref="AWS4Signer.ComputeSignature(ImmutableCredentials, string, DateTime, string, string, string)"/>.
/// </summary>
public static class SigV4
{
    /// <summary>Adds x-amz-date, x-amz-content-sha256, x-amz-target (signed), the session token if any and Authorization.</summary>
    public static void Sign(HttpRequestMessage request, byte[] body, string target, ImmutableCredentials credentials, string region, string service, DateTime signedAtUtc)
    {
        var uri = request.RequestUri ?? throw new ArgumentException("the request has no URI");
        var bodyHash = Convert.ToHexStringLower(SHA256.HashData(body));
        var headers = new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            ["host"] = uri.IsDefaultPort ? uri.Host : uri.Authority,
            ["x-amz-content-sha256"] = bodyHash,
            ["x-amz-date"] = signedAtUtc.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture),
            ["x-amz-target"] = target,
        };
        if (!string.IsNullOrEmpty(credentials.Token))
        {
            headers["x-amz-security-token"] = credentials.Token;
        }

        var signedHeaders = string.Join(';', headers.Keys);
        var canonical = string.Join('\n',
            request.Method.Method,
            uri.AbsolutePath.Length == 0 ? "/" : uri.AbsolutePath,
            "",
            string.Concat(headers.Select(h => $"{h.Key}:{h.Value.Trim()}\n")),
            signedHeaders,
            bodyHash);
        var result = AWS4Signer.ComputeSignature(credentials, region, signedAtUtc, service, signedHeaders, canonical);
        foreach (var (name, value) in headers.Where(h => h.Key != "host"))
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        request.Headers.TryAddWithoutValidation("Authorization", result.ForAuthorizationHeader);
    }
}
