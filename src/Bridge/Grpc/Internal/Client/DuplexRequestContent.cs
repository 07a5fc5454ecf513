using System.Net;

namespace Bridge.Grpc.Internal.Client;

/// <summary>
/// A request body that stays open until half-close: HttpClient sends END_STREAM as soon as
/// SerializeToStreamAsync returns, so it waits here until the caller completes or aborts.
/// </summary>
internal sealed class DuplexRequestContent : HttpContent
{
    private readonly TaskCompletionSource<Stream> _stream = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public DuplexRequestContent()
    {
        Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue(GrpcProtocol.ContentType);
    }

    public bool IsDone => _done.Task.IsCompleted;

    /// <summary>Writes one frame and flushes it; without the flush it may sit in the connection buffer.</summary>
    public async ValueTask WriteAsync(ReadOnlyMemory<byte> frame, CancellationToken cancellationToken)
    {
        Stream stream = await _stream.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        await stream.WriteAsync(frame, cancellationToken).ConfigureAwait(false);
        await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Half-close: the server sees the end of the request stream.</summary>
    public void Complete()
    {
        _stream.TrySetException(new InvalidOperationException("The request stream is complete."));
        _done.TrySetResult();
    }

    /// <summary>Fails the body, which makes HttpClient reset the stream.</summary>
    public void Abort()
    {
        var canceled = new OperationCanceledException("The call was canceled.");
        _stream.TrySetException(canceled);
        _done.TrySetException(canceled);
    }

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
        SerializeToStreamAsync(stream, context, CancellationToken.None);

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
    {
        _stream.TrySetResult(stream);
        // HttpClient cancels this token once the call is over (trailers received or response disposed).
        using CancellationTokenRegistration registration = cancellationToken.Register(() => _done.TrySetCanceled(cancellationToken));
        await _done.Task.ConfigureAwait(false);
    }

    protected override bool TryComputeLength(out long length)
    {
        length = 0;
        return false;
    }
}
