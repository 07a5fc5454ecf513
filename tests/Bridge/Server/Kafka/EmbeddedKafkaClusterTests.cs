using System.Diagnostics;
using System.Text;
using Bridge.Server.Kafka;
using Bridge.Server.Tests.Infrastructure;
using Confluent.Kafka;

namespace Bridge.Server.Tests.Kafka;

public sealed class EmbeddedKafkaClusterTests(KafkaClusterFixture kafka) : IClassFixture<KafkaClusterFixture>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(15);

    [Fact]
    public void Start_ThreeBrokers_BootstrapsListOneLoopbackAddressPerBroker()
    {
        var addresses = kafka.BootstrapServers.Split(',');

        Assert.Equal(KafkaClusterFixture.Brokers, kafka.Cluster.BrokerCount);
        Assert.Equal(KafkaClusterFixture.Brokers, addresses.Length);
        Assert.All(addresses, address =>
        {
            var parts = address.Split(':');
            Assert.Equal("127.0.0.1", parts[0]);
            Assert.InRange(int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture), 1, 65535);
        });
        Assert.Equal(addresses.Length, addresses.Distinct().Count());
    }

    [Fact]
    public void Start_ZeroBrokers_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => EmbeddedKafkaCluster.Start(0));
    }

    [Fact]
    public void CreateTopic_SevenPartitions_MetadataShowsSevenPartitionsWithThreeReplicas()
    {
        var topic = $"seven-{Guid.NewGuid():N}";

        kafka.Cluster.CreateTopic(topic, 7, 3);

        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = kafka.BootstrapServers }).Build();
        var metadata = admin.GetMetadata(topic, Timeout).Topics.Single(t => t.Topic == topic);
        Assert.False(metadata.Error.IsError, metadata.Error.Reason);
        Assert.Equal(Enumerable.Range(0, 7), metadata.Partitions.Select(p => p.PartitionId).Order());
        Assert.All(metadata.Partitions, p => Assert.Equal(3, p.Replicas.Length));
        Assert.Equal(KafkaClusterFixture.Brokers, admin.GetMetadata(Timeout).Brokers.Count);
    }

    [Fact]
    public void CreateTopic_ReplicationFactorAboveBrokerCount_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => kafka.Cluster.CreateTopic("too-many-replicas", 1, 4));
    }

    [Fact]
    public async Task CreateTopic_ThenProduceAndConsume_RecordRoundTripsWithKeyAndHeaders()
    {
        var topic = kafka.CreateTopic(partitions: 3);
        using var producer = new ProducerBuilder<byte[]?, byte[]?>(new ProducerConfig { BootstrapServers = kafka.BootstrapServers, EnableIdempotence = true }).Build();

        var delivery = await producer.ProduceAsync(topic, new Message<byte[]?, byte[]?>
        {
            Key = "prod/podinfo"u8.ToArray(),
            Value = "{}"u8.ToArray(),
            Headers = new Headers { { "ce_id", "1"u8.ToArray() } },
        });
        var records = await kafka.ConsumeAsync(topic, 1, Timeout);

        Assert.Equal(PersistenceStatus.Persisted, delivery.Status);
        var record = Assert.Single(records);
        Assert.Equal("prod/podinfo", Encoding.UTF8.GetString(record.Message.Key!));
        Assert.Equal("{}", Encoding.UTF8.GetString(record.Message.Value!));
        Assert.Equal("1", Encoding.UTF8.GetString(record.Message.Headers.GetLastBytes("ce_id")));
        Assert.Equal(delivery.TopicPartitionOffset, record.TopicPartitionOffset);
    }

    [Fact]
    public async Task SetBrokerDown_AllBrokers_ProduceTimesOutUntilBrokersAreUpAgain()
    {
        await using var cluster = EmbeddedKafkaCluster.Start(2);
        cluster.CreateTopic("faults", 2, 2);
        using var producer = new ProducerBuilder<byte[]?, byte[]?>(new ProducerConfig
        {
            BootstrapServers = cluster.BootstrapServers,
            EnableIdempotence = true,
            MessageTimeoutMs = 1500,
            // librdkafka backs off reconnecting up to 10 s by default; the test wants the brokers back quickly.
            ReconnectBackoffMaxMs = 200,
        }).Build();
        await ProduceEventuallyAsync(producer, "faults");

        cluster.SetBrokerDown(1);
        cluster.SetBrokerDown(2);
        var stopwatch = Stopwatch.StartNew();
        var failure = await Assert.ThrowsAsync<ProduceException<byte[]?, byte[]?>>(
            () => producer.ProduceAsync("faults", new Message<byte[]?, byte[]?> { Value = [2] }));
        stopwatch.Stop();
        cluster.SetBrokerUp(1);
        cluster.SetBrokerUp(2);
        var recovered = await ProduceEventuallyAsync(producer, "faults");

        Assert.Equal(ErrorCode.Local_MsgTimedOut, failure.Error.Code);
        Assert.InRange(stopwatch.Elapsed, TimeSpan.FromMilliseconds(1000), TimeSpan.FromSeconds(10));
        Assert.Equal(PersistenceStatus.Persisted, recovered.Status);
    }

    // Connecting may take longer than one short message timeout on a busy machine.
    private static async Task<DeliveryResult<byte[]?, byte[]?>> ProduceEventuallyAsync(IProducer<byte[]?, byte[]?> producer, string topic)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (true)
        {
            try
            {
                return await producer.ProduceAsync(topic, new Message<byte[]?, byte[]?> { Value = [1] });
            }
            catch (ProduceException<byte[]?, byte[]?>) when (DateTime.UtcNow < deadline)
            {
            }
        }
    }

    [Fact]
    public void SetBrokerDown_UnknownBroker_ThrowsNamingTheRange()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => kafka.Cluster.SetBrokerDown(KafkaClusterFixture.Brokers + 1));

        Assert.Contains("1 to 3", error.Message);
    }

    [Fact]
    public async Task PushRequestErrors_ProduceErrors_RetriableErrorsAreRetriedAndTheEventIsStored()
    {
        await using var cluster = EmbeddedKafkaCluster.Start(1);
        cluster.CreateTopic("retries", 1, 1);
        using var producer = new ProducerBuilder<byte[]?, byte[]?>(new ProducerConfig { BootstrapServers = cluster.BootstrapServers, EnableIdempotence = true }).Build();
        await producer.ProduceAsync("retries", new Message<byte[]?, byte[]?> { Value = [0] });

        const short produceApi = 0;
        cluster.PushRequestErrors(produceApi, ErrorCode.NotEnoughReplicas, ErrorCode.NotEnoughReplicas);
        var delivery = await producer.ProduceAsync("retries", new Message<byte[]?, byte[]?> { Value = [1] });

        Assert.Equal(PersistenceStatus.Persisted, delivery.Status);
        Assert.Equal(1, delivery.Offset.Value);
    }

    [Fact]
    public async Task PushRequestErrors_NonRetriableProduceError_ProduceFailsWithThatError()
    {
        await using var cluster = EmbeddedKafkaCluster.Start(1);
        cluster.CreateTopic("rejects", 1, 1);
        using var producer = new ProducerBuilder<byte[]?, byte[]?>(new ProducerConfig { BootstrapServers = cluster.BootstrapServers }).Build();
        await producer.ProduceAsync("rejects", new Message<byte[]?, byte[]?> { Value = [0] });

        cluster.PushRequestErrors(0, ErrorCode.TopicAuthorizationFailed);
        var failure = await Assert.ThrowsAsync<ProduceException<byte[]?, byte[]?>>(
            () => producer.ProduceAsync("rejects", new Message<byte[]?, byte[]?> { Value = [1] }));

        Assert.Equal(ErrorCode.TopicAuthorizationFailed, failure.Error.Code);
    }

    [Fact]
    public void TopicSetError_ThenMetadata_ReportsTheErrorUntilCleared()
    {
        var topic = kafka.CreateTopic(partitions: 1);
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = kafka.BootstrapServers }).Build();

        kafka.Cluster.TopicSetError(topic, ErrorCode.TopicAuthorizationFailed);
        var failing = admin.GetMetadata(topic, Timeout).Topics.Single(t => t.Topic == topic).Error.Code;
        kafka.Cluster.TopicSetError(topic, ErrorCode.NoError);
        var cleared = admin.GetMetadata(topic, Timeout).Topics.Single(t => t.Topic == topic).Error.Code;

        Assert.Equal(ErrorCode.TopicAuthorizationFailed, failing);
        Assert.Equal(ErrorCode.NoError, cleared);
    }

    [Fact]
    public async Task SetBrokerRtt_400Milliseconds_ProduceTakesAtLeastThatLong()
    {
        await using var cluster = EmbeddedKafkaCluster.Start(1);
        cluster.CreateTopic("slow", 1, 1);
        using var producer = new ProducerBuilder<byte[]?, byte[]?>(new ProducerConfig { BootstrapServers = cluster.BootstrapServers }).Build();
        await producer.ProduceAsync("slow", new Message<byte[]?, byte[]?> { Value = [0] });

        cluster.SetBrokerRtt(1, TimeSpan.FromMilliseconds(400));
        var stopwatch = Stopwatch.StartNew();
        await producer.ProduceAsync("slow", new Message<byte[]?, byte[]?> { Value = [1] });
        stopwatch.Stop();

        Assert.True(stopwatch.Elapsed >= TimeSpan.FromMilliseconds(350), $"took {stopwatch.Elapsed}");
    }

    [Fact]
    public void Dispose_Twice_SecondCallDoesNothingAndLaterCallsThrow()
    {
        var cluster = EmbeddedKafkaCluster.Start(1);

        cluster.Dispose();
        cluster.Dispose();

        Assert.Throws<ObjectDisposedException>(() => cluster.SetBrokerDown(1));
    }
}
