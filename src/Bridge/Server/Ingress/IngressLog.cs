using Microsoft.Extensions.Logging;

namespace Bridge.Server.Ingress;

/// <summary>Log events of the HTTP ingress (EventIds 1100-1199). Per-request events are Debug only.</summary>
internal static partial class IngressLog
{
    [LoggerMessage(EventId = 1100, EventName = "RequestRejected", Level = LogLevel.Debug,
        Message = "{Method} {Path} answered {Status}: {Detail}")]
    public static partial void RequestRejected(ILogger logger, string method, string path, int status, string detail);

    [LoggerMessage(EventId = 1101, EventName = "EventsPublished", Level = LogLevel.Debug,
        Message = "{Path}: {Count} event(s) acknowledged by Kafka, first id {Id}")]
    public static partial void EventsPublished(ILogger logger, string path, int count, string id);

    [LoggerMessage(EventId = 1102, EventName = "PublishFailed", Level = LogLevel.Debug,
        Message = "{Path}: Kafka did not take the event(s), answered 503: {Reason}")]
    public static partial void PublishFailed(ILogger logger, string path, string reason);

    [LoggerMessage(EventId = 1103, EventName = "UnexpectedError", Level = LogLevel.Error,
        Message = "Unexpected error handling {Method} {Path}")]
    public static partial void UnexpectedError(ILogger logger, Exception exception, string method, string path);

    [LoggerMessage(EventId = 1104, EventName = "RepeatedPoll", Level = LogLevel.Debug,
        Message = "{HookType} for {Canary} answered without publishing: event {Id} was already published")]
    public static partial void RepeatedPoll(ILogger logger, Bridge.Server.Flagger.FlaggerHookType hookType, string? canary, string id);

    [LoggerMessage(EventId = 1105, EventName = "NotReady", Level = LogLevel.Debug,
        Message = "Readiness check failed: {Reason}")]
    public static partial void NotReady(ILogger logger, string reason);

    [LoggerMessage(EventId = 1107, EventName = "EventsSpooled", Level = LogLevel.Debug,
        Message = "{Path}: {Count} event(s) accepted into the spool (Kafka did not acknowledge in time), first id {Id}")]
    public static partial void EventsSpooled(ILogger logger, string path, int count, string id);

    [LoggerMessage(EventId = 1108, EventName = "GateAnsweredUnstored", Level = LogLevel.Warning,
        Message = "{HookType} for {Canary} answered from the gate state although event {Id} could not be stored (it is stored at a later poll): {Reason}")]
    public static partial void GateAnsweredUnstored(ILogger logger, Bridge.Server.Flagger.FlaggerHookType hookType, string? canary, string id, string reason);

    [LoggerMessage(EventId = 1106, EventName = "RateLimitEnabled", Level = LogLevel.Information,
        Message = "Ingress rate limit: {PermitsPerSecond} requests/s, bursts of {Burst}")]
    public static partial void RateLimitEnabled(ILogger logger, int permitsPerSecond, int burst);
}
