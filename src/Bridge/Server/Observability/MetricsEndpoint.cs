using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Bridge.Server.Observability;

/// <summary>
/// <c>GET /metrics</c>: OpenTelemetry's Prometheus exporter (text format 0.0.4, or OpenMetrics when the scraper asks
/// for it), one scrape at a time, each preceded by <see cref="SeriesMeters.PrepareCollection"/>.
/// </summary>
/// <remarks>
/// Scrapes take turns so that a series meter is never replaced while a collection reads it; a scrape is a few
/// milliseconds, and Prometheus scrapes every few seconds.
/// </remarks>
internal sealed class MetricsEndpoint : IDisposable
{
    private readonly SeriesMeters _seriesMeters;
    private readonly ILogger<MetricsEndpoint> _logger;
    private readonly SemaphoreSlim _turn = new(1, 1);
    private readonly Lazy<RequestDelegate> _export;

    /// <param name="services">The host's services, holding the meter provider. Must not be null.</param>
    /// <param name="seriesMeters">The meters to prepare before each scrape. Must not be null.</param>
    /// <param name="logger">Must not be null.</param>
    public MetricsEndpoint(IServiceProvider services, SeriesMeters seriesMeters, ILogger<MetricsEndpoint> logger)
    {
        ArgumentNullException.ThrowIfNull(services);
        _seriesMeters = seriesMeters;
        _logger = logger;

        // The exporter's middleware is internal; a branch that always matches is the public way to run it.
        _export = new Lazy<RequestDelegate>(() => new ApplicationBuilder(services)
            .UseOpenTelemetryPrometheusScrapingEndpoint(meterProvider: null, predicate: static _ => true, path: null, configureBranchedPipeline: null, optionsName: null)
            .Build());
    }

    /// <summary>Answers a scrape.</summary>
    public async Task WriteAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        await _turn.WaitAsync(context.RequestAborted);
        try
        {
            var renewed = _seriesMeters.PrepareCollection();
            if (renewed > 0)
            {
                ObservabilityLog.SeriesMetersRenewed(_logger, renewed);
            }

            context.Response.Headers.CacheControl = "no-store";
            await _export.Value(context);
        }
        finally
        {
            _turn.Release();
        }
    }

    public void Dispose() => _turn.Dispose();
}
