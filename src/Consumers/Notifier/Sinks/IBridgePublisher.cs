using Bridge.CloudEvents;

namespace Bridge.Notifier.Sinks;

/// <summary>
/// Publishes the notifier's own events (<c>app.flagger.bridge.delivery.failed</c>, <c>app.flagger.bridge.action.*</c>)
/// back to the bridge through gRPC <c>Publish</c>, so they reach Kafka and every other consumer.
/// </summary>
internal interface IBridgePublisher
{
    /// <summary>Publishes one event; completes when the bridge accepted it, throws when it did not.</summary>
    Task PublishAsync(CloudEvent cloudEvent, CancellationToken cancellationToken);
}
