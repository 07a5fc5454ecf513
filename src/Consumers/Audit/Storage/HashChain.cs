using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Bridge.Audit.Storage;

/// <summary>
/// The hash chain over stored events: each row's hash is SHA-256 over a canonical encoding of the previous row's hash,
/// its sequence number, source, id, type, time and the stored event bytes (docs/audit.md, "Hash chain").
/// </summary>
internal static class HashChain
{
    public const int HashLength = 32;

    /// <summary>The "previous hash" of the first row: 32 zero bytes.</summary>
    public static ReadOnlySpan<byte> Genesis => new byte[HashLength];

    private static ReadOnlySpan<byte> Domain => "bridge-audit-chain/v1"u8;

    /// <summary>
    /// SHA-256 of: the domain tag, the previous hash, the sequence number (8 bytes), source, id and type (UTF-8), the time in
    /// Unix microseconds (8 bytes) and the stored event; every variable-length field is preceded by its length (4 bytes);
    /// integers are big-endian.
    /// </summary>
    public static byte[] Compute(ReadOnlySpan<byte> previous, long seq, string source, string id, string type, long timeMicros, ReadOnlySpan<byte> stored)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Span<byte> number = stackalloc byte[8];
        AppendField(hash, Domain);
        AppendField(hash, previous);
        BinaryPrimitives.WriteInt64BigEndian(number, seq);
        hash.AppendData(number);
        AppendText(hash, source);
        AppendText(hash, id);
        AppendText(hash, type);
        BinaryPrimitives.WriteInt64BigEndian(number, timeMicros);
        hash.AppendData(number);
        AppendField(hash, stored);
        return hash.GetHashAndReset();
    }

    private static void AppendText(IncrementalHash hash, string text) => AppendField(hash, Encoding.UTF8.GetBytes(text));

    private static void AppendField(IncrementalHash hash, ReadOnlySpan<byte> field)
    {
        Span<byte> length = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(length, field.Length);
        hash.AppendData(length);
        hash.AppendData(field);
    }
}

/// <summary>Unix microseconds, the time unit of every stored time.</summary>
internal static class Micros
{
    public static long From(DateTimeOffset time) => (time.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / 10;

    public static DateTimeOffset ToTime(long micros) => DateTimeOffset.UnixEpoch.AddTicks(micros * 10);
}
