using System.Net;
using System.Net.Http.Headers;
using Sidecar.Api;
using Sidecar.Tests.Support;

namespace Sidecar.Tests.Web;

/// <summary>
/// One running sidecar shared by the web UI tests: three series written by remote-write (one with
/// hostile label values), and a tiny model trained on them, so every page has real content.
/// </summary>
public sealed class WebUiSidecar : IAsyncLifetime
{
    public const int Steps = 290;
    public static readonly string[] Horizons = ["4s", "10s", "20s"];

    private const string Config = """
        demo:
          mode: off
        storage:
          snapshot_interval: 1h
        targets:
          - name: t
            selector: 'webui_metric'
            step: 1s
            horizons: [4s, 10s, 20s]
            history: 10m
            model:
              window: 8
              hidden_size: 8
              layers: 2
              max_epochs: 5
              min_history: 150s
              fit_window: 10m
              fit_every: 1h
              learning_rate: 0.01
        """;

    /// <summary>A label value that would run script if it were ever written into the page unescaped.</summary>
    public const string HostileValue = "<script>alert(1)</script>\"><img src=x onerror=alert(2)>";

    private RunningSidecar? _sidecar;

    internal RunningSidecar Sidecar => _sidecar ?? throw new InvalidOperationException("not started");

    /// <summary>Label text of the plain series, as the store prints it.</summary>
    public string SeriesA => "webui_metric{instance=\"a\"}";

    public string SeriesB => "webui_metric{instance=\"b\"}";

    public string HostileSeries { get; private set; } = "";

    /// <summary>What was written to <see cref="SeriesA"/>, one value per step, oldest first.</summary>
    public float[] WrittenA { get; } = new float[Steps];

    public long FirstStepMs { get; private set; }

    public async Task InitializeAsync()
    {
        _sidecar = await RunningSidecar.StartAsync(Config);
        FirstStepMs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000 * 1000 - Steps * 1000L;
        var a = WriteRequests.Series("webui_metric", ("instance", "a"));
        var b = WriteRequests.Series("webui_metric", ("instance", "b"));
        var hostile = WriteRequests.Series("webui_metric", ("instance", HostileValue));
        for (int i = 0; i < Steps; i++)
        {
            double value = 50 + 10 * Math.Sin(i / 5.0) + (i % 7) * 0.25;
            WrittenA[i] = (float)value;
            a.With((FirstStepMs + i * 1000L, value));
            b.With((FirstStepMs + i * 1000L, 20 + 5 * Math.Cos(i / 8.0)));
            hostile.With((FirstStepMs + i * 1000L, 1 + i * 0.01));
        }
        var content = new ByteArrayContent(WriteRequests.Snappy(WriteRequests.Encode(a, b, hostile)));
        content.Headers.ContentType = MediaTypeHeaderValue.Parse("application/x-protobuf");
        content.Headers.ContentEncoding.Add("snappy");
        var response = await Sidecar.Http.PostAsync("/api/v1/write", content);
        if (response.StatusCode != HttpStatusCode.NoContent)
            throw new InvalidOperationException("remote-write refused: " + response.StatusCode);

        var queries = Sidecar.Service<SidecarQueries>();
        HostileSeries = queries.Series("t", null, "script", 10, out _).Single().Labels.ToString();
        // Done when the trained model has forecast every series with an interval, and the last written
        // step has closed (by a step of silence), so pages show exactly what was written.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(150);
        while (!Ready(queries))
        {
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException("no trained forecasts for the web UI tests within 150 s");
            await Task.Delay(250);
        }
    }

    private bool Ready(SidecarQueries queries) =>
        queries.Target("t")?.Training.ModelTrainedAt is not null
        && new[] { SeriesA, SeriesB, HostileSeries }.All(labels =>
            queries.Series("t", labels, Steps) is { } detail
            && detail.Series.Model == "lstm"
            && detail.History.Count == Steps
            && detail.Forecasts.Count == Horizons.Length
            && detail.Forecasts.All(f => float.IsFinite(f.Lower) && float.IsFinite(f.Upper)));

    public async Task DisposeAsync()
    {
        if (_sidecar is not null)
            await _sidecar.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class WebUiCollection : ICollectionFixture<WebUiSidecar>
{
    public const string Name = "web UI";
}
