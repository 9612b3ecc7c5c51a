using System.Xml.Linq;
using FraudTf.Local.Report.Charts;

namespace FraudTf.Local.Tests.Backtest;

/// <summary>Svg.Xy, the generic XY chart the backtest's precision-recall chart uses (additive to Svg.Lines).</summary>
[TestFixture]
public sealed class SvgXyTests
{
    private static readonly XNamespace SvgNs = "http://www.w3.org/2000/svg";

    [Test]
    public void Xy_LabelsItsAxes_DrawsLinesAndADotForASinglePoint()
    {
        var svg = Svg.Xy("Precision & recall", "recall", "precision", [
            new LineSeries("sweep", [(0.8, 0.2), (0.6, 0.7), (0.04, 1)]),
            new LineSeries("environment <0.5>", [(0.04, 1)]),
        ]);
        var doc = XDocument.Parse(svg);
        var texts = doc.Descendants(SvgNs + "text").Select(t => t.Value).ToList();

        Assert.Multiple(() =>
        {
            Assert.That(doc.Root!.Attribute("version")?.Value, Is.EqualTo("1.1"));
            Assert.That(texts, Is.SupersetOf(new[] { "Precision & recall", "recall", "precision", "sweep", "environment <0.5>" }));
            Assert.That(texts, Does.Not.Contain("seconds since start"));
            Assert.That(doc.Descendants(SvgNs + "polyline").Count(), Is.EqualTo(1));
            Assert.That(doc.Descendants(SvgNs + "circle").Count(), Is.EqualTo(1));
            Assert.That(Svg.Xy("Precision & recall", "recall", "precision", [new LineSeries("sweep", [(0.8, 0.2), (0.6, 0.7), (0.04, 1)]), new LineSeries("environment <0.5>", [(0.04, 1)])]),
                Is.EqualTo(svg), "deterministic");
            Assert.That(XDocument.Parse(Svg.Lines("t", "y", [new LineSeries("s", [(0, 1), (10, 2)])])).Descendants(SvgNs + "text").Select(t => t.Value),
                Does.Contain("seconds since start"), "Lines keeps its time axis");
        });
    }
}
