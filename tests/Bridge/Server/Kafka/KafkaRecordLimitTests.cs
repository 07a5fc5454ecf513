using System.Diagnostics;
using Bridge.CloudEvents;
using Bridge.CloudEvents.Kafka;
using Bridge.Server.Kafka;
using Bridge.Server.Tests.Infrastructure;
using Confluent.Kafka;
using Microsoft.Extensions.Options;

namespace Bridge.Server.Tests.Kafka;

public sealed class KafkaRecordLimitTests(KafkaClusterFixture kafka) : IClassFixture<KafkaClusterFixture>
{
    private const int Limit = 5000;

    [Theory]
    [InlineData(KafkaContentMode.Binary)]
    [InlineData(KafkaContentMode.Structured)]
    public async Task SizeOf_RecordAtTheLimit_ProducedAndOneByteMoreRefusedByLibrdkafka(KafkaContentMode mode)
    {
        var topic = kafka.CreateTopic(partitions: 1);
        using var producer = new ProducerBuilder<byte[]?, byte[]?>(new ProducerConfig
        {
            BootstrapServers = kafka.BootstrapServers,
            MessageMaxBytes = Limit,
        }).Build();
        var limit = new KafkaRecordLimit(Options.Create(Settings(mode, producer: Limit)));
        var dataLength = Limit - (int)(limit.SizeOf(Event(0)) - 2);
        var fits = Traced(Event(dataLength));
        var tooLarge = Traced(Event(dataLength + 1));
        dataLength -= (int)(limit.SizeOf(fits) - Limit);
        fits = Traced(Event(dataLength));
        tooLarge = Traced(Event(dataLength + 1));

        Assert.Equal(Limit, limit.SizeOf(fits));
        Assert.Equal(Limit + 1, limit.SizeOf(tooLarge));
        Assert.Null(limit.Check(fits));
        Assert.NotNull(limit.Check(tooLarge));
        var delivered = await producer.ProduceAsync(topic, Message(fits, mode));
        var refused = await Assert.ThrowsAsync<ProduceException<byte[]?, byte[]?>>(() => producer.ProduceAsync(topic, Message(tooLarge, mode)));
        Assert.Equal(PersistenceStatus.Persisted, delivered.Status);
        Assert.Equal(ErrorCode.MsgSizeTooLarge, refused.Error.Code);
    }

    [Theory]
    [InlineData(KafkaContentMode.Binary, null)]
    [InlineData(KafkaContentMode.Binary, "vendor=opaque-value,other=1")]
    [InlineData(KafkaContentMode.Structured, null)]
    [InlineData(KafkaContentMode.Structured, "vendor=opaque-value,other=1")]
    public void TraceContextAllowance_EventWithoutTraceparent_RoomForWhatThePublisherAdds(KafkaContentMode mode, string? traceState)
    {
        var limit = new KafkaRecordLimit(Options.Create(Settings(mode)));
        using var activity = new Activity("request").SetIdFormat(ActivityIdFormat.W3C);
        activity.TraceStateString = traceState;
        activity.Start();
        var untraced = Event(100);
        var stamped = Event(100);
        stamped.SetAttribute(CloudEventAttributes.TraceParent, activity.Id);
        if (traceState is not null)
        {
            stamped.SetAttribute(CloudEventAttributes.TraceState, traceState);
        }

        var allowance = limit.TraceContextAllowance(untraced);

        Assert.Equal(55, activity.Id!.Length);
        Assert.InRange(limit.SizeOf(stamped) - limit.SizeOf(untraced), 1, allowance);
        Assert.Equal(0, limit.TraceContextAllowance(stamped));
    }

    [Fact]
    public void Check_EventWithoutTraceparentNearTheLimit_CountsTheAllowance()
    {
        var limit = new KafkaRecordLimit(Options.Create(Settings(KafkaContentMode.Binary, producer: Limit)));
        var dataLength = Limit - (int)(limit.SizeOf(Event(0)) - 2);
        var allowance = (int)limit.TraceContextAllowance(Event(0));

        Assert.Null(limit.Check(Event(dataLength - allowance)));
        Assert.NotNull(limit.Check(Event(dataLength - allowance + 1)));
    }

    [Fact]
    public void MaxBytes_ProducerThenCommonThenLibrdkafkaDefault()
    {
        var both = Settings(KafkaContentMode.Binary, producer: 2000);
        both.Common["message.max.bytes"] = "3000";
        var common = Settings(KafkaContentMode.Binary);
        common.Common["message.max.bytes"] = "3000";

        var fromProducer = new KafkaRecordLimit(Options.Create(both));
        var fromCommon = new KafkaRecordLimit(Options.Create(common));
        var byDefault = new KafkaRecordLimit(Options.Create(new KafkaOptions()));

        Assert.Equal((2000, "Kafka:Producer:message.max.bytes"), (fromProducer.MaxBytes, fromProducer.Key));
        Assert.Equal((3000, "Kafka:Common:message.max.bytes"), (fromCommon.MaxBytes, fromCommon.Key));
        Assert.Equal((1_000_000, "Kafka:Producer:message.max.bytes"), (byDefault.MaxBytes, byDefault.Key));
    }

    [Fact]
    public void Check_RecordOverTheLimit_NamesSizeLimitAndKey()
    {
        var limit = new KafkaRecordLimit(Options.Create(Settings(KafkaContentMode.Binary, producer: 1000)));
        var cloudEvent = Traced(Event(2000));

        var reason = limit.Check(cloudEvent);

        Assert.Equal(
            $"the event would be a Kafka record of {limit.SizeOf(cloudEvent)} bytes (key, value and headers), more than the 1000 bytes the producer accepts " +
            "(Kafka:Producer:message.max.bytes, librdkafka's message.max.bytes, default 1000000); send less data, or raise message.max.bytes and the topic's max.message.bytes.",
            reason);
    }

    [Fact]
    public void SizeOf_Record_CountsKeyValueHeadersAndTheirVarintLengths()
    {
        // 36 bytes of framing; a header of 2 + 64 bytes takes 1 + 2 bytes of zigzag varint lengths.
        var record = new KafkaRecord("ab", [new("ce", new byte[64]), new("x", null)], new byte[10]);

        Assert.Equal(36 + 2 + 10 + (2 + 64 + 1 + 2) + (1 + 0 + 1 + 1), KafkaRecordLimit.SizeOf(record));
    }

    private static KafkaOptions Settings(KafkaContentMode mode, int? producer = null)
    {
        var options = new KafkaOptions { ContentMode = mode };
        if (producer is { } bytes)
        {
            options.Producer["message.max.bytes"] = bytes.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        return options;
    }

    // A Flagger-like event whose data is a JSON string of dataLength bytes (quotes included, at least 2).
    private static CloudEvent Event(int dataLength)
    {
        var cloudEvent = new CloudEvent
        {
            Id = "4e73075d6c380d6acfddda2582a984d2",
            Source = "/flagger",
            Type = "app.flagger.canary.weight.advanced",
            Subject = "test/podinfo",
            Time = new DateTimeOffset(2025, 1, 10, 9, 6, 40, 123, TimeSpan.Zero),
            DataContentType = "application/json",
            Data = CloudEventData.FromJson("\"" + new string('z', Math.Max(dataLength - 2, 0)) + "\""),
        };
        cloudEvent.SetExtension("partitionkey", "test/podinfo");
        cloudEvent.SetExtension("cluster", new string('c', 64));
        return cloudEvent;
    }

    private static CloudEvent Traced(CloudEvent cloudEvent)
    {
        cloudEvent.SetAttribute(CloudEventAttributes.TraceParent, "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");
        return cloudEvent;
    }

    private static Message<byte[]?, byte[]?> Message(CloudEvent cloudEvent, KafkaContentMode mode) =>
        KafkaMessageMapper.ToMessage(KafkaBinding.ToRecord(cloudEvent, mode));
}
