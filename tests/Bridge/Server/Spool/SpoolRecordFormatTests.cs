using System.Buffers.Binary;
using System.Text;
using Bridge.Server.Spool;

namespace Bridge.Server.Tests.Spool;

public sealed class SpoolRecordFormatTests
{
    [Fact]
    public void Compute_StandardCheckValue_MatchesCrc32C()
    {
        // The check value of CRC-32C (Castagnoli) for "123456789", as RFC 3720 and every implementation list it.
        Assert.Equal(0xE3069283u, Crc32C.Compute("123456789"u8));
        Assert.Equal(0u, Crc32C.Compute([]));
    }

    [Fact]
    public void Append_InPieces_SameAsWhole()
    {
        var data = Encoding.UTF8.GetBytes("a longer text that spans several eight-byte words");

        Assert.Equal(Crc32C.Compute(data), Crc32C.Append(Crc32C.Compute(data.AsSpan(0, 13)), data.AsSpan(13)));
    }

    [Theory]
    [InlineData("test/podinfo")]
    [InlineData("")]
    [InlineData(null)]
    public void TryRead_EncodedRecord_RoundTrips(string? key)
    {
        var bytes = SpoolRecordFormat.Encode(42, 1736500000123, key, [1, 2, 3, 250]);

        var status = SpoolRecordFormat.TryRead(bytes, out var record, out var length);

        Assert.Equal(SpoolRecordFormat.ReadStatus.Valid, status);
        Assert.Equal(bytes.Length, length);
        Assert.Equal(42, record!.Sequence);
        Assert.Equal(1736500000123, record.SpooledAtMs);
        Assert.Equal(key, record.Key);
        Assert.Equal(new byte[] { 1, 2, 3, 250 }, record.Event.ToArray());
    }

    [Fact]
    public void TryRead_EveryShorterPrefix_Truncated()
    {
        var bytes = SpoolRecordFormat.Encode(7, 1, "ns/name", Encoding.UTF8.GetBytes("event"));

        for (var length = 0; length < bytes.Length; length++)
        {
            Assert.Equal(SpoolRecordFormat.ReadStatus.Truncated, SpoolRecordFormat.TryRead(bytes.AsSpan(0, length), out _, out _));
        }
    }

    [Fact]
    public void TryRead_AnyFlippedBit_NeverValid()
    {
        var bytes = SpoolRecordFormat.Encode(7, 1, "ns/name", Encoding.UTF8.GetBytes("event"));

        for (var bit = 0; bit < bytes.Length * 8; bit++)
        {
            var damaged = (byte[])bytes.Clone();
            damaged[bit / 8] ^= (byte)(1 << (bit % 8));
            Assert.NotEqual(SpoolRecordFormat.ReadStatus.Valid, SpoolRecordFormat.TryRead(damaged, out _, out _));
        }
    }

    [Fact]
    public void TryRead_ZeroedBytes_Corrupt()
    {
        // A file system may extend a file with zeros when a crash cuts a write short.
        Assert.Equal(SpoolRecordFormat.ReadStatus.Corrupt, SpoolRecordFormat.TryRead(new byte[64], out _, out _));
    }

    [Fact]
    public void TryRead_ImpossibleLength_CorruptWithoutReadingFurther()
    {
        var bytes = new byte[16];
        BinaryPrimitives.WriteUInt32LittleEndian(bytes, uint.MaxValue);

        Assert.Equal(SpoolRecordFormat.ReadStatus.Corrupt, SpoolRecordFormat.TryRead(bytes, out _, out _));
    }
}
