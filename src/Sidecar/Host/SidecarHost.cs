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
    /// <exception cref="ConfigException">The config file or the web config file is invalid.</exception>
    public static WebApplication Build(ServeFlags flags, Action<ILoggingBuilder>? addLogging = null)
    {
        string configPath = flags.ConfigFile ?? Path.Combine(AppContext.BaseDirectory, DefaultConfigFileName);
        SidecarSettings settings = LoadSettings(configPath);
        WebConfig webConfig = WebConfigLoader.Load(flags.WebConfigFile);
        Directory.CreateDirectory(flags.StoragePath);

        // Our flags are not ASP.NET configuration: keep them away from its command-line provider.
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [], ContentRootPath = AppContext.BaseDirectory });
        ConfigureLogging(builder.Logging, flags);
        addLogging?.Invoke(builder.Logging);
        // The whole graceful shutdown (draining requests, stopping services, the final snapshot) shares this deadline.
        builder.Services.Configure<HostOptions>(options => options.ShutdownTimeout = flags.ShutdownTimeout);
        var (address, port) = ServeFlags.ParseListenAddress(flags.ListenAddress);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(address, port, listen => listen.UseWebConfig(webConfig));
            kestrel.ApplyLimits(settings.Limits);
        });

        var registry = Metrics.NewCustomRegistry();
        var services = builder.Services;
        // Code that follows reloads reads SettingsHolder.Current; the record itself is what was loaded at start.
        var settingsHolder = new SettingsHolder(settings);
        services.AddSingleton(settingsHolder);
        services.AddSingleton(new Readiness());
        services.AddSingleton(new StoragePath(flags.StoragePath));
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(registry);
        services.AddSingleton<SelfMetrics>();
        services.AddSingleton<ForecastGauges>();
        services.AddSingleton(sp => new SeriesStore(settings, sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<DemoSwitch>();
        services.AddSingleton(new WriteGate(settings.Limits.MaxInflightRequests));
        services.AddSingleton<AnomalyFeed>();
        services.AddSingleton<PipelineFactory>();
        services.AddSingleton(sp => new PipelineSet(
            sp.GetRequiredService<SeriesStore>().Targets.Select(sp.GetRequiredService<PipelineFactory>().Create).ToArray()));
        services.AddSingleton<PipelineStateFiles>();
        services.AddSingleton<SidecarQueries>();
        services.AddSingleton(sp => ActivatorUtilities.CreateInstance<ConfigReloader>(sp, () => LoadSettings(configPath)));
        services.AddHostedService<ReloadSignal>();
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
            sp.GetRequiredService<IHttpClientFactory>().CreateClient(RemoteReadClient.HttpClientName), () => settingsHolder.Current.Prometheus));
        services.AddSingleton<SnapshotService>();
        services.AddHostedService(sp => sp.GetRequiredService<SnapshotService>());
        services.AddSingleton(sp => new QueryRangeClient(
            sp.GetRequiredService<IHttpClientFactory>().CreateClient(RemoteReadClient.HttpClientName), () => settingsHolder.Current.Prometheus));
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
        // The snapshot is restored by SnapshotService in the background; writes wait for it (Readiness).
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
                    target, reason, settingsHolder.Current.Limits.MaxSeries, suppressed);
            }
        };
        var pipelines = app.Services.GetRequiredService<PipelineSet>();
        app.Services.GetRequiredService<SnapshotService>().Written += app.Services.GetRequiredService<PipelineStateFiles>().Save;
        var readiness = app.Services.GetRequiredService<Readiness>();
        var lifecycleLogger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Sidecar.Host.Lifecycle");
        app.Lifetime.ApplicationStopping.Register(() =>
        {
            // First of all: from here on a write could miss the final snapshot, so none is taken.
            readiness.MarkShuttingDown();
            lifecycleLogger.LogInformation("Shutting down: new writes get 503; in-flight requests finish, then the final snapshot (deadline {Timeout}, --shutdown.timeout)",
                PromDuration.Format(flags.ShutdownTimeout));
        });
        app.Lifetime.ApplicationStopped.Register(() =>
        {
            foreach (var pipeline in pipelines.Current)
                pipeline.Dispose();
        });

        app.UseWebAuthentication(webConfig);
        app.MapHealth();
        app.MapLifecycle(flags.EnableLifecycle);
        app.MapRemoteWrite();
        app.MapMetricsExposition("/metrics");
        app.MapGrpcApi(flags);
        app.MapWebUi();
        logger.LogInformation("Config {Path}: {Targets} target(s) [{Names}]; demo.mode={Demo}; listening on {Listen}",
            configPath, settings.Targets.Count, string.Join(", ", settings.Targets.Select(t => t.Name)), settings.Demo.ToString().ToLowerInvariant(), flags.ListenAddress);
        logger.LogInformation("Web config {WebConfig}", webConfig);
        return app;
    }

    private static void ConfigureLogging(ILoggingBuilder logging, ServeFlags flags)
    {
        logging.ClearProviders();
        logging.SetMinimumLevel(flags.LogLevel);
        logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        if (flags.LogFormat == LogFormat.Json)
        {
            logging.AddJsonConsole(options =>
            {
                options.UseUtcTimestamp = true;
                options.TimestampFormat = "yyyy-MM-dd'T'HH:mm:ss.fff'Z'";
                options.JsonWriterOptions = new System.Text.Json.JsonWriterOptions { Indented = false };
            });
            return;
        }
        logging.AddConsole(options => options.FormatterName = LogfmtConsoleFormatter.FormatterName);
        logging.AddConsoleFormatter<LogfmtConsoleFormatter, Microsoft.Extensions.Logging.Console.ConsoleFormatterOptions>();
    }

    /// <summary>Reads and validates the config file, with the built-in demo target added when the demo may run.</summary>
    /// <exception cref="ConfigException">The file can't be read or is invalid.</exception>
    private static SidecarSettings LoadSettings(string path) => WithDemoTarget(ConfigLoader.LoadFile(path));

    /// <summary>The settings the sidecar runs: those of the file, and the built-in demo target after them when the demo may run.</summary>
    internal static SidecarSettings WithDemoTarget(SidecarSettings settings)
    {
        if (settings.Demo == DemoMode.Off || settings.Targets.Any(t => t.Name == DemoSource.TargetName))
            return settings;
        var demo = ConfigValidator.Validate(new ConfigFile { Targets = [DemoSource.Target] }, "built-in demo target").Targets[0];
        return settings with { Targets = [.. settings.Targets, demo] };
    }
}
