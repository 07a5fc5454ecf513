using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Bridge.Server.Kafka;

/// <summary>
/// The bridge's way to Kafka: starts the embedded cluster when no bootstrap servers are configured, makes
/// sure the topic exists, and builds every client configuration (producer, consumers, admin) from
/// <see cref="KafkaOptions"/>. Registered as the first hosted service, so Kafka is ready before the web
/// host accepts requests; the embedded cluster lives until the container is disposed, after every
/// hosted service (publisher, subscriptions) has stopped using it.
/// </summary>
internal sealed class KafkaConnection(IOptions<KafkaOptions> options, ILogger<KafkaConnection> logger) : IHostedService, IDisposable, IAsyncDisposable
{
    /// <summary>fetch.wait.max.ms of consumers of the embedded cluster (see <see cref="CreateConsumerConfig"/>).</summary>
    internal const int EmbeddedFetchWaitMaxMs = 10;

    private readonly KafkaOptions _options = options.Value;
    private string? _bootstrapServers;

    // No broker answered the metadata request at start (as opposed to Kafka refusing to create the topic).
    private bool _unreachable;

    private static readonly TimeSpan UnreachableStartTimeout = TimeSpan.FromSeconds(5);

    /// <summary>How long topic creation on a real cluster may take before start fails. Default 30 s.</summary>
    internal TimeSpan AdminTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>The topic events are published to.</summary>
    public string Topic => _options.Topic;

    /// <summary>The embedded cluster, when the bridge runs one; otherwise null.</summary>
    public EmbeddedKafkaCluster? EmbeddedCluster { get; private set; }

    /// <summary>Where clients connect: the configured servers, or the embedded cluster's address once started.</summary>
    /// <exception cref="InvalidOperationException">The embedded cluster has not been started yet.</exception>
    public string BootstrapServers => _bootstrapServers
        ?? throw new InvalidOperationException("Kafka is not started yet: the embedded cluster's address is known once the host has started.");

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (_bootstrapServers is not null)
        {
            return;
        }

        var library = KafkaNativeLibrary.Load();
        KafkaLog.LibrdkafkaLoaded(logger, library.Version, library.Path);

        if (_options.UsesEmbeddedCluster)
        {
            var cluster = EmbeddedKafkaCluster.Start(_options.EmbeddedBrokers);
            var replication = Math.Min(_options.ReplicationFactor, cluster.BrokerCount);
            cluster.CreateTopic(_options.Topic, _options.Partitions, replication);
            EmbeddedCluster = cluster;
            _bootstrapServers = cluster.BootstrapServers;
            KafkaLog.EmbeddedClusterStarted(logger, cluster.BootstrapServers, cluster.BrokerCount);
            KafkaLog.TopicCreated(logger, _options.Topic, _options.Partitions, replication);
            return;
        }

        _bootstrapServers = _options.BootstrapServers.Trim();
        KafkaLog.UsingKafka(logger, _bootstrapServers);
        try
        {
            await EnsureTopicAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (InvalidOperationException e) when (_options.StartsWhenUnreachable && _unreachable)
        {
            // The spool keeps events until Kafka answers; a bridge restarted during an outage must take them.
            Spool.SpoolLog.KafkaUnreachableAtStart(logger, e.Message);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>
    /// Producer settings: idempotent, acks=all, murmur2_random (Java's partition for a key), linger and
    /// <c>message.timeout.ms</c> from the options, then the pass-through properties.
    /// </summary>
    public ProducerConfig CreateProducerConfig()
    {
        var config = new ProducerConfig
        {
            BootstrapServers = BootstrapServers,
            ClientId = _options.ClientId,
            EnableIdempotence = true,
            Acks = Acks.All,
            Partitioner = Partitioner.Murmur2Random,
            LingerMs = _options.LingerMs,
            MessageTimeoutMs = (int)_options.ProduceTimeout.TotalMilliseconds,
            // librdkafka waits up to 10 s between reconnects by default; a broker that is back should take
            // events again well within one produce timeout.
            ReconnectBackoffMaxMs = 1000,
        };
        Apply(config, _options.Common);
        Apply(config, _options.Producer);
        ApplySecrets(config);
        return config;
    }

    /// <summary>
    /// Consumer settings for one consumer group: cooperative-sticky assignment, and by default offsets
    /// neither auto-committed nor auto-stored. The caller decides how what subscribers acknowledged is
    /// committed (subscriptions store it and turn auto-commit on, so librdkafka commits it in the
    /// background); partition assignment handlers, the start position (<c>auto.offset.reset</c>) and the
    /// rest are the caller's too.
    /// </summary>
    /// <param name="groupId">The consumer group. Must not be null or blank.</param>
    public ConsumerConfig CreateConsumerConfig(string groupId)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(groupId);
        var config = new ConsumerConfig
        {
            BootstrapServers = BootstrapServers,
            ClientId = _options.ClientId,
            GroupId = groupId,
            EnableAutoCommit = false,
            EnableAutoOffsetStore = false,
            PartitionAssignmentStrategy = PartitionAssignmentStrategy.CooperativeSticky,
            ReconnectBackoffMaxMs = 1000,
        };
        if (EmbeddedCluster is not null)
        {
            // librdkafka's in-process cluster holds every fetch for the full fetch.wait.max.ms (500 ms by
            // default) instead of answering when records arrive, as Kafka brokers do; keep deliveries prompt.
            config.FetchWaitMaxMs = EmbeddedFetchWaitMaxMs;
        }

        Apply(config, _options.Common);
        Apply(config, _options.Consumer);
        ApplySecrets(config);
        return config;
    }

    /// <summary>Admin client settings: bootstrap servers, client id and the common properties.</summary>
    public AdminClientConfig CreateAdminClientConfig()
    {
        var config = new AdminClientConfig { BootstrapServers = BootstrapServers, ClientId = _options.ClientId };
        Apply(config, _options.Common);
        ApplySecrets(config);
        return config;
    }

    public void Dispose()
    {
        if (EmbeddedCluster is { } cluster)
        {
            EmbeddedCluster = null;
            cluster.Dispose();
            KafkaLog.EmbeddedClusterStopped(logger, cluster.BootstrapServers);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (EmbeddedCluster is { } cluster)
        {
            EmbeddedCluster = null;
            await cluster.DisposeAsync().ConfigureAwait(false);
            KafkaLog.EmbeddedClusterStopped(logger, cluster.BootstrapServers);
        }
    }

    private async Task EnsureTopicAsync(CancellationToken cancellationToken)
    {
        using var admin = new AdminClientBuilder(CreateAdminClientConfig())
            .SetLogHandler((_, message) => KafkaLog.Forward(logger, message))
            .Build();

        // Look before creating: an existing topic needs no right to create topics (often missing on managed Kafka).
        if (await Task.Run(() => TopicExists(admin), cancellationToken).ConfigureAwait(false))
        {
            KafkaLog.TopicExists(logger, _options.Topic);
            return;
        }

        try
        {
            await admin.CreateTopicsAsync(
                [new TopicSpecification { Name = _options.Topic, NumPartitions = _options.Partitions, ReplicationFactor = (short)_options.ReplicationFactor }],
                new CreateTopicsOptions { OperationTimeout = AdminTimeout, RequestTimeout = AdminTimeout }).WaitAsync(cancellationToken).ConfigureAwait(false);
            KafkaLog.TopicCreated(logger, _options.Topic, _options.Partitions, _options.ReplicationFactor);
        }
        catch (CreateTopicsException e) when (e.Results.All(r => r.Error.Code is ErrorCode.TopicAlreadyExists or ErrorCode.NoError))
        {
            // Another replica of the bridge created it in the meantime.
            KafkaLog.TopicExists(logger, _options.Topic);
        }
        catch (KafkaException e)
        {
            var error = e is CreateTopicsException c ? c.Results.First(r => r.Error.IsError).Error : e.Error;
            throw new InvalidOperationException(
                $"Could not create Kafka topic '{_options.Topic}' at {_bootstrapServers}: {error.Reason} ({error.Code}). "
                + "Create the topic beforehand or give the bridge's principal the right to create topics.", e);
        }
    }

    private bool TopicExists(IAdminClient admin)
    {
        // With the spool on, the bridge starts without Kafka; a short probe keeps the ingress' start quick.
        var timeout = _options.StartsWhenUnreachable && AdminTimeout > UnreachableStartTimeout ? UnreachableStartTimeout : AdminTimeout;
        try
        {
            // Metadata of all topics: asking for one topic by name may auto-create it with the broker's defaults.
            var topic = admin.GetMetadata(timeout).Topics.Find(t => t.Topic == _options.Topic);
            return topic is { Error.IsError: false, Partitions.Count: > 0 };
        }
        catch (KafkaException e)
        {
            _unreachable = true;
            throw new InvalidOperationException(
                $"Could not reach Kafka at {_bootstrapServers} within {timeout.TotalSeconds:0.###} s: {e.Error.Reason} ({e.Error.Code}). "
                + "Check Kafka:BootstrapServers and the security settings in Kafka:Common.", e);
        }
    }

    private static void Apply(ClientConfig config, Dictionary<string, string> properties)
    {
        foreach (var (key, value) in properties)
        {
            config.Set(key, value);
        }
    }

    private void ApplySecrets(ClientConfig config)
    {
        // Read at every client creation, so a rotated secret is used by the next client.
        if (_options.SaslPasswordFile is { } sasl)
        {
            config.Set("sasl.password", File.ReadAllText(sasl).Trim());
        }

        if (_options.SslKeyPasswordFile is { } ssl)
        {
            config.Set("ssl.key.password", File.ReadAllText(ssl).Trim());
        }
    }
}
