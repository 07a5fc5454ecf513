using System.Net;
using Bridge.Grpc.Health;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Bridge.Grpc.Tests.Infrastructure;

/// <summary>A real Kestrel server on 127.0.0.1 (free port) serving <see cref="TestService"/> and health.</summary>
public sealed class GrpcTestHost : IAsyncDisposable
{
    private readonly WebApplication _app;
    private bool _stopped;

    private GrpcTestHost(WebApplication app, Uri address, Uri? http1Address, LogCollector logs)
    {
        _app = app;
        Address = address;
        Http1Address = http1Address;
        Logs = logs;
    }

    public Uri Address { get; }

    /// <summary>An extra HTTP/1.1-only endpoint served by the same pipeline (when requested).</summary>
    public Uri? Http1Address { get; }

    public LogCollector Logs { get; }

    public TestService Service => _app.Services.GetRequiredService<TestService>();

    public HealthService Health => _app.Services.GetRequiredService<HealthService>();

    public static async Task<GrpcTestHost> StartAsync(Action<GrpcServerOptions>? configure = null, bool withHttp1Endpoint = false)
    {
        var logs = new LogCollector();
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Logging.AddProvider(logs);
        builder.Logging.SetMinimumLevel(LogLevel.Debug);
        builder.Logging.AddFilter("Microsoft", LogLevel.Warning);
        builder.Services.AddGrpcServer().AddService<TestService>().AddHealthService().ListenOnKestrel(IPAddress.Loopback);
        builder.Services.Configure<GrpcServerOptions>(o =>
        {
            o.Port = 0;
            configure?.Invoke(o);
        });
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(10));
        if (withHttp1Endpoint)
        {
            builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, l => l.Protocols = HttpProtocols.Http1));
        }
        WebApplication app = builder.Build();
        app.Use(TestEndpoints);
        app.UseGrpc();
        app.Run(ctx =>
        {
            ctx.Response.StatusCode = StatusCodes.Status404NotFound;
            return Task.CompletedTask;
        });
        await app.StartAsync();
        // Endpoints are bound in the order they were configured: the gRPC one first.
        var addresses = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.ToList();
        return new GrpcTestHost(app, new Uri(addresses[0]), withHttp1Endpoint ? new Uri(addresses[1]) : null, logs);
    }

    public GrpcChannel CreateChannel(GrpcChannelOptions? options = null) => GrpcChannel.ForAddress(Address, options);

    public async Task StopAsync()
    {
        if (!_stopped)
        {
            _stopped = true;
            await _app.StopAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        await _app.DisposeAsync();
    }

    /// <summary>Non-gRPC responses used to test how the client maps them.</summary>
    private static Task TestEndpoints(HttpContext context, RequestDelegate next)
    {
        string path = context.Request.Path.Value ?? string.Empty;
        if (path.StartsWith("/http-status/", StringComparison.Ordinal))
        {
            context.Response.StatusCode = int.Parse(path["/http-status/".Length..], System.Globalization.CultureInfo.InvariantCulture);
            return Task.CompletedTask;
        }
        if (path.StartsWith("/no-status/", StringComparison.Ordinal))
        {
            context.Response.ContentType = "application/grpc";
            return Task.CompletedTask;
        }
        if (path.StartsWith("/text-response/", StringComparison.Ordinal))
        {
            context.Response.ContentType = "text/plain";
            return context.Response.WriteAsync("hello");
        }
        return next(context);
    }
}
