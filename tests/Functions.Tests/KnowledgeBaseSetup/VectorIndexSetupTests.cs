using FraudTf.Functions.Tests.Support;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Amazon.Runtime;
using FraudTf.Functions.KnowledgeBaseSetup;
using IndexFunction = FraudTf.Functions.KnowledgeBaseSetup.Function;
using IndexSettings = FraudTf.Functions.KnowledgeBaseSetup.Settings;

namespace FraudTf.Functions.Tests.VectorIndex;

/// <summary>The vector-index setup function against a fake OpenSearch Serverless on 127.0.0.1.</summary>
[TestFixture]
[NonParallelizable]
public class VectorIndexSetupTests
{
    private const string AccessKey = "AKIDVECTORTEST";
    private const string SecretKey = "vector/test+secret";
    private const string Region = "eu-central-1";
    private FakeOpenSearch _server = null!;
    private CapturedOutput _log = null!;
    private HttpClient _http = null!;

    [SetUp]
    public void Start()
    {
        _server = new FakeOpenSearch();
        _log = new CapturedOutput();
        _http = new HttpClient();
    }

    [TearDown]
    public void Stop()
    {
        _server.Dispose();
        _log.Dispose();
        _http.Dispose();
    }

    // The settings of the index-setup function configured for the fake collection (or for <paramref name="collection"/>).
    private IndexSettings Fast(double budgetSeconds = 10, string? collection = null) => new()
    {
        Region = Region,
        CollectionEndpoint = new Uri(collection ?? _server.Endpoint),
        RetryBudget = TimeSpan.FromSeconds(budgetSeconds),
        InitialRetryDelay = TimeSpan.FromMilliseconds(10),
        MaxRetryDelay = TimeSpan.FromMilliseconds(40),
        RequestTimeout = TimeSpan.FromSeconds(10),
    };

    private IndexFunction NewFunction(IndexSettings? settings = null, ImmutableCredentials? credentials = null) =>
        new(settings ?? Fast(), _http, () => Task.FromResult(credentials ?? new ImmutableCredentials(AccessKey, SecretKey, null)), _log, TimeProvider.System);

    private JsonObject Input(string action = "create", int dimensions = 1024, string index = "fraud-kb-index", string? endpoint = null) => new()
    {
        ["collectionEndpoint"] = endpoint ?? _server.Endpoint,
        ["indexName"] = index,
        ["dimensions"] = dimensions,
        ["vectorField"] = "embedding",
        ["textField"] = "text",
        ["metadataField"] = "metadata",
        ["tf"] = new JsonObject { ["action"] = action, ["prev_input"] = null },
    };

    private static string Mapping(string index, string field, int dimension, string engine = "faiss") => new JsonObject
    {
        [index] = new JsonObject
        {
            ["mappings"] = new JsonObject
            {
                ["properties"] = new JsonObject
                {
                    [field] = new JsonObject { ["type"] = "knn_vector", ["dimension"] = dimension, ["method"] = new JsonObject { ["engine"] = engine, ["space_type"] = "l2", ["name"] = "hnsw" } },
                    ["text"] = new JsonObject { ["type"] = "text" },
                },
            },
        },
    }.ToJsonString();

    private static void AssertSigned(ReceivedRequest r, string accessKey = AccessKey, string secretKey = SecretKey)
    {
        var auth = SigV4Verifier.Parse(r.Headers["authorization"]);
        var amzDate = r.Headers["x-amz-date"];
        Assert.Multiple(() =>
        {
            Assert.That(auth.AccessKey, Is.EqualTo(accessKey));
            Assert.That(amzDate, Does.Match("^[0-9]{8}T[0-9]{6}Z$"));
            Assert.That(auth.Date, Is.EqualTo(amzDate[..8]), "the scope's date is the request's date");
            Assert.That((auth.Region, auth.Service, auth.Terminator), Is.EqualTo((Region, "aoss", "aws4_request")));
            Assert.That(auth.SignedHeaders, Does.Contain("host").And.Contain("x-amz-date").And.Contain("x-amz-content-sha256"));
            Assert.That(auth.SignedHeaders, Is.Ordered.Using((IComparer<string>)StringComparer.Ordinal), "signed headers sorted");
            Assert.That(r.Headers["x-amz-content-sha256"], Is.EqualTo(Convert.ToHexStringLower(SHA256.HashData(r.Body))), "payload hash of the body sent");
            Assert.That(auth.Signature, Does.Match("^[0-9a-f]{64}$"));
            Assert.That(auth.Signature, Is.EqualTo(SigV4Verifier.Expected(r, auth, secretKey)), "the signature verifies with an independent SigV4 implementation");
        });
        var signedAt = DateTime.ParseExact(amzDate, "yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal);
        Assert.That(signedAt, Is.EqualTo(DateTime.UtcNow).Within(TimeSpan.FromMinutes(2)));
    }

    [Test]
    public async Task Create_PutsTheIndexWithTheFaissHnswMapping_SignedForAoss()
    {
        var output = await NewFunction().Process(Input().ToJsonString(), CancellationToken.None);

        Assert.That(output.ToJsonString(), Is.EqualTo("{\"index\":\"fraud-kb-index\",\"status\":\"created\"}"));
        var r = _server.Requests.Single();
        Assert.That(r.Method, Is.EqualTo("PUT"));
        Assert.That(r.Path, Is.EqualTo("/fraud-kb-index"));
        Assert.That(r.Query, Is.Empty);
        Assert.That(r.Headers["content-type"], Does.StartWith("application/json"));
        var body = JsonNode.Parse(r.BodyText)!;
        Assert.Multiple(() =>
        {
            Assert.That(body["settings"]!["index.knn"]!.GetValue<bool>(), Is.True);
            var props = body["mappings"]!["properties"]!.AsObject();
            Assert.That(props.Select(p => p.Key), Is.EquivalentTo(new[] { "embedding", "text", "metadata" }));
            Assert.That(props["embedding"]!["type"]!.GetValue<string>(), Is.EqualTo("knn_vector"));
            Assert.That(props["embedding"]!["dimension"]!.GetValue<int>(), Is.EqualTo(1024));
            Assert.That(props["embedding"]!["method"]!["name"]!.GetValue<string>(), Is.EqualTo("hnsw"));
            Assert.That(props["embedding"]!["method"]!["engine"]!.GetValue<string>(), Is.EqualTo("faiss"));
            Assert.That(props["embedding"]!["method"]!["space_type"]!.GetValue<string>(), Is.EqualTo("l2"));
            Assert.That(props["text"]!["type"]!.GetValue<string>(), Is.EqualTo("text"));
            Assert.That(props["metadata"]!["type"]!.GetValue<string>(), Is.EqualTo("text"));
            Assert.That(props["metadata"]!["index"]!.GetValue<bool>(), Is.False);
        });
        AssertSigned(r);
        Assert.That(r.Headers.ContainsKey("x-amz-security-token"), Is.False, "no session token, no header");
    }

    [Test]
    public async Task Create_WithASessionToken_SendsAndSignsIt()
    {
        await NewFunction(credentials: new ImmutableCredentials(AccessKey, SecretKey, "session-token/abc+=")).Process(Input().ToJsonString(), CancellationToken.None);

        var r = _server.Requests.Single();
        Assert.That(r.Headers["x-amz-security-token"], Is.EqualTo("session-token/abc+="));
        Assert.That(SigV4Verifier.Parse(r.Headers["authorization"]).SignedHeaders, Does.Contain("x-amz-security-token"));
        AssertSigned(r);
    }

    [Test]
    public async Task Update_AlsoPutsTheIndex()
    {
        var output = await NewFunction().Process(Input("update", 512).ToJsonString(), CancellationToken.None);
        Assert.That(output["status"]!.GetValue<string>(), Is.EqualTo("created"));
        Assert.That(JsonNode.Parse(_server.Requests.Single().BodyText)!["mappings"]!["properties"]!["embedding"]!["dimension"]!.GetValue<int>(), Is.EqualTo(512));
    }

    [Test]
    public async Task PlainInvocationWithoutTf_IsACreate()
    {
        var input = Input();
        input.Remove("tf");
        var output = await NewFunction().Process(input.ToJsonString(), CancellationToken.None);
        Assert.That(output["status"]!.GetValue<string>(), Is.EqualTo("created"));
        Assert.That(_server.Requests.Single().Method, Is.EqualTo("PUT"));
    }

    private const string AlreadyExists = "{\"error\":{\"root_cause\":[{\"type\":\"resource_already_exists_exception\",\"reason\":\"index [fraud-kb-index/abc] already exists\"}],\"type\":\"resource_already_exists_exception\"},\"status\":400}";

    [Test]
    public async Task AlreadyExists_WithTheSameVectorFieldAndDimension_IsExists()
    {
        _server.Respond = (r, _) => r.Method == "PUT" ? (400, AlreadyExists) : (200, Mapping("fraud-kb-index", "embedding", 1024));

        var output = await NewFunction().Process(Input().ToJsonString(), CancellationToken.None);

        Assert.That(output.ToJsonString(), Is.EqualTo("{\"index\":\"fraud-kb-index\",\"status\":\"exists\"}"));
        var requests = _server.Requests.ToList();
        Assert.That(requests.Select(r => (r.Method, r.Path)), Is.EqualTo(new[] { ("PUT", "/fraud-kb-index"), ("GET", "/fraud-kb-index/_mapping") }));
        Assert.That(requests[1].Body, Is.Empty);
        AssertSigned(requests[1]);
        Assert.That(requests[1].Headers["x-amz-content-sha256"], Is.EqualTo("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"), "hash of the empty body");
    }

    [Test]
    public void AlreadyExists_WithAnotherDimension_IsAnErrorNamingIndexDimensionsAndFix()
    {
        _server.Respond = (r, _) => r.Method == "PUT" ? (400, AlreadyExists) : (200, Mapping("fraud-kb-index", "embedding", 768));

        var e = Assert.ThrowsAsync<InvalidOperationException>(() => NewFunction().Process(Input().ToJsonString(), CancellationToken.None));

        Assert.That(e!.Message, Does.Contain("index fraud-kb-index exists"));
        Assert.That(e.Message, Does.Contain("dimension 768").And.Contain("dimension 1024"));
        Assert.That(e.Message, Does.Contain("delete the index fraud-kb-index").And.Contain("another indexName"));
    }

    [Test]
    public void AlreadyExists_WithoutTheVectorField_IsAnError()
    {
        _server.Respond = (r, _) => r.Method == "PUT" ? (400, AlreadyExists) : (200, Mapping("fraud-kb-index", "vector", 1024));

        var e = Assert.ThrowsAsync<InvalidOperationException>(() => NewFunction().Process(Input().ToJsonString(), CancellationToken.None));

        Assert.That(e!.Message, Does.Contain("without the vector field embedding").And.Contain("dimension 1024"));
    }

    [Test]
    public void AlreadyExists_WithAnotherEngine_IsAnError()
    {
        _server.Respond = (r, _) => r.Method == "PUT" ? (400, AlreadyExists) : (200, Mapping("fraud-kb-index", "embedding", 1024, "nmslib"));

        var e = Assert.ThrowsAsync<InvalidOperationException>(() => NewFunction().Process(Input().ToJsonString(), CancellationToken.None));

        Assert.That(e!.Message, Does.Contain("engine nmslib").And.Contain("faiss"));
    }

    [Test]
    public async Task Forbidden_WhileThePolicyPropagates_IsRetried_ThenSucceeds()
    {
        _server.Respond = (_, n) => n <= 2 ? (403, "{\"status\":403,\"request-id\":\"x\",\"error\":{\"reason\":\"403 Forbidden\",\"type\":\"security_exception\"}}") : (200, "{\"acknowledged\":true}");

        var output = await NewFunction().Process(Input().ToJsonString(), CancellationToken.None);

        Assert.That(output["status"]!.GetValue<string>(), Is.EqualTo("created"));
        var requests = _server.Requests.ToList();
        Assert.That(requests, Has.Count.EqualTo(3));
        Assert.That(requests.Select(r => r.Method), Is.All.EqualTo("PUT"));
        foreach (var r in requests)
        {
            AssertSigned(r);
        }

        Assert.That(_log.ToString().Split('\n').Count(l => l.Contains("\"retrying\"", StringComparison.Ordinal)), Is.EqualTo(2));
    }

    [TestCase(500)]
    [TestCase(503)]
    [TestCase(429)]
    public async Task ServerErrorsAndThrottling_AreRetried(int status)
    {
        _server.Respond = (_, n) => n == 1 ? (status, "{\"error\":\"busy\"}") : (200, "{\"acknowledged\":true}");
        var output = await NewFunction().Process(Input().ToJsonString(), CancellationToken.None);
        Assert.That(output["status"]!.GetValue<string>(), Is.EqualTo("created"));
        Assert.That(_server.Requests, Has.Count.EqualTo(2));
    }

    [Test]
    public void Forbidden_Forever_GivesUpAfterTheBudget_WithAHint()
    {
        _server.Respond = (_, _) => (403, "{\"error\":{\"type\":\"security_exception\"}}");
        var started = DateTime.UtcNow;

        var e = Assert.ThrowsAsync<TimeoutException>(() => NewFunction(Fast(0.3)).Process(Input().ToJsonString(), CancellationToken.None));

        var elapsed = DateTime.UtcNow - started;
        Assert.That(elapsed, Is.GreaterThanOrEqualTo(TimeSpan.FromSeconds(0.25)).And.LessThan(TimeSpan.FromSeconds(5)));
        Assert.That(e!.Message, Does.Contain("PUT /fraud-kb-index").And.Contain("HTTP 403").And.Contain("data-access policy"));
        Assert.That(_server.Requests, Has.Count.GreaterThan(1), "retried within the budget");
    }

    [Test]
    public void ConnectionRefused_IsRetried_ThenGivesUp()
    {
        var closed = $"http://127.0.0.1:{FakeOpenSearch.FreePort()}";
        var e = Assert.ThrowsAsync<TimeoutException>(() => NewFunction(Fast(0.3, closed)).Process(Input(endpoint: closed).ToJsonString(), CancellationToken.None));
        Assert.That(e!.Message, Does.Contain("HttpRequestException"));
        Assert.That(_log.ToString(), Does.Contain("\"retrying\""));
    }

    [Test]
    public void OtherBadRequest_FailsAtOnce_WithTheResponseBody()
    {
        _server.Respond = (_, _) => (400, "{\"error\":{\"type\":\"mapper_parsing_exception\",\"reason\":\"unknown parameter [space_typ]\"}}");

        var e = Assert.ThrowsAsync<InvalidOperationException>(() => NewFunction().Process(Input().ToJsonString(), CancellationToken.None));

        Assert.That(e!.Message, Does.Contain("HTTP 400").And.Contain("mapper_parsing_exception").And.Contain("unknown parameter [space_typ]"));
        Assert.That(_server.Requests, Has.Count.EqualTo(1), "not retried");
    }

    [Test]
    public async Task Delete_SendsNoRequest_AndKeepsTheIndex()
    {
        var output = await NewFunction().Process(Input("delete").ToJsonString(), CancellationToken.None);

        Assert.That(output["index"]!.GetValue<string>(), Is.EqualTo("fraud-kb-index"));
        Assert.That(output["status"]!.GetValue<string>(), Is.EqualTo("unchanged-on-delete"));
        Assert.That(output["note"]!.GetValue<string>(), Does.Contain("kept"));
        Assert.That(_server.Requests, Is.Empty);
    }

    [Test]
    public async Task Delete_WithOnlyThePreviousInput_NeverFails()
    {
        var input = new JsonObject { ["tf"] = new JsonObject { ["action"] = "delete", ["prev_input"] = Input() } };
        var output = await NewFunction().Process(input.ToJsonString(), CancellationToken.None);
        Assert.That(output["status"]!.GetValue<string>(), Is.EqualTo("unchanged-on-delete"));
        Assert.That(output["index"]!.GetValue<string>(), Is.EqualTo("fraud-kb-index"));
        Assert.That(_server.Requests, Is.Empty);
    }

    private static IEnumerable<TestCaseData> BadInputs()
    {
        TestCaseData Case(string name, Action<JsonObject> change, string expected) => new TestCaseData(change, expected).SetName($"BadInput({name})");
        yield return Case("not https", i => i["collectionEndpoint"] = "http://abc.eu-central-1.aoss.amazonaws.com", "collectionEndpoint must be the collection's https URL");
        yield return Case("with a path", i => i["collectionEndpoint"] = "https://abc.eu-central-1.aoss.amazonaws.com/x", "collectionEndpoint must be");
        yield return Case("not a URL", i => i["collectionEndpoint"] = "abc", "collectionEndpoint must be");
        yield return Case("endpoint missing", i => i.Remove("collectionEndpoint"), "collectionEndpoint is missing");
        yield return Case("uppercase index", i => i["indexName"] = "Fraud", "must be lowercase");
        yield return Case("space in index", i => i["indexName"] = "fraud kb", "cannot contain spaces");
        yield return Case("index starts with _", i => i["indexName"] = "_fraud", "cannot start with _, - or +");
        yield return Case("index with slash", i => i["indexName"] = "fraud/kb", "found '/'");
        yield return Case("index too long", i => i["indexName"] = new string('a', 256), "longer than 255 bytes");
        yield return Case("empty index", i => i["indexName"] = "", "it is empty");
        yield return Case("index not a string", i => i["indexName"] = 5, "indexName must be a string");
        yield return Case("dimension 0", i => i["dimensions"] = 0, "dimensions must be from 1 to 16000 (got 0)");
        yield return Case("dimension 16001", i => i["dimensions"] = 16001, "dimensions must be from 1 to 16000 (got 16001)");
        yield return Case("dimension text", i => i["dimensions"] = "many", "dimensions must be a whole number");
        yield return Case("dimension fraction", i => i["dimensions"] = 1.5, "dimensions must be a whole number");
        yield return Case("dimension missing", i => i.Remove("dimensions"), "dimensions is missing");
        yield return Case("empty field", i => i["textField"] = "", "textField '' must be a non-empty field name");
        yield return Case("field with a dot", i => i["metadataField"] = "a.b", "metadataField 'a.b'");
        yield return Case("same fields", i => i["textField"] = "embedding", "must be distinct");
        yield return Case("bad action", i => i["tf"] = new JsonObject { ["action"] = "read" }, "tf.action must be create, update or delete");
    }

    [TestCaseSource(nameof(BadInputs))]
    public void BadInput_IsAClearError_AndSendsNothing(Action<JsonObject> change, string expected)
    {
        var input = Input();
        change(input);
        var e = Assert.ThrowsAsync<ArgumentException>(() => NewFunction().Process(input.ToJsonString(), CancellationToken.None));
        Assert.That(e!.Message, Does.Contain(expected));
        Assert.That(_server.Requests, Is.Empty);
    }

    [TestCase(1)]
    [TestCase(16000)]
    public async Task Dimensions_Boundaries_AreAccepted(int dimensions)
    {
        await NewFunction().Process(Input(dimensions: dimensions).ToJsonString(), CancellationToken.None);
        Assert.That(JsonNode.Parse(_server.Requests.Single().BodyText)!["mappings"]!["properties"]!["embedding"]!["dimension"]!.GetValue<int>(), Is.EqualTo(dimensions));
    }

    [Test]
    public async Task IndexName_Of255Characters_IsAccepted()
    {
        var name = new string('k', 255);
        await NewFunction().Process(Input(index: name).ToJsonString(), CancellationToken.None);
        Assert.That(_server.Requests.Single().Path, Is.EqualTo("/" + name));
    }

    [Test]
    public async Task Handler_WithRegionAndCredentialsFromTheEnvironment()
    {
        var vars = new Dictionary<string, string?>
        {
            ["AWS_REGION"] = Region,
            ["AWS_ACCESS_KEY_ID"] = "AKIDFROMENV",
            ["AWS_SECRET_ACCESS_KEY"] = "secret-from-env",
            ["AWS_SESSION_TOKEN"] = null,
            ["VECTOR_INDEX_RETRY_BUDGET_SECONDS"] = "5",
            ["COLLECTION_ENDPOINT"] = _server.Endpoint,
        };
        using (new ScopedEnvironment(vars))
        {
            var function = new IndexFunction();
            await using var output = await function.Handler(new MemoryStream(Encoding.UTF8.GetBytes(Input().ToJsonString())));
            using var reader = new StreamReader(output);
            Assert.That(JsonNode.Parse(await reader.ReadToEndAsync())!["status"]!.GetValue<string>(), Is.EqualTo("created"));
            AssertSigned(_server.Requests.Single(), "AKIDFROMENV", "secret-from-env");
        }
    }

    [Test]
    public void Settings_ReadRegionAndRetryBudget_AndNameAMissingOrInvalidVariable()
    {
        var env = new Dictionary<string, string> { ["AWS_REGION"] = "us-west-2" };
        var s = IndexSettings.FromEnvironment(n => env.GetValueOrDefault(n));
        Assert.That((s.Region, s.RetryBudget), Is.EqualTo(("us-west-2", TimeSpan.FromSeconds(240))));
        env["VECTOR_INDEX_RETRY_BUDGET_SECONDS"] = "60";
        Assert.That(IndexSettings.FromEnvironment(n => env.GetValueOrDefault(n)).RetryBudget, Is.EqualTo(TimeSpan.FromSeconds(60)));
        env["VECTOR_INDEX_RETRY_BUDGET_SECONDS"] = "0";
        Assert.That(() => IndexSettings.FromEnvironment(n => env.GetValueOrDefault(n)), Throws.InstanceOf<InvalidOperationException>().With.Message.Contains("VECTOR_INDEX_RETRY_BUDGET_SECONDS"));
        env.Clear();
        Assert.That(() => IndexSettings.FromEnvironment(n => env.GetValueOrDefault(n)), Throws.InstanceOf<InvalidOperationException>().With.Message.Contains("AWS_REGION"));
    }

    [Test]
    public void Verifier_ReproducesTheAwsSuiteGetVanillaSignature()
    {
        // Checks the test's own SigV4 implementation against the published vector of the AWS SigV4 test suite.
        var headers = new Dictionary<string, string> { ["host"] = "example.amazonaws.com", ["x-amz-date"] = "20150830T123600Z" };
        var auth = SigV4Verifier.Parse("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31");
        Assert.That(SigV4Verifier.Expected(new ReceivedRequest("GET", "/", "", headers, []), auth, "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"), Is.EqualTo(auth.Signature));
    }

    [Test]
    public void SigV4_OnTheAwsSuiteGetVanillaRequest_IsVerifiable()
    {
        // The request of "get-vanilla" in the AWS SigV4 test suite (service "service", region us-east-1, 2015-08-30T12:36:00Z, the suite's example keys).
        using var request = new HttpRequestMessage(HttpMethod.Get, "https://example.amazonaws.com/");
        SigV4.Sign(request, [], new ImmutableCredentials("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", null), "us-east-1", "service",
            new DateTime(2015, 8, 30, 12, 36, 0, DateTimeKind.Utc), new Uri("https://example.amazonaws.com"));
        var auth = request.Headers.GetValues("Authorization").Single();
        Assert.That(auth, Does.StartWith("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-content-sha256;x-amz-date, Signature="));
        // Recompute independently (the suite's own vector signs host;x-amz-date only; this function also signs the payload hash).
        var headers = new Dictionary<string, string>
        {
            ["host"] = "example.amazonaws.com",
            ["x-amz-date"] = request.Headers.GetValues("x-amz-date").Single(),
            ["x-amz-content-sha256"] = request.Headers.GetValues("x-amz-content-sha256").Single(),
        };
        var received = new ReceivedRequest("GET", "/", "", headers, []);
        var parsed = SigV4Verifier.Parse(auth);
        Assert.That(parsed.Signature, Is.EqualTo(SigV4Verifier.Expected(received, parsed, "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")));
        Assert.That(headers["x-amz-date"], Is.EqualTo("20150830T123600Z"));
    }
    // ---- signing only for the configured collection ----

    [Test]
    public void InputNamingAnotherHost_IsRefused_BeforeAnythingIsSignedOrSent()
    {
        using var other = new FakeOpenSearch();

        var e = Assert.ThrowsAsync<ArgumentException>(() => NewFunction().Process(Input(endpoint: other.Endpoint).ToJsonString(), CancellationToken.None));

        Assert.That(e!.Message, Does.Contain($"collectionEndpoint {other.Endpoint}").And.Contain($"configured collection {_server.Endpoint}")
            .And.Contain("COLLECTION_ENDPOINT").And.Contain("Fix:"));
        Assert.That(other.Requests, Is.Empty, "no request reached the other host");
        Assert.That(_server.Requests, Is.Empty);
    }

    [TestCase("https://abc.eu-central-1.aoss.amazonaws.com", "https://evil.eu-central-1.aoss.amazonaws.com")]
    [TestCase("https://abc.eu-central-1.aoss.amazonaws.com", "https://abc.eu-central-1.aoss.amazonaws.com:8443")]
    [TestCase("https://abc.eu-central-1.aoss.amazonaws.com", "http://abc.eu-central-1.aoss.amazonaws.com")]
    public void Signer_RefusesAnyEndpointButTheConfiguredOne(string configured, string requested)
    {
        using var request = new HttpRequestMessage(HttpMethod.Put, new Uri(new Uri(requested), "/fraud-kb-index"));

        var e = Assert.Throws<InvalidOperationException>(() =>
            SigV4.Sign(request, [], new ImmutableCredentials(AccessKey, SecretKey, null), Region, "aoss", DateTime.UtcNow, new Uri(configured)));

        Assert.That(e!.Message, Does.StartWith("refusing to sign a request for ").And.Contain("Fix:"));
        Assert.That(request.Headers.Contains("Authorization"), Is.False);
    }

    [Test]
    public void Signer_AcceptsTheConfiguredHost_WhateverItsCase()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "https://ABC.eu-central-1.aoss.amazonaws.com/fraud-kb-index/_mapping");

        SigV4.Sign(request, [], new ImmutableCredentials(AccessKey, SecretKey, null), Region, "aoss", DateTime.UtcNow, new Uri("https://abc.eu-central-1.aoss.amazonaws.com"));

        Assert.That(request.Headers.GetValues("Authorization").Single(), Does.Contain($"/{Region}/aoss/aws4_request"));
    }

    [Test]
    public void WithoutACollectionEndpoint_NoIndexIsCreated()
    {
        // The knowledge-base sync function shares this package but is configured for no collection.
        var e = Assert.ThrowsAsync<InvalidOperationException>(() => NewFunction(Fast() with { CollectionEndpoint = null }).Process(Input().ToJsonString(), CancellationToken.None));

        Assert.That(e!.Message, Does.Contain("no COLLECTION_ENDPOINT").And.Contain("Fix:"));
        Assert.That(_server.Requests, Is.Empty);
    }

    [Test]
    public void Settings_CollectionEndpoint_FromTheEnvironment()
    {
        var env = new Dictionary<string, string> { ["AWS_REGION"] = "us-west-2", ["COLLECTION_ENDPOINT"] = "https://abc.us-west-2.aoss.amazonaws.com" };
        Assert.That(IndexSettings.FromEnvironment(n => env.GetValueOrDefault(n)).CollectionEndpoint, Is.EqualTo(new Uri("https://abc.us-west-2.aoss.amazonaws.com")));
        env["COLLECTION_ENDPOINT"] = "https://abc.us-west-2.aoss.amazonaws.com/path";
        Assert.That(() => IndexSettings.FromEnvironment(n => env.GetValueOrDefault(n)), Throws.InstanceOf<FraudTf.Functions.Shared.Settings.SettingsException>().With.Message.Contains("COLLECTION_ENDPOINT"));
        env["COLLECTION_ENDPOINT"] = "http://abc.us-west-2.aoss.amazonaws.com";
        Assert.That(() => IndexSettings.FromEnvironment(n => env.GetValueOrDefault(n)), Throws.InstanceOf<FraudTf.Functions.Shared.Settings.SettingsException>().With.Message.Contains("COLLECTION_ENDPOINT"));
        env.Remove("COLLECTION_ENDPOINT");
        Assert.That(IndexSettings.FromEnvironment(n => env.GetValueOrDefault(n)).CollectionEndpoint, Is.Null);
    }
}
