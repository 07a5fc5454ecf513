using Bridge.Server.Kafka;
using Bridge.Server.Tests.Infrastructure;
using Confluent.Kafka;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Bridge.Server.Tests.Kafka;

public sealed class KafkaConnectionTests(KafkaClusterFixture kafka) : IClassFixture<KafkaClusterFixture>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(15);

    [Fact]
    public async Task StartAsync_NoBootstrapServers_StartsEmbeddedClusterWithTopicAndLogsItsAddress()
    {
        var logs = new LogCollector();
        await using var connection = new KafkaConnection(Options.Create(new KafkaOptions { Topic = "events", Partitions = 5 }), logs.CreateLogger<KafkaConnection>());

        await connection.StartAsync(CancellationToken.None);

        Assert.NotNull(connection.EmbeddedCluster);
        Assert.Equal(connection.EmbeddedCluster.BootstrapServers, connection.BootstrapServers);
        Assert.Equal(3, connection.EmbeddedCluster.BrokerCount);
        Assert.Equal([0, 1, 2, 3, 4], KafkaClusterFixture.PartitionsOf(connection.BootstrapServers, "events", Timeout));
        var started = Assert.Single(logs.Entries, e => e.EventId.Id == 1000);
        Assert.Equal(LogLevel.Information, started.Level);
        Assert.Equal($"Embedded Kafka cluster started at {connection.BootstrapServers} (3 brokers, in memory)", started.Message);
        Assert.Matches(@"^127\.0\.0\.1:\d+(,127\.0\.0\.1:\d+){2}$", connection.BootstrapServers);
    }

    [Fact]
    public async Task StartAsync_Any_LogsTheLoadedLibrdkafkaVersionAndFileOnce()
    {
        var logs = new LogCollector();
        await using var connection = new KafkaConnection(Options.Create(new KafkaOptions { BootstrapServers = kafka.BootstrapServers, Topic = kafka.CreateTopic(1) }), logs.CreateLogger<KafkaConnection>());

        await connection.StartAsync(CancellationToken.None);
        await connection.StartAsync(CancellationToken.None);

        var entries = logs.Entries.ToList();
        var loaded = Assert.Single(entries, e => e.EventId.Id == 1005);
        Assert.Equal(LogLevel.Information, loaded.Level);
        Assert.Equal($"Using librdkafka 2.16.0 from {KafkaNativeLibrary.Load().Path}", loaded.Message);
        Assert.True(entries.IndexOf(loaded) < entries.FindIndex(e => e.EventId.Id == 1001), "logged before Kafka is used");
    }

    [Fact]
    public async Task StartAsync_ReplicationFactorAboveEmbeddedBrokers_UsesBrokerCount()
    {
        await using var connection = new KafkaConnection(
            Options.Create(new KafkaOptions { EmbeddedBrokers = 2, ReplicationFactor = 3, Partitions = 2 }), new LogCollector().CreateLogger<KafkaConnection>());

        await connection.StartAsync(CancellationToken.None);

        using var admin = new AdminClientBuilder(connection.CreateAdminClientConfig()).Build();
        var topic = admin.GetMetadata("flagger-events", Timeout).Topics.Single();
        Assert.All(topic.Partitions, p => Assert.Equal(2, p.Replicas.Length));
    }

    [Fact]
    public void BootstrapServers_BeforeStart_ThrowsSayingKafkaIsNotStarted()
    {
        var connection = new KafkaConnection(Options.Create(new KafkaOptions()), new LogCollector().CreateLogger<KafkaConnection>());

        var error = Assert.Throws<InvalidOperationException>(() => connection.BootstrapServers);

        Assert.Contains("not started", error.Message);
    }

    [KafkaFact(KafkaNeeds.TopicCreationThroughAdminApi)]
    public async Task StartAsync_TopicMissing_CreatesItThroughTheAdminApi()
    {
        var topic = $"created-{Guid.NewGuid():N}";
        var logs = new LogCollector();
        var options = new KafkaOptions { BootstrapServers = kafka.BootstrapServers, Topic = topic, Partitions = 3, ReplicationFactor = 1 };
        await using var connection = new KafkaConnection(Options.Create(options), logs.CreateLogger<KafkaConnection>());

        await connection.StartAsync(CancellationToken.None);

        Assert.Contains(logs.Entries, e => e.EventId.Id == 1002 && e.Message == $"Created Kafka topic {topic} (3 partitions, replication factor 1)");
        await Wait.UntilAsync(() => KafkaClusterFixture.PartitionsOf(kafka.BootstrapServers, topic, Timeout).Count == 3, $"topic {topic} has 3 partitions");
    }

    [Fact]
    public async Task StartAsync_ClusterThatRefusesTopicCreation_ThrowsNamingTopicAndServers()
    {
        // librdkafka's embedded cluster, whatever Kafka the other tests use: it does not implement the admin
        // API's CreateTopics, so it answers like a real cluster refusing a principal without the right.
        await using var cluster = EmbeddedKafkaCluster.Start(1);
        var options = new KafkaOptions { BootstrapServers = cluster.BootstrapServers, Topic = "refused" };
        await using var connection = new KafkaConnection(Options.Create(options), new LogCollector().CreateLogger<KafkaConnection>())
        {
            AdminTimeout = TimeSpan.FromSeconds(1),
        };

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => connection.StartAsync(CancellationToken.None));

        Assert.StartsWith($"Could not create Kafka topic 'refused' at {cluster.BootstrapServers}: ", error.Message, StringComparison.Ordinal);
        Assert.EndsWith("give the bridge's principal the right to create topics.", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StartAsync_NoBrokerAtBootstrapServers_ThrowsSayingKafkaIsUnreachable()
    {
        var options = new KafkaOptions { BootstrapServers = "127.0.0.1:1" };
        await using var connection = new KafkaConnection(Options.Create(options), new LogCollector().CreateLogger<KafkaConnection>())
        {
            AdminTimeout = TimeSpan.FromSeconds(1),
        };

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => connection.StartAsync(CancellationToken.None));

        Assert.StartsWith("Could not reach Kafka at 127.0.0.1:1 within 1 s: ", error.Message, StringComparison.Ordinal);
        Assert.Contains("Kafka:BootstrapServers", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StartAsync_TopicCreatedBeforehand_StartsWithoutCreatingIt()
    {
        var topic = kafka.CreateTopic(partitions: 2, prefix: "existing");
        var logs = new LogCollector();
        var options = new KafkaOptions { BootstrapServers = kafka.BootstrapServers, Topic = topic };
        await using var connection = new KafkaConnection(Options.Create(options), logs.CreateLogger<KafkaConnection>());

        await connection.StartAsync(CancellationToken.None);

        Assert.Equal(kafka.BootstrapServers, connection.BootstrapServers);
        Assert.Null(connection.EmbeddedCluster);
        Assert.Contains(logs.Entries, e => e.EventId.Id == 1001 && e.Message == $"Using Kafka at {kafka.BootstrapServers}");
        Assert.Contains(logs.Entries, e => e.EventId.Id == 1003 && e.Message.StartsWith($"Kafka topic {topic} already exists", StringComparison.Ordinal));
        Assert.DoesNotContain(logs.Entries, e => e.EventId.Id == 1002);
        Assert.Equal([0, 1], KafkaClusterFixture.PartitionsOf(kafka.BootstrapServers, topic, Timeout));
    }

    [Fact]
    public async Task CreateProducerConfig_WithPassThroughProperties_KeepsGuaranteesAndAddsProperties()
    {
        var options = new KafkaOptions { LingerMs = 3, ProduceTimeout = TimeSpan.FromSeconds(7), ClientId = "bridge-a" };
        options.Common["socket.keepalive.enable"] = "true";
        options.Common["compression.type"] = "gzip";
        options.Producer["compression.type"] = "zstd";
        options.Consumer["fetch.wait.max.ms"] = "50";
        await using var connection = await StartedAsync(options);

        var config = connection.CreateProducerConfig();

        Assert.Equal(connection.BootstrapServers, config.BootstrapServers);
        Assert.Equal("bridge-a", config.ClientId);
        Assert.True(config.EnableIdempotence);
        Assert.Equal(Acks.All, config.Acks);
        Assert.Equal(Partitioner.Murmur2Random, config.Partitioner);
        Assert.Equal(3, config.LingerMs);
        Assert.Equal(7000, config.MessageTimeoutMs);
        Assert.Equal("true", config.Get("socket.keepalive.enable"));
        Assert.Equal("zstd", config.Get("compression.type"));
        Assert.Null(config.Get("fetch.wait.max.ms"));
    }

    [Fact]
    public async Task CreateConsumerConfig_EmbeddedCluster_ShortFetchWaitUnlessConfigured()
    {
        await using var connection = await StartedAsync(new KafkaOptions());

        var config = connection.CreateConsumerConfig("notifier");

        Assert.NotNull(connection.EmbeddedCluster);
        Assert.Equal(KafkaConnection.EmbeddedFetchWaitMaxMs, config.FetchWaitMaxMs);
    }

    [Fact]
    public async Task CreateConsumerConfig_Group_ManualOffsetsCooperativeStickyAndConsumerProperties()
    {
        var options = new KafkaOptions();
        options.Common["socket.keepalive.enable"] = "true";
        options.Consumer["fetch.wait.max.ms"] = "50";
        options.Producer["compression.type"] = "zstd";
        await using var connection = await StartedAsync(options);

        var config = connection.CreateConsumerConfig("audit");

        Assert.Equal("audit", config.GroupId);
        Assert.Equal(connection.BootstrapServers, config.BootstrapServers);
        Assert.False(config.EnableAutoCommit);
        Assert.False(config.EnableAutoOffsetStore);
        Assert.Equal(PartitionAssignmentStrategy.CooperativeSticky, config.PartitionAssignmentStrategy);
        Assert.Equal("true", config.Get("socket.keepalive.enable"));
        Assert.Equal(50, config.FetchWaitMaxMs);
        Assert.Null(config.Get("compression.type"));
        Assert.Throws<ArgumentException>(() => connection.CreateConsumerConfig(" "));
    }

    [Fact]
    public async Task CreateConsumerConfig_GroupConsumer_ReadsWhatTheProducerWrote()
    {
        await using var connection = await StartedAsync(new KafkaOptions { BootstrapServers = kafka.BootstrapServers, Topic = kafka.CreateTopic(partitions: 1) });
        using var producer = new ProducerBuilder<byte[]?, byte[]?>(connection.CreateProducerConfig()).Build();
        await producer.ProduceAsync(connection.Topic, new Message<byte[]?, byte[]?> { Key = "a/b"u8.ToArray(), Value = [42] });
        var config = connection.CreateConsumerConfig($"group-{Guid.NewGuid():N}");
        config.AutoOffsetReset = AutoOffsetReset.Earliest;
        using var consumer = new ConsumerBuilder<byte[]?, byte[]?>(config).Build();

        consumer.Subscribe(connection.Topic);
        var result = consumer.Consume(Timeout);

        Assert.NotNull(result);
        Assert.Equal([42], result.Message.Value!);
        consumer.Close();
    }

    [Fact]
    public async Task CreateProducerConfig_SaslPasswordFile_UsesTrimmedFileContent()
    {
        var file = Path.GetTempFileName();
        try
        {
            await File.WriteAllTextAsync(file, "s3cret\n");
            await using var connection = await StartedAsync(new KafkaOptions { SaslPasswordFile = file });

            Assert.Equal("s3cret", connection.CreateProducerConfig().SaslPassword);
            Assert.Equal("s3cret", connection.CreateConsumerConfig("g").SaslPassword);
            Assert.Equal("s3cret", connection.CreateAdminClientConfig().SaslPassword);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task DisposeAsync_EmbeddedCluster_StopsTheCluster()
    {
        var connection = await StartedAsync(new KafkaOptions());
        var cluster = connection.EmbeddedCluster!;

        await connection.DisposeAsync();

        Assert.Null(connection.EmbeddedCluster);
        Assert.Throws<ObjectDisposedException>(() => cluster.SetBrokerDown(1));
    }

    private static async Task<KafkaConnection> StartedAsync(KafkaOptions options)
    {
        var connection = new KafkaConnection(Options.Create(options), new LogCollector().CreateLogger<KafkaConnection>());
        await connection.StartAsync(CancellationToken.None);
        return connection;
    }
}
