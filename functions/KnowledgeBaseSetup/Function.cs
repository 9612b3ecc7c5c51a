using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using Amazon.Runtime.Credentials;
using FraudTf.Functions.Shared.Logging;

namespace FraudTf.Functions.KnowledgeBaseSetup;

/// <summary>
/// Creates the Bedrock knowledge base's vector index in an OpenSearch Serverless collection, invoked by Terraform's
/// <c>aws_lambda_invocation</c> (lifecycle_scope CRUD) before the knowledge base is created. Create and update: PUT the
/// index (faiss/HNSW knn_vector, text, metadata); when it already exists, its mapping must match (vector field and
/// dimension), otherwise the error names the index, both dimensions and the fix. Delete: nothing is deleted (the
/// index holds the ingested data). Requests are SigV4-signed (AWSSDK.Core's signer) for service <c>aoss</c>, and only
/// for the collection named by COLLECTION_ENDPOINT: an input naming another endpoint is refused before anything is
/// signed; 403 (data-access policy not yet
/// propagated), 429, 5xx and connection errors are retried with capped exponential backoff within a time budget.
/// Output: <c>{"index":...,"status":"created"|"exists"|"unchanged-on-delete"}</c>.
/// <para>With <c>"operation":"start-ingestion"</c> (<see cref="IngestionRequest"/>) it starts an ingestion job of the
/// knowledge base's data source instead (Bedrock Agent StartIngestionJob, SigV4 service <c>bedrock</c>), so uploaded
/// documents are searchable after the same apply; 409 (a job already running) is retried like the other transient errors.</para>
/// </summary>
public sealed class Function
{
    /// <summary>The SigV4 service name of OpenSearch Serverless.</summary>
    public const string Service = "aoss";

    /// <summary>The SigV4 service name of the Bedrock Agent API (StartIngestionJob).</summary>
    public const string BedrockAgentService = "bedrock";

    private readonly Settings _settings;
    private readonly HttpClient _http;
    private readonly Func<Task<ImmutableCredentials>> _credentials;
    private readonly StructuredLog _log;
    private readonly TimeProvider _time;

    /// <summary>Used by the Lambda runtime: region from AWS_REGION, credentials from the SDK's default chain.</summary>
    public Function()
        : this(Settings.FromEnvironment(), new HttpClient(), DefaultCredentials, StructuredOutput.Standard, TimeProvider.System)
    {
    }

    /// <summary>Creates the function with explicit dependencies (tests).</summary>
    public Function(Settings settings, HttpClient http, Func<Task<ImmutableCredentials>> credentials, StructuredOutput output, TimeProvider time)
    {
        _settings = settings;
        _http = http;
        _http.Timeout = Timeout.InfiniteTimeSpan; // per request below
        _credentials = credentials;
        _log = new StructuredLog(output, time.GetUtcNow);
        _time = time;
    }

    /// <summary>Credentials from the SDK's default chain (environment variables in Lambda).</summary>
    public static Task<ImmutableCredentials> DefaultCredentials() => DefaultAWSCredentialsIdentityResolver.GetCredentials().GetCredentialsAsync();

    /// <summary>Handles one invocation.</summary>
    public async Task<Stream> Handler(Stream input)
    {
        using var reader = new StreamReader(input, Encoding.UTF8);
        var output = await Process(await reader.ReadToEndAsync(), CancellationToken.None);
        return new MemoryStream(Encoding.UTF8.GetBytes(output.ToJsonString()));
    }

    /// <summary>Processes the raw input JSON; throws with a clear message when the index cannot be set up.</summary>
    public async Task<JsonObject> Process(string raw, CancellationToken ct)
    {
        var operation = IngestionRequest.OperationOf(raw);
        if (operation == IngestionRequest.Operation)
        {
            return await StartIngestion(raw, ct);
        }

        if (operation != "create-index")
        {
            throw new ArgumentException($"input field operation = '{operation}' is unknown (expected create-index or {IngestionRequest.Operation})");
        }

        var (action, name) = IndexRequest.Peek(raw);
        if (action == "delete")
        {
            Log(LogLevels.Info, "delete: the index is left in place", name, null);
            return new JsonObject
            {
                ["index"] = name,
                ["status"] = "unchanged-on-delete",
                ["note"] = "the vector index and its data are kept on destroy; delete the collection (or the index) yourself if that is intended",
            };
        }

        var request = IndexRequest.Parse(raw);
        if (_settings.CollectionEndpoint is not { } configured)
        {
            throw new InvalidOperationException("this function has no COLLECTION_ENDPOINT, so it signs requests for no collection and creates no index. " +
                "Fix: invoke the index-setup function (whose environment names its collection), not the knowledge-base sync function.");
        }

        if (!SigV4.SameEndpoint(request.CollectionEndpoint, configured))
        {
            throw new ArgumentException($"collectionEndpoint {request.CollectionEndpoint.Scheme}://{request.CollectionEndpoint.Authority} is not this function's configured collection " +
                $"{configured.Scheme}://{configured.Authority} (COLLECTION_ENDPOINT): nothing was signed or sent. Fix: invoke the index-setup function of that collection, " +
                "or pass its own collection's endpoint.");
        }

        var deadline = _time.GetUtcNow() + _settings.RetryBudget;
        var body = Encoding.UTF8.GetBytes(request.IndexBody().ToJsonString());
        var (status, text) = await Send(HttpMethod.Put, request.CollectionEndpoint, Service, "/" + request.IndexName, body, request.IndexName, deadline, ct);
        if ((int)status is >= 200 and < 300)
        {
            Log(LogLevels.Info, "index created", request.IndexName, (int)status);
            return new JsonObject { ["index"] = request.IndexName, ["status"] = "created" };
        }

        if (status == HttpStatusCode.BadRequest && text.Contains("resource_already_exists_exception", StringComparison.Ordinal))
        {
            var (mappingStatus, mapping) = await Send(HttpMethod.Get, request.CollectionEndpoint, Service, $"/{request.IndexName}/_mapping", [], request.IndexName, deadline, ct);
            if ((int)mappingStatus is < 200 or >= 300)
            {
                throw new InvalidOperationException($"index {request.IndexName} exists but reading its mapping failed with HTTP {(int)mappingStatus}: {Clip(mapping)}");
            }

            CheckMapping(request, mapping);
            Log(LogLevels.Info, "index exists with a matching mapping", request.IndexName, (int)status);
            return new JsonObject { ["index"] = request.IndexName, ["status"] = "exists" };
        }

        throw new InvalidOperationException($"creating index {request.IndexName} failed with HTTP {(int)status}: {Clip(text)}");
    }

    // Starts an ingestion job of the data source (Bedrock Agent StartIngestionJob). The documents' hash is the client
    // token, so a repeated call for the same documents starts no second job. 409 (a job is already running) is retried.
    private async Task<JsonObject> StartIngestion(string raw, CancellationToken ct)
    {
        if (IndexRequest.Peek(raw).Action == "delete")
        {
            Log(LogLevels.Info, "delete: no ingestion", null, null);
            return new JsonObject { ["status"] = "unchanged-on-delete", ["note"] = "nothing to ingest when the data source is destroyed" };
        }

        var request = IngestionRequest.Parse(raw);
        var path = $"/knowledgebases/{request.KnowledgeBaseId}/datasources/{request.DataSourceId}/ingestionjobs/";
        var body = Encoding.UTF8.GetBytes(new JsonObject
        {
            ["clientToken"] = request.DocumentsSha256,
            ["description"] = $"documents {request.DocumentsSha256[..16]}",
        }.ToJsonString());
        var deadline = _time.GetUtcNow() + _settings.RetryBudget;
        var (status, text) = await Send(HttpMethod.Put, _settings.BedrockAgent, BedrockAgentService, path, body, request.KnowledgeBaseId, deadline, ct);
        if ((int)status is < 200 or >= 300)
        {
            throw new InvalidOperationException($"starting the ingestion of data source {request.DataSourceId} of knowledge base {request.KnowledgeBaseId} failed with HTTP {(int)status}: {Clip(text)}");
        }

        var job = (JsonNode.Parse(text) as JsonObject)?["ingestionJob"];
        Log(LogLevels.Info, "ingestion started", request.KnowledgeBaseId, (int)status);
        return new JsonObject
        {
            ["knowledgeBaseId"] = request.KnowledgeBaseId,
            ["dataSourceId"] = request.DataSourceId,
            ["status"] = "ingestion-started",
            ["ingestionJobId"] = job?["ingestionJobId"]?.GetValue<string>(),
            ["ingestionJobStatus"] = job?["status"]?.GetValue<string>(),
        };
    }

    // Throws unless the existing index has the vector field as a knn_vector of the requested dimension.
    private static void CheckMapping(IndexRequest request, string mappingJson)
    {
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(mappingJson);
        }
        catch (JsonException)
        {
            throw new InvalidOperationException($"index {request.IndexName} exists but its mapping is not JSON: {Clip(mappingJson)}");
        }

        var properties = (root as JsonObject)?.Select(p => p.Value?["mappings"]?["properties"]).OfType<JsonObject>().FirstOrDefault();
        var vector = properties?[request.VectorField] as JsonObject;
        var fix = $"delete the index {request.IndexName} in the collection (its documents are lost and must be ingested again) or choose another indexName";
        if (vector is null)
        {
            throw new InvalidOperationException($"index {request.IndexName} exists without the vector field {request.VectorField} (expected a knn_vector of dimension {request.Dimensions}); fix: {fix}");
        }

        var type = vector["type"]?.GetValue<string>();
        var found = vector["dimension"] is JsonValue d && d.TryGetValue<int>(out var n) ? n : (int?)null;
        if (type != "knn_vector" || found != request.Dimensions)
        {
            throw new InvalidOperationException(
                $"index {request.IndexName} exists with {request.VectorField} of type {type ?? "(none)"} and dimension {found?.ToString(CultureInfo.InvariantCulture) ?? "(none)"}, " +
                $"but dimension {request.Dimensions} (knn_vector) is expected; fix: {fix}");
        }

        var engine = vector["method"]?["engine"]?.GetValue<string>();
        if (engine is not null && engine != "faiss")
        {
            throw new InvalidOperationException($"index {request.IndexName} exists with engine {engine} on {request.VectorField}, but Bedrock knowledge bases need faiss; fix: {fix}");
        }
    }

    // Sends one signed request, retrying 403/409/429/5xx/connection errors until the deadline. Returns the final status and body.
    private async Task<(HttpStatusCode Status, string Body)> Send(HttpMethod method, Uri endpoint, string service, string path, byte[] body, string subject,
        DateTimeOffset deadline, CancellationToken ct)
    {
        var delay = _settings.InitialRetryDelay;
        for (var attempt = 1; ; attempt++)
        {
            string problem;
            HttpStatusCode? status = null;
            var text = "";
            try
            {
                using var message = new HttpRequestMessage(method, new Uri(endpoint, path));
                if (body.Length > 0 || method == HttpMethod.Put)
                {
                    message.Content = new ByteArrayContent(body);
                    message.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
                }

                SigV4.Sign(message, body, await _credentials(), _settings.Region, service, _time.GetUtcNow().UtcDateTime,
                    service == Service ? _settings.CollectionEndpoint! : _settings.BedrockAgent);
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
                timeout.CancelAfter(_settings.RequestTimeout);
                using var response = await _http.SendAsync(message, timeout.Token);
                status = response.StatusCode;
                text = await response.Content.ReadAsStringAsync(timeout.Token);
                if (!Retryable(response.StatusCode))
                {
                    return (response.StatusCode, text);
                }

                problem = $"HTTP {(int)response.StatusCode}: {Clip(text, 300)}";
            }
            catch (Exception e) when (e is HttpRequestException or IOException || (e is OperationCanceledException && !ct.IsCancellationRequested))
            {
                problem = $"{e.GetType().Name}: {e.Message}";
            }

            var remaining = deadline - _time.GetUtcNow();
            if (remaining <= TimeSpan.Zero)
            {
                var hint = status != HttpStatusCode.Forbidden ? ""
                    : service == Service
                        ? " A 403 that lasts means the collection's data-access policy does not grant this function's role aoss:CreateIndex/DescribeIndex on the index (or the network policy blocks it)."
                        : " A 403 that lasts means this function's role lacks bedrock:StartIngestionJob on the knowledge base.";
                throw new TimeoutException($"{method.Method} {path} on {endpoint.Host} still failing after {attempt} attempts in {_settings.RetryBudget.TotalSeconds:0.###} s; last: {problem}.{hint}");
            }

            Log(LogLevels.Warn, "retrying", subject, status is null ? null : (int)status, $"attempt {attempt}: {problem}");
            var wait = delay < remaining ? delay : remaining;
            await Task.Delay(wait, _time, ct);
            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, _settings.MaxRetryDelay.Ticks));
        }
    }

    // 409 is Bedrock's "an ingestion job is already running for this data source"; OpenSearch does not answer 409 to a PUT of an index.
    private static bool Retryable(HttpStatusCode status) =>
        status is HttpStatusCode.Forbidden or HttpStatusCode.TooManyRequests or HttpStatusCode.RequestTimeout or HttpStatusCode.Conflict || (int)status >= 500;

    private static string Clip(string s, int max = 2000) => s.Length <= max ? s : s[..max] + "...";

    private void Log(string level, string message, string? index, int? status, string? detail = null) =>
        _log.Write(level, message, [new("index", index), new("status", status), new(LogFields.Detail, detail)]);
}
