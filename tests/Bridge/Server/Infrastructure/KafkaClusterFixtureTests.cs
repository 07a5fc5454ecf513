using Confluent.Kafka;

namespace Bridge.Server.Tests.Infrastructure;

public sealed class KafkaClusterFixtureTests(KafkaClusterFixture kafka) : IClassFixture<KafkaClusterFixture>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(15);

    [Fact]
    public void Kind_IsTheRunsChoiceWithAnEmbeddedClusterOnlyForThatKind()
    {
        Assert.Equal(TestKafka.Kind, kafka.Kind);
        Assert.Equal(kafka.Kind == TestKafkaKind.Embedded, kafka.Embedded is not null);
        Assert.InRange(kafka.BrokerCount, 1, 100);
    }

    [Fact]
    public void CreateTopic_TwoCalls_DistinctTopicsWithTheAskedPartitions()
    {
        var first = kafka.CreateTopic(partitions: 2, prefix: "fixture");
        var second = kafka.CreateTopic(partitions: 5, prefix: "fixture");

        Assert.NotEqual(first, second);
        Assert.StartsWith("fixture-", first, StringComparison.Ordinal);
        Assert.Equal([0, 1], KafkaClusterFixture.PartitionsOf(kafka.BootstrapServers, first, Timeout));
        Assert.Equal([0, 1, 2, 3, 4], KafkaClusterFixture.PartitionsOf(kafka.BootstrapServers, second, Timeout));
    }

    [Fact]
    public async Task ConsumeAsync_RecordsProducedToSeveralPartitions_ReadsThemAll()
    {
        var topic = kafka.CreateTopic(partitions: 3);
        using var producer = new ProducerBuilder<byte[]?, byte[]?>(new ProducerConfig { BootstrapServers = kafka.BootstrapServers }).Build();
        for (var partition = 0; partition < 3; partition++)
        {
            await producer.ProduceAsync(new TopicPartition(topic, partition), new Message<byte[]?, byte[]?> { Value = [(byte)partition] });
        }

        var records = await kafka.ConsumeAsync(topic, 3, Timeout);

        Assert.Equal([0, 1, 2], records.Select(r => (int)r.Message.Value![0]).Order());
    }

    [Fact]
    public async Task ConsumeAsync_FewerRecordsThanAsked_TimesOutSayingHowManyArrived()
    {
        var topic = kafka.CreateTopic(partitions: 1);

        var error = await Assert.ThrowsAsync<TimeoutException>(() => kafka.ConsumeAsync(topic, 1, TimeSpan.FromMilliseconds(500)));

        Assert.Equal($"Read 0 of 1 records from '{topic}' within 00:00:00.5000000.", error.Message);
    }
}
