using FraudTf.Config;

namespace FraudTf.Tests.Support;

/// <summary>
/// The environments the tests run over, in promotion order: one list for every test (a test source needs it before any
/// test runs, so it is written here once and checked against environments/ by <see cref="TestEnvironmentsTests"/>).
/// </summary>
public static class TestEnvironments
{
    /// <summary>Every environment of environments/, in promotion order.</summary>
    public static readonly string[] All = ["dev", "staging", "prod"];
}

/// <summary>The shared list is the list the loader finds.</summary>
[TestFixture]
public class TestEnvironmentsTests
{
    [Test]
    public void TheSharedList_IsEveryEnvironmentFile_InPromotionOrder() =>
        Assert.That(EnvironmentConfigLoader.LoadAll(Repo.EnvironmentsDir).Select(c => c.Environment), Is.EqualTo(TestEnvironments.All),
            "tests/FraudTf.Tests/Support/TestEnvironments.cs: add or remove the environment there");
}
