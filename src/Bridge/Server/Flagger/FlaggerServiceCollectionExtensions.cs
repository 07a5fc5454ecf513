using Bridge.Server.Flagger;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the Flagger to CloudEvent mapping.</summary>
internal static class FlaggerServiceCollectionExtensions
{
    /// <summary>
    /// Binds <see cref="FlaggerOptions"/> (section <c>Flagger</c>, validated at start) and registers
    /// <see cref="FlaggerEventMapper"/> and <see cref="GatePollDeduplicator"/> as singletons, the latter
    /// on the registered <see cref="TimeProvider"/> (the system clock unless one is registered).
    /// Calling it twice registers everything once.
    /// </summary>
    public static IServiceCollection AddFlaggerMapping(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        if (services.Any(d => d.ServiceType == typeof(FlaggerEventMapper)))
        {
            return services;
        }

        services.AddOptions<FlaggerOptions>().BindConfiguration(FlaggerOptions.SectionName).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<FlaggerOptions>, FlaggerOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<FlaggerEventMapper>();
        services.TryAddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<FlaggerOptions>>().Value;
            return new GatePollDeduplicator(options.DeduplicationCapacity, options.DeduplicationTtl, sp.GetRequiredService<TimeProvider>());
        });
        return services;
    }
}
