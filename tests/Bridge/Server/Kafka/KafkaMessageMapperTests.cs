using System.Text;
using Bridge.CloudEvents.Kafka;
using Bridge.Server.Kafka;
using Confluent.Kafka;

namespace Bridge.Server.Tests.Kafka;

public sealed class KafkaMessageMapperTests
{
    [Fact]
    public void ToMessage_RecordWithKeyAndHeaders_KeyIsUtf8AndHeadersKeepOrderRepeatsAndNulls()
    {
        var record = new KafkaRecord("prod/pödinfo", [new("ce_id", "1"u8.ToArray()), new("x", null), new("x", [2])], [7]);

        var message = KafkaMessageMapper.ToMessage(record);

        Assert.Equal(Encoding.UTF8.GetBytes("prod/pödinfo"), message.Key);
        Assert.Equal([7], message.Value!);
        Assert.Equal(["ce_id", "x", "x"], message.Headers.Select(h => h.Key));
        Assert.Equal("1"u8.ToArray(), message.Headers[0].GetValueBytes());
        Assert.Null(message.Headers[1].GetValueBytes());
        Assert.Equal([2], message.Headers[2].GetValueBytes());
    }

    [Fact]
    public void ToMessage_NoKeyNoValueNoHeaders_NullKeyNullValueEmptyHeaders()
    {
        var message = KafkaMessageMapper.ToMessage(new KafkaRecord(null, [], null));

        Assert.Null(message.Key);
        Assert.Null(message.Value);
        Assert.Empty(message.Headers);
    }

    [Fact]
    public void ToRecord_Message_RoundTripsTheRecord()
    {
        var original = new KafkaRecord("a/b", [new("content-type", "application/json"u8.ToArray()), new("ce_id", [])], []);

        var record = KafkaMessageMapper.ToRecord(KafkaMessageMapper.ToMessage(original));

        Assert.Equal("a/b", record.Key);
        Assert.Empty(record.Value!);
        Assert.Equal(original.Headers.Select(h => (h.Name, Convert.ToHexString(h.Value!))), record.Headers.Select(h => (h.Name, Convert.ToHexString(h.Value!))));
    }

    [Fact]
    public void ToRecord_MessageWithoutHeaders_EmptyHeaders()
    {
        var record = KafkaMessageMapper.ToRecord(new Message<byte[]?, byte[]?> { Key = null, Value = [1] });

        Assert.Null(record.Key);
        Assert.Empty(record.Headers);
        Assert.Equal([1], record.Value!);
    }

    [Fact]
    public void ToRecord_KeyThatIsNotUtf8_DecodesWithReplacementCharacters()
    {
        var record = KafkaMessageMapper.ToRecord(new Message<byte[]?, byte[]?> { Key = [0x61, 0xff], Value = null });

        Assert.Equal("a\uFFFD", record.Key);
    }

    [Fact]
    public void ToRecord_ConsumeResult_UsesItsMessage()
    {
        var result = new ConsumeResult<byte[]?, byte[]?>
        {
            Message = new Message<byte[]?, byte[]?> { Key = "k"u8.ToArray(), Value = [3], Headers = new Headers { { "ce_type", "t"u8.ToArray() } } },
        };

        var record = KafkaMessageMapper.ToRecord(result);

        Assert.Equal("k", record.Key);
        Assert.Equal("ce_type", Assert.Single(record.Headers).Name);
    }
}
