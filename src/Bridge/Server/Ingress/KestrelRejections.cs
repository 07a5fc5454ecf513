using System.Globalization;
using System.IO.Pipelines;
using System.Text;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Bridge.Server.Ingress;

/// <summary>
/// Gives the answers Kestrel writes by itself, when it rejects a request before any route runs (request
/// line or headers too large, a malformed head, a head or body too slow: 400, 408, 414, 431, ...),
/// problem details like every other answer of the ingress.
/// </summary>
/// <remarks>
/// <para>Kestrel answers these with an empty body, and no middleware, status-code page or exception
/// handler ever sees them: the request was never handed to the application. So this is connection
/// middleware, between Kestrel's HTTP/1.1 layer and the socket. It recognises such an answer by its exact
/// shape: a whole response head in one write, status 4xx or 5xx, <c>Content-Length: 0</c>, no
/// <c>Content-Type</c>. No answer of the ingress itself has that shape (every one has a body), and a body
/// never starts with a status line. The head gets <c>Content-Type</c>, <c>Cache-Control</c> and the problem
/// body; Kestrel closes the connection after it, as before.</para>
/// <para>Kestrel writes a response head in one piece when its buffer is large enough, so the buffers this
/// hands out are at least <see cref="MinimumBuffer"/> bytes; such heads are under 200. Everything else
/// passes through as it is, without copying.</para>
/// </remarks>
internal static class KestrelRejections
{
    /// <summary>The smallest buffer handed to Kestrel, in bytes.</summary>
    public const int MinimumBuffer = 1024;

    private static readonly byte[] StatusLinePrefix = "HTTP/1.1 "u8.ToArray();
    private static readonly byte[] EmptyBody = "\r\nContent-Length: 0\r\n"u8.ToArray();
    private static readonly byte[] ContentTypeHeader = "\r\nContent-Type:"u8.ToArray();
    private static readonly byte[] HeadEnd = "\r\n\r\n"u8.ToArray();

    /// <summary>Adds the middleware to an HTTP/1.1 endpoint.</summary>
    /// <param name="listen">The endpoint. Must not be null.</param>
    /// <param name="limits">Kestrel's limits, read when a request is rejected so that the detail names the ones in force. Must not be null.</param>
    public static ListenOptions UseProblemDetailsForRejections(this ListenOptions listen, KestrelServerLimits limits)
    {
        ArgumentNullException.ThrowIfNull(listen);
        ArgumentNullException.ThrowIfNull(limits);
        listen.Use(next => async connection =>
        {
            var transport = connection.Transport;
            connection.Transport = new DuplexPipe(transport.Input, new RewritingWriter(transport.Output, limits));
            try
            {
                await next(connection);
            }
            finally
            {
                connection.Transport = transport;
            }
        });
        return listen;
    }

    /// <summary>
    /// The problem response replacing <paramref name="written"/> when it is a whole response head of
    /// Kestrel's own rejection; otherwise null.
    /// </summary>
    internal static byte[]? Rewrite(ReadOnlySpan<byte> written, KestrelServerLimits limits)
    {
        if (written.Length < StatusLinePrefix.Length + 6
            || !written.StartsWith(StatusLinePrefix)
            || written[StatusLinePrefix.Length] is not ((byte)'4' or (byte)'5')
            || !written.EndsWith(HeadEnd)
            || written.IndexOf(EmptyBody) < 0
            || written.IndexOf(ContentTypeHeader) >= 0
            || !int.TryParse(written.Slice(StatusLinePrefix.Length, 3), NumberStyles.None, CultureInfo.InvariantCulture, out var status))
        {
            return null;
        }

        var body = ProblemResponse.Encode(status, DetailOf(status, limits));
        var head = Encoding.ASCII.GetString(written[..^HeadEnd.Length]).Split("\r\n");
        var builder = new StringBuilder(written.Length + 128);
        foreach (var line in head)
        {
            if (!line.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase))
            {
                builder.Append(line).Append("\r\n");
            }
        }

        builder.Append("Content-Type: ").Append(ProblemResponse.ContentType).Append("\r\n")
            .Append("Cache-Control: no-store\r\n")
            .Append("Content-Length: ").Append(body.Length.ToString(CultureInfo.InvariantCulture)).Append("\r\n\r\n");
        var headBytes = Encoding.ASCII.GetBytes(builder.ToString());
        return [.. headBytes, .. body];
    }

    /// <summary>What a rejection with <paramref name="status"/> means for the client, naming the limit in force.</summary>
    internal static string DetailOf(int status, KestrelServerLimits limits) => status switch
    {
        StatusCodes.Status400BadRequest =>
            "The request is malformed: its request line, headers or framing could not be parsed, so nothing was accepted. Send a well-formed HTTP/1.1 request.",
        StatusCodes.Status408RequestTimeout =>
            $"The request did not arrive in time: the server waits {limits.RequestHeadersTimeout.ToString("c", CultureInfo.InvariantCulture)} for the request head " +
            "and needs the body at a steady rate, so nothing was accepted. Send the whole request without pausing.",
        StatusCodes.Status411LengthRequired =>
            "The request has a body but neither Content-Length nor Transfer-Encoding: chunked, so nothing was accepted.",
        StatusCodes.Status413PayloadTooLarge =>
            $"The request body is larger than the {limits.MaxRequestBodySize} bytes the server reads, so nothing was accepted.",
        StatusCodes.Status414UriTooLong =>
            $"The request line (method, path and query) is longer than {limits.MaxRequestLineSize} bytes, so nothing was accepted. " +
            "Shorten the URL; a token can go in the Authorization header instead of the query.",
        StatusCodes.Status431RequestHeaderFieldsTooLarge =>
            $"The request headers are larger than {limits.MaxRequestHeadersTotalSize} bytes in total, or more than {limits.MaxRequestHeaderCount} headers, " +
            "so nothing was accepted. Send fewer or smaller headers.",
        StatusCodes.Status500InternalServerError =>
            "The bridge failed unexpectedly while handling the request; nothing was accepted unless a 2xx was sent. Retry, and see the bridge's log.",
        StatusCodes.Status501NotImplemented =>
            "The request uses a transfer coding the server does not implement (only chunked is), so nothing was accepted.",
        StatusCodes.Status505HttpVersionNotsupported =>
            "The request's HTTP version is not supported, so nothing was accepted. Use HTTP/1.1.",
        _ => $"The server rejected the request ({ProblemResponse.TitleOf(status)}), so nothing was accepted.",
    };

    private sealed class DuplexPipe(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input { get; } = input;

        public PipeWriter Output { get; } = output;
    }

    /// <summary>Passes writes through to the transport, replacing the head of a Kestrel rejection.</summary>
    private sealed class RewritingWriter(PipeWriter inner, KestrelServerLimits limits) : PipeWriter
    {
        private Memory<byte> _lent;

        public override bool CanGetUnflushedBytes => inner.CanGetUnflushedBytes;

        public override long UnflushedBytes => inner.UnflushedBytes;

        public override Memory<byte> GetMemory(int sizeHint = 0) => _lent = inner.GetMemory(Math.Max(sizeHint, MinimumBuffer));

        public override Span<byte> GetSpan(int sizeHint = 0) => GetMemory(sizeHint).Span;

        public override void Advance(int bytes)
        {
            var written = _lent;
            _lent = default;
            if (bytes <= written.Length && Rewrite(written.Span[..bytes], limits) is { } replacement)
            {
                // Nothing of the lent buffer was advanced, so the replacement simply takes its place.
                replacement.CopyTo(inner.GetSpan(replacement.Length));
                inner.Advance(replacement.Length);
                return;
            }

            inner.Advance(bytes);
        }

        public override ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default) => inner.FlushAsync(cancellationToken);

        public override void CancelPendingFlush() => inner.CancelPendingFlush();

        public override void Complete(Exception? exception = null) => inner.Complete(exception);

        public override ValueTask CompleteAsync(Exception? exception = null) => inner.CompleteAsync(exception);
    }
}
