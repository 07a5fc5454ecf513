using Bridge.CloudEvents;

namespace Bridge.Server.Kafka;

/// <summary>Writes CloudEvents to the bridge's Kafka topic and completes once Kafka acknowledged them (acks=all).</summary>
internal interface IEventPublisher
{
    /// <summary>
    /// Publishes one valid event. Completes with where Kafka stored it; throws
    /// <see cref="PublishFailedException"/> when Kafka could not take it within the configured time.
    /// </summary>
    ValueTask<PublishReceipt> PublishAsync(CloudEvent cloudEvent, CancellationToken cancellationToken);
}

/// <summary>
/// Where an acknowledged event was stored; or, when <see cref="Spooled"/>, that it is durably in the local spool
/// on its way to <see cref="Topic"/> (partition and offset are then -1).
/// </summary>
internal readonly record struct PublishReceipt(string Topic, int Partition, long Offset, bool Spooled = false)
{
    /// <summary>The receipt of an event written to the spool instead of Kafka.</summary>
    public static PublishReceipt ForSpooled(string topic) => new(topic, -1, -1, Spooled: true);
}

/// <summary>Kafka did not acknowledge an event (broker unavailable, timeout, fatal producer error).</summary>
internal sealed class PublishFailedException(string message, Exception? inner = null) : Exception(message, inner);
