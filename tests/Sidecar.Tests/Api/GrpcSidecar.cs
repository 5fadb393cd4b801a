using System.Net;
using System.Net.Http.Headers;
using Grpc.Net.Client;
using Sidecar.Api.Grpc.V1;
using Sidecar.Protocol.Prompb;
using Sidecar.Tests.Support;

namespace Sidecar.Tests.Api;

/// <summary>
/// One running host with its gRPC port, shared by the gRPC test classes (training is the slow part):
/// target <c>t</c> has three series with history written 300 s in the past and a trained model; target
/// <c>u</c> has one series and trains on its own. Each test class uses series of its own, so they don't
/// disturb one another. Public for xunit; what it hands out is internal, like the types it wraps.
/// </summary>
public sealed class GrpcSidecar : IAsyncLifetime
{
    public const int HistorySteps = 200;

    /// <summary>Step of the gap left in series <c>b</c>'s history.</summary>
    public const int GapIndex = 150;

    // min_deviation 10 on a sine of amplitude 10: ordinary forecast errors never score above 1, a spike to 1000 does.
    // shift_steps 0: one spike must not linger as a "shift", so the series recovers on the next normal step.
    private const string Config = """
        demo:
          mode: off
        storage:
          snapshot_interval: 1h
        targets:
          - name: t
            selector: 'grpc_metric'
            step: 1s
            horizons: [2s, 5s]
            history: 10m
            series_timeout_steps: 3600
            anomaly:
              warmup_steps: 1
              shift_steps: 0
              min_deviation: 10
            model:
              window: 8
              hidden_size: 8
              layers: 2
              max_epochs: 5
              min_history: 90s
              fit_window: 10m
              fit_every: 1h
              learning_rate: 0.01
          - name: u
            selector: 'other_metric'
            step: 1s
            horizons: [3s]
            history: 10m
            series_timeout_steps: 3600
            model:
              window: 8
              hidden_size: 4
              layers: 1
              max_epochs: 2
              min_history: 90s
              fit_window: 10m
              fit_every: 1h
        """;

    private RunningSidecar? _sidecar;
    private GrpcChannel? _channel;

    internal RunningSidecar Sidecar => _sidecar ?? throw new InvalidOperationException("not started");

    internal ForecastSidecar.ForecastSidecarClient Client { get; private set; } = null!;

    /// <summary>Start of the first written step, Unix ms, on a whole second.</summary>
    public long T0 { get; private set; }

    public static double Signal(int i) => 50 + 10 * Math.Sin(i / 5.0);

    public async Task InitializeAsync()
    {
        _sidecar = await RunningSidecar.StartAsync(Config, grpc: true);
        _channel = GrpcChannel.ForAddress(_sidecar.GrpcAddress!);
        Client = new ForecastSidecar.ForecastSidecarClient(_channel);
        T0 = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000 * 1000 - 300_000;

        var a = WriteRequests.Series("grpc_metric", ("instance", "a"));
        var b = WriteRequests.Series("grpc_metric", ("instance", "b"));
        var spike = WriteRequests.Series("grpc_metric", ("instance", "spike"));
        var other = WriteRequests.Series("other_metric", ("instance", "o"));
        for (int i = 0; i < HistorySteps; i++)
        {
            a.With((T0 + i * 1000L, Signal(i)));
            if (i != GapIndex)
                b.With((T0 + i * 1000L, Signal(i) + 100));
            spike.With((T0 + i * 1000L, Signal(i)));
            other.With((T0 + i * 1000L, 5 + Math.Cos(i / 7.0)));
        }
        await WriteAsync(a, b, spike, other);

        // Ready once every series of t is forecast by the trained model.
        await Poll.UntilAsync(async () =>
        {
            var response = await Client.GetForecastAsync(new GetForecastRequest { Target = "t" });
            return response.Series.Count == 3 && response.Series.All(s => s.Series.Model == "lstm" && s.Forecasts.Count == 2);
        }, "target t's series forecast by a trained model", TimeSpan.FromSeconds(180));
    }

    internal async Task WriteAsync(params TimeSeries[] series)
    {
        var content = new ByteArrayContent(WriteRequests.Snappy(WriteRequests.Encode(series)));
        content.Headers.ContentType = MediaTypeHeaderValue.Parse("application/x-protobuf");
        content.Headers.ContentEncoding.Add("snappy");
        Assert.Equal(HttpStatusCode.NoContent, (await Sidecar.Http.PostAsync("/api/v1/write", content)).StatusCode);
    }

    public async Task DisposeAsync()
    {
        _channel?.Dispose();
        if (_sidecar is not null)
            await _sidecar.DisposeAsync();
    }
}

/// <summary>The gRPC test classes share one <see cref="GrpcSidecar"/> and run one after another.</summary>
[CollectionDefinition(Name)]
public sealed class GrpcSidecarCollection : ICollectionFixture<GrpcSidecar>
{
    public const string Name = "grpc sidecar";
}
