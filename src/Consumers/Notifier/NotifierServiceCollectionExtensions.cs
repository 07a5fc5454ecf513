using System.Text;
using Bridge.Client;
using Bridge.Notifier.Configuration;
using Bridge.Notifier.Delivery;
using Bridge.Notifier.Observability;
using Bridge.Notifier.Sinks;
using Bridge.Notifier.Sinks.Chat;
using Bridge.Notifier.Sinks.CloudEvents;
using Bridge.Notifier.Sinks.Console;
using Bridge.Notifier.Sinks.Webhook;
using Bridge.Notifier.Templates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Bridge.Notifier;

/// <summary>The notifier's composition: what <c>Program.cs</c> calls.</summary>
internal static class NotifierServiceCollectionExtensions
{
    /// <summary>Where the notifier listens unless <c>Urls</c>, <c>HTTP_PORTS</c> or <c>Kestrel:Endpoints</c> says otherwise.</summary>
    public const string DefaultUrls = "http://0.0.0.0:8090";

    /// <summary>The subscription (Kafka consumer group) unless <c>Subscriber:Subscription</c> names one.</summary>
    public const string DefaultSubscription = "notifier";

    /// <summary>The service name of the telemetry unless <c>OTEL_SERVICE_NAME</c> names one.</summary>
    public const string DefaultServiceName = "flagger-notifier";

    private const string ReadyTag = "ready";

    public static WebApplicationBuilder AddNotifier(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        // ASPNETCORE_HTTP_PORTS (what the container image and the chart set) counts as a choice too.
        if (string.IsNullOrEmpty(builder.Configuration[WebHostDefaults.ServerUrlsKey])
            && string.IsNullOrEmpty(builder.Configuration[WebHostDefaults.HttpPortsKey])
            && !builder.Configuration.GetSection("Kestrel:Endpoints").Exists())
        {
            builder.WebHost.UseUrls(DefaultUrls);
        }
        // Probes and scrapes every few seconds would bury the notifications in request logs.
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        // IHttpClientFactory logs every request at Information; the notifier's own delivery log says what matters.
        builder.Logging.AddFilter("System.Net.Http.HttpClient", LogLevel.Warning);
        // One line per entry with a UTC time, like the bridge's, so the two logs read side by side under make run.
        builder.Logging.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.UseUtcTimestamp = true;
            o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ ";
        });
        IServiceCollection services = builder.Services;
        services.AddOptions<NotifierOptions>().BindConfiguration(NotifierOptions.SectionName).ValidateOnStart();
        services.AddSingleton<IValidateOptions<NotifierOptions>, NotifierOptionsValidator>();
        services.AddOptions<DeliveryOptions>().BindConfiguration(DeliveryOptions.SectionName).ValidateOnStart();
        services.AddSingleton<IValidateOptions<DeliveryOptions>, DeliveryOptionsValidator>();
        services.TryAddSingleton(TimeProvider.System);
        services.AddMetrics();
        services.AddSingleton<NotifierMetrics>();
        services.AddSingleton(sp => new TemplateEngine(sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<NoiseControl>();
        services.AddSinkHttpClient();
        services.AddSinks();
        services.AddSingleton(sp => new NotifierConfigLoader(
            sp.GetServices<ISinkFactory>(),
            sp.GetRequiredService<TemplateEngine>(),
            _ => SinkResilience.CreateSinkClient(sp.GetRequiredService<IHttpMessageHandlerFactory>()),
            sp,
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<IOptions<NotifierOptions>>().Value.DataDirectory));
        // Registered before the subscriber so that the configuration is loaded (or the start fails) before any event arrives.
        services.AddSingleton<ConfigurationStore>();
        services.AddHostedService(sp => sp.GetRequiredService<ConfigurationStore>());
        services.AddSingleton<DeliveryPipeline>();

        services.AddBridgeSubscriber<NotificationHandler>();
        services.PostConfigure<SubscriberOptions>(typeof(NotificationHandler).FullName, o => o.Subscription ??= DefaultSubscription);
        services.AddEventBridgeClient(o =>
        {
            IConfigurationSection subscriber = builder.Configuration.GetSection(SubscriberOptions.SectionName);
            if (Uri.TryCreate(subscriber["Address"], UriKind.Absolute, out Uri? address))
            {
                o.Address = address;
            }
        });
        services.AddSingleton<IBridgePublisher>(sp =>
        {
            IOptionsMonitor<SubscriberOptions> subscriber = sp.GetRequiredService<IOptionsMonitor<SubscriberOptions>>();
            string name = typeof(NotificationHandler).FullName!;
            return new BridgePublisher(sp.GetRequiredService<EventBridgeClient>(), () => subscriber.Get(name));
        });

        services.AddHealthChecks()
            .AddBridgeSubscribers(tags: [ReadyTag])
            .AddCheck<ConfigurationHealthCheck>("configuration", tags: [ReadyTag]);
        services.AddSingleton<ConfigurationHealthCheck>();

        var telemetry = services.AddOpenTelemetry();
        if (string.IsNullOrEmpty(builder.Configuration["OTEL_SERVICE_NAME"]))
        {
            telemetry.ConfigureResource(resource => resource.AddService(DefaultServiceName));
        }
        telemetry
            .WithMetrics(metrics => metrics
                .AddMeter(NotifierMetrics.MeterName, BridgeClientTelemetry.MeterName)
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddRuntimeInstrumentation()
                .AddPrometheusExporter(prometheus => prometheus.ScrapeResponseCacheDurationMilliseconds = 0));
        if (!string.IsNullOrEmpty(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]) || !string.IsNullOrEmpty(builder.Configuration["OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"]))
        {
            telemetry.WithTracing(tracing => tracing
                .AddSource(NotifierTracing.SourceName, BridgeClientTelemetry.ActivitySourceName)
                .AddHttpClientInstrumentation()
                .AddOtlpExporter());
        }
        return builder;
    }

    /// <summary>
    /// The sink kinds. The core's own are here; the chat sinks, the Alertmanager sink and the rollout actions add
    /// theirs through their extension methods, called from this one place.
    /// </summary>
    public static IServiceCollection AddSinks(this IServiceCollection services)
    {
        services.TryAddEnumerable(ServiceDescriptor.Singleton<ISinkFactory, ConsoleSinkFactory>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<ISinkFactory, WebhookSinkFactory>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<ISinkFactory, CloudEventsSinkFactory>());
        services.AddChatSinks();
        services.AddAlertmanagerSink();
        services.AddRolloutActions();
        return services;
    }

    public static WebApplication MapNotifierEndpoints(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapHealthChecks("/healthz", new HealthCheckOptions { Predicate = _ => false });
        app.MapHealthChecks("/readyz", new HealthCheckOptions { Predicate = c => c.Tags.Contains(ReadyTag), ResponseWriter = WriteReasonsAsync });
        app.MapPrometheusScrapingEndpoint("/metrics");
        app.Lifetime.ApplicationStarted.Register(() =>
        {
            ILogger logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Bridge.Notifier");
            if (logger.IsEnabled(LogLevel.Information))
            {
                ICollection<string>? addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses;
                string listening = string.Join(", ", addresses ?? []);
                NotifierLog.Listening(logger, listening);
            }
        });
        return app;
    }

    private static Task WriteReasonsAsync(HttpContext context, HealthReport report)
    {
        var text = new StringBuilder();
        text.Append(report.Status).Append('\n');
        foreach (KeyValuePair<string, HealthReportEntry> entry in report.Entries)
        {
            text.Append(entry.Key).Append(": ").Append(entry.Value.Status).Append(" - ").Append(entry.Value.Description).Append('\n');
        }
        context.Response.ContentType = "text/plain; charset=utf-8";
        return context.Response.WriteAsync(text.ToString());
    }
}
