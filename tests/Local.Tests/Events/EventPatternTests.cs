using System.Text.Json.Nodes;

using FraudTf.Local.Events;

namespace FraudTf.Local.Tests.Events;

/// <summary>
/// <see cref="EventPattern.Matches"/> against the examples of the EventBridge user guide ("Creating event patterns",
/// "Content filtering in Amazon EventBridge event patterns"), so the seam tests' rule matching follows the documented
/// semantics rather than the code under test.
/// </summary>
[TestFixture]
public class EventPatternTests
{
    // The guide's sample EC2 state-change event (trimmed), with a few fields added for the operators.
    private static readonly JsonNode Event = JsonNode.Parse("""
        {
          "version": "0", "id": "6a7e8feb-b491-4cf7-a9f1-bf3703467718", "detail-type": "EC2 Instance State-change Notification",
          "source": "aws.ec2", "account": "111122223333", "time": "2017-12-22T18:43:48Z", "region": "us-west-1",
          "resources": ["arn:aws:ec2:us-west-1:123456789012:instance/i-1234567890abcdef0", "arn:aws:ec2:us-west-1:123456789012:instance/i-2"],
          "detail": { "instance-id": "i-1234567890abcdef0", "state": "terminated", "c-count": 5, "responseElements": null, "name": "",
                      "tags": [{"key": "team", "value": "fraud"}], "location": "Arena.Events" }
        }
        """)!;

    private static bool M(string pattern) => EventPattern.Matches(JsonNode.Parse(pattern)!, Event);

    [TestCase("""{"source": ["aws.ec2"]}""", true)]
    [TestCase("""{"source": ["aws.ec2"], "detail-type": ["EC2 Instance State-change Notification"], "account": ["111122223333"]}""", true)]
    [TestCase("""{"source": ["aws.ec2"], "account": ["999999999999"]}""", false)]
    [TestCase("""{"source": ["AWS.EC2"]}""", false)]
    [TestCase("""{"source": ["aws.s3", "aws.ec2"]}""", true)]
    [TestCase("""{"detail": {"state": ["terminated"]}}""", true)]
    [TestCase("""{"detail": {"state": ["running"]}}""", false)]
    [TestCase("""{"detail": {"missing": ["x"]}}""", false)]
    [TestCase("""{"nothing": {"state": ["x"]}}""", false)]
    public void ExactValues_MatchWhenEveryFieldHasOneOfItsValues(string pattern, bool expected) => Assert.That(M(pattern), Is.EqualTo(expected));

    [TestCase("""{"resources": ["arn:aws:ec2:us-west-1:123456789012:instance/i-2"]}""", true)]
    [TestCase("""{"resources": ["arn:aws:ec2:us-west-1:123456789012:instance/i-3"]}""", false)]
    [TestCase("""{"detail": {"tags": {"value": ["fraud"]}}}""", true)]
    public void ArraysInTheEvent_MatchWhenOneElementDoes(string pattern, bool expected) => Assert.That(M(pattern), Is.EqualTo(expected));

    [TestCase("""{"detail": {"responseElements": [null]}}""", true)]
    [TestCase("""{"detail": {"name": [""]}}""", true)]
    [TestCase("""{"detail": {"name": [null]}}""", false)]
    [TestCase("""{"detail": {"c-count": [5]}}""", true)]
    [TestCase("""{"detail": {"c-count": [5.0]}}""", true)]
    [TestCase("""{"detail": {"c-count": ["5"]}}""", false)]
    public void NullEmptyAndNumbers_MatchByJsonValue_NotByText(string pattern, bool expected) => Assert.That(M(pattern), Is.EqualTo(expected));

    [TestCase("""{"time": [{"prefix": "2017-12-22"}]}""", true)]
    [TestCase("""{"time": [{"prefix": "2018"}]}""", false)]
    [TestCase("""{"detail": {"location": [{"suffix": ".Events"}]}}""", true)]
    [TestCase("""{"detail": {"location": [{"suffix": {"equals-ignore-case": ".EVENTS"}}]}}""", true)]
    [TestCase("""{"detail": {"state": [{"equals-ignore-case": "TERMINATED"}]}}""", true)]
    [TestCase("""{"detail": {"state": [{"anything-but": "initializing"}]}}""", true)]
    [TestCase("""{"detail": {"state": [{"anything-but": ["stopped", "terminated"]}]}}""", false)]
    [TestCase("""{"detail": {"state": [{"anything-but": {"prefix": "term"}}]}}""", false)]
    [TestCase("""{"detail": {"missing": [{"anything-but": "x"}]}}""", false)]
    [TestCase("""{"detail": {"c-count": [{"numeric": [">", 0, "<=", 5]}]}}""", true)]
    [TestCase("""{"detail": {"c-count": [{"numeric": [">", 5]}]}}""", false)]
    [TestCase("""{"detail": {"state": [{"exists": true}]}}""", true)]
    [TestCase("""{"detail": {"responseElements": [{"exists": true}]}}""", true)]
    [TestCase("""{"detail": {"missing": [{"exists": false}]}}""", true)]
    [TestCase("""{"detail": {"state": [{"exists": false}]}}""", false)]
    [TestCase("""{"detail": [{"exists": true}]}""", false)]
    public void ContentFilterOperators_MatchAsTheUserGuideDescribes(string pattern, bool expected) => Assert.That(M(pattern), Is.EqualTo(expected));

    [TestCase("""{"detail": {"sourceIPAddress": [{"cidr": "10.0.0.0/24"}]}}""")]
    [TestCase("""{"source": [{"wildcard": "aws.*"}]}""")]
    [TestCase("""{"$or": [{"source": ["aws.ec2"]}]}""")]
    [TestCase("""{"source": "aws.ec2"}""")]
    [TestCase("""{"source": []}""")]
    [TestCase("""{}""")]
    public void WhatThisRunnerDoesNotImplement_Throws(string pattern) =>
        Assert.That(() => M(pattern), Throws.TypeOf<NotSupportedException>());
}
