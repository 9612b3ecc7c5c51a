using FraudTf.Config;
using FraudTf.Tests.Support;

namespace FraudTf.Tests.Platform;

[TestFixture]
public class DeterminismTests
{
    [Test]
    public void TwoSynthsInARow_AreByteIdentical()
    {
        var configs = EnvironmentConfigLoader.LoadAll(Repo.EnvironmentsDir);

        var first = Synth.Run(configs);
        var second = Synth.Run(configs);

        var a = Files(first.OutDir);
        var b = Files(second.OutDir);
        Assert.That(b.Keys, Is.EqualTo(a.Keys));
        foreach (var (path, bytes) in a)
        {
            Assert.That(b[path], Is.EqualTo(bytes), $"{path} differs between two synths");
        }
    }

    [Test]
    public void Output_HoldsNoAbsolutePathOrTemporaryFolder()
    {
        var result = Synth.Shared;

        foreach (var (path, bytes) in Files(result.OutDir))
        {
            var text = System.Text.Encoding.UTF8.GetString(bytes);
            Assert.That(text, Does.Not.Contain(result.OutDir), path);
            Assert.That(text, Does.Not.Contain(Repo.Root), path);
            Assert.That(text, Does.Not.Contain(Path.GetTempPath()), path);
        }
    }

    private static SortedDictionary<string, byte[]> Files(string root) =>
        new(Directory.GetFiles(root, "*", SearchOption.AllDirectories)
            .ToDictionary(f => Path.GetRelativePath(root, f).Replace('\\', '/'), File.ReadAllBytes), StringComparer.Ordinal);
}
