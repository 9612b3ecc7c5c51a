using FraudTf.Functions.Shared.Logging;
using FraudTf.Local.Observability;

namespace FraudTf.Local.Tests.Observability;

/// <summary>Metric filter patterns, CloudWatch Logs user guide "Filter pattern syntax for metric filters".</summary>
[TestFixture]
public sealed class FilterPatternTests
{
    private const string Doc = "{\"eventType\":\"UpdateTrail\",\"sourceIPAddress\":\"111.111.111.111\",\"arrayKey\":[\"value\",\"another value\"],"
        + "\"objectList\":[{\"name\":\"a\",\"id\":1},{\"name\":\"b\",\"id\":2}],\"SomeObject\":null,\"latency\":42,\"ok\":true,\"number\":[0.001]}";

    private static string Pattern(string metric, string env = "dev") =>
        LocalCloudWatch.FromStack(Repo.Stack(env), TimeProvider.System).MetricFilters.Single(f => f.MetricName == metric).Pattern.Text;

    [TestCase("dev")]
    [TestCase("staging")]
    [TestCase("prod")]
    public void EveryMetricFilterOfTheStack_Parses(string env) =>
        Assert.That(() => LocalCloudWatch.FromStack(Repo.Stack(env), TimeProvider.System).MetricFilters.Select(f => f.Pattern).ToList(), Throws.Nothing);

    [TestCase("bootstrap-dev")]
    [TestCase("bootstrap-staging")]
    [TestCase("bootstrap-prod")]
    public void TheBootstrapStacks_HaveNoMetricFilter(string env) =>
        Assert.That(LocalCloudWatch.FromStack(Repo.Stack(env), TimeProvider.System).MetricFilters, Is.Empty, "a new filter there needs a test here");

    [TestCase(DecisionValues.Review, true)]
    [TestCase(DecisionValues.Decline, true)]
    [TestCase(DecisionValues.Approve, false)]
    public void FraudEventsFilter_CountsReviewAndDeclineScoredLines(string decision, bool counted) =>
        Assert.That(FilterPattern.Matches(Pattern("FraudEventsLogged"), LogLines.Scored(decision)), Is.EqualTo(counted));

    [Test]
    public void FraudEventsFilter_IgnoresTheScoredLineWrittenThroughConsole() =>
        Assert.Multiple(() =>
        {
            Assert.That(FilterPattern.Matches(Pattern("FraudEventsLogged"), LogLines.TextPrefixed(LogLines.Scored(DecisionValues.Review))), Is.False, "Text format: prefixed, not JSON");
            Assert.That(FilterPattern.Matches(Pattern("FraudEventsLogged"), LogLines.JsonEscaped(LogLines.Scored(DecisionValues.Review))), Is.False, "JSON format: $.message is the whole line, $.decision absent");
        });

    [Test]
    public void ProcessingErrorsFilter_CountsWarnAndErrorLinesOnly() =>
        Assert.Multiple(() =>
        {
            Assert.That(FilterPattern.Matches(Pattern("ProcessingErrorsLogged"), LogLines.Retried()), Is.True, "WARN");
            Assert.That(FilterPattern.Matches(Pattern("ProcessingErrorsLogged"), LogLines.Structured(LogLevels.Error, "boom", null, [])), Is.True, "ERROR");
            Assert.That(FilterPattern.Matches(Pattern("ProcessingErrorsLogged"), LogLines.Scored(DecisionValues.Decline)), Is.False, "INFO");
            Assert.That(FilterPattern.Matches(Pattern("ProcessingErrorsLogged"), LogLines.JsonEscaped("oops")), Is.False, "the runtime's level is \"Information\"/\"Error\", never WARN/ERROR");
        });

    // The guide's own examples, against its example event.
    [TestCase("{ $.eventType = \"UpdateTrail\" }", true)]
    [TestCase("{ $.eventType != \"UpdateTrail\" }", false)]
    [TestCase("{ $.eventType = \"Update*\" }", true, TestName = "Wildcard in a string")]
    [TestCase("{ $.eventType = \"*\" }", true)]
    [TestCase("{ $.sourceIPAddress != 123.123.* }", true, TestName = "Unquoted wildcard")]
    [TestCase("{ $.arrayKey[0] = \"value\" }", true)]
    [TestCase("{ $.objectList[1].id = 2 }", true)]
    [TestCase("{ $.SomeObject IS NULL }", true)]
    [TestCase("{ $.eventType IS NULL }", false)]
    [TestCase("{ $.ok IS TRUE }", true)]
    [TestCase("{ $.ok IS FALSE }", false)]
    [TestCase("{ $.SomeOtherObject NOT EXISTS }", true)]
    [TestCase("{ $.eventType NOT EXISTS }", false)]
    [TestCase("{ $.latency > 40 }", true)]
    [TestCase("{ $.latency < 40 }", false)]
    [TestCase("{ $.latency >= 42 }", true)]
    [TestCase("{ $.latency <= 41 }", false)]
    [TestCase("{ $.latency = 4.2e1 }", true, TestName = "Scientific notation")]
    [TestCase("{ $.number[0] = 1e-3 }", true)]
    [TestCase("{ $.latency = * }", true)]
    [TestCase("{ $.arrayKey = \"value\" }", false, TestName = "A selector pointing to an array never matches")]
    [TestCase("{ $.missing != \"x\" }", false, TestName = "A missing field compares false")]
    [TestCase("{ $.eventType = \"UpdateTrail\" || $.latency = 1 && $.ok IS FALSE }", true, TestName = "AND binds tighter than OR")]
    [TestCase("{ ($.eventType = \"UpdateTrail\" || $.latency = 1) && $.ok IS FALSE }", false, TestName = "Parentheses first")]
    [TestCase("", true, TestName = "The empty pattern matches everything")]
    public void JsonSyntaxOfTheUserGuide_MatchesAsDocumented(string pattern, bool matches) => Assert.That(FilterPattern.Matches(pattern, Doc), Is.EqualTo(matches));

    [Test]
    public void ALineThatIsNotJson_NeverMatchesAJsonPattern() =>
        Assert.That(FilterPattern.Matches("{ $.level = \"ERROR\" }", "ERROR something failed"), Is.False);

    [TestCase("ERROR -ARGUMENTS")]
    [TestCase("[ip, user, status_code = 4*]")]
    [TestCase("{ $.* = 1 }")]
    public void UnimplementedSyntax_Throws(string pattern) => Assert.That(() => FilterPattern.Parse(pattern), Throws.TypeOf<NotSupportedException>());

    [TestCase("{ $.a IS NOT NULL }", TestName = "IS NOT (CloudWatch does not support it)")]
    [TestCase("{ $.a EXISTS }", TestName = "EXISTS (CloudWatch does not support it)")]
    public void SyntaxCloudWatchRefuses_Throws(string pattern) => Assert.That(() => FilterPattern.Parse(pattern), Throws.TypeOf<NotSupportedException>());

    [TestCase("{ $.a = }")]
    [TestCase("{ $.a = \"x\" ")]
    [TestCase("{ ($.a = 1 }")]
    [TestCase("{ $.a ~ 1 }")]
    [TestCase("{ $.a > \"x\" }")]
    [TestCase("{ $.a = 1 $.b = 2 }")]
    public void MalformedSyntax_Throws(string pattern) => Assert.That(() => FilterPattern.Parse(pattern), Throws.TypeOf<FormatException>());
}
