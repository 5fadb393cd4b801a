using System.Text;
using Sidecar.Api;

namespace Sidecar.Web;

/// <summary>
/// One series as inline SVG: its recent history, then per horizon the forecast median and its interval,
/// on a shared time axis. Every drawn element carries its numbers in data-* attributes, so tests (and
/// anyone reading the page source) check values rather than pixels.
/// </summary>
internal static class SeriesChart
{
    private const double Width = 960, Height = 340, Left = 64, Right = 20, Top = 14, Bottom = 30;

    public static void Render(StringBuilder html, SeriesDetail detail)
    {
        var history = detail.History;
        var forecasts = detail.Forecasts;
        long stepMs = (long)detail.Step.TotalMilliseconds;
        long tMin = history.Count > 0 ? history[0].TimeMs : forecasts.Count > 0 ? forecasts.Min(f => f.TimeMs) - stepMs : 0;
        long tMax = Math.Max(history.Count > 0 ? history[^1].TimeMs : tMin + stepMs, forecasts.Count > 0 ? forecasts.Max(f => f.TimeMs) : tMin + stepMs);
        if (tMax <= tMin)
            tMax = tMin + stepMs;
        var (yMin, yMax) = ValueRange(history, forecasts);

        double X(long t) => Left + (t - tMin) * (Width - Left - Right) / (tMax - tMin);
        double Y(double v) => Top + (yMax - v) * (Height - Top - Bottom) / (yMax - yMin);

        html.Append("<svg class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 ").Append(Width).Append(' ').Append(Height)
            .Append("\" role=\"img\" aria-label=\"history and forecast\">");
        Axes(html, tMin, tMax, yMin, yMax, stepMs, X, Y);

        var last = history.LastOrDefault(p => !float.IsNaN(p.Value));
        bool hasLast = history.Any(p => !float.IsNaN(p.Value));
        Fan(html, forecasts, hasLast ? last : null, X, Y);
        History(html, history, stepMs, X, Y);
        if (hasLast)
        {
            html.Append("<line class=\"now\" x1=\"").Append(Html.Coordinate(X(last.TimeMs))).Append("\" x2=\"").Append(Html.Coordinate(X(last.TimeMs)))
                .Append("\" y1=\"").Append(Top).Append("\" y2=\"").Append(Height - Bottom).Append("\"/>");
        }
        ForecastLine(html, forecasts, hasLast ? last : null, X, Y);
        foreach (var forecast in forecasts)
            Forecast(html, forecast, X, Y);
        if (hasLast)
        {
            bool anomalous = detail.Series.AnomalyScore > 1;
            html.Append("<circle class=\"latest").Append(anomalous ? " anomalous" : "").Append("\" r=\"").Append(anomalous ? 5 : 3)
                .Append("\" cx=\"").Append(Html.Coordinate(X(last.TimeMs))).Append("\" cy=\"").Append(Html.Coordinate(Y(last.Value)))
                .Append("\" data-value=\"").Append(Html.Data(last.Value)).Append("\" data-score=\"").Append(Html.Data(detail.Series.AnomalyScore))
                .Append("\"><title>latest ").Append(Html.Number(last.Value)).Append(", anomaly score ").Append(Html.Number(detail.Series.AnomalyScore)).Append("</title></circle>");
        }
        html.Append("</svg>");
    }

    /// <summary>Everything drawn fits, with a little air; a flat series gets a unit-wide range so it isn't a division by zero.</summary>
    private static (double Min, double Max) ValueRange(IReadOnlyList<StepValue> history, IReadOnlyList<HorizonForecast> forecasts)
    {
        var values = history.Select(p => (double)p.Value)
            .Concat(forecasts.SelectMany(f => new double[] { f.Lower, f.Median, f.Upper }))
            .Where(double.IsFinite)
            .ToList();
        if (values.Count == 0)
            return (0, 1);
        double min = values.Min(), max = values.Max();
        if (max - min < 1e-9)
            return (min - 1, max + 1);
        double pad = (max - min) * 0.06;
        return (min - pad, max + pad);
    }

    private static void Axes(StringBuilder html, long tMin, long tMax, double yMin, double yMax, long stepMs, Func<long, double> x, Func<double, double> y)
    {
        const int ticks = 5;
        string format = stepMs >= 60_000 ? "HH:mm" : "HH:mm:ss";
        for (int i = 0; i <= ticks; i++)
        {
            double value = yMin + (yMax - yMin) * i / ticks;
            string py = Html.Coordinate(y(value));
            html.Append("<line class=\"grid\" x1=\"").Append(Left).Append("\" x2=\"").Append(Width - Right).Append("\" y1=\"").Append(py).Append("\" y2=\"").Append(py).Append("\"/>")
                .Append("<text x=\"").Append(Left - 6).Append("\" y=\"").Append(py).Append("\" text-anchor=\"end\" dominant-baseline=\"middle\">")
                .Append(Html.Number(value)).Append("</text>");
            long t = tMin + (tMax - tMin) * i / ticks;
            string px = Html.Coordinate(x(t));
            html.Append("<text x=\"").Append(px).Append("\" y=\"").Append(Height - Bottom + 18).Append("\" text-anchor=\"")
                .Append(i == 0 ? "start" : i == ticks ? "end" : "middle").Append("\">")
                .Append(DateTimeOffset.FromUnixTimeMilliseconds(t).UtcDateTime.ToString(format, System.Globalization.CultureInfo.InvariantCulture)).Append("</text>");
        }
        html.Append("<line class=\"axis\" x1=\"").Append(Left).Append("\" x2=\"").Append(Width - Right).Append("\" y1=\"").Append(Height - Bottom).Append("\" y2=\"").Append(Height - Bottom).Append("\"/>")
            .Append("<line class=\"axis\" x1=\"").Append(Left).Append("\" x2=\"").Append(Left).Append("\" y1=\"").Append(Top).Append("\" y2=\"").Append(Height - Bottom).Append("\"/>");
    }

    /// <summary>One path; a gap (NaN) lifts the pen, so a missing step is drawn as missing, not interpolated.</summary>
    private static void History(StringBuilder html, IReadOnlyList<StepValue> history, long stepMs, Func<long, double> x, Func<double, double> y)
    {
        var d = new StringBuilder();
        bool penDown = false;
        foreach (var point in history)
        {
            if (float.IsNaN(point.Value))
            {
                penDown = false;
                continue;
            }
            d.Append(penDown ? 'L' : 'M').Append(Html.Coordinate(x(point.TimeMs))).Append(',').Append(Html.Coordinate(y(point.Value))).Append(' ');
            penDown = true;
        }
        html.Append("<path class=\"history\" data-points=\"").Append(history.Count)
            .Append("\" data-start=\"").Append(history.Count > 0 ? history[0].TimeMs : 0).Append("\" data-step=\"").Append(stepMs)
            .Append("\" data-values=\"").Append(string.Join(' ', history.Select(p => Html.Data(p.Value))))
            .Append("\" d=\"").Append(d.ToString().TrimEnd()).Append("\"/>");
    }

    /// <summary>The shaded interval from the newest value out to the furthest horizon, behind the per-horizon bands.</summary>
    private static void Fan(StringBuilder html, IReadOnlyList<HorizonForecast> forecasts, StepValue? from, Func<long, double> x, Func<double, double> y)
    {
        var banded = forecasts.Where(f => float.IsFinite(f.Lower) && float.IsFinite(f.Upper)).OrderBy(f => f.TimeMs).ToList();
        if (banded.Count == 0 || from is not { } start)
            return;
        var d = new StringBuilder("M").Append(Html.Coordinate(x(start.TimeMs))).Append(',').Append(Html.Coordinate(y(start.Value)));
        foreach (var f in banded)
            d.Append(" L").Append(Html.Coordinate(x(f.TimeMs))).Append(',').Append(Html.Coordinate(y(f.Upper)));
        for (int i = banded.Count - 1; i >= 0; i--)
            d.Append(" L").Append(Html.Coordinate(x(banded[i].TimeMs))).Append(',').Append(Html.Coordinate(y(banded[i].Lower)));
        html.Append("<path class=\"fan\" d=\"").Append(d).Append(" Z\"/>");
    }

    private static void ForecastLine(StringBuilder html, IReadOnlyList<HorizonForecast> forecasts, StepValue? from, Func<long, double> x, Func<double, double> y)
    {
        var points = forecasts.Where(f => float.IsFinite(f.Median)).OrderBy(f => f.TimeMs).ToList();
        if (points.Count == 0 || from is not { } start)
            return;
        var d = new StringBuilder("M").Append(Html.Coordinate(x(start.TimeMs))).Append(',').Append(Html.Coordinate(y(start.Value)));
        foreach (var f in points)
            d.Append(" L").Append(Html.Coordinate(x(f.TimeMs))).Append(',').Append(Html.Coordinate(y(f.Median)));
        html.Append("<path class=\"forecast-line\" d=\"").Append(d).Append("\"/>");
    }

    /// <summary>The interval as a capped vertical bar, the median as a dot on it.</summary>
    private static void Forecast(StringBuilder html, HorizonForecast forecast, Func<long, double> x, Func<double, double> y)
    {
        string horizon = Html.Text(forecast.Horizon);
        string px = Html.Coordinate(x(forecast.TimeMs));
        if (float.IsFinite(forecast.Lower) && float.IsFinite(forecast.Upper))
        {
            string lower = Html.Coordinate(y(forecast.Lower)), upper = Html.Coordinate(y(forecast.Upper));
            string left = Html.Coordinate(x(forecast.TimeMs) - 5), right = Html.Coordinate(x(forecast.TimeMs) + 5);
            html.Append("<path class=\"band\" data-horizon=\"").Append(horizon)
                .Append("\" data-lower=\"").Append(Html.Data(forecast.Lower)).Append("\" data-upper=\"").Append(Html.Data(forecast.Upper))
                .Append("\" d=\"M").Append(left).Append(',').Append(lower).Append(" H").Append(right)
                .Append(" M").Append(px).Append(',').Append(lower).Append(" V").Append(upper)
                .Append(" M").Append(left).Append(',').Append(upper).Append(" H").Append(right).Append("\"/>");
        }
        if (!float.IsFinite(forecast.Median))
            return;
        html.Append("<circle class=\"forecast\" r=\"4.5\" cx=\"").Append(px).Append("\" cy=\"").Append(Html.Coordinate(y(forecast.Median)))
            .Append("\" data-horizon=\"").Append(horizon).Append("\" data-time=\"").Append(forecast.TimeMs)
            .Append("\" data-value=\"").Append(Html.Data(forecast.Median))
            .Append("\" data-lower=\"").Append(Html.Data(forecast.Lower)).Append("\" data-upper=\"").Append(Html.Data(forecast.Upper))
            .Append("\"><title>").Append(horizon).Append(": ").Append(Html.Number(forecast.Median))
            .Append(" [").Append(Html.Number(forecast.Lower)).Append(", ").Append(Html.Number(forecast.Upper)).Append("]</title></circle>");
    }
}
