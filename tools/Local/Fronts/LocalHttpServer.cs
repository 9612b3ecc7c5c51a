using System.Net;

namespace FraudTf.Local.Fronts;

/// <summary>An HTTP server on a free port of 127.0.0.1 that hands each request to <see cref="Handle"/>, concurrently.</summary>
public abstract class LocalHttpServer : IAsyncDisposable
{
    private readonly HttpListener _listener = new();
    private readonly CancellationTokenSource _stop = new();
    private Task _loop = Task.CompletedTask;

    /// <summary>The port.</summary>
    public int Port { get; private set; }

    /// <summary>http://127.0.0.1:&lt;port&gt;.</summary>
    public string Endpoint => $"http://127.0.0.1:{Port}";

    /// <summary>Starts listening.</summary>
    public void Start()
    {
        Port = Engines.EngineProcess.StartOnFreePorts(_listener, 1, retries: 5)[0];
        _loop = Task.Run(Loop);
    }

    /// <summary>Answers one request.</summary>
    protected abstract Task Handle(HttpListenerContext context, CancellationToken ct);

    /// <summary>Writes a whole response.</summary>
    protected static async Task Respond(HttpListenerResponse response, int status, string contentType, byte[] body, CancellationToken ct)
    {
        response.StatusCode = status;
        response.ContentType = contentType;
        response.ContentLength64 = body.Length;
        await response.OutputStream.WriteAsync(body, ct);
        response.Close();
    }

    private async Task Loop()
    {
        while (!_stop.IsCancellationRequested)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception) when (_stop.IsCancellationRequested)
            {
                return;
            }
            catch (HttpListenerException)
            {
                continue;
            }

            _ = Task.Run(async () =>
            {
                try
                {
                    await Handle(context, _stop.Token);
                }
                catch (Exception e)
                {
                    try
                    {
                        await Respond(context.Response, 500, "text/plain", System.Text.Encoding.UTF8.GetBytes($"local front failed: {e.Message}"), CancellationToken.None);
                    }
                    catch (Exception)
                    {
                        // The client went away.
                    }
                }
            });
        }
    }

    /// <summary>Stops listening.</summary>
    public virtual async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Close();
        try
        {
            await _loop;
        }
        catch (Exception)
        {
        }

        _stop.Dispose();
        GC.SuppressFinalize(this);
    }
}

/// <summary>A front that forwards every request to an engine, byte for byte, keeping the Host header (so a signature still verifies).</summary>
public abstract class ForwardingFront(string upstream) : LocalHttpServer
{
    private static readonly HashSet<string> Hop = new(StringComparer.OrdinalIgnoreCase) { "Host", "Content-Length", "Transfer-Encoding", "Connection", "Expect", "Keep-Alive" };
    private readonly HttpClient _http = new(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false, AutomaticDecompression = DecompressionMethods.None }) { Timeout = TimeSpan.FromMinutes(2) };

    /// <summary>Forwards a request (its body already read) and returns the engine's answer.</summary>
    protected async Task<(int Status, List<KeyValuePair<string, string>> Headers, byte[] Body)> Forward(HttpListenerRequest request, byte[] body, CancellationToken ct, string? method = null)
    {
        using var message = new HttpRequestMessage(new HttpMethod(method ?? request.HttpMethod), upstream + request.RawUrl);
        if (body.Length > 0 || request.HttpMethod is "PUT" or "POST")
        {
            message.Content = new ByteArrayContent(body);
        }

        foreach (var name in request.Headers.AllKeys.OfType<string>())
        {
            if (Hop.Contains(name))
            {
                continue;
            }

            var value = request.Headers[name]!;
            if (!message.Headers.TryAddWithoutValidation(name, value))
            {
                message.Content ??= new ByteArrayContent([]);
                message.Content.Headers.TryAddWithoutValidation(name, value);
            }
        }

        message.Headers.Host = request.Headers["Host"];
        using var answer = await _http.SendAsync(message, ct);
        var headers = answer.Headers.Concat(answer.Content.Headers)
            .Where(h => !Hop.Contains(h.Key) || (request.HttpMethod == "HEAD" && h.Key.Equals("Content-Length", StringComparison.OrdinalIgnoreCase)))
            .SelectMany(h => h.Value.Select(v => new KeyValuePair<string, string>(h.Key, v))).ToList();
        return ((int)answer.StatusCode, headers, await answer.Content.ReadAsByteArrayAsync(ct));
    }

    /// <summary>Writes an engine's answer back.</summary>
    protected static async Task Relay(HttpListenerResponse response, (int Status, List<KeyValuePair<string, string>> Headers, byte[] Body) answer, bool headOnly, CancellationToken ct)
    {
        response.StatusCode = answer.Status;
        foreach (var (name, value) in answer.Headers)
        {
            if (name.Equals("Content-Type", StringComparison.OrdinalIgnoreCase))
            {
                response.ContentType = value;
            }
            else
            {
                response.Headers.Add(name, value);
            }
        }

        if (headOnly)
        {
            var length = answer.Headers.FirstOrDefault(h => h.Key.Equals("Content-Length", StringComparison.OrdinalIgnoreCase)).Value;
            response.ContentLength64 = long.TryParse(length, System.Globalization.CultureInfo.InvariantCulture, out var n) ? n : 0;
            response.Close();
            return;
        }

        response.ContentLength64 = answer.Body.Length;
        await response.OutputStream.WriteAsync(answer.Body, ct);
        response.Close();
    }

    /// <summary>Reads a request's whole body.</summary>
    protected static async Task<byte[]> ReadBody(HttpListenerRequest request, CancellationToken ct)
    {
        using var buffer = new MemoryStream();
        await request.InputStream.CopyToAsync(buffer, ct);
        return buffer.ToArray();
    }

    /// <inheritdoc />
    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        _http.Dispose();
    }
}
