using System.Globalization;
using System.IO.Pipelines;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core.Features;

namespace Bridge.Grpc.Internal.Server;

/// <summary>
/// Protocol checks, call context, deadline and the mapping of every outcome to a gRPC status, shared by
/// the call shapes. Subclasses only read requests, run the handler and write responses.
/// </summary>
internal abstract class ServerCallHandler(string methodFullName, MethodType methodType, GrpcServerRuntime runtime)
{
    private static readonly Status HandlerExceptionStatus = new(StatusCode.Unknown, "Exception was thrown by handler.");
    private static readonly Status ShuttingDownStatus = new(StatusCode.Unavailable, "Server is shutting down");
    private static readonly Status DeadlineExceededStatus = new(StatusCode.DeadlineExceeded, "Deadline Exceeded");

    /// <summary>HTTP/2 error code CANCEL, which Grpc.AspNetCore also sends after a deadline.</summary>
    private const int Http2CancelErrorCode = 8;

    public string MethodFullName { get; } = methodFullName;

    public MethodType MethodType { get; } = methodType;

    protected GrpcServerRuntime Runtime { get; } = runtime;

    protected abstract Task HandleCallCoreAsync(HttpContext httpContext, ServerCallContext context, MessageReadOptions readOptions);

    public async Task HandleCallAsync(HttpContext httpContext)
    {
        HttpRequest request = httpContext.Request;
        HttpResponse response = httpContext.Response;
        if (!HttpProtocol.IsHttp2(request.Protocol))
        {
            GrpcLog.UnsupportedRequestProtocol(Runtime.Logger, request.Protocol, MethodFullName);
            RejectRequest(response, StatusCodes.Status426UpgradeRequired, $"Request protocol '{request.Protocol}' is not supported; gRPC requires HTTP/2.");
            response.Headers.Upgrade = "h2c";
            return;
        }
        if (!GrpcProtocol.IsGrpcContentType(request.ContentType))
        {
            GrpcLog.UnsupportedContentType(Runtime.Logger, request.ContentType, MethodFullName);
            RejectRequest(response, StatusCodes.Status415UnsupportedMediaType, $"Content-Type '{request.ContentType}' is not supported; gRPC requires application/grpc.");
            return;
        }
        if (!HttpMethods.IsPost(request.Method))
        {
            GrpcLog.UnsupportedHttpMethod(Runtime.Logger, request.Method, MethodFullName);
            RejectRequest(response, StatusCodes.Status405MethodNotAllowed, $"HTTP method '{request.Method}' is not supported; gRPC requires POST.");
            return;
        }

        response.ContentType = GrpcProtocol.ContentType;
        ConfigureRequestLimits(httpContext);

        string? encoding = request.Headers[GrpcProtocol.EncodingHeader];
        if (!string.IsNullOrEmpty(encoding)
            && !string.Equals(encoding, GrpcProtocol.Identity, StringComparison.OrdinalIgnoreCase)
            && !string.Equals(encoding, GrpcProtocol.Gzip, StringComparison.OrdinalIgnoreCase))
        {
            GrpcLog.UnsupportedEncoding(Runtime.Logger, MethodFullName, encoding);
            response.Headers[GrpcProtocol.AcceptEncodingHeader] = GrpcProtocol.SupportedEncodings;
            WriteTrailersOnly(response, new Status(StatusCode.Unimplemented, $"Unsupported grpc-encoding value '{encoding}'. Supported encodings: {GrpcProtocol.SupportedEncodings}"), null);
            return;
        }

        string? timeoutHeader = request.Headers[GrpcProtocol.TimeoutHeader];
        TimeSpan? timeout = null;
        if (!string.IsNullOrEmpty(timeoutHeader))
        {
            if (!GrpcTimeout.TryParse(timeoutHeader, out TimeSpan parsed))
            {
                GrpcLog.InvalidTimeout(Runtime.Logger, MethodFullName, timeoutHeader);
                WriteTrailersOnly(response, new Status(StatusCode.Internal, $"Invalid grpc-timeout header value '{timeoutHeader}'."), null);
                return;
            }
            timeout = parsed;
        }

        using var deadlineCts = timeout is TimeSpan t ? new CancellationTokenSource(t) : null;
        using var callCts = CancellationTokenSource.CreateLinkedTokenSource(
            httpContext.RequestAborted, Runtime.ApplicationStopping, deadlineCts?.Token ?? CancellationToken.None);

        ServerCallContext? context = null;
        try
        {
            Metadata requestHeaders = MetadataHeaders.FromRequestHeaders(request.Headers);
            context = new ServerCallContext(httpContext, MethodFullName, requestHeaders,
                timeout is TimeSpan d ? DateTime.UtcNow + d : null, callCts.Token);
            var readOptions = new MessageReadOptions(Runtime.Options.MaxReceiveMessageSize, encoding);

            await HandleCallCoreAsync(httpContext, context, readOptions).ConfigureAwait(false);

            if (deadlineCts?.IsCancellationRequested == true && !httpContext.RequestAborted.IsCancellationRequested)
            {
                // The handler ignored its token and finished late: the client is owed DEADLINE_EXCEEDED.
                await EndWithDeadlineAsync(httpContext, context, timeout!.Value).ConfigureAwait(false);
                return;
            }
            WriteStatus(httpContext, context, Status.DefaultSuccess, null);
        }
        catch (RpcException ex)
        {
            if (httpContext.RequestAborted.IsCancellationRequested)
            {
                GrpcLog.CallAborted(Runtime.Logger, MethodFullName);
                return;
            }
            GrpcLog.CallEndedWithStatus(Runtime.Logger, MethodFullName, ex.StatusCode, ex.Status.Detail);
            WriteStatus(httpContext, context, ex.Status, ex.Trailers);
        }
        catch (BadHttpRequestException ex)
        {
            // Derives from IOException, so it must be told apart from "the client went away" first.
            if (httpContext.RequestAborted.IsCancellationRequested)
            {
                GrpcLog.CallAborted(Runtime.Logger, MethodFullName);
                return;
            }
            GrpcLog.BadRequest(Runtime.Logger, MethodFullName, ex.Message);
            Status status = ex.StatusCode == StatusCodes.Status413PayloadTooLarge
                ? MessageFraming.ReceivedMessageExceedsLimitStatus
                : new Status(StatusCode.Internal, "Bad request: " + ex.Message);
            WriteStatus(httpContext, context, status, null);
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or ConnectionAbortedException)
        {
            if (httpContext.RequestAborted.IsCancellationRequested)
            {
                // Nothing written now would reach the client.
                GrpcLog.CallAborted(Runtime.Logger, MethodFullName);
                return;
            }
            if (Runtime.ApplicationStopping.IsCancellationRequested)
            {
                GrpcLog.ServerShuttingDown(Runtime.Logger, MethodFullName);
                WriteStatus(httpContext, context, ShuttingDownStatus, null);
                return;
            }
            if (deadlineCts?.IsCancellationRequested == true)
            {
                await EndWithDeadlineAsync(httpContext, context, timeout!.Value).ConfigureAwait(false);
                return;
            }
            if (ex is OperationCanceledException)
            {
                GrpcLog.CallCanceled(Runtime.Logger, MethodFullName);
                WriteStatus(httpContext, context, new Status(StatusCode.Cancelled, "Call canceled by the server."), null);
                return;
            }
            // A reset can surface as an IOException before RequestAborted is set: the client went away.
            GrpcLog.CallAborted(Runtime.Logger, MethodFullName);
        }
        catch (Exception ex)
        {
            GrpcLog.HandlerException(Runtime.Logger, MethodFullName, ex);
            if (!httpContext.RequestAborted.IsCancellationRequested)
            {
                WriteStatus(httpContext, context, HandlerExceptionStatus, null);
            }
        }
    }

    private void ConfigureRequestLimits(HttpContext httpContext)
    {
        // Kestrel's 30 MB body limit counts a whole stream's lifetime; the per-message limit replaces it.
        var bodySize = httpContext.Features.Get<IHttpMaxRequestBodySizeFeature>();
        if (bodySize is { IsReadOnly: false })
        {
            bodySize.MaxRequestBodySize = null;
        }
        if (MethodType != MethodType.Unary)
        {
            // A stream may legitimately be silent (a subscriber pausing its acks); the default rate would cut
            // it off after 5 s with a GOAWAY that kills the whole connection.
            var dataRate = httpContext.Features.Get<IHttpMinRequestBodyDataRateFeature>();
            if (dataRate is not null)
            {
                dataRate.MinDataRate = null;
            }
        }
    }

    private async Task EndWithDeadlineAsync(HttpContext httpContext, ServerCallContext? context, TimeSpan timeout)
    {
        GrpcLog.DeadlineExceeded(Runtime.Logger, MethodFullName, timeout);
        WriteStatus(httpContext, context, DeadlineExceededStatus, null);
        try
        {
            // Trailers out first, then RST_STREAM so the client stops sending.
            await httpContext.Response.CompleteAsync().ConfigureAwait(false);
            httpContext.Features.Get<IHttpResetFeature>()?.Reset(Http2CancelErrorCode);
        }
        catch (Exception ex) when (ex is InvalidOperationException or IOException or ConnectionAbortedException or OperationCanceledException)
        {
            GrpcLog.StatusNotSent(Runtime.Logger, MethodFullName, ex);
        }
    }

    private void WriteStatus(HttpContext httpContext, ServerCallContext? context, Status status, Metadata? extraTrailers)
    {
        HttpResponse response = httpContext.Response;
        try
        {
            bool trailersOnly = !response.HasStarted && context?.ResponseStarted != true;
            if (trailersOnly)
            {
                WriteTrailersOnly(response, status, context?.ResponseTrailers, extraTrailers);
                return;
            }
            response.AppendTrailer(GrpcProtocol.StatusHeader, ((int)status.StatusCode).ToString(CultureInfo.InvariantCulture));
            if (status.Detail.Length > 0)
            {
                response.AppendTrailer(GrpcProtocol.MessageHeader, GrpcMessageEncoding.Encode(status.Detail));
            }
            if (context is not null)
            {
                MetadataHeaders.AppendTrailers(response, context.ResponseTrailers);
            }
            if (extraTrailers is not null)
            {
                MetadataHeaders.AppendTrailers(response, extraTrailers);
            }
        }
        catch (InvalidOperationException ex)
        {
            GrpcLog.StatusNotSent(Runtime.Logger, MethodFullName, ex);
        }
    }

    /// <summary>
    /// The status goes in the one and only HEADERS frame (END_STREAM), with content-type kept: used for any
    /// error that happens before a message or headers were sent.
    /// </summary>
    internal static void WriteTrailersOnly(HttpResponse response, Status status, Metadata? trailers, Metadata? extraTrailers = null)
    {
        response.ContentType = GrpcProtocol.ContentType;
        response.Headers[GrpcProtocol.StatusHeader] = ((int)status.StatusCode).ToString(CultureInfo.InvariantCulture);
        if (status.Detail.Length > 0)
        {
            response.Headers[GrpcProtocol.MessageHeader] = GrpcMessageEncoding.Encode(status.Detail);
        }
        if (trailers is not null)
        {
            MetadataHeaders.AppendTo(response.Headers, trailers);
        }
        if (extraTrailers is not null)
        {
            MetadataHeaders.AppendTo(response.Headers, extraTrailers);
        }
    }

    private static void RejectRequest(HttpResponse response, int httpStatusCode, string message)
    {
        response.StatusCode = httpStatusCode;
        response.Headers[GrpcProtocol.StatusHeader] = ((int)StatusCode.Internal).ToString(CultureInfo.InvariantCulture);
        response.Headers[GrpcProtocol.MessageHeader] = GrpcMessageEncoding.Encode(message);
    }
}
