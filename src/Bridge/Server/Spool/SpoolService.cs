using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Bridge.Server.Spool;

/// <summary>
/// Opens the spool at start (before the ingress accepts requests), so a bad directory stops the start with
/// a message naming it, and records the forwarding progress on stop.
/// </summary>
internal sealed class SpoolService(SpoolStore store, IOptions<SpoolOptions> options, ILogger<SpoolService> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (options.Value.Enabled)
        {
            store.Open();
        }
        else
        {
            SpoolLog.Disabled(logger);
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        store.SaveCheckpoint();
        return Task.CompletedTask;
    }
}
