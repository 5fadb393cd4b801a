using Microsoft.Extensions.Logging.Abstractions;
using Prometheus;
using Sidecar.Expose;
using Sidecar.Host;
using Sidecar.Ingest;
using Sidecar.Pipeline;
using Sidecar.Store;
using Sidecar.Tests.Support;

namespace Sidecar.Tests.Store;

/// <summary>
/// A series silent past its target's retention is forgotten: its slot under <c>max_series</c>, its id, its
/// routes, its pipeline state and gauges are freed, and the same labels coming back start a new series.
/// </summary>
public sealed class SeriesForgettingTests
{
    private static readonly DateTimeOffset Start = DateTimeOffset.FromUnixTimeSeconds(1_700_000_000);

    private static SidecarSettings Settings(int maxSeries = 4, string forgetAfter = "30s", string secondTarget = "") => ConfigLoader.Load($"""
        limits:
          max_series: {maxSeries}
        demo:
          mode: off
        targets:
          - name: t
            selector: '{"{"}__name__=~"m_.*"{"}"}'
            step: 1s
            horizons: [2s]
            history: 10m
            series_timeout_steps: 5
            forget_after: {forgetAfter}
            model:
              window: 8
              min_history: 90s
              fit_window: 10m
              fallback: none
        {secondTarget}
        """);

    private readonly ManualTimeProvider _time = new(Start);

    private void Write(SeriesStore store, string name, string pod, double value = 1) =>
        RemoteWriteV1Decoder.Ingest(store, WriteRequests.Encode(WriteRequests.Series(name, ("pod", pod)).With((_time.GetUtcNow().ToUnixTimeMilliseconds(), value))));

    private static Series[] Live(SeriesStore store, int target = 0) => store.Targets[target].Snapshot();

    [Fact]
    public void GenerationsOfNewLabelSetsNeverFillMaxSeriesOnceOldOnesArePastRetention()
    {
        // Retention 30 s and a generation every 20 s: at most three generations (6 series) are held at once.
        var store = new SeriesStore(Settings(maxSeries: 6), _time);
        int refused = 0;
        store.SeriesOverLimit += (_, _) => refused++;
        int maxId = 0, forgotten = 0;
        // 25 generations of 2 pods, each writing for 20 s and then going silent for good: 50 label sets against a limit of 6.
        for (int generation = 0; generation < 25; generation++)
        {
            for (int second = 0; second < 20; second++)
            {
                Write(store, "m_cpu", $"g{generation}-a");
                Write(store, "m_cpu", $"g{generation}-b");
                _time.Advance(TimeSpan.FromSeconds(1));
                forgotten += store.ForgetSilent().Sum(t => t.Forgotten);
            }
            maxId = Math.Max(maxId, Live(store).Max(s => s.Id));
            Assert.InRange(store.SeriesCount, 2, 6);
        }
        Assert.Equal(0, refused);
        Assert.InRange(maxId, 0, 5); // ids are reused, so arrays indexed by them stay bounded
        Assert.InRange(forgotten, 44, 48);
        Assert.Equal(store.SeriesCount, Live(store).Length);
    }

    [Fact]
    public void ALabelSetThatComesBackAfterBeingForgottenStartsAsANewSeries()
    {
        var store = new SeriesStore(Settings(), _time);
        for (int i = 0; i < 10; i++)
        {
            Write(store, "m_cpu", "a", 5);
            _time.Advance(TimeSpan.FromSeconds(1));
        }
        Series old = Live(store).Single();
        _time.Advance(TimeSpan.FromSeconds(31));
        Assert.Equal(1, store.ForgetSilent().Single().Forgotten);
        Assert.True(old.Forgotten);
        Assert.Empty(Live(store));
        Assert.Equal(0, store.SeriesCount);

        Write(store, "m_cpu", "a", 7);
        Series back = Live(store).Single();
        Assert.NotSame(old, back);
        Assert.Equal(old.Id, back.Id);
        Assert.Equal(0, back.ClosedStepCount); // fresh: none of the old history
        Assert.True(float.IsNaN(old.CopyHistoryAt(_time.GetUtcNow().ToUnixTimeMilliseconds() / 1000)), "the sample reached the forgotten series");
    }

    [Fact]
    public void ASeriesStillWritingIsNotForgotten()
    {
        var store = new SeriesStore(Settings(), _time);
        for (int i = 0; i < 120; i++)
        {
            Write(store, "m_cpu", "a");
            _time.Advance(TimeSpan.FromSeconds(1));
            Assert.Empty(store.ForgetSilent());
        }
        Assert.Single(Live(store));
    }

    [Fact]
    public void ALabelSetTwoTargetsShareIsForgottenByOneAndKeptByTheOther()
    {
        // Target u selects the same series and keeps them for the whole history.
        var store = new SeriesStore(Settings(secondTarget: """
              - name: u
                selector: 'm_cpu'
                step: 1s
                horizons: [2s]
                history: 10m
                model:
                  window: 8
                  min_history: 90s
                  fit_window: 10m
            """), _time);
        Write(store, "m_cpu", "a");
        Series kept = Live(store, 1).Single();
        _time.Advance(TimeSpan.FromSeconds(31));
        Assert.Equal("t", store.ForgetSilent().Single().Target.Settings.Name);
        Assert.Empty(Live(store, 0));
        Assert.Same(kept, Live(store, 1).Single());

        // The next sample reaches the series u kept, not a duplicate, and starts a new one in t.
        Write(store, "m_cpu", "a", 3);
        Assert.Same(kept, Live(store, 1).Single());
        Assert.Single(Live(store, 0));
        Assert.Equal(2, store.SeriesCount);
    }

    [Fact]
    public void ForgettingGoesOnAfterAReloadThatKeepsTheStore()
    {
        var settings = Settings();
        var store = new SeriesStore(settings, _time);
        Write(store, "m_cpu", "silent");
        Write(store, "m_cpu", "busy");
        Series busy = Live(store).Single(s => s.Labels.Get("pod") == "busy");
        // A reload that keeps the target: routes are dropped and the store indexes its series by labels.
        var (targets, created) = store.Reconfigure(settings, s => store.Targets.Single(t => t.Settings.Name == s.Name));
        Assert.Empty(created);
        for (int i = 0; i < 35; i++)
        {
            _time.Advance(TimeSpan.FromSeconds(1));
            Write(store, "m_cpu", "busy");
            store.ForgetSilent();
        }
        Assert.Same(busy, Live(store).Single());
        Assert.Null(targets[0].FindKept(new LabelSet([new("__name__", "m_cpu"), new("pod", "silent")])));

        // The forgotten label set comes back as a new series; the kept one still gets its samples.
        Write(store, "m_cpu", "silent", 9);
        Assert.Equal(2, Live(store).Length);
        Assert.Same(busy, Live(store).Single(s => s.Labels.Get("pod") == "busy"));
        Assert.Equal(2, store.SeriesCount);
    }

    [Fact]
    public async Task ThePipelineFreesAForgottenSeriesAndANewSeriesWithItsIdInheritsNothing()
    {
        var store = new SeriesStore(Settings(), _time);
        var registry = Metrics.NewCustomRegistry();
        using var pipeline = new TargetPipeline(store.Targets[0], TestGauges.For(registry), new SelfMetrics(registry), _time, NullLogger.Instance);
        for (int i = 0; i < 20; i++)
        {
            Write(store, "m_cpu", "old", 10 + i % 3);
            _time.Advance(TimeSpan.FromSeconds(1));
            pipeline.Process();
        }
        Series old = Live(store).Single();
        Assert.NotNull(pipeline.Latest(old));
        _time.Advance(TimeSpan.FromSeconds(31));
        pipeline.Process();
        Assert.Single(store.ForgetSilent());
        pipeline.Process();
        Assert.Null(pipeline.Latest(old));
        string text = await RegistryText.ScrapeAsync(registry);
        Assert.Contains("forecast_sidecar_series_tracked{target=\"t\"} 0", text);
        Assert.Contains("forecast_sidecar_series_exposed{target=\"t\"} 0", text);
        Assert.DoesNotContain("pod=\"old\"", text);

        Write(store, "m_cpu", "new", 1);
        Series fresh = Live(store).Single();
        Assert.Equal(old.Id, fresh.Id);
        Assert.Null(pipeline.Latest(fresh)); // no state until it is processed: not the old series' state
        Assert.DoesNotContain(pipeline.ExportScores().Series, s => s.Key.Contains("old", StringComparison.Ordinal));
    }

    [Fact]
    public async Task TheTargetsModelKeepsServingTheSeriesThatRemain()
    {
        var store = new SeriesStore(Settings(), _time);
        var registry = Metrics.NewCustomRegistry();
        using var pipeline = new TargetPipeline(store.Targets[0], TestGauges.For(registry), new SelfMetrics(registry), _time, NullLogger.Instance);
        for (int i = 0; i < 120; i++)
        {
            Write(store, "m_cpu", "stays", 50 + 10 * Math.Sin(i / 5.0));
            if (i < 100)
                Write(store, "m_cpu", "goes", 20 + 5 * Math.Cos(i / 7.0));
            _time.Advance(TimeSpan.FromSeconds(1));
        }
        var target = store.Targets[0];
        pipeline.Publish(Sidecar.Model.Trainer.Train(TrainingData.From(target), target.Settings.Model, "test", null, CancellationToken.None).Model);
        pipeline.Process();
        _time.Advance(TimeSpan.FromSeconds(15));
        Write(store, "m_cpu", "stays", 50);
        Assert.Single(store.ForgetSilent());
        _time.Advance(TimeSpan.FromSeconds(1));
        Write(store, "m_cpu", "stays", 51);
        pipeline.Process();
        string text = await RegistryText.ScrapeAsync(registry);
        Assert.True(text.Contains("predicted_value{pod=\"stays\",metric=\"m_cpu\",target=\"t\",horizon=\"2s\",model=\"lstm\"}", StringComparison.Ordinal),
            string.Join('\n', text.Split('\n').Where(l => l.Contains("m_cpu", StringComparison.Ordinal))));
        Assert.DoesNotContain("pod=\"goes\"", text);
    }

    [Fact]
    public void ForgetAfterDefaultsToTheHistoryAndMayNotHideSeriesBeforeTheirGaugesTimeOut()
    {
        var defaults = ConfigLoader.Load("demo:\n  mode: off\ntargets:\n  - name: t\n    selector: up\n    step: 1m\n    history: 2d\n");
        Assert.Equal(2 * 86_400_000L, defaults.Targets[0].RetentionMs);
        var e = Assert.Throws<ConfigException>(() => ConfigLoader.Load("targets:\n  - name: t\n    selector: up\n    step: 1m\n    forget_after: 5m\n"));
        Assert.Contains("targets[0].forget_after", e.Message);
        Assert.Contains("series_timeout_steps", e.Message);
    }
}
