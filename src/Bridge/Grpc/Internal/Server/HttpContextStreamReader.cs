namespace Bridge.Grpc.Internal.Server;

/// <summary>The request stream of a duplex call, read frame by frame from the request body.</summary>
internal sealed class HttpContextStreamReader<T>(ServerCallContext context, Marshaller<T> marshaller, MessageReadOptions options)
    : IAsyncStreamReader<T>
{
    private T? _current;
    private bool _hasCurrent;
    private bool _ended;

    public T Current => _hasCurrent ? _current! : throw new InvalidOperationException("No message has been read; call MoveNext first.");

    public async Task<bool> MoveNext(CancellationToken cancellationToken)
    {
        if (_ended)
        {
            return false;
        }
        using CancellationTokenSource? linked = cancellationToken.CanBeCanceled
            ? CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, context.CancellationToken)
            : null;
        var (hasMessage, message) = await MessageFraming.ReadStreamMessageAsync(
            context.HttpContext.Request.BodyReader, options, marshaller, linked?.Token ?? context.CancellationToken).ConfigureAwait(false);
        if (!hasMessage)
        {
            _ended = true;
            _hasCurrent = false;
            _current = default;
            return false;
        }
        _current = message;
        _hasCurrent = true;
        return true;
    }
}
