using System.Globalization;
using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Bridge.Server.Kafka;

/// <summary>Where the bridge stands with Kafka; see <see cref="KafkaConnection"/>.</summary>
internal enum KafkaConnectionState
{
    /// <summary>Started; the first attempt to reach Kafka is under way.</summary>
    Connecting,

    /// <summary>A broker answered and the topic has partitions.</summary>
    Connected,

    /// <summary>No broker answered in time (refused, unresolvable, timed out, authentication failed).</summary>
    Unreachable,

    /// <summary>Brokers answer, but the topic is missing and could not be created, or Kafka reports it unusable.</summary>
    TopicUnavailable,
}

/// <summary>
/// The bridge's way to Kafka: starts the embedded cluster when no bootstrap servers are configured, makes sure the
/// topic exists, watches whether Kafka answers, and builds every client configuration (producer, consumers, admin)
/// from <see cref="KafkaOptions"/>. Registered as the first hosted service; the embedded cluster lives until the
/// container is disposed, after every hosted service (publisher, subscriptions) has stopped using it.
/// </summary>
/// <remarks>
/// Start never waits for a real Kafka: a background task reaches it, creates the topic when it is missing (with the
/// configured partitions and replication, when Kafka allows it) and moves <see cref="State"/> between connecting,
/// connected, unreachable and topic-unavailable, retrying with backoff (<see cref="KafkaOptions.RetryBackoff"/>
/// doubling up to <see cref="KafkaOptions.MaxRetryBackoff"/>) and, once connected, checking every
/// <see cref="KafkaOptions.CheckInterval"/>. Each change of state is logged once; librdkafka's own retries are not.
/// </remarks>
internal sealed class KafkaConnection(IOptions<KafkaOptions> options, ILogger<KafkaConnection> logger) : IHostedService, IDisposable, IAsyncDisposable
{
    /// <summary>fetch.wait.max.ms of consumers of the embedded cluster (see <see cref="CreateConsumerConfig"/>).</summary>
    internal const int EmbeddedFetchWaitMaxMs = 10;

    // The watch ends promptly once cancelled (a topic creation under way is abandoned, a metadata request left running).
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(5);

    private readonly KafkaOptions _options = options.Value;
    private readonly Lock _gate = new();
    private readonly TaskCompletionSource _firstAttempt = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _stopping = new();
    private string? _bootstrapServers;
    private KafkaConnectionState _state = KafkaConnectionState.Connecting;
    private string _reason = string.Empty;
    private int _partitions;
    private bool _hasConnected;
    private Task _watch = Task.CompletedTask;
    private bool _disposed;

    // The latest error the watching admin client reported during an attempt: more telling than the timeout itself.
    private string? _lastClientError;

    // The watching admin client's latest blocking call, which must end before the client is disposed.
    private Task? _blockingCall;

    /// <summary>The topic events are published to.</summary>
    public string Topic => _options.Topic;

    /// <summary>The embedded cluster, when the bridge runs one; otherwise null.</summary>
    public EmbeddedKafkaCluster? EmbeddedCluster { get; private set; }

    /// <summary>Where clients connect: the configured servers, or the embedded cluster's address once started.</summary>
    /// <exception cref="InvalidOperationException">The embedded cluster has not been started yet.</exception>
    public string BootstrapServers => _bootstrapServers
        ?? throw new InvalidOperationException("Kafka is not started yet: the embedded cluster's address is known once the host has started.");

    /// <summary>The state after the latest attempt to reach Kafka.</summary>
    public KafkaConnectionState State
    {
        get
        {
            lock (_gate)
            {
                return _state;
            }
        }
    }

    /// <summary>Partitions of the topic when Kafka last answered; 0 before it first did.</summary>
    public int Partitions
    {
        get
        {
            lock (_gate)
            {
                return _partitions;
            }
        }
    }

    /// <summary>
    /// True once Kafka answered with the topic since start. Until then nothing is produced: a broker that creates
    /// topics on first use would create it with its own defaults instead of the configured partitions.
    /// </summary>
    public bool HasConnected
    {
        get
        {
            lock (_gate)
            {
                return _hasConnected;
            }
        }
    }

    /// <summary>Null while connected; otherwise why Kafka cannot take events, as a sentence naming the servers.</summary>
    public string? Problem
    {
        get
        {
            lock (_gate)
            {
                return _bootstrapServers is not { } servers ? "Kafka is not started yet." : _state switch
                {
                    KafkaConnectionState.Connected => null,
                    KafkaConnectionState.Connecting => $"Kafka at {servers} has not answered yet: the bridge started moments ago and is connecting.",
                    KafkaConnectionState.Unreachable => $"Kafka at {servers} is not reachable: {_reason}.",
                    _ => $"Kafka at {servers} answers, but topic '{_options.Topic}' is not usable: {_reason}.",
                };
            }
        }
    }

    /// <summary>Completes once the first attempt to reach Kafka since start has ended, whatever its outcome.</summary>
    public Task FirstAttempt => _firstAttempt.Task;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_bootstrapServers is not null)
            {
                return Task.CompletedTask;
            }
        }

        var library = KafkaNativeLibrary.Load();
        KafkaLog.LibrdkafkaLoaded(logger, library.Version, library.Path);

        if (_options.UsesEmbeddedCluster)
        {
            var cluster = EmbeddedKafkaCluster.Start(_options.EmbeddedBrokers);
            var replication = Math.Min(_options.ReplicationFactor, cluster.BrokerCount);
            cluster.CreateTopic(_options.Topic, _options.Partitions, replication);
            EmbeddedCluster = cluster;
            lock (_gate)
            {
                _bootstrapServers = cluster.BootstrapServers;
            }

            KafkaLog.EmbeddedClusterStarted(logger, cluster.BootstrapServers, cluster.BrokerCount);
            KafkaLog.TopicCreated(logger, _options.Topic, _options.Partitions, replication);
            Record(Attempt.Connected(_options.Partitions), _options.CheckInterval);
            _firstAttempt.TrySetResult();
        }
        else
        {
            lock (_gate)
            {
                _bootstrapServers = _options.BootstrapServers.Trim();
            }

            KafkaLog.UsingKafka(logger, _bootstrapServers);
        }

        var connected = EmbeddedCluster is not null;
        _watch = Task.Run(() => WatchAsync(connected, _stopping.Token), CancellationToken.None);
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        try
        {
            await _watch.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The watch still ends on its own and closes its client.
        }
    }

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
        var config = new AdminClientConfig
        {
            BootstrapServers = BootstrapServers,
            ClientId = _options.ClientId,
            // As for the producer: a Kafka that is back should be seen within a second, not librdkafka's default 10 s.
            ReconnectBackoffMaxMs = 1000,
        };
        Apply(config, _options.Common);
        ApplySecrets(config);
        return config;
    }

    public void Dispose()
    {
        if (StopWatch())
        {
            if (_watch.Wait(StopTimeout))
            {
                _stopping.Dispose();
            }
        }

        if (EmbeddedCluster is { } cluster)
        {
            EmbeddedCluster = null;
            cluster.Dispose();
            KafkaLog.EmbeddedClusterStopped(logger, cluster.BootstrapServers);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (StopWatch())
        {
            if (await Task.WhenAny(_watch, Task.Delay(StopTimeout)).ConfigureAwait(false) == _watch)
            {
                _stopping.Dispose();
            }
        }

        if (EmbeddedCluster is { } cluster)
        {
            EmbeddedCluster = null;
            await cluster.DisposeAsync().ConfigureAwait(false);
            KafkaLog.EmbeddedClusterStopped(logger, cluster.BootstrapServers);
        }
    }

    /// <summary>Stops the watch once; true for the first caller.</summary>
    private bool StopWatch()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return false;
            }

            _disposed = true;
        }

        _stopping.Cancel();
        return true;
    }

    private async Task WatchAsync(bool connected, CancellationToken stopping)
    {
        var backoff = _options.RetryBackoff;
        IAdminClient? admin = null;
        try
        {
            if (connected)
            {
                await Task.Delay(_options.CheckInterval, stopping).ConfigureAwait(false);
            }

            while (!stopping.IsCancellationRequested)
            {
                Attempt attempt;
                try
                {
                    admin ??= BuildAdmin();
                    attempt = await AttemptAsync(admin, stopping).ConfigureAwait(false);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // A client that cannot be built or a secret file that cannot be read: retried like an outage.
                    admin?.Dispose();
                    admin = null;
                    attempt = Attempt.Unreachable(e.Message.TrimEnd('.'));
                }

                TimeSpan wait;
                if (attempt.State == KafkaConnectionState.Connected)
                {
                    backoff = _options.RetryBackoff;
                    wait = _options.CheckInterval;
                }
                else
                {
                    wait = backoff;
                    backoff = backoff * 2 < _options.MaxRetryBackoff ? backoff * 2 : _options.MaxRetryBackoff;
                }

                Record(attempt, wait);
                _firstAttempt.TrySetResult();
                await Task.Delay(wait, stopping).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // Stopping.
        }
        finally
        {
            _firstAttempt.TrySetResult();
            if (Volatile.Read(ref _blockingCall) is { IsCompleted: false } call)
            {
                // Stopping does not wait for a metadata request under way; the client goes once it returned.
                _ = call.ContinueWith(_ => admin?.Dispose(), CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
            }
            else
            {
                admin?.Dispose();
            }
        }
    }

    private IAdminClient BuildAdmin() => new AdminClientBuilder(CreateAdminClientConfig())
        .SetLogHandler((_, message) => KafkaLog.Forward(logger, message))
        .SetErrorHandler((_, error) =>
        {
            if (error.Code != ErrorCode.Local_AllBrokersDown)
            {
                Volatile.Write(ref _lastClientError, error.Reason);
            }

            KafkaLog.ClientError(logger, error);
        })
        .Build();

    /// <summary>One attempt: read the topic's metadata; create the topic when it is missing; read it again when someone else just did.</summary>
    private async Task<Attempt> AttemptAsync(IAdminClient admin, CancellationToken stopping)
    {
        Volatile.Write(ref _lastClientError, null);
        for (var pass = 0; ; pass++)
        {
            Metadata metadata;
            try
            {
                // Metadata of all topics: asking for one topic by name may auto-create it with the broker's defaults.
                // GetMetadata blocks its thread up to the timeout and cannot be cancelled: stopping leaves it running.
                var call = Task.Run(() => admin.GetMetadata(_options.ConnectTimeout), CancellationToken.None);
                Volatile.Write(ref _blockingCall, call);
                metadata = await call.WaitAsync(stopping).ConfigureAwait(false);
            }
            catch (KafkaException e)
            {
                return Attempt.Unreachable(Volatile.Read(ref _lastClientError)
                    ?? $"no broker answered within {Seconds(_options.ConnectTimeout)} ({e.Error.Reason})");
            }

            var topic = metadata.Topics.Find(t => t.Topic == _options.Topic);
            if (topic is { Error.IsError: false, Partitions.Count: > 0 })
            {
                return Attempt.Connected(topic.Partitions.Count);
            }

            if (topic is { Error.IsError: true } && topic.Error.Code != ErrorCode.UnknownTopicOrPart)
            {
                return Attempt.TopicUnavailable($"Kafka reports {topic.Error.Reason} ({topic.Error.Code})");
            }

            if (pass > 0)
            {
                return Attempt.TopicUnavailable("it was created moments ago and Kafka reports no partitions for it yet");
            }

            var created = await CreateTopicAsync(admin, stopping).ConfigureAwait(false);
            if (created is { } outcome)
            {
                return outcome;
            }
        }
    }

    /// <summary>Creates the topic; null when another client created it in the meantime.</summary>
    private async Task<Attempt?> CreateTopicAsync(IAdminClient admin, CancellationToken stopping)
    {
        try
        {
            await admin.CreateTopicsAsync(
                [new TopicSpecification { Name = _options.Topic, NumPartitions = _options.Partitions, ReplicationFactor = (short)_options.ReplicationFactor }],
                new CreateTopicsOptions { OperationTimeout = _options.ConnectTimeout, RequestTimeout = _options.ConnectTimeout })
                .WaitAsync(stopping).ConfigureAwait(false);
            KafkaLog.TopicCreated(logger, _options.Topic, _options.Partitions, _options.ReplicationFactor);
            return Attempt.Connected(_options.Partitions);
        }
        catch (CreateTopicsException e) when (e.Results.All(r => r.Error.Code is ErrorCode.TopicAlreadyExists or ErrorCode.NoError))
        {
            // Another replica of the bridge (or an operator) created it in the meantime.
            return null;
        }
        catch (KafkaException e)
        {
            // Brokers answered the metadata request just before, so even a timeout here is about the topic, not the way to Kafka.
            var error = e is CreateTopicsException c ? c.Results.First(r => r.Error.IsError).Error : e.Error;
            return Attempt.TopicUnavailable(
                $"it does not exist and could not be created ({_options.Partitions} partitions, replication factor {_options.ReplicationFactor}): "
                + $"{error.Reason} ({error.Code}); create it beforehand or give the bridge's principal the right to create topics");
        }
    }

    /// <summary>Takes the outcome of an attempt as the state and logs a change of state once.</summary>
    private void Record(Attempt attempt, TimeSpan retry)
    {
        KafkaConnectionState previous;
        bool partitionsChanged;
        string servers;
        lock (_gate)
        {
            previous = _state;
            partitionsChanged = attempt.State == KafkaConnectionState.Connected && _partitions != attempt.Partitions;
            _state = attempt.State;
            _reason = attempt.Reason;
            if (attempt.State == KafkaConnectionState.Connected)
            {
                _partitions = attempt.Partitions;
                _hasConnected = true;
            }

            servers = _bootstrapServers!;
        }

        if (previous == attempt.State && !partitionsChanged)
        {
            if (attempt.State != KafkaConnectionState.Connected)
            {
                var retrying = Seconds(retry);
                KafkaLog.StillNotConnected(logger, servers, attempt.State, attempt.Reason, retrying);
            }

            return;
        }

        switch (attempt.State)
        {
            case KafkaConnectionState.Connected:
                KafkaLog.Connected(logger, servers, _options.Topic, attempt.Partitions);
                break;
            case KafkaConnectionState.Unreachable:
                KafkaLog.Unreachable(logger, servers, attempt.Reason, Seconds(retry));
                break;
            default:
                KafkaLog.TopicUnavailable(logger, servers, _options.Topic, attempt.Reason, Seconds(retry));
                break;
        }
    }

    private static string Seconds(TimeSpan value) => $"{value.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture)} s";

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

    /// <summary>The outcome of one attempt to reach Kafka: the state it leads to, why when not connected, the topic's partitions when connected.</summary>
    private readonly record struct Attempt(KafkaConnectionState State, string Reason, int Partitions)
    {
        public static Attempt Connected(int partitions) => new(KafkaConnectionState.Connected, string.Empty, partitions);

        public static Attempt Unreachable(string reason) => new(KafkaConnectionState.Unreachable, reason, 0);

        public static Attempt TopicUnavailable(string reason) => new(KafkaConnectionState.TopicUnavailable, reason, 0);
    }
}
