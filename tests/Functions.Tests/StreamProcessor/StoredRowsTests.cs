using Amazon.DynamoDBv2.Model;
using FraudTf.Functions.StreamProcessor;
using FraudTf.Functions.Storage;

namespace FraudTf.Functions.Tests.StreamProcessor;

/// <summary>Stored rows that are corrupt are read as data: a profile without usable amount statistics has none, a pattern without a weight is skipped.</summary>
[TestFixture]
public class StoredRowsTests
{
    private static Dictionary<string, AttributeValue> SoundProfile() => new()
    {
        ["userId"] = new() { S = "u-1" },
        ["txCount"] = new() { N = "4" },
        ["amountCount"] = new() { N = "4" },
        ["logAmountMean"] = new() { N = "3.9" },
        ["logAmountM2"] = new() { N = "0.5" },
        ["maxAmount"] = new() { N = "80" },
        ["countries"] = new() { SS = ["DE", "FR"] },
        ["merchantCategories"] = new() { SS = ["5411"] },
        ["devices"] = new() { SS = ["d-1"] },
        ["channels"] = new() { SS = ["pos", "web"] },
        ["lastCountry"] = new() { S = "DE" },
        ["lastTransactionAt"] = new() { S = "2026-11-25T12:00:00.0000000Z" },
        ["profileVersion"] = new() { N = "7" },
    };

    [Test]
    public void SoundProfile_IsReadAsStored()
    {
        var state = ProfileRows.Read(SoundProfile());

        Assert.That(state.Problems, Is.Empty);
        Assert.That(state.Profile.Count, Is.EqualTo(4));
        Assert.That(state.Profile.AmountCount, Is.EqualTo(4));
        Assert.That(state.Profile.LogMean, Is.EqualTo(3.9));
        Assert.That(state.Profile.MaxAmount, Is.EqualTo(80));
        Assert.That(state.Profile.Countries, Is.EquivalentTo(new[] { "DE", "FR" }));
        Assert.That(state.Profile.Devices, Is.EquivalentTo(new[] { "d-1" }));
        Assert.That(state.Profile.Channels, Is.EquivalentTo(new[] { "pos", "web" }));
        Assert.That(state.Profile.LastCountry, Is.EqualTo("DE"));
        Assert.That(state.Profile.LastAt, Is.EqualTo(new DateTimeOffset(2026, 11, 25, 12, 0, 0, TimeSpan.Zero)));
        Assert.That(state.Version, Is.EqualTo(7));
        Assert.That(state.StoredVersion!.N, Is.EqualTo("7"));
    }

    [TestCase("amountCount", null, "amountCount: missing")]
    [TestCase("amountCount", "S", "amountCount: not a number (S)")]
    [TestCase("amountCount", "-3", "amountCount: out of range")]
    [TestCase("amountCount", "1e40", "amountCount: not a whole number in range")]
    [TestCase("amountCount", "5", "amountCount: above txCount")]
    [TestCase("logAmountMean", null, "logAmountMean: missing")]
    [TestCase("logAmountMean", "99", "logAmountMean: out of range [-60, 60]")]
    [TestCase("logAmountM2", "S", "logAmountM2: not a number (S)")]
    [TestCase("maxAmount", "-1", "maxAmount: out of range [0, 1.7976931348623157E+308]")]
    public void ProfileWithUnusableAmountStatistics_HasNone_KeepingTheRestAndItsVersion(string attribute, string? value, string problem)
    {
        var item = SoundProfile();
        if (value is null)
        {
            item.Remove(attribute);
        }
        else
        {
            item[attribute] = value == "S" ? new AttributeValue { S = "12" } : new AttributeValue { N = value };
        }

        var state = ProfileRows.Read(item);

        Assert.That(state.Problems, Is.EqualTo(new[] { problem }));
        Assert.That(state.Profile.AmountCount, Is.Zero, "no amount statistics: the next learning rewrites them");
        Assert.That(state.Profile.LogMean, Is.Zero);
        Assert.That(state.Profile.MaxAmount, Is.Zero);
        Assert.That(state.Profile.Count, Is.EqualTo(4), "the count stands on its own");
        Assert.That(state.Profile.Countries, Is.EquivalentTo(new[] { "DE", "FR" }), "readable sets are kept");
        Assert.That(state.StoredVersion!.N, Is.EqualTo("7"), "the update stays conditioned on the stored version");
        Assert.That(state.Version, Is.EqualTo(7));
    }

    [Test]
    public void ProfileWithoutAnyStatistics_IsEmpty_WithoutAProblem()
    {
        // A row only a non-approved save (version bump) or the alert handler wrote, or one written before scoring v2.
        var item = new Dictionary<string, AttributeValue>
        {
            ["userId"] = new() { S = "u-1" },
            ["profileVersion"] = new() { N = "2" },
            ["amountMean"] = new() { N = "50.5" },
            ["flagged"] = new() { BOOL = true },
        };

        var state = ProfileRows.Read(item);

        Assert.That(state.Problems, Is.Empty);
        Assert.That(state.Profile.Count, Is.Zero);
        Assert.That(state.Profile.AmountCount, Is.Zero);
        Assert.That(state.Version, Is.EqualTo(2));
    }

    [TestCase("txCount", "S", "txCount: not a number (S)")]
    [TestCase("lastTransactionAt", "S", "lastTransactionAt: not a timestamp")]
    public void ProfileWithAnUnusableCountOrTime_IsReported(string attribute, string value, string problem)
    {
        var item = SoundProfile();
        item[attribute] = new AttributeValue { S = "garbage" };

        var state = ProfileRows.Read(item);

        Assert.That(state.Problems, Does.Contain(problem));
    }

    [Test]
    public void ProfileWithAVersionThatIsNotOne_IsConditionedOnTheStoredValueAsIs()
    {
        var item = SoundProfile();
        item["profileVersion"] = new AttributeValue { S = "seven" };
        item["countries"] = new AttributeValue { S = "DE" };

        var state = ProfileRows.Read(item);

        Assert.That(state.Problems, Is.EquivalentTo(new[] { "countries: not a string set (S)", "profileVersion: not a number (S)" }));
        Assert.That(state.Version, Is.Zero, "the next version written is 1");
        Assert.That(state.StoredVersion!.S, Is.EqualTo("seven"), "condition: profileVersion = the stored string");
        Assert.That(state.Profile.AmountCount, Is.EqualTo(4), "the statistics are sound");
        Assert.That(state.Profile.Countries, Is.Empty, "rewritten as a set by the next update");
    }

    [Test]
    public void ProfileWithoutVersion_RequiresItStillAbsent()
    {
        var item = SoundProfile();
        item.Remove("profileVersion");

        var state = ProfileRows.Read(item);

        Assert.That(state.StoredVersion, Is.Null);
        Assert.That(state.Version, Is.Zero);
        Assert.That(state.Problems, Is.Empty, "absent is not corrupt (attribute_not_exists condition)");
    }

    private static Dictionary<string, AttributeValue> SoundPattern() => new()
    {
        ["patternId"] = new() { S = "p-1" },
        ["version"] = new() { N = "2" },
        ["activeStatus"] = new() { S = "ACTIVE" },
        ["weight"] = new() { N = "0.4" },
        ["merchantCategories"] = new() { SS = ["6051"] },
        ["minAmount"] = new() { N = "900" },
    };

    [Test]
    public void SoundPattern_IsRead()
    {
        var (p, row) = TransactionStore.ToPattern(SoundPattern());

        Assert.That(row.Problems, Is.Empty);
        Assert.That(p!.Weight, Is.EqualTo(0.4));
        Assert.That(p.MerchantCategories, Is.EqualTo(new[] { "6051" }));
        Assert.That(p.Countries, Is.Empty, "absent condition: any");
        Assert.That(p.MinAmount, Is.EqualTo(900m));
        Assert.That(p.Description, Is.Empty);
    }

    [TestCase("weight", null, "weight: missing")]
    [TestCase("weight", "S", "weight: not a number (S)")]
    [TestCase("weight", "1.5", "weight: out of range [0, 1]")]
    [TestCase("weight", "NaN", "weight: not a finite number")]
    [TestCase("version", null, "version: missing")]
    [TestCase("minAmount", "S", "minAmount: not a number (S)")]
    [TestCase("merchantCategories", "S", "merchantCategories: not a string set (S)")]
    public void PatternWithAnUnusableAttribute_IsSkipped(string attribute, string? value, string problem)
    {
        var item = SoundPattern();
        if (value is null)
        {
            item.Remove(attribute);
        }
        else
        {
            item[attribute] = value == "S" ? new AttributeValue { S = "0.4" } : new AttributeValue { N = value };
        }

        var (p, row) = TransactionStore.ToPattern(item);

        Assert.That(p, Is.Null);
        Assert.That(row.Problems, Is.EqualTo(new[] { problem }));
    }

    [Test]
    public void RequestToken_IsDeterministic_Within36Characters_AndChangesWithEveryInputOfTheRequest()
    {
        var now = new DateTimeOffset(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);
        var v7 = ProfileRows.Read(SoundProfile());
        var v8 = v7 with { Version = 8, StoredVersion = new AttributeValue { N = "8" } };
        string Token(string table = "t", string seq = "1", string tx = "tx-1", ProfileState? s = null, DateTimeOffset? at = null) =>
            TransactionStore.RequestToken(table, "arn:aws:kinesis:us-east-1:111111111111:stream/s", seq, tx, s ?? v7, at ?? now);

        var token = Token();

        Assert.That(token, Has.Length.InRange(1, 36));
        Assert.That(token, Does.Match("^[0-9a-f]+$"));
        Assert.That(Token(), Is.EqualTo(token), "same inputs, same token (an SDK retry)");
        Assert.That(new[] { Token(table: "t2"), Token(seq: "2"), Token(tx: "tx-2"), Token(s: v8), Token(s: ProfileState.New), Token(at: now.AddSeconds(1)) },
            Has.None.EqualTo(token).And.Unique);
    }
}
