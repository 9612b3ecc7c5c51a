using System.Reflection;
using System.Runtime.ExceptionServices;
using FraudTf.Functions.Shared.Settings;
using FraudTf.Functions.Tests.Support;

namespace FraudTf.Functions.Tests.Observability;

/// <summary>
/// One contract between the stack and the functions: every environment variable a function reads is set by the
/// synthesized stack on that function, and every variable the stack sets is read (names from
/// <see cref="FunctionEnvironment"/>; exceptions only in <see cref="FunctionEnvironment.NotSetByStack"/>). The settings are
/// read with the function's own reader from the synthesized values, so a value the reader rejects fails here too.
/// Each function's reader is found by convention: <c>functions/&lt;Name&gt;/Settings.cs</c> declares
/// <c>&lt;assembly&gt;.Settings.From(SettingsReader)</c> (docs/adding-a-function.md).
/// </summary>
[TestFixture]
public class EnvironmentContractTests
{
    /// <summary>
    /// The settings reader of the function whose handler is in <paramref name="assembly"/>: its static
    /// <c>Settings.From(SettingsReader)</c>, or null when it has none.
    /// </summary>
    private static Action<SettingsReader>? ReaderOf(string assembly)
    {
        var from = Type.GetType($"{assembly}.Settings, {assembly}")
            ?.GetMethod("From", BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static, [typeof(SettingsReader)]);
        return from is null ? null : reader =>
        {
            try
            {
                from.Invoke(null, [reader]);
            }
            catch (TargetInvocationException e)
            {
                ExceptionDispatchInfo.Throw(e.InnerException!);
            }
        };
    }

    // What Lambda itself sets in every execution environment (the reserved variables a reader may use).
    private static readonly Dictionary<string, string> LambdaReserved = new(StringComparer.Ordinal) { [FunctionEnvironment.AwsRegion] = "us-east-1" };

    private static IEnumerable<string> Stacks() => ["fraud-detection-dev", "fraud-detection-staging", "fraud-detection-prod"];

    [TestCaseSource(nameof(Stacks))]
    public void EveryVariableAFunctionReads_IsSetByTheStack_AndViceVersa(string stackName)
    {
        var stack = SynthesizedStack.LoadOrIgnore(stackName);
        var functions = SynthesizedMonitoring.Functions(stack);
        Assert.That(functions, Is.Not.Empty);
        Assert.Multiple(() =>
        {
            foreach (var (address, assembly, function) in functions)
            {
                if (ReaderOf(assembly) is not { } read)
                {
                    Assert.Fail($"{address}: handler assembly {assembly} has no static {assembly}.Settings.From(SettingsReader). " +
                                "Fix: read the function's environment in its Settings.cs with the shared SettingsReader (docs/adding-a-function.md).");
                    continue;
                }

                var set = SynthesizedMonitoring.Variables(function);
                // A value the stack takes from another resource is a Terraform reference until apply: stand in a
                // well-formed value of its kind (an endpoint's URL), so that the reader's parsing is exercised too.
                var reader = new SettingsReader(n => set.TryGetValue(n, out var v)
                    ? v.Contains("${", StringComparison.Ordinal) && n.EndsWith("_ENDPOINT", StringComparison.Ordinal) ? "https://collection-id.us-east-1.aoss.amazonaws.com" : v
                    : LambdaReserved.GetValueOrDefault(n));
                Assert.DoesNotThrow(() => read(reader), $"{address}: its settings must read from what the stack sets");
                var read_ = reader.NamesRead.ToHashSet(StringComparer.Ordinal);
                Assert.That(set.Keys.Where(k => !read_.Contains(k)), Is.Empty, $"{address}: variables the stack sets that {assembly} never reads (dead or renamed)");
                Assert.That(read_.Where(n => !set.ContainsKey(n) && !FunctionEnvironment.NotSetByStack.ContainsKey(n)), Is.Empty,
                    $"{address}: variables {assembly} reads that the stack does not set (and FunctionEnvironment.NotSetByStack does not excuse)");
            }
        });
    }

    [Test]
    public void EveryExcusedVariable_IsNeededBySomeFunction()
    {
        // An excuse is needed where a function reads a variable the stack does not set on it (COLLECTION_ENDPOINT is set
        // on the index-setup function but not on the sync function that shares its package; AWS_REGION on none).
        var stack = SynthesizedStack.LoadOrIgnore();
        var functions = SynthesizedMonitoring.Functions(stack);
        var needed = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (_, assembly, function) in functions)
        {
            var set = SynthesizedMonitoring.Variables(function);
            var reader = new SettingsReader(n => set.TryGetValue(n, out var v)
                ? v.Contains("${", StringComparison.Ordinal) && n.EndsWith("_ENDPOINT", StringComparison.Ordinal) ? "https://collection-id.us-east-1.aoss.amazonaws.com" : v
                : LambdaReserved.GetValueOrDefault(n));
            ReaderOf(assembly)!(reader);
            needed.UnionWith(reader.NamesRead.Where(n => !set.ContainsKey(n)));
        }

        // Endpoint overrides and tuning knobs are read only when present in some runs: count what a reader asks for.
        foreach (var read in functions.Select(f => f.Assembly).Distinct().Select(a => ReaderOf(a)!))
        {
            var probe = new SettingsReader(n => n switch
            {
                FunctionEnvironment.AwsRegion => "us-east-1",
                FunctionEnvironment.ScoringRules => "{}",
                _ when n.StartsWith("AWS_ENDPOINT_URL", StringComparison.Ordinal) => null,
                _ when n.EndsWith("_ENDPOINT", StringComparison.Ordinal) => null,
                _ when n.EndsWith("_SECONDS", StringComparison.Ordinal) || n.EndsWith("_DAYS", StringComparison.Ordinal) => "1",
                _ => "x",
            });
            read(probe);
            needed.UnionWith(probe.NamesRead.Where(n => FunctionEnvironment.NotSetByStack.ContainsKey(n) && n.StartsWith("AWS_ENDPOINT_URL", StringComparison.Ordinal)));
        }

        Assert.That(FunctionEnvironment.NotSetByStack.Keys.Where(k => !needed.Contains(k)), Is.Empty, "an excuse no function needs");
    }

    [TestCaseSource(nameof(Stacks))]
    public void Functions_LogInJson_AtAnApplicationLevelThatKeepsEmfDocuments(string stackName)
    {
        // Lambda gives a JSON line without a "level" (an EMF document) the level INFO ("Log-level filtering"): an
        // application_log_level above INFO would drop every metric document.
        var stack = SynthesizedStack.LoadOrIgnore(stackName);
        Assert.Multiple(() =>
        {
            foreach (var (address, _, function) in SynthesizedMonitoring.Functions(stack))
            {
                Assert.That(SynthesizedMonitoring.LogFormat(function), Is.EqualTo(LambdaLogFormat.Json), address);
                var level = function["logging_config"]?["application_log_level"]?.GetValue<string>();
                Assert.That(level, Is.Null.Or.AnyOf("TRACE", "DEBUG", "INFO"), $"{address}: application_log_level {level} would drop the EMF documents");
            }
        });
    }

    [Test]
    public void MissingOrMalformedVariables_AreNamedWithTheFix()
    {
        var missing = Assert.Throws<SettingsException>(() => new SettingsReader(_ => null).Required(FunctionEnvironment.DecisionsTable));
        var malformed = Assert.Throws<SettingsException>(() => new SettingsReader(_ => "1,5").Int(FunctionEnvironment.TransactionTtlDays, 90));
        var negative = Assert.Throws<SettingsException>(() => new SettingsReader(_ => "-3").Int(FunctionEnvironment.PatternCacheSeconds, 60));
        var vars = new Dictionary<string, string?>
        {
            [FunctionEnvironment.TransactionsTable] = "t", [FunctionEnvironment.DecisionsTable] = "d", [FunctionEnvironment.UserProfilesTable] = "u",
            [FunctionEnvironment.PatternsTable] = "p", [FunctionEnvironment.DeadLetterQueueUrl] = "q", [FunctionEnvironment.QuarantineBucket] = "b",
            [FunctionEnvironment.ScoringRules] = "{not json",
        };
        var json = Assert.Throws<SettingsException>(() => FraudTf.Functions.StreamProcessor.Settings.FromEnvironment(n => vars.GetValueOrDefault(n)));

        Assert.Multiple(() =>
        {
            Assert.That(missing!.Message, Does.Contain("DECISIONS_TABLE is not set").And.Contain("Fix:"));
            Assert.That(malformed!.Message, Does.Contain("TRANSACTION_TTL_DAYS = '1,5' is not a positive whole number").And.Contain("Fix:"), "invariant culture: no separators");
            Assert.That(negative!.Message, Does.Contain("PATTERN_CACHE_SECONDS = '-3'"));
            Assert.That(json!.Message, Does.Contain("SCORING_RULES is not a JSON object").And.Contain("Fix:"));
        });
    }
}
