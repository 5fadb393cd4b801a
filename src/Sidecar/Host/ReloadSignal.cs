using System.Runtime.InteropServices;

namespace Sidecar.Host;

/// <summary>
/// SIGHUP reloads the config, as it does for Prometheus, whether or not the HTTP lifecycle API is
/// enabled: only someone who may signal the process can send it. The outcome is logged by the reload.
/// </summary>
internal sealed class ReloadSignal(ConfigReloader reloader, ILogger<ReloadSignal> logger) : IHostedService, IDisposable
{
    private PosixSignalRegistration? _registration;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            _registration = PosixSignalRegistration.Create(PosixSignal.SIGHUP, context =>
            {
                // Handled here: the default action of SIGHUP would end the process.
                context.Cancel = true;
                ThreadPool.QueueUserWorkItem(_ => Reload());
            });
        }
        catch (PlatformNotSupportedException)
        {
            logger.LogDebug("SIGHUP is not supported on this platform; reload through POST /-/reload");
        }
        return Task.CompletedTask;
    }

    private void Reload()
    {
        ReloadResult result = reloader.Reload("SIGHUP");
        // Failures and successes are logged by the reload itself; a refusal changes nothing and says why here.
        if (result.StatusCode == StatusCodes.Status503ServiceUnavailable)
            logger.LogWarning("SIGHUP ignored: {Reason}", result.Message);
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        Dispose();
        return Task.CompletedTask;
    }

    public void Dispose()
    {
        _registration?.Dispose();
        _registration = null;
    }
}
