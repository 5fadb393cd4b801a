using Sidecar.Host;

namespace Sidecar.Tests.Host;

public sealed class ConfigLoaderTests
{
    private const string Valid = """
        targets:
          - name: cpu
            selector: 'node_load1{job="node"}'
            step: 15s
            horizons: [5m, 1h]
        """;

    [Fact]
    public void LoadsAValidConfigWithDefaults()
    {
        var settings = ConfigLoader.Load(Valid);
        var target = Assert.Single(settings.Targets);
        Assert.Equal("cpu", target.Name);
        Assert.Equal(TimeSpan.FromSeconds(15), target.Step);
        Assert.Equal([new Horizon("5m", 20), new Horizon("1h", 240)], target.Horizons);
        Assert.Equal(8 * 86400 / 15, target.HistorySteps);
        Assert.Equal(32, target.Model.Window);
        Assert.Equal([0.05, 0.5, 0.95], target.Model.Quantiles);
        Assert.Equal(new FeatureSettings(true, true, true, SmoothedLevels: true), target.Model.Features);
        Assert.Equal(ComputeSettings.Default, settings.Compute);
        Assert.Equal(DemoMode.Auto, settings.Demo);
        // window 32 + longest horizon 240 must fit in the 20% validation part.
        Assert.Equal((int)Math.Ceiling(272 / 0.2) + 1, target.Model.MinHistorySteps);
        Assert.Equal(86400 / 15, target.Anomaly.SurpriseSteps);
        Assert.Equal(new NoveltySettings(0.05, 48, 86400 / 15, 8 * 7 * 86400 / 15.0, 12, -1, 86400 / 15, 7 * 86400 / 15), target.Anomaly.Novelty);
    }

    [Theory]
    [InlineData("8d", 7 * 86400 / 15)]
    [InlineData("7d", 0)]
    [InlineData("7d30s", 7 * 86400 / 15)]
    [InlineData("7d15s", 0)]
    public void TheWeekOverWeekViewIsOnOnlyWhereTheHistoryHoldsAWeekBeforeTheNewestClosedStep(string history, int weekSteps) =>
        // The newest closed step is the one before the step being filled: a week before it needs a week and two steps.
        Assert.Equal(weekSteps, ConfigLoader.Load(Valid + $"\n    history: {history}\n").Targets[0].Anomaly.Novelty!.WeekSteps);

    [Theory]
    [InlineData("novelty_warmup: 1h", 240)]
    [InlineData("novelty_warmup: 0", 48)]
    [InlineData("novelty_warmup: 2m", 48)]
    public void NoveltyWarmupIsInStepsAndAtLeastOneSmoothingWindow(string line, int warmupSteps) =>
        Assert.Equal(warmupSteps, ConfigLoader.Load(Valid + $"\n    anomaly:\n      {line}\n").Targets[0].Anomaly.Novelty?.WarmupSteps);

    [Fact]
    public void ANoveltyWarmupThatIsNoDurationIsRefused() =>
        Assert.Contains("anomaly.novelty_warmup: 'a day' is not a positive duration",
            Assert.Throws<ConfigException>(() => ConfigLoader.Load(Valid + "\n    anomaly:\n      novelty_warmup: a day\n")).Message);

    [Theory]
    [InlineData("1m", null, true)]
    [InlineData("5m", null, true)]
    [InlineData("15s", null, false)] // a day of 15 s steps is more season than the combination keeps
    [InlineData("7m", null, false)]  // a day is no whole number of 7-minute steps
    [InlineData("1m", "none", false)]
    [InlineData("5m", "holt_winters", true)]
    public void TheCombinationIsOnByDefaultWhereTheStepAllowsItsDailySeason(string step, string? combine, bool combined)
    {
        var expected = combined ? ModelCombination.HoltWinters : ModelCombination.None;
        string model = combine is null ? "" : $"\n    model:\n      combine: {combine}";
        var target = ConfigLoader.Load($"targets:\n  - name: a\n    selector: up\n    step: {step}\n    horizons: [{step}]{model}\n").Targets[0];
        Assert.Equal(expected, target.Model.Combine);
    }

    [Theory]
    [InlineData("novelty_tolerance: 0", null)]
    [InlineData("novelty_half_life: 0", 0.0)]
    [InlineData("novelty_half_life: 1h", 240.0)]
    public void NoveltyHalfLifeIsInStepsAndAZeroToleranceTurnsNoveltyOff(string line, double? halfLifeSteps) =>
        Assert.Equal(halfLifeSteps, ConfigLoader.Load(Valid + $"\n    anomaly:\n      {line}\n").Targets[0].Anomaly.Novelty?.HalfLifeSteps);

    [Fact]
    public void ADayIsAtLeastOneStepForNovelty() =>
        Assert.Equal(1, ConfigLoader.Load(Valid.Replace("step: 15s", "step: 2d").Replace("[5m, 1h]", "[2d]")
            + "\n    history: 60d\n    model:\n      fit_window: 60d\n      min_history: 60d\n      window: 4\n    anomaly:\n      surprise_window: 0\n").Targets[0].Anomaly.Novelty!.DaySteps);

    [Theory]
    [InlineData("0", 0)]
    [InlineData("0s", 0)]
    [InlineData("1h", 240)]
    public void TheSurpriseWindowIsInStepsAndZeroTurnsItOff(string window, int steps) =>
        Assert.Equal(steps, ConfigLoader.Load(Valid + $"\n    anomaly:\n      surprise_window: {window}\n").Targets[0].Anomaly.SurpriseSteps);

    [Theory]
    [InlineData("targets:\n  - name: a\n    selector: up\n    stepp: 1m\n", "line 4", "unknown key 'stepp'")]
    [InlineData("limits:\n  max_series: -1\n", "limits.max_series", "must be positive")]
    [InlineData("demo:\n  mode: sometimes\n", "demo.mode", "not one of auto, on, off")]
    [InlineData("targets:\n  - name: a\n    selector: 'up{'\n", "targets[0].selector", "expected a label name")]
    [InlineData("targets:\n  - name: a\n    selector: up\n    step: 15x\n", "targets[0].step", "not a positive duration")]
    [InlineData("targets:\n  - name: a\n    selector: up\n    step: 1m\n    horizons: [90s]\n", "targets[0].horizons[0]", "not a whole number of steps")]
    [InlineData("targets:\n  - selector: up\n", "targets[0].name", "required")]
    [InlineData("targets:\n  - name: a\n    selector: up\n  - name: a\n    selector: up\n", "targets[1].name", "used by another target")]
    [InlineData("targets:\n  - name: a\n    selector: up\n    model:\n      min_history: 10m\n", "targets[0].model.min_history", "at least")]
    [InlineData("targets:\n  - name: a\n    selector: up\n    history: 1h\n", "targets[0].history", "shorter than min_history")]
    [InlineData("targets:\n  - name: a\n    selector: up\n    model:\n      quantiles: [0.1, 0.9]\n", "targets[0].model.quantiles", "include 0.5")]
    [InlineData("targets:\n  - name: a\n    selector: up\n    model:\n      quantiles: [0.9, 0.5]\n", "targets[0].model.quantiles", "increasing")]
    [InlineData("compute:\n  training_threads: 0\n", "compute.training_threads", "must be positive")]
    [InlineData("targets:\n  - name: a\n    selector: up\n    model:\n      fallback: prophet\n", "targets[0].model.fallback", "not one of none, seasonal_naive")]
    [InlineData("targets:\n  - name: a\n    selector: up\n    model:\n      combine: prophet\n", "targets[0].model.combine", "not one of none, holt_winters")]
    [InlineData("targets:\n  - name: a\n    selector: up\n    step: 15s\n    model:\n      combine: holt_winters\n", "targets[0].model.combine", "at most 1440 steps")]
    [InlineData("targets:\n  - name: a\n    selector: up\n    step: 7m\n    model:\n      combine: holt_winters\n", "targets[0].model.combine", "divides a day")]
    [InlineData("targets:\n  - name: a\n    selector: up\n    type: histogram\n", "targets[0].type", "not one of auto, counter, gauge")]
    [InlineData("targets:\n  - name: a\n    selector: up\n    aggregation: max\n", "targets[0].aggregation", "not one of last, mean")]
    [InlineData("targets:\n  - name: a\n    selector: up\n    query: up\n", "targets[0]", "exactly one of selector")]
    [InlineData("targets:\n  - name: a\n    query: up\n", "targets[0].query", "needs prometheus.url")]
    [InlineData("prometheus:\n  url: ftp://x\n", "prometheus.url", "not an http")]
    [InlineData("targets:\n  - name: a\n    selector: up\n    anomaly:\n      surprise_window: 2m\n", "targets[0].anomaly.surprise_window", "at least 4")]
    [InlineData("targets:\n  - name: a\n    selector: up\n    anomaly:\n      surprise_window: soon\n", "targets[0].anomaly.surprise_window", "not a positive duration")]
    [InlineData("targets:\n  - name: a\n    selector: up\n    anomaly:\n      novelty_tolerance: -0.1\n", "targets[0].anomaly.novelty_tolerance", "at least 0")]
    [InlineData("targets:\n  - name: a\n    selector: up\n    anomaly:\n      novelty_smoothing_steps: 0\n", "targets[0].anomaly.novelty_smoothing_steps", "must be positive")]
    [InlineData("targets:\n  - name: a\n    selector: up\n    anomaly:\n      novelty_onset_steps: 0\n", "targets[0].anomaly.novelty_onset_steps", "must be positive")]
    [InlineData("targets:\n  - name: a\n    selector: up\n    anomaly:\n      novelty_daily_correlation: 1.5\n", "targets[0].anomaly.novelty_daily_correlation", "must be a correlation")]
    [InlineData("targets:\n  - name: a\n    selector: up\n    anomaly:\n      novelty_half_life: forever\n", "targets[0].anomaly.novelty_half_life", "not a positive duration")]
    [InlineData("targets: [", "line 2, column 1", "While parsing a")]
    public void NamesTheBadKeyAndSaysWhy(string yaml, string key, string reason)
    {
        var e = Assert.Throws<ConfigException>(() => ConfigLoader.Load(yaml));
        Assert.Contains(key, e.Message);
        Assert.Contains(reason, e.Message);
    }

    [Fact]
    public void NamesEveryUnknownKeyWithItsLineAndTheNearestKnownOneBesideTheOtherErrors()
    {
        var e = Assert.Throws<ConfigException>(() => ConfigLoader.Load("""
            limit:
              max_series: 10
            targets:
              - name: a
                selector: up
                stepp: 1m
                model:
                  hiden_size: 8
                anomaly:
                  sigmas: -1
              - name: b
                selector: up
                capacity:
                  threshold: 90
                  directon: above
            """, "typos.yml"));
        Assert.Contains("line 1, column 1: unknown key 'limit'; did you mean 'limits'?", e.Message);
        Assert.Contains("targets[0]: line 6, column 5: unknown key 'stepp'; did you mean 'step'?", e.Message);
        Assert.Contains("targets[0].model: line 8, column 7: unknown key 'hiden_size'; did you mean 'hidden_size'?", e.Message);
        Assert.Contains("targets[1].capacity: line 15, column 7: unknown key 'directon'; did you mean 'direction'?", e.Message);
        // The values of the keys that exist are still checked, in the same message.
        Assert.Contains("targets[0].anomaly.sigmas: -1 must be positive", e.Message);
    }

    [Fact]
    public void AnUnknownKeyFarFromEveryKnownOneGetsNoSuggestion()
    {
        var e = Assert.Throws<ConfigException>(() => ConfigLoader.Load("colour: blue\n"));
        Assert.Contains("unknown key 'colour'", e.Message);
        Assert.DoesNotContain("did you mean", e.Message);
    }

    [Fact]
    public void AMissingFileIsAConfigError()
    {
        var e = Assert.Throws<ConfigException>(() => ConfigLoader.LoadFile("/nonexistent/sidecar.yml"));
        Assert.Contains("/nonexistent/sidecar.yml", e.Message);
    }
}
