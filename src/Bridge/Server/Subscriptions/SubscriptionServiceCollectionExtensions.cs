using Bridge.Server.Subscriptions;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the subscription machinery.</summary>
internal static class SubscriptionServiceCollectionExtensions
{
    /// <summary>
    /// <see cref="SubscriptionOptions"/> (section <c>Subscriptions</c>, validated at start), the registry of
    /// subscriptions and their metrics (meter <c>Bridge.Subscriptions</c>). Calling it twice registers them once.
    /// </summary>
    public static IServiceCollection AddBridgeSubscriptions(this IServiceCollection services)
    {
        if (services.Any(d => d.ServiceType == typeof(SubscriptionRegistry)))
        {
            return services;
        }

        services.AddOptions<SubscriptionOptions>().BindConfiguration(SubscriptionOptions.SectionName).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<SubscriptionOptions>, SubscriptionOptionsValidator>());
        services.AddMetrics();
        services.AddSingleton<SubscriptionRegistry>();
        services.TryAddSingleton<SubscriptionMetrics>();
        return services;
    }
}
