using Microsoft.Extensions.Logging;

namespace Bridge.Grpc.Internal;

/// <summary>Log messages of the gRPC transport (EventIds 200-299).</summary>
internal static partial class GrpcLog
{
    [LoggerMessage(EventId = 200, EventName = "UnsupportedRequestProtocol", Level = LogLevel.Information,
        Message = "Request protocol '{Protocol}' is not supported for gRPC call {Method}; HTTP/2 is required.")]
    public static partial void UnsupportedRequestProtocol(ILogger logger, string protocol, string method);

    [LoggerMessage(EventId = 201, EventName = "UnsupportedContentType", Level = LogLevel.Information,
        Message = "Request content-type '{ContentType}' is not supported for gRPC call {Method}.")]
    public static partial void UnsupportedContentType(ILogger logger, string? contentType, string method);

    [LoggerMessage(EventId = 202, EventName = "UnsupportedHttpMethod", Level = LogLevel.Information,
        Message = "HTTP method '{HttpMethod}' is not supported for gRPC call {Method}; POST is required.")]
    public static partial void UnsupportedHttpMethod(ILogger logger, string httpMethod, string method);

    [LoggerMessage(EventId = 203, EventName = "UnimplementedMethod", Level = LogLevel.Information,
        Message = "gRPC call to unknown method {Path}.")]
    public static partial void UnimplementedMethod(ILogger logger, string path);

    [LoggerMessage(EventId = 204, EventName = "HandlerException", Level = LogLevel.Error,
        Message = "Exception thrown by the handler of gRPC call {Method}.")]
    public static partial void HandlerException(ILogger logger, string method, Exception exception);

    [LoggerMessage(EventId = 205, EventName = "DeadlineExceeded", Level = LogLevel.Debug,
        Message = "gRPC call {Method} exceeded its deadline of {Timeout}.")]
    public static partial void DeadlineExceeded(ILogger logger, string method, TimeSpan timeout);

    [LoggerMessage(EventId = 206, EventName = "CallAborted", Level = LogLevel.Debug,
        Message = "gRPC call {Method} was aborted by the client.")]
    public static partial void CallAborted(ILogger logger, string method);

    [LoggerMessage(EventId = 207, EventName = "ServerShuttingDown", Level = LogLevel.Debug,
        Message = "gRPC call {Method} ended because the server is shutting down.")]
    public static partial void ServerShuttingDown(ILogger logger, string method);

    [LoggerMessage(EventId = 208, EventName = "InvalidTimeout", Level = LogLevel.Information,
        Message = "gRPC call {Method} has an invalid grpc-timeout header '{Timeout}'.")]
    public static partial void InvalidTimeout(ILogger logger, string method, string? timeout);

    [LoggerMessage(EventId = 209, EventName = "UnsupportedEncoding", Level = LogLevel.Information,
        Message = "gRPC call {Method} uses unsupported grpc-encoding '{Encoding}'.")]
    public static partial void UnsupportedEncoding(ILogger logger, string method, string encoding);

    [LoggerMessage(EventId = 210, EventName = "CallEndedWithStatus", Level = LogLevel.Debug,
        Message = "gRPC call {Method} ended with status {StatusCode}: {Detail}")]
    public static partial void CallEndedWithStatus(ILogger logger, string method, StatusCode statusCode, string detail);

    [LoggerMessage(EventId = 211, EventName = "BadRequest", Level = LogLevel.Information,
        Message = "gRPC call {Method} failed while reading the request: {Reason}")]
    public static partial void BadRequest(ILogger logger, string method, string reason);

    [LoggerMessage(EventId = 212, EventName = "StatusNotSent", Level = LogLevel.Debug,
        Message = "Could not send the status of gRPC call {Method}; the response was already complete.")]
    public static partial void StatusNotSent(ILogger logger, string method, Exception exception);

    [LoggerMessage(EventId = 213, EventName = "CallCanceled", Level = LogLevel.Debug,
        Message = "gRPC call {Method} was canceled by its handler.")]
    public static partial void CallCanceled(ILogger logger, string method);
}
