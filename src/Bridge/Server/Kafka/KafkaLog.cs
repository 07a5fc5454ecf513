using Bridge.CloudEvents.Kafka;
using Confluent.Kafka;
using Microsoft.Extensions.Logging;

namespace Bridge.Server.Kafka;

/// <summary>Log messages of the Kafka layer (event ids 1000-1099).</summary>
internal static partial class KafkaLog
{
    [LoggerMessage(EventId = 1000, EventName = "EmbeddedClusterStarted", Level = LogLevel.Information,
        Message = "Embedded Kafka cluster started at {BootstrapServers} ({BrokerCount} brokers, in memory)")]
    public static partial void EmbeddedClusterStarted(ILogger logger, string bootstrapServers, int brokerCount);

    [LoggerMessage(EventId = 1001, EventName = "UsingKafka", Level = LogLevel.Information,
        Message = "Using Kafka at {BootstrapServers}; connecting in the background")]
    public static partial void UsingKafka(ILogger logger, string bootstrapServers);

    [LoggerMessage(EventId = 1002, EventName = "TopicCreated", Level = LogLevel.Information,
        Message = "Created Kafka topic {Topic} ({Partitions} partitions, replication factor {ReplicationFactor})")]
    public static partial void TopicCreated(ILogger logger, string topic, int partitions, int replicationFactor);

    [LoggerMessage(EventId = 1003, EventName = "TopicExists", Level = LogLevel.Information,
        Message = "Kafka topic {Topic} already exists; its partitions and replication are left as they are")]
    public static partial void TopicExists(ILogger logger, string topic);

    [LoggerMessage(EventId = 1004, EventName = "EmbeddedClusterStopped", Level = LogLevel.Information,
        Message = "Embedded Kafka cluster at {BootstrapServers} stopped; its events are gone")]
    public static partial void EmbeddedClusterStopped(ILogger logger, string bootstrapServers);

    [LoggerMessage(EventId = 1005, EventName = "LibrdkafkaLoaded", Level = LogLevel.Information,
        Message = "Using librdkafka {Version} from {Path}")]
    public static partial void LibrdkafkaLoaded(ILogger logger, string version, string path);

    [LoggerMessage(EventId = 1006, EventName = "KafkaConnected", Level = LogLevel.Information,
        Message = "Kafka at {BootstrapServers} is reachable; topic {Topic} has {Partitions} partitions")]
    public static partial void Connected(ILogger logger, string bootstrapServers, string topic, int partitions);

    [LoggerMessage(EventId = 1007, EventName = "KafkaUnreachable", Level = LogLevel.Warning,
        Message = "Kafka at {BootstrapServers} is not reachable: {Reason}; retrying in {Retry}")]
    public static partial void Unreachable(ILogger logger, string bootstrapServers, string reason, string retry);

    [LoggerMessage(EventId = 1008, EventName = "TopicUnavailable", Level = LogLevel.Error,
        Message = "Kafka at {BootstrapServers} answers, but topic {Topic} is not usable: {Reason}; retrying in {Retry}")]
    public static partial void TopicUnavailable(ILogger logger, string bootstrapServers, string topic, string reason, string retry);

    [LoggerMessage(EventId = 1009, EventName = "StillNotConnected", Level = LogLevel.Debug,
        Message = "Kafka at {BootstrapServers} is still {State}: {Reason}; retrying in {Retry}")]
    public static partial void StillNotConnected(ILogger logger, string bootstrapServers, KafkaConnectionState state, string reason, string retry);

    [LoggerMessage(EventId = 1010, EventName = "ProducerStarted", Level = LogLevel.Debug,
        Message = "Kafka producer {ProducerName} started for topic {Topic} ({ContentMode} mode, linger {LingerMs} ms, timeout {ProduceTimeout})")]
    public static partial void ProducerStarted(ILogger logger, string producerName, string topic, KafkaContentMode contentMode, int lingerMs, TimeSpan produceTimeout);

    [LoggerMessage(EventId = 1011, EventName = "ClientError", Level = LogLevel.Warning,
        Message = "Kafka client error {Code}: {Reason}")]
    public static partial void ClientError(ILogger logger, ErrorCode code, string reason);

    [LoggerMessage(EventId = 1015, EventName = "ClientConnectivityError", Level = LogLevel.Debug,
        Message = "Kafka client connectivity error {Code}: {Reason}")]
    public static partial void ClientConnectivityError(ILogger logger, ErrorCode code, string reason);

    [LoggerMessage(EventId = 1012, EventName = "FatalProducerError", Level = LogLevel.Critical,
        Message = "Kafka producer failed fatally ({Code}: {Reason}); it is replaced by a new one")]
    public static partial void FatalProducerError(ILogger logger, ErrorCode code, string reason);

    [LoggerMessage(EventId = 1014, EventName = "ProducerReplacementFailed", Level = LogLevel.Critical,
        Message = "Could not replace the failed Kafka producer; events cannot be published until the bridge restarts")]
    public static partial void ProducerReplacementFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 1013, EventName = "ClientLog", Message = "librdkafka {Facility}: {Message}")]
    public static partial void ClientLog(ILogger logger, LogLevel level, string facility, string message);

    [LoggerMessage(EventId = 1020, EventName = "EventPublished", Level = LogLevel.Debug,
        Message = "Published event {EventId} ({EventType}) to {Topic} [{Partition}] @ {Offset}")]
    public static partial void EventPublished(ILogger logger, string? eventId, string? eventType, string topic, int partition, long offset);

    [LoggerMessage(EventId = 1021, EventName = "PublishFailed", Level = LogLevel.Warning,
        Message = "Could not publish event {EventId} ({EventType}): {Reason}")]
    public static partial void PublishFailed(ILogger logger, string? eventId, string? eventType, string reason);

    [LoggerMessage(EventId = 1022, EventName = "NotPublishedNotConnected", Level = LogLevel.Debug,
        Message = "Did not publish event {EventId} ({EventType}): {Reason}")]
    public static partial void NotPublishedNotConnected(ILogger logger, string? eventId, string? eventType, string reason);

    [LoggerMessage(EventId = 1030, EventName = "Flushed", Level = LogLevel.Information,
        Message = "Kafka producer flushed on shutdown")]
    public static partial void Flushed(ILogger logger);

    [LoggerMessage(EventId = 1031, EventName = "FlushIncomplete", Level = LogLevel.Warning,
        Message = "{Count} events were still unacknowledged when the Kafka producer stopped after waiting {Timeout}")]
    public static partial void FlushIncomplete(ILogger logger, int count, TimeSpan timeout);

    [LoggerMessage(EventId = 1040, EventName = "BrokerUnreachable", Level = LogLevel.Debug,
        Message = "Kafka readiness check failed: {Reason}")]
    public static partial void BrokerUnreachable(ILogger logger, string reason);

    /// <summary>
    /// Logs a non-fatal error a client reported: at Debug when it only says a broker could not be reached (librdkafka
    /// retries by itself, and the connection state says it once), else at Warning.
    /// </summary>
    public static void ClientError(ILogger logger, Error error)
    {
        if (KafkaErrors.IsConnectivity(error.Code))
        {
            ClientConnectivityError(logger, error.Code, error.Reason);
        }
        else
        {
            ClientError(logger, error.Code, error.Reason);
        }
    }

    /// <summary>
    /// Writes a librdkafka log line at the matching level; broker connection failures, which librdkafka logs at
    /// error level on every retry, at Debug (see <see cref="KafkaErrors.IsConnectivityLog"/>).
    /// </summary>
    public static void Forward(ILogger logger, LogMessage message)
    {
        var level = KafkaErrors.IsConnectivityLog(message) ? LogLevel.Debug : message.Level switch
        {
            SyslogLevel.Emergency or SyslogLevel.Alert or SyslogLevel.Critical => LogLevel.Critical,
            SyslogLevel.Error => LogLevel.Error,
            SyslogLevel.Warning => LogLevel.Warning,
            SyslogLevel.Notice or SyslogLevel.Info => LogLevel.Information,
            _ => LogLevel.Debug,
        };
        if (logger.IsEnabled(level))
        {
            ClientLog(logger, level, message.Facility, message.Message);
        }
    }
}
