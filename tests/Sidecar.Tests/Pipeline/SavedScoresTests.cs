using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Prometheus;
using Sidecar.Expose;
using Sidecar.Host;
using Sidecar.Ingest;
using Sidecar.Model;
using Sidecar.Pipeline;
using Sidecar.Score;
using Sidecar.Store;
using Sidecar.Tests.Support;

namespace Sidecar.Tests.Pipeline;

/// <summary>
/// The scoring state (anomaly scale, surprise, novelty records) goes through its file at each snapshot
/// and comes back after a restart, so scores don't start their warm-up again.
/// </summary>
public sealed class SavedScoresTests
{
    private static readonly DateTimeOffset Now = DateTimeOffset.FromUnixTimeSeconds(1_700_000_000);
    private static readonly byte[] Magic = "FSSCORE1"u8.ToArray();

    [Fact]
    public void ARestartedPipelineHoldsExactlyTheScoringStateItSavedAndScoresWithoutWarmingUp()
    {
        var settings = TestSettings.SmallTarget();
        var time = new ManualTimeProvider(Now);
        long t0 = Now.ToUnixTimeMilliseconds() - 400_000;
        void Write(SeriesStore store, int from, int count)
        {
            var series = WriteRequests.Series("test_metric", ("instance", "a"));
            for (int i = from; i < from + count; i++)
                series.With((t0 + i * 1000L, 30 + 8 * Math.Sin(i / 4.0) + (i % 5)));
            RemoteWriteV1Decoder.Ingest(store, WriteRequests.Encode(series));
        }
        TargetPipeline Start(SeriesStore store)
        {
            var registry = Metrics.NewCustomRegistry();
            return new TargetPipeline(store.Targets[0], TestGauges.For(registry), new SelfMetrics(registry), time, NullLogger.Instance);
        }
        using var directory = new TemporaryDirectory("saved-scores-");
        string statesPath = SavedStatesFile.PathFor(directory.FullName, "t"), scoresPath = SavedScoresFile.PathFor(directory.FullName, "t");

        var before = new SeriesStore(settings, time);
        Write(before, 0, 200);
        using var model = Trainer.Train(TrainingData.From(before.Targets[0]), settings.Targets[0].Model, "test", null, CancellationToken.None).Model;
        using var running = Start(before);
        running.Publish(model.Clone());
        running.Process();
        for (int i = 200; i < 240; i++)
        {
            Write(before, i, 1);
            running.Process();
        }
        SavedStatesFile.Write(statesPath, running.ExportStates()!);
        SavedScoresFile.Write(scoresPath, running.ExportScores());
        byte[] saved = File.ReadAllBytes(scoresPath);

        // "Restart" twice over the same history: with the scoring state, and without it.
        var novelty = settings.Targets[0].Anomaly.Novelty;
        (SeriesStore, TargetPipeline) Restart(bool withScores)
        {
            var store = new SeriesStore(settings, time);
            Write(store, 0, 240);
            var pipeline = Start(store);
            pipeline.SeedStates(SavedStatesFile.Read(statesPath));
            if (withScores)
                pipeline.SeedScores(SavedScoresFile.Read(scoresPath, novelty));
            pipeline.Publish(model.Clone());
            pipeline.Process();
            return (store, pipeline);
        }
        var (restartedStore, restarted) = Restart(withScores: true);
        var (coldStore, cold) = Restart(withScores: false);
        using var _ = restarted;
        using var __ = cold;
        SavedScoresFile.Write(scoresPath, restarted.ExportScores());
        Assert.Equal(saved, File.ReadAllBytes(scoresPath));

        // From the first step after the restart on, the restarted pipeline scores exactly as the one that
        // never stopped, while the cold one is still warming up.
        for (int i = 240; i < 245; i++)
        {
            foreach (var (store, pipeline) in new[] { (before, running), (restartedStore, restarted), (coldStore, cold) })
            {
                Write(store, i, 1);
                pipeline.Process();
            }
        }
        SeriesForecast Latest(TargetPipeline pipeline) => pipeline.Latest(pipeline.Store.Snapshot().Single())!;
        Assert.True(Latest(running).AnomalyScore > 0, "the running pipeline doesn't score");
        Assert.Equal(Latest(running) with { Horizons = null, LstmMedians = null }, Latest(restarted) with { Horizons = null, LstmMedians = null });
        Assert.Equal(Latest(running).Horizons, Latest(restarted).Horizons);
        Assert.Equal(Latest(running).LstmMedians, Latest(restarted).LstmMedians);
        Assert.Equal(0, Latest(cold).AnomalyScore);
        SavedScoresFile.Write(scoresPath, running.ExportScores());
        saved = File.ReadAllBytes(scoresPath);
        SavedScoresFile.Write(scoresPath, restarted.ExportScores());
        Assert.Equal(saved, File.ReadAllBytes(scoresPath));
        SavedScoresFile.Write(scoresPath, cold.ExportScores());
        Assert.NotEqual(saved, File.ReadAllBytes(scoresPath));
    }

    private static NoveltySettings Novelty(int onset = 12) => new(Tolerance: 0.05, SmoothingSteps: 4, DaySteps: 6, HalfLifeSteps: 100, OnsetSteps: onset, DailyCorrelation: 0.5, WarmupSteps: 6);

    /// <summary>Two series whose scorers have seen something: one with a novelty scorer, one without.</summary>
    private static SavedScores Sample(NoveltySettings novelty)
    {
        var settings = TestSettings.SmallTarget().Targets[0].Anomaly;
        var scorer = new AnomalyScorer();
        var surprise = new ScoreSurprise();
        var noveltyScorer = new NoveltyScorer(novelty);
        for (int i = 0; i < 30; i++)
        {
            double score = scorer.Score(Math.Sin(i), 10 + i, 0.5, 0.7, settings);
            noveltyScorer.Observe(i, 10 + i % 7, i >= 6 ? 10 + (i - 6) % 7 : float.NaN, float.NaN, surprise.Observe(score, 20));
        }
        var interval = new AdaptiveInterval([1, 12], 0.9);
        for (int i = 0; i < 40; i++)
        {
            interval.Observe(i, i % 5);
            interval.Record(0, i, 2, 1, 3);
            interval.Record(1, i, 2, 1.5f, 2.5f);
        }
        var combination = new ForecastCombination([1, 12], 24);
        var season = Enumerable.Range(0, 24).Select(i => Math.Sin(i / 4.0)).ToArray();
        combination.Adopt(new Sidecar.Model.Baselines.HoltWintersModel(0.3, 0.05, 0.2, 10, 0.01, season, 5, 1.5), fittedThrough: 0);
        for (int i = 1; i < 40; i++)
        {
            combination.Observe(i, 10 + i % 5);
            combination.Feed(i, [10 + i % 5]);
            combination.Combine(0, i, 11);
            combination.Combine(1, i, 9);
        }
        return new SavedScores(novelty.SmoothingSteps, novelty.OnsetSteps,
        [
            new SavedSeriesScores("{instance=\"a\"}", scorer, surprise, noveltyScorer, new PendingForecast(30, 12.5f, 1, 2, FromModel: true), interval, combination),
            new SavedSeriesScores("{instance=\"b\"}", scorer, default, null, new PendingForecast(long.MinValue, 0, float.NaN, float.NaN, false)),
        ]);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ANoveltyScorerHandedOverUnderOtherSettingsGoesOnUnderTheNewOnesUnlessItsWindowsDiffer(bool otherWindows)
    {
        var settings = TestSettings.SmallTarget();
        var time = new ManualTimeProvider(Now);
        var store = new SeriesStore(settings, time);
        var series = WriteRequests.Series("test_metric", ("instance", "a"));
        long t0 = Now.ToUnixTimeMilliseconds() - 100_000;
        for (int i = 0; i < 90; i++)
            series.With((t0 + i * 1000L, i % 7));
        RemoteWriteV1Decoder.Ingest(store, WriteRequests.Encode(series));
        var registry = Metrics.NewCustomRegistry();
        using var pipeline = new TargetPipeline(store.Targets[0], TestGauges.For(registry), new SelfMetrics(registry), time, NullLogger.Instance);
        var current = settings.Targets[0].Anomaly.Novelty!;
        // As a reload hands it over: made under another tolerance, or other windows, and some steps behind.
        var old = new NoveltyScorer(current with { Tolerance = current.Tolerance * 2, OnsetSteps = otherWindows ? current.OnsetSteps + 1 : current.OnsetSteps });
        Series only = store.Targets[0].Snapshot().Single();
        long last = only.LastClosedStepAt(Now.ToUnixTimeMilliseconds());
        for (long step = last - 50; step < last - 10; step++)
            old.Observe(step, only.CopyHistoryAt(step), float.NaN, float.NaN, double.NaN);
        var scorer = new AnomalyScorer();
        for (int i = 0; i < 5; i++)
            scorer.Score(0.1 * i, 3, 0.5, 0.5, settings.Targets[0].Anomaly);
        var none = new PendingForecast(long.MinValue, 0, float.NaN, float.NaN, false);
        pipeline.SeedScores(new SavedScores(current.SmoothingSteps, current.OnsetSteps, [new SavedSeriesScores(only.Labels.ToString(), scorer, default, old, none)]));
        pipeline.Process();

        // The rest of the state is taken over in any case; novelty under the pipeline's own settings, either
        // going on from the old records (caught up to the newest step) or, with other windows, primed afresh.
        var taken = pipeline.ExportScores().Series.Single();
        Assert.Equal(5, taken.Scorer.Count);
        Assert.Equal(current, taken.Novelty!.Settings);
        Assert.Equal(last, taken.Novelty.LastStep);
        // The old records read back under the pipeline's settings (its table takes a scorer's state, whatever its settings).
        var expected = otherWindows ? new NoveltyScorer(current) : NoveltyScorer.ReadFrom(new BinaryReader(new MemoryStream(Bytes(old))), current);
        new NoveltyHistory(settings.Targets[0]).Advance(expected, only, last, only.CopyHistoryAt(last), double.NaN);
        Assert.Equal(Bytes(expected), Bytes(taken.Novelty));
    }

    private static byte[] Bytes(NoveltyScorer scorer)
    {
        using var stream = new MemoryStream();
        using (var writer = new BinaryWriter(stream))
            scorer.WriteTo(writer);
        return stream.ToArray();
    }

    [Fact]
    public void TheFileRoundTripsAndNoveltyGoesOnFromWhereItWas()
    {
        using var directory = new TemporaryDirectory("saved-scores-");
        string path = SavedScoresFile.PathFor(directory.FullName, "t");
        var novelty = Novelty();
        var saved = Sample(novelty);
        SavedScoresFile.Write(path, saved);
        var read = SavedScoresFile.Read(path, novelty);

        Assert.Equal(saved.Series.Select(s => (s.Key, s.Pending, s.Scorer.Count, s.Scorer.Sigma)), read.Series.Select(s => (s.Key, s.Pending, s.Scorer.Count, s.Scorer.Sigma)));
        Assert.Null(read.Series[1].Novelty);
        // Both scorers go on identically: the surprise and the novelty (which draws on the value history in its windows).
        var (original, copy) = (saved.Series[0], read.Series[0]);
        var (originalSurprise, copySurprise) = (original.Surprise, copy.Surprise);
        for (int i = 30; i < 60; i++)
        {
            float value = i == 50 ? 40 : 10 + i % 7;
            Assert.Equal(originalSurprise.Observe(i % 5, 20), copySurprise.Observe(i % 5, 20));
            Assert.Equal(original.Novelty!.Observe(i, value, 10 + (i - 6) % 7, float.NaN, i % 3), copy.Novelty!.Observe(i, value, 10 + (i - 6) % 7, float.NaN, i % 3));
        }
        Assert.True(copy.Novelty!.Observe(60, 1000, 10, float.NaN, 0) > 1, "a value far beyond the records is novel");

        // The adaptive interval comes back with its stretches and the forecasts still waiting, and goes on alike.
        Assert.Null(read.Series[1].Interval);
        var (savedInterval, readInterval) = (original.Interval!, copy.Interval!);
        Assert.True(readInterval.Fits([1, 12]));
        for (int i = 40; i < 60; i++)
        {
            savedInterval.Observe(i, i % 7);
            readInterval.Observe(i, i % 7);
            Assert.Equal((savedInterval.Stretch(0), savedInterval.Stretch(1)), (readInterval.Stretch(0), readInterval.Stretch(1)));
        }
        Assert.NotEqual(1f, readInterval.Stretch(1)); // the 12-step forecasts recorded before the save were judged after it

        // The combination comes back with its fitted model, its errors and the forecasts still waiting, and goes on alike.
        Assert.Null(read.Series[1].Combination);
        var (savedCombination, readCombination) = (original.Combination!, copy.Combination!);
        Assert.True(readCombination.Fits([1, 12], 24));
        Assert.Equal((savedCombination.FittedThrough, savedCombination.ModelStep), (readCombination.FittedThrough, readCombination.ModelStep));
        // The weights as the saved errors choose them, before any new outcome moves them.
        Assert.NotEqual(0.5, savedCombination.LstmWeight(0));
        Assert.Equal(savedCombination.LstmWeight(0), readCombination.LstmWeight(0));
        Assert.Equal(savedCombination.LstmWeight(1), readCombination.LstmWeight(1));
        for (int i = 40; i < 80; i++)
        {
            float value = 10 + i % 5;
            savedCombination.Observe(i, value);
            readCombination.Observe(i, value);
            savedCombination.Feed(i, [value]);
            readCombination.Feed(i, [value]);
            Assert.Equal(savedCombination.Combine(0, i, 11), readCombination.Combine(0, i, 11));
            Assert.Equal(savedCombination.Combine(1, i, 9), readCombination.Combine(1, i, 9));
            Assert.Equal(savedCombination.LstmWeight(1), readCombination.LstmWeight(1));
        }
    }

    [Fact]
    public void AFileFromBeforeTheWeekViewKeepsNoveltysOtherRecords()
    {
        using var directory = new TemporaryDirectory("saved-scores-");
        string path = SavedScoresFile.PathFor(directory.FullName, "t");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var novelty = Novelty() with { WeekSteps = 12 };
        var scorer = new NoveltyScorer(novelty);
        for (int i = 0; i < 40; i++)
            scorer.Observe(i, 10 + i % 7, i >= 6 ? 10 + (i - 6) % 7 : float.NaN, i >= 12 ? 10 + (i - 12) % 7 : float.NaN, double.NaN);
        var pending = new PendingForecast(long.MinValue, 0, float.NaN, float.NaN, false);
        SavedScoresFile.Write(path, new SavedScores(novelty.SmoothingSteps, novelty.OnsetSteps,
            [new SavedSeriesScores("{a=\"1\"}", new AnomalyScorer(), new ScoreSurprise(), scorer, pending)]));

        // FSSCORE5 wrote the same, less the week view's record, window, correlation and count at the end of
        // the novelty scorer; here the series' last two bytes (no interval, no combination) follow it.
        byte[] payload = ChecksummedFile.ReadPayload(path, "FSSCORE6"u8, "test");
        int weekPart = 17 + 4 + 4 * novelty.SmoothingSteps + 52 + 4;
        byte[] before = [.. payload[..^(weekPart + 2)], .. payload[^2..]];
        ChecksummedFile.Write(path, "FSSCORE5"u8, before);

        var read = Assert.Single(SavedScoresFile.Read(path, novelty).Series).Novelty!;
        Assert.Equal(scorer.LastStep, read.LastStep);
        // Without week-ago values both go on alike: every record but the week view's came back.
        for (int i = 40; i < 60; i++)
        {
            float value = i == 55 ? 40 : 10 + i % 7;
            Assert.Equal(scorer.Observe(i, value, 10 + (i - 6) % 7, float.NaN, double.NaN), read.Observe(i, value, 10 + (i - 6) % 7, float.NaN, double.NaN));
        }
    }

    [Fact]
    public void AFileFromBeforeCombinationsIsStillRead()
    {
        using var directory = new TemporaryDirectory("saved-scores-");
        string path = SavedScoresFile.PathFor(directory.FullName, "t");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        // FSSCORE2: novelty off, one series with a scorer, no novelty, no interval, and nothing after it.
        using var payload = new MemoryStream();
        using (var writer = new BinaryWriter(payload, Encoding.UTF8, leaveOpen: true))
        {
            WriteOneSeriesWithoutNoveltyOrInterval(writer);
        }
        ChecksummedFile.Write(path, "FSSCORE2"u8, payload.ToArray());
        var read = SavedScoresFile.Read(path, novelty: null);
        Assert.Null(Assert.Single(read.Series).Combination);
    }

    [Fact]
    public void ACombinationFromBeforeTheMixesKeepsItsModelAndStartsItsWeightsAgain()
    {
        // FSSCORE3 kept each member's error per horizon (two doubles) where FSSCORE4 on keeps eleven mixes',
        // and its model's season in doubles.
        var current = new ForecastCombination([1], 24);
        current.Adopt(new Sidecar.Model.Baselines.HoltWintersModel(0.5, 0, 0, 7, 0, new double[24], 0, 0), 30);
        using var stream = new MemoryStream();
        using (var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true))
        {
            writer.Write(1);       // horizons
            writer.Write(1);
            writer.Write(24);      // day steps
            writer.Write(0.5);     // the LSTM's error
            writer.Write(2.5);     // the Holt-Winters' error
            writer.Write(40);      // outcomes
            for (int i = 0; i < WaitingSchedule.For([1]).Slots; i++)
                writer.Write(long.MinValue);
            for (int i = 0; i < 2 * WaitingSchedule.For([1]).Slots; i++)
                writer.Write(float.NaN);
            writer.Write(true);
            writer.Write(30L);     // fitted through
            writer.Write(31L);     // model step
            WriteModelWithDoubleOffsets(writer, 0.5, 7, new double[24]);
        }
        stream.Position = 0;
        using var reader = new BinaryReader(stream);
        var read = ForecastCombination.ReadFrom(reader, memberErrors: true, seasonAsDoubles: true);
        Assert.Equal(stream.Length, stream.Position);
        Assert.Equal((30L, 31L), (read.FittedThrough, read.ModelStep));
        Assert.Equal(0.5, read.LstmWeight(0));
        Assert.Equal(current.Model!.Forecast(1), read.Model!.Forecast(1));
    }

    /// <summary>
    /// An old scoring file's start, as FSSCORE2 to FSSCORE4 wrote it: novelty off, one series with a fresh
    /// scorer and surprise, no pending model forecast, no novelty and no interval; what follows is the caller's.
    /// </summary>
    private static void WriteOneSeriesWithoutNoveltyOrInterval(BinaryWriter writer)
    {
        writer.Write(0);
        writer.Write(0);
        writer.Write(1);
        writer.Write("{instance=\"a\"}");
        new AnomalyScorer().WriteTo(writer);
        new ScoreSurprise().WriteTo(writer);
        writer.Write(long.MinValue);
        writer.Write(0f);
        writer.Write(float.NaN);
        writer.Write(float.NaN);
        writer.Write(false);   // the pending forecast was not the model's
        writer.Write(false);   // no novelty
        writer.Write(false);   // no interval
    }

    /// <summary>A fitted Holt-Winters as FSSCORE4 and earlier wrote it: every seasonal offset a double, no scale.</summary>
    private static void WriteModelWithDoubleOffsets(BinaryWriter writer, double alpha, double level, double[] season)
    {
        writer.Write(alpha);
        writer.Write(0.0);     // beta
        writer.Write(0.0);     // gamma
        writer.Write(level);
        writer.Write(0.0);     // trend
        writer.Write(0);       // next phase
        writer.Write(0.0);     // sum of squared errors
        writer.Write(season.Length);
        foreach (double offset in season)
            writer.Write(offset);
    }

    [Fact]
    public void AFileFromBeforeTheCompactSeasonKeepsItsModelsForecasts()
    {
        using var directory = new TemporaryDirectory("saved-scores-");
        string path = SavedScoresFile.PathFor(directory.FullName, "t");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var season = Enumerable.Range(0, 24).Select(i => 3e9 * Math.Sin(i / 4.0)).ToArray();
        var fresh = new ForecastCombination([1], 24);
        using var payload = new MemoryStream();
        using (var writer = new BinaryWriter(payload, Encoding.UTF8, leaveOpen: true))
        {
            WriteOneSeriesWithoutNoveltyOrInterval(writer);
            writer.Write(true);    // a combination: FSSCORE4's, as the current one but for the season
            using (var combination = new MemoryStream())
            {
                using (var inner = new BinaryWriter(combination, Encoding.UTF8, leaveOpen: true))
                {
                    fresh.WriteTo(inner);
                }
                // A fresh combination ends with "no model"; FSSCORE4 wrote its model the same way but in doubles.
                writer.Write(combination.ToArray().AsSpan(0, (int)combination.Length - 1));
            }
            writer.Write(true);
            writer.Write(30L);
            writer.Write(31L);
            WriteModelWithDoubleOffsets(writer, 0.5, 1e10, season);
        }
        ChecksummedFile.Write(path, "FSSCORE4"u8, payload.ToArray());
        var model = Assert.Single(SavedScoresFile.Read(path, novelty: null).Series).Combination!.Model!;
        for (int steps = 1; steps <= 24; steps++)
            Assert.Equal(1e10 + season[(steps - 1) % 24], model.Forecast(steps), 3e9 / 1000);
    }

    [Fact]
    public void ACombinationNoWriterMakesIsRefused()
    {
        void Refused(Action<BinaryWriter> write, string message)
        {
            using var stream = new MemoryStream();
            using (var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true))
                write(writer);
            stream.Position = 0;
            using var reader = new BinaryReader(stream);
            Assert.Contains(message, Assert.Throws<InvalidDataException>(() => ForecastCombination.ReadFrom(reader)).Message);
        }
        Refused(w => w.Write(0), "0 horizons");
        Refused(w => { w.Write(1); w.Write(-3); }, "horizon of -3 steps");
        Refused(w => { w.Write(1); w.Write(1); w.Write(int.MaxValue); }, "day of");
        Refused(w => { w.Write(1); w.Write(1); w.Write(24); w.Write(-1.0); w.Write(1.0); w.Write(3); }, "errors");
        var model = new Sidecar.Model.Baselines.HoltWintersModel(1.5, 0, 0, 0, 0, new double[24], 0, 0);
        var combination = new ForecastCombination([1], 24);
        combination.Adopt(model, 0);
        using var good = new MemoryStream();
        using (var writer = new BinaryWriter(good, Encoding.UTF8, leaveOpen: true))
            combination.WriteTo(writer);
        good.Position = 0;
        using var goodReader = new BinaryReader(good);
        Assert.Contains("outside [0, 1]", Assert.Throws<InvalidDataException>(() => ForecastCombination.ReadFrom(goodReader)).Message);
    }

    [Fact]
    public void AFileFromBeforeAdaptiveIntervalsIsStillRead()
    {
        using var directory = new TemporaryDirectory("saved-scores-");
        string path = SavedScoresFile.PathFor(directory.FullName, "t");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        // FSSCORE1: novelty off (windows 0 and 0), no series.
        var payload = new byte[12];
        ChecksummedFile.Write(path, "FSSCORE1"u8, payload);
        Assert.Empty(SavedScoresFile.Read(path, novelty: null).Series);
    }

    [Fact]
    public void AnExportGoesOnIndependentlyOfTheTable()
    {
        var settings = Novelty(onset: 3);
        void Feed(NoveltyScorer scorer, int steps)
        {
            for (int i = 0; i < steps; i++)
                scorer.Observe(i, i % 4, i >= 6 ? (i - 6) % 4 : float.NaN, float.NaN, 0);
        }
        var original = new NoveltyScorer(settings);
        Feed(original, 20);
        var table = new NoveltyTable(settings);
        table.CopyIn(original, row: 0);
        // What a snapshot saves (TargetPipeline's export), while the table goes on scoring.
        var exported = table.Export(0);
        Assert.True(table.TryStage(0, 20, 50, 2, float.NaN, 0));
        table.ObserveStaged();
        Assert.True(table.Novelty(0) > 1);
        exported.Observe(20, 0, 2, float.NaN, 0);

        // The table's spike went into its own windows, not the export's: the export is what the quiet steps make.
        var quiet = new NoveltyScorer(settings);
        Feed(quiet, 21);
        Assert.Equal(Bytes(quiet), Bytes(exported));
        Assert.NotEqual(Bytes(quiet), Bytes(table.Export(0)));
    }

    [Fact]
    public void NoveltySavedUnderOtherWindowsIsDroppedAndTheRestKept()
    {
        using var directory = new TemporaryDirectory("saved-scores-");
        string path = SavedScoresFile.PathFor(directory.FullName, "t");
        SavedScoresFile.Write(path, Sample(Novelty(onset: 12)));

        var otherOnset = SavedScoresFile.Read(path, Novelty(onset: 6));
        Assert.All(otherOnset.Series, s => Assert.Null(s.Novelty));
        Assert.Equal(30, otherOnset.Series[0].Scorer.Count);
        Assert.All(SavedScoresFile.Read(path, novelty: null).Series, s => Assert.Null(s.Novelty));
    }

    [Fact]
    public void ADamagedTruncatedOrHostileFileIsRefusedWithItsPath()
    {
        using var directory = new TemporaryDirectory("saved-scores-");
        string path = SavedScoresFile.PathFor(directory.FullName, "t");
        var novelty = Novelty();
        SavedScoresFile.Write(path, Sample(novelty));
        byte[] good = File.ReadAllBytes(path);
        void Refused(byte[] bytes, string message)
        {
            File.WriteAllBytes(path, bytes);
            var e = Assert.Throws<InvalidDataException>(() => SavedScoresFile.Read(path, novelty));
            Assert.StartsWith(path + ":", e.Message);
            Assert.Contains(message, e.Message);
        }

        byte[] flipped = [.. good];
        flipped[20] ^= 1;
        Refused(flipped, "checksum mismatch");
        Refused(good[..^9], "checksum mismatch");
        Refused(good[..6], "not a scoring-state file");
        Refused([.. "FSSTATE1"u8, .. good[8..]], "not a scoring-state file");

        // Payloads with a valid checksum that no writer makes: the reader must not trust their sizes.
        void RefusedPayload(Action<BinaryWriter> write, string message)
        {
            using var payload = new MemoryStream();
            using (var writer = new BinaryWriter(payload, Encoding.UTF8, leaveOpen: true))
                write(writer);
            ChecksummedFile.Write(path, Magic, payload.ToArray());
            var e = Assert.Throws<InvalidDataException>(() => SavedScoresFile.Read(path, novelty));
            Assert.StartsWith(path + ":", e.Message);
            Assert.Contains(message, e.Message);
        }
        RefusedPayload(w => { w.Write(4); w.Write(12); w.Write(int.MaxValue); }, "bad header");
        RefusedPayload(w => { w.Write(1 << 30); w.Write(12); w.Write(1); }, "bad header");
        RefusedPayload(w => { w.Write(4); w.Write(0); w.Write(1); }, "bad header");
        RefusedPayload(w => { w.Write(4); w.Write(12); w.Write(1_000_000); w.Write("k"); }, "truncated");
        RefusedPayload(w => { w.Write(4); w.Write(12); w.Write(1); w.Write("k"); w.Write(1.0); w.Write(0.0); w.Write(-5); }, "bad anomaly scorer count -5");
        RefusedPayload(w =>
        {
            w.Write(0); w.Write(0); w.Write(1); w.Write("k");
            new AnomalyScorer().WriteTo(w);
            new ScoreSurprise().WriteTo(w);
            w.Write(long.MinValue); w.Write(0f); w.Write(0f); w.Write(0f); w.Write(false);
            w.Write(true);
        }, "the header says novelty was off");
        RefusedPayload(w =>
        {
            w.Write(4); w.Write(12); w.Write(0);
            w.Write(123);
        }, "bytes after the last series");
    }
}
