using System.Buffers;
using Bridge.Grpc.Internal;
using Bridge.Grpc.Internal.Client;

namespace Bridge.Grpc;

/// <summary>
/// A server-streaming call in progress. Read <see cref="ResponseStream"/> (or enumerate it with
/// <c>ReadAllAsync()</c>) until it ends; a failed call throws <see cref="RpcException"/> from the read.
/// Disposing before the end cancels the call.
/// </summary>
/// <typeparam name="TResponse">The response message type.</typeparam>
public sealed class AsyncServerStreamingCall<TResponse> : IDisposable
{
    private readonly IGrpcCall _call;

    internal AsyncServerStreamingCall(IAsyncStreamReader<TResponse> responseStream, IGrpcCall call)
    {
        ResponseStream = responseStream;
        _call = call;
    }

    /// <summary>The response messages.</summary>
    public IAsyncStreamReader<TResponse> ResponseStream { get; }

    /// <summary>The response headers; for a call that failed before sending any, throws its <see cref="RpcException"/>.</summary>
    public Task<Metadata> ResponseHeadersAsync => _call.GetResponseHeadersAsync();

    /// <summary>The final status.</summary>
    /// <exception cref="InvalidOperationException">The call is not over yet.</exception>
    public Status GetStatus() => _call.GetStatus();

    /// <summary>The trailing metadata.</summary>
    /// <exception cref="InvalidOperationException">The call is not over yet.</exception>
    public Metadata GetTrailers() => _call.GetTrailers();

    /// <summary>Enumerates the responses with <c>await foreach</c>.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    public IAsyncEnumerable<TResponse> ReadAllAsync(CancellationToken cancellationToken = default) =>
        ResponseStream.ReadAllAsync(cancellationToken);

    /// <summary>Cancels the call if it is still running (RST_STREAM) and releases it.</summary>
    public void Dispose() => _call.Dispose();
}

/// <summary>
/// A duplex-streaming call in progress. Write with <see cref="RequestStream"/> (write first: some servers
/// send no headers before the first request), half-close with <c>RequestStream.CompleteAsync()</c>, and read
/// <see cref="ResponseStream"/>. Disposing before the end cancels the call.
/// </summary>
/// <typeparam name="TRequest">The request message type.</typeparam>
/// <typeparam name="TResponse">The response message type.</typeparam>
public sealed class AsyncDuplexStreamingCall<TRequest, TResponse> : IDisposable
{
    private readonly IGrpcCall _call;

    internal AsyncDuplexStreamingCall(IClientStreamWriter<TRequest> requestStream, IAsyncStreamReader<TResponse> responseStream, IGrpcCall call)
    {
        RequestStream = requestStream;
        ResponseStream = responseStream;
        _call = call;
    }

    /// <summary>
    /// The request messages. A write after the call ended throws the call's <see cref="RpcException"/>
    /// (or <see cref="InvalidOperationException"/> when it ended OK).
    /// </summary>
    public IClientStreamWriter<TRequest> RequestStream { get; }

    /// <summary>The response messages.</summary>
    public IAsyncStreamReader<TResponse> ResponseStream { get; }

    /// <summary>The response headers; for a call that failed before sending any, throws its <see cref="RpcException"/>.</summary>
    public Task<Metadata> ResponseHeadersAsync => _call.GetResponseHeadersAsync();

    /// <summary>The final status.</summary>
    /// <exception cref="InvalidOperationException">The call is not over yet.</exception>
    public Status GetStatus() => _call.GetStatus();

    /// <summary>The trailing metadata.</summary>
    /// <exception cref="InvalidOperationException">The call is not over yet.</exception>
    public Metadata GetTrailers() => _call.GetTrailers();

    /// <summary>Cancels the call if it is still running (RST_STREAM) and releases it.</summary>
    public void Dispose() => _call.Dispose();
}

/// <summary>The part of a call the public wrappers need, independent of message types.</summary>
internal interface IGrpcCall : IDisposable
{
    Task<Metadata> GetResponseHeadersAsync();

    Status GetStatus();

    Metadata GetTrailers();
}

/// <summary>The request stream of a duplex call: writes are framed, serialized one at a time and flushed.</summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "The SemaphoreSlim never creates a wait handle, so there is nothing to dispose.")]
internal sealed class ClientStreamWriter<TRequest, TResponse>(GrpcCall<TRequest, TResponse> call, DuplexRequestContent content,
    Marshaller<TRequest> marshaller, int? maxSendMessageSize) : IClientStreamWriter<TRequest>
{
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly ArrayBufferWriter<byte> _scratch = new();
    private bool _completed;

    public async Task WriteAsync(TRequest message, CancellationToken cancellationToken = default)
    {
        if (message is null)
        {
            throw new ArgumentNullException(nameof(message));
        }
        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_completed)
            {
                throw new InvalidOperationException("Can't write the message because the request stream is complete.");
            }
            byte[] frame = MessageFraming.FrameMessage(message, marshaller, _scratch, maxSendMessageSize);
            await call.WriteAsync(content, frame, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    public async Task CompleteAsync()
    {
        await _writeLock.WaitAsync().ConfigureAwait(false);
        try
        {
            _completed = true;
            content.Complete();
        }
        finally
        {
            _writeLock.Release();
        }
    }
}
