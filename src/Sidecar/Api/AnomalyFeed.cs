using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Sidecar.Pipeline;

namespace Sidecar.Api;

/// <summary>
/// Fans anomaly transitions out to watchers (gRPC <c>WatchAnomalies</c>). Each watcher has a bounded
/// buffer that drops its oldest events when it falls behind, so a slow or stuck watcher costs bounded
/// memory and never holds up the inference thread that publishes.
/// </summary>
internal sealed class AnomalyFeed
{
    public const int WatcherBuffer = 1024;

    private readonly Lock _lock = new();
    private Channel<AnomalyTransition>[] _watchers = [];
    private long _dropped;

    /// <summary>Events dropped because a watcher fell more than <see cref="WatcherBuffer"/> behind.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    public int Watchers => Volatile.Read(ref _watchers).Length;

    public void Attach(TargetPipeline pipeline) => pipeline.AnomalyChanged += Publish;

    public void Publish(AnomalyTransition transition)
    {
        foreach (var watcher in Volatile.Read(ref _watchers))
            watcher.Writer.TryWrite(transition);
    }

    /// <summary>Events from now on, until <paramref name="cancellation"/> fires.</summary>
    public async IAsyncEnumerable<AnomalyTransition> WatchAsync([EnumeratorCancellation] CancellationToken cancellation)
    {
        var channel = Channel.CreateBounded<AnomalyTransition>(
            new BoundedChannelOptions(WatcherBuffer) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true },
            _ => Interlocked.Increment(ref _dropped));
        lock (_lock)
            _watchers = [.. _watchers, channel];
        try
        {
            await foreach (var transition in channel.Reader.ReadAllAsync(cancellation))
                yield return transition;
        }
        finally
        {
            lock (_lock)
                _watchers = [.. _watchers.Where(w => w != channel)];
        }
    }
}
