using System.Threading.Channels;
using Grpc.Core;
using Sidecar.Api;
using Sidecar.Api.Grpc.V1;
using Sidecar.Tests.Support;

namespace Sidecar.Tests.Api;

/// <summary>
/// WatchAnomalies streams a started event when a series with a trained model gets a value far off its
/// forecast, a recovered event when its values are normal again, and lets go of its watcher on cancel.
/// Steps are written one at a time, just after the fixture's history (so each closes by time at once),
/// and each is awaited until the pipeline has forecast from it, because a score needs the forecast made
/// one step earlier.
/// </summary>
[Collection(GrpcSidecarCollection.Name)]
public sealed class GrpcWatchAnomaliesTests(GrpcSidecar fixture)
{
    private const string Spike = "grpc_metric{instance=\"spike\"}";
    private static readonly TimeSpan EventTimeout = TimeSpan.FromSeconds(15);

    private int _next = GrpcSidecar.HistorySteps;

    [Fact]
    public async Task AnOutlierStartsAnAnomalyAndNormalValuesRecoverIt()
    {
        var feed = fixture.Sidecar.Service<AnomalyFeed>();
        using var cancel = new CancellationTokenSource();
        using var call = fixture.Client.WatchAnomalies(new WatchAnomaliesRequest { Target = "t", Selector = Spike }, cancellationToken: cancel.Token);
        var events = Channel.CreateUnbounded<AnomalyEvent>();
        Task reading = Task.Run(async () =>
        {
            try
            {
                await foreach (var e in call.ResponseStream.ReadAllAsync(cancel.Token))
                    events.Writer.TryWrite(e);
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.Cancelled)
            {
                // Our own cancel at the end.
            }
            catch (OperationCanceledException)
            {
            }
        });
        // Events are only those after the watch starts: write nothing until the server has attached it.
        await Poll.UntilAsync(() => Task.FromResult(feed.Watchers == 1), "the watcher to attach");

        // Normal steps: scored (warm-up is one step) and well inside min_deviation, so no event.
        for (int i = 0; i < 3; i++)
            await StepAsync(GrpcSidecar.Signal(_next));
        Assert.False(events.Reader.TryRead(out var early), $"no event before the outlier, got {early}");

        int spikeIndex = _next;
        await StepAsync(1000);
        AnomalyEvent started = await NextAsync(events);
        Assert.Equal(AnomalyEvent.Types.Kind.Started, started.Kind);
        Assert.Equal("t", started.Target);
        Assert.Equal(Spike, started.SeriesId);
        Assert.Equal("spike", started.Labels["instance"]);
        Assert.Equal(fixture.T0 + spikeIndex * 1000L, started.StepTime.ToDateTimeOffset().ToUnixTimeMilliseconds());
        Assert.Equal(1000, started.Value);
        Assert.True(started.Score > 1, $"score {started.Score}");
        Assert.InRange(started.Predicted, 0, 100); // forecast from the sine, not from the spike

        // Back to the signal: the first steps may still be off while the spike washes out of the state.
        AnomalyEvent? recovered = null;
        for (int i = 0; i < 30 && recovered is null; i++)
        {
            await StepAsync(GrpcSidecar.Signal(_next));
            if (events.Reader.TryRead(out var e))
                recovered = e;
        }
        recovered ??= await NextAsync(events);
        Assert.Equal(AnomalyEvent.Types.Kind.Recovered, recovered.Kind);
        Assert.Equal(Spike, recovered.SeriesId);
        Assert.True(recovered.StepTime.ToDateTimeOffset() > started.StepTime.ToDateTimeOffset(), "recovered after it started");
        Assert.True(recovered.Score <= 1, $"score {recovered.Score}");

        // Cancelling ends the stream and detaches the watcher on the server.
        cancel.Cancel();
        await reading.WaitAsync(TimeSpan.FromSeconds(10));
        await Poll.UntilAsync(() => Task.FromResult(feed.Watchers == 0), "the watcher to detach", TimeSpan.FromSeconds(10));
    }

    /// <summary>Writes the next step of the spike series and waits until the pipeline has forecast from it.</summary>
    private async Task StepAsync(double value)
    {
        long time = fixture.T0 + _next * 1000L;
        _next++;
        await fixture.WriteAsync(WriteRequests.Series("grpc_metric", ("instance", "spike")).With((time, value)));
        await Poll.UntilAsync(async () =>
        {
            var response = await fixture.Client.GetForecastAsync(new GetForecastRequest { Selector = Spike, HistorySteps = 1 });
            var forecasts = response.Series.Single().Forecasts;
            return forecasts.Count > 0 && forecasts[0].Time.ToDateTimeOffset().ToUnixTimeMilliseconds() == time + 2000;
        }, $"the forecast from step {time}", TimeSpan.FromSeconds(30));
    }

    private static async Task<AnomalyEvent> NextAsync(Channel<AnomalyEvent> events)
    {
        using var timeout = new CancellationTokenSource(EventTimeout);
        return await events.Reader.ReadAsync(timeout.Token);
    }
}
