using Bridge.Server.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;

namespace Bridge.Server.GrpcApi;

/// <summary>
/// Puts the gRPC router in front of the application's pipeline for requests that arrive on the gRPC port,
/// and ends every other request there with 404; requests on other ports pass through untouched.
/// </summary>
internal sealed class GrpcStartupFilter(BridgeEndpoints endpoints) : IStartupFilter
{
    private int _grpcPort;

    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        app.MapWhen(OnGrpcPort, grpc =>
        {
            grpc.UseGrpc();
            grpc.Run(context =>
            {
                context.Response.StatusCode = StatusCodes.Status404NotFound;
                return Task.CompletedTask;
            });
        });
        next(app);
    };

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
