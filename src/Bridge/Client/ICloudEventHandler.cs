namespace Bridge.Client;

/// <summary>
/// Handles events delivered to a hosted subscriber (<c>AddBridgeSubscriber&lt;THandler&gt;</c>). Resolved from a new
/// DI scope for every delivery, so it may depend on scoped services.
/// </summary>
/// <remarks>
/// Events of one partition (and so of one canary) are handed over one at a time, in order; events of different
/// partitions may be handled concurrently. Returning acknowledges the event. Throwing leaves it unacknowledged: the
/// subscriber reconnects and the event is delivered again (with a higher <see cref="CloudEventDelivery.Attempt"/>), until
/// <see cref="SubscriberOptions.MaxAttempts"/> skips it. Delivery is at least once: deduplicate by
/// (<c>source</c>, <c>id</c>) where handling twice matters.
/// </remarks>
public interface ICloudEventHandler
{
    /// <summary>Handles one event.</summary>
    /// <param name="delivery">The delivery. Never null.</param>
    /// <param name="cancellationToken">Fires when the subscriber stops and its drain timeout has passed.</param>
    Task HandleAsync(CloudEventDelivery delivery, CancellationToken cancellationToken);
}
