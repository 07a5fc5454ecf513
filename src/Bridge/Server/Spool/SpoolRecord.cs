using System.Buffers.Binary;
using System.Text;

namespace Bridge.Server.Spool;

/// <summary>One spooled event: its place in the spool, when it was spooled, its Kafka key and the event itself.</summary>
/// <param name="Sequence">Position in the spool, increasing by one per record and never reused.</param>
/// <param name="SpooledAtMs">Unix time in milliseconds at which the record was spooled.</param>
/// <param name="Key">The Kafka record key (the event's <c>partitionkey</c>); null when the event has none.</param>
/// <param name="Event">The event in the CloudEvents protobuf format.</param>
internal sealed record SpoolRecord(long Sequence, long SpooledAtMs, string? Key, ReadOnlyMemory<byte> Event);

/// <summary>
/// The bytes of spool files. A segment file starts with an 8-byte header (<c>BRSPOOL1</c>), then records:
/// <code>
/// u32 length of the body (little endian)
/// u32 CRC-32C of the 4 length bytes and the body
/// body: u64 sequence, i64 spooled-at (Unix ms), i32 key length in bytes (-1: no key), key (UTF-8),
///       the event (CloudEvents protobuf format) up to the end of the body
/// </code>
/// The checksum covers the length too, so a torn or zeroed tail never reads as a record.
/// </summary>
internal static class SpoolRecordFormat
{
    /// <summary>Bytes before each record's body: its length and checksum.</summary>
    public const int RecordHeaderSize = 8;

    /// <summary>The largest body read back; anything longer is damage (events are at most 64 MiB).</summary>
    public const int MaxBodySize = 80 * 1024 * 1024;

    private const int FixedBodySize = 8 + 8 + 4;

    /// <summary>The first bytes of every segment file: the format's name and version.</summary>
    public static ReadOnlySpan<byte> SegmentHeader => "BRSPOOL1"u8;

    /// <summary>What reading a record found.</summary>
    public enum ReadStatus
    {
        /// <summary>A whole record whose checksum matches.</summary>
        Valid,

        /// <summary>Fewer bytes than a whole record: the data ends inside it.</summary>
        Truncated,

        /// <summary>The bytes are not a record: a checksum mismatch or an impossible length.</summary>
        Corrupt,
    }

    /// <summary>The encoded record: header and body.</summary>
    public static byte[] Encode(long sequence, long spooledAtMs, string? key, ReadOnlySpan<byte> cloudEvent)
    {
        var keyLength = key is null ? 0 : Encoding.UTF8.GetByteCount(key);
        var bodyLength = FixedBodySize + keyLength + cloudEvent.Length;
        if (bodyLength > MaxBodySize)
        {
            throw new ArgumentException($"The event is {cloudEvent.Length} bytes; the spool takes events up to {MaxBodySize - FixedBodySize - keyLength} bytes.", nameof(cloudEvent));
        }

        var bytes = new byte[RecordHeaderSize + bodyLength];
        var body = bytes.AsSpan(RecordHeaderSize);
        BinaryPrimitives.WriteInt64LittleEndian(body, sequence);
        BinaryPrimitives.WriteInt64LittleEndian(body[8..], spooledAtMs);
        BinaryPrimitives.WriteInt32LittleEndian(body[16..], key is null ? -1 : keyLength);
        if (key is not null)
        {
            Encoding.UTF8.GetBytes(key, body.Slice(FixedBodySize, keyLength));
        }

        cloudEvent.CopyTo(body[(FixedBodySize + keyLength)..]);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes, (uint)bodyLength);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(4), Checksum(bytes.AsSpan(0, 4), body));
        return bytes;
    }

    /// <summary>
    /// Reads the record at the start of <paramref name="data"/>. <paramref name="length"/> is the record's whole size
    /// (header and body) when <see cref="ReadStatus.Valid"/>.
    /// </summary>
    public static ReadStatus TryRead(ReadOnlySpan<byte> data, out SpoolRecord? record, out int length)
    {
        record = null;
        length = 0;
        if (data.Length < RecordHeaderSize)
        {
            return ReadStatus.Truncated;
        }

        var bodyLength = BinaryPrimitives.ReadUInt32LittleEndian(data);
        if (bodyLength < FixedBodySize || bodyLength > MaxBodySize)
        {
            return ReadStatus.Corrupt;
        }

        if (data.Length - RecordHeaderSize < bodyLength)
        {
            return ReadStatus.Truncated;
        }

        var body = data.Slice(RecordHeaderSize, (int)bodyLength);
        if (BinaryPrimitives.ReadUInt32LittleEndian(data[4..]) != Checksum(data[..4], body))
        {
            return ReadStatus.Corrupt;
        }

        var keyLength = BinaryPrimitives.ReadInt32LittleEndian(body[16..]);
        if (keyLength < -1 || keyLength > body.Length - FixedBodySize)
        {
            return ReadStatus.Corrupt;
        }

        var key = keyLength < 0 ? null : Encoding.UTF8.GetString(body.Slice(FixedBodySize, keyLength));
        var eventStart = FixedBodySize + Math.Max(keyLength, 0);
        record = new SpoolRecord(
            BinaryPrimitives.ReadInt64LittleEndian(body),
            BinaryPrimitives.ReadInt64LittleEndian(body[8..]),
            key,
            body[eventStart..].ToArray());
        length = RecordHeaderSize + (int)bodyLength;
        return ReadStatus.Valid;
    }

    private static uint Checksum(ReadOnlySpan<byte> lengthBytes, ReadOnlySpan<byte> body) =>
        Crc32C.Append(Crc32C.Compute(lengthBytes), body);
}
