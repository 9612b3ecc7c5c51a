using System.Collections.Concurrent;
using System.Net;


namespace FraudTf.Local.Fronts;

/// <summary>
/// The front of s3rver that the functions and runners call (<c>AWS_ENDPOINT_URL_S3</c>). It forwards every request and
/// adds what s3rver 3.7 lacks:
/// <list type="bullet">
/// <item>Conditional writes: a PutObject with <c>If-None-Match: *</c> on an existing key is answered 412
/// PreconditionFailed, as S3 does (S3 user guide, "Conditional writes"); s3rver would overwrite. The check and the put
/// hold a lock per key, so two concurrent conditional puts cannot both succeed.</item>
/// <item>The request metrics of a bucket's <c>aws_s3_bucket_metric</c> configuration: each successful PutObject under
/// its filter prefix puts <c>AWS/S3 PutRequests</c> with dimensions BucketName and FilterId (S3 user guide, "Monitoring
/// metrics with Amazon CloudWatch", request metrics).</item>
/// </list>
/// It also counts the objects written per bucket for the report. Not done: bucket policies (the stack's deny rules are
/// checked by the security policy and the deployability gate, not here), object lock, versioning, KMS.
/// </summary>
public sealed class S3Front : ForwardingFront
{
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _keys = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, long> _written = new(StringComparer.Ordinal);
    private readonly IReadOnlyList<(string Bucket, string FilterId, string Prefix)> _requestMetrics;
    private readonly IMetricSink _metrics;
    private readonly TimeProvider _time;
    private readonly Amazon.S3.AmazonS3Client _engine;
    private long _refused;

    /// <summary>Creates the front of <paramref name="upstream"/>, with the request metrics configured in <paramref name="stack"/>.</summary>
    public S3Front(string upstream, LocalStack stack, IMetricSink metrics, TimeProvider time)
        : base(upstream)
    {
        _metrics = metrics;
        _time = time;
        _engine = new Amazon.S3.AmazonS3Client(new Amazon.Runtime.BasicAWSCredentials("S3RVER", "S3RVER"),
            new Amazon.S3.AmazonS3Config { ServiceURL = upstream, ForcePathStyle = true, AuthenticationRegion = stack.Region });
        _requestMetrics = stack.Resources("aws_s3_bucket_metric").Select(m => (
            stack.Resolve(m.Body["bucket"]!.GetValue<string>()),
            m.Body["name"]!.GetValue<string>(),
            m.Body["filter"]?["prefix"]?.GetValue<string>() ?? "")).ToList();
    }

    private async Task<bool> Exists(string bucket, string key, CancellationToken ct)
    {
        try
        {
            await _engine.GetObjectMetadataAsync(bucket, key, ct);
            return true;
        }
        catch (Amazon.S3.AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            return false;
        }
    }

    /// <inheritdoc />
    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        _engine.Dispose();
    }

    /// <summary>Objects written, by bucket.</summary>
    public IReadOnlyDictionary<string, long> Written => _written;

    /// <summary>Conditional puts refused because the key existed.</summary>
    public long Refused => Interlocked.Read(ref _refused);

    /// <summary>A PutObject (no multipart, ACL or tagging sub-resource; the SDK may add <c>x-id=PutObject</c>).</summary>
    private static bool IsPlainObjectPut(string query) =>
        query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries).All(p => p.StartsWith("x-id=", StringComparison.Ordinal));

    /// <inheritdoc />
    protected override async Task Handle(HttpListenerContext context, CancellationToken ct)
    {
        var request = context.Request;
        var body = await ReadBody(request, ct);
        var path = request.Url!.AbsolutePath.TrimStart('/');
        var slash = path.IndexOf('/');
        var isObjectPut = request.HttpMethod == "PUT" && slash > 0 && slash < path.Length - 1 && IsPlainObjectPut(request.Url.Query) && request.Headers["x-amz-copy-source"] is null;
        if (!isObjectPut)
        {
            await Relay(context.Response, await Forward(request, body, ct), request.HttpMethod == "HEAD", ct);
            return;
        }

        var bucket = path[..slash];
        var key = Uri.UnescapeDataString(path[(slash + 1)..]);
        var conditional = request.Headers["If-None-Match"] == "*";
        var gate = _keys.GetOrAdd(path, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(ct);
        try
        {
            if (conditional)
            {
                if (await Exists(bucket, key, ct))
                {
                    Interlocked.Increment(ref _refused);
                    var error = $"<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>PreconditionFailed</Code><Message>At least one of the pre-conditions you specified did not hold</Message><Condition>If-None-Match</Condition><Key>{System.Security.SecurityElement.Escape(key)}</Key></Error>";
                    await Respond(context.Response, 412, "application/xml", Encoding.UTF8.GetBytes(error), ct);
                    return;
                }
            }

            var answer = await Forward(request, body, ct);
            if (answer.Status == 200)
            {
                _written.AddOrUpdate(bucket, 1, (_, n) => n + 1);
                foreach (var (b, filterId, prefix) in _requestMetrics)
                {
                    if (b == bucket && key.StartsWith(prefix, StringComparison.Ordinal))
                    {
                        _metrics.Put(new Datapoint("AWS/S3", "PutRequests", new Dictionary<string, string> { ["BucketName"] = bucket, ["FilterId"] = filterId }, _time.GetUtcNow(), 1, "Count"));
                    }
                }
            }

            await Relay(context.Response, answer, false, ct);
        }
        finally
        {
            gate.Release();
        }
    }

}
