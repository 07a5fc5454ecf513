using Bridge.CloudEvents;

namespace Bridge.Client;

/// <summary>One event delivered on a subscription, with what is needed to acknowledge it.</summary>
/// <remarks>
/// Acknowledge it with <see cref="EventSubscription.AckAsync(ulong[])"/> (passing <see cref="AckId"/>) once it is
/// handled; an event that is never acknowledged is delivered again after a reconnect (at least once). Consumers
/// deduplicate by (<c>source</c>, <c>id</c>).
/// </remarks>
public sealed class CloudEventDelivery
{
    /// <summary>Creates a delivery (the subscription does; handlers' tests may too).</summary>
    /// <param name="ackId">The ack id, unique within the stream.</param>
    /// <param name="cloudEvent">The event. Must not be null.</param>
    /// <param name="partition">The Kafka partition.</param>
    /// <param name="offset">The Kafka offset.</param>
    /// <param name="attempt">1 on the first delivery, higher on redeliveries.</param>
    /// <param name="key">The Kafka record key. May be null (treated as empty).</param>
    public CloudEventDelivery(ulong ackId, CloudEvent cloudEvent, int partition, long offset, int attempt, string? key)
    {
        ArgumentNullException.ThrowIfNull(cloudEvent);
        AckId = ackId;
        Event = cloudEvent;
        Partition = partition;
        Offset = offset;
        Attempt = attempt;
        Key = key ?? string.Empty;
    }

    /// <summary>The id to send back in an ack; unique within the stream that delivered it.</summary>
    public ulong AckId { get; }

    /// <summary>The event; valid (decoded with <see cref="ProtobufEventFormat.FromProto"/>). Never null.</summary>
    public CloudEvent Event { get; }

    /// <summary>The Kafka partition the event is stored in. Events of one partition arrive in order.</summary>
    public int Partition { get; }

    /// <summary>The event's Kafka offset within <see cref="Partition"/>.</summary>
    public long Offset { get; }

    /// <summary>1 on the first delivery to this subscription, higher when the event is delivered again.</summary>
    public int Attempt { get; }

    /// <summary>The Kafka record key (<c>&lt;namespace&gt;/&lt;name&gt;</c> for Flagger events); empty when there is none. Never null.</summary>
    public string Key { get; }

    /// <inheritdoc />
    public override string ToString() =>
        $"Delivery(ack={AckId}, partition={Partition}, offset={Offset}, attempt={Attempt}, key={Key}, {Event})";
}
