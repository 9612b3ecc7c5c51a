using System.Globalization;
using FraudTf.Functions.Shared.Scoring;

namespace FraudTf.Functions.Tests.Scoring;

/// <summary>The scorer's shortcuts for explanation texts give exactly what the formatting they replace gives.</summary>
[TestFixture]
public class FraudScorerFormattingTests
{
    [Test]
    public void OneDecimal_IsWhatTheCustomFormatGives()
    {
        var random = new Random(18);
        var values = new List<double>
        {
            0, -0.0, 1, 2, 10, 48, 49, 100, 1e14, 1e15 - 1, 1e15, 1e15 + 1, 1e16, 123456789012345, 1234567890123456, 0.05, 0.25, 0.35, 0.45, 1.05,
            2.5, 47.95, 48.05, -1, -0.5, -48, double.Epsilon, double.MaxValue, double.MinValue, double.NaN, double.PositiveInfinity, double.NegativeInfinity,
            Math.BitDecrement(1.0), Math.BitIncrement(1.0), Math.BitDecrement(48.0), Math.BitIncrement(0.0), long.MaxValue, (double)long.MaxValue + 1e5,
        };
        for (var i = 0; i < 100_000; i++)
        {
            values.Add(i);
            values.Add(i / 10.0);
            values.Add(random.NextDouble() * 100);
            values.Add(Math.Round(random.NextDouble() * 1e6, random.Next(0, 4)));
            values.Add(BitConverter.Int64BitsToDouble(random.NextInt64()));
        }

        var differences = values.Where(x => FraudScorer.OneDecimal(x) != x.ToString("0.#", CultureInfo.InvariantCulture))
            .Select(x => $"{x:R}: {FraudScorer.OneDecimal(x)} vs {x.ToString("0.#", CultureInfo.InvariantCulture)}").Take(10).ToList();

        Assert.That(differences, Is.Empty);
    }
}
