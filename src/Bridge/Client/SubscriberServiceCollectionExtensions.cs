using Bridge.Client;
using Bridge.Client.Internal;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers hosted EventBridge subscribers.</summary>
/// <example>
/// <code>
/// builder.Services.AddBridgeSubscriber&lt;SlackNotifier&gt;();                       // section "Subscriber"
/// builder.Services.AddBridgeSubscriber&lt;AuditWriter&gt;(builder.Configuration.GetSection("Audit:Subscriber"));
/// builder.Services.AddHealthChecks().AddBridgeSubscribers();                   // for /readyz
/// </code>
/// </example>
public static class SubscriberServiceCollectionExtensions
{
    /// <summary>
    /// Adds a hosted subscriber whose <see cref="SubscriberOptions"/> come from the <c>Subscriber</c> configuration section.
    /// </summary>
    /// <typeparam name="THandler">The handler, resolved from a new scope per delivery (registered scoped unless it already is).</typeparam>
    /// <param name="services">The service collection. Must not be null.</param>
    /// <exception cref="InvalidOperationException">A subscriber for <typeparamref name="THandler"/> is already registered.</exception>
    public static IServiceCollection AddBridgeSubscriber<THandler>(this IServiceCollection services)
        where THandler : class, ICloudEventHandler
    {
        ArgumentNullException.ThrowIfNull(services);
        return Add<THandler>(services, SubscriberOptions.SectionName,
            builder => builder.BindConfiguration(SubscriberOptions.SectionName));
    }

    /// <summary>Adds a hosted subscriber whose options are bound from <paramref name="configuration"/>.</summary>
    /// <typeparam name="THandler">The handler, resolved from a new scope per delivery.</typeparam>
    /// <param name="services">The service collection. Must not be null.</param>
    /// <param name="configuration">The section holding the options, e.g. <c>GetSection("Subscriber")</c>. Must not be null.</param>
    /// <exception cref="InvalidOperationException">A subscriber for <typeparamref name="THandler"/> is already registered.</exception>
    public static IServiceCollection AddBridgeSubscriber<THandler>(this IServiceCollection services, IConfiguration configuration)
        where THandler : class, ICloudEventHandler
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        string path = configuration is IConfigurationSection section ? section.Path : SubscriberOptions.SectionName;
        return Add<THandler>(services, path, builder => builder.Bind(configuration));
    }

    /// <summary>Adds a hosted subscriber configured in code.</summary>
    /// <typeparam name="THandler">The handler, resolved from a new scope per delivery.</typeparam>
    /// <param name="services">The service collection. Must not be null.</param>
    /// <param name="configure">Sets the options. Must not be null.</param>
    /// <exception cref="InvalidOperationException">A subscriber for <typeparamref name="THandler"/> is already registered.</exception>
    public static IServiceCollection AddBridgeSubscriber<THandler>(this IServiceCollection services, Action<SubscriberOptions> configure)
        where THandler : class, ICloudEventHandler
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        return Add<THandler>(services, SubscriberOptions.SectionName, builder => builder.Configure(configure));
    }

    /// <summary>
    /// Adds a readiness check named <paramref name="name"/> that is healthy while every hosted subscriber has its stream
    /// open, and unhealthy (naming the subscribers and why) otherwise.
    /// </summary>
    /// <param name="builder">The health checks builder. Must not be null.</param>
    /// <param name="name">The check's name. Must not be null.</param>
    /// <param name="tags">Tags of the check, e.g. <c>["ready"]</c>. May be null.</param>
    public static IHealthChecksBuilder AddBridgeSubscribers(this IHealthChecksBuilder builder, string name = "bridge-subscribers", IEnumerable<string>? tags = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(name);
        return builder.AddCheck<SubscriberHealthCheck>(name, failureStatus: null, tags: tags ?? []);
    }

    private static IServiceCollection Add<THandler>(IServiceCollection services, string sectionPath, Action<OptionsBuilder<SubscriberOptions>> bind)
        where THandler : class, ICloudEventHandler
    {
        string name = typeof(THandler).FullName ?? typeof(THandler).Name;
        if (services.Any(d => d.ServiceType == typeof(SubscriberHealth) && Equals(d.ServiceKey, typeof(THandler))))
        {
            throw new InvalidOperationException($"A bridge subscriber for handler {name} is already registered.");
        }
        OptionsBuilder<SubscriberOptions> options = services.AddOptions<SubscriberOptions>(name);
        bind(options);
        options.ValidateOnStart();
        services.AddSingleton<IValidateOptions<SubscriberOptions>>(new SubscriberOptionsValidator(name, sectionPath));
        services.AddMetrics();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<ClientMetrics>();
        services.TryAddScoped<THandler>();
        services.AddKeyedSingleton<SubscriberHealth>(serviceKey: typeof(THandler), implementationInstance: new SubscriberHealth(name));
        services.AddSingleton(sp => sp.GetRequiredKeyedService<SubscriberHealth>(typeof(THandler)));
        services.AddHostedService(sp => new SubscriberService<THandler>(
            name,
            sp.GetRequiredService<IOptionsMonitor<SubscriberOptions>>(),
            sp.GetRequiredService<IServiceScopeFactory>(),
            sp.GetRequiredService<ILoggerFactory>(),
            sp.GetRequiredKeyedService<SubscriberHealth>(typeof(THandler)),
            sp.GetRequiredService<ClientMetrics>(),
            sp.GetRequiredService<TimeProvider>()));
        return services;
    }
}
