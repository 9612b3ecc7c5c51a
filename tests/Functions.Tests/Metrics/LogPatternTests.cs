using FraudTf.Functions.Shared.Metrics;
using FraudTf.Functions.Tests.Support;
using FraudTf.Local.Observability;

namespace FraudTf.Functions.Tests.Metrics;

/// <summary>The metric-filter patterns against log lines of the shapes the handlers write (see also the integration test).</summary>
[TestFixture]
public class LogPatternTests
{
    [TestCase("{\"level\":\"info\",\"message\":\"transaction scored\",\"decision\":\"DECLINE\",\"transactionId\":\"t\"}", true)]
    [TestCase("{\"level\":\"info\",\"message\":\"transaction scored\",\"decision\":\"REVIEW\"}", true)]
    [TestCase("{\"level\":\"info\",\"message\":\"transaction scored\",\"decision\":\"APPROVE\"}", false)]
    [TestCase("{\"level\":\"info\",\"message\":\"duplicate transaction skipped\",\"decision\":\"DECLINE\"}", false)]
    [TestCase("transaction scored DECLINE", false)]
    public void FraudEventPattern_MatchesScoredDeclinesAndReviews_Only(string line, bool matches) => Assert.That(FilterPattern.Matches(LogPatterns.FraudEvent, line), Is.EqualTo(matches));

    [TestCase("{\"level\":\"WARN\",\"message\":\"record rejected to the dead-letter queue\"}", true)]
    [TestCase("{\"level\":\"ERROR\",\"message\":\"x\"}", true)]
    [TestCase("{\"timestamp\":\"2026-11-25T12:00:00.000Z\",\"level\":\"Information\",\"requestId\":\"r\",\"message\":\"{\\\"level\\\":\\\"WARN\\\"}\"}", false)]
    [TestCase("{\"level\":\"info\",\"message\":\"transaction scored\"}", false)]
    [TestCase("{\"_aws\":{},\"RecordsRejected\":3}", false)]
    public void ProcessingErrorPattern_MatchesWarnAndErrorLines_NotRuntimeWrappedOrMetricLines(string line, bool matches) => Assert.That(FilterPattern.Matches(LogPatterns.ProcessingError, line), Is.EqualTo(matches));
}
