using FraudTf.Security;

namespace FraudTf.Tests.Security;

/// <summary><see cref="PolicyDocument"/>: statement ids name one statement each.</summary>
[TestFixture]
public class PolicyDocumentTests
{
    [Test]
    public void DifferentStatementsUnderOneSid_Fail()
    {
        var policy = new PolicyDocument().Add(new PolicyStatement { Sid = "A", Actions = ["s3:GetObject"], Resources = ["arn:aws:s3:::b/*"] });

        var e = Assert.Throws<InvalidOperationException>(() => policy.Add(new PolicyStatement { Sid = "A", Actions = ["s3:PutObject"], Resources = ["arn:aws:s3:::b/*"] }));

        Assert.That(e!.Message, Does.Contain("'A' is used twice for different statements"));
    }
}
