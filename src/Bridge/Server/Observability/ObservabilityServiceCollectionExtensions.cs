using Bridge.Server.Observability;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the bridge's metrics.</summary>
internal static class ObservabilityServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="System.Diagnostics.Metrics.IMeterFactory"/>, the Prometheus exporter of every <c>Bridge*</c> meter and
    /// the ingress instruments. Calling it twice registers them once.
    /// </summary>
    public static IServiceCollection AddBridgeMetrics(this IServiceCollection services)
    {
        services.AddMetrics();
        services.TryAddSingleton(sp => new PrometheusExporter(sp.GetService<System.Diagnostics.Metrics.IMeterFactory>()));
        services.TryAddSingleton<IngressMetrics>();
        return services;
    }
}
