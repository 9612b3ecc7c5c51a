using System.Text.Json.Nodes;
using FraudTf.Streaming;
using FraudTf.Tests.Support;

namespace FraudTf.Tests.Streaming;

/// <summary>The events composite alone on a fresh stack, with the tables, stream, queue, topic and functions it wires.</summary>
[TestFixture]
public class FraudEventsTests
{
    [Test]
    public void NoDecisionProducer_FailsWithTheFix()
    {
        var stack = new CompositeStack();

        var e = Assert.Throws<ArgumentException>(() => new FraudEvents(stack.Stack, "events", stack.EventsConfig with { DecisionProducers = [] }));

        Assert.That(e!.Message, Does.Contain("DecisionProducers is empty").And.Contain("Fix: pass the role of the function that writes AUTOMATED decisions"));
    }

    [Test]
    public void BusPipesAndRules_AreNamedFromTheTarget_AndMatchOnlyItsAccount()
    {
        var stack = new CompositeStack();
        var events = stack.Events;
        var json = stack.Synth();

        Assert.Multiple(() =>
        {
            Assert.That(json.Resources("aws_cloudwatch_event_bus").Values.Single()["name"]!.GetValue<string>(), Is.EqualTo("acme-bus-qa"));
            Assert.That(events.Pipes.Select(p => p.Name), Is.EqualTo(new[] { "acme-transaction-received-qa", "acme-fraud-detected-qa" }));
            var rules = json.Resources("aws_cloudwatch_event_rule").Values.ToList();
            Assert.That(rules.Select(r => r["name"]!.GetValue<string>()), Is.EquivalentTo(new[] { "acme-transaction-received-qa", "acme-fraud-detected-qa" }));
            Assert.That(rules.Select(r => JsonNode.Parse(r["event_pattern"]!.GetValue<string>())!["account"]![0]!.GetValue<string>()),
                Has.All.EqualTo(CompositeStack.Target.AccountId));
        });
    }

    [Test]
    public void EventsStream_IsWrittenOnlyByTheEventsRole_ThroughItsGrant()
    {
        var stack = new CompositeStack();
        var events = stack.Events;

        Assert.That(stack.EventsStream.WriteGrantees, Is.EqualTo(new[] { events.EventsRole }));
    }

    [TestCase("eu-west-1", "arn:aws:pipes:eu-west-1:111111111111:pipe/p", "arn:aws:events:eu-west-1:111111111111:rule/acme-bus-qa/r")]
    [TestCase("us-gov-west-1", "arn:aws-us-gov:pipes:us-gov-west-1:111111111111:pipe/p", "arn:aws-us-gov:events:us-gov-west-1:111111111111:rule/acme-bus-qa/r")]
    public void PipeAndRuleArns_AreBuiltFromTheTargetsPartitionRegionAndAccount(string region, string pipeArn, string ruleArn)
    {
        var target = CompositeStack.Target with { Region = region };

        Assert.Multiple(() =>
        {
            Assert.That(FraudEvents.PipeArn(target, "p"), Is.EqualTo(pipeArn));
            Assert.That(FraudEvents.RuleArn(target, "r"), Is.EqualTo(ruleArn));
        });
    }
}
