namespace FraudTf.Local.Report.Charts;

/// <summary>One series of a bar chart: a name (the legend) and one value per label.</summary>
/// <param name="Name">Legend text.</param>
/// <param name="Values">One value per label, in the labels' order.</param>
public sealed record BarSeries(string Name, IReadOnlyList<double> Values);

/// <summary>One series of a line chart: a name (the legend) and points (x = seconds since the run's start, y = value).</summary>
/// <param name="Name">Legend text.</param>
/// <param name="Points">Points, in any order (drawn sorted by x).</param>
public sealed record LineSeries(string Name, IReadOnlyList<(double Seconds, double Value)> Points);

/// <summary>
/// A tiny deterministic SVG writer for the report's charts: a horizontal bar chart (one or two series) and a time-series
/// line chart. Output is SVG 1.1 (<c>xmlns="http://www.w3.org/2000/svg"</c>, <c>version="1.1"</c>, a <c>viewBox</c>), text
/// labels as <c>&lt;text&gt;</c>, every text XML-escaped, numbers in the invariant culture: the same input gives the same
/// bytes. No package, no script, no external reference.
/// </summary>
public static class Svg
{
    private static readonly string[] Palette = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f"];
    private const string Font = "font-family=\"sans-serif\"";

    /// <summary>
    /// A horizontal bar chart: one row per label, a bar per series (a second series is drawn under the first, for e.g.
    /// "expected" vs "observed"), the value written at the bar's end with <paramref name="valueFormat"/> (invariant). The
    /// axis runs to the largest value, or to <paramref name="scaleMax"/> when given (e.g. 100 for percentages).
    /// </summary>
    public static string HorizontalBars(string title, IReadOnlyList<string> labels, BarSeries first, BarSeries? second = null, string valueFormat = "0.##", int width = 720, double? scaleMax = null)
    {
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(first);
        var series = second is null ? new[] { first } : new[] { first, second };
        foreach (var s in series)
        {
            if (s.Values.Count != labels.Count)
            {
                throw new ArgumentException($"bar series '{s.Name}' has {s.Values.Count} values for {labels.Count} labels. Fix: give one value per label.");
            }

            if (s.Values.Any(v => !double.IsFinite(v)))
            {
                throw new ArgumentException($"bar series '{s.Name}' has a value that is not a finite number. Fix: replace NaN/infinity before charting.");
            }
        }

        const int top = 40, barHeight = 16, gap = 10, valueRoom = 70;
        var labelRoom = Math.Clamp(labels.Count == 0 ? 60 : labels.Max(l => l.Length) * 7 + 12, 60, width / 2);
        var rowHeight = series.Length * barHeight + gap;
        var legendHeight = second is null ? 0 : 22;
        var height = top + Math.Max(1, labels.Count) * rowHeight + legendHeight + 10;
        var plotWidth = width - labelRoom - valueRoom - 10;
        var max = Math.Max(scaleMax ?? double.MinValue, series.SelectMany(s => s.Values).DefaultIfEmpty(0).Max());
        var min = Math.Min(0, series.SelectMany(s => s.Values).DefaultIfEmpty(0).Min());
        var span = max - min == 0 ? 1 : max - min;
        double X(double v) => labelRoom + (v - min) / span * plotWidth;

        var svg = Begin(width, height, title);
        svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{N(X(0))}\" y1=\"{top - 4}\" x2=\"{N(X(0))}\" y2=\"{top + labels.Count * rowHeight}\" stroke=\"#444\" stroke-width=\"1\"/>\n");
        for (var i = 0; i < labels.Count; i++)
        {
            var y = top + i * rowHeight;
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{labelRoom - 6}\" y=\"{N(y + series.Length * barHeight / 2.0 + 4)}\" text-anchor=\"end\" font-size=\"12\" {Font}>{Escape(labels[i])}</text>\n");
            for (var s = 0; s < series.Length; s++)
            {
                var v = series[s].Values[i];
                var x0 = Math.Min(X(0), X(v));
                var w = Math.Abs(X(v) - X(0));
                var by = y + s * barHeight;
                svg.Append(CultureInfo.InvariantCulture, $"<rect x=\"{N(x0)}\" y=\"{by}\" width=\"{N(w)}\" height=\"{barHeight - 2}\" fill=\"{Palette[s]}\"><title>{Escape($"{labels[i]}: {series[s].Name} {Format(v, valueFormat)}")}</title></rect>\n");
                svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{N(Math.Max(X(0), X(v)) + 4)}\" y=\"{by + barHeight - 5}\" font-size=\"11\" {Font}>{Escape(Format(v, valueFormat))}</text>\n");
            }
        }

        if (second is not null)
        {
            Legend(svg, series.Select(s => s.Name).ToList(), labelRoom, height - legendHeight);
        }

        return End(svg);
    }

    /// <summary>
    /// A line chart of several series over time: x = seconds since the run's start (axis from 0 to the last point),
    /// y from 0 (or the lowest value when negative) to a rounded maximum with 5 ticks, labelled <paramref name="yLabel"/>.
    /// </summary>
    public static string Lines(string title, string yLabel, IReadOnlyList<LineSeries> series, int width = 720, int height = 320) =>
        LineChart(title, "seconds since start", yLabel, series, width, height);

    /// <summary>
    /// A generic XY line chart (e.g. precision against recall): as <see cref="Lines"/>, but the x axis is labelled
    /// <paramref name="xLabel"/> and each point's <see cref="LineSeries.Points"/> <c>Seconds</c> is its x value. A series
    /// of one point is drawn as a dot (a marker, e.g. an operating point).
    /// </summary>
    public static string Xy(string title, string xLabel, string yLabel, IReadOnlyList<LineSeries> series, int width = 720, int height = 320) =>
        LineChart(title, xLabel, yLabel, series, width, height);

    private static string LineChart(string title, string xLabel, string yLabel, IReadOnlyList<LineSeries> series, int width, int height)
    {
        ArgumentNullException.ThrowIfNull(series);
        if (series.SelectMany(s => s.Points).Any(p => !double.IsFinite(p.Seconds) || !double.IsFinite(p.Value)))
        {
            throw new ArgumentException("a line series has a point that is not a finite number. Fix: drop NaN/infinity points before charting.");
        }

        const int left = 64, right = 16, top = 40, bottom = 76;
        var plotW = width - left - right;
        var plotH = height - top - bottom;
        var points = series.SelectMany(s => s.Points).ToList();
        var xMax = NiceCeiling(points.Select(p => p.Seconds).DefaultIfEmpty(1).Max());
        var (yMin, yMax, yStep) = Ticks(Math.Min(0, points.Select(p => p.Value).DefaultIfEmpty(0).Min()), points.Select(p => p.Value).DefaultIfEmpty(1).Max());
        double X(double s) => left + s / xMax * plotW;
        double Y(double v) => top + plotH - (v - yMin) / (yMax - yMin) * plotH;

        var svg = Begin(width, height, title);
        svg.Append(CultureInfo.InvariantCulture, $"<rect x=\"{left}\" y=\"{top}\" width=\"{plotW}\" height=\"{plotH}\" fill=\"none\" stroke=\"#444\" stroke-width=\"1\"/>\n");
        for (var v = yMin; v <= yMax + yStep / 2; v += yStep)
        {
            var y = N(Y(v));
            svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{left}\" y1=\"{y}\" x2=\"{left + plotW}\" y2=\"{y}\" stroke=\"#ddd\" stroke-width=\"1\"/>\n");
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{left - 6}\" y=\"{N(Y(v) + 4)}\" text-anchor=\"end\" font-size=\"11\" {Font}>{Escape(Format(v, "0.##"))}</text>\n");
        }

        var xStep = NiceStep(xMax / 6);
        for (var s = 0.0; s <= xMax + xStep / 2; s += xStep)
        {
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{N(X(s))}\" y=\"{top + plotH + 16}\" text-anchor=\"middle\" font-size=\"11\" {Font}>{Escape(Format(s, "0.##"))}</text>\n");
        }

        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{N(left + plotW / 2.0)}\" y=\"{top + plotH + 32}\" text-anchor=\"middle\" font-size=\"12\" {Font}>{Escape(xLabel)}</text>\n");
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"14\" y=\"{N(top + plotH / 2.0)}\" text-anchor=\"middle\" font-size=\"12\" {Font} transform=\"rotate(-90 14 {N(top + plotH / 2.0)})\">{Escape(yLabel)}</text>\n");
        for (var i = 0; i < series.Count; i++)
        {
            var color = Palette[i % Palette.Length];
            var sorted = series[i].Points.OrderBy(p => p.Seconds).ToList();
            if (sorted.Count == 1)
            {
                svg.Append(CultureInfo.InvariantCulture, $"<circle cx=\"{N(X(sorted[0].Seconds))}\" cy=\"{N(Y(sorted[0].Value))}\" r=\"3\" fill=\"{color}\"/>\n");
            }
            else if (sorted.Count > 1)
            {
                var path = string.Join(" ", sorted.Select(p => $"{N(X(p.Seconds))},{N(Y(p.Value))}"));
                svg.Append(CultureInfo.InvariantCulture, $"<polyline points=\"{path}\" fill=\"none\" stroke=\"{color}\" stroke-width=\"2\"><title>{Escape(series[i].Name)}</title></polyline>\n");
            }
        }

        Legend(svg, series.Select(s => s.Name).ToList(), left, height - 10);
        return End(svg);
    }

    /// <summary>Escapes text for XML content and attribute values (&amp; &lt; &gt; " '), and drops characters XML 1.0 cannot hold.</summary>
    // Alike on purpose: an escaper per output format (XML here, JSON in modules/Platform/SynthCache); the characters differ.
    public static string Escape(string text)
    {
        var sb = new StringBuilder(text.Length);
        foreach (var c in text)
        {
            switch (c)
            {
                case '&': sb.Append("&amp;"); break;
                case '<': sb.Append("&lt;"); break;
                case '>': sb.Append("&gt;"); break;
                case '"': sb.Append("&quot;"); break;
                case '\'': sb.Append("&apos;"); break;
                case '\t' or '\n' or '\r': sb.Append(' '); break;
                default:
                    if (c >= 0x20 && c is not ('\uFFFE' or '\uFFFF'))
                    {
                        sb.Append(c);
                    }

                    break;
            }
        }

        return sb.ToString();
    }

    private static StringBuilder Begin(int width, int height, string title)
    {
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\">\n");
        sb.Append(CultureInfo.InvariantCulture, $"<title>{Escape(title)}</title>\n");
        sb.Append(CultureInfo.InvariantCulture, $"<rect x=\"0\" y=\"0\" width=\"{width}\" height=\"{height}\" fill=\"#fff\"/>\n");
        sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{width / 2}\" y=\"22\" text-anchor=\"middle\" font-size=\"15\" font-weight=\"bold\" {Font}>{Escape(title)}</text>\n");
        return sb;
    }

    private static string End(StringBuilder sb) => sb.Append("</svg>\n").ToString();

    private static void Legend(StringBuilder svg, IReadOnlyList<string> names, int x, int y)
    {
        var cursor = x;
        for (var i = 0; i < names.Count; i++)
        {
            svg.Append(CultureInfo.InvariantCulture, $"<rect x=\"{cursor}\" y=\"{y - 10}\" width=\"12\" height=\"12\" fill=\"{Palette[i % Palette.Length]}\"/>\n");
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{cursor + 16}\" y=\"{y}\" font-size=\"12\" {Font}>{Escape(names[i])}</text>\n");
            cursor += 28 + names[i].Length * 7;
        }
    }

    private static string N(double v) => Math.Round(v, 2).ToString("0.##", CultureInfo.InvariantCulture);

    private static string Format(double v, string format) => v.ToString(format, CultureInfo.InvariantCulture);

    private static (double Min, double Max, double Step) Ticks(double min, double max)
    {
        if (max <= min)
        {
            max = min + 1;
        }

        var step = NiceStep((max - min) / 5);
        return (Math.Floor(min / step) * step, Math.Ceiling(max / step) * step, step);
    }

    private static double NiceCeiling(double v)
    {
        if (v <= 0)
        {
            return 1;
        }

        var step = NiceStep(v / 6);
        return Math.Ceiling(v / step) * step;
    }

    private static double NiceStep(double raw)
    {
        if (raw <= 0 || !double.IsFinite(raw))
        {
            return 1;
        }

        var magnitude = Math.Pow(10, Math.Floor(Math.Log10(raw)));
        var f = raw / magnitude;
        return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * magnitude;
    }
}
