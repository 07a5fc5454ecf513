using System.Buffers;
using System.Buffers.Binary;
using System.IO.Compression;
using System.IO.Pipelines;

namespace Bridge.Grpc.Internal;

/// <summary>How incoming messages are limited and decoded.</summary>
/// <param name="MaxMessageSize">Largest accepted message in bytes (after decompression as well).</param>
/// <param name="Encoding">The peer's <c>grpc-encoding</c> (null or identity when not compressed).</param>
internal readonly record struct MessageReadOptions(int MaxMessageSize, string? Encoding);

/// <summary>
/// The gRPC length-prefixed message: 1 byte compressed flag, 4 bytes big-endian length, then the message.
/// Knows bytes and marshallers only, nothing about services or HTTP.
/// </summary>
internal static class MessageFraming
{
    public const int HeaderSize = 5;

    public static readonly Status ReceivedMessageExceedsLimitStatus =
        new(StatusCode.ResourceExhausted, "Received message exceeds the maximum configured message size.");
    public static readonly Status SendingMessageExceedsLimitStatus =
        new(StatusCode.ResourceExhausted, "Sending message exceeds the maximum configured message size.");
    public static readonly Status AdditionalDataStatus =
        new(StatusCode.Internal, "Additional data after the message received.");
    public static readonly Status IncompleteMessageStatus =
        new(StatusCode.Internal, "Incomplete message.");
    public static readonly Status NoMessageStatus =
        new(StatusCode.Internal, "No message received.");

    /// <summary>
    /// Takes one complete frame off the front of <paramref name="buffer"/>. Returns false (buffer untouched)
    /// when the frame is not complete yet. The size limit is checked as soon as the header is in, so an
    /// oversized message is refused before it is buffered.
    /// </summary>
    public static bool TryReadFrame(ref ReadOnlySequence<byte> buffer, int maxMessageSize,
        out ReadOnlySequence<byte> message, out bool compressed)
    {
        message = default;
        compressed = false;
        if (buffer.Length < HeaderSize)
        {
            return false;
        }
        Span<byte> header = stackalloc byte[HeaderSize];
        buffer.Slice(0, HeaderSize).CopyTo(header);
        compressed = header[0] switch
        {
            0 => false,
            1 => true,
            _ => throw new RpcException(StatusCode.Internal, $"Unexpected compressed flag value {header[0]} in message header."),
        };
        uint length = BinaryPrimitives.ReadUInt32BigEndian(header[1..]);
        if (length > (uint)maxMessageSize)
        {
            throw new RpcException(ReceivedMessageExceedsLimitStatus);
        }
        if (buffer.Length < HeaderSize + length)
        {
            return false;
        }
        message = buffer.Slice(HeaderSize, length);
        buffer = buffer.Slice(HeaderSize + length);
        return true;
    }

    /// <summary>Decompresses if needed and deserializes one message payload.</summary>
    public static T Deserialize<T>(ReadOnlySequence<byte> payload, bool compressed, MessageReadOptions options, Marshaller<T> marshaller)
    {
        if (compressed)
        {
            payload = new ReadOnlySequence<byte>(Decompress(payload, options));
        }
        T message;
        try
        {
            message = marshaller.Deserializer(payload);
        }
        catch (Exception ex)
        {
            throw new RpcException(new Status(StatusCode.Internal, "Failed to deserialize message."), new Metadata(), ex);
        }
        return message ?? throw new RpcException(StatusCode.Internal, "Failed to deserialize message: the marshaller returned null.");
    }

    /// <summary>
    /// Reads a body that must hold exactly one message (unary and server-streaming requests): waits for the
    /// end of the body, then requires one whole frame and nothing after it.
    /// </summary>
    public static async ValueTask<T> ReadSingleMessageAsync<T>(PipeReader reader, MessageReadOptions options,
        Marshaller<T> marshaller, CancellationToken cancellationToken)
    {
        while (true)
        {
            ReadResult result = await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            ReadOnlySequence<byte> buffer = result.Buffer;
            if (result.IsCanceled)
            {
                reader.AdvanceTo(buffer.Start);
                throw new OperationCanceledException("Reading the request was canceled.");
            }
            if (!result.IsCompleted)
            {
                // Check the header early so an oversized message is refused before it is buffered.
                var probe = buffer;
                TryReadFrame(ref probe, options.MaxMessageSize, out _, out _);
                reader.AdvanceTo(buffer.Start, buffer.End);
                continue;
            }
            try
            {
                if (buffer.IsEmpty)
                {
                    throw new RpcException(NoMessageStatus);
                }
                if (!TryReadFrame(ref buffer, options.MaxMessageSize, out var payload, out bool compressed))
                {
                    throw new RpcException(IncompleteMessageStatus);
                }
                if (!buffer.IsEmpty)
                {
                    throw new RpcException(AdditionalDataStatus);
                }
                return Deserialize(payload, compressed, options, marshaller);
            }
            finally
            {
                reader.AdvanceTo(result.Buffer.End);
            }
        }
    }

    /// <summary>
    /// Reads the next message of a stream. Returns false when the stream ended cleanly on a frame boundary.
    /// </summary>
    public static async ValueTask<(bool HasMessage, T Message)> ReadStreamMessageAsync<T>(PipeReader reader,
        MessageReadOptions options, Marshaller<T> marshaller, CancellationToken cancellationToken)
    {
        while (true)
        {
            ReadResult result = await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            ReadOnlySequence<byte> buffer = result.Buffer;
            if (result.IsCanceled)
            {
                reader.AdvanceTo(buffer.Start);
                throw new OperationCanceledException("Reading the message stream was canceled.");
            }
            bool framed;
            ReadOnlySequence<byte> payload;
            bool compressed;
            try
            {
                framed = TryReadFrame(ref buffer, options.MaxMessageSize, out payload, out compressed);
            }
            catch
            {
                reader.AdvanceTo(result.Buffer.Start, result.Buffer.End);
                throw;
            }
            if (framed)
            {
                try
                {
                    return (true, Deserialize(payload, compressed, options, marshaller));
                }
                finally
                {
                    reader.AdvanceTo(buffer.Start);
                }
            }
            if (result.IsCompleted)
            {
                reader.AdvanceTo(buffer.End);
                return buffer.IsEmpty ? (false, default!) : throw new RpcException(IncompleteMessageStatus);
            }
            reader.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    /// <summary>Serializes <paramref name="message"/> into <paramref name="scratch"/> and checks the size limit.</summary>
    public static ReadOnlySpan<byte> Serialize<T>(T message, Marshaller<T> marshaller, ArrayBufferWriter<byte> scratch, int? maxMessageSize)
    {
        scratch.ResetWrittenCount();
        marshaller.Serializer(message, scratch);
        if (maxMessageSize is int max && scratch.WrittenCount > max)
        {
            throw new RpcException(SendingMessageExceedsLimitStatus);
        }
        return scratch.WrittenSpan;
    }

    /// <summary>Writes one uncompressed frame; the caller decides when to flush.</summary>
    public static void WriteMessage<T>(PipeWriter writer, T message, Marshaller<T> marshaller,
        ArrayBufferWriter<byte> scratch, int? maxMessageSize)
    {
        ReadOnlySpan<byte> payload = Serialize(message, marshaller, scratch, maxMessageSize);
        Span<byte> header = writer.GetSpan(HeaderSize);
        WriteHeader(header, payload.Length);
        writer.Advance(HeaderSize);
        writer.Write(payload);
    }

    /// <summary>Builds one uncompressed frame as an array (client requests).</summary>
    public static byte[] FrameMessage<T>(T message, Marshaller<T> marshaller, ArrayBufferWriter<byte> scratch, int? maxMessageSize)
    {
        ReadOnlySpan<byte> payload = Serialize(message, marshaller, scratch, maxMessageSize);
        var frame = new byte[HeaderSize + payload.Length];
        WriteHeader(frame, payload.Length);
        payload.CopyTo(frame.AsSpan(HeaderSize));
        return frame;
    }

    public static void WriteHeader(Span<byte> destination, int length)
    {
        destination[0] = 0;
        BinaryPrimitives.WriteUInt32BigEndian(destination.Slice(1, 4), (uint)length);
    }

    private static byte[] Decompress(ReadOnlySequence<byte> payload, MessageReadOptions options)
    {
        string encoding = options.Encoding ?? GrpcProtocol.Identity;
        if (!string.Equals(encoding, GrpcProtocol.Gzip, StringComparison.OrdinalIgnoreCase))
        {
            throw new RpcException(StatusCode.Internal,
                $"Received a compressed message but grpc-encoding is '{encoding}'.");
        }
        using var input = new MemoryStream(payload.ToArray(), writable: false);
        using var gzip = new GZipStream(input, CompressionMode.Decompress);
        var output = new ArrayBufferWriter<byte>(Math.Max(256, (int)Math.Min(payload.Length * 4, options.MaxMessageSize)));
        try
        {
            while (true)
            {
                int read = gzip.Read(output.GetSpan(16 * 1024));
                if (read == 0)
                {
                    break;
                }
                output.Advance(read);
                if (output.WrittenCount > options.MaxMessageSize)
                {
                    throw new RpcException(ReceivedMessageExceedsLimitStatus);
                }
            }
        }
        catch (InvalidDataException ex)
        {
            throw new RpcException(new Status(StatusCode.Internal, "Failed to decompress a gzip message."), new Metadata(), ex);
        }
        return output.WrittenSpan.ToArray();
    }
}
