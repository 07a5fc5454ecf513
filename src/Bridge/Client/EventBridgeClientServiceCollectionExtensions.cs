using Bridge.Client;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers <see cref="EventBridgeClient"/> through Grpc.Net.ClientFactory.</summary>
/// <example>
/// <code>
/// builder.Services.AddEventBridgeClient(o =>
/// {
///     o.Address = new Uri("http://bridge:8081");
///     o.Token = builder.Configuration["Bridge:Token"];
/// })
/// .AddInterceptor&lt;LoggingInterceptor&gt;()                                 // any IHttpClientBuilder / gRPC client factory setting
/// .ConfigurePrimaryHttpMessageHandler(() =&gt; new SocketsHttpHandler { /* TLS, proxies */ });
///
/// public sealed class Deployer(EventBridgeClient bridge) { ... }               // injected, transient
/// </code>
/// </example>
public static class EventBridgeClientServiceCollectionExtensions
{
    /// <summary>
    /// Adds <see cref="EventBridgeClient"/> as a typed gRPC client (transient, on a pooled HTTP handler from
    /// <see cref="System.Net.Http.IHttpClientFactory"/>), configured by <paramref name="configure"/>.
    /// <see cref="EventBridgeClientOptions.Address"/> is required; a client is never created without it.
    /// </summary>
    /// <param name="services">The service collection. Must not be null.</param>
    /// <param name="configure">Sets the address, token and ack batching. Must not be null.</param>
    /// <returns>The builder of the underlying HTTP client, for interceptors, handlers and channel settings.</returns>
    public static IHttpClientBuilder AddEventBridgeClient(this IServiceCollection services, Action<EventBridgeClientOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        services.AddOptions<EventBridgeClientOptions>().Configure(configure);
        return services
            .AddGrpcClient<EventBridgeClient>((sp, factory) => factory.Address = EventBridgeClient.CheckAddress(
                Options(sp).Address ?? throw new InvalidOperationException(
                    "EventBridgeClientOptions.Address is required: set it in AddEventBridgeClient, e.g. o.Address = new Uri(\"http://bridge:8081\").")))
            .ConfigureGrpcClientCreator((sp, invoker) =>
            {
                EventBridgeClientOptions options = Options(sp);
                options.Logger ??= sp.GetService<ILoggerFactory>()?.CreateLogger<EventBridgeClient>();
                return new EventBridgeClient(invoker, options);
            });
    }

    private static EventBridgeClientOptions Options(IServiceProvider services) =>
        services.GetRequiredService<IOptions<EventBridgeClientOptions>>().Value;
}
