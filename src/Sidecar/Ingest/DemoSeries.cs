namespace Sidecar.Ingest;

/// <summary>
/// The built-in demo's node-like series: deterministic functions of time, so a restart replays the same
/// history. Noise comes from a hash of (series, step) rather than a shared random generator.
/// </summary>
internal static class DemoSeries
{
    public const string MetricPrefix = "demo_";

    public sealed record Definition(string Name, IReadOnlyList<KeyValuePair<string, string>> Labels, Func<double, long, double> ValueAt);

    private const double Day = 86_400;

    public static readonly IReadOnlyList<Definition> All =
    [
        new("demo_node_cpu_utilisation_percent",
            [new("job", "node"), new("instance", "demo-1:9100")],
            (t, step) =>
            {
                // Busy afternoons, quiet nights, and now and then a one-step spike (about once an hour).
                double value = 35 + 20 * Math.Sin(2 * Math.PI * (t / Day - 0.375)) + 2 * Gaussian(1, step);
                if (Uniform(2, step) < 1.0 / 240)
                    value += 40;
                return Math.Clamp(value, 0, 100);
            }),
        new("demo_node_filesystem_used_percent",
            [new("job", "node"), new("instance", "demo-1:9100"), new("mountpoint", "/var")],
            (t, step) =>
            {
                // Slow fill at 1.5%/h from 40% to 95%, then a clean-up: the "disk full in N hours" case.
                const double Low = 40, High = 95, PerHour = 1.5;
                double cycleHours = (High - Low) / PerHour;
                double hours = t / 3600 % cycleHours;
                return Low + PerHour * hours + 0.05 * Gaussian(3, step);
            }),
        new("demo_http_requests_per_second",
            [new("job", "api"), new("instance", "demo-2:8080")],
            (t, step) =>
            {
                double daily = 120 * Math.Sin(2 * Math.PI * (t / Day - 0.3));
                double hourly = 25 * Math.Sin(2 * Math.PI * t / 3600);
                return Math.Max(0, 200 + daily + hourly + 10 * Gaussian(4, step));
            }),
        new("demo_node_memory_used_bytes",
            [new("job", "node"), new("instance", "demo-1:9100")],
            (t, step) => 6e9 + 1e9 * Math.Sin(2 * Math.PI * (t / Day - 0.4)) + 5e7 * Gaussian(5, step)),
    ];

    private static double Uniform(int stream, long step)
    {
        // SplitMix64 finaliser: a well-mixed 64-bit hash of (stream, step).
        ulong z = (ulong)step * 0x9E3779B97F4A7C15UL + (ulong)stream * 0xD1B54A32D192ED03UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        z ^= z >> 31;
        return (z >> 11) * (1.0 / (1UL << 53));
    }

    private static double Gaussian(int stream, long step)
    {
        double u1 = Math.Max(Uniform(stream * 2, step), 1e-12);
        double u2 = Uniform(stream * 2 + 1, step);
        return Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }
}
