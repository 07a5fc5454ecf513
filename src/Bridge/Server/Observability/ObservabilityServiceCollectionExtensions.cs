using Bridge.Server.Observability;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Diagnostics.Metrics;
using MetricsOptions = Bridge.Server.Observability.MetricsOptions;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the bridge's metrics and traces on OpenTelemetry.</summary>
internal static class ObservabilityServiceCollectionExtensions
{
    /// <summary>The service name of the telemetry unless <c>OTEL_SERVICE_NAME</c> or <c>OTEL_RESOURCE_ATTRIBUTES</c> names one.</summary>
    public const string DefaultServiceName = "flagger-bridge";

    /// <summary>The bridge's meters exported at <c>/metrics</c> (<c>Bridge.Ingress</c>, <c>Bridge.Kafka</c>, ...) besides ASP.NET Core's, HttpClient's and the runtime's.</summary>
    public const string MeterPrefix = "Bridge";

    // The name OpenTelemetry's metrics listener registers under in the host's metrics builder.
    private const string OpenTelemetryListenerName = "OpenTelemetry";

    /// <summary>
    /// Metrics (<see cref="AddBridgeMetrics"/>) and, when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> (or
    /// <c>OTEL_EXPORTER_OTLP_TRACES_ENDPOINT</c>) is configured, traces exported over OTLP. Without an endpoint no
    /// tracer provider exists, so no span is created or exported.
    /// </summary>
    public static WebApplicationBuilder AddBridgeTelemetry(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        services.AddBridgeMetrics();
        if (OtlpTracesEndpoint(builder.Configuration) is { } endpoint && !services.Any(d => d.ServiceType == typeof(OtlpTracingAnnouncer)))
        {
            // The exporter reads the OTEL_EXPORTER_OTLP_* settings (protocol, headers, timeout) from the configuration itself.
            services.AddOpenTelemetry().WithTracing(tracing => tracing.AddOtlpExporter());
            services.AddSingleton(sp => new OtlpTracingAnnouncer(endpoint, sp.GetRequiredService<Microsoft.Extensions.Logging.ILogger<OtlpTracingAnnouncer>>()));
            services.AddSingleton<IHostedService>(sp => sp.GetRequiredService<OtlpTracingAnnouncer>());
        }

        return builder;
    }

    /// <summary>
    /// OpenTelemetry metrics served at <c>/metrics</c> (every <c>Bridge.*</c> meter of this host, ASP.NET Core, HttpClient and runtime
    /// instruments), the bounds of user-labelled series (section <c>Metrics</c>), the ingress instruments, and the
    /// bridge's trace sources and instrumentation for whichever tracer provider the host adds. Calling it twice registers
    /// them once.
    /// </summary>
    public static IServiceCollection AddBridgeMetrics(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        if (services.Any(d => d.ServiceType == typeof(SeriesMeters)))
        {
            return services;
        }

        // Through the host's metrics builder rather than AddMeter: its rules follow meter scopes, so each host exports
        // only the meters of its own IMeterFactory (several hosts share a process in tests).
        services.AddMetrics(metrics => metrics.EnableMetrics(MeterPrefix, instrumentName: null, listenerName: OpenTelemetryListenerName, scopes: MeterScope.Local));
        services.AddOptions<MetricsOptions>().BindConfiguration(MetricsOptions.SectionName).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<MetricsOptions>, MetricsOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<SeriesMeters>();
        services.TryAddSingleton<IngressMetrics>();
        services.TryAddSingleton<MetricsEndpoint>();

        services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddDetector(sp => new ServiceNameDetector(sp.GetService<IConfiguration>())))
            .WithMetrics(metrics => metrics
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddRuntimeInstrumentation()
                .AddPrometheusExporter(prometheus =>
                {
                    // Scope labels would change every series' label set from what dashboards and alerts match.
                    prometheus.ScopeInfoEnabled = false;

                    // A scrape shows what happened up to it, not a copy cached by an earlier scrape.
                    prometheus.ScrapeResponseCacheDurationMilliseconds = 0;
                }));
        services.ConfigureOpenTelemetryMeterProvider((sp, metrics) =>
        {
            // The ASP.NET Core, HttpClient and runtime instrumentation subscribe to meters by name, in the whole
            // process. ASP.NET Core and IHttpClientFactory create theirs with the host's meter factory, so another host
            // in the process (tests run several) has meters of the same names: its measurements would add to this
            // host's series, and its disposal would end the stream this host's instruments still write to, after which
            // a scrape shows each of those series twice. Meters scoped to another factory are not this host's.
            var meterFactory = sp.GetRequiredService<IMeterFactory>();
            metrics.AddView(instrument => instrument.Meter.Scope is { } scope && !ReferenceEquals(scope, meterFactory) ? MetricStreamConfiguration.Drop : null);

            var options = sp.GetRequiredService<IOptions<MetricsOptions>>().Value;
            metrics.AddView(IngressMetrics.CanaryStatusName,
                new MetricStreamConfiguration { CardinalityLimit = SeriesMeter.CardinalityLimit(IngressMetrics.CanaryBudget(options)) });
            var subscriptions = SeriesMeter.CardinalityLimit(Bridge.Server.Subscriptions.SubscriptionMetrics.Budget(options));
            foreach (var instrument in Bridge.Server.Subscriptions.SubscriptionMetrics.PerSubscriptionInstruments)
            {
                metrics.AddView(instrument, new MetricStreamConfiguration { CardinalityLimit = subscriptions });
            }
        });

        // Only configuration: a tracer provider exists when AddBridgeTelemetry finds an OTLP endpoint (or a test adds one).
        services.ConfigureOpenTelemetryTracerProvider(tracing => tracing
            .AddSource(EventTracing.SourceName)
            .AddAspNetCoreInstrumentation(aspNetCore => aspNetCore.Filter = static context => !IsProbeOrScrape(context.Request.Path))
            .AddHttpClientInstrumentation());
        return services;
    }

    /// <summary>The OTLP endpoint traces go to, or null when none is configured.</summary>
    internal static string? OtlpTracesEndpoint(IConfiguration configuration)
    {
        var endpoint = configuration["OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"];
        if (string.IsNullOrWhiteSpace(endpoint))
        {
            endpoint = configuration["OTEL_EXPORTER_OTLP_ENDPOINT"];
        }

        return string.IsNullOrWhiteSpace(endpoint) ? null : endpoint.Trim();
    }

    // Probes, scrapes and gRPC health checks come every few seconds and say nothing about events.
    private static bool IsProbeOrScrape(PathString path) =>
        path.Equals(Bridge.Server.Ingress.IngressRoutes.Healthz, StringComparison.OrdinalIgnoreCase)
        || path.Equals(Bridge.Server.Ingress.IngressRoutes.Readyz, StringComparison.OrdinalIgnoreCase)
        || path.Equals(Bridge.Server.Ingress.IngressRoutes.Metrics, StringComparison.OrdinalIgnoreCase)
        || path.StartsWithSegments("/grpc.health.v1.Health", StringComparison.Ordinal);

    /// <summary>Names the service <see cref="DefaultServiceName"/> unless the OpenTelemetry variables name it.</summary>
    private sealed class ServiceNameDetector(IConfiguration? configuration) : IResourceDetector
    {
        public Resource Detect()
        {
            var named = !string.IsNullOrWhiteSpace(configuration?["OTEL_SERVICE_NAME"])
                || (configuration?["OTEL_RESOURCE_ATTRIBUTES"]?.Contains("service.name=", StringComparison.Ordinal) ?? false);
            return named ? Resource.Empty : new Resource([new KeyValuePair<string, object>("service.name", DefaultServiceName)]);
        }
    }
}
