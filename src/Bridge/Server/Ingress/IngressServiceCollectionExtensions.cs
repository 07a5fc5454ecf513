using Bridge.Server.Hosting;
using Bridge.Server.Ingress;
using Bridge.Server.Kafka;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the HTTP ingress.</summary>
internal static class IngressServiceCollectionExtensions
{
    /// <summary>
    /// The ingress: its Kestrel endpoint (<c>Ingress:Port</c>), options, authentication, rate limit,
    /// metrics, the Flagger mapping, the route handlers and what they publish through (Kafka and the spool,
    /// <see cref="SpoolServiceCollectionExtensions.AddBridgeSpool"/>). Map the routes with <c>app.MapBridgeIngress()</c>.
    /// </summary>
    public static WebApplicationBuilder AddBridgeIngress(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddBridgeHosting();
        services.AddOptions<IngressOptions>().BindConfiguration(IngressOptions.SectionName).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<IngressOptions>, IngressOptionsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Transient<IConfigureOptions<KestrelServerOptions>, IngressKestrelSetup>());

        services.AddBridgeAuth();
        builder.AddBridgeTelemetry();
        services.AddFlaggerMapping();
        services.AddBridgeSpool(builder.Configuration);

        services.TryAddSingleton<IngressRateLimiter>();
        services.TryAddSingleton<IngressGuard>();
        services.TryAddSingleton<FlaggerIngress>();
        services.TryAddSingleton<CloudEventIngress>();
        services.TryAddSingleton<HealthEndpoints>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IReadinessCheck, KafkaReadinessCheck>());
        return builder;
    }
}
