using System.Text;
using Sidecar.Api;
using Sidecar.Pipeline;

namespace Sidecar.Web;

/// <summary>The start page: each target, what it reads, and how far its model is.</summary>
internal static class TargetsPage
{
    public static string Render(IReadOnlyList<TargetView> targets) =>
        PageLayout.Render("Targets", "targets", html =>
        {
            html.Append("<h1>Targets</h1>");
            if (targets.Count == 0)
                html.Append("<p class=\"muted\">No targets are configured.</p>");
            foreach (var target in targets)
                Target(html, target);
        });

    private static void Target(StringBuilder html, TargetView target)
    {
        string name = Html.Text(target.Name);
        html.Append("<section class=\"card target\" data-target=\"").Append(name).Append("\">")
            .Append("<h2><a href=\"/series?target=").Append(Html.Text(Html.Query(target.Name))).Append("\">").Append(name).Append("</a></h2>")
            .Append("<dl class=\"facts\">");
        Fact(html, "Source", "<code class=\"source\">" + Html.Text(target.Source) + "</code>");
        Fact(html, "Step", Html.Duration(target.Step));
        Fact(html, "Horizons", Html.Text(string.Join(", ", target.Horizons)));
        Fact(html, "Series", $"<span class=\"series-count\" data-value=\"{target.Series}\">{target.Series}</span>");
        Fact(html, "Exposed", $"<span class=\"exposed-count\" data-value=\"{target.Exposed}\">{target.Exposed}</span>");
        Fact(html, "Scope", Html.Text(target.Scope));
        Fact(html, "Fallback", Html.Text(target.Fallback ?? "none"));
        html.Append("</dl>");
        Model(html, target.Training);
        Quality(html, target.Quality);
        html.Append("</section>");
    }

    private static void Model(StringBuilder html, TrainingStatusView training)
    {
        string phase = training.Phase.ToString().ToLowerInvariant();
        html.Append("<dl class=\"facts model\" data-phase=\"").Append(phase).Append("\">");
        string progress = training.MaxEpochs > 0
            ? $"<progress class=\"epochs\" value=\"{training.Epoch}\" max=\"{training.MaxEpochs}\"></progress> epoch {training.Epoch}/{training.MaxEpochs}"
            : "";
        Fact(html, "Training", $"<span class=\"phase\">{phase}</span> {progress}");
        Fact(html, "Last run", Html.Time(training.LastRunAt) + (training.LastResult is { } result ? $" · <span class=\"result\">{Html.Text(result)}</span>" : ""));
        Fact(html, "Model trained", $"<span class=\"trained-at\">{Html.Time(training.ModelTrainedAt)}</span>");
        Fact(html, "Validation loss", $"<span class=\"validation-loss\" data-value=\"{Html.Data(training.ModelValidationLoss)}\">{Html.Number(training.ModelValidationLoss)}</span>");
        if (training.Phase == TrainingPhase.Training)
            Fact(html, "Current loss (train / val)", Html.Number(training.TrainLoss) + " / " + Html.Number(training.ValidationLoss));
        html.Append("</dl>");
        if (training.LastError is { } error)
            html.Append("<p class=\"error last-error\">").Append(Html.Text(error)).Append("</p>");
        if (training.WaitingFor is { } waiting)
            html.Append("<p class=\"waiting-for\">").Append(Html.Text(waiting)).Append("</p>");
    }

    private static void Quality(StringBuilder html, IReadOnlyList<HorizonQuality> quality)
    {
        if (quality.Count == 0)
            return;
        // MASE below 1 beats the naive last-value forecast; coverage should sit near the interval's nominal level.
        html.Append("<table class=\"quality\"><thead><tr><th>Horizon</th><th class=\"num\">Outcomes</th><th class=\"num\">MAE</th>")
            .Append("<th class=\"num\" title=\"mean absolute scaled error: below 1 beats repeating the last value\">MASE</th>")
            .Append("<th class=\"num\" title=\"share of outcomes inside the forecast interval\">Coverage</th></tr></thead><tbody>");
        foreach (var row in quality)
        {
            html.Append("<tr data-horizon=\"").Append(Html.Text(row.Horizon)).Append("\"><td>").Append(Html.Text(row.Horizon)).Append("</td>")
                .Append("<td class=\"num\">").Append(row.Outcomes).Append("</td>")
                .Append("<td class=\"num\">").Append(Html.Number(row.MeanAbsoluteError)).Append("</td>")
                .Append("<td class=\"num\">").Append(Html.Number(row.MeanAbsoluteScaledError)).Append("</td>")
                .Append("<td class=\"num\">").Append(double.IsNaN(row.Coverage) ? "–" : Html.Number(row.Coverage * 100) + " %").Append("</td></tr>");
        }
        html.Append("</tbody></table>");
    }

    private static void Fact(StringBuilder html, string term, string definitionHtml) =>
        html.Append("<div><dt>").Append(term).Append("</dt><dd>").Append(definitionHtml).Append("</dd></div>");
}
