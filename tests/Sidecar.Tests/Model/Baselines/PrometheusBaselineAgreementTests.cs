using System.Globalization;
using System.Text.Json;
using Sidecar.Model.Baselines;
using Sidecar.Tests.Support;

namespace Sidecar.Tests.Model.Baselines;

/// <summary>
/// Our <c>predict_linear</c> and <c>holt_winters</c> level against the real Prometheus 2.42 evaluating
/// <c>predict_linear(m[30m], 3600)</c> and <c>holt_winters(m[30m], 0.3, 0.1)</c> on the same samples.
/// Values are halves, exact in float32, so the only difference left is arithmetic rounding.
/// </summary>
public sealed class PrometheusBaselineAgreementTests : IAsyncLifetime
{
    private const long StepMs = 60_000;
    private const int RangeSteps = 30;
    private const int Steps = 120;

    // Whole minutes, old enough that Prometheus serves the promtool blocks rather than an empty head.
    private static readonly long End = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / StepMs * StepMs - 600_000;

    private readonly Dictionary<string, float[]> _histories = [];
    private PrometheusServer _prometheus = null!;

    public async Task InitializeAsync()
    {
        var random = new Random(11);
        // "wavy": a noisy ramp without gaps, so every range has a sample on its oldest end, which Prometheus
        // 2.x includes. "gappy": a noisy level with missing samples, among them the evaluation time of step 89
        // and the oldest end of the range for step 112.
        _histories["wavy"] = Enumerable.Range(0, Steps).Select(i => (float)(i / 2 + random.Next(-6, 7) * 0.5)).ToArray();
        _histories["gappy"] = Enumerable.Range(0, Steps).Select(i => random.Next(5) == 0 || i is 89 or Steps - 8 - RangeSteps
            ? float.NaN
            : (float)(40 + random.Next(-20, 21) * 0.5)).ToArray();
        var series = _histories.Select(h => new PrometheusHistory.Series("m", [("instance", h.Key)],
            h.Value.Select((v, i) => (TimestampMs(i), (double)v)).Where(s => !double.IsNaN(s.Item2)).ToList()));
        _prometheus = await PrometheusServer.StartAsync("global:\n  scrape_interval: 1m\n", history: new PrometheusHistory([.. series]));
    }

    public async Task DisposeAsync() => await _prometheus.DisposeAsync();

    private static long TimestampMs(int step) => End - (Steps - 1 - step) * StepMs;

    public static TheoryData<int> EvaluationSteps => [Steps - 1, Steps - 8, 89, Steps - 14];

    [Theory]
    [MemberData(nameof(EvaluationSteps))]
    public async Task PredictLinearMatchesPrometheus(int evaluationStep)
    {
        var expected = await QueryAtAsync("predict_linear(m[30m], 3600)", TimestampMs(evaluationStep));
        AssertAgrees(new PredictLinearForecaster(RangeSteps), evaluationStep, horizonSteps: 60, expected);
    }

    [Theory]
    [MemberData(nameof(EvaluationSteps))]
    public async Task HoltWintersLevelMatchesPrometheus(int evaluationStep)
    {
        var expected = await QueryAtAsync("holt_winters(m[30m], 0.3, 0.1)", TimestampMs(evaluationStep));
        AssertAgrees(new DoubleExponentialSmoothingForecaster(RangeSteps, 0.3, 0.1), evaluationStep, horizonSteps: 0, expected);
    }

    private void AssertAgrees(IBaselineForecaster forecaster, int evaluationStep, int horizonSteps, Dictionary<string, double> expected)
    {
        Assert.Equal(_histories.Keys.Order(), expected.Keys.Order());
        foreach (var (instance, history) in _histories)
        {
            var forecast = new float[1];
            Assert.True(forecaster.TryForecast(history.AsSpan(0, evaluationStep + 1), [horizonSteps], forecast));
            double prometheus = expected[instance];
            double tolerance = 1e-6 * Math.Max(1, Math.Abs(prometheus));
            Assert.True(Math.Abs(forecast[0] - prometheus) <= tolerance,
                $"{forecaster.Name} at step {evaluationStep} of {instance}: ours {forecast[0]}, Prometheus {prometheus}");
        }
    }

    /// <returns>The instant query's value per <c>instance</c>.</returns>
    private async Task<Dictionary<string, double>> QueryAtAsync(string promql, long timeMs)
    {
        string time = (timeMs / 1000.0).ToString(CultureInfo.InvariantCulture);
        using var document = JsonDocument.Parse(await _prometheus.Http.GetStringAsync($"/api/v1/query?query={Uri.EscapeDataString(promql)}&time={time}"));
        return document.RootElement.GetProperty("data").GetProperty("result").EnumerateArray().ToDictionary(
            e => e.GetProperty("metric").GetProperty("instance").GetString()!,
            e => double.Parse(e.GetProperty("value")[1].GetString()!, CultureInfo.InvariantCulture));
    }
}
