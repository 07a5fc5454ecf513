using Bridge.Server.Hosting;
using Grpc.AspNetCore.Web;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Cors.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace Bridge.Server.GrpcApi;

/// <summary>
/// Serves requests that arrive on the gRPC port with a pipeline of their own, ahead of the application's: routing to
/// the gRPC services (EventBridge, health, and reflection when enabled), gRPC-Web and CORS when enabled, and 404 for
/// anything else. Requests on other ports pass through untouched, and the gRPC routes exist on the gRPC port only.
/// </summary>
internal sealed class GrpcStartupFilter(BridgeEndpoints endpoints, IOptions<GrpcEndpointOptions> options) : IStartupFilter
{
    /// <summary>Response headers a browser page must be allowed to read to see a gRPC-Web call's outcome.</summary>
    private static readonly string[] ExposedHeaders = ["grpc-status", "grpc-message", "grpc-status-details-bin", "grpc-encoding", "grpc-accept-encoding"];

    private int _grpcPort;

    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        var grpcOptions = options.Value;
        app.MapWhen(OnGrpcPort, grpc =>
        {
            grpc.UseRouting();
            if (grpcOptions.EnableGrpcWeb)
            {
                grpc.UseGrpcWeb(new GrpcWebOptions { DefaultEnabled = true });
            }

            if (grpcOptions.CorsOrigins.Count > 0)
            {
                grpc.UseCors(cors => Cors(cors, grpcOptions.CorsOrigins));
            }

            grpc.UseEndpoints(routes =>
            {
                routes.MapGrpcService<EventBridgeService>();
                routes.MapGrpcHealthChecksService();
                if (grpcOptions.EnableReflection)
                {
                    routes.MapGrpcReflectionService();
                }
            });
            grpc.Run(context =>
            {
                context.Response.StatusCode = StatusCodes.Status404NotFound;
                return Task.CompletedTask;
            });
        });
        next(app);
    };

    private static void Cors(CorsPolicyBuilder cors, List<string> origins)
    {
        if (origins.Contains("*"))
        {
            cors.AllowAnyOrigin();
        }
        else
        {
            cors.WithOrigins([.. origins]);
        }

        cors.AllowAnyHeader().AllowAnyMethod().WithExposedHeaders(ExposedHeaders);
    }

    private bool OnGrpcPort(HttpContext context)
    {
        var port = Volatile.Read(ref _grpcPort);
        if (port == 0)
        {
            // Known once Kestrel bound the endpoint, which happens before the first request.
            port = endpoints.GetAddress(GrpcKestrelSetup.EndpointName).Port;
            Volatile.Write(ref _grpcPort, port);
        }

        return context.Connection.LocalPort == port;
    }
}
