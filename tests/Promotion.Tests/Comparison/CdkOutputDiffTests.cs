using FraudTf.Promotion.Comparison;
using FraudTf.Promotion.Tests.Support;

namespace FraudTf.Promotion.Tests.Comparison;

/// <summary>
/// The comparison make terrain-check runs (cdk-diff): CDK Terrain's output against the default's, accepting only the
/// listed differences (bindings/terrain/accepted-differences.json).
/// </summary>
public class CdkOutputDiffTests
{
    private static readonly IReadOnlyList<AcceptedCdkDifference> VersionOnly =
    [
        new("stacks/*/cdk.tf.json", "//.metadata.version", "0.21.0", "0.24.0", "The CDK's own version in the stack's metadata."),
        new("manifest.json", "version", "0.21.0", "0.24.0", "The CDK's own version in the manifest."),
    ];

    private string _work = "";

    [SetUp]
    public void CreateWorkFolder()
    {
        _work = Path.Combine(Path.GetTempPath(), "fraudtf-cdkdiff-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_work);
    }

    [TearDown]
    public void RemoveWorkFolder()
    {
        if (Directory.Exists(_work))
        {
            Directory.Delete(_work, recursive: true);
        }
    }

    [Test]
    public void OnlyTheVersion_Passes()
    {
        var (cdktf, terrain) = (Output("cdktf", "0.21.0"), Output("terrain", "0.24.0", emptyArrays: "[]"));

        var result = CdkOutputDiff.Compare(cdktf, terrain, VersionOnly);

        Assert.That(result.Passed, Is.True, string.Join("\n", result.Unexpected));
        Assert.That(result.Differences.Select(d => d.ToString()), Is.EquivalentTo(new[]
        {
            "manifest.json: version: 0.21.0 -> 0.24.0",
            "stacks/fraud-detection-dev/cdk.tf.json: //.metadata.version: 0.21.0 -> 0.24.0",
        }), "the manifest's other layout of an empty array is no difference");
        Assert.That(result.Unused, Is.Empty);
    }

    [Test]
    public void AValueDifferingElsewhere_FailsWithItsPathAndValues()
    {
        var (cdktf, terrain) = (Output("cdktf", "0.21.0"), Output("terrain", "0.24.0", memory: 1024));

        var result = CdkOutputDiff.Compare(cdktf, terrain, VersionOnly);

        Assert.That(result.Passed, Is.False);
        Assert.That(result.Unexpected.Select(d => d.ToString()), Is.EqualTo(new[]
        {
            "stacks/fraud-detection-dev/cdk.tf.json: resource.aws_lambda_function.fn.memory_size: 512 -> 1024",
        }));
    }

    [Test]
    public void TheVersionWithOtherValuesThanListed_Fails()
    {
        var (cdktf, terrain) = (Output("cdktf", "0.21.0"), Output("terrain", "0.25.0"));

        var result = CdkOutputDiff.Compare(cdktf, terrain, VersionOnly);

        Assert.That(result.Unexpected.Select(d => d.ToString()),
            Has.Member("stacks/fraud-detection-dev/cdk.tf.json: //.metadata.version: 0.21.0 -> 0.25.0"));
        Assert.That(result.Unused, Has.Count.EqualTo(2), "the listed 0.24.0 was not seen");
    }

    [Test]
    public void AnArgumentOnOneSideOnly_OrAnEmptyBlock_Fails()
    {
        var (cdktf, terrain) = (Output("cdktf", "0.21.0"), Output("terrain", "0.24.0", extra: """, "tags": {}, "publish": true"""));

        var result = CdkOutputDiff.Compare(cdktf, terrain, VersionOnly);

        Assert.That(result.Unexpected.Select(d => d.ToString()), Is.EqualTo(new[]
        {
            "stacks/fraud-detection-dev/cdk.tf.json: resource.aws_lambda_function.fn.publish: (absent) -> true",
            "stacks/fraud-detection-dev/cdk.tf.json: resource.aws_lambda_function.fn.tags: (absent) -> {}",
        }));
    }

    [Test]
    public void AZipWithOtherBytes_OrAFileOnOneSideOnly_Fails()
    {
        var (cdktf, terrain) = (Output("cdktf", "0.21.0"), Output("terrain", "0.24.0"));
        File.WriteAllText(Path.Combine(terrain, "stacks", "fraud-detection-dev", "assets", "fn.zip"), "other bytes");
        File.WriteAllText(Path.Combine(terrain, "stacks", "fraud-detection-dev", "extra.json"), "{}");

        var result = CdkOutputDiff.Compare(cdktf, terrain, VersionOnly);

        Assert.That(result.Unexpected.Select(d => d.File), Is.EqualTo(new[]
        {
            "stacks/fraud-detection-dev/assets/fn.zip",
            "stacks/fraud-detection-dev/extra.json",
        }));
        Assert.That(result.Unexpected[0].Expected, Does.StartWith("sha256:"));
        Assert.That(result.Unexpected[1].Expected, Is.Null);
    }

    [Test]
    public void TheRepositorysList_AcceptsOnlyTheCdkVersion()
    {
        const string file = "bindings/terrain/accepted-differences.json";

        var accepted = AcceptedCdkDifference.Load(Path.Combine(RealStacks.Root, file), file);

        Assert.That(accepted.Select(a => a.Path), Is.EquivalentTo(new[] { "//.metadata.version", "version" }));
    }

    [Test]
    public void AnEntryWithoutAReason_IsAClearError()
    {
        var file = Path.Combine(_work, "accepted.json");
        File.WriteAllText(file, """{"accepted": [{"files": "manifest.json", "path": "version", "from": "1", "to": "2"}]}""");

        var e = Assert.Throws<UserError>(() => AcceptedCdkDifference.Load(file, "accepted.json"));

        Assert.That(e!.Message, Is.EqualTo("accepted.json: accepted[0].reason is missing or not a string. Fix: give every entry files, path, from, to and reason."));
    }

    // An output folder: manifest.json, one stack with a function and its zip.
    private string Output(string name, string version, int memory = 512, string extra = "", string emptyArrays = "[\n      ]")
    {
        var dir = Path.Combine(_work, name);
        var stack = Path.Combine(dir, "stacks", "fraud-detection-dev");
        Directory.CreateDirectory(Path.Combine(stack, "assets"));
        File.WriteAllText(Path.Combine(dir, "manifest.json"),
            $"{{\n  \"stacks\": {{\n    \"fraud-detection-dev\": {{\n      \"annotations\": {emptyArrays}\n    }}\n  }},\n  \"version\": \"{version}\"\n}}");
        File.WriteAllText(Path.Combine(stack, "cdk.tf.json"), $$"""
            {
              "//": { "metadata": { "backend": "s3", "stackName": "fraud-detection-dev", "version": "{{version}}" } },
              "resource": { "aws_lambda_function": { "fn": { "function_name": "sp-dev", "memory_size": {{memory}}{{extra}} } } }
            }
            """);
        File.WriteAllText(Path.Combine(stack, "assets", "fn.zip"), "zip bytes");
        return dir;
    }
}
