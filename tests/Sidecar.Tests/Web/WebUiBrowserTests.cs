using System.Text.Json;
using Sidecar.Api;
using Sidecar.Tests.Support;
using Sidecar.Web;

namespace Sidecar.Tests.Web;

/// <summary>
/// The per-series page in headless Chromium against the running host: the browser's own DOM, after
/// parsing and layout, holds the chart with every history point and a band and forecast point per
/// horizon. The run leaves a screenshot of that page in docs/, which the README shows.
/// </summary>
[Collection(WebUiCollection.Name)]
public sealed class WebUiBrowserTests(WebUiSidecar fixture)
{
    public static readonly string ScreenshotPath = RepositoryRoot.File("docs", "web-ui.png");

    private const string ReadChart = """
        const chart = document.querySelector('svg.chart');
        const history = chart.querySelector('path.history');
        const box = e => { const b = e.getBBox(); return { x: b.x, y: b.y, width: b.width, height: b.height }; };
        return JSON.stringify({
          chartWidth: chart.getBoundingClientRect().width,
          historyStroke: getComputedStyle(history).stroke,
          historyPoints: (history.getAttribute('d').match(/[ML]/g) || []).length,
          historyLength: history.getTotalLength(),
          historyValues: history.dataset.values.split(' ').map(Number),
          bands: [...chart.querySelectorAll('path.band')].map(b => ({ horizon: b.dataset.horizon, lower: +b.dataset.lower, upper: +b.dataset.upper, box: box(b) })),
          forecasts: [...chart.querySelectorAll('circle.forecast')].map(c => ({ horizon: c.dataset.horizon, value: +c.dataset.value, cy: +c.getAttribute('cy'), box: box(c) })),
          score: { text: document.querySelector('span.score').textContent, value: +document.querySelector('span.score').dataset.value, anomalous: document.querySelector('span.score').classList.contains('anomalous') },
        });
        """;

    [Fact]
    public async Task TheSeriesPageRendersItsChartWithEveryPointAndABandAndForecastPerHorizon()
    {
        await using var browser = await HeadlessChromium.StartAsync();
        await browser.NavigateAsync(SeriesPage(fixture.SeriesA));
        var chart = JsonDocument.Parse((await browser.ExecuteAsync(ReadChart))!.GetValue<string>()).RootElement;

        Assert.True(chart.GetProperty("chartWidth").GetDouble() > 600, "the chart is laid out at page width");
        Assert.NotEqual("none", chart.GetProperty("historyStroke").GetString());
        Assert.Equal(WebUiSidecar.Steps, chart.GetProperty("historyPoints").GetInt32());
        Assert.True(chart.GetProperty("historyLength").GetDouble() > 500, "the history line is drawn across the chart");
        Assert.Equal(fixture.WrittenA, chart.GetProperty("historyValues").EnumerateArray().Select(v => (float)v.GetDouble()));

        var detail = fixture.Sidecar.Service<SidecarQueries>().Series("t", fixture.SeriesA, WebUiSidecar.Steps)!;
        var bands = chart.GetProperty("bands").EnumerateArray().ToList();
        var forecasts = chart.GetProperty("forecasts").EnumerateArray().ToList();
        Assert.Equal(WebUiSidecar.Horizons, bands.Select(b => b.GetProperty("horizon").GetString()));
        Assert.Equal(WebUiSidecar.Horizons, forecasts.Select(f => f.GetProperty("horizon").GetString()));
        for (int h = 0; h < WebUiSidecar.Horizons.Length; h++)
        {
            Assert.Equal(detail.Forecasts[h].Median, (float)forecasts[h].GetProperty("value").GetDouble());
            Assert.Equal(detail.Forecasts[h].Lower, (float)bands[h].GetProperty("lower").GetDouble());
            Assert.Equal(detail.Forecasts[h].Upper, (float)bands[h].GetProperty("upper").GetDouble());
            // Drawn where the numbers say: the median's dot sits on its band, vertically within it.
            var band = bands[h].GetProperty("box");
            double cy = forecasts[h].GetProperty("cy").GetDouble();
            Assert.InRange(cy, band.GetProperty("y").GetDouble() - 0.5, band.GetProperty("y").GetDouble() + band.GetProperty("height").GetDouble() + 0.5);
            double bandCentre = band.GetProperty("x").GetDouble() + band.GetProperty("width").GetDouble() / 2;
            var dot = forecasts[h].GetProperty("box");
            Assert.Equal(bandCentre, dot.GetProperty("x").GetDouble() + dot.GetProperty("width").GetDouble() / 2, 1);
        }
        var score = chart.GetProperty("score");
        Assert.Equal(detail.Series.AnomalyScore, score.GetProperty("value").GetDouble());
        Assert.Equal(detail.Series.AnomalyScore > 1, score.GetProperty("anomalous").GetBoolean());

        byte[] png = await browser.ScreenshotAsync();
        Assert.Equal((byte)0x89, png[0]);
        // The README's screenshot is refreshed on request only, so a test run leaves the checkout as it was.
        if (Environment.GetEnvironmentVariable("UPDATE_SCREENSHOT") == "1")
            await File.WriteAllBytesAsync(ScreenshotPath, png);
    }

    [Fact]
    public async Task AHostileLabelValueIsTextInTheBrowserAndNothingFromItRuns()
    {
        await using var browser = await HeadlessChromium.StartAsync();
        await browser.NavigateAsync(SeriesPage(fixture.HostileSeries));
        // An alert() that ran would also fail this call: WebDriver refuses commands while a dialog is open.
        var page = JsonDocument.Parse((await browser.ExecuteAsync("""
            return JSON.stringify({
              scripts: document.scripts.length,
              images: document.images.length,
              heading: document.querySelector('h1').textContent,
              values: [...document.querySelectorAll('code.label-value')].map(e => e.textContent),
            });
            """))!.GetValue<string>()).RootElement;

        Assert.Equal(0, page.GetProperty("scripts").GetInt32());
        Assert.Equal(0, page.GetProperty("images").GetInt32());
        Assert.Equal(fixture.HostileSeries, page.GetProperty("heading").GetString());
        Assert.Contains(WebUiSidecar.HostileValue, page.GetProperty("values").EnumerateArray().Select(v => v.GetString()));
    }

    private Uri SeriesPage(string labels) =>
        new(fixture.Sidecar.Address, System.Net.WebUtility.HtmlDecode(SeriesListPage.Link("t", labels)));
}
