using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Text;

namespace FraudTf.Functions.Tests.VectorIndex;

/// <summary>One request the fake received.</summary>
public sealed record ReceivedRequest(string Method, string Path, string Query, IReadOnlyDictionary<string, string> Headers, byte[] Body)
{
    /// <summary>The body as text.</summary>
    public string BodyText => Encoding.UTF8.GetString(Body);
}

/// <summary>
/// A small HTTP server on a free port of 127.0.0.1 that plays OpenSearch Serverless: records every request and answers
/// with <see cref="Respond"/>.
/// </summary>
public sealed class FakeOpenSearch : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Task _loop;

    /// <summary>Starts the server.</summary>
    public FakeOpenSearch()
    {
        Port = FraudTf.Local.Engines.EngineProcess.StartOnFreePorts(_listener, 1, retries: 5)[0];
        _loop = Task.Run(Loop);
    }

    /// <summary>The port listened on.</summary>
    public int Port { get; }

    /// <summary>The endpoint, e.g. http://127.0.0.1:40123.</summary>
    public string Endpoint => $"http://127.0.0.1:{Port}";

    /// <summary>Requests received, in order.</summary>
    public ConcurrentQueue<ReceivedRequest> Requests { get; } = new();

    /// <summary>The answer to a request: status and JSON body. Default: 200 acknowledged.</summary>
    public Func<ReceivedRequest, int, (int Status, string Body)> Respond { get; set; } = (_, _) => (200, "{\"acknowledged\":true}");

    private async Task Loop()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            using var body = new MemoryStream();
            await context.Request.InputStream.CopyToAsync(body);
            var headers = context.Request.Headers.AllKeys.Where(k => k is not null)
                .ToDictionary(k => k!.ToLowerInvariant(), k => context.Request.Headers[k]!, StringComparer.Ordinal);
            var raw = context.Request.RawUrl ?? "/";
            var q = raw.IndexOf('?', StringComparison.Ordinal);
            var request = new ReceivedRequest(context.Request.HttpMethod, q < 0 ? raw : raw[..q], q < 0 ? "" : raw[(q + 1)..], headers, body.ToArray());
            Requests.Enqueue(request);
            var (status, text) = Respond(request, Requests.Count);
            var bytes = Encoding.UTF8.GetBytes(text);
            context.Response.StatusCode = status;
            context.Response.ContentType = "application/json";
            context.Response.ContentLength64 = bytes.Length;
            await context.Response.OutputStream.WriteAsync(bytes);
            context.Response.Close();
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _listener.Stop();
        _listener.Close();
        try
        {
            _loop.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
        }
    }

    /// <summary>A port nothing listens on (connections are refused).</summary>
    public static int FreePort() => FraudTf.Local.Engines.EngineProcess.FreePort();
}

/// <summary>An independent SigV4 verifier (from the AWS specification, no SDK code): recomputes the signature of a
/// received request and explains the first difference.</summary>
public static class SigV4Verifier
{
    /// <summary>The parts of an Authorization header.</summary>
    public sealed record Authorization(string AccessKey, string Date, string Region, string Service, string Terminator, string[] SignedHeaders, string Signature);

    /// <summary>Parses <c>AWS4-HMAC-SHA256 Credential=AK/date/region/service/aws4_request, SignedHeaders=a;b, Signature=hex</c>.</summary>
    public static Authorization Parse(string header)
    {
        Assert.That(header, Does.StartWith("AWS4-HMAC-SHA256 "));
        var parts = header["AWS4-HMAC-SHA256 ".Length..].Split(',', StringSplitOptions.TrimEntries)
            .Select(p => p.Split('=', 2)).ToDictionary(p => p[0], p => p[1], StringComparer.Ordinal);
        Assert.That(parts.Keys, Is.EquivalentTo(new[] { "Credential", "SignedHeaders", "Signature" }));
        var scope = parts["Credential"].Split('/');
        Assert.That(scope, Has.Length.EqualTo(5));
        return new Authorization(scope[0], scope[1], scope[2], scope[3], scope[4], parts["SignedHeaders"].Split(';'), parts["Signature"]);
    }

    /// <summary>The signature the request should carry with <paramref name="secretKey"/>.</summary>
    public static string Expected(ReceivedRequest r, Authorization auth, string secretKey)
    {
        var canonicalHeaders = string.Concat(auth.SignedHeaders.Select(h => $"{h}:{string.Join(' ', r.Headers[h].Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries))}\n"));
        var canonical = string.Join('\n',
            r.Method,
            string.Join('/', r.Path.Split('/').Select(s => Uri.EscapeDataString(Uri.UnescapeDataString(s)))),
            r.Query,
            canonicalHeaders,
            string.Join(';', auth.SignedHeaders),
            Hex(SHA256.HashData(r.Body)));
        var toSign = string.Join('\n',
            "AWS4-HMAC-SHA256",
            r.Headers["x-amz-date"],
            $"{auth.Date}/{auth.Region}/{auth.Service}/{auth.Terminator}",
            Hex(SHA256.HashData(Encoding.UTF8.GetBytes(canonical))));
        var key = Hmac(Encoding.UTF8.GetBytes("AWS4" + secretKey), auth.Date);
        key = Hmac(key, auth.Region);
        key = Hmac(key, auth.Service);
        key = Hmac(key, auth.Terminator);
        return Hex(Hmac(key, toSign));
    }

    private static byte[] Hmac(byte[] key, string data) => HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(data));

    private static string Hex(byte[] b) => Convert.ToHexStringLower(b);
}
