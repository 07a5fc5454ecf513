using System.Buffers;
using System.IO.Pipelines;
using Microsoft.AspNetCore.Http;

namespace Bridge.Grpc.Internal.Server;

/// <summary>The response stream of a server-streaming or duplex call: one frame and one flush per message.</summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "The SemaphoreSlim never creates a wait handle, so there is nothing to dispose.")]
internal sealed class HttpContextStreamWriter<T>(ServerCallContext context, Marshaller<T> marshaller, int maxSendMessageSize)
    : IServerStreamWriter<T>
{
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly ArrayBufferWriter<byte> _scratch = new();
    private volatile bool _completed;

    public async Task WriteAsync(T message, CancellationToken cancellationToken = default)
    {
        if (message is null)
        {
            throw new ArgumentNullException(nameof(message));
        }
        using CancellationTokenSource? linked = cancellationToken.CanBeCanceled
            ? CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, context.CancellationToken)
            : null;
        CancellationToken token = linked?.Token ?? context.CancellationToken;
        await _writeLock.WaitAsync(token).ConfigureAwait(false);
        try
        {
            ThrowIfCompleted();
            PipeWriter writer = context.HttpContext.Response.BodyWriter;
            MessageFraming.WriteMessage(writer, message, marshaller, _scratch, maxSendMessageSize);
            context.MarkResponseStarted();
            // The flush is what sends the message; it also waits on HTTP/2 flow control (backpressure).
            FlushResult result = await writer.FlushAsync(token).ConfigureAwait(false);
            if (result.IsCanceled)
            {
                throw new OperationCanceledException("Writing the response was canceled.", token);
            }
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <summary>Called when the handler returned: later writes would race with the status.</summary>
    public void Complete() => _completed = true;

    private void ThrowIfCompleted()
    {
        if (_completed)
        {
            throw new InvalidOperationException("Can't write the message because the call is complete.");
        }
    }
}
