using System.Diagnostics;
using System.Globalization;
using Bridge.CloudEvents;
using Bridge.Server.Subscriptions;

namespace Bridge.Server.Observability;

/// <summary>
/// The spans of one event's way through the bridge (activity source <c>Bridge.Server</c>): the Kafka produce
/// (<c>send &lt;topic&gt;</c>) and each delivery to a subscriber (<c>deliver &lt;subscription&gt;</c>). The HTTP or
/// gRPC request that brought the event in is ASP.NET Core's span.
/// </summary>
/// <remarks>
/// <para>The W3C trace context travels as the CloudEvents distributed-tracing extension (<c>traceparent</c>,
/// <c>tracestate</c>), so it is stored in the Kafka record (<c>ce_traceparent</c> in binary mode) and delivered
/// with the event. An event that already carries a <c>traceparent</c> keeps it: the extension names the trace
/// the event started in, which wins over the request's context (an HTTP <c>traceparent</c> header is only the last
/// hop's); the send span is then its child and links to the request's span. An event without one gets the send
/// span's context. A delivery span is a child of the event's context, and the delivered event's
/// <c>traceparent</c> names the delivery span (same trace), so the subscriber's own span continues it.</para>
/// <para>Nothing is allocated and no event is changed while no listener samples the source (tracing is off).</para>
/// </remarks>
internal static class EventTracing
{
    /// <summary>Name of the activity source.</summary>
    public const string SourceName = "Bridge.Server";

    private static readonly ActivitySource Source = new(SourceName, typeof(EventTracing).Assembly.GetName().Version?.ToString());

    private static SpanName _sendName = new(string.Empty, "send");

    /// <summary>
    /// Starts the span of producing <paramref name="cloudEvent"/> to <paramref name="topic"/> and, when the event
    /// carries no <c>traceparent</c>, gives it the span's context. Call before the event is encoded.
    /// </summary>
    /// <returns>The span, or null when tracing is off or the span is not sampled.</returns>
    public static Activity? StartSend(CloudEvent cloudEvent, string topic)
    {
        if (!Source.HasListeners())
        {
            return null;
        }

        var current = Activity.Current;
        var hasContext = TryGetContext(cloudEvent, out var eventContext);
        ActivityLink[]? links = hasContext && current is not null && current.TraceId != eventContext.TraceId ? [new ActivityLink(current.Context)] : null;
        var activity = Source.StartActivity(SendName(topic), ActivityKind.Producer, hasContext ? eventContext : default, links: links);
        if (activity is null)
        {
            return null;
        }

        if (cloudEvent[CloudEventAttributes.TraceParent.Name] is null)
        {
            Stamp(cloudEvent, activity);
        }

        if (activity.IsAllDataRequested)
        {
            activity.SetTag("messaging.system", "kafka");
            activity.SetTag("messaging.operation.type", "send");
            activity.SetTag("messaging.destination.name", topic);
            if (cloudEvent[CloudEventAttributes.PartitionKey.Name] is string key)
            {
                activity.SetTag("messaging.kafka.message.key", key);
            }

            AddEventTags(activity, cloudEvent);
        }

        return activity;
    }

    /// <summary>Records where Kafka stored the event.</summary>
    public static void Sent(Activity? activity, int partition, long offset)
    {
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag("messaging.destination.partition.id", partition.ToString(CultureInfo.InvariantCulture));
            activity.SetTag("messaging.kafka.offset", offset);
        }
    }

    /// <summary>Marks the send as failed with librdkafka's error code.</summary>
    public static void Failed(Activity? activity, string errorCode, string reason)
    {
        if (activity is not null)
        {
            activity.SetStatus(ActivityStatusCode.Error, reason);
            activity.SetTag("error.type", errorCode);
        }
    }

    /// <summary>
    /// Starts the span of handing <paramref name="delivery"/> to a subscriber, a child of the event's context, and
    /// gives the delivered event the span's context. Call before the event is encoded for the subscriber.
    /// </summary>
    /// <returns>The span, or null when tracing is off or the span is not sampled.</returns>
    public static Activity? StartDelivery(string subscription, Delivery delivery)
    {
        if (!Source.HasListeners())
        {
            return null;
        }

        var cloudEvent = delivery.Event;
        var hasContext = TryGetContext(cloudEvent, out var eventContext);
        var malformed = !hasContext && cloudEvent[CloudEventAttributes.TraceParent.Name] is not null;
        var current = Activity.Current;
        ActivityLink[]? links = current is not null ? [new ActivityLink(current.Context)] : null;

        // The stream's own span (the Subscribe call) lasts as long as the stream: an event without a trace of its
        // own starts one instead of hanging under it, and links to it.
        Activity.Current = null;
        var activity = Source.StartActivity("deliver " + subscription, ActivityKind.Producer, hasContext ? eventContext : default, links: links);
        if (activity is null)
        {
            Activity.Current = current;
            return null;
        }

        if (!malformed)
        {
            Stamp(cloudEvent, activity);
        }

        if (activity.IsAllDataRequested)
        {
            activity.SetTag("messaging.consumer.group.name", subscription);
            activity.SetTag("messaging.destination.partition.id", delivery.Partition.ToString(CultureInfo.InvariantCulture));
            activity.SetTag("messaging.kafka.offset", delivery.Offset);
            activity.SetTag("bridge.delivery.attempt", delivery.Attempt);
            AddEventTags(activity, cloudEvent);
        }

        return activity;
    }

    /// <summary>The event's own trace context, when its <c>traceparent</c> is a valid W3C trace parent.</summary>
    internal static bool TryGetContext(CloudEvent cloudEvent, out ActivityContext context)
    {
        if (cloudEvent[CloudEventAttributes.TraceParent.Name] is string traceParent)
        {
            return ActivityContext.TryParse(traceParent, cloudEvent[CloudEventAttributes.TraceState.Name] as string, isRemote: true, out context);
        }

        context = default;
        return false;
    }

    private static void Stamp(CloudEvent cloudEvent, Activity activity)
    {
        cloudEvent.SetAttribute(CloudEventAttributes.TraceParent, activity.Id);
        if (activity.TraceStateString is { Length: > 0 } traceState)
        {
            cloudEvent.SetAttribute(CloudEventAttributes.TraceState, traceState);
        }
    }

    private static void AddEventTags(Activity activity, CloudEvent cloudEvent)
    {
        activity.SetTag("cloudevents.event_id", cloudEvent.Id);
        activity.SetTag("cloudevents.event_source", cloudEvent.Source);
        activity.SetTag("cloudevents.event_type", cloudEvent.Type);
        if (cloudEvent.Subject is { } subject)
        {
            activity.SetTag("cloudevents.event_subject", subject);
        }
    }

    private static string SendName(string topic)
    {
        // One topic per publisher: keep its span name instead of building it per event.
        var cached = Volatile.Read(ref _sendName);
        if (!string.Equals(cached.Topic, topic, StringComparison.Ordinal))
        {
            cached = new SpanName(topic, "send " + topic);
            Volatile.Write(ref _sendName, cached);
        }

        return cached.Name;
    }

    private sealed record SpanName(string Topic, string Name);
}
