using FraudTf.Functions.Tests.Support;
using System.Text.Json.Nodes;
using Amazon.Runtime;
using SetupFunction = FraudTf.Functions.KnowledgeBaseSetup.Function;
using SetupSettings = FraudTf.Functions.KnowledgeBaseSetup.Settings;

namespace FraudTf.Functions.Tests.VectorIndex;

/// <summary>The knowledge-base sync step (start-ingestion) against a fake Bedrock Agent API on 127.0.0.1.</summary>
[TestFixture]
[NonParallelizable]
public class IngestionTests
{
    private const string AccessKey = "AKIDSYNCTEST";
    private const string SecretKey = "sync/test+secret";
    private const string Region = "us-east-1";
    private static readonly string DocumentsHash = new string('a', 32) + new string('0', 32);
    private FakeOpenSearch _server = null!;
    private CapturedOutput _log = null!;
    private HttpClient _http = null!;

    [SetUp]
    public void Start()
    {
        _server = new FakeOpenSearch();
        _server.Respond = (_, _) => (202, """{"ingestionJob":{"ingestionJobId":"JOB0000001","status":"STARTING","knowledgeBaseId":"KB00000001","dataSourceId":"DS00000001"}}""");
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

    private SetupFunction NewFunction(double budgetSeconds = 10) => new(new SetupSettings
    {
        Region = Region,
        RetryBudget = TimeSpan.FromSeconds(budgetSeconds),
        InitialRetryDelay = TimeSpan.FromMilliseconds(10),
        MaxRetryDelay = TimeSpan.FromMilliseconds(40),
        RequestTimeout = TimeSpan.FromSeconds(10),
        BedrockAgentEndpoint = new Uri(_server.Endpoint),
    }, _http, () => Task.FromResult(new ImmutableCredentials(AccessKey, SecretKey, null)), _log, TimeProvider.System);

    private static JsonObject Input(string action = "create", string? hash = null) => new()
    {
        ["operation"] = "start-ingestion",
        ["knowledgeBaseId"] = "KB00000001",
        ["dataSourceId"] = "DS00000001",
        ["documentsSha256"] = hash ?? DocumentsHash,
        ["tf"] = new JsonObject { ["action"] = action, ["prev_input"] = null },
    };

    [Test]
    public async Task Create_StartsAnIngestionJob_SignedForBedrock_WithTheDocumentsHashAsClientToken()
    {
        var output = await NewFunction().Process(Input().ToJsonString(), CancellationToken.None);

        Assert.That(output["status"]!.GetValue<string>(), Is.EqualTo("ingestion-started"));
        Assert.That(output["ingestionJobId"]!.GetValue<string>(), Is.EqualTo("JOB0000001"));
        Assert.That(output["ingestionJobStatus"]!.GetValue<string>(), Is.EqualTo("STARTING"));
        var r = _server.Requests.Single();
        Assert.That(r.Method, Is.EqualTo("PUT"));
        Assert.That(r.Path, Is.EqualTo("/knowledgebases/KB00000001/datasources/DS00000001/ingestionjobs/"));
        var body = JsonNode.Parse(r.BodyText)!;
        Assert.That(body["clientToken"]!.GetValue<string>(), Is.EqualTo(DocumentsHash), "the same documents never start a second job");
        var auth = SigV4Verifier.Parse(r.Headers["authorization"]);
        Assert.That((auth.AccessKey, auth.Region, auth.Service), Is.EqualTo((AccessKey, Region, "bedrock")));
        Assert.That(auth.Signature, Is.EqualTo(SigV4Verifier.Expected(r, auth, SecretKey)), "verified by the independent SigV4 implementation");
    }

    [Test]
    public async Task Update_StartsAnotherJob_ForTheNewDocuments()
    {
        var newHash = new string('b', 64);

        await NewFunction().Process(Input("update", newHash).ToJsonString(), CancellationToken.None);

        Assert.That(JsonNode.Parse(_server.Requests.Single().BodyText)!["clientToken"]!.GetValue<string>(), Is.EqualTo(newHash));
    }

    [Test]
    public async Task AJobAlreadyRunning_IsRetriedUntilItFinishes()
    {
        _server.Respond = (_, n) => n < 3
            ? (409, """{"message":"An ingestion job is already running for this data source"}""")
            : (202, """{"ingestionJob":{"ingestionJobId":"JOB0000002","status":"STARTING"}}""");

        var output = await NewFunction().Process(Input().ToJsonString(), CancellationToken.None);

        Assert.That(output["ingestionJobId"]!.GetValue<string>(), Is.EqualTo("JOB0000002"));
        Assert.That(_server.Requests, Has.Count.EqualTo(3));
    }

    [Test]
    public void ALastingForbidden_FailsNamingTheMissingPermission()
    {
        _server.Respond = (_, _) => (403, """{"message":"not authorized"}""");

        var e = Assert.ThrowsAsync<TimeoutException>(() => NewFunction(budgetSeconds: 0.2).Process(Input().ToJsonString(), CancellationToken.None))!;

        Assert.That(e.Message, Does.Contain("bedrock:StartIngestionJob"));
    }

    [Test]
    public void AValidationError_FailsAtOnceWithTheResponse()
    {
        _server.Respond = (_, _) => (400, """{"message":"Data source DS00000001 is not in state AVAILABLE"}""");

        var e = Assert.ThrowsAsync<InvalidOperationException>(() => NewFunction().Process(Input().ToJsonString(), CancellationToken.None))!;

        Assert.That(e.Message, Does.Contain("HTTP 400").And.Contain("not in state AVAILABLE"));
        Assert.That(_server.Requests, Has.Count.EqualTo(1));
    }

    [Test]
    public async Task Delete_SendsNothing()
    {
        var output = await NewFunction().Process(Input("delete").ToJsonString(), CancellationToken.None);

        Assert.That(output["status"]!.GetValue<string>(), Is.EqualTo("unchanged-on-delete"));
        Assert.That(_server.Requests, Is.Empty);
    }

    [TestCase("knowledgeBaseId", "KB1", "the knowledge base's 10-character id")]
    [TestCase("dataSourceId", "DS/0000001", "the data source's 10-character id")]
    [TestCase("documentsSha256", "ABC", "64 lower-case hex digits")]
    public void BadInput_FailsNamingTheField(string field, string value, string expectation)
    {
        var input = Input();
        input[field] = value;

        var e = Assert.ThrowsAsync<ArgumentException>(() => NewFunction().Process(input.ToJsonString(), CancellationToken.None))!;

        Assert.That(e.Message, Is.EqualTo($"input field {field} = '{value}' must be {expectation}"));
        Assert.That(_server.Requests, Is.Empty);
    }

    [Test]
    public void UnknownOperation_Fails()
    {
        var input = Input();
        input["operation"] = "drop-index";

        var e = Assert.ThrowsAsync<ArgumentException>(() => NewFunction().Process(input.ToJsonString(), CancellationToken.None))!;

        Assert.That(e.Message, Does.Contain("operation = 'drop-index' is unknown"));
    }

    [Test]
    public void EndpointComesFromTheStandardVariables()
    {
        var specific = SetupSettings.FromEnvironment(n => n switch
        {
            "AWS_REGION" => "eu-west-1",
            "AWS_ENDPOINT_URL_BEDROCK_AGENT" => "http://127.0.0.1:4599",
            "AWS_ENDPOINT_URL" => "http://127.0.0.1:4566",
            _ => null,
        });
        var general = SetupSettings.FromEnvironment(n => n switch { "AWS_REGION" => "eu-west-1", "AWS_ENDPOINT_URL" => "http://127.0.0.1:4566", _ => null });
        var none = SetupSettings.FromEnvironment(n => n == "AWS_REGION" ? "eu-west-1" : null);

        Assert.That(specific.BedrockAgent, Is.EqualTo(new Uri("http://127.0.0.1:4599")));
        Assert.That(general.BedrockAgent, Is.EqualTo(new Uri("http://127.0.0.1:4566")));
        Assert.That(none.BedrockAgent, Is.EqualTo(new Uri("https://bedrock-agent.eu-west-1.amazonaws.com")));
    }
}
