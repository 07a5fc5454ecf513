using System.Diagnostics;
using System.Globalization;
using Bridge.CloudEvents;

namespace Bridge.Client.Internal;

/// <summary>The handler span of a hosted subscriber (activity source <see cref="BridgeClientTelemetry.ActivitySourceName"/>).</summary>
internal static class ClientTracing
{
    private static readonly ActivitySource Source = new(BridgeClientTelemetry.ActivitySourceName, typeof(ClientTracing).Assembly.GetName().Version?.ToString());

    /// <summary>
    /// Runs <paramref name="handler"/> for <paramref name="delivery"/> inside a span continuing the event's
    /// <c>traceparent</c>; without a listener it is the bare call.
    /// </summary>
    public static Task HandleAsync(Func<CloudEventDelivery, CancellationToken, Task> handler, string subscription, CloudEventDelivery delivery, CancellationToken cancellationToken)
    {
        if (!Source.HasListeners())
        {
            return handler(delivery, cancellationToken);
        }

        return HandleTracedAsync(handler, subscription, delivery, cancellationToken);
    }

    private static async Task HandleTracedAsync(Func<CloudEventDelivery, CancellationToken, Task> handler, string subscription, CloudEventDelivery delivery, CancellationToken cancellationToken)
    {
        var cloudEvent = delivery.Event;
        var parent = default(ActivityContext);
        if (cloudEvent[CloudEventAttributes.TraceParent.Name] is string traceParent)
        {
            // A malformed value leaves the default: the span starts a trace of its own.
            ActivityContext.TryParse(traceParent, cloudEvent[CloudEventAttributes.TraceState.Name] as string, isRemote: true, out parent);
        }

        // Whatever span surrounds the stream is not the event's: an event without a trace context starts its own.
        Activity.Current = null;
        using var activity = Source.StartActivity("process " + subscription, ActivityKind.Consumer, parent);
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag("messaging.operation.type", "process");
            activity.SetTag("messaging.consumer.group.name", subscription);
            activity.SetTag("messaging.destination.partition.id", delivery.Partition.ToString(CultureInfo.InvariantCulture));
            activity.SetTag("messaging.kafka.offset", delivery.Offset);
            activity.SetTag("bridge.delivery.attempt", delivery.Attempt);
            activity.SetTag("cloudevents.event_id", cloudEvent.Id);
            activity.SetTag("cloudevents.event_source", cloudEvent.Source);
            activity.SetTag("cloudevents.event_type", cloudEvent.Type);
            if (cloudEvent.Subject is { } subject)
            {
                activity.SetTag("cloudevents.event_subject", subject);
            }
        }

        try
        {
            await handler(delivery, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (activity is not null)
        {
            activity.SetStatus(ActivityStatusCode.Error, e.Message);
            activity.AddException(e);
            throw;
        }
    }
}
