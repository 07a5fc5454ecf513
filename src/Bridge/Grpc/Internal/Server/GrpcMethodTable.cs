using Microsoft.AspNetCore.Http;

namespace Bridge.Grpc.Internal.Server;

/// <summary>Routes <c>POST /{package}.{Service}/{Method}</c> to its handler by dictionary lookup.</summary>
internal sealed class GrpcMethodTable
{
    private static readonly Status UnimplementedStatus = new(StatusCode.Unimplemented, "Method is unimplemented.");
    private readonly Dictionary<string, ServerCallHandler> _handlers;
    private readonly GrpcServerRuntime _runtime;

    public GrpcMethodTable(IEnumerable<IGrpcService> services, GrpcServerRuntime runtime)
    {
        _runtime = runtime;
        _handlers = new Dictionary<string, ServerCallHandler>(StringComparer.Ordinal);
        var binder = new GrpcServiceBinder(_handlers, runtime);
        foreach (IGrpcService service in services)
        {
            service.Bind(binder);
        }
    }

    public IReadOnlyCollection<string> Methods => _handlers.Keys;

    public RequestDelegate CreateMiddleware(RequestDelegate next) => httpContext =>
    {
        string? path = httpContext.Request.Path.Value;
        if (path is not null && _handlers.TryGetValue(path, out ServerCallHandler? handler))
        {
            return handler.HandleCallAsync(httpContext);
        }
        if (GrpcProtocol.IsGrpcContentType(httpContext.Request.ContentType))
        {
            GrpcLog.UnimplementedMethod(_runtime.Logger, path ?? string.Empty);
            ServerCallHandler.WriteTrailersOnly(httpContext.Response, UnimplementedStatus, null);
            return Task.CompletedTask;
        }
        return next(httpContext);
    };
}
