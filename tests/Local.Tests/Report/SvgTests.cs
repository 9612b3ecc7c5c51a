using System.Xml.Linq;
using FraudTf.Local.Report.Charts;

namespace FraudTf.Local.Tests.Report;

/// <summary>The report's SVG charts: well-formed SVG 1.1, escaped text, deterministic bytes.</summary>
[TestFixture]
public sealed class SvgTests
{
    private static readonly XNamespace SvgNs = "http://www.w3.org/2000/svg";

    private static string Bars() => Svg.HorizontalBars("Recall & false-positive rate <per scenario>", ["card \"testing\"", "geo<jump>", "O'Brien & co"],
        new BarSeries("recall", [0.95, 0.5, 1]), new BarSeries("false-positive rate", [0.01, 0.2, 0]));

    private static string Lines() => Svg.Lines("Records/s & p95 latency", "records/s", [
        new LineSeries("records/s", [(0, 0), (10, 120.5), (20, 180), (30, 175)]),
        new LineSeries("p95 <ms>", [(5, 40), (15, 55), (25, 300)]),
    ]);

    [Test]
    public void BarChart_IsWellFormedSvg11WithItsLabels()
    {
        var doc = XDocument.Parse(Bars());

        Assert.Multiple(() =>
        {
            Assert.That(doc.Root!.Name, Is.EqualTo(SvgNs + "svg"));
            Assert.That(doc.Root.Attribute("version")?.Value, Is.EqualTo("1.1"));
            Assert.That(doc.Root.Attribute("viewBox"), Is.Not.Null);
            var texts = doc.Descendants(SvgNs + "text").Select(t => t.Value).ToList();
            Assert.That(texts, Does.Contain("Recall & false-positive rate <per scenario>"), "the title, escaped in the file, intact once parsed");
            Assert.That(texts, Is.SupersetOf(new[] { "card \"testing\"", "geo<jump>", "O'Brien & co", "recall", "false-positive rate" }));
            Assert.That(doc.Descendants(SvgNs + "rect").Count(r => r.Element(SvgNs + "title") is not null), Is.EqualTo(6), "a bar per label and series");
        });
    }

    [Test]
    public void LineChart_IsWellFormedSvg11WithAxesAndSeries()
    {
        var doc = XDocument.Parse(Lines());
        var texts = doc.Descendants(SvgNs + "text").Select(t => t.Value).ToList();

        Assert.Multiple(() =>
        {
            Assert.That(doc.Root!.Name, Is.EqualTo(SvgNs + "svg"));
            Assert.That(doc.Descendants(SvgNs + "polyline").Count(), Is.EqualTo(2));
            Assert.That(texts, Is.SupersetOf(new[] { "seconds since start", "records/s", "p95 <ms>", "0", "300" }), "axis title, legend, y ticks from 0 to a round maximum");
        });
    }

    [Test]
    public void AFixedScaleDrawsPercentagesAgainst100NotAgainstTheLargestValue()
    {
        double Width(string svg) => XDocument.Parse(svg).Descendants(SvgNs + "rect").Where(r => r.Element(SvgNs + "title") is not null)
            .Select(r => double.Parse(r.Attribute("width")!.Value, System.Globalization.CultureInfo.InvariantCulture)).Single();
        var relative = Width(Svg.HorizontalBars("t", ["a"], new BarSeries("s", [25])));
        var fixedScale = Width(Svg.HorizontalBars("t", ["a"], new BarSeries("s", [25]), scaleMax: 100));
        Assert.That(fixedScale, Is.EqualTo(relative / 4).Within(0.5), "25 of 100 is a quarter of the axis; alone, 25 is the whole axis");
    }

    [Test]
    public void Output_IsDeterministic()
    {
        var first = (Bars(), Lines());
        var second = (Bars(), Lines());
        Assert.That(second, Is.EqualTo(first), "the same input gives the same bytes");
    }

    [Test]
    public void Escape_HandlesMarkupQuotesAndControlCharacters() =>
        Assert.That(Svg.Escape("a<b>&\"c\"'d'\u0001\te"), Is.EqualTo("a&lt;b&gt;&amp;&quot;c&quot;&apos;d&apos; e"));

    [Test]
    public void EmptyCharts_AreStillWellFormed() => Assert.Multiple(() =>
    {
        Assert.That(() => XDocument.Parse(Svg.HorizontalBars("none", [], new BarSeries("x", []))), Throws.Nothing);
        Assert.That(() => XDocument.Parse(Svg.Lines("none", "y", [])), Throws.Nothing);
    });

    [Test]
    public void MismatchedOrNonFiniteValues_Throw() => Assert.Multiple(() =>
    {
        Assert.That(() => Svg.HorizontalBars("t", ["a"], new BarSeries("x", [1, 2])), Throws.ArgumentException);
        Assert.That(() => Svg.HorizontalBars("t", ["a"], new BarSeries("x", [double.NaN])), Throws.ArgumentException);
        Assert.That(() => Svg.Lines("t", "y", [new LineSeries("s", [(0, double.PositiveInfinity)])]), Throws.ArgumentException);
    });
}
