using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Bridge.Server.Hosting;

/// <summary>Logs where each endpoint listens once the server is up, and the stages of a stop.</summary>
internal sealed class EndpointAnnouncer(
    BridgeEndpoints endpoints,
    IHostApplicationLifetime lifetime,
    IOptions<HostingOptions> options,
    ILogger<EndpointAnnouncer> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        // Kestrel binds after every other hosted service started; ApplicationStarted follows the bind.
        lifetime.ApplicationStarted.Register(() =>
        {
            if (!logger.IsEnabled(LogLevel.Information))
            {
                return;
            }

            foreach (var name in endpoints.Names)
            {
                var address = endpoints.GetAddress(name).GetLeftPart(UriPartial.Authority);
                HostingLog.EndpointListening(logger, name, address);
            }
        });
        lifetime.ApplicationStopping.Register(() => HostingLog.Stopping(logger, options.Value.ShutdownTimeout));
        lifetime.ApplicationStopped.Register(() => HostingLog.Stopped(logger));
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
