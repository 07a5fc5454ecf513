using System.Runtime.CompilerServices;

namespace Bridge.Grpc;

/// <summary>Reads a stream of messages (server: the request stream; client: the response stream).</summary>
/// <typeparam name="T">The message type.</typeparam>
public interface IAsyncStreamReader<out T>
{
    /// <summary>The message read by the last successful <see cref="MoveNext"/>.</summary>
    /// <exception cref="InvalidOperationException">No message has been read.</exception>
    T Current { get; }

    /// <summary>Reads the next message.</summary>
    /// <param name="cancellationToken">Cancels this read (and, on a client, the call).</param>
    /// <returns>True when <see cref="Current"/> holds a new message, false at the clean end of the stream.</returns>
    /// <exception cref="RpcException">The call failed.</exception>
    Task<bool> MoveNext(CancellationToken cancellationToken);
}

/// <summary>Writes a stream of messages.</summary>
/// <typeparam name="T">The message type.</typeparam>
public interface IAsyncStreamWriter<in T>
{
    /// <summary>Writes and flushes one message. Concurrent calls are serialized.</summary>
    /// <param name="message">The message. Must not be null.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    Task WriteAsync(T message, CancellationToken cancellationToken = default);
}

/// <summary>The server's response stream.</summary>
/// <typeparam name="T">The message type.</typeparam>
public interface IServerStreamWriter<in T> : IAsyncStreamWriter<T>
{
}

/// <summary>The client's request stream.</summary>
/// <typeparam name="T">The message type.</typeparam>
public interface IClientStreamWriter<in T> : IAsyncStreamWriter<T>
{
    /// <summary>Half-closes the request stream: the server sees the end of the requests; responses keep flowing.</summary>
    Task CompleteAsync();
}

/// <summary>Helpers for <see cref="IAsyncStreamReader{T}"/>.</summary>
public static class AsyncStreamReaderExtensions
{
    /// <summary>Enumerates the remaining messages of <paramref name="reader"/> with <c>await foreach</c>.</summary>
    /// <param name="reader">The reader. Must not be null.</param>
    /// <param name="cancellationToken">Cancels the enumeration.</param>
    public static async IAsyncEnumerable<T> ReadAllAsync<T>(this IAsyncStreamReader<T> reader,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(reader);
        while (await reader.MoveNext(cancellationToken).ConfigureAwait(false))
        {
            yield return reader.Current;
        }
    }
}
