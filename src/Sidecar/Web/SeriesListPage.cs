using System.Text;
using Sidecar.Api;

namespace Sidecar.Web;

/// <summary>The series listing: a search over label text, an optional target filter, and a limit with an "N of M" count.</summary>
internal static class SeriesListPage
{
    public static string Render(IReadOnlyList<string> targetNames, string? target, string? search, int limit, IReadOnlyList<SeriesView> series, int total) =>
        PageLayout.Render("Series", "series", html =>
        {
            html.Append("<h1>Series</h1>");
            Form(html, targetNames, target, search, limit);
            html.Append("<p class=\"count\" data-shown=\"").Append(series.Count).Append("\" data-total=\"").Append(total).Append("\">")
                .Append(series.Count).Append(" of ").Append(total).Append(" series</p>");
            if (series.Count == 0)
                return;
            html.Append("<table class=\"series\"><thead><tr><th>Series</th><th>Target</th><th>Model</th>")
                .Append("<th class=\"num\">Last value</th><th>Last step</th><th class=\"num\">Anomaly score</th></tr></thead><tbody>");
            foreach (var row in series)
                Row(html, row);
            html.Append("</tbody></table>");
        });

    /// <summary>Where a series' own page is: its target and exact label text, both escaped for the URL and the attribute.</summary>
    public static string Link(string target, string labels) =>
        Html.Text("/series/view?target=" + Html.Query(target) + "&labels=" + Html.Query(labels));

    private static void Form(StringBuilder html, IReadOnlyList<string> targetNames, string? target, string? search, int limit)
    {
        html.Append("<form class=\"search\" method=\"get\" action=\"/series\">")
            .Append("<input type=\"search\" name=\"q\" placeholder=\"filter by label text, e.g. instance=&quot;web-1&quot;\" value=\"")
            .Append(Html.Text(search)).Append("\" autofocus>")
            .Append("<select name=\"target\"><option value=\"\">all targets</option>");
        foreach (var name in targetNames)
        {
            html.Append("<option value=\"").Append(Html.Text(name)).Append('"').Append(name == target ? " selected" : "").Append('>')
                .Append(Html.Text(name)).Append("</option>");
        }
        html.Append("</select><input type=\"hidden\" name=\"limit\" value=\"").Append(limit).Append("\">")
            .Append("<button type=\"submit\">Search</button></form>");
    }

    private static void Row(StringBuilder html, SeriesView row)
    {
        string labels = row.Labels.ToString();
        bool anomalous = row.AnomalyScore > 1;
        html.Append("<tr class=\"series-row").Append(anomalous ? " anomalous" : "").Append("\" data-labels=\"").Append(Html.Text(labels)).Append("\">")
            .Append("<td class=\"labels\"><a href=\"").Append(Link(row.Target, labels)).Append("\">").Append(Html.Text(labels)).Append("</a></td>")
            .Append("<td>").Append(Html.Text(row.Target)).Append("</td>")
            .Append("<td>").Append(row.Model.Length == 0 ? "<span class=\"muted\">none yet</span>" : Html.Text(row.Model)).Append("</td>")
            .Append("<td class=\"num\">").Append(Html.Number(row.LastValue)).Append("</td>")
            .Append("<td>").Append(row.LastStepMs is { } ms ? Html.Time(ms) : "–").Append("</td>")
            .Append("<td class=\"num score-cell\" data-value=\"").Append(Html.Data(row.AnomalyScore)).Append("\">").Append(Html.Number(row.AnomalyScore)).Append("</td></tr>");
    }
}
