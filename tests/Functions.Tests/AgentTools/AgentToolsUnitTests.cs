using FraudTf.Functions.Tests.Support;
using System.Text;
using System.Text.Json.Nodes;
using Amazon.DynamoDBv2.Model;
using FraudTf.Functions.AgentTools;
using FraudTf.Functions.Shared.Agent;
using AgentFunction = FraudTf.Functions.AgentTools.Function;
using AgentSettings = FraudTf.Functions.AgentTools.Settings;

namespace FraudTf.Functions.Tests.Agent;

/// <summary>Event parsing, parameter validation and the response format of the agent-tools function, without DynamoDB.</summary>
[TestFixture]
public class AgentToolsUnitTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);

    private static readonly AgentSettings TestSettings = new()
    {
        TransactionsTable = "t-transactions",
        DecisionsTable = "t-decisions",
        UserProfilesTable = "t-user-profiles",
        PatternsTable = "t-patterns",
        Environment = "test",
    };

    private static (AgentFunction Function, EmptyDynamo Dynamo, CapturedOutput Log) NewFunction()
    {
        var (client, fake) = EmptyDynamo.Create();
        var log = new CapturedOutput();
        return (new AgentFunction(TestSettings, client, log, new FixedClock(Now)), fake, log);
    }

    private static async Task<AgentEvents.Reply> Call(AgentFunction f, string function, params (string, string)[] parameters) =>
        AgentEvents.Read(await f.Process(AgentEvents.Call(function, parameters), CancellationToken.None));

    // ---- the tool catalog ----

    [Test]
    public void DispatchTable_HoldsExactlyTheToolsOfTheCatalog()
    {
        var (f, _, _) = NewFunction();
        Assert.That(f.ToolNames, Is.EquivalentTo(AnalystTools.All.Select(t => t.Name)));
        Assert.That(AnalystTools.All.Select(t => t.Name), Is.Unique);
    }

    private static IEnumerable<TestCaseData> EveryTool() => AnalystTools.All.Select(t => new TestCaseData(t.Name).SetName($"EveryTool_IsDispatched({t.Name})"));

    [TestCaseSource(nameof(EveryTool))]
    public async Task EveryTool_IsDispatched_AndReadsDynamoDb(string name)
    {
        var (f, dynamo, _) = NewFunction();
        var tool = AnalystTools.All.Single(t => t.Name == name);
        var valid = new Dictionary<string, string>
        {
            ["user_id"] = "u-1", ["transaction_id"] = "tx-1", ["limit"] = "5", ["since_hours"] = "24",
            ["merchant_category"] = "5411", ["decision"] = "APPROVE", ["reason"] = "matches the user's habits",
        };
        var reply = await Call(f, name, tool.Parameters.Select(p => (p.Name, valid[p.Name])).ToArray());

        Assert.That(reply.BodyText, Does.Not.Contain("unknown function"));
        Assert.That(dynamo.Calls, Is.Not.Empty, "the tool reached DynamoDB");
        // record_analyst_decision on a transaction the (empty) table does not hold is a REPROMPT; the reads succeed.
        Assert.That(reply.State, name == AnalystTools.RecordAnalystDecision.Name ? Is.EqualTo("REPROMPT") : Is.Null);
    }

    // ---- response format ----

    [Test]
    public async Task Response_EchoesActionGroupFunctionAndSessionAttributes_AndOmitsStateOnSuccess()
    {
        var (f, _, _) = NewFunction();
        var reply = await Call(f, "get_user_profile", ("user_id", "u-1"));

        Assert.That(reply.Raw["messageVersion"]!.GetValue<string>(), Is.EqualTo("1.0"));
        Assert.That(reply.Raw["response"]!["actionGroup"]!.GetValue<string>(), Is.EqualTo("fraud-analyst-tools"));
        Assert.That(reply.Raw["response"]!["function"]!.GetValue<string>(), Is.EqualTo("get_user_profile"));
        Assert.That(reply.Raw["response"]!["functionResponse"]!.AsObject().ContainsKey("responseState"), Is.False);
        Assert.That(reply.Raw["sessionAttributes"]!["case"]!.GetValue<string>(), Is.EqualTo("c-42"));
        Assert.That(reply.Raw["promptSessionAttributes"]!["analyst"]!.GetValue<string>(), Is.EqualTo("a-7"));
        Assert.That(reply.Body["found"]!.GetValue<bool>(), Is.False);
        Assert.That(reply.BodyText, Does.Not.Contain("\n").And.Not.Contain("  "), "compact JSON");
        Assert.That(reply.Raw.Select(p => p.Key), Is.EquivalentTo(new[] { "messageVersion", "response", "sessionAttributes", "promptSessionAttributes" }));
    }

    [Test]
    public async Task Handler_ReadsAndWritesStreams()
    {
        var (f, _, _) = NewFunction();
        await using var output = await f.Handler(new MemoryStream(Encoding.UTF8.GetBytes(AgentEvents.Call("get_transaction", ("transaction_id", "tx-9")))));
        using var reader = new StreamReader(output);
        var reply = AgentEvents.Read(await reader.ReadToEndAsync());
        Assert.That(reply.State, Is.Null);
        Assert.That(reply.Body["transactionId"]!.GetValue<string>(), Is.EqualTo("tx-9"));
    }

    [Test]
    public async Task UnknownFunction_IsAFailure_ListingTheKnownTools()
    {
        var (f, dynamo, log) = NewFunction();
        var reply = await Call(f, "delete_everything", ("user_id", "u-1"));

        Assert.That(reply.State, Is.EqualTo("FAILURE"));
        Assert.That(reply.Raw["response"]!["function"]!.GetValue<string>(), Is.EqualTo("delete_everything"));
        foreach (var tool in AnalystTools.All)
        {
            Assert.That(reply.Body["error"]!.GetValue<string>(), Does.Contain(tool.Name));
        }

        Assert.That(dynamo.Calls, Is.Empty);
        Assert.That(log.ToString(), Does.Contain("\"outcome\":\"Failure\""));
    }

    [TestCase("this is not json", "not valid JSON")]
    [TestCase("[1,2]", "not a JSON object")]
    [TestCase("{\"actionGroup\":\"g\",\"function\":\"get_user_profile\",\"parameters\":{}}", "parameters is not an array")]
    [TestCase("{\"actionGroup\":\"g\",\"function\":\"get_user_profile\",\"parameters\":[\"x\"]}", "parameters[0] is not an object")]
    [TestCase("{\"actionGroup\":\"g\",\"function\":7}", "function is not a string")]
    [TestCase("{\"actionGroup\":\"g\"}", "has no function")]
    [TestCase("{\"actionGroup\":\"g\",\"function\":\"get_user_profile\",\"sessionAttributes\":[]}", "sessionAttributes is not an object")]
    public async Task MalformedEvent_IsAFailure_NamingTheProblem(string raw, string expected)
    {
        var (f, dynamo, _) = NewFunction();
        var reply = AgentEvents.Read(await f.Process(raw, CancellationToken.None));
        Assert.That(reply.State, Is.EqualTo("FAILURE"));
        Assert.That(reply.Body["error"]!.GetValue<string>(), Does.Contain(expected));
        Assert.That(dynamo.Calls, Is.Empty);
    }

    // ---- parameter validation: REPROMPT naming the parameter ----

    private static IEnumerable<TestCaseData> RequiredParameters() => AnalystTools.All
        .SelectMany(t => t.Parameters.Where(p => p.Required).Select(p => new TestCaseData(t.Name, p.Name).SetName($"MissingRequired({t.Name}.{p.Name})")));

    [TestCaseSource(nameof(RequiredParameters))]
    public async Task MissingRequiredParameter_IsAReprompt_NamingIt(string tool, string parameter)
    {
        var (f, dynamo, _) = NewFunction();
        var definition = AnalystTools.All.Single(t => t.Name == tool);
        var others = definition.Parameters.Where(p => p.Name != parameter && p.Required)
            .Select(p => (p.Name, p.Name == "decision" ? "APPROVE" : "x-1")).ToArray();

        var reply = await Call(f, tool, others);

        Assert.That(reply.State, Is.EqualTo("REPROMPT"));
        Assert.That(reply.Body["error"]!.GetValue<string>(), Does.Contain($"parameter {parameter} is required"));
        Assert.That(dynamo.Calls, Is.Empty, "validation happens before any read");
    }

    [Test]
    public async Task BlankRequiredParameter_IsAReprompt()
    {
        var (f, _, _) = NewFunction();
        var reply = await Call(f, "get_user_profile", ("user_id", "   "));
        Assert.That(reply.State, Is.EqualTo("REPROMPT"));
        Assert.That(reply.Body["error"]!.GetValue<string>(), Does.Contain("user_id is required"));
    }

    [Test]
    public async Task UnknownParameter_IsAReprompt_ListingTheToolsParameters()
    {
        var (f, dynamo, _) = NewFunction();
        var reply = await Call(f, "get_recent_transactions", ("user_id", "u-1"), ("max", "5"));

        Assert.That(reply.State, Is.EqualTo("REPROMPT"));
        var error = reply.Body["error"]!.GetValue<string>();
        Assert.That(error, Does.Contain("unknown parameter 'max'"));
        Assert.That(error, Does.Contain("user_id (required)").And.Contain("limit").And.Contain("since_hours"));
        Assert.That(dynamo.Calls, Is.Empty);
    }

    [Test]
    public async Task RepeatedParameter_IsAReprompt()
    {
        var (f, _, _) = NewFunction();
        var reply = await Call(f, "get_user_profile", ("user_id", "u-1"), ("user_id", "u-2"));
        Assert.That(reply.State, Is.EqualTo("REPROMPT"));
        Assert.That(reply.Body["error"]!.GetValue<string>(), Does.Contain("user_id is given more than once"));
    }

    [TestCase("0", "from 1 to 50")]
    [TestCase("51", "from 1 to 50")]
    [TestCase("-3", "from 1 to 50")]
    [TestCase("abc", "whole number from 1 to 50")]
    [TestCase("2.5", "whole number from 1 to 50")]
    [TestCase("99999999999999999999", "whole number from 1 to 50")]
    public async Task Limit_OutOfRangeOrNotAWholeNumber_IsAReprompt(string value, string expected)
    {
        var (f, dynamo, _) = NewFunction();
        var reply = await Call(f, "get_recent_transactions", ("user_id", "u-1"), ("limit", value));
        Assert.That(reply.State, Is.EqualTo("REPROMPT"));
        Assert.That(reply.Body["error"]!.GetValue<string>(), Does.StartWith("parameter limit").And.Contain(expected));
        Assert.That(dynamo.Calls, Is.Empty);
    }

    [TestCase(null, 20)]
    [TestCase("1", 1)]
    [TestCase("50", 50)]
    [TestCase(" 7 ", 7)]
    public async Task Limit_InRange_IsTheQueryLimit(string? value, int expected)
    {
        var (f, dynamo, _) = NewFunction();
        var parameters = value is null ? new[] { ("user_id", "u-1") } : new[] { ("user_id", "u-1"), ("limit", value) };
        var reply = await Call(f, "get_recent_transactions", parameters);

        Assert.That(reply.State, Is.Null, reply.BodyText);
        var query = dynamo.Calls.OfType<QueryRequest>().Single();
        Assert.That(query.Limit, Is.EqualTo(expected));
        Assert.That(query.IndexName, Is.EqualTo("byUserTime"));
        Assert.That(query.ScanIndexForward, Is.False, "newest first");
    }

    [TestCase("0")]
    [TestCase("2161")]
    public async Task SinceHours_OutOfRange_IsAReprompt(string value)
    {
        var (f, _, _) = NewFunction();
        var reply = await Call(f, "get_recent_transactions", ("user_id", "u-1"), ("since_hours", value));
        Assert.That(reply.State, Is.EqualTo("REPROMPT"));
        Assert.That(reply.Body["error"]!.GetValue<string>(), Does.Contain("since_hours must be from 1 to 2160"));
    }

    [TestCase(null, 168)]
    [TestCase("1", 1)]
    [TestCase("2160", 2160)]
    public async Task SinceHours_InRange_BoundsTheQuery(string? value, int hours)
    {
        var (f, dynamo, _) = NewFunction();
        var parameters = value is null ? new[] { ("user_id", "u-1") } : new[] { ("user_id", "u-1"), ("since_hours", value) };
        var reply = await Call(f, "get_recent_transactions", parameters);

        Assert.That(reply.State, Is.Null);
        var since = dynamo.Calls.OfType<QueryRequest>().Single().ExpressionAttributeValues[":since"].S;
        Assert.That(since, Is.EqualTo(AnalystToolHandlers.Iso(Now.AddHours(-hours))));
        Assert.That(reply.Body["since"]!.GetValue<string>(), Is.EqualTo(since));
    }

    [TestCase("u 1")]
    [TestCase("u/1")]
    [TestCase("u-1;DROP")]
    [TestCase("ü-1")]
    public async Task Id_WithUnsafeCharacters_IsAReprompt(string id)
    {
        var (f, dynamo, _) = NewFunction();
        var reply = await Call(f, "get_user_profile", ("user_id", id));
        Assert.That(reply.State, Is.EqualTo("REPROMPT"));
        Assert.That(reply.Body["error"]!.GetValue<string>(), Does.Contain("user_id must be 1 to 128 letters, digits or _ . : -"));
        Assert.That(dynamo.Calls, Is.Empty);
    }

    [Test]
    public async Task Id_LengthBoundary_128Accepted_129Rejected()
    {
        var (f, dynamo, _) = NewFunction();
        var ok = await Call(f, "get_transaction", ("transaction_id", new string('a', 128)));
        var tooLong = await Call(f, "get_transaction", ("transaction_id", new string('a', 129)));

        Assert.That(ok.State, Is.Null);
        Assert.That(((GetItemRequest)dynamo.Calls.First()).Key["transactionId"].S, Has.Length.EqualTo(128));
        Assert.That(tooLong.State, Is.EqualTo("REPROMPT"));
        Assert.That(tooLong.Body["error"]!.GetValue<string>(), Does.Contain("transaction_id must be 1 to 128"));
    }

    [TestCase("541")]
    [TestCase("54111")]
    [TestCase("54a1")]
    public async Task MerchantCategory_NotFourDigits_IsAReprompt(string value)
    {
        var (f, _, _) = NewFunction();
        var reply = await Call(f, "get_active_fraud_patterns", ("merchant_category", value));
        Assert.That(reply.State, Is.EqualTo("REPROMPT"));
        Assert.That(reply.Body["error"]!.GetValue<string>(), Does.Contain("merchant_category must be a merchant category code of 4 digits"));
    }

    [Test]
    public async Task PatternLimit_OutOfRange_IsAReprompt_AndToolWithOnlyOptionalParametersRunsWithNone()
    {
        var (f, _, _) = NewFunction();
        var bad = await Call(f, "get_active_fraud_patterns", ("limit", "51"));
        var none = await Call(f, "get_active_fraud_patterns");
        Assert.That(bad.State, Is.EqualTo("REPROMPT"));
        Assert.That(bad.Body["error"]!.GetValue<string>(), Does.Contain($"limit must be from 1 to {AnalystTools.MaxPatterns}"));
        Assert.That(none.State, Is.Null);
        Assert.That(none.Body["count"]!.GetValue<int>(), Is.Zero);
    }

    [Test]
    public async Task Decision_NotInTheList_IsAReprompt_ListingTheChoices()
    {
        var (f, dynamo, _) = NewFunction();
        var reply = await Call(f, "record_analyst_decision", ("transaction_id", "tx-1"), ("decision", "MAYBE"), ("reason", "unsure"));
        Assert.That(reply.State, Is.EqualTo("REPROMPT"));
        Assert.That(reply.Body["error"]!.GetValue<string>(), Does.Contain("decision must be one of APPROVE, DECLINE, ESCALATE"));
        Assert.That(dynamo.Calls, Is.Empty);
    }

    [Test]
    public async Task Decision_IsCaseInsensitive_ThenTheTransactionMustExist()
    {
        var (f, dynamo, _) = NewFunction();
        var reply = await Call(f, "record_analyst_decision", ("transaction_id", "tx-1"), ("decision", "decline"), ("reason", "card testing"));
        Assert.That(reply.State, Is.EqualTo("REPROMPT"));
        Assert.That(reply.Body["error"]!.GetValue<string>(), Does.Contain("no transaction with id 'tx-1'"));
        Assert.That(dynamo.Calls.Single(), Is.TypeOf<GetItemRequest>(), "looked the transaction up, wrote nothing");
    }

    [Test]
    public async Task Reason_AtTheLimitPasses_OneCharacterOverIsAReprompt()
    {
        var (f, _, _) = NewFunction();
        var atLimit = await Call(f, "record_analyst_decision", ("transaction_id", "tx-1"), ("decision", "APPROVE"), ("reason", new string('r', AnalystTools.MaxReasonLength)));
        var over = await Call(f, "record_analyst_decision", ("transaction_id", "tx-1"), ("decision", "APPROVE"), ("reason", new string('r', AnalystTools.MaxReasonLength + 1)));
        Assert.That(atLimit.Body["error"]!.GetValue<string>(), Does.Contain("no transaction"), "a reason at the limit passes validation");
        Assert.That(over.State, Is.EqualTo("REPROMPT"));
        Assert.That(over.Body["error"]!.GetValue<string>(), Does.Contain($"reason must be at most {AnalystTools.MaxReasonLength} characters (got {AnalystTools.MaxReasonLength + 1})"));
    }

    [TestCase("customer confirmed card 4111 1111 1111 1111 was stolen")]
    [TestCase("card 4111-1111-1111-1111")]
    [TestCase("pan 5500005555555559 used")]
    public async Task Reason_WithACardNumber_IsAReprompt_AndTheNumberIsNotLogged(string reason)
    {
        var (f, dynamo, log) = NewFunction();
        var reply = await Call(f, "record_analyst_decision", ("transaction_id", "tx-1"), ("decision", "DECLINE"), ("reason", reason));
        Assert.That(reply.State, Is.EqualTo("REPROMPT"));
        Assert.That(reply.Body["error"]!.GetValue<string>(), Does.Contain("seems to contain a card number"));
        Assert.That(dynamo.Calls, Is.Empty);
        Assert.That(log.ToString(), Does.Not.Contain("1111").And.Not.Contain("5559").And.Not.Contain("stolen"));
    }

    [TestCase("refund 1234567890123 processed", false)] // 13 digits failing Luhn
    [TestCase("order 4111111111111111", true)]
    [TestCase("ids 12345 and 67890", false)]
    [TestCase("4111111111111111111111", false)] // 22 digits: not a card number shape
    [TestCase("4111 1111 1111 1111", true)]
    public void ContainsCardNumber_FindsLuhnValidCardLengthNumbers_Only(string text, bool expected) => Assert.That(ToolArguments.ContainsCardNumber(text), Is.EqualTo(expected));

    [Test]
    public async Task Reason_WithControlCharacters_IsAReprompt()
    {
        var (f, _, _) = NewFunction();
        var reply = await Call(f, "record_analyst_decision", ("transaction_id", "tx-1"), ("decision", "APPROVE"), ("reason", "ok\u0007"));
        Assert.That(reply.State, Is.EqualTo("REPROMPT"));
        Assert.That(reply.Body["error"]!.GetValue<string>(), Does.Contain("control characters"));
    }

    [Test]
    public async Task UnquotedNumberValue_IsAccepted()
    {
        var (f, dynamo, _) = NewFunction();
        var e = AgentEvents.Event("get_recent_transactions", ("user_id", "u-1"));
        e["parameters"]!.AsArray().Add(new JsonObject { ["name"] = "limit", ["type"] = "integer", ["value"] = 3 });
        var reply = AgentEvents.Read(await f.Process(e.ToJsonString(), CancellationToken.None));
        Assert.That(reply.State, Is.Null);
        Assert.That(dynamo.Calls.OfType<QueryRequest>().Single().Limit, Is.EqualTo(3));
    }

    // ---- DynamoDB failures are thrown, not answered ----

    [Test]
    public void TransientDynamoDbError_IsThrown_AndLoggedWithoutPersonalData()
    {
        var (f, dynamo, log) = NewFunction();
        dynamo.FailWith = new ProvisionedThroughputExceededException("Rate exceeded");

        Assert.ThrowsAsync<ProvisionedThroughputExceededException>(() => f.Process(AgentEvents.Call("get_user_profile", ("user_id", "u-1")), CancellationToken.None));
        var line = JsonNode.Parse(log.ToString().Trim().Split('\n').Last())!;
        Assert.That(line["level"]!.GetValue<string>(), Is.EqualTo(FraudTf.Functions.Shared.Logging.LogLevels.Error));
        Assert.That(line["error"]!.GetValue<string>(), Is.EqualTo("ProvisionedThroughputExceededException"));
        Assert.That(line["userId"]!.GetValue<string>(), Is.EqualTo("u-1"));
    }

    [Test]
    public async Task Log_IsOneJsonLinePerCall_WithIdsOnly()
    {
        var (f, _, log) = NewFunction();
        await Call(f, "get_recent_transactions", ("user_id", "u-1"), ("limit", "3"));
        await Call(f, "get_user_profile", ("user_id", "bad id with spaces"));

        var lines = log.ToString().Trim().Split('\n').Select(l => JsonNode.Parse(l)!.AsObject()).ToList();
        Assert.That(lines, Has.Count.EqualTo(2));
        Assert.That(lines[0]["function"]!.GetValue<string>(), Is.EqualTo("get_recent_transactions"));
        Assert.That(lines[0]["userId"]!.GetValue<string>(), Is.EqualTo("u-1"));
        Assert.That(lines[0]["sessionId"]!.GetValue<string>(), Is.EqualTo("session-0001"));
        Assert.That(lines[0]["outcome"]!.GetValue<string>(), Is.EqualTo("Ok"));
        Assert.That(lines[1]["outcome"]!.GetValue<string>(), Is.EqualTo("Reprompt"));
        Assert.That(lines[1].ContainsKey("userId"), Is.False, "an ill-formed id is not logged");
        Assert.That(log.ToString(), Does.Not.Contain("look at this transaction"), "no input text");
    }

    // ---- bounded responses ----

    [Test]
    public void Bounded_CutsTheLongestListUntilTheBodyFits_AndSaysSo()
    {
        var items = new JsonArray(Enumerable.Range(0, 400).Select(i => (JsonNode)new JsonObject { ["id"] = $"tx-{i}", ["pad"] = new string('p', 100) }).ToArray());
        var body = new JsonObject { ["count"] = 400, ["transactions"] = items };

        var bounded = AnalystToolHandlers.Bounded(body, "transactions");

        var size = Encoding.UTF8.GetByteCount(bounded.ToJsonString());
        var kept = bounded["transactions"]!.AsArray();
        Assert.That(size, Is.LessThanOrEqualTo(AnalystToolHandlers.MaxBodyBytes));
        Assert.That(kept.Count, Is.LessThan(400).And.GreaterThan(100));
        Assert.That(kept[0]!["id"]!.GetValue<string>(), Is.EqualTo("tx-0"), "the first (newest) entries are kept");
        Assert.That(bounded["count"]!.GetValue<int>(), Is.EqualTo(kept.Count));
        Assert.That(bounded["truncated"]!.GetValue<string>(), Does.StartWith($"{400 - kept.Count} list entries left out"));
    }

    [Test]
    public void Bounded_LeavesASmallBodyAlone()
    {
        var body = new JsonObject { ["count"] = 1, ["transactions"] = new JsonArray(new JsonObject { ["id"] = "tx-1" }) };
        var bounded = AnalystToolHandlers.Bounded(body, "transactions");
        Assert.That(bounded.ContainsKey("truncated"), Is.False);
        Assert.That(bounded["transactions"]!.AsArray(), Has.Count.EqualTo(1));
    }

    // ---- settings ----

    [Test]
    public void Settings_FromEnvironment_ReadsTheStreamProcessorsNames()
    {
        var env = new Dictionary<string, string>
        {
            ["TRANSACTIONS_TABLE"] = "a", ["DECISIONS_TABLE"] = "b", ["USER_PROFILES_TABLE"] = "c", ["PATTERNS_TABLE"] = "d",
            ["ENVIRONMENT"] = "dev", ["TRANSACTION_TTL_DAYS"] = "30",
        };
        var s = AgentSettings.FromEnvironment(n => env.GetValueOrDefault(n));
        Assert.That((s.TransactionsTable, s.DecisionsTable, s.UserProfilesTable, s.PatternsTable, s.Environment, s.TransactionTtlDays),
            Is.EqualTo(("a", "b", "c", "d", "dev", 30)));
        env.Remove("ENVIRONMENT");
        env.Remove("TRANSACTION_TTL_DAYS");
        var defaults = AgentSettings.FromEnvironment(n => env.GetValueOrDefault(n));
        Assert.That((defaults.Environment, defaults.TransactionTtlDays), Is.EqualTo(("unknown", 90)));
    }

    [TestCase("TRANSACTIONS_TABLE")]
    [TestCase("DECISIONS_TABLE")]
    [TestCase("USER_PROFILES_TABLE")]
    [TestCase("PATTERNS_TABLE")]
    public void Settings_MissingTable_IsAnErrorNamingTheVariable(string missing)
    {
        var env = new Dictionary<string, string> { ["TRANSACTIONS_TABLE"] = "a", ["DECISIONS_TABLE"] = "b", ["USER_PROFILES_TABLE"] = "c", ["PATTERNS_TABLE"] = "d" };
        env.Remove(missing);
        var e = Assert.Throws<FraudTf.Functions.Shared.Settings.SettingsException>(() => AgentSettings.FromEnvironment(n => env.GetValueOrDefault(n)));
        Assert.That(e!.Message, Does.Contain(missing));
    }

    [TestCase("0")]
    [TestCase("-1")]
    [TestCase("ninety")]
    public void Settings_BadTtl_IsAnError(string value)
    {
        var env = new Dictionary<string, string> { ["TRANSACTIONS_TABLE"] = "a", ["DECISIONS_TABLE"] = "b", ["USER_PROFILES_TABLE"] = "c", ["PATTERNS_TABLE"] = "d", ["TRANSACTION_TTL_DAYS"] = value };
        var e = Assert.Throws<FraudTf.Functions.Shared.Settings.SettingsException>(() => AgentSettings.FromEnvironment(n => env.GetValueOrDefault(n)));
        Assert.That(e!.Message, Does.Contain("TRANSACTION_TTL_DAYS"));
    }

    // ---- which analyst decisions teach the profile (record_analyst_decision) ----

    private static Dictionary<string, AttributeValue> StoredTransaction(string decision) => new()
    {
        ["transactionId"] = new() { S = "tx-1" },
        ["userId"] = new() { S = "u-1" },
        ["timestamp"] = new() { S = "2026-11-25T11:30:00.0000000Z" },
        ["country"] = new() { S = "FR" },
        ["merchantCategory"] = new() { S = "5999" },
        ["decision"] = new() { S = decision },
        ["amountReference"] = new() { N = "48.91" },
        ["deviceId"] = new() { S = "d-9" },
        ["channel"] = new() { S = "web" },
    };

    [Test]
    public void OnlyAnApproveOfAReview_IsLearnt_WithTheStoredParts()
    {
        var plan = AnalystToolHandlers.PlanLearning("APPROVE", StoredTransaction("REVIEW"));

        Assert.That(plan.Input, Is.EqualTo(new AnalystToolHandlers.LearnInput(new DateTimeOffset(2026, 11, 25, 11, 30, 0, TimeSpan.Zero), "FR", "5999", "d-9", "web", 48.91)));
    }

    [TestCase("DECLINE", "REVIEW", "a DECLINE never does")]
    [TestCase("ESCALATE", "REVIEW", "a ESCALATE never does")]
    [TestCase("DECLINE", "DECLINE", "a DECLINE never does")]
    [TestCase("APPROVE", "APPROVE", "the scorer approved this transaction")]
    [TestCase("APPROVE", "DECLINE", "the payment did not happen")]
    [TestCase("APPROVE", "SOMETHING", "no automated decision the tools know")]
    public void OtherDecisions_AreNotLearnt_AndSayWhy(string decision, string automated, string why)
    {
        var plan = AnalystToolHandlers.PlanLearning(decision, StoredTransaction(automated));

        Assert.That(plan.Input, Is.Null);
        Assert.That(plan.Why, Does.StartWith("the user's profile was not changed").And.Contain(why));
    }

    [Test]
    public void AReviewLearntBefore_IsNotLearntAgain()
    {
        var tx = StoredTransaction("REVIEW");
        tx["profileLearnedAt"] = new AttributeValue { S = "2026-11-25T11:40:00.0000000Z" };

        var plan = AnalystToolHandlers.PlanLearning("APPROVE", tx);

        Assert.That(plan.Input, Is.Null);
        Assert.That(plan.Why, Does.Contain("already learnt this transaction at 2026-11-25T11:40:00.0000000Z"));
    }

    [Test]
    public void AReviewWithoutAReferenceAmount_IsLearntWithoutOne_AndWithoutDeviceOrChannel()
    {
        var tx = StoredTransaction("REVIEW");
        tx.Remove("amountReference");
        tx.Remove("deviceId");
        tx.Remove("channel");

        var plan = AnalystToolHandlers.PlanLearning("APPROVE", tx);

        Assert.That(plan.Input, Is.Not.Null, plan.Why);
        Assert.That((plan.Input!.ReferenceAmount, plan.Input.DeviceId, plan.Input.Channel), Is.EqualTo(((double?)null, (string?)null, (string?)null)));
    }

    [TestCase("country", null, "country: missing")]
    [TestCase("timestamp", "yesterday-ish", "timestamp: not a timestamp")]
    [TestCase("amountReference", "-3", "amountReference: out of range")]
    [TestCase("merchantCategory", "N:5999", "merchantCategory: not a string (N)")]
    public void ACorruptReview_IsNotLearnt_AndTheAttributeIsNamedWithoutItsValue(string attribute, string? value, string problem)
    {
        var tx = StoredTransaction("REVIEW");
        if (value is null)
        {
            tx.Remove(attribute);
        }
        else if (attribute is "amountReference")
        {
            tx[attribute] = new AttributeValue { N = value };
        }
        else if (value.StartsWith("N:", StringComparison.Ordinal))
        {
            tx[attribute] = new AttributeValue { N = value[2..] };
        }
        else
        {
            tx[attribute] = new AttributeValue { S = value };
        }

        var plan = AnalystToolHandlers.PlanLearning("APPROVE", tx);

        Assert.That(plan.Input, Is.Null);
        Assert.That(plan.Why, Does.Contain("cannot be learnt").And.Contain(problem));
        Assert.That(plan.Why, Does.Not.Contain("yesterday-ish"));
    }
}
