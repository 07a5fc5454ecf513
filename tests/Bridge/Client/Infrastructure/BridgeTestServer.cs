using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Bridge.Client.Tests.Infrastructure;

/// <summary>
/// Serves a <see cref="FakeEventBridge"/> with Grpc.AspNetCore on Kestrel (h2c), 127.0.0.1, a free port. It can be
/// stopped and started again on the same port with the same state, like a bridge that restarts.
/// </summary>
public sealed class BridgeTestServer : IAsyncDisposable
{
    private WebApplication? _app;
    private int _port;

    private BridgeTestServer(FakeEventBridge bridge) => Bridge = bridge;

    public FakeEventBridge Bridge { get; }

    public Uri Address => new($"http://127.0.0.1:{_port}");

    public bool IsRunning => _app is not null;

    public static async Task<BridgeTestServer> StartAsync(FakeEventBridge? bridge = null)
    {
        var server = new BridgeTestServer(bridge ?? new FakeEventBridge());
        await server.StartAgainAsync();
        return server;
    }

    public async Task StartAgainAsync()
    {
        if (_app is not null)
        {
            return;
        }
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddGrpc();
        builder.Services.AddSingleton(Bridge);
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(5));
        int port = _port;
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, port, l => l.Protocols = HttpProtocols.Http2));
        WebApplication app = builder.Build();
        app.MapGrpcService<FakeEventBridge>();
        Bridge.Stopping = app.Lifetime.ApplicationStopping;
        await app.StartAsync();
        string address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        _port = new Uri(address).Port;
        _app = app;
    }

    public async Task StopAsync()
    {
        if (_app is { } app)
        {
            _app = null;
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }

    public async ValueTask DisposeAsync() => await StopAsync();
}
