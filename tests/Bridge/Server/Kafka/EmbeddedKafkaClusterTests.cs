using System.Diagnostics;
using System.Text;
using Bridge.Server.Kafka;
using Bridge.Server.Tests.Infrastructure;
using Confluent.Kafka;
using Confluent.Kafka.Admin;

namespace Bridge.Server.Tests.Kafka;

/// <summary>
/// The embedded cluster itself, whatever Kafka the other tests use: each test starts its own (it takes
/// milliseconds). Tests named after a limit pin what librdkafka's cluster still does not do like Kafka, so
/// a librdkafka that lifts one fails its test and the workaround can go.
/// </summary>
public sealed class EmbeddedKafkaClusterTests : IDisposable
{
    private const int Brokers = 3;
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(15);

    private readonly EmbeddedKafkaCluster _cluster = EmbeddedKafkaCluster.Start(Brokers);

    public void Dispose() => _cluster.Dispose();

    [Fact]
    public void Start_ThreeBrokers_BootstrapsListOneLoopbackAddressPerBroker()
    {
        var addresses = _cluster.BootstrapServers.Split(',');

        Assert.Equal(Brokers, _cluster.BrokerCount);
        Assert.Equal(Brokers, addresses.Length);
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

        _cluster.CreateTopic(topic, 7, 3);

        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = _cluster.BootstrapServers }).Build();
        var metadata = admin.GetMetadata(topic, Timeout).Topics.Single(t => t.Topic == topic);
        Assert.False(metadata.Error.IsError, metadata.Error.Reason);
        Assert.Equal(Enumerable.Range(0, 7), metadata.Partitions.Select(p => p.PartitionId).Order());
        Assert.All(metadata.Partitions, p => Assert.Equal(3, p.Replicas.Length));
        Assert.Equal(Brokers, admin.GetMetadata(Timeout).Brokers.Count);
    }

    [Fact]
    public void CreateTopic_ReplicationFactorAboveBrokerCount_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => _cluster.CreateTopic("too-many-replicas", 1, 4));
    }

    [Fact]
    public async Task CreateTopic_ThenProduceAndConsume_RecordRoundTripsWithKeyAndHeaders()
    {
        _cluster.CreateTopic("round-trip", 3, 3);
        const string topic = "round-trip";
        using var producer = new ProducerBuilder<byte[]?, byte[]?>(new ProducerConfig { BootstrapServers = _cluster.BootstrapServers, EnableIdempotence = true }).Build();

        var delivery = await producer.ProduceAsync(topic, new Message<byte[]?, byte[]?>
        {
            Key = "prod/podinfo"u8.ToArray(),
            Value = "{}"u8.ToArray(),
            Headers = new Headers { { "ce_id", "1"u8.ToArray() } },
        });
        var records = await KafkaClusterFixture.ConsumeAsync(_cluster.BootstrapServers, topic, 1, Timeout);

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
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => _cluster.SetBrokerDown(Brokers + 1));

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
        const string topic = "unauthorized";
        _cluster.CreateTopic(topic, 1, 1);
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = _cluster.BootstrapServers }).Build();

        _cluster.TopicSetError(topic, ErrorCode.TopicAuthorizationFailed);
        var failing = admin.GetMetadata(topic, Timeout).Topics.Single(t => t.Topic == topic).Error.Code;
        _cluster.TopicSetError(topic, ErrorCode.NoError);
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
    public async Task Limit_AdminApiCreateTopics_IsNotImplemented()
    {
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = _cluster.BootstrapServers }).Build();

        var failure = await Assert.ThrowsAnyAsync<KafkaException>(() => admin.CreateTopicsAsync(
            [new TopicSpecification { Name = "through-admin", NumPartitions = 2, ReplicationFactor = 1 }],
            new CreateTopicsOptions { OperationTimeout = TimeSpan.FromSeconds(1), RequestTimeout = TimeSpan.FromSeconds(1) }));

        Assert.Contains("controller", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Limit_TopicNobodyCreated_IsAutoCreatedWithFourPartitions()
    {
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = _cluster.BootstrapServers }).Build();

        var topic = admin.GetMetadata("nobody-created", Timeout).Topics.Single();

        Assert.False(topic.Error.IsError, topic.Error.Reason);
        Assert.Equal(4, topic.Partitions.Count);
    }

    [Fact]
    public async Task Limit_OffsetsForTimes_FindsNoOffset()
    {
        _cluster.CreateTopic("times", 1, 1);
        using (var producer = new ProducerBuilder<byte[]?, byte[]?>(new ProducerConfig { BootstrapServers = _cluster.BootstrapServers }).Build())
        {
            await producer.ProduceAsync("times", new Message<byte[]?, byte[]?> { Value = [1] });
        }

        using var consumer = new ConsumerBuilder<byte[]?, byte[]?>(new ConsumerConfig { BootstrapServers = _cluster.BootstrapServers, GroupId = "times" }).Build();
        var found = consumer.OffsetsForTimes([new TopicPartitionTimestamp(new TopicPartition("times", 0), new Timestamp(DateTime.UtcNow.AddHours(-1)))], Timeout);

        // A Kafka broker answers offset 0; this cluster answers -1 (no record at or after the time) for any time.
        Assert.Equal(Offset.End, Assert.Single(found).Offset);
    }

    [Fact]
    public async Task Limit_PartitionLog_KeepsAtMostFiveMebibytes()
    {
        _cluster.CreateTopic("bounded", 1, 1);
        using var producer = new ProducerBuilder<byte[]?, byte[]?>(new ProducerConfig { BootstrapServers = _cluster.BootstrapServers, LingerMs = 0 }).Build();
        var value = new byte[256 * 1024];

        for (var i = 0; i < 24; i++)
        {
            await producer.ProduceAsync("bounded", new Message<byte[]?, byte[]?> { Value = value });
        }

        using var consumer = new ConsumerBuilder<byte[]?, byte[]?>(new ConsumerConfig { BootstrapServers = _cluster.BootstrapServers, GroupId = "bounded" }).Build();
        var marks = consumer.QueryWatermarkOffsets(new TopicPartition("bounded", 0), Timeout);
        Assert.Equal(24, marks.High.Value);
        Assert.InRange(marks.Low.Value, 4, 23);
    }

    [Fact]
    public void ConsumerGroup_FirstJoin_AssignedWithoutKafkasThreeSecondDelay()
    {
        _cluster.CreateTopic("join", 2, 1);

        var assignedAfter = JoinAndWaitForAssignment("join", "first-join", TimeSpan.FromSeconds(10));

        Assert.True(assignedAfter < TimeSpan.FromSeconds(2), $"assigned after {assignedAfter}");
        Assert.True(EmbeddedKafkaCluster.GroupInitialRebalanceDelay < TimeSpan.FromSeconds(1));
    }

    [Fact]
    public void Limit_GroupReopenedAfterItsLastMemberLeft_WaitsSessionTimeoutLessOneSecond()
    {
        _cluster.CreateTopic("reopen", 2, 1);
        JoinAndWaitForAssignment("reopen", "reopened", TimeSpan.FromSeconds(10), sessionTimeoutMs: 3000);

        var assignedAfter = JoinAndWaitForAssignment("reopen", "reopened", TimeSpan.FromSeconds(15), sessionTimeoutMs: 3000);

        // A Kafka broker assigns at once: the group is empty after the member's LeaveGroup.
        Assert.InRange(assignedAfter, TimeSpan.FromSeconds(1.5), TimeSpan.FromSeconds(6));
    }

    /// <summary>Subscribes one consumer of <paramref name="group"/>, waits for its partitions, leaves the group; returns how long the assignment took.</summary>
    private TimeSpan JoinAndWaitForAssignment(string topic, string group, TimeSpan timeout, int sessionTimeoutMs = 10_000)
    {
        var stopwatch = System.Diagnostics.Stopwatch.StartNew();
        TimeSpan? assignedAfter = null;
        using var consumer = new ConsumerBuilder<byte[]?, byte[]?>(new ConsumerConfig
        {
            BootstrapServers = _cluster.BootstrapServers,
            GroupId = group,
            SessionTimeoutMs = sessionTimeoutMs,
            HeartbeatIntervalMs = 500,
            PartitionAssignmentStrategy = PartitionAssignmentStrategy.CooperativeSticky,
        }).SetPartitionsAssignedHandler((_, partitions) => assignedAfter ??= partitions.Count > 0 ? stopwatch.Elapsed : null).Build();

        consumer.Subscribe(topic);
        while (assignedAfter is null && stopwatch.Elapsed < timeout)
        {
            // Handlers run inside Consume; a short slice keeps the measurement close to the assignment.
            consumer.Consume(TimeSpan.FromMilliseconds(50));
        }

        consumer.Close();
        return assignedAfter ?? throw new TimeoutException($"Group '{group}' got no partitions of '{topic}' within {timeout}.");
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
