using System.Buffers;
using Google.Protobuf;

namespace Bridge.Grpc;

/// <summary>
/// Turns messages of type <typeparamref name="T"/> into bytes and back. The transport knows nothing
/// else about messages.
/// </summary>
/// <typeparam name="T">The message type.</typeparam>
public sealed class Marshaller<T>
{
    /// <summary>Creates a marshaller from a serializer and a deserializer.</summary>
    /// <param name="serializer">Writes a message into a buffer. Must not be null.</param>
    /// <param name="deserializer">Reads a message from its bytes. Must not be null; may throw on bad input.</param>
    public Marshaller(Action<T, IBufferWriter<byte>> serializer, Func<ReadOnlySequence<byte>, T> deserializer)
    {
        Serializer = serializer ?? throw new ArgumentNullException(nameof(serializer));
        Deserializer = deserializer ?? throw new ArgumentNullException(nameof(deserializer));
    }

    /// <summary>Writes a message into a buffer.</summary>
    public Action<T, IBufferWriter<byte>> Serializer { get; }

    /// <summary>Reads a message from its bytes (the sequence is only valid during the call).</summary>
    public Func<ReadOnlySequence<byte>, T> Deserializer { get; }
}

/// <summary>Factory methods for <see cref="Marshaller{T}"/>.</summary>
public static class Marshallers
{
    /// <summary>Creates a marshaller from array-based delegates (simple, one copy per message).</summary>
    /// <param name="serializer">Message to bytes. Must not be null.</param>
    /// <param name="deserializer">Bytes to message. Must not be null.</param>
    public static Marshaller<T> Create<T>(Func<T, byte[]> serializer, Func<byte[], T> deserializer)
    {
        ArgumentNullException.ThrowIfNull(serializer);
        ArgumentNullException.ThrowIfNull(deserializer);
        return new Marshaller<T>(
            (message, writer) => writer.Write(serializer(message)),
            bytes => deserializer(bytes.ToArray()));
    }

    /// <summary>Creates a marshaller from buffer-based delegates (no intermediate arrays).</summary>
    /// <param name="serializer">Writes a message into a buffer. Must not be null.</param>
    /// <param name="deserializer">Reads a message from its bytes. Must not be null.</param>
    public static Marshaller<T> Create<T>(Action<T, IBufferWriter<byte>> serializer, Func<ReadOnlySequence<byte>, T> deserializer) =>
        new(serializer, deserializer);

    /// <summary>Creates a marshaller for a Google.Protobuf message type.</summary>
    /// <param name="parser">The message's parser, e.g. <c>MyMessage.Parser</c>. Must not be null.</param>
    public static Marshaller<T> ForProtobuf<T>(MessageParser<T> parser)
        where T : IMessage<T>
    {
        ArgumentNullException.ThrowIfNull(parser);
        return new Marshaller<T>((message, writer) => message.WriteTo(writer), parser.ParseFrom);
    }
}
