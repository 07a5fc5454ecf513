using System.Diagnostics;

namespace Bridge.Notifier.Observability;

/// <summary>
/// One span per sink delivery (<c>deliver &lt;sink&gt;</c>), child of the subscriber's <c>process</c> span, which
/// continues the event's <c>traceparent</c>.
/// </summary>
internal static class NotifierTracing
{
    public const string SourceName = "Bridge.Notifier";

    private static readonly ActivitySource Source = new(SourceName);

    public static Activity? StartDelivery(string sink, string kind, string route, string eventId)
    {
        Activity? activity = Source.StartActivity("deliver " + sink, ActivityKind.Client);
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag("notifier.sink", sink);
            activity.SetTag("notifier.sink.kind", kind);
            activity.SetTag("notifier.route", route);
            activity.SetTag("cloudevents.event_id", eventId);
        }
        return activity;
    }
}
