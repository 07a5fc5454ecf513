using System.Buffers;
using Microsoft.AspNetCore.Http;

namespace Bridge.Grpc.Internal.Server;

internal sealed class UnaryServerCallHandler<TRequest, TResponse>(
    Method<TRequest, TResponse> method, UnaryServerMethod<TRequest, TResponse> handler, GrpcServerRuntime runtime)
    : ServerCallHandler(method.FullName, MethodType.Unary, runtime)
{
    protected override async Task HandleCallCoreAsync(HttpContext httpContext, ServerCallContext context, MessageReadOptions readOptions)
    {
        TRequest request = await MessageFraming.ReadSingleMessageAsync(
            httpContext.Request.BodyReader, readOptions, method.RequestMarshaller, context.CancellationToken).ConfigureAwait(false);
        TResponse response = await handler(request, context).ConfigureAwait(false)
            ?? throw new InvalidOperationException($"The handler of {method.FullName} returned a null response.");
        // No flush: Kestrel sends the message with the trailers when the call completes.
        MessageFraming.WriteMessage(httpContext.Response.BodyWriter, response, method.ResponseMarshaller,
            new ArrayBufferWriter<byte>(), Runtime.Options.MaxSendMessageSize);
        context.MarkResponseStarted();
    }
}

internal sealed class ServerStreamingServerCallHandler<TRequest, TResponse>(
    Method<TRequest, TResponse> method, ServerStreamingServerMethod<TRequest, TResponse> handler, GrpcServerRuntime runtime)
    : ServerCallHandler(method.FullName, MethodType.ServerStreaming, runtime)
{
    protected override async Task HandleCallCoreAsync(HttpContext httpContext, ServerCallContext context, MessageReadOptions readOptions)
    {
        TRequest request = await MessageFraming.ReadSingleMessageAsync(
            httpContext.Request.BodyReader, readOptions, method.RequestMarshaller, context.CancellationToken).ConfigureAwait(false);
        var writer = new HttpContextStreamWriter<TResponse>(context, method.ResponseMarshaller, Runtime.Options.MaxSendMessageSize);
        try
        {
            await handler(request, writer, context).ConfigureAwait(false);
        }
        finally
        {
            writer.Complete();
        }
    }
}

internal sealed class DuplexStreamingServerCallHandler<TRequest, TResponse>(
    Method<TRequest, TResponse> method, DuplexStreamingServerMethod<TRequest, TResponse> handler, GrpcServerRuntime runtime)
    : ServerCallHandler(method.FullName, MethodType.DuplexStreaming, runtime)
{
    protected override async Task HandleCallCoreAsync(HttpContext httpContext, ServerCallContext context, MessageReadOptions readOptions)
    {
        var reader = new HttpContextStreamReader<TRequest>(context, method.RequestMarshaller, readOptions);
        var writer = new HttpContextStreamWriter<TResponse>(context, method.ResponseMarshaller, Runtime.Options.MaxSendMessageSize);
        try
        {
            await handler(reader, writer, context).ConfigureAwait(false);
        }
        finally
        {
            writer.Complete();
        }
    }
}
