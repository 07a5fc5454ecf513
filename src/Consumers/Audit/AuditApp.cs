using System.Text.Json;
using Bridge.Audit.Api;
using Bridge.Audit.Configuration;
using Bridge.Audit.Live;
using Bridge.Audit.Observability;
using Bridge.Audit.Storage;
using Bridge.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Configuration.Memory;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;

namespace Bridge.Audit;

/// <summary>Builds the audit service: the subscriber that writes the log, and the HTTP API, probes, metrics and page.</summary>
internal static class AuditApp
{
    public const string ServiceName = "flagger-bridge-audit";
    public const string DefaultSubscription = "audit";
    public const string ReadyTag = "ready";

    public static WebApplication Build(string[] args)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args = args,
            WebRootPath = Path.Combine(AppContext.BaseDirectory, "wwwroot"),
        });

        // Defaults below every other source, so appsettings, environment variables and arguments still override them.
        // (No appsettings.json ships: it would collide with the bridge's in a shared output directory.)
        ((IConfigurationBuilder)builder.Configuration).Sources.Insert(0, new MemoryConfigurationSource
        {
            InitialData = new Dictionary<string, string?>
            {
                ["Logging:LogLevel:Default"] = "Information",
                ["Logging:LogLevel:Microsoft.AspNetCore"] = "Warning",
                ["Logging:LogLevel:Microsoft.Extensions.Diagnostics.HealthChecks"] = "Warning",
            },
        });

        // One line per entry with a UTC time, like the bridge's and the notifier's, so the logs read side by side.
        builder.Logging.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.UseUtcTimestamp = true;
            o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ ";
        });

        var http = builder.Configuration.GetSection(AuditHttpOptions.SectionName).Get<AuditHttpOptions>() ?? new AuditHttpOptions();
        // ASPNETCORE_HTTP_PORTS (what the container image and the chart set) counts as a choice too.
        if (string.IsNullOrWhiteSpace(builder.Configuration[WebHostDefaults.ServerUrlsKey])
            && string.IsNullOrWhiteSpace(builder.Configuration[WebHostDefaults.HttpPortsKey]))
        {
            var check = new AuditHttpOptionsValidator().Validate(null, http);
            if (check.Failed)
            {
                throw new OptionsValidationException(AuditHttpOptions.SectionName, typeof(AuditHttpOptions), check.Failures);
            }

            builder.WebHost.UseUrls($"http://*:{http.Port}");
        }

        var services = builder.Services;
        services.AddOptions<AuditHttpOptions>().BindConfiguration(AuditHttpOptions.SectionName).ValidateOnStart();
        services.AddSingleton<IValidateOptions<AuditHttpOptions>, AuditHttpOptionsValidator>();
        services.AddOptions<StorageOptions>().BindConfiguration(StorageOptions.SectionName).ValidateOnStart();
        services.AddSingleton<IValidateOptions<StorageOptions>, StorageOptionsValidator>();
        services.AddOptions<RetentionOptions>().BindConfiguration(RetentionOptions.SectionName).ValidateOnStart();
        services.AddSingleton<IValidateOptions<RetentionOptions>, RetentionOptionsValidator>();
        services.AddOptions<AuditAuthOptions>().BindConfiguration(AuditAuthOptions.SectionName).ValidateOnStart();
        services.AddSingleton<IValidateOptions<AuditAuthOptions>, AuditAuthOptionsValidator>();

        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<AuditStore>();
        services.AddSingleton<AuditAuthenticator>();
        services.AddSingleton<LiveFeed>();
        services.AddSingleton<DoraSnapshot>();
        services.AddSingleton<AuditMetrics>();

        // Order matters: hosted services start one after the other, so the schema exists before the first delivery.
        services.AddHostedService<StoreInitializer>();
        services.AddHostedService(sp => sp.GetRequiredService<DoraSnapshot>());
        services.AddHostedService<RetentionService>();

        // The audit log wants every event ever published: defaults that configuration may still override.
        services.Configure<SubscriberOptions>(typeof(AuditWriter).FullName, options =>
        {
            options.Subscription = DefaultSubscription;
            options.Start = "earliest";
        });
        services.AddBridgeSubscriber<AuditWriter>();

        services.AddHealthChecks()
            .AddBridgeSubscribers(tags: [ReadyTag])
            .AddCheck<DatabaseHealthCheck>("database", tags: [ReadyTag]);
        services.AddProblemDetails();

        services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(ServiceName))
            .WithMetrics(metrics => metrics
                .AddMeter(AuditMetrics.MeterName)
                .AddAspNetCoreInstrumentation()
                .AddRuntimeInstrumentation()
                .AddPrometheusExporter(prometheus =>
                {
                    // Scope labels would change every series' label set from what dashboards and alerts match.
                    prometheus.ScopeInfoEnabled = false;
                    prometheus.ScrapeResponseCacheDurationMilliseconds = 0;
                }));

        var app = builder.Build();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseDefaultFiles();
        app.UseStaticFiles();

        app.MapHealthChecks("/healthz", new HealthCheckOptions { Predicate = _ => false, ResponseWriter = WriteHealthAsync });
        app.MapHealthChecks("/readyz", new HealthCheckOptions { Predicate = c => c.Tags.Contains(ReadyTag), ResponseWriter = WriteHealthAsync });
        app.MapPrometheusScrapingEndpoint("/metrics");
        app.MapAuditApi();

        app.Lifetime.ApplicationStarted.Register(() =>
        {
            var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Bridge.Audit.Hosting");
            foreach (var address in app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses ?? [])
            {
                AuditLog.Listening(logger, address);
            }
        });
        return app;
    }

    /// <summary>200 with the status when healthy; a problem (503) naming what is not ready otherwise.</summary>
    private static Task WriteHealthAsync(HttpContext context, HealthReport report)
    {
        if (report.Status == HealthStatus.Healthy)
        {
            context.Response.ContentType = "application/json";
            return context.Response.WriteAsync(JsonSerializer.Serialize(new { status = "Healthy" }));
        }

        var reasons = report.Entries.Where(e => e.Value.Status != HealthStatus.Healthy)
            .Select(e => $"{e.Key}: {e.Value.Description ?? e.Value.Exception?.Message ?? e.Value.Status.ToString()}");
        return Results.Problem(detail: string.Join("; ", reasons), statusCode: StatusCodes.Status503ServiceUnavailable, title: "Not ready")
            .ExecuteAsync(context);
    }
}
