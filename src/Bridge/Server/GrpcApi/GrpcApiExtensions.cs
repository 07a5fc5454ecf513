using Bridge.Grpc;
using Bridge.Server.GrpcApi;
using Bridge.Server.Hosting;
using Bridge.Server.Subscriptions;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Adds the gRPC side of the bridge: the EventBridge service and health on their own HTTP/2 port.</summary>
internal static class GrpcApiExtensions
{
    /// <summary>
    /// The gRPC endpoint (<c>Grpc:Port</c>, default 8081, HTTP/2 only), <c>bridge.v1.EventBridge</c> (Publish,
    /// Subscribe), <c>grpc.health.v1.Health</c> following Kafka's reachability, subscription options, metrics and
    /// the Kafka layer and authentication they need. The gRPC port is served ahead of the application's own
    /// pipeline (a startup filter): registered methods are handled, other gRPC paths get UNIMPLEMENTED and anything
    /// else there gets 404, so the ingress routes answer on the ingress port only.
    /// </summary>
    /// <param name="builder">The host builder. Must not be null.</param>
    public static WebApplicationBuilder AddBridgeGrpc(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        if (services.Any(d => d.ServiceType == typeof(EventBridgeService)))
        {
            return builder;
        }

        services.AddBridgeHosting();
        services.AddBridgeKafka(builder.Configuration);
        services.AddBridgeAuth();

        services.AddBridgeMetrics();
        services.AddBridgeSubscriptions();
        services.AddOptions<GrpcEndpointOptions>().BindConfiguration(GrpcEndpointOptions.SectionName).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<GrpcEndpointOptions>, GrpcEndpointOptionsValidator>());
        services.TryAddSingleton<GrpcCallAuthenticator>();
        services.AddGrpcServer().AddService<EventBridgeService>().AddHealthService();
        services.TryAddEnumerable(ServiceDescriptor.Transient<IConfigureOptions<KestrelServerOptions>, GrpcKestrelSetup>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, GrpcHealthMonitor>());
        services.TryAddEnumerable(ServiceDescriptor.Transient<IStartupFilter, GrpcStartupFilter>());
        return builder;
    }
}
