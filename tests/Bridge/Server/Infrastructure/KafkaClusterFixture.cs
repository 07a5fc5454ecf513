using Bridge.Server.Kafka;
using Confluent.Kafka;

namespace Bridge.Server.Tests.Infrastructure;

/// <summary>
/// One embedded Kafka cluster (librdkafka's mock cluster, 3 brokers) per test class
/// (<c>IClassFixture&lt;KafkaClusterFixture&gt;</c>), with helpers to create a fresh topic per test and to read
/// records back through a real Confluent consumer. Tests that take brokers down should start their own
/// <see cref="EmbeddedKafkaCluster"/> instead, so the faults stay within the test.
/// </summary>
public sealed class KafkaClusterFixture : IDisposable
{
    /// <summary>Brokers of the fixture's cluster.</summary>
    public const int Brokers = 3;

    private int _topics;

    public KafkaClusterFixture() => Cluster = EmbeddedKafkaCluster.Start(Brokers);

    internal EmbeddedKafkaCluster Cluster { get; }

    public string BootstrapServers => Cluster.BootstrapServers;

    /// <summary>Creates a topic with a name no other test uses and returns the name.</summary>
    public string CreateTopic(int partitions = 6, string prefix = "test")
    {
        var topic = $"{prefix}-{Interlocked.Increment(ref _topics)}-{Guid.NewGuid():N}";
        Cluster.CreateTopic(topic, partitions, Math.Min(3, Brokers));
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

            // Assigning partitions directly skips the group join, which costs seconds.
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

    public void Dispose() => Cluster.Dispose();
}
