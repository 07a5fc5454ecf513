using Confluent.Kafka;
using static Bridge.Server.Kafka.LibrdkafkaNativeMethods;

namespace Bridge.Server.Kafka;

/// <summary>
/// librdkafka's in-process Kafka cluster: real Kafka protocol over TCP on 127.0.0.1, kept in memory,
/// alive as long as this object. Used when no bootstrap servers are configured, and by tests, which
/// also inject faults (brokers down, latency, request errors).
/// </summary>
/// <remarks>
/// <para>
/// The cluster needs a librdkafka client handle to host its threads; a producer handle without
/// bootstrap servers serves. Every mock call posts to the cluster's own thread, so the methods are
/// safe to call concurrently; they fail with <see cref="ObjectDisposedException"/> after disposal.
/// </para>
/// <para>
/// What it does not do like Kafka (librdkafka 2.16): topics cannot be created through the admin API
/// (<see cref="CreateTopic"/> does it); a topic nobody created is auto-created with 4 partitions; each
/// partition keeps at most 100,000 message sets or 5 MiB and drops the oldest beyond; a fetch with
/// nothing to return waits its whole <c>fetch.wait.max.ms</c>; <c>OffsetsForTimes</c> finds nothing;
/// a consumer group whose last member left stays in a rebalance for the session timeout less one
/// second, so the next member waits that long for its partitions.
/// </para>
/// </remarks>
internal sealed class EmbeddedKafkaCluster : IDisposable, IAsyncDisposable
{
    /// <summary>
    /// How long a new consumer group waits for more members before assigning partitions. Kafka brokers
    /// default to 3 s (<c>group.initial.rebalance.delay.ms</c>), as does this cluster unless told; an
    /// in-process cluster serves one process, where waiting for members from elsewhere buys nothing.
    /// </summary>
    public static readonly TimeSpan GroupInitialRebalanceDelay = TimeSpan.FromMilliseconds(100);

    private const int ErrorBufferSize = 512;

    private readonly Lock _gate = new();
    private IntPtr _handle;
    private IntPtr _cluster;

    private EmbeddedKafkaCluster(IntPtr handle, IntPtr cluster, int brokerCount, string bootstrapServers)
    {
        _handle = handle;
        _cluster = cluster;
        BrokerCount = brokerCount;
        BootstrapServers = bootstrapServers;
    }

    /// <summary>Comma-separated <c>127.0.0.1:port</c> of every broker, for any Kafka client.</summary>
    public string BootstrapServers { get; }

    /// <summary>Number of brokers; their ids are 1 to <see cref="BrokerCount"/>.</summary>
    public int BrokerCount { get; }

    /// <summary>Starts a cluster of <paramref name="brokerCount"/> brokers on free loopback ports.</summary>
    /// <exception cref="ArgumentOutOfRangeException">brokerCount is below 1.</exception>
    /// <exception cref="InvalidOperationException">librdkafka could not create the cluster.</exception>
    public static EmbeddedKafkaCluster Start(int brokerCount)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(brokerCount, 1);
        KafkaNativeLibrary.Load();

        var conf = ConfNew();
        var errors = new byte[ErrorBufferSize];
        // The host handle only carries the cluster: keep its own connection attempts and chatter quiet.
        SetOrThrow(conf, "log_level", "3", errors);

        var handle = New(ProducerType, conf, errors, (UIntPtr)errors.Length);
        if (handle == IntPtr.Zero)
        {
            // rd_kafka_new takes ownership of conf only when it succeeds.
            ConfDestroy(conf);
            throw new InvalidOperationException($"librdkafka could not create the handle that hosts the embedded Kafka cluster: {FromUtf8z(errors)}");
        }

        var cluster = MockClusterNew(handle, brokerCount);
        if (cluster == IntPtr.Zero)
        {
            Destroy(handle);
            throw new InvalidOperationException($"librdkafka could not start an embedded Kafka cluster of {brokerCount} brokers (see librdkafka's log on stderr).");
        }

        MockGroupInitialRebalanceDelayMs(cluster, (int)GroupInitialRebalanceDelay.TotalMilliseconds);
        var bootstraps = System.Runtime.InteropServices.Marshal.PtrToStringUTF8(MockClusterBootstraps(cluster)) ?? string.Empty;
        return new EmbeddedKafkaCluster(handle, cluster, brokerCount, bootstraps);
    }

    /// <summary>Creates a topic. Creating an existing topic again is allowed and changes nothing.</summary>
    /// <param name="topic">The topic name. Must not be null or empty.</param>
    /// <param name="partitions">At least 1.</param>
    /// <param name="replicationFactor">1 to <see cref="BrokerCount"/>.</param>
    /// <exception cref="KafkaException">The cluster refused the topic.</exception>
    public void CreateTopic(string topic, int partitions, int replicationFactor)
    {
        ArgumentException.ThrowIfNullOrEmpty(topic);
        ArgumentOutOfRangeException.ThrowIfLessThan(partitions, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(replicationFactor, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(replicationFactor, BrokerCount);
        Check(MockTopicCreate(Cluster(), ToUtf8z(topic), partitions, replicationFactor), $"create topic '{topic}'");
    }

    /// <summary>Takes a broker down: its connections close and it refuses new ones until <see cref="SetBrokerUp"/>.</summary>
    /// <param name="brokerId">1 to <see cref="BrokerCount"/>.</param>
    public void SetBrokerDown(int brokerId) =>
        Check(MockBrokerSetDown(Cluster(), CheckBroker(brokerId)), $"take broker {brokerId} down");

    /// <summary>Brings a broker taken down by <see cref="SetBrokerDown"/> back.</summary>
    /// <param name="brokerId">1 to <see cref="BrokerCount"/>.</param>
    public void SetBrokerUp(int brokerId) =>
        Check(MockBrokerSetUp(Cluster(), CheckBroker(brokerId)), $"bring broker {brokerId} up");

    /// <summary>Delays every response of a broker by <paramref name="rtt"/> (zero removes the delay).</summary>
    public void SetBrokerRtt(int brokerId, TimeSpan rtt)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(rtt, TimeSpan.Zero);
        Check(MockBrokerSetRtt(Cluster(), CheckBroker(brokerId), checked((int)rtt.TotalMilliseconds)), $"set the round-trip time of broker {brokerId}");
    }

    /// <summary>
    /// Makes the next requests of one Kafka API (e.g. 0 = Produce, 3 = Metadata) fail, one error per
    /// request in order, on whichever broker receives them.
    /// </summary>
    /// <param name="apiKey">The Kafka protocol API key.</param>
    /// <param name="errors">The errors to answer with. Must not be null.</param>
    public void PushRequestErrors(short apiKey, params ErrorCode[] errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        var codes = Array.ConvertAll(errors, e => (int)e);
        MockPushRequestErrorsArray(Cluster(), apiKey, (UIntPtr)codes.Length, codes);
    }

    /// <summary>Drops the errors still queued by <see cref="PushRequestErrors"/> for an API.</summary>
    public void ClearRequestErrors(short apiKey) => MockClearRequestErrors(Cluster(), apiKey);

    /// <summary>Makes every request about <paramref name="topic"/> fail with <paramref name="error"/>; <see cref="ErrorCode.NoError"/> clears it.</summary>
    public void TopicSetError(string topic, ErrorCode error)
    {
        ArgumentException.ThrowIfNullOrEmpty(topic);
        MockTopicSetError(Cluster(), ToUtf8z(topic), (int)error);
    }

    /// <summary>Stops every broker and frees the cluster; clients still connected see their connections close.</summary>
    public void Dispose()
    {
        IntPtr cluster, handle;
        lock (_gate)
        {
            (cluster, handle) = (_cluster, _handle);
            (_cluster, _handle) = (IntPtr.Zero, IntPtr.Zero);
        }

        // The cluster runs on the handle's threads, so it goes first.
        if (cluster != IntPtr.Zero)
        {
            MockClusterDestroy(cluster);
        }

        if (handle != IntPtr.Zero)
        {
            Destroy(handle);
        }
    }

    /// <summary>Same as <see cref="Dispose"/>, off the caller's thread: stopping the brokers joins their threads.</summary>
    public ValueTask DisposeAsync() => new(Task.Run(Dispose));

    private IntPtr Cluster()
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_cluster == IntPtr.Zero, this);
            return _cluster;
        }
    }

    private int CheckBroker(int brokerId)
    {
        if (brokerId < 1 || brokerId > BrokerCount)
        {
            throw new ArgumentOutOfRangeException(nameof(brokerId), brokerId, $"Broker ids of this cluster are 1 to {BrokerCount}.");
        }

        return brokerId;
    }

    private static void Check(int error, string what)
    {
        if (error != 0)
        {
            throw new KafkaException(new Error((ErrorCode)error, $"The embedded Kafka cluster could not {what}: {new Error((ErrorCode)error).Reason}"));
        }
    }

    private static void SetOrThrow(IntPtr conf, string name, string value, byte[] errors)
    {
        if (ConfSet(conf, ToUtf8z(name), ToUtf8z(value), errors, (UIntPtr)errors.Length) != 0)
        {
            ConfDestroy(conf);
            throw new InvalidOperationException($"librdkafka rejected '{name}={value}': {FromUtf8z(errors)}");
        }
    }
}
