using Bridge.Server.GrpcApi;
using Bridge.Server.Kafka;
using Bridge.Server.Hosting;
using Bridge.Server.Subscriptions;
using Grpc.AspNetCore.Server;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Adds the gRPC side of the bridge: the EventBridge service, health and reflection on their own port.</summary>
internal static class GrpcApiExtensions
{
    /// <summary>
    /// The gRPC endpoint (<c>Grpc:Port</c>, default 8081) on Grpc.AspNetCore: <c>bridge.v1.EventBridge</c> (Publish,
    /// Subscribe), <c>grpc.health.v1.Health</c> following Kafka's reachability, server reflection and gRPC-Web (each
    /// switchable), plus the subscription options, metrics, Kafka layer and authentication they need. The gRPC port is
    /// served ahead of the application's own pipeline (a startup filter): gRPC methods are routed there, unknown gRPC
    /// methods get UNIMPLEMENTED and anything else there gets 404, so the ingress routes answer on the ingress port only.
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
        // Publish goes through the spool, like the HTTP ingress.
        services.AddBridgeSpool(builder.Configuration);
        services.AddBridgeAuth();

        services.AddBridgeMetrics();
        services.AddBridgeSubscriptions();
        services.AddOptions<GrpcEndpointOptions>().BindConfiguration(GrpcEndpointOptions.SectionName).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<GrpcEndpointOptions>, GrpcEndpointOptionsValidator>());
        services.TryAddSingleton<GrpcCallAuthenticator>();
        services.TryAddSingleton<EventBridgeService>();

        services.AddGrpc();
        services.AddOptions<GrpcServiceOptions>().Configure<IOptions<GrpcEndpointOptions>>((grpc, endpoint) =>
        {
            grpc.MaxReceiveMessageSize = endpoint.Value.MaxReceiveMessageSize;
            grpc.MaxSendMessageSize = endpoint.Value.MaxSendMessageSize;
            grpc.ResponseCompressionAlgorithm = endpoint.Value.ResponseCompression == GrpcEndpointOptions.Gzip ? GrpcEndpointOptions.Gzip : null;
        });

        // Before AddGrpcHealthChecks, which keeps an existing health service: this one starts NOT_SERVING, not unknown.
        services.TryAddSingleton(_ => GrpcHealthStatus.CreateHealthService());
        services.AddGrpcHealthChecks(grpc =>
            {
                grpc.Services.Clear();
                foreach (var service in GrpcHealthStatus.Services)
                {
                    grpc.Services.Map(service, check => check.Tags.Contains(KafkaHealthCheck.Tag));
                }

                // Check and Watch answer from the last periodic check instead of asking Kafka on every probe.
                grpc.UseHealthChecksCache = true;
            })
            .AddCheck<KafkaHealthCheck>(KafkaHealthCheck.Name, tags: [KafkaHealthCheck.Tag]);
        services.TryAddSingleton<KafkaHealthCheck>();
        services.AddOptions<HealthCheckPublisherOptions>().Configure<IOptions<SubscriptionOptions>>((publisher, subscriptions) =>
        {
            publisher.Delay = TimeSpan.Zero;
            publisher.Period = subscriptions.Value.HealthCheckInterval;
        });
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, GrpcHealthStatus>());

        services.AddGrpcReflection();
        services.AddCors();
        services.TryAddEnumerable(ServiceDescriptor.Transient<IConfigureOptions<KestrelServerOptions>, GrpcKestrelSetup>());
        services.TryAddEnumerable(ServiceDescriptor.Transient<IStartupFilter, GrpcStartupFilter>());
        return builder;
    }
}
