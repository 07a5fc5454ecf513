using System.Buffers;
using Microsoft.AspNetCore.Http;

namespace Bridge.Server.Ingress;

/// <summary>A request body read into a buffer rented from the shared pool; dispose to return it.</summary>
internal readonly struct RequestBody : IDisposable
{
    private readonly byte[]? _rented;

    public RequestBody(byte[]? rented, int length)
    {
        _rented = rented;
        Length = length;
    }

    /// <summary>False when the body was larger than the limit (nothing is held then).</summary>
    public bool IsWithinLimit => Length >= 0;

    /// <summary>Body length in bytes, or -1 when over the limit.</summary>
    public int Length { get; }

    public ReadOnlySpan<byte> Span => _rented is null ? [] : _rented.AsSpan(0, Math.Max(Length, 0));

    public void Dispose()
    {
        if (_rented is not null)
        {
            ArrayPool<byte>.Shared.Return(_rented);
        }
    }
}

/// <summary>
/// Reads a whole request body up to a limit, checking <c>Content-Length</c> up front and the bytes
/// actually received while reading (chunked bodies have no length).
/// </summary>
internal static class RequestBodyReader
{
    /// <summary>Reads the body of <paramref name="request"/>; an over-limit body is not kept.</summary>
    /// <exception cref="BadHttpRequestException">The body is malformed or the client stopped sending.</exception>
    /// <exception cref="OperationCanceledException">The request was aborted.</exception>
    public static async ValueTask<RequestBody> ReadAsync(HttpRequest request, int maxBytes, CancellationToken cancellationToken)
    {
        if (request.ContentLength is { } declared)
        {
            if (declared > maxBytes)
            {
                return new RequestBody(null, -1);
            }

            if (declared == 0)
            {
                return new RequestBody(null, 0);
            }
        }

        var reader = request.BodyReader;
        while (true)
        {
            var result = await reader.ReadAsync(cancellationToken);
            var buffer = result.Buffer;
            if (buffer.Length > maxBytes)
            {
                reader.AdvanceTo(buffer.End);
                return new RequestBody(null, -1);
            }

            if (result.IsCanceled)
            {
                reader.AdvanceTo(buffer.Start);
                throw new OperationCanceledException("Reading the request body was canceled.");
            }

            if (result.IsCompleted)
            {
                var length = (int)buffer.Length;
                var rented = length == 0 ? null : ArrayPool<byte>.Shared.Rent(length);
                if (rented is not null)
                {
                    buffer.CopyTo(rented);
                }

                reader.AdvanceTo(buffer.End);
                return new RequestBody(rented, length);
            }

            // Keep everything unread until the body is complete, so it is copied only once.
            reader.AdvanceTo(buffer.Start, buffer.End);
        }
    }
}
