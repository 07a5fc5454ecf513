using Bridge.Server.Kafka;
using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Xunit.Abstractions;

namespace Bridge.Server.Tests.Infrastructure;

/// <summary>
/// The Kafka of a test class (<c>IClassFixture&lt;KafkaClusterFixture&gt;</c>), chosen once per run by
/// <see cref="TestKafka"/>: the cluster named by <c>KAFKA_BOOTSTRAP_SERVERS</c>, else Kafka in a container
/// when a Docker engine answers, else librdkafka's embedded cluster (3 brokers, one per fixture). It
/// creates a fresh topic per test and reads records back through a real Confluent consumer. Tests that
/// take brokers down or make requests fail need the embedded cluster's fault injection: they start
/// their own <see cref="EmbeddedKafkaCluster"/>, so they run whatever Kafka this fixture uses and the
/// faults stay within the test.
/// </summary>
public sealed class KafkaClusterFixture : IDisposable
{
    /// <summary>Brokers of the embedded cluster this fixture starts when the run uses one.</summary>
    public const int EmbeddedBrokers = 3;

    private static readonly TimeSpan AdminTimeout = TimeSpan.FromSeconds(30);

    private int _topics;

    /// <param name="diagnostics">Where to say which Kafka the run uses (xunit passes its sink to class fixtures); may be null.</param>
    public KafkaClusterFixture(IMessageSink? diagnostics = null)
    {
        Kind = TestKafka.Kind;
        if (Kind == TestKafkaKind.Embedded)
        {
            Embedded = EmbeddedKafkaCluster.Start(EmbeddedBrokers);
            BootstrapServers = Embedded.BootstrapServers;
            BrokerCount = Embedded.BrokerCount;
            TestKafka.Announce(diagnostics, $"librdkafka {TestKafka.LibrdkafkaVersion}'s embedded cluster, {EmbeddedBrokers} brokers, one per test class");
        }
        else
        {
            BootstrapServers = TestKafka.SharedBootstrapServers;
            BrokerCount = TestKafka.BrokerCount(BootstrapServers, AdminTimeout);
            var what = Kind == TestKafkaKind.External ? "the Kafka cluster" : $"Kafka in a container ({TestKafka.ContainerImage})";
            TestKafka.Announce(diagnostics, $"{what} at {BootstrapServers}, {BrokerCount} broker(s), shared by every test class");
        }
    }

    /// <summary>Which Kafka this fixture uses.</summary>
    public TestKafkaKind Kind { get; }

    /// <summary>The embedded cluster when <see cref="Kind"/> is <see cref="TestKafkaKind.Embedded"/>; otherwise null.</summary>
    internal EmbeddedKafkaCluster? Embedded { get; }

    public string BootstrapServers { get; }

    /// <summary>Brokers of the cluster; topics get a replication factor of at most 3 and at most this.</summary>
    public int BrokerCount { get; }

    /// <summary>
    /// Creates a topic with a name no other test uses and returns the name once every partition has a
    /// leader. The embedded cluster creates it through its own API (it does not implement the admin
    /// API's CreateTopics), any other cluster through the admin API.
    /// </summary>
    public string CreateTopic(int partitions = 6, string prefix = "test")
    {
        var topic = $"{prefix}-{Interlocked.Increment(ref _topics)}-{Guid.NewGuid():N}";
        var replication = Math.Min(3, BrokerCount);
        if (Embedded is not null)
        {
            Embedded.CreateTopic(topic, partitions, replication);
            return topic;
        }

        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = BootstrapServers }).Build();
        try
        {
            admin.CreateTopicsAsync(
                [new TopicSpecification { Name = topic, NumPartitions = partitions, ReplicationFactor = (short)replication }],
                new CreateTopicsOptions { OperationTimeout = AdminTimeout, RequestTimeout = AdminTimeout }).GetAwaiter().GetResult();
        }
        catch (KafkaException e)
        {
            throw new InvalidOperationException(
                $"Could not create test topic '{topic}' at {BootstrapServers} through the admin API: {e.Message}. The tests need a Kafka "
                + "that lets them create topics (librdkafka's embedded cluster of another process does not implement CreateTopics).", e);
        }

        // A real cluster reports the topic once the controller has elected the partitions' leaders.
        Wait.UntilAsync(
            () => admin.GetMetadata(topic, AdminTimeout).Topics.Single(t => t.Topic == topic) is { Error.IsError: false } m
                && m.Partitions.Count == partitions && m.Partitions.All(p => p.Leader >= 0),
            $"topic '{topic}' has {partitions} partitions with leaders at {BootstrapServers}",
            AdminTimeout).GetAwaiter().GetResult();
        return topic;
    }

    /// <summary>
    /// Reads the first <paramref name="count"/> records of <paramref name="topic"/> (all partitions, from the
    /// beginning) and fails the test if they do not arrive within <paramref name="timeout"/>.
    /// </summary>
    public Task<IReadOnlyList<ConsumeResult<byte[]?, byte[]?>>> ConsumeAsync(string topic, int count, TimeSpan timeout) =>
        ConsumeAsync(BootstrapServers, topic, count, timeout);

    /// <inheritdoc cref="ConsumeAsync(string, int, TimeSpan)"/>
    public static Task<IReadOnlyList<ConsumeResult<byte[]?, byte[]?>>> ConsumeAsync(string bootstrapServers, string topic, int count, TimeSpan timeout) =>
        // Consume blocks its thread; keep it off the test's synchronization context.
        Task.Run<IReadOnlyList<ConsumeResult<byte[]?, byte[]?>>>(() =>
        {
            var partitions = PartitionsOf(bootstrapServers, topic, timeout);
            using var consumer = new ConsumerBuilder<byte[]?, byte[]?>(new ConsumerConfig
            {
                BootstrapServers = bootstrapServers,
                GroupId = $"fixture-{Guid.NewGuid():N}",
                EnableAutoCommit = false,
            }).Build();

            // Assigning partitions directly skips the group join (3 s on a broker with Kafka's default group.initial.rebalance.delay.ms).
            consumer.Assign(partitions.Select(p => new TopicPartitionOffset(topic, p, Offset.Beginning)));
            var records = new List<ConsumeResult<byte[]?, byte[]?>>(count);
            var deadline = DateTime.UtcNow + timeout;
            while (records.Count < count)
            {
                var left = deadline - DateTime.UtcNow;
                if (left <= TimeSpan.Zero)
                {
                    throw new TimeoutException($"Read {records.Count} of {count} records from '{topic}' within {timeout}.");
                }

                var result = consumer.Consume(left);
                if (result is { IsPartitionEOF: false, Message: not null })
                {
                    records.Add(result);
                }
            }

            consumer.Close();
            return records;
        });

    /// <summary>Partition ids of <paramref name="topic"/> as the cluster reports them.</summary>
    public static IReadOnlyList<int> PartitionsOf(string bootstrapServers, string topic, TimeSpan timeout)
    {
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = bootstrapServers }).Build();
        var metadata = admin.GetMetadata(topic, timeout);
        var topicMetadata = metadata.Topics.Single(t => t.Topic == topic);
        if (topicMetadata.Error.IsError)
        {
            throw new InvalidOperationException($"Metadata of '{topic}': {topicMetadata.Error.Reason}");
        }

        return topicMetadata.Partitions.Select(p => p.PartitionId).Order().ToArray();
    }

    public void Dispose() => Embedded?.Dispose();
}
