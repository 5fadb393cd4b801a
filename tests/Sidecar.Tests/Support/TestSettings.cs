using Sidecar.Host;

namespace Sidecar.Tests.Support;

internal static class TestSettings
{
    /// <summary>A config with one small, fast-training target named <c>t</c>.</summary>
    public static SidecarSettings SmallTarget(string selector = "test_metric", string step = "1s", string horizons = "[2s, 5s]",
        string extraModel = "", int maxSeries = 1000) =>
        ConfigLoader.Load($"""
            limits:
              max_series: {maxSeries}
              max_body_bytes: 65536
              max_decoded_bytes: 262144
            demo:
              mode: off
            targets:
              - name: t
                selector: '{selector}'
                step: {step}
                horizons: {horizons}
                history: 10m
                series_timeout_steps: 5
                model:
                  window: 8
                  hidden_size: 8
                  layers: 2
                  max_epochs: 5
                  min_history: 90s
                  fit_window: 10m
                  learning_rate: 0.01
                  fallback_range: 2m
            {extraModel}
            """);
}
