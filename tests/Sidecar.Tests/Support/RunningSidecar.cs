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

    private RunningSidecar(WebApplication app, string directory, bool ownsDirectory, Uri address)
    {
        App = app;
        _directory = directory;
        _ownsDirectory = ownsDirectory;
        Address = address;
        Http = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(30) };
    }

    public WebApplication App { get; }

    public Uri Address { get; }

    public HttpClient Http { get; }

    public T Service<T>() where T : notnull => App.Services.GetRequiredService<T>();

    /// <param name="directory">Config and data directory to use and keep (for restart tests); a temporary one by default.</param>
    /// <param name="waitRestored">False to return as soon as the port is open, while the snapshot may still be restoring.</param>
    /// <param name="flags">Further command-line flags, e.g. <c>--web.enable-lifecycle</c>.</param>
    public static async Task<RunningSidecar> StartAsync(string configYaml, string listen = "127.0.0.1:0", string? directory = null, bool waitRestored = true, params string[] flags)
    {
        bool owns = directory is null;
        directory ??= Directory.CreateTempSubdirectory("sidecar-test-").FullName;
        string config = Path.Combine(directory, "sidecar.yml");
        await File.WriteAllTextAsync(config, configYaml);
        var app = SidecarHost.Build(["--config.file", config, "--web.listen-address=" + listen, "--storage.path=" + Path.Combine(directory, "data"), "--log.level=warn", .. flags]);
        await app.StartAsync();
        // The snapshot is restored in the background; tests write once the sidecar takes writes.
        if (waitRestored)
            await app.Services.GetRequiredService<Readiness>().Restored.WaitAsync(TimeSpan.FromSeconds(60));
        string bound = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new RunningSidecar(app, directory, owns, new Uri(bound));
    }

    /// <summary>The config file the sidecar was started with; rewrite it before a reload.</summary>
    public string ConfigPath => Path.Combine(_directory, "sidecar.yml");

    public async Task<string> ScrapeAsync() => await Http.GetStringAsync("/metrics");

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
