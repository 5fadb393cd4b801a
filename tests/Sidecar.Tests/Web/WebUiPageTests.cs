using System.Net;
using System.Text.RegularExpressions;
using Sidecar.Api;

namespace Sidecar.Tests.Web;

/// <summary>The web UI's pages over HTTP against the running host: what they show is what was written and forecast.</summary>
[Collection(WebUiCollection.Name)]
public sealed class WebUiPageTests(WebUiSidecar fixture)
{
    private HttpClient Http => fixture.Sidecar.Http;

    [Fact]
    public async Task TheTargetsPageShowsTheTargetItsSeriesAndItsTrainedModel()
    {
        var response = await Http.GetAsync("/");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        string html = await response.Content.ReadAsStringAsync();

        var target = fixture.Sidecar.Service<SidecarQueries>().Target("t")!;
        Assert.Single(HtmlAttributes.Elements(html, "section", "target"), s => s["data-target"] == "t");
        Assert.Contains("<code class=\"source\">webui_metric</code>", html);
        Assert.Equal("3", HtmlAttributes.Single(html, "span", "series-count")["data-value"]);
        Assert.Equal("idle", HtmlAttributes.Single(html, "dl", "model")["data-phase"]);
        Assert.Equal("5", HtmlAttributes.Single(html, "progress", "epochs")["max"]);
        Assert.Contains("<span class=\"result\">success</span>", html);
        double validationLoss = HtmlAttributes.Number(HtmlAttributes.Single(html, "span", "validation-loss")["data-value"]);
        Assert.Equal(target.Training.ModelValidationLoss, validationLoss);
        Assert.True(double.IsFinite(validationLoss));
        // Forecast quality: one row per configured horizon.
        Assert.Equal(WebUiSidecar.Horizons, Regex.Matches(html, "<tr data-horizon=\"([^\"]+)\">").Select(m => m.Groups[1].Value));
    }

    [Fact]
    public async Task TheSeriesListFiltersByLabelTextAndByTargetAndSaysNOfM()
    {
        var all = await Http.GetStringAsync("/series");
        Assert.Equal(3, HtmlAttributes.Elements(all, "tr", "series-row").Count);
        Assert.Contains("3 of 3 series", all);

        var searched = await Http.GetStringAsync("/series?q=" + Uri.EscapeDataString("instance=\"a\""));
        var row = Assert.Single(HtmlAttributes.Elements(searched, "tr", "series-row"));
        Assert.Equal(fixture.SeriesA, row["data-labels"]);
        Assert.Contains("1 of 1 series", searched);

        var limited = await Http.GetStringAsync("/series?limit=2");
        Assert.Equal(2, HtmlAttributes.Elements(limited, "tr", "series-row").Count);
        var count = HtmlAttributes.Single(limited, "p", "count");
        Assert.Equal(("2", "3"), (count["data-shown"], count["data-total"]));

        var otherTarget = await Http.GetStringAsync("/series?target=nope");
        Assert.Empty(HtmlAttributes.Elements(otherTarget, "tr", "series-row"));
        Assert.Contains("0 of 0 series", otherTarget);
        Assert.Contains("3 of 3 series", await Http.GetStringAsync("/series?target=t"));
    }

    [Fact]
    public async Task TheSeriesPageShowsTheWrittenHistoryAndEachHorizonsForecastInsideItsBand()
    {
        string list = await Http.GetStringAsync("/series?q=" + Uri.EscapeDataString("instance=\"a\""));
        string link = Regex.Match(list, "<td class=\"labels\"><a href=\"([^\"]+)\"").Groups[1].Value;
        var response = await Http.GetAsync(WebUtility.HtmlDecode(link));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        string html = await response.Content.ReadAsStringAsync();

        var history = HtmlAttributes.Single(html, "path", "history");
        float[] shown = [.. history["data-values"].Split(' ').Select(v => (float)HtmlAttributes.Number(v))];
        Assert.Equal(fixture.WrittenA, shown);
        Assert.Equal(fixture.FirstStepMs.ToString(System.Globalization.CultureInfo.InvariantCulture), history["data-start"]);
        // One pen position per step: the drawn line has every written point, with no gaps.
        Assert.Equal(WebUiSidecar.Steps, Regex.Matches(history["d"], "[ML]").Count);

        var detail = fixture.Sidecar.Service<SidecarQueries>().Series("t", fixture.SeriesA, WebUiSidecar.Steps)!;
        long lastStepMs = fixture.FirstStepMs + (WebUiSidecar.Steps - 1) * 1000L;
        var bands = HtmlAttributes.Elements(html, "path", "band");
        var points = HtmlAttributes.Elements(html, "circle", "forecast");
        Assert.Equal(WebUiSidecar.Horizons, bands.Select(b => b["data-horizon"]));
        Assert.Equal(WebUiSidecar.Horizons, points.Select(p => p["data-horizon"]));
        for (int h = 0; h < WebUiSidecar.Horizons.Length; h++)
        {
            double lower = HtmlAttributes.Number(bands[h]["data-lower"]), upper = HtmlAttributes.Number(bands[h]["data-upper"]);
            double median = HtmlAttributes.Number(points[h]["data-value"]);
            Assert.True(lower <= median && median <= upper, $"{WebUiSidecar.Horizons[h]}: {lower} <= {median} <= {upper}");
            Assert.Equal(detail.Forecasts[h].Median, (float)median);
            Assert.Equal(detail.Forecasts[h].Lower, (float)lower);
            Assert.Equal(detail.Forecasts[h].Upper, (float)upper);
            long seconds = int.Parse(WebUiSidecar.Horizons[h].TrimEnd('s'), System.Globalization.CultureInfo.InvariantCulture);
            Assert.Equal(lastStepMs + seconds * 1000, long.Parse(points[h]["data-time"], System.Globalization.CultureInfo.InvariantCulture));
        }

        var score = HtmlAttributes.Single(html, "span", "score");
        Assert.Equal(detail.Series.AnomalyScore, HtmlAttributes.Number(score["data-value"]));
        Assert.Contains(detail.Series.AnomalyScore > 1 ? "anomalous" : "normal", score["class"]);
        Assert.Equal(detail.Residual, HtmlAttributes.Number(HtmlAttributes.Single(html, "span", "residual")["data-value"]));
        Assert.Equal(fixture.WrittenA[^1], (float)HtmlAttributes.Number(HtmlAttributes.Single(html, "span", "last-value")["data-value"]));
    }

    [Theory]
    [InlineData("/series/view?target=t&labels=webui_metric%7Binstance%3D%22zz%22%7D")]
    [InlineData("/series/view?target=nope&labels=webui_metric%7Binstance%3D%22a%22%7D")]
    [InlineData("/series/view?target=t")]
    [InlineData("/series/view")]
    public async Task AnUnknownSeriesIsNotFound(string path)
    {
        var response = await Http.GetAsync(path);
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("No such series", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task HostileLabelValuesAreShownAsTextAndNoScriptMayRun()
    {
        var list = await Http.GetAsync("/series?q=script");
        string listHtml = await list.Content.ReadAsStringAsync();
        string link = WebUtility.HtmlDecode(Regex.Match(listHtml, "<td class=\"labels\"><a href=\"([^\"]+)\"").Groups[1].Value);
        var page = await Http.GetAsync(link);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        string pageHtml = await page.Content.ReadAsStringAsync();
        string notFoundHtml = await (await Http.GetAsync("/series/view?target=" + Uri.EscapeDataString(WebUiSidecar.HostileValue) + "&labels=x")).Content.ReadAsStringAsync();

        foreach (string html in new[] { listHtml, pageHtml, notFoundHtml })
        {
            Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("<img", html, StringComparison.OrdinalIgnoreCase);
            Assert.Contains("&lt;script&gt;alert(1)&lt;/script&gt;", html);
        }
        // The value itself comes back intact once decoded: escaped, not stripped.
        Assert.Contains(WebUiSidecar.HostileValue,
            Regex.Matches(pageHtml, "<code class=\"label-value\">([^<]*)</code>").Select(m => WebUtility.HtmlDecode(m.Groups[1].Value)));
        Assert.Contains("default-src 'none'", page.Headers.GetValues("Content-Security-Policy").Single());
    }
}
