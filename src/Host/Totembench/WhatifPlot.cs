using ScottPlot;
using Totem.Protocol.Whatif;

namespace Totem.Host.Totembench;

/// <summary>
/// The token search as a picture: the failover a token costs (seconds, left axis) and the spurious membership changes
/// a day it is predicted to cause (right axis, logarithmic: the interesting values span many decades) against the
/// effective token, with the one-a-year line and the recommended token marked. PNG or SVG by the file's extension.
/// </summary>
internal static class WhatifPlot
{
    /// <summary>Predicted rates of zero are drawn at this floor so that the logarithmic axis can show them.</summary>
    private const double FloorPerDay = 1e-9;

    public static bool IsSupported(string path) => Path.GetExtension(path).ToLowerInvariant() is ".png" or ".svg";

    public static void Write(string path, IReadOnlyList<TokenTrial> trials, TokenTrial? recommended, string title)
    {
        ArgumentNullException.ThrowIfNull(trials);
        var ordered = trials.OrderBy(t => t.TokenMs).ToArray();
        var xs = ordered.Select(t => t.TokenMs / 1000.0).ToArray();
        var plot = new Plot();
        plot.Title(title);

        var failover = plot.Add.Scatter(xs, ordered.Select(t => t.FailoverMs / 1000.0).ToArray());
        failover.LegendText = "failover: fault to new membership (s)";
        var spurious = plot.Add.Scatter(xs, ordered.Select(t => Math.Log10(Math.Max(FloorPerDay, t.SpuriousPerYear / 365.25))).ToArray());
        spurious.LegendText = "predicted spurious membership changes per day";
        spurious.Axes.YAxis = plot.Axes.Right;
        var oneAYear = plot.Add.HorizontalLine(Math.Log10(1 / 365.25));
        oneAYear.LegendText = "one a year";
        oneAYear.Axes.YAxis = plot.Axes.Right;
        oneAYear.LinePattern = LinePattern.Dashed;
        if (recommended is not null)
        {
            var mark = plot.Add.VerticalLine(recommended.TokenMs / 1000.0);
            mark.LegendText = $"recommended: {recommended.TokenMs} ms";
            mark.LinePattern = LinePattern.Dotted;
        }

        plot.Axes.Bottom.Label.Text = "effective token (s)";
        plot.Axes.Left.Label.Text = "failover (s)";
        plot.Axes.Right.Label.Text = "spurious changes per day";
        var logTicks = new ScottPlot.TickGenerators.NumericAutomatic
        {
            MinorTickGenerator = new ScottPlot.TickGenerators.LogMinorTickGenerator(),
            IntegerTicksOnly = true,
            LabelFormatter = y => y >= Math.Log10(FloorPerDay) + 0.5 ? $"1e{y:0}" : "<1e-9",
        };
        plot.Axes.Right.TickGenerator = logTicks;
        plot.ShowLegend(Alignment.UpperCenter);

        if (Path.GetExtension(path).Equals(".svg", StringComparison.OrdinalIgnoreCase)) plot.SaveSvg(path, 900, 520);
        else plot.SavePng(path, 900, 520);
    }
}
