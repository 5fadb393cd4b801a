using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Sidecar.Host;

namespace Sidecar.Tests.Support;

/// <summary>The real host, on a free loopback port, with a config file and data directory of its own.</summary>
internal sealed class RunningSidecar : IAsyncDisposable
{
    private readonly string _directory;
    private readonly bool _ownsDirectory;

    private RunningSidecar(WebApplication app, string directory, bool ownsDirectory, Uri address, Uri? grpcAddress)
    {
        App = app;
        _directory = directory;
        _ownsDirectory = ownsDirectory;
        Address = address;
        GrpcAddress = grpcAddress;
        Http = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(30) };
    }

    public WebApplication App { get; }

    public Uri Address { get; }

    public HttpClient Http { get; }

    /// <summary>The gRPC API's own HTTP/2 listener; null unless started with <c>grpc: true</c>.</summary>
    public Uri? GrpcAddress { get; }

    public T Service<T>() where T : notnull => App.Services.GetRequiredService<T>();

    /// <param name="directory">Config and data directory to use and keep (for restart tests); a temporary one by default.</param>
    /// <param name="grpc">Also serve the gRPC API, on a second free loopback port.</param>
    /// <param name="extraArgs">More flags, after the usual ones (so they win), e.g. <c>--web.enable-lifecycle</c>.</param>
    /// <param name="logging">Extra log providers, e.g. a <see cref="CapturedLog"/>.</param>
    /// <param name="waitRestored">False to return as soon as the port is open, while the snapshot may still be restoring.</param>
    /// <param name="deleteDirectory">Delete <paramref name="directory"/> on dispose after all, as a temporary one is.</param>
    public static async Task<RunningSidecar> StartAsync(string configYaml, string listen = "127.0.0.1:0", string? directory = null, bool grpc = false,
        IReadOnlyList<string>? extraArgs = null, Action<Microsoft.Extensions.Logging.ILoggingBuilder>? logging = null, bool waitRestored = true,
        bool deleteDirectory = false)
    {
        bool owns = directory is null || deleteDirectory;
        directory ??= Directory.CreateTempSubdirectory("sidecar-test-").FullName;
        string config = Path.Combine(directory, "sidecar.yml");
        await File.WriteAllTextAsync(config, configYaml);
        string[] args = ["--config.file", config, "--web.listen-address=" + listen, "--storage.path=" + Path.Combine(directory, "data"), "--log.level=warn"];
        if (grpc)
            args = [.. args, "--grpc.listen-address=127.0.0.1:0"];
        var app = SidecarHost.Build(new CommandLineDefinition().ParseServeFlags([.. args, .. extraArgs ?? []]), logging);
        await app.StartAsync();
        // The snapshot is restored in the background; tests write once the sidecar takes writes.
        if (waitRestored)
            await app.Services.GetRequiredService<Readiness>().Restored.WaitAsync(TimeSpan.FromSeconds(60));
        // Kestrel binds and reports its listeners in the order they were added: the main one first.
        var bound = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.ToList();
        return new RunningSidecar(app, directory, owns, new Uri(bound[0]), grpc ? new Uri(bound[1]) : null);
    }

    /// <summary>The config file the sidecar was started with; rewrite it before a reload.</summary>
    public string ConfigPath => Path.Combine(_directory, "sidecar.yml");

    public async Task<string> ScrapeAsync() => await Http.GetStringAsync("/metrics");

    /// <summary>Scrapes until <paramref name="condition"/> holds and returns that scrape; fails the test after <paramref name="timeout"/> (60 s).</summary>
    public async Task<string> ScrapeUntilAsync(Func<string, bool> condition, string what, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(60));
        while (true)
        {
            string text = await ScrapeAsync();
            if (condition(text))
                return text;
            Assert.True(DateTime.UtcNow < deadline, $"timed out waiting for {what}:\n{text}");
            await Task.Delay(200);
        }
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
        if (!_ownsDirectory)
            return;
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
