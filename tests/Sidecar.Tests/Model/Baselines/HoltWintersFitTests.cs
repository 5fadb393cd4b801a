using System.Globalization;
using System.Text.Json;
using Sidecar.Model.Baselines;
using Sidecar.Tests.Support;

namespace Sidecar.Tests.Model.Baselines;

/// <summary>
/// The fitted Holt-Winters baseline against statsmodels' <c>ExponentialSmoothing(...).fit()</c> on the same
/// series (reference values computed once by bench/holt-winters-reference.py and committed), and its
/// gradient against finite differences.
/// </summary>
public sealed class HoltWintersFitTests(Xunit.Abstractions.ITestOutputHelper output)
{
    private static readonly string Data = RepositoryRoot.File("tests", "Sidecar.Tests", "Model", "Baselines", "TestData");

    private static float[] Series(string name) =>
        [.. File.ReadAllLines(Path.Combine(Data, name + ".csv")).Select(l => float.Parse(l, CultureInfo.InvariantCulture))];

    public static TheoryData<string> Kinds => ["trend_and_season", "noisy_season", "level_shift"];

    [Theory]
    [MemberData(nameof(Kinds))]
    public void FitsAtLeastAsWellAsStatsmodelsAndForecastsAlike(string kind)
    {
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(Data, "holt-winters-statsmodels.json")));
        int season = json.RootElement.GetProperty("season").GetInt32();
        var reference = json.RootElement.GetProperty("fits").GetProperty(kind);
        float[] y = Series(kind);

        var model = HoltWintersFit.Fit(y, season);
        Assert.NotNull(model);
        double referenceSse = reference.GetProperty("sse").GetDouble();
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{kind}: SSE {model!.SumOfSquaredErrors:G6} (statsmodels {referenceSse:G6}); alpha {model.Alpha:G3} beta {model.Beta:G3} gamma {model.Gamma:G3}; forecast+1 {model.Forecast(1):G6} (statsmodels {reference.GetProperty("forecast")[0].GetDouble():G6})"));
        // The same objective, minimised: no worse than statsmodels' optimum, up to its last digits.
        Assert.InRange(model!.SumOfSquaredErrors, 0, referenceSse * 1.001);

        // Forecasts agree to within a small share of the one-step error's size.
        double rmse = Math.Sqrt(referenceSse / y.Length);
        double[] expected = [.. reference.GetProperty("forecast").EnumerateArray().Select(e => e.GetDouble())];
        for (int h = 1; h <= expected.Length; h++)
            Assert.InRange(model.Forecast(h), expected[h - 1] - 0.5 * rmse, expected[h - 1] + 0.5 * rmse);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void TheServingFitsIterationCapStaysCloseToStatsmodelsOptimum(string kind)
    {
        // model.combine's fits stop at HoltWintersRefits.FitIterations to bound their cost: still near the optimum,
        // and a cap of a few iterations, which must show, is clearly worse.
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(Data, "holt-winters-statsmodels.json")));
        int season = json.RootElement.GetProperty("season").GetInt32();
        double referenceSse = json.RootElement.GetProperty("fits").GetProperty(kind).GetProperty("sse").GetDouble();
        float[] y = Series(kind);
        var capped = HoltWintersFit.Fit(y, season, Sidecar.Pipeline.HoltWintersRefits.FitIterations);
        var barely = HoltWintersFit.Fit(y, season, iterations: 2);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{kind}: SSE capped {capped!.SumOfSquaredErrors:G6}, 2 iterations {barely!.SumOfSquaredErrors:G6}, statsmodels {referenceSse:G6}"));
        Assert.InRange(capped.SumOfSquaredErrors, 0, referenceSse * 1.01);
        Assert.True(barely.SumOfSquaredErrors > capped.SumOfSquaredErrors, "two iterations fit as well as the cap");
    }

    [Fact]
    public void TheGradientIsTheFiniteDifferenceOfTheErrorSum()
    {
        const int Season = 6;
        var random = new Random(4);
        double[] y = [.. Enumerable.Range(0, 40).Select(t => t == 17 ? double.NaN : Math.Sin(t * Math.PI / 3) + 0.02 * t + random.NextDouble() * 0.3)];
        var recursion = new HoltWintersFit.Recursion(y, Season);
        double[] x = [.. Enumerable.Range(0, 3 + 2 + Season).Select(i => random.NextDouble() - 0.5)];
        var gradient = new double[x.Length];
        recursion.Evaluate(x, gradient);
        for (int i = 0; i < x.Length; i++)
        {
            const double H = 1e-6;
            double[] up = (double[])x.Clone(), down = (double[])x.Clone();
            up[i] += H;
            down[i] -= H;
            double numeric = (recursion.Evaluate(up, null) - recursion.Evaluate(down, null)) / (2 * H);
            Assert.True(Math.Abs(numeric - gradient[i]) <= 1e-5 * Math.Max(1, Math.Abs(numeric)), $"parameter {i}: analytic {gradient[i]}, numeric {numeric}");
        }
    }

    [Fact]
    public void RefusesHistoryShorterThanTwoSeasons()
    {
        Assert.Null(HoltWintersFit.Fit(new float[47], 24));
        float[] emptySecondSeason = [.. Enumerable.Range(0, 48).Select(i => i < 24 ? 1f : float.NaN)];
        Assert.Null(HoltWintersFit.Fit(emptySecondSeason, 24));
    }
}
