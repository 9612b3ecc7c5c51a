using FraudTf.Promotion.Validation.Gate.Rules;
using static FraudTf.Promotion.Tests.Validation.Gate.Gate1Fixtures;

namespace FraudTf.Promotion.Tests.Validation.Gate;

/// <summary>GATE-PROV-001: Lambda runtimes against the lowest AWS provider version the constraint admits.</summary>
public class Gate1ProviderRuntimeRuleTests
{
    private static System.Text.Json.Nodes.JsonObject Function(string runtime, string? version) =>
        One("aws_lambda_function", $$"""{ "function_name": "f", "runtime": "{{runtime}}" }""", version);

    [Test]
    public void Dotnet10WithAConstraintFrom6_27Passes()
    {
        Assert.That(Failures<ProviderRuntimeRule>(Function("dotnet10", ">= 6.27.0, < 7.0.0")), Is.Empty);
    }

    [Test]
    public void Dotnet10PinnedTo6_25FailsOnTheFunctionAndNamesTheVersionToRequire()
    {
        var f = Failures<ProviderRuntimeRule>(Function("dotnet10", "6.25.0")).Single();
        Assert.Multiple(() =>
        {
            Assert.That(f.RuleId, Is.EqualTo("GATE-PROV-001"));
            Assert.That(f.Address, Is.EqualTo("aws_lambda_function.r"));
            Assert.That(f.Message, Does.Contain("runtime dotnet10 is rejected at plan by hashicorp/aws < 6.27.0"));
            Assert.That(f.Message, Does.Contain("the constraint '6.25.0' admits 6.25.0"));
            Assert.That(f.Message, Does.Contain("Fix: require '>= 6.27.0'"));
        });
    }

    // The lowest admitted version decides: each operator of Terraform's constraint syntax.
    [TestCase("6.27.0", false)]
    [TestCase("= 6.27.0", false)]
    [TestCase("~> 6.27", false)]
    [TestCase("~> 7.0", false)]
    [TestCase(">= 6.28, < 7", false)]
    [TestCase("6.26.0", true)]
    [TestCase("~> 6.26.0", true)]
    [TestCase("> 6.26.0", true)]
    [TestCase(">= 6.26.9, != 6.26.9", true)]
    [TestCase(">= 6.0", true)]
    [TestCase("~> 6.0", true)]
    [TestCase("6.27.0-beta1", true)]
    public void TheLowestAdmittedVersionDecides(string constraint, bool fails)
    {
        Assert.That(Failures<ProviderRuntimeRule>(Function("dotnet10", constraint)), fails ? Has.Count.EqualTo(1) : Is.Empty);
    }

    [Test]
    public void AGreaterThanClauseAdmitsTheNextPatch()
    {
        var f = Failures<ProviderRuntimeRule>(Function("dotnet10", "> 6.26.0")).Single();
        Assert.That(f.Message, Does.Contain("admits 6.26.1"));
    }

    [Test]
    public void ARuntimeAcceptedBefore6PassesWithAny6Constraint()
    {
        Assert.That(Failures<ProviderRuntimeRule>(Function("dotnet8", "~> 6.0")), Is.Empty);
    }

    [Test]
    public void A5xLowerBoundFailsEvenForOldRuntimes()
    {
        var f = Failures<ProviderRuntimeRule>(Function("dotnet8", ">= 5.40")).Single();
        Assert.That(f.Message, Does.StartWith("runtime dotnet8 is only known to be accepted from hashicorp/aws 6.0.0"));
    }

    [Test]
    public void NodeJs24NeedsTheVersionItsChangelogNames()
    {
        Assert.Multiple(() =>
        {
            Assert.That(Failures<ProviderRuntimeRule>(Function("nodejs24.x", "6.20.0")).Single().Message, Does.Contain("< 6.21.0"));
            Assert.That(Failures<ProviderRuntimeRule>(Function("nodejs24.x", "6.21.0")), Is.Empty);
        });
    }

    [Test]
    public void AnUnknownRuntimeFails()
    {
        var f = Failures<ProviderRuntimeRule>(Function("dotnet10.0", "~> 6.27")).Single();
        Assert.Multiple(() =>
        {
            Assert.That(f.Address, Is.EqualTo("aws_lambda_function.r"));
            Assert.That(f.Message, Does.Contain("not a Lambda runtime any known provider accepts"));
        });
    }

    [Test]
    public void ARuntimeFromAnExpressionIsSkipped()
    {
        Assert.That(Failures<ProviderRuntimeRule>(Function("${var.runtime}", "6.25.0")), Is.Empty);
    }

    [Test]
    public void AMissingConstraintFailsOnTheTerraformBlock()
    {
        var f = Failures<ProviderRuntimeRule>(Function("dotnet10", null)).Single();
        Assert.Multiple(() =>
        {
            Assert.That(f.Address, Is.EqualTo("terraform"));
            Assert.That(f.Message, Does.Contain("version is missing"));
        });
    }

    [TestCase("< 7.0.0", "no lower bound")]
    [TestCase("!= 6.25.0", "no lower bound")]
    [TestCase(">= 6.28, < 6.27", "admits no version")]
    [TestCase("latest", "is not '<operator> <version>'")]
    public void AConstraintThatCannotBeCheckedFails(string constraint, string expected)
    {
        var f = Failures<ProviderRuntimeRule>(Function("dotnet10", constraint)).Single();
        Assert.Multiple(() =>
        {
            Assert.That(f.Address, Is.EqualTo("terraform"));
            Assert.That(f.Message, Does.Contain(expected));
        });
    }
}
