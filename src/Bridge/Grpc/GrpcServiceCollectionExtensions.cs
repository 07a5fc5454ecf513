using Bridge.Grpc;
using Bridge.Grpc.Internal;
using Bridge.Grpc.Internal.Server;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the gRPC server.</summary>
public static class GrpcServiceCollectionExtensions
{
    /// <summary>
    /// Binds <see cref="GrpcServerOptions"/> from the <c>Grpc</c> section (validated at start) and registers the
    /// method router used by <c>app.UseGrpc()</c>. Calling it again returns a builder for the same server.
    /// </summary>
    /// <param name="services">The service collection. Must not be null.</param>
    public static GrpcServerBuilder AddGrpcServer(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        if (!services.Any(d => d.ServiceType == typeof(GrpcMethodTable)))
        {
            services.AddOptions<GrpcServerOptions>().BindConfiguration(GrpcServerOptions.SectionName).ValidateOnStart();
            services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<GrpcServerOptions>, GrpcServerOptionsValidator>());
            services.AddSingleton(sp => new GrpcMethodTable(
                sp.GetServices<IGrpcService>(),
                new GrpcServerRuntime(
                    sp.GetRequiredService<IOptions<GrpcServerOptions>>().Value,
                    sp.GetRequiredService<ILoggerFactory>().CreateLogger("Bridge.Grpc.Server"),
                    sp.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping)));
        }
        return new GrpcServerBuilder(services);
    }
}
