using System.Text.Json.Nodes;
using FraudTf.Promotion.Validation.Gate;
using FraudTf.Promotion.Validation.Gate.Rules;
using static FraudTf.Promotion.Tests.Validation.Gate.Gate1Fixtures;

namespace FraudTf.Promotion.Tests.Validation.Gate;

/// <summary>A recorded <c>"//".gate_exceptions</c> entry turns one of these rules' findings into an excepted one.</summary>
public class Gate1ExceptionTests
{
    private static JsonObject PipeAtLatest(string? reason)
    {
        var stack = One("aws_pipes_pipe", """{ "source_parameters": { "dynamodb_stream_parameters": { "starting_position": "LATEST" } } }""");
        if (reason is not null)
        {
            stack["resource"]!["aws_pipes_pipe"]!["r"]!["//"] = new JsonObject { ["gate_exceptions"] = new JsonObject { ["GATE-STREAM-001"] = reason } };
        }

        return stack;
    }

    [Test]
    public void AReasonOfAtLeast20CharactersExceptsTheFinding()
    {
        const string reason = "Only new rows matter: the table is filled after the pipe runs";
        var result = Run<StreamStartingPositionRule>(PipeAtLatest(reason));
        Assert.Multiple(() =>
        {
            Assert.That(result.Failures, Is.Empty);
            Assert.That(result.Excepted, Has.Count.EqualTo(1));
            Assert.That(result.Excepted[0].Finding.RuleId, Is.EqualTo("GATE-STREAM-001"));
            Assert.That(result.Excepted[0].Finding.Address, Is.EqualTo("aws_pipes_pipe.r"));
            Assert.That(result.Excepted[0].Reason, Is.EqualTo(reason));
        });
    }

    [Test]
    public void AShortReasonStillFails()
    {
        var result = Run<StreamStartingPositionRule>(PipeAtLatest("not needed"));
        Assert.Multiple(() =>
        {
            Assert.That(result.Excepted, Is.Empty);
            Assert.That(result.Failures.Single().Message, Does.Contain($"give at least {DeployGate.MinimumReasonLength}"));
        });
    }

    [Test]
    public void WithoutAnExceptionTheFindingFails()
    {
        Assert.That(Run<StreamStartingPositionRule>(PipeAtLatest(null)).Failures, Has.Count.EqualTo(1));
    }
}
