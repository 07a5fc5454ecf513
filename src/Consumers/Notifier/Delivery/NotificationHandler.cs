using Bridge.Client;

namespace Bridge.Notifier.Delivery;

/// <summary>The hosted subscriber's handler: returning acknowledges the event, so it returns only once every route is done.</summary>
internal sealed class NotificationHandler(DeliveryPipeline pipeline) : ICloudEventHandler
{
    public Task HandleAsync(CloudEventDelivery delivery, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(delivery);
        return pipeline.HandleAsync(delivery.Event, cancellationToken);
    }
}
