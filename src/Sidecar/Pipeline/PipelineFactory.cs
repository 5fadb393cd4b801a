using Microsoft.Extensions.Logging;
using Sidecar.Api;
using Sidecar.Expose;
using Sidecar.Store;

namespace Sidecar.Pipeline;

/// <summary>Builds a target's pipeline, at start and for each target a reload adds or changes, with its anomalies fed to watchers.</summary>
internal sealed class PipelineFactory(ForecastGauges gauges, SelfMetrics metrics, TimeProvider time, ILoggerFactory loggers, AnomalyFeed anomalies)
{
    public TargetPipeline Create(TargetStore store)
    {
        var pipeline = new TargetPipeline(store, gauges, metrics, time, loggers.CreateLogger<TargetPipeline>());
        anomalies.Attach(pipeline);
        return pipeline;
    }
}
