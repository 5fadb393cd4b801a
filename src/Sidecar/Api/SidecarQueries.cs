using Sidecar.Host;
using Sidecar.Pipeline;
using Sidecar.Store;

namespace Sidecar.Api;

/// <summary>
/// The read side shared by the gRPC API and the web UI: targets, series and forecasts as views, built
/// from the pipelines in use at the moment of the call. Nothing here holds a lock for longer than one
/// series' copy or one pipeline's read.
/// </summary>
internal sealed class SidecarQueries(PipelineSet pipelines, TimeProvider time)
{
    /// <summary>History returned with a series when the caller doesn't say.</summary>
    public const int DefaultHistorySteps = 360;

    /// <summary>Upper bound on history steps and on series per call, so one request can't ask for gigabytes.</summary>
    public const int MaxHistorySteps = 20_160;
    public const int MaxSeries = 10_000;

    public IReadOnlyList<TargetView> Targets() => [.. pipelines.Current.Select(View)];

    public TargetView? Target(string name) => pipelines.Find(name) is { } pipeline ? View(pipeline) : null;

    /// <summary>
    /// Series of one target (or all when <paramref name="target"/> is null or empty) that match
    /// <paramref name="selector"/> and contain <paramref name="search"/> in their label text, in label order.
    /// </summary>
    /// <param name="total">How many matched before <paramref name="limit"/> cut the list.</param>
    public IReadOnlyList<SeriesView> Series(string? target, Selector? selector, string? search, int limit, out int total)
    {
        limit = Math.Clamp(limit, 0, MaxSeries);
        var matches = Matching(target, selector, search).OrderBy(m => m.Series.Labels.ToString(), StringComparer.Ordinal).ToList();
        total = matches.Count;
        return [.. matches.Take(limit).Select(m => View(m.Pipeline, m.Series, m.Pipeline.Latest(m.Series)))];
    }

    /// <summary>The detail of every series matching <paramref name="selector"/> (at most <paramref name="limit"/>).</summary>
    /// <param name="horizons">Horizon labels to include (as configured, e.g. <c>1h</c>); all when empty.</param>
    public IReadOnlyList<SeriesDetail> Forecasts(string? target, Selector? selector, IReadOnlyCollection<string> horizons, int historySteps, int limit) =>
        [.. Matching(target, selector, search: null)
            .OrderBy(m => m.Series.Labels.ToString(), StringComparer.Ordinal)
            .Take(Math.Clamp(limit, 0, MaxSeries))
            .Select(m => Detail(m.Pipeline, m.Series, horizons, historySteps))];

    /// <summary>One series by target and its exact label text (<c>name{a="b"}</c>); null when absent.</summary>
    public SeriesDetail? Series(string target, string labels, int historySteps)
    {
        if (pipelines.Find(target) is not { } pipeline)
            return null;
        var series = pipeline.Store.Snapshot().FirstOrDefault(s => s.Labels.ToString() == labels);
        return series is null ? null : Detail(pipeline, series, [], historySteps);
    }

    /// <summary>Asks the training thread to retrain <paramref name="target"/> at its next check; false for an unknown target.</summary>
    public bool Retrain(string target)
    {
        if (pipelines.Find(target) is not { } pipeline)
            return false;
        pipeline.Training.RequestRetrain();
        return true;
    }

    private IEnumerable<(TargetPipeline Pipeline, Series Series)> Matching(string? target, Selector? selector, string? search)
    {
        foreach (var pipeline in pipelines.Current)
        {
            if (!string.IsNullOrEmpty(target) && pipeline.Settings.Name != target)
                continue;
            foreach (var series in pipeline.Store.Snapshot())
            {
                if (selector is not null && !selector.Matches(series.Labels))
                    continue;
                if (!string.IsNullOrEmpty(search) && !series.Labels.ToString().Contains(search, StringComparison.OrdinalIgnoreCase))
                    continue;
                yield return (pipeline, series);
            }
        }
    }

    private static TargetView View(TargetPipeline pipeline)
    {
        var settings = pipeline.Settings;
        return new TargetView(
            settings.Name,
            settings.Selector?.ToString() ?? settings.Query ?? "",
            settings.Step,
            [.. settings.Horizons.Select(h => h.Label)],
            pipeline.Store.Count,
            pipeline.ExposedCount,
            settings.Model.Fallback,
            settings.Model.Scope.ToString().ToLowerInvariant(),
            pipeline.Training.View,
            pipeline.Quality());
    }

    private SeriesView View(TargetPipeline pipeline, Series series, SeriesForecast? latest)
    {
        long last = LastClosed(series);
        return new SeriesView(
            pipeline.Settings.Name,
            series.Labels,
            latest?.Model ?? "",
            latest?.AnomalyScore ?? 0,
            last == long.MinValue ? null : last * pipeline.Settings.StepMs,
            last == long.MinValue ? float.NaN : series.CopyHistoryAt(last));
    }

    private SeriesDetail Detail(TargetPipeline pipeline, Series series, IReadOnlyCollection<string> horizons, int historySteps)
    {
        var settings = pipeline.Settings;
        SeriesForecast? latest = pipeline.Latest(series);
        long last = LastClosed(series);
        var history = new List<StepValue>();
        if (last != long.MinValue)
        {
            // ClosedStepCount counts up to LastClosedStep; a step closed by time alone is one more, within what the ring holds.
            int available = Math.Min(series.ClosedStepCount + (int)(last - series.LastClosedStep), settings.HistorySteps);
            int length = Math.Clamp(Math.Min(historySteps, available), 0, MaxHistorySteps);
            var values = new float[length];
            series.CopyHistory(last, values);
            for (int i = 0; i < length; i++)
                history.Add(new StepValue((last - length + 1 + i) * settings.StepMs, values[i]));
        }
        var forecasts = new List<HorizonForecast>();
        if (latest?.Horizons is { } quantiles)
        {
            for (int h = 0; h < settings.Horizons.Count; h++)
            {
                Horizon horizon = settings.Horizons[h];
                if (horizons.Count > 0 && !horizons.Contains(horizon.Label))
                    continue;
                forecasts.Add(new HorizonForecast(horizon.Label, (latest.Step + horizon.Steps) * settings.StepMs,
                    quantiles[h * 3], quantiles[h * 3 + 1], quantiles[h * 3 + 2]));
            }
        }
        return new SeriesDetail(View(pipeline, series, latest), settings.Step, history, forecasts,
            latest?.NextStep ?? float.NaN, latest?.Residual ?? double.NaN, latest?.Surprise ?? 0, latest?.Novelty ?? 0);
    }

    /// <summary>
    /// The newest closed step as the pipeline sees it: a series that went quiet (or came from a backfill)
    /// has its last step closed by time and forecast from, so the history must end there too, not a step earlier.
    /// </summary>
    private long LastClosed(Series series) => series.LastClosedStepAt(time.GetUtcNow().ToUnixTimeMilliseconds());
}
