using Bridge.Notifier.Sinks;
using Bridge.Notifier.Sinks.Alertmanager;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the Alertmanager sink (<c>type: alertmanager</c>).</summary>
internal static class AlertmanagerServiceCollectionExtensions
{
    public static IServiceCollection AddAlertmanagerSink(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.TryAddSingleton<FiringAlertStores>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<ISinkFactory, AlertmanagerSinkFactory>());
        return services;
    }
}
