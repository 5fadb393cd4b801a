using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging.Abstractions;
using Prometheus;
using Sidecar.Api;
using Sidecar.Api.Grpc;
using Sidecar.Expose;
using Sidecar.Host;
using Sidecar.Ingest;
using Sidecar.Pipeline;
using Sidecar.Score;
using Sidecar.Store;
using Sidecar.Tests.Support;
using Sidecar.Web;

namespace Sidecar.Tests.Pipeline;

public sealed partial class NoveltyPipelineTests
{
    private const long StepMs = 600_000;
    private const int DaySteps = 144;
    private const int HistorySteps = 3 * DaySteps;
    private static readonly DateTimeOffset Start = DateTimeOffset.FromUnixTimeSeconds(1_700_000_400);

    // Ten-minute steps, so that a day (the novelty warm-up and day-over-day lag) is 144 steps.
    internal static SidecarSettings Settings(string history = "4d") => ConfigLoader.Load($"""
        demo:
          mode: off
        targets:
          - name: t
            selector: test_metric
            step: 10m
            horizons: [10m, 20m]
            history: {history}
            model:
              window: 8
              min_history: 1d
              fit_window: 2d
        """);

    [Fact]
    public async Task ASeriesBornWithHistoryStartsOnRecordsOfAllOfItAndReportsAnEscapeOnce()
    {
        // The last closed step (the newest one still fills) leaves everything before it far behind.
        using var backfill = new Backfill(i => i == HistorySteps - 2 ? 150 : Daily(i));
        var (time, store, registry, pipeline, values, series) = (backfill.Time, backfill.Store, backfill.Registry, backfill.Pipeline, backfill.Values, backfill.Series);
        long first = Backfill.First;
        long step0 = first / StepMs;
        Assert.Equal(step0 + HistorySteps - 2, series.LastClosedStep);
        double primed = pipeline.Latest(series)!.Novelty;
        Assert.True(primed > 1, $"novelty {primed}");
        Assert.Equal(primed, NoveltyOnMetrics(await RegistryText.ScrapeAsync(registry)), 6);

        // The API and the web UI show it too.
        var detail = new SidecarQueries(new PipelineSet([pipeline]), time).Series("t", series.Labels.ToString(), historySteps: 10)!;
        Assert.Equal(primed, detail.Novelty, 12);
        Assert.Equal(primed, GrpcMessages.ToMessage(detail).AnomalyNovelty, 12);
        Assert.Contains($"class=\"novelty\" data-value=\"{primed.ToString("R", CultureInfo.InvariantCulture)}\"", SeriesPage.Render(detail));

        // The same steps fed one by one give the same novelty: priming is not a second code path.
        var scorer = new NoveltyScorer(store.Targets[0].Settings.Anomaly.Novelty!);
        double fed = 0;
        for (int i = 0; i < HistorySteps - 1; i++)
            fed = scorer.Observe(step0 + i, values[i], i >= DaySteps ? values[i - DaySteps] : float.NaN, float.NaN, double.NaN);
        Assert.Equal(fed, primed, 12);

        // Back to normal at the next steps: nothing new, so nothing is reported.
        long next = first + HistorySteps * StepMs;
        RemoteWriteV1Decoder.Ingest(store, WriteRequests.Encode(WriteRequests.Series("test_metric", ("instance", "a")).With((next, Daily(HistorySteps)), (next + StepMs, Daily(HistorySteps + 1)))));
        time.Advance(TimeSpan.FromMilliseconds(3 * StepMs));
        pipeline.Process();
        Assert.Equal(0, NoveltyOnMetrics(await RegistryText.ScrapeAsync(registry)));
        values.Add(Daily(HistorySteps));
        values.Add(Daily(HistorySteps + 1));
        fed = FeedUpTo(series.LastClosedStepAt(time.GetUtcNow().ToUnixTimeMilliseconds()));
        Assert.Equal(fed, pipeline.Latest(series)!.Novelty, 12);

        // Then step by step, as in steady state, including a second escape after the first has left the
        // onset window (12 steps): the same as feeding by hand.
        double highest = 0;
        int live = values.Count;
        for (int i = live; i < live + 20; i++)
        {
            float value = i == live + 14 ? 400 : Daily(i);
            RemoteWriteV1Decoder.Ingest(store, WriteRequests.Encode(WriteRequests.Series("test_metric", ("instance", "a")).With((first + i * StepMs, value))));
            time.Advance(TimeSpan.FromMilliseconds(StepMs));
            pipeline.Process();
            values.Add(value);
            fed = FeedUpTo(series.LastClosedStepAt(time.GetUtcNow().ToUnixTimeMilliseconds()));
            Assert.Equal(fed, pipeline.Latest(series)!.Novelty, 12);
            highest = Math.Max(highest, fed);
        }
        Assert.True(highest > 1, "the second escape was reported");

        double FeedUpTo(long closed)
        {
            double novelty = 0;
            while (scorer.LastStep < closed)
            {
                int i = (int)(scorer.LastStep + 1 - step0);
                novelty = scorer.Observe(step0 + i, values[i], values[i - DaySteps], float.NaN, double.NaN);
            }
            return novelty;
        }
    }

    [Fact]
    public async Task AnEscapeWhileTheLoopWasBehindReachesTheGaugeWhenItCatchesUp()
    {
        using var backfill = new Backfill(Daily);
        var (time, store, registry, pipeline, values, series) = (backfill.Time, backfill.Store, backfill.Registry, backfill.Pipeline, backfill.Values, backfill.Series);
        long first = Backfill.First;

        // Five steps arrive while the loop is held up; the second of them leaves every record far behind,
        // and the loop next runs when all five have closed.
        var late = WriteRequests.Series("test_metric", ("instance", "a"));
        for (int i = HistorySteps; i < HistorySteps + 6; i++)
        {
            values.Add(i == HistorySteps + 1 ? 400 : Daily(i));
            late.With((first + i * StepMs, values[^1]));
        }
        RemoteWriteV1Decoder.Ingest(store, WriteRequests.Encode(late));
        time.Advance(TimeSpan.FromMilliseconds(6 * StepMs));
        pipeline.Process();

        // The same steps fed by hand: the escape's step reports, the newest step does not, and the gauge
        // shows the escape's novelty.
        long step0 = first / StepMs;
        var scorer = new NoveltyScorer(store.Targets[0].Settings.Anomaly.Novelty!);
        var fed = new List<double>();
        for (long step = step0; step <= series.LastClosedStepAt(time.GetUtcNow().ToUnixTimeMilliseconds()); step++)
        {
            int i = (int)(step - step0);
            fed.Add(scorer.Observe(step, values[i], i >= DaySteps ? values[i - DaySteps] : float.NaN, float.NaN, double.NaN));
        }
        Assert.Equal(0, fed[^1]);
        double escape = fed[HistorySteps + 1];
        Assert.True(escape > 1, $"novelty {escape}");
        Assert.Equal(escape, pipeline.Latest(series)!.Novelty, 12);
        Assert.Equal(escape, NoveltyOnMetrics(await RegistryText.ScrapeAsync(registry)), 6);

        // Once published, it is not published again: the next step is the next step's.
        values.Add(Daily(HistorySteps + 6));
        RemoteWriteV1Decoder.Ingest(store, WriteRequests.Encode(WriteRequests.Series("test_metric", ("instance", "a")).With((first + (HistorySteps + 6) * StepMs, values[^1]))));
        time.Advance(TimeSpan.FromMilliseconds(StepMs));
        pipeline.Process();
        Assert.Equal(0, NoveltyOnMetrics(await RegistryText.ScrapeAsync(registry)));
    }

    [Fact]
    public void PassesOfAFewSeriesGiveEachTheNoveltyAndFallbackForecastOfOnePass()
    {
        // Five series, each leaving its records at a step of its own, stepped by a pipeline whose step leaves
        // novelty and the fallback's forecasts to passes of two series at a time, and by one with the default
        // (all five in one pass). No model serves them: the fallback's forecast shows each step's novelty.
        using var paired = new Fleet(seriesPerPass: 2);
        using var whole = new Fleet(seriesPerPass: null);
        double highest = 0;
        for (int live = 0; live < 24; live++)
        {
            paired.Step(live);
            whole.Step(live);
            for (int s = 0; s < Fleet.Count; s++)
            {
                SeriesForecast expected = whole.Latest(s), actual = paired.Latest(s);
                Assert.Equal(expected.Model, actual.Model);
                Assert.Equal(expected.Step, actual.Step);
                Assert.NotNull(actual.Horizons); // published at this step, whichever place in its pass the series had
                Assert.Equal(expected.Horizons, actual.Horizons);
                Assert.Equal(expected.Novelty, actual.Novelty);
                highest = Math.Max(highest, actual.Novelty);
            }
        }
        Assert.True(highest > 1, $"an escape was reported (highest novelty {highest})");
    }

    private sealed class Fleet : IDisposable
    {
        public const int Count = 5;
        private readonly ManualTimeProvider _time = new(Start);
        private readonly SeriesStore _store;
        private readonly long _firstMs = Start.ToUnixTimeMilliseconds() - HistorySteps * StepMs;
        private readonly TargetPipeline _pipeline;

        public Fleet(int? seriesPerPass)
        {
            _store = new SeriesStore(Settings(), _time);
            var registry = Metrics.NewCustomRegistry();
            _pipeline = new TargetPipeline(_store.Targets[0], TestGauges.For(registry), new SelfMetrics(registry), _time, NullLogger.Instance);
            if (seriesPerPass is { } perPass)
                _pipeline.SeriesPerPass = perPass;
            for (int s = 0; s < Count; s++)
            {
                var history = WriteRequests.Series("test_metric", ("instance", Instance(s)));
                for (int i = 0; i < HistorySteps; i++)
                    history.With((_firstMs + i * StepMs, Value(s, i)));
                RemoteWriteV1Decoder.Ingest(_store, WriteRequests.Encode(history));
            }
            _pipeline.Process();
        }

        /// <summary>Writes the live step <paramref name="live"/> of every series and processes it.</summary>
        public void Step(int live)
        {
            int i = HistorySteps + live;
            for (int s = 0; s < Count; s++)
                RemoteWriteV1Decoder.Ingest(_store, WriteRequests.Encode(WriteRequests.Series("test_metric", ("instance", Instance(s))).With((_firstMs + i * StepMs, Value(s, i)))));
            _time.Advance(TimeSpan.FromMilliseconds(StepMs));
            _pipeline.Process();
        }

        public SeriesForecast Latest(int s) =>
            _pipeline.Latest(_store.Targets[0].Snapshot().Single(series => series.Labels.ToString().Contains(Instance(s), StringComparison.Ordinal)))!;

        public void Dispose() => _pipeline.Dispose();

        private static string Instance(int s) => "host-" + s.ToString(CultureInfo.InvariantCulture);

        // Series s leaves its records four live steps after series s - 1 does.
        private static float Value(int s, int i) => i == HistorySteps + 2 + 4 * s ? 400 : Daily(i) + s;
    }

    [Fact]
    public async Task AZeroToleranceLeavesNoveltyOff()
    {
        var settings = ConfigLoader.Load("""
            demo:
              mode: off
            targets:
              - name: t
                selector: test_metric
                step: 1s
                horizons: [2s]
                history: 10m
                model:
                  window: 8
                  min_history: 90s
                  fit_window: 10m
                  fallback_range: 2m
                anomaly:
                  novelty_tolerance: 0
            """);
        var time = new ManualTimeProvider(Start);
        var store = new SeriesStore(settings, time);
        var registry = Metrics.NewCustomRegistry();
        using var pipeline = new TargetPipeline(store.Targets[0], TestGauges.For(registry), new SelfMetrics(registry), time, NullLogger.Instance);
        var series = WriteRequests.Series("test_metric", ("instance", "a"));
        for (int i = 0; i < 100; i++)
            series.With((Start.ToUnixTimeMilliseconds() - (100 - i) * 1000L, i));
        RemoteWriteV1Decoder.Ingest(store, WriteRequests.Encode(series));
        pipeline.Process();
        string text = await RegistryText.ScrapeAsync(registry);
        Assert.Contains("anomaly_score{", text);
        Assert.DoesNotContain("anomaly_novelty", text);
    }

    [Fact]
    public async Task TheWeekOverWeekViewSeesEachStepsValueAWeekEarlierWhenPrimedAndStepByStep()
    {
        // Nine days of ten-minute steps in a ten-day history: the last two hold a value a week earlier.
        const int WeekSteps = 7 * DaySteps, Written = WeekSteps + 2 * DaySteps;
        var settings = Settings(history: "10d");
        Assert.Equal(WeekSteps, settings.Targets[0].Anomaly.Novelty!.WeekSteps);
        // Days 0-4 are workdays, 5 and 6 a weekend; the tenth day (a Wednesday, counted from 0 as day 9) is a holiday.
        const int Holiday = 9;
        static float Workweek(int i) => i / DaySteps == Holiday || i / DaySteps % 7 >= 5 ? 20 + (float)Math.Sin(i * 1.7) : Daily(i);
        using var backfill = new Backfill(Workweek, settings, Written);
        var (time, store, registry, pipeline, values, series) = (backfill.Time, backfill.Store, backfill.Registry, backfill.Pipeline, backfill.Values, backfill.Series);
        long step0 = backfill.FirstMs / StepMs;

        // Priming on the history is the same as feeding every step by hand with its day-ago and week-ago values.
        var scorer = new NoveltyScorer(store.Targets[0].Settings.Anomaly.Novelty!);
        double fed = FeedUpTo(series.LastClosedStep);
        Assert.Equal(fed, pipeline.Latest(series)!.Novelty, 12);

        // Then the holiday, step by step: the same as by hand at every step, and reported.
        double highest = 0;
        for (int i = Written; i < (Holiday + 1) * DaySteps; i++)
        {
            values.Add(Workweek(i));
            RemoteWriteV1Decoder.Ingest(store, WriteRequests.Encode(WriteRequests.Series("test_metric", ("instance", "a")).With((backfill.FirstMs + i * StepMs, values[^1]))));
            time.Advance(TimeSpan.FromMilliseconds(StepMs));
            pipeline.Process();
            fed = FeedUpTo(series.LastClosedStepAt(time.GetUtcNow().ToUnixTimeMilliseconds()));
            Assert.Equal(fed, pipeline.Latest(series)!.Novelty, 12);
            highest = Math.Max(highest, fed);
        }
        Assert.True(highest > 1, $"the holiday reached novelty {highest}");
        Assert.Equal(fed, NoveltyOnMetrics(await RegistryText.ScrapeAsync(registry)), 6);

        double FeedUpTo(long closed)
        {
            double novelty = 0;
            while (scorer.LastStep < closed)
            {
                int i = scorer.LastStep == long.MinValue ? 0 : (int)(scorer.LastStep + 1 - step0);
                novelty = scorer.Observe(step0 + i, values[i], i >= DaySteps ? values[i - DaySteps] : float.NaN,
                    i >= WeekSteps ? values[i - WeekSteps] : float.NaN, double.NaN);
            }
            return novelty;
        }
    }

    /// <summary>
    /// One series' history (<see cref="HistorySteps"/> steps unless told otherwise) up to <see cref="Start"/>, backfilled whole
    /// before the pipeline first sees the series, then the pipeline's first pass.
    /// </summary>
    private sealed class Backfill : IDisposable
    {
        public static readonly long First = Start.ToUnixTimeMilliseconds() - HistorySteps * StepMs;

        /// <param name="settings">The target's settings; <see cref="Settings"/> by default.</param>
        /// <param name="historySteps">Steps written before the pipeline first runs, ending where <see cref="First"/>'s do.</param>
        public Backfill(Func<int, float> value, SidecarSettings? settings = null, int historySteps = HistorySteps)
        {
            FirstMs = Start.ToUnixTimeMilliseconds() - historySteps * StepMs;
            Store = new SeriesStore(settings ?? Settings(), Time);
            Pipeline = new TargetPipeline(Store.Targets[0], TestGauges.For(Registry), new SelfMetrics(Registry), Time, NullLogger.Instance);
            var history = WriteRequests.Series("test_metric", ("instance", "a"));
            for (int i = 0; i < historySteps; i++)
            {
                Values.Add(value(i));
                history.With((FirstMs + i * StepMs, Values[^1]));
            }
            RemoteWriteV1Decoder.Ingest(Store, WriteRequests.Encode(history));
            Pipeline.Process();
            Series = Store.Targets[0].Snapshot().Single();
        }

        /// <summary>The time of the first value written.</summary>
        public long FirstMs { get; }

        public ManualTimeProvider Time { get; } = new(Start);
        public SeriesStore Store { get; }
        public CollectorRegistry Registry { get; } = Metrics.NewCustomRegistry();
        public TargetPipeline Pipeline { get; }
        /// <summary>The values written, by step from <see cref="First"/>; tests append what they write later.</summary>
        public List<float> Values { get; } = [];
        public Series Series { get; }

        public void Dispose() => Pipeline.Dispose();
    }

    private static float Daily(int i) => (float)(50 + 20 * Math.Sin(2 * Math.PI * i / DaySteps) + 3 * Math.Sin(i * 1.7));

    private static double NoveltyOnMetrics(string text)
    {
        var match = NoveltyLine().Match(text);
        Assert.True(match.Success, "anomaly_novelty is on /metrics");
        return double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
    }

    [GeneratedRegex(@"^anomaly_novelty\{instance=""a"",metric=""test_metric"",target=""t""\} (\S+)$", RegexOptions.Multiline)]
    private static partial Regex NoveltyLine();
}
