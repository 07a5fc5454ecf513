using System.Diagnostics;
using System.Globalization;
using Bridge.CloudEvents;
using Bridge.CloudEvents.Kafka;
using Bridge.Server.Observability;
using Confluent.Kafka;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Bridge.Server.Kafka;

/// <summary>
/// Publishes CloudEvents through one long-lived idempotent producer and completes each publish with
/// Kafka's acknowledgement (acks=all). Events go out in the configured content mode with their
/// <c>partitionkey</c> (<c>&lt;namespace&gt;/&lt;name&gt;</c>) as the record key, so one canary's events
/// keep their order in one partition.
/// </summary>
/// <remarks>
/// Started as a hosted service after <see cref="KafkaConnection"/>. Until the connection has found or created the
/// topic nothing is produced: a publish waits for the connection's first attempt, then fails with its reason
/// (see <see cref="KafkaConnection.HasConnected"/>). On stop it waits for the events still in flight, at most one
/// produce timeout (no event can stay unanswered longer). A producer that fails fatally (an idempotence
/// violation) is replaced, so the bridge does not stay broken.
/// </remarks>
internal sealed class KafkaEventPublisher(
    KafkaConnection connection,
    IOptions<KafkaOptions> options,
    KafkaMetrics metrics,
    ILogger<KafkaEventPublisher> logger) : IEventPublisher, IHostedService, IDisposable
{
    private static readonly TimeSpan FlushSlice = TimeSpan.FromMilliseconds(50);

    private readonly KafkaOptions _options = options.Value;
    private readonly Lock _gate = new();
    private IProducer<byte[]?, byte[]?>? _producer;
    private bool _disposed;

    /// <summary>The producer's name (librdkafka's <c>client.id#producer-N</c>); null before start.</summary>
    public string? ProducerName => _producer?.Name;

    /// <summary>The producer's handle, to build dependent clients (admin, typed producers) on its connections; null before start.</summary>
    public Handle? Handle => _producer?.Handle;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            _producer ??= BuildProducer();
        }

        return Task.CompletedTask;
    }

    public async ValueTask<PublishReceipt> PublishAsync(CloudEvent cloudEvent, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(cloudEvent);
        using var activity = EventTracing.StartSend(cloudEvent, _options.Topic);
        var key = cloudEvent[CloudEventAttributes.PartitionKey.Name] as string;
        var message = KafkaMessageMapper.ToMessage(KafkaBinding.ToRecord(cloudEvent, _options.ContentMode, key));
        var producer = Producer();
        var started = Stopwatch.GetTimestamp();
        if (!connection.HasConnected && await NotConnectedAsync(cancellationToken).ConfigureAwait(false) is { } problem)
        {
            metrics.Failed(connection.State.ToString(), Stopwatch.GetElapsedTime(started).TotalSeconds);
            EventTracing.Failed(activity, connection.State.ToString(), problem);
            KafkaLog.NotPublishedNotConnected(logger, cloudEvent.Id, cloudEvent.Type, problem);
            throw new PublishFailedException(problem);
        }

        try
        {
            DeliveryResult<byte[]?, byte[]?> result;
            try
            {
                result = await producer.ProduceAsync(_options.Topic, message, cancellationToken).ConfigureAwait(false);
            }
            catch (ObjectDisposedException) when (Producer() is var current && current != producer)
            {
                // The producer was replaced after a fatal error while this event was on its way in.
                result = await current.ProduceAsync(_options.Topic, message, cancellationToken).ConfigureAwait(false);
            }

            metrics.Published(cloudEvent.Type, Stopwatch.GetElapsedTime(started).TotalSeconds);
            EventTracing.Sent(activity, result.Partition.Value, result.Offset.Value);
            KafkaLog.EventPublished(logger, cloudEvent.Id, cloudEvent.Type, result.Topic, result.Partition.Value, result.Offset.Value);
            return new PublishReceipt(result.Topic, result.Partition.Value, result.Offset.Value);
        }
        catch (KafkaException e) when (e.Error.IsError)
        {
            // ProduceException (a failed delivery report) is a KafkaException, as are errors raised while enqueueing.
            metrics.Failed(e.Error.Code.ToString(), Stopwatch.GetElapsedTime(started).TotalSeconds);
            var failure = new PublishFailedException(Describe(e.Error), e);
            EventTracing.Failed(activity, e.Error.Code.ToString(), failure.Message);
            KafkaLog.PublishFailed(logger, cloudEvent.Id, cloudEvent.Type, failure.Message);
            throw failure;
        }
    }

    /// <summary>
    /// Before Kafka first answered with the topic: waits for the connection's first attempt (at most one produce
    /// timeout) and returns why Kafka cannot take the event, or null once it can.
    /// </summary>
    private async ValueTask<string?> NotConnectedAsync(CancellationToken cancellationToken)
    {
        try
        {
            await connection.FirstAttempt.WaitAsync(_options.ProduceTimeout, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // Still connecting: answered below like any other state but connected.
        }

        return connection.HasConnected ? null : connection.Problem ?? "Kafka has not answered since the bridge started.";
    }

    /// <summary>
    /// True when a broker answers a metadata request for the topic within <paramref name="timeout"/> and
    /// reports the topic without error.
    /// </summary>
    public async Task<bool> IsBrokerReachableAsync(TimeSpan timeout) => await CheckBrokerAsync(timeout).ConfigureAwait(false) is null;

    /// <summary>Like <see cref="IsBrokerReachableAsync"/>, but says why Kafka is not reachable (null when it is).</summary>
    public Task<string?> CheckBrokerAsync(TimeSpan timeout)
    {
        IProducer<byte[]?, byte[]?> producer;
        try
        {
            producer = Producer();
        }
        catch (InvalidOperationException e)
        {
            return Task.FromResult<string?>(e.Message);
        }

        // GetMetadata blocks its thread for up to the timeout.
        return Task.Run(() =>
        {
            string? reason;
            try
            {
                using var admin = new DependentAdminClientBuilder(producer.Handle).Build();
                var metadata = admin.GetMetadata(_options.Topic, timeout);
                var topic = metadata.Topics.Find(t => t.Topic == _options.Topic);
                reason = topic switch
                {
                    null => $"Kafka did not report topic '{_options.Topic}'.",
                    { Error.IsError: true } => $"Kafka reports topic '{_options.Topic}' as unusable: {topic.Error.Reason}.",
                    { Partitions.Count: 0 } => $"Kafka reports no partitions for topic '{_options.Topic}'.",
                    _ => null,
                };
            }
            catch (KafkaException e)
            {
                reason = $"No Kafka broker at {connection.BootstrapServers} answered within {Seconds(timeout)}: {e.Error.Reason}.";
            }
            catch (ObjectDisposedException)
            {
                reason = "The Kafka producer is shut down.";
            }

            if (reason is not null)
            {
                KafkaLog.BrokerUnreachable(logger, reason);
            }

            return reason;
        });
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        IProducer<byte[]?, byte[]?>? producer;
        lock (_gate)
        {
            producer = _producer;
        }

        if (producer is null)
        {
            return;
        }

        // Every event is answered (acknowledged or timed out) within the produce timeout, so waiting longer is pointless.
        var bound = _options.ProduceTimeout + TimeSpan.FromSeconds(1);
        var deadline = Stopwatch.GetTimestamp() + (long)(bound.TotalSeconds * Stopwatch.Frequency);
        var remaining = await Task.Run(() =>
        {
            var left = producer.Flush(FlushSlice);
            while (left > 0 && !cancellationToken.IsCancellationRequested && Stopwatch.GetTimestamp() < deadline)
            {
                left = producer.Flush(FlushSlice);
            }

            return left;
        }, CancellationToken.None).ConfigureAwait(false);

        if (remaining == 0)
        {
            KafkaLog.Flushed(logger);
        }
        else
        {
            KafkaLog.FlushIncomplete(logger, remaining, bound);
        }
    }

    public void Dispose()
    {
        IProducer<byte[]?, byte[]?>? producer;
        lock (_gate)
        {
            _disposed = true;
            producer = _producer;
            _producer = null;
        }

        producer?.Dispose();
    }

    private IProducer<byte[]?, byte[]?> Producer()
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return _producer ?? throw new InvalidOperationException("The Kafka publisher has not started: it starts with the host, after the Kafka connection.");
        }
    }

    private IProducer<byte[]?, byte[]?> BuildProducer()
    {
        IProducer<byte[]?, byte[]?> producer;
        try
        {
            producer = new ProducerBuilder<byte[]?, byte[]?>(connection.CreateProducerConfig())
                .SetLogHandler((_, message) => KafkaLog.Forward(logger, message))
                .SetErrorHandler(OnError)
                .Build();
        }
        catch (ArgumentException e)
        {
            throw new InvalidOperationException($"librdkafka rejected the producer configuration (Kafka:Common / Kafka:Producer): {e.Message}", e);
        }

        KafkaLog.ProducerStarted(logger, producer.Name, _options.Topic, _options.ContentMode, _options.LingerMs, _options.ProduceTimeout);
        return producer;
    }

    private void OnError(IProducer<byte[]?, byte[]?> producer, Error error)
    {
        if (!error.IsFatal)
        {
            KafkaLog.ClientError(logger, error);
            return;
        }

        KafkaLog.FatalProducerError(logger, error.Code, error.Reason);
        // This runs on the failed producer's own thread, which its Dispose would wait for.
        _ = Task.Run(() => Replace(producer));
    }

    private void Replace(IProducer<byte[]?, byte[]?> failed)
    {
        lock (_gate)
        {
            if (_disposed || _producer != failed)
            {
                return;
            }

            try
            {
                _producer = BuildProducer();
            }
            catch (Exception e) when (e is InvalidOperationException or KafkaException)
            {
                // Keep the failed producer: publishes fail with its fatal error, and readiness reports it.
                KafkaLog.ProducerReplacementFailed(logger, e);
                return;
            }
        }

        failed.Dispose();
    }

    private string Describe(Error error) => error.Code switch
    {
        ErrorCode.Local_MsgTimedOut =>
            $"Kafka did not acknowledge the event within {Seconds(_options.ProduceTimeout)}: {error.Reason}. Check that the brokers at {connection.BootstrapServers} are up and reachable.",
        ErrorCode.Local_QueueFull =>
            $"The Kafka producer's queue is full, Kafka is not keeping up: {error.Reason}. Retry later.",
        ErrorCode.Local_Fatal or _ when error.IsFatal =>
            $"The Kafka producer failed and is being replaced: {error.Reason}. Retry.",
        _ => $"Kafka did not take the event: {error.Reason} ({error.Code}).",
    };

    private static string Seconds(TimeSpan value) => $"{value.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture)} s";
}
