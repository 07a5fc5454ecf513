using Bridge.Server.Kafka;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the bridge's Kafka layer.</summary>
internal static class KafkaServiceCollectionExtensions
{
    /// <summary>
    /// Kafka options (section <c>Kafka</c>, validated at start), the connection (embedded cluster or real
    /// Kafka, topic creation), metrics (meter <c>Bridge.Kafka</c>) and the publisher as
    /// <see cref="IEventPublisher"/>. Both start as hosted services, in that order; call this before
    /// anything that publishes or consumes at start, so Kafka is ready before requests are accepted.
    /// </summary>
    /// <param name="services">Must not be null.</param>
    /// <param name="configuration">The configuration holding section <c>Kafka</c>. Must not be null.</param>
    public static IServiceCollection AddBridgeKafka(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        if (services.Any(d => d.ServiceType == typeof(KafkaConnection)))
        {
            return services;
        }

        services.AddOptions<KafkaOptions>().Bind(configuration.GetSection(KafkaOptions.SectionName)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<KafkaOptions>, KafkaOptionsValidator>());
        services.AddMetrics();
        services.TryAddSingleton<KafkaMetrics>();
        services.AddSingleton<KafkaConnection>();
        services.AddSingleton<KafkaEventPublisher>();
        services.TryAddSingleton<IEventPublisher>(sp => sp.GetRequiredService<KafkaEventPublisher>());
        services.TryAddSingleton<KafkaRecordLimit>();

        // Hosted services start in registration order and stop in reverse: the cluster and topic come
        // first, the producer second, and on shutdown the producer flushes while the cluster still runs.
        services.AddSingleton<IHostedService>(sp => sp.GetRequiredService<KafkaConnection>());
        services.AddSingleton<IHostedService>(sp => sp.GetRequiredService<KafkaEventPublisher>());
        return services;
    }
}
