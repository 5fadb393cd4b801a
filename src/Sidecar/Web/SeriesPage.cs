using System.Text;
using Sidecar.Api;

namespace Sidecar.Web;

/// <summary>One series: its labels, the chart, its anomaly score with the residual behind it, and the forecast as numbers.</summary>
internal static class SeriesPage
{
    public static string Render(SeriesDetail detail) =>
        PageLayout.Render(detail.Series.Labels.ToString(), "series", html =>
        {
            var series = detail.Series;
            html.Append("<h1 class=\"labels\">").Append(Html.Text(series.Labels.ToString())).Append("</h1>");
            html.Append("<dl class=\"facts\">");
            Fact(html, "Target", "<a href=\"/series?target=" + Html.Text(Html.Query(series.Target)) + "\">" + Html.Text(series.Target) + "</a>");
            Fact(html, "Step", Html.Duration(detail.Step));
            Fact(html, "Model", series.Model.Length == 0 ? "<span class=\"muted\">none yet</span>" : Html.Text(series.Model));
            Fact(html, "Last value", $"<span class=\"last-value\" data-value=\"{Html.Data(series.LastValue)}\">{Html.Number(series.LastValue)}</span>"
                + (series.LastStepMs is { } ms ? $" <span class=\"muted\">at {Html.Time(ms)}</span>" : ""));
            Fact(html, "Next step forecast", $"<span class=\"next-step\" data-value=\"{Html.Data(detail.NextStep)}\">{Html.Number(detail.NextStep)}</span>");
            Fact(html, "Residual", $"<span class=\"residual\" data-value=\"{Html.Data(detail.Residual)}\">{Html.Number(detail.Residual)}</span>");
            Fact(html, "Surprise", $"<span class=\"surprise\" data-value=\"{Html.Data(detail.Surprise)}\">{Html.Number(detail.Surprise)}</span>");
            Fact(html, "Novelty", $"<span class=\"novelty\" data-value=\"{Html.Data(detail.Novelty)}\">{Html.Number(detail.Novelty)}</span>");
            html.Append("</dl>");
            Score(html, series.AnomalyScore);
            SeriesChart.Render(html, detail);
            Forecasts(html, detail.Forecasts);
            Labels(html, series);
        });

    /// <summary>
    /// The score is the residual measured against the interval the model expected; above 1 the newest
    /// value fell outside it. The meter marks 1 so "how far out" reads at a glance.
    /// </summary>
    private static void Score(StringBuilder html, double score)
    {
        bool anomalous = score > 1;
        string state = anomalous ? "anomalous" : "normal";
        double scale = Math.Max(2, double.IsFinite(score) ? score : 0);
        double filled = double.IsFinite(score) ? Math.Clamp(score / scale, 0, 1) * 100 : 0;
        html.Append("<p class=\"anomaly\">Anomaly score <span class=\"score ").Append(state).Append("\" data-value=\"").Append(Html.Data(score)).Append("\">")
            .Append(Html.Number(score)).Append("</span> <span class=\"meter ").Append(state).Append("\"><span style=\"width:")
            .Append(Html.Coordinate(filled)).Append("%\"></span><i style=\"left:").Append(Html.Coordinate(100 / scale)).Append("%\"></i></span> ")
            .Append("<span class=\"badge ").Append(state).Append("\">").Append(anomalous ? "anomalous: above 1" : "normal: at most 1").Append("</span></p>");
    }

    private static void Forecasts(StringBuilder html, IReadOnlyList<HorizonForecast> forecasts)
    {
        html.Append("<h2>Forecast</h2>");
        if (forecasts.Count == 0)
        {
            html.Append("<p class=\"muted no-forecast\">No forecast yet: the series needs history, and a model or its fallback.</p>");
            return;
        }
        html.Append("<table class=\"forecasts\"><thead><tr><th>Horizon</th><th>For</th><th class=\"num\">Lower</th><th class=\"num\">Median</th><th class=\"num\">Upper</th></tr></thead><tbody>");
        foreach (var f in forecasts)
        {
            html.Append("<tr data-horizon=\"").Append(Html.Text(f.Horizon)).Append("\"><td>").Append(Html.Text(f.Horizon)).Append("</td><td>").Append(Html.Time(f.TimeMs)).Append("</td>")
                .Append("<td class=\"num\">").Append(Html.Number(f.Lower)).Append("</td><td class=\"num\">").Append(Html.Number(f.Median))
                .Append("</td><td class=\"num\">").Append(Html.Number(f.Upper)).Append("</td></tr>");
        }
        html.Append("</tbody></table>");
    }

    private static void Labels(StringBuilder html, SeriesView series)
    {
        html.Append("<h2>Labels</h2><table class=\"label-table\"><tbody>");
        foreach (var label in series.Labels.Labels)
        {
            html.Append("<tr><th><code>").Append(Html.Text(label.Key)).Append("</code></th><td><code class=\"label-value\">")
                .Append(Html.Text(label.Value)).Append("</code></td></tr>");
        }
        html.Append("</tbody></table>");
    }

    private static void Fact(StringBuilder html, string term, string definitionHtml) =>
        html.Append("<div><dt>").Append(term).Append("</dt><dd>").Append(definitionHtml).Append("</dd></div>");
}
