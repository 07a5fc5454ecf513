using System.Text.RegularExpressions;
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
        await Wait.UntilAsync(() => connection.State == KafkaConnectionState.Connected, "the connection is connected");

        Assert.Contains(logs.Entries, e => e.EventId.Id == 1002 && e.Message == $"Created Kafka topic {topic} (3 partitions, replication factor 1)");
        Assert.Contains(logs.Entries, e => e.EventId.Id == 1006 && e.Message == $"Kafka at {kafka.BootstrapServers} is reachable; topic {topic} has 3 partitions");
        await Wait.UntilAsync(() => KafkaClusterFixture.PartitionsOf(kafka.BootstrapServers, topic, Timeout).Count == 3, $"topic {topic} has 3 partitions");
    }

    [Fact]
    public async Task StartAsync_ClusterThatRefusesTopicCreation_StartsTopicUnavailableThenConnectsOnceTheTopicExists()
    {
        // librdkafka's embedded cluster, whatever Kafka the other tests use: it does not implement the admin
        // API's CreateTopics, so it answers like a real cluster refusing a principal without the right.
        await using var cluster = EmbeddedKafkaCluster.Start(1);
        var logs = new LogCollector();
        var options = Fast(new KafkaOptions { BootstrapServers = cluster.BootstrapServers, Topic = "refused", Partitions = 2, ReplicationFactor = 1 });
        await using var connection = new KafkaConnection(Options.Create(options), logs.CreateLogger<KafkaConnection>());

        await connection.StartAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(1));
        await Wait.UntilAsync(() => connection.State == KafkaConnectionState.TopicUnavailable, "the topic is reported unusable");
        var problem = connection.Problem!;
        await Wait.UntilAsync(() => logs.Entries.Count(e => e.EventId.Id == 1009) >= 2, "two more attempts");
        cluster.CreateTopic("refused", 2, 1);
        await Wait.UntilAsync(() => connection.State == KafkaConnectionState.Connected, "the connection is connected");

        Assert.StartsWith($"Kafka at {cluster.BootstrapServers} answers, but topic 'refused' is not usable: it does not exist and could not be created (2 partitions, replication factor 1): ", problem, StringComparison.Ordinal);
        Assert.EndsWith("give the bridge's principal the right to create topics.", problem, StringComparison.Ordinal);
        var unavailable = Assert.Single(logs.Entries, e => e.EventId.Id == 1008);
        Assert.Equal(LogLevel.Error, unavailable.Level);
        Assert.Equal([1001, 1008, 1006], StateLines(logs));
        Assert.Equal(2, connection.Partitions);
        Assert.True(connection.HasConnected);
        Assert.Null(connection.Problem);
    }

    [Fact]
    public async Task StartAsync_NoBrokerAtBootstrapServers_StartsAtOnceAndReportsUnreachableOnceWithoutErrorLogs()
    {
        var logs = new LogCollector();
        var servers = $"127.0.0.1:{TcpForwarder.FreePort()}";
        var options = Fast(new KafkaOptions { BootstrapServers = servers });
        await using var connection = new KafkaConnection(Options.Create(options), logs.CreateLogger<KafkaConnection>());

        await connection.StartAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(1));
        await connection.FirstAttempt.WaitAsync(Timeout);
        await Wait.UntilAsync(() => logs.Entries.Count(e => e.EventId.Id == 1009) >= 3, "three more attempts");

        Assert.Equal(KafkaConnectionState.Unreachable, connection.State);
        Assert.False(connection.HasConnected);
        Assert.StartsWith($"Kafka at {servers} is not reachable: ", connection.Problem, StringComparison.Ordinal);
        Assert.Contains("Connection refused", connection.Problem, StringComparison.Ordinal);
        var unreachable = Assert.Single(logs.Entries, e => e.EventId.Id == 1007);
        Assert.Equal(LogLevel.Warning, unreachable.Level);
        Assert.Matches($@"^Kafka at {Regex.Escape(servers)} is not reachable: .*Connection refused.*; retrying in 0\.1 s$", unreachable.Message);
        Assert.Equal([1001, 1007], StateLines(logs));
        Assert.Empty(logs.Errors);
        Assert.All(logs.Entries.Where(e => e.EventId.Id is 1011 or 1013 or 1015), e => Assert.Equal(LogLevel.Debug, e.Level));
    }

    [Fact]
    public async Task Watch_Unreachable_RetriesWithDoublingBackoffUpToTheMaximum()
    {
        var logs = new LogCollector();
        var options = Fast(new KafkaOptions { BootstrapServers = $"127.0.0.1:{TcpForwarder.FreePort()}" });
        await using var connection = new KafkaConnection(Options.Create(options), logs.CreateLogger<KafkaConnection>());

        await connection.StartAsync(CancellationToken.None);
        await Wait.UntilAsync(() => logs.Entries.Count(e => e.EventId.Id == 1009) >= 3, "three more attempts");

        var retries = logs.Entries.Where(e => e.EventId.Id is 1007 or 1009).Take(4).Select(e => e.Message[(e.Message.LastIndexOf("retrying in ", StringComparison.Ordinal) + 12)..]);
        Assert.Equal(["0.1 s", "0.2 s", "0.3 s", "0.3 s"], retries);
    }

    [Fact]
    public async Task StartAsync_UnresolvableHostName_StartsAtOnceAndSaysTheNameDoesNotResolve()
    {
        var logs = new LogCollector();
        var options = Fast(new KafkaOptions { BootstrapServers = "kafka.bridge-test.invalid:9092" });
        await using var connection = new KafkaConnection(Options.Create(options), logs.CreateLogger<KafkaConnection>());

        await connection.StartAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(1));
        await connection.FirstAttempt.WaitAsync(Timeout);

        Assert.Equal(KafkaConnectionState.Unreachable, connection.State);
        Assert.StartsWith("Kafka at kafka.bridge-test.invalid:9092 is not reachable: ", connection.Problem, StringComparison.Ordinal);
        Assert.Contains("resolve", connection.Problem, StringComparison.OrdinalIgnoreCase);
        Assert.Empty(logs.Errors);
    }

    [Fact]
    public async Task Watch_KafkaAppearsGoesAwayAndComesBack_OneLinePerStateChange()
    {
        var logs = new LogCollector();
        var port = TcpForwarder.FreePort();
        var servers = $"127.0.0.1:{port}";
        var options = Fast(new KafkaOptions { BootstrapServers = servers, Topic = "appears", Partitions = 3, ReplicationFactor = 1 });
        await using var connection = new KafkaConnection(Options.Create(options), logs.CreateLogger<KafkaConnection>());
        await connection.StartAsync(CancellationToken.None);
        await Wait.UntilAsync(() => connection.State == KafkaConnectionState.Unreachable, "Kafka is unreachable");

        await using var cluster = EmbeddedKafkaCluster.Start(1);
        cluster.CreateTopic("appears", 3, 1);
        using (new TcpForwarder(port, cluster.BootstrapServers))
        {
            await Wait.UntilAsync(() => connection.State == KafkaConnectionState.Connected, "the connection is connected");
            cluster.SetBrokerDown(1);
            await Wait.UntilAsync(() => connection.State == KafkaConnectionState.Unreachable, "Kafka is unreachable again");
            await Wait.UntilAsync(() => logs.Entries.Count(e => e.EventId.Id == 1009) >= 2, "two more attempts");
            cluster.SetBrokerUp(1);
            await Wait.UntilAsync(() => connection.State == KafkaConnectionState.Connected, "the connection is connected again");
        }

        Assert.Equal([1001, 1007, 1006, 1007, 1006], StateLines(logs));
        Assert.All(logs.Entries.Where(e => e.EventId.Id == 1006), e => Assert.Equal($"Kafka at {servers} is reachable; topic appears has 3 partitions", e.Message));
        Assert.Equal(3, connection.Partitions);
        Assert.Empty(logs.Errors);
        Assert.All(logs.Entries.Where(e => e.EventId.Id is 1011 or 1013 or 1015), e => Assert.Equal(LogLevel.Debug, e.Level));
    }

    [Fact]
    public async Task StartAsync_TopicCreatedBeforehand_ConnectsWithoutCreatingIt()
    {
        var topic = kafka.CreateTopic(partitions: 2, prefix: "existing");
        var logs = new LogCollector();
        var options = new KafkaOptions { BootstrapServers = kafka.BootstrapServers, Topic = topic };
        await using var connection = new KafkaConnection(Options.Create(options), logs.CreateLogger<KafkaConnection>());

        await connection.StartAsync(CancellationToken.None);
        await connection.FirstAttempt.WaitAsync(Timeout);

        Assert.Equal(KafkaConnectionState.Connected, connection.State);
        Assert.Equal(kafka.BootstrapServers, connection.BootstrapServers);
        Assert.Null(connection.EmbeddedCluster);
        Assert.Contains(logs.Entries, e => e.EventId.Id == 1001 && e.Message == $"Using Kafka at {kafka.BootstrapServers}; connecting in the background");
        Assert.Contains(logs.Entries, e => e.EventId.Id == 1006 && e.Message == $"Kafka at {kafka.BootstrapServers} is reachable; topic {topic} has 2 partitions");
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

    /// <summary>Quick attempts and retries, so a test sees several within a second.</summary>
    private static KafkaOptions Fast(KafkaOptions options)
    {
        options.ConnectTimeout = TimeSpan.FromMilliseconds(500);
        options.RetryBackoff = TimeSpan.FromMilliseconds(100);
        options.MaxRetryBackoff = TimeSpan.FromMilliseconds(300);
        options.CheckInterval = TimeSpan.FromMilliseconds(200);
        return options;
    }

    /// <summary>The event ids of the connection's state lines (using Kafka, connected, unreachable, topic unavailable), in order.</summary>
    private static int[] StateLines(LogCollector logs) =>
        logs.Entries.Select(e => e.EventId.Id).Where(id => id is 1001 or 1006 or 1007 or 1008).ToArray();

    private static async Task<KafkaConnection> StartedAsync(KafkaOptions options)
    {
        var connection = new KafkaConnection(Options.Create(options), new LogCollector().CreateLogger<KafkaConnection>());
        await connection.StartAsync(CancellationToken.None);
        return connection;
    }
}
