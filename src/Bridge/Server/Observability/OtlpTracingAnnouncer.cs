using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Bridge.Server.Observability;

/// <summary>Says once at start where traces go, so a missing trace is not a mystery.</summary>
internal sealed class OtlpTracingAnnouncer(string endpoint, ILogger<OtlpTracingAnnouncer> logger) : IHostedService
{
    /// <summary>The configured endpoint.</summary>
    public string Endpoint { get; } = endpoint;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        ObservabilityLog.TracesExported(logger, Endpoint);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
