using Microsoft.Extensions.Logging;

namespace Bridge.Server.Subscriptions;

/// <summary>Log events of subscriptions and the EventBridge gRPC service (EventIds 1300-1399).</summary>
internal static partial class SubscriptionLog
{
    [LoggerMessage(EventId = 1300, EventName = "StreamOpened", Level = LogLevel.Information,
        Message = "Subscription {Subscription}: stream opened by {Peer} (start {Start}, max in flight {MaxInFlight})")]
    public static partial void StreamOpened(ILogger logger, string subscription, string peer, StartKind start, int maxInFlight);

    [LoggerMessage(EventId = 1301, EventName = "StreamClosed", Level = LogLevel.Information,
        Message = "Subscription {Subscription}: stream of {Peer} closed ({Reason}); {Delivered} delivered, {Acked} acked")]
    public static partial void StreamClosed(ILogger logger, string subscription, string peer, string reason, long delivered, long acked);

    [LoggerMessage(EventId = 1302, EventName = "PartitionsAssigned", Level = LogLevel.Information,
        Message = "Subscription {Subscription}: partitions assigned: {Partitions}")]
    public static partial void PartitionsAssigned(ILogger logger, string subscription, OffsetList partitions);

    [LoggerMessage(EventId = 1303, EventName = "PartitionsRevoked", Level = LogLevel.Information,
        Message = "Subscription {Subscription}: partitions revoked: {Partitions}; {Dropped} undelivered records dropped for redelivery")]
    public static partial void PartitionsRevoked(ILogger logger, string subscription, OffsetList partitions, int dropped);

    [LoggerMessage(EventId = 1304, EventName = "PartitionsLost", Level = LogLevel.Warning,
        Message = "Subscription {Subscription}: partitions lost without a clean revocation: {Partitions}; their uncommitted events will be delivered again")]
    public static partial void PartitionsLost(ILogger logger, string subscription, OffsetList partitions);

    [LoggerMessage(EventId = 1305, EventName = "InvalidRecord", Level = LogLevel.Warning,
        Message = "Subscription {Subscription}: the record at {Topic} [{Partition}] @ {Offset} is not a valid CloudEvent and is skipped: {Reason}")]
    public static partial void InvalidRecord(ILogger logger, string subscription, string topic, int partition, long offset, string reason);

    [LoggerMessage(EventId = 1306, EventName = "CommitFailed", Level = LogLevel.Warning,
        Message = "Subscription {Subscription}: committing offsets {Offsets} failed: {Reason}; retrying with the next commit")]
    public static partial void CommitFailed(ILogger logger, string subscription, OffsetList offsets, string reason);

    [LoggerMessage(EventId = 1307, EventName = "Committed", Level = LogLevel.Debug,
        Message = "Subscription {Subscription}: committed {Offsets}")]
    public static partial void Committed(ILogger logger, string subscription, OffsetList offsets);

    [LoggerMessage(EventId = 1308, EventName = "ConsumerError", Level = LogLevel.Warning,
        Message = "Subscription {Subscription}: Kafka consumer error: {Reason} ({Code})")]
    public static partial void ConsumerError(ILogger logger, string subscription, string reason, string code);

    [LoggerMessage(EventId = 1316, EventName = "ConsumerConnectivityError", Level = LogLevel.Debug,
        Message = "Subscription {Subscription}: Kafka consumer cannot reach a broker: {Reason} ({Code})")]
    public static partial void ConsumerConnectivityError(ILogger logger, string subscription, string reason, Confluent.Kafka.ErrorCode code);

    [LoggerMessage(EventId = 1309, EventName = "ConsumerFailed", Level = LogLevel.Error,
        Message = "Subscription {Subscription}: the Kafka consumer failed and the stream ends")]
    public static partial void ConsumerFailed(ILogger logger, string subscription, Exception exception);

    [LoggerMessage(EventId = 1310, EventName = "StartOffsetsUnknown", Level = LogLevel.Warning,
        Message = "Subscription {Subscription}: could not look up committed offsets or offsets for the start time ({Reason}); partitions {Partitions} start at the consumer's default position")]
    public static partial void StartOffsetsUnknown(ILogger logger, string subscription, string reason, OffsetList partitions);

    [LoggerMessage(EventId = 1311, EventName = "CloseFailed", Level = LogLevel.Warning,
        Message = "Subscription {Subscription}: leaving the consumer group failed: {Reason}")]
    public static partial void CloseFailed(ILogger logger, string subscription, string reason);

    [LoggerMessage(EventId = 1312, EventName = "StartOffsets", Level = LogLevel.Debug,
        Message = "Subscription {Subscription}: starting partitions at {Offsets} (no offset: the committed one, else the start position)")]
    public static partial void StartOffsets(ILogger logger, string subscription, OffsetList offsets);

    [LoggerMessage(EventId = 1313, EventName = "StoreFailed", Level = LogLevel.Debug,
        Message = "Subscription {Subscription}: position {Offset} of partition {Partition} not stored for commit: {Reason}; the partition's new owner delivers its unacked events again")]
    public static partial void StoreFailed(ILogger logger, string subscription, int partition, long offset, string reason);

    [LoggerMessage(EventId = 1314, EventName = "CloseAbandoned", Level = LogLevel.Warning,
        Message = "Subscription {Subscription}: the Kafka consumer did not commit and leave the group within {CloseTimeout}; the stream ends without waiting, its uncommitted events will be delivered again")]
    public static partial void CloseAbandoned(ILogger logger, string subscription, TimeSpan closeTimeout);

    [LoggerMessage(EventId = 1315, EventName = "AcksAwaited", Level = LogLevel.Information,
        Message = "Subscription {Subscription}: stopping; {InFlight} deliveries of {Peer} still unacked after waiting {AckGracePeriod} for their acks, they will be delivered again")]
    public static partial void AcksMissing(ILogger logger, string subscription, string peer, int inFlight, TimeSpan ackGracePeriod);

    [LoggerMessage(EventId = 1350, EventName = "OpenRejected", Level = LogLevel.Information,
        Message = "Subscribe from {Peer} rejected: {Reason}")]
    public static partial void OpenRejected(ILogger logger, string peer, string reason);

    [LoggerMessage(EventId = 1351, EventName = "Unauthenticated", Level = LogLevel.Information,
        Message = "{Method} from {Peer} rejected: {Reason}")]
    public static partial void Unauthenticated(ILogger logger, string method, string peer, string reason);

    [LoggerMessage(EventId = 1352, EventName = "Published", Level = LogLevel.Debug,
        Message = "Publish from {Peer}: {Accepted} of {Count} events accepted")]
    public static partial void Published(ILogger logger, string peer, int accepted, int count);

    [LoggerMessage(EventId = 1353, EventName = "PublishEventFailed", Level = LogLevel.Warning,
        Message = "Publish from {Peer}: event {Index} (id '{EventId}') not stored: {Reason}")]
    public static partial void PublishEventFailed(ILogger logger, string peer, int index, string eventId, string reason);

    [LoggerMessage(EventId = 1354, EventName = "HealthChanged", Level = LogLevel.Information,
        Message = "gRPC health is now {Status}{Reason}")]
    public static partial void HealthChanged(ILogger logger, global::Grpc.Health.V1.HealthCheckResponse.Types.ServingStatus status, string reason);
}
