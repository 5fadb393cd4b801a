using Microsoft.Extensions.Logging;
using Sidecar.Expose;
using Sidecar.Store;

namespace Sidecar.Pipeline;

/// <summary>Builds a target's pipeline, at start and for each target a reload adds or changes.</summary>
internal sealed class PipelineFactory(ForecastGauges gauges, SelfMetrics metrics, TimeProvider time, ILoggerFactory loggers)
{
    public TargetPipeline Create(TargetStore store) =>
        new(store, gauges, metrics, time, loggers.CreateLogger<TargetPipeline>());
}
