using Google.Protobuf;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Sidecar.Expose;
using Sidecar.Host;
using Sidecar.Protocol.Prompb;
using Sidecar.Store;

namespace Sidecar.Ingest;

/// <summary>
/// Feeds <see cref="DemoSeries"/> through the same remote-write decoding, store, model and /metrics path as
/// real data, so the sidecar shows forecasts with no Prometheus around. It first writes a day of history
/// (so a model can train at once), then a sample every few seconds. In <c>auto</c> mode it stops for good
/// when a real remote-write arrives.
/// </summary>
internal sealed class DemoSource(SeriesStore store, SettingsHolder settingsHolder, Readiness readiness, DemoSwitch demoSwitch, SelfMetrics metrics, TimeProvider time, ILogger<DemoSource> logger)
    : BackgroundService
{
    public const string TargetName = "demo";
    private static readonly TimeSpan Step = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan LiveInterval = TimeSpan.FromSeconds(5);
    private const int HistorySteps = 5760; // one day at 15s
    private const int StepsPerRequest = 720;

    /// <summary>The target the demo series are forecast under; added to the config when the demo may run.</summary>
    public static TargetSection Target => new()
    {
        Name = TargetName,
        Selector = "{__name__=~\"" + DemoSeries.MetricPrefix + ".+\"}",
        Step = "15s",
        Horizons = ["5m", "30m", "1h"],
        History = "2d",
        Model = new ModelSection { FitWindow = "1d", FitEvery = "1h", MaxEpochs = 15 },
    };

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // demo.mode is read at start only: a reload that changes it takes effect at the next start.
        SidecarSettings settings = settingsHolder.Current;
        if (settings.Demo == DemoMode.Off)
            return;
        // The restore relies on nothing else creating series meanwhile.
        await readiness.Restored.WaitAsync(stoppingToken);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken,
            settings.Demo == DemoMode.Auto ? demoSwitch.RealDataToken : CancellationToken.None);
        CancellationToken token = linked.Token;
        // Let the host finish starting before the burst of history.
        await Task.Yield();
        try
        {
            metrics.DemoActive.Set(1);
            logger.LogInformation("Demo source started: {Count} series under target '{Target}'; it stops when a real remote-write arrives (demo.mode=auto)",
                DemoSeries.All.Count, TargetName);
            long stepMs = (long)Step.TotalMilliseconds;
            long nowMs = time.GetUtcNow().ToUnixTimeMilliseconds();
            long firstStep = nowMs / stepMs - HistorySteps;
            for (long step = firstStep; step < nowMs / stepMs; step += StepsPerRequest)
            {
                token.ThrowIfCancellationRequested();
                long last = Math.Min(step + StepsPerRequest, nowMs / stepMs);
                Write(Enumerable.Range(0, (int)(last - step)).Select(i => (step + i) * stepMs));
            }
            // The current step gets its first sample now, not at the first tick, or it would be a gap.
            Write([time.GetUtcNow().ToUnixTimeMilliseconds()]);
            using var timer = new PeriodicTimer(LiveInterval, time);
            while (await timer.WaitForNextTickAsync(token))
                Write([time.GetUtcNow().ToUnixTimeMilliseconds()]);
        }
        catch (OperationCanceledException) when (demoSwitch.RealDataSeen && !stoppingToken.IsCancellationRequested)
        {
            logger.LogInformation("Real remote-write data arrived: demo source stopped; its series expire after their timeout");
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            metrics.DemoActive.Set(0);
        }
    }

    private void Write(IEnumerable<long> timestampsMs)
    {
        long stepMs = (long)Step.TotalMilliseconds;
        var request = new WriteRequest();
        long[] timestamps = timestampsMs.ToArray();
        foreach (var definition in DemoSeries.All)
        {
            var series = new TimeSeries();
            series.Labels.Add(new Label { Name = LabelSet.MetricNameLabel, Value = definition.Name });
            foreach (var (name, value) in definition.Labels.OrderBy(l => l.Key, StringComparer.Ordinal))
                series.Labels.Add(new Label { Name = name, Value = value });
            foreach (long ts in timestamps)
                series.Samples.Add(new Sample { Timestamp = ts, Value = definition.ValueAt(ts / 1000.0, ts / stepMs) });
            request.Timeseries.Add(series);
        }
        IngestResult result;
        using (store.EnterIngest())
            result = RemoteWriteV1Decoder.Ingest(store, request.ToByteArray());
        metrics.SamplesReceived.WithLabels("demo").Inc(result.SamplesAccepted);
    }
}
