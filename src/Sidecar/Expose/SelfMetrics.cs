using Prometheus;

namespace Sidecar.Expose;

/// <summary>The sidecar's own metrics, all under one prefix and registered on the injected registry.</summary>
internal sealed class SelfMetrics
{
    public const string Prefix = "forecast_sidecar_";

    public static class DropReason
    {
        public const string Unselected = "unselected";
        public const string NonFinite = "non_finite";
        public const string SeriesLimit = "series_limit";
        public const string InvalidSeries = "invalid_series";
    }

    public static class TrainingResult
    {
        public const string Success = "success";
        public const string Failure = "failure";

        /// <summary>Trained, but its validation loss was worse than the model in use, which stays.</summary>
        public const string Kept = "kept_previous";
    }

    public SelfMetrics(CollectorRegistry registry)
    {
        var factory = Metrics.WithCustomRegistry(registry);
        RemoteWriteRequests = factory.CreateCounter(Prefix + "remote_write_requests_total",
            "Remote-write requests handled, by protocol version and HTTP status code.", "protocol", "code");
        NotModelled = factory.CreateCounter(Prefix + "received_not_modelled_total",
            "Native histograms, exemplars and metadata entries accepted but not modelled, by kind.", "kind");
        SamplesReceived = factory.CreateCounter(Prefix + "samples_received_total",
            "Float samples accepted into the store (remote-write and demo).", "source");
        SamplesDropped = factory.CreateCounter(Prefix + "samples_dropped_total",
            "Samples not stored, by reason.", "reason");
        StaleMarkers = factory.CreateCounter(Prefix + "stale_markers_total",
            "Prometheus stale markers received for selected series.");
        SeriesRefused = factory.CreateCounter(Prefix + "series_refused_total",
            "New series refused, by target and reason.", "target", "reason");
        SeriesForgotten = factory.CreateCounter(Prefix + "series_forgotten_total",
            "Series forgotten after being silent past their target's forget_after (by default its history), by target.", "target");
        SeriesTracked = factory.CreateGauge(Prefix + "series_tracked",
            "Series kept in the store, by target.", "target");
        SeriesExposed = factory.CreateGauge(Prefix + "series_exposed",
            "Series with forecast gauges on /metrics, by target.", "target");
        TrainingRuns = factory.CreateCounter(Prefix + "training_runs_total",
            "Training runs, by target and result.", "target", "result");
        TrainingDuration = factory.CreateHistogram(Prefix + "training_duration_seconds",
            "Wall time of training runs, by target.",
            new HistogramConfiguration { LabelNames = ["target"], Buckets = Histogram.ExponentialBuckets(0.5, 2, 12) });
        ValidationLoss = factory.CreateGauge(Prefix + "model_validation_loss",
            "Validation pinball loss (scaled units) of the model in use, by target.", "target");
        ForecastMae = factory.CreateGauge(Prefix + "forecast_mae",
            "Rolling mean absolute error of the LSTM's median forecasts, from realised values, by target and horizon.", "target", "horizon");
        ForecastMase = factory.CreateGauge(Prefix + "forecast_mase",
            "Rolling mean absolute scaled error (each error over its series' one-step naive error; below 1 beats naive), by target and horizon.", "target", "horizon");
        ForecastCoverage = factory.CreateGauge(Prefix + "forecast_interval_coverage",
            "Rolling share of realised values inside the forecast interval, by target and horizon.", "target", "horizon");
        Training = factory.CreateGauge(Prefix + "training_in_progress",
            "1 while a target's model is training, else 0.", "target");
        TrainingWaiting = factory.CreateGauge(Prefix + "training_waiting_for_data",
            "1 while a target's training is due but its history can't make a run succeed (too few observed steps in the training or validation part), else 0.", "target");
        TrainingEpoch = factory.CreateGauge(Prefix + "training_epoch",
            "Epoch of the current (or last) training run, by target.", "target");
        TrainingLoss = factory.CreateGauge(Prefix + "training_loss",
            "Training pinball loss of the latest epoch, by target.", "target");
        TrainingValidationLoss = factory.CreateGauge(Prefix + "training_validation_loss",
            "Validation pinball loss of the latest epoch, by target.", "target");
        LastTrained = factory.CreateGauge(Prefix + "model_last_trained_timestamp_seconds",
            "Unix time at which the model in use finished training, by target.", "target");
        InferenceDuration = factory.CreateHistogram(Prefix + "inference_batch_duration_seconds",
            "Wall time of one batched inference call, by target.",
            new HistogramConfiguration { LabelNames = ["target"], Buckets = Histogram.ExponentialBuckets(0.0001, 4, 10) });
        BackfillRuns = factory.CreateCounter(Prefix + "backfill_runs_total",
            "Remote-read backfill runs (a target's history, or a new series'), by target and result.", "target", "result");
        BackfillSamples = factory.CreateCounter(Prefix + "backfill_samples_total",
            "Samples read through remote-read backfill, by target.", "target");
        PromQlPolls = factory.CreateCounter(Prefix + "promql_polls_total",
            "query_range polls of PromQL targets, by target and result.", "target", "result");
        DemoActive = factory.CreateGauge(Prefix + "demo_active",
            "1 while the built-in demo source is feeding series.");
        ConfigLastReloadSuccessful = factory.CreateGauge(Prefix + "config_last_reload_successful",
            "Whether the last configuration reload attempt was successful (1) or not (0).");
        ConfigLastReloadSuccessTimestamp = factory.CreateGauge(Prefix + "config_last_reload_success_timestamp_seconds",
            "Unix time of the last successful configuration load (at start or by reload).");
    }

    public Counter RemoteWriteRequests { get; }

    public Counter NotModelled { get; }

    public Counter SamplesReceived { get; }

    public Counter SamplesDropped { get; }

    public Counter StaleMarkers { get; }

    public Counter SeriesRefused { get; }

    public Gauge SeriesTracked { get; }

    public Counter SeriesForgotten { get; }

    public Gauge SeriesExposed { get; }

    public Counter TrainingRuns { get; }

    public Histogram TrainingDuration { get; }

    public Gauge ValidationLoss { get; }

    public Gauge LastTrained { get; }

    public Gauge ForecastMae { get; }

    public Gauge ForecastMase { get; }

    public Gauge ForecastCoverage { get; }

    public Gauge Training { get; }

    public Gauge TrainingWaiting { get; }

    public Gauge TrainingEpoch { get; }

    public Gauge TrainingLoss { get; }

    public Gauge TrainingValidationLoss { get; }

    public Histogram InferenceDuration { get; }

    public Counter BackfillRuns { get; }

    public Counter BackfillSamples { get; }

    public Counter PromQlPolls { get; }

    public Gauge DemoActive { get; }

    public Gauge ConfigLastReloadSuccessful { get; }

    public Gauge ConfigLastReloadSuccessTimestamp { get; }
}
