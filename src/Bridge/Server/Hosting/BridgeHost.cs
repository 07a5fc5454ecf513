using Bridge.Server.GrpcApi;
using Bridge.Server.Ingress;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration.Memory;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;

namespace Bridge.Server.Hosting;

/// <summary>
/// Creates the bridge's web host: Kestrel without a Server header, console logging (simple or JSON),
/// configurable graceful shutdown and <see cref="BridgeEndpoints"/>. Features add themselves with
/// <c>builder.AddBridgeXxx()</c> and map their routes on the built application.
/// </summary>
internal static class BridgeHost
{
    /// <summary>
    /// Lowest-priority configuration: every other source (appsettings.json, environment,
    /// command line, tests' in-memory values) overrides these.
    /// </summary>
    private static readonly Dictionary<string, string?> Defaults = new(StringComparer.OrdinalIgnoreCase)
    {
        ["Logging:LogLevel:Default"] = "Information",
        ["Logging:LogLevel:Microsoft.AspNetCore"] = "Warning",

        // Grpc.AspNetCore logs every call a client cancels at Information; the bridge's own logs say what matters.
        ["Logging:LogLevel:Grpc"] = "Warning",

        // The health check service logs every failed check at Error, every interval, for as long as Kafka is down;
        // the Kafka health check logs each change of the gRPC health status instead.
        ["Logging:LogLevel:Microsoft.Extensions.Diagnostics.HealthChecks"] = "Critical",
    };

    /// <summary>A slim web application builder with the bridge's host settings.</summary>
    /// <param name="args">Command-line arguments (configuration overrides such as <c>--Ingress:Port=9090</c>). Must not be null.</param>
    public static WebApplicationBuilder CreateBuilder(string[] args)
    {
        var builder = WebApplication.CreateSlimBuilder(args);
        builder.Configuration.Sources.Insert(0, new MemoryConfigurationSource { InitialData = Defaults });
        builder.AddBridgeLogging();
        builder.Services.AddBridgeHosting();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.AddServerHeader = false);
        return builder;
    }

    /// <summary>
    /// The whole bridge as <c>make run</c> starts it: HTTP ingress, Kafka publisher (embedded cluster
    /// unless bootstrap servers are configured) and the gRPC API.
    /// </summary>
    /// <param name="args">Command-line arguments. Must not be null.</param>
    /// <param name="configure">Runs after the bridge's own registrations and before the build (tests add configuration here). May be null.</param>
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = CreateBuilder(args);
        builder.AddBridgeIngress();
        builder.Services.AddBridgeKafka(builder.Configuration);
        builder.AddBridgeGrpc();
        configure?.Invoke(builder);
        var app = builder.Build();
        app.MapBridgeIngress();
        return app;
    }

    /// <summary>
    /// Builds and runs the bridge until it is stopped. A bridge that cannot start (invalid configuration,
    /// a port in use) says why in one line on standard error and exits with 1 instead of a stack trace.
    /// </summary>
    /// <param name="args">Command-line arguments. Must not be null.</param>
    /// <param name="error">Where the start-up failure is written. Must not be null.</param>
    /// <returns>The process exit code.</returns>
    public static async Task<int> RunAsync(string[] args, TextWriter error)
    {
        try
        {
            await using var app = Build(args);
            await app.RunAsync();
            return 0;
        }
        catch (Exception e) when (DescribeStartFailure(e) is { } reason)
        {
            await error.WriteLineAsync("The bridge did not start: " + reason);
            return 1;
        }
    }

    /// <summary>A person-readable reason for the failures a user can fix; null for anything else (a bug).</summary>
    internal static string? DescribeStartFailure(Exception exception) => exception switch
    {
        OptionsValidationException invalid =>
            "invalid configuration: " + string.Join(" ", invalid.Failures),
        Bridge.Server.Spool.SpoolUnavailableException spool => spool.Message,
        IOException { InnerException: Microsoft.AspNetCore.Connections.AddressInUseException } inUse =>
            inUse.Message + " Stop what uses the port, or choose another with Ingress:Port / Grpc:Port (environment Ingress__Port / Grpc__Port).",
        AggregateException aggregate when aggregate.InnerExceptions.Select(DescribeStartFailure).ToList() is var reasons && reasons.All(r => r is not null) =>
            string.Join(" ", reasons),
        _ => null,
    };

    /// <summary>Console logging, JSON when <c>Logging:Format</c> is <c>json</c>, one line per entry otherwise.</summary>
    public static WebApplicationBuilder AddBridgeLogging(this WebApplicationBuilder builder)
    {
        builder.Logging.ClearProviders();
        builder.Logging.AddConsole();
        builder.Services.AddOptions<LogFormatOptions>().BindConfiguration(LogFormatOptions.SectionName).ValidateOnStart();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<LogFormatOptions>, HostingOptionsValidator>());
        builder.Services.AddOptions<ConsoleLoggerOptions>().Configure<IOptions<LogFormatOptions>>((console, format) =>
            console.FormatterName = format.Value.IsJson ? ConsoleFormatterNames.Json : ConsoleFormatterNames.Simple);
        builder.Services.Configure<SimpleConsoleFormatterOptions>(simple =>
        {
            simple.SingleLine = true;
            simple.UseUtcTimestamp = true;
            simple.TimestampFormat = "yyyy-MM-dd'T'HH:mm:ss.fff'Z' ";
        });
        builder.Services.Configure<JsonConsoleFormatterOptions>(json =>
        {
            json.UseUtcTimestamp = true;
            json.TimestampFormat = "yyyy-MM-dd'T'HH:mm:ss.fff'Z'";
            json.IncludeScopes = true;
        });
        return builder;
    }

    /// <summary>Host options (shutdown timeout), endpoint addresses and their start-up log.</summary>
    public static IServiceCollection AddBridgeHosting(this IServiceCollection services)
    {
        services.AddOptions<HostingOptions>().BindConfiguration(HostingOptions.SectionName).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<HostingOptions>, HostingOptionsValidator>());
        services.AddOptions<HostOptions>().Configure<IOptions<HostingOptions>>((host, hosting) =>
            host.ShutdownTimeout = hosting.Value.ShutdownTimeout);
        services.TryAddSingleton<BridgeEndpoints>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, EndpointAnnouncer>());
        return services;
    }
}
