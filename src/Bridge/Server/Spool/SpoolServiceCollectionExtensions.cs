using Bridge.Server.Kafka;
using Bridge.Server.Spool;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the store-and-forward spool.</summary>
internal static class SpoolServiceCollectionExtensions
{
    /// <summary>
    /// The Kafka layer (<see cref="KafkaServiceCollectionExtensions.AddBridgeKafka"/>), then spool options (section
    /// <c>Spool</c>, validated at start), metrics (meter <c>Bridge.Spool</c>), the store, the
    /// <see cref="SpoolingEventPublisher"/> the ingress publishes through, and the forwarder. The store opens and
    /// the forwarder starts after the Kafka publisher, and stop before it. Calling it twice registers everything once.
    /// </summary>
    /// <param name="services">Must not be null.</param>
    /// <param name="configuration">The configuration holding sections <c>Spool</c> and <c>Kafka</c>. Must not be null.</param>
    public static IServiceCollection AddBridgeSpool(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        if (services.Any(d => d.ServiceType == typeof(SpoolStore)))
        {
            return services;
        }

        services.AddBridgeKafka(configuration);
        services.AddOptions<SpoolOptions>().Bind(configuration.GetSection(SpoolOptions.SectionName)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<SpoolOptions>, SpoolOptionsValidator>());
        services.TryAddSingleton<SpoolMetrics>();
        services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<SpoolOptions>>().Value;
            var directory = Path.Combine(sp.GetRequiredService<IHostEnvironment>().ContentRootPath, options.Directory);
            return new SpoolStore(directory, options.MaxBytes, options.SegmentBytes, sp.GetRequiredService<SpoolMetrics>(),
                sp.GetRequiredService<ILogger<SpoolStore>>(), sp.GetService<TimeProvider>());
        });
        services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<SpoolOptions>>().Value;
            return new SpoolingEventPublisher(
                sp.GetRequiredService<KafkaEventPublisher>(),
                options.Enabled ? sp.GetRequiredService<SpoolStore>() : null,
                sp.GetRequiredService<SpoolMetrics>(),
                options.EffectiveKafkaBudget(sp.GetRequiredService<IOptions<KafkaOptions>>().Value.ProduceTimeout),
                sp.GetRequiredService<IOptions<KafkaOptions>>().Value.Topic,
                sp.GetRequiredService<ILogger<SpoolingEventPublisher>>(),
                sp.GetService<TimeProvider>());
        });
        services.AddSingleton(sp => new SpoolForwarder(
            sp.GetRequiredService<SpoolStore>(),
            sp.GetRequiredService<KafkaEventPublisher>(),
            sp.GetRequiredService<IOptions<SpoolOptions>>().Value,
            sp.GetRequiredService<SpoolMetrics>(),
            sp.GetRequiredService<ILogger<SpoolForwarder>>(),
            sp.GetService<TimeProvider>()));

        // After the Kafka publisher's registration: started after it, stopped before it flushes.
        services.AddSingleton<IHostedService, SpoolService>();
        services.AddSingleton<IHostedService>(sp => sp.GetRequiredService<SpoolForwarder>());
        return services;
    }
}
