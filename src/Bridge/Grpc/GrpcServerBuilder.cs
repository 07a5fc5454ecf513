using System.Net;
using Bridge.Grpc.Health;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Bridge.Grpc;

/// <summary>Adds services and the listen endpoint to the gRPC server; returned by <c>AddGrpcServer</c>.</summary>
public sealed class GrpcServerBuilder
{
    internal GrpcServerBuilder(IServiceCollection services) => Services = services;

    /// <summary>The service collection.</summary>
    public IServiceCollection Services { get; }

    /// <summary>Registers <typeparamref name="TService"/> as a singleton and routes its methods.</summary>
    public GrpcServerBuilder AddService<TService>()
        where TService : class, IGrpcService
    {
        Services.AddSingleton<TService>();
        Services.AddSingleton<IGrpcService>(sp => sp.GetRequiredService<TService>());
        return this;
    }

    /// <summary>Registers the standard health service (<see cref="HealthService"/>): the whole server reports SERVING.</summary>
    public GrpcServerBuilder AddHealthService() => AddService<HealthService>();

    /// <summary>
    /// Makes Kestrel listen on <see cref="GrpcServerOptions.Port"/> with HTTP/2 only (TLS when a certificate
    /// is configured), and applies the server-wide HTTP/2 limits from <see cref="GrpcServerOptions"/>.
    /// </summary>
    /// <param name="address">The address to bind; null binds every interface (IPv4 and IPv6).</param>
    public GrpcServerBuilder ListenOnKestrel(IPAddress? address = null)
    {
        Services.AddOptions<KestrelServerOptions>()
            .Configure<IOptions<GrpcServerOptions>>((kestrel, grpc) => kestrel.ListenGrpc(grpc.Value, address));
        return this;
    }
}
