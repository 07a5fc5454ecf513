using Microsoft.Extensions.Logging;

namespace Bridge.Client.Internal;

/// <summary>Log events of the EventBridge client and the hosted subscriber (EventIds 300-399).</summary>
internal static partial class ClientLog
{
    [LoggerMessage(EventId = 300, EventName = "InvalidEventSkipped", Level = LogLevel.Error,
        Message = "Subscription {Subscription}: the event at partition {Partition} offset {Offset} is not a valid CloudEvent and was acknowledged without being handled: {Reason}")]
    public static partial void InvalidEventSkipped(ILogger logger, string subscription, int partition, long offset, string reason);

    [LoggerMessage(EventId = 301, EventName = "AckFailed", Level = LogLevel.Debug,
        Message = "Subscription {Subscription}: acknowledgement could not be sent; the events will be delivered again")]
    public static partial void AckFailed(ILogger logger, string subscription, Exception exception);

    [LoggerMessage(EventId = 310, EventName = "SubscriberStarting", Level = LogLevel.Information,
        Message = "Subscriber {Subscription} starting against {Address} (handler {Handler}, max in flight {MaxInFlight})")]
    public static partial void SubscriberStarting(ILogger logger, string subscription, string address, string handler, int maxInFlight);

    [LoggerMessage(EventId = 311, EventName = "Connecting", Level = LogLevel.Debug,
        Message = "Subscriber {Subscription} connecting to {Address}")]
    public static partial void Connecting(ILogger logger, string subscription, string address);

    [LoggerMessage(EventId = 312, EventName = "Connected", Level = LogLevel.Information,
        Message = "Subscriber {Subscription} connected to {Address}")]
    public static partial void Connected(ILogger logger, string subscription, string address);

    [LoggerMessage(EventId = 313, EventName = "StreamFailed", Level = LogLevel.Warning,
        Message = "Subscriber {Subscription}: the stream ended with {StatusCode}: {Detail}")]
    public static partial void StreamFailed(ILogger logger, string subscription, string statusCode, string detail);

    [LoggerMessage(EventId = 316, EventName = "StreamFailedAgain", Level = LogLevel.Debug,
        Message = "Subscriber {Subscription}: the stream ended again with {StatusCode}: {Detail}")]
    public static partial void StreamFailedAgain(ILogger logger, string subscription, string statusCode, string detail);

    [LoggerMessage(EventId = 317, EventName = "ReconnectScheduledAgain", Level = LogLevel.Debug,
        Message = "Subscriber {Subscription} reconnects in {DelayMs} ms")]
    public static partial void ReconnectScheduledAgain(ILogger logger, string subscription, long delayMs);

    [LoggerMessage(EventId = 314, EventName = "StreamEnded", Level = LogLevel.Information,
        Message = "Subscriber {Subscription}: the server ended the stream")]
    public static partial void StreamEnded(ILogger logger, string subscription);

    [LoggerMessage(EventId = 315, EventName = "ReconnectScheduled", Level = LogLevel.Information,
        Message = "Subscriber {Subscription} reconnects in {DelayMs} ms")]
    public static partial void ReconnectScheduled(ILogger logger, string subscription, long delayMs);

    [LoggerMessage(EventId = 320, EventName = "HandlerFailed", Level = LogLevel.Warning,
        Message = "Subscriber {Subscription}: handler failed for event {EventId} ({EventType}) at partition {Partition} offset {Offset}, attempt {Attempt}; not acknowledged, reconnecting so it is delivered again")]
    public static partial void HandlerFailed(ILogger logger, string subscription, string? eventId, string? eventType, int partition, long offset, int attempt, Exception exception);

    [LoggerMessage(EventId = 321, EventName = "PoisonEventSkipped", Level = LogLevel.Error,
        Message = "Subscriber {Subscription}: handler failed for event {EventId} ({EventType}) at partition {Partition} offset {Offset} on attempt {Attempt} of {MaxAttempts}; acknowledging it to skip it")]
    public static partial void PoisonEventSkipped(ILogger logger, string subscription, string? eventId, string? eventType, int partition, long offset, int attempt, int maxAttempts, Exception exception);

    [LoggerMessage(EventId = 322, EventName = "HandlerCanceled", Level = LogLevel.Debug,
        Message = "Subscriber {Subscription}: handler for event {EventId} was canceled during shutdown; not acknowledged")]
    public static partial void HandlerCanceled(ILogger logger, string subscription, string? eventId);

    [LoggerMessage(EventId = 330, EventName = "Stopping", Level = LogLevel.Information,
        Message = "Subscriber {Subscription} stopping: waiting up to {DrainMs} ms for handlers in flight")]
    public static partial void Stopping(ILogger logger, string subscription, long drainMs);

    [LoggerMessage(EventId = 331, EventName = "DrainTimedOut", Level = LogLevel.Warning,
        Message = "Subscriber {Subscription}: handlers still running after {DrainMs} ms were canceled; their events will be delivered again")]
    public static partial void DrainTimedOut(ILogger logger, string subscription, long drainMs);

    [LoggerMessage(EventId = 332, EventName = "Stopped", Level = LogLevel.Information,
        Message = "Subscriber {Subscription} stopped")]
    public static partial void Stopped(ILogger logger, string subscription);
}
