using Prometheus;
using Sidecar.Api;
using Sidecar.Api.Grpc;
using Sidecar.Expose;
using Microsoft.Extensions.Http.Resilience;
using Polly;
using Sidecar.Ingest;
using Sidecar.Ingest.PromQl;
using Sidecar.Ingest.RemoteRead;
using Sidecar.Pipeline;
using Sidecar.Security;
using Sidecar.Store;
using Sidecar.Store.Snapshots;
using Sidecar.Web;
using TorchSharp;

namespace Sidecar.Host;

/// <summary>The composition root: flags and config in, a ready-to-run web application out.</summary>
internal static class SidecarHost
{
    public const string DefaultConfigFileName = "sidecar.yml";

    /// <param name="addLogging">Extra log providers, e.g. a test's capture of what the host logs.</param>
    /// <exception cref="ConfigException">The flags, the config file or the web config file are invalid.</exception>
    public static WebApplication Build(string[] args, Action<ILoggingBuilder>? addLogging = null)
    {
        CommandLine flags = CommandLine.Parse(args);
        string configPath = flags.ConfigFile ?? Path.Combine(AppContext.BaseDirectory, DefaultConfigFileName);
        SidecarSettings settings = LoadSettings(configPath);
        WebConfig webConfig = WebConfigLoader.Load(flags.WebConfigFile);
        Directory.CreateDirectory(flags.StoragePath);

        // Our flags are not ASP.NET configuration: keep them away from its command-line provider.
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [], ContentRootPath = AppContext.BaseDirectory });
        builder.Logging.SetMinimumLevel(flags.LogLevel);
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        addLogging?.Invoke(builder.Logging);
        var (address, port) = CommandLine.ParseListenAddress(flags.ListenAddress);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(address, port, listen => listen.UseWebConfig(webConfig));
            kestrel.ApplyLimits(settings.Limits);
        });

        var registry = Metrics.NewCustomRegistry();
        var services = builder.Services;
        services.AddSingleton(settings);
        services.AddSingleton(new StoragePath(flags.StoragePath));
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(registry);
        services.AddSingleton<SelfMetrics>();
        services.AddSingleton<ForecastGauges>();
        services.AddSingleton<SeriesStore>();
        services.AddSingleton<DemoSwitch>();
        services.AddSingleton(new WriteGate(settings.Limits.MaxInflightRequests));
        services.AddSingleton<AnomalyFeed>();
        services.AddSingleton(sp => new PipelineSet(sp.GetRequiredService<SeriesStore>().Targets
            .Select(t =>
            {
                var pipeline = new TargetPipeline(t, sp.GetRequiredService<ForecastGauges>(), sp.GetRequiredService<SelfMetrics>(),
                    sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILoggerFactory>().CreateLogger<TargetPipeline>());
                sp.GetRequiredService<AnomalyFeed>().Attach(pipeline);
                return pipeline;
            })
            .ToArray()));
        services.AddSingleton(sp => sp.GetRequiredService<PipelineSet>().Current);
        services.AddSingleton<SidecarQueries>();
        // Remote-read retries transient failures (connection errors, 5xx, 429) with jittered backoff.
        var prometheusClient = services.AddHttpClient(RemoteReadClient.HttpClientName, client => client.Timeout = Timeout.InfiniteTimeSpan)
            .ConfigurePrimaryHttpMessageHandler(() => PrometheusClientHandlers.CreatePrimary(settings.Prometheus.Http));
        prometheusClient.AddResilienceHandler("prometheus", pipeline => pipeline.AddRetry(new HttpRetryStrategyOptions
        {
            MaxRetryAttempts = 3,
            BackoffType = DelayBackoffType.Exponential,
            UseJitter = true,
            Delay = TimeSpan.FromSeconds(1),
        }));
        // Inside the retries, so each attempt carries the credentials as they are at that moment.
        if (settings.Prometheus.Http.Credentials is { } credentials)
            prometheusClient.AddHttpMessageHandler(() => new PrometheusAuthorizationHandler(credentials));
        services.AddSingleton(sp => new RemoteReadClient(
            sp.GetRequiredService<IHttpClientFactory>().CreateClient(RemoteReadClient.HttpClientName), settings.Prometheus));
        services.AddSingleton<SnapshotService>();
        services.AddHostedService(sp => sp.GetRequiredService<SnapshotService>());
        services.AddSingleton(sp => new QueryRangeClient(
            sp.GetRequiredService<IHttpClientFactory>().CreateClient(RemoteReadClient.HttpClientName), settings.Prometheus));
        services.AddHostedService<PromQlPoller>();
        services.AddSingleton<BackfillService>();
        services.AddHostedService(sp => sp.GetRequiredService<BackfillService>());
        services.AddHostedService<DemoSource>();
        services.AddHostedService<InferenceService>();
        services.AddHostedService<TrainingService>();

        // Training and inference each run on a thread of their own; one intra-op thread apiece keeps
        // the model work within two cores and leaves the thread pool to ingest and scrapes.
        torch.set_num_threads(1);

        builder.AddGrpcApi(flags, webConfig);
        var app = builder.Build();
        // Before any ingest: what was kept at the last shutdown or snapshot comes back first.
        app.Services.GetRequiredService<SnapshotService>().Restore();
        var store = app.Services.GetRequiredService<SeriesStore>();
        var metrics = app.Services.GetRequiredService<SelfMetrics>();
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Sidecar.Store");
        var throttle = new LogThrottle(TimeProvider.System, TimeSpan.FromMinutes(1));
        store.SeriesOverLimit += (target, reason) =>
        {
            metrics.SeriesRefused.WithLabels(target, reason).Inc();
            if (throttle.ShouldLog(target + "/" + reason, out int suppressed))
            {
                logger.LogWarning("New series for target {Target} refused ({Reason}; global limits.max_series is {Limit}); {Suppressed} more refusals since the last such line",
                    target, reason, settings.Limits.MaxSeries, suppressed);
            }
        };
        var statesWriter = new SavedStatesWriter(app.Services.GetRequiredService<IReadOnlyList<TargetPipeline>>(), flags.StoragePath,
            app.Services.GetRequiredService<ILoggerFactory>().CreateLogger<SavedStatesWriter>());
        app.Services.GetRequiredService<SnapshotService>().Written += statesWriter.Save;
        app.Lifetime.ApplicationStopped.Register(() =>
        {
            foreach (var pipeline in app.Services.GetRequiredService<IReadOnlyList<TargetPipeline>>())
                pipeline.Dispose();
        });

        app.UseWebAuthentication(webConfig);
        app.MapHealth();
        app.MapRemoteWrite();
        app.MapMetrics("/metrics", registry);
        app.MapGrpcApi(flags);
        app.MapWebUi();
        logger.LogInformation("Config {Path}: {Targets} target(s) [{Names}]; demo.mode={Demo}; listening on {Listen}",
            configPath, settings.Targets.Count, string.Join(", ", settings.Targets.Select(t => t.Name)), settings.Demo.ToString().ToLowerInvariant(), flags.ListenAddress);
        logger.LogInformation("Web config {WebConfig}", webConfig);
        return app;
    }

    private static SidecarSettings LoadSettings(string path)
    {
        SidecarSettings settings = ConfigLoader.LoadFile(path);
        if (settings.Demo == DemoMode.Off || settings.Targets.Any(t => t.Name == DemoSource.TargetName))
            return settings;
        var demo = ConfigValidator.Validate(new ConfigFile { Targets = [DemoSource.Target] }, "built-in demo target").Targets[0];
        return settings with { Targets = [.. settings.Targets, demo] };
    }
}
