using System.Text.Json.Nodes;
using FraudTf.Functions.Shared.Scoring;
using FraudTf.Promotion.Comparison;
using FraudTf.Promotion.Tests.Support;

namespace FraudTf.Promotion.Tests.Comparison;

/// <summary>
/// The scoring rules in the promotion: a SCORING_RULES difference is expected only when it is exactly what the two
/// environment files' scoring blocks produce, and the report's "Scoring rules" section shows the effective rules
/// (read by the function's own ScoringRules.FromJson) that differ, with both rulesVersions.
/// </summary>
public class ScoringRulesTests
{
    private const string StreamProcessor = "aws_lambda_function.sp";
    private const string DevRules = """{"reviewThreshold":0.45}""";
    private const string StagingRules = """{"reviewThreshold":0.5}""";

    private static readonly IReadOnlyList<Substitution> Subs =
    [
        new("environment", "dev", "staging"),
        new("scoring.ruleOverrides.reviewThreshold", "0.45", "0.5"),
    ];

    private static readonly ConfiguredScoringRules Configured = new(DevRules, StagingRules);

    /// <summary>The same zip on both sides (a SHA-256 as the report shortens it).</summary>
    private static string? Zip(bool isFrom, string file) => new string('a', 64);

    /// <summary>A stack with a stream processor (SCORING_RULES = <paramref name="rules"/>; null: unset) and an alarm.</summary>
    private static JsonObject Stack(string env, string? rules, double alarmThreshold = 0.45)
    {
        var variables = new JsonObject { ["ENVIRONMENT"] = env };
        if (rules is not null)
        {
            variables["SCORING_RULES"] = rules;
        }

        return new JsonObject
        {
            ["resource"] = new JsonObject
            {
                ["aws_lambda_function"] = new JsonObject
                {
                    ["sp"] = new JsonObject
                    {
                        ["function_name"] = $"sp-{env}", ["filename"] = "assets/sp.zip", ["source_code_hash"] = "H",
                        ["environment"] = new JsonObject { ["variables"] = variables },
                    },
                },
                ["aws_cloudwatch_metric_alarm"] = new JsonObject { ["a"] = new JsonObject { ["alarm_name"] = $"a-{env}", ["threshold"] = alarmThreshold } },
            },
        };
    }

    private static StackComparison Compare(JsonObject a, JsonObject b, ConfiguredScoringRules? configured = null) =>
        StackComparer.Compare("dev", "staging", a, b, Subs, Zip, [], configured ?? Configured);

    private static string Stream(JsonObject stack) =>
        stack["resource"]!["aws_lambda_function"]!.AsObject().Single(f => f.Value!["environment"]?["variables"]?["SCORING_RULES"] is not null).Key;

    private static void EditRules(string repo, string env, Func<JsonObject, JsonObject> edit)
    {
        var file = Path.Combine(repo, "cdktf.out", "stacks", $"fraud-detection-{env}", "cdk.tf.json");
        var stack = JsonNode.Parse(File.ReadAllText(file))!.AsObject();
        var variables = stack["resource"]!["aws_lambda_function"]![Stream(stack)]!["environment"]!["variables"]!.AsObject();
        variables["SCORING_RULES"] = edit(JsonNode.Parse(variables["SCORING_RULES"]!.GetValue<string>())!.AsObject()).ToJsonString();
        File.WriteAllText(file, stack.ToJsonString());
    }

    private static (int Code, string Report) Promote(string repo, string from, string to)
    {
        var code = Commands.Promote(repo, Options.Parse(["--from", from, "--to", to]));
        return (code, File.ReadAllText(Path.Combine(repo, "cdktf.out", $"promotion-{from}-to-{to}.md")));
    }

    [Test]
    public void DevToStagingShowsTheReviewThresholdAsARuleChangeAndPasses()
    {
        var (code, report) = Promote(RealStacks.TempRepo(), "dev", "staging");
        Assert.That(code, Is.EqualTo(0), report);
        Assert.That(report, Does.Contain("**Verdict: PASS.**"));

        var c = Commands.CompareEnvironments(RealStacks.Root, RealStacks.OutDir, "dev", "staging");
        var rules = c.ScoringRules.Single();
        Assert.That(rules.Address, Does.StartWith("aws_lambda_function.stream-processor_"));
        // environments/dev.json reviews from 0.4, staging from 0.5; both files set the same four fields.
        Assert.That(rules.Changes, Is.EqualTo(new[] { new RuleChange("reviewThreshold", "0.4", "0.5", FromSets: true, ToSets: true) }));
        Assert.That(rules.From.EffectiveVersion, Is.Not.EqualTo(rules.To.EffectiveVersion));
        Assert.That(rules.To.EffectiveVersion, Is.EqualTo(ScoringRules.FromJson("""{"reviewThreshold":0.5}""").EffectiveVersion),
            "staging's other settings are the defaults");
        var difference = c.Differences.Single(d => d.Path == ScoringRulesComparer.Path);
        Assert.That(difference.Expected, Is.True);
        Assert.That(difference.ExplainedBy.Single().Field, Is.EqualTo("scoring.ruleOverrides"));

        Assert.That(report, Does.Contain("## Scoring rules"));
        Assert.That(report, Does.Contain($"| rulesVersion | `{rules.From.EffectiveVersion}` | `{rules.To.EffectiveVersion}` |"));
        Assert.That(report, Does.Contain("| `reviewThreshold` | `0.4` (set) | `0.5` (set) |"));
        Assert.That(report, Does.Contain("| currencyRates table | `2026-12-01` (base USD, as of 2026-12-01) | `2026-12-01` (base USD, as of 2026-12-01) |"));
        Assert.That(report, Does.Contain("| travelRegions table | `2026-12-01` | `2026-12-01` |"));
        Assert.That(report, Does.Contain("Every decision records the `rulesVersion`"), "the header says what the section means");
        Assert.That(PromotionReport.ScoringSummary(c), Is.EqualTo(
            $"scoring rules: 1 setting(s) differ: reviewThreshold 0.4 -> 0.5; rulesVersion {rules.From.EffectiveVersion} -> {rules.To.EffectiveVersion}"));
    }

    [Test]
    public void StagingToProdHasTheSameRules()
    {
        var c = Commands.CompareEnvironments(RealStacks.Root, RealStacks.OutDir, "staging", "prod");
        var rules = c.ScoringRules.Single();
        Assert.That(rules.Same, Is.True);
        Assert.That(rules.Changes, Is.Empty);
        var version = rules.From.EffectiveVersion;
        Assert.That(rules.To.EffectiveVersion, Is.EqualTo(version));
        Assert.That(PromotionReport.ScoringSummary(c), Is.EqualTo($"scoring rules: same rules (version {version})"));
        Assert.That(PromotionReport.Render(c, []), Does.Contain($"Same rules (version `{version}`)").And.Not.Contain("Rule settings that differ"));
    }

    [Test]
    public void AHandEditedScoringRulesValueIsUnexpected()
    {
        var repo = RealStacks.TempRepo();
        EditRules(repo, "staging", r =>
        {
            r["declineThreshold"] = 0.85;
            return r;
        });

        var (code, report) = Promote(repo, "dev", "staging");
        Assert.That(code, Is.EqualTo(1));
        Assert.That(report, Does.Contain("**Verdict: BLOCKED: 1 unexpected difference(s).**"));
        Assert.That(report, Does.Match(@"\| `aws_lambda_function\.stream-processor_\w+` \| `environment\.variables\.SCORING_RULES` \|"));
        Assert.That(report, Does.Contain("| `declineThreshold` | `0.8` (set) | `0.85` (set) |"), "the section shows the edited rule too");
    }

    [Test]
    public void AnEditTheTokenSubstitutionWouldExplainIsStillUnexpected()
    {
        // dev 0.4 -> staging 0.5 is a config value pair (reviewThreshold), but amountWeight is no environment's setting:
        // whole-token substitution would call 0.4 -> 0.5 explained; the exact comparison with the config does not.
        var repo = RealStacks.TempRepo();
        EditRules(repo, "dev", r =>
        {
            r["amountWeight"] = 0.4;
            return r;
        });
        EditRules(repo, "staging", r =>
        {
            r["amountWeight"] = 0.5;
            return r;
        });

        var c = Commands.CompareEnvironments(repo, Path.Combine(repo, "cdktf.out"), "dev", "staging");
        Assert.That(c.Unexpected.Select(d => d.Path), Is.EqualTo(new[] { ScoringRulesComparer.Path }));
        Assert.That(c.ScoringRules.Single().Changes.Select(x => (x.Field, x.From, x.To)),
            Is.EqualTo(new[] { ("reviewThreshold", "0.4", "0.5"), ("amountWeight", "0.4", "0.5") }));
    }

    [Test]
    public void ExactlyTheConfiguredValuesAreExpected()
    {
        Assert.That(Compare(Stack("dev", DevRules), Stack("staging", StagingRules)).Passed, Is.True);
        Assert.That(Compare(Stack("dev", DevRules), Stack("staging", """{"reviewThreshold":0.50}""")).Passed, Is.False,
            "the same rules in another text are not what the config produces");
        Assert.That(Compare(Stack("dev", DevRules), Stack("staging", null)).Passed, Is.False, "an unset variable is not what the config produces");
        var noConfig = StackComparer.Compare("dev", "staging", Stack("dev", DevRules), Stack("staging", StagingRules), Subs, Zip);
        Assert.That(noConfig.Unexpected.Single().Path, Is.EqualTo(ScoringRulesComparer.Path), "without configs nothing explains a SCORING_RULES difference");
    }

    [Test]
    public void ARuleOverrideExplainsNothingOutsideScoringRules()
    {
        var c = Compare(Stack("dev", DevRules), Stack("staging", StagingRules, alarmThreshold: 0.5));
        var d = c.Unexpected.Single();
        Assert.That((d.Address, d.Path, d.From, d.To), Is.EqualTo(("aws_cloudwatch_metric_alarm.a", "threshold", "0.45", "0.5")));
        Assert.That(c.Substitutions, Does.Contain(Subs[1]), "the report's table of per-environment values still lists it");
    }

    [Test]
    public void AChangedListIsShownAsJson()
    {
        const string velocity = """{"velocity":[{"windowSeconds":60,"transactions":4,"weight":0.6}]}""";
        var c = Compare(Stack("dev", "{}"), Stack("staging", velocity), new ConfiguredScoringRules("{}", velocity));
        Assert.That(c.Passed, Is.True);
        var change = c.ScoringRules.Single().Changes.Single();
        Assert.That(change, Is.EqualTo(new RuleChange("velocity",
            """[{"windowSeconds":15,"transactions":2,"weight":0.5},{"windowSeconds":60,"transactions":3,"weight":0.5},{"windowSeconds":600,"transactions":5,"weight":0.3}]""",
            """[{"windowSeconds":60,"transactions":4,"weight":0.6}]""", FromSets: false, ToSets: true)));
        Assert.That(PromotionReport.Render(c, []), Does.Contain(
            """| `velocity` | `[{"windowSeconds":15,"transactions":2,"weight":0.5},{"windowSeconds":60,"transactions":3,"weight":0.5},{"windowSeconds":600,"transactions":5,"weight":0.3}]` (default) | `[{"windowSeconds":60,"transactions":4,"weight":0.6}]` (set) |"""));
    }

    [Test]
    public void AMapIsComparedWhole()
    {
        var changes = ScoringRulesComparer.Compare(StreamProcessor, """{"merchantCategoryRisk":{"7995":0.35}}""", """{"merchantCategoryRisk":{"7995":0.4}}""").Changes;
        Assert.That(changes.Select(x => (x.Field, x.From, x.To)), Is.EqualTo(new[] { ("merchantCategoryRisk", """{"7995":0.35}""", """{"7995":0.4}""") }));
    }

    [Test]
    public void SettingTheDefaultIsTheSameRules()
    {
        var rules = ScoringRulesComparer.Compare(StreamProcessor, "{}", """{"reviewThreshold":0.5}""");
        Assert.That(rules.Same, Is.True);
        Assert.That(rules.From.Sets, Is.Empty);
        Assert.That(rules.To.Sets, Is.EqualTo(new[] { "reviewThreshold" }));
        Assert.That(rules.From.EffectiveVersion, Is.EqualTo(new ScoringRules().EffectiveVersion));
    }

    [Test]
    public void RulesTheFunctionCannotReadAreShownAsSuch()
    {
        var c = Compare(Stack("dev", DevRules), Stack("staging", """{"reviewThreshhold":0.5}"""));
        var rules = c.ScoringRules.Single();
        Assert.That(rules.To.Rules, Is.Null);
        Assert.That(rules.To.Error, Does.Contain("reviewThreshhold"));
        Assert.That(rules.Same, Is.False);
        Assert.That(c.Passed, Is.False);
        Assert.That(PromotionReport.Render(c, []), Does.Contain("| rulesVersion | `").And.Contain("| **cannot be read**: "));
        Assert.That(PromotionReport.ScoringSummary(c), Is.EqualTo("scoring rules: cannot be read in staging (see the report)"));
    }
}
