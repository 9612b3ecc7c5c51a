using System.Text.RegularExpressions;
using FraudTf.Tests.Support;

namespace FraudTf.Tests.Docs;

/// <summary>
/// The documentation holds together: README stays an entry page (under 300 lines), and every relative link of README and
/// docs/ reaches a file that exists and, with a #fragment, a heading of that file (GitHub's anchor rules).
/// </summary>
[TestFixture]
public partial class DocumentationTests
{
    [GeneratedRegex(@"\[[^\]]*\]\(([^)\s]+)\)")]
    private static partial Regex Link();

    private static IEnumerable<string> Documents() =>
        new[] { Path.Combine(Repo.Root, "README.md") }.Concat(Directory.GetFiles(Path.Combine(Repo.Root, "docs"), "*.md")).Order(StringComparer.Ordinal);

    [Test]
    public void Readme_IsUnder300Lines_AndGivesMakeSynthAndMakeTest()
    {
        var lines = File.ReadAllLines(Path.Combine(Repo.Root, "README.md"));

        Assert.That(lines, Has.Length.LessThan(300), "README.md: keep it to what it is, the two commands, the layout and links; move detail to docs/");
        Assert.That(string.Join('\n', lines), Does.Contain("make synth").And.Contain("make test"), ".ci/run runs the test command README gives");
    }

    [Test]
    public void EveryRelativeLinkAndAnchor_Resolves()
    {
        var broken = new List<string>();
        foreach (var doc in Documents())
        {
            var text = WithoutCode(File.ReadAllText(doc));
            foreach (Match m in Link().Matches(text))
            {
                var target = m.Groups[1].Value;
                if (target.StartsWith("http", StringComparison.Ordinal) || target.StartsWith("mailto:", StringComparison.Ordinal))
                {
                    continue;
                }

                var hash = target.IndexOf('#', StringComparison.Ordinal);
                var file = hash < 0 ? target : target[..hash];
                var anchor = hash < 0 ? null : target[(hash + 1)..];
                var path = file.Length == 0 ? doc : Path.GetFullPath(Path.Combine(Path.GetDirectoryName(doc)!, file));
                var name = Path.GetRelativePath(Repo.Root, doc);
                if (!File.Exists(path) && !Directory.Exists(path))
                {
                    broken.Add($"{name}: {target}: no such file");
                }
                else if (anchor is not null && path.EndsWith(".md", StringComparison.Ordinal) && !Anchors(path).Contains(anchor))
                {
                    broken.Add($"{name}: {target}: no heading with that anchor in {Path.GetRelativePath(Repo.Root, path)}");
                }
            }
        }

        Assert.That(broken, Is.Empty);
    }

    // GitHub's heading anchors: lower case, punctuation but '-' and '_' dropped, spaces to '-'; repeats get -1, -2, ...
    private static HashSet<string> Anchors(string path)
    {
        var anchors = new HashSet<string>(StringComparer.Ordinal);
        foreach (var line in WithoutCode(File.ReadAllText(path)).Split('\n'))
        {
            var m = Regex.Match(line, @"^#{1,6} (.+)$");
            if (!m.Success)
            {
                continue;
            }

            var slug = Regex.Replace(m.Groups[1].Value.Trim().ToLowerInvariant(), @"[^\p{L}\p{N}\- _]", "").Replace(' ', '-');
            var candidate = slug;
            for (var i = 1; !anchors.Add(candidate); i++)
            {
                candidate = $"{slug}-{i}";
            }
        }

        return anchors;
    }

    // Fenced code blocks hold no links or headings (a '# comment' in a shell block is not a heading).
    private static string WithoutCode(string markdown) => Regex.Replace(markdown, @"^```.*?^```", "", RegexOptions.Singleline | RegexOptions.Multiline);
}
