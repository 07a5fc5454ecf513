using Bridge.Notifier.Model;

namespace Bridge.Notifier.Sinks;

/// <summary>What a route asks one sink to deliver for one event.</summary>
internal sealed class SinkMessage
{
    /// <summary>The event. Never null.</summary>
    public required Notification Notification { get; init; }

    /// <summary>The name of the route that selected the event.</summary>
    public required string Route { get; init; }

    /// <summary>
    /// The route's <c>message</c> template rendered for this event with the sink's <see cref="ISink.Escaping"/>;
    /// null when the route has none, and the sink writes its own default text (<see cref="Notification.Message"/>).
    /// </summary>
    public string? Text { get; init; }

    /// <summary>
    /// The route's <c>body</c> template rendered for this event, JSON-safe: when set, sinks that post JSON send it as
    /// the whole body instead of their default layout. Null when the route has none.
    /// </summary>
    public string? Body { get; init; }

    /// <summary>
    /// Stable for this (event, route, sink): the same value on every redelivery of the event. Sinks send it to targets
    /// that accept an idempotency key, and actions use it to run at most once.
    /// </summary>
    public required string IdempotencyKey { get; init; }

    /// <summary>The text to show: <see cref="Text"/> when the route set one, else the event's message.</summary>
    public string TextOrDefault => Text ?? Notification.Message;
}
