using Bridge.Grpc.Internal.Server;
using Microsoft.Extensions.DependencyInjection;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Adds the gRPC router to the request pipeline.</summary>
public static class GrpcApplicationBuilderExtensions
{
    /// <summary>
    /// Serves the registered gRPC methods. Requests for a registered method are handled here; other
    /// requests with a gRPC content type get UNIMPLEMENTED; everything else goes on down the pipeline.
    /// </summary>
    /// <param name="app">The application. Must not be null.</param>
    /// <exception cref="InvalidOperationException"><c>services.AddGrpcServer()</c> was not called.</exception>
    public static IApplicationBuilder UseGrpc(this IApplicationBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        GrpcMethodTable table = app.ApplicationServices.GetService<GrpcMethodTable>()
            ?? throw new InvalidOperationException("UseGrpc needs the gRPC server services: call services.AddGrpcServer() first.");
        return app.Use(table.CreateMiddleware);
    }
}
